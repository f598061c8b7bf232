/* store/store_sla.c - the SQLite backend of store_sla.h. The breach scans read the two partial
 * indexes of migration 029, which hold only tickets whose clock still runs, so the timer's query
 * stays cheap however many tickets a site keeps. Marking and escalating are guarded updates
 * (WHERE the bit / escalated_at is still unset), so a breach is told and escalated once. */
#include "store/store_sla.h"
#include "store/store_int.h"
#include "core/kf.h"
#include <stdio.h>
#include <string.h>

enum {
	Q_POL_GET = STORE_SLOT_SLA, Q_POL_PUT, Q_POL_DEL, Q_POL_EACH, Q_DUE, Q_OVER_FIRST, Q_OVER_RESOLVE, Q_MARK,
	Q_ESCALATED, Q_CSAT, Q_FU_ADD, Q_FU_GET, Q_FU_DONE, Q_FU_EACH, Q_REPORT, Q_END
};
_Static_assert(Q_END <= STORE_SLOT_FLOW, "store_sla.c's statements run into store_flow.c's slots");

#define POL_COLS "id, site_id, type, priority, coalesce(first_response_minutes, -1), " \
		 "coalesce(resolution_minutes, -1), business_hours, coalesce(escalate_to, -1), updated_at"
#define FU_COLS "f.id, f.ticket_id, t.site_id, coalesce(f.assignee_id, 0), f.due_at, f.done_at, f.created_at, " \
		"f.outcome, f.note, t.subject, t.type, t.requester_name, t.requester_phone, t.requester_email"
#define OPEN "status IN ('new', 'open', 'pending')"

static sqlite3_stmt *q(struct store *st, int slot)
{
	static const char *const sql[Q_END - STORE_SLOT_SLA] = {
#define S(x) [x - STORE_SLOT_SLA]
		S(Q_POL_GET) = "SELECT " POL_COLS " FROM sla_policies WHERE site_id = ?1 AND type = ?2 AND priority = ?3",
		S(Q_POL_PUT) = "INSERT INTO sla_policies (site_id, type, priority, first_response_minutes, "
			       "resolution_minutes, business_hours, escalate_to, updated_at) VALUES (?1, ?2, ?3, "
			       "nullif(?4, -1), nullif(?5, -1), ?6, nullif(?7, -1), ?8) ON CONFLICT (site_id, type, "
			       "priority) DO UPDATE SET first_response_minutes = excluded.first_response_minutes, "
			       "resolution_minutes = excluded.resolution_minutes, business_hours = "
			       "excluded.business_hours, escalate_to = excluded.escalate_to, updated_at = "
			       "excluded.updated_at",
		S(Q_POL_DEL) = "DELETE FROM sla_policies WHERE site_id = ?1 AND type = ?2 AND priority = ?3",
		S(Q_POL_EACH) = "SELECT " POL_COLS " FROM sla_policies WHERE site_id = ?1 ORDER BY type, priority",
		S(Q_DUE) = "UPDATE tickets SET sla_first_due = ?2, sla_resolve_due = ?3 WHERE id = ?1",
		/* the WHERE repeats each partial index's own terms so the planner may use it */
		S(Q_OVER_FIRST) = "SELECT id FROM tickets WHERE " OPEN " AND first_response_at = 0 AND sla_breached & 1 = 0 "
				  "AND sla_first_due > 0 AND sla_first_due < ?1 ORDER BY sla_first_due LIMIT ?2",
		S(Q_OVER_RESOLVE) = "SELECT id FROM tickets WHERE " OPEN " AND sla_breached & 2 = 0 AND sla_resolve_due > 0 "
				    "AND sla_resolve_due < ?1 ORDER BY sla_resolve_due LIMIT ?2",
		S(Q_MARK) = "UPDATE tickets SET sla_breached = sla_breached | ?2 WHERE id = ?1 AND sla_breached & ?2 = 0",
		S(Q_ESCALATED) = "UPDATE tickets SET escalated_at = ?2 WHERE id = ?1 AND escalated_at = 0",
		S(Q_CSAT) = "UPDATE tickets SET csat_rating = ?2, csat_comment = ?3, csat_at = ?4 WHERE id = ?1",
		S(Q_FU_ADD) = "INSERT INTO followups (ticket_id, assignee_id, due_at, created_at) VALUES (?1, nullif(?2, 0), "
			      "?3, ?4)",
		S(Q_FU_GET) = "SELECT " FU_COLS " FROM followups f JOIN tickets t ON t.id = f.ticket_id WHERE f.id = ?1",
		S(Q_FU_DONE) = "UPDATE followups SET outcome = ?2, note = ?3, done_at = ?4 WHERE id = ?1",
		S(Q_FU_EACH) = "SELECT " FU_COLS " FROM followups f JOIN tickets t ON t.id = f.ticket_id WHERE (?1 = 0 OR "
			       "f.assignee_id = ?1) AND (?2 = 0 OR f.done_at = 0) AND (?4 = 0 OR t.site_id IN (SELECT site_id FROM "
			       "site_members WHERE user_id = ?4)) ORDER BY f.done_at > 0, f.due_at, f.id "
			       "LIMIT ?3",
		S(Q_REPORT) = "SELECT coalesce(t.assignee_id, 0), t.created_at, t.first_response_at, t.resolved_at, t.type, "
			      "t.channel, coalesce(f.outcome, ''), t.sla_breached, t.csat_rating FROM tickets t LEFT JOIN "
			      "followups f ON f.ticket_id = t.id WHERE t.site_id = ?1 AND t.created_at >= ?2 AND "
			      "t.created_at < ?3 ORDER BY t.created_at LIMIT ?4",
#undef S
	};
	return store__stmt(st, slot, sql[slot - STORE_SLOT_SLA]);
}

static void pol_row(sqlite3_stmt *s, void *out)
{
	struct store_sla_policy *p = out;
	memset(p, 0, sizeof(*p));
	p->id = sqlite3_column_int64(s, 0);
	p->site_id = sqlite3_column_int64(s, 1);
	store__text(s, 2, p->type, sizeof(p->type));
	store__text(s, 3, p->priority, sizeof(p->priority));
	p->first_minutes = sqlite3_column_int(s, 4);
	p->resolve_minutes = sqlite3_column_int(s, 5);
	p->business_hours = sqlite3_column_int(s, 6);
	p->escalate_to = sqlite3_column_int64(s, 7);
	p->updated_at = sqlite3_column_int64(s, 8);
}

int store_sla_policy_get(struct store *st, int64_t site_id, const char *type, const char *priority,
			 struct store_sla_policy *out)
{
	sqlite3_stmt *s = q(st, Q_POL_GET);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	store__bind_text(s, 2, type);
	store__bind_text(s, 3, priority);
	return store__one(st, s, pol_row, out);
}

int store_sla_policy_put(struct store *st, const struct store_sla_policy *p)
{
	sqlite3_stmt *s = q(st, Q_POL_PUT);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, p->site_id);
	store__bind_text(s, 2, p->type);
	store__bind_text(s, 3, p->priority);
	sqlite3_bind_int(s, 4, p->first_minutes);
	sqlite3_bind_int(s, 5, p->resolve_minutes);
	sqlite3_bind_int(s, 6, p->business_hours);
	sqlite3_bind_int64(s, 7, p->escalate_to);
	sqlite3_bind_int64(s, 8, p->updated_at);
	return store__run(st, s);
}

int store_sla_policy_delete(struct store *st, int64_t site_id, const char *type, const char *priority)
{
	sqlite3_stmt *s = q(st, Q_POL_DEL);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	store__bind_text(s, 2, type);
	store__bind_text(s, 3, priority);
	return store__run_one(st, s);
}

int store_sla_policy_each(struct store *st, int64_t site_id, int (*cb)(void *ud, const struct store_sla_policy *p),
			  void *ud)
{
	sqlite3_stmt *s = q(st, Q_POL_EACH);
	struct store_sla_policy p;
	int rc, stop = 0;
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	while (!stop && (rc = store__step(st, s)) == SQLITE_ROW) {
		pol_row(s, &p);
		stop = cb(ud, &p);
	}
	sqlite3_reset(s);
	return stop ? stop : rc == SQLITE_DONE ? 0 : store__err(st, "sla_policies");
}

int store_sla_set_due(struct store *st, int64_t ticket_id, int64_t first_due, int64_t resolve_due)
{
	sqlite3_stmt *s = q(st, Q_DUE);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, ticket_id);
	sqlite3_bind_int64(s, 2, first_due);
	sqlite3_bind_int64(s, 3, resolve_due);
	return store__run(st, s);
}

int store_sla_overdue(struct store *st, int which, int64_t now, int64_t *ids, size_t max, size_t *n)
{
	sqlite3_stmt *s = q(st, which == 1 ? Q_OVER_FIRST : Q_OVER_RESOLVE);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int64(s, 2, (int64_t)max);
	return store__ids(st, s, ids, max, n);
}

int store_sla_mark(struct store *st, int64_t ticket_id, int bit)
{
	sqlite3_stmt *s = q(st, Q_MARK);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, ticket_id);
	sqlite3_bind_int(s, 2, bit);
	return store__run_one(st, s);
}

int store_sla_escalated(struct store *st, int64_t ticket_id, int64_t at)
{
	sqlite3_stmt *s = q(st, Q_ESCALATED);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, ticket_id);
	sqlite3_bind_int64(s, 2, at);
	return store__run_one(st, s);
}

int store_sla_csat(struct store *st, int64_t ticket_id, int rating, const char *comment, int64_t at)
{
	sqlite3_stmt *s = q(st, Q_CSAT);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, ticket_id);
	sqlite3_bind_int(s, 2, rating);
	store__bind_text(s, 3, comment);
	sqlite3_bind_int64(s, 4, at);
	return store__run_one(st, s);
}

int store_followup_add(struct store *st, int64_t ticket_id, int64_t assignee_id, int64_t due_at, int64_t now)
{
	sqlite3_stmt *s = q(st, Q_FU_ADD);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, ticket_id);
	sqlite3_bind_int64(s, 2, assignee_id);
	sqlite3_bind_int64(s, 3, due_at);
	sqlite3_bind_int64(s, 4, now);
	return store__run(st, s);
}

static void fu_row(sqlite3_stmt *s, void *out)
{
	struct store_followup *f = out;
	memset(f, 0, sizeof(*f));
	f->id = sqlite3_column_int64(s, 0);
	f->ticket_id = sqlite3_column_int64(s, 1);
	f->site_id = sqlite3_column_int64(s, 2);
	f->assignee_id = sqlite3_column_int64(s, 3);
	f->due_at = sqlite3_column_int64(s, 4);
	f->done_at = sqlite3_column_int64(s, 5);
	f->created_at = sqlite3_column_int64(s, 6);
	store__text(s, 7, f->outcome, sizeof(f->outcome));
	store__text(s, 8, f->note, sizeof(f->note));
	store__text(s, 9, f->subject, sizeof(f->subject));
	store__text(s, 10, f->type, sizeof(f->type));
	store__text(s, 11, f->requester_name, sizeof(f->requester_name));
	store__text(s, 12, f->requester_phone, sizeof(f->requester_phone));
	store__text(s, 13, f->requester_email, sizeof(f->requester_email));
}

int store_followup_get(struct store *st, int64_t id, struct store_followup *out)
{
	sqlite3_stmt *s = q(st, Q_FU_GET);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	return store__one(st, s, fu_row, out);
}

int store_followup_done(struct store *st, int64_t id, const char *outcome, const char *note, int64_t at)
{
	sqlite3_stmt *s = q(st, Q_FU_DONE);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	store__bind_text(s, 2, outcome);
	store__bind_text(s, 3, note);
	sqlite3_bind_int64(s, 4, at);
	return store__run_one(st, s);
}

int store_followup_each(struct store *st, int64_t assignee_id, int64_t member_of, int open_only, size_t max,
			int (*cb)(void *ud, const struct store_followup *f), void *ud)
{
	sqlite3_stmt *s = q(st, Q_FU_EACH);
	struct store_followup f;
	int rc, stop = 0;
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, assignee_id);
	sqlite3_bind_int(s, 2, open_only);
	sqlite3_bind_int64(s, 3, (int64_t)max);
	sqlite3_bind_int64(s, 4, member_of);
	while (!stop && (rc = store__step(st, s)) == SQLITE_ROW) {
		fu_row(s, &f);
		stop = cb(ud, &f);
	}
	sqlite3_reset(s);
	return stop ? stop : rc == SQLITE_DONE ? 0 : store__err(st, "followups");
}

int store_sla_report_each(struct store *st, int64_t site_id, int64_t from, int64_t to, size_t max,
			  int (*cb)(void *ud, const struct store_sla_row *r), void *ud)
{
	sqlite3_stmt *s = q(st, Q_REPORT);
	struct store_sla_row w;
	int rc, stop = 0;
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	sqlite3_bind_int64(s, 2, from);
	sqlite3_bind_int64(s, 3, to);
	sqlite3_bind_int64(s, 4, (int64_t)max);
	while (!stop && (rc = store__step(st, s)) == SQLITE_ROW) {
		memset(&w, 0, sizeof(w));
		w.assignee_id = sqlite3_column_int64(s, 0);
		w.created_at = sqlite3_column_int64(s, 1);
		w.first_response_at = sqlite3_column_int64(s, 2);
		w.resolved_at = sqlite3_column_int64(s, 3);
		store__text(s, 4, w.type, sizeof(w.type));
		store__text(s, 5, w.channel, sizeof(w.channel));
		store__text(s, 6, w.followup, sizeof(w.followup));
		w.sla_breached = sqlite3_column_int(s, 7);
		w.csat_rating = sqlite3_column_int(s, 8);
		stop = cb(ud, &w);
	}
	sqlite3_reset(s);
	return stop ? stop : rc == SQLITE_DONE ? 0 : store__err(st, "tickets report");
}
