/* store/store_rfm.c - the SQLite backend of store_rfm.h. The facts come from one aggregate
 * query per site (a LEFT JOIN of customers to their purchases, GROUP BY customer), so a
 * recompute reads the orders table once instead of once per customer. Only paid, shipped and
 * delivered orders are purchases: a cancelled or returned order is money the shop did not keep. */
#include "store/store_rfm.h"
#include "store/store_int.h"
#include "core/kf.h"
#include <string.h>

enum {
	R_FACTS = STORE_SLOT_RFM, R_BEGIN, R_COMMIT, R_ROLLBACK, R_PUT, R_HIST_ADD, R_GET, R_HISTORY, R_COUNTS,
	R_EACH, R_SET_GET, R_SET_PUT,
	R_END
};
_Static_assert(R_END <= STORE_SLOTS, "store_rfm.c's statements run past STORE_SLOTS");
_Static_assert(STORE_SLOT_LOYALTY < STORE_SLOT_RFM, "rfm's slots come after loyalty's");

#define PURCHASE "o.status IN ('paid', 'shipped', 'delivered')"
#define ROW_COLS "customer_id, site_id, r, f, m, segment, tier, orders, spent_cents, days_since, computed_at"

static sqlite3_stmt *q(struct store *st, int slot)
{
	static const char *const sql[R_END - STORE_SLOT_RFM] = {
#define S(x) [x - STORE_SLOT_RFM]
		/* The purchases are summed in one sequential scan of orders (NOT INDEXED) and one sort by
		 * customer, then joined to the customers walked in id order (+c.site_id: the table, not
		 * customers_site, so no sort for ORDER BY). Walking orders_customer instead costs a
		 * random read of the order's row for its status and total per order: 3 to 4 times
		 * slower at 1M orders (bench/crm-scale.sh, docs in bench/results/crm.md). */
		S(R_FACTS) = "SELECT c.id, coalesce(f.last, 0), coalesce(f.first, 0), coalesce(f.n, 0), "
			     "coalesce(f.spent, 0), coalesce(r.tier, -1) FROM customers c LEFT JOIN "
			     "(SELECT o.customer_id, max(o.placed_at) AS last, min(o.placed_at) AS first, "
			     "count(CASE WHEN o.placed_at >= ?2 THEN 1 END) AS n, "
			     "sum(CASE WHEN o.placed_at >= ?2 THEN o.total_cents END) AS spent "
			     "FROM orders AS o NOT INDEXED WHERE o.site_id = ?1 AND " PURCHASE " GROUP BY o.customer_id) f "
			     "ON f.customer_id = c.id LEFT JOIN customer_rfm r ON r.customer_id = c.id "
			     "WHERE +c.site_id = ?1 AND c.merged_into IS NULL ORDER BY c.id",
		S(R_BEGIN) = "BEGIN IMMEDIATE",
		S(R_COMMIT) = "COMMIT",
		S(R_ROLLBACK) = "ROLLBACK",
		S(R_PUT) = "INSERT INTO customer_rfm (" ROW_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
			   "ON CONFLICT (customer_id) DO UPDATE SET site_id = ?2, r = ?3, f = ?4, m = ?5, segment = ?6, "
			   "tier = ?7, orders = ?8, spent_cents = ?9, days_since = ?10, computed_at = ?11",
		S(R_HIST_ADD) = "INSERT INTO customer_tier_history (customer_id, from_tier, to_tier, at) VALUES (?1, ?2, ?3, ?4)",
		S(R_GET) = "SELECT " ROW_COLS " FROM customer_rfm WHERE customer_id = ?1",
		S(R_HISTORY) = "SELECT from_tier, to_tier, at FROM customer_tier_history WHERE customer_id = ?1 "
			       "ORDER BY id DESC LIMIT ?2",
		S(R_COUNTS) = "SELECT tier, segment, count(*) FROM customer_rfm WHERE site_id = ?1 GROUP BY tier, segment",
		S(R_EACH) = "SELECT r.customer_id, r.site_id, r.r, r.f, r.m, r.segment, r.tier, r.orders, r.spent_cents, "
			    "r.days_since, r.computed_at, c.name, c.emails FROM customer_rfm r JOIN customers c ON "
			    "c.id = r.customer_id WHERE r.site_id = ?1 AND (?2 < 0 OR r.tier = ?2) AND (?3 < 0 OR "
			    "r.segment = ?3) ORDER BY r.customer_id",
		S(R_SET_GET) = "SELECT config, rules FROM rfm_settings WHERE site_id = ?1",
		S(R_SET_PUT) = "INSERT INTO rfm_settings (site_id, config, rules) VALUES (?1, ?2, ?3) "
			       "ON CONFLICT (site_id) DO UPDATE SET config = ?2, rules = ?3",
#undef S
	};
	return store__stmt(st, slot, sql[slot - STORE_SLOT_RFM]);
}

int store_rfm_facts(struct store *st, int64_t site_id, int64_t since,
		    int (*cb)(void *ud, const struct store_rfm_fact *f), void *ud)
{
	sqlite3_stmt *s = q(st, R_FACTS);
	int rc;
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	sqlite3_bind_int64(s, 2, since);
	while ((rc = store__step(st, s)) == SQLITE_ROW) {
		struct store_rfm_fact f = {
			sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1), sqlite3_column_int64(s, 2),
			sqlite3_column_int64(s, 3), sqlite3_column_int64(s, 4), sqlite3_column_int(s, 5),
		};
		if (cb(ud, &f)) {
			sqlite3_reset(s);
			return 0;
		}
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : store__err(st, "rfm facts");
}

static int run0(struct store *st, int slot)
{
	sqlite3_stmt *s = q(st, slot);
	return s ? store__run(st, s) : KF_EIO;
}

int store_rfm_begin(struct store *st)
{
	return run0(st, R_BEGIN);
}

int store_rfm_commit(struct store *st)
{
	return run0(st, R_COMMIT);
}

void store_rfm_rollback(struct store *st)
{
	run0(st, R_ROLLBACK);
}

int store_rfm_put(struct store *st, const struct store_rfm_row *w)
{
	sqlite3_stmt *s = q(st, R_PUT);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, w->customer_id);
	sqlite3_bind_int64(s, 2, w->site_id);
	sqlite3_bind_int(s, 3, w->r);
	sqlite3_bind_int(s, 4, w->f);
	sqlite3_bind_int(s, 5, w->m);
	sqlite3_bind_int(s, 6, w->segment);
	sqlite3_bind_int(s, 7, w->tier);
	sqlite3_bind_int64(s, 8, w->orders);
	sqlite3_bind_int64(s, 9, w->spent_cents);
	sqlite3_bind_int64(s, 10, w->days_since);
	sqlite3_bind_int64(s, 11, w->computed_at);
	return store__run(st, s);
}

int store_rfm_history_add(struct store *st, int64_t customer_id, int from, int to, int64_t at)
{
	sqlite3_stmt *s = q(st, R_HIST_ADD);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, customer_id);
	sqlite3_bind_int(s, 2, from);
	sqlite3_bind_int(s, 3, to);
	sqlite3_bind_int64(s, 4, at);
	return store__run(st, s);
}

static void read_row(sqlite3_stmt *s, struct store_rfm_row *w)
{
	w->customer_id = sqlite3_column_int64(s, 0);
	w->site_id = sqlite3_column_int64(s, 1);
	w->r = sqlite3_column_int(s, 2);
	w->f = sqlite3_column_int(s, 3);
	w->m = sqlite3_column_int(s, 4);
	w->segment = sqlite3_column_int(s, 5);
	w->tier = sqlite3_column_int(s, 6);
	w->orders = sqlite3_column_int64(s, 7);
	w->spent_cents = sqlite3_column_int64(s, 8);
	w->days_since = sqlite3_column_int64(s, 9);
	w->computed_at = sqlite3_column_int64(s, 10);
}

int store_rfm_get(struct store *st, int64_t customer_id, struct store_rfm_row *out)
{
	sqlite3_stmt *s = q(st, R_GET);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, customer_id);
	int rc = store__step(st, s);
	if (rc == SQLITE_ROW)
		read_row(s, out);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? KF_ENOTFOUND : store__err(st, "rfm get");
}

int store_rfm_history(struct store *st, int64_t customer_id, int limit,
		      int (*cb)(void *ud, int from, int to, int64_t at), void *ud)
{
	sqlite3_stmt *s = q(st, R_HISTORY);
	int rc;
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, customer_id);
	sqlite3_bind_int(s, 2, limit);
	while ((rc = store__step(st, s)) == SQLITE_ROW)
		if (cb(ud, sqlite3_column_int(s, 0), sqlite3_column_int(s, 1), sqlite3_column_int64(s, 2)))
			break;
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store__err(st, "rfm history");
}

int store_rfm_counts(struct store *st, int64_t site_id, int (*cb)(void *ud, int tier, int segment, int64_t n),
		     void *ud)
{
	sqlite3_stmt *s = q(st, R_COUNTS);
	int rc;
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	while ((rc = store__step(st, s)) == SQLITE_ROW)
		if (cb(ud, sqlite3_column_int(s, 0), sqlite3_column_int(s, 1), sqlite3_column_int64(s, 2)))
			break;
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store__err(st, "rfm counts");
}

int store_rfm_each(struct store *st, int64_t site_id, int tier, int segment,
		   int (*cb)(void *ud, const struct store_rfm_row *row, const char *name, const char *emails), void *ud)
{
	sqlite3_stmt *s = q(st, R_EACH);
	int rc;
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	sqlite3_bind_int(s, 2, tier);
	sqlite3_bind_int(s, 3, segment);
	while ((rc = store__step(st, s)) == SQLITE_ROW) {
		struct store_rfm_row w;
		const unsigned char *name = sqlite3_column_text(s, 11), *emails = sqlite3_column_text(s, 12);
		read_row(s, &w);
		if (cb(ud, &w, name ? (const char *)name : "", emails ? (const char *)emails : "[]"))
			break;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store__err(st, "rfm each");
}

int store_rfm_settings_get(struct store *st, int64_t site_id, char *config, size_t csz, char *rules, size_t rsz)
{
	sqlite3_stmt *s = q(st, R_SET_GET);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	int rc = store__step(st, s);
	if (rc == SQLITE_ROW) {
		store__text(s, 0, config, csz);
		store__text(s, 1, rules, rsz);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? KF_ENOTFOUND : store__err(st, "rfm settings");
}

int store_rfm_settings_put(struct store *st, int64_t site_id, const char *config, const char *rules)
{
	sqlite3_stmt *s = q(st, R_SET_PUT);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	store__bind_text(s, 2, config);
	store__bind_text(s, 3, rules);
	return store__run(st, s);
}
