/* crm/customers.c - customer profiles: agents of the site search and read them, supervisors
 * edit them (notes, tags, consent ...), the shop upserts them by its own customer id with an
 * API key (scope customers:write). Every field is bounded and checked; lists are kept as JSON
 * text in the row (store_crm.h), tags as space-separated words like the rest of Kefu. */
#include "crm/crm.h"
#include "crm/crm_int.h"
#include "crm/crm_page.h"
#include "app/app.h"
#include "auth/auth.h"
#include "core/alloc.h"
#include "core/json.h"
#include "core/kf.h"
#include "core/util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CRM_LIST_MAX 10          /* e-mails, phones, addresses per customer */
#define CRM_TAGS_MAX 20
#define CRM_TAG_BYTES 32
#define CRM_TEXT_BYTES 4000      /* notes, addresses and custom as JSON */

/* A stored JSON text as a value (an empty fallback when it does not parse). */
static json_t *stored(const char *text, json_t *fallback)
{
	json_t *v = json_loads(text, 0, NULL);
	if (!v)
		return fallback;
	json_decref(fallback);
	return v;
}

static json_t *customer_json(const struct store_customer *c)
{
	json_t *j = json_pack("{s:I,s:I,s:s,s:o,s:o,s:o,s:s,s:s,s:o,s:s,s:b,s:I,s:s,s:o,s:I,s:I}", "id",
			      (json_int_t)c->id, "site_id", (json_int_t)c->site_id, "name", c->name, "emails",
			      stored(c->emails, json_array()), "phones", stored(c->phones, json_array()), "addresses",
			      stored(c->addresses, json_array()), "birthday", c->birthday, "lang", c->lang, "tags",
			      json_words(c->tags), "notes", c->notes, "consent", c->consent, "consent_at",
			      (json_int_t)c->consent_at, "consent_source", c->consent_source, "custom",
			      stored(c->custom, json_object()), "created_at", (json_int_t)c->created_at, "updated_at",
			      (json_int_t)c->updated_at);
	json_object_set_new(j, "external_id", c->external_id[0] ? json_string(c->external_id) : json_null());
	return j;
}

int crm_customer_create_min(struct app *a, int64_t site_id, const char *ext, const char *name, const char *email,
			    const char *phone, struct store_customer *out)
{
	memset(out, 0, sizeof(*out));
	out->site_id = site_id;
	utf8_copy(out->external_id, sizeof(out->external_id), ext ? ext : "");
	utf8_copy(out->name, sizeof(out->name), name ? name : "");
	json_t *e = json_array(), *p = json_array();
	if (email && *email)
		json_array_append_new(e, json_string(email));
	if (phone && *phone)
		json_array_append_new(p, json_string(phone));
	char *es = json_dumps(e, JSON_COMPACT), *ps = json_dumps(p, JSON_COMPACT);
	utf8_copy(out->emails, sizeof(out->emails), es ? es : "[]");
	utf8_copy(out->phones, sizeof(out->phones), ps ? ps : "[]");
	free(es);
	free(ps);
	json_decref(e);
	json_decref(p);
	out->created_at = out->updated_at = time_now_s();
	int rc = store_customer_create(a->st, out);
	if (rc == KF_EEXIST && out->external_id[0])   /* a concurrent push created it */
		rc = store_customer_by_external(a->st, site_id, out->external_id, out);
	return rc;
}

/* ---- profile validation ---- */

/* Compact JSON of v into out; KF_ETOOBIG when it does not fit. */
static int dump_to(const json_t *v, char *out, size_t outsz)
{
	char *s = json_dumps(v, JSON_COMPACT);
	int rc = s && strlen(s) < outsz ? 0 : KF_ETOOBIG;
	if (rc == 0)
		snprintf(out, outsz, "%s", s);
	free(s);
	return rc;
}

/* A list of at most CRM_LIST_MAX contact strings (e-mails lowercased), as JSON text. */
static const char *contacts(const json_t *v, int emails, char *out, size_t outsz)
{
	const char *bad = emails ? "emails: an array of at most 10 e-mail addresses"
				 : "phones: an array of at most 10 phone numbers (digits, spaces, + - ( ))";
	if (!json_is_array(v) || json_array_size(v) > CRM_LIST_MAX)
		return bad;
	json_t *arr = json_array(), *x;
	size_t i;
	char buf[256];
	json_array_foreach(v, i, x) {
		if (!json_is_string(x) || json_string_length(x) > (emails ? 254u : 32u)) {
			json_decref(arr);
			return bad;
		}
		snprintf(buf, sizeof(buf), "%s", json_string_value(x));
		if (emails)
			crm_lower(buf);
		if (emails ? !crm_email_ok(buf) : !crm_phone_ok(buf)) {
			json_decref(arr);
			return bad;
		}
		json_array_append_new(arr, json_string(buf));
	}
	int rc = dump_to(arr, out, outsz);
	json_decref(arr);
	return rc ? bad : NULL;
}

static const char *tags_from(const json_t *v, char *out, size_t outsz)
{
	const char *bad = "tags: an array of at most 20 words (1 to 32 bytes, no spaces)";
	size_t i, n = 0;
	json_t *x;
	if (!json_is_array(v) || json_array_size(v) > CRM_TAGS_MAX)
		return bad;
	out[0] = '\0';
	json_array_foreach(v, i, x) {
		const char *t = json_is_string(x) ? json_string_value(x) : "";
		size_t l = strlen(t);
		if (l < 1 || l > CRM_TAG_BYTES || strpbrk(t, " \t\r\n") || n + l + 2 > outsz)
			return bad;
		n += (size_t)snprintf(out + n, outsz - n, "%s%s", n ? " " : "", t);
	}
	return NULL;
}

static int date_ok(const char *s)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	const char *end = strlen(s) == 10 ? strptime(s, "%Y-%m-%d", &tm) : NULL;
	return !*s || (end && !*end);
}

/* A string field into out: NULL, or the message. */
static const char *str_field(const json_t *v, size_t max, char *out, size_t outsz, const char *bad)
{
	if (!json_is_string(v) || json_string_length(v) > max || strlen(json_string_value(v)) != json_string_length(v))
		return bad;
	utf8_copy(out, outsz, json_string_value(v));
	return NULL;
}

static const char *json_field(const json_t *v, int object, char *out, size_t outsz, const char *bad)
{
	if (object ? !json_is_object(v) : (!json_is_array(v) || json_array_size(v) > CRM_LIST_MAX))
		return bad;
	return dump_to(v, out, outsz) ? bad : NULL;
}

/* One profile field of the body (key, v) onto c: NULL, or what was wrong. */
static const char *profile_field(struct store_customer *c, const char *key, const json_t *v)
{
	if (strcmp(key, "name") == 0)
		return str_field(v, 200, c->name, sizeof(c->name), "name: a string of at most 200 bytes");
	if (strcmp(key, "emails") == 0 || strcmp(key, "phones") == 0)
		return key[0] == 'e' ? contacts(v, 1, c->emails, sizeof(c->emails)) : contacts(v, 0, c->phones, sizeof(c->phones));
	if (strcmp(key, "addresses") == 0)
		return json_field(v, 0, c->addresses, sizeof(c->addresses), "addresses: an array of at most 10 addresses, 4000 bytes in all");
	if (strcmp(key, "birthday") == 0)
		return str_field(v, 10, c->birthday, sizeof(c->birthday), "") || !date_ok(c->birthday)
			       ? "birthday: YYYY-MM-DD or \"\"" : NULL;
	if (strcmp(key, "lang") == 0)
		return str_field(v, 7, c->lang, sizeof(c->lang), "") || strspn(c->lang, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-") != strlen(c->lang)
			       ? "lang: a language tag such as zh-CN" : NULL;
	if (strcmp(key, "tags") == 0)
		return tags_from(v, c->tags, sizeof(c->tags));
	if (strcmp(key, "notes") == 0)
		return str_field(v, CRM_TEXT_BYTES, c->notes, sizeof(c->notes), "notes: at most 4000 bytes");
	if (strcmp(key, "consent_source") == 0)
		return str_field(v, 60, c->consent_source, sizeof(c->consent_source), "consent_source: at most 60 bytes");
	if (strcmp(key, "custom") == 0)
		return json_field(v, 1, c->custom, sizeof(c->custom), "custom: an object of at most 4000 bytes as JSON");
	if (strcmp(key, "consent") == 0) {
		if (!json_is_boolean(v))
			return "consent: true or false";
		if (c->consent != json_is_true(v))
			c->consent_at = time_now_s();   /* when the customer said yes (or withdrew) */
		c->consent = json_is_true(v);
		return NULL;
	}
	return "unknown field (name, emails, phones, addresses, birthday, lang, tags, notes, consent, consent_source, custom)";
}

static const char *apply_profile(struct store_customer *c, const json_t *body)
{
	const char *key, *bad;
	json_t *v;
	json_object_foreach((json_t *)body, key, v) {
		if (strcmp(key, "external_id") != 0 && (bad = profile_field(c, key, v)) != NULL)
			return bad;
	}
	return NULL;
}

/* ---- handlers ---- */

/* The list's filters (tier, segment, level, spend), sort, paging and total are the CRM page's:
 * crm/crm_page.c. q and limit behave as before (most recently updated first). */
static void h_customers(struct http_req *r)
{
	int64_t site_id;
	if (crm_load_site(r, &site_id))
		return;
	crm_page_list(r, site_id, customer_json);
}

/* The :id customer of one of the caller's sites, else a 404 reply (1). */
static int load_customer(struct http_req *r, struct store_customer *c)
{
	int64_t id;
	if (crm_param_id(r, 0, &id) || store_customer_get(app_of(r)->st, id, c) != 0 || !crm_site_allowed(r, c->site_id)) {
		http_reply_error(r, 404, "not_found", "no such customer");
		return 1;
	}
	return 0;
}

static void h_customer_get(struct http_req *r)
{
	struct store_customer *c = xmalloc(sizeof(*c));
	if (!load_customer(r, c))
		http_reply_json(r, 200, json_pack("{s:o}", "customer", customer_json(c)));
	free(c);
}

/* Applies the body to c and writes it (create when c->id is 0); replies. */
static void save(struct http_req *r, struct store_customer *c)
{
	const char *bad = apply_profile(c, r->json);
	char err[160];
	/* checked when sent: fields defined later must not block editing an older profile's notes */
	if (bad || (json_object_get(r->json, "custom") &&
		    crm_fields_check(app_of(r), c->site_id, c->custom, err, sizeof(err)) != 0)) {
		http_reply_error(r, 422, "invalid_field", bad ? bad : err);
		return;
	}
	int created = c->id == 0;
	c->updated_at = time_now_s();
	int rc = created ? store_customer_create(app_of(r)->st, c) : store_customer_update(app_of(r)->st, c);
	if (rc != 0) {
		http_reply_error(r, rc == KF_EEXIST ? 409 : 500, rc == KF_EEXIST ? "conflict" : "internal",
				 rc == KF_EEXIST ? "a customer with this external id exists" : "could not save the customer");
		return;
	}
	http_reply_json(r, created ? 201 : 200, json_pack("{s:o}", "customer", customer_json(c)));
}

static void h_customer_patch(struct http_req *r)
{
	struct store_customer *c = xmalloc(sizeof(*c));
	if (!load_customer(r, c) && !crm_refuse_merged(r, c->id, "customer"))   /* edit the survivor instead */
		save(r, c);
	free(c);
}

/* The shop's PUT for the external id of a customer merged into c (the look-up followed the
 * merge, so c's own external id differs): the body is added to the survivor as the merge added
 * the source's profile (contacts and tags united, name, birthday and language only where c's
 * are empty, notes appended unless already there verbatim, so a retry adds them once); it
 * never replaces what c has. Consent and custom fields of a merged-away id are not applied. */
static void save_onto_survivor(struct http_req *r, struct store_customer *c)
{
	struct store_customer *body = xcalloc(1, sizeof(*body));
	const char *bad = apply_profile(body, r->json);
	if (bad) {
		http_reply_error(r, 422, "invalid_field", bad);
	} else {
		if (body->notes[0] && strstr(c->notes, body->notes))
			body->notes[0] = '\0';
		crm_merge_profile(c, body, time_now_s());
		if (store_customer_update(app_of(r)->st, c) != 0)
			http_reply_error(r, 500, "internal", "could not save the customer");
		else
			http_reply_json(r, 200, json_pack("{s:o}", "customer", customer_json(c)));
	}
	free(body);
}

static void h_customer_put(struct http_req *r)
{
	int64_t site_id;
	const char *ext = http_param(r, 1);
	if (crm_load_site(r, &site_id))
		return;
	if (!ext || strlen(ext) < 1 || strlen(ext) > 128 || strspn(ext, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.@") != strlen(ext)) {
		http_reply_error(r, 422, "invalid_field", "the external id is 1 to 128 of A-Z a-z 0-9 _ - . @");
		return;
	}
	struct store_customer *c = xmalloc(sizeof(*c));
	if (store_customer_by_external(app_of(r)->st, site_id, ext, c) != 0) {
		memset(c, 0, sizeof(*c));
		c->site_id = site_id;
		snprintf(c->external_id, sizeof(c->external_id), "%s", ext);
	} else if (strcmp(c->external_id, ext) != 0) {
		save_onto_survivor(r, c);
		free(c);
		return;
	}
	save(r, c);
	free(c);
}

static const struct route routes[] = {
	{ M_GET, "/api/v1/sites/:id/customers", h_customers, 0, ACCESS_AGENT, "customers:read", "api", NULL },
	{ M_PUT, "/api/v1/sites/:id/customers/:external_id", h_customer_put, ROUTE_JSON, ACCESS_ADMIN, "customers:write", "api", NULL },
	{ M_GET, "/api/v1/customers/:id", h_customer_get, 0, ACCESS_AGENT, "customers:read", "api", NULL },
	{ M_PATCH, "/api/v1/customers/:id", h_customer_patch, ROUTE_JSON, ACCESS_SUPERVISOR, "customers:write", "api", NULL },
};

void crm_customers_register(struct http_server *s)
{
	http_routes_add(s, routes, KF_ARRAY_LEN(routes));
	crm_fields_register(s);
	crm_names_register(s);
}
