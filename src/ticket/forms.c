/* ticket/forms.c - online forms, the admin's side: create, list, change and delete a site's
 * forms (admins and API keys with forms:read / forms:write; agents are refused), and the rules a
 * form's field definitions follow. Definitions are checked once here and stored normalised, so
 * the page and the submission read them without second-guessing. Also the small helpers the
 * page and the submission share (the signed time stamp, the visitor's language). */
#include "ticket/forms.h"
#include "ticket/ticket.h"
#include "app/app.h"
#include "auth/auth.h"
#include "core/alloc.h"
#include "core/json.h"
#include "core/kf.h"
#include "core/util.h"
#include "store/store.h"
#include "store/store_form.h"
#include "store/store_route.h"
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- field definitions ---- */

static const char *const ftypes[] = { "text", "textarea", "email", "phone", "select", "order_number", "file", NULL };
/* The longest value each type may allow (max_length's ceiling) and its default. */
static const int type_max[] = { 1000, 10000, 254, 40, 100, 64, 0 };
static const int type_default[] = { 200, 5000, 254, 40, 100, 64, 0 };

static int key_ok(const char *k)
{
	size_t n = strlen(k);
	if (n < 1 || n > 32 || k[0] == '_')   /* _kf_* are the page's own hidden fields */
		return 0;
	for (const char *p = k; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return 0;
	return 1;
}

static int efail(char *err, size_t errsz, size_t i, const char *member, const char *msg)
{
	snprintf(err, errsz, "fields[%zu]%s%s: %s", i, *member ? "." : "", member, msg);
	return KF_EINVAL;
}

/* A JSON string of 1..max bytes with no control characters. */
static int label_ok(const json_t *v, size_t max)
{
	if (!json_is_string(v) || json_string_length(v) < 1 || json_string_length(v) > max ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return 0;
	for (const unsigned char *p = (const unsigned char *)json_string_value(v); *p; p++)
		if (*p < 0x20)
			return 0;
	return 1;
}

static int options_check(const json_t *opts, size_t i, json_t *out, char *err, size_t errsz)
{
	if (!json_is_array(opts) || json_array_size(opts) < 1 || json_array_size(opts) > FORM_MAX_OPTIONS)
		return efail(err, errsz, i, "options", "a select needs 1 to 50 options");
	json_t *arr = json_array();
	size_t k;
	const json_t *o;
	json_array_foreach(opts, k, o) {
		int dup = 0;
		for (size_t m = 0; m < k; m++)
			dup |= json_equal(json_array_get(opts, m), (json_t *)o);
		if (!label_ok(o, 100) || dup) {
			json_decref(arr);
			return efail(err, errsz, i, "options", "each option is 1 to 100 bytes of text, no repeats");
		}
		json_array_append(arr, (json_t *)o);
	}
	json_object_set_new(out, "options", arr);
	return 0;
}

static int one_field(const json_t *f, size_t i, json_t *seen, json_t **out, char *err, size_t errsz)
{
	const char *k;
	const json_t *v;
	if (!json_is_object(f))
		return efail(err, errsz, i, "", "each field is an object");
	json_object_foreach((json_t *)f, k, v)
		if (strcmp(k, "key") && strcmp(k, "label") && strcmp(k, "type") && strcmp(k, "required") &&
		    strcmp(k, "options") && strcmp(k, "max_length"))
			return efail(err, errsz, i, k, "unknown member");
	const char *key = json_get_str(f, "key"), *type = json_get_str(f, "type");
	if (!key || !key_ok(key))
		return efail(err, errsz, i, "key", "1 to 32 of a-z, 0-9 and _ (not first)");
	if (json_object_get(seen, key))
		return efail(err, errsz, i, "key", "used by another field");
	if (!label_ok(json_object_get(f, "label"), 200))
		return efail(err, errsz, i, "label", "1 to 200 bytes of text");
	int t = -1;
	for (int n = 0; type && ftypes[n]; n++)
		if (strcmp(type, ftypes[n]) == 0)
			t = n;
	if (t < 0)
		return efail(err, errsz, i, "type", "text, textarea, email, phone, select, order_number or file");
	const json_t *req = json_object_get(f, "required"), *ml = json_object_get(f, "max_length");
	const json_t *opts = json_object_get(f, "options");
	if (req && !json_is_boolean(req))
		return efail(err, errsz, i, "required", "true or false");
	if (ml && !json_is_null(ml) && (!json_is_integer(ml) || json_integer_value(ml) < 1 || json_integer_value(ml) > type_max[t]))
		return efail(err, errsz, i, "max_length", type_max[t] ? "1 up to the type's limit" : "files have no max_length");
	if (opts && !json_is_null(opts) && strcmp(type, "select") != 0 && json_array_size(opts) > 0)
		return efail(err, errsz, i, "options", "only a select has options");
	json_t *o = json_pack("{s:s,s:O,s:s,s:b}", "key", key, "label", json_object_get(f, "label"), "type", type,
			      "required", req && json_is_true(req));
	if (type_max[t])
		json_object_set_new(o, "max_length", json_integer(ml && json_is_integer(ml) ? json_integer_value(ml) : type_default[t]));
	if (strcmp(type, "select") == 0 && options_check(opts, i, o, err, errsz)) {
		json_decref(o);
		return KF_EINVAL;
	}
	json_object_set_new(seen, key, json_true());
	*out = o;
	return 0;
}

int forms__fields_check(const json_t *j, json_t **out, char *err, size_t errsz)
{
	if (!json_is_array(j) || json_array_size(j) < 1 || json_array_size(j) > FORM_MAX_FIELDS) {
		snprintf(err, errsz, "fields: an array of 1 to %d field definitions", FORM_MAX_FIELDS);
		return KF_EINVAL;
	}
	json_t *arr = json_array(), *seen = json_object(), *f;
	size_t i, files = 0;
	const json_t *v;
	json_array_foreach(j, i, v) {
		if (one_field(v, i, seen, &f, err, errsz)) {
			json_decref(arr);
			json_decref(seen);
			return KF_EINVAL;
		}
		files += strcmp(json_string_value(json_object_get(f, "type")), "file") == 0;
		json_array_append_new(arr, f);
	}
	json_decref(seen);
	if (files > FORM_MAX_FILES) {
		json_decref(arr);
		snprintf(err, errsz, "fields: at most %d file fields", FORM_MAX_FILES);
		return KF_EINVAL;
	}
	*out = arr;
	return 0;
}

/* ---- the signed time stamp ---- */

static unsigned char form_key[crypto_auth_KEYBYTES];
static int form_key_ready;

/* The MAC key is derived from DATA/secret.key (label "form-stamp"), never kept in the database. */
static void key_load(struct app *a)
{
	_Static_assert(crypto_auth_KEYBYTES == 32, "app_derive_key gives 32 bytes");
	if (!form_key_ready && app_derive_key(a, "form-stamp", form_key) == 0)
		form_key_ready = 1;
}

static void mac_hex(int64_t form_id, int64_t t, char out[33])
{
	unsigned char mac[crypto_auth_BYTES];
	char msg[64];
	snprintf(msg, sizeof(msg), "form:%lld:%lld", (long long)form_id, (long long)t);
	crypto_auth(mac, (const unsigned char *)msg, strlen(msg), form_key);
	sodium_bin2hex(out, 33, mac, 16);
}

void forms__stamp(struct app *a, int64_t form_id, int64_t t, char out[64])
{
	char mac[33];
	key_load(a);
	mac_hex(form_id, t, mac);
	snprintf(out, 64, "%lld.%s", (long long)t, mac);
}

int forms__stamp_check(struct app *a, int64_t form_id, const char *stamp, int64_t *t)
{
	char want[33];
	const char *dot = stamp ? strchr(stamp, '.') : NULL;
	if (!dot || parse_i64(stamp, (size_t)(dot - stamp), t) || strlen(dot + 1) != 32)
		return KF_EINVAL;
	key_load(a);
	if (!form_key_ready)
		return KF_EINVAL;   /* no key (DATA/secret.key unreadable): no stamp is the app's */
	mac_hex(form_id, *t, want);
	return sodium_memcmp(dot + 1, want, 32) == 0 ? 0 : KF_EINVAL;
}

/* ---- language ---- */

const char *const forms__langs[3] = { "zh-CN", "zh-TW", "en" };

/* The index in forms__langs of the page's language: ticket_lang's one rule for every part. */
int forms__lang(struct http_req *r, const char *lang)
{
	const char *l = ticket_lang(r, lang);
	for (int i = 0; i < 3; i++)
		if (strcmp(forms__langs[i], l) == 0)
			return i;
	return 0;
}

/* ---- the admin's REST API ---- */

static json_t *form_json(const struct store_form *f)
{
	char url[40];
	json_t *fields = json_loads(f->fields, 0, NULL);
	snprintf(url, sizeof(url), "/f/%lld", (long long)f->id);
	return json_pack("{s:I,s:I,s:s,s:s,s:o,s:o,s:s,s:s,s:s,s:b,s:I,s:I,s:s,s:I,s:I}", "id", (json_int_t)f->id,
			 "site_id", (json_int_t)f->site_id, "name", f->name, "ticket_type", f->ticket_type,
			 "department_id", f->department_id ? json_integer(f->department_id) : json_null(), "fields",
			 fields ? fields : json_array(), "title", f->title, "intro", f->intro, "success_message",
			 f->success_message, "active", f->active, "submissions", (json_int_t)f->submissions, "spam",
			 (json_int_t)f->spam, "url", url, "created_at", (json_int_t)f->created_at, "updated_at",
			 (json_int_t)f->updated_at);
}

/* A string member of 0..max bytes when present (max + 1 <= outsz). */
static int str_member(const json_t *j, const char *key, size_t min, size_t max, char *out, size_t outsz)
{
	const json_t *v = json_object_get(j, key);
	if (!v)
		return 0;
	if (!json_is_string(v) || json_string_length(v) < min || json_string_length(v) > max || max >= outsz ||
	    strlen(json_string_value(v)) != json_string_length(v))
		return KF_EINVAL;
	snprintf(out, outsz, "%s", json_string_value(v));
	return 0;
}

static const char *dept_member(struct http_req *r, const json_t *v, struct store_form *f)
{
	struct store_dept d;
	if (!v)
		return NULL;
	if (json_is_null(v) || (json_is_integer(v) && json_integer_value(v) == 0)) {
		f->department_id = 0;
		return NULL;
	}
	if (!json_is_integer(v) || store_dept_get(app_of(r)->st, json_integer_value(v), &d) != 0 || d.site_id != f->site_id)
		return "department_id: a department of the form's site, or null";
	f->department_id = d.id;
	return NULL;
}

/* The members of j over f (a create starts from defaults, a PATCH from the stored form): NULL,
 * or a message naming the bad member (maybe in err). */
static const char *form_from_json(struct http_req *r, const json_t *j, struct store_form *f, char *err, size_t errsz)
{
	static const char *const known[] = { "name", "ticket_type", "department_id", "fields", "title", "intro",
					     "success_message", "active", NULL };
	const char *k, *bad;
	const json_t *v, *act = json_object_get(j, "active"), *fields = json_object_get(j, "fields");
	json_object_foreach((json_t *)j, k, v)
		if (!ticket_enum_ok(known, k)) {
			snprintf(err, errsz, "%s: unknown member", k);
			return err;
		}
	if (str_member(j, "name", 1, 100, f->name, sizeof(f->name)) || !f->name[0])
		return "name: 1 to 100 bytes";
	if (str_member(j, "ticket_type", 1, 11, f->ticket_type, sizeof(f->ticket_type)) ||
	    !ticket_enum_ok(ticket_types, f->ticket_type))
		return "ticket_type: question, complaint, return, repair or other";
	if ((bad = dept_member(r, json_object_get(j, "department_id"), f)))
		return bad;
	if (str_member(j, "title", 0, 200, f->title, sizeof(f->title)))
		return "title: at most 200 bytes";
	if (str_member(j, "intro", 0, 2000, f->intro, sizeof(f->intro)))
		return "intro: at most 2000 bytes of plain text";
	if (str_member(j, "success_message", 0, 1000, f->success_message, sizeof(f->success_message)))
		return "success_message: at most 1000 bytes of plain text";
	if (act && !json_is_boolean(act))
		return "active: true or false";
	if (act)
		f->active = json_is_true(act);
	if (fields) {
		json_t *norm;
		if (forms__fields_check(fields, &norm, err, errsz))
			return err;
		char *text = json_dumps(norm, JSON_COMPACT);
		json_decref(norm);
		int fits = text && strlen(text) < sizeof(f->fields);
		if (fits)
			snprintf(f->fields, sizeof(f->fields), "%s", text);
		free(text);
		if (!fits)
			return "fields: the definitions are too long";
	}
	if (strcmp(f->fields, "[]") == 0 || !f->fields[0])
		return "fields: an array of 1 to 30 field definitions";
	return NULL;
}

void forms__invalid(struct http_req *r, const char *msg)
{
	char field[80];
	size_t n = strcspn(msg, ":");
	snprintf(field, sizeof(field), "%.*s", (int)(n < 79 ? n : 79), msg);
	http_reply_json(r, 422, json_pack("{s:{s:s,s:s,s:s}}", "error", "code", "invalid_field", "message", msg, "field",
					  field));
}

static int param_id(struct http_req *r, int64_t *id)
{
	const char *p = http_param(r, 0);
	return p && parse_i64(p, strlen(p), id) == 0 && *id > 0 ? 0 : KF_EINVAL;
}

static int load_site(struct http_req *r, int64_t *site_id)
{
	struct store_site s;
	if (param_id(r, site_id) || store_site_get(app_of(r)->st, *site_id, &s) != 0) {
		http_reply_error(r, 404, "not_found", "no such site");
		return 1;
	}
	return 0;
}

static int load_form(struct http_req *r, struct store_form *f)
{
	int64_t id;
	if (param_id(r, &id) || store_form_get(app_of(r)->st, id, f) != 0) {
		http_reply_error(r, 404, "not_found", "no such form");
		return 1;
	}
	return 0;
}

static int to_array(void *ud, const struct store_form *f)
{
	json_array_append_new(ud, form_json(f));
	return 0;
}

static void h_list(struct http_req *r)
{
	int64_t site_id;
	if (load_site(r, &site_id))
		return;
	json_t *arr = json_array();
	if (store_form_each(app_of(r)->st, site_id, 0, to_array, arr) != 0) {
		json_decref(arr);
		http_reply_error(r, 500, "internal", "could not read the forms");
		return;
	}
	http_reply_json(r, 200, json_pack("{s:o}", "forms", arr));
}

static void h_create(struct http_req *r)
{
	struct app *a = app_of(r);
	struct store_form *f = xcalloc(1, sizeof(*f));
	int64_t n = 0;
	const char *bad;
	char err[200];
	if (load_site(r, &f->site_id))
		goto out;
	snprintf(f->ticket_type, sizeof(f->ticket_type), "question");
	f->active = 1;
	if ((bad = form_from_json(r, r->json, f, err, sizeof(err)))) {
		forms__invalid(r, bad);
		goto out;
	}
	if (store_form_count_site(a->st, f->site_id, &n) != 0 || n >= FORMS_PER_SITE) {
		http_reply_error(r, 409, "too_many", "a site has at most 100 forms; delete old ones");
		goto out;
	}
	f->created_at = f->updated_at = time_now_s();
	if (store_form_create(a->st, f) != 0 || store_form_get(a->st, f->id, f) != 0)
		http_reply_error(r, 500, "internal", "could not save the form");
	else
		http_reply_json(r, 201, json_pack("{s:o}", "form", form_json(f)));
out:
	free(f);
}

static void h_get(struct http_req *r)
{
	struct store_form *f = xmalloc(sizeof(*f));
	if (!load_form(r, f))
		http_reply_json(r, 200, json_pack("{s:o}", "form", form_json(f)));
	free(f);
}

static void h_patch(struct http_req *r)
{
	struct app *a = app_of(r);
	struct store_form *f = xmalloc(sizeof(*f));
	const char *bad;
	char err[200];
	if (load_form(r, f))
		goto out;
	if ((bad = form_from_json(r, r->json, f, err, sizeof(err)))) {
		forms__invalid(r, bad);
		goto out;
	}
	f->updated_at = time_now_s();
	if (store_form_update(a->st, f) != 0 || store_form_get(a->st, f->id, f) != 0)
		http_reply_error(r, 500, "internal", "could not save the form");
	else
		http_reply_json(r, 200, json_pack("{s:o}", "form", form_json(f)));
out:
	free(f);
}

/* Tickets keep their form_id (a plain number, no foreign key): deleting a form loses nothing
 * of what it brought in. PATCH {"active":false} takes it offline instead. */
static void h_delete(struct http_req *r)
{
	struct store_form *f = xmalloc(sizeof(*f));
	if (!load_form(r, f)) {
		if (store_form_delete(app_of(r)->st, f->id) != 0)
			http_reply_error(r, 500, "internal", "could not delete the form");
		else
			http_reply_json(r, 200, json_pack("{s:b}", "deleted", 1));
	}
	free(f);
}

static const struct route routes[] = {
	{ M_GET, "/api/v1/sites/:id/forms", h_list, 0, ACCESS_ADMIN, "forms:read", "api", NULL },
	{ M_POST, "/api/v1/sites/:id/forms", h_create, ROUTE_JSON, ACCESS_ADMIN, "forms:write", "api", NULL },
	{ M_GET, "/api/v1/forms/:id", h_get, 0, ACCESS_ADMIN, "forms:read", "api", NULL },
	{ M_PATCH, "/api/v1/forms/:id", h_patch, ROUTE_JSON, ACCESS_ADMIN, "forms:write", "api", NULL },
	{ M_DELETE, "/api/v1/forms/:id", h_delete, 0, ACCESS_ADMIN, "forms:write", "api", NULL },
};

void ticket_forms_register(struct http_server *s)
{
	forms__page_register(s);     /* /api/v1/forms/public before /api/v1/forms/:id */
	http_routes_add(s, routes, KF_ARRAY_LEN(routes));
	forms__submit_register(s);
}

void ticket_forms_shutdown(void)
{
	forms__submit_shutdown();
}
