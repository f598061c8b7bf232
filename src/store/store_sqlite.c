/* store/store_sqlite.c - the embedded SQLite backend of store.h.
 *
 * One connection, WAL mode, foreign keys on, busy_timeout set before anything else
 * (setting it after journal_mode gave "database is locked", STACK.md). Every statement
 * is prepared once, cached by its slot in enum q, and reset after use. */
#include "store/store.h"
#include "store/migrations.h"
#include "store/store_int.h"
#include "core/alloc.h"
#include "core/kf.h"
#include "core/log.h"
#include "core/util.h"
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum q {
	Q_USER_INSERT, Q_USER_GET, Q_USER_BY_EMAIL, Q_USER_UPDATE, Q_USER_SETPW, Q_USER_COUNT, Q_USER_ALL,
	Q_SESS_INSERT, Q_SESS_GET, Q_SESS_TOUCH, Q_SESS_DELETE, Q_SESS_DELETE_USER, Q_SESS_PRUNE,
	Q_KEY_INSERT, Q_KEY_BY_HASH, Q_KEY_ALL, Q_KEY_REVOKE, Q_KEY_USED,
	Q_UPLOAD_INSERT, Q_AUDIT_INSERT, Q_VERSION, Q_SET_GET, Q_SET_PUT,
	Q_COUNT
};

#define USER_COLS "id, email, name, role, pwhash, disabled, created_at, max_chats"
#define SESS_COLS "id_hash, user_id, csrf, ip, user_agent, created_at, last_seen, expires_at"
#define KEY_COLS "id, name, prefix, key_hash, scopes, coalesce(created_by, 0), created_at, " \
		 "coalesce(last_used_at, 0), coalesce(revoked_at, 0)"

static const char *const sql[Q_COUNT] = {
	[Q_USER_INSERT] = "INSERT INTO users (email, name, role, pwhash, disabled, created_at, updated_at) "
			  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
	[Q_USER_GET] = "SELECT " USER_COLS " FROM users WHERE id = ?1",
	[Q_USER_BY_EMAIL] = "SELECT " USER_COLS " FROM users WHERE email = ?1",
	[Q_USER_UPDATE] = "UPDATE users SET name = ?2, role = ?3, disabled = ?4, updated_at = ?5, "
			  "max_chats = coalesce(nullif(?6, 0), max_chats) WHERE id = ?1",
	[Q_USER_SETPW] = "UPDATE users SET pwhash = ?2, updated_at = ?3 WHERE id = ?1",
	[Q_USER_COUNT] = "SELECT count(*) FROM users",
	[Q_USER_ALL] = "SELECT " USER_COLS " FROM users ORDER BY id",
	[Q_SESS_INSERT] = "INSERT INTO sessions (" SESS_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[Q_SESS_GET] = "SELECT " SESS_COLS " FROM sessions WHERE id_hash = ?1 AND expires_at > ?2",
	[Q_SESS_TOUCH] = "UPDATE sessions SET last_seen = ?2, expires_at = ?3 WHERE id_hash = ?1",
	[Q_SESS_DELETE] = "DELETE FROM sessions WHERE id_hash = ?1",
	[Q_SESS_DELETE_USER] = "DELETE FROM sessions WHERE user_id = ?1 AND id_hash <> ?2",
	[Q_SESS_PRUNE] = "DELETE FROM sessions WHERE expires_at <= ?1",
	[Q_KEY_INSERT] = "INSERT INTO api_keys (name, prefix, key_hash, scopes, created_by, created_at) "
			 "VALUES (?1, ?2, ?3, ?4, nullif(?5, 0), ?6)",
	[Q_KEY_BY_HASH] = "SELECT " KEY_COLS " FROM api_keys WHERE key_hash = ?1",
	[Q_KEY_ALL] = "SELECT " KEY_COLS " FROM api_keys ORDER BY id",
	[Q_KEY_REVOKE] = "UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL",
	[Q_KEY_USED] = "UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1",
	[Q_UPLOAD_INSERT] = "INSERT INTO uploads (name, content_type, size, path, uploaded_by, created_at) "
			    "VALUES (?1, ?2, ?3, ?4, nullif(?5, 0), ?6)",
	[Q_VERSION] = "PRAGMA user_version",
	[Q_SET_GET] = "SELECT value FROM settings WHERE key = ?1",
	[Q_SET_PUT] = "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3) "
		      "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
	[Q_AUDIT_INSERT] = "INSERT INTO audit_log (at, user_id, ip, action, detail) VALUES (?1, nullif(?2, 0), ?3, ?4, ?5)",
};

_Static_assert(Q_COUNT <= STORE_SLOT_CHAT, "statement slots overlap store_chat.c's");

int store__err(struct store *st, const char *what)
{
	log_error("sqlite: %s: %s", what, sqlite3_errmsg(st->db));
	return KF_EIO;
}

#define db_err store__err
#define exec store__exec
#define step store__step
#define run store__run
#define text_col store__text
#define bind_text store__bind_text

int store__exec(struct store *st, const char *s)
{
	char *msg = NULL;
	if (sqlite3_exec(st->db, s, NULL, NULL, &msg) != SQLITE_OK) {
		log_error("sqlite: %s: %s", s, msg ? msg : "?");
		sqlite3_free(msg);
		return KF_EIO;
	}
	return 0;
}

sqlite3_stmt *store__stmt(struct store *st, int slot, const char *text)
{
	if (!st->stmt[slot] &&
	    sqlite3_prepare_v3(st->db, text, -1, SQLITE_PREPARE_PERSISTENT, &st->stmt[slot], NULL) != SQLITE_OK) {
		db_err(st, text);
		return NULL;
	}
	sqlite3_reset(st->stmt[slot]);
	sqlite3_clear_bindings(st->stmt[slot]);
	return st->stmt[slot];
}

static sqlite3_stmt *stmt(struct store *st, enum q q)
{
	return store__stmt(st, q, sql[q]);
}

int store__step(struct store *st, sqlite3_stmt *s)
{
	uint64_t t0 = time_mono_ns();
	int rc = sqlite3_step(s);
	st->ns += time_mono_ns() - t0;
	return rc;
}

int store__run(struct store *st, sqlite3_stmt *s)
{
	int rc = step(st, s);
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return 0;
	int ext = sqlite3_extended_errcode(st->db);
	if (rc == SQLITE_CONSTRAINT && (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY))
		return KF_EEXIST;
	return db_err(st, sqlite3_sql(s));
}

int store__insert(struct store *st, sqlite3_stmt *s, int64_t *id)
{
	int rc = store__run(st, s);
	if (rc == 0)
		*id = sqlite3_last_insert_rowid(st->db);
	return rc;
}

int store__run_one(struct store *st, sqlite3_stmt *s)
{
	int rc = store__run(st, s);
	return rc == 0 && sqlite3_changes(st->db) == 0 ? KF_ENOTFOUND : rc;
}

void store__text(sqlite3_stmt *s, int col, char *out, size_t outsz)
{
	const unsigned char *t = sqlite3_column_text(s, col);
	utf8_copy(out, outsz, t ? (const char *)t : "");
}

void store__bind_text(sqlite3_stmt *s, int i, const char *v)
{
	sqlite3_bind_text(s, i, v ? v : "", -1, SQLITE_TRANSIENT);
}

/* ---- lifecycle ---- */

int store_open(const char *path, struct store **out)
{
	struct store *st = xcalloc(1, sizeof(*st));
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		log_error("sqlite: cannot open %s: %s", path, st->db ? sqlite3_errmsg(st->db) : "out of memory");
		sqlite3_close(st->db);
		free(st);
		return KF_EIO;
	}
	sqlite3_busy_timeout(st->db, 5000);
	if (exec(st, "PRAGMA journal_mode = WAL") || exec(st, "PRAGMA synchronous = NORMAL") ||
	    exec(st, "PRAGMA foreign_keys = ON") || exec(st, "PRAGMA journal_size_limit = 67108864")) {
		store_close(st);
		return KF_EIO;
	}
	*out = st;
	return 0;
}

static void close_conn(struct store *st, int checkpoint)
{
	if (!st)
		return;
	for (int i = 0; i < STORE_SLOTS; i++)
		sqlite3_finalize(st->stmt[i]);
	if (checkpoint)
		sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
	if (sqlite3_close(st->db) != SQLITE_OK)
		log_error("sqlite: close: %s", sqlite3_errmsg(st->db));
	free(st);
}

void store_close(struct store *st)
{
	/* A clean close checkpoints the WAL, so the .db file alone is complete. */
	close_conn(st, 1);
}

void store_close_worker(struct store *st)
{
	/* No checkpoint: a TRUNCATE checkpoint holds off every writer until the other readers are
	 * done (up to the 5 s busy timeout), and the server's own connection is still writing chats.
	 * The main connection's maintenance checkpoints instead. */
	close_conn(st, 0);
}

double store_seconds(const struct store *st)
{
	return (double)st->ns / 1e9;
}

int store_schema_version(struct store *st, int *version)
{
	sqlite3_stmt *s = stmt(st, Q_VERSION);
	if (!s)
		return KF_EIO;
	int rc = step(st, s);
	if (rc == SQLITE_ROW)
		*version = sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : db_err(st, "user_version");
}

int store_migrate(struct store *st, int *applied)
{
	int have, n = 0;
	if (store_schema_version(st, &have))
		return KF_EIO;
	int newest = kf_migrations_count ? kf_migrations[kf_migrations_count - 1].version : 0;
	if (have > newest) {
		log_error("the database schema (version %d) is newer than this kefu knows (%d): "
			  "run the newer kefu, or restore the backup taken before the upgrade", have, newest);
		return KF_EINVAL;
	}
	for (size_t i = 0; i < kf_migrations_count; i++) {
		const struct migration *m = &kf_migrations[i];
		if (m->version <= have)
			continue;
		char setv[64];
		snprintf(setv, sizeof(setv), "PRAGMA user_version = %d", m->version);
		if (exec(st, "BEGIN IMMEDIATE"))
			return KF_EIO;
		if (exec(st, m->sql) || exec(st, setv)) {
			exec(st, "ROLLBACK");
			log_error("migration %03d_%s failed", m->version, m->name);
			return KF_EIO;
		}
		if (exec(st, "COMMIT"))
			return KF_EIO;
		log_info("applied migration %03d_%s", m->version, m->name);
		n++;
	}
	if (applied)
		*applied = n;
	return 0;
}

int store_ping(struct store *st)
{
	int v;
	return store_schema_version(st, &v);
}

int store_backup(const char *src_path, const char *dest_path)
{
	sqlite3 *src = NULL, *dst = NULL;
	int rc = KF_EIO;
	if (sqlite3_open_v2(src_path, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_open_v2(dest_path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		log_error("backup: cannot open %s or %s", src_path, dest_path);
		goto out;
	}
	sqlite3_busy_timeout(src, 5000);
	sqlite3_busy_timeout(dst, 5000);
	/* step(-1) copies every page inside one read transaction: a consistent snapshot
	 * even while the server keeps writing through the WAL. */
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
	if (!b) {
		log_error("backup: %s", sqlite3_errmsg(dst));
		goto out;
	}
	int srv = sqlite3_backup_step(b, -1);
	sqlite3_backup_finish(b);
	if (srv != SQLITE_DONE) {
		log_error("backup: step: %s", sqlite3_errstr(srv));
		goto out;
	}
	rc = 0;
out:
	sqlite3_close(src);
	sqlite3_close(dst);
	return rc;
}

int store_maintain(struct store *st, int64_t now)
{
	sqlite3_stmt *s = stmt(st, Q_SESS_PRUNE);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, now);
	int rc = run(st, s);
	/* PASSIVE: copy what it can without waiting for readers or blocking writers (a TRUNCATE
	 * here would stall the loop's writes while a worker's long read runs); the WAL file is
	 * cut back to journal_size_limit once a checkpoint reaches its end. */
	sqlite3_wal_checkpoint_v2(st->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return rc;
}

const char *store_backend_version(void)
{
	static char v[48];
	snprintf(v, sizeof(v), "sqlite %s", sqlite3_libversion());
	return v;
}

/* ---- users ---- */

static void user_row(sqlite3_stmt *s, struct store_user *u)
{
	u->id = sqlite3_column_int64(s, 0);
	text_col(s, 1, u->email, sizeof(u->email));
	text_col(s, 2, u->name, sizeof(u->name));
	text_col(s, 3, u->role, sizeof(u->role));
	text_col(s, 4, u->pwhash, sizeof(u->pwhash));
	u->disabled = sqlite3_column_int(s, 5);
	u->created_at = sqlite3_column_int64(s, 6);
	u->max_chats = sqlite3_column_int(s, 7);
}

/* Runs a one-row SELECT into a user. */
static int user_one(struct store *st, sqlite3_stmt *s, struct store_user *out)
{
	int rc = step(st, s);
	if (rc == SQLITE_ROW)
		user_row(s, out);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? KF_ENOTFOUND : db_err(st, "user");
}

int store_user_create(struct store *st, struct store_user *u)
{
	sqlite3_stmt *s = stmt(st, Q_USER_INSERT);
	if (!s)
		return KF_EIO;
	if (!u->created_at)
		u->created_at = time_now_s();
	bind_text(s, 1, u->email);
	bind_text(s, 2, u->name);
	bind_text(s, 3, u->role);
	bind_text(s, 4, u->pwhash);
	sqlite3_bind_int(s, 5, u->disabled);
	sqlite3_bind_int64(s, 6, u->created_at);
	int rc = run(st, s);
	if (rc == 0)
		u->id = sqlite3_last_insert_rowid(st->db);
	return rc;
}

int store_user_get(struct store *st, int64_t id, struct store_user *out)
{
	sqlite3_stmt *s = stmt(st, Q_USER_GET);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	return user_one(st, s, out);
}

int store_user_by_email(struct store *st, const char *email, struct store_user *out)
{
	sqlite3_stmt *s = stmt(st, Q_USER_BY_EMAIL);
	if (!s)
		return KF_EIO;
	bind_text(s, 1, email);
	return user_one(st, s, out);
}

int store_user_update(struct store *st, const struct store_user *u)
{
	sqlite3_stmt *s = stmt(st, Q_USER_UPDATE);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, u->id);
	bind_text(s, 2, u->name);
	bind_text(s, 3, u->role);
	sqlite3_bind_int(s, 4, u->disabled);
	sqlite3_bind_int64(s, 5, time_now_s());
	sqlite3_bind_int(s, 6, u->max_chats);
	int rc = run(st, s);
	return rc ? rc : sqlite3_changes(st->db) ? 0 : KF_ENOTFOUND;
}

int store_user_set_password(struct store *st, int64_t id, const char *pwhash)
{
	sqlite3_stmt *s = stmt(st, Q_USER_SETPW);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	bind_text(s, 2, pwhash);
	sqlite3_bind_int64(s, 3, time_now_s());
	int rc = run(st, s);
	return rc ? rc : sqlite3_changes(st->db) ? 0 : KF_ENOTFOUND;
}

int store_user_count(struct store *st, int64_t *n)
{
	sqlite3_stmt *s = stmt(st, Q_USER_COUNT);
	if (!s)
		return KF_EIO;
	int rc = step(st, s);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : db_err(st, "user count");
}

int store_user_each(struct store *st, int (*cb)(void *, const struct store_user *), void *ud)
{
	sqlite3_stmt *s = stmt(st, Q_USER_ALL);
	if (!s)
		return KF_EIO;
	int rc, ret = 0;
	while ((rc = step(st, s)) == SQLITE_ROW) {
		struct store_user u;
		user_row(s, &u);
		if ((ret = cb(ud, &u)) != 0)
			break;
	}
	sqlite3_reset(s);
	if (ret)
		return ret;
	return rc == SQLITE_DONE ? 0 : db_err(st, "user list");
}

/* ---- sessions ---- */

int store_session_create(struct store *st, const struct store_session *x)
{
	sqlite3_stmt *s = stmt(st, Q_SESS_INSERT);
	if (!s)
		return KF_EIO;
	bind_text(s, 1, x->id_hash);
	sqlite3_bind_int64(s, 2, x->user_id);
	bind_text(s, 3, x->csrf);
	bind_text(s, 4, x->ip);
	bind_text(s, 5, x->user_agent);
	sqlite3_bind_int64(s, 6, x->created_at);
	sqlite3_bind_int64(s, 7, x->last_seen);
	sqlite3_bind_int64(s, 8, x->expires_at);
	return run(st, s);
}

int store_session_get(struct store *st, const char *id_hash, int64_t now, struct store_session *out)
{
	sqlite3_stmt *s = stmt(st, Q_SESS_GET);
	if (!s)
		return KF_EIO;
	bind_text(s, 1, id_hash);
	sqlite3_bind_int64(s, 2, now);
	int rc = step(st, s);
	if (rc == SQLITE_ROW) {
		text_col(s, 0, out->id_hash, sizeof(out->id_hash));
		out->user_id = sqlite3_column_int64(s, 1);
		text_col(s, 2, out->csrf, sizeof(out->csrf));
		text_col(s, 3, out->ip, sizeof(out->ip));
		text_col(s, 4, out->user_agent, sizeof(out->user_agent));
		out->created_at = sqlite3_column_int64(s, 5);
		out->last_seen = sqlite3_column_int64(s, 6);
		out->expires_at = sqlite3_column_int64(s, 7);
	}
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? KF_ENOTFOUND : db_err(st, "session");
}

int store_session_touch(struct store *st, const char *id_hash, int64_t last_seen, int64_t expires_at)
{
	sqlite3_stmt *s = stmt(st, Q_SESS_TOUCH);
	if (!s)
		return KF_EIO;
	bind_text(s, 1, id_hash);
	sqlite3_bind_int64(s, 2, last_seen);
	sqlite3_bind_int64(s, 3, expires_at);
	return run(st, s);
}

int store_session_delete(struct store *st, const char *id_hash)
{
	sqlite3_stmt *s = stmt(st, Q_SESS_DELETE);
	if (!s)
		return KF_EIO;
	bind_text(s, 1, id_hash);
	return run(st, s);
}

int store_session_delete_user(struct store *st, int64_t user_id, const char *except_hash)
{
	sqlite3_stmt *s = stmt(st, Q_SESS_DELETE_USER);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, user_id);
	bind_text(s, 2, except_hash);
	return run(st, s);
}

/* ---- API keys ---- */

static void key_row(sqlite3_stmt *s, struct store_apikey *k)
{
	k->id = sqlite3_column_int64(s, 0);
	text_col(s, 1, k->name, sizeof(k->name));
	text_col(s, 2, k->prefix, sizeof(k->prefix));
	text_col(s, 3, k->key_hash, sizeof(k->key_hash));
	text_col(s, 4, k->scopes, sizeof(k->scopes));
	k->created_by = sqlite3_column_int64(s, 5);
	k->created_at = sqlite3_column_int64(s, 6);
	k->last_used_at = sqlite3_column_int64(s, 7);
	k->revoked_at = sqlite3_column_int64(s, 8);
}

int store_apikey_create(struct store *st, struct store_apikey *k)
{
	sqlite3_stmt *s = stmt(st, Q_KEY_INSERT);
	if (!s)
		return KF_EIO;
	if (!k->created_at)
		k->created_at = time_now_s();
	bind_text(s, 1, k->name);
	bind_text(s, 2, k->prefix);
	bind_text(s, 3, k->key_hash);
	bind_text(s, 4, k->scopes);
	sqlite3_bind_int64(s, 5, k->created_by);
	sqlite3_bind_int64(s, 6, k->created_at);
	int rc = run(st, s);
	if (rc == 0)
		k->id = sqlite3_last_insert_rowid(st->db);
	return rc;
}

int store_apikey_by_hash(struct store *st, const char *key_hash, struct store_apikey *out)
{
	sqlite3_stmt *s = stmt(st, Q_KEY_BY_HASH);
	if (!s)
		return KF_EIO;
	bind_text(s, 1, key_hash);
	int rc = step(st, s);
	if (rc == SQLITE_ROW)
		key_row(s, out);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? KF_ENOTFOUND : db_err(st, "apikey");
}

int store_apikey_each(struct store *st, int (*cb)(void *, const struct store_apikey *), void *ud)
{
	sqlite3_stmt *s = stmt(st, Q_KEY_ALL);
	if (!s)
		return KF_EIO;
	int rc, ret = 0;
	while ((rc = step(st, s)) == SQLITE_ROW) {
		struct store_apikey k;
		key_row(s, &k);
		if ((ret = cb(ud, &k)) != 0)
			break;
	}
	sqlite3_reset(s);
	if (ret)
		return ret;
	return rc == SQLITE_DONE ? 0 : db_err(st, "apikey list");
}

int store_apikey_revoke(struct store *st, int64_t id, int64_t now)
{
	sqlite3_stmt *s = stmt(st, Q_KEY_REVOKE);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, now);
	int rc = run(st, s);
	return rc ? rc : sqlite3_changes(st->db) ? 0 : KF_ENOTFOUND;
}

int store_apikey_used(struct store *st, int64_t id, int64_t now)
{
	sqlite3_stmt *s = stmt(st, Q_KEY_USED);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, now);
	return run(st, s);
}

/* ---- uploads and audit ---- */

int store_upload_create(struct store *st, struct store_upload *u)
{
	sqlite3_stmt *s = stmt(st, Q_UPLOAD_INSERT);
	if (!s)
		return KF_EIO;
	if (!u->created_at)
		u->created_at = time_now_s();
	bind_text(s, 1, u->name);
	bind_text(s, 2, u->content_type);
	sqlite3_bind_int64(s, 3, u->size);
	bind_text(s, 4, u->path);
	sqlite3_bind_int64(s, 5, u->uploaded_by);
	sqlite3_bind_int64(s, 6, u->created_at);
	int rc = run(st, s);
	if (rc == 0)
		u->id = sqlite3_last_insert_rowid(st->db);
	return rc;
}

int store_setting_get(struct store *st, const char *key, char *out, size_t outsz)
{
	sqlite3_stmt *s = stmt(st, Q_SET_GET);
	if (!s)
		return KF_EIO;
	bind_text(s, 1, key);
	int rc = step(st, s);
	if (rc == SQLITE_ROW)
		text_col(s, 0, out, outsz);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? KF_ENOTFOUND : db_err(st, "setting");
}

int store_setting_set(struct store *st, const char *key, const char *value)
{
	sqlite3_stmt *s = stmt(st, Q_SET_PUT);
	if (!s)
		return KF_EIO;
	bind_text(s, 1, key);
	bind_text(s, 2, value);
	sqlite3_bind_int64(s, 3, time_now_s());
	return run(st, s);
}

int store_audit(struct store *st, int64_t user_id, const char *ip, const char *action, const char *detail)
{
	sqlite3_stmt *s = stmt(st, Q_AUDIT_INSERT);
	if (!s)
		return KF_EIO;
	sqlite3_bind_int64(s, 1, time_now_s());
	sqlite3_bind_int64(s, 2, user_id);
	bind_text(s, 3, ip);
	bind_text(s, 4, action);
	bind_text(s, 5, detail);
	return run(st, s);
}

int store__one_int(struct store *st, sqlite3_stmt *s, int64_t *out)
{
	int rc = store__step(st, s);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? KF_ENOTFOUND : store__err(st, sqlite3_sql(s));
}

int store__ids(struct store *st, sqlite3_stmt *s, int64_t *ids, size_t max, size_t *n)
{
	int rc;
	*n = 0;
	while ((rc = store__step(st, s)) == SQLITE_ROW)
		if (*n < max)
			ids[(*n)++] = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : store__err(st, sqlite3_sql(s));
}

int store__one(struct store *st, sqlite3_stmt *s, void (*row_cb)(sqlite3_stmt *, void *), void *out)
{
	int rc = store__step(st, s);
	if (rc == SQLITE_ROW)
		row_cb(s, out);
	sqlite3_reset(s);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? KF_ENOTFOUND : store__err(st, sqlite3_sql(s));
}
