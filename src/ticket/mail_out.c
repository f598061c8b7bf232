/* ticket/mail_out.c - an agent's public reply e-mailed to the requester. The on_message hook
 * builds the whole MIME message (GMime) and queues it in mail_outbox; a sender on the worker
 * pool sends one due row at a time. A row is claimed (claimed_at set) before the send and marked
 * sent after, so it is never sent twice; a crash mid-send leaves it "stuck" (listed with the
 * failed ones) for an admin to retry or drop rather than sending it again on its own. Failures back off 30 s, 2 min, 10 min, 1 h ...
 * and give up after MAIL_OUT_MAX_ATTEMPTS with the last error. The outbound Message-ID is saved
 * on the ticket's message, so the customer's answer threads back. */
#include "ticket/ticket_mail.h"
#include "ticket/mime.h"
#include "ticket/ticket.h"
#include "app/app.h"
#include "core/alloc.h"
#include "core/kf.h"
#include "core/log.h"
#include "core/util.h"
#include "mail/mail.h"
#include "store/store.h"
#include "store/store_mail.h"
#include <gmime/gmime.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define HOLD_S (365 * 86400)
#define STUCK_S 600   /* a claim older than this (sends time out far sooner) is a crashed send */

static int64_t started_at;   /* claims from before this process started are stuck at once */

int64_t ticket_mail_out_stuck_before(void)
{
	int64_t old = time_now_s() - STUCK_S;
	return started_at > old ? started_at : old;
}

/* ---- building ---- */

struct sender_id {
	char addr[256], name[128];
	int64_t mailbox_id;
	char signature[2048];
};

/* The department's mailbox, else the site's first, else the site's SMTP From. */
static int pick_sender(struct app *a, const struct ticket *t, struct sender_id *s)
{
	struct store_mailbox *mb = malloc(sizeof(*mb));
	memset(s, 0, sizeof(*s));
	if (mb && store_mailbox_for_ticket(a->st, t->site_id, t->department_id, mb) == 0) {
		snprintf(s->addr, sizeof(s->addr), "%s", mb->address);
		snprintf(s->name, sizeof(s->name), "%s", mb->name);
		snprintf(s->signature, sizeof(s->signature), "%s", mb->signature);
		s->mailbox_id = mb->id;
	} else {
		struct mail_settings ms;
		if (app_mail_settings(a, &ms) == 0)
			snprintf(s->addr, sizeof(s->addr), "%s", ms.from);
	}
	free(mb);
	return mail_valid_address(s->addr) ? 0 : KF_ENOTFOUND;
}

/* "Re: <subject> [#id]" without a second "Re:" or a second [#id]. */
static void reply_subject(const struct ticket *t, char *out, size_t outsz)
{
	char tag[32];
	static const char *const prefixes[] = { "re:", "aw:", "回复:", "回复：", "回覆:", "回覆：", "答复:", "答复：" };
	const char *s = t->subject;
	snprintf(tag, sizeof(tag), "[#%lld]", (long long)t->id);
	for (size_t i = 0; i < KF_ARRAY_LEN(prefixes);) {
		size_t n = strlen(prefixes[i]);
		if (strncasecmp(s, prefixes[i], n) == 0) {
			s += n;
			s += strspn(s, " ");
			i = 0;   /* "Re: 回复: ..." loses both */
		} else {
			i++;
		}
	}
	snprintf(out, outsz, "Re: %s%s%s", s, strstr(s, tag) ? "" : " ", strstr(s, tag) ? "" : tag);
}

/* The agent's text, then "-- " and the signature with {agent} as the agent's name. */
static char *reply_text(struct app *a, const struct ticket_msg_new *m, const char *signature)
{
	struct store_user u;
	const char *agent = m->author_name && m->author_name[0] ? m->author_name : "";
	if (!agent[0] && m->user_id && store_user_get(a->st, m->user_id, &u) == 0)
		agent = u.name[0] ? u.name : u.email;
	struct buf b;
	buf_init(&b, 0);
	buf_adds(&b, m->body);
	buf_adds(&b, "\n\n-- \n");
	const char *sig = signature[0] ? signature : "{agent}";
	for (const char *p = sig; *p;) {
		if (strncmp(p, "{agent}", 7) == 0) {
			buf_adds(&b, agent);
			p += 7;
		} else {
			buf_addc(&b, *p++);
		}
	}
	buf_addc(&b, '\0');
	return buf_detach(&b, NULL);
}

static void thread_headers(struct app *a, GMimeMessage *msg, int64_t ticket_id)
{
	char ids[10][256];
	size_t n = 0;
	if (store_mail_customer_ids(a->st, ticket_id, ids, 10, &n) != 0 || n == 0)
		return;
	struct buf refs;
	char irt[260];
	buf_init(&refs, 0);
	for (size_t i = n; i-- > 0;)   /* oldest first, as References reads */
		buf_addf(&refs, "%s<%s>", refs.len ? " " : "", ids[i]);
	snprintf(irt, sizeof(irt), "<%s>", ids[0]);
	g_mime_object_set_header(GMIME_OBJECT(msg), "In-Reply-To", irt, NULL);
	g_mime_object_set_header(GMIME_OBJECT(msg), "References", refs.ptr, NULL);
	buf_release(&refs);
}

/* The complete message, CRLF lines (malloc). */
static char *build_raw(struct app *a, const struct ticket *t, const struct sender_id *s, const char *msgid,
		       const struct ticket_msg_new *m)
{
	char subject[TICKET_SUBJECT_MAX + 40], tid[24];
	GMimeMessage *msg = g_mime_message_new(TRUE);
	g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_FROM, s->name, s->addr);
	g_mime_message_add_mailbox(msg, GMIME_ADDRESS_TYPE_TO, t->requester_name, t->requester_email);
	reply_subject(t, subject, sizeof(subject));
	g_mime_message_set_subject(msg, subject, "utf-8");
	g_mime_message_set_message_id(msg, msgid);
	GDateTime *now = g_date_time_new_now_utc();
	g_mime_message_set_date(msg, now);
	g_date_time_unref(now);
	thread_headers(a, msg, t->id);
	snprintf(tid, sizeof(tid), "%lld", (long long)t->id);
	g_mime_object_set_header(GMIME_OBJECT(msg), "X-Kefu-Ticket", tid, NULL);
	char *text = reply_text(a, m, s->signature);
	GMimeTextPart *part = g_mime_text_part_new_with_subtype("plain");
	g_mime_text_part_set_text(part, text);
	g_mime_text_part_set_charset(part, "utf-8");
	g_mime_part_set_content_encoding(GMIME_PART(part), GMIME_CONTENT_ENCODING_BASE64);
	g_mime_message_set_mime_part(msg, GMIME_OBJECT(part));
	g_object_unref(part);
	free(text);
	GMimeFormatOptions *fo = g_mime_format_options_clone(NULL);
	g_mime_format_options_set_newline_format(fo, GMIME_NEWLINE_FORMAT_DOS);
	char *g = g_mime_object_to_string(GMIME_OBJECT(msg), fo);
	char *raw = xstrdup(g ? g : "");
	g_free(g);
	g_mime_format_options_free(fo);
	g_object_unref(msg);
	return raw;
}

static void on_message(struct app *a, const struct ticket *t, int64_t msg_id, const struct ticket_msg_new *m)
{
	struct sender_id s;
	char msgid[256], rnd[48];   /* token_new writes 43 characters */
	if (strcmp(m->kind, "public") != 0 || strcmp(m->author_kind, "agent") != 0 ||
	    !mail_valid_address(t->requester_email))
		return;
	if (pick_sender(a, t, &s) != 0) {
		log_warn("mail: ticket %lld: no mailbox or SMTP From address; the reply is not e-mailed", (long long)t->id);
		return;
	}
	token_new(rnd, sizeof(rnd));
	snprintf(msgid, sizeof(msgid), "kefu.%lld.%lld.%.16s@%s", (long long)t->id, (long long)msg_id, rnd,
		 strchr(s.addr, '@') + 1);
	char *raw = build_raw(a, t, &s, msgid, m);
	if (store_outbox_queue(a->st, t->id, s.mailbox_id, msg_id, t->requester_email, msgid, raw, time_now_s()) != 0)
		log_error("mail: ticket %lld: the reply could not be queued", (long long)t->id);
	free(raw);
	ticket_mail_out_kick(a);
}

/* ---- sending ---- */

struct send_job {
	uv_work_t w;
	struct app *a;
	struct store_outbox row;
	struct mail_settings ms;
	char from[256];
	char err[256];
	int rc;
};

static uv_timer_t send_timer;
static int sender_busy, sender_on;

/* "smtp://host:port" or "smtps://host:port" into ms. */
static int parse_smtp_url(const char *url, struct mail_settings *ms)
{
	const char *h = strncmp(url, "smtp://", 7) == 0 ? url + 7 : strncmp(url, "smtps://", 8) == 0 ? url + 8 : NULL;
	if (!h)
		return KF_EINVAL;
	if (url[4] == 's')
		snprintf(ms->tls, sizeof(ms->tls), "on");
	size_t hl = strcspn(h, ":/");
	snprintf(ms->host, sizeof(ms->host), "%.*s", (int)hl, h);
	int64_t port = 0;
	if (h[hl] == ':' && (parse_i64(h + hl + 1, strcspn(h + hl + 1, "/"), &port) || port < 1 || port > 65535))
		return KF_EINVAL;
	ms->port = (int)port;
	return ms->host[0] ? 0 : KF_EINVAL;
}

/* The server for a row: its mailbox's own SMTP, else the site's SMTP settings. */
static int row_settings(struct app *a, struct send_job *j)
{
	struct store_mailbox *mb = malloc(sizeof(*mb));
	int rc = KF_ENOTFOUND;
	memset(&j->ms, 0, sizeof(j->ms));
	if (mb && j->row.mailbox_id && store_mailbox_get(a->st, j->row.mailbox_id, mb) == 0) {
		snprintf(j->from, sizeof(j->from), "%s", mb->address);
		if (mb->smtp_url[0]) {
			snprintf(j->ms.tls, sizeof(j->ms.tls), "%s", mb->smtp_tls);
			snprintf(j->ms.user, sizeof(j->ms.user), "%s", mb->smtp_user);
			app_secret_unseal(a, mb->smtp_password, j->ms.password, sizeof(j->ms.password));
			rc = parse_smtp_url(mb->smtp_url, &j->ms);
		}
	}
	free(mb);
	if (rc != 0) {
		char keep[256];
		snprintf(keep, sizeof(keep), "%s", j->from);
		rc = app_mail_settings(a, &j->ms);
		snprintf(j->from, sizeof(j->from), "%s", keep[0] ? keep : j->ms.from);
	}
	return rc;
}

static void send_work(uv_work_t *w)
{
	struct send_job *j = (struct send_job *)w;
	j->rc = mail_send_raw(&j->ms, j->from, j->row.to_addr, j->row.raw, strlen(j->row.raw), j->err, sizeof(j->err));
}

/* 1, 4, 20, 120 ... times the first delay: 30 s, 2 min, 10 min, 1 h, 2 h ... */
static int64_t backoff(const struct app *a, int attempts)
{
	static const int mult[] = { 1, 4, 20, 120, 240, 480, 960, 1440, 2880 };
	int i = attempts < 1 ? 0 : attempts > (int)KF_ARRAY_LEN(mult) ? (int)KF_ARRAY_LEN(mult) - 1 : attempts - 1;
	return (int64_t)a->cfg.mail_retry_s * mult[i];
}

static void send_done(uv_work_t *w, int status)
{
	struct send_job *j = (struct send_job *)w;
	struct app *a = j->a;
	int64_t now = time_now_s();
	KF_UNUSED(status);
	if (j->rc == 0) {
		store_outbox_sent(a->st, j->row.id, now);
		log_info("mail: ticket %lld reply sent to %s", (long long)j->row.ticket_id, j->row.to_addr);
	} else {
		int n = j->row.attempts + 1;
		int64_t next = n >= MAIL_OUT_MAX_ATTEMPTS ? now + HOLD_S : now + backoff(a, n);
		store_outbox_failed(a->st, j->row.id, n, next, j->err);
		log_warn("mail: to %s failed (attempt %d): %s", j->row.to_addr, n, j->err);
	}
	free(j->row.raw);
	sodium_memzero(j->ms.password, sizeof(j->ms.password));
	free(j);
	sender_busy = 0;
	if (sender_on)
		ticket_mail_out_kick(a);   /* the next due row, if any */
}

void ticket_mail_out_kick(struct app *a)
{
	if (sender_busy || !sender_on || !a->loop)
		return;
	struct send_job *j = xcalloc(1, sizeof(*j));
	int64_t now = time_now_s();
	j->a = a;
	if (store_outbox_claim(a->st, now, &j->row) != 0) {
		free(j);
		return;
	}
	if (row_settings(a, j) != 0) {
		snprintf(j->err, sizeof(j->err), "no SMTP server: set the mailbox's SMTP or the site's SMTP settings");
		j->rc = KF_EINVAL;
		sender_busy = 1;
		send_done(&j->w, 0);
		return;
	}
	sender_busy = 1;
	if (uv_queue_work(a->loop, &j->w, send_work, send_done) != 0) {
		j->rc = KF_EIO;
		snprintf(j->err, sizeof(j->err), "could not queue the send");
		send_done(&j->w, 0);
	}
}

static void on_tick(uv_timer_t *t)
{
	ticket_mail_out_kick(t->data);
}

void ticket_mail_out_init(struct app *a)
{
	static const struct ticket_hooks hooks = { .on_message = on_message };
	ticket_hooks_add(&hooks);
	sender_on = 1;
	started_at = time_now_s();
	uv_timer_init(a->loop, &send_timer);
	send_timer.data = a;
	uv_timer_start(&send_timer, on_tick, 1000, 1000);   /* one indexed query a second when idle */
}

void ticket_mail_out_shutdown(void)
{
	if (!sender_on)
		return;
	sender_on = 0;
	uv_timer_stop(&send_timer);
	uv_close((uv_handle_t *)&send_timer, NULL);
}
