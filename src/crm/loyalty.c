/* crm/loyalty.c - loyalty points and member levels (issue 6). Nothing here stores a balance:
 * every change is a row appended to points_ledger and a balance is the sum of a customer's
 * rows. An order earns through the ledger's UNIQUE(order_id, reason): the award, its reversal
 * on return and its expiry each exist at most once per order, so a retried or replayed push
 * can never award twice, and a retry even repairs an award a crash left out. The rules:
 *   delivered            -> 'order_delivered' with the order's points (once per order, ever);
 *   returned after award -> 'order_returned' = -(award + any expiry already taken): once;
 *   delivered again      -> nothing (the order's award key is used: no second award).
 * Expiry (simple rule, no FIFO): an award expires whole at expires_at (the order's updated_at
 * + expiry_days); its 'expire' entry, on the customer holding the order then (a merge moves
 * orders), takes the award back but never more than that balance. It runs lazily before a
 * customer's points are read or spent, and for everyone in the maintenance timer. Levels: the
 * highest level whose spend and points over its period both reach its thresholds; a change
 * writes a history row. */
#include "crm/crm.h"
#include "crm/crm_int.h"
#include "app/app.h"
#include "auth/auth.h"
#include "core/alloc.h"
#include "core/json.h"
#include "core/kf.h"
#include "core/log.h"
#include "core/util.h"
#include "store/store_crm.h"
#include "store/store_loyalty.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOY_MAX_LEVELS 20
#define LOY_MAX_PERCENT 1000      /* a category earns at most 10x */
#define LOY_MAX_PER_UNIT 10000
#define LOY_MAX_UNIT 1000000
#define LOY_MAX_DELTA 1000000000
#define LOY_MAX_NOTE 500
#define LOY_DUE_BATCH 64

/* ---- pure arithmetic ---- */

static int64_t percent_of(const json_t *multipliers, const char *category)
{
	const json_t *v = multipliers ? json_object_get(multipliers, category) : NULL;
	return json_is_integer(v) ? json_integer_value(v) : 100;
}

/* floor(sum(v_i * k_i) / d) without overflow: each term is split as (q*d + r)*k, so only
 * q*k (checked) and r*k (< d * k, small) are ever multiplied. */
int crm_loyalty_points(const struct store_order_item *items, size_t n, int64_t per_unit, int64_t unit_cents,
		       const json_t *multipliers, int64_t *points)
{
	if (unit_cents < 1 || unit_cents > LOY_MAX_UNIT || per_unit < 0 || per_unit > LOY_MAX_PER_UNIT)
		return KF_EINVAL;
	const int64_t d = unit_cents * 100;
	int64_t q = 0, rem = 0;
	for (size_t i = 0; i < n; i++) {
		int64_t pct = percent_of(multipliers, items[i].category), v, t;
		if (pct < 0 || pct > LOY_MAX_PERCENT)
			return KF_EINVAL;
		const int64_t k = pct * per_unit;
		if (__builtin_mul_overflow(items[i].price_cents, items[i].quantity, &v) ||
		    __builtin_mul_overflow(v / d, k, &t) || __builtin_add_overflow(q, t, &q))
			return KF_ETOOBIG;
		rem += (v % d) * k;            /* < d * k <= 10^8 * 10^7 */
		q += rem / d;
		rem %= d;
		if (q < 0)
			return KF_ETOOBIG;
	}
	*points = q;
	return 0;
}

int crm_loyalty_pick_level(const struct store_level *lv, const int64_t *spend, const int64_t *points, size_t n)
{
	int best = -1;
	for (size_t i = 0; i < n; i++)
		if (spend[i] >= lv[i].min_spend_cents && points[i] >= lv[i].min_points)
			best = (int)i;
	return best;
}

int64_t crm_loyalty_expire_delta(int64_t award, int64_t balance)
{
	int64_t take = award < balance ? award : balance;
	return take > 0 ? -take : 0;
}

/* ---- the ledger ---- */

static void entry_init(struct store_points_entry *e, int64_t site_id, int64_t customer_id, const char *reason,
		       int64_t delta)
{
	memset(e, 0, sizeof(*e));
	e->site_id = site_id;
	e->customer_id = customer_id;
	e->delta = delta;
	e->created_at = time_now_s();
	snprintf(e->reason, sizeof(e->reason), "%s", reason);
}

/* Writes the order's award unless it has one (the unique key answers a race the same way). */
static void award(struct app *a, int64_t site_id, int64_t customer_id, int64_t order_id, const char *number)
{
	struct store_points_rules rules;
	struct store_order o;
	struct store_points_entry e;
	int64_t have, pts = 0;
	if (store_points_of_order(a->st, order_id, "order_delivered", &have) == 0 ||
	    store_points_rules_get(a->st, site_id, &rules) != 0 || store_order_get(a->st, site_id, number, &o) != 0)
		return;
	json_t *mult = json_loads(rules.multipliers, 0, NULL);
	/* An imported order (CSV: one line "imported order" priced 0) has only its total: it earns on
	 * that, as one uncategorised line, so the CLI, the upload and the API award alike. */
	struct store_order_item whole = { .quantity = 1, .price_cents = o.total_cents };
	int priced = 0;
	for (size_t i = 0; i < o.nitems; i++)
		priced |= o.items[i].price_cents > 0;
	int rc = priced || o.total_cents <= 0
		 ? crm_loyalty_points(o.items, o.nitems, rules.points_per_unit, rules.unit_cents, mult, &pts)
		 : crm_loyalty_points(&whole, 1, rules.points_per_unit, rules.unit_cents, mult, &pts);
	json_decref(mult);
	entry_init(&e, site_id, customer_id, "order_delivered", rc == 0 ? pts : 0);
	e.order_id = order_id;
	if (rules.expiry_days > 0)
		e.expires_at = o.updated_at + rules.expiry_days * 86400;
	snprintf(e.note, sizeof(e.note), "%s", o.number);
	store_order_free(&o);
	if (rc != 0)
		log_warn("loyalty: order %lld: points out of range, awarded 0", (long long)order_id);
	rc = store_points_add(a->st, &e);
	if (rc != 0 && rc != KF_EEXIST)
		log_warn("loyalty: could not award order %lld", (long long)order_id);
}

/* The exact negative of what the order still holds (its award plus any expiry). */
static void reverse(struct app *a, int64_t site_id, int64_t customer_id, int64_t order_id)
{
	struct store_points_entry e;
	int64_t got, expired = 0;
	if (store_points_of_order(a->st, order_id, "order_delivered", &got) != 0)
		return;                                  /* never awarded: nothing to take back */
	store_points_of_order(a->st, order_id, "expire", &expired);
	entry_init(&e, site_id, customer_id, "order_returned", -(got + expired));
	e.order_id = order_id;
	int rc = store_points_add(a->st, &e);
	if (rc != 0 && rc != KF_EEXIST)
		log_warn("loyalty: could not reverse order %lld", (long long)order_id);
}

/* Who an award's expiry falls on: the customer holding its order now, as for a return. After
 * a merge that is the survivor, which holds the source's points through the merge's transfer,
 * so the points a merge carries over still expire at their awards' expires_at; after an undo
 * it is the source again. An order deleted or unlinked since leaves it on the award's customer. */
static int64_t award_holder(struct app *a, const struct store_points_entry *award)
{
	int64_t site = 0, holder = 0;
	char number[65];
	if (store_order_ref(a->st, award->order_id, &site, number, &holder) != 0 || site != award->site_id || !holder)
		return award->customer_id;
	return holder;
}

/* Expires customer_id's due awards (0 = everyone's), in batches. */
static void expire_due(struct app *a, int64_t customer_id, int64_t now)
{
	struct store_points_entry *due = xmalloc(LOY_DUE_BATCH * sizeof(*due)), e;
	size_t n;
	int written = 1;
	while (written && store_points_due(a->st, customer_id, now, due, LOY_DUE_BATCH, &n) == 0 && n) {
		written = 0;
		for (size_t i = 0; i < n; i++) {
			int64_t bal = 0, holder = award_holder(a, &due[i]);
			store_points_balance(a->st, holder, &bal);
			entry_init(&e, due[i].site_id, holder, "expire", crm_loyalty_expire_delta(due[i].delta, bal));
			e.order_id = due[i].order_id;
			snprintf(e.note, sizeof(e.note), "%s", due[i].note);
			written += store_points_add(a->st, &e) == 0;
		}
	}
	free(due);
}

/* ---- levels ---- */

static void recompute_level(struct app *a, int64_t site_id, int64_t customer_id, int64_t now)
{
	struct store_level *lv = xmalloc(LOY_MAX_LEVELS * sizeof(*lv));
	int64_t spend[LOY_MAX_LEVELS], pts[LOY_MAX_LEVELS];
	struct store_level_change cur = { .level_id = 0 }, ch;
	size_t n = 0;
	if (store_levels_get(a->st, site_id, lv, LOY_MAX_LEVELS, &n) != 0) {
		free(lv);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		int64_t since = lv[i].period_days > 0 ? now - lv[i].period_days * 86400 : 0;
		spend[i] = pts[i] = 0;
		store_customer_spend(a->st, customer_id, since, &spend[i]);
		store_customer_earned(a->st, customer_id, since, &pts[i]);
	}
	int best = crm_loyalty_pick_level(lv, spend, pts, n);
	int had = store_level_current(a->st, customer_id, &cur) == 0;
	int64_t want = best >= 0 ? lv[best].id : 0;
	if (want != cur.level_id && (had || want)) {
		memset(&ch, 0, sizeof(ch));
		ch.customer_id = customer_id;
		ch.level_id = want;
		ch.from_level_id = cur.level_id;
		snprintf(ch.level_name, sizeof(ch.level_name), "%s", best >= 0 ? lv[best].name : "");
		snprintf(ch.from_name, sizeof(ch.from_name), "%s", had ? cur.level_name : "");
		ch.at = now;
		store_level_change_add(a->st, &ch);
	}
	free(lv);
}

void crm_loyalty_expire_now(struct app *a, int64_t customer_id)
{
	expire_due(a, customer_id, time_now_s());
}

void crm_loyalty_refresh_level(struct app *a, int64_t site_id, int64_t customer_id)
{
	recompute_level(a, site_id, customer_id, time_now_s());
}

void crm_loyalty_on_order(struct app *a, int64_t site_id, int64_t order_id, const char *old_status,
			  const char *new_status)
{
	int64_t osite, customer;
	char number[65];
	KF_UNUSED(old_status);   /* the ledger, not the previous status, says what was awarded */
	if (!new_status || store_order_ref(a->st, order_id, &osite, number, &customer) != 0 || osite != site_id ||
	    !customer)
		return;
	if (strcmp(new_status, "delivered") == 0)
		award(a, site_id, customer, order_id, number);
	else if (strcmp(new_status, "returned") == 0)
		reverse(a, site_id, customer, order_id);
	else
		return;
	recompute_level(a, site_id, customer, time_now_s());
}

void crm_loyalty_maintain(struct app *a)
{
	static int64_t levels_at;
	int64_t now = time_now_s(), ids[256], after = 0;
	size_t n;
	expire_due(a, 0, now);
	if (now - levels_at < 86400)
		return;
	levels_at = now;
	while (store_loyalty_customers(a->st, 0, after, ids, KF_ARRAY_LEN(ids), &n) == 0 && n) {
		for (size_t i = 0; i < n; i++) {
			struct store_customer *c = xmalloc(sizeof(*c));
			if (store_customer_get(a->st, ids[i], c) == 0)
				recompute_level(a, c->site_id, c->id, now);
			free(c);
		}
		after = ids[n - 1];
	}
}

/* ---- HTTP: points of a customer ---- */

/* The :id customer, when on one of the caller's sites; 1 after a 404. A write to a customer
 * merged away is 409 `merged` (its points went to the survivor); reading its ledger stays. */
static int load_customer(struct http_req *r, int64_t *id, int64_t *site_id, int write)
{
	struct store_customer *c = xmalloc(sizeof(*c));
	int bad = crm_param_id(r, 0, id) || store_customer_get(app_of(r)->st, *id, c) != 0 ||
		  !crm_site_allowed(r, c->site_id);
	*site_id = c->site_id;
	free(c);
	if (bad)
		http_reply_error(r, 404, "not_found", "no such customer");
	return bad || (write && crm_refuse_merged(r, *id, "points"));
}

static json_t *id_or_null(int64_t v)
{
	return v ? json_integer(v) : json_null();
}

static json_t *entry_json(const struct store_points_entry *e)
{
	json_t *j = json_pack("{s:I,s:I,s:s,s:s,s:I}", "id", (json_int_t)e->id, "delta", (json_int_t)e->delta, "reason",
			      e->reason, "note", e->note, "created_at", (json_int_t)e->created_at);
	json_object_set_new(j, "order_id", id_or_null(e->order_id));
	json_object_set_new(j, "user_id", id_or_null(e->user_id));
	json_object_set_new(j, "expires_at", id_or_null(e->expires_at));
	return j;
}

static int entry_to_array(void *ud, const struct store_points_entry *e)
{
	json_array_append_new(ud, entry_json(e));
	return 0;
}

static int change_to_array(void *ud, const struct store_level_change *c)
{
	json_t *j = json_pack("{s:s,s:s,s:I}", "level", c->level_name, "from", c->from_name, "at", (json_int_t)c->at);
	json_object_set_new(j, "level_id", id_or_null(c->level_id));
	json_object_set_new(j, "from_level_id", id_or_null(c->from_level_id));
	json_array_append_new(ud, j);
	return 0;
}

static int query_int(struct http_req *r, const char *name, int64_t def, int64_t lo, int64_t hi, int64_t *out)
{
	const char *v = http_query(r, name);
	*out = def;
	return v && (parse_i64(v, strlen(v), out) != 0 || *out < lo || *out > hi) ? KF_EINVAL : 0;
}

static json_t *level_now_json(struct app *a, int64_t customer_id)
{
	struct store_level_change cur;
	if (store_level_current(a->st, customer_id, &cur) != 0 || !cur.level_id)
		return json_null();
	return json_pack("{s:I,s:s}", "id", (json_int_t)cur.level_id, "name", cur.level_name);
}

/* GET /api/v1/customers/:id/points?limit=50&offset=0 */
static void h_points_get(struct http_req *r)
{
	struct app *a = app_of(r);
	int64_t id, site_id, limit, offset, bal = 0, count = 0;
	if (load_customer(r, &id, &site_id, 0))
		return;
	if (query_int(r, "limit", 50, 1, 200, &limit) || query_int(r, "offset", 0, 0, INT64_MAX / 2, &offset)) {
		http_reply_error(r, 422, "invalid_field", "limit: 1 to 200; offset: 0 or more");
		return;
	}
	expire_due(a, id, time_now_s());
	json_t *entries = json_array(), *hist = json_array();
	if (store_points_balance(a->st, id, &bal) || store_points_count(a->st, id, &count) ||
	    store_points_each(a->st, id, (int)limit, offset, entry_to_array, entries) ||
	    store_level_history(a->st, id, 50, change_to_array, hist)) {
		json_decref(entries);
		json_decref(hist);
		http_reply_error(r, 500, "internal", "could not read the points");
		return;
	}
	http_reply_json(r, 200, json_pack("{s:I,s:I,s:I,s:o,s:o,s:o}", "customer_id", (json_int_t)id, "balance",
					  (json_int_t)bal, "total", (json_int_t)count, "entries", entries, "level",
					  level_now_json(a, id), "level_history", hist));
}

/* Who may change points: API keys (scope points:write) and supervisors; agents for spends
 * when the site's rules say agents_spend, for awards (adjust > 0) when they say agents_award.
 * Taking points away by adjust is for supervisors only. */
int crm_points_may_change(struct http_req *r, int64_t site_id, const char *reason, int64_t delta)
{
	const struct auth_ctx *ctx = auth_of(r);
	struct store_points_rules rules;
	if (ctx->kind == AUTH_APIKEY || auth_role_level(ctx->user.role) >= ACCESS_SUPERVISOR)
		return 1;
	if (store_points_rules_get(app_of(r)->st, site_id, &rules) != 0)
		return 0;
	if (strcmp(reason, "spend") == 0)
		return rules.agents_spend;
	return delta > 0 && rules.agents_award;
}

/* Body of POST points into *e; a message naming the field, or NULL. */
static const char *change_from_json(const json_t *j, struct store_points_entry *e)
{
	const json_t *d = json_object_get(j, "delta");
	const char *reason = json_get_str(j, "reason"), *note = json_get_str(j, "note");
	if (!reason || (strcmp(reason, "spend") != 0 && strcmp(reason, "adjust") != 0))
		return "reason: spend or adjust";
	if (!json_is_integer(d) || json_integer_value(d) == 0 || json_integer_value(d) < -LOY_MAX_DELTA ||
	    json_integer_value(d) > LOY_MAX_DELTA)
		return "delta: a non-zero integer, at most 10^9 either way";
	if (strcmp(reason, "spend") == 0 && json_integer_value(d) > 0)
		return "delta: a spend is negative";
	if (note && strlen(note) > LOY_MAX_NOTE)
		return "note: at most 500 bytes";
	if (json_object_get(j, "note") && !note)
		return "note: a string";
	e->delta = json_integer_value(d);
	snprintf(e->reason, sizeof(e->reason), "%s", reason);
	snprintf(e->note, sizeof(e->note), "%s", note ? note : "");
	return NULL;
}

/* POST /api/v1/customers/:id/points {"delta":-100,"reason":"spend","note":"…"} */
static void h_points_post(struct http_req *r)
{
	struct app *a = app_of(r);
	struct store_points_entry e;
	int64_t id, site_id, bal = 0;
	if (load_customer(r, &id, &site_id, 1))
		return;
	entry_init(&e, site_id, id, "adjust", 0);
	const char *bad = change_from_json(r->json, &e);
	if (bad) {
		http_reply_error(r, 422, "invalid_field", bad);
		return;
	}
	if (!crm_points_may_change(r, site_id, e.reason, e.delta)) {
		http_reply_error(r, 403, "forbidden", "changing points needs a supervisor here");
		return;
	}
	e.user_id = crm_caller_user_id(r);
	expire_due(a, id, e.created_at);
	int rc = store_points_spend(a->st, &e);
	if (rc == KF_EDENIED) {
		store_points_balance(a->st, id, &bal);
		http_reply_json(r, 409, json_pack("{s:{s:s,s:s},s:I}", "error", "code", "insufficient_points", "message",
						  "the balance would go below 0", "balance", (json_int_t)bal));
		return;
	}
	if (rc != 0 || store_points_balance(a->st, id, &bal) != 0) {
		http_reply_error(r, 500, "internal", "could not write the points");
		return;
	}
	recompute_level(a, site_id, id, e.created_at);
	http_reply_json(r, 201, json_pack("{s:o,s:I}", "entry", entry_json(&e), "balance", (json_int_t)bal));
}

/* ---- HTTP: the site's rules and levels (admins; API keys with points:write) ---- */

static json_t *rules_json(const struct store_points_rules *ru)
{
	json_t *m = json_loads(ru->multipliers, 0, NULL);
	return json_pack("{s:I,s:I,s:o,s:I,s:b,s:b}", "points_per_unit", (json_int_t)ru->points_per_unit, "unit_cents",
			 (json_int_t)ru->unit_cents, "multipliers", m ? m : json_object(), "expiry_days",
			 (json_int_t)ru->expiry_days, "agents_spend", ru->agents_spend, "agents_award", ru->agents_award);
}

static void h_rules_get(struct http_req *r)
{
	struct store_points_rules ru;
	int64_t site_id;
	if (crm_load_site(r, &site_id))
		return;
	if (store_points_rules_get(app_of(r)->st, site_id, &ru) != 0) {
		http_reply_error(r, 500, "internal", "could not read the rules");
		return;
	}
	http_reply_json(r, 200, json_pack("{s:o}", "rules", rules_json(&ru)));
}

/* An integer member in [lo, hi] when present (else *v kept); 0 or KF_EINVAL. */
static int int_field(const json_t *j, const char *key, int64_t lo, int64_t hi, int64_t *v)
{
	const json_t *x = json_object_get(j, key);
	if (!x)
		return 0;
	if (!json_is_integer(x) || json_integer_value(x) < lo || json_integer_value(x) > hi)
		return KF_EINVAL;
	*v = json_integer_value(x);
	return 0;
}

/* multipliers: at most 100 categories (<= 100 bytes) of integer percents 0..1000. */
static const char *multipliers_from(const json_t *m, struct store_points_rules *ru)
{
	const char *k;
	const json_t *v;
	if (!json_is_object(m) || json_object_size(m) > 100)
		return "multipliers: an object of at most 100 categories";
	json_object_foreach((json_t *)m, k, v)
		if (strlen(k) > 100 || !json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > LOY_MAX_PERCENT)
			return "multipliers: {\"category\": percent}, integer percents 0 to 1000 (200 = double)";
	char *s = json_dumps(m, JSON_COMPACT | JSON_SORT_KEYS);
	int fits = s && strlen(s) < sizeof(ru->multipliers);
	if (fits)
		snprintf(ru->multipliers, sizeof(ru->multipliers), "%s", s);
	free(s);
	return fits ? NULL : "multipliers: too long";
}

static const char *rules_from_json(const json_t *j, struct store_points_rules *ru)
{
	int64_t agents = ru->agents_spend;
	const json_t *m = json_object_get(j, "multipliers"), *ag = json_object_get(j, "agents_spend"), *aw;
	if (int_field(j, "points_per_unit", 0, LOY_MAX_PER_UNIT, &ru->points_per_unit))
		return "points_per_unit: 0 to 10000";
	if (int_field(j, "unit_cents", 1, LOY_MAX_UNIT, &ru->unit_cents))
		return "unit_cents: 1 to 1000000";
	if (int_field(j, "expiry_days", 0, 36500, &ru->expiry_days))
		return "expiry_days: 0 (never) to 36500";
	if (ag && !json_is_boolean(ag))
		return "agents_spend: true or false";
	if (ag)
		agents = json_is_true(ag);
	ru->agents_spend = (int)agents;
	if ((aw = json_object_get(j, "agents_award")) && !json_is_boolean(aw))
		return "agents_award: true or false";
	if (aw)
		ru->agents_award = json_is_true(aw);
	return m ? multipliers_from(m, ru) : NULL;
}

static void h_rules_put(struct http_req *r)
{
	struct store_points_rules ru;
	int64_t site_id;
	if (crm_load_site(r, &site_id))
		return;
	if (store_points_rules_get(app_of(r)->st, site_id, &ru) != 0) {
		http_reply_error(r, 500, "internal", "could not read the rules");
		return;
	}
	const char *bad = rules_from_json(r->json, &ru);
	if (bad) {
		http_reply_error(r, 422, "invalid_field", bad);
		return;
	}
	if (store_points_rules_put(app_of(r)->st, &ru) != 0) {
		http_reply_error(r, 500, "internal", "could not save the rules");
		return;
	}
	http_reply_json(r, 200, json_pack("{s:o}", "rules", rules_json(&ru)));
}

static json_t *levels_json(const struct store_level *lv, size_t n)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{s:I,s:s,s:I,s:I,s:I,s:s,s:I}", "id", (json_int_t)lv[i].id,
						     "name", lv[i].name, "min_spend_cents",
						     (json_int_t)lv[i].min_spend_cents, "min_points",
						     (json_int_t)lv[i].min_points, "period_days",
						     (json_int_t)lv[i].period_days, "benefits", lv[i].benefits,
						     "position", (json_int_t)lv[i].position));
	return arr;
}

static void reply_levels(struct http_req *r, int64_t site_id)
{
	struct store_level *lv = xmalloc(LOY_MAX_LEVELS * sizeof(*lv));
	size_t n = 0;
	if (store_levels_get(app_of(r)->st, site_id, lv, LOY_MAX_LEVELS, &n) != 0)
		http_reply_error(r, 500, "internal", "could not read the levels");
	else
		http_reply_json(r, 200, json_pack("{s:o}", "levels", levels_json(lv, n)));
	free(lv);
}

static void h_levels_get(struct http_req *r)
{
	int64_t site_id;
	if (!crm_load_site(r, &site_id))
		reply_levels(r, site_id);
}

static const char *level_from_json(const json_t *j, struct store_level *l)
{
	const char *name = json_get_str(j, "name"), *ben = json_get_str(j, "benefits");
	memset(l, 0, sizeof(*l));
	l->period_days = 365;
	if (!json_is_object(j) || !name || !*name || strlen(name) >= sizeof(l->name))
		return "levels[].name: 1 to 63 bytes";
	if ((json_object_get(j, "benefits") && !ben) || (ben && strlen(ben) >= sizeof(l->benefits)))
		return "levels[].benefits: a string of at most 1023 bytes";
	if (int_field(j, "min_spend_cents", 0, 1000000000000000LL, &l->min_spend_cents) ||
	    int_field(j, "min_points", 0, 1000000000000000LL, &l->min_points))
		return "levels[].min_spend_cents, min_points: 0 to 10^15";
	if (int_field(j, "period_days", 0, 36500, &l->period_days))
		return "levels[].period_days: 0 (all time) to 36500";
	snprintf(l->name, sizeof(l->name), "%s", name);
	snprintf(l->benefits, sizeof(l->benefits), "%s", ben ? ben : "");
	return NULL;
}

/* PUT {"levels":[{name, min_spend_cents, min_points, period_days, benefits}, …]} lowest first:
 * replaces the site's levels. Customers move on their next order or the daily run. */
static void h_levels_put(struct http_req *r)
{
	int64_t site_id;
	const json_t *arr = json_object_get(r->json, "levels");
	const char *bad = NULL;
	if (crm_load_site(r, &site_id))
		return;
	if (!json_is_array(arr) || json_array_size(arr) > LOY_MAX_LEVELS) {
		http_reply_error(r, 422, "invalid_field", "levels: an array of at most 20 levels, lowest first");
		return;
	}
	size_t n = json_array_size(arr);
	struct store_level *lv = xmalloc((n ? n : 1) * sizeof(*lv));
	for (size_t i = 0; i < n && !bad; i++)
		bad = level_from_json(json_array_get(arr, i), &lv[i]);
	if (bad)
		http_reply_error(r, 422, "invalid_field", bad);
	else if (store_levels_put(app_of(r)->st, site_id, lv, n) != 0)
		http_reply_error(r, 500, "internal", "could not save the levels");
	else
		reply_levels(r, site_id);
	free(lv);
}

static const struct route routes[] = {
	{ M_GET, "/api/v1/customers/:id/points", h_points_get, 0, ACCESS_AGENT, "points:read", "api", NULL },
	{ M_POST, "/api/v1/customers/:id/points", h_points_post, ROUTE_JSON, ACCESS_AGENT, "points:write", "api", NULL },
	{ M_GET, "/api/v1/sites/:id/points-rules", h_rules_get, 0, ACCESS_ADMIN, "points:write", "api", NULL },
	{ M_PUT, "/api/v1/sites/:id/points-rules", h_rules_put, ROUTE_JSON, ACCESS_ADMIN, "points:write", "api", NULL },
	{ M_GET, "/api/v1/sites/:id/levels", h_levels_get, 0, ACCESS_ADMIN, "points:write", "api", NULL },
	{ M_PUT, "/api/v1/sites/:id/levels", h_levels_put, ROUTE_JSON, ACCESS_ADMIN, "points:write", "api", NULL },
};

void crm_loyalty_register(struct http_server *s)
{
	http_routes_add(s, routes, KF_ARRAY_LEN(routes));
}
