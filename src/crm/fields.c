/* crm/fields.c - custom customer fields, defined by the admin per site (like Zendesk's user
 * fields): a key, a label, a type (text, number, date, select, boolean) and, for select, its
 * options. Once a site defines any, a customer's `custom` object is checked against them, so
 * the console can show each value with its label and a filter can trust its type; a site that
 * defines none keeps `custom` free-form (shops that push their own data through the API).
 * The definitions live in the settings table under "crm.fields.<site id>". */
#include "crm/crm.h"
#include "crm/crm_int.h"
#include "app/app.h"
#include "auth/auth.h"
#include "core/kf.h"
#include "core/util.h"
#include <stdio.h>
#include <string.h>

#define FIELDS_MAX 20
#define FIELDS_JSON_MAX 8192
#define OPTIONS_MAX 30
#define TEXT_VALUE_MAX 500

static const char *const types[] = { "text", "number", "date", "select", "boolean" };

/* The site's definitions (a JSON array; empty when none were saved). The caller decrefs. */
static json_t *fields_load(struct app *a, int64_t site_id)
{
	json_t *j = crm_site_setting_load(a, "crm.fields", site_id, FIELDS_JSON_MAX);
	if (!json_is_array(j)) {
		json_decref(j);
		j = json_array();
	}
	return j;
}

static int key_ok(const char *k)
{
	size_t n = strlen(k);
	return n >= 1 && n <= 32 && strspn(k, "abcdefghijklmnopqrstuvwxyz0123456789_") == n && !(k[0] >= '0' && k[0] <= '9');
}

static int type_known(const char *t)
{
	for (size_t i = 0; i < KF_ARRAY_LEN(types); i++)
		if (strcmp(t, types[i]) == 0)
			return 1;
	return 0;
}

static int short_string(const json_t *v, size_t max)
{
	return json_is_string(v) && json_string_length(v) >= 1 && json_string_length(v) <= max &&
	       strlen(json_string_value(v)) == json_string_length(v);
}

/* The options of a select field: 1..30 distinct strings of at most 60 bytes. */
static const char *options_check(const json_t *opts)
{
	if (!json_is_array(opts) || json_array_size(opts) < 1 || json_array_size(opts) > OPTIONS_MAX)
		return "options: 1 to 30 strings for a select field";
	for (size_t i = 0; i < json_array_size(opts); i++) {
		if (!short_string(json_array_get(opts, i), 60))
			return "options: each a string of 1 to 60 bytes";
		for (size_t k = 0; k < i; k++)
			if (json_equal(json_array_get(opts, i), json_array_get(opts, k)))
				return "options: each option once";
	}
	return NULL;
}

/* One definition, rebuilt from only the known members into *out: NULL, or the problem. */
static const char *definition_check(const json_t *d, json_t **out)
{
	const char *k, *key, *type;
	json_t *v;
	if (!json_is_object(d))
		return "each field is an object {key, label, type, options}";
	json_object_foreach((json_t *)d, k, v)
		if (strcmp(k, "key") && strcmp(k, "label") && strcmp(k, "type") && strcmp(k, "options"))
			return "unknown member (key, label, type, options)";
	key = json_string_value(json_object_get(d, "key"));
	type = json_string_value(json_object_get(d, "type"));
	if (!key || !key_ok(key))
		return "key: 1 to 32 of a-z 0-9 _, not starting with a digit";
	if (!short_string(json_object_get(d, "label"), 60))
		return "label: a string of 1 to 60 bytes";
	if (!type || !type_known(type))
		return "type: text, number, date, select or boolean";
	json_t *opts = json_object_get(d, "options");
	const char *bad = strcmp(type, "select") == 0 ? options_check(opts) : opts ? "options: only for a select field" : NULL;
	if (bad)
		return bad;
	*out = json_pack("{s:s,s:O,s:s}", "key", key, "label", json_object_get(d, "label"), "type", type);
	if (opts)
		json_object_set(*out, "options", opts);
	return NULL;
}

/* The definitions of a PUT body, checked: a new array, or NULL with the problem in err. */
static json_t *definitions_parse(const json_t *arr, char *err, size_t errsz)
{
	if (!json_is_array(arr) || json_array_size(arr) > FIELDS_MAX) {
		snprintf(err, errsz, "fields: an array of at most %d fields", FIELDS_MAX);
		return NULL;
	}
	json_t *out = json_array();
	for (size_t i = 0; i < json_array_size(arr); i++) {
		json_t *d = NULL;
		const char *bad = definition_check(json_array_get(arr, i), &d);
		for (size_t k = 0; !bad && k < json_array_size(out); k++)
			if (strcmp(json_string_value(json_object_get(json_array_get(out, k), "key")),
				   json_string_value(json_object_get(d, "key"))) == 0)
				bad = "key: each key once";
		if (bad) {
			snprintf(err, errsz, "fields[%zu].%s", i, bad);
			json_decref(d);
			json_decref(out);
			return NULL;
		}
		json_array_append_new(out, d);
	}
	return out;
}

static int date_ok(const char *s)
{
	int y, m, d;
	char tail;
	return strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 && m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

/* Does v fit the definition d? null always does (it clears the value). */
static int value_ok(const json_t *d, const json_t *v)
{
	const char *type = json_string_value(json_object_get(d, "type"));
	if (json_is_null(v))
		return 1;
	if (strcmp(type, "text") == 0)
		return json_is_string(v) && json_string_length(v) <= TEXT_VALUE_MAX;
	if (strcmp(type, "number") == 0)
		return json_is_number(v);
	if (strcmp(type, "date") == 0)
		return json_is_string(v) && date_ok(json_string_value(v));
	if (strcmp(type, "boolean") == 0)
		return json_is_boolean(v);
	const json_t *opts = json_object_get(d, "options");
	for (size_t i = 0; json_is_string(v) && i < json_array_size(opts); i++)
		if (json_equal(json_array_get(opts, i), v))
			return 1;
	return 0;
}

int crm_fields_check(struct app *a, int64_t site_id, const char *custom, char *err, size_t errsz)
{
	json_t *defs = fields_load(a, site_id), *c = json_loads(custom[0] ? custom : "{}", 0, NULL);
	const char *k;
	json_t *v;
	int rc = 0;
	if (json_array_size(defs) == 0 || !json_is_object(c))
		goto out;   /* no definitions: free-form */
	json_object_foreach(c, k, v) {
		const json_t *d = NULL;
		for (size_t i = 0; !d && i < json_array_size(defs); i++)
			if (strcmp(json_string_value(json_object_get(json_array_get(defs, i), "key")), k) == 0)
				d = json_array_get(defs, i);
		if (!d || !value_ok(d, v)) {
			snprintf(err, errsz, d ? "custom.%.32s: not a valid %s" : "custom.%.32s: not a field of this site%s", k,
				 d ? json_string_value(json_object_get(d, "type")) : "");
			rc = KF_EINVAL;
			break;
		}
	}
out:
	json_decref(defs);
	json_decref(c);
	return rc;
}

/* ---- HTTP ---- */

static void h_fields_get(struct http_req *r)
{
	int64_t site_id;
	if (crm_load_site(r, &site_id))
		return;
	http_reply_json(r, 200, json_pack("{s:o}", "fields", fields_load(app_of(r), site_id)));
}

static void h_fields_put(struct http_req *r)
{
	int64_t site_id;
	char err[160];
	if (crm_load_site(r, &site_id))
		return;
	json_t *defs = definitions_parse(json_object_get(r->json, "fields"), err, sizeof(err));
	if (!defs) {
		http_reply_error(r, 422, "invalid_field", err);
		return;
	}
	int rc = crm_site_setting_save(app_of(r), "crm.fields", site_id, defs, FIELDS_JSON_MAX);
	if (rc != 0) {
		json_decref(defs);
		http_reply_error(r, rc == KF_ETOOBIG ? 413 : 500, rc == KF_ETOOBIG ? "too_large" : "internal",
				 "could not save the fields");
		return;
	}
	http_reply_json(r, 200, json_pack("{s:o}", "fields", defs));
}

static const struct route routes[] = {
	{ M_GET, "/api/v1/sites/:id/customer-fields", h_fields_get, 0, ACCESS_AGENT, "customers:read", "api", NULL },
	{ M_PUT, "/api/v1/sites/:id/customer-fields", h_fields_put, ROUTE_JSON, ACCESS_ADMIN, "customers:write", "api", NULL },
};

void crm_fields_register(struct http_server *s)
{
	http_routes_add(s, routes, KF_ARRAY_LEN(routes));
}
