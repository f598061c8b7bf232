/* crm/import.c - orders from a CSV file (issue 6): `kefu import orders` and the admin's upload.
 * A streaming RFC 4180 reader feeds rows one at a time, so a file of any size needs only one
 * row in memory. Each row becomes the same JSON body the API's PUT takes and goes through the
 * same validation (crm_order_from_json) and the same idempotent upsert, so an import and a push
 * can never disagree. A bad row is rejected before anything is written; each order's write is
 * its own transaction, so no row leaves half an order. */
#include "crm/crm.h"
#include "crm/crm_int.h"
#include "app/app.h"
#include "auth/auth.h"
#include "core/alloc.h"
#include "core/arena.h"
#include "core/kf.h"
#include "core/util.h"
#include "store/store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the CSV reader ---- */

enum { Q_START, Q_PLAIN, Q_QUOTED, Q_QUOTE_IN_QUOTED, Q_SKIP };

void csv_init(struct csv *c, csv_row_fn fn, void *ud)
{
	memset(c, 0, sizeof(*c));
	c->fn = fn;
	c->ud = ud;
	c->line = 1;
	c->row_line = 1;
	c->bom = 1;
}

void csv_free(struct csv *c)
{
	free(c->buf);
	free(c->starts);
	c->buf = NULL;
	c->starts = NULL;
}

static void put(struct csv *c, char ch)
{
	if (c->len >= CSV_MAX_ROW) {
		c->err = "row over 64 KB";
		c->state = Q_SKIP;
		return;
	}
	if (c->len + 1 >= c->cap) {
		c->cap = c->cap ? c->cap * 2 : 256;
		c->buf = xrealloc(c->buf, c->cap);
	}
	c->buf[c->len++] = ch;
}

static void end_field(struct csv *c)
{
	if (c->nf == c->fcap) {
		c->fcap = c->fcap ? c->fcap * 2 : 16;
		c->starts = xrealloc(c->starts, c->fcap * sizeof(*c->starts));
	}
	put(c, '\0');
	c->starts[c->nf++] = c->len;   /* the end of this field, the start of the next */
}

/* Hands the row to the callback: fields point into buf. An empty line is no row. */
static int end_row(struct csv *c)
{
	int rc = 0;
	if (c->err || c->nf > 1 || c->len > 1) {
		const char *f[CSV_MAX_FIELDS];
		size_t n = c->nf < CSV_MAX_FIELDS ? c->nf : CSV_MAX_FIELDS;
		for (size_t i = 0; i < n && !c->err; i++)
			f[i] = c->buf + (i ? c->starts[i - 1] : 0);
		if (!c->err && c->nf > CSV_MAX_FIELDS)
			c->err = "more than 256 columns";
		rc = c->fn(c->ud, c->row_line, c->err ? 0 : n, f, c->err);
	}
	c->len = c->nf = 0;
	c->err = NULL;
	c->state = Q_START;
	c->row_line = c->line + 1;   /* called on a newline, before the feed counts it */
	return rc;
}

/* One byte of the plain (unquoted) states: what RFC 4180 allows outside quotes. */
static int plain_byte(struct csv *c, char ch)
{
	if (ch == ',') {
		end_field(c);
		c->state = Q_START;
	} else if (ch == '\n') {
		end_field(c);
		return end_row(c);
	} else if (ch == '"' && c->state == Q_START) {
		c->state = Q_QUOTED;
	} else if (ch == '"') {
		c->err = "a quote inside an unquoted field";
		c->state = Q_SKIP;
	} else if (ch != '\r') {   /* CR of CRLF; a lone CR in a field is dropped too */
		put(c, ch);
		if (c->state == Q_START)
			c->state = Q_PLAIN;
	}
	return 0;
}

static int byte(struct csv *c, char ch)
{
	switch (c->state) {
	case Q_SKIP:   /* resynchronise on the next newline, quotes or not */
		return ch == '\n' ? end_row(c) : 0;
	case Q_QUOTED:
		if (ch == '"')
			c->state = Q_QUOTE_IN_QUOTED;
		else
			put(c, ch);
		return 0;
	case Q_QUOTE_IN_QUOTED:
		if (ch == '"') {   /* "" is an escaped quote */
			put(c, '"');
			c->state = Q_QUOTED;
			return 0;
		}
		if (ch == ',' || ch == '\n' || ch == '\r') {
			c->state = Q_PLAIN;
			return plain_byte(c, ch);
		}
		c->err = "text after a closing quote";
		c->state = Q_SKIP;
		return 0;
	default:
		return plain_byte(c, ch);
	}
}

static const char BOM[] = "\xEF\xBB\xBF";

/* The bytes held back as a possible BOM were text after all. */
static void unbom(struct csv *c)
{
	for (int k = 0; k < c->bom - 1; k++)
		byte(c, BOM[k]);
	c->bom = 0;
}

int csv_feed(struct csv *c, const char *data, size_t n)
{
	size_t i = 0;
	/* A UTF-8 BOM (Excel writes one) is no part of the first field. c->bom is 1 + the BOM
	 * bytes matched so far at the start of the input, 0 once past it. */
	while (i < n && c->bom) {
		if (data[i] != BOM[c->bom - 1]) {
			unbom(c);
			break;
		}
		i++;
		c->bom = c->bom == 3 ? 0 : c->bom + 1;
	}
	for (; i < n; i++) {
		int rc = byte(c, data[i]);
		if (data[i] == '\n')
			c->line++;
		if (rc)
			return rc;
	}
	return 0;
}

int csv_finish(struct csv *c)
{
	unbom(c);
	if (c->state == Q_QUOTED)
		c->err = "a quoted field without its closing quote";
	if (c->state == Q_START && c->len == 0 && c->nf == 0 && !c->err)
		return 0;
	if (c->state != Q_SKIP)
		end_field(c);
	return end_row(c);
}

/* ---- the mapping ---- */

static const char *const map_keys[] = { "number", "customer", "name", "placed_at", "total", "status",
					 "email", "phone", "currency", "items" };
enum { M_NUMBER, M_CUSTOMER, M_NAME, M_PLACED, M_TOTAL, M_STATUS, M_EMAIL, M_PHONE, M_CURRENCY, M_ITEMS, M_N };

/* The default status mapping: Kefu's five as themselves, and the states shops (olist among
 * them) commonly export. Anything else rejects its row. */
static const char *const status_default[][2] = {
	{ "paid", "paid" }, { "shipped", "shipped" }, { "delivered", "delivered" },
	{ "cancelled", "cancelled" }, { "returned", "returned" }, { "canceled", "cancelled" },
	{ "invoiced", "paid" }, { "processing", "paid" }, { "approved", "paid" }, { "created", "paid" },
	{ "unavailable", "cancelled" }, { "refunded", "returned" }, { "completed", "delivered" },
};

struct crm_import {
	struct app *a;
	int64_t site_id;
	json_t *map;          /* key -> column name, and "status.X" -> Kefu status */
	int col[M_N];         /* column index of each key, -1 none */
	char currency[4];
	int header_done;
	struct crm_import_report *rep;
};

static int set_pair(json_t *map, const char *k, size_t kn, const char *v, char *err, size_t errsz)
{
	char key[128];
	if (kn == 0 || kn >= sizeof(key)) {
		snprintf(err, errsz, "--map: NAME=COLUMN pairs separated by commas");
		return KF_EINVAL;
	}
	memcpy(key, k, kn);
	key[kn] = '\0';
	json_object_set_new(map, key, json_string(v));
	return 0;
}

/* A misspelt field would silently read nothing: only the known ones and status.X. */
static int map_known(json_t *map, char *err, size_t errsz)
{
	const char *k;
	json_t *v;
	json_object_foreach(map, k, v) {
		int ok = strncmp(k, "status.", 7) == 0 && k[7];
		for (size_t i = 0; i < KF_ARRAY_LEN(map_keys) && !ok; i++)
			ok = strcmp(k, map_keys[i]) == 0;
		if (!ok) {
			snprintf(err, errsz, "map: unknown field \"%.60s\" (number, customer, name, placed_at, total, status, "
				 "email, phone, currency, items, status.X)", k);
			return 0;
		}
	}
	return 1;
}

static json_t *map_parse(const char *text, char *err, size_t errsz);

/* "number=order_id,total=amount,status.canceled=cancelled" or a JSON object. */
json_t *crm_import_map_parse(const char *text, char *err, size_t errsz)
{
	json_t *map = map_parse(text, err, errsz);
	if (map && !map_known(map, err, errsz)) {
		json_decref(map);
		return NULL;
	}
	return map;
}

static json_t *map_parse(const char *text, char *err, size_t errsz)
{
	json_t *map = NULL;
	if (!text || !*text)
		return json_object();
	if (text[0] == '{') {
		map = json_loads(text, 0, NULL);
		const char *k;
		json_t *v;
		json_object_foreach(map, k, v) {
			if (!json_is_string(v)) {
				json_decref(map);
				map = NULL;
				break;
			}
		}
		if (!json_is_object(map))
			snprintf(err, errsz, "map: a JSON object of strings");
		return map;
	}
	map = json_object();
	char *dup = xstrdup(text), *save = NULL;
	for (char *p = strtok_r(dup, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(p, '=');
		if (!eq || set_pair(map, p, (size_t)(eq - p), eq + 1, err, errsz)) {
			snprintf(err, errsz, "--map: NAME=COLUMN pairs separated by commas");
			json_decref(map);
			map = NULL;
			break;
		}
	}
	free(dup);
	return map;
}

static int header(struct crm_import *im, size_t nf, const char **f)
{
	for (int k = 0; k < M_N; k++) {
		const char *want = json_string_value(json_object_get(im->map, map_keys[k]));
		if (!want)
			want = map_keys[k];   /* unmapped: a column of the key's own name, if any */
		im->col[k] = -1;
		for (size_t i = 0; i < nf; i++)
			if (strcmp(f[i], want) == 0)
				im->col[k] = (int)i;
		if (im->col[k] < 0 && json_object_get(im->map, map_keys[k])) {
			snprintf(im->rep->fatal, sizeof(im->rep->fatal), "no column %s in the header", want);
			return 1;
		}
	}
	if (im->col[M_NUMBER] < 0 || im->col[M_PLACED] < 0 || im->col[M_TOTAL] < 0) {
		snprintf(im->rep->fatal, sizeof(im->rep->fatal), "the header needs columns for number, placed_at and total");
		return 1;
	}
	return 0;
}

static const char *field(const struct crm_import *im, int k, size_t nf, const char **f)
{
	return im->col[k] >= 0 && (size_t)im->col[k] < nf ? f[im->col[k]] : "";
}

/* The Kefu status of a shop's status: the mapping's "status.X", else the defaults; NULL. */
static const char *status_of(const struct crm_import *im, const char *s)
{
	char key[80], low[64];
	snprintf(low, sizeof(low), "%s", s);
	crm_lower(low);
	snprintf(key, sizeof(key), "status.%s", low);
	const char *m = json_string_value(json_object_get(im->map, key));
	if (m)
		return m;
	for (size_t i = 0; i < KF_ARRAY_LEN(status_default); i++)
		if (strcmp(low, status_default[i][0]) == 0)
			return status_default[i][1];
	return NULL;
}

/* A CSV date into what the API takes: "2017-10-02" and "2017-10-02 08:30:00" become
 * "2017-10-02T00:00:00Z" / "...T08:30:00Z" (UTC), digits become unix seconds; the rest
 * passes as it is and the API's check rejects it. */
static json_t *time_json(const char *s)
{
	char t[32];
	int64_t v;
	size_t n = strlen(s);
	if (n && n < 15 && parse_i64(s, n, &v) == 0)
		return json_integer(v);
	if (n == 10)
		snprintf(t, sizeof(t), "%sT00:00:00Z", s);
	else if (n == 19 && s[10] == ' ')
		snprintf(t, sizeof(t), "%.10sT%sZ", s, s + 11);
	else
		snprintf(t, sizeof(t), "%.31s", s);
	return json_string(t);
}

/* The row as the PUT body; NULL with a reason for what only the CSV can get wrong. */
static json_t *row_json(const struct crm_import *im, size_t nf, const char **f, char *err, size_t errsz)
{
	const char *st = im->col[M_STATUS] >= 0 ? field(im, M_STATUS, nf, f) : "paid";
	const char *kst = status_of(im, st), *items = field(im, M_ITEMS, nf, f);
	int64_t qty = 1;
	if (!kst) {
		snprintf(err, errsz, "status: unknown status \"%.40s\" (add status.%.40s=paid|shipped|delivered|cancelled|returned to the map)", st, st);
		return NULL;
	}
	if (*items && (parse_i64(items, strlen(items), &qty) || qty < 1 || qty > 10000)) {
		snprintf(err, errsz, "items: a count from 1 to 10000");
		return NULL;
	}
	const char *cur = im->col[M_CURRENCY] >= 0 ? field(im, M_CURRENCY, nf, f) : im->currency;
	json_t *j = json_pack("{s:s,s:s,s:s,s:o,s:[{s:s,s:I,s:I}]}", "status", kst, "currency", cur, "total",
			      field(im, M_TOTAL, nf, f), "placed_at", time_json(field(im, M_PLACED, nf, f)), "items",
			      "name", "imported order", "quantity", (json_int_t)qty, "price_cents", (json_int_t)0);
	if (!j) {   /* a field that is not UTF-8 */
		snprintf(err, errsz, "a field is not valid UTF-8");
		return NULL;
	}
	if (*field(im, M_EMAIL, nf, f))
		json_object_set_new(j, "email", json_string(field(im, M_EMAIL, nf, f)));
	if (*field(im, M_PHONE, nf, f))
		json_object_set_new(j, "phone", json_string(field(im, M_PHONE, nf, f)));
	if (*field(im, M_CUSTOMER, nf, f) || *field(im, M_NAME, nf, f))
		json_object_set_new(j, "customer", json_pack("{s:s,s:s}", "external_id", field(im, M_CUSTOMER, nf, f),
							    "name", field(im, M_NAME, nf, f)));
	return j;
}

static void reject(struct crm_import_report *rep, int64_t line, const char *reason)
{
	rep->rejected++;
	if (json_array_size(rep->errors) < CRM_IMPORT_MAX_ERRORS)
		json_array_append_new(rep->errors, json_pack("{s:I,s:s}", "line", (json_int_t)line, "reason", reason));
	else
		rep->errors_left_out++;
}

/* One data row: validated like a PUT, then upserted the same way. */
static void import_row(struct crm_import *im, int64_t line, size_t nf, const char **f)
{
	char err[256];
	const char *number = field(im, M_NUMBER, nf, f);
	struct store_order o;
	json_t *cust = NULL, *j;
	if (!crm_number_ok(number)) {
		reject(im->rep, line, "number: 1 to 64 of A-Z a-z 0-9 _ -");
		return;
	}
	if (!(j = row_json(im, nf, f, err, sizeof(err))) ||
	    crm_order_from_json(j, number, &o, &cust, err, sizeof(err)) != 0) {
		json_decref(j);
		reject(im->rep, line, err);
		return;
	}
	json_decref(j);
	o.site_id = im->site_id;
	enum store_upsert what = STORE_UNCHANGED;
	int rc = crm_order_store(im->a, &o, cust, &what);
	store_order_free(&o);
	json_decref(cust);
	if (rc != 0)
		reject(im->rep, line, "could not store the order");
	else if (what == STORE_UNCHANGED)
		im->rep->unchanged++;
	else
		im->rep->accepted++;
}

static int on_row(void *ud, int64_t line, size_t nf, const char **f, const char *err)
{
	struct crm_import *im = ud;
	if (!im->header_done) {
		im->header_done = 1;
		if (err) {
			snprintf(im->rep->fatal, sizeof(im->rep->fatal), "line %lld: %s", (long long)line, err);
			return 1;
		}
		return header(im, nf, f);
	}
	im->rep->rows++;
	if (err)
		reject(im->rep, line, err);
	else
		import_row(im, line, nf, f);
	return 0;
}

int crm_import_orders(struct app *a, int64_t site_id, const json_t *map, const char *currency,
		      crm_read_fn rd, void *rd_ud, crm_progress_fn progress, void *pg_ud, struct crm_import_report *rep)
{
	struct crm_import im;
	struct csv c;
	char *chunk = xmalloc(65536);
	int64_t total = 0;
	long n;
	int rc = 0;
	memset(&im, 0, sizeof(im));
	memset(rep, 0, sizeof(*rep));
	rep->errors = json_array();
	im.a = a;
	im.site_id = site_id;
	im.map = (json_t *)map;
	im.rep = rep;
	snprintf(im.currency, sizeof(im.currency), "%s", currency && *currency ? currency : "CNY");
	csv_init(&c, on_row, &im);
	while (rc == 0 && (n = rd(rd_ud, chunk, 65536)) > 0) {
		rc = csv_feed(&c, chunk, (size_t)n);
		total += n;
		if (progress)
			progress(pg_ud, total);
	}
	if (rc == 0 && n < 0)
		snprintf(rep->fatal, sizeof(rep->fatal), "could not read the file");
	if (rc == 0 && !rep->fatal[0])
		rc = csv_finish(&c);
	if (!im.header_done && !rep->fatal[0])
		snprintf(rep->fatal, sizeof(rep->fatal), "the file is empty: no header");
	csv_free(&c);
	free(chunk);
	return rep->fatal[0] ? KF_EINVAL : 0;
}

json_t *crm_import_report_json(const struct crm_import_report *rep)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:O,s:I}", "rows", (json_int_t)rep->rows, "accepted",
			 (json_int_t)rep->accepted, "unchanged", (json_int_t)rep->unchanged, "rejected",
			 (json_int_t)rep->rejected, "errors", rep->errors, "errors_left_out",
			 (json_int_t)rep->errors_left_out);
}

/* ---- the command line: kefu import orders ---- */

struct cli_progress {
	int64_t size;
	uint64_t last_ns;
	int tty_done;
};

static long read_file(void *ud, char *buf, size_t n)
{
	size_t got = fread(buf, 1, n, ud);
	return got == 0 && ferror((FILE *)ud) ? -1 : (long)got;
}

/* A percentage of the bytes read on stderr, at most ten times a second. */
static void cli_progress(void *ud, int64_t bytes)
{
	struct cli_progress *p = ud;
	uint64_t now = time_mono_ns();
	if (p->size <= 0 || (now - p->last_ns < 100000000ULL && bytes < p->size))
		return;
	p->last_ns = now;
	fprintf(stderr, "\rimporting: %3d%%", (int)(bytes * 100 / p->size));
	p->tty_done = 1;
}

static void print_report(const struct crm_import_report *rep)
{
	size_t i;
	json_t *e;
	printf("rows %lld: accepted %lld, unchanged %lld, rejected %lld\n", (long long)rep->rows,
	       (long long)rep->accepted, (long long)rep->unchanged, (long long)rep->rejected);
	json_array_foreach(rep->errors, i, e)
		printf("line %lld: %s\n", (long long)json_integer_value(json_object_get(e, "line")),
		       json_string_value(json_object_get(e, "reason")));
	if (rep->errors_left_out)
		printf("(%lld more rejected rows not listed)\n", (long long)rep->errors_left_out);
}

int crm_import_cli(struct store *st, int64_t site_id, const char *map_text, const char *currency, const char *path)
{
	char err[200];
	struct store_site *site = xmalloc(sizeof(*site));
	int found = store_site_get(st, site_id, site) == 0;
	free(site);
	if (!found) {
		fprintf(stderr, "kefu: no site %lld (see kefu site list)\n", (long long)site_id);
		return 2;
	}
	json_t *map = crm_import_map_parse(map_text, err, sizeof(err));
	if (!map) {
		fprintf(stderr, "kefu: %s\n", err);
		return 2;
	}
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "kefu: cannot open %s\n", path);
		json_decref(map);
		return 1;
	}
	struct cli_progress p = { 0, 0, 0 };
	if (fseek(f, 0, SEEK_END) == 0)
		p.size = ftell(f);
	rewind(f);
	struct app a;
	struct crm_import_report rep;
	memset(&a, 0, sizeof(a));
	a.st = st;
	int rc = crm_import_orders(&a, site_id, map, currency, read_file, f, cli_progress, &p, &rep);
	if (p.tty_done)
		fprintf(stderr, "\n");
	fclose(f);
	json_decref(map);
	if (rc == 0)
		print_report(&rep);
	else
		fprintf(stderr, "kefu: %s\n", rep.fatal);
	json_decref(rep.errors);
	return rc == 0 ? 0 : 1;
}

/* ---- the admin's upload: POST /api/v1/sites/:id/orders/import ----
 * The body is the CSV (text/csv, at most the server's body limit, 1 MiB by default; bigger
 * files go through the command line). The import runs on the worker pool with its own
 * database connection so the loop keeps serving chats; each order is still its own
 * transaction, and SQLite's busy timeout serialises it with the loop's writes. */

struct upload_job {
	int64_t site_id;
	json_t *map;
	char currency[4], db_path[1100];
	const char *data;
	size_t len, off;
	struct crm_import_report rep;
	int rc;
};

static long read_mem(void *ud, char *buf, size_t n)
{
	struct upload_job *j = ud;
	size_t k = j->len - j->off < n ? j->len - j->off : n;
	memcpy(buf, j->data + j->off, k);
	j->off += k;
	return (long)k;
}

static void upload_work(struct http_req *r)
{
	struct upload_job *j = r->job;
	struct app *a = xcalloc(1, sizeof(*a));
	j->rc = KF_EIO;
	if (store_open(j->db_path, &a->st) == 0) {
		j->rc = crm_import_orders(a, j->site_id, j->map, j->currency, read_mem, j, NULL, NULL, &j->rep);
		store_close_worker(a->st);
	}
	free(a);
}

static void upload_done(struct http_req *r)
{
	struct upload_job *j = r->job;   /* in r's arena: freed by the reply */
	json_decref(j->map);
	if (j->rc == 0) {
		json_t *rep = crm_import_report_json(&j->rep);
		json_decref(j->rep.errors);
		http_reply_json(r, 200, rep);
		return;
	}
	json_decref(j->rep.errors);
	if (j->rc == KF_EINVAL)
		http_reply_error(r, 422, "invalid_csv", j->rep.fatal);
	else
		http_reply_error(r, 500, "internal", "could not open the database");
}

static void h_import(struct http_req *r)
{
	int64_t site_id;
	char err[200];
	const char *ct = http_header(r, "Content-Type"), *cur = http_query(r, "currency");
	if (crm_load_site(r, &site_id))
		return;
	if (!ct || (strncmp(ct, "text/csv", 8) != 0 && strncmp(ct, "text/plain", 10) != 0)) {
		http_reply_error(r, 415, "unsupported_media_type", "send the CSV as text/csv");
		return;
	}
	if (cur && (strlen(cur) != 3 || strspn(cur, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3)) {
		http_reply_error(r, 422, "invalid_field", "currency: three capital letters such as CNY");
		return;
	}
	json_t *map = crm_import_map_parse(http_query(r, "map"), err, sizeof(err));
	if (!map) {
		http_reply_error(r, 422, "invalid_field", err);
		return;
	}
	struct upload_job *j = arena_alloc(&r->arena, sizeof(*j));
	memset(j, 0, sizeof(*j));
	j->site_id = site_id;
	j->map = map;
	snprintf(j->currency, sizeof(j->currency), "%s", cur ? cur : "CNY");
	snprintf(j->db_path, sizeof(j->db_path), "%s", app_of(r)->db_path);
	j->data = r->body.ptr;
	j->len = r->body.len;
	r->job = j;
	http_defer(r, upload_work, upload_done);
}

static const struct route import_routes[] = {
	{ M_POST, "/api/v1/sites/:id/orders/import", h_import, 0, ACCESS_ADMIN, "orders:write", "api", NULL },
};

void crm_import_register(struct http_server *s)
{
	http_routes_add(s, import_routes, KF_ARRAY_LEN(import_routes));
}
