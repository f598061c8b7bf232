/* crm/confirm.c - a visitor becomes a known customer when an agent confirms it (issue 6).
 * What a visitor types in the pre-chat or offline form is a claim nobody verified, so nothing
 * is ever linked from it alone: the panel lists the customers whose e-mail or phone equals it
 * (candidates), and only an agent's click links the visitor, recorded as an agent-confirmed
 * link (who, when, and whether the e-mail or the phone matched). Such a link shows the customer
 * to agents; the widget's "my orders" keeps trusting only the shop's signed claim, so a visitor
 * cannot read someone's orders by typing their address. */
#include "crm/merge.h"
#include "crm/crm.h"
#include "crm/crm_int.h"
#include "app/app.h"
#include "auth/auth.h"
#include "core/alloc.h"
#include "core/json.h"
#include "core/kf.h"
#include "core/util.h"
#include "store/store.h"
#include "store/store_crm.h"
#include "store/store_merge.h"
#include <stdlib.h>
#include <string.h>

/* The visitor's e-mail (lowercased) and phone digits, "" for what they did not leave. */
static void contact_of(const struct store_visitor *v, char email[256], char digits[40])
{
	snprintf(email, 256, "%s", crm_email_ok(v->email) ? v->email : "");
	crm_lower(email);
	crm_phone_digits(v->phone, digits, 40);
	if (strlen(digits) < 5)
		digits[0] = '\0';
}

static int candidate_cb(void *ud, int64_t id, const char *name, const char *ext, const char *matched)
{
	json_t *j = json_pack("{s:I,s:s,s:s}", "id", (json_int_t)id, "name", name, "matched", matched);
	json_object_set_new(j, "external_id", *ext ? json_string(ext) : json_null());
	json_array_append_new(ud, j);
	return 0;
}

json_t *crm_confirm_candidates(struct store *st, const struct store_visitor *v)
{
	char email[256], digits[40];
	json_t *arr = json_array();
	contact_of(v, email, digits);
	if (email[0] || digits[0])
		store_customer_candidates(st, v->site_id, email, digits, CRM_CANDIDATES, candidate_cb, arr);
	return arr;
}

json_t *crm_confirm_link_json(struct store *st, int64_t visitor_id)
{
	struct store_link l;
	if (store_link_get(st, visitor_id, &l) != 0 || !l.active)
		return json_null();
	json_t *j = json_pack("{s:s,s:I}", "source", l.source, "linked_at", (json_int_t)l.linked_at);
	json_object_set_new(j, "confirmed_by", l.confirmed_by ? json_integer(l.confirmed_by) : json_null());
	json_object_set_new(j, "confirmed_at", l.confirmed_at ? json_integer(l.confirmed_at) : json_null());
	return j;
}

/* The :id visitor of a site the caller covers; 1 after a 404 reply. */
static int load_visitor(struct http_req *r, struct store_visitor *v)
{
	int64_t vid;
	if (crm_param_id(r, 0, &vid) || store_visitor_get(app_of(r)->st, vid, v) != 0 ||
	    !crm_site_allowed(r, v->site_id)) {
		http_reply_error(r, 404, "not_found", "no such visitor");
		return 1;
	}
	return 0;
}

/* How customer c matches what v left: "agent_email", "agent_phone", or NULL. */
static const char *match_source(struct store *st, const struct store_visitor *v, int64_t customer_id)
{
	json_t *arr = crm_confirm_candidates(st, v), *e;
	const char *src = NULL;
	size_t i;
	json_array_foreach(arr, i, e)
		if (json_integer_value(json_object_get(e, "id")) == customer_id)
			src = strcmp(json_get_str(e, "matched"), "email") == 0 ? "agent_email" : "agent_phone";
	json_decref(arr);
	return src;
}

static void reply_linked(struct http_req *r, int status, const struct store_customer *c, int64_t visitor_id)
{
	json_t *cj = json_pack("{s:I,s:s}", "id", (json_int_t)c->id, "name", c->name);
	json_object_set_new(cj, "external_id", c->external_id[0] ? json_string(c->external_id) : json_null());
	http_reply_json(r, status, json_pack("{s:o,s:o}", "customer", cj, "link",
					     crm_confirm_link_json(app_of(r)->st, visitor_id)));
}

/* {create:true}: a new customer from the name, e-mail and phone the visitor left. */
static int create_from(struct http_req *r, const struct store_visitor *v, struct store_customer *c)
{
	char email[256], digits[40];
	contact_of(v, email, digits);
	return crm_customer_create_min(app_of(r), v->site_id, NULL, v->name, email, digits[0] ? v->phone : NULL, c);
}

/* POST /api/v1/visitors/:id/customer {customer_id} | {create:true}: agents of the site. */
static void h_confirm(struct http_req *r)
{
	struct app *a = app_of(r);
	struct store_visitor v;
	const json_t *cid = json_object_get(r->json, "customer_id"), *create = json_object_get(r->json, "create");
	if (load_visitor(r, &v))
		return;
	if (json_object_size(r->json) != 1 || (cid ? !json_is_integer(cid) || json_integer_value(cid) < 1
					       : !json_is_true(create))) {
		http_reply_error(r, 422, "invalid_field", "send {\"customer_id\": ID} or {\"create\": true}");
		return;
	}
	int64_t uid = crm_caller_user_id(r);
	struct store_customer *c = xmalloc(sizeof(*c));
	const char *src = "agent_create";
	int rc, status = 201;
	if (cid) {
		int64_t into = 0;
		rc = store_customer_get(a->st, json_integer_value(cid), c);
		if (rc != 0 || c->site_id != v.site_id || store_merge_into_of(a->st, c->id, &into) != 0 || into) {
			http_reply_error(r, 404, "not_found", "no such customer on the visitor's site");
			goto out;
		}
		if (!(src = match_source(a->st, &v, c->id))) {
			http_reply_error(r, 422, "no_match", "the visitor left no e-mail or phone of this customer");
			goto out;
		}
		status = 200;
	} else if ((rc = create_from(r, &v, c)) != 0) {
		http_reply_error(r, 500, "internal", "could not create the customer");
		goto out;
	}
	if (store_link_confirm(a->st, c->id, v.id, src, uid, time_now_s()) != 0)
		http_reply_error(r, 500, "internal", "could not link the visitor");
	else
		reply_linked(r, status, c, v.id);
out:
	free(c);
}

/* DELETE /api/v1/visitors/:id/customer: the visitor is unknown again (any link). */
static void h_unlink(struct http_req *r)
{
	struct store_visitor v;
	if (load_visitor(r, &v))
		return;
	int rc = store_link_delete(app_of(r)->st, v.id);
	if (rc == KF_ENOTFOUND)
		http_reply_error(r, 404, "not_linked", "the visitor is not linked to a customer");
	else if (rc != 0)
		http_reply_error(r, 500, "internal", "could not unlink the visitor");
	else
		http_reply_json(r, 200, json_pack("{s:b}", "unlinked", 1));
}

static const struct route routes[] = {
	{ M_POST, "/api/v1/visitors/:id/customer", h_confirm, ROUTE_JSON, ACCESS_AGENT, "customers:write", "api", NULL },
	{ M_DELETE, "/api/v1/visitors/:id/customer", h_unlink, 0, ACCESS_AGENT, "customers:write", "api", NULL },
};

void crm_confirm_register(struct http_server *s)
{
	http_routes_add(s, routes, KF_ARRAY_LEN(routes));
}
