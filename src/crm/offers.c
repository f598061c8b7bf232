/* crm/offers.c - coupons and exclusive offers (issue 6): admins define offers per site and aim
 * them at RFM tiers, RFM segments and member levels; agents see which offers the customer
 * beside the chat may use and record a redemption; an identified visitor sees their offers in
 * the widget. Eligibility is a pure function of the offer and a few facts of the customer
 * (crm_offer_eligible) so the unit tests pin the rules; the limits are enforced again inside
 * the INSERT that records a redemption (store_offer_redeem), which is what makes two agents
 * redeeming the last use at once safe. docs/crm.md "Offers and coupons" is the manual. */
#include "crm/crm.h"
#include "crm/crm_int.h"
#include "crm/rfm.h"
#include "app/app.h"
#include "auth/auth.h"
#include "core/alloc.h"
#include "core/json.h"
#include "core/kf.h"
#include "core/util.h"
#include "store/store.h"
#include "store/store_crm.h"
#include "store/store_loyalty.h"
#include "store/store_offer.h"
#include "store/store_rfm.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OFFERS_PER_SITE 200
#define OFFER_MAX_LIMIT 1000000000
#define OFFER_MAX_TIME 253402300799LL   /* 9999-12-31 */
#define OFFER_REDEEMED_SHOWN 50

/* ---- targets and eligibility (pure) ---- */

static int fail(char *err, size_t errsz, const char *msg)
{
	snprintf(err, errsz, "%s", msg);
	return KF_EINVAL;
}

/* Sets the bit of each key of arr (a JSON array of strings) found by key_of into *bits. */
static int keys_to_bits(const json_t *arr, const char *(*key_of)(int), int count, unsigned *bits)
{
	size_t i;
	const json_t *v;
	if (!json_is_array(arr) || json_array_size(arr) > (size_t)count)
		return KF_EINVAL;
	json_array_foreach((json_t *)arr, i, v) {
		int k = 1;   /* 0 is "none", never a target */
		while (k < count && (!json_is_string(v) || !key_of(k) || strcmp(key_of(k), json_string_value(v)) != 0))
			k++;
		if (k == count)
			return KF_EINVAL;
		*bits |= 1u << k;
	}
	return 0;
}

int crm_offer_targets_parse(const json_t *j, struct crm_offer_targets *t, char *err, size_t errsz)
{
	const json_t *tiers = json_object_get(j, "tiers"), *segs = json_object_get(j, "segments");
	const json_t *levels = json_object_get(j, "levels"), *v;
	size_t i;
	memset(t, 0, sizeof(*t));
	if (!json_is_object(j))
		return fail(err, errsz, "targets: an object {tiers, segments, levels}");
	if (tiers && keys_to_bits(tiers, rfm_tier_key, RFM_TIER_COUNT, &t->tiers))
		return fail(err, errsz, "targets.tiers: tier keys such as \"key\", \"active\"");
	if (segs && keys_to_bits(segs, rfm_segment_key, RFM_SEG_COUNT, &t->segments))
		return fail(err, errsz, "targets.segments: segment keys such as \"important_value\"");
	if (levels && (!json_is_array(levels) || json_array_size(levels) > CRM_OFFER_MAX_LEVELS))
		return fail(err, errsz, "targets.levels: an array of at most 20 level ids");
	json_array_foreach((json_t *)levels, i, v) {
		if (!json_is_integer(v) || json_integer_value(v) < 1)
			return fail(err, errsz, "targets.levels: level ids");
		t->levels[t->nlevels++] = json_integer_value(v);
	}
	return 0;
}

static json_t *bits_json(unsigned bits, const char *(*key_of)(int), int count)
{
	json_t *arr = json_array();
	for (int k = 1; k < count; k++)
		if (bits & (1u << k))
			json_array_append_new(arr, json_string(key_of(k)));
	return arr;
}

json_t *crm_offer_targets_json(const struct crm_offer_targets *t)
{
	json_t *levels = json_array();
	for (size_t i = 0; i < t->nlevels; i++)
		json_array_append_new(levels, json_integer(t->levels[i]));
	return json_pack("{s:o,s:o,s:o}", "tiers", bits_json(t->tiers, rfm_tier_key, RFM_TIER_COUNT), "segments",
			 bits_json(t->segments, rfm_segment_key, RFM_SEG_COUNT), "levels", levels);
}

static int targeted(const struct crm_offer_targets *t, const struct crm_offer_facts *f)
{
	if (!t->tiers && !t->segments && !t->nlevels)
		return 1;
	if (f->tier > 0 && f->tier < 32 && (t->tiers & (1u << f->tier)))
		return 1;
	if (f->segment > 0 && f->segment < 32 && (t->segments & (1u << f->segment)))
		return 1;
	for (size_t i = 0; i < t->nlevels && f->level_id; i++)
		if (t->levels[i] == f->level_id)
			return 1;
	return 0;
}

enum crm_offer_verdict crm_offer_eligible(const struct store_offer *o, const struct crm_offer_targets *t,
					  const struct crm_offer_facts *f, int64_t now)
{
	if (!o->active)
		return CRM_OFFER_INACTIVE;
	if (o->starts_at && now < o->starts_at)
		return CRM_OFFER_NOT_STARTED;
	if (o->ends_at && now >= o->ends_at)
		return CRM_OFFER_ENDED;
	if (!targeted(t, f))
		return CRM_OFFER_NOT_TARGETED;
	if (o->per_customer_limit && f->used_by_customer >= o->per_customer_limit)
		return CRM_OFFER_CUSTOMER_LIMIT;
	if (o->total_limit && f->used_total >= o->total_limit)
		return CRM_OFFER_TOTAL_LIMIT;
	return CRM_OFFER_OK;
}

/* ---- JSON ---- */

static json_t *time_or_null(int64_t v)
{
	return v ? json_integer(v) : json_null();
}

/* The stored targets (written by this file, so they parse; an empty object if not). */
static void stored_targets(const struct store_offer *o, struct crm_offer_targets *t)
{
	char err[120];
	json_t *j = json_loads(o->targets, 0, NULL);
	if (!j || crm_offer_targets_parse(j, t, err, sizeof(err)) != 0)
		memset(t, 0, sizeof(*t));
	json_decref(j);
}

/* What admins and agents see. */
static json_t *offer_json(const struct store_offer *o)
{
	struct crm_offer_targets t;
	stored_targets(o, &t);
	json_t *j = json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:o,s:I,s:I,s:b,s:I,s:I,s:I}", "id", (json_int_t)o->id,
			      "site_id", (json_int_t)o->site_id, "kind", o->kind, "title", o->title, "body", o->body,
			      "code", o->code, "discount", o->discount, "targets", crm_offer_targets_json(&t),
			      "per_customer_limit", (json_int_t)o->per_customer_limit, "total_limit",
			      (json_int_t)o->total_limit, "active", o->active, "redeemed", (json_int_t)o->redeemed,
			      "created_at", (json_int_t)o->created_at, "updated_at", (json_int_t)o->updated_at);
	json_object_set_new(j, "starts_at", time_or_null(o->starts_at));
	json_object_set_new(j, "ends_at", time_or_null(o->ends_at));
	json_object_set_new(j, "created_by", o->created_by ? json_integer(o->created_by) : json_null());
	return j;
}

/* What a visitor sees: no targets, no counts. */
static json_t *offer_public_json(const struct store_offer *o)
{
	json_t *j = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s}", "id", (json_int_t)o->id, "kind", o->kind, "title", o->title,
			      "body", o->body, "code", o->code, "discount", o->discount);
	json_object_set_new(j, "ends_at", time_or_null(o->ends_at));
	return j;
}

static json_t *redemption_json(const struct store_redemption *r)
{
	json_t *j = json_pack("{s:I,s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:I}", "id", (json_int_t)r->id, "offer_id",
			      (json_int_t)r->offer_id, "customer_id", (json_int_t)r->customer_id, "title", r->title,
			      "kind", r->kind, "code", r->code, "order_number", r->order_number, "note", r->note, "at",
			      (json_int_t)r->at);
	json_object_set_new(j, "user_id", r->user_id ? json_integer(r->user_id) : json_null());
	return j;
}

/* ---- validation ---- */

/* A string member into out (at most outsz - 1 bytes, min bytes at least) when present. */
static int str_field(const json_t *j, const char *key, size_t min, char *out, size_t outsz)
{
	const json_t *v = json_object_get(j, key);
	if (!v)
		return 0;
	if (!json_is_string(v) || json_string_length(v) < min || json_string_length(v) >= outsz ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return KF_EINVAL;
	snprintf(out, outsz, "%s", json_string_value(v));
	return 0;
}

/* An integer member in [0, hi] when present; null means 0 (open or unlimited). */
static int num_field(const json_t *j, const char *key, int64_t hi, int64_t *out)
{
	const json_t *v = json_object_get(j, key);
	if (!v)
		return 0;
	if (json_is_null(v)) {
		*out = 0;
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > hi)
		return KF_EINVAL;
	*out = json_integer_value(v);
	return 0;
}

/* A coupon code: 1 to 64 of A-Z a-z 0-9 _ - (it is typed at the shop's checkout). */
static int code_ok(const char *c)
{
	for (const char *p = c; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' ||
		      *p == '-'))
			return 0;
	return 1;
}

/* The fields of j over o (a create starts from defaults, a PATCH from the stored offer); a
 * message naming the bad field (maybe in err), or NULL. */
static const char *offer_from_json(const json_t *j, struct store_offer *o, struct crm_offer_targets *t, char *err,
				   size_t errsz)
{
	const json_t *act = json_object_get(j, "active"), *tg = json_object_get(j, "targets");
	if (str_field(j, "kind", 1, o->kind, sizeof(o->kind)) ||
	    (strcmp(o->kind, "coupon") != 0 && strcmp(o->kind, "offer") != 0))
		return "kind: coupon or offer";
	if (str_field(j, "title", 1, o->title, sizeof(o->title)) || !o->title[0])
		return "title: 1 to 200 bytes";
	if (str_field(j, "body", 0, o->body, sizeof(o->body)))
		return "body: at most 2000 bytes of plain text";
	if (str_field(j, "code", 0, o->code, sizeof(o->code)) || !code_ok(o->code) ||
	    (strcmp(o->kind, "coupon") == 0 && !o->code[0]))
		return "code: 1 to 64 of A-Z a-z 0-9 _ - (a coupon needs one)";
	if (str_field(j, "discount", 0, o->discount, sizeof(o->discount)))
		return "discount: at most 100 bytes";
	if (num_field(j, "starts_at", OFFER_MAX_TIME, &o->starts_at) ||
	    num_field(j, "ends_at", OFFER_MAX_TIME, &o->ends_at))
		return "starts_at, ends_at: Unix seconds or null";
	if (o->ends_at && o->ends_at <= o->starts_at)
		return "ends_at: after starts_at";
	if (num_field(j, "per_customer_limit", OFFER_MAX_LIMIT, &o->per_customer_limit) ||
	    num_field(j, "total_limit", OFFER_MAX_LIMIT, &o->total_limit))
		return "per_customer_limit, total_limit: 0 (unlimited) to 10^9";
	if (act && !json_is_boolean(act))
		return "active: true or false";
	if (act)
		o->active = json_is_true(act);
	if (tg && !json_is_null(tg)) {
		if (crm_offer_targets_parse(tg, t, err, errsz))
			return err;
	} else if (tg) {
		memset(t, 0, sizeof(*t));
	}
	return NULL;
}

/* 1 when every level of t is one of the site's. */
static int levels_of_site(struct app *a, int64_t site_id, const struct crm_offer_targets *t)
{
	struct store_level *lv = xmalloc(CRM_OFFER_MAX_LEVELS * sizeof(*lv));
	size_t n = 0, found = 0;
	int ok = store_levels_get(a->st, site_id, lv, CRM_OFFER_MAX_LEVELS, &n) == 0;
	for (size_t i = 0; ok && i < t->nlevels; i++, found = 0) {
		for (size_t k = 0; k < n; k++)
			found |= lv[k].id == t->levels[i];
		ok = found != 0;
	}
	free(lv);
	return ok;
}

/* Stores the targets text; when the body sent targets their levels must be the site's (a
 * PATCH that leaves them alone still saves after the site redefined its levels). 1 after a 422. */
static int put_targets(struct http_req *r, struct store_offer *o, const struct crm_offer_targets *t)
{
	if (json_object_get(r->json, "targets") && !levels_of_site(app_of(r), o->site_id, t)) {
		http_reply_error(r, 422, "invalid_field", "targets.levels: levels of this site");
		return 1;
	}
	json_t *j = crm_offer_targets_json(t);
	char *s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	snprintf(o->targets, sizeof(o->targets), "%s", s ? s : "{}");
	free(s);
	return 0;
}

/* ---- admins: the site's offers ---- */

static int to_array(void *ud, const struct store_offer *o)
{
	json_array_append_new(ud, offer_json(o));
	return 0;
}

static void h_list(struct http_req *r)
{
	int64_t site_id;
	if (crm_load_site(r, &site_id))
		return;
	json_t *arr = json_array();
	if (store_offer_each(app_of(r)->st, site_id, 0, to_array, arr) != 0) {
		json_decref(arr);
		http_reply_error(r, 500, "internal", "could not read the offers");
		return;
	}
	http_reply_json(r, 200, json_pack("{s:o}", "offers", arr));
}

static void h_create(struct http_req *r)
{
	struct app *a = app_of(r);
	struct store_offer *o = xcalloc(1, sizeof(*o));
	struct crm_offer_targets t;
	int64_t n = 0;
	const char *bad;
	char err[160];
	memset(&t, 0, sizeof(t));
	if (crm_load_site(r, &o->site_id))
		goto out;
	snprintf(o->kind, sizeof(o->kind), "offer");
	o->active = 1;
	if ((bad = offer_from_json(r->json, o, &t, err, sizeof(err)))) {
		http_reply_error(r, 422, "invalid_field", bad);
		goto out;
	}
	if (store_offer_count(a->st, o->site_id, &n) != 0) {
		http_reply_error(r, 500, "internal", "could not count the site's offers");
		goto out;
	}
	if (n >= OFFERS_PER_SITE) {
		http_reply_error(r, 409, "too_many", "a site has at most 200 offers; delete old ones");
		goto out;
	}
	if (put_targets(r, o, &t))
		goto out;
	o->created_by = crm_caller_user_id(r);
	o->created_at = o->updated_at = time_now_s();
	if (store_offer_create(a->st, o) != 0 || store_offer_get(a->st, o->id, o) != 0)
		http_reply_error(r, 500, "internal", "could not save the offer");
	else
		http_reply_json(r, 201, json_pack("{s:o}", "offer", offer_json(o)));
out:
	free(o);
}

/* The :id offer when on one of the caller's sites; 1 after a 404. */
static int load_offer(struct http_req *r, struct store_offer *o)
{
	int64_t id;
	if (crm_param_id(r, 0, &id) || store_offer_get(app_of(r)->st, id, o) != 0 || !crm_site_allowed(r, o->site_id)) {
		http_reply_error(r, 404, "not_found", "no such offer");
		return 1;
	}
	return 0;
}

static void h_get(struct http_req *r)
{
	struct store_offer *o = xmalloc(sizeof(*o));
	if (!load_offer(r, o))
		http_reply_json(r, 200, json_pack("{s:o}", "offer", offer_json(o)));
	free(o);
}

static void h_patch(struct http_req *r)
{
	struct app *a = app_of(r);
	struct store_offer *o = xmalloc(sizeof(*o));
	struct crm_offer_targets t;
	const char *bad;
	char err[160];
	if (load_offer(r, o))
		goto out;
	stored_targets(o, &t);
	if ((bad = offer_from_json(r->json, o, &t, err, sizeof(err)))) {
		http_reply_error(r, 422, "invalid_field", bad);
		goto out;
	}
	if (put_targets(r, o, &t))
		goto out;
	o->updated_at = time_now_s();
	if (store_offer_update(a->st, o) != 0 || store_offer_get(a->st, o->id, o) != 0)
		http_reply_error(r, 500, "internal", "could not save the offer");
	else
		http_reply_json(r, 200, json_pack("{s:o}", "offer", offer_json(o)));
out:
	free(o);
}

/* Deleting removes the offer and its redemptions; PATCH {"active":false} keeps the history. */
static void h_delete(struct http_req *r)
{
	struct store_offer *o = xmalloc(sizeof(*o));
	if (!load_offer(r, o)) {
		if (store_offer_delete(app_of(r)->st, o->id) != 0)
			http_reply_error(r, 500, "internal", "could not delete the offer");
		else
			http_reply_json(r, 200, json_pack("{s:b}", "deleted", 1));
	}
	free(o);
}

/* ---- a customer's offers ---- */

/* The customer's tier, segment and level (the use counts are per offer). */
static void customer_facts(struct store *st, int64_t customer_id, struct crm_offer_facts *f)
{
	struct store_rfm_row w;
	struct store_level_change lc;
	memset(f, 0, sizeof(*f));
	if (store_rfm_get(st, customer_id, &w) == 0) {
		f->tier = w.tier;
		f->segment = w.segment;
	}
	if (store_level_current(st, customer_id, &lc) == 0)
		f->level_id = lc.level_id;
}

static enum crm_offer_verdict verdict(struct store *st, const struct store_offer *o, int64_t customer_id,
				      struct crm_offer_facts *f, int64_t now)
{
	struct crm_offer_targets t;
	stored_targets(o, &t);
	if (store_offer_used(st, o->id, customer_id, &f->used_by_customer, &f->used_total) != 0)
		return CRM_OFFER_INACTIVE;
	return crm_offer_eligible(o, &t, f, now);
}

struct eligible_acc {
	struct store *st;
	int64_t customer_id, now;
	struct crm_offer_facts facts;
	int public_view;
	json_t *arr;
};

static int eligible_cb(void *ud, const struct store_offer *o)
{
	struct eligible_acc *acc = ud;
	if (verdict(acc->st, o, acc->customer_id, &acc->facts, acc->now) != CRM_OFFER_OK)
		return 0;
	json_t *j = acc->public_view ? offer_public_json(o) : offer_json(o);
	if (!acc->public_view)
		json_object_set_new(j, "used", json_integer(acc->facts.used_by_customer));
	json_array_append_new(acc->arr, j);
	return 0;
}

/* The offers customer_id may use now, newest first. */
static json_t *eligible_of(struct store *st, int64_t site_id, int64_t customer_id, int public_view)
{
	struct eligible_acc acc = { st, customer_id, time_now_s(), { 0 }, public_view, json_array() };
	customer_facts(st, customer_id, &acc.facts);
	store_offer_each(st, site_id, 1, eligible_cb, &acc);
	return acc.arr;
}

static int redemption_cb(void *ud, const struct store_redemption *r)
{
	json_array_append_new(ud, redemption_json(r));
	return 0;
}

/* The :id customer (or customer_id of the body) on one of the caller's sites: 0 with *site_id. */
static int customer_site(struct http_req *r, int64_t id, int64_t *site_id)
{
	struct store_customer *c = xcalloc(1, sizeof(*c));
	int rc = store_customer_get(app_of(r)->st, id, c) != 0 || !crm_site_allowed(r, c->site_id) ? KF_ENOTFOUND : 0;
	*site_id = c->site_id;
	free(c);
	return rc;
}

/* Whether the caller may award points here: what POST /customers/:id/points allows. */
static int may_award(struct http_req *r, int64_t site_id)
{
	return crm_points_may_change(r, site_id, "adjust", 1);
}

/* GET /api/v1/customers/:id/offers */
static void h_customer_offers(struct http_req *r)
{
	struct store *st = app_of(r)->st;
	int64_t id, site_id;
	if (crm_param_id(r, 0, &id) || customer_site(r, id, &site_id) != 0) {
		http_reply_error(r, 404, "not_found", "no such customer");
		return;
	}
	json_t *red = json_array();
	store_redemptions_of_customer(st, id, OFFER_REDEEMED_SHOWN, redemption_cb, red);
	http_reply_json(r, 200, json_pack("{s:o,s:o,s:b}", "eligible", eligible_of(st, site_id, id, 0), "redeemed", red,
					  "may_award", may_award(r, site_id)));
}

static void reply_not_eligible(struct http_req *r, enum crm_offer_verdict v)
{
	static const char *const why[] = {
		[CRM_OFFER_INACTIVE] = "the offer is not active", [CRM_OFFER_NOT_STARTED] = "the offer has not started",
		[CRM_OFFER_ENDED] = "the offer has ended", [CRM_OFFER_NOT_TARGETED] = "the offer is not for this customer",
		[CRM_OFFER_CUSTOMER_LIMIT] = "the customer has used this offer as often as allowed",
		[CRM_OFFER_TOTAL_LIMIT] = "the offer is used up",
	};
	int limit = v == CRM_OFFER_CUSTOMER_LIMIT || v == CRM_OFFER_TOTAL_LIMIT;
	http_reply_error(r, 409, limit ? "limit_reached" : "not_eligible", why[v]);
}

/* Body of a redemption into rd; a message naming the field, or NULL. */
static const char *redemption_from_json(const json_t *j, struct store_redemption *rd)
{
	const json_t *c = json_object_get(j, "customer_id");
	if (!json_is_integer(c) || json_integer_value(c) < 1)
		return "customer_id: a customer id";
	rd->customer_id = json_integer_value(c);
	if (str_field(j, "order_number", 0, rd->order_number, sizeof(rd->order_number)) ||
	    (rd->order_number[0] && !crm_number_ok(rd->order_number)))
		return "order_number: 1 to 64 of A-Z a-z 0-9 _ -";
	if (str_field(j, "note", 0, rd->note, sizeof(rd->note)))
		return "note: at most 500 bytes";
	return NULL;
}

/* POST /api/v1/offers/:id/redeem {customer_id, order_number?, note?} */
static void h_redeem(struct http_req *r)
{
	struct store *st = app_of(r)->st;
	struct store_offer *o = xmalloc(sizeof(*o));
	struct store_redemption rd;
	struct crm_offer_facts f;
	int64_t csite = 0;
	const char *bad;
	enum crm_offer_verdict v;
	memset(&rd, 0, sizeof(rd));
	if (load_offer(r, o))
		goto out;
	if ((bad = redemption_from_json(r->json, &rd))) {
		http_reply_error(r, 422, "invalid_field", bad);
		goto out;
	}
	if (customer_site(r, rd.customer_id, &csite) != 0 || csite != o->site_id) {
		http_reply_error(r, 422, "invalid_field", "customer_id: a customer of the offer's site");
		goto out;
	}
	/* a customer merged away redeems as its survivor (its redemptions moved there), never twice */
	if (crm_refuse_merged(r, rd.customer_id, "customer_id"))
		goto out;
	rd.offer_id = o->id;
	rd.at = time_now_s();
	rd.user_id = crm_caller_user_id(r);
	rd.api_key_id = auth_of(r)->kind == AUTH_APIKEY ? auth_of(r)->key.id : 0;
	customer_facts(st, rd.customer_id, &f);
	if ((v = verdict(st, o, rd.customer_id, &f, rd.at)) != CRM_OFFER_OK) {
		reply_not_eligible(r, v);
		goto out;
	}
	int rc = store_offer_redeem(st, &rd);
	if (rc == KF_EDENIED)   /* another redemption took the last use since the check above */
		http_reply_error(r, 409, "limit_reached", "the offer's limit was reached");
	else if (rc != 0)
		http_reply_error(r, 500, "internal", "could not record the redemption");
	else
		http_reply_json(r, 201, json_pack("{s:{s:I,s:I,s:I,s:s,s:s,s:I}}", "redemption", "id", (json_int_t)rd.id,
						  "offer_id", (json_int_t)rd.offer_id, "customer_id",
						  (json_int_t)rd.customer_id, "order_number", rd.order_number, "note",
						  rd.note, "at", (json_int_t)rd.at));
out:
	free(o);
}

/* ---- the widget: GET /api/v1/offers/mine?site=KEY ---- */

/* The offers of the customer the shop signed this visitor in as (crm_widget_customer), as
 * /orders/mine: 401 without a visitor; a visitor the shop has not identified gets no offers. */
static void h_mine(struct http_req *r)
{
	struct app *a = app_of(r);
	struct store_site s;
	int64_t customer = 0;
	if (crm_widget_customer(r, &s, &customer))
		return;
	if (!customer) {
		http_reply_json(r, 200, json_pack("{s:b,s:[]}", "identified", 0, "offers"));
		return;
	}
	http_reply_json(r, 200, json_pack("{s:b,s:o}", "identified", 1, "offers", eligible_of(a->st, s.id, customer, 1)));
}

/* /offers/mine comes before /offers/:id: the first matching route wins. */
static const struct route routes[] = {
	{ M_GET, "/api/v1/offers/mine", h_mine, 0, ACCESS_PUBLIC, NULL, "api", NULL },
	{ M_OPTIONS, "/api/v1/offers/mine", crm_widget_preflight, 0, ACCESS_PUBLIC, NULL, "api", NULL },
	{ M_GET, "/api/v1/sites/:id/offers", h_list, 0, ACCESS_AGENT, "offers:read", "api", NULL },
	{ M_POST, "/api/v1/sites/:id/offers", h_create, ROUTE_JSON, ACCESS_ADMIN, "offers:write", "api", NULL },
	{ M_GET, "/api/v1/offers/:id", h_get, 0, ACCESS_AGENT, "offers:read", "api", NULL },
	{ M_PATCH, "/api/v1/offers/:id", h_patch, ROUTE_JSON, ACCESS_ADMIN, "offers:write", "api", NULL },
	{ M_DELETE, "/api/v1/offers/:id", h_delete, 0, ACCESS_ADMIN, "offers:write", "api", NULL },
	{ M_POST, "/api/v1/offers/:id/redeem", h_redeem, ROUTE_JSON, ACCESS_AGENT, "offers:write", "api", NULL },
	{ M_GET, "/api/v1/customers/:id/offers", h_customer_offers, 0, ACCESS_AGENT, "offers:read", "api", NULL },
};

void crm_offers_register(struct http_server *s)
{
	http_routes_add(s, routes, KF_ARRAY_LEN(routes));
}
