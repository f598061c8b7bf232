/* store/store_crmlist.c - the SQLite backend of store_crmlist.h (the CRM page's reads).
 * The list's filter is one WHERE clause shared by the page and the count, with every filter
 * written as "(?N is 'any' OR condition)": SQLite skips the right side when the left is true,
 * so the per-customer subqueries (lifetime value, level) only run for the filters and sort
 * keys a request actually uses. A sort key is chosen with CASE in ORDER BY, so one prepared
 * statement serves every sort instead of one statement per key. */
#include "store/store_crmlist.h"
#include "store/store_int.h"
#include "store/store_rfm.h"
#include "core/kf.h"
#include <string.h>

enum {
	L_COUNT = STORE_SLOT_CRMLIST, L_PAGE, L_FACTS, L_CHANGES, L_TIMELINE, L_EACH, L_COMPUTED,
	L_END
};
_Static_assert(L_END <= STORE_SLOTS, "store_crmlist.c's statements run past STORE_SLOTS");
_Static_assert(L_END - STORE_SLOT_CRMLIST <= 60, "store_crmlist.c has 60 slots (580..639)");

/* Per-customer figures, correlated on c.id. Lifetime value is the delivered orders, as the
 * customer panel and loyalty count spend. */
#define LIFETIME "(SELECT coalesce(sum(o.total_cents), 0) FROM orders o WHERE o.customer_id = c.id AND " \
		 "o.status = 'delivered')"
#define LAST_ORDER "(SELECT coalesce(max(o.placed_at), 0) FROM orders o WHERE o.customer_id = c.id)"
#define ORDERS "(SELECT count(*) FROM orders o WHERE o.customer_id = c.id)"
#define POINTS "(SELECT coalesce(sum(p.delta), 0) FROM points_ledger p WHERE p.customer_id = c.id)"
/* The current level is the newest row of the level history (store_loyalty.c). */
#define LEVEL_ROW "(SELECT max(h.id) FROM customer_levels_history h WHERE h.customer_id = c.id)"

/* ?1 site, ?2 q, ?3 tier, ?4 segment, ?5 level id, ?6 min spend. */
#define FILTER "FROM customers c LEFT JOIN customer_rfm r ON r.customer_id = c.id WHERE c.site_id = ?1 " \
	"AND c.merged_into IS NULL " /* merged away (025, crm/merge.c) */ \
	"AND (?2 = '' OR instr(lower(c.name), lower(?2)) OR instr(lower(c.emails), lower(?2)) OR " \
	"instr(c.phones, ?2) OR instr(coalesce(c.external_id, ''), ?2)) " \
	"AND (?3 < 0 OR r.tier = ?3) AND (?4 < 0 OR r.segment = ?4) " \
	"AND (?5 = 0 OR ?5 = (SELECT level_id FROM customer_levels_history WHERE id = " LEVEL_ROW ")) " \
	"AND (?6 <= 0 OR " LIFETIME " >= ?6) "

/* Tier ranks for "a step down": key 1 ... registered 4, none (0) below them all. */
#define RANK(x) "(CASE " x " WHEN 0 THEN 5 ELSE " x " END)"

static sqlite3_stmt *q(struct store *st, int slot)
{
	static const char *const sql[L_END - STORE_SLOT_CRMLIST] = {
#define S(x) [x - STORE_SLOT_CRMLIST]
		S(L_COUNT) = "SELECT count(*) " FILTER,
		S(L_PAGE) = "SELECT c.id " FILTER "ORDER BY CASE WHEN ?7 = 1 THEN c.name END, "
			    "CASE WHEN ?7 = 2 THEN " LIFETIME " END DESC, CASE WHEN ?7 = 3 THEN " LAST_ORDER " END DESC, "
			    "CASE WHEN ?7 = 4 THEN " ORDERS " END DESC, CASE WHEN ?7 = 5 THEN " POINTS " END DESC, "
			    "CASE WHEN ?7 = 6 THEN c.created_at END DESC, c.updated_at DESC, c.id DESC LIMIT ?8 OFFSET ?9",
		S(L_FACTS) = "SELECT r.customer_id IS NOT NULL, coalesce(r.r, 0), coalesce(r.f, 0), coalesce(r.m, 0), "
			     "coalesce(r.segment, 0), coalesce(r.tier, 0), " ORDERS ", " LIFETIME ", " LAST_ORDER ", "
			     POINTS ", coalesce(l.level_id, 0), coalesce(l.level_name, '') FROM customers c "
			     "LEFT JOIN customer_rfm r ON r.customer_id = c.id LEFT JOIN customer_levels_history l ON "
			     "l.id = " LEVEL_ROW " WHERE c.id = ?1",
		S(L_CHANGES) = "SELECT h.customer_id, c.name, h.from_tier, h.to_tier, h.at FROM customer_tier_history h "
			       "JOIN customers c ON c.id = h.customer_id WHERE c.site_id = ?1 AND (?2 = 0 OR "
			       RANK("h.to_tier") " > " RANK("h.from_tier") ") AND (?3 < 0 OR h.from_tier = ?3) "
			       "ORDER BY h.at DESC, h.id DESC LIMIT ?4",
		S(L_TIMELINE) =
			"WITH v(id) AS (SELECT visitor_id FROM customer_visitors WHERE customer_id = ?1) "
			"SELECT kind, at, ref, a, b, c, n1, n2 FROM ("
			"SELECT 'order' AS kind, placed_at AS at, id AS ref, number AS a, status AS b, currency AS c, "
			"total_cents AS n1, 0 AS n2 FROM orders WHERE customer_id = ?1 "
			"UNION ALL SELECT 'chat', created_at, id, status, last_text, '', last_seq, 0 FROM conversations "
			"WHERE visitor_id IN (SELECT id FROM v) "
			/* a bare column beside min() comes from the row holding the minimum: the day's first page */
			"UNION ALL SELECT 'visit', min(at) / 1000, visitor_id, url, title, '', count(*), sum(seconds) "
			"FROM track_pageviews WHERE visitor_id IN (SELECT id FROM v) GROUP BY visitor_id, at / 86400000 "
			"UNION ALL SELECT 'points', created_at, id, reason, note, '', delta, 0 FROM points_ledger "
			"WHERE customer_id = ?1 "
			"UNION ALL SELECT 'tier', at, id, '', '', '', from_tier, to_tier FROM customer_tier_history "
			"WHERE customer_id = ?1 "
			"UNION ALL SELECT 'level', at, id, level_name, from_name, '', 0, 0 FROM customer_levels_history "
			"WHERE customer_id = ?1) WHERE at < ?2 ORDER BY at DESC, kind, ref DESC LIMIT ?3",
		S(L_EACH) = "SELECT r.customer_id, r.site_id, r.r, r.f, r.m, r.segment, r.tier, r.orders, r.spent_cents, "
			    "r.days_since, r.computed_at, c.name, c.emails " FILTER "AND r.customer_id IS NOT NULL "
			    "ORDER BY c.id",
		S(L_COMPUTED) = "SELECT coalesce(max(computed_at), 0) FROM customer_rfm WHERE site_id = ?1",
#undef S
	};
	return store__stmt(st, slot, sql[slot - STORE_SLOT_CRMLIST]);
}

static void bind_filter(sqlite3_stmt *s, int64_t site_id, const struct store_crmlist_filter *f)
{
	sqlite3_bind_int64(s, 1, site_id);
	store__bind_text(s, 2, f->q);
	sqlite3_bind_int(s, 3, f->tier);
	sqlite3_bind_int(s, 4, f->segment);
	sqlite3_bind_int64(s, 5, f->level_id);
	sqlite3_bind_int64(s, 6, f->min_spend);
}

int store_crmlist_count(struct store *st, int64_t site_id, const struct store_crmlist_filter *f, int64_t *total)
{
	sqlite3_stmt *s = q(st, L_COUNT);
	if (!s)
		return KF_EIO;
	bind_filter(s, site_id, f);
	return store__one_int(st, s, total);
}

int store_crmlist_page(struct store *st, int64_t site_id, const struct store_crmlist_filter *f, int64_t *ids,
		       size_t max, size_t *n)
{
	sqlite3_stmt *s = q(st, L_PAGE);
	if (!s)
		return KF_EIO;
	bind_filter(s, site_id, f);
	sqlite3_bind_int(s, 7, f->sort);
	sqlite3_bind_int(s, 8, f->limit);
	sqlite3_bind_int64(s, 9, f->offset);
	return store__ids(st, s, ids, max, n);
}

static void facts_row(sqlite3_stmt *s, void *out)
{
	struct store_crmlist_facts *x = out;
	x->has_rfm = sqlite3_column_int(s, 0);
	x->r = sqlite3_column_int(s, 1);
	x->f = sqlite3_column_int(s, 2);
	x->m = sqlite3_column_int(s, 3);
	x->segment = sqlite3_column_int(s, 4);
	x->tier = sqlite3_column_int(s, 5);
	x->orders = sqlite3_column_int64(s, 6);
	x->lifetime_cents = sqlite3_column_int64(s, 7);
	x->last_order_at = sqlite3_column_int64(s, 8);
	x->points = sqlite3_column_int64(s, 9);
	x->level_id = sqlite3_column_int64(s, 10);
	store__text(s, 11, x->level_name, sizeof(x->level_name));
}

int store_crmlist_facts(struct store *st, int64_t customer_id, struct store_crmlist_facts *out)
{
	sqlite3_stmt *s = q(st, L_FACTS);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, customer_id);
	return store__one(st, s, facts_row, out);
}

int store_crmlist_tier_changes(struct store *st, int64_t site_id, int drops_only, int from_tier, int limit,
			       int (*cb)(void *ud, const struct store_tier_change *c), void *ud)
{
	sqlite3_stmt *s = q(st, L_CHANGES);
	struct store_tier_change c;
	int rc;
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	sqlite3_bind_int(s, 2, drops_only);
	sqlite3_bind_int(s, 3, from_tier);
	sqlite3_bind_int(s, 4, limit);
	while ((rc = store__step(st, s)) == SQLITE_ROW) {
		c.customer_id = sqlite3_column_int64(s, 0);
		store__text(s, 1, c.name, sizeof(c.name));
		c.from = sqlite3_column_int(s, 2);
		c.to = sqlite3_column_int(s, 3);
		c.at = sqlite3_column_int64(s, 4);
		if (cb(ud, &c))
			break;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store__err(st, "crm tier changes");
}

int store_crmlist_timeline(struct store *st, int64_t customer_id, int64_t before, int limit,
			   int (*cb)(void *ud, const struct store_timeline_item *it), void *ud)
{
	sqlite3_stmt *s = q(st, L_TIMELINE);
	struct store_timeline_item it;
	int rc;
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, customer_id);
	sqlite3_bind_int64(s, 2, before);
	sqlite3_bind_int(s, 3, limit);
	while ((rc = store__step(st, s)) == SQLITE_ROW) {
		store__text(s, 0, it.kind, sizeof(it.kind));
		it.at = sqlite3_column_int64(s, 1);
		it.ref = sqlite3_column_int64(s, 2);
		store__text(s, 3, it.a, sizeof(it.a));
		store__text(s, 4, it.b, sizeof(it.b));
		store__text(s, 5, it.c, sizeof(it.c));
		it.n1 = sqlite3_column_int64(s, 6);
		it.n2 = sqlite3_column_int64(s, 7);
		if (cb(ud, &it))
			break;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store__err(st, "crm timeline");
}

int store_crmlist_each(struct store *st, int64_t site_id, const struct store_crmlist_filter *f,
		       int (*cb)(void *ud, const struct store_rfm_row *row, const char *name, const char *emails), void *ud)
{
	sqlite3_stmt *s = q(st, L_EACH);
	int rc;
	if (!s)
		return KF_EIO;
	bind_filter(s, site_id, f);
	while ((rc = store__step(st, s)) == SQLITE_ROW) {
		struct store_rfm_row w = {
			sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1), sqlite3_column_int(s, 2),
			sqlite3_column_int(s, 3), sqlite3_column_int(s, 4), sqlite3_column_int(s, 5),
			sqlite3_column_int(s, 6), sqlite3_column_int64(s, 7), sqlite3_column_int64(s, 8),
			sqlite3_column_int64(s, 9), sqlite3_column_int64(s, 10),
		};
		const unsigned char *name = sqlite3_column_text(s, 11), *emails = sqlite3_column_text(s, 12);
		if (cb(ud, &w, name ? (const char *)name : "", emails ? (const char *)emails : "[]"))
			break;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store__err(st, "crm each");
}

int store_crmlist_computed_at(struct store *st, int64_t site_id, int64_t *at)
{
	sqlite3_stmt *s = q(st, L_COMPUTED);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	return store__one_int(st, s, at);
}
