/* store/store_ticket.h - storage of tickets (issue 7, migration 027): tickets, their thread,
 * attachments, history, linked orders and the search rows. The rules (who may change what,
 * which status follows a reply) are ticket/ticket.c's; this file only reads and writes rows.
 * Conventions as store.h: 0 or a negative KF_E* code; strings cut to fit. */
#ifndef KF_STORE_STORE_TICKET_H
#define KF_STORE_STORE_TICKET_H
#include <stddef.h>
#include <stdint.h>
#include "ticket/ticket.h"

struct store;

/* One transaction around several writes (ticket_create, a bulk change). */
int store_ticket_begin(struct store *st);
int store_ticket_commit(struct store *st);
void store_ticket_rollback(struct store *st);

/* Inserts t (every column of struct ticket that a new ticket has); sets *id. */
int store_ticket_insert(struct store *st, const struct ticket *t, int64_t *id);
int store_ticket_get(struct store *st, int64_t id, struct ticket *out);
/* The ticket's status-token generation (ticket_status_token). KF_ENOTFOUND. */
int store_ticket_token_gen(struct store *st, int64_t id, int64_t *gen);

/* Sets column (one of: status priority type tags subject workflow_state workflow — text;
 * assignee_id department_id customer_id — ids, 0 = NULL; first_response_at resolved_at
 * closed_at — times) and updated_at = now. KF_EINVAL for another column, KF_ENOTFOUND. */
int store_ticket_set_text(struct store *st, int64_t id, const char *column, const char *value, int64_t now);
int store_ticket_set_int(struct store *st, int64_t id, const char *column, int64_t value, int64_t now);

/* updated_at = now (a message arrived). */
int store_ticket_touch(struct store *st, int64_t id, int64_t now);

struct store_ticket_msg {
	int64_t id, ticket_id, user_id, created_at;
	char kind[8], author_kind[12];
	char author_name[256], author_email[256];
	char message_id[256];                  /* "" = none */
	const char *body;                      /* input to insert; in each, valid during the callback */
};
/* Inserts m (sets m->id); KF_EEXIST when m->message_id is already filed. */
int store_ticket_msg_insert(struct store *st, struct store_ticket_msg *m);
/* Messages in order; with_notes 0 skips internal notes. */
int store_ticket_msg_each(struct store *st, int64_t ticket_id, int with_notes,
			  int (*cb)(void *ud, const struct store_ticket_msg *m), void *ud);
/* The ticket of site_id that holds a message with this Message-ID. */
int store_ticket_by_message_id(struct store *st, int64_t site_id, const char *message_id, int64_t *ticket_id);
/* The ticket a message belongs to. */
int store_ticket_msg_ticket(struct store *st, int64_t msg_id, int64_t *ticket_id);
/* Public messages by agents so far (for "the first response"). */
int store_ticket_agent_replies(struct store *st, int64_t ticket_id, int64_t *n);

struct store_ticket_att {
	int64_t id, ticket_id, message_id, size, created_at;   /* message_id 0 = none */
	char sha256[65], name[256], content_type[128];
};
int store_ticket_att_insert(struct store *st, struct store_ticket_att *a);   /* sets a->id */
int store_ticket_att_get(struct store *st, int64_t id, struct store_ticket_att *out);
int store_ticket_att_each(struct store *st, int64_t ticket_id,
			  int (*cb)(void *ud, const struct store_ticket_att *a), void *ud);

struct store_ticket_event {
	int64_t id, ticket_id, user_id, at;
	char actor[12], field[32], old[512], new_value[512];
	char user_name[128];                   /* filled by each */
};
int store_ticket_event_add(struct store *st, const struct store_ticket_event *e);
int store_ticket_event_each(struct store *st, int64_t ticket_id,
			    int (*cb)(void *ud, const struct store_ticket_event *e), void *ud);

/* KF_EEXIST when already linked. */
int store_ticket_order_link(struct store *st, int64_t ticket_id, int64_t order_id);
struct store_ticket_order {
	int64_t order_id, total_cents, placed_at;
	char number[65], status[12], currency[4];
};
int store_ticket_order_each(struct store *st, int64_t ticket_id,
			    int (*cb)(void *ud, const struct store_ticket_order *o), void *ud);

/* Replaces the ticket's search row (rowid = ticket id) with these tokens. */
int store_ticket_index(struct store *st, int64_t ticket_id, const char *bi, const char *uni);

/* The list (views and filters of the console and the API), newest first by id. */
struct store_ticket_filter {
	int64_t member_of;       /* > 0: that user's sites only */
	int64_t site_id;         /* > 0: that site */
	int64_t assignee_id;     /* > 0: that agent; -1: unassigned */
	int64_t department_id;   /* > 0: that department */
	int64_t customer_id;     /* > 0: that customer */
	int64_t risk_until;      /* > 0: active tickets breached or due to resolve before then */
	const char *status;      /* "" any, "active" (new open pending), or one status */
	const char *type, *priority;   /* "" any */
	const char *match;       /* FTS5 expression over ticket_fts, "" none */
	int64_t before;          /* > 0: ids below it (paging) */
	int verified_only;       /* 1: only tickets whose customer link is proven (the widget's list) */
	int limit;
};
struct store_ticket_row {
	struct ticket t;
	char assignee_name[128], department_name[128], site_name[128];
};
int store_ticket_list(struct store *st, const struct store_ticket_filter *f,
		      int (*cb)(void *ud, const struct store_ticket_row *r), void *ud);
/* The first ticket made from the conversation. */
int store_ticket_by_conversation(struct store *st, int64_t conv_id, int64_t *ticket_id);
/* The row of one ticket (names filled). */
int store_ticket_row_get(struct store *st, int64_t id, struct store_ticket_row *out);

#endif
