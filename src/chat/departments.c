/* chat/departments.c - departments over HTTP (admins manage them; agents read them for
 * transfers), the agents' live availability for transfers and supervision, and the public
 * list the widget's pre-chat form offers. Routing itself is route.c. */
#include "chat/chat_int.h"
#include "chat/route.h"
#include "app/app.h"
#include "auth/auth.h"
#include "core/json.h"
#include "core/kf.h"
#include "core/util.h"
#include "store/store_route.h"
#include <stdio.h>
#include <string.h>

static int id_param(struct http_req *r, int64_t *id)
{
	const char *p = http_param(r, 0);
	return !p || parse_i64(p, strlen(p), id) || *id <= 0;
}

/* May the signed-in user see this site's chats (an admin, or a member of the site)? */
static int sees_site(struct http_req *r, int64_t site_id)
{
	const struct auth_ctx *ctx = auth_of(r);
	if (auth_role_level(ctx->user.role) >= ACCESS_ADMIN)
		return 1;
	return store_site_is_member(app_of(r)->st, site_id, ctx->user.id) == 0;
}

static json_t *dept_json(struct app *a, const struct store_dept *d)
{
	int64_t ids[256];
	size_t n = 0;
	json_t *members = json_array();
	store_dept_members(a->st, d->id, ids, KF_ARRAY_LEN(ids), &n);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(members, json_integer(ids[i]));
	return json_pack("{s:I,s:I,s:s,s:s,s:i,s:i,s:o,s:b}", "id", (json_int_t)d->id, "site_id", (json_int_t)d->site_id,
			 "name", d->name, "rule", d->rule, "offer_timeout", d->offer_timeout, "position", d->position,
			 "members", members, "online", route_available(a, d->site_id, d->id));
}

struct dept_list {
	json_t *arr;
	struct app *a;
};

static int dept_to_array(void *ud, const struct store_dept *d)
{
	struct dept_list *l = ud;
	json_array_append_new(l->arr, dept_json(l->a, d));
	return 0;
}

static void h_list(struct http_req *r)
{
	int64_t site_id;
	struct store_site s;
	if (id_param(r, &site_id) || store_site_get(app_of(r)->st, site_id, &s) != 0 || !sees_site(r, site_id)) {
		http_reply_error(r, 404, "not_found", "no such site");
		return;
	}
	struct dept_list l = { json_array(), app_of(r) };
	store_dept_each(app_of(r)->st, site_id, dept_to_array, &l);
	http_reply_json(r, 200, json_pack("{s:o}", "departments", l.arr));
}

/* Reads name, rule, offer_timeout, position and members from the body into d / ids. */
static int dept_fields(struct http_req *r, struct store_dept *d, int64_t *ids, size_t *n, int *has_members)
{
	json_t *b = r->json, *name = json_object_get(b, "name"), *rule = json_object_get(b, "rule");
	json_t *to = json_object_get(b, "offer_timeout"), *pos = json_object_get(b, "position");
	json_t *mem = json_object_get(b, "members"), *v;
	size_t i;
	if ((name && (!json_is_string(name) || !json_string_length(name) || json_string_length(name) > 60)) ||
	    (rule && (!json_is_string(rule) || (strcmp(json_string_value(rule), "round_robin") &&
						strcmp(json_string_value(rule), "least_busy")))) ||
	    (to && (!json_is_integer(to) || json_integer_value(to) < 5 || json_integer_value(to) > 600)) ||
	    (pos && !json_is_integer(pos)) || (mem && (!json_is_array(mem) || json_array_size(mem) > 256))) {
		http_reply_error(r, 422, "invalid_field", "name 1-60 bytes, rule round_robin or least_busy, "
				 "offer_timeout 5-600 seconds, position an integer, members an array of user ids");
		return 1;
	}
	if (name)
		utf8_copy(d->name, sizeof(d->name), json_string_value(name));
	if (rule)
		snprintf(d->rule, sizeof(d->rule), "%s", json_string_value(rule));
	if (to)
		d->offer_timeout = (int)json_integer_value(to);
	if (pos)
		d->position = (int)json_integer_value(pos);
	*has_members = mem != NULL;
	*n = 0;
	json_array_foreach(mem, i, v) {
		struct store_user u;
		if (!json_is_integer(v) || store_user_get(app_of(r)->st, json_integer_value(v), &u) != 0) {
			http_reply_error(r, 422, "invalid_field", "members: unknown user");
			return 1;
		}
		/* A member must be able to open the site's chats, or offers would go to someone who cannot take them. */
		if (strcmp(u.role, "admin") != 0 && store_site_is_member(app_of(r)->st, d->site_id, u.id) != 0) {
			http_reply_error(r, 422, "invalid_field", "members: every member must be a member of the site");
			return 1;
		}
		ids[(*n)++] = u.id;
	}
	return 0;
}

static void save_reply(struct http_req *r, struct store_dept *d, int created, const int64_t *ids, size_t n, int has_members)
{
	struct app *a = app_of(r);
	int rc = created ? store_dept_create(a->st, d) : store_dept_update(a->st, d);
	if (rc == KF_EEXIST) {
		http_reply_error(r, 409, "exists", "the site already has a department of that name");
		return;
	}
	if (rc != 0 || (has_members && store_dept_set_members(a->st, d->id, ids, n) != 0)) {
		http_reply_error(r, 500, "internal", "could not save the department");
		return;
	}
	store_dept_get(a->st, d->id, d);
	route_drain(a);   /* new members may serve the queue */
	http_reply_json(r, created ? 201 : 200, json_pack("{s:o}", "department", dept_json(a, d)));
}

static void h_create(struct http_req *r)
{
	struct store_dept d;
	struct store_site s;
	int64_t ids[256];
	size_t n;
	int has;
	memset(&d, 0, sizeof(d));
	if (id_param(r, &d.site_id) || store_site_get(app_of(r)->st, d.site_id, &s) != 0) {
		http_reply_error(r, 404, "not_found", "no such site");
		return;
	}
	if (dept_fields(r, &d, ids, &n, &has))
		return;
	if (!d.name[0]) {
		http_reply_error(r, 422, "invalid_field", "name is required");
		return;
	}
	save_reply(r, &d, 1, ids, n, has);
}

static int load_dept(struct http_req *r, struct store_dept *d)
{
	int64_t id;
	if (id_param(r, &id) || store_dept_get(app_of(r)->st, id, d) != 0) {
		http_reply_error(r, 404, "not_found", "no such department");
		return 1;
	}
	return 0;
}

static void h_patch(struct http_req *r)
{
	struct store_dept d;
	int64_t ids[256];
	size_t n;
	int has;
	if (load_dept(r, &d) || dept_fields(r, &d, ids, &n, &has))
		return;
	save_reply(r, &d, 0, ids, n, has);
}

static void h_delete(struct http_req *r)
{
	struct store_dept d;
	if (load_dept(r, &d))
		return;
	if (store_dept_delete(app_of(r)->st, d.id) != 0) {
		http_reply_error(r, 500, "internal", "could not delete the department");
		return;
	}
	http_reply(r, 204, NULL, NULL, 0);
}

struct site_ids {
	int64_t id[64];
	size_t n;
};

static int collect_site(void *ud, const struct store_site *s)
{
	struct site_ids *l = ud;
	if (l->n < KF_ARRAY_LEN(l->id))
		l->id[l->n++] = s->id;
	return 0;
}

static int covers_any(struct aconn *x, const struct site_ids *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (hub_agent_covers(x, l->id[i]))
			return 1;
	return 0;
}

/* GET /api/v1/routing/agents?site=ID: who is connected, their status and load, for the
 * transfer dialog and the supervisor's view. */
static void h_agents(struct http_req *r)
{
	struct app *a = app_of(r);
	const char *sp = http_query(r, "site");
	int64_t site_id = 0;
	if (sp && (parse_i64(sp, strlen(sp), &site_id) || !sees_site(r, site_id))) {
		http_reply_error(r, 404, "not_found", "no such site");
		return;
	}
	json_t *arr = json_array();
	struct site_ids mine = { .n = 0 };
	int admin = auth_role_level(auth_of(r)->user.role) >= ACCESS_ADMIN;
	if (!site_id && !admin)   /* the team of the requester's own sites only */
		store_site_each(a->st, auth_of(r)->user.id, collect_site, &mine);
	for (struct aconn *x = hub_agents(); x; x = x->next) {
		if (!x->hello || hub_agent_find(x->user_id) != x || (site_id && !hub_agent_covers(x, site_id)) ||
		    (!site_id && !admin && !covers_any(x, &mine)))
			continue;
		int64_t load = 0;
		store_route_load(a->st, x->user_id, &load);
		json_array_append_new(arr, json_pack("{s:I,s:s,s:s,s:I,s:i}", "id", (json_int_t)x->user_id, "name", x->name,
						     "status", x->status, "chats", (json_int_t)load, "max_chats",
						     x->max_chats));
	}
	http_reply_json(r, 200, json_pack("{s:o}", "agents", arr));
}

static int dept_public(void *ud, const struct store_dept *d)
{
	struct dept_list *l = ud;
	json_array_append_new(l->arr, json_pack("{s:I,s:s,s:b}", "id", (json_int_t)d->id, "name", d->name, "online",
						route_available(l->a, d->site_id, d->id)));
	return 0;
}

json_t *chat_departments_public(struct app *a, int64_t site_id)
{
	struct dept_list l = { json_array(), a };
	store_dept_each(a->st, site_id, dept_public, &l);
	return l.arr;
}

static const struct route routes[] = {
	{ M_GET, "/api/v1/sites/:id/departments", h_list, 0, ACCESS_AGENT, NULL, "api", NULL },
	{ M_POST, "/api/v1/sites/:id/departments", h_create, ROUTE_JSON, ACCESS_ADMIN, NULL, "api", NULL },
	{ M_PATCH, "/api/v1/departments/:id", h_patch, ROUTE_JSON, ACCESS_ADMIN, NULL, "api", NULL },
	{ M_DELETE, "/api/v1/departments/:id", h_delete, 0, ACCESS_ADMIN, NULL, "api", NULL },
	{ M_GET, "/api/v1/routing/agents", h_agents, 0, ACCESS_AGENT, NULL, "api", NULL },
};

void chat_departments_register(struct http_server *s)
{
	http_routes_add(s, routes, KF_ARRAY_LEN(routes));
}
