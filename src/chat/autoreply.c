/* chat/autoreply.c - "we'll be with you shortly": a visitor still waiting for an agent
 * auto_reply_delay seconds after starting a conversation gets the site's auto_reply.
 * One timer per waiting conversation, in memory: a restart forgets pending ones, which
 * at worst skips one courtesy message. */
#include "chat/chat_int.h"
#include "chat/route.h"
#include "chat/invite.h"
#include "kb/kb.h"
#include "app/app.h"
#include "core/alloc.h"
#include "core/kf.h"
#include <stdlib.h>
#include <string.h>
#include <uv.h>

struct pending {
	uv_timer_t t;            /* first: the handle's memory is the struct's */
	struct app *a;
	int64_t conv_id;
	struct pending *next, *prev;
};

static struct pending *pending;

static void unlink_p(struct pending *p)
{
	if (p->prev)
		p->prev->next = p->next;
	else if (pending == p)
		pending = p->next;
	if (p->next)
		p->next->prev = p->prev;
	p->next = p->prev = NULL;
}

static void on_closed(uv_handle_t *h)
{
	free(h);   /* h is &pending->t, the start of the struct */
}

static void fire(uv_timer_t *t)
{
	struct pending *p = (struct pending *)t;
	struct store_conv c;
	struct store_site s;
	unlink_p(p);
	if (store_conv_get(p->a->st, p->conv_id, &c) == 0 && strcmp(c.status, "waiting") == 0 &&
	    store_site_get(p->a->st, c.site_id, &s) == 0 && s.auto_reply[0])
		chat_system_message(p->a, &c, "text", s.auto_reply);
	uv_close((uv_handle_t *)&p->t, on_closed);
}

void chat_autoreply_arm(struct app *a, const struct store_conv *c)
{
	struct store_site s;
	if (strcmp(c->status, "waiting") != 0 || store_site_get(a->st, c->site_id, &s) != 0 || !s.auto_reply[0])
		return;
	struct pending *p = xcalloc(1, sizeof(*p));
	p->a = a;
	p->conv_id = c->id;
	uv_timer_init(a->loop, &p->t);
	uv_timer_start(&p->t, fire, (uint64_t)(s.auto_reply_delay > 0 ? s.auto_reply_delay : 30) * 1000, 0);
	p->next = pending;
	if (pending)
		pending->prev = p;
	pending = p;
}

void chat_shutdown(void)
{
	chat_visitor_shutdown();
	chat_index_shutdown();
	route_shutdown();
	chat_invite_shutdown();
	kb_bot_shutdown();
	while (pending) {
		struct pending *p = pending;
		unlink_p(p);
		uv_close((uv_handle_t *)&p->t, on_closed);
	}
}
