/* mail/mail.c - SMTP sending with libcurl (see mail.h). */
#include "mail/mail.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/kf.h"
#include "core/log.h"
#include "core/util.h"
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uv.h>

void mail_global_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

int mail_configured(const struct mail_settings *m)
{
	return m->host[0] && m->from[0];
}

int mail_valid_address(const char *a)
{
	size_t n = a ? strlen(a) : 0;
	const char *at = n ? strchr(a, '@') : NULL;
	return n >= 3 && n < 255 && at && at != a && at[1] && !strchr(at + 1, '@') && !strpbrk(a, " \t\r\n<>\",;()\\");
}

static void b64_lines(struct buf *b, const char *s, size_t n)
{
	/* 57 input bytes make one 76-character line */
	for (size_t i = 0; i < n; i += 57) {
		char line[80];
		size_t k = n - i < 57 ? n - i : 57;
		sodium_bin2base64(line, sizeof(line), (const unsigned char *)s + i, k, sodium_base64_VARIANT_ORIGINAL);
		buf_adds(b, line);
		buf_adds(b, "\r\n");
	}
}

static void build(struct buf *b, const struct mail_settings *m, const char *to, const char *subject, const char *text)
{
	char date[64], id[48], subj[1024];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	token_new(id, sizeof(id));
	size_t sl = strlen(subject) > 600 ? 600 : strlen(subject);
	sodium_bin2base64(subj, sizeof(subj), (const unsigned char *)subject, sl, sodium_base64_VARIANT_ORIGINAL);
	const char *dom = strchr(m->from, '@');
	buf_addf(b, "Date: %s\r\nFrom: %s\r\nTo: %s\r\nSubject: =?UTF-8?B?%s?=\r\nMessage-ID: <%s%s>\r\n"
		 "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
		 "Content-Transfer-Encoding: base64\r\nAuto-Submitted: auto-generated\r\n\r\n",
		 date, m->from, to, subj, id, dom ? dom : "@kefu.invalid");
	b64_lines(b, text, strlen(text));
}

struct payload {
	const char *p;
	size_t left;
};

static size_t read_cb(char *out, size_t size, size_t nmemb, void *ud)
{
	struct payload *pl = ud;
	size_t n = size * nmemb < pl->left ? size * nmemb : pl->left;
	memcpy(out, pl->p, n);
	pl->p += n;
	pl->left -= n;
	return n;
}

int mail_send(const struct mail_settings *m, const char *to, const char *subject, const char *text,
	      char *err, size_t errsz)
{
	if (!mail_configured(m) || !mail_valid_address(to) || !mail_valid_address(m->from)) {
		snprintf(err, errsz, "SMTP is not configured or an address is invalid");
		return KF_EINVAL;
	}
	struct buf b;
	buf_init(&b, 0);
	build(&b, m, to, subject, text);
	int rc = mail_send_raw(m, m->from, to, b.ptr, b.len, err, errsz);
	buf_release(&b);
	return rc;
}

int mail_send_raw(const struct mail_settings *m, const char *from_addr, const char *to, const char *raw, size_t len,
		  char *err, size_t errsz)
{
	if (!m->host[0] || !mail_valid_address(to) || !mail_valid_address(from_addr)) {
		snprintf(err, errsz, "SMTP is not configured or an address is invalid");
		return KF_EINVAL;
	}
	char url[300], from[300], rcpt[300];
	int tls = strcmp(m->tls, "on") == 0;
	snprintf(url, sizeof(url), "%s://%s:%d", tls ? "smtps" : "smtp", m->host, m->port ? m->port : tls ? 465 : 25);
	snprintf(from, sizeof(from), "<%s>", from_addr);
	snprintf(rcpt, sizeof(rcpt), "<%s>", to);
	struct payload pl = { raw, len };
	struct curl_slist *rcpts = curl_slist_append(NULL, rcpt);
	char cerr[CURL_ERROR_SIZE] = "";
	CURL *c = curl_easy_init();
	CURLcode rc = CURLE_FAILED_INIT;
	if (c) {
		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
		curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpts);
		curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
		curl_easy_setopt(c, CURLOPT_READDATA, &pl);
		curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
		curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
		curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
		curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
		/* an admin-set host can only ever be an SMTP server (no other protocol through curl) */
		curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
		if (strcmp(m->tls, "starttls") == 0)
			curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
		if (m->user[0]) {
			curl_easy_setopt(c, CURLOPT_USERNAME, m->user);
			curl_easy_setopt(c, CURLOPT_PASSWORD, m->password);
		}
		rc = curl_easy_perform(c);
		curl_easy_cleanup(c);
	}
	curl_slist_free_all(rcpts);
	if (rc != CURLE_OK) {
		snprintf(err, errsz, "%s", cerr[0] ? cerr : curl_easy_strerror(rc));
		return KF_EIO;
	}
	return 0;
}

struct job {
	uv_work_t w;
	struct mail_settings m;
	char *to, *subject, *text;
	char err[256];
	int rc;
};

static void job_run(uv_work_t *w)
{
	struct job *j = (struct job *)w;
	j->rc = mail_send(&j->m, j->to, j->subject, j->text, j->err, sizeof(j->err));
}

static void job_done(uv_work_t *w, int status)
{
	struct job *j = (struct job *)w;
	KF_UNUSED(status);
	if (j->rc)
		log_warn("mail to %s failed: %s", j->to, j->err);
	else
		log_info("mail sent to %s", j->to);
	free(j->to);
	free(j->subject);
	free(j->text);
	free(j);
}

void mail_send_async(void *loop, const struct mail_settings *m, const char *to, const char *subject, const char *text)
{
	struct job *j = xcalloc(1, sizeof(*j));
	j->m = *m;
	j->to = xstrdup(to);
	j->subject = xstrdup(subject);
	j->text = xstrdup(text);
	if (!loop) {   /* a command, not the server (kefu mail-in): send now */
		job_run(&j->w);
		job_done(&j->w, 0);
		return;
	}
	if (uv_queue_work(loop, &j->w, job_run, job_done) != 0)
		job_done(&j->w, 0);
}
