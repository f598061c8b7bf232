/* store/store_loyalty.c - the SQLite backend of store_loyalty.h. The ledger is only ever
 * appended to; its partial unique index (order_id, reason) turns a second award, return or
 * expiry of the same order into KF_EEXIST, which is what makes retried order pushes safe.
 * A spend is one INSERT ... SELECT guarded by the balance, so two spends at once can never
 * take the balance below zero. */
#include "store/store_loyalty.h"
#include "store/store_int.h"
#include "core/kf.h"
#include <stdio.h>
#include <string.h>

enum {
	L_RULES_GET = STORE_SLOT_LOYALTY, L_RULES_PUT, L_ADD, L_SPEND, L_BALANCE, L_COUNT, L_OF_ORDER, L_EACH, L_DUE,
	L_ORDER_REF, L_LEVELS_GET, L_LEVELS_DEL, L_LEVEL_INSERT, L_SPENT, L_EARNED, L_CURRENT, L_CHANGE_ADD,
	L_HISTORY, L_CUSTOMERS, L_BEGIN, L_COMMIT, L_ROLLBACK,
	L_END
};
_Static_assert(L_END <= STORE_SLOTS, "store_loyalty.c's statements run past STORE_SLOTS");
_Static_assert(STORE_SLOT_CRM < STORE_SLOT_LOYALTY, "loyalty's slots come after the CRM's");

#define LEDGER_COLS "id, site_id, customer_id, delta, reason, coalesce(order_id, 0), coalesce(user_id, 0), note, " \
		    "created_at, coalesce(expires_at, 0)"
#define LEDGER_VALUES "(site_id, customer_id, delta, reason, order_id, user_id, note, created_at, expires_at)"

static sqlite3_stmt *q(struct store *st, int slot)
{
	static const char *const sql[L_END - STORE_SLOT_LOYALTY] = {
#define S(x) [x - STORE_SLOT_LOYALTY]
		S(L_RULES_GET) = "SELECT points_per_unit, unit_cents, multipliers, expiry_days, agents_spend, agents_award FROM "
				 "points_rules WHERE site_id = ?1",
		S(L_RULES_PUT) = "INSERT INTO points_rules (site_id, points_per_unit, unit_cents, multipliers, expiry_days, "
				 "agents_spend, agents_award) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (site_id) DO UPDATE SET "
				 "points_per_unit = ?2, unit_cents = ?3, multipliers = ?4, expiry_days = ?5, agents_spend = ?6, "
				 "agents_award = ?7",
		S(L_ADD) = "INSERT INTO points_ledger " LEDGER_VALUES " VALUES (?1, ?2, ?3, ?4, nullif(?5, 0), "
			   "nullif(?6, 0), ?7, ?8, nullif(?9, 0))",
		S(L_SPEND) = "INSERT INTO points_ledger " LEDGER_VALUES " SELECT ?1, ?2, ?3, ?4, nullif(?5, 0), "
			     "nullif(?6, 0), ?7, ?8, nullif(?9, 0) WHERE (SELECT coalesce(sum(delta), 0) FROM points_ledger "
			     "WHERE customer_id = ?2) + ?3 >= 0",
		S(L_BALANCE) = "SELECT coalesce(sum(delta), 0) FROM points_ledger WHERE customer_id = ?1",
		S(L_COUNT) = "SELECT count(*) FROM points_ledger WHERE customer_id = ?1",
		S(L_OF_ORDER) = "SELECT delta FROM points_ledger WHERE order_id = ?1 AND reason = ?2",
		S(L_EACH) = "SELECT " LEDGER_COLS " FROM points_ledger WHERE customer_id = ?1 ORDER BY id DESC "
			    "LIMIT ?2 OFFSET ?3",
		S(L_DUE) = "SELECT " LEDGER_COLS " FROM points_ledger l WHERE reason = 'order_delivered' AND "
			   "expires_at <= ?2 AND (?1 = 0 OR customer_id = ?1 OR order_id IN (SELECT id FROM orders WHERE "
			   "customer_id = ?1)) AND NOT EXISTS (SELECT 1 FROM "
			   "points_ledger x WHERE x.order_id = l.order_id AND x.reason IN ('order_returned', 'expire')) "
			   "ORDER BY id",
		S(L_ORDER_REF) = "SELECT site_id, number, coalesce(customer_id, 0) FROM orders WHERE id = ?1",
		S(L_LEVELS_GET) = "SELECT id, site_id, name, min_spend_cents, min_points, period_days, benefits, position "
				  "FROM member_levels WHERE site_id = ?1 ORDER BY position",
		S(L_LEVELS_DEL) = "DELETE FROM member_levels WHERE site_id = ?1",
		S(L_LEVEL_INSERT) = "INSERT INTO member_levels (site_id, name, min_spend_cents, min_points, period_days, "
				    "benefits, position) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
		S(L_SPENT) = "SELECT coalesce(sum(total_cents), 0) FROM orders WHERE customer_id = ?1 AND "
			     "status = 'delivered' AND updated_at >= ?2",
		S(L_EARNED) = "SELECT coalesce(sum(delta), 0) FROM points_ledger WHERE customer_id = ?1 AND reason IN "
			      "('order_delivered', 'order_returned') AND created_at >= ?2",
		S(L_CURRENT) = "SELECT customer_id, coalesce(level_id, 0), coalesce(from_level_id, 0), level_name, "
			       "from_name, at FROM customer_levels_history WHERE customer_id = ?1 ORDER BY id DESC LIMIT ?2",
		S(L_CHANGE_ADD) = "INSERT INTO customer_levels_history (customer_id, level_id, level_name, from_level_id, "
				  "from_name, at) VALUES (?1, nullif(?2, 0), ?3, nullif(?4, 0), ?5, ?6)",
		S(L_HISTORY) = "SELECT customer_id, coalesce(level_id, 0), coalesce(from_level_id, 0), level_name, "
			       "from_name, at FROM customer_levels_history WHERE customer_id = ?1 ORDER BY id DESC LIMIT ?2",
		S(L_CUSTOMERS) = "SELECT id FROM customers c WHERE (?1 = 0 OR site_id = ?1) AND id > ?2 AND (EXISTS (SELECT 1 FROM "
				 "orders o WHERE o.customer_id = c.id) OR EXISTS (SELECT 1 FROM points_ledger l WHERE "
				 "l.customer_id = c.id)) ORDER BY id LIMIT ?3",
		S(L_BEGIN) = "BEGIN IMMEDIATE",
		S(L_COMMIT) = "COMMIT",
		S(L_ROLLBACK) = "ROLLBACK",
#undef S
	};
	return store__stmt(st, slot, sql[slot - STORE_SLOT_LOYALTY]);
}

/* ---- rules ---- */

int store_points_rules_get(struct store *st, int64_t site_id, struct store_points_rules *out)
{
	sqlite3_stmt *s = q(st, L_RULES_GET);
	if (!s)
		return KF_EIO;
	memset(out, 0, sizeof(*out));
	out->site_id = site_id;
	out->points_per_unit = 1;
	out->unit_cents = 100;
	snprintf(out->multipliers, sizeof(out->multipliers), "{}");
	sqlite3_bind_int64(s, 1, site_id);
	int rc = store__step(st, s);
	if (rc == SQLITE_ROW) {
		out->points_per_unit = sqlite3_column_int64(s, 0);
		out->unit_cents = sqlite3_column_int64(s, 1);
		store__text(s, 2, out->multipliers, sizeof(out->multipliers));
		out->expiry_days = sqlite3_column_int64(s, 3);
		out->agents_spend = sqlite3_column_int(s, 4);
		out->agents_award = sqlite3_column_int(s, 5);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store__err(st, "points rules");
}

int store_points_rules_put(struct store *st, const struct store_points_rules *r)
{
	sqlite3_stmt *s = q(st, L_RULES_PUT);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, r->site_id);
	sqlite3_bind_int64(s, 2, r->points_per_unit);
	sqlite3_bind_int64(s, 3, r->unit_cents);
	store__bind_text(s, 4, r->multipliers);
	sqlite3_bind_int64(s, 5, r->expiry_days);
	sqlite3_bind_int(s, 6, r->agents_spend);
	sqlite3_bind_int(s, 7, r->agents_award);
	return store__run(st, s);
}

/* ---- ledger ---- */

static void bind_entry(sqlite3_stmt *s, const struct store_points_entry *e)
{
	sqlite3_bind_int64(s, 1, e->site_id);
	sqlite3_bind_int64(s, 2, e->customer_id);
	sqlite3_bind_int64(s, 3, e->delta);
	store__bind_text(s, 4, e->reason);
	sqlite3_bind_int64(s, 5, e->order_id);
	sqlite3_bind_int64(s, 6, e->user_id);
	store__bind_text(s, 7, e->note);
	sqlite3_bind_int64(s, 8, e->created_at);
	sqlite3_bind_int64(s, 9, e->expires_at);
}

int store_points_add(struct store *st, struct store_points_entry *e)
{
	sqlite3_stmt *s = q(st, L_ADD);
	if (!s)
		return KF_EIO;
	bind_entry(s, e);
	return store__insert(st, s, &e->id);
}

int store_points_spend(struct store *st, struct store_points_entry *e)
{
	sqlite3_stmt *s = q(st, L_SPEND);
	if (!s)
		return KF_EIO;
	bind_entry(s, e);
	int rc = store__run(st, s);
	if (rc != 0)
		return rc;
	if (sqlite3_changes(st->db) == 0)
		return KF_EDENIED;
	e->id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

static int one_int(struct store *st, int slot, int64_t a, int64_t b, int64_t *out)
{
	sqlite3_stmt *s = q(st, slot);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, a);
	sqlite3_bind_int64(s, 2, b);
	return store__one_int(st, s, out);
}

int store_points_balance(struct store *st, int64_t customer_id, int64_t *balance)
{
	return one_int(st, L_BALANCE, customer_id, 0, balance);
}

int store_points_count(struct store *st, int64_t customer_id, int64_t *n)
{
	return one_int(st, L_COUNT, customer_id, 0, n);
}

int store_points_of_order(struct store *st, int64_t order_id, const char *reason, int64_t *delta)
{
	sqlite3_stmt *s = q(st, L_OF_ORDER);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, order_id);
	store__bind_text(s, 2, reason);
	return store__one_int(st, s, delta);
}

static void entry_row(sqlite3_stmt *s, struct store_points_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->id = sqlite3_column_int64(s, 0);
	e->site_id = sqlite3_column_int64(s, 1);
	e->customer_id = sqlite3_column_int64(s, 2);
	e->delta = sqlite3_column_int64(s, 3);
	store__text(s, 4, e->reason, sizeof(e->reason));
	e->order_id = sqlite3_column_int64(s, 5);
	e->user_id = sqlite3_column_int64(s, 6);
	store__text(s, 7, e->note, sizeof(e->note));
	e->created_at = sqlite3_column_int64(s, 8);
	e->expires_at = sqlite3_column_int64(s, 9);
}

int store_points_each(struct store *st, int64_t customer_id, int limit, int64_t offset,
		      int (*cb)(void *ud, const struct store_points_entry *e), void *ud)
{
	sqlite3_stmt *s = q(st, L_EACH);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, customer_id);
	sqlite3_bind_int(s, 2, limit);
	sqlite3_bind_int64(s, 3, offset);
	struct store_points_entry e;
	int rc, stop = 0;
	while (!stop && (rc = store__step(st, s)) == SQLITE_ROW) {
		entry_row(s, &e);
		stop = cb(ud, &e);
	}
	rc = stop || rc == SQLITE_DONE ? 0 : store__err(st, "points ledger");
	sqlite3_reset(s);
	return rc;
}

int store_points_due(struct store *st, int64_t customer_id, int64_t now, struct store_points_entry *out,
		     size_t max, size_t *n)
{
	sqlite3_stmt *s = q(st, L_DUE);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, customer_id);
	sqlite3_bind_int64(s, 2, now);
	int rc;
	*n = 0;
	while (*n < max && (rc = store__step(st, s)) == SQLITE_ROW)
		entry_row(s, &out[(*n)++]);
	rc = *n == max || rc == SQLITE_DONE ? 0 : store__err(st, "points due");
	sqlite3_reset(s);
	return rc;
}

int store_order_ref(struct store *st, int64_t order_id, int64_t *site_id, char number[65], int64_t *customer_id)
{
	sqlite3_stmt *s = q(st, L_ORDER_REF);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, order_id);
	int rc = store__step(st, s);
	if (rc == SQLITE_ROW) {
		*site_id = sqlite3_column_int64(s, 0);
		store__text(s, 1, number, 65);
		*customer_id = sqlite3_column_int64(s, 2);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? KF_ENOTFOUND : store__err(st, "order ref");
}

/* ---- levels ---- */

int store_levels_get(struct store *st, int64_t site_id, struct store_level *out, size_t max, size_t *n)
{
	sqlite3_stmt *s = q(st, L_LEVELS_GET);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	int rc;
	*n = 0;
	while (*n < max && (rc = store__step(st, s)) == SQLITE_ROW) {
		struct store_level *l = &out[(*n)++];
		memset(l, 0, sizeof(*l));
		l->id = sqlite3_column_int64(s, 0);
		l->site_id = sqlite3_column_int64(s, 1);
		store__text(s, 2, l->name, sizeof(l->name));
		l->min_spend_cents = sqlite3_column_int64(s, 3);
		l->min_points = sqlite3_column_int64(s, 4);
		l->period_days = sqlite3_column_int64(s, 5);
		store__text(s, 6, l->benefits, sizeof(l->benefits));
		l->position = sqlite3_column_int64(s, 7);
	}
	rc = *n == max || rc == SQLITE_DONE ? 0 : store__err(st, "levels");
	sqlite3_reset(s);
	return rc;
}

static int levels_write(struct store *st, int64_t site_id, const struct store_level *lv, size_t n)
{
	sqlite3_stmt *s = q(st, L_LEVELS_DEL);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	int rc = store__run(st, s);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (!(s = q(st, L_LEVEL_INSERT)))
			return KF_EIO;
		sqlite3_bind_int64(s, 1, site_id);
		store__bind_text(s, 2, lv[i].name);
		sqlite3_bind_int64(s, 3, lv[i].min_spend_cents);
		sqlite3_bind_int64(s, 4, lv[i].min_points);
		sqlite3_bind_int64(s, 5, lv[i].period_days);
		store__bind_text(s, 6, lv[i].benefits);
		sqlite3_bind_int64(s, 7, (int64_t)i);
		rc = store__run(st, s);
	}
	return rc;
}

int store_levels_put(struct store *st, int64_t site_id, const struct store_level *lv, size_t n)
{
	sqlite3_stmt *s = q(st, L_BEGIN);
	int rc = s ? store__run(st, s) : KF_EIO;
	if (rc != 0)
		return rc;
	rc = levels_write(st, site_id, lv, n);
	s = q(st, rc == 0 ? L_COMMIT : L_ROLLBACK);
	int e = s ? store__run(st, s) : KF_EIO;
	return rc ? rc : e;
}

int store_customer_spend(struct store *st, int64_t customer_id, int64_t since, int64_t *cents)
{
	return one_int(st, L_SPENT, customer_id, since, cents);
}

int store_customer_earned(struct store *st, int64_t customer_id, int64_t since, int64_t *points)
{
	return one_int(st, L_EARNED, customer_id, since, points);
}

static int history_rows(struct store *st, int slot, int64_t customer_id, int limit,
			int (*cb)(void *ud, const struct store_level_change *c), void *ud)
{
	sqlite3_stmt *s = q(st, slot);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, customer_id);
	sqlite3_bind_int(s, 2, limit);
	struct store_level_change c;
	int rc, stop = 0, rows = 0;
	while (!stop && (rc = store__step(st, s)) == SQLITE_ROW) {
		memset(&c, 0, sizeof(c));
		c.customer_id = sqlite3_column_int64(s, 0);
		c.level_id = sqlite3_column_int64(s, 1);
		c.from_level_id = sqlite3_column_int64(s, 2);
		store__text(s, 3, c.level_name, sizeof(c.level_name));
		store__text(s, 4, c.from_name, sizeof(c.from_name));
		c.at = sqlite3_column_int64(s, 5);
		rows++;
		stop = cb(ud, &c);
	}
	rc = stop || rc == SQLITE_DONE ? 0 : store__err(st, "level history");
	sqlite3_reset(s);
	return rc == 0 && !rows ? KF_ENOTFOUND : rc;
}

static int copy_one(void *ud, const struct store_level_change *c)
{
	*(struct store_level_change *)ud = *c;
	return 1;
}

int store_level_current(struct store *st, int64_t customer_id, struct store_level_change *out)
{
	return history_rows(st, L_CURRENT, customer_id, 1, copy_one, out);
}

int store_level_change_add(struct store *st, const struct store_level_change *c)
{
	sqlite3_stmt *s = q(st, L_CHANGE_ADD);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, c->customer_id);
	sqlite3_bind_int64(s, 2, c->level_id);
	store__bind_text(s, 3, c->level_name);
	sqlite3_bind_int64(s, 4, c->from_level_id);
	store__bind_text(s, 5, c->from_name);
	sqlite3_bind_int64(s, 6, c->at);
	return store__run(st, s);
}

int store_level_history(struct store *st, int64_t customer_id, int limit,
			int (*cb)(void *ud, const struct store_level_change *c), void *ud)
{
	int rc = history_rows(st, L_HISTORY, customer_id, limit, cb, ud);
	return rc == KF_ENOTFOUND ? 0 : rc;
}

int store_loyalty_customers(struct store *st, int64_t site_id, int64_t after_id, int64_t *ids, size_t max, size_t *n)
{
	sqlite3_stmt *s = q(st, L_CUSTOMERS);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	sqlite3_bind_int64(s, 2, after_id);
	sqlite3_bind_int64(s, 3, (int64_t)max);
	return store__ids(st, s, ids, max, n);
}
