/* crm/names.c - the shop's own names for the RFM segments and the customer tiers ("RFM
 * segments with editable names"): a shop may call its key accounts "VIP 客户" or its at-risk
 * segment "沉睡客户". Ids and keys stay fixed (they are stored and filtered on); only what is
 * shown changes. An override is one name for every language (it is the shop's word); without
 * one, the default name in the reader's language (rfm.c) is shown. Stored in the settings
 * table under "crm.names.<site id>" as {"tiers":{key:name},"segments":{key:name}}. */
#include "crm/crm.h"
#include "crm/crm_int.h"
#include "crm/rfm.h"
#include "app/app.h"
#include "auth/auth.h"
#include "core/kf.h"
#include "core/util.h"
#include <stdio.h>
#include <string.h>

#define NAMES_JSON_MAX 4096
#define NAME_MAX_BYTES 40

/* The overrides ({"tiers":{},"segments":{}} when none); the caller decrefs. */
static json_t *names_load(struct app *a, int64_t site_id)
{
	json_t *j = crm_site_setting_load(a, "crm.names", site_id, NAMES_JSON_MAX);
	if (!json_is_object(j)) {
		json_decref(j);
		j = json_object();
	}
	for (int i = 0; i < 2; i++)
		if (!json_is_object(json_object_get(j, i ? "segments" : "tiers")))
			json_object_set_new(j, i ? "segments" : "tiers", json_object());
	return j;
}

const char *crm_rfm_name(struct app *a, int64_t site_id, int is_tier, int id, const char *lang, char *buf, size_t n)
{
	const char *key = is_tier ? rfm_tier_key(id) : rfm_segment_key(id);
	const char *def = is_tier ? rfm_tier_name(id, lang) : rfm_segment_name(id, lang);
	if (!key)
		return NULL;
	json_t *j = names_load(a, site_id);
	const char *mine = json_string_value(json_object_get(json_object_get(j, is_tier ? "tiers" : "segments"), key));
	snprintf(buf, n, "%s", mine ? mine : def ? def : key);
	json_decref(j);
	return buf;
}

/* One list for GET: [{key, name, default, custom}] over every id but 0 (none). */
static json_t *list_json(const json_t *over, int is_tier, const char *lang)
{
	json_t *arr = json_array();
	for (int id = 1; id < (is_tier ? RFM_TIER_COUNT : RFM_SEG_COUNT); id++) {
		const char *key = is_tier ? rfm_tier_key(id) : rfm_segment_key(id);
		const char *def = is_tier ? rfm_tier_name(id, lang) : rfm_segment_name(id, lang);
		json_t *mine = json_object_get(over, key);
		json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:O}", "key", key, "name",
						     json_is_string(mine) ? json_string_value(mine) : def, "default", def,
						     "custom", mine ? mine : json_null()));
	}
	return arr;
}

static void h_names_get(struct http_req *r)
{
	int64_t site_id;
	const char *lang = http_query(r, "lang");
	if (crm_load_site(r, &site_id))
		return;
	json_t *j = names_load(app_of(r), site_id);
	http_reply_json(r, 200, json_pack("{s:o,s:o}", "tiers", list_json(json_object_get(j, "tiers"), 1, lang), "segments",
					  list_json(json_object_get(j, "segments"), 0, lang)));
	json_decref(j);
}

/* One object of the PUT body into a clean copy: known keys, names of 1..40 bytes, null drops. */
static const char *overrides_from(const json_t *in, int is_tier, json_t *out)
{
	const char *k;
	json_t *v;
	if (in && !json_is_object(in))
		return is_tier ? "tiers: an object {key: name}" : "segments: an object {key: name}";
	json_object_foreach((json_t *)in, k, v) {
		int id = is_tier ? rfm_tier_from_key(k) : rfm_segment_from_key(k);
		if (id <= 0)
			return is_tier ? "tiers: keys are key, active, occasional, registered" : "segments: unknown segment key";
		if (json_is_null(v))
			continue;
		if (!json_is_string(v) || json_string_length(v) < 1 || json_string_length(v) > NAME_MAX_BYTES ||
		    strlen(json_string_value(v)) != json_string_length(v))
			return "names: strings of 1 to 40 bytes (null restores the default)";
		json_object_set(out, k, v);
	}
	return NULL;
}

static void h_names_put(struct http_req *r)
{
	int64_t site_id;
	if (crm_load_site(r, &site_id))
		return;
	json_t *j = json_pack("{s:o,s:o}", "tiers", json_object(), "segments", json_object());
	const char *bad = overrides_from(json_object_get(r->json, "tiers"), 1, json_object_get(j, "tiers"));
	if (!bad)
		bad = overrides_from(json_object_get(r->json, "segments"), 0, json_object_get(j, "segments"));
	int rc = bad ? 0 : crm_site_setting_save(app_of(r), "crm.names", site_id, j, NAMES_JSON_MAX);
	json_decref(j);
	if (bad) {
		http_reply_error(r, 422, "invalid_field", bad);
		return;
	}
	if (rc != 0) {
		http_reply_error(r, 500, "internal", "could not save the names");
		return;
	}
	h_names_get(r);
}

static const struct route routes[] = {
	{ M_GET, "/api/v1/sites/:id/crm/names", h_names_get, 0, ACCESS_AGENT, "customers:read", "api", NULL },
	{ M_PUT, "/api/v1/sites/:id/crm/names", h_names_put, ROUTE_JSON, ACCESS_ADMIN, "customers:write", "api", NULL },
};

void crm_names_register(struct http_server *s)
{
	http_routes_add(s, routes, KF_ARRAY_LEN(routes));
}
