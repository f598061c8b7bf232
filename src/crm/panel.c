/* crm/panel.c - "the customer beside the chat" (issue 6): one read for the agent workspace that
 * gathers who a visitor is (the customer their active signed-identity link names), their
 * points, level, lifetime value, recent orders and past conversations, so the console's side
 * column needs one request per conversation instead of five. Only what the store already
 * offers is used: the CRM's statement slots are full, so past conversations are found by
 * walking the newest conversations and keeping those of the customer's visitors (bounded).
 * RFM comes from the last recompute (store_rfm.h); null until one ran. */
#include "crm/crm.h"
#include "crm/crm_int.h"
#include "crm/merge.h"
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
#include "store/store_rfm.h"
#include <stdlib.h>
#include <string.h>

#define PANEL_ORDERS 5
#define PANEL_CONVS 10
#define PANEL_CONV_SCAN 2000      /* newest conversations looked at for past ones */
#define PANEL_ORDER_SCAN 100000   /* orders counted, an upper bound on the walk */

static json_t *stored(const char *text, json_t *fallback)
{
	json_t *v = json_loads(text, 0, NULL);
	if (!v)
		return fallback;
	json_decref(fallback);
	return v;
}

struct orders_acc {
	json_t *recent;
	int64_t count;
};

static int order_cb(void *ud, const struct store_order *o)
{
	struct orders_acc *acc = ud;
	if (acc->count++ < PANEL_ORDERS)
		json_array_append_new(acc->recent,
				      json_pack("{s:s,s:s,s:I,s:s,s:I,s:s,s:s}", "number", o->number, "status",
						o->status, "total_cents", (json_int_t)o->total_cents, "currency",
						o->currency, "placed_at", (json_int_t)o->placed_at, "carrier", o->carrier,
						"tracking", o->tracking));
	return 0;
}

struct convs_acc {
	struct store *st;
	int64_t site_id, visitor_id, customer_id;   /* customer_id 0: only visitor_id's */
	json_t *arr;
};

/* Keeps c when it is the visitor's or (through an active link) the customer's. */
static int conv_cb(void *ud, const struct store_conv *c)
{
	struct convs_acc *acc = ud;
	if (c->site_id != acc->site_id)
		return 0;
	int64_t cust = 0;
	int mine = c->visitor_id == acc->visitor_id ||
		   (acc->customer_id && store_customer_of_visitor(acc->st, c->visitor_id, &cust) == 0 &&
		    cust == acc->customer_id);
	if (mine)
		json_array_append_new(acc->arr, json_pack("{s:I,s:I,s:s}", "id", (json_int_t)c->id, "created_at",
							  (json_int_t)c->created_at, "status", c->status));
	return json_array_size(acc->arr) >= PANEL_CONVS;
}

static json_t *level_json(struct store *st, int64_t customer_id)
{
	struct store_level_change lc;
	memset(&lc, 0, sizeof(lc));
	if (store_level_current(st, customer_id, &lc) != 0 || lc.level_id == 0)
		return json_null();
	return json_pack("{s:s}", "name", lc.level_name);
}

/* The stored scores with stable keys and their names in lang (never computed: null). */
static json_t *rfm_json(struct app *a, int64_t site_id, int64_t customer_id, const char *lang)
{
	struct store_rfm_row w;
	char sbuf[64], tbuf[64];
	if (store_rfm_get(a->st, customer_id, &w) != 0)
		return json_null();
	const char *sk = rfm_segment_key(w.segment), *tk = rfm_tier_key(w.tier);
	/* the shop's own names where it set them (crm/names.c) */
	const char *sn = crm_rfm_name(a, site_id, 0, w.segment, lang, sbuf, sizeof(sbuf));
	const char *tn = crm_rfm_name(a, site_id, 1, w.tier, lang, tbuf, sizeof(tbuf));
	return json_pack("{s:i,s:i,s:i,s:s,s:s,s:s,s:s}", "r", w.r, "f", w.f, "m", w.m, "segment", sk ? sk : "none",
			 "tier", tk ? tk : "none", "segment_name", sn ? sn : "", "tier_name", tn ? tn : "");
}

static json_t *customer_json(struct app *a, const struct store_customer *c, const char *lang)
{
	struct store *st = a->st;
	struct orders_acc acc = { json_array(), 0 };
	int64_t spend = 0, points = 0;
	store_order_each(st, c->site_id, c->id, PANEL_ORDER_SCAN, order_cb, &acc);
	store_customer_spend(st, c->id, 0, &spend);
	store_points_balance(st, c->id, &points);
	json_t *j = json_pack("{s:I,s:s,s:o,s:o,s:o,s:s,s:I,s:I,s:I,s:o,s:o,s:o}", "id", (json_int_t)c->id, "name",
			      c->name, "emails", stored(c->emails, json_array()), "phones",
			      stored(c->phones, json_array()), "tags", json_words(c->tags), "notes", c->notes,
			      "lifetime_cents", (json_int_t)spend, "orders_count", (json_int_t)acc.count,
			      "points_balance", (json_int_t)points, "level", level_json(st, c->id), "rfm",
			      rfm_json(a, c->site_id, c->id, lang), "recent_orders", acc.recent);
	json_object_set_new(j, "external_id", c->external_id[0] ? json_string(c->external_id) : json_null());
	json_object_set_new(j, "site_id", json_integer(c->site_id));
	json_object_set_new(j, "custom", stored(c->custom, json_object()));   /* shown with the site's field labels */
	return j;
}

/* GET /api/v1/visitors/:id/customer: agents of the visitor's site (admins, members). */
static void h_panel(struct http_req *r)
{
	struct store *st = app_of(r)->st;
	struct store_visitor v;
	int64_t vid, cid = 0;
	if (crm_param_id(r, 0, &vid) || store_visitor_get(st, vid, &v) != 0 || !crm_site_allowed(r, v.site_id)) {
		http_reply_error(r, 404, "not_found", "no such visitor");
		return;
	}
	struct store_customer *c = xmalloc(sizeof(*c));
	json_t *cust = json_null();
	if (store_customer_of_visitor(st, vid, &cid) == 0 && store_customer_get(st, cid, c) == 0 &&
	    c->site_id == v.site_id) {
		json_decref(cust);
		const char *lang = http_query(r, "lang");   /* names only; rfm.h falls back to English */
		cust = customer_json(app_of(r), c, lang && strlen(lang) < 8 ? lang : "en");
	} else {
		cid = 0;
	}
	free(c);
	struct convs_acc acc = { st, v.site_id, vid, cid, json_array() };
	store_conv_each(st, 0, "all", PANEL_CONV_SCAN, conv_cb, &acc);
	json_t *out = json_pack("{s:o,s:o}", "customer", cust, "conversations", acc.arr);
	/* agent-confirmed identity (crm/confirm.c): whom the e-mail/phone the visitor left matches */
	json_object_set_new(out, "candidates", cid ? json_array() : crm_confirm_candidates(st, &v));
	json_object_set_new(out, "link", crm_confirm_link_json(st, vid));
	http_reply_json(r, 200, out);
}

static const struct route routes[] = {
	{ M_GET, "/api/v1/visitors/:id/customer", h_panel, 0, ACCESS_AGENT, "customers:read", "api", NULL },
};

void crm_panel_register(struct http_server *s)
{
	http_routes_add(s, routes, KF_ARRAY_LEN(routes));
}
