/* auth/auth.c - the authorize hook: identify the caller, then check role, scope and CSRF.
 * Only hashes of session tokens and API keys are stored, so a leaked database does not
 * leak live credentials. */
#include "auth/auth.h"
#include "app/app.h"
#include "core/kf.h"
#include "core/log.h"
#include "core/util.h"
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Sliding expiry is written at most this often, so reads stay reads. */
#define TOUCH_EVERY_S 60

int auth_role_level(const char *role)
{
	if (!role)
		return -1;
	if (strcmp(role, "admin") == 0)
		return ACCESS_ADMIN;
	if (strcmp(role, "supervisor") == 0)
		return ACCESS_SUPERVISOR;
	if (strcmp(role, "agent") == 0)
		return ACCESS_AGENT;
	return -1;
}

int auth_role_valid(const char *role)
{
	return auth_role_level(role) > 0;
}

json_t *auth_user_json(const struct store_user *u)
{
	return json_pack("{s:I,s:s,s:s,s:s,s:b,s:i,s:I}", "id", (json_int_t)u->id, "email", u->email, "name", u->name,
			 "role", u->role, "disabled", u->disabled, "max_chats", u->max_chats ? u->max_chats : 5,
			 "created_at", (json_int_t)u->created_at);
}

static int scope_has(const char *scopes, const char *want)
{
	size_t wl = strlen(want);
	for (const char *p = scopes; *p;) {
		p += strspn(p, " ");
		size_t n = strcspn(p, " ");
		if (n && ((n == wl && memcmp(p, want, wl) == 0) || (n == 1 && *p == '*')))
			return 1;
		p += n;
	}
	return 0;
}

static void from_session(struct http_req *r, struct app *a, struct auth_ctx *ctx)
{
	const char *tok = http_cookie(r, AUTH_COOKIE);
	if (!tok || !*tok || strlen(tok) > 100)
		return;
	char hash[65];
	int64_t now = time_now_s();
	token_hash_hex(tok, strlen(tok), hash);
	if (store_session_get(a->st, hash, now, &ctx->sess) != 0)
		return;
	if (store_user_get(a->st, ctx->sess.user_id, &ctx->user) != 0 || ctx->user.disabled)
		return;
	ctx->kind = AUTH_SESSION;
	if (now - ctx->sess.last_seen >= TOUCH_EVERY_S) {
		ctx->sess.expires_at = now + (int64_t)a->cfg.session_ttl_h * 3600;
		store_session_touch(a->st, hash, now, ctx->sess.expires_at);
	}
}

/* 1 when the request carried a bearer token (valid or not). */
static int from_apikey(struct http_req *r, struct app *a, struct auth_ctx *ctx)
{
	const char *h = http_header(r, "authorization");
	if (!h || strncasecmp(h, "Bearer ", 7) != 0)
		return 0;
	const char *key = h + 7;
	char hash[65];
	token_hash_hex(key, strlen(key), hash);
	if (store_apikey_by_hash(a->st, hash, &ctx->key) == 0 && !ctx->key.revoked_at) {
		ctx->kind = AUTH_APIKEY;
		int64_t now = time_now_s();
		if (now - ctx->key.last_used_at >= TOUCH_EVERY_S)
			store_apikey_used(a->st, ctx->key.id, now);
	}
	return 1;
}

static int unsafe_method(int m)
{
	return m == M_POST || m == M_PUT || m == M_PATCH || m == M_DELETE;
}

/* The CSRF token must match, and a browser's Origin (when sent) must be this host. */
static int csrf_ok(struct http_req *r, const struct auth_ctx *ctx)
{
	const char *tok = http_header(r, "x-csrf-token");
	size_t want = strlen(ctx->sess.csrf);
	if (!tok || strlen(tok) != want || sodium_memcmp(tok, ctx->sess.csrf, want) != 0)
		return 0;
	const char *origin = http_header(r, "origin"), *host = http_header(r, "host");
	if (origin && host) {
		const char *o = strstr(origin, "://");
		if (!o || strcmp(o + 3, host) != 0)
			return 0;
	}
	return 1;
}

int auth_authorize(struct http_req *r)
{
	struct app *a = app_of(r);
	struct auth_ctx *ctx = arena_alloc(&r->arena, sizeof(*ctx));
	const struct route *rt = r->route;
	memset(ctx, 0, sizeof(*ctx));
	r->auth = ctx;

	int bearer = from_apikey(r, a, ctx);
	if (bearer && ctx->kind != AUTH_APIKEY && rt->access != ACCESS_PUBLIC) {
		http_deny(r, 401, "unauthorized", "the API key is unknown or revoked");
		return 1;
	}
	if (!bearer)
		from_session(r, a, ctx);

	if (ctx->kind == AUTH_APIKEY) {
		if (rt->access == ACCESS_PUBLIC || (rt->access == ACCESS_KEY && !rt->scope))
			return 0;
		if (rt->scope && scope_has(ctx->key.scopes, rt->scope))
			return 0;
		http_deny(r, 403, "forbidden", "the API key lacks the scope this route needs");
		return 1;
	}
	if (rt->access == ACCESS_PUBLIC)
		return 0;
	if (ctx->kind != AUTH_SESSION || rt->access == ACCESS_KEY) {
		http_deny(r, 401, "unauthorized", rt->access == ACCESS_KEY ? "an API key is required" : "sign in first");
		return 1;
	}
	if (auth_role_level(ctx->user.role) < rt->access) {
		http_deny(r, 403, "forbidden", "your role may not use this route");
		return 1;
	}
	if (unsafe_method(r->method) && !csrf_ok(r, ctx)) {
		log_info("csrf check failed for %s %s from %s", r->method_name, r->path, r->client_ip);
		http_deny(r, 403, "csrf_failed", "missing or wrong X-CSRF-Token");
		return 1;
	}
	return 0;
}
