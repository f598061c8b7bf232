/* store/store_track.c - the SQLite backend of store_track.h. Events arrive in batches from
 * track/queue.c and each batch is one transaction: the raw page view and every rollup it
 * touches are written together, so the daily figures never disagree with the rows they count
 * (up to pruning). The statistics then read the rollups, not the page views. */
#include "store/store_track.h"
#include "store/store_int.h"
#include "core/kf.h"
#include <stdio.h>
#include <string.h>

enum {
	T_SITE_GET = STORE_SLOT_TRACK, T_SITE_SET, T_VIS_GET, T_PV_INSERT, T_VIS_UPSERT, T_DAY_VIEW, T_DAY_TIME,
	T_TOP_BUMP, T_TOP_COUNT, T_TOP_INSERT, T_PV_TIME, T_VIS_TOUCH, T_PAGES, T_DAYS, T_TOP, T_CHATS,
	T_PRUNE, T_COMPACT_OTHER, T_COMPACT_DEL, T_BEGIN, T_COMMIT, T_ROLLBACK,
	T_END
};
_Static_assert(T_END <= STORE_SLOT_INVITE, "too many statements for store_track.c's slots");

#define DAY_MS 86400000LL
#define PRUNE_BATCH 20000   /* rows per prune call, so one call never holds the loop for long */

/* The keys of a day beyond the best ?3 of their (site, day, kind), for compaction. */
#define RANKED "SELECT site_id, day, kind, key, n FROM (SELECT site_id, day, kind, key, n, row_number() OVER " \
	       "(PARTITION BY site_id, day, kind ORDER BY n DESC, key) AS r FROM track_daily_top WHERE day " \
	       "BETWEEN ?1 AND ?2 AND key <> '" STORE_TRACK_OTHER "') WHERE r > ?3"

static sqlite3_stmt *q(struct store *st, int slot)
{
	static const char *const sql[T_END - STORE_SLOT_TRACK] = {
#define S(x) [x - STORE_SLOT_TRACK]
		S(T_SITE_GET) = "SELECT tracking FROM sites WHERE id = ?1",
		S(T_SITE_SET) = "UPDATE sites SET tracking = ?2 WHERE id = ?1",
		S(T_VIS_GET) = "SELECT visitor_id, site_id, first_at, last_at, visits, views, country, city, browser, screen, "
			       "last_view_at FROM track_visitors WHERE visitor_id = ?1",
		S(T_PV_INSERT) = "INSERT INTO track_pageviews (site_id, visitor_id, at, url, title, referrer, utm_source, "
				 "utm_medium, utm_campaign) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
		S(T_VIS_UPSERT) = "INSERT INTO track_visitors (visitor_id, site_id, first_at, last_at, visits, views, country, "
				  "city, browser, screen, last_view_at) VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6, ?7, ?8, ?9, ?4) "
				  "ON CONFLICT (visitor_id) DO UPDATE SET last_at = max(last_at, excluded.last_at), "
				  "last_view_at = max(last_view_at, excluded.last_view_at), "
				  "visits = max(visits, excluded.visits), views = views + 1, "
				  "country = CASE WHEN excluded.country <> '' THEN excluded.country ELSE country END, "
				  "city = CASE WHEN excluded.country <> '' THEN excluded.city ELSE city END, "
				  "browser = excluded.browser, screen = excluded.screen",
		S(T_DAY_VIEW) = "INSERT INTO track_daily (site_id, day, visitors, new_visitors, visits, pageviews) "
				"VALUES (?1, ?2, ?3, ?4, ?5, 1) ON CONFLICT (site_id, day) DO UPDATE SET "
				"visitors = visitors + excluded.visitors, new_visitors = new_visitors + excluded.new_visitors, "
				"visits = visits + excluded.visits, pageviews = pageviews + 1",
		S(T_DAY_TIME) = "INSERT INTO track_daily (site_id, day, seconds) VALUES (?1, ?2, ?3) "
				"ON CONFLICT (site_id, day) DO UPDATE SET seconds = seconds + excluded.seconds",
		S(T_TOP_BUMP) = "UPDATE track_daily_top SET n = n + 1, label = CASE WHEN ?5 <> '' THEN ?5 ELSE label END "
				"WHERE site_id = ?1 AND day = ?2 AND kind = ?3 AND key = ?4",
		S(T_TOP_COUNT) = "SELECT count(*) FROM track_daily_top WHERE site_id = ?1 AND day = ?2 AND kind = ?3",
		S(T_TOP_INSERT) = "INSERT INTO track_daily_top (site_id, day, kind, key, label, n) VALUES (?1, ?2, ?3, ?4, ?5, 1) "
				  "ON CONFLICT (site_id, day, kind, key) DO UPDATE SET n = n + 1",
		S(T_PV_TIME) = "UPDATE track_pageviews SET seconds = min(seconds + ?2, 86400) WHERE id = "
			       "(SELECT max(id) FROM track_pageviews WHERE visitor_id = ?1)",
		/* Heartbeats and leaves move last_at (when the visit ends) but not last_view_at: a
		 * ping past midnight is no page view of the new day (routes.c, presence_for). */
		S(T_VIS_TOUCH) = "UPDATE track_visitors SET last_at = max(last_at, ?2) WHERE visitor_id = ?1",
		S(T_PAGES) = "SELECT id, at, seconds, url, title, referrer FROM track_pageviews WHERE visitor_id = ?1 "
			     "ORDER BY id DESC LIMIT ?2",
		S(T_DAYS) = "SELECT day, visitors, new_visitors, visits, pageviews, seconds FROM track_daily "
			    "WHERE site_id = ?1 AND day BETWEEN ?2 AND ?3 ORDER BY day",
		/* With exactly one max() in the query SQLite takes the bare column label from the
		 * row holding that max: the label of the newest day, i.e. the latest page title. */
		S(T_TOP) = "SELECT key, label, max(day), sum(n) AS total FROM track_daily_top WHERE site_id = ?1 "
			   "AND day BETWEEN ?2 AND ?3 AND kind = ?4 AND key <> '" STORE_TRACK_OTHER "' "
			   "GROUP BY key ORDER BY total DESC, key LIMIT ?5",
		S(T_CHATS) = "SELECT created_at, coalesce(closed_at, 0), coalesce(first_reply_at, 0), status, "
			     "coalesce(rating, 0) FROM conversations WHERE site_id = ?1 AND created_at >= ?2 "
			     "AND created_at < ?3 ORDER BY created_at",
		S(T_PRUNE) = "DELETE FROM track_pageviews WHERE id IN (SELECT id FROM track_pageviews WHERE at < ?1 "
			     "LIMIT ?2)",
		S(T_COMPACT_OTHER) = "INSERT INTO track_daily_top (site_id, day, kind, key, label, n) "
				     "SELECT site_id, day, kind, '" STORE_TRACK_OTHER "', '', sum(n) FROM (" RANKED ") "
				     "WHERE true GROUP BY site_id, day, kind "
				     "ON CONFLICT (site_id, day, kind, key) DO UPDATE SET n = n + excluded.n",
		S(T_COMPACT_DEL) = "DELETE FROM track_daily_top WHERE (site_id, day, kind, key) IN "
				   "(SELECT site_id, day, kind, key FROM (" RANKED "))",
		S(T_BEGIN) = "BEGIN IMMEDIATE",
		S(T_COMMIT) = "COMMIT",
		S(T_ROLLBACK) = "ROLLBACK",
#undef S
	};
	return store__stmt(st, slot, sql[slot - STORE_SLOT_TRACK]);
}

static int tx(struct store *st, int slot)
{
	sqlite3_stmt *s = q(st, slot);
	return s ? store__run(st, s) : KF_EIO;
}

/* ---- the switch ---- */

int store_track_site_enabled(struct store *st, int64_t site_id, int *enabled)
{
	sqlite3_stmt *s = q(st, T_SITE_GET);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	int rc = store__step(st, s);
	if (rc == SQLITE_ROW)
		*enabled = sqlite3_column_int(s, 0) != 0;
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? KF_ENOTFOUND : store__err(st, "track site");
}

int store_track_site_set(struct store *st, int64_t site_id, int enabled)
{
	sqlite3_stmt *s = q(st, T_SITE_SET);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	sqlite3_bind_int(s, 2, enabled != 0);
	int rc = store__run(st, s);
	return rc ? rc : sqlite3_changes(st->db) ? 0 : KF_ENOTFOUND;
}

/* ---- visitors ---- */

int store_track_visitor_get(struct store *st, int64_t visitor_id, struct store_track_visitor *out)
{
	sqlite3_stmt *s = q(st, T_VIS_GET);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, visitor_id);
	int rc = store__step(st, s);
	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof(*out));
		out->visitor_id = sqlite3_column_int64(s, 0);
		out->site_id = sqlite3_column_int64(s, 1);
		out->first_at = sqlite3_column_int64(s, 2);
		out->last_at = sqlite3_column_int64(s, 3);
		out->visits = sqlite3_column_int64(s, 4);
		out->views = sqlite3_column_int64(s, 5);
		store__text(s, 6, out->country, sizeof(out->country));
		store__text(s, 7, out->city, sizeof(out->city));
		store__text(s, 8, out->browser, sizeof(out->browser));
		store__text(s, 9, out->screen, sizeof(out->screen));
		out->last_view_at = sqlite3_column_int64(s, 10);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? KF_ENOTFOUND : store__err(st, "track visitor");
}

/* ---- writing ---- */

static int one_int(struct store *st, sqlite3_stmt *s, int64_t *out)
{
	int rc = store__step(st, s);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : store__err(st, sqlite3_sql(s));
}

/* One more for key in the day's top list of kind; a new key past the cap counts as other. */
static int top_add(struct store *st, const struct store_track_event *e, int64_t day, const char *kind, const char *key,
		   const char *label, int cap)
{
	sqlite3_stmt *s = q(st, T_TOP_BUMP);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, e->site_id);
	sqlite3_bind_int64(s, 2, day);
	store__bind_text(s, 3, kind);
	store__bind_text(s, 4, key);
	store__bind_text(s, 5, label);
	int rc = store__run(st, s);
	if (rc || sqlite3_changes(st->db))
		return rc;
	int64_t have = 0;
	if (!(s = q(st, T_TOP_COUNT)))
		return KF_EIO;
	sqlite3_bind_int64(s, 1, e->site_id);
	sqlite3_bind_int64(s, 2, day);
	store__bind_text(s, 3, kind);
	if ((rc = one_int(st, s, &have)) != 0)
		return rc;
	int full = have >= cap;
	if (!(s = q(st, T_TOP_INSERT)))
		return KF_EIO;
	sqlite3_bind_int64(s, 1, e->site_id);
	sqlite3_bind_int64(s, 2, day);
	store__bind_text(s, 3, kind);
	store__bind_text(s, 4, full ? STORE_TRACK_OTHER : key);
	store__bind_text(s, 5, full ? "" : label);
	return store__run(st, s);
}

static int write_pageview(struct store *st, const struct store_track_event *e)
{
	sqlite3_stmt *s = q(st, T_PV_INSERT);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, e->site_id);
	sqlite3_bind_int64(s, 2, e->visitor_id);
	sqlite3_bind_int64(s, 3, e->at);
	store__bind_text(s, 4, e->url);
	store__bind_text(s, 5, e->title);
	store__bind_text(s, 6, e->referrer);
	store__bind_text(s, 7, e->utm_source);
	store__bind_text(s, 8, e->utm_medium);
	store__bind_text(s, 9, e->utm_campaign);
	int rc = store__run(st, s);
	if (rc || !(s = q(st, T_VIS_UPSERT)))
		return rc ? rc : KF_EIO;
	sqlite3_bind_int64(s, 1, e->visitor_id);
	sqlite3_bind_int64(s, 2, e->site_id);
	sqlite3_bind_int64(s, 3, e->first_at);
	sqlite3_bind_int64(s, 4, e->at);
	sqlite3_bind_int64(s, 5, e->visits);
	store__bind_text(s, 6, e->country);
	store__bind_text(s, 7, e->city);
	store__bind_text(s, 8, e->browser);
	store__bind_text(s, 9, e->screen);
	return store__run(st, s);
}

static int write_view(struct store *st, const struct store_track_event *e, int cap)
{
	int64_t day = e->at / DAY_MS;
	int rc = write_pageview(st, e);
	sqlite3_stmt *s;
	if (rc || !(s = q(st, T_DAY_VIEW)))
		return rc ? rc : KF_EIO;
	sqlite3_bind_int64(s, 1, e->site_id);
	sqlite3_bind_int64(s, 2, day);
	sqlite3_bind_int(s, 3, e->day_visitor);
	sqlite3_bind_int(s, 4, e->day_visitor && e->new_visitor);
	sqlite3_bind_int(s, 5, e->new_visit);
	if ((rc = store__run(st, s)) != 0)
		return rc;
	if (e->page[0] && (rc = top_add(st, e, day, "page", e->page, e->title, cap)) != 0)
		return rc;
	if (e->ref_host[0] && (rc = top_add(st, e, day, "referrer", e->ref_host, "", cap)) != 0)
		return rc;
	if (e->utm_campaign[0]) {
		char label[300];
		snprintf(label, sizeof(label), "%s / %s", e->utm_source[0] ? e->utm_source : "-",
			 e->utm_medium[0] ? e->utm_medium : "-");
		rc = top_add(st, e, day, "campaign", e->utm_campaign, label, cap);
	}
	return rc;
}

static int write_time(struct store *st, const struct store_track_event *e)
{
	sqlite3_stmt *s = q(st, T_PV_TIME);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, e->visitor_id);
	sqlite3_bind_int64(s, 2, e->seconds);
	int rc = store__run(st, s);
	if (rc || !(s = q(st, T_VIS_TOUCH)))
		return rc ? rc : KF_EIO;
	sqlite3_bind_int64(s, 1, e->visitor_id);
	sqlite3_bind_int64(s, 2, e->at);
	if ((rc = store__run(st, s)) != 0 || !(s = q(st, T_DAY_TIME)))
		return rc ? rc : KF_EIO;
	sqlite3_bind_int64(s, 1, e->site_id);
	sqlite3_bind_int64(s, 2, e->at / DAY_MS);
	sqlite3_bind_int64(s, 3, e->seconds);
	return store__run(st, s);
}

int store_track_write(struct store *st, const struct store_track_event *ev, size_t n, int top_cap)
{
	if (!n)
		return 0;
	if (tx(st, T_BEGIN))
		return KF_EIO;
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++)
		rc = ev[i].type == STORE_TRACK_VIEW ? write_view(st, &ev[i], top_cap) : write_time(st, &ev[i]);
	if (rc) {
		tx(st, T_ROLLBACK);
		return rc;
	}
	return tx(st, T_COMMIT);
}

/* ---- reading ---- */

int store_track_pages(struct store *st, int64_t visitor_id, int limit,
		      int (*cb)(void *ud, const struct store_track_view *v), void *ud)
{
	sqlite3_stmt *s = q(st, T_PAGES);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, visitor_id);
	sqlite3_bind_int(s, 2, limit);
	int rc, ret = 0;
	while ((rc = store__step(st, s)) == SQLITE_ROW) {
		struct store_track_view v;
		v.id = sqlite3_column_int64(s, 0);
		v.at = sqlite3_column_int64(s, 1);
		v.seconds = sqlite3_column_int64(s, 2);
		store__text(s, 3, v.url, sizeof(v.url));
		store__text(s, 4, v.title, sizeof(v.title));
		store__text(s, 5, v.referrer, sizeof(v.referrer));
		if ((ret = cb(ud, &v)) != 0)
			break;
	}
	sqlite3_reset(s);
	return ret ? ret : rc == SQLITE_DONE ? 0 : store__err(st, "track pages");
}

int store_track_days(struct store *st, int64_t site_id, int64_t from_day, int64_t to_day,
		     int (*cb)(void *ud, const struct store_track_day *d), void *ud)
{
	sqlite3_stmt *s = q(st, T_DAYS);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	sqlite3_bind_int64(s, 2, from_day);
	sqlite3_bind_int64(s, 3, to_day);
	int rc, ret = 0;
	while ((rc = store__step(st, s)) == SQLITE_ROW) {
		struct store_track_day d;
		d.day = sqlite3_column_int64(s, 0);
		d.visitors = sqlite3_column_int64(s, 1);
		d.new_visitors = sqlite3_column_int64(s, 2);
		d.visits = sqlite3_column_int64(s, 3);
		d.pageviews = sqlite3_column_int64(s, 4);
		d.seconds = sqlite3_column_int64(s, 5);
		if ((ret = cb(ud, &d)) != 0)
			break;
	}
	sqlite3_reset(s);
	return ret ? ret : rc == SQLITE_DONE ? 0 : store__err(st, "track days");
}

int store_track_top(struct store *st, int64_t site_id, int64_t from_day, int64_t to_day, const char *kind, int limit,
		    int (*cb)(void *ud, const char *key, const char *label, int64_t n), void *ud)
{
	sqlite3_stmt *s = q(st, T_TOP);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	sqlite3_bind_int64(s, 2, from_day);
	sqlite3_bind_int64(s, 3, to_day);
	store__bind_text(s, 4, kind);
	sqlite3_bind_int(s, 5, limit);
	int rc, ret = 0;
	while ((rc = store__step(st, s)) == SQLITE_ROW) {
		const unsigned char *k = sqlite3_column_text(s, 0), *l = sqlite3_column_text(s, 1);
		if ((ret = cb(ud, k ? (const char *)k : "", l ? (const char *)l : "", sqlite3_column_int64(s, 3))) != 0)
			break;
	}
	sqlite3_reset(s);
	return ret ? ret : rc == SQLITE_DONE ? 0 : store__err(st, "track top");
}

int store_track_chats(struct store *st, int64_t site_id, int64_t from_s, int64_t to_s,
		      int (*cb)(void *ud, const struct store_track_chat *c), void *ud)
{
	sqlite3_stmt *s = q(st, T_CHATS);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	sqlite3_bind_int64(s, 2, from_s);
	sqlite3_bind_int64(s, 3, to_s);
	int rc, ret = 0;
	while ((rc = store__step(st, s)) == SQLITE_ROW) {
		struct store_track_chat c;
		c.created_at = sqlite3_column_int64(s, 0);
		c.closed_at = sqlite3_column_int64(s, 1);
		c.first_reply_at = sqlite3_column_int64(s, 2);
		store__text(s, 3, c.status, sizeof(c.status));
		c.rating = sqlite3_column_int(s, 4);
		if ((ret = cb(ud, &c)) != 0)
			break;
	}
	sqlite3_reset(s);
	return ret ? ret : rc == SQLITE_DONE ? 0 : store__err(st, "track chats");
}

/* ---- upkeep ---- */

int store_track_prune(struct store *st, int64_t before, int64_t *deleted)
{
	sqlite3_stmt *s = q(st, T_PRUNE);
	*deleted = 0;
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, before);
	sqlite3_bind_int(s, 2, PRUNE_BATCH);
	int rc = store__run(st, s);
	if (rc == 0)
		*deleted = sqlite3_changes(st->db);
	return rc;
}

static int compact_step(struct store *st, int slot, int64_t from_day, int64_t to_day, int keep)
{
	sqlite3_stmt *s = q(st, slot);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, from_day);
	sqlite3_bind_int64(s, 2, to_day);
	sqlite3_bind_int(s, 3, keep);
	return store__run(st, s);
}

int store_track_compact(struct store *st, int64_t from_day, int64_t to_day, int keep)
{
	if (tx(st, T_BEGIN))
		return KF_EIO;
	/* Sum the tail into other first, then drop it: the ranking ignores other, so the
	 * second statement sees the same tail as the first. */
	int rc = compact_step(st, T_COMPACT_OTHER, from_day, to_day, keep);
	if (!rc)
		rc = compact_step(st, T_COMPACT_DEL, from_day, to_day, keep);
	if (rc) {
		tx(st, T_ROLLBACK);
		return rc;
	}
	return tx(st, T_COMMIT);
}
