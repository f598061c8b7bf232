/* store/store_merge.c - the SQLite backend of store_merge.h. A merge moves rows by their
 * customer_id and hands the moved ids back to the caller, which keeps them in the merge's undo
 * JSON; an undo gives exactly those ids back (json_each of that list), so rows the survivor got
 * after the merge stay where they are. The caller wraps a whole merge or undo in one
 * transaction (store_merge_begin). */
#include "store/store_merge.h"
#include "store/store_int.h"
#include "core/alloc.h"
#include "core/kf.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	M_LINK = STORE_SLOT_MERGE, M_LINK_GET, M_LINK_DEL, M_CANDIDATES,
	M_BEGIN, M_COMMIT, M_ROLLBACK, M_EXISTS, M_MARK, M_INTO_OF, M_RFM_DROP, M_ADD, M_GET, M_EACH, M_LATER, M_UNDONE,
	M_COUNT,
	M_IDS, /* SM_TABLES statements each: ids of a customer's rows */
	M_MOVE = M_IDS + SM_TABLES,
	M_BACK = M_MOVE + SM_TABLES,
	M_END = M_BACK + SM_TABLES
};
_Static_assert(M_END <= STORE_SLOT_CRMLIST, "store_merge.c's statements run into the CRM page's slots");

const char *const store_merge_table_names[SM_TABLES] = { "visitors", "orders", "levels", "tiers", "redemptions" };
static const char *const table_sql[SM_TABLES] = {
	"customer_visitors", "orders", "customer_levels_history", "customer_tier_history", "offer_redemptions"
};
static const char *const idcol_sql[SM_TABLES] = { "visitor_id", "id", "id", "id", "id" };

#define MERGE_COLS "m.id, m.site_id, m.into_id, m.from_id, coalesce(m.user_id, 0), m.created_at, " \
		   "coalesce(m.undone_at, 0), coalesce(m.undone_by, 0), coalesce(a.name, ''), coalesce(b.name, '')"
#define MERGE_FROM "FROM customer_merges m LEFT JOIN customers a ON a.id = m.into_id " \
		   "LEFT JOIN customers b ON b.id = m.from_id"
/* Digits of a stored phone: what crm_phone_digits keeps ("+ - ( ) space" are the only others). */
#define DIGITS(x) "replace(replace(replace(replace(replace(" x ", ' ', ''), '-', ''), '+', ''), '(', ''), ')', '')"

static const char *fixed_sql(int slot)
{
	switch (slot) {
	case M_LINK:
		return "INSERT INTO customer_visitors (visitor_id, customer_id, active, linked_at, source, confirmed_by, "
		       "confirmed_at) VALUES (?2, ?1, 1, ?5, ?3, nullif(?4, 0), ?5) ON CONFLICT (visitor_id) DO UPDATE SET "
		       "customer_id = ?1, active = 1, linked_at = ?5, source = ?3, confirmed_by = nullif(?4, 0), "
		       "confirmed_at = ?5";
	case M_LINK_GET:
		return "SELECT customer_id, linked_at, coalesce(confirmed_by, 0), coalesce(confirmed_at, 0), active, source "
		       "FROM customer_visitors WHERE visitor_id = ?1";
	case M_LINK_DEL: return "DELETE FROM customer_visitors WHERE visitor_id = ?1";
	case M_CANDIDATES:
		return "SELECT c.id, c.name, coalesce(c.external_id, ''), CASE WHEN ?2 <> '' AND EXISTS (SELECT 1 FROM "
		       "json_each(c.emails) e WHERE lower(e.value) = ?2) THEN 'email' ELSE 'phone' END FROM customers c "
		       "WHERE c.site_id = ?1 AND c.merged_into IS NULL AND ((?2 <> '' AND EXISTS (SELECT 1 FROM "
		       "json_each(c.emails) e WHERE lower(e.value) = ?2)) OR (?3 <> '' AND EXISTS (SELECT 1 FROM "
		       "json_each(c.phones) p WHERE " DIGITS("p.value") " = ?3))) ORDER BY c.id LIMIT ?4";
	case M_BEGIN: return "BEGIN IMMEDIATE";
	case M_COMMIT: return "COMMIT";
	case M_ROLLBACK: return "ROLLBACK";
	case M_EXISTS: return "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1";
	case M_MARK: return "UPDATE customers SET merged_into = nullif(?2, 0) WHERE id = ?1";
	case M_INTO_OF: return "SELECT coalesce(merged_into, 0) FROM customers WHERE id = ?1";
	case M_RFM_DROP: return "DELETE FROM customer_rfm WHERE customer_id = ?1";
	case M_ADD:
		return "INSERT INTO customer_merges (site_id, into_id, from_id, user_id, created_at, undo) "
		       "VALUES (?1, ?2, ?3, nullif(?4, 0), ?5, ?6)";
	case M_GET: return "SELECT " MERGE_COLS ", m.undo " MERGE_FROM " WHERE m.id = ?1";
	case M_EACH:
		return "SELECT " MERGE_COLS " " MERGE_FROM " WHERE m.into_id = ?1 OR m.from_id = ?1 ORDER BY m.id DESC LIMIT ?2";
	case M_LATER:
		return "SELECT count(*) FROM customer_merges WHERE id > ?1 AND undone_at IS NULL AND "
		       "(into_id IN (?2, ?3) OR from_id IN (?2, ?3))";
	case M_UNDONE: return "UPDATE customer_merges SET undone_at = ?3, undone_by = nullif(?2, 0) WHERE id = ?1";
	case M_COUNT: return "SELECT count(*) FROM customers WHERE site_id = ?1 AND merged_into IS NULL";
	}
	return NULL;
}

/* The per-table statements are built from the table's name (fixed strings above, never input). */
static sqlite3_stmt *q(struct store *st, int slot)
{
	char sql[300];
	const char *fixed = fixed_sql(slot);
	if (fixed)
		return store__stmt(st, slot, fixed);
	int kind = (slot - M_IDS) / SM_TABLES, t = (slot - M_IDS) % SM_TABLES;
	const char *tb = table_sql[t], *col = idcol_sql[t];
	if (kind == 0)
		snprintf(sql, sizeof(sql), "SELECT %s FROM %s WHERE customer_id = ?1 ORDER BY %s", col, tb, col);
	else if (kind == 1)
		snprintf(sql, sizeof(sql), "UPDATE %s SET customer_id = ?2 WHERE customer_id = ?1", tb);
	else
		snprintf(sql, sizeof(sql), "UPDATE %s SET customer_id = ?2 WHERE %s IN (SELECT value FROM json_each(?1)) "
			 "AND customer_id = ?3", tb, col);   /* only rows still with the survivor */
	return store__stmt(st, slot, sql);
}

/* ---- links ---- */

int store_link_confirm(struct store *st, int64_t customer_id, int64_t visitor_id, const char *source,
		       int64_t user_id, int64_t now)
{
	sqlite3_stmt *s = q(st, M_LINK);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, customer_id);
	sqlite3_bind_int64(s, 2, visitor_id);
	store__bind_text(s, 3, source);
	sqlite3_bind_int64(s, 4, user_id);
	sqlite3_bind_int64(s, 5, now);
	return store__run(st, s);
}

static void link_row(sqlite3_stmt *s, void *out)
{
	struct store_link *l = out;
	l->customer_id = sqlite3_column_int64(s, 0);
	l->linked_at = sqlite3_column_int64(s, 1);
	l->confirmed_by = sqlite3_column_int64(s, 2);
	l->confirmed_at = sqlite3_column_int64(s, 3);
	l->active = sqlite3_column_int(s, 4);
	store__text(s, 5, l->source, sizeof(l->source));
}

int store_link_get(struct store *st, int64_t visitor_id, struct store_link *out)
{
	sqlite3_stmt *s = q(st, M_LINK_GET);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, visitor_id);
	return store__one(st, s, link_row, out);
}

int store_link_delete(struct store *st, int64_t visitor_id)
{
	sqlite3_stmt *s = q(st, M_LINK_DEL);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, visitor_id);
	return store__run_one(st, s);
}

int store_customer_candidates(struct store *st, int64_t site_id, const char *email, const char *digits, int limit,
			      int (*cb)(void *ud, int64_t id, const char *name, const char *external_id,
					const char *matched),
			      void *ud)
{
	sqlite3_stmt *s = q(st, M_CANDIDATES);
	int rc;
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	store__bind_text(s, 2, email ? email : "");
	store__bind_text(s, 3, digits ? digits : "");
	sqlite3_bind_int(s, 4, limit);
	while ((rc = store__step(st, s)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(s, 1), *ext = (const char *)sqlite3_column_text(s, 2);
		const char *m = (const char *)sqlite3_column_text(s, 3);
		if (cb(ud, sqlite3_column_int64(s, 0), name ? name : "", ext ? ext : "", m ? m : "email"))
			break;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : store__err(st, "customer candidates");
}

/* ---- merges ---- */

static int run0(struct store *st, int slot)
{
	sqlite3_stmt *s = q(st, slot);
	return s ? store__run(st, s) : KF_EIO;
}

int store_merge_begin(struct store *st)
{
	return run0(st, M_BEGIN);
}

int store_merge_commit(struct store *st)
{
	return run0(st, M_COMMIT);
}

void store_merge_rollback(struct store *st)
{
	run0(st, M_ROLLBACK);
}

int store_merge_table_exists(struct store *st, enum store_merge_table t)
{
	sqlite3_stmt *s = q(st, M_EXISTS);
	int64_t n = 0;
	if (!s)
		return 0;
	store__bind_text(s, 1, table_sql[t]);
	return store__one_int(st, s, &n) == 0 && n > 0;
}

int store_merge_move(struct store *st, enum store_merge_table t, int64_t from, int64_t to,
		     void (*id_cb)(void *ud, int64_t id), void *ud)
{
	sqlite3_stmt *s = q(st, M_IDS + (int)t);
	int rc;
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, from);
	while ((rc = store__step(st, s)) == SQLITE_ROW)
		id_cb(ud, sqlite3_column_int64(s, 0));
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store__err(st, "merge ids");
	if (!(s = q(st, M_MOVE + (int)t)))
		return KF_EIO;
	sqlite3_bind_int64(s, 1, from);
	sqlite3_bind_int64(s, 2, to);
	return store__run(st, s);
}

int store_merge_move_back(struct store *st, enum store_merge_table t, const char *ids_json, int64_t from,
			  int64_t to)
{
	sqlite3_stmt *s = q(st, M_BACK + (int)t);
	if (!s)
		return KF_EIO;
	store__bind_text(s, 1, ids_json);
	sqlite3_bind_int64(s, 2, to);
	sqlite3_bind_int64(s, 3, from);
	return store__run(st, s);
}

static int id_pair(struct store *st, int slot, int64_t a, int64_t b)
{
	sqlite3_stmt *s = q(st, slot);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, a);
	sqlite3_bind_int64(s, 2, b);
	return store__run(st, s);
}

int store_merge_mark(struct store *st, int64_t id, int64_t into)
{
	return id_pair(st, M_MARK, id, into);
}

int store_merge_into_of(struct store *st, int64_t id, int64_t *into)
{
	sqlite3_stmt *s = q(st, M_INTO_OF);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	return store__one_int(st, s, into);
}

int store_merge_rfm_drop(struct store *st, int64_t customer_id)
{
	sqlite3_stmt *s = q(st, M_RFM_DROP);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, customer_id);
	return store__run(st, s);
}

void store_merge_free(struct store_merge *m)
{
	free(m->undo);
	m->undo = NULL;
}

int store_merge_add(struct store *st, struct store_merge *m)
{
	sqlite3_stmt *s = q(st, M_ADD);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, m->site_id);
	sqlite3_bind_int64(s, 2, m->into_id);
	sqlite3_bind_int64(s, 3, m->from_id);
	sqlite3_bind_int64(s, 4, m->user_id);
	sqlite3_bind_int64(s, 5, m->created_at);
	store__bind_text(s, 6, m->undo ? m->undo : "{}");
	return store__insert(st, s, &m->id);
}

static void merge_row(sqlite3_stmt *s, struct store_merge *m)
{
	memset(m, 0, sizeof(*m));
	m->id = sqlite3_column_int64(s, 0);
	m->site_id = sqlite3_column_int64(s, 1);
	m->into_id = sqlite3_column_int64(s, 2);
	m->from_id = sqlite3_column_int64(s, 3);
	m->user_id = sqlite3_column_int64(s, 4);
	m->created_at = sqlite3_column_int64(s, 5);
	m->undone_at = sqlite3_column_int64(s, 6);
	m->undone_by = sqlite3_column_int64(s, 7);
	store__text(s, 8, m->into_name, sizeof(m->into_name));
	store__text(s, 9, m->from_name, sizeof(m->from_name));
}

static void merge_full_row(sqlite3_stmt *s, void *out)
{
	struct store_merge *m = out;
	merge_row(s, m);
	const char *u = (const char *)sqlite3_column_text(s, 10);
	m->undo = xstrdup(u ? u : "{}");
}

int store_merge_get(struct store *st, int64_t id, struct store_merge *out)
{
	sqlite3_stmt *s = q(st, M_GET);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	return store__one(st, s, merge_full_row, out);
}

int store_merge_each(struct store *st, int64_t customer_id, int limit,
		     int (*cb)(void *ud, const struct store_merge *m), void *ud)
{
	sqlite3_stmt *s = q(st, M_EACH);
	struct store_merge m;
	int rc;
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, customer_id);
	sqlite3_bind_int(s, 2, limit);
	while ((rc = store__step(st, s)) == SQLITE_ROW) {
		merge_row(s, &m);
		if (cb(ud, &m))
			break;
	}
	sqlite3_reset(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : store__err(st, "merges");
}

int store_merge_later(struct store *st, int64_t id, int64_t a, int64_t b, int64_t *n)
{
	sqlite3_stmt *s = q(st, M_LATER);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, a);
	sqlite3_bind_int64(s, 3, b);
	return store__one_int(st, s, n);
}

int store_merge_set_undone(struct store *st, int64_t id, int64_t user_id, int64_t now)
{
	sqlite3_stmt *s = q(st, M_UNDONE);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, user_id);
	sqlite3_bind_int64(s, 3, now);
	return store__run(st, s);
}

int store_merge_site_customers(struct store *st, int64_t site_id, int64_t *n)
{
	sqlite3_stmt *s = q(st, M_COUNT);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	return store__one_int(st, s, n);
}
