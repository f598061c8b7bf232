/* store/store_invite.c - the SQLite backend of store_invite.h: invitation rules and the
 * invitations themselves. Answering an invitation is one conditional UPDATE (only while it
 * is still "shown"), so an accept and a decline racing from two tabs cannot both count. */
#include "store/store_invite.h"
#include "store/store.h"
#include "store/store_int.h"
#include "core/kf.h"
#include "core/util.h"
#include <string.h>

enum {
	I_RULE_INSERT = STORE_SLOT_INVITE, I_RULE_UPDATE, I_RULE_DELETE, I_RULE_GET, I_RULE_SITE, I_DEPT_OF,
	I_INSERT, I_GET, I_ANSWER, I_RECENT, I_STATS_RULE, I_STATS_AGENT,
	I_END
};
_Static_assert(I_END <= STORE_SLOT_ROUTE, "too many statements for the invitation slots");

#define RULE_COLS "id, site_id, coalesce(department_id, 0), name, enabled, url_pattern, min_seconds, min_pages, " \
		  "visitor, referrer_contains, utm_source, utm_campaign, message, repeat_after_hours, position, " \
		  "created_at, updated_at"
#define INVITE_COLS "id, site_id, visitor_id, coalesce(rule_id, 0), coalesce(agent_id, 0), message, status, " \
		    "created_at, coalesce(answered_at, 0), coalesce(conversation_id, 0)"
/* shown is every invitation; accepted and declined are what became of them. */
#define COUNT_COLS "count(i.id), coalesce(sum(i.status = 'accepted'), 0), coalesce(sum(i.status = 'declined'), 0)"

static sqlite3_stmt *q(struct store *st, int slot)
{
	static const char *const sql[I_END - STORE_SLOT_INVITE] = {
#define S(x) [x - STORE_SLOT_INVITE]
		S(I_RULE_INSERT) = "INSERT INTO invite_rules (site_id, department_id, name, enabled, url_pattern, "
				   "min_seconds, min_pages, visitor, referrer_contains, utm_source, utm_campaign, message, "
				   "repeat_after_hours, position, created_at, updated_at) VALUES (?1, nullif(?2, 0), ?3, ?4, "
				   "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15)",
		S(I_RULE_UPDATE) = "UPDATE invite_rules SET department_id = nullif(?2, 0), name = ?3, enabled = ?4, "
				   "url_pattern = ?5, min_seconds = ?6, min_pages = ?7, visitor = ?8, referrer_contains = ?9, "
				   "utm_source = ?10, utm_campaign = ?11, message = ?12, repeat_after_hours = ?13, "
				   "position = ?14, updated_at = ?15 WHERE id = ?1",
		S(I_RULE_DELETE) = "DELETE FROM invite_rules WHERE id = ?1",
		S(I_RULE_GET) = "SELECT " RULE_COLS " FROM invite_rules WHERE id = ?1",
		S(I_RULE_SITE) = "SELECT " RULE_COLS " FROM invite_rules WHERE site_id = ?1 AND (?2 = 0 OR enabled) "
				 "ORDER BY position, id",
		S(I_DEPT_OF) = "SELECT 1 FROM departments WHERE id = ?1 AND site_id = ?2",
		S(I_INSERT) = "INSERT INTO invitations (site_id, visitor_id, rule_id, agent_id, message, status, created_at) "
			      "VALUES (?1, ?2, nullif(?3, 0), nullif(?4, 0), ?5, 'shown', ?6)",
		S(I_GET) = "SELECT " INVITE_COLS " FROM invitations WHERE id = ?1",
		S(I_ANSWER) = "UPDATE invitations SET status = ?2, conversation_id = nullif(?3, 0), answered_at = ?4 "
			      "WHERE id = ?1 AND status = 'shown'",
		S(I_RECENT) = "SELECT 1 FROM invitations WHERE visitor_id = ?1 AND (?2 = 0 OR rule_id = ?2) "
			      "AND created_at >= ?3 LIMIT 1",
		S(I_STATS_RULE) = "SELECT r.id, r.name, " COUNT_COLS " FROM invite_rules r LEFT JOIN invitations i "
				  "ON i.rule_id = r.id AND i.created_at >= ?2 AND i.created_at < ?3 WHERE r.site_id = ?1 "
				  "GROUP BY r.id UNION ALL "
				  "SELECT i.rule_id, '', " COUNT_COLS " FROM invitations i WHERE i.site_id = ?1 "
				  "AND i.created_at >= ?2 AND i.created_at < ?3 AND i.rule_id IS NOT NULL "
				  "AND NOT EXISTS (SELECT 1 FROM invite_rules r WHERE r.id = i.rule_id) GROUP BY i.rule_id "
				  "ORDER BY 1",
		S(I_STATS_AGENT) = "SELECT i.agent_id, coalesce(nullif(u.name, ''), u.email, ''), " COUNT_COLS
				   " FROM invitations i LEFT JOIN users u ON u.id = i.agent_id WHERE i.site_id = ?1 "
				   "AND i.created_at >= ?2 AND i.created_at < ?3 AND i.agent_id IS NOT NULL "
				   "GROUP BY i.agent_id ORDER BY i.agent_id",
#undef S
	};
	return store__stmt(st, slot, sql[slot - STORE_SLOT_INVITE]);
}

/* One row into row_cb; KF_ENOTFOUND when there is none. */
static int one(struct store *st, sqlite3_stmt *s, void (*row_cb)(sqlite3_stmt *, void *), void *out)
{
	int rc = store__step(st, s);
	if (rc == SQLITE_ROW && row_cb)
		row_cb(s, out);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? KF_ENOTFOUND : store__err(st, sqlite3_sql(s));
}

static int changed(struct store *st, int rc)
{
	return rc ? rc : sqlite3_changes(st->db) ? 0 : KF_ENOTFOUND;
}

/* ---- rules ---- */

static void rule_row(sqlite3_stmt *s, void *p)
{
	struct store_invite_rule *r = p;
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(s, 0);
	r->site_id = sqlite3_column_int64(s, 1);
	r->department_id = sqlite3_column_int64(s, 2);
	store__text(s, 3, r->name, sizeof(r->name));
	r->enabled = sqlite3_column_int(s, 4);
	store__text(s, 5, r->url_pattern, sizeof(r->url_pattern));
	r->min_seconds = sqlite3_column_int(s, 6);
	r->min_pages = sqlite3_column_int(s, 7);
	store__text(s, 8, r->visitor, sizeof(r->visitor));
	store__text(s, 9, r->referrer_contains, sizeof(r->referrer_contains));
	store__text(s, 10, r->utm_source, sizeof(r->utm_source));
	store__text(s, 11, r->utm_campaign, sizeof(r->utm_campaign));
	store__text(s, 12, r->message, sizeof(r->message));
	r->repeat_after_hours = sqlite3_column_int(s, 13);
	r->position = sqlite3_column_int(s, 14);
	r->created_at = sqlite3_column_int64(s, 15);
	r->updated_at = sqlite3_column_int64(s, 16);
}

/* Binds ?2..?14 (the fields both INSERT and UPDATE write, after ?1). */
static void rule_bind(sqlite3_stmt *s, const struct store_invite_rule *r)
{
	sqlite3_bind_int64(s, 2, r->department_id);
	store__bind_text(s, 3, r->name);
	sqlite3_bind_int(s, 4, r->enabled ? 1 : 0);
	store__bind_text(s, 5, r->url_pattern);
	sqlite3_bind_int(s, 6, r->min_seconds);
	sqlite3_bind_int(s, 7, r->min_pages);
	store__bind_text(s, 8, r->visitor[0] ? r->visitor : "any");
	store__bind_text(s, 9, r->referrer_contains);
	store__bind_text(s, 10, r->utm_source);
	store__bind_text(s, 11, r->utm_campaign);
	store__bind_text(s, 12, r->message);
	sqlite3_bind_int(s, 13, r->repeat_after_hours);
	sqlite3_bind_int(s, 14, r->position);
}

int store_invite_rule_create(struct store *st, struct store_invite_rule *r)
{
	sqlite3_stmt *s = q(st, I_RULE_INSERT);
	if (!s)
		return KF_EIO;
	r->created_at = r->updated_at = time_now_s();
	sqlite3_bind_int64(s, 1, r->site_id);
	rule_bind(s, r);
	sqlite3_bind_int64(s, 15, r->created_at);
	return store__insert(st, s, &r->id);
}

int store_invite_rule_update(struct store *st, struct store_invite_rule *r)
{
	sqlite3_stmt *s = q(st, I_RULE_UPDATE);
	if (!s)
		return KF_EIO;
	r->updated_at = time_now_s();
	sqlite3_bind_int64(s, 1, r->id);
	rule_bind(s, r);
	sqlite3_bind_int64(s, 15, r->updated_at);
	return changed(st, store__run(st, s));
}

int store_invite_rule_delete(struct store *st, int64_t id)
{
	sqlite3_stmt *s = q(st, I_RULE_DELETE);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	return changed(st, store__run(st, s));
}

int store_invite_rule_get(struct store *st, int64_t id, struct store_invite_rule *out)
{
	sqlite3_stmt *s = q(st, I_RULE_GET);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	return one(st, s, rule_row, out);
}

int store_invite_rule_each(struct store *st, int64_t site_id, int enabled_only,
			   int (*cb)(void *, const struct store_invite_rule *), void *ud)
{
	sqlite3_stmt *s = q(st, I_RULE_SITE);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	sqlite3_bind_int(s, 2, enabled_only ? 1 : 0);
	int rc, ret = 0;
	while ((rc = store__step(st, s)) == SQLITE_ROW) {
		struct store_invite_rule r;
		rule_row(s, &r);
		if ((ret = cb(ud, &r)) != 0)
			break;
	}
	sqlite3_reset(s);
	return ret ? ret : rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : store__err(st, "invite_rules");
}

int store_invite_department_of(struct store *st, int64_t department_id, int64_t site_id)
{
	sqlite3_stmt *s = q(st, I_DEPT_OF);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, department_id);
	sqlite3_bind_int64(s, 2, site_id);
	return one(st, s, NULL, NULL);
}

/* ---- invitations ---- */

static void invite_row(sqlite3_stmt *s, void *p)
{
	struct store_invite *i = p;
	memset(i, 0, sizeof(*i));
	i->id = sqlite3_column_int64(s, 0);
	i->site_id = sqlite3_column_int64(s, 1);
	i->visitor_id = sqlite3_column_int64(s, 2);
	i->rule_id = sqlite3_column_int64(s, 3);
	i->agent_id = sqlite3_column_int64(s, 4);
	store__text(s, 5, i->message, sizeof(i->message));
	store__text(s, 6, i->status, sizeof(i->status));
	i->created_at = sqlite3_column_int64(s, 7);
	i->answered_at = sqlite3_column_int64(s, 8);
	i->conversation_id = sqlite3_column_int64(s, 9);
}

int store_invite_create(struct store *st, struct store_invite *i)
{
	sqlite3_stmt *s = q(st, I_INSERT);
	if (!s)
		return KF_EIO;
	if (!i->created_at)
		i->created_at = time_now_s();
	sqlite3_bind_int64(s, 1, i->site_id);
	sqlite3_bind_int64(s, 2, i->visitor_id);
	sqlite3_bind_int64(s, 3, i->rule_id);
	sqlite3_bind_int64(s, 4, i->agent_id);
	store__bind_text(s, 5, i->message);
	sqlite3_bind_int64(s, 6, i->created_at);
	int rc = store__run(st, s);
	if (rc == 0) {
		i->id = sqlite3_last_insert_rowid(st->db);
		memcpy(i->status, "shown", 6);
		i->answered_at = i->conversation_id = 0;
	}
	return rc;
}

int store_invite_get(struct store *st, int64_t id, struct store_invite *out)
{
	sqlite3_stmt *s = q(st, I_GET);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	return one(st, s, invite_row, out);
}

int store_invite_answer(struct store *st, int64_t id, const char *status, int64_t conv_id, int64_t now)
{
	sqlite3_stmt *s = q(st, I_ANSWER);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	store__bind_text(s, 2, status);
	sqlite3_bind_int64(s, 3, conv_id);
	sqlite3_bind_int64(s, 4, now);
	return changed(st, store__run(st, s));
}

int store_invite_recent(struct store *st, int64_t visitor_id, int64_t rule_id, int64_t since)
{
	sqlite3_stmt *s = q(st, I_RECENT);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, visitor_id);
	sqlite3_bind_int64(s, 2, rule_id);
	sqlite3_bind_int64(s, 3, since);
	return one(st, s, NULL, NULL);
}

int store_invite_stats(struct store *st, int64_t site_id, int64_t from, int64_t to, enum store_invite_by by,
		       int (*cb)(void *, const struct store_invite_count *), void *ud)
{
	sqlite3_stmt *s = q(st, by == STORE_INVITE_BY_AGENT ? I_STATS_AGENT : I_STATS_RULE);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	sqlite3_bind_int64(s, 2, from);
	sqlite3_bind_int64(s, 3, to);
	int rc, ret = 0;
	while ((rc = store__step(st, s)) == SQLITE_ROW) {
		struct store_invite_count c;
		memset(&c, 0, sizeof(c));
		c.id = sqlite3_column_int64(s, 0);
		store__text(s, 1, c.name, sizeof(c.name));
		c.shown = sqlite3_column_int64(s, 2);
		c.accepted = sqlite3_column_int64(s, 3);
		c.declined = sqlite3_column_int64(s, 4);
		if ((ret = cb(ud, &c)) != 0)
			break;
	}
	sqlite3_reset(s);
	return ret ? ret : rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : store__err(st, "invitation stats");
}
