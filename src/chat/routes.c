/* chat/routes.c - the chat's HTTP side: sites (admin), conversations (agents), the
 * widget's public config, the widget script and the demo shop page; plus the route table. */
#include "chat/chat_int.h"
#include "chat/route.h"
#include "app/app.h"
#include "auth/auth.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/kf.h"
#include "core/log.h"
#include "core/util.h"
#include "http/static.h"
#include "kb/kb.h"
#include "search/search.h"
#include "store/store_crm.h"
#include "ticket/forms.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *stored_json(const char *text, json_t *dflt);


static json_t *site_json(struct app *a, const struct store_site *s)
{
	int64_t ids[256];
	size_t n = 0;
	json_t *members = json_array();
	store_site_members(a->st, s->id, ids, KF_ARRAY_LEN(ids), &n);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(members, json_integer(ids[i]));
	json_t *o = json_pack("{s:I,s:s,s:s,s:o,s:s,s:s,s:o,s:b,s:s,s:s,s:i,s:o,s:I}", "id", (json_int_t)s->id, "key", s->key,
			 "name", s->name, "origins", json_words(s->origins), "greeting", s->greeting, "color", s->color,
			 "languages", json_words(s->languages), "preview", s->preview, "offline_message",
			 s->offline_message, "auto_reply", s->auto_reply, "auto_reply_delay", s->auto_reply_delay,
			 "members", members, "created_at", (json_int_t)s->created_at);
	json_object_set_new(o, "max_file_bytes", json_integer(s->max_file_bytes));
	json_object_set_new(o, "file_types", json_words(s->file_types));
	json_object_set_new(o, "business_hours", stored_json(s->business_hours, json_null()));
	json_object_set_new(o, "prechat", stored_json(s->prechat, json_pack("{s:b,s:[],s:[]}", "enabled", 0, "fields",
									     "required")));
	json_object_set_new(o, "retention_days", json_integer(s->retention_days));
	return o;
}

struct site_list {
	struct app *a;
	json_t *arr;
};

static int site_to_array(void *ud, const struct store_site *s)
{
	struct site_list *l = ud;
	json_array_append_new(l->arr, site_json(l->a, s));
	return 0;
}

static void h_sites(struct http_req *r)
{
	const struct auth_ctx *ctx = auth_of(r);
	struct site_list l = { app_of(r), json_array() };
	int admin = ctx->kind == AUTH_SESSION && auth_role_level(ctx->user.role) >= ACCESS_ADMIN;
	store_site_each(l.a->st, admin ? 0 : ctx->user.id, site_to_array, &l);
	http_reply_json(r, 200, json_pack("{s:o}", "sites", l.arr));
}

/* Joins a JSON array of strings into space-separated words; each must match ok(). */
static int words_from(json_t *arr, char *out, size_t outsz, int (*ok)(const char *))
{
	size_t i;
	json_t *v;
	out[0] = '\0';
	if (!json_is_array(arr))
		return KF_EINVAL;
	json_array_foreach(arr, i, v) {
		const char *s = json_string_value(v);
		size_t l = strlen(out);
		if (!s || !ok(s) || l + strlen(s) + 2 > outsz)
			return KF_EINVAL;
		snprintf(out + l, outsz - l, "%s%s", l ? " " : "", s);
	}
	return 0;
}

/* scheme://host[:port], nothing after it: what browsers send in Origin. */
static int ok_origin(const char *s)
{
	const char *h = strncmp(s, "http://", 7) == 0 ? s + 7 : strncmp(s, "https://", 8) == 0 ? s + 8 : NULL;
	return h && *h && strlen(s) < 200 && !strpbrk(h, " /\t\"'<>");
}

static int ok_lang(const char *s)
{
	return strcmp(s, "zh-CN") == 0 || strcmp(s, "zh-TW") == 0 || strcmp(s, "en") == 0;
}

static int ok_type(const char *s)
{
	size_t n = strlen(s);
	return n > 1 && n < 64 && strchr(s, '/') && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789/+.-") == n;
}

static int ok_color(const char *s)
{
	return strlen(s) == 7 && s[0] == '#' && strspn(s + 1, "0123456789abcdefABCDEF") == 6;
}

/* Stores v as compact JSON in out ("" for null or when it does not fit). */
static void json_dump_into(json_t *v, char *out, size_t outsz)
{
	out[0] = '\0';
	if (json_is_null(v))
		return;
	char *t = json_dumps(v, JSON_COMPACT);
	if (t && strlen(t) < outsz)
		snprintf(out, outsz, "%s", t);
	free(t);
}

static int ok_prechat_field(const char *s)
{
	return strcmp(s, "name") == 0 || strcmp(s, "email") == 0 || strcmp(s, "phone") == 0 || strcmp(s, "question") == 0 ||
	       strcmp(s, "agent") == 0;   /* agent: the visitor picks one of the site's agents */
}

static int prechat_valid(json_t *p)
{
	char tmp[128];
	json_t *req = json_object_get(p, "required");
	return json_is_object(p) && json_is_boolean(json_object_get(p, "enabled")) &&
	       words_from(json_object_get(p, "fields"), tmp, sizeof(tmp), ok_prechat_field) == 0 &&
	       (!req || words_from(req, tmp, sizeof(tmp), ok_prechat_field) == 0);
}

/* A stored JSON setting as a value for the API: the object, or dflt (stolen) when unset. */
static json_t *stored_json(const char *text, json_t *dflt)
{
	json_t *v = NULL;
	if (text[0] && json_parse_object(text, strlen(text), &v, NULL, 0) == JSON_OK) {
		json_decref(dflt);
		return v;
	}
	return dflt;
}

/* Copies the fields present in r->json into s; replies 422 and returns nonzero on a bad one. */
static int site_fields(struct http_req *r, struct store_site *s)
{
	json_t *j = r->json, *v;
	const char *bad = NULL;
	if ((v = json_object_get(j, "name")) && (!json_is_string(v) || !json_string_length(v) || json_string_length(v) > 120))
		bad = "name: 1-120 bytes";
	else if (v)
		utf8_copy(s->name, sizeof(s->name), json_string_value(v));
	if (!bad && (v = json_object_get(j, "greeting")) && (!json_is_string(v) || json_string_length(v) > 1000))
		bad = "greeting: at most 1000 bytes";
	else if (!bad && v)
		utf8_copy(s->greeting, sizeof(s->greeting), json_string_value(v));
	if (!bad && (v = json_object_get(j, "offline_message")) && (!json_is_string(v) || json_string_length(v) > 1000))
		bad = "offline_message: at most 1000 bytes";
	else if (!bad && v)
		utf8_copy(s->offline_message, sizeof(s->offline_message), json_string_value(v));
	if (!bad && (v = json_object_get(j, "auto_reply")) && (!json_is_string(v) || json_string_length(v) > 1000))
		bad = "auto_reply: at most 1000 bytes";
	else if (!bad && v)
		utf8_copy(s->auto_reply, sizeof(s->auto_reply), json_string_value(v));
	if (!bad && (v = json_object_get(j, "auto_reply_delay")) &&
	    (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 3600))
		bad = "auto_reply_delay: 1-3600 seconds";
	else if (!bad && v)
		s->auto_reply_delay = (int)json_integer_value(v);
	if (!bad && (v = json_object_get(j, "max_file_bytes")) &&
	    (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 100 * 1024 * 1024))
		bad = "max_file_bytes: 1 byte to 100 MB (and at most the server's max_upload_bytes)";
	else if (!bad && v)
		s->max_file_bytes = json_integer_value(v);
	if (!bad && (v = json_object_get(j, "file_types")) && words_from(v, s->file_types, sizeof(s->file_types), ok_type))
		bad = "file_types: an array of media types or prefixes such as image/ or application/pdf";
	if (!bad && (v = json_object_get(j, "retention_days")) &&
	    (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 3650))
		bad = "retention_days: 0 (keep forever) to 3650";
	else if (!bad && v)
		s->retention_days = (int)json_integer_value(v);
	if (!bad && (v = json_object_get(j, "business_hours")) && !json_is_null(v) && !chat_hours_valid(v))
		bad = "business_hours: null, or {tz: a time zone, days: 7 lists of [\"HH:MM\",\"HH:MM\"]}";
	else if (!bad && v)
		json_dump_into(v, s->business_hours, sizeof(s->business_hours));
	if (!bad && (v = json_object_get(j, "prechat")) && !json_is_null(v) && !prechat_valid(v))
		bad = "prechat: {enabled: bool, fields: [name|email|phone|question|agent], required: [...]}";
	else if (!bad && v)
		json_dump_into(v, s->prechat, sizeof(s->prechat));
	if (!bad && (v = json_object_get(j, "color")) && (!json_is_string(v) || !ok_color(json_string_value(v))))
		bad = "color: #rrggbb";
	else if (!bad && v)
		snprintf(s->color, sizeof(s->color), "%s", json_string_value(v));
	if (!bad && (v = json_object_get(j, "preview")) && !json_is_boolean(v))
		bad = "preview: true or false";
	else if (!bad && v)
		s->preview = json_is_true(v);
	if (!bad && (v = json_object_get(j, "origins")) && words_from(v, s->origins, sizeof(s->origins), ok_origin))
		bad = "origins: an array of origins such as https://shop.example";
	if (!bad && (v = json_object_get(j, "languages")) && words_from(v, s->languages, sizeof(s->languages), ok_lang))
		bad = "languages: an array of zh-CN, zh-TW, en";
	if (bad) {
		http_reply_error(r, 422, "invalid_field", bad);
		return 1;
	}
	return 0;
}

static void h_site_create(struct http_req *r)
{
	struct app *a = app_of(r);
	struct store_site s;
	char tok[64];
	memset(&s, 0, sizeof(s));
	snprintf(s.color, sizeof(s.color), "#1677ff");
	snprintf(s.languages, sizeof(s.languages), "zh-CN zh-TW en");
	s.auto_reply_delay = 30;
	s.max_file_bytes = 10 * 1024 * 1024;
	snprintf(s.file_types, sizeof(s.file_types), "image/ application/pdf text/plain application/zip");
	if (!json_is_string(json_object_get(r->json, "name"))) {
		http_reply_error(r, 422, "invalid_field", "name is required");
		return;
	}
	if (site_fields(r, &s))
		return;
	token_new(tok, sizeof(tok));
	snprintf(s.key, sizeof(s.key), "s_%.20s", tok);
	if (store_site_create(a->st, &s) != 0) {
		http_reply_error(r, 500, "internal", "could not create the site");
		return;
	}
	store_audit(a->st, auth_of(r)->user.id, r->client_ip, "site.created", s.name);
	http_reply_json(r, 201, json_pack("{s:o}", "site", site_json(a, &s)));
}

static int load_site(struct http_req *r, struct store_site *s)
{
	int64_t id;
	const char *p = http_param(r, 0);
	if (!p || parse_i64(p, strlen(p), &id) || store_site_get(app_of(r)->st, id, s) != 0) {
		http_reply_error(r, 404, "not_found", "no such site");
		return 1;
	}
	return 0;
}

static void h_site_patch(struct http_req *r)
{
	struct store_site s;
	if (load_site(r, &s) || site_fields(r, &s))
		return;
	if (store_site_update(app_of(r)->st, &s) != 0) {
		http_reply_error(r, 500, "internal", "could not update the site");
		return;
	}
	http_reply_json(r, 200, json_pack("{s:o}", "site", site_json(app_of(r), &s)));
}

static void h_site_members(struct http_req *r)
{
	struct app *a = app_of(r);
	struct store_site s;
	int64_t ids[256];
	size_t n = 0, i;
	json_t *arr = json_object_get(r->json, "user_ids"), *v;
	if (load_site(r, &s))
		return;
	if (!json_is_array(arr) || json_array_size(arr) > KF_ARRAY_LEN(ids)) {
		http_reply_error(r, 422, "invalid_field", "user_ids: an array of user ids");
		return;
	}
	json_array_foreach(arr, i, v) {
		struct store_user u;
		if (!json_is_integer(v) || store_user_get(a->st, json_integer_value(v), &u) != 0) {
			http_reply_error(r, 422, "invalid_field", "user_ids: unknown user");
			return;
		}
		ids[n++] = u.id;
	}
	if (store_site_set_members(a->st, s.id, ids, n) != 0) {
		http_reply_error(r, 500, "internal", "could not set the members");
		return;
	}
	http_reply_json(r, 200, json_pack("{s:o}", "site", site_json(a, &s)));
}

/* Public: what the widget needs before it opens a socket. Answered cross-origin to the
 * site's allowed origins, since the widget runs on the shop's pages. */
static int prechat_asks(json_t *pre, const char *field)
{
	size_t i;
	json_t *v;
	if (!json_is_true(json_object_get(pre, "enabled")))
		return 0;
	json_array_foreach(json_object_get(pre, "fields"), i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), field) == 0)
			return 1;
	return 0;
}

/* [{id, name, online}] of the site's members, by display name (never an e-mail). */
static json_t *site_agents_public(struct app *a, int64_t site_id)
{
	int64_t ids[256];
	size_t n = 0;
	json_t *arr = json_array();
	store_site_members(a->st, site_id, ids, KF_ARRAY_LEN(ids), &n);
	for (size_t i = 0; i < n; i++) {
		struct store_user u;
		struct aconn *x = hub_agent_find(ids[i]);
		if (store_user_get(a->st, ids[i], &u) != 0 || u.disabled || !u.name[0])
			continue;
		json_array_append_new(arr, json_pack("{s:I,s:s,s:b}", "id", (json_int_t)u.id, "name", u.name, "online",
						     x && strcmp(x->status, "online") == 0));
	}
	return arr;
}

static void h_widget_config(struct http_req *r)
{
	struct app *a = app_of(r);
	struct store_site s;
	const char *key = http_query(r, "site"), *origin = http_header(r, "origin");
	if (!key || store_site_by_key(a->st, key, &s) != 0) {
		http_reply_error(r, 404, "not_found", "no such site");
		return;
	}
	if (origin && chat_origin_allowed(&s, origin)) {
		http_add_header(r, "Access-Control-Allow-Origin", origin);
		http_add_header(r, "Vary", "Origin");
	}
	int open = chat_site_open(&s, time_now_ms());
	json_t *pre = stored_json(s.prechat, json_pack("{s:b,s:[],s:[]}", "enabled", 0, "fields", "required"));
	/* The site's agents by display name only when its pre-chat form lets visitors pick one. */
	json_t *agents = prechat_asks(pre, "agent") ? site_agents_public(a, s.id) : json_array();
	/* The active online forms ride along, so the widget's 留言/表单 button costs no request. */
	json_t *forms = ticket_forms_public(a, s.id);
	http_reply_json(r, 200, json_pack("{s:{s:s,s:s,s:s,s:s,s:o,s:b,s:b,s:b,s:s,s:o,s:o,s:o,s:o}}", "site", "key", s.key,
					  "name", s.name, "greeting", s.greeting, "color", s.color, "languages",
					  json_words(s.languages), "online", open && route_available(a, s.id, 0), "open", open,
					  "preview", s.preview, "offline_message", s.offline_message, "prechat", pre,
					  "departments", chat_departments_public(a, s.id), "agents", agents, "forms",
					  forms ? forms : json_array()));
}

struct conv_list {
	json_t *arr;
};

static int conv_to_array(void *ud, const struct store_conv *c)
{
	json_array_append_new(((struct conv_list *)ud)->arr, hub_conv_json(c));
	return 0;
}

static int is_admin(const struct http_req *r)
{
	return auth_role_level(auth_of(r)->user.role) >= ACCESS_ADMIN;
}

static void h_convs(struct http_req *r)
{
	const char *which = http_query(r, "status");
	struct conv_list l = { json_array() };
	if (!which)
		which = "open";
	if (strcmp(which, "open") && strcmp(which, "closed") && strcmp(which, "all")) {
		json_decref(l.arr);
		http_reply_error(r, 422, "invalid_field", "status: open, closed or all");
		return;
	}
	store_conv_each(app_of(r)->st, is_admin(r) ? 0 : auth_of(r)->user.id, which, 500, conv_to_array, &l);
	http_reply_json(r, 200, json_pack("{s:o}", "conversations", l.arr));
}

static int msg_to_array(void *ud, const struct store_msg *m)
{
	json_array_append_new(ud, hub_msg_json(m));
	return 0;
}

static void h_conv(struct http_req *r)
{
	struct app *a = app_of(r);
	struct store_conv c;
	int64_t id;
	const char *p = http_param(r, 0);
	if (!p || parse_i64(p, strlen(p), &id) || store_conv_summary(a->st, id, &c) != 0 ||
	    (!is_admin(r) && store_site_is_member(a->st, c.site_id, auth_of(r)->user.id) != 0)) {
		http_reply_error(r, 404, "not_found", "no such conversation");
		return;
	}
	json_t *msgs = json_array();
	store_msg_each(a->st, c.id, 0, 1, msg_to_array, msgs);
	http_reply_json(r, 200, json_pack("{s:o,s:o}", "conversation", hub_conv_json(&c), "messages", msgs));
}

struct hits {
	struct app *a;
	json_t *arr;
};

static int hit_to_array(void *ud, int64_t conv_id, const char *text)
{
	struct hits *h = ud;
	struct store_conv c;
	if (store_conv_summary(h->a->st, conv_id, &c) == 0) {
		json_t *o = hub_conv_json(&c);
		char snippet[256];
		utf8_copy(snippet, sizeof(snippet), text);
		json_object_set_new(o, "snippet", json_string(snippet));
		json_array_append_new(h->arr, o);
	}
	return 0;
}

static int64_t query_int(struct http_req *r, const char *name, int *bad)
{
	const char *v = http_query(r, name);
	int64_t n = 0;
	if (v && *v && (parse_i64(v, strlen(v), &n) || n < 0))
		*bad = 1;
	return n;
}

/* Transcript search: AND of the terms first; with fewer than 3 hits, OR without question
 * words, so a question like 发票怎么开 still finds conversations that only say 发票. */
static void h_search(struct http_req *r)
{
	const char *q = http_query(r, "q");
	struct store_search_filter f;
	int bad = 0;
	memset(&f, 0, sizeof(f));
	f.member_of = is_admin(r) ? 0 : auth_of(r)->user.id;
	f.site_id = query_int(r, "site_id", &bad);
	f.agent_id = query_int(r, "agent_id", &bad);
	f.rating = (int)query_int(r, "rating", &bad);
	f.from = query_int(r, "from", &bad);
	f.to = query_int(r, "to", &bad);
	f.tag = http_query(r, "tag");
	f.limit = 50;
	if (!q || !*q || strlen(q) > 200 || bad) {
		http_reply_error(r, 422, "invalid_field", "q: 1-200 bytes; site_id, agent_id, rating, from, to: numbers");
		return;
	}
	struct hits h = { app_of(r), json_array() };
	chat_index_flush();   /* every acknowledged message is searchable */
	for (int or_mode = 0; or_mode <= 1 && json_array_size(h.arr) < 3; or_mode++) {
		struct buf m;
		buf_init(&m, 4096);
		if (search_query(q, or_mode, &m) == 0 && m.len) {
			json_array_clear(h.arr);
			store_search_messages(h.a->st, m.ptr, &f, hit_to_array, &h);
		}
		buf_release(&m);
	}
	http_reply_json(r, 200, json_pack("{s:o}", "conversations", h.arr));
}

static void h_widget_js(struct http_req *r)
{
	static_serve(r, "/widget.js");
}

/* The widget's second bundle (orders, returns, offers, tickets, forms), which /widget.js loads
 * when the visitor first opens the panel: the first load stays small. */
static void h_widget_extras_js(struct http_req *r)
{
	static_serve(r, "/widget-extras.js");
}

static int first_site(void *ud, const struct store_site *s)
{
	memcpy(ud, s, sizeof(*s));
	return 1;
}

/* The demo shop "signs in" one of the demo's customers (demo-001 ...) the way a real shop's
 * server would: it signs the id with the site's secret and puts it on the widget's tag, so
 * "my orders" and the customer panel can be tried. Only with [demo] sign_customers = on
 * (make demo): on a real shop this page must never sign anyone. Called inside the script
 * tag's attributes; it closes the tag's preceding attribute itself. */
static void demo_customer(struct app *a, struct http_req *r, const struct store_site *s, struct buf *b)
{
	const char *id = http_query(r, "customer");
	char sig[65];
	if (!id || strlen(id) != 8 || strncmp(id, "demo-", 5) != 0 || strspn(id + 5, "0123456789") != 3 ||
	    kb_identity_sign(a, s->id, id, sig) != 0)
		return;
	buf_adds(b, "\" data-customer-id=\"");
	buf_add_html(b, id, strlen(id));
	buf_adds(b, "\" data-customer-sig=\"");
	buf_adds(b, sig);
}

/* The demo customers' links under the products (only with [demo] sign_customers = on). */
static void demo_customer_links(struct app *a, struct http_req *r, const struct store_site *s, struct buf *b)
{
	static const char *const ids[] = { "demo-001", "demo-007", "demo-027" };
	const char *cur = http_query(r, "customer");
	buf_adds(b, "<p id=\"demo-customers\">演示顾客 Demo customers: ");
	for (size_t i = 0; i < KF_ARRAY_LEN(ids); i++) {
		struct store_customer c;
		if (store_customer_by_external(a->st, s->id, ids[i], &c) != 0)
			continue;
		buf_adds(b, "<a href=\"/demo?site=");
		buf_add_html(b, s->key, strlen(s->key));
		buf_adds(b, "&amp;customer=");
		buf_adds(b, ids[i]);
		buf_adds(b, cur && strcmp(cur, ids[i]) == 0 ? "\"><b>" : "\">");
		buf_add_html(b, c.name, strlen(c.name));
		buf_adds(b, cur && strcmp(cur, ids[i]) == 0 ? "</b></a> · " : "</a> · ");
	}
	buf_adds(b, "<a href=\"/demo?site=");
	buf_add_html(b, s->key, strlen(s->key));
	buf_adds(b, "\">游客 guest</a></p>");
}

/* A pretend shop page carrying the widget, for trying the chat between two windows. */
static void h_demo(struct http_req *r)
{
	struct app *a = app_of(r);
	struct store_site s;
	const char *key = http_query(r, "site");
	memset(&s, 0, sizeof(s));
	if (key ? store_site_by_key(a->st, key, &s) != 0 : store_site_each(a->st, 0, first_site, &s) != 1) {
		http_reply_error(r, 404, "not_found", "no site yet: create one in the console (Settings > Sites)");
		return;
	}
	struct buf b;
	buf_init(&b, 0);
	buf_adds(&b, "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"
		 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>");
	buf_add_html(&b, s.name, strlen(s.name));
	buf_adds(&b, " · Kefu demo</title><style>body{font:16px/1.6 system-ui,sans-serif;max-width:760px;margin:2em auto;"
		 "padding:0 1em;color:#222}.p{display:flex;gap:1em;flex-wrap:wrap}.c{border:1px solid #ddd;"
		 "border-radius:8px;padding:1em;flex:1 1 200px}</style></head><body><h1>");
	buf_add_html(&b, s.name, strlen(s.name));
	buf_adds(&b, "</h1><p>这是一个演示商店页面。点右下角的按钮和客服聊天。 This is a demo shop page: open the chat "
		 "button at the bottom right and talk to an agent signed in at <a href=\"/\">the console</a>.</p>"
		 "<div class=\"p\"><div class=\"c\"><h3>保温杯 Thermos</h3><p>¥89</p></div><div class=\"c\"><h3>"
		 "蓝牙耳机 Earbuds</h3><p>¥199</p></div><div class=\"c\"><h3>帆布包 Tote bag</h3><p>¥59</p></div></div>");
	if (a->cfg.demo_sign)
		demo_customer_links(a, r, &s, &b);
	buf_adds(&b, ""
		 "<script async src=\"/widget.js\" data-site=\"");
	buf_add_html(&b, s.key, strlen(s.key));
	if (a->cfg.demo_sign)
		demo_customer(a, r, &s, &b);
	buf_adds(&b, "\"></script></body></html>\n");
	http_add_header(r, "Cache-Control", "no-cache");
	http_reply(r, 200, "text/html; charset=utf-8", b.ptr, b.len);
	buf_release(&b);
}

static const struct route routes[] = {
	{ M_GET, "/api/v1/sites", h_sites, 0, ACCESS_AGENT, NULL, "api", NULL },
	{ M_POST, "/api/v1/sites", h_site_create, ROUTE_JSON, ACCESS_ADMIN, NULL, "api", NULL },
	{ M_PATCH, "/api/v1/sites/:id", h_site_patch, ROUTE_JSON, ACCESS_ADMIN, NULL, "api", NULL },
	{ M_PUT, "/api/v1/sites/:id/members", h_site_members, ROUTE_JSON, ACCESS_ADMIN, NULL, "api", NULL },
	{ M_GET, "/api/v1/widget/config", h_widget_config, 0, ACCESS_PUBLIC, NULL, "api", NULL },
	{ M_GET, "/api/v1/conversations", h_convs, 0, ACCESS_AGENT, NULL, "api", NULL },
	{ M_GET, "/api/v1/conversations/:id", h_conv, 0, ACCESS_AGENT, NULL, "api", NULL },
	{ M_GET, "/api/v1/search/conversations", h_search, 0, ACCESS_AGENT, NULL, "api", NULL },
	{ M_GET, "/api/v1/conversations/:id/transcript", chat_h_transcript, 0, ACCESS_AGENT, NULL, "api", NULL },
	{ M_POST, "/api/v1/conversations/:id/email", chat_h_email, ROUTE_JSON, ACCESS_AGENT, NULL, "api", NULL },
	{ M_PUT, "/api/v1/conversations/:id/tags", chat_h_tags, ROUTE_JSON, ACCESS_AGENT, NULL, "api", NULL },
	{ M_GET, "/api/v1/canned", chat_h_canned_list, 0, ACCESS_AGENT, NULL, "api", NULL },
	{ M_POST, "/api/v1/canned", chat_h_canned_create, ROUTE_JSON, ACCESS_SUPERVISOR, NULL, "api", NULL },
	{ M_PATCH, "/api/v1/canned/:id", chat_h_canned_update, ROUTE_JSON, ACCESS_SUPERVISOR, NULL, "api", NULL },
	{ M_DELETE, "/api/v1/canned/:id", chat_h_canned_delete, 0, ACCESS_SUPERVISOR, NULL, "api", NULL },
	{ M_POST, "/api/v1/chat/files", chat_h_file_upload, ROUTE_UPLOAD, ACCESS_PUBLIC, NULL, "api", NULL },
	{ M_OPTIONS, "/api/v1/chat/files", chat_h_file_preflight, 0, ACCESS_PUBLIC, NULL, "api", NULL },
	{ M_GET, "/api/v1/chat/files/:id", chat_h_file_get, 0, ACCESS_PUBLIC, NULL, "api", NULL },
	{ M_GET, "/widget.js", h_widget_js, 0, ACCESS_PUBLIC, NULL, "static", NULL },
	{ M_GET, "/widget-extras.js", h_widget_extras_js, 0, ACCESS_PUBLIC, NULL, "static", NULL },
	{ M_GET, "/demo", h_demo, 0, ACCESS_PUBLIC, NULL, "static", NULL },
	{ M_GET, "/ws/visitor", NULL, ROUTE_WS, ACCESS_PUBLIC, NULL, "ws", &chat_visitor_ws },
	{ M_GET, "/ws/agent", NULL, ROUTE_WS, ACCESS_AGENT, NULL, "ws", &chat_agent_ws },
};

void chat_register(struct http_server *s)
{
	chat_index_catch_up(http_server_userdata(s));
	if (chat_files_init(http_server_userdata(s)) != 0)
		log_error("chat: could not set up the file key; file links will not verify");
	http_routes_add(s, routes, KF_ARRAY_LEN(routes));
	chat_invite_register(s);
	chat_departments_register(s);
}
