/* ticket/followup.c - follow-up visits (回访): when a complaint or a repair is closed, a visit
 * falls due the site's follow-up days later (default 3), for the ticket's assignee. Agents list
 * theirs ("我的回访": due and overdue first) and record how it went:
 *   GET   /api/v1/followups?view=mine|all&state=open|all
 *   PATCH /api/v1/followups/:id  {"outcome": reached|not_reached|satisfied|unsatisfied, "note"}
 * A ticket gets one visit, however often it is closed again. */
#include "ticket/sla.h"
#include "ticket/ticket.h"
#include "app/app.h"
#include "auth/auth.h"
#include "core/alloc.h"
#include "core/kf.h"
#include "crm/crm_int.h"   /* crm_site_allowed: who may act on a site, as everywhere */
#include "core/util.h"
#include "store/store.h"
#include "store/store_sla.h"
#include <stdio.h>
#include <string.h>

#define LIST_MAX 500
#define NOTE_MAX 1000

static const char *const outcomes[] = { "reached", "not_reached", "satisfied", "unsatisfied", NULL };

void followup_on_closed(struct app *a, const struct ticket *t)
{
	int64_t now = time_now_s(), at = t->closed_at ? t->closed_at : now;
	int64_t due = at + (int64_t)sla_followup_days(a, t->site_id) * 86400;
	store_followup_add(a->st, t->id, t->assignee_id, due, now);   /* KF_EEXIST: it has one */
}

static json_t *followup_json(const struct store_followup *f, int64_t now)
{
	json_t *j = json_pack("{s:I,s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:I,s:I,s:I}", "id", (json_int_t)f->id, "ticket_id",
			      (json_int_t)f->ticket_id, "site_id", (json_int_t)f->site_id, "subject", f->subject, "type",
			      f->type, "requester_name", f->requester_name, "requester_phone", f->requester_phone,
			      "requester_email", f->requester_email, "assignee_id", (json_int_t)f->assignee_id, "due_at",
			      (json_int_t)f->due_at, "done_at", (json_int_t)f->done_at);
	json_object_set_new(j, "outcome", f->outcome[0] ? json_string(f->outcome) : json_null());
	json_object_set_new(j, "note", json_string(f->note));
	json_object_set_new(j, "overdue", json_boolean(!f->done_at && f->due_at < now));
	return j;
}

struct list_acc {
	struct http_req *r;
	json_t *arr;
	int64_t now;
};

static int list_cb(void *ud, const struct store_followup *f)
{
	struct list_acc *acc = ud;
	if (crm_site_allowed(acc->r, f->site_id))   /* the SQL filtered already; kept as a second lock */
		json_array_append_new(acc->arr, followup_json(f, acc->now));
	return 0;
}

static void h_list(struct http_req *r)
{
	const char *view = http_query(r, "view"), *state = http_query(r, "state");
	const struct auth_ctx *ctx = auth_of(r);
	int mine = !view || strcmp(view, "mine") == 0;
	if ((view && !mine && strcmp(view, "all") != 0) || (state && strcmp(state, "open") && strcmp(state, "all"))) {
		http_reply_error(r, 400, "bad_request", "view: mine or all; state: open or all");
		return;
	}
	if (mine && ctx->kind != AUTH_SESSION) {
		http_reply_error(r, 400, "bad_request", "view=mine needs a signed-in agent; use view=all");
		return;
	}
	if (!mine && ctx->kind == AUTH_SESSION && auth_role_level(ctx->user.role) < ACCESS_SUPERVISOR) {
		http_reply_error(r, 403, "forbidden", "view=all is for supervisors; use view=mine");
		return;
	}
	/* the sites are filtered in SQL, before the LIMIT: other sites' rows never crowd out the caller's */
	int64_t member_of = ctx->kind == AUTH_SESSION && auth_role_level(ctx->user.role) < ACCESS_ADMIN ? ctx->user.id : 0;
	struct list_acc acc = { r, json_array(), time_now_s() };
	int rc = store_followup_each(app_of(r)->st, mine ? ctx->user.id : 0, member_of, !state || !strcmp(state, "open"),
				     LIST_MAX, list_cb, &acc);
	if (rc < 0) {
		json_decref(acc.arr);
		http_reply_error(r, 500, "internal", "could not list follow-ups");
		return;
	}
	http_reply_json(r, 200, json_pack("{s:o}", "followups", acc.arr));
}

/* The assignee, a supervisor of the site (or above), or an API key may record the visit. */
static int may_record(struct http_req *r, const struct store_followup *f)
{
	const struct auth_ctx *ctx = auth_of(r);
	if (!crm_site_allowed(r, f->site_id))
		return 0;
	return ctx->kind == AUTH_APIKEY || ctx->user.id == f->assignee_id ||
	       auth_role_level(ctx->user.role) >= ACCESS_SUPERVISOR;
}

static const char *check_body(json_t *j, const char **outcome, const char **note)
{
	const char *k;
	json_t *v;
	json_object_foreach(j, k, v)
		if (strcmp(k, "outcome") && strcmp(k, "note"))
			return "unknown field (outcome, note)";
	*outcome = json_string_value(json_object_get(j, "outcome"));
	v = json_object_get(j, "note");
	*note = v ? json_string_value(v) : "";
	if (!*outcome || !ticket_enum_ok(outcomes, *outcome))
		return "outcome: reached, not_reached, satisfied or unsatisfied";
	if (!*note || strlen(*note) > NOTE_MAX)
		return "note: a string of at most 1000 bytes";
	return NULL;
}

static void h_patch(struct http_req *r)
{
	const char *p = http_param(r, 0), *outcome, *note;
	int64_t id;
	struct store_followup *f = xmalloc(sizeof(*f));
	if (!p || parse_i64(p, strlen(p), &id) || store_followup_get(app_of(r)->st, id, f) || !may_record(r, f)) {
		http_reply_error(r, 404, "not_found", "no such follow-up");
		free(f);
		return;
	}
	const char *why = check_body(r->json, &outcome, &note);
	if (why) {
		http_reply_error(r, 400, "bad_request", why);
		free(f);
		return;
	}
	int64_t now = time_now_s(), uid = auth_of(r)->kind == AUTH_SESSION ? auth_of(r)->user.id : 0;
	if (store_followup_done(app_of(r)->st, id, outcome, note, now) != 0 ||
	    store_followup_get(app_of(r)->st, id, f) != 0) {
		http_reply_error(r, 500, "internal", "could not save the follow-up");
		free(f);
		return;
	}
	ticket_event(app_of(r), f->ticket_id, "followup", "", outcome, uid ? "agent" : "api", uid);
	http_reply_json(r, 200, followup_json(f, now));
	free(f);
}

static const struct route routes[] = {
	{ M_GET, "/api/v1/followups", h_list, 0, ACCESS_AGENT, "tickets:read", "api", NULL },
	{ M_PATCH, "/api/v1/followups/:id", h_patch, ROUTE_JSON, ACCESS_AGENT, "tickets:write", "api", NULL },
};

void followup_routes(struct http_server *s)
{
	http_routes_add(s, routes, KF_ARRAY_LEN(routes));
}
