/* store/store_offer.c - the SQLite backend of store_offer.h. A redemption is one guarded
 * INSERT ... SELECT (as store_points_spend): the offer's state, dates and both limits are read
 * inside the statement that writes the row, so two agents redeeming the last use at the same
 * moment cannot both succeed (SQLite runs one writer at a time). */
#include "store/store_offer.h"
#include "store/store_int.h"
#include "core/kf.h"
#include <stdio.h>
#include <string.h>

enum {
	F_CREATE = STORE_SLOT_OFFER, F_UPDATE, F_DELETE, F_GET, F_COUNT, F_EACH, F_USED, F_REDEEM, F_OF_CUSTOMER,
	F_END
};
_Static_assert(F_END <= STORE_SLOT_CARD, "store_offer.c's statements run into store_card.c's slots");

#define OFFER_COLS "o.id, o.site_id, o.kind, o.title, o.body, o.code, o.discount, o.targets, o.starts_at, " \
		   "o.ends_at, o.per_customer_limit, o.total_limit, o.active, coalesce(o.created_by, 0), "  \
		   "o.created_at, o.updated_at, (SELECT count(*) FROM offer_redemptions x WHERE x.offer_id = o.id)"

static sqlite3_stmt *q(struct store *st, int slot)
{
	static const char *const sql[F_END - STORE_SLOT_OFFER] = {
#define S(x) [x - STORE_SLOT_OFFER]
		S(F_CREATE) = "INSERT INTO offers (site_id, kind, title, body, code, discount, targets, starts_at, ends_at, "
			      "per_customer_limit, total_limit, active, created_by, created_at, updated_at) VALUES (?1, ?2, "
			      "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, nullif(?13, 0), ?14, ?15)",
		S(F_UPDATE) = "UPDATE offers SET kind = ?2, title = ?3, body = ?4, code = ?5, discount = ?6, targets = ?7, "
			      "starts_at = ?8, ends_at = ?9, per_customer_limit = ?10, total_limit = ?11, active = ?12, "
			      "updated_at = ?15 WHERE id = ?16",
		S(F_DELETE) = "DELETE FROM offers WHERE id = ?1",
		S(F_GET) = "SELECT " OFFER_COLS " FROM offers o WHERE o.id = ?1",
		S(F_COUNT) = "SELECT count(*) FROM offers WHERE site_id = ?1",
		S(F_EACH) = "SELECT " OFFER_COLS " FROM offers o WHERE o.site_id = ?1 AND (?2 = 0 OR o.active = 1) "
			    "ORDER BY o.id DESC",
		S(F_USED) = "SELECT count(CASE WHEN customer_id = ?2 THEN 1 END), count(*) FROM offer_redemptions "
			    "WHERE offer_id = ?1",
		S(F_REDEEM) = "INSERT INTO offer_redemptions (offer_id, customer_id, order_number, user_id, api_key_id, "
			      "note, at) SELECT ?1, ?2, ?3, nullif(?4, 0), nullif(?5, 0), ?6, ?7 FROM offers o "
			      "WHERE o.id = ?1 AND o.active = 1 AND o.starts_at <= ?7 AND (o.ends_at = 0 OR ?7 < o.ends_at) "
			      "AND (o.per_customer_limit = 0 OR (SELECT count(*) FROM offer_redemptions x WHERE "
			      "x.offer_id = ?1 AND x.customer_id = ?2) < o.per_customer_limit) AND (o.total_limit = 0 "
			      "OR (SELECT count(*) FROM offer_redemptions x WHERE x.offer_id = ?1) < o.total_limit)",
		S(F_OF_CUSTOMER) = "SELECT r.id, r.offer_id, r.customer_id, coalesce(r.user_id, 0), coalesce(r.api_key_id, 0), "
				   "r.at, r.order_number, r.note, o.title, o.kind, o.code FROM offer_redemptions r JOIN "
				   "offers o ON o.id = r.offer_id WHERE r.customer_id = ?1 ORDER BY r.id DESC LIMIT ?2",
#undef S
	};
	return store__stmt(st, slot, sql[slot - STORE_SLOT_OFFER]);
}

/* Binds the columns create and update share (?1 .. ?15). */
static void bind_offer(sqlite3_stmt *s, const struct store_offer *o)
{
	sqlite3_bind_int64(s, 1, o->site_id);
	store__bind_text(s, 2, o->kind);
	store__bind_text(s, 3, o->title);
	store__bind_text(s, 4, o->body);
	store__bind_text(s, 5, o->code);
	store__bind_text(s, 6, o->discount);
	store__bind_text(s, 7, o->targets);
	sqlite3_bind_int64(s, 8, o->starts_at);
	sqlite3_bind_int64(s, 9, o->ends_at);
	sqlite3_bind_int64(s, 10, o->per_customer_limit);
	sqlite3_bind_int64(s, 11, o->total_limit);
	sqlite3_bind_int(s, 12, o->active);
	sqlite3_bind_int64(s, 13, o->created_by);
	sqlite3_bind_int64(s, 14, o->created_at);
	sqlite3_bind_int64(s, 15, o->updated_at);
}

int store_offer_create(struct store *st, struct store_offer *o)
{
	sqlite3_stmt *s = q(st, F_CREATE);
	if (!s)
		return KF_EIO;
	bind_offer(s, o);
	return store__insert(st, s, &o->id);
}

int store_offer_update(struct store *st, const struct store_offer *o)
{
	sqlite3_stmt *s = q(st, F_UPDATE);
	if (!s)
		return KF_EIO;
	bind_offer(s, o);
	sqlite3_bind_int64(s, 16, o->id);
	return store__run(st, s);
}

int store_offer_delete(struct store *st, int64_t id)
{
	sqlite3_stmt *s = q(st, F_DELETE);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	return store__run_one(st, s);
}

static void read_offer(sqlite3_stmt *s, void *out)
{
	struct store_offer *o = out;
	o->id = sqlite3_column_int64(s, 0);
	o->site_id = sqlite3_column_int64(s, 1);
	store__text(s, 2, o->kind, sizeof(o->kind));
	store__text(s, 3, o->title, sizeof(o->title));
	store__text(s, 4, o->body, sizeof(o->body));
	store__text(s, 5, o->code, sizeof(o->code));
	store__text(s, 6, o->discount, sizeof(o->discount));
	store__text(s, 7, o->targets, sizeof(o->targets));
	o->starts_at = sqlite3_column_int64(s, 8);
	o->ends_at = sqlite3_column_int64(s, 9);
	o->per_customer_limit = sqlite3_column_int64(s, 10);
	o->total_limit = sqlite3_column_int64(s, 11);
	o->active = sqlite3_column_int(s, 12);
	o->created_by = sqlite3_column_int64(s, 13);
	o->created_at = sqlite3_column_int64(s, 14);
	o->updated_at = sqlite3_column_int64(s, 15);
	o->redeemed = sqlite3_column_int64(s, 16);
}

int store_offer_get(struct store *st, int64_t id, struct store_offer *out)
{
	sqlite3_stmt *s = q(st, F_GET);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	return store__one(st, s, read_offer, out);
}

int store_offer_count(struct store *st, int64_t site_id, int64_t *n)
{
	sqlite3_stmt *s = q(st, F_COUNT);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	return store__one_int(st, s, n);
}

int store_offer_each(struct store *st, int64_t site_id, int active_only,
		     int (*cb)(void *ud, const struct store_offer *o), void *ud)
{
	sqlite3_stmt *s = q(st, F_EACH);
	int rc;
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	sqlite3_bind_int(s, 2, active_only);
	while ((rc = store__step(st, s)) == SQLITE_ROW) {
		struct store_offer o;
		read_offer(s, &o);
		if (cb(ud, &o))
			break;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store__err(st, "offer each");
}

int store_offer_used(struct store *st, int64_t offer_id, int64_t customer_id, int64_t *mine, int64_t *total)
{
	sqlite3_stmt *s = q(st, F_USED);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, offer_id);
	sqlite3_bind_int64(s, 2, customer_id);
	int rc = store__step(st, s);
	if (rc == SQLITE_ROW) {
		*mine = sqlite3_column_int64(s, 0);
		*total = sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : store__err(st, "offer used");
}

int store_offer_redeem(struct store *st, struct store_redemption *r)
{
	sqlite3_stmt *s = q(st, F_REDEEM);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, r->offer_id);
	sqlite3_bind_int64(s, 2, r->customer_id);
	store__bind_text(s, 3, r->order_number);
	sqlite3_bind_int64(s, 4, r->user_id);
	sqlite3_bind_int64(s, 5, r->api_key_id);
	store__bind_text(s, 6, r->note);
	sqlite3_bind_int64(s, 7, r->at);
	int rc = store__run(st, s);
	if (rc != 0)
		return rc;
	if (sqlite3_changes(st->db) == 0)
		return KF_EDENIED;
	r->id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int store_redemptions_of_customer(struct store *st, int64_t customer_id, int limit,
				  int (*cb)(void *ud, const struct store_redemption *r), void *ud)
{
	sqlite3_stmt *s = q(st, F_OF_CUSTOMER);
	int rc;
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, customer_id);
	sqlite3_bind_int(s, 2, limit);
	while ((rc = store__step(st, s)) == SQLITE_ROW) {
		struct store_redemption r;
		memset(&r, 0, sizeof(r));
		r.id = sqlite3_column_int64(s, 0);
		r.offer_id = sqlite3_column_int64(s, 1);
		r.customer_id = sqlite3_column_int64(s, 2);
		r.user_id = sqlite3_column_int64(s, 3);
		r.api_key_id = sqlite3_column_int64(s, 4);
		r.at = sqlite3_column_int64(s, 5);
		store__text(s, 6, r.order_number, sizeof(r.order_number));
		store__text(s, 7, r.note, sizeof(r.note));
		store__text(s, 8, r.title, sizeof(r.title));
		store__text(s, 9, r.kind, sizeof(r.kind));
		store__text(s, 10, r.code, sizeof(r.code));
		if (cb(ud, &r))
			break;
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store__err(st, "offer redemptions");
}
