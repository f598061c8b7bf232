/* crm/merge.c - merging two customers of a site into one, with undo (issue 6). The same person
 * often exists twice (a guest checkout and an account, two e-mails), and a wrong merge must be
 * reversible, so a merge never deletes: the source is kept with merged_into set (lists and
 * look-ups skip it; its external id finds the survivor), and the merge's row keeps the ids of
 * every row it moved and the survivor's profile before the merge.
 *
 * Points: the ledger is append-only (docs/crm.md "The ledger"), so its rows are never moved.
 * Both customers' due awards are expired first; then the source's balance goes over as a pair
 * of 'adjust' entries (-b on the source, +b on the target). Orders move, so a later return or
 * expiry of a moved order's award falls on the target, which now holds those points. An undo
 * never mints points: it gives back at most what the target still has (a guarded spend) and
 * reports the shortfall.
 *
 * Profile: the merge records what it added (contacts, tags, the notes it appended, name,
 * birthday or language it filled in); an undo takes away only those that are still there, so
 * edits made to the target since the merge stay.
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

/* 1 when c's profile is the snapshot p in everything but updated_at. */
static int profile_same(const json_t *p, const struct store_customer *c)
{
	json_t *now = profile_json(c), *was = json_deep_copy(p);
	json_object_del(now, "updated_at");
	json_object_del(was, "updated_at");
	int same = json_equal(now, was);
	json_decref(now);
	json_decref(was);
	return same;
}

/* ---- what a merge added, and taking it away again ---- */

static int in_array(const json_t *arr, const json_t *v)
{
	size_t k;
	const json_t *x;
	json_array_foreach(arr, k, x)
		if (json_equal(x, v))
			return 1;
	return 0;
}

/* The elements of b that a lacks (either may be NULL); takes both references. */
static json_t *missing(json_t *a, json_t *b)
{
	json_t *out = json_array(), *e;
	size_t i;
	json_array_foreach(b, i, e)
		if (!in_array(a, e))
			json_array_append(out, e);
	json_decref(a);
	json_decref(b);
	return out;
}

/* Elements of the JSON array text post that the array text pre lacks. */
static json_t *array_added(const char *pre, const char *post)
{
	return missing(json_loads(pre, 0, NULL), json_loads(post, 0, NULL));
}

/* Words of post that pre lacks (tags). */
static json_t *words_added(const char *pre, const char *post)
{
	return missing(json_words(pre), json_words(post));
}

static void scalar_added(json_t *j, const char *key, const char *pre, const char *post)
{
	if (!pre[0] && post[0])
		json_object_set_new(j, key, json_string(post));
}

/* The undo's "added": what merge_profile put into the target (pre before, post after). The
 * notes are the appended text itself (with its blank line when the target had notes). */
static json_t *added_json(const struct store_customer *pre, const struct store_customer *post)
{
	json_t *j = json_pack("{s:o,s:o,s:o,s:o}", "emails", array_added(pre->emails, post->emails), "phones",
			      array_added(pre->phones, post->phones), "addresses",
			      array_added(pre->addresses, post->addresses), "tags", words_added(pre->tags, post->tags));
	scalar_added(j, "name", pre->name, post->name);
	scalar_added(j, "birthday", pre->birthday, post->birthday);
	scalar_added(j, "lang", pre->lang, post->lang);
	size_t n = strlen(pre->notes);
	if (strncmp(pre->notes, post->notes, n) == 0 && post->notes[n])
		json_object_set_new(j, "notes", json_string(post->notes + n));
	return j;
}

/* The JSON array text cur without the elements of gone (cur kept when it does not parse). */
static void array_remove(char *cur, size_t cursz, const json_t *gone)
{
	json_t *a = json_loads(cur, 0, NULL), *keep = json_array(), *e;
	size_t i;
	if (json_is_array(a) && json_array_size(gone)) {
		json_array_foreach(a, i, e)
			if (!in_array(gone, e))
				json_array_append(keep, e);
		char *t = json_dumps(keep, JSON_COMPACT);
		if (t && strlen(t) < cursz)
			snprintf(cur, cursz, "%s", t);
		free(t);
	}
	json_decref(a);
	json_decref(keep);
}

static void words_remove(char *cur, size_t cursz, const json_t *gone)
{
	json_t *have = json_words(cur), *w;
	size_t i, len = 0;
	char *out = xcalloc(1, cursz);
	json_array_foreach(have, i, w)
		if (!in_array(gone, w))
			len += (size_t)snprintf(out + len, cursz - len, "%s%s", len ? " " : "", json_string_value(w));
	snprintf(cur, cursz, "%s", out);   /* never longer than cur was */
	free(out);
	json_decref(have);
}

static void scalar_remove(char *cur, const json_t *added, const char *key)
{
	const char *v = json_get_str(added, key);
	if (v && strcmp(cur, v) == 0)
		cur[0] = '\0';             /* still what the merge set: empty again */
}

/* The appended notes, when still there verbatim (the last copy); a blank line left at the
 * start, when the target had no notes and some were written after the merge, goes too. */
static void notes_remove(char *notes, const char *appended)
{
	size_t n = appended ? strlen(appended) : 0;
	char *hit = NULL, *p = notes;
	if (!n)
		return;
	while ((p = strstr(p, appended)) != NULL)
		hit = p++;
	if (!hit)
		return;
	memmove(hit, hit + n, strlen(hit + n) + 1);
	if (hit == notes && strncmp(notes, "\n\n", 2) == 0)
		memmove(notes, notes + 2, strlen(notes + 2) + 1);
}

/* Takes what the merge added away from c; restores updated_at when c is then the snapshot. */
static void profile_unmerge(const json_t *undo, struct store_customer *c, int64_t now)
{
	const json_t *ad = json_object_get(undo, "added"), *pre = json_object_get(undo, "profile");
	array_remove(c->emails, sizeof(c->emails), json_object_get(ad, "emails"));
	array_remove(c->phones, sizeof(c->phones), json_object_get(ad, "phones"));
	array_remove(c->addresses, sizeof(c->addresses), json_object_get(ad, "addresses"));
	words_remove(c->tags, sizeof(c->tags), json_object_get(ad, "tags"));
	scalar_remove(c->name, ad, "name");
	scalar_remove(c->birthday, ad, "birthday");
	scalar_remove(c->lang, ad, "lang");
	notes_remove(c->notes, json_get_str(ad, "notes"));
	c->updated_at = profile_same(pre, c) ? json_integer_value(json_object_get(pre, "updated_at")) : now;
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

void crm_merge_profile(struct store_customer *t, const struct store_customer *s, int64_t now)
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

/* The pair of 'adjust' entries moving points from one customer to the other; guarded: the
 * first is a spend-like entry that fails (KF_EDENIED) rather than take from below 0. */
static int transfer(struct app *a, int64_t site_id, int64_t from, int64_t to, int64_t points, int64_t uid,
		    const char *note, json_t *ids, int guarded)
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
		int rc = guarded && !i ? store_points_spend(a->st, &e[i]) : store_points_add(a->st, &e[i]);
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
	/* awards already due expire on the customer that earned them, as if expiry had run on time;
	 * the rest keep their expires_at and expire on the target, which holds their order then */
	crm_loyalty_expire_now(m->a, m->from->id);
	crm_loyalty_expire_now(m->a, m->into->id);
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
		rc = transfer(m->a, m->into->site_id, m->from->id, m->into->id, points, m->user_id, note, ledger, 0);
	json_object_set_new(m->undo, "profile", profile_json(m->into));
	struct store_customer *pre = xmalloc(sizeof(*pre));
	memcpy(pre, m->into, sizeof(*pre));
	crm_merge_profile(m->into, m->from, m->now);
	json_object_set_new(m->undo, "added", added_json(pre, m->into));
	free(pre);
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

/* The points an undo gives back: what the merge moved, but never more than the target holds
 * now (a debt the merge moved, a negative amount, goes back whole). */
static int64_t points_back(struct app *a, const struct store_merge *mg, int64_t moved)
{
	int64_t bal = 0;
	if (moved <= 0)
		return moved;
	crm_loyalty_expire_now(a, mg->into_id);
	if (store_points_balance(a->st, mg->into_id, &bal) != 0 || bal <= 0)
		return 0;
	return bal < moved ? bal : moved;
}

static int undo_rows(struct app *a, const struct store_merge *mg, const json_t *undo, struct store_customer *into,
		     int64_t uid, int64_t *back)
{
	char note[160];
	int rc = 0;
	/* first, while the target still holds the moved orders: their due awards expire on it */
	*back = points_back(a, mg, json_integer_value(json_object_get(undo, "points")));
	for (int t = 0; t < SM_TABLES && rc == 0; t++) {
		const json_t *ids = json_object_get(undo, store_merge_table_names[t]);
		if (!json_array_size(ids))
			continue;
		char *text = json_dumps(ids, JSON_COMPACT);
		rc = text ? store_merge_move_back(a->st, (enum store_merge_table)t, text, mg->into_id, mg->from_id)
			  : KF_ENOMEM;
		free(text);
	}
	snprintf(note, sizeof(note), "merge %lld undone", (long long)mg->id);
	json_t *ids = json_array();
	if (rc == 0 && *back)
		rc = transfer(a, mg->site_id, mg->into_id, mg->from_id, *back, uid, note, ids, *back > 0);
	json_decref(ids);
	profile_unmerge(undo, into, time_now_s());
	if (rc == 0)
		rc = store_customer_update(a->st, into);
	if (rc == 0)
		rc = store_merge_mark(a->st, mg->from_id, 0);
	if (rc == 0)
		rc = store_merge_set_undone(a->st, mg->id, uid, time_now_s());
	return rc;
}

static int do_undo(struct app *a, const struct store_merge *mg, struct store_customer *into, int64_t uid,
		   int64_t *moved, int64_t *back)
{
	json_t *undo = json_loads(mg->undo, 0, NULL);
	if (!json_is_object(undo)) {
		json_decref(undo);
		return KF_EINVAL;
	}
	*moved = json_integer_value(json_object_get(undo, "points"));
	int rc = store_merge_begin(a->st);
	if (rc == 0) {
		rc = undo_rows(a, mg, undo, into, uid, back);
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

int crm_refuse_merged(struct http_req *r, int64_t id, const char *what)
{
	int64_t into = 0;
	char msg[120];
	if (store_merge_into_of(app_of(r)->st, id, &into) == 0 && !into)
		return 0;
	snprintf(msg, sizeof(msg), "%s: customer %lld was merged into customer %lld", what, (long long)id,
		 (long long)into);
	http_reply_error(r, 409, "merged", msg);
	return 1;
}

/* The :id customer (param 0) of the caller's sites, and not merged away; 1 after the reply. */
static int load_live(struct http_req *r, int64_t id, struct store_customer *c, const char *what)
{
	char msg[120];
	if (store_customer_get(app_of(r)->st, id, c) != 0 || !crm_site_allowed(r, c->site_id)) {
		snprintf(msg, sizeof(msg), "no such customer (%s)", what);
		http_reply_error(r, 404, "not_found", msg);
		return 1;
	}
	return crm_refuse_merged(r, id, what);
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
			       crm_caller_user_id(r), time_now_s(), NULL };
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
	int64_t id, moved = 0, back = 0;
	if (crm_param_id(r, 0, &id) || store_merge_get(a->st, id, &mg) != 0 || !crm_site_allowed(r, mg.site_id) ||
	    store_customer_get(a->st, mg.into_id, into) != 0) {
		http_reply_error(r, 404, "not_found", "no such merge");
		goto out;
	}
	if (undo_allowed(r, &mg))
		goto out;
	if (do_undo(a, &mg, into, crm_caller_user_id(r), &moved, &back) != 0) {
		http_reply_error(r, 500, "internal", "could not undo the merge");
		goto out;
	}
	const char *rfm = refresh(a, mg.site_id, mg.into_id, mg.from_id);
	mg.undone_at = time_now_s();
	mg.undone_by = crm_caller_user_id(r);
	log_info("merge %lld undone by user %lld", (long long)mg.id, (long long)mg.undone_by);
	/* points: what the merge moved, what went back, and what the target had spent of it */
	http_reply_json(r, 200, json_pack("{s:o,s:s,s:{s:I,s:I,s:I}}", "merge", merge_json(&mg), "rfm", rfm, "points",
					  "moved", (json_int_t)moved, "returned", (json_int_t)back, "short",
					  (json_int_t)(moved - back)));
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
