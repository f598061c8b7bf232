/* chat/route.h - who gets a chat: departments, the assignment rules (round-robin,
 * least-busy, the returning customer's previous agent), offers that time out and move on,
 * the queue, transfers. The rules themselves (route_pick) are pure, for unit tests. */
#ifndef KF_CHAT_ROUTE_H
#define KF_CHAT_ROUTE_H
#include <stddef.h>
#include <stdint.h>

struct app;
struct store_conv;

/* ---- the rules, on their own ---- */
enum route_rule { ROUTE_LEAST_BUSY = 0, ROUTE_ROUND_ROBIN = 1 };

struct route_agent {
	int64_t user_id;
	int online;            /* status "online" (away and offline agents are skipped) */
	int active, max;       /* chats held now, and the limit */
	int64_t last_assigned; /* ms; round-robin picks the longest-waiting */
	int excluded;          /* already offered this chat and let it time out */
};

/* The agent to offer a chat to: the previous agent when given, online and with room;
 * else by rule among online agents with room that are not excluded. Ties: lowest id.
 * Returns the index into agents, or -1 when nobody can take it (the chat queues). */
int route_pick(const struct route_agent *agents, size_t n, enum route_rule rule, int64_t previous_agent);

/* ---- the live routing ---- */
#define ROUTE_OFFER_TIMEOUT_S 30   /* a site without departments: seconds to accept an offer */

/* Open now and an online agent may take chats of the site / department: a new chat waits for
 * an agent, otherwise it starts offline. */
int route_available(struct app *a, int64_t site_id, int64_t department_id);
/* The visitor asked for this agent (pre-chat form, data-agent): offered first when free. */
void route_prefer(int64_t conv_id, int64_t agent_id);
/* The chat no longer waits (taken, closed): drops what routing remembered about it. */
void route_forget(int64_t conv_id);
/* 1 when an agent covering the site (and department, when > 0) is online with room. */
int route_agent_free(struct app *a, int64_t site_id, int64_t department_id);
/* Opens (or reuses) the visitor's conversation, owned by agent_id and active, as an accepted
 * invitation does; text, when not NULL or empty, is posted first as that agent's message.
 * Tells the agents and the visitor. 0 with *conv_id set, or an error code. */
int route_start_with_agent(struct app *a, int64_t site_id, int64_t visitor_id, int64_t agent_id, const char *text,
			   int64_t *conv_id);
/* Opens (or reuses) the visitor's conversation as a waiting chat for the department (0: the
 * site), as an accepted automatic invitation does; text, when given, is posted first as a
 * system message; then routes it. 0 with *conv_id set, or an error code. */
int route_start_routed(struct app *a, int64_t site_id, int64_t visitor_id, int64_t department_id, const char *text,
		       int64_t *conv_id);
/* A waiting conversation needs an agent: offers it by the rules or leaves it queued. */
void route_conversation(struct app *a, int64_t conv_id);
/* Something freed capacity (a chat closed, an agent came online): serve the queues. */
void route_drain(struct app *a);
/* The agent turns an offer down: it goes to the next agent (or back to its owner). */
void route_decline(struct app *a, int64_t conv_id, int64_t user_id);
/* Offers c to agent_id, or by the department's rule to one of its agents (the owner excluded);
 * the note is kept as an internal note. NULL, or why nobody could be offered it. */
const char *route_transfer(struct app *a, const struct store_conv *c, int64_t from_id, const char *from_name,
			   int64_t agent_id, int64_t department_id, const char *note);
void route_shutdown(void);

#endif
