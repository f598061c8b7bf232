/* store/store_mail.c - the SQLite backend of store_mail.h: mailboxes, the outbox and the
 * rejects. The outbox is claimed row by row (next_at pushed far ahead before the send), so a
 * crash mid-send can delay a mail but a second sender never picks the same row. */
#include "store/store_mail.h"
#include "store/store_int.h"
#include "core/alloc.h"
#include "core/kf.h"
#include "core/util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	M_MB_INSERT = STORE_SLOT_MAIL, M_MB_UPDATE, M_MB_DELETE, M_MB_GET, M_MB_SITE, M_MB_NEXT_IMAP, M_MB_BY_ADDR,
	M_MB_FOR_TICKET, M_MB_SET_UID, M_REJ_ADD, M_REJ_LIST, M_OUT_ADD, M_OUT_DUE, M_OUT_HOLD, M_OUT_SENT,
	M_OUT_FAILED, M_OUT_LIST, M_OUT_HAS_ID, M_OUT_RETRY, M_OUT_DELETE, M_MSG_SET_ID, M_MSG_CUSTOMER_IDS, M_MSG_BY_ID, M_MSG_SEEN, M_BEGIN, M_COMMIT, M_ROLLBACK,
	M_END
};
_Static_assert(M_END <= STORE_SLOT_FORM, "too many statements for the slot table");

#define MB_COLS "id, site_id, coalesce(department_id, 0), address, name, imap_url, imap_user, imap_password, " \
		"smtp_url, smtp_user, smtp_password, smtp_tls, signature, poll_seconds, enabled, last_uid, " \
		"uid_validity, created_at"
#define OUT_COLS "id, coalesce(ticket_id, 0), coalesce(mailbox_id, 0), to_addr, message_id, last_error, attempts, " \
		 "next_at, sent_at, created_at, claimed_at"

static sqlite3_stmt *q(struct store *st, int slot)
{
	static const char *const sql[M_END - STORE_SLOT_MAIL] = {
#define S(x) [x - STORE_SLOT_MAIL]
		S(M_MB_INSERT) = "INSERT INTO mailboxes (site_id, department_id, address, name, imap_url, imap_user, "
				 "imap_password, smtp_url, smtp_user, smtp_password, smtp_tls, signature, poll_seconds, "
				 "enabled, created_at) VALUES (?1, nullif(?2, 0), ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
				 "?13, ?14, ?15)",
		S(M_MB_UPDATE) = "UPDATE mailboxes SET department_id = nullif(?2, 0), address = ?3, name = ?4, imap_url = ?5, "
				 "imap_user = ?6, imap_password = ?7, smtp_url = ?8, smtp_user = ?9, smtp_password = ?10, "
				 "smtp_tls = ?11, signature = ?12, poll_seconds = ?13, enabled = ?14 WHERE id = ?1",
		S(M_MB_DELETE) = "DELETE FROM mailboxes WHERE id = ?1",
		S(M_MB_GET) = "SELECT " MB_COLS " FROM mailboxes WHERE id = ?1",
		S(M_MB_SITE) = "SELECT " MB_COLS " FROM mailboxes WHERE site_id = ?1 ORDER BY id",
		S(M_MB_NEXT_IMAP) = "SELECT " MB_COLS " FROM mailboxes WHERE id > ?1 AND enabled = 1 AND imap_url <> '' "
				    "ORDER BY id LIMIT 1",
		S(M_MB_BY_ADDR) = "SELECT " MB_COLS " FROM mailboxes WHERE address = ?2 AND (?1 = 0 OR site_id = ?1) "
				  "ORDER BY id LIMIT 1",
		S(M_MB_FOR_TICKET) = "SELECT " MB_COLS " FROM mailboxes WHERE site_id = ?1 AND enabled = 1 "
				     "ORDER BY coalesce(department_id, 0) = ?2 DESC, id LIMIT 1",
		S(M_MB_SET_UID) = "UPDATE mailboxes SET last_uid = ?2, uid_validity = ?3 WHERE id = ?1",
		S(M_REJ_ADD) = "INSERT INTO mail_rejects (mailbox_id, message_id, reason, size, at) "
			       "VALUES (nullif(?1, 0), ?2, ?3, ?4, ?5)",
		S(M_REJ_LIST) = "SELECT id, coalesce(mailbox_id, 0), size, at, message_id, reason FROM mail_rejects "
				"ORDER BY id DESC LIMIT ?1",
		S(M_OUT_ADD) = "INSERT INTO mail_outbox (ticket_id, mailbox_id, to_addr, message_id, raw, next_at, created_at) "
			       "VALUES (nullif(?1, 0), nullif(?2, 0), ?3, ?4, ?5, ?6, ?6)",
		S(M_OUT_DUE) = "SELECT " OUT_COLS ", raw FROM mail_outbox WHERE sent_at = 0 AND claimed_at = 0 AND "
			       "next_at <= ?1 AND attempts < ?2 ORDER BY next_at, id LIMIT 1",
		S(M_OUT_HOLD) = "UPDATE mail_outbox SET claimed_at = ?2 WHERE id = ?1 AND sent_at = 0 AND claimed_at = 0",
		S(M_OUT_SENT) = "UPDATE mail_outbox SET sent_at = ?2, attempts = attempts + 1, last_error = '', claimed_at = 0 "
			       "WHERE id = ?1",
		S(M_OUT_FAILED) = "UPDATE mail_outbox SET attempts = ?2, next_at = ?3, last_error = ?4, claimed_at = 0 "
				  "WHERE id = ?1",
		S(M_OUT_LIST) = "SELECT " OUT_COLS " FROM mail_outbox WHERE CASE ?1 WHEN 'sent' THEN sent_at > 0 "
				"WHEN 'pending' THEN sent_at = 0 AND attempts < ?2 AND NOT (claimed_at > 0 AND "
				"claimed_at < ?4) WHEN 'failed' THEN sent_at = 0 AND (attempts >= ?2 OR (claimed_at > 0 "
				"AND claimed_at < ?4)) ELSE 1 END ORDER BY id DESC LIMIT ?3",
		/* an admin's retry of a failed or stuck row: due now, a fresh count */
		S(M_OUT_RETRY) = "UPDATE mail_outbox SET attempts = 0, next_at = ?3, claimed_at = 0, last_error = '' "
				 "WHERE id = ?1 AND sent_at = 0 AND (attempts >= ?2 OR (claimed_at > 0 AND claimed_at < ?4))",
		S(M_OUT_DELETE) = "DELETE FROM mail_outbox WHERE id = ?1 AND sent_at = 0 AND (attempts >= ?2 OR "
				  "(claimed_at > 0 AND claimed_at < ?4))",
		S(M_OUT_HAS_ID) = "SELECT 1 FROM mail_outbox WHERE message_id = ?1",
		S(M_MSG_SET_ID) = "UPDATE ticket_messages SET message_id = ?2 WHERE id = ?1 AND message_id IS NULL",
		S(M_MSG_CUSTOMER_IDS) = "SELECT message_id FROM ticket_messages WHERE ticket_id = ?1 AND author_kind = 'customer' "
					"AND message_id IS NOT NULL ORDER BY id DESC LIMIT ?2",
		S(M_MSG_BY_ID) = "SELECT ticket_id, id FROM ticket_messages WHERE site_id = ?1 AND message_id = ?2",
		S(M_MSG_SEEN) = "SELECT 1 FROM ticket_messages WHERE ticket_id = ?1 AND author_email = ?2 COLLATE NOCASE "
				"LIMIT 1",
		S(M_BEGIN) = "BEGIN IMMEDIATE",
		S(M_COMMIT) = "COMMIT",
		S(M_ROLLBACK) = "ROLLBACK",
#undef S
	};
	return store__stmt(st, slot, sql[slot - STORE_SLOT_MAIL]);
}

/* ---- mailboxes ---- */

static void mb_row(sqlite3_stmt *s, void *p)
{
	struct store_mailbox *m = p;
	memset(m, 0, sizeof(*m));
	m->id = sqlite3_column_int64(s, 0);
	m->site_id = sqlite3_column_int64(s, 1);
	m->department_id = sqlite3_column_int64(s, 2);
	store__text(s, 3, m->address, sizeof(m->address));
	store__text(s, 4, m->name, sizeof(m->name));
	store__text(s, 5, m->imap_url, sizeof(m->imap_url));
	store__text(s, 6, m->imap_user, sizeof(m->imap_user));
	store__text(s, 7, m->imap_password, sizeof(m->imap_password));
	store__text(s, 8, m->smtp_url, sizeof(m->smtp_url));
	store__text(s, 9, m->smtp_user, sizeof(m->smtp_user));
	store__text(s, 10, m->smtp_password, sizeof(m->smtp_password));
	store__text(s, 11, m->smtp_tls, sizeof(m->smtp_tls));
	store__text(s, 12, m->signature, sizeof(m->signature));
	m->poll_seconds = sqlite3_column_int(s, 13);
	m->enabled = sqlite3_column_int(s, 14);
	m->last_uid = sqlite3_column_int64(s, 15);
	m->uid_validity = sqlite3_column_int64(s, 16);
	m->created_at = sqlite3_column_int64(s, 17);
}

/* Binds ?2..?14 (the editable fields); ?1 is the id or the site. */
static void bind_mb(sqlite3_stmt *s, const struct store_mailbox *m)
{
	sqlite3_bind_int64(s, 2, m->department_id);
	store__bind_text(s, 3, m->address);
	store__bind_text(s, 4, m->name);
	store__bind_text(s, 5, m->imap_url);
	store__bind_text(s, 6, m->imap_user);
	store__bind_text(s, 7, m->imap_password);
	store__bind_text(s, 8, m->smtp_url);
	store__bind_text(s, 9, m->smtp_user);
	store__bind_text(s, 10, m->smtp_password);
	store__bind_text(s, 11, m->smtp_tls[0] ? m->smtp_tls : "off");
	store__bind_text(s, 12, m->signature);
	sqlite3_bind_int(s, 13, m->poll_seconds > 0 ? m->poll_seconds : 60);
	sqlite3_bind_int(s, 14, m->enabled ? 1 : 0);
}

int store_mailbox_create(struct store *st, struct store_mailbox *m)
{
	sqlite3_stmt *s = q(st, M_MB_INSERT);
	if (!s)
		return KF_EIO;
	m->created_at = time_now_s();
	sqlite3_bind_int64(s, 1, m->site_id);
	bind_mb(s, m);
	sqlite3_bind_int64(s, 15, m->created_at);
	return store__insert(st, s, &m->id);
}

int store_mailbox_update(struct store *st, const struct store_mailbox *m)
{
	sqlite3_stmt *s = q(st, M_MB_UPDATE);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, m->id);
	bind_mb(s, m);
	return store__run(st, s);
}

int store_mailbox_delete(struct store *st, int64_t id)
{
	sqlite3_stmt *s = q(st, M_MB_DELETE);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	int rc = store__run(st, s);
	return rc ? rc : sqlite3_changes(st->db) ? 0 : KF_ENOTFOUND;
}

int store_mailbox_get(struct store *st, int64_t id, struct store_mailbox *out)
{
	sqlite3_stmt *s = q(st, M_MB_GET);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	return store__one(st, s, mb_row, out);
}

int store_mailbox_each(struct store *st, int64_t site_id, int (*cb)(void *, const struct store_mailbox *), void *ud)
{
	sqlite3_stmt *s = q(st, M_MB_SITE);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	int rc, ret = 0;
	while ((rc = store__step(st, s)) == SQLITE_ROW) {
		struct store_mailbox m;
		mb_row(s, &m);
		if ((ret = cb(ud, &m)) != 0)
			break;
	}
	sqlite3_reset(s);
	return ret ? ret : (rc == SQLITE_DONE || rc == SQLITE_ROW) ? 0 : store__err(st, "mailboxes");
}

int store_mailbox_next_imap(struct store *st, int64_t after_id, struct store_mailbox *out)
{
	sqlite3_stmt *s = q(st, M_MB_NEXT_IMAP);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, after_id);
	return store__one(st, s, mb_row, out);
}

int store_mailbox_by_address(struct store *st, int64_t site_id, const char *address, struct store_mailbox *out)
{
	sqlite3_stmt *s = q(st, M_MB_BY_ADDR);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	store__bind_text(s, 2, address);
	return store__one(st, s, mb_row, out);
}

int store_mailbox_for_ticket(struct store *st, int64_t site_id, int64_t dept_id, struct store_mailbox *out)
{
	sqlite3_stmt *s = q(st, M_MB_FOR_TICKET);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	sqlite3_bind_int64(s, 2, dept_id);
	return store__one(st, s, mb_row, out);
}

int store_mailbox_set_uid(struct store *st, int64_t id, int64_t last_uid, int64_t uid_validity)
{
	sqlite3_stmt *s = q(st, M_MB_SET_UID);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, last_uid);
	sqlite3_bind_int64(s, 3, uid_validity);
	return store__run(st, s);
}

/* ---- rejects ---- */

int store_mail_reject_add(struct store *st, int64_t mailbox_id, const char *message_id, const char *reason, int64_t size)
{
	sqlite3_stmt *s = q(st, M_REJ_ADD);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, mailbox_id);
	store__bind_text(s, 2, message_id);
	store__bind_text(s, 3, reason);
	sqlite3_bind_int64(s, 4, size);
	sqlite3_bind_int64(s, 5, time_now_s());
	return store__run(st, s);
}

int store_mail_reject_each(struct store *st, int limit, int (*cb)(void *, const struct store_mail_reject *), void *ud)
{
	sqlite3_stmt *s = q(st, M_REJ_LIST);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int(s, 1, limit);
	int rc, ret = 0;
	while ((rc = store__step(st, s)) == SQLITE_ROW) {
		struct store_mail_reject r;
		r.id = sqlite3_column_int64(s, 0);
		r.mailbox_id = sqlite3_column_int64(s, 1);
		r.size = sqlite3_column_int64(s, 2);
		r.at = sqlite3_column_int64(s, 3);
		store__text(s, 4, r.message_id, sizeof(r.message_id));
		store__text(s, 5, r.reason, sizeof(r.reason));
		if ((ret = cb(ud, &r)) != 0)
			break;
	}
	sqlite3_reset(s);
	return ret ? ret : (rc == SQLITE_DONE || rc == SQLITE_ROW) ? 0 : store__err(st, "mail_rejects");
}

/* ---- outbox ---- */

int store_outbox_add(struct store *st, int64_t ticket_id, int64_t mailbox_id, const char *to, const char *message_id,
		     const char *raw, int64_t now)
{
	sqlite3_stmt *s = q(st, M_OUT_ADD);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, ticket_id);
	sqlite3_bind_int64(s, 2, mailbox_id);
	store__bind_text(s, 3, to);
	store__bind_text(s, 4, message_id);
	store__bind_text(s, 5, raw);
	sqlite3_bind_int64(s, 6, now);
	return store__run(st, s);
}

static int run_slot(struct store *st, int slot)
{
	sqlite3_stmt *s = q(st, slot);
	return s ? store__run(st, s) : KF_EIO;
}

int store_outbox_queue(struct store *st, int64_t ticket_id, int64_t mailbox_id, int64_t msg_id, const char *to,
		       const char *message_id, const char *raw, int64_t now)
{
	int rc = run_slot(st, M_BEGIN);
	if (rc)
		return rc;
	rc = store_outbox_add(st, ticket_id, mailbox_id, to, message_id, raw, now);
	if (!rc)
		rc = store_mail_msg_set_id(st, msg_id, message_id);
	if (rc) {
		run_slot(st, M_ROLLBACK);
		return rc;
	}
	return run_slot(st, M_COMMIT);
}

static void out_row(sqlite3_stmt *s, void *p)
{
	struct store_outbox *o = p;
	memset(o, 0, sizeof(*o));
	o->id = sqlite3_column_int64(s, 0);
	o->ticket_id = sqlite3_column_int64(s, 1);
	o->mailbox_id = sqlite3_column_int64(s, 2);
	store__text(s, 3, o->to_addr, sizeof(o->to_addr));
	store__text(s, 4, o->message_id, sizeof(o->message_id));
	store__text(s, 5, o->last_error, sizeof(o->last_error));
	o->attempts = sqlite3_column_int(s, 6);
	o->next_at = sqlite3_column_int64(s, 7);
	o->sent_at = sqlite3_column_int64(s, 8);
	o->created_at = sqlite3_column_int64(s, 9);
	o->claimed_at = sqlite3_column_int64(s, 10);
}

static void out_row_raw(sqlite3_stmt *s, void *p)
{
	struct store_outbox *o = p;
	out_row(s, p);
	const unsigned char *raw = sqlite3_column_text(s, 11);
	o->raw = xstrdup(raw ? (const char *)raw : "");
}

int store_outbox_claim(struct store *st, int64_t now, struct store_outbox *out)
{
	sqlite3_stmt *s = q(st, M_OUT_DUE);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int(s, 2, MAIL_OUT_MAX_ATTEMPTS);
	int rc = store__one(st, s, out_row_raw, out);
	if (rc)
		return rc;
	/* the claim: only the caller whose UPDATE set claimed_at owns the row; the due query skips
	 * it from then on, and a crash before sent/failed leaves it "stuck" for an admin, never resent */
	s = q(st, M_OUT_HOLD);
	if (!s || (sqlite3_bind_int64(s, 1, out->id), sqlite3_bind_int64(s, 2, now), store__run(st, s)) != 0 ||
	    sqlite3_changes(st->db) != 1) {
		free(out->raw);
		out->raw = NULL;
		return s ? KF_ENOTFOUND : KF_EIO;
	}
	return 0;
}

int store_outbox_sent(struct store *st, int64_t id, int64_t now)
{
	sqlite3_stmt *s = q(st, M_OUT_SENT);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, now);
	return store__run(st, s);
}

int store_outbox_failed(struct store *st, int64_t id, int attempts, int64_t next_at, const char *error)
{
	sqlite3_stmt *s = q(st, M_OUT_FAILED);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int(s, 2, attempts);
	sqlite3_bind_int64(s, 3, next_at);
	store__bind_text(s, 4, error);
	return store__run(st, s);
}

int store_outbox_each(struct store *st, const char *status, int64_t stuck_before, int limit,
		      int (*cb)(void *, const struct store_outbox *), void *ud)
{
	sqlite3_stmt *s = q(st, M_OUT_LIST);
	if (!s)
		return KF_EIO;
	store__bind_text(s, 1, status);
	sqlite3_bind_int(s, 2, MAIL_OUT_MAX_ATTEMPTS);
	sqlite3_bind_int(s, 3, limit);
	sqlite3_bind_int64(s, 4, stuck_before);
	int rc, ret = 0;
	while ((rc = store__step(st, s)) == SQLITE_ROW) {
		struct store_outbox o;
		out_row(s, &o);
		if ((ret = cb(ud, &o)) != 0)
			break;
	}
	sqlite3_reset(s);
	return ret ? ret : (rc == SQLITE_DONE || rc == SQLITE_ROW) ? 0 : store__err(st, "mail_outbox");
}

static int out_admin(struct store *st, int slot, int64_t id, int64_t now, int64_t stuck_before)
{
	sqlite3_stmt *s = q(st, slot);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int(s, 2, MAIL_OUT_MAX_ATTEMPTS);
	sqlite3_bind_int64(s, 4, stuck_before);
	if (slot == M_OUT_RETRY)
		sqlite3_bind_int64(s, 3, now);
	int rc = store__run(st, s);
	return rc ? rc : sqlite3_changes(st->db) ? 0 : KF_ENOTFOUND;
}

int store_outbox_retry(struct store *st, int64_t id, int64_t now, int64_t stuck_before)
{
	return out_admin(st, M_OUT_RETRY, id, now, stuck_before);
}

int store_outbox_drop(struct store *st, int64_t id, int64_t stuck_before)
{
	return out_admin(st, M_OUT_DELETE, id, 0, stuck_before);
}

int store_outbox_has_id(struct store *st, const char *message_id)
{
	int64_t one;
	sqlite3_stmt *s = q(st, M_OUT_HAS_ID);
	if (!s)
		return KF_EIO;
	store__bind_text(s, 1, message_id);
	return store__one_int(st, s, &one);
}

/* ---- threading ---- */

int store_mail_msg_set_id(struct store *st, int64_t msg_id, const char *message_id)
{
	sqlite3_stmt *s = q(st, M_MSG_SET_ID);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, msg_id);
	store__bind_text(s, 2, message_id);
	return store__run(st, s);
}

int store_mail_customer_ids(struct store *st, int64_t ticket_id, char ids[][256], size_t max, size_t *n)
{
	sqlite3_stmt *s = q(st, M_MSG_CUSTOMER_IDS);
	*n = 0;
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, ticket_id);
	sqlite3_bind_int64(s, 2, (int64_t)max);
	int rc;
	while ((rc = store__step(st, s)) == SQLITE_ROW && *n < max)
		store__text(s, 0, ids[(*n)++], 256);
	sqlite3_reset(s);
	return (rc == SQLITE_DONE || rc == SQLITE_ROW) ? 0 : store__err(st, "ticket_messages");
}

static void two_ids(sqlite3_stmt *s, void *p)
{
	int64_t *v = p;
	v[0] = sqlite3_column_int64(s, 0);
	v[1] = sqlite3_column_int64(s, 1);
}

int store_mail_msg_ticket(struct store *st, int64_t site_id, const char *message_id, int64_t *ticket_id,
			  int64_t *msg_id)
{
	int64_t v[2];
	sqlite3_stmt *s = q(st, M_MSG_BY_ID);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	store__bind_text(s, 2, message_id);
	int rc = store__one(st, s, two_ids, v);
	if (rc == 0) {
		*ticket_id = v[0];
		if (msg_id)
			*msg_id = v[1];
	}
	return rc;
}

int store_mail_sender_seen(struct store *st, int64_t ticket_id, const char *email)
{
	int64_t one;
	sqlite3_stmt *s = q(st, M_MSG_SEEN);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, ticket_id);
	store__bind_text(s, 2, email);
	return store__one_int(st, s, &one);
}
