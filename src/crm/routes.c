/* crm/routes.c - the orders API of the CRM: the shop pushes orders (PUT, idempotent by the
 * canonical hash: a retried call answers "unchanged" and writes nothing), agents of the site
 * read them, and visitors look their orders up from the widget: any visitor with the order
 * number plus the e-mail or phone on it (failures rate-limited per address, one 404 for "no
 * such order" and "wrong contact" so the answer tells nothing), and an identified visitor
 * (crm/identity.c) their customer's recent orders. */
#include "crm/crm.h"
#include "crm/crm_int.h"
#include "crm/merge.h"
#include "crm/crm_page.h"
#include "app/app.h"
#include "auth/auth.h"
#include "chat/chat_int.h"   /* chat_origin_allowed: the widget's cross-origin rule, shared */
#include "core/alloc.h"
#include "core/json.h"
#include "core/kf.h"
#include "core/ratelimit.h"
#include "core/util.h"
#include "store/store_crm.h"
#include "store/store_loyalty.h"
#include "store/store_merge.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CRM_LOOKUP_FAILS 10        /* failed lookups per address ... */
#define CRM_LOOKUP_WINDOW_S 600    /* ... in this many seconds */
#define CRM_MINE_ORDERS 10

static struct ratelimit *lookup_rl;

/* ---- who may do what ---- */

int crm_site_allowed(struct http_req *r, int64_t site_id)
{
	const struct auth_ctx *ctx = auth_of(r);
	if (ctx->kind == AUTH_APIKEY || auth_role_level(ctx->user.role) >= ACCESS_ADMIN)
		return 1;
	return ctx->kind == AUTH_SESSION && store_site_is_member(app_of(r)->st, site_id, ctx->user.id) == 0;
}

int crm_param_id(struct http_req *r, size_t i, int64_t *id)
{
	const char *p = http_param(r, i);
	return p && parse_i64(p, strlen(p), id) == 0 && *id > 0 ? 0 : KF_EINVAL;
}

int64_t crm_caller_user_id(struct http_req *r)
{
	const struct auth_ctx *ctx = auth_of(r);
	return ctx->kind == AUTH_SESSION ? ctx->user.id : 0;
}

/* The :id site of the path; 404 when absent or not one of the caller's sites (the same answer,
 * so other sites' ids are not disclosed). */
int crm_load_site(struct http_req *r, int64_t *site_id)
{
	struct store_site s;
	if (crm_param_id(r, 0, site_id) || store_site_get(app_of(r)->st, *site_id, &s) != 0 ||
	    !crm_site_allowed(r, *site_id)) {
		http_reply_error(r, 404, "not_found", "no such site");
		return 1;
	}
	return 0;
}

/* ---- JSON ---- */

static json_t *items_json(const struct store_order *o, int full)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < o->nitems; i++) {
		const struct store_order_item *it = &o->items[i];
		json_array_append_new(arr, full ? json_pack("{s:s,s:s,s:s,s:I,s:I}", "sku", it->sku, "name", it->name,
							    "category", it->category, "quantity",
							    (json_int_t)it->quantity, "price_cents",
							    (json_int_t)it->price_cents)
						: json_pack("{s:s,s:I}", "name", it->name, "quantity",
							    (json_int_t)it->quantity));
	}
	return arr;
}

/* What agents and the shop see. items only when loaded. */
static json_t *order_json(const struct store_order *o)
{
	json_t *j = json_pack("{s:I,s:s,s:s,s:s,s:I,s:s,s:s,s:s,s:s,s:I,s:I}", "id", (json_int_t)o->id, "number",
			      o->number, "status", o->status, "currency", o->currency, "total_cents",
			      (json_int_t)o->total_cents, "email", o->email, "phone", o->phone, "carrier", o->carrier,
			      "tracking", o->tracking, "placed_at", (json_int_t)o->placed_at, "updated_at",
			      (json_int_t)o->updated_at);
	json_object_set_new(j, "customer_id", o->customer_id ? json_integer(o->customer_id) : json_null());
	if (o->items)
		json_object_set_new(j, "items", items_json(o, 1));
	return j;
}

/* What a visitor sees of an order: no contact data, no prices. */
static json_t *order_public_json(const struct store_order *o)
{
	return json_pack("{s:s,s:s,s:o,s:s,s:s,s:I}", "number", o->number, "status", o->status, "items",
			 items_json(o, 0), "carrier", o->carrier, "tracking", o->tracking, "placed_at",
			 (json_int_t)o->placed_at);
}

/* ---- PUT /api/v1/sites/:id/orders/:number ---- */

/* Finds or creates the order's customer: by the shop's external id when given, else by
 * e-mail; 0 with *id (0 when the order names nobody). */
static int order_customer(struct app *a, int64_t site_id, const json_t *cust, const char *email, int64_t *id)
{
	const char *ext = json_get_str(cust, "external_id");
	const char *cemail = json_get_str(cust, "email");
	struct store_customer *c = xmalloc(sizeof(*c));
	int rc;
	*id = 0;
	if (cemail && *cemail)
		email = cemail;
	if (ext && *ext)
		rc = store_customer_by_external(a->st, site_id, ext, c);
	else if (email && *email)
		rc = store_customer_by_email(a->st, site_id, email, c);
	else
		rc = 1;
	if (rc == KF_ENOTFOUND)
		rc = crm_customer_create_min(a, site_id, ext, json_get_str(cust, "name"), email,
					     json_get_str(cust, "phone"), c);
	if (rc == 0)
		*id = c->id;
	free(c);
	return rc < 0 ? rc : 0;
}

int crm_order_store(struct app *a, struct store_order *o, const json_t *cust, enum store_upsert *what)
{
	crm_order_hash(o, cust, o->raw_hash);
	if (!o->updated_at)
		o->updated_at = time_now_s();
	int rc = order_customer(a, o->site_id, cust, o->email, &o->customer_id);
	if (rc == 0 && (rc = store_order_upsert(a->st, o, what)) == 0)
		crm_loyalty_on_order(a, o->site_id, o->id, NULL, o->status);   /* idempotent: retries too */
	return rc;
}

int crm_order_set_status(struct app *a, int64_t site_id, const char *number, const char *status)
{
	struct store_order o;
	enum store_upsert what;
	char old[sizeof(o.status)];
	int rc = store_order_get(a->st, site_id, number, &o);
	if (rc != 0)
		return rc;
	snprintf(old, sizeof(old), "%s", o.status);
	snprintf(o.status, sizeof(o.status), "%s", status);
	o.updated_at = time_now_s();
	/* no customer claim: the stored customer_id stays, and the shop's next push of other
	 * content still differs from this hash, so it is stored as the shop says */
	crm_order_hash(&o, NULL, o.raw_hash);
	rc = store_order_upsert(a->st, &o, &what);
	if (rc == 0)
		crm_loyalty_on_order(a, site_id, o.id, old, o.status);
	store_order_free(&o);
	return rc;
}

static void h_order_put(struct http_req *r)
{
	struct app *a = app_of(r);
	int64_t site_id;
	struct store_order o;
	json_t *cust = NULL;
	char err[200];
	enum store_upsert what = STORE_UNCHANGED;
	if (crm_load_site(r, &site_id))
		return;
	const char *number = http_param(r, 1);
	if (!number || !crm_number_ok(number)) {
		http_reply_error(r, 422, "invalid_field", "the order number is 1 to 64 of A-Z a-z 0-9 _ -");
		return;
	}
	if (crm_order_from_json(r->json, number, &o, &cust, err, sizeof(err)) != 0) {
		http_reply_error(r, 422, "invalid_field", err);
		return;
	}
	o.site_id = site_id;
	int rc = crm_order_store(a, &o, cust, &what);
	json_decref(cust);
	store_order_free(&o);
	/* answer what is stored (a retry's "now" was not written) */
	if (rc != 0 || store_order_get(a->st, site_id, number, &o) != 0) {
		http_reply_error(r, 500, "internal", "could not store the order");
		return;
	}
	json_t *j = order_json(&o);
	store_order_free(&o);
	if (what == STORE_UNCHANGED)
		http_reply_json(r, 200, json_pack("{s:b,s:o}", "unchanged", 1, "order", j));
	else
		http_reply_json(r, what == STORE_CREATED ? 201 : 200,
				json_pack("{s:b,s:o}", what == STORE_CREATED ? "created" : "updated", 1, "order", j));
}

/* ---- agents: GET /api/v1/sites/:id/orders[/:number] ---- */

static int to_array(void *ud, const struct store_order *o)
{
	json_array_append_new(ud, order_json(o));
	return 0;
}

static int query_limit(struct http_req *r, int def, int max, int *out)
{
	const char *l = http_query(r, "limit");
	int64_t v = def;
	if (l && (parse_i64(l, strlen(l), &v) != 0 || v < 1 || v > max))
		return KF_EINVAL;
	*out = (int)v;
	return 0;
}

static void h_orders(struct http_req *r)
{
	int64_t site_id, customer = 0;
	int limit;
	const char *c;
	if (crm_load_site(r, &site_id))
		return;
	if ((c = http_query(r, "customer")) && (parse_i64(c, strlen(c), &customer) != 0 || customer < 1)) {
		http_reply_error(r, 422, "invalid_field", "customer: a customer id");
		return;
	}
	if (query_limit(r, 50, 200, &limit)) {
		http_reply_error(r, 422, "invalid_field", "limit: 1 to 200");
		return;
	}
	json_t *arr = json_array();
	store_order_each(app_of(r)->st, site_id, customer, limit, to_array, arr);
	http_reply_json(r, 200, json_pack("{s:o}", "orders", arr));
}

static void h_order_get(struct http_req *r)
{
	int64_t site_id;
	struct store_order o;
	if (crm_load_site(r, &site_id))
		return;
	const char *number = http_param(r, 1);
	if (!number || !crm_number_ok(number) || store_order_get(app_of(r)->st, site_id, number, &o) != 0) {
		http_reply_error(r, 404, "not_found", "no such order");
		return;
	}
	json_t *j = order_json(&o);
	store_order_free(&o);
	http_reply_json(r, 200, json_pack("{s:o}", "order", j));
}

/* ---- the widget: lookup and my orders ---- */

/* The signed-in customer's own standing for the widget: the points balance, and the current
 * member level's name and benefits (null when none). */
static json_t *member_json(struct store *st, int64_t site_id, int64_t customer)
{
	struct store_level_change lc;
	struct store_level lv[20];   /* an admin saves at most 20 (crm/loyalty.c) */
	int64_t points = 0;
	size_t n = 0;
	store_points_balance(st, customer, &points);
	json_t *j = json_pack("{s:I,s:n,s:n}", "points", (json_int_t)points, "level", "benefits");
	memset(&lc, 0, sizeof(lc));
	if (store_level_current(st, customer, &lc) != 0 || lc.level_id == 0)
		return j;
	json_object_set_new(j, "level", json_string(lc.level_name));
	if (store_levels_get(st, site_id, lv, KF_ARRAY_LEN(lv), &n) == 0)
		for (size_t i = 0; i < n; i++)
			if (lv[i].id == lc.level_id && lv[i].benefits[0])
				json_object_set_new(j, "benefits", json_string(lv[i].benefits));
	return j;
}

/* The site named by ?site=KEY, with CORS for its allowed origins (the widget runs on the
 * shop's pages). 1 after a reply (404). */
int crm_widget_site(struct http_req *r, struct store_site *s)
{
	const char *key = http_query(r, "site"), *origin = http_header(r, "origin");
	if (!key || store_site_by_key(app_of(r)->st, key, s) != 0) {
		http_reply_error(r, 404, "not_found", "no such site");
		return 1;
	}
	if (origin && chat_origin_allowed(s, origin)) {
		http_add_header(r, "Access-Control-Allow-Origin", origin);
		http_add_header(r, "Vary", "Origin");
	}
	return 0;
}

void crm_widget_preflight(struct http_req *r)
{
	struct store_site s;
	const char *origin = http_header(r, "origin");
	if (crm_widget_site(r, &s))
		return;
	if (!origin || !chat_origin_allowed(&s, origin)) {
		http_reply_error(r, 403, "forbidden", "origin not allowed for this site");
		return;
	}
	http_add_header(r, "Access-Control-Allow-Methods", "GET, POST");
	http_add_header(r, "Access-Control-Allow-Headers", "X-Visitor-Token, Content-Type");
	http_add_header(r, "Access-Control-Max-Age", "600");
	http_reply(r, 204, NULL, NULL, 0);
}

int crm_widget_customer(struct http_req *r, struct store_site *s, int64_t *customer)
{
	struct app *a = app_of(r);
	struct store_visitor v;
	struct store_link link;
	char hash[65];
	*customer = 0;
	if (crm_widget_site(r, s))
		return 1;
	const char *tok = http_header(r, "x-visitor-token");
	if (tok && strlen(tok) == 43)
		token_hash_hex(tok, 43, hash);
	if (!tok || strlen(tok) != 43 || store_visitor_by_token(a->st, s->id, hash, &v) != 0) {
		http_reply_error(r, 401, "unauthorized", "X-Visitor-Token must name a visitor of this site");
		return 1;
	}
	/* an agent's confirmation is for agents: what the visitor reads needs the shop's signature */
	if (store_customer_of_visitor(a->st, v.id, customer) != 0 || store_link_get(a->st, v.id, &link) != 0 ||
	    strcmp(link.source, "signed") != 0)
		*customer = 0;
	return 0;
}

/* 1 when the contact the visitor gave is the one on the order: e-mail case-insensitively,
 * phone by its digits (at least 5, so "" or "+" never matches). */
int crm_contact_matches(const struct store_order *o, const char *email, const char *phone)
{
	if (email)
		return o->email[0] && strcasecmp(o->email, email) == 0;
	char a[40], b[40];
	crm_phone_digits(o->phone, a, sizeof(a));
	crm_phone_digits(phone, b, sizeof(b));
	return strlen(a) >= 5 && strcmp(a, b) == 0;
}

static void lookup_failed(struct http_req *r, int64_t now)
{
	ratelimit_hit(lookup_rl, r->client_ip, now);
	http_reply_error(r, 404, "not_found", "no order with that number and e-mail or phone");
}

static void h_lookup(struct http_req *r)
{
	struct store_site s;
	struct store_order o;
	int64_t now = time_now_s();
	char sec[24];
	if (crm_widget_site(r, &s))
		return;
	if (!lookup_rl)
		lookup_rl = ratelimit_new(CRM_LOOKUP_FAILS, CRM_LOOKUP_WINDOW_S);
	unsigned wait = ratelimit_check(lookup_rl, r->client_ip, now);
	if (wait) {
		snprintf(sec, sizeof(sec), "%u", wait);
		http_add_header(r, "Retry-After", sec);
		http_reply_error(r, 429, "rate_limited", "too many failed lookups; try again later");
		return;
	}
	const char *number = json_get_str(r->json, "number"), *email = json_get_str(r->json, "email");
	const char *phone = json_get_str(r->json, "phone");
	if (!number || !crm_number_ok(number) || !email == !phone || strlen(email ? email : phone) > 254) {
		ratelimit_hit(lookup_rl, r->client_ip, now);
		http_reply_error(r, 422, "invalid_field", "send number and either email or phone");
		return;
	}
	if (store_order_get(app_of(r)->st, s.id, number, &o) != 0) {
		lookup_failed(r, now);
		return;
	}
	if (!crm_contact_matches(&o, email, phone)) {
		store_order_free(&o);
		lookup_failed(r, now);
		return;
	}
	json_t *j = order_public_json(&o);
	store_order_free(&o);
	http_reply_json(r, 200, json_pack("{s:o}", "order", j));
}

struct numbers {
	char n[CRM_MINE_ORDERS][65];
	size_t count;
};

static int collect(void *ud, const struct store_order *o)
{
	struct numbers *ns = ud;
	if (ns->count < CRM_MINE_ORDERS)
		snprintf(ns->n[ns->count++], sizeof(ns->n[0]), "%s", o->number);
	return 0;
}

static void h_mine(struct http_req *r)
{
	struct app *a = app_of(r);
	struct store_site s;
	struct numbers ns = { .count = 0 };
	int64_t customer;
	if (crm_widget_customer(r, &s, &customer))
		return;
	if (!customer) {
		http_reply_error(r, 404, "not_identified", "the shop has not identified this visitor");
		return;
	}
	store_order_each(a->st, s.id, customer, CRM_MINE_ORDERS, collect, &ns);
	json_t *arr = json_array();
	for (size_t i = 0; i < ns.count; i++) {
		struct store_order o;
		if (store_order_get(a->st, s.id, ns.n[i], &o) != 0)
			continue;
		json_t *pj = order_public_json(&o);
		/* the signed-in customer's own orders: the total too (a lookup by number shows no prices) */
		json_object_set_new(pj, "total_cents", json_integer(o.total_cents));
		json_object_set_new(pj, "currency", json_string(o.currency));
		json_array_append_new(arr, pj);
		store_order_free(&o);
	}
	http_reply_json(r, 200, json_pack("{s:o,s:o}", "orders", arr, "member", member_json(a->st, s.id, customer)));
}

static const struct route routes[] = {
	{ M_PUT, "/api/v1/sites/:id/orders/:number", h_order_put, ROUTE_JSON, ACCESS_ADMIN, "orders:write", "api", NULL },
	{ M_GET, "/api/v1/sites/:id/orders", h_orders, 0, ACCESS_AGENT, "orders:read", "api", NULL },
	{ M_GET, "/api/v1/sites/:id/orders/:number", h_order_get, 0, ACCESS_AGENT, "orders:read", "api", NULL },
	{ M_POST, "/api/v1/orders/lookup", h_lookup, ROUTE_JSON, ACCESS_PUBLIC, NULL, "api", NULL },
	{ M_OPTIONS, "/api/v1/orders/lookup", crm_widget_preflight, 0, ACCESS_PUBLIC, NULL, "api", NULL },
	{ M_GET, "/api/v1/orders/mine", h_mine, 0, ACCESS_PUBLIC, NULL, "api", NULL },
	{ M_OPTIONS, "/api/v1/orders/mine", crm_widget_preflight, 0, ACCESS_PUBLIC, NULL, "api", NULL },
};

void crm_register(struct http_server *s)
{
	http_routes_add(s, routes, KF_ARRAY_LEN(routes));
	crm_customers_register(s);
	crm_loyalty_register(s);
	crm_import_register(s);
	crm_rfm_register(s);
	crm_panel_register(s);
	crm_merge_register(s);
	crm_confirm_register(s);
	crm_offers_register(s);
	crm_page_register(s);
}

void crm_shutdown(void)
{
	ratelimit_free(lookup_rl);
	lookup_rl = NULL;
}
