/* chat/extras.c - what agents use around a conversation: transcripts as text, HTML or
 * JSON; tags; canned responses (managed by supervisors, typed as /shortcut). */
#include "chat/chat_int.h"
#include "app/app.h"
#include "auth/auth.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/kf.h"
#include "core/util.h"
#include "mail/mail.h"
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Loads :id if the caller may see it (admin, or member of its site); else replies 404. */
static int load(struct http_req *r, struct store_conv *c)
{
	struct app *a = app_of(r);
	const struct auth_ctx *ctx = auth_of(r);
	int64_t id;
	const char *p = http_param(r, 0);
	if (!p || parse_i64(p, strlen(p), &id) || store_conv_summary(a->st, id, c) != 0 ||
	    (auth_role_level(ctx->user.role) < ACCESS_ADMIN && store_site_is_member(a->st, c->site_id, ctx->user.id) != 0)) {
		http_reply_error(r, 404, "not_found", "no such conversation");
		return 1;
	}
	return 0;
}

struct export {
	struct buf *b;
	int html;
	json_t *arr;
};

static void stamp(int64_t ms, char out[32])
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

static const char *who(const struct store_msg *m)
{
	if (m->author[0])
		return m->author;
	return strcmp(m->sender, "visitor") == 0 ? "Visitor" : strcmp(m->sender, "agent") == 0 ? "Agent" : "System";
}

static int export_msg(void *ud, const struct store_msg *m)
{
	struct export *e = ud;
	char when[32];
	if (e->arr) {
		json_array_append_new(e->arr, hub_msg_json(m));
		return 0;
	}
	stamp(m->at, when);
	const char *tag = strcmp(m->kind, "note") == 0 ? " [internal note]" : "";
	if (!e->html) {
		buf_addf(e->b, "[%s] %s%s: %s\n", when, who(m), tag, m->body);
		return 0;
	}
	buf_addf(e->b, "<div class=\"m %s %s\"><span class=\"t\">%s</span> <b>", m->sender, m->kind, when);
	buf_add_html(e->b, who(m), strlen(who(m)));
	buf_adds(e->b, "</b>");
	buf_adds(e->b, tag);
	buf_adds(e->b, "<p>");
	buf_add_html(e->b, m->body, strlen(m->body));   /* every user-written byte escaped */
	buf_adds(e->b, "</p></div>\n");
	return 0;
}

void chat_transcript_text(struct app *a, const struct store_conv *c, int with_notes, struct buf *b)
{
	struct export e = { b, 0, NULL };
	buf_addf(b, "%s #%lld\n\n", c->site_name, (long long)c->id);
	store_msg_each(a->st, c->id, 0, with_notes, export_msg, &e);
}

/* POST /api/v1/conversations/:id/email {"to"?}: the transcript (without notes) to the
 * visitor's address or to "to". */
void chat_h_email(struct http_req *r)
{
	struct app *a = app_of(r);
	struct store_conv c;
	struct mail_settings m;
	if (load(r, &c))
		return;
	const char *to = json_get_str(r->json, "to");
	if (!to || !*to)
		to = c.visitor_email;
	if (!mail_valid_address(to)) {
		http_reply_error(r, 422, "invalid_field", "to: an e-mail address (the visitor left none)");
		return;
	}
	if (app_mail_settings(a, &m) != 0) {
		http_reply_error(r, 409, "conflict", "set up SMTP in Settings first");
		return;
	}
	struct buf b;
	char subject[200];
	buf_init(&b, 0);
	chat_transcript_text(a, &c, 0, &b);
	snprintf(subject, sizeof(subject), "%s: conversation #%lld", c.site_name, (long long)c.id);
	mail_send_async(a->loop, &m, to, subject, b.ptr);
	buf_release(&b);
	http_reply_json(r, 202, json_pack("{s:b}", "queued", 1));
}

void chat_h_transcript(struct http_req *r)
{
	struct app *a = app_of(r);
	struct store_conv c;
	const char *fmt = http_query(r, "format");
	if (load(r, &c))
		return;
	if (!fmt)
		fmt = "txt";
	struct buf b;
	struct export e = { &b, strcmp(fmt, "html") == 0, NULL };
	char disp[96];
	buf_init(&b, 0);
	if (strcmp(fmt, "json") == 0) {
		e.arr = json_array();
		store_msg_each(a->st, c.id, 0, 1, export_msg, &e);
		snprintf(disp, sizeof(disp), "attachment; filename=\"conversation-%lld.json\"", (long long)c.id);
		http_add_header(r, "Content-Disposition", disp);
		http_reply_json(r, 200, json_pack("{s:o,s:o}", "conversation", hub_conv_json(&c), "messages", e.arr));
		return;
	}
	if (strcmp(fmt, "txt") != 0 && !e.html) {
		http_reply_error(r, 422, "invalid_field", "format: txt, html or json");
		return;
	}
	if (e.html) {
		buf_addf(&b, "<!doctype html><html><head><meta charset=\"utf-8\"><title>Conversation %lld</title><style>"
			 "body{font:15px/1.5 system-ui,sans-serif;max-width:720px;margin:2em auto}.t{color:#888}"
			 ".note{background:#fff8e1}.system{color:#666}</style></head><body><h1>", (long long)c.id);
		buf_add_html(&b, c.site_name, strlen(c.site_name));
		buf_addf(&b, " #%lld</h1>\n", (long long)c.id);
	} else {
		buf_addf(&b, "%s #%lld (%s)\n\n", c.site_name, (long long)c.id, c.status);
	}
	store_msg_each(a->st, c.id, 0, 1, export_msg, &e);
	if (e.html)
		buf_adds(&b, "</body></html>\n");
	snprintf(disp, sizeof(disp), "attachment; filename=\"conversation-%lld.%s\"", (long long)c.id, e.html ? "html" : "txt");
	http_add_header(r, "Content-Disposition", disp);
	http_reply(r, 200, e.html ? "text/html; charset=utf-8" : "text/plain; charset=utf-8", b.ptr, b.len);
	buf_release(&b);
}

void chat_h_tags(struct http_req *r)
{
	struct store_conv c;
	json_t *arr = json_object_get(r->json, "tags"), *v;
	char tags[512] = "";
	size_t i;
	if (load(r, &c))
		return;
	if (!json_is_array(arr) || json_array_size(arr) > 20) {
		http_reply_error(r, 422, "invalid_field", "tags: an array of at most 20 words");
		return;
	}
	json_array_foreach(arr, i, v) {
		const char *t = json_string_value(v);
		size_t l = strlen(tags);
		if (!t || !*t || strlen(t) > 32 || strpbrk(t, " \t\r\n") || l + strlen(t) + 2 > sizeof(tags)) {
			http_reply_error(r, 422, "invalid_field", "a tag is 1-32 bytes without spaces");
			return;
		}
		snprintf(tags + l, sizeof(tags) - l, "%s%s", l ? " " : "", t);
	}
	if (store_conv_set_tags(app_of(r)->st, c.id, tags) != 0 || store_conv_summary(app_of(r)->st, c.id, &c) != 0) {
		http_reply_error(r, 500, "internal", "could not save the tags");
		return;
	}
	hub_conversation_changed(app_of(r), c.id, 0);
	http_reply_json(r, 200, json_pack("{s:o}", "conversation", hub_conv_json(&c)));
}

static json_t *canned_json(const struct store_canned *c)
{
	return json_pack("{s:I,s:s,s:s,s:I}", "id", (json_int_t)c->id, "shortcut", c->shortcut, "text", c->text,
			 "updated_at", (json_int_t)c->updated_at);
}

static int canned_to_array(void *ud, const struct store_canned *c)
{
	json_array_append_new(ud, canned_json(c));
	return 0;
}

void chat_h_canned_list(struct http_req *r)
{
	json_t *arr = json_array();
	store_canned_each(app_of(r)->st, canned_to_array, arr);
	http_reply_json(r, 200, json_pack("{s:o}", "canned", arr));
}

/* Shortcut: 1-40 of [a-z0-9_-] (typed after "/"); text: 1-4000 bytes. */
static int canned_fields(struct http_req *r, struct store_canned *c)
{
	const char *sc = json_get_str(r->json, "shortcut"), *text = json_get_str(r->json, "text");
	size_t n = sc ? strlen(sc) : 0;
	if (!sc || n == 0 || n > 40 || strspn(sc, "abcdefghijklmnopqrstuvwxyz0123456789_-") != n || !text || !*text ||
	    strlen(text) > 4000) {
		http_reply_error(r, 422, "invalid_field", "shortcut: 1-40 of a-z 0-9 _ -; text: 1-4000 bytes");
		return 1;
	}
	snprintf(c->shortcut, sizeof(c->shortcut), "%s", sc);
	snprintf(c->text, sizeof(c->text), "%s", text);
	return 0;
}

void chat_h_canned_create(struct http_req *r)
{
	struct store_canned c;
	memset(&c, 0, sizeof(c));
	if (canned_fields(r, &c))
		return;
	c.created_by = auth_of(r)->user.id;
	int rc = store_canned_create(app_of(r)->st, &c);
	if (rc == KF_EEXIST)
		http_reply_error(r, 409, "conflict", "that shortcut exists");
	else if (rc)
		http_reply_error(r, 500, "internal", "could not save");
	else
		http_reply_json(r, 201, json_pack("{s:o}", "canned", canned_json(&c)));
}

void chat_h_canned_update(struct http_req *r)
{
	struct store_canned c;
	const char *p = http_param(r, 0);
	memset(&c, 0, sizeof(c));
	if (!p || parse_i64(p, strlen(p), &c.id)) {
		http_reply_error(r, 404, "not_found", "no such canned response");
		return;
	}
	if (canned_fields(r, &c))
		return;
	int rc = store_canned_update(app_of(r)->st, &c);
	if (rc == KF_ENOTFOUND)
		http_reply_error(r, 404, "not_found", "no such canned response");
	else if (rc == KF_EEXIST)
		http_reply_error(r, 409, "conflict", "that shortcut exists");
	else if (rc)
		http_reply_error(r, 500, "internal", "could not save");
	else
		http_reply_json(r, 200, json_pack("{s:o}", "canned", canned_json(&c)));
}

void chat_h_canned_delete(struct http_req *r)
{
	int64_t id;
	const char *p = http_param(r, 0);
	if (!p || parse_i64(p, strlen(p), &id) || store_canned_delete(app_of(r)->st, id) != 0) {
		http_reply_error(r, 404, "not_found", "no such canned response");
		return;
	}
	http_reply_json(r, 200, json_pack("{s:b}", "ok", 1));
}
