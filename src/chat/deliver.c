/* chat/deliver.c - what visitor and agent sockets share: frame parsing, validation, and
 * the persist-then-ack-then-fan-out path every message takes. */
#include "chat/chat_int.h"
#include "store/store_route.h"
#include "app/app.h"
#include "core/json.h"
#include "core/kf.h"
#include "core/util.h"
#include <stdio.h>
#include <string.h>

/* 1 when a string anywhere in v holds U+0000, which C strings would silently cut. */
static int has_nul(json_t *v)
{
	const char *k;
	json_t *x;
	size_t i;
	if (json_is_string(v))
		return strlen(json_string_value(v)) != json_string_length(v);
	if (json_is_object(v)) {
		json_object_foreach(v, k, x)
			if (has_nul(x))
				return 1;
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x)
			if (has_nul(x))
				return 1;
	}
	return 0;
}

json_t *chat_parse_frame(struct ws_conn *ws, int binary, const char *data, size_t len)
{
	json_error_t err;
	if (binary) {
		hub_error(ws, "bad_json", "frames are JSON text", NULL);
		return NULL;
	}
	/* \u0000 is parsed (not refused as bad JSON) so the answer can carry the client_id. */
	json_t *v = json_loadb(data, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &err);
	if (!v || !json_is_object(v)) {
		hub_error(ws, "bad_json", v ? "a frame is a JSON object" : err.text, NULL);
		json_decref(v);
		return NULL;
	}
	if (has_nul(v)) {
		json_t *cid = json_object_get(v, "client_id");
		hub_error(ws, "invalid_field", "strings may not contain U+0000",
			  json_is_string(cid) && !has_nul(cid) ? json_string_value(cid) : NULL);
		json_decref(v);
		return NULL;
	}
	return v;
}

/* 1 when origin may embed this site: the list is empty or names it exactly. */
int chat_origin_allowed(const struct store_site *s, const char *origin)
{
	if (!s->origins[0])
		return 1;
	if (!origin)
		return 0;
	size_t ol = strlen(origin);
	for (const char *p = s->origins; *p;) {
		p += strspn(p, " ");
		size_t n = strcspn(p, " ");
		if (n == ol && memcmp(p, origin, n) == 0)
			return 1;
		p += n;
	}
	return 0;
}

int chat_valid_client_id(const char *id)
{
	size_t n = id ? strlen(id) : 0;
	return n >= 1 && n <= 64 &&
	       strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

int chat_valid_text(struct ws_conn *ws, const char *text, const char *client_id)
{
	if (!text || !*text) {
		hub_error(ws, "invalid_field", "text must be a non-empty string", client_id);
		return 0;
	}
	if (utf8_chars(text) > CHAT_MAX_TEXT) {
		hub_error(ws, "too_long", "text is over 10,000 characters", client_id);
		return 0;
	}
	return 1;
}

int chat_deliver(struct app *a, const struct store_conv *c, struct store_msg *m, struct ws_conn *sender)
{
	int dup;
	if (store_msg_append(a->st, m, &dup) != 0) {
		if (sender)
			hub_error(sender, "internal", "could not store the message", m->client_id);
		return KF_EIO;
	}
	if (sender)
		hub_send(sender, json_pack("{s:s,s:s,s:I,s:I,s:I,s:I}", "type", "ack", "client_id", m->client_id, "id",
					   (json_int_t)m->id, "seq", (json_int_t)m->seq, "conversation_id",
					   (json_int_t)m->conversation_id, "at", (json_int_t)m->at));
	if (dup)
		return 1;
	/* The first agent answer starts the first-response clock the statistics read. */
	if (!c->first_reply_at && strcmp(m->sender, "agent") == 0 && strcmp(m->kind, "note") != 0)
		store_route_first_reply(a->st, c->id, m->at);
	if (strcmp(m->kind, "event") != 0)
		chat_index_add(a, m->id, m->body);
	json_t *ev = json_pack("{s:s,s:o}", "type", "msg", "message", hub_msg_json(m));
	if (strcmp(m->kind, "note") != 0)
		hub_to_visitor(c->visitor_id, ev);
	hub_to_watchers(c, ev);
	json_decref(ev);
	if (strcmp(m->kind, "note") != 0)
		hub_conversation_changed(a, c->id, 0);   /* inbox: last message, unread */
	return 0;
}

void chat_system_message(struct app *a, const struct store_conv *c, const char *kind, const char *text)
{
	struct store_msg m;
	memset(&m, 0, sizeof(m));
	m.conversation_id = c->id;
	snprintf(m.sender, sizeof(m.sender), "system");
	snprintf(m.kind, sizeof(m.kind), "%s", kind);
	m.body = text;
	chat_deliver(a, c, &m, NULL);
}
