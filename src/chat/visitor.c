/* chat/visitor.c - the visitor's WebSocket (/ws/visitor?site=KEY), docs/chat-protocol.md.
 * Every message is committed before its ack; a repeated client id is acked again from
 * the stored row and not broadcast twice. */
#include "chat/chat_int.h"
#include "chat/route.h"
#include "kb/kb.h"
#include "crm/crm.h"
#include "store/store_crm.h"
#include "ticket/ticket.h"
#include "store/store_route.h"
#include "app/app.h"
#include "core/alloc.h"
#include "core/json.h"
#include "core/kf.h"
#include "core/log.h"
#include "core/util.h"
#include "core/buf.h"
#include "core/ratelimit.h"
#include "mail/mail.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>



static void v_open(struct ws_conn *ws, struct http_req *r)
{
	struct app *a = app_of(r);
	const char *key = http_query(r, "site");
	struct store_site site;
	if (!key || store_site_by_key(a->st, key, &site) != 0) {
		ws_close(ws, 1008, "unknown site");
		return;
	}
	if (!chat_origin_allowed(&site, http_header(r, "origin"))) {
		ws_close(ws, 1008, "origin not allowed for this site");
		return;
	}
	struct vconn *v = xcalloc(1, sizeof(*v));
	v->ws = ws;
	v->app = a;
	v->site_id = site.id;
	v->preview = site.preview;
	ws_set_data(ws, v);
}

static int conv_messages(void *ud, const struct store_msg *m)
{
	json_array_append_new(ud, hub_msg_json(m));
	return 0;
}

/* Finds the visitor for token (or makes one, with a fresh token into tok). */
static int visitor_for(struct vconn *v, const char *token, char tok[64], struct store_visitor *vis)
{
	char hash[65];
	memset(vis, 0, sizeof(*vis));
	if (token && strlen(token) == 43) {
		token_hash_hex(token, 43, hash);
		if (store_visitor_by_token(v->app->st, v->site_id, hash, vis) == 0) {
			snprintf(tok, 64, "%s", token);
			return 0;
		}
	}
	token_new(tok, 64);
	token_hash_hex(tok, strlen(tok), hash);
	vis->site_id = v->site_id;
	return store_visitor_create(v->app->st, hash, vis);
}

struct dept_find { const char *name; int64_t id; };

static int dept_by_name(void *ud, const struct store_dept *d)
{
	struct dept_find *f = ud;
	if (strcmp(d->name, f->name) == 0) {
		f->id = d->id;
		return 1;
	}
	return 0;
}

/* The department val names (its id, or its name as in data-department="售前") on the visitor's
 * site; 0 when none or not this site's. */
static int64_t dept_of(struct vconn *v, json_t *val)
{
	struct store_dept d;
	if (json_is_integer(val))
		return store_dept_get(v->app->st, json_integer_value(val), &d) == 0 && d.site_id == v->site_id ? d.id : 0;
	if (!json_is_string(val))
		return 0;
	struct dept_find f = { json_string_value(val), 0 };
	store_dept_each(v->app->st, v->site_id, dept_by_name, &f);
	return f.id;
}

/* Where the visitor's next chat should go: a department and/or an agent (both optional). */
static void choose_route(struct vconn *v, json_t *msg, const char *dept_key, const char *agent_key)
{
	json_t *d = json_object_get(msg, dept_key), *ag = json_object_get(msg, agent_key);
	if (d)
		v->department_id = dept_of(v, d);
	if (ag)
		v->agent_pref = json_is_integer(ag) && json_integer_value(ag) > 0 ? json_integer_value(ag) : 0;
}

static void v_hello(struct vconn *v, json_t *msg)
{
	struct app *a = v->app;
	struct store_visitor vis;
	struct store_site site;
	char tok[64];
	if (v->visitor_id) {
		hub_error(v->ws, "invalid_field", "hello was already sent", NULL);
		return;
	}
	if (visitor_for(v, json_get_str(msg, "token"), tok, &vis) != 0 || store_site_get(a->st, v->site_id, &site)) {
		hub_error(v->ws, "internal", "could not start the session", NULL);
		return;
	}
	const char *name = json_get_str(msg, "name"), *email = json_get_str(msg, "email"), *lang = json_get_str(msg, "lang");
	if (name)
		utf8_copy(vis.name, sizeof(vis.name), name);
	if (email)
		utf8_copy(vis.email, sizeof(vis.email), email);
	if (lang)
		utf8_copy(vis.lang, sizeof(vis.lang), lang);
	vis.last_seen = time_now_s();
	store_visitor_update(a->st, &vis);
	v->visitor_id = vis.id;
	snprintf(v->name, sizeof(v->name), "%s", vis.name);
	choose_route(v, msg, "department", "agent");
	hub_visitor_add(v);

	json_t *conv = json_null(), *msgs = json_array();
	struct store_conv c;
	if (store_conv_open_for_visitor(a->st, vis.id, &c) == 0 && store_conv_summary(a->st, c.id, &c) == 0) {
		json_decref(conv);
		conv = hub_conv_public_json(&c);
		json_int_t last = json_integer_value(json_object_get(msg, "last_seq"));
		store_msg_each(a->st, c.id, last > 0 ? last : 0, 0, conv_messages, msgs);
	}
	int open = chat_site_open(&site, time_now_ms());
	json_t *customer;   /* the shop's signed customer claim (crm/identity.c); a forged one is refused */
	int bad_sig = crm_identify(a, site.id, vis.id, json_object_get(msg, "customer"), &customer) == KF_EDENIED;
	hub_send(v->ws, json_pack("{s:s,s:s,s:I,s:{s:s,s:s,s:s,s:b,s:b},s:o,s:o,s:o,s:o}", "type", "welcome", "token", tok,
				  "visitor_id", (json_int_t)vis.id, "site", "name", site.name, "greeting", site.greeting,
				  "color", site.color, "online", open && route_available(a, site.id, 0), "open", open,
				  "conversation", conv, "messages", msgs, "invite_rules",
				  chat_invite_rules_public(a, site.id), "customer", customer));
	if (bad_sig)
		hub_error(v->ws, "bad_signature", "the customer signature is not valid; continuing as a guest", NULL);
}

/* The visitor's open conversation, created (waiting, or offline when nobody is online)
 * when there is none. *created is set when it is new. */
static int open_conv(struct vconn *v, struct store_conv *c, int *created)
{
	*created = 0;
	if (store_conv_open_for_visitor(v->app->st, v->visitor_id, c) == 0)
		return 0;
	memset(c, 0, sizeof(*c));
	c->site_id = v->site_id;
	c->visitor_id = v->visitor_id;
	c->department_id = v->department_id;
	snprintf(c->status, sizeof(c->status), "%s",
		 route_available(v->app, v->site_id, v->department_id) ? "waiting" : "offline");
	*created = 1;
	int rc = store_conv_create(v->app->st, c);
	if (rc == 0 && strcmp(c->status, "waiting") == 0)
		route_prefer(c->id, v->agent_pref);
	return rc;
}

static struct ratelimit *msg_rl;   /* per visitor (all their tabs), sliding 10 s window */

/* At most chat_msgs_per_10s messages per visitor in a 10-second window. */
static int rate_ok(struct vconn *v)
{
	char key[32];
	int64_t now = time_now_ms();   /* the limiter counts in whatever unit it is given: ms here */
	if (!msg_rl)
		msg_rl = ratelimit_new_sliding(v->app->cfg.chat_msgs_per_10s, 10000);
	snprintf(key, sizeof(key), "v:%lld", (long long)v->visitor_id);
	if (ratelimit_check(msg_rl, key, now))
		return 0;
	ratelimit_hit(msg_rl, key, now);
	return 1;
}

void chat_visitor_shutdown(void)
{
	ratelimit_free(msg_rl);
	msg_rl = NULL;
}

/* A new conversation left while nobody is online gets the site's offline message. */
static void offline_reply(struct app *a, const struct store_conv *c)
{
	struct store_site site;
	if (strcmp(c->status, "offline") != 0 || store_site_get(a->st, c->site_id, &site) || !site.offline_message[0])
		return;
	chat_system_message(a, c, "text", site.offline_message);
}

static void v_msg(struct vconn *v, json_t *msg)
{
	const char *cid = json_get_str(msg, "client_id");
	const char *text = json_get_str(msg, "text");
	if (!chat_valid_client_id(cid)) {
		hub_error(v->ws, "invalid_field", "client_id: 1-64 characters of A-Z a-z 0-9 _ -", NULL);
		return;
	}
	int has_file = json_object_get(msg, "file_id") != NULL;
	if (!(has_file && !text) && !chat_valid_text(v->ws, text, cid))
		return;
	struct store_conv c;
	int created;
	if (!rate_ok(v)) {
		/* A resend of a stored message is only an ack: it must not be refused. */
		struct store_msg old;
		if (store_conv_open_for_visitor(v->app->st, v->visitor_id, &c) == 0 &&
		    store_msg_find(v->app->st, c.id, "visitor", v->visitor_id, cid, &old) == 0)
			hub_send(v->ws, json_pack("{s:s,s:s,s:I,s:I,s:I,s:I}", "type", "ack", "client_id", cid, "id",
						  (json_int_t)old.id, "seq", (json_int_t)old.seq, "conversation_id",
						  (json_int_t)c.id, "at", (json_int_t)old.at));
		else
			hub_error(v->ws, "rate_limited", "too many messages; wait a few seconds", cid);
		return;
	}
	if (open_conv(v, &c, &created) != 0) {
		hub_error(v->ws, "internal", "could not store the message", cid);
		return;
	}
	struct store_msg m;
	memset(&m, 0, sizeof(m));
	m.conversation_id = c.id;
	snprintf(m.sender, sizeof(m.sender), "visitor");
	m.sender_id = v->visitor_id;
	snprintf(m.kind, sizeof(m.kind), "text");
	snprintf(m.client_id, sizeof(m.client_id), "%s", cid);
	snprintf(m.author, sizeof(m.author), "%s", v->name);
	if (chat_attach_file(v->app, v->ws, &c, "visitor", v->visitor_id, msg, &m) != 0)
		return;
	m.body = text ? text : m.file_name;   /* a file's name is its searchable text */
	if (chat_deliver(v->app, &c, &m, v->ws) != 0)
		return;
	if (created)
		hub_conversation_changed(v->app, c.id, 1);
	/* The FAQ bot may answer first (kb/bot.c): while it waits for the visitor's verdict, people
	 * wait too. A follow-up it cannot answer goes to people. */
	int first = created || c.last_seq == 0;
	int held = strcmp(c.bot_state, "held") == 0;   /* c as loaded: no query on the usual path */
	if (text && (first || held) && kb_bot_on_message(v->app, &c, text, first))
		return;
	if (!first && held && kb_bot_give_up(v->app, &c))
		first = 1;
	if (first)
		chat_to_people(v->app, &c, text);
}

/* A message left while nobody is online becomes a ticket (issue 7), so it is answered even
 * when the visitor never comes back: the transcript, their contact, their shop account. A
 * conversation is handed over more than once (the bot giving up, each "not helpful"): it stays
 * one ticket, and a later message left offline is added to it. */
static void offline_ticket(struct app *a, const struct store_conv *c, const char *text)
{
	int64_t id;
	char err[160];
	int rc = ticket_from_conversation(a, c->id, "customer", 0, &id, err, sizeof(err));
	if (rc == KF_EEXIST && text && text[0]) {
		struct ticket_msg_new m = { .ticket_id = id, .kind = "public", .author_kind = "customer", .body = text };
		rc = ticket_add_message(a, &m, NULL);
		snprintf(err, sizeof(err), "the message was not added to ticket #%lld", (long long)id);
	}
	if (rc && rc != KF_EEXIST)
		log_warn("offline message of conversation %lld: no ticket (%s)", (long long)c->id, err);
}

void chat_to_people(struct app *a, const struct store_conv *conv, const char *text)
{
	struct store_conv c;
	if (store_conv_get(a->st, conv->id, &c) != 0)
		return;
	if (strcmp(c.status, "waiting") == 0) {
		route_conversation(a, c.id);   /* after the message is stored: the agent offered it sees it */
		chat_autoreply_arm(a, &c);
	} else if (strcmp(c.status, "offline") == 0) {
		offline_reply(a, &c);
		chat_notify_offline(a, &c, text ? text : "");
		offline_ticket(a, &c, text);
	}
}

/* {"type":"bot_feedback","helpful":bool}: the visitor's verdict on the bot's answer. */
static void v_bot_feedback(struct vconn *v, json_t *msg)
{
	struct store_conv c;
	json_t *h = json_object_get(msg, "helpful");
	if (!json_is_boolean(h)) {
		hub_error(v->ws, "invalid_field", "helpful must be true or false", NULL);
		return;
	}
	if (store_conv_open_for_visitor(v->app->st, v->visitor_id, &c) != 0 ||
	    kb_bot_feedback(v->app, &c, json_is_true(h)) != 0) {
		hub_error(v->ws, "not_found", "no automatic answer is waiting for a verdict", NULL);
		return;
	}
	if (!json_is_true(h))
		chat_to_people(v->app, &c, NULL);
}

static void v_typing(struct vconn *v, json_t *msg)
{
	const char *draft = json_get_str(msg, "draft");
	struct store_conv c;
	int created = 0;
	if (!draft || json_string_length(json_object_get(msg, "draft")) > 40000)
		return;
	/* With preview on, the first draft opens the conversation, so agents see what the
	 * visitor types before the first message is sent (消息预知). */
	if (store_conv_open_for_visitor(v->app->st, v->visitor_id, &c) != 0) {
		if (!v->preview || !draft[0] || open_conv(v, &c, &created) != 0)
			return;
		hub_conversation_changed(v->app, c.id, 1);
		if (strcmp(c.status, "waiting") == 0)
			route_conversation(v->app, c.id);
	}
	json_t *ev = json_pack("{s:s,s:I,s:s,s:b}", "type", "typing", "conversation_id", (json_int_t)c.id, "from",
			       "visitor", "typing", draft[0] != '\0');
	if (v->preview)
		json_object_set_new(ev, "draft", json_string(draft));   /* drafts are relayed, never stored */
	hub_to_watchers(&c, ev);
	json_decref(ev);
}

static void v_read(struct vconn *v, json_t *msg)
{
	struct store_conv c;
	json_int_t seq = json_integer_value(json_object_get(msg, "seq"));
	if (seq <= 0 || store_conv_open_for_visitor(v->app->st, v->visitor_id, &c) != 0)
		return;
	store_conv_set_read(v->app->st, c.id, 1, seq);
	json_t *ev = json_pack("{s:s,s:I,s:s,s:I}", "type", "read", "conversation_id", (json_int_t)c.id, "by",
			       "visitor", "seq", (json_int_t)seq);
	hub_to_watchers(&c, ev);
	json_decref(ev);
}

static void v_close(struct vconn *v)
{
	struct store_conv c;
	if (store_conv_open_for_visitor(v->app->st, v->visitor_id, &c) != 0) {
		hub_error(v->ws, "not_found", "no open conversation", NULL);
		return;
	}
	store_conv_set_status(v->app->st, c.id, "closed", c.agent_id, time_now_s());
	route_forget(c.id);
	hub_conversation_changed(v->app, c.id, 1);
	route_drain(v->app);   /* the agent has a free place now */
}

static void v_rate(struct vconn *v, json_t *msg)
{
	struct store_conv c;
	json_int_t id = json_integer_value(json_object_get(msg, "conversation_id"));
	json_int_t rating = json_integer_value(json_object_get(msg, "rating"));
	const char *comment = json_get_str(msg, "comment");
	if (rating < 1 || rating > 5 || (comment && strlen(comment) > 1000)) {
		hub_error(v->ws, "invalid_field", "rating must be 1 to 5, comment at most 1000 bytes", NULL);
		return;
	}
	if (id <= 0 || store_conv_get(v->app->st, id, &c) != 0 || c.visitor_id != v->visitor_id) {
		hub_error(v->ws, "not_found", "no such conversation", NULL);
		return;
	}
	store_conv_rate(v->app->st, c.id, (int)rating, comment ? comment : "");
	hub_conversation_changed(v->app, c.id, 1);
}

/* {"type":"contact","name"?,"email"?}: what the offline form or pre-chat form collects. */
static void v_contact(struct vconn *v, json_t *msg)
{
	struct app *a = v->app;
	struct store_visitor vis;
	const char *name = json_get_str(msg, "name"), *email = json_get_str(msg, "email");
	const char *phone = json_get_str(msg, "phone");
	if ((email && *email && !mail_valid_address(email)) || (name && strlen(name) > 120) ||
	    (phone && (strlen(phone) > 30 || strspn(phone, "+0123456789 -()") != strlen(phone)))) {
		hub_error(v->ws, "invalid_field", "email must be an address, phone digits, name at most 120 bytes", NULL);
		return;
	}
	struct store_conv c;
	if (store_visitor_get(a->st, v->visitor_id, &vis) != 0) {
		hub_error(v->ws, "internal", "could not load the visitor", NULL);
		return;
	}
	if (name)
		utf8_copy(vis.name, sizeof(vis.name), name);
	if (email)
		snprintf(vis.email, sizeof(vis.email), "%s", email);
	if (phone)
		snprintf(vis.phone, sizeof(vis.phone), "%s", phone);
	choose_route(v, msg, "department_id", "agent_id");
	vis.last_seen = time_now_s();
	store_visitor_update(a->st, &vis);
	snprintf(v->name, sizeof(v->name), "%s", vis.name);
	hub_send(v->ws, json_pack("{s:s,s:s,s:s,s:s}", "type", "contact", "name", vis.name, "email", vis.email,
				  "phone", vis.phone));
	if (store_conv_open_for_visitor(a->st, v->visitor_id, &c) == 0)
		hub_conversation_changed(a, c.id, 0);
}

/* {"type":"email_transcript","email"?}: the open (or given) conversation by mail. */
static void v_email_transcript(struct vconn *v, json_t *msg)
{
	struct app *a = v->app;
	struct store_conv c;
	struct mail_settings m;
	const char *email = json_get_str(msg, "email");
	json_int_t id = json_integer_value(json_object_get(msg, "conversation_id"));
	int found = id > 0 ? store_conv_summary(a->st, id, &c) == 0 && c.visitor_id == v->visitor_id
			   : store_conv_open_for_visitor(a->st, v->visitor_id, &c) == 0 &&
				     store_conv_summary(a->st, c.id, &c) == 0;
	if (!found) {
		hub_error(v->ws, "not_found", "no such conversation", NULL);
		return;
	}
	if (!email || !*email)
		email = c.visitor_email;
	if (!mail_valid_address(email)) {
		hub_error(v->ws, "invalid_field", "email: an e-mail address", NULL);
		return;
	}
	if (app_mail_settings(a, &m) != 0) {
		hub_error(v->ws, "unavailable", "this shop cannot send e-mail", NULL);
		return;
	}
	struct buf b;
	char subject[200];
	buf_init(&b, 0);
	chat_transcript_text(a, &c, 0, &b);
	snprintf(subject, sizeof(subject), "%s 聊天记录 / chat transcript", c.site_name);
	mail_send_async(a->loop, &m, email, subject, b.ptr);
	buf_release(&b);
	hub_send(v->ws, json_pack("{s:s,s:I,s:s}", "type", "transcript_sent", "conversation_id", (json_int_t)c.id,
				  "email", email));
}

static void v_close_frame(struct vconn *v, json_t *msg)
{
	KF_UNUSED(msg);
	v_close(v);
}

/* The frames a visitor may send after hello, and who handles them. */
static const struct {
	const char *type;
	void (*fn)(struct vconn *v, json_t *msg);
} frames[] = {
	{ "msg", v_msg }, { "typing", v_typing }, { "read", v_read }, { "close", v_close_frame },
	{ "rate", v_rate }, { "bot_feedback", v_bot_feedback }, { "contact", v_contact },
	{ "email_transcript", v_email_transcript },
	{ "invite_accept", chat_invite_accept }, { "invite_decline", chat_invite_decline },
	{ "invite_check", chat_invite_check },
};

static void v_message(struct ws_conn *ws, int binary, const char *data, size_t len)
{
	struct vconn *v = ws_data(ws);
	json_t *msg = chat_parse_frame(ws, binary, data, len);
	if (!v || !msg)
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
		v_hello(v, msg);
	else if (!v->visitor_id)
		hub_error(ws, "hello_first", "send hello first", NULL);
	else if (i < KF_ARRAY_LEN(frames))
		frames[i].fn(v, msg);
	else
		hub_error(ws, "unknown_type", "no such message type", NULL);
	json_decref(msg);
}

static void v_close_cb(struct ws_conn *ws, int code)
{
	struct vconn *v = ws_data(ws);
	KF_UNUSED(code);
	if (!v)
		return;
	hub_visitor_remove(v);
	free(v);
	ws_set_data(ws, NULL);
}

const struct ws_handler chat_visitor_ws = { v_open, v_message, v_close_cb };
