/* ticket/imap.c - polling mailboxes over IMAP (libcurl). One mailbox at a time on the worker
 * pool: UID SEARCH for UIDs above last_uid, then for each (oldest first) its RFC822.SIZE, and
 * the message itself only when it fits [mail] max_bytes, parsed on the worker too. Back on the
 * loop each message is filed or rejected and last_uid advances after each, so one huge or
 * broken message is recorded once and never blocks the ones after it; a temporary failure
 * (the store, the network) stops the round without advancing, to try again next poll; any other
 * failure to file is permanent (a reject, last_uid moves on). imap:// must upgrade with STARTTLS:
 * plain text only when the admin wrote imap+plain:// (a password in clear is never a fallback).
 * UIDs are searched in bounded ranges below UIDNEXT, so a huge folder never overruns the answer
 * cap; attachments are written to the blob store on the worker, not the loop. */
#include "ticket/ticket_mail.h"
#include "ticket/mime.h"
#include "app/app.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/kf.h"
#include "core/log.h"
#include "core/util.h"
#include "chat/chat.h"
#include "store/store_mail.h"
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#define IMAP_BATCH 20      /* messages per round; the next round starts at once when more wait */
#define IMAP_DUE_MAX 256   /* mailboxes whose next poll time is remembered */
#define IMAP_RANGE 5000    /* UIDs per UID SEARCH: its answer stays far below the 1 MB cap */
#define IMAP_RANGES 200    /* ranges per round: an empty stretch of a million UIDs, then next round */
#define PLAIN_SCHEME "imap+plain://"

struct imap_item {
	int64_t uid, size;
	struct mime_msg *msg;          /* parsed, or NULL with reason (a reject) */
	char reason[200];
};

struct imap_job {
	uv_work_t w;
	struct app *a;
	struct store_mailbox mb;
	char password[256];
	size_t max_bytes;
	struct imap_item items[IMAP_BATCH];
	size_t n;
	int more;                      /* UIDs left for the next round */
	int64_t validity;              /* the folder's UIDVALIDITY now (0: unknown) */
	int reset;                     /* it changed: UIDs start again from 0 */
	int64_t scanned;               /* no message up to this UID (empty ranges): last_uid may move there */
	char err[256];
};

/* ---- one IMAP session (worker) ---- */

struct sink {
	struct buf b;
};

static size_t on_write(char *p, size_t size, size_t nmemb, void *ud)
{
	struct sink *s = ud;
	return buf_add(&s->b, p, size * nmemb) == 0 ? size * nmemb : 0;   /* over the cap: abort */
}

/* The mailbox URL with its folder (INBOX when none is given); imap+plain:// is curl's imap://. */
static void folder_url(const char *url, char *out, size_t outsz)
{
	char plain[600];
	if (strncmp(url, PLAIN_SCHEME, strlen(PLAIN_SCHEME)) == 0) {
		snprintf(plain, sizeof(plain), "imap://%s", url + strlen(PLAIN_SCHEME));
		url = plain;
	}
	const char *p = strstr(url, "://");
	const char *slash = p ? strchr(p + 3, '/') : NULL;
	if (!slash || !slash[1])
		snprintf(out, outsz, "%.*s/INBOX", (int)(slash ? (size_t)(slash - url) : strlen(url)), url);
	else
		snprintf(out, outsz, "%s", url);
}

static CURL *session(const struct store_mailbox *mb, const char *password, char *cerr)
{
	CURL *c = curl_easy_init();
	if (!c)
		return NULL;
	curl_easy_setopt(c, CURLOPT_USERNAME, mb->imap_user);
	curl_easy_setopt(c, CURLOPT_PASSWORD, password);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
	/* a mailbox URL can only ever reach an IMAP server (no file://, http:// ... through it) */
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "imap,imaps");
	curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "imap,imaps");
	/* imap:// must get STARTTLS (TRY would let an attacker strip it and read the password) */
	if (strncmp(mb->imap_url, "imap://", 7) == 0)
		curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	return c;
}

/* Runs one command on the folder; its untagged answer in s (at most cap bytes). */
static int command(CURL *c, const char *url, const char *cmd, struct sink *s, size_t cap, char *cerr, char *err,
		   size_t errsz)
{
	buf_init(&s->b, cap);
	cerr[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, cmd);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
	CURLcode rc = curl_easy_perform(c);
	if (rc != CURLE_OK) {
		snprintf(err, errsz, "%s", cerr[0] ? cerr : curl_easy_strerror(rc));
		buf_release(&s->b);
		return rc == CURLE_WRITE_ERROR || rc == CURLE_FILESIZE_EXCEEDED ? KF_ETOOBIG : KF_EIO;
	}
	return 0;
}

/* "* SEARCH 3 4 9" -> the UIDs above last, ascending (servers answer in order). */
static size_t parse_search(const char *s, int64_t last, int64_t *uids, size_t max, int *more)
{
	const char *p = strstr(s, "SEARCH");
	size_t n = 0;
	*more = 0;
	for (p = p ? p + 6 : ""; *p;) {
		p += strspn(p, " \r\n");
		size_t k = strspn(p, "0123456789");
		int64_t u;
		if (!k)
			break;
		if (parse_i64(p, k, &u) == 0 && u > last) {
			if (n < max)
				uids[n++] = u;
			else
				*more = 1;
		}
		p += k;
	}
	return n;
}

static int64_t parse_size(const char *s)
{
	const char *p = strstr(s, "RFC822.SIZE ");
	int64_t v = -1;
	if (p)
		parse_i64(p + 12, strspn(p + 12, "0123456789"), &v);
	return v;
}

/* Fetches one message, size first: a message over max_bytes becomes a reject unread. */
static int fetch_one(CURL *c, struct imap_job *j, const char *folder, struct imap_item *it, char *cerr)
{
	char cmd[80], url[700];
	struct sink s;
	snprintf(cmd, sizeof(cmd), "UID FETCH %lld (RFC822.SIZE)", (long long)it->uid);
	if (command(c, folder, cmd, &s, 4096, cerr, j->err, sizeof(j->err)))
		return KF_EIO;
	it->size = parse_size(s.b.ptr);
	buf_release(&s.b);
	if (it->size < 0 || (size_t)it->size > j->max_bytes) {
		snprintf(it->reason, sizeof(it->reason), it->size < 0 ? "no such message" : "too big: %lld bytes (max %zu)",
			 (long long)it->size, j->max_bytes);
		return 0;
	}
	snprintf(url, sizeof(url), "%s;UID=%lld", folder, (long long)it->uid);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)j->max_bytes);
	int rc = command(c, url, NULL, &s, j->max_bytes, cerr, j->err, sizeof(j->err));
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)0);
	if (rc == KF_ETOOBIG) {
		j->err[0] = '\0';   /* not a failure of the session: this message is rejected */
		snprintf(it->reason, sizeof(it->reason), "too big: over %zu bytes", j->max_bytes);
		return 0;
	}
	if (rc)
		return rc;
	it->msg = xmalloc(sizeof(*it->msg));
	if (ticket_mail_prepare(s.b.ptr, s.b.len, j->max_bytes, it->msg, it->reason, sizeof(it->reason)) != 0) {
		free(it->msg);
		it->msg = NULL;
	} else {
		/* hashing and writing up to max_bytes of files happens here, not on the loop: filing
		 * then finds each blob already stored (chat_blob_put only reads the data directory) */
		for (size_t i = 0; i < it->msg->natt; i++) {
			char sha[65];
			chat_blob_put(j->a, it->msg->att[i].data, it->msg->att[i].len, sha);
		}
	}
	it->size = (int64_t)s.b.len;
	buf_release(&s.b);
	return 0;
}

/* The folder's UIDVALIDITY (STATUS), 0 when it cannot be read, and its UIDNEXT (0: unknown). A
 * changed UIDVALIDITY means the server renumbered the folder: every message is looked at again
 * (filed ones are duplicates by Message-ID). */
static int64_t folder_validity(CURL *c, const char *folder, int64_t *uidnext, char *cerr, char *err, size_t errsz)
{
	const char *p = strstr(folder, "://");
	const char *name = p ? strchr(p + 3, '/') : NULL;
	char cmd[300];
	struct sink s;
	int64_t v = 0;
	if (!name || strlen(name + 1) > 200 || strpbrk(name + 1, "\"%;?*\\"))
		return 0;
	snprintf(cmd, sizeof(cmd), "STATUS \"%s\" (UIDVALIDITY UIDNEXT)", name + 1);
	if (command(c, folder, cmd, &s, 4096, cerr, err, errsz) != 0)
		return 0;
	const char *u = strstr(s.b.ptr, "UIDVALIDITY ");
	if (u)
		parse_i64(u + 12, strspn(u + 12, "0123456789"), &v);
	u = strstr(s.b.ptr, "UIDNEXT ");
	if (u)
		parse_i64(u + 8, strspn(u + 8, "0123456789"), uidnext);
	buf_release(&s.b);
	return v;
}

/* The first UIDs above last, at most IMAP_BATCH: UID SEARCH over ranges of IMAP_RANGE UIDs
 * below UIDNEXT (at most IMAP_RANGES of them a round), so no answer nears the 1 MB cap. When
 * the ranges hold nothing, j->scanned says how far last_uid may move (never past UIDNEXT - 1:
 * new mail gets UIDs from UIDNEXT on). Without a UIDNEXT, one range a round. */
static size_t search_uids(CURL *c, struct imap_job *j, const char *folder, int64_t last, int64_t uidnext,
			  int64_t *uids, char *cerr)
{
	struct sink s;
	char cmd[80];
	size_t n = 0;
	int more = 0;
	int64_t lo = last + 1, hi = last;
	for (int k = 0; k < (uidnext ? IMAP_RANGES : 1) && n == 0 && (!uidnext || lo < uidnext); k++) {
		hi = lo + IMAP_RANGE - 1;
		snprintf(cmd, sizeof(cmd), "UID SEARCH UID %lld:%lld", (long long)lo, (long long)hi);
		if (command(c, folder, cmd, &s, 1 << 20, cerr, j->err, sizeof(j->err)) != 0)
			return 0;
		n = parse_search(s.b.ptr, lo - 1, uids, IMAP_BATCH, &more);
		buf_release(&s.b);
		lo = hi + 1;
	}
	if (n > 0)
		j->more = more || (uidnext && uids[n - 1] + 1 < uidnext);
	else if (uidnext && hi > last) {
		j->scanned = hi < uidnext ? hi : uidnext - 1;
		j->more = j->scanned + 1 < uidnext;
	}
	return n;
}

static void poll_work(uv_work_t *w)
{
	struct imap_job *j = (struct imap_job *)w;
	char cerr[CURL_ERROR_SIZE], folder[600];
	int64_t uids[IMAP_BATCH], cmdlast = j->mb.last_uid, uidnext = 0;
	folder_url(j->mb.imap_url, folder, sizeof(folder));
	CURL *c = session(&j->mb, j->password, cerr);
	if (!c)
		return;
	j->validity = folder_validity(c, folder, &uidnext, cerr, j->err, sizeof(j->err));
	if (j->err[0]) {
		curl_easy_cleanup(c);
		return;
	}
	if (j->validity && j->mb.uid_validity && j->validity != j->mb.uid_validity) {
		j->reset = 1;
		cmdlast = 0;
	}
	size_t n = search_uids(c, j, folder, cmdlast, uidnext, uids, cerr);
	size_t bytes = 0;
	for (size_t i = 0; i < n && bytes <= j->max_bytes; i++) {   /* about max_bytes held per round */
		struct imap_item *it = &j->items[j->n];
		it->uid = uids[i];
		if (fetch_one(c, j, folder, it, cerr) != 0)
			break;
		bytes += it->msg ? (size_t)it->size : 0;   /* a reject was not downloaded */
		j->n++;
	}
	j->more = j->more || j->n < n;
	if (j->err[0]) {   /* the server or the network failed: wait for the next poll, do not spin */
		j->more = 0;
		j->scanned = 0;
	}
	curl_easy_cleanup(c);
}

/* ---- scheduling (loop) ---- */

static uv_timer_t poll_timer;
static int poll_on, poll_busy;
static int64_t cursor;
static struct { int64_t id, next; } due[IMAP_DUE_MAX];

static int64_t *due_slot(int64_t id)
{
	size_t free_i = IMAP_DUE_MAX;
	for (size_t i = 0; i < IMAP_DUE_MAX; i++) {
		if (due[i].id == id)
			return &due[i].next;
		if (!due[i].id && free_i == IMAP_DUE_MAX)
			free_i = i;
	}
	if (free_i == IMAP_DUE_MAX)
		free_i = (size_t)id % IMAP_DUE_MAX;   /* full: share a slot (polls a little early or late) */
	due[free_i].id = id;
	due[free_i].next = 0;
	return &due[free_i].next;
}

/* Files or rejects each fetched message in UID order; last_uid follows. */
static void file_items(struct imap_job *j)
{
	struct app *a = j->a;
	if (j->validity && (j->reset || j->validity != j->mb.uid_validity)) {
		if (j->reset)
			log_warn("imap %s: UIDVALIDITY changed: reading the folder again", j->mb.address);
		j->mb.uid_validity = j->validity;
		store_mailbox_set_uid(a->st, j->mb.id, j->reset ? 0 : j->mb.last_uid, j->validity);
	}
	for (size_t i = 0; i < j->n; i++) {
		struct imap_item *it = &j->items[i];
		int64_t tid;
		char why[300];
		int rc = 0;
		if (!it->msg) {
			store_mail_reject_add(a->st, j->mb.id, "", it->reason, it->size);
			log_warn("imap %s: uid %lld rejected: %s", j->mb.address, (long long)it->uid, it->reason);
		} else if ((rc = ticket_mail_file(a, &j->mb, 0, it->msg, &tid, why, sizeof(why))) < 0 &&
			   ticket_mail_temporary(rc)) {
			log_warn("imap %s: uid %lld not filed (will retry): %s", j->mb.address, (long long)it->uid, why);
			j->more = 0;
			j->scanned = 0;
			break;
		} else if (rc < 0) {   /* permanent (ticket_mail_file recorded the reject): never retried */
			log_warn("imap %s: uid %lld rejected: %s", j->mb.address, (long long)it->uid, why);
		} else {
			log_info("imap %s: uid %lld %s", j->mb.address, (long long)it->uid, why);
		}
		store_mailbox_set_uid(a->st, j->mb.id, it->uid, j->mb.uid_validity);
	}
	if (j->scanned > (j->reset ? 0 : j->mb.last_uid))   /* an empty stretch of UIDs: skip it next round */
		store_mailbox_set_uid(a->st, j->mb.id, j->scanned, j->mb.uid_validity);
}

static void start_job(struct app *a, const struct store_mailbox *mb);

static void poll_done(uv_work_t *w, int status)
{
	struct imap_job *j = (struct imap_job *)w;
	KF_UNUSED(status);
	if (j->err[0])
		log_warn("imap %s: %s", j->mb.address, j->err);
	if (poll_on)
		file_items(j);
	*due_slot(j->mb.id) = j->more ? 0 : time_now_s() + j->mb.poll_seconds;
	for (size_t i = 0; i < j->n; i++)
		if (j->items[i].msg) {
			mime_msg_free(j->items[i].msg);
			free(j->items[i].msg);
		}
	sodium_memzero(j->password, sizeof(j->password));
	int more = poll_on && j->more;
	struct app *a = j->a;
	int64_t id = j->mb.id;
	free(j);
	poll_busy = 0;
	/* a backlog is fetched round after round without waiting for the next tick */
	struct store_mailbox *mb = more ? malloc(sizeof(*mb)) : NULL;
	if (mb && store_mailbox_get(a->st, id, mb) == 0 && mb->enabled && mb->imap_url[0])
		start_job(a, mb);
	free(mb);
}

static void start_job(struct app *a, const struct store_mailbox *mb)
{
	struct imap_job *j = xcalloc(1, sizeof(*j));
	j->a = a;
	j->mb = *mb;
	j->max_bytes = a->cfg.mail_max_bytes;
	if (app_secret_unseal(a, mb->imap_password, j->password, sizeof(j->password)) != 0)
		log_warn("imap %s: the stored password cannot be decrypted", mb->address);
	poll_busy = 1;
	if (uv_queue_work(a->loop, &j->w, poll_work, poll_done) != 0)
		poll_done(&j->w, 0);
}

/* Each tick looks at a few mailboxes after the cursor and starts the first one due. */
static void on_tick(uv_timer_t *t)
{
	struct app *a = t->data;
	struct store_mailbox *mb = malloc(sizeof(*mb));
	int64_t now = time_now_s();
	for (int i = 0; mb && !poll_busy && i < 16; i++) {
		if (store_mailbox_next_imap(a->st, cursor, mb) != 0) {
			if (!cursor)
				break;
			cursor = 0;   /* wrapped around */
			continue;
		}
		cursor = mb->id;
		if (*due_slot(mb->id) <= now)
			start_job(a, mb);
	}
	free(mb);
}

void ticket_imap_init(struct app *a)
{
	poll_on = 1;
	uv_timer_init(a->loop, &poll_timer);
	poll_timer.data = a;
	uv_timer_start(&poll_timer, on_tick, 1000, 1000);
}

void ticket_imap_shutdown(void)
{
	if (!poll_on)
		return;
	poll_on = 0;   /* a round in flight finishes on the worker; its messages wait for the next start */
	uv_timer_stop(&poll_timer);
	uv_close((uv_handle_t *)&poll_timer, NULL);
}

/* A short, fixed error for the admin: curl's own text may echo what the server said. */
static const char *test_error(CURLcode rc)
{
	switch (rc) {
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT: return "invalid IMAP URL";
	case CURLE_COULDNT_RESOLVE_HOST: return "host not found";
	case CURLE_COULDNT_CONNECT: return "connection refused";
	case CURLE_OPERATION_TIMEDOUT: return "timed out";
	case CURLE_LOGIN_DENIED: return "login refused";
	case CURLE_USE_SSL_FAILED: return "the server does not offer STARTTLS (use imaps://, or imap+plain:// for plain text)";
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE: return "TLS failed";
	default: return "not an IMAP server, or it refused the folder";
	}
}

int ticket_imap_test(const struct store_mailbox *mb, const char *password, char *err, size_t errsz)
{
	char cerr[CURL_ERROR_SIZE], folder[600];
	struct sink s;
	folder_url(mb->imap_url, folder, sizeof(folder));
	CURL *c = session(mb, password, cerr);
	if (!c) {
		snprintf(err, errsz, "curl failed to start");
		return KF_EIO;
	}
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	buf_init(&s.b, 1 << 16);
	curl_easy_setopt(c, CURLOPT_URL, folder);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, "NOOP");
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
	CURLcode rc = curl_easy_perform(c);
	buf_release(&s.b);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK)
		snprintf(err, errsz, "%s", test_error(rc));
	return rc != CURLE_OK ? KF_EIO : 0;
}
