/* crm/crm_page.c - the server side of the console's CRM page (issue 6; docs/crm.md "The CRM
 * page"): the customer list with filters (tier, segment, level, text, lifetime spend), a
 * fixed set of sort keys, paging and a total; the feed of tier changes, where a key account
 * that drops a tier is the "going quiet" event; and a customer's timeline, merged from orders,
 * chats, page visits, points, tier and level history by one query (store/store_crmlist.h).
 * Query strings are strict: a key the route does not know is 422, so a typo in a filter is an
 * error instead of a silently unfiltered list. */
#include "crm/crm_page.h"
#include "crm/crm.h"
#include "crm/crm_int.h"
#include "crm/rfm.h"
#include "app/app.h"
#include "auth/auth.h"
#include "core/alloc.h"
#include "core/arena.h"
#include "core/kf.h"
#include "core/util.h"
#include "store/store.h"
#include "store/store_crm.h"
#include "store/store_crmlist.h"
#include "store/store_loyalty.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_MAX 200
#define PAGE_DEFAULT 50
#define MONEY_MAX 1000000000000000LL   /* 10^15 cents, as the RFM rules' spent_min */
#define LEVELS_MAX 64                  /* more than an admin can save (crm/loyalty.c) */

static const char *const SORTS[CRMLIST_SORT_COUNT] = { "updated", "name", "lifetime", "last_order", "orders",
						       "points", "created" };

/* ---- query strings ---- */

/* NULL when every key of the query string is in known (a NULL-terminated list), else the
 * message for the 422. */
static const char *keys_known(const struct http_req *r, const char *const *known, const char *msg)
{
	const char *p = r->query;
	while (p && *p) {
		size_t n = strcspn(p, "&"), k = strcspn(p, "=&");
		int ok = n == 0;
		for (size_t i = 0; !ok && known[i]; i++)
			ok = strlen(known[i]) == k && memcmp(known[i], p, k) == 0;
		if (!ok)
			return msg;
		p += n + (p[n] == '&');
	}
	return NULL;
}

/* ?name= as an integer in min..max; absent keeps *out. 0, or -1 when malformed. */
static int int_param(struct http_req *r, const char *name, int64_t min, int64_t max, int64_t *out)
{
	const char *v = http_query(r, name);
	int64_t x;
	if (!v)
		return 0;
	if (parse_i64(v, strlen(v), &x) != 0 || x < min || x > max)
		return -1;
	*out = x;
	return 0;
}

/* ?name= as a key of key_of(0..count); absent keeps *out (-1 = any). 0, or -1 when unknown. */
static int key_param(struct http_req *r, const char *name, const char *(*key_of)(int), int count, int *out)
{
	const char *v = http_query(r, name);
	if (!v)
		return 0;
	for (int i = 0; i < count; i++)
		if (key_of(i) && strcmp(v, key_of(i)) == 0) {
			*out = i;
			return 0;
		}
	return -1;
}

static const char *sort_key(int i)
{
	return i >= 0 && i < CRMLIST_SORT_COUNT ? SORTS[i] : NULL;
}

/* ---- the customer list ---- */

static const char *list_filter(struct http_req *r, struct store_crmlist_filter *f)
{
	static const char *const known[] = { "q", "limit", "offset", "tier", "segment", "level", "min_spend",
					     "sort", NULL };
	int64_t limit = PAGE_DEFAULT, level = 0;
	const char *bad = keys_known(r, known, "unknown parameter (q, limit, offset, tier, segment, level, "
					   "min_spend, sort)");
	f->q = http_query(r, "q");
	if (!f->q)
		f->q = "";
	if (!bad && strlen(f->q) > 200)
		bad = "q: at most 200 bytes";
	if (!bad && int_param(r, "limit", 1, PAGE_MAX, &limit))
		bad = "limit: 1 to 200";
	if (!bad && int_param(r, "offset", 0, 1000000000, &f->offset))
		bad = "offset: 0 to 10^9";
	if (!bad && key_param(r, "tier", rfm_tier_key, RFM_TIER_COUNT, &f->tier))
		bad = "tier: none, key, active, occasional or registered";
	if (!bad && key_param(r, "segment", rfm_segment_key, RFM_SEG_COUNT, &f->segment))
		bad = "segment: not a known segment key";
	if (!bad && int_param(r, "level", 1, INT64_MAX, &level))
		bad = "level: a member level id";
	if (!bad && int_param(r, "min_spend", 0, MONEY_MAX, &f->min_spend))
		bad = "min_spend: cents, 0 to 10^15";
	if (!bad && key_param(r, "sort", sort_key, CRMLIST_SORT_COUNT, &f->sort))
		bad = "sort: updated, name, lifetime, last_order, orders, points or created";
	f->limit = (int)limit;
	f->level_id = level;
	return bad;
}

const char *crm_page_export_filter(struct http_req *r, struct store_crmlist_filter *f)
{
	static const char *const known[] = { "tier", "segment", "q", "level", "min_spend", NULL };
	const char *bad = keys_known(r, known, "unknown parameter (tier, segment, q, level, min_spend)");
	memset(f, 0, sizeof(*f));
	f->tier = f->segment = -1;
	f->q = http_query(r, "q");
	if (!f->q)
		f->q = "";
	if (bad)
		return bad;
	if (key_param(r, "tier", rfm_tier_key, RFM_TIER_COUNT, &f->tier) ||
	    key_param(r, "segment", rfm_segment_key, RFM_SEG_COUNT, &f->segment))
		return "tier or segment: not a known key";
	if (strlen(f->q) > 200)
		return "q: at most 200 bytes";
	if (int_param(r, "level", 1, INT64_MAX, &f->level_id))
		return "level: a member level id";
	if (int_param(r, "min_spend", 0, MONEY_MAX, &f->min_spend))
		return "min_spend: cents, 0 to 10^15";
	return NULL;
}

/* The list's figures beside the profile, named as in the customer panel (crm/panel.c). */
static void add_figures(json_t *j, const struct store_crmlist_facts *x)
{
	json_t *rfm = json_null();
	if (x->has_rfm)
		rfm = json_pack("{s:i,s:i,s:i,s:s,s:s}", "r", x->r, "f", x->f, "m", x->m, "segment",
				rfm_segment_key(x->segment) ? rfm_segment_key(x->segment) : "none", "tier",
				rfm_tier_key(x->tier) ? rfm_tier_key(x->tier) : "none");
	json_object_set_new(j, "rfm", rfm);
	json_object_set_new(j, "orders_count", json_integer(x->orders));
	json_object_set_new(j, "lifetime_cents", json_integer(x->lifetime_cents));
	json_object_set_new(j, "last_order_at", json_integer(x->last_order_at));
	json_object_set_new(j, "points_balance", json_integer(x->points));
	json_object_set_new(j, "level", x->level_id ? json_pack("{s:I,s:s}", "id", (json_int_t)x->level_id, "name",
								x->level_name)
						    : json_null());
}

static json_t *page_json(struct store *st, const int64_t *ids, size_t n,
			 json_t *(*to_json)(const struct store_customer *c))
{
	json_t *arr = json_array();
	struct store_customer *c = xmalloc(sizeof(*c));
	struct store_crmlist_facts x;
	for (size_t i = 0; i < n; i++) {
		if (store_customer_get(st, ids[i], c) != 0)
			continue;   /* deleted between the two reads */
		json_t *j = to_json(c);
		memset(&x, 0, sizeof(x));
		store_crmlist_facts(st, ids[i], &x);
		add_figures(j, &x);
		json_array_append_new(arr, j);
	}
	free(c);
	return arr;
}

/* The answer for one filter from st: 0 with *out, or an error. */
static int list_answer(struct store *st, int64_t site_id, const struct store_crmlist_filter *f,
		       json_t *(*to_json)(const struct store_customer *c), json_t **out)
{
	int64_t total = 0, ids[PAGE_MAX];
	size_t n = 0;
	if (store_crmlist_count(st, site_id, f, &total) || store_crmlist_page(st, site_id, f, ids, PAGE_MAX, &n))
		return KF_EIO;
	*out = json_pack("{s:o,s:I,s:i,s:I}", "customers", page_json(st, ids, n, to_json), "total", (json_int_t)total,
			 "limit", f->limit, "offset", (json_int_t)f->offset);
	return 0;
}

/* A filter on lifetime value sums every customer's delivered orders, and a sort by points sums
 * every customer's ledger: seconds on a big site (100k customers, 1M orders, 800k ledger rows),
 * so those run on the worker pool with their own connection and the loop keeps serving chats. The filter's q points into r's arena, which lives until
 * the reply. */
struct list_job {
	int64_t site_id;
	struct store_crmlist_filter f;
	json_t *(*to_json)(const struct store_customer *c);
	char db_path[1100];
	json_t *out;
	int rc;
};

static void list_work(struct http_req *r)
{
	struct list_job *j = r->job;
	struct store *st = NULL;
	j->rc = store_open(j->db_path, &st);
	if (j->rc == 0) {
		j->rc = list_answer(st, j->site_id, &j->f, j->to_json, &j->out);
		store_close_worker(st);
	}
}

static void list_done(struct http_req *r)
{
	struct list_job *j = r->job;
	if (j->rc)
		http_reply_error(r, 500, "internal", "could not list the customers");
	else
		http_reply_json(r, 200, j->out);
}

void crm_page_list(struct http_req *r, int64_t site_id, json_t *(*to_json)(const struct store_customer *c))
{
	struct store_crmlist_filter f = { .tier = -1, .segment = -1, .limit = PAGE_DEFAULT };
	json_t *out = NULL;
	const char *bad = list_filter(r, &f);
	if (bad) {
		http_reply_error(r, 422, "invalid_field", bad);
		return;
	}
	if (f.min_spend > 0 || f.sort == CRMLIST_SORT_LIFETIME || f.sort == CRMLIST_SORT_POINTS) {
		struct list_job *j = arena_alloc(&r->arena, sizeof(*j));
		memset(j, 0, sizeof(*j));
		j->site_id = site_id;
		j->f = f;
		j->to_json = to_json;
		snprintf(j->db_path, sizeof(j->db_path), "%s", app_of(r)->db_path);
		r->job = j;
		http_defer(r, list_work, list_done);
		return;
	}
	if (list_answer(app_of(r)->st, site_id, &f, to_json, &out)) {
		http_reply_error(r, 500, "internal", "could not list the customers");
		return;
	}
	http_reply_json(r, 200, out);
}

/* ---- tier changes ---- */

static int change_add(void *ud, const struct store_tier_change *c)
{
	const char *from = rfm_tier_key(c->from), *to = rfm_tier_key(c->to);
	json_array_append_new(ud, json_pack("{s:I,s:s,s:s,s:s,s:I}", "customer_id", (json_int_t)c->customer_id, "name",
					    c->name, "from_tier", from ? from : "none", "to_tier", to ? to : "none",
					    "at", (json_int_t)c->at));
	return 0;
}

/* GET /api/v1/sites/:id/crm/tier-changes?drop=1&from=key&limit=50 -> {"changes":[...]}. */
static void h_tier_changes(struct http_req *r)
{
	static const char *const known[] = { "drop", "from", "limit", NULL };
	int64_t site_id, drop = 0, limit = PAGE_DEFAULT;
	int from = -1;
	if (crm_load_site(r, &site_id))
		return;
	const char *bad = keys_known(r, known, "unknown parameter (drop, from, limit)");
	if (!bad && int_param(r, "drop", 0, 1, &drop))
		bad = "drop: 0 or 1";
	if (!bad && key_param(r, "from", rfm_tier_key, RFM_TIER_COUNT, &from))
		bad = "from: none, key, active, occasional or registered";
	if (!bad && int_param(r, "limit", 1, PAGE_MAX, &limit))
		bad = "limit: 1 to 200";
	if (bad) {
		http_reply_error(r, 422, "invalid_field", bad);
		return;
	}
	json_t *arr = json_array();
	if (store_crmlist_tier_changes(app_of(r)->st, site_id, (int)drop, from, (int)limit, change_add, arr)) {
		json_decref(arr);
		http_reply_error(r, 500, "internal", "could not read the tier changes");
		return;
	}
	http_reply_json(r, 200, json_pack("{s:o}", "changes", arr));
}

/* ---- the timeline ---- */

struct items {
	struct store_timeline_item *v;
	size_t n, cap;
};

static int item_add(void *ud, const struct store_timeline_item *it)
{
	struct items *x = ud;
	if (x->n < x->cap)
		x->v[x->n++] = *it;
	return x->n >= x->cap;
}

static json_t *item_json(const struct store_timeline_item *it)
{
	json_t *j = json_pack("{s:s,s:I}", "kind", it->kind, "at", (json_int_t)it->at);
	json_t *more = NULL;
	if (strcmp(it->kind, "order") == 0)
		more = json_pack("{s:I,s:s,s:s,s:s,s:I}", "order_id", (json_int_t)it->ref, "number", it->a, "status", it->b,
				 "currency", it->c, "total_cents", (json_int_t)it->n1);
	else if (strcmp(it->kind, "chat") == 0)
		more = json_pack("{s:I,s:s,s:s,s:I}", "conversation_id", (json_int_t)it->ref, "status", it->a, "last_text",
				 it->b, "messages", (json_int_t)it->n1);
	else if (strcmp(it->kind, "visit") == 0)
		more = json_pack("{s:I,s:s,s:s,s:I,s:I}", "visitor_id", (json_int_t)it->ref, "url", it->a, "title", it->b,
				 "pages", (json_int_t)it->n1, "seconds", (json_int_t)it->n2);
	else if (strcmp(it->kind, "points") == 0)
		more = json_pack("{s:s,s:s,s:I}", "reason", it->a, "note", it->b, "delta", (json_int_t)it->n1);
	else if (strcmp(it->kind, "tier") == 0)
		more = json_pack("{s:s,s:s}", "from", rfm_tier_key((int)it->n1) ? rfm_tier_key((int)it->n1) : "none",
				 "to", rfm_tier_key((int)it->n2) ? rfm_tier_key((int)it->n2) : "none");
	else
		more = json_pack("{s:s,s:s}", "level", it->a, "from_level", it->b);
	json_object_update(j, more);
	json_decref(more);
	return j;
}

/* With one entry more than the page, a page never ends inside a second whose other entries
 * the next page (before = the last entry's second, exclusive) would skip: the boundary
 * second is left to the next page, unless it fills the whole page. n is the page's length. */
static size_t page_cut(const struct items *x, size_t limit)
{
	size_t n = x->n > limit ? limit : x->n;
	if (x->n <= limit)
		return n;
	int64_t edge = x->v[limit].at;
	while (n > 0 && x->v[n - 1].at == edge)
		n--;
	return n ? n : limit;
}

/* GET /api/v1/customers/:id/timeline?limit=50&before=SECONDS -> {"items":[...],"next_before"}. */
static void h_timeline(struct http_req *r)
{
	static const char *const known[] = { "limit", "before", NULL };
	struct app *a = app_of(r);
	struct store_customer *c = xmalloc(sizeof(*c));
	int64_t id, limit = PAGE_DEFAULT, before = INT64_MAX;
	int missing = crm_param_id(r, 0, &id) || store_customer_get(a->st, id, c) != 0 || !crm_site_allowed(r, c->site_id);
	free(c);
	if (missing) {
		http_reply_error(r, 404, "not_found", "no such customer");
		return;
	}
	const char *bad = keys_known(r, known, "unknown parameter (limit, before)");
	if (!bad && int_param(r, "limit", 1, PAGE_MAX, &limit))
		bad = "limit: 1 to 200";
	if (!bad && int_param(r, "before", 1, INT64_MAX, &before))
		bad = "before: unix seconds";
	if (bad) {
		http_reply_error(r, 422, "invalid_field", bad);
		return;
	}
	struct items x = { xmalloc((size_t)(limit + 1) * sizeof(*x.v)), 0, (size_t)limit + 1 };
	int rc = store_crmlist_timeline(a->st, id, before, (int)limit + 1, item_add, &x);
	size_t n = page_cut(&x, (size_t)limit);
	json_t *arr = json_array();
	for (size_t i = 0; rc == 0 && i < n; i++)
		json_array_append_new(arr, item_json(&x.v[i]));
	json_t *next = x.n > (size_t)limit ? json_integer(x.v[n - 1].at) : json_null();
	free(x.v);
	if (rc) {
		json_decref(arr);
		json_decref(next);
		http_reply_error(r, 500, "internal", "could not read the timeline");
		return;
	}
	http_reply_json(r, 200, json_pack("{s:I,s:o,s:o}", "customer_id", (json_int_t)id, "items", arr, "next_before",
					  next));
}

/* GET /api/v1/sites/:id/crm/levels -> {"levels":[{id, name}]}, lowest first: the level
 * filter's choices for agents and supervisors (the levels' own route is for admins). */
static void h_levels(struct http_req *r)
{
	int64_t site_id;
	size_t n = 0;
	if (crm_load_site(r, &site_id))
		return;
	struct store_level *lv = xmalloc(LEVELS_MAX * sizeof(*lv));
	json_t *arr = json_array();
	int rc = store_levels_get(app_of(r)->st, site_id, lv, LEVELS_MAX, &n);
	for (size_t i = 0; rc == 0 && i < n; i++)
		json_array_append_new(arr, json_pack("{s:I,s:s}", "id", (json_int_t)lv[i].id, "name", lv[i].name));
	free(lv);
	if (rc) {
		json_decref(arr);
		http_reply_error(r, 500, "internal", "could not read the levels");
		return;
	}
	http_reply_json(r, 200, json_pack("{s:o}", "levels", arr));
}

static const struct route routes[] = {
	{ M_GET, "/api/v1/sites/:id/crm/levels", h_levels, 0, ACCESS_AGENT, "customers:read", "api", NULL },
	{ M_GET, "/api/v1/sites/:id/crm/tier-changes", h_tier_changes, 0, ACCESS_AGENT, "customers:read", "api", NULL },
	{ M_GET, "/api/v1/customers/:id/timeline", h_timeline, 0, ACCESS_AGENT, "customers:read", "api", NULL },
};

void crm_page_register(struct http_server *s)
{
	http_routes_add(s, routes, KF_ARRAY_LEN(routes));
}
