/* auth/routes.c - sign-in, sign-out, the current user, user management and API keys.
 * Password hashing runs on the worker pool (http_defer); the database is touched only
 * on the loop thread, before and after. */
#include "auth/auth.h"
#include "app/app.h"
#include "core/alloc.h"
#include "core/json.h"
#include "core/kf.h"
#include "core/log.h"
#include "core/ratelimit.h"
#include "core/util.h"
#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* A hash of a random password: verifying against it when the e-mail is unknown makes
 * "no such user" take as long as "wrong password". */
static char dummy_hash[160];

static int valid_email(const char *e)
{
	size_t n = strlen(e);
	const char *at = strchr(e, '@');
	return n >= 3 && n < 255 && at && at != e && at[1] && !strpbrk(e, " \t\r\n<>\"'") && !strchr(at + 1, '@');
}

/* Fetches a string member; replies 422 and returns NULL when missing or too long. */
static const char *want_str(struct http_req *r, const char *key, size_t maxlen, int required)
{
	json_t *v = json_object_get(r->json, key);
	if (!v && !required)
		return "";
	if (!json_is_string(v) || (required && json_string_length(v) == 0) || json_string_length(v) > maxlen) {
		char msg[128];
		snprintf(msg, sizeof(msg), "field \"%s\" must be a string of at most %zu bytes", key, maxlen);
		http_reply_error(r, 422, "invalid_field", msg);
		return NULL;
	}
	return json_string_value(v);
}

static void set_session_cookie(struct http_req *r, const char *token, int64_t max_age)
{
	struct app *a = app_of(r);
	int secure = a->cfg.secure_cookie < 0 ? r->https : a->cfg.secure_cookie;
	char c[256];
	snprintf(c, sizeof(c), "%s=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=%lld%s", AUTH_COOKIE, token,
		 (long long)max_age, secure ? "; Secure" : "");
	http_add_header(r, "Set-Cookie", c);
}

/* ---- login ---- */

struct login_job {
	char email[256], password[1025], pwhash[160], newhash[160];
	int found, ok, rehashed;
};

static void login_work(struct http_req *r)
{
	struct login_job *j = r->job;
	j->ok = password_verify(j->password, j->found ? j->pwhash : dummy_hash) == 0 && j->found;
	/* Hashes made with older (weaker) parameters are upgraded at the next sign-in. */
	if (j->ok && password_needs_rehash(j->pwhash))
		j->rehashed = password_hash(j->password, j->newhash) == 0;
	sodium_memzero(j->password, sizeof(j->password));
}

static void login_done(struct http_req *r)
{
	struct login_job *j = r->job;
	struct app *a = app_of(r);
	struct store_user u;
	int64_t now = time_now_s();
	char key[300];

	if (!j->ok || store_user_by_email(a->st, j->email, &u) != 0 || u.disabled) {
		snprintf(key, sizeof(key), "e:%s", j->email);
		ratelimit_hit(a->login_email, key, now);
		snprintf(key, sizeof(key), "ip:%s", r->client_ip);
		ratelimit_hit(a->login_ip, key, now);
		store_audit(a->st, j->found ? u.id : 0, r->client_ip, "login.failed", j->email);
		http_reply_error(r, 401, "invalid_credentials", "wrong e-mail or password");
		return;
	}
	if (j->rehashed)
		store_user_set_password(a->st, u.id, j->newhash);
	struct store_session s;
	char token[64];
	memset(&s, 0, sizeof(s));
	token_new(token, sizeof(token));
	token_hash_hex(token, strlen(token), s.id_hash);
	token_new(s.csrf, sizeof(s.csrf));
	s.user_id = u.id;
	snprintf(s.ip, sizeof(s.ip), "%s", r->client_ip);
	const char *ua = http_header(r, "user-agent");
	snprintf(s.user_agent, sizeof(s.user_agent), "%s", ua ? ua : "");
	s.created_at = s.last_seen = now;
	s.expires_at = now + (int64_t)a->cfg.session_ttl_h * 3600;
	if (store_session_create(a->st, &s) != 0) {
		http_reply_error(r, 500, "internal", "could not create the session");
		return;
	}
	store_audit(a->st, u.id, r->client_ip, "login", "");
	set_session_cookie(r, token, s.expires_at - now);
	http_reply_json(r, 200, json_pack("{s:o,s:s}", "user", auth_user_json(&u), "csrf_token", s.csrf));
}

static void h_login(struct http_req *r)
{
	struct app *a = app_of(r);
	const char *email = want_str(r, "email", 254, 1);
	if (!email)
		return;
	const char *pw = want_str(r, "password", 1024, 1);
	if (!pw)
		return;
	int64_t now = time_now_s();
	char k1[300], k2[80];
	snprintf(k1, sizeof(k1), "e:%s", email);
	snprintf(k2, sizeof(k2), "ip:%s", r->client_ip);
	unsigned wait = ratelimit_check(a->login_email, k1, now);
	unsigned wait_ip = ratelimit_check(a->login_ip, k2, now);
	if (wait_ip > wait)
		wait = wait_ip;
	if (wait) {
		char ra[16];
		snprintf(ra, sizeof(ra), "%u", wait);
		http_add_header(r, "Retry-After", ra);
		http_reply_error(r, 429, "rate_limited", "too many sign-in attempts; try again later");
		return;
	}
	struct login_job *j = arena_alloc(&r->arena, sizeof(*j));
	struct store_user u;
	memset(j, 0, sizeof(*j));
	snprintf(j->email, sizeof(j->email), "%s", email);
	snprintf(j->password, sizeof(j->password), "%s", pw);
	if (store_user_by_email(a->st, email, &u) == 0) {
		j->found = 1;
		memcpy(j->pwhash, u.pwhash, sizeof(j->pwhash));
	}
	r->job = j;
	http_defer(r, login_work, login_done);
}

static void h_logout(struct http_req *r)
{
	const struct auth_ctx *ctx = auth_of(r);
	struct app *a = app_of(r);
	store_session_delete(a->st, ctx->sess.id_hash);
	store_audit(a->st, ctx->user.id, r->client_ip, "logout", "");
	http_add_header(r, "Set-Cookie", AUTH_COOKIE "=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
	http_reply_json(r, 200, json_pack("{s:b}", "ok", 1));
}

static void h_me(struct http_req *r)
{
	const struct auth_ctx *ctx = auth_of(r);
	http_reply_json(r, 200, json_pack("{s:o,s:s}", "user", auth_user_json(&ctx->user), "csrf_token", ctx->sess.csrf));
}

/* ---- password change ---- */

struct pw_job {
	char current[1025], next[1025], oldhash[160], newhash[160];
	int ok, hashed;
};

static void pw_work(struct http_req *r)
{
	struct pw_job *j = r->job;
	j->ok = password_verify(j->current, j->oldhash) == 0;
	if (j->ok)
		j->hashed = password_hash(j->next, j->newhash) == 0;
	sodium_memzero(j->current, sizeof(j->current));
	sodium_memzero(j->next, sizeof(j->next));
}

static void pw_done(struct http_req *r)
{
	struct pw_job *j = r->job;
	const struct auth_ctx *ctx = auth_of(r);
	struct app *a = app_of(r);
	if (!j->ok) {
		http_reply_error(r, 403, "invalid_credentials", "the current password is wrong");
		return;
	}
	if (!j->hashed || store_user_set_password(a->st, ctx->user.id, j->newhash) != 0) {
		http_reply_error(r, 500, "internal", "could not change the password");
		return;
	}
	/* Other sessions of this user end: a changed password must lock out whoever else had it. */
	store_session_delete_user(a->st, ctx->user.id, ctx->sess.id_hash);
	store_audit(a->st, ctx->user.id, r->client_ip, "password.changed", "");
	http_reply_json(r, 200, json_pack("{s:b}", "ok", 1));
}

static void h_password(struct http_req *r)
{
	const struct auth_ctx *ctx = auth_of(r);
	const char *cur = want_str(r, "current_password", 1024, 1), *next;
	if (!cur || !(next = want_str(r, "new_password", 1024, 1)))
		return;
	const char *why = password_check_policy(next);
	if (why) {
		http_reply_error(r, 422, "invalid_field", why);
		return;
	}
	struct pw_job *j = arena_alloc(&r->arena, sizeof(*j));
	memset(j, 0, sizeof(*j));
	snprintf(j->current, sizeof(j->current), "%s", cur);
	snprintf(j->next, sizeof(j->next), "%s", next);
	memcpy(j->oldhash, ctx->user.pwhash, sizeof(j->oldhash));
	r->job = j;
	http_defer(r, pw_work, pw_done);
}

/* ---- users (admin) ---- */

static int user_to_array(void *ud, const struct store_user *u)
{
	json_array_append_new(ud, auth_user_json(u));
	return 0;
}

static void h_users_list(struct http_req *r)
{
	json_t *arr = json_array();
	if (store_user_each(app_of(r)->st, user_to_array, arr) != 0) {
		json_decref(arr);
		http_reply_error(r, 500, "internal", "could not list users");
		return;
	}
	http_reply_json(r, 200, json_pack("{s:o}", "users", arr));
}

struct newuser_job {
	struct store_user u;
	char password[1025];
	int hashed;
};

static void newuser_work(struct http_req *r)
{
	struct newuser_job *j = r->job;
	j->hashed = password_hash(j->password, j->u.pwhash) == 0;
	sodium_memzero(j->password, sizeof(j->password));
}

static void newuser_done(struct http_req *r)
{
	struct newuser_job *j = r->job;
	struct app *a = app_of(r);
	int rc = j->hashed ? store_user_create(a->st, &j->u) : KF_ENOMEM;
	if (rc == KF_EEXIST) {
		http_reply_error(r, 409, "conflict", "a user with this e-mail exists");
		return;
	}
	if (rc) {
		http_reply_error(r, 500, "internal", "could not create the user");
		return;
	}
	store_audit(a->st, auth_of(r)->user.id, r->client_ip, "user.created", j->u.email);
	http_reply_json(r, 201, json_pack("{s:o}", "user", auth_user_json(&j->u)));
}

static void h_users_create(struct http_req *r)
{
	const char *email = want_str(r, "email", 254, 1), *name, *role, *pw;
	if (!email || !(name = want_str(r, "name", 120, 0)) || !(role = want_str(r, "role", 15, 1)) ||
	    !(pw = want_str(r, "password", 1024, 1)))
		return;
	const char *why = password_check_policy(pw);
	if (!valid_email(email) || !auth_role_valid(role) || why) {
		http_reply_error(r, 422, "invalid_field",
				 why ? why : !valid_email(email) ? "invalid e-mail" : "role must be admin, supervisor or agent");
		return;
	}
	struct newuser_job *j = arena_alloc(&r->arena, sizeof(*j));
	memset(j, 0, sizeof(*j));
	snprintf(j->u.email, sizeof(j->u.email), "%s", email);
	snprintf(j->u.name, sizeof(j->u.name), "%s", name);
	snprintf(j->u.role, sizeof(j->u.role), "%s", role);
	snprintf(j->password, sizeof(j->password), "%s", pw);
	r->job = j;
	http_defer(r, newuser_work, newuser_done);
}

static int param_id(struct http_req *r, int64_t *id)
{
	const char *p = http_param(r, 0);
	if (!p || parse_i64(p, strlen(p), id) || *id <= 0) {
		http_reply_error(r, 404, "not_found", "no such id");
		return KF_EINVAL;
	}
	return 0;
}

static void h_users_patch(struct http_req *r)
{
	struct app *a = app_of(r);
	struct store_user u;
	int64_t id;
	if (param_id(r, &id))
		return;
	if (store_user_get(a->st, id, &u) != 0) {
		http_reply_error(r, 404, "not_found", "no such user");
		return;
	}
	json_t *name = json_object_get(r->json, "name"), *role = json_object_get(r->json, "role");
	json_t *dis = json_object_get(r->json, "disabled"), *mc = json_object_get(r->json, "max_chats");
	if ((name && (!json_is_string(name) || json_string_length(name) > 120)) ||
	    (role && (!json_is_string(role) || !auth_role_valid(json_string_value(role)))) ||
	    (dis && !json_is_boolean(dis)) ||
	    (mc && (!json_is_integer(mc) || json_integer_value(mc) < 1 || json_integer_value(mc) > 100))) {
		http_reply_error(r, 422, "invalid_field",
				 "name must be a string, role admin/supervisor/agent, disabled a boolean, max_chats 1-100");
		return;
	}
	if (mc)
		u.max_chats = (int)json_integer_value(mc);
	if (name)
		snprintf(u.name, sizeof(u.name), "%s", json_string_value(name));
	if (role)
		snprintf(u.role, sizeof(u.role), "%s", json_string_value(role));
	if (dis)
		u.disabled = json_is_true(dis);
	if (u.id == auth_of(r)->user.id && (u.disabled || auth_role_level(u.role) < ACCESS_ADMIN)) {
		http_reply_error(r, 422, "invalid_field", "you cannot disable or demote yourself");
		return;
	}
	if (store_user_update(a->st, &u) != 0) {
		http_reply_error(r, 500, "internal", "could not update the user");
		return;
	}
	if (u.disabled)
		store_session_delete_user(a->st, u.id, "");
	store_audit(a->st, auth_of(r)->user.id, r->client_ip, "user.updated", u.email);
	http_reply_json(r, 200, json_pack("{s:o}", "user", auth_user_json(&u)));
}

/* ---- API keys ---- */

static json_t *key_json(const struct store_apikey *k)
{
	json_t *o = json_pack("{s:I,s:s,s:s,s:o,s:I}", "id", (json_int_t)k->id, "name", k->name, "prefix", k->prefix,
			      "scopes", json_words(k->scopes), "created_at", (json_int_t)k->created_at);
	json_object_set_new(o, "revoked_at", k->revoked_at ? json_integer(k->revoked_at) : json_null());
	json_object_set_new(o, "last_used_at", k->last_used_at ? json_integer(k->last_used_at) : json_null());
	return o;
}

static int key_to_array(void *ud, const struct store_apikey *k)
{
	json_array_append_new(ud, key_json(k));
	return 0;
}

static void h_keys_list(struct http_req *r)
{
	json_t *arr = json_array();
	if (store_apikey_each(app_of(r)->st, key_to_array, arr) != 0) {
		json_decref(arr);
		http_reply_error(r, 500, "internal", "could not list API keys");
		return;
	}
	http_reply_json(r, 200, json_pack("{s:o}", "apikeys", arr));
}

/* Scopes are lowercase words with ':' or '_' (orders:write), or "*". */
static int valid_scope(const char *s)
{
	if (strcmp(s, "*") == 0)
		return 1;
	size_t n = strlen(s);
	return n > 0 && n <= 40 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789:_") == n;
}

static void h_keys_create(struct http_req *r)
{
	struct app *a = app_of(r);
	const char *name = want_str(r, "name", 120, 1);
	if (!name)
		return;
	struct store_apikey k;
	memset(&k, 0, sizeof(k));
	json_t *scopes = json_object_get(r->json, "scopes"), *s;
	size_t i;
	if (!json_is_array(scopes) || json_array_size(scopes) == 0 || json_array_size(scopes) > 16) {
		http_reply_error(r, 422, "invalid_field", "scopes must be a non-empty array of strings");
		return;
	}
	json_array_foreach(scopes, i, s) {
		if (!json_is_string(s) || !valid_scope(json_string_value(s))) {
			http_reply_error(r, 422, "invalid_field", "a scope is a word such as orders:write");
			return;
		}
		size_t l = strlen(k.scopes);
		snprintf(k.scopes + l, sizeof(k.scopes) - l, "%s%s", l ? " " : "", json_string_value(s));
		_Static_assert(sizeof(k.scopes) > 16 * 41, "scopes buffer holds 16 scopes of 40");
	}
	char token[64], key[80];
	token_new(token, sizeof(token));
	snprintf(key, sizeof(key), "kf_%s", token);
	snprintf(k.name, sizeof(k.name), "%s", name);
	snprintf(k.prefix, sizeof(k.prefix), "%.10s", key);
	token_hash_hex(key, strlen(key), k.key_hash);
	k.created_by = auth_of(r)->user.id;
	if (store_apikey_create(a->st, &k) != 0) {
		http_reply_error(r, 500, "internal", "could not create the API key");
		return;
	}
	store_audit(a->st, k.created_by, r->client_ip, "apikey.created", k.name);
	http_reply_json(r, 201, json_pack("{s:o,s:s}", "apikey", key_json(&k), "key", key));
	sodium_memzero(key, sizeof(key));
	sodium_memzero(token, sizeof(token));
}

static void h_keys_revoke(struct http_req *r)
{
	struct app *a = app_of(r);
	int64_t id;
	if (param_id(r, &id))
		return;
	int rc = store_apikey_revoke(a->st, id, time_now_s());
	if (rc == KF_ENOTFOUND) {
		http_reply_error(r, 404, "not_found", "no such active API key");
		return;
	}
	if (rc) {
		http_reply_error(r, 500, "internal", "could not revoke the key");
		return;
	}
	char d[32];
	snprintf(d, sizeof(d), "%lld", (long long)id);
	store_audit(a->st, auth_of(r)->user.id, r->client_ip, "apikey.revoked", d);
	http_reply_json(r, 200, json_pack("{s:b}", "ok", 1));
}

static void h_key_self(struct http_req *r)
{
	http_reply_json(r, 200, json_pack("{s:o}", "apikey", key_json(&auth_of(r)->key)));
}

static const struct route routes[] = {
	{ M_POST, "/api/v1/auth/login", h_login, ROUTE_JSON, ACCESS_PUBLIC, NULL, "auth", NULL },
	{ M_POST, "/api/v1/auth/logout", h_logout, 0, ACCESS_AGENT, NULL, "auth", NULL },
	{ M_GET, "/api/v1/auth/key", h_key_self, 0, ACCESS_KEY, NULL, "api", NULL },
	{ M_GET, "/api/v1/me", h_me, 0, ACCESS_AGENT, NULL, "api", NULL },
	{ M_POST, "/api/v1/me/password", h_password, ROUTE_JSON, ACCESS_AGENT, NULL, "auth", NULL },
	{ M_GET, "/api/v1/users", h_users_list, 0, ACCESS_ADMIN, NULL, "api", NULL },
	{ M_POST, "/api/v1/users", h_users_create, ROUTE_JSON, ACCESS_ADMIN, NULL, "api", NULL },
	{ M_PATCH, "/api/v1/users/:id", h_users_patch, ROUTE_JSON, ACCESS_ADMIN, NULL, "api", NULL },
	{ M_GET, "/api/v1/apikeys", h_keys_list, 0, ACCESS_ADMIN, NULL, "api", NULL },
	{ M_POST, "/api/v1/apikeys", h_keys_create, ROUTE_JSON, ACCESS_ADMIN, NULL, "api", NULL },
	{ M_DELETE, "/api/v1/apikeys/:id", h_keys_revoke, 0, ACCESS_ADMIN, NULL, "api", NULL },
};

void auth_register(struct http_server *s)
{
	char pw[17];
	password_generate(pw);
	if (password_hash(pw, dummy_hash) != 0)
		log_error("could not prepare the dummy password hash");
	http_routes_add(s, routes, KF_ARRAY_LEN(routes));
}
