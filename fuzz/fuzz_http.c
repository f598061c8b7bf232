/* fuzz/fuzz_http.c - libFuzzer target for request parsing AND routing: the whole server
 * as main.c wires it (system + auth routes, store in a temporary directory, authorize
 * hook, rate limits), fed through memory connections like http_server_feed().
 *
 * Input: byte 0 says how the rest arrives, the rest is what one client sends.
 *   bit 0       the peer is a trusted proxy (X-Forwarded-For/-Proto are believed)
 *   bits 1..7   0: one read (through http_server_feed itself); 127: one byte per read;
 *               else two reads, cut at sel * len / 127
 * Reads are delivered the way on_read delivers them: never while a request is in
 * flight or after the server decided to close. http_server_feed takes the bytes as a
 * single read, so this file includes server.c (STYLE.md 16: a test may include a .c to
 * reach its statics) and the fuzz Makefile links it without server.o.
 *
 * Fixed credentials let mutations reach signed-in routes (see fuzz/http.dict):
 *   Cookie: kefu_session=fuzz-admin-session-token   X-CSRF-Token: fuzz-admin-csrf
 *   Cookie: kefu_session=fuzz-agent-session-token   X-CSRF-Token: fuzz-agent-csrf
 *   Authorization: Bearer kf_fuzz_api_key           (scope orders:write)
 *   admin@example.com / agent@example.com with password fuzz-password
 * Before every input the users, sessions and key are put back (a fuzzed logout or
 * "disabled": true would otherwise switch those routes off for the rest of the run),
 * and rows earlier inputs added (users, keys, uploads, audit lines) are deleted.
 *
 * After each input the bytes sent back must be well-formed responses (fz_check_output:
 * status line, X-Request-Id, Content-Length framing, JSON bodies that parse, errors as
 * {"error":{"code"}}) and no connection or WebSocket may be left open.
 *
 * argon2id: the users' hashes use libsodium's minimum cost, so signing them in is fast.
 * What stays slow is the INTERACTIVE dummy hash (unknown e-mails) and new hashes (user
 * creation, password change); password_verify/password_hash are wrapped with
 * -Wl,--wrap so that at most one slow one runs per FZ_SLOW_GAP_MS; the others get the
 * same answer cheaply (a random dummy password never matches; a minimum-cost argon2id
 * hash of the same password). */
#include "../src/http/server.c"
#include "app/app.h"
#include "auth/auth.h"
#include "chat/chat.h"
#include "kb/kb.h"
#include "crm/crm.h"
#include "track/track.h"
#include "search/search.h"
#include "core/ratelimit.h"
#include "store/store.h"
#include <ftw.h>
#include <sodium.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#define FZ_PASSWORD "fuzz-password"
#define FZ_ADMIN_TOKEN "fuzz-admin-session-token"
#define FZ_AGENT_TOKEN "fuzz-agent-session-token"
#define FZ_API_KEY "kf_fuzz_api_key"
#define FZ_SLOW_GAP_MS 2000

static struct app fz_app;
static uv_loop_t fz_loop;
static char fz_dir[512];
static sqlite3 *fz_db;            /* a second connection, for the reset before each input */
static char fz_reset_sql[4096];
static sqlite3_stmt *fz_reset[16]; /* fz_reset_sql, prepared once */
static size_t fz_nreset;
static struct buf fz_out;

/* ---- cheap stand-ins for slow argon2id work ---- */

int __real_password_verify(const char *pw, const char *hash);
int __real_password_hash(const char *pw, char out[160]);
int __wrap_password_verify(const char *pw, const char *hash);
int __wrap_password_hash(const char *pw, char out[160]);

static uint64_t fz_last_slow_ms;

static int fz_slow_allowed(void)
{
	uint64_t now = time_mono_ns() / 1000000u;
	if (fz_last_slow_ms && now - fz_last_slow_ms < FZ_SLOW_GAP_MS)
		return 0;
	fz_last_slow_ms = now;
	return 1;
}

static int fz_cheap_hash(const char *hash)
{
	/* "$argon2id$v=19$m=8,t=1,p=1$...": memory below 1 MiB is the minimum-cost kind */
	const char *m = strstr(hash, "$m=");
	return m && strtoul(m + 3, NULL, 10) < 1024;
}

int __wrap_password_verify(const char *pw, const char *hash)
{
	if (fz_cheap_hash(hash) || fz_slow_allowed())
		return __real_password_verify(pw, hash);
	return KF_EDENIED;   /* only the random dummy hash gets here: it never matches */
}

int __wrap_password_hash(const char *pw, char out[160])
{
	if (fz_slow_allowed())
		return __real_password_hash(pw, out);
	char h[crypto_pwhash_STRBYTES];
	if (crypto_pwhash_str_alg(h, pw, strlen(pw), crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN,
				  crypto_pwhash_ALG_ARGON2ID13) != 0)
		return KF_ENOMEM;
	memcpy(out, h, sizeof(h));
	return 0;
}

/* ---- feeding ---- */

/* Runs the loop until the connection has no request in flight and no worker job. */
static void fz_settle(struct http_server *s, struct http_conn *c)
{
	while (c->refs > 2 || (c->inflight && !c->closing))
		if (uv_run(s->loop, UV_RUN_ONCE) == 0 && c->refs <= 2)
			break;
}

/* http_server_feed (keep the two alike) with the data cut into reads at cuts[0..ncuts)
 * (ascending) and, when asked, a peer that is a trusted proxy. */
static int fz_feed(struct http_server *s, const char *data, size_t n, const size_t *cuts, size_t ncuts,
		   int trusted, struct buf *out)
{
	struct http_conn *c = xcalloc(1, sizeof(*c));
	snprintf(c->peer_ip, sizeof(c->peer_ip), "192.0.2.1");
	c->mem_out = out;
	conn_attach(s, c);
	c->trusted_peer = trusted && is_trusted(s, c->peer_ip);
	c->refs++;
	size_t off = 0;
	for (size_t k = 0; k <= ncuts; k++) {
		size_t end = k < ncuts ? cuts[k] : n;
		fz_settle(s, c);
		if (c->closing || c->close_after_write)
			break;   /* on a socket, reading has stopped */
		if (end > off) {
			if (c->mode == CONN_WS)
				ws__feed(c, data + off, end - off);
			else
				conn_run(c, data + off, end - off);
		}
		off = end;
	}
	fz_settle(s, c);
	int closed = c->closing;
	if (!c->closing)
		conn__close(c);
	if (--c->refs == 0)
		free(c);
	return closed;
}

/* ---- what came back ---- */

static void fz_bad_output(const char *why, const char *at)
{
	fprintf(stderr, "fuzz_http: %s at offset %zu of the output:\n%.300s\n", why, (size_t)(at - fz_out.ptr), at);
	abort();
}

/* Walks the responses in fz_out: each must be "HTTP/1.1 NNN ...", end its headers with
 * an empty line, carry X-Request-Id and a Content-Length that frames it, and a JSON one
 * must hold valid JSON (an error one {"error":{"code":"..."}}). After a 101 the rest is
 * WebSocket frames. HEAD answers carry no body, so when the input has a HEAD request
 * only the first response is checked. */
static void fz_check_output(int had_head)
{
	const char *p = fz_out.ptr, *end = fz_out.ptr + fz_out.len;
	while (p < end) {
		int status = 0;
		if (end - p < 13 || memcmp(p, "HTTP/1.1 ", 9) != 0 || sscanf(p + 9, "%3d", &status) != 1 ||
		    status < 100 || status > 599)
			fz_bad_output("no status line", p);
		const char *hend = memmem(p, (size_t)(end - p), "\r\n\r\n", 4);
		if (!hend)
			fz_bad_output("headers without an end", p);
		size_t hl = (size_t)(hend - p) + 2;
		char *head = xstrndup(p, hl);
		const char *body = hend + 4;
		if (status == 100) {
			free(head);
			p = body;
			continue;
		}
		if (status == 101) {
			free(head);
			return;
		}
		if (!strcasestr(head, "\r\nX-Request-Id: "))
			fz_bad_output("response without X-Request-Id", p);
		const char *cl = strcasestr(head, "\r\nContent-Length: ");
		size_t blen = 0;
		if (cl)
			blen = strtoul(cl + 18, NULL, 10);
		else if (status != 204 && status != 304)
			fz_bad_output("response without Content-Length", p);
		if (had_head) {
			free(head);
			return;
		}
		if ((size_t)(end - body) < blen)
			fz_bad_output("body shorter than Content-Length", p);
		if (strcasestr(head, "\r\nContent-Type: application/json")) {
			json_error_t e;
			json_t *j = json_loadb(body, blen, 0, &e);
			if (!j)
				fz_bad_output("JSON response that is not JSON", p);
			if (status >= 400 && !json_is_string(json_object_get(json_object_get(j, "error"), "code")))
				fz_bad_output("error response without error.code", p);
			json_decref(j);
		} else if (status >= 400) {
			fz_bad_output("error response that is not JSON", p);
		}
		free(head);
		p = body + blen;
	}
}

/* ---- setup ---- */

static int fz_rm(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void fz_cleanup(void)
{
	for (size_t i = 0; i < fz_nreset; i++)
		sqlite3_finalize(fz_reset[i]);
	if (fz_db)
		sqlite3_close(fz_db);
	fz_db = NULL;
	if (fz_dir[0])
		nftw(fz_dir, fz_rm, 16, FTW_DEPTH | FTW_PHYS);
}

static void fz_die(const char *what)
{
	fprintf(stderr, "fuzz_http: setup failed: %s\n", what);
	abort();
}

static int64_t fz_user(const char *email, const char *role, const char *hash)
{
	struct store_user u;
	memset(&u, 0, sizeof(u));
	snprintf(u.email, sizeof(u.email), "%s", email);
	snprintf(u.name, sizeof(u.name), "Fuzz %s", role);
	snprintf(u.role, sizeof(u.role), "%s", role);
	snprintf(u.pwhash, sizeof(u.pwhash), "%s", hash);
	if (store_user_create(fz_app.st, &u) != 0)
		fz_die("user");
	return u.id;
}

/* SQL that restores the fixed users, sessions and key; it writes nothing when they are intact. */
static void fz_make_reset_sql(const char *hash, int64_t admin, int64_t agent)
{
	char ah[65], gh[65], kh[65];
	token_hash_hex(FZ_ADMIN_TOKEN, strlen(FZ_ADMIN_TOKEN), ah);
	token_hash_hex(FZ_AGENT_TOKEN, strlen(FZ_AGENT_TOKEN), gh);
	token_hash_hex(FZ_API_KEY, strlen(FZ_API_KEY), kh);
	snprintf(fz_reset_sql, sizeof(fz_reset_sql),
		 "UPDATE users SET disabled = 0, role = 'admin', pwhash = '%s' WHERE id = %lld AND "
		 "(disabled <> 0 OR role <> 'admin' OR pwhash <> '%s');"
		 "UPDATE users SET disabled = 0, role = 'agent', pwhash = '%s' WHERE id = %lld AND "
		 "(disabled <> 0 OR role <> 'agent' OR pwhash <> '%s');"
		 "INSERT OR IGNORE INTO sessions (id_hash, user_id, csrf, ip, user_agent, created_at, last_seen, expires_at)"
		 " VALUES ('%s', %lld, 'fuzz-admin-csrf', '', '', 0, 0, 4000000000),"
		 " ('%s', %lld, 'fuzz-agent-csrf', '', '', 0, 0, 4000000000);"
		 "UPDATE sessions SET expires_at = 4000000000 WHERE id_hash IN ('%s', '%s') AND expires_at < 4000000000;"
		 "UPDATE api_keys SET revoked_at = NULL WHERE key_hash = '%s' AND revoked_at IS NOT NULL;"
		 /* what earlier inputs created goes, so lists and lookups stay small */
		 "DELETE FROM users WHERE id NOT IN (%lld, %lld);"
		 "DELETE FROM api_keys WHERE key_hash <> '%s';"
		 "DELETE FROM uploads; DELETE FROM audit_log;",
		 hash, (long long)admin, hash, hash, (long long)agent, hash, ah, (long long)admin, gh, (long long)agent,
		 ah, gh, kh, (long long)admin, (long long)agent, kh);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (sodium_init() < 0)
		fz_die("sodium");
	if (!getenv("FUZZ_LOG"))
		log__level = (enum log_level)(LOG_ERROR + 1);   /* silence: one line per request is slow */
	const char *t = getenv("TMPDIR");
	snprintf(fz_dir, sizeof(fz_dir), "%s/kefu-fuzz-http-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(fz_dir))
		fz_die("mkdtemp");
	atexit(fz_cleanup);

	config_defaults(&fz_app.cfg);
	struct http_limits *l = &fz_app.cfg.lim;
	l->max_header_bytes = 2048;
	l->max_url_bytes = 512;
	l->max_body_bytes = 4096;
	l->max_upload_bytes = 16384;
	l->ws_max_frame_bytes = 1024;
	l->ws_max_message_bytes = 4096;
	l->max_headers = 32;
	fz_app.cfg.login_per_min = 5;
	snprintf(fz_app.db_path, sizeof(fz_app.db_path), "%s/kefu.db", fz_dir);
	snprintf(fz_app.upload_dir, sizeof(fz_app.upload_dir), "%s/uploads", fz_dir);
	if (store_open(fz_app.db_path, &fz_app.st) || store_migrate(fz_app.st, NULL))
		fz_die("store");
	mkdir(fz_app.upload_dir, 0700);
	fz_app.login_ip = ratelimit_new(fz_app.cfg.login_per_min * 3, 60);
	fz_app.login_email = ratelimit_new(fz_app.cfg.login_per_min, 60);
	if (uv_loop_init(&fz_loop) != 0)
		fz_die("loop");
	fz_app.srv = http_server_new(&fz_loop, &fz_app.cfg.lim);
	http_server_set_userdata(fz_app.srv, &fz_app);
	http_server_set_authorize(fz_app.srv, auth_authorize);
	http_server_set_upload_dir(fz_app.srv, fz_app.upload_dir);
	http_server_set_trusted_proxies(fz_app.srv, "192.0.2.1, 10.0.0.1");
	fz_app.loop = &fz_loop;
	snprintf(fz_app.cfg.data_dir, sizeof(fz_app.cfg.data_dir), "%s", fz_dir);
	if (search_init() != 0)
		fz_die("search");
	system_register(fz_app.srv);
	auth_register(fz_app.srv);
	chat_register(fz_app.srv);   /* sites, conversations, search, files, /demo, chat sockets, routing, invitations */
	track_register(fz_app.srv);  /* page-view reports, live visitors, statistics, demo pages */
	settings_register(fz_app.srv);
	kb_bot_register(fz_app.srv);
	kb_register(fz_app.srv);        /* the knowledge base's REST API */
	kb_search_register(fz_app.srv);  /* search (help centre, widget, agents) and the editor's report */
	kb_help_register(fz_app.srv);   /* the help centre pages */
	crm_register(fz_app.srv);       /* customers, orders, order lookup */

	char hash[crypto_pwhash_STRBYTES];
	if (crypto_pwhash_str_alg(hash, FZ_PASSWORD, strlen(FZ_PASSWORD), crypto_pwhash_OPSLIMIT_MIN,
				  crypto_pwhash_MEMLIMIT_MIN, crypto_pwhash_ALG_ARGON2ID13) != 0)
		fz_die("hash");
	int64_t admin = fz_user("admin@example.com", "admin", hash);
	int64_t agent = fz_user("agent@example.com", "agent", hash);
	struct store_apikey k;
	memset(&k, 0, sizeof(k));
	snprintf(k.name, sizeof(k.name), "fuzz");
	snprintf(k.prefix, sizeof(k.prefix), "%.10s", FZ_API_KEY);
	token_hash_hex(FZ_API_KEY, strlen(FZ_API_KEY), k.key_hash);
	snprintf(k.scopes, sizeof(k.scopes), "orders:write");
	k.created_by = admin;
	if (store_apikey_create(fz_app.st, &k) != 0)
		fz_die("apikey");
	fz_make_reset_sql(hash, admin, agent);
	if (sqlite3_open(fz_app.db_path, &fz_db) != SQLITE_OK ||
	    sqlite3_exec(fz_db, "PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL", NULL, NULL, NULL) != SQLITE_OK)
		fz_die("reset connection");
	for (const char *sql = fz_reset_sql; *sql;) {
		sqlite3_stmt *st = NULL;
		if (fz_nreset == KF_ARRAY_LEN(fz_reset) || sqlite3_prepare_v2(fz_db, sql, -1, &st, &sql) != SQLITE_OK)
			fz_die("reset statements");
		if (st)
			fz_reset[fz_nreset++] = st;
	}
	buf_init(&fz_out, 0);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	for (size_t i = 0; i < fz_nreset; i++) {
		if (sqlite3_step(fz_reset[i]) != SQLITE_DONE) {
			fprintf(stderr, "fuzz_http: reset failed: %s\n", sqlite3_errmsg(fz_db));
			abort();
		}
		sqlite3_reset(fz_reset[i]);
	}
	unsigned mode = data[0];
	const char *p = (const char *)data + 1;
	size_t n = size - 1;
	int trusted = mode & 1;
	unsigned sel = mode >> 1;
	buf_reset(&fz_out);

	if (sel == 0 && !trusted) {
		http_server_feed(fz_app.srv, p, n, &fz_out);
	} else if (sel == 0) {
		fz_feed(fz_app.srv, p, n, NULL, 0, trusted, &fz_out);
	} else if (sel == 127) {
		size_t *cuts = xcalloc(n ? n : 1, sizeof(*cuts));
		for (size_t i = 0; i < n; i++)
			cuts[i] = i + 1;
		fz_feed(fz_app.srv, p, n, cuts, n, trusted, &fz_out);
		free(cuts);
	} else {
		size_t cut = (size_t)sel * n / 127;
		fz_feed(fz_app.srv, p, n, &cut, 1, trusted, &fz_out);
	}

	fz_check_output(memmem(p, n, "HEAD", 4) != NULL);
	/* Nothing may be left behind: no connection, no WebSocket, no busy loop. */
	if (fz_app.srv->nconns != 0 || fz_app.srv->nws != 0) {
		fprintf(stderr, "fuzz_http: %zu connections, %zu websockets left\n", fz_app.srv->nconns,
			fz_app.srv->nws);
		abort();
	}
	return 0;
}
