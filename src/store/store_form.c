/* store/store_form.c - the SQLite backend of store_form.h: plain rows, one statement each.
 * The field definitions are kept as the JSON text forms.c built, never parsed here. */
#include "store/store_form.h"
#include "store/store_int.h"
#include "core/alloc.h"
#include "core/kf.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { F_CREATE = STORE_SLOT_FORM, F_UPDATE, F_DELETE, F_GET, F_COUNT_SITE, F_EACH, F_BUMP, F_BUMP_SPAM, F_END };
_Static_assert(F_END <= STORE_SLOT_SLA, "store_form.c's statements run into store_sla.c's slots");

#define FORM_COLS "id, site_id, name, ticket_type, coalesce(department_id, 0), fields, title, intro, " \
		  "success_message, active, submissions, spam, created_at, updated_at"

static sqlite3_stmt *q(struct store *st, int slot)
{
	static const char *const sql[F_END - STORE_SLOT_FORM] = {
#define S(x) [x - STORE_SLOT_FORM]
		S(F_CREATE) = "INSERT INTO forms (site_id, name, ticket_type, department_id, fields, title, intro, "
			      "success_message, active, created_at, updated_at) VALUES (?1, ?2, ?3, nullif(?4, 0), ?5, "
			      "?6, ?7, ?8, ?9, ?10, ?11)",
		S(F_UPDATE) = "UPDATE forms SET name = ?2, ticket_type = ?3, department_id = nullif(?4, 0), fields = ?5, "
			      "title = ?6, intro = ?7, success_message = ?8, active = ?9, updated_at = ?11 WHERE id = ?12",
		S(F_DELETE) = "DELETE FROM forms WHERE id = ?1",
		S(F_GET) = "SELECT " FORM_COLS " FROM forms WHERE id = ?1",
		S(F_COUNT_SITE) = "SELECT count(*) FROM forms WHERE site_id = ?1",
		S(F_EACH) = "SELECT " FORM_COLS " FROM forms WHERE site_id = ?1 AND (?2 = 0 OR active = 1) ORDER BY id",
		S(F_BUMP) = "UPDATE forms SET submissions = submissions + 1 WHERE id = ?1",
		S(F_BUMP_SPAM) = "UPDATE forms SET spam = spam + 1 WHERE id = ?1",
#undef S
	};
	return store__stmt(st, slot, sql[slot - STORE_SLOT_FORM]);
}

/* Binds the columns create and update share (?1 .. ?11). */
static void bind_form(sqlite3_stmt *s, const struct store_form *f)
{
	sqlite3_bind_int64(s, 1, f->site_id);
	store__bind_text(s, 2, f->name);
	store__bind_text(s, 3, f->ticket_type);
	sqlite3_bind_int64(s, 4, f->department_id);
	store__bind_text(s, 5, f->fields);
	store__bind_text(s, 6, f->title);
	store__bind_text(s, 7, f->intro);
	store__bind_text(s, 8, f->success_message);
	sqlite3_bind_int(s, 9, f->active);
	sqlite3_bind_int64(s, 10, f->created_at);
	sqlite3_bind_int64(s, 11, f->updated_at);
}

int store_form_create(struct store *st, struct store_form *f)
{
	sqlite3_stmt *s = q(st, F_CREATE);
	if (!s)
		return KF_EIO;
	bind_form(s, f);
	return store__insert(st, s, &f->id);
}

int store_form_update(struct store *st, const struct store_form *f)
{
	sqlite3_stmt *s = q(st, F_UPDATE);
	if (!s)
		return KF_EIO;
	bind_form(s, f);
	sqlite3_bind_int64(s, 12, f->id);
	return store__run(st, s);
}

int store_form_delete(struct store *st, int64_t id)
{
	sqlite3_stmt *s = q(st, F_DELETE);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	return store__run_one(st, s);
}

static void read_form(sqlite3_stmt *s, void *out)
{
	struct store_form *f = out;
	f->id = sqlite3_column_int64(s, 0);
	f->site_id = sqlite3_column_int64(s, 1);
	store__text(s, 2, f->name, sizeof(f->name));
	store__text(s, 3, f->ticket_type, sizeof(f->ticket_type));
	f->department_id = sqlite3_column_int64(s, 4);
	store__text(s, 5, f->fields, sizeof(f->fields));
	store__text(s, 6, f->title, sizeof(f->title));
	store__text(s, 7, f->intro, sizeof(f->intro));
	store__text(s, 8, f->success_message, sizeof(f->success_message));
	f->active = sqlite3_column_int(s, 9);
	f->submissions = sqlite3_column_int64(s, 10);
	f->spam = sqlite3_column_int64(s, 11);
	f->created_at = sqlite3_column_int64(s, 12);
	f->updated_at = sqlite3_column_int64(s, 13);
}

int store_form_get(struct store *st, int64_t id, struct store_form *out)
{
	sqlite3_stmt *s = q(st, F_GET);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	return store__one(st, s, read_form, out);
}

int store_form_count_site(struct store *st, int64_t site_id, int64_t *n)
{
	sqlite3_stmt *s = q(st, F_COUNT_SITE);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	return store__one_int(st, s, n);
}

int store_form_each(struct store *st, int64_t site_id, int active_only,
		    int (*cb)(void *ud, const struct store_form *f), void *ud)
{
	sqlite3_stmt *s = q(st, F_EACH);
	int rc;
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	sqlite3_bind_int(s, 2, active_only);
	/* A form is 36 KB: one on the heap rather than per row on the stack. */
	struct store_form *f = xmalloc(sizeof(*f));
	while ((rc = store__step(st, s)) == SQLITE_ROW) {
		read_form(s, f);
		if (cb(ud, f))
			break;
	}
	free(f);
	sqlite3_reset(s);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store__err(st, "form each");
}

int store_form_count(struct store *st, int64_t id, int spam)
{
	sqlite3_stmt *s = q(st, spam ? F_BUMP_SPAM : F_BUMP);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	return store__run(st, s);
}
