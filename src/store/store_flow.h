/* store/store_flow.h - storage of the after-sales workflows (ticket/returns.c, status_page.c):
 * the open return requests of an order and the public thread of a ticket for its status page
 * (migration 030). The status-page token is never stored (ticket_status_token).
 * Conventions as store.h: 0 or a negative KF_E* code; strings NUL-terminated and cut to fit. */
#ifndef KF_STORE_STORE_FLOW_H
#define KF_STORE_STORE_FLOW_H
#include <stddef.h>
#include <stdint.h>

struct store;

/* The workflow JSON of each return ticket linked to order_id whose state is still open
 * (requested approved goods_received), oldest first. cb returning non-zero stops. */
int store_flow_open_returns(struct store *st, int64_t order_id, int (*cb)(void *ud, const char *workflow), void *ud);

/* One message of the public thread (kind public: never a note, never a system line). */
struct store_flow_msg {
	char author_kind[12], author_name[256];
	const char *body;        /* valid during the callback only */
	int64_t created_at;
};
/* The public messages of ticket_id, oldest first, at most limit. */
int store_flow_public_thread(struct store *st, int64_t ticket_id, int limit,
			     int (*cb)(void *ud, const struct store_flow_msg *m), void *ud);

#endif
