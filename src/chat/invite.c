/* chat/invite.c - proactive chat invitations (docs/invitations.md): an agent invites a live
 * visitor (REST), or a site's automatic rule fires in the widget, which asks over the visitor
 * socket (invite_check) and the server decides; the invitation pops up in the widget, whose
 * answer (invite_accept / invite_decline) opens a chat or closes the card. Also the rules'
 * CRUD, their public read for the widget, and the shown/accepted/declined counts.
 *
 * The widget only proposes: every condition the server can check (the rule, its site, the
 * URL, an open chat, the repeat limit, business hours, a free agent) is checked here again.
 * An invitation is good for INVITE_TTL_S: what the server promised when it was shown (an
 * agent, a free slot, open hours) does not hold forever. */
#include "chat/invite.h"
#include "chat/chat_int.h"
#include "chat/route.h"
#include "app/app.h"
#include "auth/auth.h"
#include "core/json.h"
#include "core/kf.h"
#include "core/log.h"
#include "core/ratelimit.h"
#include "core/util.h"
#include "store/store_invite.h"
#include "store/store_route.h"
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define INVITE_MAX_MESSAGE 1000    /* characters */
#define INVITE_MAX_RULES 100       /* per site */
#define INVITE_MAX_URL 2048        /* bytes, in invite_check */
#define INVITE_CHECKS_PER_MIN 20   /* per visitor */
#define INVITE_TTL_S 600           /* an answer after this is "expired" (docs/invitations.md) */

/* ---- small helpers ---- */

static size_t u8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static int blank(const char *s)
{
	return strspn(s, " \t\r\n") == strlen(s);
}

static int one_line(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

static json_t *id_or_null(int64_t id)
{
	return id ? json_integer(id) : json_null();
}

static int is_admin(const struct http_req *r)
{
	return auth_role_level(auth_of(r)->user.role) >= ACCESS_ADMIN;
}

/* Admins cover every site; other users the sites they are members of. */
static int covers(struct http_req *r, int64_t site_id)
{
	return is_admin(r) || store_site_is_member(app_of(r)->st, site_id, auth_of(r)->user.id) == 0;
}

static int param_id(struct http_req *r, int64_t *id)
{
	const char *p = http_param(r, 0);
	return p && parse_i64(p, strlen(p), id) == 0 && *id > 0;
}

/* ---- rules: JSON and validation ---- */

static json_t *rule_json(const struct store_invite_rule *x)
{
	json_t *o = json_pack("{s:I,s:I,s:s,s:b,s:s,s:i,s:i,s:s,s:s,s:s,s:s,s:s}", "id", (json_int_t)x->id, "site_id",
			      (json_int_t)x->site_id, "name", x->name, "enabled", x->enabled, "url_pattern", x->url_pattern,
			      "min_seconds_on_page", x->min_seconds, "min_pages", x->min_pages, "visitor", x->visitor,
			      "referrer_contains", x->referrer_contains, "utm_source", x->utm_source, "utm_campaign",
			      x->utm_campaign, "message", x->message);
	json_object_set_new(o, "department_id", id_or_null(x->department_id));
	json_object_set_new(o, "repeat_after_hours", json_integer(x->repeat_after_hours));
	json_object_set_new(o, "position", json_integer(x->position));
	json_object_set_new(o, "created_at", json_integer(x->created_at));
	json_object_set_new(o, "updated_at", json_integer(x->updated_at));
	return o;
}

/* What the widget needs to decide when to ask: the conditions, never the message or names. */
static json_t *rule_public_json(const struct store_invite_rule *x)
{
	return json_pack("{s:I,s:s,s:i,s:i,s:s,s:s,s:s,s:s}", "id", (json_int_t)x->id, "url_pattern", x->url_pattern,
			 "min_seconds_on_page", x->min_seconds, "min_pages", x->min_pages, "visitor", x->visitor,
			 "referrer_contains", x->referrer_contains, "utm_source", x->utm_source, "utm_campaign",
			 x->utm_campaign);
}

#define RULE_FIELD(f) offsetof(struct store_invite_rule, f), sizeof(((struct store_invite_rule *)0)->f)

static const struct {
	const char *key;
	size_t off, size;
	size_t min, max;      /* characters */
	int oneline;
	const char *err;
} rule_texts[] = {
	{ "name", RULE_FIELD(name), 1, 100, 1, "name: 1-100 characters on one line" },
	{ "message", RULE_FIELD(message), 1, INVITE_MAX_MESSAGE, 0, "message: 1-1000 characters" },
	{ "url_pattern", RULE_FIELD(url_pattern), 0, 500, 1, "url_pattern: at most 500 characters on one line" },
	{ "referrer_contains", RULE_FIELD(referrer_contains), 0, 200, 1, "referrer_contains: at most 200 characters" },
	{ "utm_source", RULE_FIELD(utm_source), 0, 100, 1, "utm_source: at most 100 characters" },
	{ "utm_campaign", RULE_FIELD(utm_campaign), 0, 100, 1, "utm_campaign: at most 100 characters" },
};

static const struct {
	const char *key;
	size_t off;
	int min, max;
	const char *err;
} rule_ints[] = {
	{ "min_seconds_on_page", offsetof(struct store_invite_rule, min_seconds), 0, 3600,
	  "min_seconds_on_page: 0-3600 seconds" },
	{ "min_pages", offsetof(struct store_invite_rule, min_pages), 0, 100, "min_pages: 0-100" },
	{ "repeat_after_hours", offsetof(struct store_invite_rule, repeat_after_hours), 0, 8760,
	  "repeat_after_hours: 0-8760 hours" },
	{ "position", offsetof(struct store_invite_rule, position), -1000000, 1000000, "position: -1000000 to 1000000" },
};

/* The text and number fields present in j, into x; the first bad one's message, or NULL. */
static const char *rule_plain_fields(json_t *j, struct store_invite_rule *x)
{
	char *base = (char *)x;
	json_t *v;
	for (size_t i = 0; i < KF_ARRAY_LEN(rule_texts); i++) {
		if (!(v = json_object_get(j, rule_texts[i].key)))
			continue;
		const char *s = json_string_value(v);
		size_t n = s ? u8_chars(s) : 0;
		if (!s || n < rule_texts[i].min || n > rule_texts[i].max || (rule_texts[i].min && blank(s)) ||
		    (rule_texts[i].oneline && !one_line(s)))
			return rule_texts[i].err;
		utf8_copy(base + rule_texts[i].off, rule_texts[i].size, s);
	}
	for (size_t i = 0; i < KF_ARRAY_LEN(rule_ints); i++) {
		if (!(v = json_object_get(j, rule_ints[i].key)))
			continue;
		if (!json_is_integer(v) || json_integer_value(v) < rule_ints[i].min || json_integer_value(v) > rule_ints[i].max)
			return rule_ints[i].err;
		*(int *)(base + rule_ints[i].off) = (int)json_integer_value(v);
	}
	return NULL;
}

/* Copies the fields present in r->json into x; replies 422 and returns nonzero on a bad one. */
static int rule_fields(struct http_req *r, struct store_invite_rule *x)
{
	json_t *j = r->json, *v;
	const char *bad = rule_plain_fields(j, x);
	if (!bad && (v = json_object_get(j, "enabled")) && !json_is_boolean(v))
		bad = "enabled: true or false";
	else if (!bad && v)
		x->enabled = json_is_true(v);
	if (!bad && (v = json_object_get(j, "visitor"))) {
		const char *s = json_string_value(v);
		if (!s || (strcmp(s, "any") && strcmp(s, "new") && strcmp(s, "returning")))
			bad = "visitor: any, new or returning";
		else
			snprintf(x->visitor, sizeof(x->visitor), "%s", s);
	}
	if (!bad && (v = json_object_get(j, "department_id"))) {
		if (json_is_null(v))
			x->department_id = 0;
		else if (!json_is_integer(v) ||
			 store_invite_department_of(app_of(r)->st, json_integer_value(v), x->site_id) != 0)
			bad = "department_id: null or a department of the rule's site";
		else
			x->department_id = json_integer_value(v);
	}
	if (bad) {
		http_reply_error(r, 422, "invalid_field", bad);
		return 1;
	}
	return 0;
}

/* ---- rules: routes ---- */

/* The site of :id if the caller covers it; else replies 404 (sites one may not see do not exist). */
static int load_site(struct http_req *r, struct store_site *s)
{
	int64_t id;
	if (!param_id(r, &id) || store_site_get(app_of(r)->st, id, s) != 0 || !covers(r, s->id)) {
		http_reply_error(r, 404, "not_found", "no such site");
		return 1;
	}
	return 0;
}

static int load_rule(struct http_req *r, struct store_invite_rule *x)
{
	int64_t id;
	if (!param_id(r, &id) || store_invite_rule_get(app_of(r)->st, id, x) != 0 || !covers(r, x->site_id)) {
		http_reply_error(r, 404, "not_found", "no such rule");
		return 1;
	}
	return 0;
}

struct rule_list {
	json_t *arr;
	json_t *(*to_json)(const struct store_invite_rule *x);
};

static int rule_to_array(void *ud, const struct store_invite_rule *x)
{
	struct rule_list *l = ud;
	json_array_append_new(l->arr, l->to_json(x));
	return 0;
}

static void h_rules(struct http_req *r)
{
	struct store_site s;
	if (load_site(r, &s))
		return;
	struct rule_list l = { json_array(), rule_json };
	store_invite_rule_each(app_of(r)->st, s.id, 0, rule_to_array, &l);
	http_reply_json(r, 200, json_pack("{s:o}", "rules", l.arr));
}

static int count_rule(void *ud, const struct store_invite_rule *x)
{
	KF_UNUSED(x);
	(*(int *)ud)++;
	return 0;
}

static void h_rule_create(struct http_req *r)
{
	struct app *a = app_of(r);
	struct store_site s;
	struct store_invite_rule x;
	int n = 0;
	if (load_site(r, &s))
		return;
	memset(&x, 0, sizeof(x));
	x.site_id = s.id;
	x.enabled = 1;
	x.repeat_after_hours = 24;
	snprintf(x.visitor, sizeof(x.visitor), "any");
	if (!json_is_string(json_object_get(r->json, "name")) || !json_is_string(json_object_get(r->json, "message"))) {
		http_reply_error(r, 422, "invalid_field", "name and message are required");
		return;
	}
	if (rule_fields(r, &x))
		return;
	store_invite_rule_each(a->st, s.id, 0, count_rule, &n);
	if (n >= INVITE_MAX_RULES) {
		http_reply_error(r, 422, "too_many_rules", "a site has at most 100 invitation rules");
		return;
	}
	if (store_invite_rule_create(a->st, &x) != 0) {
		http_reply_error(r, 500, "internal", "could not save the rule");
		return;
	}
	store_audit(a->st, auth_of(r)->user.id, r->client_ip, "invite_rule.created", x.name);
	http_reply_json(r, 201, json_pack("{s:o}", "rule", rule_json(&x)));
}

static void h_rule_patch(struct http_req *r)
{
	struct store_invite_rule x;
	if (load_rule(r, &x) || rule_fields(r, &x))
		return;
	if (store_invite_rule_update(app_of(r)->st, &x) != 0) {
		http_reply_error(r, 500, "internal", "could not save the rule");
		return;
	}
	http_reply_json(r, 200, json_pack("{s:o}", "rule", rule_json(&x)));
}

static void h_rule_delete(struct http_req *r)
{
	struct store_invite_rule x;
	if (load_rule(r, &x))
		return;
	if (store_invite_rule_delete(app_of(r)->st, x.id) != 0) {
		http_reply_error(r, 500, "internal", "could not delete the rule");
		return;
	}
	store_audit(app_of(r)->st, auth_of(r)->user.id, r->client_ip, "invite_rule.deleted", x.name);
	http_reply_json(r, 200, json_pack("{s:b}", "ok", 1));
}

json_t *chat_invite_rules_public(struct app *a, int64_t site_id)
{
	struct rule_list l = { json_array(), rule_public_json };
	store_invite_rule_each(a->st, site_id, 1, rule_to_array, &l);
	return l.arr;
}

/* Public: the site's enabled rules for the widget (which gets them in its welcome frame). Like the visitor
 * socket, a browser's Origin must be one the site allows; a same-origin fetch sends none. */
static void h_widget_rules(struct http_req *r)
{
	struct app *a = app_of(r);
	struct store_site s;
	const char *key = http_query(r, "site"), *origin = http_header(r, "origin");
	if (!key || strlen(key) > 64 || store_site_by_key(a->st, key, &s) != 0) {
		http_reply_error(r, 404, "not_found", "no such site");
		return;
	}
	if (origin && !chat_origin_allowed(&s, origin)) {
		http_reply_error(r, 403, "forbidden", "origin not allowed for this site");
		return;
	}
	if (origin) {
		http_add_header(r, "Access-Control-Allow-Origin", origin);
		http_add_header(r, "Vary", "Origin");
	}
	http_add_header(r, "Cache-Control", "no-cache");
	http_reply_json(r, 200, json_pack("{s:o}", "rules", chat_invite_rules_public(a, s.id)));
}

/* ---- invitations ---- */

/* The invitation as the console sees it. */
static json_t *invite_json(const struct store_invite *i, const char *agent_name)
{
	json_t *o = json_pack("{s:I,s:I,s:I,s:s,s:s,s:I}", "id", (json_int_t)i->id, "site_id", (json_int_t)i->site_id,
			      "visitor_id", (json_int_t)i->visitor_id, "message", i->message, "status", i->status,
			      "created_at", (json_int_t)i->created_at);
	json_object_set_new(o, "rule_id", id_or_null(i->rule_id));
	json_object_set_new(o, "agent", i->agent_id ? json_pack("{s:I,s:s}", "id", (json_int_t)i->agent_id, "name",
								 agent_name ? agent_name : "")
						    : json_null());
	json_object_set_new(o, "conversation_id", id_or_null(i->conversation_id));
	return o;
}

/* {"type":"invite",...} to every tab of the visitor: the agent's display name only. */
static void push_invite(const struct store_invite *i, const char *agent_name)
{
	json_t *f = json_pack("{s:s,s:{s:I,s:s,s:o,s:o}}", "type", "invite", "invitation", "id", (json_int_t)i->id,
			      "message", i->message, "agent", i->agent_id ? json_pack("{s:s}", "name", agent_name) : json_null(),
			      "rule_id", id_or_null(i->rule_id));
	hub_to_visitor(i->visitor_id, f);
	json_decref(f);
}

/* POST /api/v1/visitors/:id/invite {"message"}: an agent invites a visitor who is on the
 * site now and not chatting. */
static void h_invite(struct http_req *r)
{
	struct app *a = app_of(r);
	const struct auth_ctx *ctx = auth_of(r);
	struct store_visitor vis;
	struct store_conv c;
	struct store_invite inv;
	int64_t id;
	const char *msg = json_get_str(r->json, "message");
	if (ctx->kind != AUTH_SESSION) {
		http_reply_error(r, 403, "forbidden", "invitations are sent by a signed-in agent");
		return;
	}
	if (!param_id(r, &id) || store_visitor_get(a->st, id, &vis) != 0 || !covers(r, vis.site_id)) {
		http_reply_error(r, 404, "not_found", "no such visitor");
		return;
	}
	if (!msg || blank(msg) || u8_chars(msg) > INVITE_MAX_MESSAGE) {
		http_reply_error(r, 422, "invalid_field", "message: 1-1000 characters");
		return;
	}
	if (!hub_visitor_online(vis.id)) {
		http_reply_error(r, 409, "visitor_offline", "the visitor is not on the site now");
		return;
	}
	if (store_conv_open_for_visitor(a->st, vis.id, &c) == 0) {
		http_reply_error(r, 409, "chatting", "the visitor already has an open conversation");
		return;
	}
	memset(&inv, 0, sizeof(inv));
	inv.site_id = vis.site_id;
	inv.visitor_id = vis.id;
	inv.agent_id = ctx->user.id;
	utf8_copy(inv.message, sizeof(inv.message), msg);
	if (store_invite_create(a->st, &inv) != 0) {
		http_reply_error(r, 500, "internal", "could not store the invitation");
		return;
	}
	push_invite(&inv, ctx->user.name);
	http_reply_json(r, 200, json_pack("{s:o}", "invitation", invite_json(&inv, ctx->user.name)));
}

/* ---- statistics ---- */

/* "YYYY-MM-DD" (a real date, years 2000-9999) to Unix seconds at 00:00 UTC; -1 when not. */
static int64_t parse_day(const char *s)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int64_t y, m, d;
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-' || strspn(s, "0123456789-") != 10 ||
	    parse_i64(s, 4, &y) || parse_i64(s + 5, 2, &m) || parse_i64(s + 8, 2, &d))
		return -1;
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 2000 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] + (m == 2 && leap))
		return -1;
	/* days from civil (proleptic Gregorian; the year shifted to start in March) */
	int64_t ys = y - (m <= 2), era = ys / 400, yoe = ys - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468) * 86400;
}

struct count_list {
	json_t *arr;
	const char *id_key;
};

static int count_to_array(void *ud, const struct store_invite_count *c)
{
	struct count_list *l = ud;
	json_array_append_new(l->arr, json_pack("{s:I,s:s,s:I,s:I,s:I}", l->id_key, (json_int_t)c->id, "name", c->name,
						"shown", (json_int_t)c->shown, "accepted", (json_int_t)c->accepted,
						"declined", (json_int_t)c->declined));
	return 0;
}

/* GET /api/v1/invitations/stats?site=ID&from=YYYY-MM-DD&to=YYYY-MM-DD: days in UTC, both
 * ends included; without them the last 30 days. */
static void h_stats(struct http_req *r)
{
	struct app *a = app_of(r);
	struct store_site s;
	int64_t site_id, today = time_now_s() / 86400 * 86400;
	const char *sid = http_query(r, "site"), *f = http_query(r, "from"), *t = http_query(r, "to");
	int64_t to = t ? parse_day(t) : today, from = f ? parse_day(f) : to - 29 * 86400;
	if (!sid || parse_i64(sid, strlen(sid), &site_id) || store_site_get(a->st, site_id, &s) != 0 || !covers(r, s.id)) {
		http_reply_error(r, 404, "not_found", "no such site");
		return;
	}
	if (from < 0 || to < 0 || from > to || to - from > 3660 * 86400) {
		http_reply_error(r, 422, "invalid_field", "from, to: dates YYYY-MM-DD, from <= to, at most 10 years apart");
		return;
	}
	struct count_list rules = { json_array(), "rule_id" }, agents = { json_array(), "agent_id" };
	store_invite_stats(a->st, s.id, from, to + 86400, STORE_INVITE_BY_RULE, count_to_array, &rules);
	store_invite_stats(a->st, s.id, from, to + 86400, STORE_INVITE_BY_AGENT, count_to_array, &agents);
	http_reply_json(r, 200, json_pack("{s:I,s:o,s:o}", "site_id", (json_int_t)s.id, "rules", rules.arr, "agents",
					  agents.arr));
}

/* ---- visitor frames ---- */

/* {"type":"invite_result",...} for one invitation: to this socket, or (tell_all) to every
 * tab of the visitor, so the card closes everywhere. */
static void send_result(struct vconn *v, const struct store_invite *i, int tell_all)
{
	json_t *f = json_pack("{s:s,s:I,s:s}", "type", "invite_result", "invitation_id", (json_int_t)i->id, "status",
			      i->status);
	if (i->conversation_id)
		json_object_set_new(f, "conversation_id", json_integer(i->conversation_id));
	if (tell_all) {
		hub_to_visitor(v->visitor_id, f);
		json_decref(f);
	} else {
		hub_send(v->ws, f);
	}
}

/* The invitation named by invitation_id, if it is this visitor's; else answers the error. */
static int load_invite(struct vconn *v, json_t *msg, struct store_invite *i)
{
	json_int_t id = json_integer_value(json_object_get(msg, "invitation_id"));
	if (id <= 0) {
		hub_error(v->ws, "invalid_field", "invitation_id: an invitation's id", NULL);
		return 1;
	}
	if (store_invite_get(v->app->st, id, i) != 0 || i->visitor_id != v->visitor_id || i->site_id != v->site_id) {
		hub_error(v->ws, "not_found", "no such invitation", NULL);
		return 1;
	}
	return 0;
}

/* 1 when agent_id could take a new chat of the site right now, by the rules routing uses
 * for any chat (route_pick): connected, online (not away), covering the site (admin or
 * member: membership may have been taken away since the invitation) and below their chat
 * limit. The invitation was sent minutes ago; none of that is known to hold still. */
static int agent_can_take(struct app *a, int64_t agent_id, int64_t site_id)
{
	struct aconn *x = hub_agent_find(agent_id);   /* the first tab: the one routing looks at */
	int64_t load = 0;
	if (!x || strcmp(x->status, "online") != 0 || !hub_agent_covers(x, site_id))
		return 0;
	return store_route_load(a->st, agent_id, &load) == 0 && load < x->max_chats;
}

/* Opens the chat an accepted invitation promises: with the inviting agent while they can
 * take it (agent_can_take), else routed like any new chat (a rule's department, or the
 * site), so nobody gets a chat forced on them while away, full or off the site. A chat the
 * visitor already has with an agent is kept as it is, never taken over. */
static int start_chat(struct vconn *v, const struct store_invite *i, int64_t *conv_id)
{
	struct app *a = v->app;
	struct store_conv c;
	struct store_invite_rule rule;
	if (store_conv_open_for_visitor(a->st, v->visitor_id, &c) == 0 && c.agent_id && strcmp(c.status, "active") == 0) {
		*conv_id = c.id;
		return 0;
	}
	if (i->agent_id && agent_can_take(a, i->agent_id, v->site_id))
		return route_start_with_agent(a, v->site_id, v->visitor_id, i->agent_id, i->message, conv_id);
	int64_t dept = i->rule_id && store_invite_rule_get(a->st, i->rule_id, &rule) == 0 ? rule.department_id : 0;
	return route_start_routed(a, v->site_id, v->visitor_id, dept, i->message, conv_id);
}

/* An unanswered invitation older than INVITE_TTL_S: answered "expired" (to every tab, so the
 * card closes everywhere) and left "shown" in the store, so it counts as shown and never
 * answered. The answer depends only on the clock, so asking again gives it again. */
static int expired(struct vconn *v, struct store_invite *i)
{
	if (time_now_s() - i->created_at < INVITE_TTL_S)
		return 0;
	snprintf(i->status, sizeof(i->status), "expired");
	send_result(v, i, 1);
	return 1;
}

void chat_invite_accept(struct vconn *v, json_t *msg)
{
	struct store_invite i;
	int64_t conv_id = 0;
	if (load_invite(v, msg, &i))
		return;
	if (strcmp(i.status, "shown") != 0) {   /* answered before: the same answer again */
		send_result(v, &i, 0);
		return;
	}
	if (expired(v, &i))
		return;
	if (start_chat(v, &i, &conv_id) != 0) {
		hub_error(v->ws, "internal", "could not start the chat", NULL);
		return;
	}
	if (store_invite_answer(v->app->st, i.id, "accepted", conv_id, time_now_s()) != 0)
		log_warn("invite %lld: could not record the acceptance", (long long)i.id);
	snprintf(i.status, sizeof(i.status), "accepted");
	i.conversation_id = conv_id;
	send_result(v, &i, 1);
}

void chat_invite_decline(struct vconn *v, json_t *msg)
{
	struct store_invite i;
	if (load_invite(v, msg, &i))
		return;
	if (strcmp(i.status, "shown") == 0) {
		if (expired(v, &i))
			return;
		if (store_invite_answer(v->app->st, i.id, "declined", 0, time_now_s()) != 0) {
			hub_error(v->ws, "internal", "could not record the answer", NULL);
			return;
		}
		snprintf(i.status, sizeof(i.status), "declined");
		send_result(v, &i, 1);
		return;
	}
	send_result(v, &i, 0);
}

static struct ratelimit *check_rl;   /* per visitor (all their tabs), sliding 60 s window */

/* At most INVITE_CHECKS_PER_MIN checks a minute per visitor (a widget sends one per rule
 * and page). Keyed by the whole visitor id, so one visitor's checks never reset another's. */
static int check_rate_ok(struct vconn *v)
{
	char key[32];
	int64_t now = time_now_ms();   /* the limiter counts in whatever unit it is given: ms here */
	if (!check_rl)
		check_rl = ratelimit_new_sliding(INVITE_CHECKS_PER_MIN, 60000);
	snprintf(key, sizeof(key), "i:%lld", (long long)v->visitor_id);
	if (ratelimit_check(check_rl, key, now))
		return 0;
	ratelimit_hit(check_rl, key, now);
	return 1;
}

void chat_invite_shutdown(void)
{
	ratelimit_free(check_rl);
	check_rl = NULL;
}

/* 1 when the site is within its business hours now (or has none). */
static int site_open(struct app *a, int64_t site_id)
{
	struct store_site s;
	return store_site_get(a->st, site_id, &s) == 0 && chat_site_open(&s, time_now_ms());
}

/* Why rule must not invite this visitor now ("no_match", "chatting", "limit", "closed",
 * "no_agent"), or NULL when it may. An invitation must lead to a chat an agent answers now:
 * outside business hours the accepted chat would start offline, so it is not offered then. */
static const char *check_rule(struct vconn *v, int64_t rule_id, const char *url, struct store_invite_rule *x)
{
	struct app *a = v->app;
	struct store_conv c;
	int64_t now = time_now_s();
	if (!check_rate_ok(v))
		return "limit";
	if (store_invite_rule_get(a->st, rule_id, x) != 0 || x->site_id != v->site_id || !x->enabled ||
	    !invite_url_matches(x->url_pattern, url))
		return "no_match";
	if (store_conv_open_for_visitor(a->st, v->visitor_id, &c) == 0)
		return "chatting";
	if (x->repeat_after_hours > 0 &&
	    store_invite_recent(a->st, v->visitor_id, x->id, now - (int64_t)x->repeat_after_hours * 3600) == 0)
		return "limit";
	if (!route_available(a, v->site_id, x->department_id))
		return site_open(a, v->site_id) ? "no_agent" : "closed";
	if (!route_agent_free(a, v->site_id, x->department_id))
		return "no_agent";
	return NULL;
}

void chat_invite_check(struct vconn *v, json_t *msg)
{
	struct store_invite_rule x;
	struct store_invite i;
	json_int_t rule_id = json_integer_value(json_object_get(msg, "rule_id"));
	const char *url = json_get_str(msg, "url");
	if (rule_id <= 0 || !url || strlen(url) > INVITE_MAX_URL) {
		hub_error(v->ws, "invalid_field", "rule_id: a rule's id; url: the page, at most 2048 bytes", NULL);
		return;
	}
	const char *why = check_rule(v, rule_id, url, &x);
	if (!why) {
		memset(&i, 0, sizeof(i));
		i.site_id = v->site_id;
		i.visitor_id = v->visitor_id;
		i.rule_id = x.id;
		snprintf(i.message, sizeof(i.message), "%s", x.message);
		if (store_invite_create(v->app->st, &i) == 0) {
			push_invite(&i, NULL);
			return;
		}
		why = "no_match";
	}
	hub_send(v->ws, json_pack("{s:s,s:I,s:s,s:s}", "type", "invite_result", "rule_id", (json_int_t)rule_id, "status",
				  "skipped", "reason", why));
}

/* ---- registration ---- */

static const struct route routes[] = {
	{ M_GET, "/api/v1/sites/:id/invite-rules", h_rules, 0, ACCESS_SUPERVISOR, NULL, "api", NULL },
	{ M_POST, "/api/v1/sites/:id/invite-rules", h_rule_create, ROUTE_JSON, ACCESS_SUPERVISOR, NULL, "api", NULL },
	{ M_PATCH, "/api/v1/invite-rules/:id", h_rule_patch, ROUTE_JSON, ACCESS_SUPERVISOR, NULL, "api", NULL },
	{ M_DELETE, "/api/v1/invite-rules/:id", h_rule_delete, 0, ACCESS_SUPERVISOR, NULL, "api", NULL },
	{ M_GET, "/api/v1/widget/invite-rules", h_widget_rules, 0, ACCESS_PUBLIC, NULL, "api", NULL },
	{ M_POST, "/api/v1/visitors/:id/invite", h_invite, ROUTE_JSON, ACCESS_AGENT, NULL, "api", NULL },
	{ M_GET, "/api/v1/invitations/stats", h_stats, 0, ACCESS_SUPERVISOR, NULL, "api", NULL },
};

void chat_invite_register(struct http_server *s)
{
	http_routes_add(s, routes, KF_ARRAY_LEN(routes));
}
