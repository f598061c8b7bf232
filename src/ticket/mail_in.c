/* ticket/mail_in.c - inbound e-mail -> tickets. A parsed message continues the ticket its
 * In-Reply-To/References (or [#N] from the requester) points at, else opens a new one on the
 * mailbox's department. Auto-replies and our own mail are dropped so two robots never answer
 * each other; a Message-ID filed before is a duplicate, not an error, because IMAP and a pipe
 * may both deliver one mail (per site: the same mail to two shops files for each). A thread match
 * counts only for the ticket's requester or an address already on the ticket, so a stranger who
 * copies a References header cannot write into someone's ticket. A mail that can never be filed
 * (bad From, refused by ticket_create) is a reject, not a retry. `kefu mail-in` is the pipe for a
 * local MTA. */
#include "ticket/ticket_mail.h"
#include "ticket/mime.h"
#include "ticket/ticket.h"
#include "ticket/sla.h"
#include "app/app.h"
#include "core/buf.h"
#include "core/kf.h"
#include "core/log.h"
#include "core/util.h"
#include "crm/crm_int.h"
#include "search/search.h"
#include "store/store_mail.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define EX_DATAERR 65
#define EX_TEMPFAIL 75

/* Our own mail coming back (a forward, a bounce of a bounce) must never be filed. */
static const char *loop_reason(struct app *a, const struct mime_msg *m)
{
	struct store_mailbox mb;
	if (store_mailbox_by_address(a->st, 0, m->from_addr, &mb) == 0)
		return "from one of our mailboxes";
	if (m->message_id[0] && store_outbox_has_id(a->st, m->message_id) == 0)
		return "one of our own messages";
	return NULL;
}

static void save_attachments(struct app *a, int64_t ticket_id, int64_t msg_id, const struct mime_msg *m)
{
	for (size_t i = 0; i < m->natt; i++)
		if (ticket_add_attachment(a, ticket_id, msg_id, m->att[i].name, m->att[i].content_type, m->att[i].data,
					  m->att[i].len, NULL) != 0)
			log_warn("mail: ticket %lld: attachment %s not saved", (long long)ticket_id, m->att[i].name);
}

/* The body as a ticket keeps it: at most TICKET_BODY_MAX bytes, cut on a character, without
 * the trailing blank lines mail clients add. */
static void clip_body(struct mime_msg *m)
{
	if (strlen(m->body) > TICKET_BODY_MAX)
		utf8_copy(m->body, TICKET_BODY_MAX + 1, m->body);
	size_t n = strlen(m->body);
	while (n && strchr(" \t\r\n", m->body[n - 1]))
		m->body[--n] = '\0';
}

static int add_reply(struct app *a, int64_t tid, const struct mime_msg *m, char *why, size_t whysz)
{
	struct ticket_msg_new n = { .ticket_id = tid, .kind = "public", .author_kind = "customer",
				    .author_name = m->from_name, .author_email = m->from_addr, .body = m->body,
				    .message_id = m->message_id };
	int64_t msg_id;
	int rc = ticket_add_message(a, &n, &msg_id);
	if (rc == KF_EEXIST) {
		snprintf(why, whysz, "already filed on ticket %lld", (long long)tid);
		return TMAIL_DUPLICATE;
	}
	if (rc) {
		snprintf(why, whysz, "not added to ticket %lld (error %d)", (long long)tid, rc);
		return rc;
	}
	save_attachments(a, tid, msg_id, m);
	snprintf(why, whysz, "added to ticket %lld", (long long)tid);
	return TMAIL_THREADED;
}

static int open_ticket(struct app *a, const struct store_mailbox *mb, int64_t site_id, const struct mime_msg *m,
		       int64_t *tid, char *why, size_t whysz)
{
	char subject[TICKET_SUBJECT_MAX + 1], err[160];
	utf8_copy(subject, sizeof(subject), m->subject[0] ? m->subject : "(no subject)");
	struct ticket_new n = { .site_id = site_id, .subject = subject, .channel = "email",
				.requester_name = m->from_name, .requester_email = m->from_addr,
				.department_id = mb ? mb->department_id : 0, .body = m->body,
				.message_id = m->message_id, .actor = "customer" };
	int rc = ticket_create(a, &n, tid, NULL, err, sizeof(err));
	if (rc == KF_EEXIST) {
		snprintf(why, whysz, "already filed");
		return TMAIL_DUPLICATE;
	}
	if (rc) {
		snprintf(why, whysz, "ticket not created: %s", err[0] ? err : "store error");
		return rc;
	}
	/* ticket_create does not say its first message's id; the Message-ID finds it */
	int64_t msg_tid, msg_id;
	if (m->natt && store_mail_msg_ticket(a->st, site_id, m->message_id, &msg_tid, &msg_id) == 0)
		save_attachments(a, *tid, msg_id, m);
	snprintf(why, whysz, "ticket %lld created", (long long)*tid);
	return TMAIL_CREATED;
}

int ticket_mail_temporary(int rc)
{
	return rc == KF_EIO || rc == KF_EBUSY || rc == KF_ENOMEM;
}

/* A thread found by its references is the sender's only when they are the requester or already
 * wrote on it; anyone else opens their own ticket. */
static int may_join(struct app *a, int64_t tid, const char *from)
{
	struct ticket *t = malloc(sizeof(*t));
	int ok = t && ticket_get(a, tid, t) == 0 && strcasecmp(t->requester_email, from) == 0;
	free(t);
	return ok || store_mail_sender_seen(a->st, tid, from) == 0;
}

static int file_msg(struct app *a, const struct store_mailbox *mb, int64_t site_id, struct mime_msg *m,
		    int64_t *ticket_id, char *why, size_t whysz)
{
	const char *loop = m->auto_reply ? m->auto_reply : loop_reason(a, m);
	*ticket_id = 0;
	if (loop) {
		snprintf(why, whysz, "ignored: %s", loop);
		return TMAIL_IGNORED;
	}
	if (!crm_email_ok(m->from_addr)) {   /* e.g. a quoted local part: no ticket can hold it */
		snprintf(why, whysz, "From is not a usable e-mail address: %.200s", m->from_addr);
		return KF_EINVAL;
	}
	if (store_mail_msg_ticket(a->st, site_id, m->message_id, ticket_id, NULL) == 0) {
		snprintf(why, whysz, "already filed on ticket %lld", (long long)*ticket_id);
		return TMAIL_DUPLICATE;
	}
	clip_body(m);
	/* ticket_find_thread reads the newest reference last */
	const char *refs[MIME_REFS_MAX];
	for (size_t i = 0; i < m->nrefs; i++)
		refs[i] = m->refs[m->nrefs - 1 - i];
	if (ticket_find_thread(a, site_id, refs, m->nrefs, m->subject, m->from_addr, ticket_id) == 0 &&
	    may_join(a, *ticket_id, m->from_addr))
		return add_reply(a, *ticket_id, m, why, whysz);
	return open_ticket(a, mb, site_id, m, ticket_id, why, whysz);
}

int ticket_mail_file(struct app *a, const struct store_mailbox *mb, int64_t site_id, struct mime_msg *m,
		     int64_t *ticket_id, char *why, size_t whysz)
{
	if (mb)
		site_id = mb->site_id;
	int rc = file_msg(a, mb, site_id, m, ticket_id, why, whysz);
	if (rc < 0 && !ticket_mail_temporary(rc)) {   /* it would fail the same way forever */
		char reason[300];
		snprintf(reason, sizeof(reason), "%s", why);
		store_mail_reject_add(a->st, mb ? mb->id : 0, m->message_id, reason, (int64_t)m->size);
		snprintf(why, whysz, "rejected: %s", reason);
	}
	return rc;
}

/* A mail without a Message-ID still files once: its id is made from its bytes. */
static void synth_id(struct mime_msg *m, const char *raw, size_t len)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char hex[2 * sizeof(h) + 1];
	crypto_hash_sha256(h, (const unsigned char *)raw, len);
	sodium_bin2hex(hex, sizeof(hex), h, 16);
	snprintf(m->message_id, sizeof(m->message_id), "nomsgid.%s@kefu.invalid", hex);
}

int ticket_mail_prepare(const char *raw, size_t len, size_t max_bytes, struct mime_msg *m, char *err, size_t errsz)
{
	int rc = mime_parse(raw, len, max_bytes, m, err, errsz);
	if (rc == 0 && !m->message_id[0])
		synth_id(m, raw, len);
	return rc;
}

int ticket_mail_file_raw(struct app *a, const struct store_mailbox *mb, int64_t site_id, const char *raw, size_t len,
			 int64_t *ticket_id, char *why, size_t whysz)
{
	struct mime_msg *m = malloc(sizeof(*m));
	char err[200];
	*ticket_id = 0;
	if (!m)
		return KF_ENOMEM;
	int rc = ticket_mail_prepare(raw, len, a->cfg.mail_max_bytes, m, err, sizeof(err));
	if (rc) {
		store_mail_reject_add(a->st, mb ? mb->id : 0, "", err, (int64_t)len);
		snprintf(why, whysz, "rejected: %s", err);
		free(m);
		return rc;
	}
	rc = ticket_mail_file(a, mb, site_id, m, ticket_id, why, whysz);
	mime_msg_free(m);
	free(m);
	return rc;
}

/* ---- kefu mail-in ---- */

/* Reads stdin up to max + 1 bytes, then drains the rest (an MTA pipe must not see EPIPE);
 * *total counts everything. */
static char *read_stdin(size_t max, size_t *len, size_t *total)
{
	struct buf b;
	char tmp[65536];
	ssize_t n;
	buf_init(&b, max + 1);
	*total = 0;
	while ((n = read(STDIN_FILENO, tmp, sizeof(tmp))) > 0) {
		*total += (size_t)n;
		if (!b.err)
			buf_add(&b, tmp, (size_t)n);
	}
	*len = b.len;
	return buf_detach(&b, NULL);
}

static int pick_mailbox(struct app *a, const char *site, const char *mailbox, struct store_mailbox *mb, int *have,
			int64_t *site_id)
{
	*have = 0;
	*site_id = 1;
	if (site && (parse_i64(site, strlen(site), site_id) || *site_id < 1))
		return 2;
	if (mailbox) {
		char low[256];
		snprintf(low, sizeof(low), "%s", mailbox);
		for (char *p = low; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
		if (store_mailbox_by_address(a->st, site ? *site_id : 0, low, mb) != 0) {
			fprintf(stderr, "kefu: no mailbox %s\n", mailbox);
			return 2;
		}
		*have = 1;
	}
	return 0;
}

static int cli_file(struct app *a, struct store_mailbox *mb, int have, int64_t site_id, const char *raw, size_t len,
		    size_t total)
{
	char why[300];
	int64_t tid;
	struct mime_msg m;
	int rc;
	if (total > a->cfg.mail_max_bytes) {   /* counted while draining: never held in memory */
		snprintf(why, sizeof(why), "too big: %zu bytes (max %zu)", total, a->cfg.mail_max_bytes);
		store_mail_reject_add(a->st, have ? mb->id : 0, "", why, (int64_t)total);
		fprintf(stderr, "kefu: rejected: %s\n", why);
		return EX_DATAERR;
	}
	/* without --mailbox, the To address says which mailbox (and site) it came to */
	if (!have && mime_parse(raw, len, 0, &m, why, sizeof(why)) == 0) {
		have = m.to[0] && store_mailbox_by_address(a->st, 0, m.to, mb) == 0;
		mime_msg_free(&m);
	}
	rc = ticket_mail_file_raw(a, have ? mb : NULL, site_id, raw, len, &tid, why, sizeof(why));
	fprintf(stderr, "kefu: %s\n", why);
	if (rc < 0)
		return ticket_mail_temporary(rc) ? EX_TEMPFAIL : EX_DATAERR;
	return 0;
}

int ticket_mail_in_cli(const struct config *c, struct store *st, const char *site, const char *mailbox)
{
	struct app *a = calloc(1, sizeof(*a));
	struct store_mailbox *mb = calloc(1, sizeof(*mb));
	int have, rc;
	int64_t site_id;
	if (!a || !mb) {
		free(a);
		free(mb);
		return EX_TEMPFAIL;
	}
	a->cfg = *c;
	a->st = st;
	snprintf(a->db_path, sizeof(a->db_path), "%s/kefu.db", c->data_dir);
	snprintf(a->upload_dir, sizeof(a->upload_dir), "%s/uploads", c->data_dir);
	mime_global_init();
	/* the ticket's search row folds Traditional to Simplified, as the server's does */
	if (search_init() != 0) {
		free(mb);
		free(a);
		return EX_TEMPFAIL;
	}
	ticket_sla_hooks(a);   /* a piped ticket gets its SLA due times as the server's do */
	rc = pick_mailbox(a, site, mailbox, mb, &have, &site_id);
	if (rc == 0) {
		size_t len, total;
		char *raw = read_stdin(c->mail_max_bytes, &len, &total);
		rc = cli_file(a, mb, have, site_id, raw, len, total);
		free(raw);
	}
	free(mb);
	free(a);
	return rc;
}
