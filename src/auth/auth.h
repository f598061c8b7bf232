/* auth/auth.h - who is calling: sessions (cookie), API keys (Bearer), roles, CSRF.
 *
 * auth_authorize is the server's authorize hook. It fills r->auth with a struct
 * auth_ctx and enforces the route's access level:
 *   ACCESS_PUBLIC   anyone (the context is still filled when a session exists);
 *   ACCESS_AGENT .. ACCESS_ADMIN  a signed-in user with at least that role, or an API
 *                   key holding the route's scope;
 *   ACCESS_KEY      an API key (holding route->scope when set).
 * Cookie-authenticated POST/PUT/PATCH/DELETE need X-CSRF-Token equal to the session's
 * token; requests carrying an API key do not (a browser never sends one by itself). */
#ifndef KF_AUTH_AUTH_H
#define KF_AUTH_AUTH_H
#include "http/http.h"
#include "store/store.h"

enum access { ACCESS_PUBLIC = 0, ACCESS_AGENT = 1, ACCESS_SUPERVISOR = 2, ACCESS_ADMIN = 3, ACCESS_KEY = 4 };
enum auth_kind { AUTH_NONE, AUTH_SESSION, AUTH_APIKEY };

struct auth_ctx {
	enum auth_kind kind;
	struct store_user user;        /* AUTH_SESSION */
	struct store_session sess;     /* AUTH_SESSION */
	struct store_apikey key;       /* AUTH_APIKEY */
};

#define AUTH_COOKIE "kefu_session"

int auth_authorize(struct http_req *r);
static inline const struct auth_ctx *auth_of(const struct http_req *r) { return r->auth; }

/* "admin" -> ACCESS_ADMIN ...; -1 for an unknown role name. */
int auth_role_level(const char *role);
int auth_role_valid(const char *role);

/* Password hashing with argon2id (libsodium, INTERACTIVE limits). Slow (~100 ms, 64 MiB):
 * call from a worker job or a CLI, never on the loop. out gets the encoded hash. */
int  password_hash(const char *pw, char out[160]);
int  password_verify(const char *pw, const char *hash);     /* 0 on a match */
int  password_needs_rehash(const char *hash);
/* 16 characters from a 56-letter alphabet without look-alikes (about 92 bits). */
void password_generate(char out[17]);
/* Policy: 8..1024 bytes. Returns NULL when fine, else the reason. */
const char *password_check_policy(const char *pw);

/* JSON of a user as the API shows it (no hash). */
json_t *auth_user_json(const struct store_user *u);

#endif
