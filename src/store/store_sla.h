/* store/store_sla.h - storage for ticket service levels (ticket/sla.h): SLA policies, the SLA
 * and CSAT columns of tickets (only these: the rest of a ticket is the core's), follow-up
 * visits and the rows the ticket report sums. Conventions as store/store.h. */
#ifndef KF_STORE_SLA_H
#define KF_STORE_SLA_H
#include <stddef.h>
#include <stdint.h>

struct store;

struct store_sla_policy {
	int64_t id, site_id;
	char type[12], priority[8];
	int first_minutes, resolve_minutes;     /* -1: no clock (NULL); 0: due at creation */
	int business_hours;
	int64_t escalate_to;                    /* -1: none (NULL); 0: every supervisor; else a user */
	int64_t updated_at;
};
int store_sla_policy_get(struct store *st, int64_t site_id, const char *type, const char *priority,
			 struct store_sla_policy *out);
/* Inserts or replaces the policy of (site, type, priority). */
int store_sla_policy_put(struct store *st, const struct store_sla_policy *p);
int store_sla_policy_delete(struct store *st, int64_t site_id, const char *type, const char *priority);
int store_sla_policy_each(struct store *st, int64_t site_id, int (*cb)(void *ud, const struct store_sla_policy *p),
			  void *ud);

/* ---- the tickets' SLA and CSAT columns ---- */
int store_sla_set_due(struct store *st, int64_t ticket_id, int64_t first_due, int64_t resolve_due);
/* Open tickets whose first-response (which = 1) or resolution (which = 2) clock ran out before
 * now and is not marked yet, oldest due first (at most max). */
int store_sla_overdue(struct store *st, int which, int64_t now, int64_t *ids, size_t max, size_t *n);
/* Sets breach bit; KF_ENOTFOUND when it was already set (someone else marked it). */
int store_sla_mark(struct store *st, int64_t ticket_id, int bit);
/* Sets escalated_at once; KF_ENOTFOUND when the ticket was escalated before. */
int store_sla_escalated(struct store *st, int64_t ticket_id, int64_t at);
int store_sla_csat(struct store *st, int64_t ticket_id, int rating, const char *comment, int64_t at);

/* ---- follow-up visits ---- */
struct store_followup {
	int64_t id, ticket_id, site_id, assignee_id, due_at, done_at, created_at;
	char outcome[16], note[1024];
	char subject[201], type[12], requester_name[256], requester_phone[40], requester_email[256];
};
/* Once per ticket: KF_EEXIST when the ticket has one already. */
int store_followup_add(struct store *st, int64_t ticket_id, int64_t assignee_id, int64_t due_at, int64_t now);
int store_followup_get(struct store *st, int64_t id, struct store_followup *out);
int store_followup_done(struct store *st, int64_t id, const char *outcome, const char *note, int64_t at);
/* Follow-ups, open ones first by due time: assignee_id > 0 only theirs; member_of > 0 only on
 * that user's sites; open_only skips done ones; at most max. */
int store_followup_each(struct store *st, int64_t assignee_id, int64_t member_of, int open_only, size_t max,
			int (*cb)(void *ud, const struct store_followup *f), void *ud);

/* ---- the report ---- */
struct store_sla_row {
	int64_t assignee_id, created_at, first_response_at, resolved_at;
	char type[12], channel[8], followup[16];
	int sla_breached, csat_rating;
};
/* Tickets of site_id created in [from, to), at most max. */
int store_sla_report_each(struct store *st, int64_t site_id, int64_t from, int64_t to, size_t max,
			  int (*cb)(void *ud, const struct store_sla_row *r), void *ud);

#endif
