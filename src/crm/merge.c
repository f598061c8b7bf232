/* crm/merge.c - merging two customers of a site into one, with undo (issue 6). The same person
 * often exists twice (a guest checkout and an account, two e-mails), and a wrong merge must be
 * reversible, so a merge never deletes: the source is kept with merged_into set (lists and
 * look-ups skip it; its external id finds the survivor), and the merge's row keeps the ids of
 * every row it moved and the survivor's profile before the merge.
 *
 * Points: the ledger is append-only (docs/crm.md "The ledger"), so its rows are never moved.
 * The source's balance goes over as a pair of 'adjust' entries (-b on the source, +b on the
 * target) and an undo appends the opposite pair. Orders move, so a later return of a moved order
 * is reversed on the target, which now holds those points.
 *
 * Everything of a merge or an undo is one transaction. Levels and RFM are derived: they are
 * recomputed after the commit (the site's RFM in one aggregate query). */
#include "crm/merge.h"
#include "crm/crm.h"
#include "crm/crm_int.h"
#include "app/app.h"
#include "auth/auth.h"
#include "core/alloc.h"
#include "core/json.h"
#include "core/kf.h"
#include "core/log.h"
#include "core/util.h"
#include "store/store.h"
#include "store/store_crm.h"
#include "store/store_loyalty.h"
#include "store/store_merge.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MERGE_LIST_MAX 50
#define MERGE_CONTACTS_MAX 10    /* e-mails, phones, addresses: the profile's own limits */
#define MERGE_TAGS_MAX 20
#define MERGE_NOTES_MAX 4000
#define MERGE_RFM_NOW_MAX 20000  /* customers: a recompute this size takes ~0.25 s (see refresh) */

struct merge_ctx {
	struct app *a;
	struct store_customer *into, *from;
	int64_t user_id, now;
	json_t *undo;
};

/* ---- the profile kept for an undo ---- */

static json_t *profile_json(const struct store_customer *c)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:I,s:s,s:s,s:I}", "external_id", c->external_id,
			 "name", c->name, "emails", c->emails, "phones", c->phones, "addresses", c->addresses, "birthday",
			 c->birthday, "lang", c->lang, "tags", c->tags, "notes", c->notes, "consent", c->consent,
			 "consent_at", (json_int_t)c->consent_at, "consent_source", c->consent_source, "custom",
			 c->custom, "updated_at", (json_int_t)c->updated_at);
}

static void str_back(const json_t *p, const char *key, char *out, size_t outsz)
{
	const char *v = json_get_str(p, key);
	if (v)
		utf8_copy(out, outsz, v);
}

static void profile_restore(const json_t *p, struct store_customer *c)
{
	str_back(p, "external_id", c->external_id, sizeof(c->external_id));
	str_back(p, "name", c->name, sizeof(c->name));
	str_back(p, "emails", c->emails, sizeof(c->emails));
	str_back(p, "phones", c->phones, sizeof(c->phones));
	str_back(p, "addresses", c->addresses, sizeof(c->addresses));
	str_back(p, "birthday", c->birthday, sizeof(c->birthday));
	str_back(p, "lang", c->lang, sizeof(c->lang));
	str_back(p, "tags", c->tags, sizeof(c->tags));
	str_back(p, "notes", c->notes, sizeof(c->notes));
	str_back(p, "consent_source", c->consent_source, sizeof(c->consent_source));
	str_back(p, "custom", c->custom, sizeof(c->custom));
	c->consent = json_is_true(json_object_get(p, "consent"));
	c->consent_at = json_integer_value(json_object_get(p, "consent_at"));
	c->updated_at = json_integer_value(json_object_get(p, "updated_at"));
}

/* ---- the merged profile ---- */

/* into's JSON array text plus from's elements it lacks, while the count and the text fit. */
static void union_array(char *into, size_t intosz, const char *from)
{
	json_t *a = json_loads(into, 0, NULL), *b = json_loads(from, 0, NULL), *e;
	size_t i;
	if (json_is_array(a) && json_is_array(b)) {
		json_array_foreach(b, i, e) {
			size_t k, dup = 0;
			json_t *x;
			json_array_foreach(a, k, x) dup |= json_equal(x, e);
			if (dup || json_array_size(a) >= MERGE_CONTACTS_MAX)
				continue;
			json_array_append(a, e);
			char *t = json_dumps(a, JSON_COMPACT);
			if (t && strlen(t) < intosz)
				snprintf(into, intosz, "%s", t);
			else
				json_array_remove(a, json_array_size(a) - 1);
			free(t);
		}
	}
	json_decref(a);
	json_decref(b);
}

/* Space-separated words of from that into lacks, appended while they fit. */
static void union_words(char *into, size_t intosz, const char *from)
{
	json_t *have = json_words(into), *add = json_words(from), *w, *x;
	size_t i, k;
	json_array_foreach(add, i, w) {
		int dup = 0;
		json_array_foreach(have, k, x) dup |= json_equal(x, w);
		size_t len = strlen(into), wl = strlen(json_string_value(w));
		if (dup || json_array_size(have) >= MERGE_TAGS_MAX || len + wl + 2 > intosz)
			continue;
		snprintf(into + len, intosz - len, "%s%s", len ? " " : "", json_string_value(w));
		json_array_append(have, w);
	}
	json_decref(have);
	json_decref(add);
}

static void merge_profile(struct store_customer *t, const struct store_customer *s, int64_t now)
{
	if (!t->name[0])
		snprintf(t->name, sizeof(t->name), "%s", s->name);
	if (!t->birthday[0])
		snprintf(t->birthday, sizeof(t->birthday), "%s", s->birthday);
	if (!t->lang[0])
		snprintf(t->lang, sizeof(t->lang), "%s", s->lang);
	union_array(t->emails, sizeof(t->emails), s->emails);
	union_array(t->phones, sizeof(t->phones), s->phones);
	union_array(t->addresses, sizeof(t->addresses), s->addresses);
	union_words(t->tags, sizeof(t->tags), s->tags);
	if (s->notes[0]) {
		char *n = xmalloc(2 * sizeof(t->notes) + 8);
		snprintf(n, 2 * sizeof(t->notes) + 8, "%s%s%s", t->notes, t->notes[0] ? "\n\n" : "", s->notes);
		utf8_copy(t->notes, MERGE_NOTES_MAX + 1, n);   /* the PATCH's limit; the rest is cut */
		free(n);
	}
	t->updated_at = now;
}

/* ---- merge and undo, inside one transaction ---- */

static void push_id(void *ud, int64_t id)
{
	json_array_append_new(ud, json_integer(id));
}

static int transfer(struct app *a, int64_t site_id, int64_t from, int64_t to, int64_t points, int64_t uid,
		    const char *note, json_t *ids)
{
	struct store_points_entry e[2];
	for (int i = 0; i < 2; i++) {
		memset(&e[i], 0, sizeof(e[i]));
		e[i].site_id = site_id;
		e[i].customer_id = i ? to : from;
		e[i].delta = i ? points : -points;
		e[i].user_id = uid;
		e[i].created_at = time_now_s();
		snprintf(e[i].reason, sizeof(e[i].reason), "adjust");
		snprintf(e[i].note, sizeof(e[i].note), "%s", note);
		int rc = store_points_add(a->st, &e[i]);
		if (rc != 0)
			return rc;
		json_array_append_new(ids, json_integer(e[i].id));
	}
	return 0;
}

static int merge_rows(struct merge_ctx *m)
{
	struct store *st = m->a->st;
	int64_t points = 0;
	char note[160];
	int rc = 0;
	for (int t = 0; t < SM_TABLES && rc == 0; t++) {
		if (t == SM_REDEMPTIONS && !store_merge_table_exists(st, SM_REDEMPTIONS))
			continue;
		json_t *ids = json_array();
		json_object_set_new(m->undo, store_merge_table_names[t], ids);
		rc = store_merge_move(st, (enum store_merge_table)t, m->from->id, m->into->id, push_id, ids);
	}
	if (rc == 0)
		rc = store_points_balance(st, m->from->id, &points);
	json_t *ledger = json_array();
	json_object_set_new(m->undo, "ledger", ledger);
	json_object_set_new(m->undo, "points", json_integer(points));
	snprintf(note, sizeof(note), "merge: customer %lld into %lld", (long long)m->from->id, (long long)m->into->id);
	if (rc == 0 && points)
		rc = transfer(m->a, m->into->site_id, m->from->id, m->into->id, points, m->user_id, note, ledger);
	json_object_set_new(m->undo, "profile", profile_json(m->into));
	merge_profile(m->into, m->from, m->now);
	if (rc == 0)
		rc = store_customer_update(st, m->into);
	if (rc == 0)
		rc = store_merge_mark(st, m->from->id, m->into->id);
	if (rc == 0)
		rc = store_merge_rfm_drop(st, m->from->id);
	return rc;
}

static int do_merge(struct merge_ctx *m, struct store_merge *row)
{
	struct store *st = m->a->st;
	int rc = store_merge_begin(st);
	if (rc != 0)
		return rc;
	m->undo = json_object();
	rc = merge_rows(m);
	memset(row, 0, sizeof(*row));
	row->site_id = m->into->site_id;
	row->into_id = m->into->id;
	row->from_id = m->from->id;
	row->user_id = m->user_id;
	row->created_at = m->now;
	row->undo = json_dumps(m->undo, JSON_COMPACT);
	if (rc == 0)
		rc = row->undo ? store_merge_add(st, row) : KF_ENOMEM;
	if (rc == 0)
		rc = store_merge_commit(st);
	if (rc != 0)
		store_merge_rollback(st);
	return rc;
}

static int undo_rows(struct app *a, const struct store_merge *mg, const json_t *undo, struct store_customer *into,
		     int64_t uid)
{
	char note[160];
	int rc = 0;
	for (int t = 0; t < SM_TABLES && rc == 0; t++) {
		const json_t *ids = json_object_get(undo, store_merge_table_names[t]);
		if (!json_array_size(ids))
			continue;
		char *text = json_dumps(ids, JSON_COMPACT);
		rc = text ? store_merge_move_back(a->st, (enum store_merge_table)t, text, mg->from_id) : KF_ENOMEM;
		free(text);
	}
	int64_t points = json_integer_value(json_object_get(undo, "points"));
	snprintf(note, sizeof(note), "merge %lld undone", (long long)mg->id);
	json_t *ids = json_array();
	if (rc == 0 && points)
		rc = transfer(a, mg->site_id, mg->into_id, mg->from_id, points, uid, note, ids);
	json_decref(ids);
	profile_restore(json_object_get(undo, "profile"), into);
	if (rc == 0)
		rc = store_customer_update(a->st, into);
	if (rc == 0)
		rc = store_merge_mark(a->st, mg->from_id, 0);
	if (rc == 0)
		rc = store_merge_set_undone(a->st, mg->id, uid, time_now_s());
	return rc;
}

static int do_undo(struct app *a, const struct store_merge *mg, struct store_customer *into, int64_t uid)
{
	json_t *undo = json_loads(mg->undo, 0, NULL);
	if (!json_is_object(undo)) {
		json_decref(undo);
		return KF_EINVAL;
	}
	int rc = store_merge_begin(a->st);
	if (rc == 0) {
		rc = undo_rows(a, mg, undo, into, uid);
		if (rc == 0)
			rc = store_merge_commit(a->st);
		if (rc != 0)
			store_merge_rollback(a->st);
	}
	json_decref(undo);
	return rc;
}

/* Levels and RFM follow the rows: recomputed after the commit, outside the transaction. The
 * site's RFM is one aggregate query, run at once on sites of up to MERGE_RFM_NOW_MAX customers
 * (it blocks the loop meanwhile); bigger sites get theirs at the nightly run. Answers what was
 * done: "recomputed" or "nightly". */
static const char *refresh(struct app *a, int64_t site_id, int64_t c1, int64_t c2)
{
	struct crm_rfm_report rep;
	int64_t n = 0;
	crm_loyalty_refresh_level(a, site_id, c1);
	crm_loyalty_refresh_level(a, site_id, c2);
	if (store_merge_site_customers(a->st, site_id, &n) != 0 || n > MERGE_RFM_NOW_MAX)
		return "nightly";
	if (crm_rfm_recompute(a, site_id, &rep) != 0) {
		log_warn("merge: site %lld: RFM not recomputed (the nightly run will)", (long long)site_id);
		return "nightly";
	}
	return "recomputed";
}

/* ---- HTTP ---- */

static int64_t caller_id(struct http_req *r)
{
	const struct auth_ctx *ctx = auth_of(r);
	return ctx->kind == AUTH_SESSION ? ctx->user.id : 0;
}

static json_t *merge_json(const struct store_merge *m)
{
	json_t *j = json_pack("{s:I,s:I,s:{s:I,s:s},s:{s:I,s:s},s:I}", "id", (json_int_t)m->id, "site_id",
			      (json_int_t)m->site_id, "into", "id", (json_int_t)m->into_id, "name", m->into_name, "from",
			      "id", (json_int_t)m->from_id, "name", m->from_name, "created_at", (json_int_t)m->created_at);
	json_object_set_new(j, "user_id", m->user_id ? json_integer(m->user_id) : json_null());
	json_object_set_new(j, "undone_at", m->undone_at ? json_integer(m->undone_at) : json_null());
	json_object_set_new(j, "undone_by", m->undone_by ? json_integer(m->undone_by) : json_null());
	return j;
}

/* The :id customer (param 0) of the caller's sites, and not merged away; 1 after the reply. */
static int load_live(struct http_req *r, int64_t id, struct store_customer *c, const char *what)
{
	int64_t into = 0;
	struct store *st = app_of(r)->st;
	char msg[120];
	if (store_customer_get(st, id, c) != 0 || !crm_site_allowed(r, c->site_id)) {
		snprintf(msg, sizeof(msg), "no such customer (%s)", what);
		http_reply_error(r, 404, "not_found", msg);
		return 1;
	}
	if (store_merge_into_of(st, id, &into) != 0 || into) {
		snprintf(msg, sizeof(msg), "%s: customer %lld was merged into customer %lld", what, (long long)id,
			 (long long)into);
		http_reply_error(r, 409, "merged", msg);
		return 1;
	}
	return 0;
}

static int from_field(struct http_req *r, int64_t into_id, int64_t *from)
{
	const json_t *f = json_object_get(r->json, "from");
	if (json_object_size(r->json) != 1 || !json_is_integer(f) || json_integer_value(f) < 1) {
		http_reply_error(r, 422, "invalid_field", "from: the id of the customer to merge in");
		return 1;
	}
	*from = json_integer_value(f);
	if (*from == into_id) {
		http_reply_error(r, 422, "invalid_field", "from: a customer cannot be merged into itself");
		return 1;
	}
	return 0;
}

static json_t *moved_json(const struct merge_ctx *m)
{
	json_t *j = json_object();
	for (int t = 0; t < SM_TABLES; t++)
		json_object_set_new(j, store_merge_table_names[t],
				    json_integer((json_int_t)json_array_size(json_object_get(m->undo, store_merge_table_names[t]))));
	json_object_set(j, "points", json_object_get(m->undo, "points"));
	return j;
}

/* POST /api/v1/customers/:id/merge {from}: supervisors; from's rows move into :id. */
static void h_merge(struct http_req *r)
{
	struct app *a = app_of(r);
	struct merge_ctx m = { a, xmalloc(sizeof(struct store_customer)), xmalloc(sizeof(struct store_customer)),
			       caller_id(r), time_now_s(), NULL };
	struct store_merge row = { .undo = NULL };
	int64_t id, from;
	if (crm_param_id(r, 0, &id)) {
		http_reply_error(r, 404, "not_found", "no such customer");
		goto out;
	}
	if (load_live(r, id, m.into, "target") || from_field(r, id, &from) || load_live(r, from, m.from, "from"))
		goto out;
	if (m.from->site_id != m.into->site_id) {
		http_reply_error(r, 422, "invalid_field", "from: a customer of another site cannot be merged");
		goto out;
	}
	if (do_merge(&m, &row) != 0) {
		http_reply_error(r, 500, "internal", "could not merge the customers");
		goto out;
	}
	const char *rfm = refresh(a, m.into->site_id, m.into->id, m.from->id);
	snprintf(row.into_name, sizeof(row.into_name), "%s", m.into->name);
	snprintf(row.from_name, sizeof(row.from_name), "%s", m.from->name);
	log_info("merge %lld: customer %lld into %lld by user %lld", (long long)row.id, (long long)from, (long long)id,
		 (long long)m.user_id);
	http_reply_json(r, 200, json_pack("{s:o,s:o,s:s}", "merge", merge_json(&row), "moved", moved_json(&m), "rfm", rfm));
out:
	json_decref(m.undo);
	store_merge_free(&row);
	free(m.into);
	free(m.from);
}

/* 0 when merge mg may be undone now; else 1 after a 409 saying why. */
static int undo_allowed(struct http_req *r, const struct store_merge *mg)
{
	int64_t later = 0, into = 0;
	char msg[160];
	struct store *st = app_of(r)->st;
	if (mg->undone_at) {
		http_reply_error(r, 409, "already_undone", "this merge was already undone");
		return 1;
	}
	if (store_merge_later(st, mg->id, mg->into_id, mg->from_id, &later) != 0 || later) {
		snprintf(msg, sizeof(msg), "a later merge involves customer %lld or %lld: undo it first",
			 (long long)mg->into_id, (long long)mg->from_id);
		http_reply_error(r, 409, "not_latest", msg);
		return 1;
	}
	if (store_merge_into_of(st, mg->into_id, &into) != 0 || into) {
		http_reply_error(r, 409, "merged", "the customer it went into was merged since");
		return 1;
	}
	return 0;
}

/* POST /api/v1/customer-merges/:id/undo: supervisors. */
static void h_undo(struct http_req *r)
{
	struct app *a = app_of(r);
	struct store_merge mg = { .undo = NULL };
	struct store_customer *into = xmalloc(sizeof(*into));
	int64_t id;
	if (crm_param_id(r, 0, &id) || store_merge_get(a->st, id, &mg) != 0 || !crm_site_allowed(r, mg.site_id) ||
	    store_customer_get(a->st, mg.into_id, into) != 0) {
		http_reply_error(r, 404, "not_found", "no such merge");
		goto out;
	}
	if (undo_allowed(r, &mg))
		goto out;
	if (do_undo(a, &mg, into, caller_id(r)) != 0) {
		http_reply_error(r, 500, "internal", "could not undo the merge");
		goto out;
	}
	const char *rfm = refresh(a, mg.site_id, mg.into_id, mg.from_id);
	mg.undone_at = time_now_s();
	mg.undone_by = caller_id(r);
	log_info("merge %lld undone by user %lld", (long long)mg.id, (long long)mg.undone_by);
	http_reply_json(r, 200, json_pack("{s:o,s:s}", "merge", merge_json(&mg), "rfm", rfm));
out:
	store_merge_free(&mg);
	free(into);
}

static int merge_to_array(void *ud, const struct store_merge *m)
{
	json_array_append_new(ud, merge_json(m));
	return 0;
}

/* GET /api/v1/customers/:id/merges: agents of the site; newest first. */
static void h_list(struct http_req *r)
{
	struct store_customer *c = xmalloc(sizeof(*c));
	int64_t id;
	if (crm_param_id(r, 0, &id) || store_customer_get(app_of(r)->st, id, c) != 0 || !crm_site_allowed(r, c->site_id)) {
		http_reply_error(r, 404, "not_found", "no such customer");
	} else {
		json_t *arr = json_array();
		store_merge_each(app_of(r)->st, id, MERGE_LIST_MAX, merge_to_array, arr);
		http_reply_json(r, 200, json_pack("{s:o}", "merges", arr));
	}
	free(c);
}

static const struct route routes[] = {
	{ M_POST, "/api/v1/customers/:id/merge", h_merge, ROUTE_JSON, ACCESS_SUPERVISOR, "customers:write", "api", NULL },
	{ M_POST, "/api/v1/customer-merges/:id/undo", h_undo, 0, ACCESS_SUPERVISOR, "customers:write", "api", NULL },
	{ M_GET, "/api/v1/customers/:id/merges", h_list, 0, ACCESS_AGENT, "customers:read", "api", NULL },
};

void crm_merge_register(struct http_server *s)
{
	http_routes_add(s, routes, KF_ARRAY_LEN(routes));
}
