/* store/store_chat.c - the SQLite backend of store.h's live-chat part: sites, visitors,
 * conversations and messages. A message append is one transaction that takes the next
 * seq from its conversation, so seqs never repeat even across crashes. */
#include "store/store.h"
#include "store/store_int.h"
#include "core/kf.h"
#include "core/log.h"
#include "core/util.h"
#include <stdio.h>
#include <string.h>

enum {
	C_SITE_INSERT = STORE_SLOT_CHAT, C_SITE_UPDATE, C_SITE_GET, C_SITE_BY_KEY, C_SITE_ALL, C_SITE_MINE,
	C_MEMBERS, C_MEMBERS_DEL, C_MEMBER_ADD, C_IS_MEMBER,
	C_VIS_INSERT, C_VIS_BY_TOKEN, C_VIS_UPDATE, C_VIS_GET,
	C_CONV_INSERT, C_CONV_GET, C_CONV_OPEN, C_CONV_STATUS, C_CONV_READ_V, C_CONV_READ_A, C_CONV_RATE,
	C_CONV_ACTIVE, C_CONV_SUMMARY, C_CONV_LIST,
	C_MSG_FIND, C_MSG_BUMP, C_MSG_INSERT, C_MSG_AFTER, C_BEGIN, C_COMMIT, C_ROLLBACK,
	C_FTS_INSERT, C_SEARCH, C_UNINDEXED, C_CANNED_ALL, C_CANNED_INSERT, C_CANNED_UPDATE, C_CANNED_DELETE,
	C_TAGS_DEL, C_TAG_ADD, C_FILE_INSERT, C_FILE_GET, C_PRUNE_FTS, C_PRUNE_CONV,
	C_END
};
_Static_assert(C_END <= STORE_SLOT_TRACK, "too many statements for the slot table");

#define SITE_COLS "id, key, name, origins, greeting, color, languages, preview, offline_message, created_at, " \
		  "auto_reply, auto_reply_delay, max_file_bytes, file_types, business_hours, prechat, retention_days"
#define CONV_COLS "c.id, c.site_id, c.visitor_id, coalesce(c.agent_id, 0), c.status, c.last_seq, " \
		  "c.visitor_read_seq, c.agent_read_seq, coalesce(c.rating, 0), c.rating_comment, c.created_at, " \
		  "c.updated_at, coalesce(c.closed_at, 0), coalesce(c.department_id, 0), coalesce(c.offered_to, 0), " \
		  "coalesce(c.offered_at, 0), coalesce(c.first_reply_at, 0), coalesce(c.accepted_at, 0), c.bot_state"
/* The summary adds names, the last visible message and the unread count. */
#define SUMMARY_COLS CONV_COLS ", s.name, v.name, v.email, coalesce(u.name, ''), " \
	"c.last_text, c.last_from, c.last_at, c.unread, " \
	"coalesce((SELECT group_concat(tag, ' ') FROM conversation_tags WHERE conversation_id = c.id), ''), " \
	"coalesce((SELECT name FROM departments WHERE id = c.department_id), ''), " \
	"coalesce((SELECT name FROM users WHERE id = c.offered_to), '')"
#define SUMMARY_FROM " FROM conversations c JOIN sites s ON s.id = c.site_id JOIN visitors v ON v.id = c.visitor_id " \
	"LEFT JOIN users u ON u.id = c.agent_id"

static sqlite3_stmt *q(struct store *st, int slot)
{
	static const char *const sql[C_END - STORE_SLOT_CHAT] = {
#define S(x) [x - STORE_SLOT_CHAT]
		S(C_SITE_INSERT) = "INSERT INTO sites (key, name, origins, greeting, color, languages, preview, "
				   "offline_message, auto_reply, auto_reply_delay, max_file_bytes, file_types, business_hours, "
				   "prechat, retention_days, created_at) "
				   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
		S(C_SITE_UPDATE) = "UPDATE sites SET name = ?2, origins = ?3, greeting = ?4, color = ?5, languages = ?6, "
				   "preview = ?7, offline_message = ?8, auto_reply = ?9, auto_reply_delay = ?10, "
				   "max_file_bytes = ?11, file_types = ?12, business_hours = ?13, prechat = ?14, "
				   "retention_days = ?15 WHERE id = ?1",
		S(C_SITE_GET) = "SELECT " SITE_COLS " FROM sites WHERE id = ?1",
		S(C_SITE_BY_KEY) = "SELECT " SITE_COLS " FROM sites WHERE key = ?1",
		S(C_SITE_ALL) = "SELECT " SITE_COLS " FROM sites ORDER BY id",
		S(C_SITE_MINE) = "SELECT " SITE_COLS " FROM sites WHERE id IN (SELECT site_id FROM site_members "
				 "WHERE user_id = ?1) ORDER BY id",
		S(C_MEMBERS) = "SELECT user_id FROM site_members WHERE site_id = ?1 ORDER BY user_id",
		S(C_MEMBERS_DEL) = "DELETE FROM site_members WHERE site_id = ?1",
		S(C_MEMBER_ADD) = "INSERT OR IGNORE INTO site_members (site_id, user_id) VALUES (?1, ?2)",
		S(C_IS_MEMBER) = "SELECT 1 FROM site_members WHERE site_id = ?1 AND user_id = ?2",
		S(C_VIS_INSERT) = "INSERT INTO visitors (site_id, token_hash, name, email, lang, created_at, last_seen) "
				  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
		S(C_VIS_BY_TOKEN) = "SELECT id, site_id, name, email, lang, created_at, last_seen, phone FROM visitors "
				    "WHERE site_id = ?1 AND token_hash = ?2",
		S(C_VIS_GET) = "SELECT id, site_id, name, email, lang, created_at, last_seen, phone FROM visitors WHERE id = ?1",
		S(C_VIS_UPDATE) = "UPDATE visitors SET name = ?2, email = ?3, lang = ?4, last_seen = ?5, phone = ?6 WHERE id = ?1",
		S(C_CONV_INSERT) = "INSERT INTO conversations (site_id, visitor_id, status, agent_id, created_at, updated_at, "
				   "department_id, accepted_at) VALUES (?1, ?2, ?3, nullif(?4, 0), ?5, ?5, nullif(?6, 0), "
				   "CASE WHEN ?4 <> 0 THEN ?5 END)",
		S(C_CONV_GET) = "SELECT " CONV_COLS " FROM conversations c WHERE c.id = ?1",
		S(C_CONV_OPEN) = "SELECT " CONV_COLS " FROM conversations c WHERE c.visitor_id = ?1 AND c.status <> 'closed' "
				 "ORDER BY c.id DESC LIMIT 1",
		S(C_CONV_STATUS) = "UPDATE conversations SET status = ?2, agent_id = nullif(?3, 0), updated_at = ?4, "
				   "offered_to = NULL, offered_at = NULL, accepted_at = CASE WHEN ?2 = 'active' "
				   "THEN coalesce(accepted_at, ?4) ELSE accepted_at END, "
				   "closed_at = CASE WHEN ?2 = 'closed' THEN ?4 ELSE NULL END WHERE id = ?1",
		S(C_CONV_READ_V) = "UPDATE conversations SET visitor_read_seq = max(visitor_read_seq, ?2) WHERE id = ?1",
		S(C_CONV_READ_A) = "UPDATE conversations SET agent_read_seq = max(agent_read_seq, ?2), unread = "
				   "(SELECT count(*) FROM messages WHERE conversation_id = ?1 AND sender = 'visitor' "
				   "AND seq > max(conversations.agent_read_seq, ?2)) WHERE id = ?1",
		S(C_CONV_RATE) = "UPDATE conversations SET rating = ?2, rating_comment = ?3 WHERE id = ?1",
		S(C_CONV_ACTIVE) = "SELECT count(*) FROM conversations WHERE agent_id = ?1 AND status = 'active'",
		S(C_CONV_SUMMARY) = "SELECT " SUMMARY_COLS SUMMARY_FROM " WHERE c.id = ?1",
		S(C_CONV_LIST) = "SELECT " SUMMARY_COLS SUMMARY_FROM " WHERE (?1 = 0 OR c.site_id IN "
				 "(SELECT site_id FROM site_members WHERE user_id = ?1)) AND (?2 = 'all' OR "
				 "(?2 = 'closed' AND c.status = 'closed') OR (?2 = 'open' AND c.status <> 'closed')) "
				 "ORDER BY c.updated_at DESC, c.id DESC LIMIT ?3",
		S(C_MSG_FIND) = "SELECT id, seq, created_at FROM messages WHERE conversation_id = ?1 AND sender = ?2 "
				"AND sender_id = ?3 AND client_id = ?4",
		S(C_MSG_BUMP) = "UPDATE conversations SET last_seq = last_seq + 1, updated_at = ?2, "
				"unread = unread + (?3 = 'visitor'), "
				"last_text = CASE WHEN ?4 = 'note' THEN last_text ELSE substr(?5, 1, 200) END, "
				"last_from = CASE WHEN ?4 = 'note' THEN last_from ELSE ?3 END, "
				"last_at = CASE WHEN ?4 = 'note' THEN last_at ELSE ?6 END WHERE id = ?1 RETURNING last_seq",
		S(C_MSG_INSERT) = "INSERT INTO messages (conversation_id, seq, sender, sender_id, kind, client_id, author, "
				  "body, created_at, file_id, card) VALUES (?1, ?2, ?3, ?4, ?5, nullif(?6, ''), ?7, ?8, ?9, "
				  "nullif(?10, 0), nullif(?11, ''))",
		S(C_MSG_AFTER) = "SELECT m.id, m.conversation_id, m.seq, m.sender, m.sender_id, m.kind, coalesce(m.client_id, ''), "
				 "m.author, m.body, m.created_at, coalesce(m.file_id, 0), coalesce(f.name, ''), "
				 "coalesce(f.content_type, ''), coalesce(f.size, 0), m.card FROM messages m "
				 "LEFT JOIN chat_files f ON f.id = m.file_id WHERE m.conversation_id = ?1 AND m.seq > ?2 "
				 "AND (?3 OR m.kind <> 'note') ORDER BY m.seq",
		S(C_UNINDEXED) = "SELECT id, body FROM messages WHERE id > (SELECT coalesce(max(rowid), 0) FROM msg_fts) "
				 "AND kind <> 'event' ORDER BY id LIMIT ?1",
		S(C_FTS_INSERT) = "INSERT INTO msg_fts (rowid, bi, uni) VALUES (?1, ?2, ?3)",
		S(C_SEARCH) = "SELECT m.conversation_id, m.body FROM msg_fts JOIN messages m ON m.id = msg_fts.rowid "
			      "JOIN conversations c ON c.id = m.conversation_id WHERE msg_fts MATCH ?1 "
			      "AND (?2 = 0 OR c.site_id IN (SELECT site_id FROM site_members WHERE user_id = ?2)) "
			      "AND (?3 = 0 OR c.site_id = ?3) AND (?4 = 0 OR c.agent_id = ?4) AND (?5 = 0 OR c.rating = ?5) "
			      "AND (?6 = 0 OR c.created_at >= ?6) AND (?7 = 0 OR c.created_at < ?7) "
			      "AND (?9 = '' OR EXISTS (SELECT 1 FROM conversation_tags t WHERE t.conversation_id = c.id AND t.tag = ?9)) "
			      "ORDER BY bm25(msg_fts, 10.0, 1.0) LIMIT ?8",
		S(C_CANNED_ALL) = "SELECT id, shortcut, text, coalesce(created_by, 0), created_at, updated_at FROM canned "
				  "ORDER BY shortcut",
		S(C_CANNED_INSERT) = "INSERT INTO canned (shortcut, text, created_by, created_at, updated_at) "
				     "VALUES (?1, ?2, nullif(?3, 0), ?4, ?4)",
		S(C_CANNED_UPDATE) = "UPDATE canned SET shortcut = ?2, text = ?3, updated_at = ?4 WHERE id = ?1",
		S(C_CANNED_DELETE) = "DELETE FROM canned WHERE id = ?1",
		S(C_FILE_INSERT) = "INSERT INTO chat_files (sha256, name, content_type, size, site_id, uploader, uploader_id, "
				   "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
		S(C_FILE_GET) = "SELECT id, sha256, name, content_type, size, site_id, uploader, uploader_id, created_at "
				"FROM chat_files WHERE id = ?1",
		S(C_PRUNE_FTS) = "DELETE FROM msg_fts WHERE rowid IN (SELECT m.id FROM messages m JOIN conversations c "
				 "ON c.id = m.conversation_id JOIN sites s ON s.id = c.site_id WHERE s.retention_days > 0 "
				 "AND c.status = 'closed' AND c.closed_at < ?1 - s.retention_days * 86400)",
		S(C_PRUNE_CONV) = "DELETE FROM conversations WHERE id IN (SELECT c.id FROM conversations c JOIN sites s "
				  "ON s.id = c.site_id WHERE s.retention_days > 0 AND c.status = 'closed' "
				  "AND c.closed_at < ?1 - s.retention_days * 86400)",
		S(C_TAGS_DEL) = "DELETE FROM conversation_tags WHERE conversation_id = ?1",
		S(C_TAG_ADD) = "INSERT OR IGNORE INTO conversation_tags (conversation_id, tag) VALUES (?1, ?2)",
		S(C_BEGIN) = "BEGIN IMMEDIATE",
		S(C_COMMIT) = "COMMIT",
		S(C_ROLLBACK) = "ROLLBACK",
#undef S
	};
	return store__stmt(st, slot, sql[slot - STORE_SLOT_CHAT]);
}


static int changed(struct store *st, int rc)
{
	return rc ? rc : sqlite3_changes(st->db) ? 0 : KF_ENOTFOUND;
}

/* ---- sites ---- */

static void site_row(sqlite3_stmt *s, void *p)
{
	struct store_site *x = p;
	x->id = sqlite3_column_int64(s, 0);
	store__text(s, 1, x->key, sizeof(x->key));
	store__text(s, 2, x->name, sizeof(x->name));
	store__text(s, 3, x->origins, sizeof(x->origins));
	store__text(s, 4, x->greeting, sizeof(x->greeting));
	store__text(s, 5, x->color, sizeof(x->color));
	store__text(s, 6, x->languages, sizeof(x->languages));
	x->preview = sqlite3_column_int(s, 7);
	store__text(s, 8, x->offline_message, sizeof(x->offline_message));
	x->created_at = sqlite3_column_int64(s, 9);
	store__text(s, 10, x->auto_reply, sizeof(x->auto_reply));
	x->auto_reply_delay = sqlite3_column_int(s, 11);
	x->max_file_bytes = sqlite3_column_int64(s, 12);
	store__text(s, 13, x->file_types, sizeof(x->file_types));
	store__text(s, 14, x->business_hours, sizeof(x->business_hours));
	store__text(s, 15, x->prechat, sizeof(x->prechat));
	x->retention_days = sqlite3_column_int(s, 16);
}

static void site_bind(sqlite3_stmt *s, const struct store_site *x, int first)
{
	store__bind_text(s, first, x->name);
	store__bind_text(s, first + 1, x->origins);
	store__bind_text(s, first + 2, x->greeting);
	store__bind_text(s, first + 3, x->color);
	store__bind_text(s, first + 4, x->languages);
	sqlite3_bind_int(s, first + 5, x->preview);
	store__bind_text(s, first + 6, x->offline_message);
	store__bind_text(s, first + 7, x->auto_reply);
	sqlite3_bind_int(s, first + 8, x->auto_reply_delay);
	sqlite3_bind_int64(s, first + 9, x->max_file_bytes);
	store__bind_text(s, first + 10, x->file_types);
	store__bind_text(s, first + 11, x->business_hours);
	store__bind_text(s, first + 12, x->prechat);
	sqlite3_bind_int(s, first + 13, x->retention_days);
}

int store_site_create(struct store *st, struct store_site *x)
{
	sqlite3_stmt *s = q(st, C_SITE_INSERT);
	if (!s)
		return KF_EIO;
	if (!x->created_at)
		x->created_at = time_now_s();
	store__bind_text(s, 1, x->key);
	site_bind(s, x, 2);
	sqlite3_bind_int64(s, 16, x->created_at);
	return store__insert(st, s, &x->id);
}

int store_site_update(struct store *st, const struct store_site *x)
{
	sqlite3_stmt *s = q(st, C_SITE_UPDATE);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, x->id);
	site_bind(s, x, 2);
	return changed(st, store__run(st, s));
}

int store_site_get(struct store *st, int64_t id, struct store_site *out)
{
	sqlite3_stmt *s = q(st, C_SITE_GET);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	return store__one(st, s, site_row, out);
}

int store_site_by_key(struct store *st, const char *key, struct store_site *out)
{
	sqlite3_stmt *s = q(st, C_SITE_BY_KEY);
	if (!s)
		return KF_EIO;
	store__bind_text(s, 1, key);
	return store__one(st, s, site_row, out);
}

int store_site_each(struct store *st, int64_t member_of, int (*cb)(void *, const struct store_site *), void *ud)
{
	sqlite3_stmt *s = q(st, member_of > 0 ? C_SITE_MINE : C_SITE_ALL);
	if (!s)
		return KF_EIO;
	if (member_of > 0)
		sqlite3_bind_int64(s, 1, member_of);
	int rc, ret = 0;
	while ((rc = store__step(st, s)) == SQLITE_ROW) {
		struct store_site x;
		site_row(s, &x);
		if ((ret = cb(ud, &x)) != 0)
			break;
	}
	sqlite3_reset(s);
	return ret ? ret : rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : store__err(st, "sites");
}

int store_site_members(struct store *st, int64_t site_id, int64_t *ids, size_t max, size_t *n)
{
	sqlite3_stmt *s = q(st, C_MEMBERS);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	return store__ids(st, s, ids, max, n);
}

static int tx(struct store *st, int slot)
{
	sqlite3_stmt *s = q(st, slot);
	return s ? store__run(st, s) : KF_EIO;
}

int store_site_set_members(struct store *st, int64_t site_id, const int64_t *ids, size_t n)
{
	if (tx(st, C_BEGIN))
		return KF_EIO;
	sqlite3_stmt *s = q(st, C_MEMBERS_DEL);
	int rc = s ? 0 : KF_EIO;
	if (!rc) {
		sqlite3_bind_int64(s, 1, site_id);
		rc = store__run(st, s);
	}
	for (size_t i = 0; !rc && i < n; i++) {
		if (!(s = q(st, C_MEMBER_ADD)))
			rc = KF_EIO;
		else {
			sqlite3_bind_int64(s, 1, site_id);
			sqlite3_bind_int64(s, 2, ids[i]);
			rc = store__run(st, s);
		}
	}
	if (rc) {
		tx(st, C_ROLLBACK);
		return rc == KF_EEXIST ? KF_EINVAL : rc;
	}
	return tx(st, C_COMMIT);
}

static void nothing(sqlite3_stmt *s, void *p)
{
	(void)s;
	(void)p;
}

int store_site_is_member(struct store *st, int64_t site_id, int64_t user_id)
{
	sqlite3_stmt *s = q(st, C_IS_MEMBER);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	sqlite3_bind_int64(s, 2, user_id);
	return store__one(st, s, nothing, NULL);
}

/* ---- visitors ---- */

static void visitor_row(sqlite3_stmt *s, void *p)
{
	struct store_visitor *v = p;
	v->id = sqlite3_column_int64(s, 0);
	v->site_id = sqlite3_column_int64(s, 1);
	store__text(s, 2, v->name, sizeof(v->name));
	store__text(s, 3, v->email, sizeof(v->email));
	store__text(s, 4, v->lang, sizeof(v->lang));
	v->created_at = sqlite3_column_int64(s, 5);
	v->last_seen = sqlite3_column_int64(s, 6);
	store__text(s, 7, v->phone, sizeof(v->phone));
}

int store_visitor_create(struct store *st, const char *token_hash, struct store_visitor *v)
{
	sqlite3_stmt *s = q(st, C_VIS_INSERT);
	if (!s)
		return KF_EIO;
	v->created_at = v->last_seen = time_now_s();
	sqlite3_bind_int64(s, 1, v->site_id);
	store__bind_text(s, 2, token_hash);
	store__bind_text(s, 3, v->name);
	store__bind_text(s, 4, v->email);
	store__bind_text(s, 5, v->lang);
	sqlite3_bind_int64(s, 6, v->created_at);
	return store__insert(st, s, &v->id);
}

int store_visitor_by_token(struct store *st, int64_t site_id, const char *token_hash, struct store_visitor *out)
{
	sqlite3_stmt *s = q(st, C_VIS_BY_TOKEN);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, site_id);
	store__bind_text(s, 2, token_hash);
	return store__one(st, s, visitor_row, out);
}

int store_visitor_get(struct store *st, int64_t id, struct store_visitor *out)
{
	sqlite3_stmt *s = q(st, C_VIS_GET);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	return store__one(st, s, visitor_row, out);
}

int store_visitor_update(struct store *st, const struct store_visitor *v)
{
	sqlite3_stmt *s = q(st, C_VIS_UPDATE);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, v->id);
	store__bind_text(s, 2, v->name);
	store__bind_text(s, 3, v->email);
	store__bind_text(s, 4, v->lang);
	sqlite3_bind_int64(s, 5, v->last_seen);
	store__bind_text(s, 6, v->phone);
	return changed(st, store__run(st, s));
}

/* ---- conversations ---- */

static void conv_row(sqlite3_stmt *s, void *p)
{
	struct store_conv *c = p;
	memset(c, 0, sizeof(*c));
	c->id = sqlite3_column_int64(s, 0);
	c->site_id = sqlite3_column_int64(s, 1);
	c->visitor_id = sqlite3_column_int64(s, 2);
	c->agent_id = sqlite3_column_int64(s, 3);
	store__text(s, 4, c->status, sizeof(c->status));
	c->last_seq = sqlite3_column_int64(s, 5);
	c->visitor_read_seq = sqlite3_column_int64(s, 6);
	c->agent_read_seq = sqlite3_column_int64(s, 7);
	c->rating = sqlite3_column_int(s, 8);
	store__text(s, 9, c->rating_comment, sizeof(c->rating_comment));
	c->created_at = sqlite3_column_int64(s, 10);
	c->updated_at = sqlite3_column_int64(s, 11);
	c->closed_at = sqlite3_column_int64(s, 12);
	c->department_id = sqlite3_column_int64(s, 13);
	c->offered_to = sqlite3_column_int64(s, 14);
	c->offered_at = sqlite3_column_int64(s, 15);
	c->first_reply_at = sqlite3_column_int64(s, 16);
	c->accepted_at = sqlite3_column_int64(s, 17);
	store__text(s, 18, c->bot_state, sizeof(c->bot_state));
}

static void summary_row(sqlite3_stmt *s, void *p)
{
	struct store_conv *c = p;
	conv_row(s, c);
	store__text(s, 19, c->site_name, sizeof(c->site_name));
	store__text(s, 20, c->visitor_name, sizeof(c->visitor_name));
	store__text(s, 21, c->visitor_email, sizeof(c->visitor_email));
	store__text(s, 22, c->agent_name, sizeof(c->agent_name));
	store__text(s, 23, c->last_text, sizeof(c->last_text));
	store__text(s, 24, c->last_from, sizeof(c->last_from));
	c->last_at = sqlite3_column_int64(s, 25);
	c->unread = sqlite3_column_int64(s, 26);
	store__text(s, 27, c->tags, sizeof(c->tags));
	store__text(s, 28, c->department_name, sizeof(c->department_name));
	store__text(s, 29, c->offered_name, sizeof(c->offered_name));
}

int store_conv_create(struct store *st, struct store_conv *c)
{
	sqlite3_stmt *s = q(st, C_CONV_INSERT);
	if (!s)
		return KF_EIO;
	c->created_at = c->updated_at = time_now_s();
	sqlite3_bind_int64(s, 1, c->site_id);
	sqlite3_bind_int64(s, 2, c->visitor_id);
	store__bind_text(s, 3, c->status);
	sqlite3_bind_int64(s, 4, c->agent_id);
	sqlite3_bind_int64(s, 5, c->created_at);
	sqlite3_bind_int64(s, 6, c->department_id);
	return store__insert(st, s, &c->id);
}

int store_conv_get(struct store *st, int64_t id, struct store_conv *out)
{
	sqlite3_stmt *s = q(st, C_CONV_GET);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	return store__one(st, s, conv_row, out);
}

int store_conv_summary(struct store *st, int64_t id, struct store_conv *out)
{
	sqlite3_stmt *s = q(st, C_CONV_SUMMARY);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	return store__one(st, s, summary_row, out);
}

int store_conv_open_for_visitor(struct store *st, int64_t visitor_id, struct store_conv *out)
{
	sqlite3_stmt *s = q(st, C_CONV_OPEN);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, visitor_id);
	return store__one(st, s, conv_row, out);
}

int store_conv_set_status(struct store *st, int64_t id, const char *status, int64_t agent_id, int64_t now)
{
	sqlite3_stmt *s = q(st, C_CONV_STATUS);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	store__bind_text(s, 2, status);
	sqlite3_bind_int64(s, 3, agent_id);
	sqlite3_bind_int64(s, 4, now);
	return changed(st, store__run(st, s));
}

int store_conv_set_read(struct store *st, int64_t id, int by_visitor, int64_t seq)
{
	sqlite3_stmt *s = q(st, by_visitor ? C_CONV_READ_V : C_CONV_READ_A);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, seq);
	return store__run(st, s);
}

int store_conv_rate(struct store *st, int64_t id, int rating, const char *comment)
{
	sqlite3_stmt *s = q(st, C_CONV_RATE);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int(s, 2, rating);
	store__bind_text(s, 3, comment);
	return changed(st, store__run(st, s));
}

static void count_row(sqlite3_stmt *s, void *p)
{
	*(int64_t *)p = sqlite3_column_int64(s, 0);
}

int store_conv_count_active(struct store *st, int64_t agent_id, int64_t *n)
{
	sqlite3_stmt *s = q(st, C_CONV_ACTIVE);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, agent_id);
	return store__one(st, s, count_row, n);
}

int store_conv_each(struct store *st, int64_t member_of, const char *which, int limit,
		    int (*cb)(void *, const struct store_conv *), void *ud)
{
	sqlite3_stmt *s = q(st, C_CONV_LIST);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, member_of > 0 ? member_of : 0);
	store__bind_text(s, 2, which);
	sqlite3_bind_int(s, 3, limit);
	int rc, ret = 0;
	while ((rc = store__step(st, s)) == SQLITE_ROW) {
		struct store_conv c;
		summary_row(s, &c);
		if ((ret = cb(ud, &c)) != 0)
			break;
	}
	sqlite3_reset(s);
	return ret ? ret : rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : store__err(st, "conversations");
}

/* ---- messages ---- */

struct found {
	int64_t id, seq, at;
};

static void found_row(sqlite3_stmt *s, void *p)
{
	struct found *f = p;
	f->id = sqlite3_column_int64(s, 0);
	f->seq = sqlite3_column_int64(s, 1);
	f->at = sqlite3_column_int64(s, 2);
}

/* Inside the transaction: the existing message with m's client id, if any. */
static int find_dup(struct store *st, const struct store_msg *m, struct found *f)
{
	if (!m->client_id[0])
		return KF_ENOTFOUND;
	sqlite3_stmt *s = q(st, C_MSG_FIND);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, m->conversation_id);
	store__bind_text(s, 2, m->sender);
	sqlite3_bind_int64(s, 3, m->sender_id);
	store__bind_text(s, 4, m->client_id);
	return store__one(st, s, found_row, f);
}

static int insert_msg(struct store *st, struct store_msg *m)
{
	sqlite3_stmt *s = q(st, C_MSG_BUMP);
	if (!s)
		return KF_EIO;
	m->at = time_now_ms();
	sqlite3_bind_int64(s, 1, m->conversation_id);
	sqlite3_bind_int64(s, 2, m->at / 1000);
	store__bind_text(s, 3, m->sender);
	store__bind_text(s, 4, m->kind);
	store__bind_text(s, 5, m->body);
	sqlite3_bind_int64(s, 6, m->at);
	int rc = store__one(st, s, count_row, &m->seq);
	if (rc)
		return rc;
	if (!(s = q(st, C_MSG_INSERT)))
		return KF_EIO;
	sqlite3_bind_int64(s, 1, m->conversation_id);
	sqlite3_bind_int64(s, 2, m->seq);
	store__bind_text(s, 3, m->sender);
	sqlite3_bind_int64(s, 4, m->sender_id);
	store__bind_text(s, 5, m->kind);
	store__bind_text(s, 6, m->client_id);
	store__bind_text(s, 7, m->author);
	store__bind_text(s, 8, m->body);
	sqlite3_bind_int64(s, 9, m->at);
	sqlite3_bind_int64(s, 10, m->file_id);
	store__bind_text(s, 11, m->card ? m->card : "");
	if ((rc = store__run(st, s)) != 0)
		return rc;
	m->id = sqlite3_last_insert_rowid(st->db);
	return 0;
}

int store_index_messages(struct store *st, const struct store_index_row *rows, size_t n)
{
	if (!n)
		return 0;
	if (tx(st, C_BEGIN))
		return KF_EIO;
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		sqlite3_stmt *s = q(st, C_FTS_INSERT);
		if (!s) {
			rc = KF_EIO;
			break;
		}
		sqlite3_bind_int64(s, 1, rows[i].msg_id);
		store__bind_text(s, 2, rows[i].bi);
		store__bind_text(s, 3, rows[i].uni);
		rc = store__run(st, s);
	}
	if (rc) {
		tx(st, C_ROLLBACK);
		return rc;
	}
	return tx(st, C_COMMIT);
}

int store_msg_unindexed(struct store *st, int limit, int (*cb)(void *, int64_t, const char *), void *ud)
{
	sqlite3_stmt *s = q(st, C_UNINDEXED);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int(s, 1, limit);
	int rc, ret = 0;
	while ((rc = store__step(st, s)) == SQLITE_ROW) {
		const unsigned char *b = sqlite3_column_text(s, 1);
		if ((ret = cb(ud, sqlite3_column_int64(s, 0), b ? (const char *)b : "")) != 0)
			break;
	}
	sqlite3_reset(s);
	return ret ? ret : rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : store__err(st, "unindexed");
}

int store_search_messages(struct store *st, const char *match, const struct store_search_filter *f,
			  int (*cb)(void *, int64_t, const char *), void *ud)
{
	sqlite3_stmt *s = q(st, C_SEARCH);
	if (!s)
		return KF_EIO;
	store__bind_text(s, 1, match);
	sqlite3_bind_int64(s, 2, f->member_of);
	sqlite3_bind_int64(s, 3, f->site_id);
	sqlite3_bind_int64(s, 4, f->agent_id);
	sqlite3_bind_int(s, 5, f->rating);
	sqlite3_bind_int64(s, 6, f->from);
	sqlite3_bind_int64(s, 7, f->to);
	sqlite3_bind_int(s, 8, f->limit > 0 ? f->limit * 10 : 500);   /* several hits may share a conversation */
	store__bind_text(s, 9, f->tag ? f->tag : "");
	int rc, ret = 0;
	int64_t seen[256];
	size_t nseen = 0;
	while ((rc = store__step(st, s)) == SQLITE_ROW) {
		int64_t conv = sqlite3_column_int64(s, 0);
		size_t i = 0;
		while (i < nseen && seen[i] != conv)
			i++;
		if (i < nseen)
			continue;
		if (nseen == KF_ARRAY_LEN(seen) || (f->limit > 0 && nseen >= (size_t)f->limit))
			break;
		seen[nseen++] = conv;
		const unsigned char *t = sqlite3_column_text(s, 1);
		if ((ret = cb(ud, conv, t ? (const char *)t : "")) != 0)
			break;
	}
	sqlite3_reset(s);
	if (ret)
		return ret;
	/* A malformed MATCH expression is the caller's input, not a database failure. */
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : KF_EINVAL;
}

int store_msg_find(struct store *st, int64_t conv_id, const char *sender, int64_t sender_id, const char *client_id,
		   struct store_msg *out)
{
	struct store_msg m;
	struct found f = { 0, 0, 0 };
	memset(&m, 0, sizeof(m));
	m.conversation_id = conv_id;
	snprintf(m.sender, sizeof(m.sender), "%s", sender);
	m.sender_id = sender_id;
	snprintf(m.client_id, sizeof(m.client_id), "%s", client_id);
	int rc = find_dup(st, &m, &f);
	if (rc == 0) {
		out->id = f.id;
		out->seq = f.seq;
		out->at = f.at;
	}
	return rc;
}

int store_msg_append(struct store *st, struct store_msg *m, int *dup)
{
	struct found f = { 0, 0, 0 };
	*dup = 0;
	if (tx(st, C_BEGIN))
		return KF_EIO;
	int rc = find_dup(st, m, &f);
	if (rc == 0) {
		m->id = f.id;
		m->seq = f.seq;
		m->at = f.at;
		*dup = 1;
	} else if (rc == KF_ENOTFOUND) {
		rc = insert_msg(st, m);
	}
	if (rc) {
		tx(st, C_ROLLBACK);
		return rc;
	}
	return tx(st, C_COMMIT);
}

int store_msg_each(struct store *st, int64_t conv_id, int64_t after, int with_notes,
		   int (*cb)(void *, const struct store_msg *), void *ud)
{
	sqlite3_stmt *s = q(st, C_MSG_AFTER);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, conv_id);
	sqlite3_bind_int64(s, 2, after);
	sqlite3_bind_int(s, 3, with_notes);
	int rc, ret = 0;
	while ((rc = store__step(st, s)) == SQLITE_ROW) {
		struct store_msg m;
		memset(&m, 0, sizeof(m));
		m.id = sqlite3_column_int64(s, 0);
		m.conversation_id = sqlite3_column_int64(s, 1);
		m.seq = sqlite3_column_int64(s, 2);
		store__text(s, 3, m.sender, sizeof(m.sender));
		m.sender_id = sqlite3_column_int64(s, 4);
		store__text(s, 5, m.kind, sizeof(m.kind));
		store__text(s, 6, m.client_id, sizeof(m.client_id));
		store__text(s, 7, m.author, sizeof(m.author));
		const unsigned char *b = sqlite3_column_text(s, 8);
		m.body = b ? (const char *)b : "";
		m.at = sqlite3_column_int64(s, 9);
		m.file_id = sqlite3_column_int64(s, 10);
		store__text(s, 11, m.file_name, sizeof(m.file_name));
		store__text(s, 12, m.file_type, sizeof(m.file_type));
		m.file_size = sqlite3_column_int64(s, 13);
		m.card = (const char *)sqlite3_column_text(s, 14);   /* NULL: none */
		if ((ret = cb(ud, &m)) != 0)
			break;
	}
	sqlite3_reset(s);
	return ret ? ret : rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : store__err(st, "messages");
}

/* ---- canned responses and tags ---- */

int store_canned_each(struct store *st, int (*cb)(void *, const struct store_canned *), void *ud)
{
	sqlite3_stmt *s = q(st, C_CANNED_ALL);
	if (!s)
		return KF_EIO;
	int rc, ret = 0;
	while ((rc = store__step(st, s)) == SQLITE_ROW) {
		struct store_canned c;
		c.id = sqlite3_column_int64(s, 0);
		store__text(s, 1, c.shortcut, sizeof(c.shortcut));
		store__text(s, 2, c.text, sizeof(c.text));
		c.created_by = sqlite3_column_int64(s, 3);
		c.created_at = sqlite3_column_int64(s, 4);
		c.updated_at = sqlite3_column_int64(s, 5);
		if ((ret = cb(ud, &c)) != 0)
			break;
	}
	sqlite3_reset(s);
	return ret ? ret : rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : store__err(st, "canned");
}

int store_canned_create(struct store *st, struct store_canned *c)
{
	sqlite3_stmt *s = q(st, C_CANNED_INSERT);
	if (!s)
		return KF_EIO;
	c->created_at = c->updated_at = time_now_s();
	store__bind_text(s, 1, c->shortcut);
	store__bind_text(s, 2, c->text);
	sqlite3_bind_int64(s, 3, c->created_by);
	sqlite3_bind_int64(s, 4, c->created_at);
	return store__insert(st, s, &c->id);
}

int store_canned_update(struct store *st, const struct store_canned *c)
{
	sqlite3_stmt *s = q(st, C_CANNED_UPDATE);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, c->id);
	store__bind_text(s, 2, c->shortcut);
	store__bind_text(s, 3, c->text);
	sqlite3_bind_int64(s, 4, time_now_s());
	return changed(st, store__run(st, s));
}

int store_canned_delete(struct store *st, int64_t id)
{
	sqlite3_stmt *s = q(st, C_CANNED_DELETE);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	return changed(st, store__run(st, s));
}

int store_conv_set_tags(struct store *st, int64_t conv_id, const char *tags)
{
	if (tx(st, C_BEGIN))
		return KF_EIO;
	sqlite3_stmt *s = q(st, C_TAGS_DEL);
	int rc = s ? 0 : KF_EIO;
	if (!rc) {
		sqlite3_bind_int64(s, 1, conv_id);
		rc = store__run(st, s);
	}
	for (const char *p = tags; !rc && *p;) {
		p += strspn(p, " ");
		size_t n = strcspn(p, " ");
		if (!n)
			break;
		char tag[64];
		snprintf(tag, sizeof(tag), "%.*s", (int)(n < 63 ? n : 63), p);
		if (!(s = q(st, C_TAG_ADD))) {
			rc = KF_EIO;
			break;
		}
		sqlite3_bind_int64(s, 1, conv_id);
		store__bind_text(s, 2, tag);
		rc = store__run(st, s);
		p += n;
	}
	if (rc) {
		tx(st, C_ROLLBACK);
		return rc;
	}
	return tx(st, C_COMMIT);
}

/* ---- chat files ---- */

static void file_row(sqlite3_stmt *s, void *p)
{
	struct store_file *f = p;
	f->id = sqlite3_column_int64(s, 0);
	store__text(s, 1, f->sha256, sizeof(f->sha256));
	store__text(s, 2, f->name, sizeof(f->name));
	store__text(s, 3, f->content_type, sizeof(f->content_type));
	f->size = sqlite3_column_int64(s, 4);
	f->site_id = sqlite3_column_int64(s, 5);
	store__text(s, 6, f->uploader, sizeof(f->uploader));
	f->uploader_id = sqlite3_column_int64(s, 7);
	f->created_at = sqlite3_column_int64(s, 8);
}

int store_file_create(struct store *st, struct store_file *f)
{
	sqlite3_stmt *s = q(st, C_FILE_INSERT);
	if (!s)
		return KF_EIO;
	f->created_at = time_now_s();
	store__bind_text(s, 1, f->sha256);
	store__bind_text(s, 2, f->name);
	store__bind_text(s, 3, f->content_type);
	sqlite3_bind_int64(s, 4, f->size);
	sqlite3_bind_int64(s, 5, f->site_id);
	store__bind_text(s, 6, f->uploader);
	sqlite3_bind_int64(s, 7, f->uploader_id);
	sqlite3_bind_int64(s, 8, f->created_at);
	return store__insert(st, s, &f->id);
}

int store_file_get(struct store *st, int64_t id, struct store_file *out)
{
	sqlite3_stmt *s = q(st, C_FILE_GET);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	return store__one(st, s, file_row, out);
}

int store_chat_prune(struct store *st, int64_t now, int64_t *deleted)
{
	*deleted = 0;
	if (tx(st, C_BEGIN))
		return KF_EIO;
	sqlite3_stmt *s = q(st, C_PRUNE_FTS);
	int rc = s ? 0 : KF_EIO;
	if (!rc) {
		sqlite3_bind_int64(s, 1, now);
		rc = store__run(st, s);
	}
	if (!rc && (s = q(st, C_PRUNE_CONV)) != NULL) {
		sqlite3_bind_int64(s, 1, now);
		rc = store__run(st, s);   /* messages and tags go with ON DELETE CASCADE */
		*deleted = sqlite3_changes(st->db);
	}
	if (rc) {
		tx(st, C_ROLLBACK);
		return rc;
	}
	return tx(st, C_COMMIT);
}
