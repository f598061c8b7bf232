/* store/store_crm.c - the SQLite backend of store_crm.h: customers, their visitors, orders and
 * order items. An order upsert reads the stored raw_hash first inside the same IMMEDIATE
 * transaction, so a retried push is answered "unchanged" without a write, and a changed one
 * replaces the order's items together with the order: a reader never sees half an order. */
#include "store/store_crm.h"
#include "store/store_int.h"
#include "core/alloc.h"
#include "core/kf.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	C_CUST_INSERT = STORE_SLOT_CRM, C_CUST_UPDATE, C_CUST_GET, C_CUST_EXT, C_CUST_EMAIL, C_CUST_SEARCH,
	C_LINK, C_UNLINK, C_OF_VISITOR,
	C_ORD_HASH, C_ORD_INSERT, C_ORD_UPDATE, C_ITEMS_DEL, C_ITEM_INSERT, C_ORD_GET, C_ITEMS_GET, C_ORD_EACH,
	C_BEGIN, C_COMMIT, C_ROLLBACK,
	C_END
};
_Static_assert(C_END <= STORE_SLOTS, "store_crm.c's statements run past STORE_SLOTS");
_Static_assert(STORE_SLOT_BOT < STORE_SLOT_CRM, "the CRM's slots come after the bot's");

#define CUST_COLS "id, site_id, coalesce(external_id, ''), name, emails, phones, addresses, birthday, lang, tags, " \
		  "notes, consent, consent_at, consent_source, custom, created_at, updated_at"
#define ORD_COLS "id, site_id, coalesce(customer_id, 0), number, email, phone, status, currency, total_cents, " \
		 "carrier, tracking, placed_at, updated_at, raw_hash"

static sqlite3_stmt *q(struct store *st, int slot)
{
	static const char *const sql[C_END - STORE_SLOT_CRM] = {
#define S(x) [x - STORE_SLOT_CRM]
		S(C_CUST_INSERT) = "INSERT INTO customers (site_id, external_id, name, emails, phones, addresses, birthday, "
				   "lang, tags, notes, consent, consent_at, consent_source, custom, created_at, updated_at) "
				   "VALUES (?1, nullif(?2, ''), ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15)",
		S(C_CUST_UPDATE) = "UPDATE customers SET external_id = nullif(?2, ''), name = ?3, emails = ?4, phones = ?5, "
				   "addresses = ?6, birthday = ?7, lang = ?8, tags = ?9, notes = ?10, consent = ?11, "
				   "consent_at = ?12, consent_source = ?13, custom = ?14, updated_at = ?15 WHERE id = ?1",
		S(C_CUST_GET) = "SELECT " CUST_COLS " FROM customers WHERE id = ?1",
		/* a merged customer's external id finds the customer it was merged into (025) */
		S(C_CUST_EXT) = "WITH RECURSIVE m(id, nx) AS (SELECT id, merged_into FROM customers WHERE site_id = ?1 AND "
				"external_id = ?2 UNION ALL SELECT c.id, c.merged_into FROM customers c JOIN m ON c.id = m.nx) "
				"SELECT " CUST_COLS " FROM customers WHERE id = (SELECT id FROM m WHERE nx IS NULL)",
		S(C_CUST_EMAIL) = "SELECT " CUST_COLS " FROM customers c WHERE site_id = ?1 AND merged_into IS NULL AND EXISTS (SELECT 1 FROM "
				  "json_each(c.emails) e WHERE lower(e.value) = lower(?2)) ORDER BY id LIMIT 1",
		S(C_CUST_SEARCH) = "SELECT " CUST_COLS " FROM customers WHERE site_id = ?1 AND merged_into IS NULL AND (?2 = '' OR "
				   "instr(lower(name), lower(?2)) OR instr(lower(emails), lower(?2)) OR instr(phones, ?2) OR "
				   "instr(coalesce(external_id, ''), ?2)) ORDER BY updated_at DESC, id DESC LIMIT ?3",
		S(C_LINK) = "INSERT INTO customer_visitors (visitor_id, customer_id, active, linked_at) VALUES (?2, ?1, 1, ?3) "
			    "ON CONFLICT (visitor_id) DO UPDATE SET customer_id = ?1, active = 1, linked_at = ?3, source = 'signed', "
			    "confirmed_by = NULL, confirmed_at = NULL",
		S(C_UNLINK) = "UPDATE customer_visitors SET active = 0 WHERE visitor_id = ?1 AND source = 'signed'",
		S(C_OF_VISITOR) = "SELECT customer_id FROM customer_visitors WHERE visitor_id = ?1 AND active = 1",
		S(C_ORD_HASH) = "SELECT id, raw_hash FROM orders WHERE site_id = ?1 AND number = ?2",
		S(C_ORD_INSERT) = "INSERT INTO orders (site_id, number, customer_id, email, phone, status, currency, "
				  "total_cents, carrier, tracking, placed_at, updated_at, raw_hash) VALUES (?1, ?2, nullif(?3, 0), "
				  "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
		S(C_ORD_UPDATE) = "UPDATE orders SET customer_id = nullif(?3, 0), email = ?4, phone = ?5, status = ?6, "
				  "currency = ?7, total_cents = ?8, carrier = ?9, tracking = ?10, placed_at = ?11, "
				  "updated_at = ?12, raw_hash = ?13 WHERE site_id = ?1 AND number = ?2",
		S(C_ITEMS_DEL) = "DELETE FROM order_items WHERE order_id = ?1",
		S(C_ITEM_INSERT) = "INSERT INTO order_items (order_id, sku, name, category, quantity, price_cents) "
				   "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
		S(C_ORD_GET) = "SELECT " ORD_COLS " FROM orders WHERE site_id = ?1 AND number = ?2",
		S(C_ITEMS_GET) = "SELECT sku, name, category, quantity, price_cents FROM order_items WHERE order_id = ?1 "
				 "ORDER BY id",
		S(C_ORD_EACH) = "SELECT " ORD_COLS " FROM orders WHERE site_id = ?1 AND (?2 = 0 OR customer_id = ?2) "
				"ORDER BY placed_at DESC, id DESC LIMIT ?3",
		S(C_BEGIN) = "BEGIN IMMEDIATE",
		S(C_COMMIT) = "COMMIT",
		S(C_ROLLBACK) = "ROLLBACK",
#undef S
	};
	return store__stmt(st, slot, sql[slot - STORE_SLOT_CRM]);
}

static int end(struct store *st, int rc)
{
	sqlite3_stmt *s = q(st, rc == 0 ? C_COMMIT : C_ROLLBACK);
	int e = s ? store__run(st, s) : KF_EIO;
	return rc ? rc : e;
}

/* ---- customers ---- */

static void cust_row(sqlite3_stmt *s, struct store_customer *c)
{
	memset(c, 0, sizeof(*c));
	c->id = sqlite3_column_int64(s, 0);
	c->site_id = sqlite3_column_int64(s, 1);
	store__text(s, 2, c->external_id, sizeof(c->external_id));
	store__text(s, 3, c->name, sizeof(c->name));
	store__text(s, 4, c->emails, sizeof(c->emails));
	store__text(s, 5, c->phones, sizeof(c->phones));
	store__text(s, 6, c->addresses, sizeof(c->addresses));
	store__text(s, 7, c->birthday, sizeof(c->birthday));
	store__text(s, 8, c->lang, sizeof(c->lang));
	store__text(s, 9, c->tags, sizeof(c->tags));
	store__text(s, 10, c->notes, sizeof(c->notes));
	c->consent = sqlite3_column_int(s, 11);
	c->consent_at = sqlite3_column_int64(s, 12);
	store__text(s, 13, c->consent_source, sizeof(c->consent_source));
	store__text(s, 14, c->custom, sizeof(c->custom));
	c->created_at = sqlite3_column_int64(s, 15);
	c->updated_at = sqlite3_column_int64(s, 16);
}

/* Binds ?2..?15 (the profile and the time) shared by insert and update. */
static void cust_bind(sqlite3_stmt *s, const struct store_customer *c, int64_t t)
{
	store__bind_text(s, 2, c->external_id);
	store__bind_text(s, 3, c->name);
	store__bind_text(s, 4, c->emails[0] ? c->emails : "[]");
	store__bind_text(s, 5, c->phones[0] ? c->phones : "[]");
	store__bind_text(s, 6, c->addresses[0] ? c->addresses : "[]");
	store__bind_text(s, 7, c->birthday);
	store__bind_text(s, 8, c->lang);
	store__bind_text(s, 9, c->tags);
	store__bind_text(s, 10, c->notes);
	sqlite3_bind_int(s, 11, c->consent ? 1 : 0);
	sqlite3_bind_int64(s, 12, c->consent_at);
	store__bind_text(s, 13, c->consent_source);
	store__bind_text(s, 14, c->custom[0] ? c->custom : "{}");
	sqlite3_bind_int64(s, 15, t);
}

int store_customer_create(struct store *st, struct store_customer *c)
{
	sqlite3_stmt *s = q(st, C_CUST_INSERT);
	if (!s)
		return KF_EIO;
	if (!c->created_at)
		c->created_at = c->updated_at;
	sqlite3_bind_int64(s, 1, c->site_id);
	cust_bind(s, c, c->created_at);
	int rc = store__run(st, s);
	if (rc == 0) {
		c->id = sqlite3_last_insert_rowid(st->db);
		c->updated_at = c->created_at;
	}
	return rc;
}

int store_customer_update(struct store *st, const struct store_customer *c)
{
	sqlite3_stmt *s = q(st, C_CUST_UPDATE);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, c->id);
	cust_bind(s, c, c->updated_at);
	return store__run_one(st, s);
}

/* Steps s for one customer row. */
static int cust_one(struct store *st, sqlite3_stmt *s, struct store_customer *out)
{
	int rc = store__step(st, s);
	if (rc == SQLITE_ROW)
		cust_row(s, out);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? KF_ENOTFOUND : store__err(st, "customer");
}

int store_customer_get(struct store *st, int64_t id, struct store_customer *out)
{
	sqlite3_stmt *s = q(st, C_CUST_GET);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	return cust_one(st, s, out);
}

int store_customer_by_external(struct store *st, int64_t site_id, const char *external_id,
			       struct store_customer *out)
{
	sqlite3_stmt *s = q(st, C_CUST_EXT);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	store__bind_text(s, 2, external_id);
	return cust_one(st, s, out);
}

int store_customer_by_email(struct store *st, int64_t site_id, const char *email, struct store_customer *out)
{
	sqlite3_stmt *s = q(st, C_CUST_EMAIL);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	store__bind_text(s, 2, email);
	return cust_one(st, s, out);
}

int store_customer_search(struct store *st, int64_t site_id, const char *qs, int limit,
			  int (*cb)(void *ud, const struct store_customer *c), void *ud)
{
	sqlite3_stmt *s = q(st, C_CUST_SEARCH);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	store__bind_text(s, 2, qs);
	sqlite3_bind_int(s, 3, limit);
	struct store_customer *c = xmalloc(sizeof(*c));
	int rc = SQLITE_DONE, stop = 0;
	while (!stop && (rc = store__step(st, s)) == SQLITE_ROW) {
		cust_row(s, c);
		stop = cb(ud, c);
	}
	free(c);
	if (!stop && rc != SQLITE_DONE) {
		sqlite3_reset(s);
		return store__err(st, "customer search");
	}
	sqlite3_reset(s);
	return 0;
}

int store_customer_link(struct store *st, int64_t customer_id, int64_t visitor_id, int64_t now)
{
	sqlite3_stmt *s = q(st, C_LINK);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, customer_id);
	sqlite3_bind_int64(s, 2, visitor_id);
	sqlite3_bind_int64(s, 3, now);
	return store__run(st, s);
}

int store_customer_unlink_active(struct store *st, int64_t visitor_id)
{
	sqlite3_stmt *s = q(st, C_UNLINK);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, visitor_id);
	return store__run(st, s);
}

int store_customer_of_visitor(struct store *st, int64_t visitor_id, int64_t *customer_id)
{
	sqlite3_stmt *s = q(st, C_OF_VISITOR);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, visitor_id);
	return store__one_int(st, s, customer_id);
}

/* ---- orders ---- */

void store_order_free(struct store_order *o)
{
	free(o->items);
	o->items = NULL;
	o->nitems = 0;
}

static void ord_bind(sqlite3_stmt *s, const struct store_order *o)
{
	sqlite3_bind_int64(s, 1, o->site_id);
	store__bind_text(s, 2, o->number);
	sqlite3_bind_int64(s, 3, o->customer_id);
	store__bind_text(s, 4, o->email);
	store__bind_text(s, 5, o->phone);
	store__bind_text(s, 6, o->status);
	store__bind_text(s, 7, o->currency);
	sqlite3_bind_int64(s, 8, o->total_cents);
	store__bind_text(s, 9, o->carrier);
	store__bind_text(s, 10, o->tracking);
	sqlite3_bind_int64(s, 11, o->placed_at);
	sqlite3_bind_int64(s, 12, o->updated_at);
	store__bind_text(s, 13, o->raw_hash);
}

/* The stored id and hash of (site, number): 0, KF_ENOTFOUND. */
static int ord_hash(struct store *st, const struct store_order *o, int64_t *id, char hash[65])
{
	sqlite3_stmt *s = q(st, C_ORD_HASH);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, o->site_id);
	store__bind_text(s, 2, o->number);
	int rc = store__step(st, s);
	if (rc == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		store__text(s, 1, hash, 65);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? KF_ENOTFOUND : store__err(st, "order hash");
}

static int items_put(struct store *st, const struct store_order *o)
{
	sqlite3_stmt *s = q(st, C_ITEMS_DEL);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, o->id);
	int rc = store__run(st, s);
	for (size_t i = 0; rc == 0 && i < o->nitems; i++) {
		const struct store_order_item *it = &o->items[i];
		if (!(s = q(st, C_ITEM_INSERT)))
			return KF_EIO;
		sqlite3_bind_int64(s, 1, o->id);
		store__bind_text(s, 2, it->sku);
		store__bind_text(s, 3, it->name);
		store__bind_text(s, 4, it->category);
		sqlite3_bind_int64(s, 5, it->quantity);
		sqlite3_bind_int64(s, 6, it->price_cents);
		rc = store__run(st, s);
	}
	return rc;
}

/* Inside the transaction: writes the order (insert or update) and its items. */
static int order_write(struct store *st, struct store_order *o, enum store_upsert *what)
{
	char hash[65] = "";
	int64_t id = 0;
	int rc = ord_hash(st, o, &id, hash);
	if (rc != 0 && rc != KF_ENOTFOUND)
		return rc;
	if (rc == 0 && strcmp(hash, o->raw_hash) == 0) {
		o->id = id;
		*what = STORE_UNCHANGED;
		return 0;
	}
	sqlite3_stmt *s = q(st, rc == 0 ? C_ORD_UPDATE : C_ORD_INSERT);
	if (!s)
		return KF_EIO;
	*what = rc == 0 ? STORE_UPDATED : STORE_CREATED;
	ord_bind(s, o);
	if ((rc = store__run(st, s)) != 0)
		return rc;
	o->id = *what == STORE_CREATED ? sqlite3_last_insert_rowid(st->db) : id;
	return items_put(st, o);
}

int store_order_upsert(struct store *st, struct store_order *o, enum store_upsert *what)
{
	sqlite3_stmt *s = q(st, C_BEGIN);
	int rc = s ? store__run(st, s) : KF_EIO;
	if (rc != 0)
		return rc;
	return end(st, order_write(st, o, what));
}

static void ord_row(sqlite3_stmt *s, struct store_order *o)
{
	memset(o, 0, sizeof(*o));
	o->id = sqlite3_column_int64(s, 0);
	o->site_id = sqlite3_column_int64(s, 1);
	o->customer_id = sqlite3_column_int64(s, 2);
	store__text(s, 3, o->number, sizeof(o->number));
	store__text(s, 4, o->email, sizeof(o->email));
	store__text(s, 5, o->phone, sizeof(o->phone));
	store__text(s, 6, o->status, sizeof(o->status));
	store__text(s, 7, o->currency, sizeof(o->currency));
	o->total_cents = sqlite3_column_int64(s, 8);
	store__text(s, 9, o->carrier, sizeof(o->carrier));
	store__text(s, 10, o->tracking, sizeof(o->tracking));
	o->placed_at = sqlite3_column_int64(s, 11);
	o->updated_at = sqlite3_column_int64(s, 12);
	store__text(s, 13, o->raw_hash, sizeof(o->raw_hash));
}

/* Loads o's items (at most 1000, more than an order may hold) onto the heap. */
static int items_get(struct store *st, struct store_order *o)
{
	sqlite3_stmt *s = q(st, C_ITEMS_GET);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, o->id);
	size_t cap = 0;
	int rc;
	while ((rc = store__step(st, s)) == SQLITE_ROW && o->nitems < 1000) {
		if (o->nitems == cap) {
			cap = cap ? cap * 2 : 8;
			o->items = xrealloc(o->items, cap * sizeof(*o->items));
		}
		struct store_order_item *it = &o->items[o->nitems++];
		store__text(s, 0, it->sku, sizeof(it->sku));
		store__text(s, 1, it->name, sizeof(it->name));
		store__text(s, 2, it->category, sizeof(it->category));
		it->quantity = sqlite3_column_int64(s, 3);
		it->price_cents = sqlite3_column_int64(s, 4);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store__err(st, "order items");
}

int store_order_get(struct store *st, int64_t site_id, const char *number, struct store_order *out)
{
	sqlite3_stmt *s = q(st, C_ORD_GET);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	store__bind_text(s, 2, number);
	struct store_order o;
	int rc = store__step(st, s);
	if (rc == SQLITE_ROW)
		ord_row(s, &o);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? KF_ENOTFOUND : store__err(st, "order");
	if ((rc = items_get(st, &o)) != 0) {
		store_order_free(&o);
		return rc;
	}
	*out = o;
	return 0;
}

int store_order_each(struct store *st, int64_t site_id, int64_t customer_id, int limit,
		     int (*cb)(void *ud, const struct store_order *o), void *ud)
{
	sqlite3_stmt *s = q(st, C_ORD_EACH);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	sqlite3_bind_int64(s, 2, customer_id);
	sqlite3_bind_int(s, 3, limit);
	struct store_order o;
	int rc = SQLITE_DONE, stop = 0;
	while (!stop && (rc = store__step(st, s)) == SQLITE_ROW) {
		ord_row(s, &o);
		stop = cb(ud, &o);
	}
	if (!stop && rc != SQLITE_DONE) {
		sqlite3_reset(s);
		return store__err(st, "orders");
	}
	sqlite3_reset(s);
	return 0;
}
