/* store/store_ticket.c - the SQLite backend of store_ticket.h. A field change is one UPDATE
 * per column, each its own prepared statement (no SQL is ever built from a column name): the
 * column names the caller may pass are looked up in a fixed table. */
#include "store/store_ticket.h"
#include "store/store_int.h"
#include "core/kf.h"
#include <stdio.h>
#include <string.h>

enum {
	T_BEGIN = STORE_SLOT_TICKET, T_COMMIT, T_ROLLBACK, T_INSERT, T_GET, T_TOKEN,
	T_SET_STATUS, T_SET_PRIORITY, T_SET_TYPE, T_SET_TAGS, T_SET_SUBJECT, T_SET_WSTATE, T_SET_WORKFLOW,
	T_SET_ASSIGNEE, T_SET_DEPT, T_SET_CUSTOMER, T_SET_FIRST, T_SET_RESOLVED, T_SET_CLOSED,
	T_MSG_INSERT, T_MSG_EACH, T_MSG_BY_ID, T_AGENT_REPLIES, T_ATT_INSERT, T_ATT_GET, T_ATT_EACH,
	T_EV_INSERT, T_EV_EACH, T_ORDER_LINK, T_ORDER_EACH, T_FTS_DEL, T_FTS_INSERT, T_LIST, T_LIST_MATCH,
	T_ROW_GET, T_BY_CONV, T_TOUCH, T_MSG_TICKET, T_SET_VERIFIED,
	T_END
};
_Static_assert(T_END <= STORE_SLOT_MAIL, "store_ticket.c's statements run into store_mail.c's slots");

#define TICKET_COLS "t.id, t.site_id, t.subject, t.channel, t.type, t.priority, t.status, " \
	"coalesce(t.assignee_id, 0), coalesce(t.department_id, 0), coalesce(t.customer_id, 0), " \
	"coalesce(t.conversation_id, 0), coalesce(t.form_id, 0), t.requester_name, t.requester_email, " \
	"t.requester_phone, t.tags, t.workflow_state, t.workflow, t.created_at, t.updated_at, " \
	"t.first_response_at, t.resolved_at, t.closed_at, t.sla_first_due, t.sla_resolve_due, t.escalated_at, " \
	"t.sla_breached, t.csat_rating, t.csat_comment, t.csat_at, t.customer_verified"
#define ROW_COLS TICKET_COLS ", coalesce(u.name, ''), coalesce(d.name, ''), s.name"
#define ROW_FROM " FROM tickets t JOIN sites s ON s.id = t.site_id LEFT JOIN users u ON u.id = t.assignee_id " \
	"LEFT JOIN departments d ON d.id = t.department_id "
/* The list's filters, ?1 .. ?11 and ?13; ?12 the FTS expression (T_LIST_MATCH only). */
#define LIST_WHERE "WHERE (?1 = 0 OR t.site_id IN (SELECT site_id FROM site_members WHERE user_id = ?1)) " \
	"AND (?2 = 0 OR t.site_id = ?2) AND (?3 = 0 OR (?3 = -1 AND t.assignee_id IS NULL) OR t.assignee_id = ?3) " \
	"AND (?4 = 0 OR t.department_id = ?4) AND (?5 = 0 OR t.customer_id = ?5) " \
	"AND (?6 = 0 OR (t.status IN ('new', 'open', 'pending') AND (t.sla_breached <> 0 OR " \
	"(t.sla_resolve_due > 0 AND t.sla_resolve_due < ?6)))) " \
	"AND (?7 = '' OR (?7 = 'active' AND t.status IN ('new', 'open', 'pending')) OR t.status = ?7) " \
	"AND (?8 = '' OR t.type = ?8) AND (?9 = '' OR t.priority = ?9) AND (?10 = 0 OR t.id < ?10) " \
	"AND (?13 = 0 OR t.customer_verified = 1) "

static sqlite3_stmt *q(struct store *st, int slot)
{
	static const char *const sql[T_END - STORE_SLOT_TICKET] = {
#define S(x) [x - STORE_SLOT_TICKET]
#define SET(col, val) "UPDATE tickets SET " col " = " val ", updated_at = ?3 WHERE id = ?1"
		S(T_BEGIN) = "BEGIN IMMEDIATE",
		S(T_COMMIT) = "COMMIT",
		S(T_ROLLBACK) = "ROLLBACK",
		S(T_INSERT) = "INSERT INTO tickets (site_id, subject, channel, type, priority, status, assignee_id, "
			      "department_id, customer_id, conversation_id, form_id, requester_name, requester_email, "
			      "requester_phone, tags, workflow_state, workflow, created_at, updated_at, customer_verified) VALUES "
			      "(?1, ?2, ?3, ?4, ?5, ?6, nullif(?7, 0), nullif(?8, 0), nullif(?9, 0), nullif(?10, 0), "
			      "nullif(?11, 0), ?12, ?13, ?14, ?15, ?16, ?17, ?19, ?19, ?20 AND ?9 <> 0)",
		S(T_GET) = "SELECT " TICKET_COLS " FROM tickets t WHERE t.id = ?1",
		S(T_TOKEN) = "SELECT token_gen FROM tickets WHERE id = ?1",
		S(T_SET_STATUS) = SET("status", "?2"),
		S(T_SET_PRIORITY) = SET("priority", "?2"),
		S(T_SET_TYPE) = SET("type", "?2"),
		S(T_SET_TAGS) = SET("tags", "?2"),
		S(T_SET_SUBJECT) = SET("subject", "?2"),
		S(T_SET_WSTATE) = SET("workflow_state", "?2"),
		S(T_SET_WORKFLOW) = SET("workflow", "?2"),
		S(T_SET_ASSIGNEE) = SET("assignee_id", "nullif(?2, 0)"),
		S(T_SET_DEPT) = SET("department_id", "nullif(?2, 0)"),
		S(T_SET_CUSTOMER) = SET("customer_id", "nullif(?2, 0)"),
		S(T_SET_FIRST) = SET("first_response_at", "?2"),
		S(T_SET_RESOLVED) = SET("resolved_at", "?2"),
		S(T_SET_CLOSED) = SET("closed_at", "?2"),
		S(T_SET_VERIFIED) = SET("customer_verified", "?2"),
		S(T_MSG_INSERT) = "INSERT INTO ticket_messages (ticket_id, site_id, kind, author_kind, user_id, author_name, "
				  "author_email, body, message_id, created_at) VALUES (?1, (SELECT site_id FROM tickets "
				  "WHERE id = ?1), ?2, ?3, ?4, ?5, ?6, ?7, nullif(?8, ''), ?9)",
		S(T_MSG_EACH) = "SELECT id, ticket_id, kind, author_kind, user_id, author_name, author_email, body, "
				"coalesce(message_id, ''), created_at FROM ticket_messages WHERE ticket_id = ?1 "
				"AND (?2 OR kind <> 'note') ORDER BY id",
		S(T_MSG_BY_ID) = "SELECT m.ticket_id FROM ticket_messages m JOIN tickets t ON t.id = m.ticket_id "
				 "WHERE m.message_id = ?2 AND t.site_id = ?1",
		S(T_AGENT_REPLIES) = "SELECT count(*) FROM ticket_messages WHERE ticket_id = ?1 AND kind = 'public' "
				     "AND author_kind = 'agent'",
		S(T_ATT_INSERT) = "INSERT INTO ticket_attachments (ticket_id, message_id, sha256, name, content_type, size, "
				  "created_at) VALUES (?1, nullif(?2, 0), ?3, ?4, ?5, ?6, ?7)",
		S(T_ATT_GET) = "SELECT id, ticket_id, coalesce(message_id, 0), sha256, name, content_type, size, created_at "
			       "FROM ticket_attachments WHERE id = ?1",
		S(T_ATT_EACH) = "SELECT id, ticket_id, coalesce(message_id, 0), sha256, name, content_type, size, created_at "
				"FROM ticket_attachments WHERE ticket_id = ?1 ORDER BY id",
		S(T_EV_INSERT) = "INSERT INTO ticket_events (ticket_id, actor, user_id, field, old, new, at) "
				 "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
		S(T_EV_EACH) = "SELECT e.id, e.ticket_id, e.actor, e.user_id, e.field, e.old, e.new, e.at, "
			       "coalesce(u.name, '') FROM ticket_events e LEFT JOIN users u ON u.id = e.user_id "
			       "WHERE e.ticket_id = ?1 ORDER BY e.id",
		S(T_ORDER_LINK) = "INSERT INTO ticket_orders (ticket_id, order_id) VALUES (?1, ?2)",
		S(T_ORDER_EACH) = "SELECT o.id, o.number, o.status, o.currency, o.total_cents, o.placed_at FROM "
				  "ticket_orders x JOIN orders o ON o.id = x.order_id WHERE x.ticket_id = ?1 "
				  "ORDER BY o.placed_at DESC",
		S(T_FTS_DEL) = "DELETE FROM ticket_fts WHERE rowid = ?1",
		S(T_FTS_INSERT) = "INSERT INTO ticket_fts (rowid, bi, uni) VALUES (?1, ?2, ?3)",
		S(T_LIST) = "SELECT " ROW_COLS ROW_FROM LIST_WHERE "ORDER BY t.id DESC LIMIT ?11",
		S(T_LIST_MATCH) = "SELECT " ROW_COLS ROW_FROM LIST_WHERE
				  "AND t.id IN (SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH ?12) "
				  "ORDER BY t.id DESC LIMIT ?11",
		S(T_ROW_GET) = "SELECT " ROW_COLS ROW_FROM "WHERE t.id = ?1",
		S(T_TOUCH) = "UPDATE tickets SET updated_at = ?2 WHERE id = ?1",
		S(T_MSG_TICKET) = "SELECT ticket_id FROM ticket_messages WHERE id = ?1",
		S(T_BY_CONV) = "SELECT id FROM tickets WHERE conversation_id = ?1 ORDER BY id LIMIT 1",
#undef SET
#undef S
	};
	return store__stmt(st, slot, sql[slot - STORE_SLOT_TICKET]);
}

static int tx(struct store *st, int slot)
{
	sqlite3_stmt *s = q(st, slot);
	return s ? store__run(st, s) : KF_EIO;
}

int store_ticket_begin(struct store *st) { return tx(st, T_BEGIN); }
int store_ticket_commit(struct store *st) { return tx(st, T_COMMIT); }
void store_ticket_rollback(struct store *st) { tx(st, T_ROLLBACK); }

int store_ticket_insert(struct store *st, const struct ticket *t, int64_t *id)
{
	sqlite3_stmt *s = q(st, T_INSERT);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, t->site_id);
	store__bind_text(s, 2, t->subject);
	store__bind_text(s, 3, t->channel);
	store__bind_text(s, 4, t->type);
	store__bind_text(s, 5, t->priority);
	store__bind_text(s, 6, t->status);
	sqlite3_bind_int64(s, 7, t->assignee_id);
	sqlite3_bind_int64(s, 8, t->department_id);
	sqlite3_bind_int64(s, 9, t->customer_id);
	sqlite3_bind_int64(s, 10, t->conversation_id);
	sqlite3_bind_int64(s, 11, t->form_id);
	store__bind_text(s, 12, t->requester_name);
	store__bind_text(s, 13, t->requester_email);
	store__bind_text(s, 14, t->requester_phone);
	store__bind_text(s, 15, t->tags);
	store__bind_text(s, 16, t->workflow_state);
	store__bind_text(s, 17, t->workflow);
	sqlite3_bind_int64(s, 19, t->created_at);
	sqlite3_bind_int(s, 20, t->customer_verified ? 1 : 0);
	return store__insert(st, s, id);
}

static void read_ticket(sqlite3_stmt *s, struct ticket *t)
{
	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(s, 0);
	t->site_id = sqlite3_column_int64(s, 1);
	store__text(s, 2, t->subject, sizeof(t->subject));
	store__text(s, 3, t->channel, sizeof(t->channel));
	store__text(s, 4, t->type, sizeof(t->type));
	store__text(s, 5, t->priority, sizeof(t->priority));
	store__text(s, 6, t->status, sizeof(t->status));
	t->assignee_id = sqlite3_column_int64(s, 7);
	t->department_id = sqlite3_column_int64(s, 8);
	t->customer_id = sqlite3_column_int64(s, 9);
	t->conversation_id = sqlite3_column_int64(s, 10);
	t->form_id = sqlite3_column_int64(s, 11);
	store__text(s, 12, t->requester_name, sizeof(t->requester_name));
	store__text(s, 13, t->requester_email, sizeof(t->requester_email));
	store__text(s, 14, t->requester_phone, sizeof(t->requester_phone));
	store__text(s, 15, t->tags, sizeof(t->tags));
	store__text(s, 16, t->workflow_state, sizeof(t->workflow_state));
	store__text(s, 17, t->workflow, sizeof(t->workflow));
	t->created_at = sqlite3_column_int64(s, 18);
	t->updated_at = sqlite3_column_int64(s, 19);
	t->first_response_at = sqlite3_column_int64(s, 20);
	t->resolved_at = sqlite3_column_int64(s, 21);
	t->closed_at = sqlite3_column_int64(s, 22);
	t->sla_first_due = sqlite3_column_int64(s, 23);
	t->sla_resolve_due = sqlite3_column_int64(s, 24);
	t->escalated_at = sqlite3_column_int64(s, 25);
	t->sla_breached = sqlite3_column_int(s, 26);
	t->csat_rating = sqlite3_column_int(s, 27);
	store__text(s, 28, t->csat_comment, sizeof(t->csat_comment));
	t->csat_at = sqlite3_column_int64(s, 29);
	t->customer_verified = sqlite3_column_int(s, 30);
}

static void ticket_cb(sqlite3_stmt *s, void *out) { read_ticket(s, out); }

int store_ticket_get(struct store *st, int64_t id, struct ticket *out)
{
	sqlite3_stmt *s = q(st, T_GET);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	return store__one(st, s, ticket_cb, out);
}

static void token_cb(sqlite3_stmt *s, void *out) { *(int64_t *)out = sqlite3_column_int64(s, 0); }

int store_ticket_token_gen(struct store *st, int64_t id, int64_t *gen)
{
	sqlite3_stmt *s = q(st, T_TOKEN);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	return store__one(st, s, token_cb, gen);
}

static const struct { const char *col; int slot; } text_cols[] = {
	{"status", T_SET_STATUS}, {"priority", T_SET_PRIORITY}, {"type", T_SET_TYPE}, {"tags", T_SET_TAGS},
	{"subject", T_SET_SUBJECT}, {"workflow_state", T_SET_WSTATE}, {"workflow", T_SET_WORKFLOW},
}, int_cols[] = {
	{"assignee_id", T_SET_ASSIGNEE}, {"department_id", T_SET_DEPT}, {"customer_id", T_SET_CUSTOMER},
	{"first_response_at", T_SET_FIRST}, {"resolved_at", T_SET_RESOLVED}, {"closed_at", T_SET_CLOSED},
	{"customer_verified", T_SET_VERIFIED},
};

/* The UPDATE of column among cols (n of them), bound with id and now; NULL when unknown. */
static sqlite3_stmt *set_stmt(struct store *st, const void *cols, size_t n, const char *column, int64_t id,
			      int64_t now, int *unknown)
{
	const struct { const char *col; int slot; } *c = cols;
	for (size_t i = 0; i < n; i++)
		if (strcmp(c[i].col, column) == 0) {
			sqlite3_stmt *s = q(st, c[i].slot);
			if (s) {
				sqlite3_bind_int64(s, 1, id);
				sqlite3_bind_int64(s, 3, now);
			}
			return s;
		}
	*unknown = 1;
	return NULL;
}

int store_ticket_set_text(struct store *st, int64_t id, const char *column, const char *value, int64_t now)
{
	int unknown = 0;
	sqlite3_stmt *s = set_stmt(st, text_cols, KF_ARRAY_LEN(text_cols), column, id, now, &unknown);
	if (!s)
		return unknown ? KF_EINVAL : KF_EIO;
	store__bind_text(s, 2, value);
	return store__run_one(st, s);
}

int store_ticket_set_int(struct store *st, int64_t id, const char *column, int64_t value, int64_t now)
{
	int unknown = 0;
	sqlite3_stmt *s = set_stmt(st, int_cols, KF_ARRAY_LEN(int_cols), column, id, now, &unknown);
	if (!s)
		return unknown ? KF_EINVAL : KF_EIO;
	sqlite3_bind_int64(s, 2, value);
	return store__run_one(st, s);
}

int store_ticket_msg_insert(struct store *st, struct store_ticket_msg *m)
{
	sqlite3_stmt *s = q(st, T_MSG_INSERT);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, m->ticket_id);
	store__bind_text(s, 2, m->kind);
	store__bind_text(s, 3, m->author_kind);
	sqlite3_bind_int64(s, 4, m->user_id);
	store__bind_text(s, 5, m->author_name);
	store__bind_text(s, 6, m->author_email);
	store__bind_text(s, 7, m->body);
	store__bind_text(s, 8, m->message_id);
	sqlite3_bind_int64(s, 9, m->created_at);
	return store__insert(st, s, &m->id);
}

int store_ticket_msg_each(struct store *st, int64_t ticket_id, int with_notes,
			  int (*cb)(void *ud, const struct store_ticket_msg *m), void *ud)
{
	sqlite3_stmt *s = q(st, T_MSG_EACH);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, ticket_id);
	sqlite3_bind_int(s, 2, with_notes);
	int rc, stop = 0;
	while (!stop && (rc = store__step(st, s)) == SQLITE_ROW) {
		struct store_ticket_msg m;
		memset(&m, 0, sizeof(m));
		m.id = sqlite3_column_int64(s, 0);
		m.ticket_id = sqlite3_column_int64(s, 1);
		store__text(s, 2, m.kind, sizeof(m.kind));
		store__text(s, 3, m.author_kind, sizeof(m.author_kind));
		m.user_id = sqlite3_column_int64(s, 4);
		store__text(s, 5, m.author_name, sizeof(m.author_name));
		store__text(s, 6, m.author_email, sizeof(m.author_email));
		const unsigned char *b = sqlite3_column_text(s, 7);
		m.body = b ? (const char *)b : "";
		store__text(s, 8, m.message_id, sizeof(m.message_id));
		m.created_at = sqlite3_column_int64(s, 9);
		stop = cb(ud, &m);
	}
	sqlite3_reset(s);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : store__err(st, "ticket messages");
}

int store_ticket_by_message_id(struct store *st, int64_t site_id, const char *message_id, int64_t *ticket_id)
{
	sqlite3_stmt *s = q(st, T_MSG_BY_ID);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	store__bind_text(s, 2, message_id);
	return store__one_int(st, s, ticket_id);
}

int store_ticket_agent_replies(struct store *st, int64_t ticket_id, int64_t *n)
{
	sqlite3_stmt *s = q(st, T_AGENT_REPLIES);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, ticket_id);
	return store__one_int(st, s, n);
}

int store_ticket_att_insert(struct store *st, struct store_ticket_att *a)
{
	sqlite3_stmt *s = q(st, T_ATT_INSERT);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, a->ticket_id);
	sqlite3_bind_int64(s, 2, a->message_id);
	store__bind_text(s, 3, a->sha256);
	store__bind_text(s, 4, a->name);
	store__bind_text(s, 5, a->content_type);
	sqlite3_bind_int64(s, 6, a->size);
	sqlite3_bind_int64(s, 7, a->created_at);
	return store__insert(st, s, &a->id);
}

static void read_att(sqlite3_stmt *s, void *out)
{
	struct store_ticket_att *a = out;
	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(s, 0);
	a->ticket_id = sqlite3_column_int64(s, 1);
	a->message_id = sqlite3_column_int64(s, 2);
	store__text(s, 3, a->sha256, sizeof(a->sha256));
	store__text(s, 4, a->name, sizeof(a->name));
	store__text(s, 5, a->content_type, sizeof(a->content_type));
	a->size = sqlite3_column_int64(s, 6);
	a->created_at = sqlite3_column_int64(s, 7);
}

int store_ticket_att_get(struct store *st, int64_t id, struct store_ticket_att *out)
{
	sqlite3_stmt *s = q(st, T_ATT_GET);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	return store__one(st, s, read_att, out);
}

int store_ticket_att_each(struct store *st, int64_t ticket_id,
			  int (*cb)(void *ud, const struct store_ticket_att *a), void *ud)
{
	sqlite3_stmt *s = q(st, T_ATT_EACH);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, ticket_id);
	int rc, stop = 0;
	while (!stop && (rc = store__step(st, s)) == SQLITE_ROW) {
		struct store_ticket_att a;
		read_att(s, &a);
		stop = cb(ud, &a);
	}
	sqlite3_reset(s);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : store__err(st, "ticket attachments");
}

int store_ticket_event_add(struct store *st, const struct store_ticket_event *e)
{
	sqlite3_stmt *s = q(st, T_EV_INSERT);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, e->ticket_id);
	store__bind_text(s, 2, e->actor);
	sqlite3_bind_int64(s, 3, e->user_id);
	store__bind_text(s, 4, e->field);
	store__bind_text(s, 5, e->old);
	store__bind_text(s, 6, e->new_value);
	sqlite3_bind_int64(s, 7, e->at);
	return store__run(st, s);
}

int store_ticket_event_each(struct store *st, int64_t ticket_id,
			    int (*cb)(void *ud, const struct store_ticket_event *e), void *ud)
{
	sqlite3_stmt *s = q(st, T_EV_EACH);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, ticket_id);
	int rc, stop = 0;
	while (!stop && (rc = store__step(st, s)) == SQLITE_ROW) {
		struct store_ticket_event e;
		memset(&e, 0, sizeof(e));
		e.id = sqlite3_column_int64(s, 0);
		e.ticket_id = sqlite3_column_int64(s, 1);
		store__text(s, 2, e.actor, sizeof(e.actor));
		e.user_id = sqlite3_column_int64(s, 3);
		store__text(s, 4, e.field, sizeof(e.field));
		store__text(s, 5, e.old, sizeof(e.old));
		store__text(s, 6, e.new_value, sizeof(e.new_value));
		e.at = sqlite3_column_int64(s, 7);
		store__text(s, 8, e.user_name, sizeof(e.user_name));
		stop = cb(ud, &e);
	}
	sqlite3_reset(s);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : store__err(st, "ticket events");
}

int store_ticket_order_link(struct store *st, int64_t ticket_id, int64_t order_id)
{
	sqlite3_stmt *s = q(st, T_ORDER_LINK);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, ticket_id);
	sqlite3_bind_int64(s, 2, order_id);
	return store__run(st, s);
}

int store_ticket_order_each(struct store *st, int64_t ticket_id,
			    int (*cb)(void *ud, const struct store_ticket_order *o), void *ud)
{
	sqlite3_stmt *s = q(st, T_ORDER_EACH);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, ticket_id);
	int rc, stop = 0;
	while (!stop && (rc = store__step(st, s)) == SQLITE_ROW) {
		struct store_ticket_order o;
		memset(&o, 0, sizeof(o));
		o.order_id = sqlite3_column_int64(s, 0);
		store__text(s, 1, o.number, sizeof(o.number));
		store__text(s, 2, o.status, sizeof(o.status));
		store__text(s, 3, o.currency, sizeof(o.currency));
		o.total_cents = sqlite3_column_int64(s, 4);
		o.placed_at = sqlite3_column_int64(s, 5);
		stop = cb(ud, &o);
	}
	sqlite3_reset(s);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : store__err(st, "ticket orders");
}

int store_ticket_index(struct store *st, int64_t ticket_id, const char *bi, const char *uni)
{
	sqlite3_stmt *s = q(st, T_FTS_DEL);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, ticket_id);
	int rc = store__run(st, s);
	if (rc || !(s = q(st, T_FTS_INSERT)))
		return rc ? rc : KF_EIO;
	sqlite3_bind_int64(s, 1, ticket_id);
	store__bind_text(s, 2, bi);
	store__bind_text(s, 3, uni);
	return store__run(st, s);
}

static void read_row(sqlite3_stmt *s, void *out)
{
	struct store_ticket_row *r = out;
	read_ticket(s, &r->t);
	store__text(s, 31, r->assignee_name, sizeof(r->assignee_name));
	store__text(s, 32, r->department_name, sizeof(r->department_name));
	store__text(s, 33, r->site_name, sizeof(r->site_name));
}

int store_ticket_row_get(struct store *st, int64_t id, struct store_ticket_row *out)
{
	sqlite3_stmt *s = q(st, T_ROW_GET);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	return store__one(st, s, read_row, out);
}

int store_ticket_list(struct store *st, const struct store_ticket_filter *f,
		      int (*cb)(void *ud, const struct store_ticket_row *r), void *ud)
{
	int with_match = f->match && f->match[0];
	sqlite3_stmt *s = q(st, with_match ? T_LIST_MATCH : T_LIST);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, f->member_of);
	sqlite3_bind_int64(s, 2, f->site_id);
	sqlite3_bind_int64(s, 3, f->assignee_id);
	sqlite3_bind_int64(s, 4, f->department_id);
	sqlite3_bind_int64(s, 5, f->customer_id);
	sqlite3_bind_int64(s, 6, f->risk_until);
	store__bind_text(s, 7, f->status);
	store__bind_text(s, 8, f->type);
	store__bind_text(s, 9, f->priority);
	sqlite3_bind_int64(s, 10, f->before);
	sqlite3_bind_int(s, 11, f->limit > 0 ? f->limit : 50);
	if (with_match)
		store__bind_text(s, 12, f->match);
	sqlite3_bind_int(s, 13, f->verified_only ? 1 : 0);
	int rc, stop = 0;
	struct store_ticket_row row;   /* about 7 KB */
	while (!stop && (rc = store__step(st, s)) == SQLITE_ROW) {
		read_row(s, &row);
		stop = cb(ud, &row);
	}
	sqlite3_reset(s);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : store__err(st, "ticket list");
}

int store_ticket_by_conversation(struct store *st, int64_t conv_id, int64_t *ticket_id)
{
	sqlite3_stmt *s = q(st, T_BY_CONV);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, conv_id);
	return store__one_int(st, s, ticket_id);
}

int store_ticket_touch(struct store *st, int64_t id, int64_t now)
{
	sqlite3_stmt *s = q(st, T_TOUCH);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, now);
	return store__run_one(st, s);
}

int store_ticket_msg_ticket(struct store *st, int64_t msg_id, int64_t *ticket_id)
{
	sqlite3_stmt *s = q(st, T_MSG_TICKET);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, msg_id);
	return store__one_int(st, s, ticket_id);
}
