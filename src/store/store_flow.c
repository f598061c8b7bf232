/* store/store_flow.c - the SQLite backend of store_flow.h. It reads the ticket tables the core
 * writes, read only. */
#include "store/store_flow.h"
#include "store/store_int.h"
#include "core/kf.h"
#include <stdio.h>
#include <string.h>

enum { W_OPEN = STORE_SLOT_FLOW, W_THREAD, W_END };
_Static_assert(W_END <= STORE_SLOTS, "store_flow.c's statements run past the slot table");

static sqlite3_stmt *q(struct store *st, int slot)
{
	static const char *const sql[W_END - STORE_SLOT_FLOW] = {
#define S(x) [x - STORE_SLOT_FLOW]
		S(W_OPEN) = ("SELECT t.workflow FROM ticket_orders o JOIN tickets t ON t.id = o.ticket_id WHERE "
			    "o.order_id = ?1 AND t.type = 'return' AND t.workflow_state IN ('requested', 'approved', "
			    "'goods_received') ORDER BY t.id"),
		S(W_THREAD) = ("SELECT author_kind, author_name, body, created_at FROM ticket_messages WHERE "
			       "ticket_id = ?1 AND kind = 'public' ORDER BY id LIMIT ?2"),
#undef S
	};
	return store__stmt(st, slot, sql[slot - STORE_SLOT_FLOW]);
}

int store_flow_open_returns(struct store *st, int64_t order_id, int (*cb)(void *ud, const char *workflow), void *ud)
{
	sqlite3_stmt *s = q(st, W_OPEN);
	int rc;
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, order_id);
	while ((rc = store__step(st, s)) == SQLITE_ROW) {
		const char *w = (const char *)sqlite3_column_text(s, 0);
		if (cb(ud, w ? w : "{}"))
			break;
	}
	int bad = rc != SQLITE_ROW && rc != SQLITE_DONE;
	if (bad)
		store__err(st, "flow open returns");   /* before the reset, which clears the message */
	sqlite3_reset(s);
	return bad ? KF_EIO : 0;
}

int store_flow_public_thread(struct store *st, int64_t ticket_id, int limit,
			     int (*cb)(void *ud, const struct store_flow_msg *m), void *ud)
{
	sqlite3_stmt *s = q(st, W_THREAD);
	struct store_flow_msg m;
	int rc;
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, ticket_id);
	sqlite3_bind_int(s, 2, limit);
	while ((rc = store__step(st, s)) == SQLITE_ROW) {
		store__text(s, 0, m.author_kind, sizeof(m.author_kind));
		store__text(s, 1, m.author_name, sizeof(m.author_name));
		m.body = (const char *)sqlite3_column_text(s, 2);
		m.body = m.body ? m.body : "";
		m.created_at = sqlite3_column_int64(s, 3);
		if (cb(ud, &m))
			break;
	}
	int bad = rc != SQLITE_ROW && rc != SQLITE_DONE;
	if (bad)
		store__err(st, "flow thread");   /* before the reset, which clears the message */
	sqlite3_reset(s);
	return bad ? KF_EIO : 0;
}
