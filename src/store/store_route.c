/* store/store_route.c - the SQLite backend of store_route.h: departments and their members,
 * offers, the queue. The queue query reads a partial index (011_routing.sql), so its cost
 * follows the number of waiting chats, not the size of the history. */
#include "store/store_route.h"
#include "store/store_int.h"
#include "core/kf.h"
#include "core/util.h"
#include <stdio.h>
#include <string.h>

enum {
	R_DEPT_INSERT = STORE_SLOT_ROUTE, R_DEPT_UPDATE, R_DEPT_DELETE, R_DEPT_GET, R_DEPT_SITE,
	R_MEMBERS, R_MEMBERS_DEL, R_MEMBER_ADD, R_IS_MEMBER,
	R_LOAD, R_AHEAD, R_OFFER, R_CLEAR_OFFER, R_SET_DEPT, R_FIRST_REPLY, R_PREVIOUS, R_PENDING, R_WAITS,
	R_BACKDATE, R_BACKDATE_MSGS, R_BEGIN, R_COMMIT, R_ROLLBACK,
	R_END
};
_Static_assert(R_END <= STORE_SLOT_KB, "too many statements for the slot table");

#define DEPT_COLS "id, site_id, name, rule, offer_timeout, position, created_at"

static sqlite3_stmt *q(struct store *st, int slot)
{
	static const char *const sql[R_END - STORE_SLOT_ROUTE] = {
#define S(x) [x - STORE_SLOT_ROUTE]
		S(R_DEPT_INSERT) = "INSERT INTO departments (site_id, name, rule, offer_timeout, position, created_at) "
				   "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
		S(R_DEPT_UPDATE) = "UPDATE departments SET name = ?2, rule = ?3, offer_timeout = ?4, position = ?5 WHERE id = ?1",
		S(R_DEPT_DELETE) = "DELETE FROM departments WHERE id = ?1",
		S(R_DEPT_GET) = "SELECT " DEPT_COLS " FROM departments WHERE id = ?1",
		S(R_DEPT_SITE) = "SELECT " DEPT_COLS " FROM departments WHERE site_id = ?1 ORDER BY position, id",
		S(R_MEMBERS) = "SELECT user_id FROM department_members WHERE department_id = ?1 ORDER BY user_id",
		S(R_MEMBERS_DEL) = "DELETE FROM department_members WHERE department_id = ?1",
		S(R_MEMBER_ADD) = "INSERT OR IGNORE INTO department_members (department_id, user_id) VALUES (?1, ?2)",
		S(R_IS_MEMBER) = "SELECT 1 FROM department_members WHERE department_id = ?1 AND user_id = ?2",
		S(R_LOAD) = "SELECT (SELECT count(*) FROM conversations WHERE agent_id = ?1 AND status = 'active') + "
			    "(SELECT count(*) FROM conversations WHERE offered_to = ?1 AND status = 'waiting')",
		S(R_AHEAD) = "SELECT count(*) FROM (SELECT 1 FROM conversations WHERE (status = 'waiting' OR offered_to IS NOT NULL) "
			     "AND status = 'waiting' AND offered_to IS NULL AND bot_state <> 'held' AND site_id = ?1 "
			     "AND coalesce(department_id, 0) = ?2 "
			     "AND (created_at < ?3 OR (created_at = ?3 AND id < ?4)) LIMIT 999)",
		S(R_OFFER) = "UPDATE conversations SET offered_to = ?2, offered_at = ?3 WHERE id = ?1",
		S(R_CLEAR_OFFER) = "UPDATE conversations SET offered_to = NULL, offered_at = NULL WHERE id = ?1",
		S(R_SET_DEPT) = "UPDATE conversations SET department_id = nullif(?2, 0) WHERE id = ?1",
		S(R_FIRST_REPLY) = "UPDATE conversations SET first_reply_at = ?2 WHERE id = ?1 AND first_reply_at IS NULL",
		S(R_PREVIOUS) = "SELECT agent_id FROM conversations WHERE visitor_id = ?1 AND id <> ?2 AND agent_id IS NOT NULL "
				"ORDER BY id DESC LIMIT 1",
		S(R_PENDING) = "SELECT id, site_id, visitor_id, coalesce(department_id, 0), coalesce(agent_id, 0), "
			       "coalesce(offered_to, 0), coalesce(offered_at, 0), created_at, status FROM conversations "
			       "WHERE (status = 'waiting' OR offered_to IS NOT NULL) AND bot_state <> 'held' "
			       "ORDER BY created_at, id",   /* a chat the bot is answering waits for the visitor's verdict */
		S(R_WAITS) = "SELECT accepted_at - created_at FROM conversations WHERE site_id = ?1 AND accepted_at IS NOT NULL "
			     "ORDER BY created_at DESC LIMIT 50",   /* walks (site_id, created_at) backwards, stops at 50 */
		S(R_BACKDATE) = "UPDATE conversations SET created_at = ?2, updated_at = max(?2, coalesce(nullif(?5, 0), ?2)), "
				"accepted_at = nullif(?3, 0), first_reply_at = nullif(?4, 0), closed_at = nullif(?5, 0), "
				"last_at = ?2 * 1000 WHERE id = ?1",
		S(R_BACKDATE_MSGS) = "UPDATE messages SET created_at = ?2 * 1000 + (seq - 1) * 60000 WHERE conversation_id = ?1",
		S(R_BEGIN) = "BEGIN IMMEDIATE",
		S(R_COMMIT) = "COMMIT",
		S(R_ROLLBACK) = "ROLLBACK",
#undef S
	};
	return store__stmt(st, slot, sql[slot - STORE_SLOT_ROUTE]);
}

static void dept_row(sqlite3_stmt *s, void *p)
{
	struct store_dept *d = p;
	memset(d, 0, sizeof(*d));
	d->id = sqlite3_column_int64(s, 0);
	d->site_id = sqlite3_column_int64(s, 1);
	store__text(s, 2, d->name, sizeof(d->name));
	store__text(s, 3, d->rule, sizeof(d->rule));
	d->offer_timeout = sqlite3_column_int(s, 4);
	d->position = sqlite3_column_int(s, 5);
	d->created_at = sqlite3_column_int64(s, 6);
}

static void bind_dept(sqlite3_stmt *s, const struct store_dept *d)
{
	store__bind_text(s, 2, d->name);
	store__bind_text(s, 3, d->rule[0] ? d->rule : "least_busy");
	sqlite3_bind_int(s, 4, d->offer_timeout > 0 ? d->offer_timeout : 30);
	sqlite3_bind_int(s, 5, d->position);
}

int store_dept_create(struct store *st, struct store_dept *d)
{
	sqlite3_stmt *s = q(st, R_DEPT_INSERT);
	if (!s)
		return KF_EIO;
	d->created_at = time_now_s();
	sqlite3_bind_int64(s, 1, d->site_id);
	bind_dept(s, d);
	sqlite3_bind_int64(s, 6, d->created_at);
	return store__insert(st, s, &d->id);
}

int store_dept_update(struct store *st, const struct store_dept *d)
{
	sqlite3_stmt *s = q(st, R_DEPT_UPDATE);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, d->id);
	bind_dept(s, d);
	return store__run(st, s);
}

static int run_id(struct store *st, int slot, int64_t id)
{
	sqlite3_stmt *s = q(st, slot);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	return store__run(st, s);
}

int store_dept_delete(struct store *st, int64_t id)
{
	return run_id(st, R_DEPT_DELETE, id);
}

int store_dept_get(struct store *st, int64_t id, struct store_dept *out)
{
	sqlite3_stmt *s = q(st, R_DEPT_GET);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	return store__one(st, s, dept_row, out);
}

int store_dept_each(struct store *st, int64_t site_id, int (*cb)(void *, const struct store_dept *), void *ud)
{
	sqlite3_stmt *s = q(st, R_DEPT_SITE);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	int rc, ret = 0;
	while ((rc = store__step(st, s)) == SQLITE_ROW) {
		struct store_dept d;
		dept_row(s, &d);
		if ((ret = cb(ud, &d)) != 0)
			break;
	}
	sqlite3_reset(s);
	return ret ? ret : (rc == SQLITE_DONE || rc == SQLITE_ROW) ? 0 : store__err(st, "departments");
}

int store_dept_members(struct store *st, int64_t dept_id, int64_t *ids, size_t max, size_t *n)
{
	sqlite3_stmt *s = q(st, R_MEMBERS);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, dept_id);
	return store__ids(st, s, ids, max, n);
}

int store_dept_set_members(struct store *st, int64_t dept_id, const int64_t *ids, size_t n)
{
	sqlite3_stmt *b = q(st, R_BEGIN);
	if (!b || store__run(st, b) != 0)
		return KF_EIO;
	int rc = run_id(st, R_MEMBERS_DEL, dept_id);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		sqlite3_stmt *s = q(st, R_MEMBER_ADD);
		if (!s)
			rc = KF_EIO;
		else {
			sqlite3_bind_int64(s, 1, dept_id);
			sqlite3_bind_int64(s, 2, ids[i]);
			rc = store__run(st, s);
		}
	}
	sqlite3_stmt *e = q(st, rc == 0 ? R_COMMIT : R_ROLLBACK);
	if (e)
		store__run(st, e);
	return rc;
}

int store_dept_is_member(struct store *st, int64_t dept_id, int64_t user_id)
{
	sqlite3_stmt *s = q(st, R_IS_MEMBER);
	int64_t one = 0;
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, dept_id);
	sqlite3_bind_int64(s, 2, user_id);
	return store__one_int(st, s, &one);
}

int store_route_load(struct store *st, int64_t user_id, int64_t *n)
{
	sqlite3_stmt *s = q(st, R_LOAD);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, user_id);
	return store__one_int(st, s, n);
}

int store_route_offer(struct store *st, int64_t conv_id, int64_t user_id, int64_t at_ms)
{
	sqlite3_stmt *s = q(st, R_OFFER);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, conv_id);
	sqlite3_bind_int64(s, 2, user_id);
	sqlite3_bind_int64(s, 3, at_ms);
	return store__run(st, s);
}

int store_route_clear_offer(struct store *st, int64_t conv_id)
{
	return run_id(st, R_CLEAR_OFFER, conv_id);
}

static int run_id2(struct store *st, int slot, int64_t a, int64_t b)
{
	sqlite3_stmt *s = q(st, slot);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, a);
	sqlite3_bind_int64(s, 2, b);
	return store__run(st, s);
}

int store_route_set_department(struct store *st, int64_t conv_id, int64_t dept_id)
{
	return run_id2(st, R_SET_DEPT, conv_id, dept_id);
}

int store_route_first_reply(struct store *st, int64_t conv_id, int64_t at_ms)
{
	return run_id2(st, R_FIRST_REPLY, conv_id, at_ms);
}

int store_route_previous_agent(struct store *st, int64_t visitor_id, int64_t exclude_conv, int64_t *agent_id)
{
	sqlite3_stmt *s = q(st, R_PREVIOUS);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, visitor_id);
	sqlite3_bind_int64(s, 2, exclude_conv);
	*agent_id = 0;
	int rc = store__one_int(st, s, agent_id);
	return rc == KF_ENOTFOUND ? 0 : rc;
}

int store_route_pending(struct store *st, int (*cb)(void *, const struct store_route_item *), void *ud)
{
	sqlite3_stmt *s = q(st, R_PENDING);
	if (!s)
		return KF_EIO;
	int rc, ret = 0;
	while ((rc = store__step(st, s)) == SQLITE_ROW) {
		struct store_route_item it;
		memset(&it, 0, sizeof(it));
		it.id = sqlite3_column_int64(s, 0);
		it.site_id = sqlite3_column_int64(s, 1);
		it.visitor_id = sqlite3_column_int64(s, 2);
		it.department_id = sqlite3_column_int64(s, 3);
		it.agent_id = sqlite3_column_int64(s, 4);
		it.offered_to = sqlite3_column_int64(s, 5);
		it.offered_at = sqlite3_column_int64(s, 6);
		it.created_at = sqlite3_column_int64(s, 7);
		store__text(s, 8, it.status, sizeof(it.status));
		if ((ret = cb(ud, &it)) != 0)
			break;
	}
	sqlite3_reset(s);
	return ret ? ret : (rc == SQLITE_DONE || rc == SQLITE_ROW) ? 0 : store__err(st, "routing queue");
}

int store_route_queue_ahead(struct store *st, int64_t site_id, int64_t dept_id, int64_t created_at, int64_t id,
			    int64_t *n)
{
	sqlite3_stmt *s = q(st, R_AHEAD);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	sqlite3_bind_int64(s, 2, dept_id);
	sqlite3_bind_int64(s, 3, created_at);
	sqlite3_bind_int64(s, 4, id);
	return store__one_int(st, s, n);
}

int store_route_backdate(struct store *st, int64_t conv_id, int64_t created_s, int64_t accepted_s,
			 int64_t first_reply_ms, int64_t closed_s)
{
	sqlite3_stmt *s = q(st, R_BACKDATE);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, conv_id);
	sqlite3_bind_int64(s, 2, created_s);
	sqlite3_bind_int64(s, 3, accepted_s);
	sqlite3_bind_int64(s, 4, first_reply_ms);
	sqlite3_bind_int64(s, 5, closed_s);
	int rc = store__run(st, s);
	return rc ? rc : run_id2(st, R_BACKDATE_MSGS, conv_id, created_s);
}

int store_route_typical_wait(struct store *st, int64_t site_id, int64_t *seconds)
{
	sqlite3_stmt *s = q(st, R_WAITS);
	int64_t v[50];
	int n = 0, rc;
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	while ((rc = store__step(st, s)) == SQLITE_ROW && n < 50)
		v[n++] = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	/* insertion sort: at most 50 values */
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			int64_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	*seconds = n ? v[n / 2] : 0;
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : store__err(st, "typical wait");
}
