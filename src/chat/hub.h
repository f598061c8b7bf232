/* chat/hub.h - who is connected right now: visitor and agent sockets, what each agent
 * watches, and fan-out of protocol frames to them. In memory, on the loop thread only;
 * the database holds everything that must survive. */
#ifndef KF_CHAT_HUB_H
#define KF_CHAT_HUB_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include "http/http.h"
#include "store/store.h"

struct app;

struct vconn {                    /* one visitor socket */
	struct ws_conn *ws;
	struct app *app;
	struct vconn *next_same;      /* hub bucket chain by visitor_id */
	int64_t site_id, visitor_id;  /* visitor_id 0 until hello */
	int preview;                  /* the site lets agents see drafts */
	int64_t department_id;        /* chosen in the pre-chat form or by the snippet (0: any) */
	int64_t agent_pref;           /* agent asked for (data-agent, pre-chat form) */
	char name[128];
};

struct aconn {                    /* one agent socket */
	struct ws_conn *ws;
	struct app *app;
	struct aconn *next, *prev;
	int64_t user_id;
	char name[128];
	int admin, hello, max_chats;
	int supervisor;               /* supervisor or admin: may take over and transfer others' chats */
	char status[12];              /* online, away, offline */
	int64_t *watch;               /* watched conversation ids */
	size_t nwatch, capwatch;
};

/* Sends v as one text frame; steals v. */
void hub_send(struct ws_conn *ws, json_t *v);
/* {"type":"error","code","message"[,"client_id"]} */
void hub_error(struct ws_conn *ws, const char *code, const char *message, const char *client_id);

void hub_visitor_add(struct vconn *v);      /* after hello: v->visitor_id is set */
void hub_visitor_remove(struct vconn *v);
int  hub_visitor_online(int64_t visitor_id);   /* a socket of the visitor is connected */
void hub_agent_add(struct aconn *a);
void hub_agent_remove(struct aconn *a);

int  hub_agent_covers(struct aconn *a, int64_t site_id);   /* admin or member */
/* The list of agent sockets (after hello and before), for routing; next with a->next. */
struct aconn *hub_agents(void);
/* An agent's socket that said hello (the first, when several tabs), or NULL. */
struct aconn *hub_agent_find(int64_t user_id);
int  hub_agent_watches(const struct aconn *a, int64_t conv_id);
void hub_watch(struct aconn *a, int64_t conv_id);
void hub_unwatch(struct aconn *a, int64_t conv_id);

/* Fan-out. to_visitor: every socket of the conversation's visitor. to_agents: agents that
 * watch or own the conversation. Each copies v as needed and does not steal it. */
void hub_to_visitor(int64_t visitor_id, json_t *v);
void hub_to_watchers(const struct store_conv *c, json_t *v);
/* A conversation changed: its summary to every agent covering the site, and (with
 * tell_visitor) its public form to the visitor. Reads the summary from the store. */
void hub_conversation_changed(struct app *app, int64_t conv_id, int tell_visitor);

json_t *hub_msg_json(const struct store_msg *m);
json_t *hub_conv_json(const struct store_conv *summary);         /* for agents */
json_t *hub_conv_public_json(const struct store_conv *summary);  /* for visitors */

#endif
