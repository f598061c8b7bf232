/* chat/hub.c - the live registry of chat sockets and the fan-out of frames (see hub.h).
 * Visitors are hashed by visitor id (a visitor may have several tabs); agents are few
 * and kept in one list. A frame is serialised once and sent to each socket. */
#include "chat/hub.h"
#include "chat/chat_int.h"
#include "kb/kb.h"
#include "app/app.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/kf.h"
#include <stdlib.h>
#include <string.h>

#define VBUCKETS 4096

static struct vconn *vb[VBUCKETS];
static struct aconn *agents;

static unsigned vhash(int64_t id)
{
	return (unsigned)((uint64_t)id * 11400714819323198485ull >> 52) % VBUCKETS;
}

/* Serialises v once; the caller frees the buf. */
static int frame(json_t *v, struct buf *b)
{
	buf_init(b, 0);
	return json_to_buf(v, b);
}

void hub_send(struct ws_conn *ws, json_t *v)
{
	struct buf b;
	if (frame(v, &b) == 0)
		ws_send(ws, 0, b.ptr, b.len);
	buf_release(&b);
	json_decref(v);
}

void hub_error(struct ws_conn *ws, const char *code, const char *message, const char *client_id)
{
	json_t *e = json_pack("{s:s,s:s,s:s}", "type", "error", "code", code, "message", message);
	if (client_id)
		json_object_set_new(e, "client_id", json_string(client_id));
	hub_send(ws, e);
}

void hub_visitor_add(struct vconn *v)
{
	unsigned h = vhash(v->visitor_id);
	v->next_same = vb[h];
	vb[h] = v;
}

void hub_visitor_remove(struct vconn *v)
{
	if (!v->visitor_id)
		return;
	for (struct vconn **pp = &vb[vhash(v->visitor_id)]; *pp; pp = &(*pp)->next_same) {
		if (*pp == v) {
			*pp = v->next_same;
			return;
		}
	}
}

int hub_visitor_online(int64_t visitor_id)
{
	for (struct vconn *c = vb[vhash(visitor_id)]; c; c = c->next_same)
		if (c->visitor_id == visitor_id)
			return 1;
	return 0;
}

void hub_agent_add(struct aconn *a)
{
	a->prev = NULL;
	a->next = agents;
	if (agents)
		agents->prev = a;
	agents = a;
}

void hub_agent_remove(struct aconn *a)
{
	if (a->prev)
		a->prev->next = a->next;
	else if (agents == a)
		agents = a->next;
	if (a->next)
		a->next->prev = a->prev;
	a->next = a->prev = NULL;
	free(a->watch);
	a->watch = NULL;
	a->nwatch = a->capwatch = 0;
}

int hub_agent_covers(struct aconn *a, int64_t site_id)
{
	return a->admin || store_site_is_member(a->app->st, site_id, a->user_id) == 0;
}

struct aconn *hub_agents(void)
{
	return agents;
}

struct aconn *hub_agent_find(int64_t user_id)
{
	for (struct aconn *a = agents; a; a = a->next)
		if (a->hello && a->user_id == user_id)
			return a;
	return NULL;
}

int hub_agent_watches(const struct aconn *a, int64_t conv_id)
{
	for (size_t i = 0; i < a->nwatch; i++)
		if (a->watch[i] == conv_id)
			return 1;
	return 0;
}

void hub_watch(struct aconn *a, int64_t conv_id)
{
	if (hub_agent_watches(a, conv_id))
		return;
	if (a->nwatch == a->capwatch) {
		a->capwatch = a->capwatch ? a->capwatch * 2 : 8;
		a->watch = xrealloc(a->watch, a->capwatch * sizeof(*a->watch));
	}
	a->watch[a->nwatch++] = conv_id;
}

void hub_unwatch(struct aconn *a, int64_t conv_id)
{
	for (size_t i = 0; i < a->nwatch; i++) {
		if (a->watch[i] == conv_id) {
			a->watch[i] = a->watch[--a->nwatch];
			return;
		}
	}
}

void hub_to_visitor(int64_t visitor_id, json_t *v)
{
	struct buf b;
	if (frame(v, &b) == 0)
		for (struct vconn *c = vb[vhash(visitor_id)]; c; c = c->next_same)
			if (c->visitor_id == visitor_id)
				ws_send(c->ws, 0, b.ptr, b.len);
	buf_release(&b);
}

void hub_to_watchers(const struct store_conv *conv, json_t *v)
{
	struct buf b;
	if (frame(v, &b) == 0)
		for (struct aconn *a = agents; a; a = a->next)
			if (a->hello && (hub_agent_watches(a, conv->id) || (conv->agent_id && conv->agent_id == a->user_id)))
				ws_send(a->ws, 0, b.ptr, b.len);
	buf_release(&b);
}

void hub_conversation_changed(struct app *app, int64_t conv_id, int tell_visitor)
{
	struct store_conv c;
	if (store_conv_summary(app->st, conv_id, &c) != 0)
		return;
	json_t *ev = json_pack("{s:s,s:o}", "type", "conversation", "conversation", hub_conv_json(&c));
	struct buf b;
	if (frame(ev, &b) == 0)
		for (struct aconn *a = agents; a; a = a->next)
			if (a->hello && hub_agent_covers(a, c.site_id))
				ws_send(a->ws, 0, b.ptr, b.len);
	buf_release(&b);
	json_decref(ev);
	if (!tell_visitor)
		return;
	ev = json_pack("{s:s,s:o}", "type", "conversation", "conversation", hub_conv_public_json(&c));
	hub_to_visitor(c.visitor_id, ev);
	json_decref(ev);
}

json_t *hub_msg_json(const struct store_msg *m)
{
	json_t *o = json_pack("{s:I,s:I,s:I,s:s,s:{s:s},s:s,s:s,s:I}", "id", (json_int_t)m->id, "conversation_id",
			      (json_int_t)m->conversation_id, "seq", (json_int_t)m->seq, "from", m->sender, "author",
			      "name", m->author, "kind", m->kind, "text", m->body, "at", (json_int_t)m->at);
	if (o && m->client_id[0])
		json_object_set_new(o, "client_id", json_string(m->client_id));
	if (o && m->file_id) {
		char url[96];
		chat_file_url(m->file_id, url, sizeof(url));
		json_object_set_new(o, "file", json_pack("{s:I,s:s,s:I,s:s,s:s}", "id", (json_int_t)m->file_id, "name",
							 m->file_name, "size", (json_int_t)m->file_size, "content_type",
							 m->file_type, "url", url));
	}
	if (o && m->card && m->card[0])   /* stored by chat/card.c as a JSON object; a bad one is left out */
		json_object_set_new(o, "card", json_loads(m->card, JSON_REJECT_DUPLICATES, NULL));
	return o;
}

json_t *hub_conv_json(const struct store_conv *c)
{
	json_t *o = json_pack("{s:I,s:I,s:s,s:s,s:{s:I,s:s,s:s},s:I,s:I,s:I,s:I}", "id", (json_int_t)c->id, "site_id",
			      (json_int_t)c->site_id, "site_name", c->site_name, "status", c->status, "visitor", "id",
			      (json_int_t)c->visitor_id, "name", c->visitor_name, "email", c->visitor_email, "unread",
			      (json_int_t)c->unread, "last_seq", (json_int_t)c->last_seq, "created_at",
			      (json_int_t)c->created_at, "updated_at", (json_int_t)c->updated_at);
	if (!o)
		return json_object();
	json_object_set_new(o, "agent", c->agent_id ? json_pack("{s:I,s:s}", "id", (json_int_t)c->agent_id, "name",
								c->agent_name) : json_null());
	json_object_set_new(o, "last_message", c->last_from[0] ? json_pack("{s:s,s:s,s:I}", "text", c->last_text, "from",
									   c->last_from, "at", (json_int_t)c->last_at)
							       : json_null());
	json_object_set_new(o, "rating", c->rating ? json_pack("{s:i,s:s}", "rating", c->rating, "comment",
							       c->rating_comment) : json_null());
	json_object_set_new(o, "tags", json_words(c->tags));
	json_object_set_new(o, "department", c->department_id ? json_pack("{s:I,s:s}", "id", (json_int_t)c->department_id,
									  "name", c->department_name) : json_null());
	json_object_set_new(o, "bot", json_string(c->bot_state));
	json_object_set_new(o, "offered_to", c->offered_to ? json_pack("{s:I,s:s,s:I}", "id", (json_int_t)c->offered_to,
								       "name", c->offered_name, "at",
								       (json_int_t)c->offered_at) : json_null());
	return o;
}

json_t *hub_conv_public_json(const struct store_conv *c)
{
	json_t *o = json_pack("{s:I,s:s,s:I}", "id", (json_int_t)c->id, "status", c->status, "last_seq",
			      (json_int_t)c->last_seq);
	json_object_set_new(o, "agent", c->agent_id ? json_pack("{s:s}", "name", c->agent_name) : json_null());
	json_object_set_new(o, "rating", c->rating ? json_integer(c->rating) : json_null());
	int64_t seq;
	const char *url;
	if (strcmp(c->bot_state, "held") == 0 && kb_bot_pending(c->id, &seq, &url))   /* the verdict still asked */
		json_object_set_new(o, "bot", json_pack("{s:I,s:s}", "seq", (json_int_t)seq, "url", url));
	return o;
}
