/* ticket/mail_routes.c - the admins' REST API for ticket e-mail: a site's mailboxes (passwords
 * are write-only: sealed with DATA/secret.key, never returned, only whether one is set), an
 * IMAP login test on the worker pool, the outbox (pending, failed, sent) and the rejects; plus
 * main.c's entry points for the whole e-mail part. A stored password only ever goes to the server
 * it was given for: a PATCH that moves imap_url or smtp_url elsewhere must carry the password. */
#include "ticket/ticket_mail.h"
#include "ticket/mime.h"
#include "app/app.h"
#include "auth/auth.h"
#include "core/json.h"
#include "core/kf.h"
#include "core/log.h"
#include "core/util.h"
#include "mail/mail.h"
#include "store/store.h"
#include "store/store_mail.h"
#include "store/store_route.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int id_param(struct http_req *r, int64_t *id)
{
	const char *p = http_param(r, 0);
	return !p || parse_i64(p, strlen(p), id) || *id <= 0;
}

static json_t *mailbox_json(const struct store_mailbox *m)
{
	json_t *o = json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:b,s:s,s:s,s:b,s:s,s:s,s:i,s:b,s:I,s:I}", "id", (json_int_t)m->id,
			      "site_id", (json_int_t)m->site_id, "address", m->address, "name", m->name, "imap_url",
			      m->imap_url, "imap_user", m->imap_user, "has_imap_password", m->imap_password[0] != 0,
			      "smtp_url", m->smtp_url, "smtp_user", m->smtp_user, "has_smtp_password",
			      m->smtp_password[0] != 0, "smtp_tls", m->smtp_tls, "signature", m->signature,
			      "poll_seconds", m->poll_seconds, "enabled", m->enabled, "last_uid", (json_int_t)m->last_uid,
			      "created_at", (json_int_t)m->created_at);
	json_object_set_new(o, "department_id", m->department_id ? json_integer(m->department_id) : json_null());
	json_object_set_new(o, "uid_validity", json_integer(m->uid_validity));
	return o;
}

static int mailbox_to_array(void *ud, const struct store_mailbox *m)
{
	json_array_append_new(ud, mailbox_json(m));
	return 0;
}

static void h_list(struct http_req *r)
{
	int64_t site_id;
	struct store_site s;
	if (id_param(r, &site_id) || store_site_get(app_of(r)->st, site_id, &s) != 0) {
		http_reply_error(r, 404, "not_found", "no such site");
		return;
	}
	json_t *arr = json_array();
	store_mailbox_each(app_of(r)->st, site_id, mailbox_to_array, arr);
	http_reply_json(r, 200, json_pack("{s:o}", "mailboxes", arr));
}

/* ---- validation ---- */

static int ok_url(const char *v, const char *a, const char *b)
{
	size_t n = strlen(v);
	return n == 0 || (n < 500 && (strncmp(v, a, strlen(a)) == 0 || strncmp(v, b, strlen(b)) == 0) &&
			  n > strlen(a) && !strpbrk(v, " \t\r\n\"'<>\\"));
}

/* A string field of at most max bytes, valid UTF-8 with no control bytes (signature: newlines). */
static int str_field(json_t *b, const char *key, char *out, size_t outsz, size_t max, int lines, int *bad)
{
	json_t *v = json_object_get(b, key);
	if (!v)
		return 0;
	const char *s = json_string_value(v);
	size_t n = s ? strlen(s) : 0;
	if (!s || n > max || n >= outsz) {
		*bad = 1;
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 && !(lines && (s[i] == '\n' || s[i] == '\r' || s[i] == '\t')))
			*bad = 1;
	snprintf(out, outsz, "%s", s);
	return 1;
}

static int seal_field(struct http_req *r, const char *key, char *out, size_t outsz, int *bad)
{
	char pw[256];
	if (!str_field(r->json, key, pw, sizeof(pw), 200, 0, bad) || *bad)
		return 0;
	if (app_secret_seal(app_of(r), pw, out, outsz) != 0)
		*bad = 1;
	sodium_memzero(pw, sizeof(pw));
	return 1;
}

static int known_keys(json_t *b)
{
	static const char *const keys[] = { "address", "name", "department_id", "imap_url", "imap_user", "imap_password",
					    "smtp_url", "smtp_user", "smtp_password", "smtp_tls", "signature",
					    "poll_seconds", "enabled" };
	const char *k;
	json_t *v;
	json_object_foreach(b, k, v) {
		size_t i = 0;
		while (i < KF_ARRAY_LEN(keys) && strcmp(k, keys[i]) != 0)
			i++;
		if (i == KF_ARRAY_LEN(keys))
			return 0;
	}
	return 1;
}

static int number_fields(struct http_req *r, struct store_mailbox *m)
{
	json_t *b = r->json, *d = json_object_get(b, "department_id"), *p = json_object_get(b, "poll_seconds");
	json_t *e = json_object_get(b, "enabled");
	struct store_dept dept;
	if (d && !json_is_null(d) &&
	    (!json_is_integer(d) || store_dept_get(app_of(r)->st, json_integer_value(d), &dept) != 0 ||
	     dept.site_id != m->site_id))
		return 1;
	if (d)
		m->department_id = json_is_null(d) ? 0 : json_integer_value(d);
	if (p && (!json_is_integer(p) || json_integer_value(p) < 1 || json_integer_value(p) > 86400))
		return 1;
	if (p)
		m->poll_seconds = (int)json_integer_value(p);
	if (e && !json_is_boolean(e))
		return 1;
	if (e)
		m->enabled = json_is_true(e);
	return 0;
}

/* Applies the body's fields to m; 1 (after replying 422) when one is bad. */
static int mailbox_fields(struct http_req *r, struct store_mailbox *m)
{
	json_t *b = r->json;
	int bad = !known_keys(b);
	char addr[256] = "";
	if (str_field(b, "address", addr, sizeof(addr), 254, 0, &bad)) {
		for (char *p = addr; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
		bad |= !mail_valid_address(addr);
		snprintf(m->address, sizeof(m->address), "%s", addr);
	}
	str_field(b, "name", m->name, sizeof(m->name), 120, 0, &bad);
	str_field(b, "imap_url", m->imap_url, sizeof(m->imap_url), 499, 0, &bad);
	str_field(b, "imap_user", m->imap_user, sizeof(m->imap_user), 254, 0, &bad);
	str_field(b, "smtp_url", m->smtp_url, sizeof(m->smtp_url), 499, 0, &bad);
	str_field(b, "smtp_user", m->smtp_user, sizeof(m->smtp_user), 254, 0, &bad);
	str_field(b, "smtp_tls", m->smtp_tls, sizeof(m->smtp_tls), 10, 0, &bad);
	str_field(b, "signature", m->signature, sizeof(m->signature), 2000, 1, &bad);
	bad |= !(ok_url(m->imap_url, "imap://", "imaps://") || ok_url(m->imap_url, "imap+plain://", "imap+plain://")) ||
	       !ok_url(m->smtp_url, "smtp://", "smtps://");
	bad |= strcmp(m->smtp_tls, "off") && strcmp(m->smtp_tls, "starttls") && strcmp(m->smtp_tls, "on");
	bad |= number_fields(r, m);
	seal_field(r, "imap_password", m->imap_password, sizeof(m->imap_password), &bad);
	seal_field(r, "smtp_password", m->smtp_password, sizeof(m->smtp_password), &bad);
	if (bad)
		http_reply_error(r, 422, "invalid_field", "address a valid e-mail; name up to 120 bytes; imap_url imap:// (STARTTLS), "
				 "imaps:// or imap+plain:// (no TLS), smtp_url smtp:// or smtps:// (or empty); smtp_tls off, starttls or on; "
				 "poll_seconds 1-86400; enabled true or false; department_id one of the site's; "
				 "passwords up to 200 bytes; signature up to 2000 bytes; no other fields");
	return bad;
}

static void save_reply(struct http_req *r, struct store_mailbox *m, int created)
{
	struct app *a = app_of(r);
	int rc = created ? store_mailbox_create(a->st, m) : store_mailbox_update(a->st, m);
	if (rc == KF_EEXIST) {
		http_reply_error(r, 409, "exists", "the site already has a mailbox with this address");
		return;
	}
	if (rc != 0 || store_mailbox_get(a->st, m->id, m) != 0) {
		http_reply_error(r, 500, "internal", "could not save the mailbox");
		return;
	}
	store_audit(a->st, auth_of(r)->user.id, r->client_ip, created ? "mailbox.created" : "mailbox.updated", m->address);
	http_reply_json(r, created ? 201 : 200, json_pack("{s:o}", "mailbox", mailbox_json(m)));
}

static void h_create(struct http_req *r)
{
	struct store_mailbox *m = calloc(1, sizeof(*m));
	struct store_site s;
	if (!m || id_param(r, &m->site_id) || store_site_get(app_of(r)->st, m->site_id, &s) != 0) {
		http_reply_error(r, 404, "not_found", "no such site");
		free(m);
		return;
	}
	m->poll_seconds = 60;
	m->enabled = 1;
	snprintf(m->smtp_tls, sizeof(m->smtp_tls), "off");
	if (!mailbox_fields(r, m)) {
		if (!m->address[0])
			http_reply_error(r, 422, "invalid_field", "address is required");
		else
			save_reply(r, m, 1);
	}
	free(m);
}

static struct store_mailbox *load(struct http_req *r)
{
	int64_t id;
	struct store_mailbox *m = malloc(sizeof(*m));
	if (!m || id_param(r, &id) || store_mailbox_get(app_of(r)->st, id, m) != 0) {
		http_reply_error(r, 404, "not_found", "no such mailbox");
		free(m);
		return NULL;
	}
	return m;
}

/* The scheme and authority of a URL ("imaps://user@host:993"): what says which server gets
 * the password. */
static size_t server_len(const char *url)
{
	const char *p = strstr(url, "://");
	return p ? (size_t)(p + 3 - url) + strcspn(p + 3, "/?#") : strlen(url);
}

static int same_server(const char *a, const char *b)
{
	size_t n = server_len(a);
	return n == server_len(b) && strncmp(a, b, n) == 0;
}

/* 1 (after a 422) when a URL moves to another server while its stored password stays. */
static int moves_password(struct http_req *r, const struct store_mailbox *old, const struct store_mailbox *m)
{
	int imap = old->imap_password[0] && m->imap_url[0] && !same_server(old->imap_url, m->imap_url) &&
		   !json_object_get(r->json, "imap_password");
	int smtp = old->smtp_password[0] && m->smtp_url[0] && !same_server(old->smtp_url, m->smtp_url) &&
		   !json_object_get(r->json, "smtp_password");
	if (imap || smtp)
		http_reply_error(r, 422, "password_required", imap ? "imap_url names another server: send imap_password "
				 "with it (a stored password is never sent to a new server)" : "smtp_url names another "
				 "server: send smtp_password with it (a stored password is never sent to a new server)");
	return imap || smtp;
}

static void h_patch(struct http_req *r)
{
	struct store_mailbox *m = load(r);
	struct store_mailbox *old = m ? malloc(sizeof(*old)) : NULL;
	if (old) {
		*old = *m;
		if (!mailbox_fields(r, m) && !moves_password(r, old, m))
			save_reply(r, m, 0);
	} else if (m) {
		http_reply_error(r, 500, "internal", "out of memory");
	}
	free(old);
	free(m);
}

static void h_delete(struct http_req *r)
{
	struct store_mailbox *m = load(r);
	if (!m)
		return;
	if (store_mailbox_delete(app_of(r)->st, m->id) != 0) {
		http_reply_error(r, 500, "internal", "could not delete the mailbox");
	} else {
		store_audit(app_of(r)->st, auth_of(r)->user.id, r->client_ip, "mailbox.deleted", m->address);
		http_reply_json(r, 200, json_pack("{s:b}", "ok", 1));
	}
	free(m);
}

/* ---- the IMAP login test (worker) ---- */

struct test_job {
	struct store_mailbox mb;
	char password[256], err[256];
	int rc;
};

static void test_work(struct http_req *r)
{
	struct test_job *j = r->job;
	j->rc = ticket_imap_test(&j->mb, j->password, j->err, sizeof(j->err));
}

static void test_done(struct http_req *r)
{
	struct test_job *j = r->job;
	sodium_memzero(j->password, sizeof(j->password));
	if (j->rc == 0)
		http_reply_json(r, 200, json_pack("{s:b}", "ok", 1));
	else
		http_reply_json(r, 200, json_pack("{s:b,s:s}", "ok", 0, "error", j->err));
	free(j);
}

static void h_test(struct http_req *r)
{
	struct store_mailbox *m = load(r);
	if (!m)
		return;
	if (!m->imap_url[0]) {
		http_reply_error(r, 422, "invalid_field", "the mailbox has no imap_url");
		free(m);
		return;
	}
	struct test_job *j = calloc(1, sizeof(*j));
	j->mb = *m;
	free(m);
	app_secret_unseal(app_of(r), j->mb.imap_password, j->password, sizeof(j->password));
	r->job = j;
	http_defer(r, test_work, test_done);
}

/* ---- outbox and rejects ---- */

static int outbox_to_array(void *ud, const struct store_outbox *o)
{
	int stuck = !o->sent_at && o->claimed_at && o->claimed_at < ticket_mail_out_stuck_before();
	const char *status = o->sent_at ? "sent" : stuck ? "stuck" : o->attempts >= MAIL_OUT_MAX_ATTEMPTS ? "failed"
											    : "pending";
	json_array_append_new(ud, json_pack("{s:I,s:I,s:s,s:s,s:s,s:i,s:I,s:I,s:s,s:I}", "id", (json_int_t)o->id,
					    "ticket_id", (json_int_t)o->ticket_id, "to", o->to_addr, "message_id",
					    o->message_id, "status", status, "attempts", o->attempts, "next_at",
					    (json_int_t)o->next_at, "sent_at", (json_int_t)o->sent_at, "last_error",
					    o->last_error, "created_at", (json_int_t)o->created_at));
	return 0;
}

static int limit_param(struct http_req *r)
{
	const char *l = http_query(r, "limit");
	int64_t n = 100;
	if (l && (parse_i64(l, strlen(l), &n) || n < 1 || n > 1000))
		return -1;
	return (int)n;
}

static void h_outbox(struct http_req *r)
{
	const char *st = http_query(r, "status");
	int limit = limit_param(r);
	if ((st && strcmp(st, "pending") && strcmp(st, "failed") && strcmp(st, "sent") && strcmp(st, "all")) ||
	    limit < 0) {
		http_reply_error(r, 400, "bad_query", "status pending, failed, sent or all; limit 1-1000");
		return;
	}
	json_t *arr = json_array();
	store_outbox_each(app_of(r)->st, st && strcmp(st, "all") ? st : "", ticket_mail_out_stuck_before(), limit,
			  outbox_to_array, arr);
	http_reply_json(r, 200, json_pack("{s:o}", "outbox", arr));
}

/* An admin's answer to a failed or stuck row: send it again (a stuck one may already have
 * reached the customer: the admin decides) or drop it. */
static void outbox_admin(struct http_req *r, int retry)
{
	struct app *a = app_of(r);
	int64_t id;
	if (id_param(r, &id)) {
		http_reply_error(r, 404, "not_found", "no such outbox row");
		return;
	}
	int64_t before = ticket_mail_out_stuck_before();
	int rc = retry ? store_outbox_retry(a->st, id, time_now_s(), before) : store_outbox_drop(a->st, id, before);
	if (rc == KF_ENOTFOUND) {
		http_reply_error(r, 404, "not_found", "no failed or stuck outbox row with this id");
		return;
	}
	if (rc) {
		http_reply_error(r, 500, "internal", "could not change the outbox row");
		return;
	}
	char what[32];
	snprintf(what, sizeof(what), "%lld", (long long)id);
	store_audit(a->st, auth_of(r)->user.id, r->client_ip, retry ? "mail.outbox.retry" : "mail.outbox.dropped", what);
	if (retry)
		ticket_mail_out_kick(a);
	http_reply_json(r, 200, json_pack("{s:b}", "ok", 1));
}

static void h_outbox_retry(struct http_req *r)
{
	outbox_admin(r, 1);
}

static void h_outbox_drop(struct http_req *r)
{
	outbox_admin(r, 0);
}

static int reject_to_array(void *ud, const struct store_mail_reject *x)
{
	json_t *o = json_pack("{s:I,s:s,s:s,s:I,s:I}", "id", (json_int_t)x->id, "message_id", x->message_id, "reason",
			      x->reason, "size", (json_int_t)x->size, "at", (json_int_t)x->at);
	json_object_set_new(o, "mailbox_id", x->mailbox_id ? json_integer(x->mailbox_id) : json_null());
	json_array_append_new(ud, o);
	return 0;
}

static void h_rejects(struct http_req *r)
{
	int limit = limit_param(r);
	if (limit < 0) {
		http_reply_error(r, 400, "bad_query", "limit 1-1000");
		return;
	}
	json_t *arr = json_array();
	store_mail_reject_each(app_of(r)->st, limit, reject_to_array, arr);
	http_reply_json(r, 200, json_pack("{s:o}", "rejects", arr));
}

static const struct route routes[] = {
	{ M_GET, "/api/v1/sites/:id/mailboxes", h_list, 0, ACCESS_ADMIN, NULL, "api", NULL },
	{ M_POST, "/api/v1/sites/:id/mailboxes", h_create, ROUTE_JSON, ACCESS_ADMIN, NULL, "api", NULL },
	{ M_PATCH, "/api/v1/mailboxes/:id", h_patch, ROUTE_JSON, ACCESS_ADMIN, NULL, "api", NULL },
	{ M_DELETE, "/api/v1/mailboxes/:id", h_delete, 0, ACCESS_ADMIN, NULL, "api", NULL },
	{ M_POST, "/api/v1/mailboxes/:id/test", h_test, 0, ACCESS_ADMIN, NULL, "api", NULL },
	{ M_GET, "/api/v1/mail/outbox", h_outbox, 0, ACCESS_ADMIN, NULL, "api", NULL },
	{ M_POST, "/api/v1/mail/outbox/:id/retry", h_outbox_retry, 0, ACCESS_ADMIN, NULL, "api", NULL },
	{ M_DELETE, "/api/v1/mail/outbox/:id", h_outbox_drop, 0, ACCESS_ADMIN, NULL, "api", NULL },
	{ M_GET, "/api/v1/mail/rejects", h_rejects, 0, ACCESS_ADMIN, NULL, "api", NULL },
};

void ticket_mail_register(struct http_server *s)
{
	http_routes_add(s, routes, KF_ARRAY_LEN(routes));
}

void ticket_mail_init(struct app *a)
{
	mime_global_init();
	ticket_mail_out_init(a);
	ticket_imap_init(a);
}

void ticket_mail_shutdown(void)
{
	ticket_mail_out_shutdown();
	ticket_imap_shutdown();
}
