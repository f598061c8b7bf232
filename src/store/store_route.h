/* store/store_route.h - departments and the routing state of conversations (offers, the
 * queue, first replies). Part of the storage interface, kept apart from store.h because
 * only chat/route.c and the department routes use it. */
#ifndef KF_STORE_ROUTE_H
#define KF_STORE_ROUTE_H
#include <stddef.h>
#include <stdint.h>

struct store;

struct store_dept {
	int64_t id, site_id;
	char name[128];
	char rule[16];          /* least_busy, round_robin */
	int offer_timeout;      /* seconds */
	int position;
	int64_t created_at;
};
int store_dept_create(struct store *st, struct store_dept *d);          /* sets d->id; KF_EEXIST */
int store_dept_update(struct store *st, const struct store_dept *d);    /* name, rule, offer_timeout, position */
int store_dept_delete(struct store *st, int64_t id);
int store_dept_get(struct store *st, int64_t id, struct store_dept *out);
int store_dept_each(struct store *st, int64_t site_id, int (*cb)(void *ud, const struct store_dept *d), void *ud);
int store_dept_members(struct store *st, int64_t dept_id, int64_t *ids, size_t max, size_t *n);
int store_dept_set_members(struct store *st, int64_t dept_id, const int64_t *ids, size_t n);
int store_dept_is_member(struct store *st, int64_t dept_id, int64_t user_id);   /* 0 or KF_ENOTFOUND */

/* Chats an agent holds: active ones plus those offered to them and not yet answered. */
int store_route_load(struct store *st, int64_t user_id, int64_t *n);
int store_route_offer(struct store *st, int64_t conv_id, int64_t user_id, int64_t at_ms);
int store_route_clear_offer(struct store *st, int64_t conv_id);
int store_route_set_department(struct store *st, int64_t conv_id, int64_t dept_id);
/* Records the first agent reply (only the first one counts). */
int store_route_first_reply(struct store *st, int64_t conv_id, int64_t at_ms);
/* The agent of the visitor's most recent conversation that had one (0 when none). */
int store_route_previous_agent(struct store *st, int64_t visitor_id, int64_t exclude_conv, int64_t *agent_id);

/* Conversations routing must look at: waiting ones and pending offers, oldest first. */
struct store_route_item {
	int64_t id, site_id, visitor_id, department_id, agent_id, offered_to, offered_at, created_at;
	char status[12];
};
int store_route_pending(struct store *st, int (*cb)(void *ud, const struct store_route_item *it), void *ud);
/* Waiting, unoffered chats of the site and department older than (created_at, id): the
 * chats ahead of it in the queue, counted up to 999. */
int store_route_queue_ahead(struct store *st, int64_t site_id, int64_t dept_id, int64_t created_at, int64_t id,
			    int64_t *n);
/* Sets a conversation's clock (imports and the demo's history): created, accepted and closed
 * (s; 0 leaves it unset), the first reply (ms; 0: none); its messages are spread from the start
 * one minute apart. */
int store_route_backdate(struct store *st, int64_t conv_id, int64_t created_s, int64_t accepted_s,
			 int64_t first_reply_ms, int64_t closed_s);
/* Median seconds from a chat's start to an agent taking it, over the site's last 50 (0: none). */
int store_route_typical_wait(struct store *st, int64_t site_id, int64_t *seconds);

#endif
