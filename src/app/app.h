/* app/app.h - the running application: what every feature handler reaches through
 * its request (app_of(r)). Created by main.c; features only read it. */
#ifndef KF_APP_APP_H
#define KF_APP_APP_H
#include "app/config.h"
#include "http/http.h"

struct store;
struct ratelimit;

struct app {
	struct config cfg;
	struct store *st;                  /* the loop thread's database connection */
	struct http_server *srv;
	void *loop;                        /* the uv loop, for worker jobs */
	char db_path[1100], upload_dir[1100];
	struct ratelimit *login_ip, *login_email;
};

static inline struct app *app_of(const struct http_req *r)
{
	return http_server_userdata(r->srv);
}

/* Feature registration: each adds its route table to the server. */
void system_register(struct http_server *s);
void auth_register(struct http_server *s);
void settings_register(struct http_server *s);

struct mail_settings;
/* The SMTP settings saved by the admin; KF_ENOTFOUND when mail is not set up. */
int app_mail_settings(struct app *a, struct mail_settings *m);
/* A password sealed with DATA/secret.key ("enc:..."; "" stays ""), and back. 0 or KF_E*. */
int app_secret_seal(struct app *a, const char *pw, char *out, size_t outsz);
int app_secret_unseal(struct app *a, const char *in, char *out, size_t outsz);
/* A 32-byte key for one use (label, e.g. "ticket-status"), derived from DATA/secret.key; the
 * same label always gives the same key while that file stays. 0 or KF_EIO. */
int app_derive_key(struct app *a, const char *label, unsigned char out[32]);

#endif
