/* tests/unit/test_store.c - store/store_sqlite.c in a temporary directory: migrations,
 * users, sessions, API keys, uploads, the audit log and online backup. */
#include "testutil.h"
#include "core/kf.h"
#include "core/log.h"
#include "store/migrations.h"
#include "store/store.h"

#define NOW 1700000000

static char dir[512], dbpath[600];
static struct store *st;

static int setup(void **state)
{
	(void)state;
	log_set_level_name("error");
	tu_mkdtemp(dir, sizeof(dir));
	snprintf(dbpath, sizeof(dbpath), "%s/kefu.db", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tu_rmtree(dir);
	return 0;
}

/* Each test gets a fresh, migrated database. */
static int open_fresh(void **state)
{
	(void)state;
	char p[700];
	remove(dbpath);
	snprintf(p, sizeof(p), "%s-wal", dbpath);
	remove(p);
	snprintf(p, sizeof(p), "%s-shm", dbpath);
	remove(p);
	if (store_open(dbpath, &st) != 0)
		return -1;
	return store_migrate(st, NULL);
}

static int close_it(void **state)
{
	(void)state;
	store_close(st);
	st = NULL;
	return 0;
}

static struct store_user mkuser(const char *email, const char *role)
{
	struct store_user u;
	memset(&u, 0, sizeof(u));
	snprintf(u.email, sizeof(u.email), "%s", email);
	snprintf(u.name, sizeof(u.name), "Name of %s", email);
	snprintf(u.role, sizeof(u.role), "%s", role);
	snprintf(u.pwhash, sizeof(u.pwhash), "$argon2id$v=19$m=65536,t=2,p=1$fake");
	return u;
}

static int64_t add_user(const char *email, const char *role)
{
	struct store_user u = mkuser(email, role);
	assert_int_equal(store_user_create(st, &u), 0);
	assert_true(u.id > 0);
	return u.id;
}

/* ---- lifecycle and migrations ---- */

static void test_store_migrate_is_idempotent(void **state)
{
	(void)state;
	struct store *s2;
	char p[700];
	snprintf(p, sizeof(p), "%s/migrate.db", dir);
	assert_int_equal(store_open(p, &s2), 0);
	int applied = -1, version = -1;
	assert_int_equal(store_schema_version(s2, &version), 0);
	assert_int_equal(version, 0);
	assert_int_equal(store_migrate(s2, &applied), 0);
	assert_int_equal(applied, (int)kf_migrations_count);
	assert_true(applied >= 1);
	assert_int_equal(store_schema_version(s2, &version), 0);
	assert_int_equal(version, kf_migrations[kf_migrations_count - 1].version);
	assert_int_equal(store_migrate(s2, &applied), 0);
	assert_int_equal(applied, 0);
	store_close(s2);

	/* and after reopening */
	assert_int_equal(store_open(p, &s2), 0);
	applied = -1;
	assert_int_equal(store_migrate(s2, &applied), 0);
	assert_int_equal(applied, 0);
	assert_int_equal(store_ping(s2), 0);
	store_close(s2);
	store_close(NULL);
}

static void test_store_open_fails_for_missing_directory(void **state)
{
	(void)state;
	struct store *s2 = (struct store *)1;
	char p[700];
	snprintf(p, sizeof(p), "%s/no/such/dir/kefu.db", dir);
	tu_quiet(1);
	int rc = store_open(p, &s2);
	tu_quiet(0);
	assert_int_equal(rc, KF_EIO);
	assert_ptr_equal(s2, (struct store *)1);   /* untouched on failure */
}

static void test_store_backend_version_and_seconds(void **state)
{
	(void)state;
	assert_int_equal(strncmp(store_backend_version(), "sqlite 3.", 9), 0);
	add_user("t@example.com", "agent");
	assert_true(store_seconds(st) > 0);
}

/* ---- users ---- */

static void test_user_create_and_get(void **state)
{
	(void)state;
	struct store_user u = mkuser("alice@example.com", "admin"), g;
	u.created_at = NOW;
	assert_int_equal(store_user_create(st, &u), 0);
	assert_true(u.id > 0);
	assert_int_equal(store_user_get(st, u.id, &g), 0);
	assert_int_equal(g.id, u.id);
	assert_string_equal(g.email, "alice@example.com");
	assert_string_equal(g.name, "Name of alice@example.com");
	assert_string_equal(g.role, "admin");
	assert_string_equal(g.pwhash, u.pwhash);
	assert_int_equal(g.disabled, 0);
	assert_int_equal(g.created_at, NOW);

	struct store_user v = mkuser("bob@example.com", "agent");
	assert_int_equal(store_user_create(st, &v), 0);
	assert_true(v.created_at > NOW);   /* filled in when 0 */
	assert_true(v.id != u.id);
}

static void test_user_get_unknown_is_notfound(void **state)
{
	(void)state;
	struct store_user g;
	memset(&g, 0x11, sizeof(g));
	assert_int_equal(store_user_get(st, 12345, &g), KF_ENOTFOUND);
	assert_int_equal(g.id, 0x1111111111111111LL);   /* untouched */
	assert_int_equal(store_user_by_email(st, "nobody@example.com", &g), KF_ENOTFOUND);
}

static void test_user_by_email_is_case_insensitive(void **state)
{
	(void)state;
	int64_t id = add_user("Carol.Smith@Example.COM", "supervisor");
	struct store_user g;
	assert_int_equal(store_user_by_email(st, "carol.smith@example.com", &g), 0);
	assert_int_equal(g.id, id);
	assert_string_equal(g.email, "Carol.Smith@Example.COM");   /* stored as given */
	assert_int_equal(store_user_by_email(st, "CAROL.SMITH@EXAMPLE.COM", &g), 0);
	assert_int_equal(g.id, id);
	assert_int_equal(store_user_by_email(st, "carol.smith@example.co", &g), KF_ENOTFOUND);
}

static void test_user_duplicate_email_is_eexist(void **state)
{
	(void)state;
	add_user("dave@example.com", "agent");
	struct store_user u = mkuser("dave@example.com", "admin");
	assert_int_equal(store_user_create(st, &u), KF_EEXIST);
	u = mkuser("DAVE@example.com", "admin");
	assert_int_equal(store_user_create(st, &u), KF_EEXIST);
	int64_t n = 0;
	assert_int_equal(store_user_count(st, &n), 0);
	assert_int_equal(n, 1);
}

static void test_user_bad_role_is_refused(void **state)
{
	(void)state;
	struct store_user u = mkuser("eve@example.com", "root");
	tu_quiet(1);
	int rc = store_user_create(st, &u);
	tu_quiet(0);
	assert_int_not_equal(rc, 0);
	int64_t n = -1;
	assert_int_equal(store_user_count(st, &n), 0);
	assert_int_equal(n, 0);
}

static void test_user_update_and_set_password(void **state)
{
	(void)state;
	int64_t id = add_user("frank@example.com", "agent");
	struct store_user u;
	assert_int_equal(store_user_get(st, id, &u), 0);
	snprintf(u.name, sizeof(u.name), "Frank 王");
	snprintf(u.role, sizeof(u.role), "supervisor");
	u.disabled = 1;
	snprintf(u.email, sizeof(u.email), "changed@example.com");   /* not updatable */
	assert_int_equal(store_user_update(st, &u), 0);
	struct store_user g;
	assert_int_equal(store_user_get(st, id, &g), 0);
	assert_string_equal(g.name, "Frank 王");
	assert_string_equal(g.role, "supervisor");
	assert_int_equal(g.disabled, 1);
	assert_string_equal(g.email, "frank@example.com");

	assert_int_equal(store_user_set_password(st, id, "$argon2id$new"), 0);
	assert_int_equal(store_user_get(st, id, &g), 0);
	assert_string_equal(g.pwhash, "$argon2id$new");

	u.id = 999;
	assert_int_equal(store_user_update(st, &u), KF_ENOTFOUND);
	assert_int_equal(store_user_set_password(st, 999, "x"), KF_ENOTFOUND);
}

static void test_user_full_length_name_round_trips(void **state)
{
	(void)state;
	struct store_user u = mkuser("long@example.com", "agent"), g;
	memset(u.name, 'n', sizeof(u.name) - 1);
	u.name[sizeof(u.name) - 1] = '\0';
	assert_int_equal(store_user_create(st, &u), 0);
	assert_int_equal(store_user_get(st, u.id, &g), 0);
	assert_int_equal(strlen(g.name), sizeof(g.name) - 1);
}

struct each_ctx { int n; int64_t ids[8]; int stop_at; };

static int each_cb(void *ud, const struct store_user *u)
{
	struct each_ctx *c = ud;
	c->ids[c->n++] = u->id;
	return c->n == c->stop_at ? 42 : 0;
}

static void test_user_each_in_id_order_and_stops(void **state)
{
	(void)state;
	int64_t a = add_user("u1@example.com", "agent"), b = add_user("u2@example.com", "admin");
	int64_t c = add_user("u3@example.com", "agent");
	struct each_ctx x = { 0, { 0 }, 0 };
	assert_int_equal(store_user_each(st, each_cb, &x), 0);
	assert_int_equal(x.n, 3);
	assert_int_equal(x.ids[0], a);
	assert_int_equal(x.ids[1], b);
	assert_int_equal(x.ids[2], c);
	struct each_ctx y = { 0, { 0 }, 2 };
	assert_int_equal(store_user_each(st, each_cb, &y), 42);
	assert_int_equal(y.n, 2);
	/* the statement was reset: a later query works */
	int64_t n = 0;
	assert_int_equal(store_user_count(st, &n), 0);
	assert_int_equal(n, 3);
}

/* ---- sessions ---- */

static struct store_session mksess(const char *hash, int64_t user, int64_t expires)
{
	struct store_session s;
	memset(&s, 0, sizeof(s));
	snprintf(s.id_hash, sizeof(s.id_hash), "%s", hash);
	s.user_id = user;
	snprintf(s.csrf, sizeof(s.csrf), "csrf-%s", hash);
	snprintf(s.ip, sizeof(s.ip), "192.0.2.7");
	snprintf(s.user_agent, sizeof(s.user_agent), "cmocka/1.1");
	s.created_at = s.last_seen = NOW;
	s.expires_at = expires;
	return s;
}

static void test_session_create_get(void **state)
{
	(void)state;
	int64_t uid = add_user("s@example.com", "agent");
	struct store_session s = mksess("h1", uid, NOW + 3600), g;
	assert_int_equal(store_session_create(st, &s), 0);
	assert_int_equal(store_session_get(st, "h1", NOW + 10, &g), 0);
	assert_string_equal(g.id_hash, "h1");
	assert_int_equal(g.user_id, uid);
	assert_string_equal(g.csrf, "csrf-h1");
	assert_string_equal(g.ip, "192.0.2.7");
	assert_string_equal(g.user_agent, "cmocka/1.1");
	assert_int_equal(g.created_at, NOW);
	assert_int_equal(g.last_seen, NOW);
	assert_int_equal(g.expires_at, NOW + 3600);
	assert_int_equal(store_session_get(st, "h2", NOW, &g), KF_ENOTFOUND);
}

static void test_session_expired_is_not_returned(void **state)
{
	(void)state;
	int64_t uid = add_user("x@example.com", "agent");
	struct store_session s = mksess("exp", uid, NOW + 100), g;
	assert_int_equal(store_session_create(st, &s), 0);
	assert_int_equal(store_session_get(st, "exp", NOW + 99, &g), 0);
	assert_int_equal(store_session_get(st, "exp", NOW + 100, &g), KF_ENOTFOUND);
	assert_int_equal(store_session_get(st, "exp", NOW + 5000, &g), KF_ENOTFOUND);
}

static void test_session_touch_extends(void **state)
{
	(void)state;
	int64_t uid = add_user("t@example.com", "agent");
	struct store_session s = mksess("t1", uid, NOW + 100), g;
	assert_int_equal(store_session_create(st, &s), 0);
	assert_int_equal(store_session_touch(st, "t1", NOW + 50, NOW + 1000), 0);
	assert_int_equal(store_session_get(st, "t1", NOW + 500, &g), 0);
	assert_int_equal(g.last_seen, NOW + 50);
	assert_int_equal(g.expires_at, NOW + 1000);
}

static void test_session_delete(void **state)
{
	(void)state;
	int64_t uid = add_user("d@example.com", "agent");
	struct store_session s = mksess("del", uid, NOW + 100), g;
	assert_int_equal(store_session_create(st, &s), 0);
	assert_int_equal(store_session_delete(st, "del"), 0);
	assert_int_equal(store_session_get(st, "del", NOW, &g), KF_ENOTFOUND);
	assert_int_equal(store_session_delete(st, "del"), 0);   /* deleting nothing is fine */
}

static void test_session_duplicate_hash_is_eexist(void **state)
{
	(void)state;
	int64_t uid = add_user("dup@example.com", "agent");
	struct store_session s = mksess("same", uid, NOW + 100);
	assert_int_equal(store_session_create(st, &s), 0);
	assert_int_equal(store_session_create(st, &s), KF_EEXIST);
}

static void test_session_delete_user_keeps_exception_and_others(void **state)
{
	(void)state;
	int64_t u1 = add_user("one@example.com", "agent"), u2 = add_user("two@example.com", "agent");
	const char *mine[] = { "a1", "a2", "a3" };
	struct store_session g;
	for (int i = 0; i < 3; i++) {
		struct store_session s = mksess(mine[i], u1, NOW + 100);
		assert_int_equal(store_session_create(st, &s), 0);
	}
	struct store_session o = mksess("b1", u2, NOW + 100);
	assert_int_equal(store_session_create(st, &o), 0);

	assert_int_equal(store_session_delete_user(st, u1, "a2"), 0);
	assert_int_equal(store_session_get(st, "a1", NOW, &g), KF_ENOTFOUND);
	assert_int_equal(store_session_get(st, "a2", NOW, &g), 0);
	assert_int_equal(store_session_get(st, "a3", NOW, &g), KF_ENOTFOUND);
	assert_int_equal(store_session_get(st, "b1", NOW, &g), 0);

	/* "" keeps nothing back */
	assert_int_equal(store_session_delete_user(st, u1, ""), 0);
	assert_int_equal(store_session_get(st, "a2", NOW, &g), KF_ENOTFOUND);
	assert_int_equal(store_session_get(st, "b1", NOW, &g), 0);
}

static void test_session_maintain_prunes_expired(void **state)
{
	(void)state;
	int64_t uid = add_user("m@example.com", "agent");
	struct store_session old = mksess("old", uid, NOW - 1), live = mksess("live", uid, NOW + 100), g;
	assert_int_equal(store_session_create(st, &old), 0);
	assert_int_equal(store_session_create(st, &live), 0);
	assert_int_equal(store_maintain(st, NOW), 0);
	/* asked for with an earlier "now", only the live one is still there */
	assert_int_equal(store_session_get(st, "old", NOW - 100, &g), KF_ENOTFOUND);
	assert_int_equal(store_session_get(st, "live", NOW - 100, &g), 0);
}

static void test_session_foreign_key_to_user(void **state)
{
	(void)state;
	struct store_session s = mksess("orphan", 4242, NOW + 100);
	tu_quiet(1);
	int rc = store_session_create(st, &s);
	tu_quiet(0);
	assert_int_not_equal(rc, 0);
}

/* ---- API keys ---- */

static struct store_apikey mkkey(const char *name, const char *hash, int64_t by)
{
	struct store_apikey k;
	memset(&k, 0, sizeof(k));
	snprintf(k.name, sizeof(k.name), "%s", name);
	snprintf(k.prefix, sizeof(k.prefix), "kf_%.7s", hash);
	snprintf(k.key_hash, sizeof(k.key_hash), "%s", hash);
	snprintf(k.scopes, sizeof(k.scopes), "orders:write tickets:read");
	k.created_by = by;
	return k;
}

static void test_apikey_create_and_by_hash(void **state)
{
	(void)state;
	int64_t uid = add_user("k@example.com", "admin");
	struct store_apikey k = mkkey("shop", "hash-shop", uid), g;
	k.created_at = NOW;
	assert_int_equal(store_apikey_create(st, &k), 0);
	assert_true(k.id > 0);
	assert_int_equal(store_apikey_by_hash(st, "hash-shop", &g), 0);
	assert_int_equal(g.id, k.id);
	assert_string_equal(g.name, "shop");
	assert_string_equal(g.prefix, "kf_hash-sh");
	assert_string_equal(g.scopes, "orders:write tickets:read");
	assert_int_equal(g.created_by, uid);
	assert_int_equal(g.created_at, NOW);
	assert_int_equal(g.last_used_at, 0);
	assert_int_equal(g.revoked_at, 0);
	assert_int_equal(store_apikey_by_hash(st, "hash-none", &g), KF_ENOTFOUND);

	/* created_by 0 means "nobody" (NULL), and reads back as 0 */
	struct store_apikey sys = mkkey("system", "hash-sys", 0);
	assert_int_equal(store_apikey_create(st, &sys), 0);
	assert_int_equal(store_apikey_by_hash(st, "hash-sys", &g), 0);
	assert_int_equal(g.created_by, 0);
}

static void test_apikey_duplicate_hash_is_eexist(void **state)
{
	(void)state;
	struct store_apikey k = mkkey("a", "same-hash", 0);
	assert_int_equal(store_apikey_create(st, &k), 0);
	k = mkkey("b", "same-hash", 0);
	assert_int_equal(store_apikey_create(st, &k), KF_EEXIST);
}

static void test_apikey_revoke_twice_is_notfound(void **state)
{
	(void)state;
	struct store_apikey k = mkkey("r", "hash-r", 0), g;
	assert_int_equal(store_apikey_create(st, &k), 0);
	assert_int_equal(store_apikey_revoke(st, k.id, NOW + 5), 0);
	assert_int_equal(store_apikey_by_hash(st, "hash-r", &g), 0);
	assert_int_equal(g.revoked_at, NOW + 5);
	assert_int_equal(store_apikey_revoke(st, k.id, NOW + 9), KF_ENOTFOUND);
	assert_int_equal(store_apikey_by_hash(st, "hash-r", &g), 0);
	assert_int_equal(g.revoked_at, NOW + 5);   /* the first revocation time stays */
	assert_int_equal(store_apikey_revoke(st, 9999, NOW), KF_ENOTFOUND);
}

static void test_apikey_used_sets_last_used(void **state)
{
	(void)state;
	struct store_apikey k = mkkey("u", "hash-u", 0), g;
	assert_int_equal(store_apikey_create(st, &k), 0);
	assert_int_equal(store_apikey_used(st, k.id, NOW + 77), 0);
	assert_int_equal(store_apikey_by_hash(st, "hash-u", &g), 0);
	assert_int_equal(g.last_used_at, NOW + 77);
}

struct names { char s[256]; };

static int key_each_cb(void *ud, const struct store_apikey *k)
{
	struct names *o = ud;
	size_t l = strlen(o->s);
	snprintf(o->s + l, sizeof(o->s) - l, "%s;", k->name);
	return 0;
}

static void test_apikey_each_lists_all_in_order(void **state)
{
	(void)state;
	const char *names[] = { "k1", "k2", "k3" };
	for (int i = 0; i < 3; i++) {
		char h[16];
		snprintf(h, sizeof(h), "hash-%d", i);
		struct store_apikey k = mkkey(names[i], h, 0);
		assert_int_equal(store_apikey_create(st, &k), 0);
		if (i == 1)
			assert_int_equal(store_apikey_revoke(st, k.id, NOW), 0);   /* revoked ones are listed too */
	}
	struct names out = { "" };
	assert_int_equal(store_apikey_each(st, key_each_cb, &out), 0);
	assert_string_equal(out.s, "k1;k2;k3;");
}

/* ---- uploads, audit ---- */

static void test_upload_and_audit_rows(void **state)
{
	(void)state;
	int64_t uid = add_user("up@example.com", "agent");
	struct store_upload u;
	memset(&u, 0, sizeof(u));
	snprintf(u.name, sizeof(u.name), "报告.pdf");
	snprintf(u.content_type, sizeof(u.content_type), "application/pdf");
	snprintf(u.path, sizeof(u.path), "abc-1");
	u.size = 12345;
	u.uploaded_by = uid;
	assert_int_equal(store_upload_create(st, &u), 0);
	assert_true(u.id > 0);
	assert_true(u.created_at > 0);
	u.uploaded_by = 0;   /* anonymous */
	assert_int_equal(store_upload_create(st, &u), 0);

	assert_int_equal(store_audit(st, uid, "192.0.2.1", "login", ""), 0);
	assert_int_equal(store_audit(st, 0, "cli", "user.created", "x@example.com"), 0);
	assert_int_equal(store_audit(st, 0, NULL, "x", NULL), 0);
}

/* ---- backup ---- */

static void test_backup_is_a_readable_copy(void **state)
{
	(void)state;
	int64_t a = add_user("b1@example.com", "admin");
	int64_t b = add_user("b2@example.com", "agent");
	char copy[700];
	snprintf(copy, sizeof(copy), "%s/backup-copy.db", dir);
	remove(copy);
	/* the source stays open and may hold pages in its WAL */
	assert_int_equal(store_backup(dbpath, copy), 0);

	struct store *c;
	assert_int_equal(store_open(copy, &c), 0);
	int version = 0, applied = -1;
	assert_int_equal(store_schema_version(c, &version), 0);
	assert_int_equal(version, kf_migrations[kf_migrations_count - 1].version);
	assert_int_equal(store_migrate(c, &applied), 0);
	assert_int_equal(applied, 0);
	int64_t n = 0;
	assert_int_equal(store_user_count(c, &n), 0);
	assert_int_equal(n, 2);
	struct store_user g;
	assert_int_equal(store_user_by_email(c, "b1@example.com", &g), 0);
	assert_int_equal(g.id, a);
	assert_string_equal(g.role, "admin");
	assert_int_equal(store_user_get(c, b, &g), 0);
	assert_string_equal(g.email, "b2@example.com");
	store_close(c);

	/* the copy is independent of the source */
	add_user("b3@example.com", "agent");
	assert_int_equal(store_open(copy, &c), 0);
	assert_int_equal(store_user_count(c, &n), 0);
	assert_int_equal(n, 2);
	store_close(c);
	remove(copy);
}

static void test_backup_of_missing_source_fails(void **state)
{
	(void)state;
	char src[700], dst[700];
	snprintf(src, sizeof(src), "%s/missing.db", dir);
	snprintf(dst, sizeof(dst), "%s/out.db", dir);
	tu_quiet(1);
	int rc = store_backup(src, dst);
	tu_quiet(0);
	assert_int_equal(rc, KF_EIO);
	remove(dst);
}

#define T(f) cmocka_unit_test_setup_teardown(f, open_fresh, close_it)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store_migrate_is_idempotent),
		cmocka_unit_test(test_store_open_fails_for_missing_directory),
		T(test_store_backend_version_and_seconds),
		T(test_user_create_and_get),
		T(test_user_get_unknown_is_notfound),
		T(test_user_by_email_is_case_insensitive),
		T(test_user_duplicate_email_is_eexist),
		T(test_user_bad_role_is_refused),
		T(test_user_update_and_set_password),
		T(test_user_full_length_name_round_trips),
		T(test_user_each_in_id_order_and_stops),
		T(test_session_create_get),
		T(test_session_expired_is_not_returned),
		T(test_session_touch_extends),
		T(test_session_delete),
		T(test_session_duplicate_hash_is_eexist),
		T(test_session_delete_user_keeps_exception_and_others),
		T(test_session_maintain_prunes_expired),
		T(test_session_foreign_key_to_user),
		T(test_apikey_create_and_by_hash),
		T(test_apikey_duplicate_hash_is_eexist),
		T(test_apikey_revoke_twice_is_notfound),
		T(test_apikey_used_sets_last_used),
		T(test_apikey_each_lists_all_in_order),
		T(test_upload_and_audit_rows),
		T(test_backup_is_a_readable_copy),
		T(test_backup_of_missing_source_fails),
	};
	return cmocka_run_group_tests_name("store", tests, setup, teardown);
}
