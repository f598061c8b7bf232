/* track/routes.c - tracking's HTTP side: the widget's report call (POST /api/v1/track), the
 * live visitor list, a visitor's page trail, the per-site switch and two demo product pages;
 * plus the route table and the module's lifecycle. The wire format is docs/tracking.md.
 *
 * The report call answers from memory: it validates the whole body first (so a bad request
 * leaves nothing behind), updates the visitor's presence, and queues the events; the database
 * sees them within 200 ms in one transaction with their neighbours (queue.c). */
#include "track/track.h"
#include "app/app.h"
#include "auth/auth.h"
#include "chat/chat_int.h"   /* chat_origin_allowed: the visitor socket's origin rule */
#include "core/buf.h"
#include "core/json.h"
#include "core/kf.h"
#include "core/log.h"
#include "core/ratelimit.h"
#include "core/util.h"
#include "store/store.h"
#include "store/store_track.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define DAY_MS 86400000LL
#define MAX_BODY 16384        /* bytes of one report */
#define MAX_EVENTS 20         /* events in one report */
#define MAX_URL 2048          /* bytes of url and referrer */
#define MAX_TITLE 1024        /* bytes of a title (kept: the first 511) */
#define MAX_SECONDS 3600      /* seconds one ping or leave may add */
#define LIVE_MAX 500          /* visitors in one live list */
#define TRAIL_MAX 50          /* page views in a trail */
#define SWEEP_MS 60000
#define TOP_KEEP 30           /* keys a finished day keeps per top list */

static struct ratelimit *per_ip;
static struct ratelimit *new_per_ip;   /* visitors made by reports without a known token */
static uv_timer_t sweep_timer;
static int sweep_ready;
static int64_t compacted_day = -1;   /* the last day whose top lists are compacted */

/* ---- validation of a report ---- */

static int has_only(json_t *o, const char *const *keys)
{
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v) {
		size_t i = 0;
		while (keys[i] && strcmp(keys[i], k) != 0)
			i++;
		if (!keys[i])
			return 0;
	}
	return 1;
}

/* 1 when o[key] is absent, or a string of at most max bytes (and not empty when required). */
static int str_ok(json_t *o, const char *key, size_t max, int required)
{
	json_t *v = json_object_get(o, key);
	if (!v)
		return !required;
	return json_is_string(v) && json_string_length(v) <= max && (!required || json_string_length(v) > 0);
}

static int lang_ok(json_t *o)
{
	const char *l = json_get_str(o, "lang");
	return !json_object_get(o, "lang") ||
	       (l && strlen(l) < 16 && strspn(l, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == strlen(l));
}

/* NULL when the event is well formed, else what is wrong with it. */
static const char *event_problem(json_t *e)
{
	static const char *const view_keys[] = { "type", "url", "title", "referrer", "lang", "screen", NULL };
	static const char *const time_keys[] = { "type", "seconds", NULL };
	const char *type = json_get_str(e, "type");
	char host[256];
	if (!json_is_object(e) || !type)
		return "events: objects with a type (view, ping or leave)";
	if (strcmp(type, "ping") == 0 || strcmp(type, "leave") == 0) {
		json_t *s = json_object_get(e, "seconds");
		if (!has_only(e, time_keys) || !json_is_integer(s) || json_integer_value(s) < 0 ||
		    json_integer_value(s) > MAX_SECONDS)
			return "ping and leave: {type, seconds: 0-3600}";
		return NULL;
	}
	if (strcmp(type, "view") != 0)
		return "events: type must be view, ping or leave";
	if (!has_only(e, view_keys))
		return "view: only type, url, title, referrer, lang and screen";
	if (!str_ok(e, "url", MAX_URL, 1) || track_host(json_get_str(e, "url"), host, sizeof(host)) != 0)
		return "view: url must be an http(s) URL of at most 2048 bytes";
	if (!str_ok(e, "title", MAX_TITLE, 0) || !str_ok(e, "referrer", MAX_URL, 0))
		return "view: title (at most 1024 bytes) and referrer (at most 2048 bytes) are strings";
	if (!lang_ok(e))
		return "view: lang is a language tag such as zh-CN";
	if (json_object_get(e, "screen") && !track_screen_valid(json_get_str(e, "screen") ? json_get_str(e, "screen") : ""))
		return "view: screen is WIDTHxHEIGHT";
	return NULL;
}

/* The events array of a report, or NULL after answering what is wrong. */
static json_t *report_events(struct http_req *r, json_t *body)
{
	static const char *const keys[] = { "token", "events", NULL };
	json_t *events = json_object_get(body, "events"), *e;
	json_t *tok = json_object_get(body, "token");
	size_t i;
	const char *bad = NULL;
	if (!has_only(body, keys))
		bad = "a report has only token and events";
	else if (tok && (!json_is_string(tok) || json_string_length(tok) > 64))
		bad = "token: the visitor token (a string)";
	else if (!json_is_array(events) || json_array_size(events) < 1 || json_array_size(events) > MAX_EVENTS)
		bad = "events: an array of 1-20 events";
	json_array_foreach(events, i, e) {
		if (bad)
			break;
		bad = event_problem(e);
	}
	if (bad) {
		http_reply_error(r, 422, "invalid_field", bad);
		return NULL;
	}
	return events;
}

/* ---- applying a report ---- */

/* The visitor's presence entry, made when missing (a full table drops its stalest entry) from
 * what the database knows plus what the queue has not written yet: no flush on this path. */
static struct track_presence *presence_for(struct app *a, const struct store_visitor *vis)
{
	struct track_presence *p = track_presence_get(vis->id);
	struct store_track_visitor tv;
	if (p) {
		track_presence_touch(p);
		return p;
	}
	p = track_presence_add(vis->id);
	p->site_id = vis->site_id;
	memset(&tv, 0, sizeof(tv));
	int found = store_track_visitor_get(a->st, vis->id, &tv) == 0;
	if (track_queue_visitor(vis->id, &tv, found)) {
		p->first_at = tv.first_at;
		p->last = p->visit_start = tv.last_at;
		p->visits = tv.visits;
		/* The latest page view, not the latest report: heartbeats past midnight must not
		 * make the new day think it has counted the visitor already. */
		p->last_day = tv.last_view_at / DAY_MS;
		snprintf(p->country, sizeof(p->country), "%s", tv.country);
		utf8_copy(p->city, sizeof(p->city), tv.city);
	}
	return p;
}

/* Starts a visit when this is the visitor's first view or the last report is a visit ago. */
static int visit_logic(struct http_req *r, struct track_presence *p, int64_t now)
{
	int new_visit = !p->visits || now - p->last >= TRACK_VISIT_MS;
	if (!p->visits)
		p->first_at = now;
	if (new_visit) {
		p->visits++;
		p->visit_start = now;
		p->pages = 0;
		track_geoip_lookup(r->client_ip, p->country, p->city, sizeof(p->city));
	}
	p->pages++;
	p->last = now;
	p->left = 0;
	return new_visit;
}

static void on_view(struct http_req *r, struct track_presence *p, json_t *ev, int64_t now)
{
	const char *url = json_get_str(ev, "url"), *title = json_get_str(ev, "title");
	const char *ref = json_get_str(ev, "referrer"), *lang = json_get_str(ev, "lang");
	const char *screen = json_get_str(ev, "screen");
	int64_t day = now / DAY_MS;
	int new_visit = visit_logic(r, p, now);
	struct store_track_event *e = track_queue_next(app_of(r));
	e->type = STORE_TRACK_VIEW;
	e->site_id = p->site_id;
	e->visitor_id = p->visitor_id;
	e->at = now;
	e->day_visitor = p->last_day != day;
	e->new_visitor = p->first_at / DAY_MS == day;
	e->new_visit = new_visit;
	e->first_at = p->first_at;
	e->visits = p->visits;
	p->last_day = day;
	utf8_copy(e->url, sizeof(e->url), url);
	track_page_key(url, e->page, sizeof(e->page));
	utf8_copy(e->title, sizeof(e->title), title ? title : "");
	utf8_copy(e->referrer, sizeof(e->referrer), ref ? ref : "");
	track_ref_host(e->referrer, url, e->ref_host, sizeof(e->ref_host));
	track_utm(url, e->utm_source, sizeof(e->utm_source), e->utm_medium, sizeof(e->utm_medium), e->utm_campaign,
		  sizeof(e->utm_campaign));
	track_browser(http_header(r, "user-agent"), e->browser, sizeof(e->browser));
	snprintf(e->screen, sizeof(e->screen), "%s", screen ? screen : "");
	snprintf(e->country, sizeof(e->country), "%s", p->country);
	utf8_copy(e->city, sizeof(e->city), p->city);
	/* The referrer the live list shows is the visit's first page's. */
	track_presence_text(p, url, e->title, new_visit ? e->referrer : NULL);
	utf8_copy(p->browser, sizeof(p->browser), e->browser);
	if (lang)
		snprintf(p->lang, sizeof(p->lang), "%s", lang);
}

static void on_time(struct http_req *r, struct track_presence *p, json_t *ev, int64_t now)
{
	if (!p->visits)
		return;   /* time on a page never reported: nothing to add it to */
	p->last = now;
	p->left = strcmp(json_get_str(ev, "type"), "leave") == 0;
	json_int_t secs = json_integer_value(json_object_get(ev, "seconds"));
	if (!secs)
		return;
	struct store_track_event *e = track_queue_next(app_of(r));
	e->type = STORE_TRACK_TIME;
	e->site_id = p->site_id;
	e->visitor_id = p->visitor_id;
	e->at = now;
	e->seconds = secs;
}

/* 429 with Retry-After when the limiter says wait; 0 when key may go on. */
static int limited(struct http_req *r, struct ratelimit *rl, const char *key, int64_t now, const char *why)
{
	unsigned wait = ratelimit_check(rl, key, now);
	if (!wait)
		return 0;
	char ra[16];
	snprintf(ra, sizeof(ra), "%u", wait);
	http_add_header(r, "Retry-After", ra);
	http_reply_error(r, 429, "rate_limited", why);
	return 1;
}

/* The visitor of a valid token, or a new one (as the visitor socket makes them) into tok;
 * 0, or 1 after answering. Each new visitor is a row and a presence entry, so an address
 * makes at most [track] new_visitors_per_min of them: a flood of token-less reports cannot
 * fill the table or the database faster than that. */
static int visitor_for(struct http_req *r, int64_t site_id, const char *token, char tok[64], struct store_visitor *vis)
{
	struct app *a = app_of(r);
	char hash[65], key[64];
	int64_t now = time_now_s();
	tok[0] = '\0';
	memset(vis, 0, sizeof(*vis));
	if (token && strlen(token) == 43) {
		token_hash_hex(token, 43, hash);
		if (store_visitor_by_token(a->st, site_id, hash, vis) == 0)
			return 0;
	}
	snprintf(key, sizeof(key), "n:%s", r->client_ip);
	if (limited(r, new_per_ip, key, now, "too many new visitors from this address; wait a minute"))
		return 1;
	ratelimit_hit(new_per_ip, key, now);
	token_new(tok, 64);
	token_hash_hex(tok, strlen(tok), hash);
	vis->site_id = site_id;
	vis->created_at = vis->last_seen = now;
	if (store_visitor_create(a->st, hash, vis) != 0) {
		http_reply_error(r, 500, "internal", "could not record the visitor");
		return 1;
	}
	return 0;
}

/* ---- POST /api/v1/track ---- */

/* Finds the site and checks the origin, adding the CORS answer headers; 0 or answered. */
static int track_site(struct http_req *r, struct store_site *s)
{
	const char *key = http_query(r, "site"), *origin = http_header(r, "origin");
	if (!key || store_site_by_key(app_of(r)->st, key, s) != 0) {
		http_reply_error(r, 404, "not_found", "no such site");
		return 1;
	}
	if (!chat_origin_allowed(s, origin)) {
		http_reply_error(r, 403, "forbidden", "origin not allowed for this site");
		return 1;
	}
	if (origin) {
		http_add_header(r, "Access-Control-Allow-Origin", origin);
		http_add_header(r, "Vary", "Origin");
	}
	return 0;
}

static int rate_ok(struct http_req *r)
{
	char key[64];
	int64_t now = time_now_s();
	snprintf(key, sizeof(key), "t:%s", r->client_ip);
	if (limited(r, per_ip, key, now, "too many tracking reports from this address; wait a minute"))
		return 0;
	ratelimit_hit(per_ip, key, now);
	return 1;
}

/* The report as a JSON object, or NULL after answering. */
static json_t *report_body(struct http_req *r)
{
	json_t *body = NULL;
	char msg[200];
	if (r->body.len > MAX_BODY) {
		http_reply_error(r, 413, "too_large", "a tracking report is at most 16 KB");
		return NULL;
	}
	switch (json_parse_object(r->body.ptr, r->body.len, &body, msg, sizeof(msg))) {
	case JSON_OK:
		return body;
	case JSON_EUTF8:
		http_reply_error(r, 400, "invalid_utf8", msg);
		return NULL;
	default:
		http_reply_error(r, 400, "invalid_json", msg);
		return NULL;
	}
}

static void apply_events(struct http_req *r, const struct store_visitor *vis, json_t *events)
{
	struct track_presence *p = presence_for(app_of(r), vis);
	int64_t now = time_now_ms();
	size_t i;
	json_t *ev;
	json_array_foreach(events, i, ev) {
		if (strcmp(json_get_str(ev, "type"), "view") == 0)
			on_view(r, p, ev, now);
		else
			on_time(r, p, ev, now);
	}
}

static void h_track(struct http_req *r)
{
	struct app *a = app_of(r);
	struct store_site site;
	struct store_visitor vis;
	char tok[64];
	int enabled = 1;
	if (track_site(r, &site) || !rate_ok(r))
		return;
	if (store_track_site_enabled(a->st, site.id, &enabled) == 0 && !enabled) {
		http_reply_json(r, 200, json_pack("{s:b}", "tracking", 0));
		return;
	}
	json_t *body = report_body(r), *events;
	if (!body)
		return;
	if (!(events = report_events(r, body))) {
		json_decref(body);
		return;
	}
	if (visitor_for(r, site.id, json_get_str(body, "token"), tok, &vis) != 0) {
		json_decref(body);
		return;
	}
	apply_events(r, &vis, events);
	json_decref(body);
	json_t *out = json_pack("{s:I}", "visitor_id", (json_int_t)vis.id);
	if (tok[0])
		json_object_set_new(out, "token", json_string(tok));
	http_reply_json(r, 200, out);
}

/* A browser sends this only when a page's script adds headers; the widget does not. */
static void h_track_preflight(struct http_req *r)
{
	struct store_site s;
	if (track_site(r, &s))
		return;
	http_add_header(r, "Access-Control-Allow-Methods", "POST");
	http_add_header(r, "Access-Control-Allow-Headers", "Content-Type");
	http_add_header(r, "Access-Control-Max-Age", "600");
	http_reply(r, 204, NULL, NULL, 0);
}

/* ---- the live list and the trail ---- */

static int is_admin(const struct http_req *r)
{
	return auth_role_level(auth_of(r)->user.role) >= ACCESS_ADMIN;
}

/* hub_agent_covers for a request: an admin, or a member of the site. */
static int covers(struct http_req *r, int64_t site_id)
{
	return is_admin(r) || store_site_is_member(app_of(r)->st, site_id, auth_of(r)->user.id) == 0;
}

struct live {
	int64_t site_id, now;
	struct track_presence *hit[LIVE_MAX];
	size_t n;
};

static int collect_live(void *ud, struct track_presence *p)
{
	struct live *l = ud;
	if (p->site_id == l->site_id && p->visits && track_presence_online(p, l->now))
		l->hit[l->n++] = p;
	return l->n == LIVE_MAX;
}

static int newest_first(const void *x, const void *y)
{
	const struct track_presence *a = *(struct track_presence *const *)x, *b = *(struct track_presence *const *)y;
	return (a->visit_start < b->visit_start) - (a->visit_start > b->visit_start);
}

static json_t *live_json(struct app *a, const struct track_presence *p, int64_t now)
{
	struct store_visitor v;
	struct store_conv c;
	memset(&v, 0, sizeof(v));
	store_visitor_get(a->st, p->visitor_id, &v);
	int open = store_conv_open_for_visitor(a->st, p->visitor_id, &c) == 0;
	int chatting = open && (strcmp(c.status, "waiting") == 0 || strcmp(c.status, "active") == 0);
	json_t *o = json_pack("{s:I,s:s,s:s,s:{s:s,s:s},s:i,s:I,s:s,s:b,s:s,s:s,s:s,s:s,s:b}", "id",
			      (json_int_t)p->visitor_id, "name", v.name, "email", v.email, "page", "url", p->url, "title",
			      p->title, "pages", p->pages, "on_site_seconds", (json_int_t)((now - p->visit_start) / 1000),
			      "referrer", p->referrer, "returning", p->visits > 1, "country", p->country, "city", p->city,
			      "lang", p->lang, "browser", p->browser, "chatting", chatting);
	json_object_set_new(o, "conversation_id", open ? json_integer(c.id) : json_null());
	json_object_set_new(o, "visits", json_integer(p->visits));
	json_object_set_new(o, "last_seen", json_integer(p->last));
	return o;
}

static int query_id(struct http_req *r, const char *s, int64_t *id)
{
	if (!s || parse_i64(s, strlen(s), id) || *id <= 0) {
		http_reply_error(r, 422, "invalid_field", "expected a positive id");
		return 1;
	}
	return 0;
}

static void h_live(struct http_req *r)
{
	struct app *a = app_of(r);
	struct store_site s;
	struct live *l;
	int64_t site_id;
	if (query_id(r, http_query(r, "site"), &site_id))
		return;
	if (store_site_get(a->st, site_id, &s) != 0 || !covers(r, site_id)) {
		http_reply_error(r, 404, "not_found", "no such site (or not one of yours)");
		return;
	}
	l = calloc(1, sizeof(*l));
	if (!l) {
		http_reply_error(r, 503, "busy", "out of memory");
		return;
	}
	l->site_id = site_id;
	l->now = time_now_ms();
	track_presence_each(collect_live, l);
	qsort(l->hit, l->n, sizeof(l->hit[0]), newest_first);
	json_t *arr = json_array();
	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(arr, live_json(a, l->hit[i], l->now));
	free(l);
	http_reply_json(r, 200, json_pack("{s:o}", "visitors", arr));
}

static int view_to_array(void *ud, const struct store_track_view *v)
{
	json_array_append_new(ud, json_pack("{s:s,s:s,s:s,s:I,s:I}", "url", v->url, "title", v->title, "referrer",
					    v->referrer, "at", (json_int_t)v->at, "seconds", (json_int_t)v->seconds));
	return 0;
}

static void h_pages(struct http_req *r)
{
	struct app *a = app_of(r);
	struct store_visitor v;
	int64_t id;
	if (query_id(r, http_param(r, 0), &id))
		return;
	if (store_visitor_get(a->st, id, &v) != 0 || !covers(r, v.site_id)) {
		http_reply_error(r, 404, "not_found", "no such visitor");
		return;
	}
	track_queue_flush();   /* the page just reported is in the trail */
	json_t *arr = json_array();
	store_track_pages(a->st, id, TRAIL_MAX, view_to_array, arr);
	http_reply_json(r, 200, json_pack("{s:I,s:o}", "visitor_id", (json_int_t)id, "pages", arr));
}

/* ---- the per-site switch ---- */

static int site_param(struct http_req *r, int64_t *id, int *enabled)
{
	if (query_id(r, http_param(r, 0), id))
		return 1;
	if (store_track_site_enabled(app_of(r)->st, *id, enabled) != 0) {
		http_reply_error(r, 404, "not_found", "no such site");
		return 1;
	}
	return 0;
}

static void h_switch_get(struct http_req *r)
{
	int64_t id;
	int on;
	if (!site_param(r, &id, &on))
		http_reply_json(r, 200, json_pack("{s:I,s:b}", "site_id", (json_int_t)id, "enabled", on));
}

static void h_switch_put(struct http_req *r)
{
	int64_t id;
	int on;
	json_t *v = json_object_get(r->json, "enabled");
	if (site_param(r, &id, &on))
		return;
	if (!json_is_boolean(v) || json_object_size(r->json) != 1) {
		http_reply_error(r, 422, "invalid_field", "send {\"enabled\": true or false}");
		return;
	}
	if (store_track_site_set(app_of(r)->st, id, json_is_true(v)) != 0) {
		http_reply_error(r, 500, "internal", "could not change the switch");
		return;
	}
	store_audit(app_of(r)->st, auth_of(r)->user.id, r->client_ip, "site.tracking", json_is_true(v) ? "on" : "off");
	http_reply_json(r, 200, json_pack("{s:I,s:b}", "site_id", (json_int_t)id, "enabled", json_is_true(v)));
}

/* ---- demo product pages ---- */

struct demo_page {
	const char *slug, *title, *body;
};

static const struct demo_page demo_pages[] = {
	{ "earbuds", "蓝牙耳机 - Demo shop",
	  "<p class=\"price\">¥199</p><p>降噪蓝牙耳机，续航 30 小时。Noise-cancelling earbuds, 30 hours of battery.</p>" },
	{ "thermos", "保温杯 - Demo shop",
	  "<p class=\"price\">¥89</p><p>不锈钢保温杯，12 小时保温。A steel thermos that keeps tea hot for 12 hours.</p>" },
	{ "bags", "包袋 - Demo shop",
	  "<p>帆布包 Tote bag ¥59 · 双肩包 Backpack ¥159 · 零钱包 Coin purse ¥29</p>" },
};

static int first_site(void *ud, const struct store_site *s)
{
	memcpy(ud, s, sizeof(*s));
	return 1;
}

static void demo_links(struct buf *b, const char *key)
{
	buf_adds(b, "<nav><a href=\"/demo?site=");
	buf_add_html(b, key, strlen(key));
	buf_adds(b, "\">首页 Home</a>");
	for (size_t i = 0; i < KF_ARRAY_LEN(demo_pages); i++) {
		buf_addf(b, " · <a id=\"link-%s\" href=\"/demo/%s?site=", demo_pages[i].slug, demo_pages[i].slug);
		buf_add_html(b, key, strlen(key));
		buf_adds(b, "\">");
		buf_add_html(b, demo_pages[i].title, strcspn(demo_pages[i].title, "-") - 1);
		buf_adds(b, "</a>");
	}
	buf_adds(b, "</nav>");
}

/* /demo/:page - shop pages carrying the widget like /demo, so a visitor can browse. */
static void h_demo_page(struct http_req *r)
{
	struct app *a = app_of(r);
	struct store_site s;
	const char *slug = http_param(r, 0), *key = http_query(r, "site");
	const struct demo_page *pg = NULL;
	for (size_t i = 0; i < KF_ARRAY_LEN(demo_pages); i++)
		if (slug && strcmp(slug, demo_pages[i].slug) == 0)
			pg = &demo_pages[i];
	memset(&s, 0, sizeof(s));
	if (!pg || (key ? store_site_by_key(a->st, key, &s) != 0 : store_site_each(a->st, 0, first_site, &s) != 1)) {
		http_reply_error(r, 404, "not_found", pg ? "no site yet: create one in the console" : "no such demo page");
		return;
	}
	struct buf b;
	buf_init(&b, 0);
	buf_adds(&b, "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
		 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>");
	buf_add_html(&b, pg->title, strlen(pg->title));
	buf_adds(&b, "</title><style>body{font:16px/1.6 system-ui,sans-serif;max-width:760px;margin:2em auto;padding:0 1em;"
		 "color:#222}.price{font-size:1.4em;color:#c0392b}</style></head><body>");
	demo_links(&b, s.key);
	buf_adds(&b, "<h1>");
	buf_add_html(&b, pg->title, strlen(pg->title));
	buf_adds(&b, "</h1>");
	buf_adds(&b, pg->body);
	buf_adds(&b, "<p class=\"shop\">");
	buf_add_html(&b, s.name, strlen(s.name));
	buf_adds(&b, "</p><script async src=\"/widget.js\" data-site=\"");
	buf_add_html(&b, s.key, strlen(s.key));
	buf_adds(&b, "\"></script></body></html>\n");
	http_add_header(r, "Cache-Control", "no-cache");
	http_reply(r, 200, "text/html; charset=utf-8", b.ptr, b.len);
	buf_release(&b);
}

/* ---- lifecycle ---- */

static void on_sweep(uv_timer_t *t)
{
	KF_UNUSED(t);
	track_presence_sweep(time_now_ms());
}

void track_maintain(struct app *a)
{
	int64_t now = time_now_ms(), pruned = 0, today = now / DAY_MS;
	char v[32];
	track_queue_flush();
	if (store_track_prune(a->st, now - (int64_t)a->cfg.pageview_days * DAY_MS, &pruned) == 0 && pruned)
		log_info("track: pruned %lld page views older than %u days", (long long)pruned, a->cfg.pageview_days);
	if (compacted_day < 0 && store_setting_get(a->st, "track.compacted_day", v, sizeof(v)) == 0)
		parse_i64(v, strlen(v), &compacted_day);
	/* Today and yesterday stay exact; older days keep their TOP_KEEP best keys per list. */
	if (compacted_day >= today - 2 || store_track_compact(a->st, compacted_day + 1, today - 2, TOP_KEEP) != 0)
		return;
	compacted_day = today - 2;
	snprintf(v, sizeof(v), "%lld", (long long)compacted_day);
	store_setting_set(a->st, "track.compacted_day", v);
}

static const struct route routes[] = {
	{ M_POST, "/api/v1/track", h_track, 0, ACCESS_PUBLIC, NULL, "api", NULL },
	{ M_OPTIONS, "/api/v1/track", h_track_preflight, 0, ACCESS_PUBLIC, NULL, "api", NULL },
	{ M_GET, "/api/v1/visitors/live", h_live, 0, ACCESS_AGENT, NULL, "api", NULL },
	{ M_GET, "/api/v1/visitors/:id/pages", h_pages, 0, ACCESS_AGENT, NULL, "api", NULL },
	{ M_GET, "/api/v1/sites/:id/tracking", h_switch_get, 0, ACCESS_ADMIN, NULL, "api", NULL },
	{ M_PUT, "/api/v1/sites/:id/tracking", h_switch_put, ROUTE_JSON, ACCESS_ADMIN, NULL, "api", NULL },
	{ M_GET, "/api/v1/stats", track_h_stats, 0, ACCESS_SUPERVISOR, NULL, "api", NULL },
	{ M_GET, "/api/v1/stats.csv", track_h_stats_csv, 0, ACCESS_SUPERVISOR, NULL, "api", NULL },
	{ M_GET, "/demo/:page", h_demo_page, 0, ACCESS_PUBLIC, NULL, "static", NULL },
};

void track_register(struct http_server *s)
{
	struct app *a = http_server_userdata(s);
	track_geoip_open(a->cfg.geoip);
	per_ip = ratelimit_new(a->cfg.track_per_min, 60);
	/* Sliding: a burst across a window boundary cannot make twice the limit of visitors. */
	new_per_ip = ratelimit_new_sliding(a->cfg.track_new_per_min, 60);
	track_presence_limit(a->cfg.presence_max);
	uv_timer_init(a->loop, &sweep_timer);
	uv_timer_start(&sweep_timer, on_sweep, SWEEP_MS, SWEEP_MS);
	sweep_ready = 1;
	http_routes_add(s, routes, KF_ARRAY_LEN(routes));
}

void track_shutdown(void)
{
	track_queue_shutdown();
	if (sweep_ready) {
		uv_close((uv_handle_t *)&sweep_timer, NULL);
		sweep_ready = 0;
	}
	track_presence_sweep(0);
	track_geoip_close();
	ratelimit_free(per_ip);
	ratelimit_free(new_per_ip);
	per_ip = new_per_ip = NULL;
}
