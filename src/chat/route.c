/* chat/route.c - who gets a chat (see route.h). The rules are pure (route_pick); the live
 * part reads agents from the hub and conversations from the store. */
#include "chat/route.h"
#include "chat/chat_int.h"
#include "app/app.h"
#include "core/kf.h"
#include "core/log.h"
#include "core/util.h"
#include <stdio.h>
#include <string.h>

int route_pick(const struct route_agent *ag, size_t n, enum route_rule rule, int64_t previous_agent)
{
	int best = -1;
	for (size_t i = 0; i < n; i++) {
		const struct route_agent *x = &ag[i];
		if (!x->online || x->excluded || x->active >= x->max)
			continue;
		if (previous_agent && x->user_id == previous_agent)
			return (int)i;
		if (best < 0) {
			best = (int)i;
			continue;
		}
		const struct route_agent *b = &ag[best];
		int better;
		if (rule == ROUTE_ROUND_ROBIN)
			better = x->last_assigned < b->last_assigned ||
				 (x->last_assigned == b->last_assigned && x->user_id < b->user_id);
		else
			better = x->active < b->active || (x->active == b->active && (x->last_assigned < b->last_assigned ||
				 (x->last_assigned == b->last_assigned && x->user_id < b->user_id)));
		if (better)
			best = (int)i;
	}
	return best;
}

static int agent_has_room(struct aconn *x)
{
	int64_t n = 0;
	return store_conv_count_active(x->app->st, x->user_id, &n) == 0 && n < x->max_chats;
}

int route_agent_free(struct app *a, int64_t site_id, int64_t department_id)
{
	KF_UNUSED(a);
	KF_UNUSED(department_id);
	for (struct aconn *x = hub_agents(); x; x = x->next)
		if (x->hello && strcmp(x->status, "online") == 0 && hub_agent_covers(x, site_id) && agent_has_room(x))
			return 1;
	return 0;
}

int route_start_with_agent(struct app *a, int64_t site_id, int64_t visitor_id, int64_t agent_id, const char *text,
			   int64_t *conv_id)
{
	struct store_conv c;
	struct store_user u;
	if (store_user_get(a->st, agent_id, &u) != 0)
		return KF_ENOTFOUND;
	int64_t now = time_now_s();
	if (store_conv_open_for_visitor(a->st, visitor_id, &c) != 0) {
		memset(&c, 0, sizeof(c));
		c.site_id = site_id;
		c.visitor_id = visitor_id;
		c.agent_id = agent_id;
		snprintf(c.status, sizeof(c.status), "active");
		if (store_conv_create(a->st, &c) != 0)
			return KF_EIO;
	} else if (c.agent_id != agent_id || strcmp(c.status, "active") != 0) {
		if (store_conv_set_status(a->st, c.id, "active", agent_id, now) != 0)
			return KF_EIO;
		c.agent_id = agent_id;
		snprintf(c.status, sizeof(c.status), "active");
	}
	struct aconn *x = hub_agent_find(agent_id);
	if (x)
		hub_watch(x, c.id);
	if (text && *text) {
		struct store_msg m;
		memset(&m, 0, sizeof(m));
		m.conversation_id = c.id;
		snprintf(m.sender, sizeof(m.sender), "agent");
		m.sender_id = agent_id;
		snprintf(m.kind, sizeof(m.kind), "text");
		snprintf(m.client_id, sizeof(m.client_id), "start-%lld", (long long)time_now_ms());
		utf8_copy(m.author, sizeof(m.author), u.name[0] ? u.name : u.email);
		m.body = text;
		chat_deliver(a, &c, &m, NULL);
	}
	hub_conversation_changed(a, c.id, 1);
	*conv_id = c.id;
	return 0;
}

int route_start_routed(struct app *a, int64_t site_id, int64_t visitor_id, int64_t department_id, const char *text,
		       int64_t *conv_id)
{
	struct store_conv c;
	KF_UNUSED(department_id);
	if (store_conv_open_for_visitor(a->st, visitor_id, &c) != 0) {
		memset(&c, 0, sizeof(c));
		c.site_id = site_id;
		c.visitor_id = visitor_id;
		snprintf(c.status, sizeof(c.status), "%s", chat_site_available(a, site_id) ? "waiting" : "offline");
		if (store_conv_create(a->st, &c) != 0)
			return KF_EIO;
	}
	if (text && *text)
		chat_system_message(a, &c, "text", text);
	hub_conversation_changed(a, c.id, 1);
	route_conversation(a, c.id);
	*conv_id = c.id;
	return 0;
}

void route_conversation(struct app *a, int64_t conv_id)
{
	KF_UNUSED(a);
	KF_UNUSED(conv_id);
}

void route_drain(struct app *a)
{
	KF_UNUSED(a);
}

void route_shutdown(void)
{
}
