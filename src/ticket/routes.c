/* ticket/routes.c - the ticket core's REST API (docs/tickets.md, docs/api.md): the inbox list
 * with its views, one ticket with its thread and history, field changes (one history row
 * each, via ticket_set), replies and notes, attachments, linked orders, bulk changes, a chat
 * turned into a ticket, and the widget's "my tickets". Agents see the tickets of their sites
 * (admins and API keys with tickets:read / tickets:write all of them); a ticket of another
 * site answers 404, as one that does not exist, so ids of other shops are not disclosed. */
#include "ticket/ticket_int.h"
#include "app/app.h"
#include "auth/auth.h"
#include "chat/chat_int.h"   /* chat_transcript_text: a chat's transcript becomes the first message */
#include "core/buf.h"
#include "core/json.h"
#include "core/kf.h"
#include "core/util.h"
#include "crm/crm_int.h"     /* crm_widget_site/customer: the shop-signed customer of the widget */
#include "search/search.h"
#include "store/store.h"
#include "store/store_crm.h"
#include "store/store_route.h"
#include "store/store_ticket.h"
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIST_MAX 200
#define BULK_MAX 100
#define MINE_MAX 20
#define RISK_S 3600   /* "SLA at risk": due to resolve within the hour, or breached */

/* ---- who may do what ---- */

static int is_supervisor(struct http_req *r)
{
	const struct auth_ctx *ctx = auth_of(r);
	return ctx->kind == AUTH_APIKEY || auth_role_level(ctx->user.role) >= ACCESS_SUPERVISOR;
}

static const char *actor_of(struct http_req *r)
{
	return auth_of(r)->kind == AUTH_APIKEY ? "api" : "agent";
}

/* The :id ticket (param 0) when the caller may see its site: 0 with *t, else 1 after a 404. */
static int load(struct http_req *r, struct store_ticket_row *t)
{
	int64_t id;
	if (crm_param_id(r, 0, &id) || store_ticket_row_get(app_of(r)->st, id, t) != 0 ||
	    !crm_site_allowed(r, t->t.site_id)) {
		http_reply_error(r, 404, "not_found", "no such ticket");
		return 1;
	}
	return 0;
}

static void reply_rc(struct http_req *r, int rc, const char *field)
{
	char msg[160];
	if (rc == KF_EINVAL) {
		snprintf(msg, sizeof(msg), "%s: not a valid value", field);
		http_reply_error(r, 422, "invalid_field", msg);
	} else if (rc == KF_ENOTFOUND)
		http_reply_error(r, 404, "not_found", "no such ticket");
	else if (rc == KF_EEXIST)
		http_reply_error(r, 409, "conflict", "already there");
	else
		http_reply_error(r, 500, "internal", "could not save the ticket");
}

/* ---- the list ---- */

struct list {
	json_t *arr;
	int64_t last;
};

static int list_row(void *ud, const struct store_ticket_row *row)
{
	struct list *l = ud;
	json_array_append_new(l->arr, ticket_summary_json(row));
	l->last = row->t.id;
	return 0;
}

/* A query parameter that must be an id (absent: 0). */
static int q_id(struct http_req *r, const char *name, int64_t *v)
{
	const char *s = http_query(r, name);
	*v = 0;
	return !s || !s[0] ? 0 : parse_i64(s, strlen(s), v) == 0 && *v >= 0 ? 0 : KF_EINVAL;
}

static const char *q_enum(struct http_req *r, const char *name, const char *const *list, int *bad)
{
	const char *s = http_query(r, name);
	if (!s || !s[0])
		return "";
	if (!ticket_enum_ok(list, s) && !(list == ticket_statuses && strcmp(s, "active") == 0))
		*bad = 1;
	return s;
}

/* view=mine|unassigned|all|department:<id>|sla_risk into f. */
static int parse_view(struct http_req *r, struct store_ticket_filter *f)
{
	const char *v = http_query(r, "view");
	const struct auth_ctx *ctx = auth_of(r);
	if (!v || !v[0] || strcmp(v, "all") == 0)
		return 0;
	if (strcmp(v, "mine") == 0) {
		f->assignee_id = ctx->kind == AUTH_SESSION ? ctx->user.id : -2;   /* a key holds no tickets */
		return 0;
	}
	if (strcmp(v, "unassigned") == 0) {
		f->assignee_id = -1;
		return 0;
	}
	if (strcmp(v, "sla_risk") == 0) {
		f->risk_until = time_now_s() + RISK_S;
		return 0;
	}
	if (strncmp(v, "department:", 11) == 0 && parse_i64(v + 11, strlen(v + 11), &f->department_id) == 0 &&
	    f->department_id > 0)
		return 0;
	return KF_EINVAL;
}

static void h_list(struct http_req *r)
{
	struct app *a = app_of(r);
	const struct auth_ctx *ctx = auth_of(r);
	struct store_ticket_filter f;
	struct buf match = BUF_INIT;
	int64_t limit = 50;
	int bad = 0;
	memset(&f, 0, sizeof(f));
	if (ctx->kind == AUTH_SESSION && auth_role_level(ctx->user.role) < ACCESS_ADMIN)
		f.member_of = ctx->user.id;
	f.status = q_enum(r, "status", ticket_statuses, &bad);
	f.type = q_enum(r, "type", ticket_types, &bad);
	f.priority = q_enum(r, "priority", ticket_priorities, &bad);
	const char *lim = http_query(r, "limit"), *q = http_query(r, "q");
	if (bad || parse_view(r, &f) || q_id(r, "site_id", &f.site_id) || q_id(r, "before", &f.before) ||
	    (lim && (parse_i64(lim, strlen(lim), &limit) || limit < 1 || limit > LIST_MAX)) || (q && strlen(q) > 200)) {
		http_reply_error(r, 422, "invalid_field",
				 "view, status, type, priority, site_id, before, limit (1..200) or q (200 bytes) is not valid");
		return;
	}
	f.limit = (int)limit;
	if (f.assignee_id == -2) {   /* "mine" for an API key: nobody's */
		http_reply_json(r, 200, json_pack("{s:[],s:n}", "tickets", "next_before"));
		return;
	}
	buf_init(&match, 4096);
	if (q && q[0] && search_query(q, 0, &match) == 0)
		f.match = match.ptr;
	struct list l = { json_array(), 0 };
	int rc = store_ticket_list(a->st, &f, list_row, &l);
	buf_release(&match);
	if (rc) {
		json_decref(l.arr);
		http_reply_error(r, 500, "internal", "could not list tickets");
		return;
	}
	json_t *next = json_array_size(l.arr) == (size_t)limit ? json_integer(l.last) : json_null();
	http_reply_json(r, 200, json_pack("{s:o,s:o}", "tickets", l.arr, "next_before", next));
}

/* ---- one ticket ---- */

static int msg_row(void *ud, const struct store_ticket_msg *m)
{
	json_array_append_new(ud, json_pack("{s:I,s:s,s:s,s:I,s:s,s:s,s:s,s:I}", "id", (json_int_t)m->id, "kind", m->kind,
					    "author_kind", m->author_kind, "user_id", (json_int_t)m->user_id,
					    "author_name", m->author_name, "author_email", m->author_email, "body",
					    m->body, "created_at", (json_int_t)m->created_at));
	return 0;
}

static int att_row(void *ud, const struct store_ticket_att *at)
{
	char url[96];
	snprintf(url, sizeof(url), "/api/v1/tickets/%lld/attachments/%lld", (long long)at->ticket_id, (long long)at->id);
	json_array_append_new(ud, json_pack("{s:I,s:I,s:s,s:s,s:I,s:s,s:I}", "id", (json_int_t)at->id, "message_id",
					    (json_int_t)at->message_id, "name", at->name, "content_type",
					    at->content_type, "size", (json_int_t)at->size, "url", url, "created_at",
					    (json_int_t)at->created_at));
	return 0;
}

struct evs {
	struct app *a;
	json_t *arr;
};

/* An id in a history row as a name people read (assignee, department); "" when none or gone. */
static json_t *label(struct app *a, const char *field, const char *v)
{
	int64_t id;
	if (!v[0] || parse_i64(v, strlen(v), &id))
		return json_string("");
	if (strcmp(field, "assignee") == 0) {
		struct store_user u;
		return json_string(store_user_get(a->st, id, &u) == 0 ? u.name : "");
	}
	if (strcmp(field, "department") == 0) {
		struct store_dept d;
		return json_string(store_dept_get(a->st, id, &d) == 0 ? d.name : "");
	}
	return json_string("");
}

static int ev_row(void *ud, const struct store_ticket_event *e)
{
	struct evs *x = ud;
	json_t *j = json_pack("{s:I,s:s,s:I,s:s,s:s,s:s,s:s,s:I}", "id", (json_int_t)e->id, "actor", e->actor, "user_id",
			      (json_int_t)e->user_id, "user_name", e->user_name, "field", e->field, "old", e->old, "new",
			      e->new_value, "at", (json_int_t)e->at);
	if (j && (strcmp(e->field, "assignee") == 0 || strcmp(e->field, "department") == 0)) {
		json_object_set_new(j, "old_label", label(x->a, e->field, e->old));
		json_object_set_new(j, "new_label", label(x->a, e->field, e->new_value));
	}
	json_array_append_new(x->arr, j);
	return 0;
}

static int order_row(void *ud, const struct store_ticket_order *o)
{
	json_array_append_new(ud, json_pack("{s:I,s:s,s:s,s:s,s:I,s:I}", "id", (json_int_t)o->order_id, "number",
					    o->number, "status", o->status, "currency", o->currency, "total_cents",
					    (json_int_t)o->total_cents, "placed_at", (json_int_t)o->placed_at));
	return 0;
}

static json_t *detail_json(struct app *a, const struct store_ticket_row *row)
{
	json_t *msgs = json_array(), *atts = json_array(), *orders = json_array();
	struct evs ev = { a, json_array() };
	int64_t id = row->t.id;
	store_ticket_msg_each(a->st, id, 1, msg_row, msgs);
	store_ticket_att_each(a->st, id, att_row, atts);
	store_ticket_event_each(a->st, id, ev_row, &ev);
	store_ticket_order_each(a->st, id, order_row, orders);
	return json_pack("{s:o,s:o,s:o,s:o,s:o}", "ticket", ticket_full_json(row), "messages", msgs, "attachments", atts,
			 "events", ev.arr, "orders", orders);
}

/* The ticket in full; token (the requester's status-page key, only at creation) when not NULL. */
static void reply_detail_token(struct http_req *r, int status, int64_t id, const char *token)
{
	struct store_ticket_row *row = malloc(sizeof(*row));
	if (!row || store_ticket_row_get(app_of(r)->st, id, row) != 0) {
		free(row);
		http_reply_error(r, 404, "not_found", "no such ticket");
		return;
	}
	json_t *j = detail_json(app_of(r), row);
	if (j && token)
		json_object_set_new(j, "status_token", json_string(token));
	http_reply_json(r, status, j);
	free(row);
}

static void reply_detail(struct http_req *r, int status, int64_t id)
{
	reply_detail_token(r, status, id, NULL);
}

static void h_get(struct http_req *r)
{
	struct store_ticket_row *row = malloc(sizeof(*row));
	if (!row) {
		http_reply_error(r, 500, "internal", "out of memory");
		return;
	}
	if (load(r, row) == 0)
		http_reply_json(r, 200, detail_json(app_of(r), row));
	free(row);
}

/* ---- creating ---- */

static const char *const create_keys[] = {"site_id", "subject", "body", "type", "priority", "requester_name",
					  "requester_email", "requester_phone", "customer_id", "department_id",
					  "assignee_id", "tags", NULL};

/* The body's keys are known and of the right JSON type: 0, else 1 after a 422. */
static int check_create_body(struct http_req *r)
{
	const char *k;
	json_t *v;
	char msg[160];
	json_object_foreach(r->json, k, v) {
		int is_id = !strcmp(k, "site_id") || !strcmp(k, "customer_id") || !strcmp(k, "department_id") ||
			    !strcmp(k, "assignee_id");
		if (!ticket_enum_ok(create_keys, k))
			snprintf(msg, sizeof(msg), "%.60s: not a field of a ticket", k);
		else if (is_id && !(json_is_integer(v) && json_integer_value(v) >= 0))
			snprintf(msg, sizeof(msg), "%s: an id", k);
		else if (!is_id && !json_is_string(v))
			snprintf(msg, sizeof(msg), "%s: a string", k);
		else
			continue;
		http_reply_error(r, 422, "invalid_field", msg);
		return 1;
	}
	return 0;
}

static int64_t j_id(const json_t *o, const char *k)
{
	return (int64_t)json_integer_value(json_object_get(o, k));
}

static void h_create(struct http_req *r)
{
	struct app *a = app_of(r);
	const struct auth_ctx *ctx = auth_of(r);
	struct ticket_new n;
	char err[160], token[TICKET_TOKEN_LEN + 1];
	int64_t id;
	if (check_create_body(r))
		return;
	memset(&n, 0, sizeof(n));
	n.site_id = j_id(r->json, "site_id");
	if (!n.site_id || !crm_site_allowed(r, n.site_id)) {
		http_reply_error(r, 422, "invalid_field", "site_id: one of your sites");
		return;
	}
	n.subject = json_get_str(r->json, "subject");
	n.body = json_get_str(r->json, "body");
	n.type = json_get_str(r->json, "type");
	n.priority = json_get_str(r->json, "priority");
	n.requester_name = json_get_str(r->json, "requester_name");
	n.requester_email = json_get_str(r->json, "requester_email");
	n.requester_phone = json_get_str(r->json, "requester_phone");
	n.tags = json_get_str(r->json, "tags");
	n.customer_id = j_id(r->json, "customer_id");
	n.department_id = j_id(r->json, "department_id");
	n.assignee_id = j_id(r->json, "assignee_id");
	n.channel = ctx->kind == AUTH_APIKEY ? "api" : "web";
	n.customer_verified = 1;   /* an agent or API key names the customer: their word is the proof */
	n.actor = actor_of(r);
	n.user_id = crm_caller_user_id(r);
	int rc = ticket_create(a, &n, &id, token, err, sizeof(err));
	if (rc == KF_EINVAL) {
		http_reply_error(r, 422, "invalid_field", err);
		return;
	}
	if (rc) {
		reply_rc(r, rc, "ticket");
		return;
	}
	reply_detail_token(r, 201, id, token);   /* the caller may hand the customer their status page */
	sodium_memzero(token, sizeof(token));
}

/* ---- changing ---- */

static const struct { const char *key, *field; int is_id; } patch_keys[] = {
	{"status", "status", 0}, {"priority", "priority", 0}, {"type", "type", 0}, {"assignee_id", "assignee", 1},
	{"department_id", "department", 1}, {"tags", "tags", 0}, {"subject", "subject", 0},
	{"customer_id", "customer", 1},
};   /* not workflow_state: only POST /tickets/:id/workflow moves it, through its state machine */

/* A PATCH/bulk value as ticket_set's text: strings as they are, ids (or null) as decimals. */
static int patch_value(const json_t *v, int is_id, char *out, size_t outsz)
{
	if (is_id && json_is_null(v))
		return snprintf(out, outsz, "%s", ""), 0;
	if (is_id && json_is_integer(v) && json_integer_value(v) >= 0)
		return snprintf(out, outsz, "%lld", (long long)json_integer_value(v)), 0;
	if (!is_id && json_is_string(v) && strlen(json_string_value(v)) < outsz)
		return snprintf(out, outsz, "%s", json_string_value(v)), 0;
	return KF_EINVAL;
}

static int patch_index(const char *key)
{
	for (size_t i = 0; i < KF_ARRAY_LEN(patch_keys); i++)
		if (strcmp(patch_keys[i].key, key) == 0)
			return (int)i;
	return -1;
}

/* Checks every key of set against t; 0, else KF_EINVAL with the key in bad_key. */
static int check_set(struct app *a, const struct ticket *t, json_t *set, const char **bad_key)
{
	const char *k;
	json_t *v;
	char val[1024];
	json_object_foreach(set, k, v) {
		int i = patch_index(k);
		*bad_key = k;
		if (i < 0 || patch_value(v, patch_keys[i].is_id, val, sizeof(val)) ||
		    ticket_field_check(a, t, patch_keys[i].field, val))
			return KF_EINVAL;
	}
	return 0;
}

/* Applies a checked set to ticket id: one ticket_set (and history row) per changed field. */
static int apply_set(struct http_req *r, int64_t id, json_t *set)
{
	const char *k;
	json_t *v;
	char val[1024];
	json_object_foreach(set, k, v) {
		int i = patch_index(k);
		if (i < 0 || patch_value(v, patch_keys[i].is_id, val, sizeof(val)))
			return KF_EINVAL;
		int rc = ticket_set(app_of(r), id, patch_keys[i].field, val, actor_of(r), crm_caller_user_id(r));
		if (rc)
			return rc;
	}
	return 0;
}

static void h_patch(struct http_req *r)
{
	struct store_ticket_row *row = malloc(sizeof(*row));
	const char *bad_key = "";
	char msg[160];
	if (!row) {
		http_reply_error(r, 500, "internal", "out of memory");
		return;
	}
	if (load(r, row)) {
		free(row);
		return;
	}
	if (check_set(app_of(r), &row->t, r->json, &bad_key)) {
		snprintf(msg, sizeof(msg), "%.60s: %s", bad_key,
			 patch_index(bad_key) < 0 ? "not a field you can change" : "not a valid value");
		http_reply_error(r, 422, "invalid_field", msg);
	} else {
		int rc = apply_set(r, row->t.id, r->json);
		if (rc)
			reply_rc(r, rc, "ticket");
		else
			reply_detail(r, 200, row->t.id);
	}
	free(row);
}

/* Bulk: a supervisor may set anything; an agent may only take tickets (assignee = self) or
 * change status and priority (docs/tickets.md): every other key is refused. */
static int bulk_allowed(struct http_req *r, json_t *set)
{
	const char *k;
	json_t *v;
	if (is_supervisor(r))
		return 1;
	json_object_foreach(set, k, v) {
		if (!strcmp(k, "status") || !strcmp(k, "priority"))
			continue;
		if (strcmp(k, "assignee_id") != 0 || !json_is_integer(v) || json_integer_value(v) != crm_caller_user_id(r) ||
		    !crm_caller_user_id(r))
			return 0;
	}
	return 1;
}

static void h_bulk(struct http_req *r)
{
	struct app *a = app_of(r);
	json_t *ids = json_object_get(r->json, "ids"), *set = json_object_get(r->json, "set"), *v;
	size_t i;
	if (!json_is_array(ids) || json_array_size(ids) < 1 || json_array_size(ids) > BULK_MAX || !json_is_object(set) ||
	    json_object_size(set) < 1) {
		http_reply_error(r, 422, "invalid_field", "ids: 1..100 ticket ids; set: an object of fields");
		return;
	}
	const char *k;
	char val[1024], msg[160];
	json_object_foreach(set, k, v) {
		int pi = patch_index(k);
		if (pi < 0 || patch_value(v, patch_keys[pi].is_id, val, sizeof(val))) {
			snprintf(msg, sizeof(msg), "set.%.60s: %s", k, pi < 0 ? "not a field you can change" : "not a valid value");
			http_reply_error(r, 422, "invalid_field", msg);
			return;
		}
	}
	if (!bulk_allowed(r, set)) {
		http_reply_error(r, 403, "forbidden", "in bulk an agent may only take tickets or change status and priority");
		return;
	}
	struct store_ticket_row *row = malloc(sizeof(*row));
	json_t *done = json_array(), *failed = json_array();
	const char *bad_key = "";
	json_array_foreach(ids, i, v) {
		int64_t id = json_is_integer(v) ? json_integer_value(v) : 0;
		int ok = row && id > 0 && store_ticket_row_get(a->st, id, row) == 0 && crm_site_allowed(r, row->t.site_id) &&
			 check_set(a, &row->t, set, &bad_key) == 0 && apply_set(r, id, set) == 0;
		json_array_append_new(ok ? done : failed, json_integer(id));
	}
	free(row);
	http_reply_json(r, 200, json_pack("{s:o,s:o}", "updated", done, "failed", failed));
}

static void h_message(struct http_req *r)
{
	struct store_ticket_row *row = malloc(sizeof(*row));
	const struct auth_ctx *ctx = auth_of(r);
	if (!row || load(r, row)) {
		if (!row)
			http_reply_error(r, 500, "internal", "out of memory");
		free(row);
		return;
	}
	const char *kind = json_get_str(r->json, "kind"), *body = json_get_str(r->json, "body");
	const char *author = json_get_str(r->json, "author");
	struct ticket_msg_new m;
	int64_t mid;
	memset(&m, 0, sizeof(m));
	m.ticket_id = row->t.id;
	m.kind = kind ? kind : "public";
	m.author_kind = "agent";
	/* an API key may file what the customer wrote elsewhere (the shop's own form, a call) */
	if (ctx->kind == AUTH_APIKEY && author && strcmp(author, "customer") == 0)
		m.author_kind = "customer";
	m.user_id = crm_caller_user_id(r);
	m.author_name = ctx->kind == AUTH_SESSION ? ctx->user.name : m.author_kind[0] == 'c' ? row->t.requester_name : "";
	m.author_email = m.author_kind[0] == 'c' ? row->t.requester_email : "";
	m.body = body;
	if ((strcmp(m.kind, "public") && strcmp(m.kind, "note")) || (author && strcmp(author, "agent") &&
									   strcmp(author, "customer"))) {
		http_reply_error(r, 422, "invalid_field", "kind: public or note; author: agent or customer");
	} else if (!body || !body[strspn(body, " \t\r\n")] || strlen(body) > TICKET_BODY_MAX) {
		http_reply_error(r, 422, "invalid_field", "body: 1 to 262144 bytes of text");
	} else {
		int rc = ticket_add_message(app_of(r), &m, &mid);
		if (rc)
			reply_rc(r, rc, "body");
		else
			reply_detail(r, 201, row->t.id);
	}
	free(row);
}

static void h_order(struct http_req *r)
{
	struct store_ticket_row *row = malloc(sizeof(*row));
	if (!row || load(r, row)) {
		if (!row)
			http_reply_error(r, 500, "internal", "out of memory");
		free(row);
		return;
	}
	const char *num = json_get_str(r->json, "number");
	struct store_order o;
	int64_t id = row->t.id;
	if (!num || !num[0] || strlen(num) > 64) {
		http_reply_error(r, 422, "invalid_field", "number: the order number");
	} else if (store_order_get(app_of(r)->st, row->t.site_id, num, &o) != 0) {
		http_reply_error(r, 404, "not_found", "no such order on this site");
	} else {
		int rc = ticket_link_order(app_of(r), id, o.id, actor_of(r), crm_caller_user_id(r));
		store_order_free(&o);
		if (rc == KF_EEXIST)
			http_reply_error(r, 409, "conflict", "the order is linked already");
		else if (rc)
			reply_rc(r, rc, "number");
		else
			reply_detail(r, 201, id);
	}
	free(row);
}

/* ---- attachments ---- */

struct att_job {
	struct store_ticket_att at;
	const char *tmp;
	int rc;
};

static void att_work(struct http_req *r)
{
	struct att_job *j = r->job;
	j->rc = chat_blob_keep(app_of(r), j->tmp, j->at.sha256);
}

static void att_done(struct http_req *r)
{
	struct att_job *j = r->job;
	struct app *a = app_of(r);
	if (j->rc || store_ticket_att_insert(a->st, &j->at) != 0) {
		http_reply_error(r, 500, "internal", "could not store the file");
		return;
	}
	ticket_event(a, j->at.ticket_id, "attachment", "", j->at.name, actor_of(r), crm_caller_user_id(r));
	ticket_live(a, j->at.ticket_id);
	json_t *arr = json_array();
	att_row(arr, &j->at);
	http_reply_json(r, 201, json_pack("{s:O}", "attachment", json_array_get(arr, 0)));
	json_decref(arr);
}

/* The name and type of an upload, cleaned as ticket_add_attachment cleans them. */
static void att_meta(const struct http_file *up, struct store_ticket_att *at)
{
	ticket_att_clean_name(up->filename, at->name, sizeof(at->name));
	ticket_att_clean_type(up->content_type, at->content_type, sizeof(at->content_type));
}

/* POST /api/v1/tickets/:id/attachments: multipart with one file (and message_id, optional). */
static void h_attach(struct http_req *r)
{
	struct store_ticket_row *row = malloc(sizeof(*row));
	struct store_site s;
	const struct http_file *up = r->files;
	if (!row || load(r, row)) {
		if (!row)
			http_reply_error(r, 500, "internal", "out of memory");
		free(row);
		return;
	}
	struct att_job *j = arena_alloc(&r->arena, sizeof(*j));
	memset(j, 0, sizeof(*j));
	j->at.ticket_id = row->t.id;
	int site_ok = store_site_get(app_of(r)->st, row->t.site_id, &s) == 0;
	free(row);
	for (const struct http_field *f = r->fields; f; f = f->next)
		if (strcmp(f->name, "message_id") == 0 && (parse_i64(f->value, strlen(f->value), &j->at.message_id) ||
							    j->at.message_id < 0)) {
			http_reply_error(r, 422, "invalid_field", "message_id: a message of the ticket");
			return;
		}
	if (!up || up->next) {
		http_reply_error(r, 422, "invalid_field", "send exactly one file");
		return;
	}
	int64_t owner;
	if (j->at.message_id && (store_ticket_msg_ticket(app_of(r)->st, j->at.message_id, &owner) != 0 ||
				 owner != j->at.ticket_id)) {
		http_reply_error(r, 422, "invalid_field", "message_id: a message of the ticket");
		return;
	}
	if (!site_ok || (int64_t)up->size > s.max_file_bytes) {
		http_reply_error(r, 413, "file_too_large", "the file is larger than this site allows");
		return;
	}
	att_meta(up, &j->at);
	j->at.size = (int64_t)up->size;
	j->at.created_at = time_now_s();
	j->tmp = up->tmp_path;
	r->job = j;
	http_defer(r, att_work, att_done);   /* hashing is disk work: off the loop */
}

static void h_att_get(struct http_req *r)
{
	struct store_ticket_row *row = malloc(sizeof(*row));
	struct store_ticket_att at;
	int64_t aid;
	if (!row || load(r, row)) {
		if (!row)
			http_reply_error(r, 500, "internal", "out of memory");
		free(row);
		return;
	}
	int64_t tid = row->t.id;
	free(row);
	if (crm_param_id(r, 1, &aid) || store_ticket_att_get(app_of(r)->st, aid, &at) != 0 || at.ticket_id != tid) {
		http_reply_error(r, 404, "not_found", "no such attachment");
		return;
	}
	chat_blob_serve(r, at.sha256, at.name, at.content_type);
}

/* ---- a chat becomes a ticket ---- */

struct first_q {
	char text[TICKET_SUBJECT_MAX + 1];
	char name[201];   /* the visitor's name, cut to fit */
};

static int first_visitor_text(void *ud, const struct store_msg *m)
{
	struct first_q *f = ud;
	if (strcmp(m->sender, "visitor") != 0 || strcmp(m->kind, "text") != 0 || !m->body || !m->body[0])
		return 0;
	utf8_copy(f->text, sizeof(f->text), m->body);
	return 1;
}

/* The ticket's fields from conversation c: subject, requester, customer, transcript (n points
 * into fq, tr and v, which the caller keeps). */
static void from_conv(struct app *a, const struct store_conv *c, struct ticket_new *n, struct first_q *fq, struct buf *tr,
		      struct store_visitor *vp)
{
	struct store_visitor *v = vp;
	int64_t cust = 0;
	memset(fq, 0, sizeof(*fq));
	store_msg_each(a->st, c->id, 0, 0, first_visitor_text, fq);
	if (!fq->text[0])
		snprintf(fq->text, sizeof(fq->text), "%s #%lld", c->site_name, (long long)c->id);
	chat_transcript_text(a, c, 0, tr);
	n->site_id = c->site_id;
	n->subject = fq->text;
	n->channel = "chat";
	n->conversation_id = c->id;
	n->department_id = c->department_id;
	n->body = tr->err ? "" : tr->ptr;
	if (store_visitor_get(a->st, c->visitor_id, v) == 0) {
		/* a name a visitor typed may be longer than a ticket keeps: cut on a character */
		utf8_copy(fq->name, sizeof(fq->name), v->name);
		n->requester_name = fq->name;
		n->requester_email = crm_email_ok(v->email) && strlen(v->email) < 256 ? v->email : NULL;
		n->requester_phone = crm_phone_ok(v->phone) && strlen(v->phone) < 40 ? v->phone : NULL;
		/* the shop signed (or an agent confirmed) this visitor's account: a proven customer */
		if (store_customer_of_visitor(a->st, v->id, &cust) == 0) {
			n->customer_id = cust;
			n->customer_verified = 1;
		}
	}
}

int ticket_from_conversation(struct app *a, int64_t conv_id, const char *actor, int64_t user_id, int64_t *id,
			     char *err, size_t errsz)
{
	struct store_conv c;
	struct ticket_new n;
	struct first_q fq;
	struct store_visitor v;
	struct buf tr;
	if (store_conv_summary(a->st, conv_id, &c) != 0)
		return KF_ENOTFOUND;
	if (store_ticket_by_conversation(a->st, conv_id, id) == 0)
		return KF_EEXIST;   /* one ticket per conversation, however often it is handed over */
	memset(&n, 0, sizeof(n));
	buf_init(&tr, TICKET_BODY_MAX);
	from_conv(a, &c, &n, &fq, &tr, &v);
	n.actor = actor;
	n.user_id = user_id;
	int rc = ticket_create(a, &n, id, NULL, err, errsz);
	buf_release(&tr);
	return rc;
}

/* POST /api/v1/conversations/:id/ticket: 201 with the new ticket, or 409 with the one made before. */
static void h_from_conv(struct http_req *r)
{
	struct app *a = app_of(r);
	struct store_conv c;
	int64_t conv_id, id;
	char err[160], msg[96];
	if (crm_param_id(r, 0, &conv_id) || store_conv_get(a->st, conv_id, &c) != 0 || !crm_site_allowed(r, c.site_id)) {
		http_reply_error(r, 404, "not_found", "no such conversation");
		return;
	}
	int rc = ticket_from_conversation(a, conv_id, actor_of(r), crm_caller_user_id(r), &id, err, sizeof(err));
	if (rc == KF_EEXIST) {
		snprintf(msg, sizeof(msg), "the conversation is ticket #%lld already", (long long)id);
		http_reply_json(r, 409, json_pack("{s:{s:s,s:s},s:I}", "error", "code", "conflict", "message", msg,
						  "ticket_id", (json_int_t)id));
	} else if (rc == KF_EINVAL)
		http_reply_error(r, 422, "invalid_field", err);
	else if (rc)
		reply_rc(r, rc, "conversation");
	else
		reply_detail(r, 201, id);
}

/* ---- the widget: the signed-in customer's own tickets ---- */

static int mine_row(void *ud, const struct store_ticket_row *row)
{
	char url[48];
	snprintf(url, sizeof(url), "/t/%lld", (long long)row->t.id);
	json_array_append_new(ud, json_pack("{s:I,s:s,s:s,s:I,s:I,s:s}", "number", (json_int_t)row->t.id, "subject",
					    row->t.subject, "status", row->t.status, "created_at",
					    (json_int_t)row->t.created_at, "updated_at", (json_int_t)row->t.updated_at,
					    "url", url));
	return 0;
}

static void h_mine(struct http_req *r)
{
	struct store_site s;
	struct store_ticket_filter f;
	int64_t customer;
	if (crm_widget_customer(r, &s, &customer))
		return;
	if (!customer) {
		http_reply_error(r, 404, "not_identified", "the shop has not identified this visitor");
		return;
	}
	memset(&f, 0, sizeof(f));
	f.site_id = s.id;
	f.customer_id = customer;
	f.verified_only = 1;   /* a ticket linked by a typed e-mail alone is not shown as theirs */
	f.status = f.type = f.priority = f.match = "";
	f.limit = MINE_MAX;
	json_t *arr = json_array();
	if (store_ticket_list(app_of(r)->st, &f, mine_row, arr) != 0) {
		json_decref(arr);
		http_reply_error(r, 500, "internal", "could not list tickets");
		return;
	}
	http_reply_json(r, 200, json_pack("{s:o}", "tickets", arr));
}

/* ---- who tickets can go to ---- */

/* GET /api/v1/tickets/agents?site_id=N: the site's enabled members, for the assignee menu
 * (agents cannot list users; /routing/agents shows only those connected). */
static void h_agents(struct http_req *r)
{
	struct app *a = app_of(r);
	int64_t site_id, ids[512];
	size_t n = 0;
	if (q_id(r, "site_id", &site_id) || !site_id || !crm_site_allowed(r, site_id) ||
	    store_site_members(a->st, site_id, ids, KF_ARRAY_LEN(ids), &n) != 0) {
		http_reply_error(r, 404, "not_found", "no such site");
		return;
	}
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		struct store_user u;
		if (store_user_get(a->st, ids[i], &u) == 0 && !u.disabled)
			json_array_append_new(arr, json_pack("{s:I,s:s}", "id", (json_int_t)u.id, "name", u.name[0] ? u.name : u.email));
	}
	http_reply_json(r, 200, json_pack("{s:o}", "agents", arr));
}

/* ---- registration ---- */

static const struct route routes[] = {
	{ M_GET, "/api/v1/tickets/mine", h_mine, 0, ACCESS_PUBLIC, NULL, "api", NULL },
	{ M_OPTIONS, "/api/v1/tickets/mine", crm_widget_preflight, 0, ACCESS_PUBLIC, NULL, "api", NULL },
	{ M_GET, "/api/v1/tickets/agents", h_agents, 0, ACCESS_AGENT, "tickets:read", "api", NULL },
	{ M_POST, "/api/v1/tickets/bulk", h_bulk, ROUTE_JSON, ACCESS_AGENT, "tickets:write", "api", NULL },
	{ M_GET, "/api/v1/tickets", h_list, 0, ACCESS_AGENT, "tickets:read", "api", NULL },
	{ M_POST, "/api/v1/tickets", h_create, ROUTE_JSON, ACCESS_AGENT, "tickets:write", "api", NULL },
	{ M_GET, "/api/v1/tickets/:id", h_get, 0, ACCESS_AGENT, "tickets:read", "api", NULL },
	{ M_PATCH, "/api/v1/tickets/:id", h_patch, ROUTE_JSON, ACCESS_AGENT, "tickets:write", "api", NULL },
	{ M_POST, "/api/v1/tickets/:id/messages", h_message, ROUTE_JSON, ACCESS_AGENT, "tickets:write", "api", NULL },
	{ M_POST, "/api/v1/tickets/:id/attachments", h_attach, ROUTE_UPLOAD, ACCESS_AGENT, "tickets:write", "api", NULL },
	{ M_GET, "/api/v1/tickets/:id/attachments/:att", h_att_get, 0, ACCESS_AGENT, "tickets:read", "api", NULL },
	{ M_POST, "/api/v1/tickets/:id/orders", h_order, ROUTE_JSON, ACCESS_AGENT, "tickets:write", "api", NULL },
	{ M_POST, "/api/v1/conversations/:id/ticket", h_from_conv, 0, ACCESS_AGENT, "tickets:write", "api", NULL },
};

void ticket_register(struct http_server *s)
{
	http_routes_add(s, routes, KF_ARRAY_LEN(routes));
}

void ticket_init(struct app *a)
{
	KF_UNUSED(a);   /* the core keeps no timers: SLA clocks and mail polling are the parts' own */
}

void ticket_shutdown(void)
{
}
