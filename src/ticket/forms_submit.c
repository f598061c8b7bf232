/* ticket/forms_submit.c - POST /api/v1/forms/:id/submit: a visitor's filled-in form becomes a
 * ticket. In order: the form must be active; the caller's address is under its limits (accepted
 * and refused submissions are counted apart, so a few typos do not lock anyone out but guessing
 * order numbers stays slow); a filled honeypot is thanked and dropped; the page's signed time
 * stamp must be 3 s to 24 h old; every field is checked against its definition (each refusal is
 * a 422 naming the field, with a reason the page shows in the visitor's language); files are
 * bounded in count and size and must really be images or PDFs (their first bytes say so, the
 * browser's claim is not enough); an order number must belong to the site and to the e-mail or
 * phone given with it (the order lookup's rule). Files are read on the worker pool; then the
 * ticket, its attachments and order link go in through ticket.h, and the visitor gets the ticket
 * number, the status page link and a confirmation e-mail in the form's language. */
#include "ticket/forms.h"
#include "ticket/ticket.h"
#include "app/app.h"
#include "auth/auth.h"
#include "core/alloc.h"
#include "core/json.h"
#include "core/kf.h"
#include "core/log.h"
#include "core/ratelimit.h"
#include "core/util.h"
#include "crm/crm.h"
#include "mail/mail.h"
#include "store/store.h"
#include "store/store_crm.h"
#include "store/store_form.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct ratelimit *submit_rl, *fail_rl;

struct upfile {
	const char *tmp, *name, *field;
	char type[24];              /* what the first bytes say it is */
	size_t size;
	char *data;                 /* read on the worker pool; heap */
};

struct sub {
	struct store_form form;
	json_t *fields;             /* the form's definitions */
	int lang;
	const char *email, *phone, *name;   /* the requester, from the fields (may be NULL) */
	struct store_order order;   /* order.id 0: none given */
	struct upfile files[FORM_MAX_FILES];
	size_t nfiles;
	struct buf body;            /* the ticket's first message */
	int rc;                     /* the worker's: 0 or KF_EIO */
};

static void sub_free(struct sub *s)
{
	for (size_t i = 0; i < s->nfiles; i++)
		free(s->files[i].data);
	if (s->order.id)
		store_order_free(&s->order);
	json_decref(s->fields);
	buf_release(&s->body);
	free(s);
}

/* 422 naming the field, with the reason the page turns into words. */
static void refuse(struct http_req *r, const char *field, const char *reason, const char *msg)
{
	char m[200];
	ratelimit_hit(fail_rl, r->client_ip, time_now_s());
	snprintf(m, sizeof(m), "%s: %s", field, msg);
	http_reply_json(r, 422, json_pack("{s:{s:s,s:s,s:s,s:s}}", "error", "code", "invalid_field", "message", m, "field",
					  field, "reason", reason));
}

/* The first text part named name, or NULL. */
static const char *value_of(struct http_req *r, const char *name)
{
	for (const struct http_field *f = r->fields; f; f = f->next)
		if (strcmp(f->name, name) == 0)
			return f->value;
	return NULL;
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static int blank(const char *s)
{
	return s[strspn(s, " \t\r\n")] == '\0';
}

/* Digits, spaces and + - ( ) ., with at least 5 digits. */
static int phone_ok(const char *s)
{
	int digits = 0;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			digits++;
		else if (!strchr(" +-().", *s))
			return 0;
	}
	return digits >= 5;
}

static int has_control(const char *s, int multiline)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 && !(multiline && (*s == '\n' || *s == '\r' || *s == '\t')))
			return 1;
	return 0;
}

static int in_options(const json_t *opts, const char *v)
{
	size_t i;
	const json_t *o;
	json_array_foreach(opts, i, o)
		if (strcmp(json_string_value(o), v) == 0)
			return 1;
	return 0;
}

/* One non-file field's value against its definition: NULL, or the reason it is refused. */
static const char *check_value(const json_t *f, const char *v, const char **msg)
{
	const char *type = json_get_str(f, "type");
	if (!utf8_valid(v, strlen(v)) || has_control(v, strcmp(type, "textarea") == 0))
		return *msg = "not valid text", "format";
	if (blank(v))
		return json_is_true(json_object_get(f, "required")) ? (*msg = "required", "required") : NULL;
	if ((json_int_t)utf8_chars(v) > json_integer_value(json_object_get(f, "max_length")))
		return *msg = "too long", "too_long";
	if (strcmp(type, "email") == 0 && !mail_valid_address(v))
		return *msg = "not an e-mail address", "format";
	if (strcmp(type, "phone") == 0 && !phone_ok(v))
		return *msg = "not a phone number", "format";
	if (strcmp(type, "order_number") == 0 && !crm_number_ok(v))
		return *msg = "not an order number", "format";
	if (strcmp(type, "select") == 0 && !in_options(json_object_get(f, "options"), v))
		return *msg = "not one of the options", "option";
	return NULL;
}

/* The first field of type with a non-blank value (and that value in *v), or NULL. */
static const json_t *first_filled(struct http_req *r, const json_t *fields, const char *type, const char **v)
{
	size_t i;
	const json_t *f;
	json_array_foreach(fields, i, f) {
		*v = value_of(r, json_get_str(f, "key"));
		if (strcmp(json_get_str(f, "type"), type) == 0 && *v && !blank(*v))
			return f;
	}
	*v = NULL;
	return NULL;
}

static const char *first_of_type(struct http_req *r, const json_t *fields, const char *type)
{
	const char *v;
	first_filled(r, fields, type, &v);
	return v;
}

/* What the first bytes of an upload say it is: an image type, application/pdf, or NULL. */
static const char *sniff(const char *path)
{
	unsigned char h[16] = { 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, h, sizeof(h));
	if (fd >= 0)
		close(fd);
	if (n < 12)
		return NULL;
	if (memcmp(h, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "image/png";
	if (memcmp(h, "\xff\xd8\xff", 3) == 0)
		return "image/jpeg";
	if (memcmp(h, "GIF87a", 6) == 0 || memcmp(h, "GIF89a", 6) == 0)
		return "image/gif";
	if (memcmp(h, "RIFF", 4) == 0 && memcmp(h + 8, "WEBP", 4) == 0)
		return "image/webp";
	if (memcmp(h + 4, "ftypheic", 8) == 0 || memcmp(h + 4, "ftypheix", 8) == 0 || memcmp(h + 4, "ftypmif1", 8) == 0)
		return "image/heic";   /* what phones take photos as */
	if (memcmp(h, "%PDF-", 5) == 0)
		return "application/pdf";
	return NULL;
}

static const json_t *field_def(const json_t *fields, const char *key)
{
	size_t i;
	const json_t *f;
	json_array_foreach(fields, i, f)
		if (strcmp(json_get_str(f, "key"), key) == 0)
			return f;
	return NULL;
}

/* The uploaded files: each of a file field of the form, at most FORM_MAX_FILES, each at most
 * FORM_MAX_FILE_BYTES and an image or PDF. 0, or 1 after a refusal. */
static int check_files(struct http_req *r, struct sub *s)
{
	for (const struct http_file *u = r->files; u; u = u->next) {
		const json_t *f = field_def(s->fields, u->field);
		const char *type;
		if (!u->filename[0] && u->size == 0)
			continue;   /* a file input left empty still sends an empty part */
		if (!f || strcmp(json_get_str(f, "type"), "file") != 0) {
			refuse(r, u->field, "format", "not a file field of this form");
			return 1;
		}
		if (s->nfiles == FORM_MAX_FILES) {
			refuse(r, u->field, "too_many_files", "at most 3 files");
			return 1;
		}
		if (u->size == 0 || u->size > FORM_MAX_FILE_BYTES) {
			refuse(r, u->field, "file_size", "each file is 1 byte to 5 MB");
			return 1;
		}
		if ((strncmp(u->content_type, "image/", 6) != 0 && strcmp(u->content_type, "application/pdf") != 0) ||
		    !(type = sniff(u->tmp_path))) {
			refuse(r, u->field, "file_type", "only images and PDF files");
			return 1;
		}
		struct upfile *uf = &s->files[s->nfiles++];
		uf->tmp = u->tmp_path;
		uf->name = u->filename[0] ? u->filename : "file";
		uf->field = u->field;
		uf->size = (size_t)u->size;
		snprintf(uf->type, sizeof(uf->type), "%s", type);
	}
	return 0;
}

static int files_of(const struct sub *s, const char *key)
{
	int n = 0;
	for (size_t i = 0; i < s->nfiles; i++)
		n += strcmp(s->files[i].field, key) == 0;
	return n;
}

/* Every field against its definition: 0, or 1 after a refusal. */
static int check_fields(struct http_req *r, struct sub *s)
{
	size_t i;
	const json_t *f;
	json_array_foreach(s->fields, i, f) {
		const char *key = json_get_str(f, "key"), *v = value_of(r, key), *msg = NULL, *why;
		if (strcmp(json_get_str(f, "type"), "file") == 0) {
			if (json_is_true(json_object_get(f, "required")) && !files_of(s, key)) {
				refuse(r, key, "required", "required");
				return 1;
			}
			continue;
		}
		if ((why = check_value(f, v ? v : "", &msg))) {
			refuse(r, key, why, msg);
			return 1;
		}
	}
	return 0;
}

/* An order number given must be the site's and match the e-mail or phone given with it. */
static int check_order(struct http_req *r, struct sub *s)
{
	const char *number;
	const json_t *f = first_filled(r, s->fields, "order_number", &number);
	if (!f)
		return 0;
	const char *key = json_get_str(f, "key");
	if (!s->email && !s->phone) {
		refuse(r, key, "order", "give the e-mail or phone of the order with it");
		return 1;
	}
	if (store_order_get(app_of(r)->st, s->form.site_id, number, &s->order) != 0) {
		s->order.id = 0;
		refuse(r, key, "order", "no such order for this e-mail or phone");
		return 1;
	}
	if (!(s->email && crm_contact_matches(&s->order, s->email, NULL)) &&
	    !(s->phone && crm_contact_matches(&s->order, NULL, s->phone))) {
		store_order_free(&s->order);
		s->order.id = 0;
		refuse(r, key, "order", "no such order for this e-mail or phone");
		return 1;
	}
	return 0;
}

/* Worker: the accepted files into memory (at most 3 x 5 MB) for ticket_add_attachment. */
static void read_work(struct http_req *r)
{
	struct sub *s = r->job;
	for (size_t i = 0; i < s->nfiles && !s->rc; i++) {
		struct upfile *u = &s->files[i];
		int fd = open(u->tmp, O_RDONLY | O_CLOEXEC);
		size_t got = 0;
		ssize_t n = 1;
		u->data = xmalloc(u->size ? u->size : 1);
		while (fd >= 0 && got < u->size && (n = read(fd, u->data + got, u->size - got)) > 0)
			got += (size_t)n;
		if (fd >= 0)
			close(fd);
		if (got != u->size)
			s->rc = KF_EIO;
	}
}

/* "label: value" lines in the form's order; files by name. */
static int build_body(struct http_req *r, const struct sub *s, struct buf *b)
{
	size_t i;
	const json_t *f;
	json_array_foreach(s->fields, i, f) {
		const char *key = json_get_str(f, "key"), *label = json_get_str(f, "label"), *v = value_of(r, key);
		if (strcmp(json_get_str(f, "type"), "file") == 0) {
			if (!files_of(s, key))
				continue;
			buf_addf(b, "%s:", label);
			for (size_t k = 0; k < s->nfiles; k++)
				if (strcmp(s->files[k].field, key) == 0)
					buf_addf(b, " %s", s->files[k].name);
			buf_addc(b, '\n');
		} else if (v && !blank(v)) {
			buf_addf(b, "%s: %s\n", label, v);
		}
	}
	return b->err;
}

/* "<form name>: <the first text field>" (ticket_create cuts it to 200 bytes). */
static void build_subject(struct http_req *r, const struct sub *s, char *out, size_t outsz)
{
	const char *first = first_of_type(r, s->fields, "text");
	snprintf(out, outsz, "%s%s%.300s", s->form.name, first ? ": " : "", first ? first : "");
	for (char *p = out; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
}

static void confirm_mail(struct http_req *r, const struct sub *s, int64_t id, const char *link)
{
	static const char *const subj[3] = { "[#%lld] 我们已收到您的请求", "[#%lld] 我們已收到您的請求",
					     "[#%lld] We have received your request" };
	static const char *const text[3] = {
		"您好%s%s：\n\n我们已收到您通过「%s」提交的请求，工单号 #%lld。\n\n查看处理进度：%s\n\n%s\n",
		"您好%s%s：\n\n我們已收到您透過「%s」送出的請求，工單號 #%lld。\n\n查看處理進度：%s\n\n%s\n",
		("Hello%s%s,\n\nwe have received your request sent with \"%s\". Your ticket number is #%lld.\n\n"
		 "Track its progress: %s\n\n%s\n") };
	struct mail_settings m;
	struct store_site site;
	struct app *a = app_of(r);
	if (!s->email || app_mail_settings(a, &m) != 0 || store_site_get(a->st, s->form.site_id, &site) != 0)
		return;
	char subject[120];
	struct buf b;
	buf_init(&b, 16384);
	snprintf(subject, sizeof(subject), subj[s->lang], (long long)id);
	buf_addf(&b, text[s->lang], s->name && s->lang == 2 ? " " : "", s->name ? s->name : "", s->form.name,
		 (long long)id, link, site.name);
	if (!b.err)
		mail_send_async(a->loop, &m, s->email, subject, b.ptr);
	buf_release(&b);
}

static int make_ticket(struct http_req *r, struct sub *s, int64_t *id, char *token)
{
	char subject[512], err[160];
	build_subject(r, s, subject, sizeof(subject));
	struct ticket_new t = { .site_id = s->form.site_id, .subject = subject, .channel = "form",
				.type = s->form.ticket_type, .requester_name = s->name, .requester_email = s->email,
				.requester_phone = s->phone, .department_id = s->form.department_id,
				.form_id = s->form.id, .body = s->body.ptr, .actor = "customer",
				/* an order number that matched the e-mail or phone given proves the customer */
				.customer_id = s->order.id ? s->order.customer_id : 0, .customer_verified = s->order.id != 0 };
	int rc = ticket_create(app_of(r), &t, id, token, err, sizeof(err));
	if (rc)
		log_warn("forms: form %lld: ticket not created: %s", (long long)s->form.id, rc == KF_EINVAL ? err : kf_strerror(rc));
	return rc;
}

/* Back on the loop: the ticket, its files and order, the counters, the e-mail, the answer. */
static void finish(struct http_req *r)
{
	struct sub *s = r->job;
	struct app *a = app_of(r);
	int64_t id = 0;
	char token[TICKET_TOKEN_LEN + 1] = "", link[512], base[300], rel[128], number[24];
	if (s->rc || make_ticket(r, s, &id, token) != 0) {
		http_reply_error(r, 500, "internal", "could not file the request; please try again");
		goto out;
	}
	for (size_t i = 0; i < s->nfiles; i++)
		if (ticket_add_attachment(a, id, 0, s->files[i].name, s->files[i].type, s->files[i].data, s->files[i].size,
					  NULL) != 0)
			log_warn("forms: ticket %lld: attachment %s not kept", (long long)id, s->files[i].name);
	if (s->order.id && ticket_link_order(a, id, s->order.id, "customer", 0) != 0)
		log_warn("forms: ticket %lld: order %lld not linked", (long long)id, (long long)s->order.id);
	store_form_count(a->st, s->form.id, 0);
	ratelimit_hit(submit_rl, r->client_ip, time_now_s());
	snprintf(rel, sizeof(rel), "/t/%lld?k=%s", (long long)id, token);
	ticket_public_base(a, base, sizeof(base));   /* never the request's Host header */
	snprintf(link, sizeof(link), "%s%s", base, rel);
	confirm_mail(r, s, id, link);
	snprintf(number, sizeof(number), "#%lld", (long long)id);
	http_reply_json(r, 201, json_pack("{s:{s:I,s:s},s:s,s:s}", "ticket", "id", (json_int_t)id, "number", number,
					  "status_url", rel, "message", s->form.success_message));
out:
	sub_free(s);
}

/* The spam checks: 0 to go on, 1 after an answer (a filled honeypot is thanked and dropped). */
static int spam_checks(struct http_req *r, struct sub *s)
{
	struct app *a = app_of(r);
	const char *hp = value_of(r, "_kf_hp");
	int64_t t, now = time_now_s();
	if (hp && *hp) {
		store_form_count(a->st, s->form.id, 1);
		ratelimit_hit(submit_rl, r->client_ip, now);
		http_reply_json(r, 201, json_pack("{s:n,s:s}", "ticket", "message", s->form.success_message));
		return 1;
	}
	if (forms__stamp_check(a, s->form.id, value_of(r, "_kf_ts"), &t) != 0) {
		refuse(r, "_kf_ts", "try_again", "please reload the page and try again");
		return 1;
	}
	if (now - t < FORM_MIN_SECONDS || now - t > FORM_MAX_SECONDS) {
		store_form_count(a->st, s->form.id, 1);
		refuse(r, "_kf_ts", "try_again", now - t < FORM_MIN_SECONDS ? "please try again (too fast)"
									     : "please reload the page and try again");
		return 1;
	}
	return 0;
}

/* 429 with Retry-After when the address used up either allowance: 1, else 0. */
static int limited(struct http_req *r)
{
	int64_t now = time_now_s();
	unsigned a = ratelimit_check(submit_rl, r->client_ip, now), b = ratelimit_check(fail_rl, r->client_ip, now);
	unsigned wait = a > b ? a : b;
	char sec[24];
	if (!wait)
		return 0;
	snprintf(sec, sizeof(sec), "%u", wait);
	http_add_header(r, "Retry-After", sec);
	http_reply_json(r, 429, json_pack("{s:{s:s,s:s,s:s}}", "error", "code", "rate_limited", "message",
					  "too many submissions; try again later", "reason", "rate_limited"));
	return 1;
}

/* POST /api/v1/forms/:id/submit (multipart/form-data: the fields by key, files, _kf_ts, _kf_lang, _kf_hp) */
static void h_submit(struct http_req *r)
{
	struct app *a = app_of(r);
	struct sub *s = xcalloc(1, sizeof(*s));
	const char *p = http_param(r, 0);
	buf_init(&s->body, TICKET_BODY_MAX);   /* so sub_free may release it on every path */
	int64_t id;
	if (!p || parse_i64(p, strlen(p), &id) || store_form_get(a->st, id, &s->form) != 0 || !s->form.active ||
	    !(s->fields = json_loads(s->form.fields, 0, NULL))) {
		http_reply_error(r, 404, "not_found", "no such form");
		goto fail;
	}
	s->lang = forms__lang(r, value_of(r, "_kf_lang"));
	if (limited(r) || spam_checks(r, s) || check_files(r, s) || check_fields(r, s))
		goto fail;
	s->email = first_of_type(r, s->fields, "email");
	s->phone = first_of_type(r, s->fields, "phone");
	s->name = value_of(r, "name");
	if (s->name && (blank(s->name) || !field_def(s->fields, "name")))
		s->name = NULL;
	if (check_order(r, s))
		goto fail;
	if (build_body(r, s, &s->body)) {
		refuse(r, "fields", "too_long", "too much text in all");
		goto fail;
	}
	r->job = s;
	if (s->nfiles)
		http_defer(r, read_work, finish);   /* up to 15 MB of reading: off the loop */
	else
		finish(r);
	return;
fail:
	sub_free(s);
}

static const struct route routes[] = {
	{ M_POST, "/api/v1/forms/:id/submit", h_submit, ROUTE_UPLOAD, ACCESS_PUBLIC, NULL, "api", NULL },
};

void forms__submit_register(struct http_server *s)
{
	if (!submit_rl)
		submit_rl = ratelimit_new_sliding(FORM_SUBMITS, FORM_WINDOW_S);
	if (!fail_rl)
		fail_rl = ratelimit_new_sliding(FORM_FAILS, FORM_WINDOW_S);
	http_routes_add(s, routes, KF_ARRAY_LEN(routes));
}

void forms__submit_shutdown(void)
{
	ratelimit_free(submit_rl);
	ratelimit_free(fail_rl);
	submit_rl = fail_rl = NULL;
}
