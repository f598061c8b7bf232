/* store/store_mail.h - e-mail for tickets: mailboxes (where mail comes in and goes out), the
 * outbox (queued, claimed before sending so a row is never sent twice, retried with backoff)
 * and the rejects (inbound mail that could not be filed). Used by ticket/mail_*.c and imap.c.
 * Functions return 0 or a negative KF_E* code. */
#ifndef KF_STORE_MAIL_H
#define KF_STORE_MAIL_H
#include <stddef.h>
#include <stdint.h>

struct store;

struct store_mailbox {
	int64_t id, site_id, department_id;     /* department 0 = none */
	char address[256], name[128];
	char imap_url[512], imap_user[256], imap_password[512];   /* passwords sealed (app_secret_seal) */
	char smtp_url[512], smtp_user[256], smtp_password[512], smtp_tls[12];
	char signature[2048];                   /* "{agent}" becomes the agent's name */
	int poll_seconds, enabled;
	int64_t last_uid, uid_validity, created_at;
};
int store_mailbox_create(struct store *st, struct store_mailbox *m);          /* sets id; KF_EEXIST */
int store_mailbox_update(struct store *st, const struct store_mailbox *m);    /* every field but uids */
int store_mailbox_delete(struct store *st, int64_t id);
int store_mailbox_get(struct store *st, int64_t id, struct store_mailbox *out);
int store_mailbox_each(struct store *st, int64_t site_id, int (*cb)(void *ud, const struct store_mailbox *m), void *ud);
/* Enabled mailboxes with an imap_url, of every site, in id order after after_id. */
int store_mailbox_next_imap(struct store *st, int64_t after_id, struct store_mailbox *out);
/* The mailbox with address (lowercase) in any site (site_id 0) or in site_id. */
int store_mailbox_by_address(struct store *st, int64_t site_id, const char *address, struct store_mailbox *out);
/* The department's mailbox, else the site's first one. */
int store_mailbox_for_ticket(struct store *st, int64_t site_id, int64_t dept_id, struct store_mailbox *out);
int store_mailbox_set_uid(struct store *st, int64_t id, int64_t last_uid, int64_t uid_validity);

struct store_mail_reject {
	int64_t id, mailbox_id, size, at;
	char message_id[256], reason[256];
};
int store_mail_reject_add(struct store *st, int64_t mailbox_id, const char *message_id, const char *reason, int64_t size);
/* Newest first, at most limit. */
int store_mail_reject_each(struct store *st, int limit, int (*cb)(void *ud, const struct store_mail_reject *r), void *ud);

#define MAIL_OUT_MAX_ATTEMPTS 10
struct store_outbox {
	int64_t id, ticket_id, mailbox_id;      /* mailbox 0 = the site's SMTP settings */
	char to_addr[256], message_id[256], last_error[256];
	char *raw;                              /* store_outbox_claim: malloc'd, the caller frees */
	int attempts;
	int64_t next_at, sent_at, created_at;
	int64_t claimed_at;                     /* a sender holds it (0: free) */
};
int store_outbox_add(struct store *st, int64_t ticket_id, int64_t mailbox_id, const char *to, const char *message_id,
		     const char *raw, int64_t now);
/* store_outbox_add and store_mail_msg_set_id (the id on the agent's message) in one transaction:
 * never a queued mail whose answer could not thread back. */
int store_outbox_queue(struct store *st, int64_t ticket_id, int64_t mailbox_id, int64_t msg_id, const char *to,
		       const char *message_id, const char *raw, int64_t now);
/* Takes the oldest due row (sent_at 0, not claimed, attempts < 10, next_at <= now) and sets its
 * claimed_at, so no sender takes it again until sent/failed clear it; KF_ENOTFOUND when none
 * is due. A row still claimed from before stuck_before (a crash mid-send) is "stuck": listed
 * with the failed ones, sent again only when an admin retries it. */
int store_outbox_claim(struct store *st, int64_t now, struct store_outbox *out);
int store_outbox_sent(struct store *st, int64_t id, int64_t now);
int store_outbox_failed(struct store *st, int64_t id, int attempts, int64_t next_at, const char *error);
/* status: "" all, "pending", "failed" (gave up, or stuck: claimed before stuck_before), "sent";
 * newest first, at most limit; raw not read. */
int store_outbox_each(struct store *st, const char *status, int64_t stuck_before, int limit,
		      int (*cb)(void *ud, const struct store_outbox *o), void *ud);
/* A failed or stuck row: retry (due now, attempts 0) or drop it; KF_ENOTFOUND for any other. */
int store_outbox_retry(struct store *st, int64_t id, int64_t now, int64_t stuck_before);
int store_outbox_drop(struct store *st, int64_t id, int64_t stuck_before);
/* 0 when message_id is one of our outbound ids (a loop), KF_ENOTFOUND otherwise. */
int store_outbox_has_id(struct store *st, const char *message_id);

/* Threading on the ticket's side: our outbound id on the agent's message, and the Message-IDs
 * of the customer's last messages (newest first) for In-Reply-To and References. */
int store_mail_msg_set_id(struct store *st, int64_t msg_id, const char *message_id);
/* The ticket (and message, msg_id may be NULL) filed on site_id with message_id; KF_ENOTFOUND.
 * A Message-ID is unique per site: one mail sent to two shops files for each. */
int store_mail_msg_ticket(struct store *st, int64_t site_id, const char *message_id, int64_t *ticket_id,
			  int64_t *msg_id);
/* 0 when a message of the ticket was written from email (any case), KF_ENOTFOUND otherwise. */
int store_mail_sender_seen(struct store *st, int64_t ticket_id, const char *email);
int store_mail_customer_ids(struct store *st, int64_t ticket_id, char ids[][256], size_t max, size_t *n);

#endif
