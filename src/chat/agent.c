/* chat/agent.c - the agent's WebSocket (/ws/agent), docs/chat-protocol.md. The session
 * was checked by the authorize hook before the upgrade; every action on a conversation
 * checks that the agent covers its site. */
#include "chat/chat_int.h"
#include "chat/route.h"
#include "kb/kb.h"
#include "store/store_route.h"
#include "app/app.h"
#include "auth/auth.h"
#include "core/alloc.h"
#include "core/json.h"
#include "core/kf.h"
#include "core/log.h"
#include "core/util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


/* A browser's Origin must be this server: another site must not drive an agent's socket. */
static int same_origin(struct http_req *r)
{
	const char *origin = http_header(r, "origin"), *host = http_header(r, "host");
	if (!origin)
		return 1;   /* not a browser */
	const char *o = strstr(origin, "://");
	return o && host && strcasecmp(o + 3, host) == 0;
}

static void a_open(struct ws_conn *ws, struct http_req *r)
{
	const struct auth_ctx *ctx = auth_of(r);
	if (!same_origin(r) || ctx->kind != AUTH_SESSION) {
		ws_close(ws, 1008, "cross-origin or no session");
		return;
	}
	struct aconn *a = xcalloc(1, sizeof(*a));
	a->ws = ws;
	a->app = app_of(r);
	a->user_id = ctx->user.id;
	utf8_copy(a->name, sizeof(a->name), ctx->user.name[0] ? ctx->user.name : ctx->user.email);
	a->admin = auth_role_level(ctx->user.role) >= ACCESS_ADMIN;
	a->supervisor = auth_role_level(ctx->user.role) >= ACCESS_SUPERVISOR;
	a->max_chats = ctx->user.max_chats > 0 ? ctx->user.max_chats : 5;
	/* Availability is the person's, not the tab's: a new tab takes what the others say. */
	struct aconn *other = hub_agent_find(a->user_id);
	snprintf(a->status, sizeof(a->status), "%s", other ? other->status : "online");
	ws_set_data(ws, a);
}

static int conv_to_array(void *ud, const struct store_conv *c)
{
	json_array_append_new(ud, hub_conv_json(c));
	return 0;
}

static void a_hello(struct aconn *a)
{
	json_t *convs = json_array();
	store_conv_each(a->app->st, a->admin ? 0 : a->user_id, "open", 500, conv_to_array, convs);
	if (!a->hello)
		hub_agent_add(a);
	a->hello = 1;
	hub_send(a->ws, json_pack("{s:s,s:{s:I,s:s,s:s,s:i,s:b},s:o}", "type", "welcome", "agent", "id",
				  (json_int_t)a->user_id, "name", a->name, "status", a->status, "max_chats",
				  a->max_chats, "supervisor", a->supervisor, "conversations", convs));
	route_drain(a->app);   /* an agent came: the queue may move */
}

/* Loads the conversation named by the frame, if the agent may act on it. */
static int load_conv(struct aconn *a, json_t *msg, struct store_conv *c)
{
	json_t *idv = json_object_get(msg, "conversation_id");
	json_int_t id = json_integer_value(idv);
	if (!json_is_integer(idv) || id <= 0) {
		hub_error(a->ws, "invalid_field", "conversation_id must be a positive integer", json_get_str(msg, "client_id"));
		return KF_EINVAL;
	}
	if (store_conv_get(a->app->st, id, c) != 0) {
		hub_error(a->ws, "not_found", "no such conversation", json_get_str(msg, "client_id"));
		return KF_ENOTFOUND;
	}
	if (!hub_agent_covers(a, c->site_id)) {
		hub_error(a->ws, "forbidden", "you are not a member of this conversation's site",
			  json_get_str(msg, "client_id"));
		return KF_EDENIED;
	}
	return 0;
}

static void a_status(struct aconn *a, json_t *msg)
{
	const char *s = json_get_str(msg, "status");
	if (!s || (strcmp(s, "online") && strcmp(s, "away") && strcmp(s, "offline"))) {
		hub_error(a->ws, "invalid_field", "status: online, away or offline", NULL);
		return;
	}
	/* Every tab of this agent changes with it, so routing and the widget agree on one status. */
	for (struct aconn *x = hub_agents(); x; x = x->next) {
		if (x->user_id != a->user_id || !x->hello)
			continue;
		snprintf(x->status, sizeof(x->status), "%s", s);
		hub_send(x->ws, json_pack("{s:s,s:s}", "type", "status", "status", x->status));
	}
	route_drain(a->app);
}

static int history_item(void *ud, const struct store_msg *m)
{
	json_array_append_new(ud, hub_msg_json(m));
	return 0;
}

static void a_watch(struct aconn *a, json_t *msg)
{
	struct store_conv c;
	json_t *ls = json_object_get(msg, "last_seq");
	if (ls && !json_is_integer(ls)) {
		hub_error(a->ws, "invalid_field", "last_seq must be an integer", NULL);
		return;
	}
	if (load_conv(a, msg, &c))
		return;
	json_int_t after = json_integer_value(ls);
	json_t *msgs = json_array();
	store_msg_each(a->app->st, c.id, after > 0 ? after : 0, 1, history_item, msgs);
	hub_watch(a, c.id);
	hub_send(a->ws, json_pack("{s:s,s:I,s:o}", "type", "history", "conversation_id", (json_int_t)c.id, "messages", msgs));
}

/* Makes the agent the owner of c and tells everyone. */
static int take(struct aconn *a, struct store_conv *c)
{
	int64_t n = 0;
	if (c->agent_id != a->user_id && store_conv_count_active(a->app->st, a->user_id, &n) == 0 && n >= a->max_chats) {
		hub_error(a->ws, "forbidden", "you are at your limit of concurrent chats", NULL);
		return KF_EDENIED;
	}
	if (store_conv_set_status(a->app->st, c->id, "active", a->user_id, time_now_s()) != 0)
		return KF_EIO;
	int was_mine = c->agent_id == a->user_id;
	route_forget(c->id);
	kb_bot_release(a->app, c->id);   /* an agent took it: the bot lets go */
	snprintf(c->status, sizeof(c->status), "active");
	c->agent_id = a->user_id;
	hub_watch(a, c->id);
	if (!was_mine) {
		char text[200];
		snprintf(text, sizeof(text), "%s joined", a->name);
		chat_system_message(a->app, c, "event", text);
	}
	hub_conversation_changed(a->app, c->id, 1);
	return 0;
}

static void a_accept(struct aconn *a, json_t *msg)
{
	struct store_conv c;
	if (load_conv(a, msg, &c))
		return;
	if (strcmp(c.status, "closed") == 0) {
		hub_error(a->ws, "closed", "the conversation is closed; reopen it first", NULL);
		return;
	}
	/* An active chat changes hands only when offered to this agent (a transfer) or by takeover. */
	if (strcmp(c.status, "active") == 0 && c.agent_id && c.agent_id != a->user_id && !a->admin &&
	    c.offered_to != a->user_id) {
		hub_error(a->ws, "forbidden", "another agent owns this conversation", NULL);
		return;
	}
	take(a, &c);
}

/* {"type":"decline","conversation_id"}: an offered chat goes to the next agent now. */
static void a_decline(struct aconn *a, json_t *msg)
{
	struct store_conv c;
	if (load_conv(a, msg, &c))
		return;
	if (c.offered_to != a->user_id) {
		hub_error(a->ws, "invalid_field", "this conversation is not offered to you", NULL);
		return;
	}
	route_decline(a->app, c.id, a->user_id);
}

/* {"type":"takeover","conversation_id"}: a supervisor takes a chat from its agent. */
static void a_takeover(struct aconn *a, json_t *msg)
{
	struct store_conv c;
	if (load_conv(a, msg, &c))
		return;
	if (!a->supervisor) {
		hub_error(a->ws, "forbidden", "only supervisors and admins take over chats", NULL);
		return;
	}
	if (strcmp(c.status, "closed") == 0) {
		hub_error(a->ws, "closed", "the conversation is closed; reopen it first", NULL);
		return;
	}
	int64_t before = c.agent_id;
	if (take(a, &c) == 0 && before && before != a->user_id) {
		char text[300];
		snprintf(text, sizeof(text), "%s 接管了对话 / %s took over the chat", a->name, a->name);
		chat_system_message(a->app, &c, "note", text);
	}
}

/* {"type":"transfer","conversation_id","agent_id"|"department_id","note"?}: offers the chat to
 * another agent (or the department's next one); the owner keeps it until they accept. */
static void a_transfer(struct aconn *a, json_t *msg)
{
	struct store_conv c;
	json_t *ag = json_object_get(msg, "agent_id"), *dp = json_object_get(msg, "department_id");
	const char *note = json_get_str(msg, "note");
	if (load_conv(a, msg, &c))
		return;
	if ((ag && !json_is_integer(ag)) || (dp && !json_is_integer(dp)) || (!ag == !dp) ||
	    (note && json_string_length(json_object_get(msg, "note")) > 2000)) {
		hub_error(a->ws, "invalid_field", "agent_id or department_id (one of them), note at most 2000 bytes", NULL);
		return;
	}
	if (strcmp(c.status, "closed") == 0) {
		hub_error(a->ws, "closed", "the conversation is closed; reopen it first", NULL);
		return;
	}
	if (c.agent_id && c.agent_id != a->user_id && !a->supervisor) {
		hub_error(a->ws, "forbidden", "only the chat's agent or a supervisor transfers it", NULL);
		return;
	}
	const char *err = route_transfer(a->app, &c, a->user_id, a->name, json_integer_value(ag),
					 json_integer_value(dp), note ? note : "");
	if (err)
		hub_error(a->ws, "unavailable", err, NULL);
}

static void a_msg(struct aconn *a, json_t *msg)
{
	struct store_conv c;
	const char *cid = json_get_str(msg, "client_id"), *text = json_get_str(msg, "text");
	int note = json_is_true(json_object_get(msg, "note"));
	if (!chat_valid_client_id(cid)) {
		hub_error(a->ws, "invalid_field", "client_id: 1-64 characters of A-Z a-z 0-9 _ -", NULL);
		return;
	}
	int has_file = json_object_get(msg, "file_id") != NULL;
	if ((!(has_file && !text) && !chat_valid_text(a->ws, text, cid)) || load_conv(a, msg, &c))
		return;
	if (!note && strcmp(c.status, "closed") == 0) {
		hub_error(a->ws, "closed", "the conversation is closed; reopen it first", cid);
		return;
	}
	/* Answering a waiting chat takes it, as in every helpdesk. */
	if (!note && c.agent_id != a->user_id && (strcmp(c.status, "waiting") == 0 || strcmp(c.status, "offline") == 0) &&
	    take(a, &c))
		return;
	struct store_msg m;
	memset(&m, 0, sizeof(m));
	m.conversation_id = c.id;
	snprintf(m.sender, sizeof(m.sender), "agent");
	m.sender_id = a->user_id;
	snprintf(m.kind, sizeof(m.kind), "%s", note ? "note" : "text");
	snprintf(m.client_id, sizeof(m.client_id), "%s", cid);
	snprintf(m.author, sizeof(m.author), "%s", a->name);
	if (chat_attach_file(a->app, a->ws, &c, "agent", a->user_id, msg, &m) != 0)
		return;
	m.body = text ? text : m.file_name;
	hub_watch(a, c.id);
	if (chat_deliver(a->app, &c, &m, a->ws) == 0 && !note)
		chat_notify_visitor(a->app, &c, a->name, m.body);
}

static void a_typing(struct aconn *a, json_t *msg)
{
	struct store_conv c;
	if (load_conv(a, msg, &c))
		return;
	json_t *ev = json_pack("{s:s,s:I,s:s,s:b}", "type", "typing", "conversation_id", (json_int_t)c.id, "from", "agent",
			       "typing", json_is_true(json_object_get(msg, "typing")));
	hub_to_visitor(c.visitor_id, ev);
	json_decref(ev);
}

static void a_read(struct aconn *a, json_t *msg)
{
	struct store_conv c;
	json_int_t seq = json_integer_value(json_object_get(msg, "seq"));
	if (seq <= 0 || load_conv(a, msg, &c))
		return;
	store_conv_set_read(a->app->st, c.id, 0, seq);
	json_t *ev = json_pack("{s:s,s:I,s:s,s:I}", "type", "read", "conversation_id", (json_int_t)c.id, "by", "agent",
			       "seq", (json_int_t)seq);
	hub_to_visitor(c.visitor_id, ev);
	json_decref(ev);
	hub_conversation_changed(a->app, c.id, 0);
}

static void a_close(struct aconn *a, json_t *msg, int reopen)
{
	struct store_conv c;
	if (load_conv(a, msg, &c))
		return;
	if (reopen) {
		store_conv_set_status(a->app->st, c.id, "active", a->user_id, time_now_s());
		hub_watch(a, c.id);
	} else {
		store_conv_set_status(a->app->st, c.id, "closed", c.agent_id, time_now_s());
		route_forget(c.id);
	}
	hub_conversation_changed(a->app, c.id, 1);
	route_drain(a->app);   /* a closed chat frees a place */
}

static void a_unwatch(struct aconn *a, json_t *msg)
{
	hub_unwatch(a, json_integer_value(json_object_get(msg, "conversation_id")));
}

static void a_close_frame(struct aconn *a, json_t *msg)
{
	a_close(a, msg, 0);
}

static void a_reopen_frame(struct aconn *a, json_t *msg)
{
	a_close(a, msg, 1);
}

/* The frames an agent may send after hello, and who handles them. */
static const struct {
	const char *type;
	void (*fn)(struct aconn *a, json_t *msg);
} frames[] = {
	{ "status", a_status }, { "watch", a_watch }, { "unwatch", a_unwatch }, { "accept", a_accept },
	{ "msg", a_msg }, { "typing", a_typing }, { "read", a_read }, { "close", a_close_frame },
	{ "reopen", a_reopen_frame }, { "decline", a_decline }, { "takeover", a_takeover },
	{ "transfer", a_transfer }, { "send_order", chat_send_order },
};

static void a_message(struct ws_conn *ws, int binary, const char *data, size_t len)
{
	struct aconn *a = ws_data(ws);
	json_t *msg = chat_parse_frame(ws, binary, data, len);
	if (!a || !msg)
		return;
	const char *type = json_get_str(msg, "type");
	size_t i = 0;
	while (type && i < KF_ARRAY_LEN(frames) && strcmp(type, frames[i].type) != 0)
		i++;
	if (!type)
		hub_error(ws, "invalid_field", "type is required", NULL);
	else if (strcmp(type, "ping") == 0)
		hub_send(ws, json_pack("{s:s}", "type", "pong"));
	else if (strcmp(type, "hello") == 0)
		a_hello(a);
	else if (!a->hello)
		hub_error(ws, "hello_first", "send hello first", NULL);
	else if (i < KF_ARRAY_LEN(frames))
		frames[i].fn(a, msg);
	else
		hub_error(ws, "unknown_type", "no such message type", NULL);
	json_decref(msg);
}

static void a_closed(struct ws_conn *ws, int code)
{
	struct aconn *a = ws_data(ws);
	KF_UNUSED(code);
	if (!a)
		return;
	hub_agent_remove(a);
	route_drain(a->app);   /* offers to this agent move on at once when it was their last socket */
	free(a);
	ws_set_data(ws, NULL);
}

const struct ws_handler chat_agent_ws = { a_open, a_message, a_closed };
