/* app/settings.c - settings the admin changes in the console: SMTP for now. Stored as
 * JSON in the settings table; the password is never sent back, only whether it is set,
 * and is stored encrypted (secretbox) with a key kept in DATA/secret.key, so a copy of
 * the database alone (a backup, say) does not hold the mail password. */
#include "app/app.h"
#include "auth/auth.h"
#include "core/json.h"
#include "core/log.h"
#include "core/kf.h"
#include "core/util.h"
#include "mail/mail.h"
#include "store/store.h"
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Reads DATA/secret.key, making it (0600) on first use. */
static int secret_key(struct app *a, unsigned char key[crypto_secretbox_KEYBYTES])
{
	char path[1100];
	snprintf(path, sizeof(path), "%s/secret.key", a->cfg.data_dir);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, key, crypto_secretbox_KEYBYTES);
		close(fd);
		return n == crypto_secretbox_KEYBYTES ? 0 : KF_EIO;
	}
	crypto_secretbox_keygen(key);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return KF_EIO;
	ssize_t n = write(fd, key, crypto_secretbox_KEYBYTES);
	close(fd);
	return n == crypto_secretbox_KEYBYTES ? 0 : KF_EIO;
}

/* "enc:" + base64(nonce || box) of a password; "" for an empty one. */
static int seal(struct app *a, const char *pw, char *out, size_t outsz)
{
	unsigned char key[crypto_secretbox_KEYBYTES], buf[crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + 256];
	size_t n = strlen(pw);
	out[0] = '\0';
	if (!n)
		return 0;
	if (n > 200 || secret_key(a, key))
		return KF_EIO;
	randombytes_buf(buf, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(buf + crypto_secretbox_NONCEBYTES, (const unsigned char *)pw, n, buf, key);
	sodium_memzero(key, sizeof(key));
	size_t len = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n;
	if (outsz < 5 + sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL))
		return KF_ETOOBIG;
	memcpy(out, "enc:", 4);
	sodium_bin2base64(out + 4, outsz - 4, buf, len, sodium_base64_VARIANT_ORIGINAL);
	return 0;
}

static int unseal(struct app *a, const char *in, char *out, size_t outsz)
{
	unsigned char key[crypto_secretbox_KEYBYTES], buf[600];
	size_t len;
	out[0] = '\0';
	if (strncmp(in, "enc:", 4) != 0)
		return in[0] ? KF_EINVAL : 0;
	if (sodium_base642bin(buf, sizeof(buf), in + 4, strlen(in + 4), NULL, &len, NULL, sodium_base64_VARIANT_ORIGINAL) ||
	    len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES ||
	    len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES >= outsz || secret_key(a, key))
		return KF_EINVAL;
	int rc = crypto_secretbox_open_easy((unsigned char *)out, buf + crypto_secretbox_NONCEBYTES,
					    len - crypto_secretbox_NONCEBYTES, buf, key);
	sodium_memzero(key, sizeof(key));
	if (rc != 0)
		return KF_EINVAL;
	out[len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES] = '\0';
	return 0;
}

/* Other features' stored passwords (ticket mailboxes) use the same sealing. */
int app_secret_seal(struct app *a, const char *pw, char *out, size_t outsz)
{
	return seal(a, pw, out, outsz);
}

int app_secret_unseal(struct app *a, const char *in, char *out, size_t outsz)
{
	return unseal(a, in, out, outsz);
}

/* A key of its own for each use (status links, survey links, form stamps), all from
 * DATA/secret.key, so no key sits in the database and a copy of it cannot forge a link:
 * HMAC-SHA256(secret, "kefu-derive:" || label). The label keeps the uses apart. */
int app_derive_key(struct app *a, const char *label, unsigned char out[32])
{
	unsigned char key[crypto_secretbox_KEYBYTES];
	crypto_auth_hmacsha256_state st;
	if (secret_key(a, key))
		return KF_EIO;
	crypto_auth_hmacsha256_init(&st, key, sizeof(key));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)"kefu-derive:", 12);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)label, strlen(label));
	crypto_auth_hmacsha256_final(&st, out);
	sodium_memzero(key, sizeof(key));
	sodium_memzero(&st, sizeof(st));
	return 0;
}

int app_mail_settings(struct app *a, struct mail_settings *m)
{
	char v[2048];
	json_t *j = NULL;
	memset(m, 0, sizeof(*m));
	snprintf(m->tls, sizeof(m->tls), "off");
	if (store_setting_get(a->st, "smtp", v, sizeof(v)) != 0 ||
	    json_parse_object(v, strlen(v), &j, NULL, 0) != JSON_OK)
		return KF_ENOTFOUND;
	const char *s;
	if ((s = json_get_str(j, "host"))) snprintf(m->host, sizeof(m->host), "%s", s);
	if ((s = json_get_str(j, "from"))) snprintf(m->from, sizeof(m->from), "%s", s);
	if ((s = json_get_str(j, "user"))) snprintf(m->user, sizeof(m->user), "%s", s);
	if ((s = json_get_str(j, "password")) && unseal(a, s, m->password, sizeof(m->password)) != 0)
		log_warn("smtp: the stored password cannot be decrypted (was DATA/secret.key replaced?)");
	if ((s = json_get_str(j, "tls"))) snprintf(m->tls, sizeof(m->tls), "%s", s);
	m->port = (int)json_integer_value(json_object_get(j, "port"));
	json_decref(j);
	return mail_configured(m) ? 0 : KF_ENOTFOUND;
}

static json_t *smtp_json(const struct mail_settings *m)
{
	return json_pack("{s:s,s:i,s:s,s:s,s:s,s:b}", "host", m->host, "port", m->port, "from", m->from, "user", m->user,
			 "tls", m->tls, "password_set", m->password[0] != '\0');
}

static void h_get(struct http_req *r)
{
	struct mail_settings m;
	app_mail_settings(app_of(r), &m);
	http_reply_json(r, 200, json_pack("{s:o}", "smtp", smtp_json(&m)));
}

static void h_put(struct http_req *r)
{
	struct app *a = app_of(r);
	struct mail_settings m;
	json_t *j = r->json;
	const char *host = json_get_str(j, "host"), *from = json_get_str(j, "from"), *user = json_get_str(j, "user");
	const char *pw = json_get_str(j, "password"), *tls = json_get_str(j, "tls");
	json_int_t port = json_integer_value(json_object_get(j, "port"));
	app_mail_settings(a, &m);   /* an absent password keeps the stored one */
	if (!host || strlen(host) > 200 || strpbrk(host, " /:@\r\n") || !from || !mail_valid_address(from) ||
	    port < 0 || port > 65535 || (tls && strcmp(tls, "off") && strcmp(tls, "starttls") && strcmp(tls, "on")) ||
	    (user && strlen(user) > 200) || (pw && strlen(pw) > 200)) {
		http_reply_error(r, 422, "invalid_field", "host, from (an address), port 0-65535, tls off|starttls|on");
		return;
	}
	char sealed[600];
	if (seal(a, pw ? pw : m.password, sealed, sizeof(sealed)) != 0) {
		http_reply_error(r, 500, "internal", "could not protect the password (DATA/secret.key)");
		return;
	}
	json_t *v = json_pack("{s:s,s:I,s:s,s:s,s:s,s:s}", "host", host, "port", port, "from", from, "user",
			      user ? user : "", "password", sealed, "tls", tls ? tls : "off");
	char *text = json_dumps(v, JSON_COMPACT);
	json_decref(v);
	int rc = store_setting_set(a->st, "smtp", text);
	free(text);
	if (rc || app_mail_settings(a, &m) != 0) {
		http_reply_error(r, 500, "internal", "could not save the settings");
		return;
	}
	store_audit(a->st, auth_of(r)->user.id, r->client_ip, "settings.smtp", host);
	http_reply_json(r, 200, json_pack("{s:o}", "smtp", smtp_json(&m)));
}

struct test_job {
	struct mail_settings m;
	char to[256], err[256];
	int rc;
};

static void test_work(struct http_req *r)
{
	struct test_job *j = r->job;
	j->rc = mail_send(&j->m, j->to, "Kefu SMTP test / 客服邮件测试",
			  "This is a test message from Kefu.\n这是一封来自客服系统的测试邮件。\n", j->err, sizeof(j->err));
}

static void test_done(struct http_req *r)
{
	struct test_job *j = r->job;
	if (j->rc) {
		http_reply_error(r, 502, "smtp_failed", j->err);
		return;
	}
	http_reply_json(r, 200, json_pack("{s:b}", "ok", 1));
}

static void h_test(struct http_req *r)
{
	struct test_job *j = arena_alloc(&r->arena, sizeof(*j));
	const char *to = json_get_str(r->json, "to");
	memset(j, 0, sizeof(*j));
	if (!to || !mail_valid_address(to)) {
		http_reply_error(r, 422, "invalid_field", "to: an e-mail address");
		return;
	}
	if (app_mail_settings(app_of(r), &j->m) != 0) {
		http_reply_error(r, 409, "conflict", "save the SMTP settings first");
		return;
	}
	snprintf(j->to, sizeof(j->to), "%s", to);
	r->job = j;
	http_defer(r, test_work, test_done);
}

static const struct route routes[] = {
	{ M_GET, "/api/v1/settings/smtp", h_get, 0, ACCESS_ADMIN, NULL, "api", NULL },
	{ M_PUT, "/api/v1/settings/smtp", h_put, ROUTE_JSON, ACCESS_ADMIN, NULL, "api", NULL },
	{ M_POST, "/api/v1/settings/smtp/test", h_test, ROUTE_JSON, ACCESS_ADMIN, NULL, "api", NULL },
};

void settings_register(struct http_server *s)
{
	http_routes_add(s, routes, KF_ARRAY_LEN(routes));
}
