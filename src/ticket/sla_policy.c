/* ticket/sla_policy.c - the SLA policies and the follow-up interval of a site, as the Settings
 * screen edits them (docs/tickets.md, "SLAs, satisfaction and follow-ups"):
 *   GET    /api/v1/sites/:id/sla-policies                 policies, the built-in default, settings
 *   PUT    /api/v1/sites/:id/sla-policies/:type/:priority one policy (replaces it)
 *   DELETE /api/v1/sites/:id/sla-policies/:type/:priority
 *   PUT    /api/v1/sites/:id/sla-settings                 {"followup_days": 1..90}
 * Every field is checked and unknown keys are refused, so a typo cannot pass for "no clock". */
#include "ticket/sla.h"
#include "ticket/ticket.h"
#include "app/app.h"
#include "auth/auth.h"
#include "core/json.h"
#include "core/kf.h"
#include "crm/crm_int.h"   /* crm_site_allowed: who may act on a site, as everywhere */
#include "core/util.h"
#include "store/store.h"
#include "store/store_sla.h"
#include <stdio.h>
#include <string.h>

static json_t *minutes_json(int m)
{
	return m < 0 ? json_null() : json_integer(m);
}

static json_t *policy_json(const struct store_sla_policy *p)
{
	json_t *j = json_pack("{s:s,s:s,s:o,s:o,s:b}", "type", p->type, "priority", p->priority,
			      "first_response_minutes", minutes_json(p->first_minutes), "resolution_minutes",
			      minutes_json(p->resolve_minutes), "business_hours", p->business_hours);
	json_object_set_new(j, "escalate_to", p->escalate_to < 0 ? json_null() : json_integer(p->escalate_to));
	return j;
}

static int policy_cb(void *ud, const struct store_sla_policy *p)
{
	json_array_append_new(ud, policy_json(p));
	return 0;
}

int sla_followup_days(struct app *a, int64_t site_id)
{
	char key[64], v[16];
	int64_t d;
	snprintf(key, sizeof(key), "tickets.followup_days.%lld", (long long)site_id);
	if (store_setting_get(a->st, key, v, sizeof(v)) == 0 && parse_i64(v, strlen(v), &d) == 0 && d >= 1 && d <= 90)
		return (int)d;
	return SLA_FOLLOWUP_DAYS;
}

/* The :id site of the path when the caller may use it; 1 after a 404 reply. */
static int load_site(struct http_req *r, int64_t *site_id)
{
	struct store_site s;
	const char *p = http_param(r, 0);
	if (!p || parse_i64(p, strlen(p), site_id) || *site_id <= 0 || store_site_get(app_of(r)->st, *site_id, &s) ||
	    !crm_site_allowed(r, *site_id)) {
		http_reply_error(r, 404, "not_found", "no such site");
		return 1;
	}
	return 0;
}

static void h_list(struct http_req *r)
{
	int64_t site_id;
	struct store_sla_policy def;
	if (load_site(r, &site_id))
		return;
	json_t *arr = json_array();
	store_sla_policy_each(app_of(r)->st, site_id, policy_cb, arr);
	sla_policy_default("complaint", &def);
	snprintf(def.priority, sizeof(def.priority), "*");
	http_reply_json(r, 200, json_pack("{s:o,s:[o],s:i,s:[s,s,s,s,s],s:[s,s,s,s]}", "policies", arr, "defaults",
					  policy_json(&def), "followup_days", sla_followup_days(app_of(r), site_id),
					  "types", "question", "complaint", "return", "repair", "other", "priorities",
					  "low", "normal", "high", "urgent"));
}

/* null -> -1 (no clock), else an integer 0..SLA_MAX_MINUTES; 0 or KF_EINVAL. */
static int minutes_of(json_t *v, int *out)
{
	if (!v || json_is_null(v)) {
		*out = -1;
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > SLA_MAX_MINUTES)
		return KF_EINVAL;
	*out = (int)json_integer_value(v);
	return 0;
}

/* escalate_to: null (none), 0 (every supervisor) or an enabled supervisor of the site (a
 * member: escalations tell them about its tickets) or an admin (who sees every site). */
static int escalate_of(struct app *a, int64_t site_id, json_t *v, int64_t *out)
{
	struct store_user u;
	if (!v || json_is_null(v)) {
		*out = -1;
		return 0;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return KF_EINVAL;
	*out = json_integer_value(v);
	if (*out == 0)
		return 0;
	if (store_user_get(a->st, *out, &u) != 0 || u.disabled || auth_role_level(u.role) < ACCESS_SUPERVISOR)
		return KF_EINVAL;
	return auth_role_level(u.role) >= ACCESS_ADMIN || store_site_is_member(a->st, site_id, *out) == 0 ? 0 : KF_EINVAL;
}

static const char *policy_from_json(struct app *a, json_t *j, struct store_sla_policy *p)
{
	static const char *const keys[] = { "first_response_minutes", "resolution_minutes", "business_hours",
					    "escalate_to", NULL };
	const char *k;
	json_t *v;
	json_object_foreach(j, k, v)
		if (!ticket_enum_ok(keys, k))
			return "unknown field";
	if (minutes_of(json_object_get(j, "first_response_minutes"), &p->first_minutes))
		return "first_response_minutes: null or 0..527040";
	if (minutes_of(json_object_get(j, "resolution_minutes"), &p->resolve_minutes))
		return "resolution_minutes: null or 0..527040";
	v = json_object_get(j, "business_hours");
	if (v && !json_is_boolean(v))
		return "business_hours: true or false";
	p->business_hours = json_is_true(v);
	if (escalate_of(a, p->site_id, json_object_get(j, "escalate_to"), &p->escalate_to))
		return "escalate_to: null, 0 (every supervisor) or the user id of a supervisor of the site";
	return NULL;
}

/* The :type/:priority of the path; 1 after a 400 reply. */
static int path_keys(struct http_req *r, struct store_sla_policy *p)
{
	const char *type = http_param(r, 1), *prio = http_param(r, 2);
	if (!type || !prio || !ticket_enum_ok(ticket_types, type) || !ticket_enum_ok(ticket_priorities, prio)) {
		http_reply_error(r, 400, "bad_request", "type or priority is not one of the ticket's");
		return 1;
	}
	snprintf(p->type, sizeof(p->type), "%s", type);
	snprintf(p->priority, sizeof(p->priority), "%s", prio);
	return 0;
}

static void h_put(struct http_req *r)
{
	struct store_sla_policy p;
	memset(&p, 0, sizeof(p));
	if (load_site(r, &p.site_id) || path_keys(r, &p))
		return;
	const char *why = policy_from_json(app_of(r), r->json, &p);
	if (why) {
		http_reply_error(r, 400, "bad_request", why);
		return;
	}
	p.updated_at = time_now_s();
	if (store_sla_policy_put(app_of(r)->st, &p) != 0) {
		http_reply_error(r, 500, "internal", "could not save the policy");
		return;
	}
	http_reply_json(r, 200, policy_json(&p));
}

static void h_delete(struct http_req *r)
{
	struct store_sla_policy p;
	memset(&p, 0, sizeof(p));
	if (load_site(r, &p.site_id) || path_keys(r, &p))
		return;
	int rc = store_sla_policy_delete(app_of(r)->st, p.site_id, p.type, p.priority);
	if (rc == KF_ENOTFOUND)
		http_reply_error(r, 404, "not_found", "no such policy");
	else if (rc)
		http_reply_error(r, 500, "internal", "could not delete the policy");
	else
		http_reply_json(r, 200, json_pack("{s:b}", "deleted", 1));
}

static void h_settings(struct http_req *r)
{
	int64_t site_id;
	char key[64], v[16];
	if (load_site(r, &site_id))
		return;
	json_t *d = json_object_get(r->json, "followup_days");
	if (json_object_size(r->json) != 1 || !json_is_integer(d) || json_integer_value(d) < 1 ||
	    json_integer_value(d) > 90) {
		http_reply_error(r, 400, "bad_request", "expected {\"followup_days\": 1..90}");
		return;
	}
	snprintf(key, sizeof(key), "tickets.followup_days.%lld", (long long)site_id);
	snprintf(v, sizeof(v), "%lld", (long long)json_integer_value(d));
	if (store_setting_set(app_of(r)->st, key, v) != 0) {
		http_reply_error(r, 500, "internal", "could not save");
		return;
	}
	http_reply_json(r, 200, json_pack("{s:i}", "followup_days", sla_followup_days(app_of(r), site_id)));
}

static const struct route routes[] = {
	{ M_GET, "/api/v1/sites/:id/sla-policies", h_list, 0, ACCESS_AGENT, "tickets:read", "api", NULL },
	{ M_PUT, "/api/v1/sites/:id/sla-policies/:type/:priority", h_put, ROUTE_JSON, ACCESS_SUPERVISOR,
	  "tickets:admin", "api", NULL },
	{ M_DELETE, "/api/v1/sites/:id/sla-policies/:type/:priority", h_delete, 0, ACCESS_SUPERVISOR, "tickets:admin",
	  "api", NULL },
	{ M_PUT, "/api/v1/sites/:id/sla-settings", h_settings, ROUTE_JSON, ACCESS_SUPERVISOR, "tickets:admin", "api",
	  NULL },
};

void sla_policy_routes(struct http_server *s)
{
	http_routes_add(s, routes, KF_ARRAY_LEN(routes));
}
