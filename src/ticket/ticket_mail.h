/* ticket/ticket_mail.h - e-mail for tickets (issue 7, point 2): inbound mail filed as tickets
 * or replies (mail_in.c: `kefu mail-in` and the IMAP poller, imap.c), agents' public replies
 * e-mailed to the requester through a queued outbox (mail_out.c), and the admins' REST API for
 * mailboxes, the outbox and the rejects (mail_routes.c). See docs/tickets.md "## E-mail". */
#ifndef KF_TICKET_MAIL_H
#define KF_TICKET_MAIL_H
#include <stddef.h>
#include <stdint.h>

struct app;
struct config;
struct http_server;
struct mime_msg;
struct store;
struct store_mailbox;

/* What filing a message did (>= 0), or a negative KF_E* code. */
enum ticket_mail_outcome {
	TMAIL_CREATED = 0,     /* a new ticket */
	TMAIL_THREADED,        /* a reply on an existing ticket */
	TMAIL_DUPLICATE,       /* this Message-ID was filed before */
	TMAIL_IGNORED,         /* an auto-reply, or a loop (our own mail) */
};

/* Files a parsed message for mailbox mb (NULL: site_id, no department); *ticket_id when filed,
 * why says what happened. A negative code is temporary when ticket_mail_temporary() says so (the
 * store: try again later); any other is permanent and already recorded in mail_rejects. */
int ticket_mail_file(struct app *a, const struct store_mailbox *mb, int64_t site_id, struct mime_msg *m,
		     int64_t *ticket_id, char *why, size_t whysz);
/* KF_EIO, KF_EBUSY, KF_ENOMEM: the store or the machine, worth trying again. */
int ticket_mail_temporary(int rc);
/* mime_parse, and a Message-ID made from the bytes when the mail has none (so it files once).
 * Pure: safe on a worker thread. */
int ticket_mail_prepare(const char *raw, size_t len, size_t max_bytes, struct mime_msg *m, char *err, size_t errsz);
/* Parses raw and files it. A message over [mail] max_bytes or malformed is recorded in
 * mail_rejects and answers KF_ETOOBIG / KF_EINVAL (permanent: do not retry). */
int ticket_mail_file_raw(struct app *a, const struct store_mailbox *mb, int64_t site_id, const char *raw, size_t len,
			 int64_t *ticket_id, char *why, size_t whysz);
/* `kefu mail-in`: one message on stdin; site (ID) or mailbox (address) may be NULL (then the
 * To address's mailbox, else site 1). Returns the exit status: 0 filed or ignored, 65 rejected,
 * 75 temporary failure (sysexits), 2 bad arguments. */
int ticket_mail_in_cli(const struct config *c, struct store *st, const char *site, const char *mailbox);

/* The outbox: the on_message hook that queues an agent's public reply, and the sender. */
void ticket_mail_out_init(struct app *a);
void ticket_mail_out_kick(struct app *a);
void ticket_mail_out_shutdown(void);
/* Outbox rows claimed before this are stuck (a send interrupted by a crash). */
int64_t ticket_mail_out_stuck_before(void);
/* The IMAP poller: one mailbox at a time on the worker pool. */
void ticket_imap_init(struct app *a);
void ticket_imap_shutdown(void);
/* Tries the IMAP login of a mailbox (blocking: a worker job). 0, or KF_EIO with err. */
int ticket_imap_test(const struct store_mailbox *mb, const char *password, char *err, size_t errsz);

/* main.c: the routes; init (hooks, the sender, the poller) once serving; shutdown stops the timers. */
void ticket_mail_register(struct http_server *s);
void ticket_mail_init(struct app *a);
void ticket_mail_shutdown(void);

#endif
