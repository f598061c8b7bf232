/* chat/files.c - real-time file transfer (实时文件传输). A file is uploaded over HTTP
 * (streamed to disk by the server), kept once by its SHA-256 under DATA/files/ab/cdef…,
 * then sent into the conversation as a message of kind "file". Download URLs carry a
 * MAC over the file id, so only those who received the message (the conversation's
 * visitor and agents) can fetch it; signed-in agents of the site may fetch it too. */
#include "chat/chat_int.h"
#include "app/app.h"
#include "auth/auth.h"
#include "core/alloc.h"
#include "core/kf.h"
#include "core/log.h"
#include "core/util.h"
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static unsigned char file_key[crypto_auth_KEYBYTES];

/* The MAC key lives in the settings table, made on first start. */
int chat_files_init(struct app *a)
{
	char hex[2 * crypto_auth_KEYBYTES + 1];
	size_t len = 0;
	if (store_setting_get(a->st, "file_key", hex, sizeof(hex)) == 0 &&
	    sodium_hex2bin(file_key, sizeof(file_key), hex, strlen(hex), NULL, &len, NULL) == 0 && len == sizeof(file_key))
		return 0;
	crypto_auth_keygen(file_key);
	sodium_bin2hex(hex, sizeof(hex), file_key, sizeof(file_key));
	return store_setting_set(a->st, "file_key", hex);
}

static void sig(int64_t id, char out[33])
{
	unsigned char mac[crypto_auth_BYTES];
	char msg[40];
	snprintf(msg, sizeof(msg), "file:%lld", (long long)id);
	crypto_auth(mac, (const unsigned char *)msg, strlen(msg), file_key);
	sodium_bin2hex(out, 33, mac, 16);
}

void chat_file_url(int64_t id, char *out, size_t outsz)
{
	char s[33];
	sig(id, s);
	snprintf(out, outsz, "/api/v1/chat/files/%lld?sig=%s", (long long)id, s);
}

static int type_allowed(const struct store_site *s, const char *type)
{
	for (const char *p = s->file_types; *p;) {
		p += strspn(p, " ");
		size_t n = strcspn(p, " ");
		if (n && strncasecmp(type, p, n) == 0 && (p[n - 1] == '/' || type[n] == '\0' || type[n] == ';'))
			return 1;
		p += n;
	}
	return 0;
}

/* SHA-256 of a file as hex. */
static int hash_file(const char *path, char out[65])
{
	unsigned char buf[65536], h[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_state st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return KF_EIO;
	crypto_hash_sha256_init(&st);
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		crypto_hash_sha256_update(&st, buf, (unsigned long long)n);
	close(fd);
	if (n < 0)
		return KF_EIO;
	crypto_hash_sha256_final(&st, h);
	sodium_bin2hex(out, 65, h, sizeof(h));
	return 0;
}

static void blob_path(struct app *a, const char *sha, char *out, size_t outsz, int mkdirs)
{
	char dir[1200];
	snprintf(dir, sizeof(dir), "%s/files/%.2s", a->cfg.data_dir, sha);
	if (mkdirs) {
		char top[1100];
		snprintf(top, sizeof(top), "%s/files", a->cfg.data_dir);
		mkdir(top, 0700);
		mkdir(dir, 0700);
	}
	snprintf(out, outsz, "%.1200s/%.62s", dir, sha + 2);
}

/* The blob store is shared with ticket attachments (chat/chat.h): one copy of each content. */
int chat_blob_keep(struct app *a, const char *tmp_path, char sha[65])
{
	char path[1300];
	if (hash_file(tmp_path, sha) != 0)
		return KF_EINVAL;
	blob_path(a, sha, path, sizeof(path), 1);
	if (access(path, F_OK) == 0)
		unlink(tmp_path);
	else if (rename(tmp_path, path) != 0) {
		log_error("files: keeping %s: %s", path, strerror(errno));
		return KF_EIO;
	}
	return 0;
}

int chat_blob_put(struct app *a, const void *data, size_t len, char sha[65])
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char path[1300], tmp[1320];
	crypto_hash_sha256(h, data, len);
	sodium_bin2hex(sha, 65, h, sizeof(h));
	blob_path(a, sha, path, sizeof(path), 1);
	if (access(path, F_OK) == 0)
		return 0;
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid());
	FILE *fp = fopen(tmp, "wb");
	if (!fp)
		return KF_EIO;
	int ok = fwrite(data, 1, len, fp) == len;
	ok = fclose(fp) == 0 && ok;
	if (!ok || rename(tmp, path) != 0) {   /* written whole, then named: a reader never sees half */
		log_error("files: keeping %s: %s", path, strerror(errno));
		unlink(tmp);
		return KF_EIO;
	}
	return 0;
}

/* Who uploads: an agent of the site (session) or the visitor named by X-Visitor-Token. */
static int uploader(struct http_req *r, const struct store_site *s, struct store_file *f)
{
	struct app *a = app_of(r);
	const struct auth_ctx *ctx = auth_of(r);
	if (ctx->kind == AUTH_SESSION && (auth_role_level(ctx->user.role) >= ACCESS_ADMIN ||
					  store_site_is_member(a->st, s->id, ctx->user.id) == 0)) {
		snprintf(f->uploader, sizeof(f->uploader), "agent");
		f->uploader_id = ctx->user.id;
		return 0;
	}
	const char *tok = http_header(r, "x-visitor-token");
	struct store_visitor v;
	char hash[65];
	if (tok && strlen(tok) == 43) {
		token_hash_hex(tok, 43, hash);
		if (store_visitor_by_token(a->st, s->id, hash, &v) == 0) {
			snprintf(f->uploader, sizeof(f->uploader), "visitor");
			f->uploader_id = v.id;
			return 0;
		}
	}
	return KF_EDENIED;
}

static json_t *file_json(const struct store_file *f)
{
	char url[96];
	chat_file_url(f->id, url, sizeof(url));
	return json_pack("{s:I,s:s,s:I,s:s,s:s}", "id", (json_int_t)f->id, "name", f->name, "size", (json_int_t)f->size,
			 "content_type", f->content_type, "url", url);
}

/* The widget uploads from the shop's pages: answer CORS for the site's allowed origins. */
static int cors(struct http_req *r, const struct store_site *s)
{
	const char *origin = http_header(r, "origin");
	if (!origin)
		return 1;
	if (!chat_origin_allowed(s, origin))
		return 0;
	http_add_header(r, "Access-Control-Allow-Origin", origin);
	http_add_header(r, "Vary", "Origin");
	return 1;
}

/* OPTIONS /api/v1/chat/files?site=KEY: the browser's preflight for X-Visitor-Token. */
void chat_h_file_preflight(struct http_req *r)
{
	struct store_site s;
	const char *key = http_query(r, "site");
	if (!key || store_site_by_key(app_of(r)->st, key, &s) != 0 || !cors(r, &s)) {
		http_reply_error(r, 403, "forbidden", "origin not allowed for this site");
		return;
	}
	http_add_header(r, "Access-Control-Allow-Methods", "POST");
	http_add_header(r, "Access-Control-Allow-Headers", "X-Visitor-Token, Content-Type");
	http_add_header(r, "Access-Control-Max-Age", "600");
	http_reply(r, 204, NULL, NULL, 0);
}

struct keep {
	struct store_file f;
	const char *tmp;
	int rc;                  /* 0, or 1 for an unreadable upload, 2 for a failed move */
};

/* Worker: hashes the upload and moves it to its content address (or drops it when the
 * same bytes are already kept). */
static void keep_work(struct http_req *r)
{
	struct keep *k = r->job;
	int rc = chat_blob_keep(app_of(r), k->tmp, k->f.sha256);
	k->rc = rc == KF_EINVAL ? 1 : rc ? 2 : 0;
}

static void keep_done(struct http_req *r)
{
	struct keep *k = r->job;
	if (k->rc) {
		http_reply_error(r, 500, "internal", k->rc == 1 ? "could not read the upload" : "could not store the file");
		return;
	}
	if (store_file_create(app_of(r)->st, &k->f) != 0) {
		http_reply_error(r, 500, "internal", "could not record the file");
		return;
	}
	http_reply_json(r, 201, json_pack("{s:o}", "file", file_json(&k->f)));
}

/* POST /api/v1/chat/files?site=KEY, multipart with one file. */
void chat_h_file_upload(struct http_req *r)
{
	struct app *a = app_of(r);
	struct store_site s;
	struct store_file f;
	const char *key = http_query(r, "site");
	const struct http_file *up = r->files;
	memset(&f, 0, sizeof(f));
	if (!key || store_site_by_key(a->st, key, &s) != 0) {
		http_reply_error(r, 404, "not_found", "no such site");
		return;
	}
	if (!cors(r, &s)) {
		http_reply_error(r, 403, "forbidden", "origin not allowed for this site");
		return;
	}
	if (uploader(r, &s, &f) != 0) {
		http_reply_error(r, 401, "unauthorized", "send X-Visitor-Token, or sign in as an agent of the site");
		return;
	}
	if (!up || up->next) {
		http_reply_error(r, 422, "invalid_field", "send exactly one file");
		return;
	}
	if ((int64_t)up->size > s.max_file_bytes) {
		http_reply_error(r, 413, "file_too_large", "the file is larger than this site allows");
		return;
	}
	if (!type_allowed(&s, up->content_type)) {
		http_reply_error(r, 415, "file_type_not_allowed", "this kind of file is not accepted here");
		return;
	}
	utf8_copy(f.name, sizeof(f.name), up->filename[0] ? up->filename : "file");
	utf8_copy(f.content_type, sizeof(f.content_type), up->content_type);
	f.size = (int64_t)up->size;
	f.site_id = s.id;
	struct keep *k = arena_alloc(&r->arena, sizeof(*k));
	memset(k, 0, sizeof(*k));
	k->f = f;
	k->tmp = up->tmp_path;
	r->job = k;
	http_defer(r, keep_work, keep_done);   /* hashing 10 MB is disk work: off the loop */
}

struct dl {
	char path[1300], type[128];
	char *data;
	size_t len;
	int rc;
};

static void dl_work(struct http_req *r)
{
	struct dl *d = r->job;
	FILE *fp = fopen(d->path, "rb");
	d->rc = KF_EIO;
	if (!fp)
		return;
	if (fseek(fp, 0, SEEK_END) == 0) {
		long n = ftell(fp);
		if (n >= 0 && fseek(fp, 0, SEEK_SET) == 0) {
			d->data = xmalloc((size_t)n + 1);
			d->len = fread(d->data, 1, (size_t)n, fp);
			d->rc = d->len == (size_t)n ? 0 : KF_EIO;
		}
	}
	fclose(fp);
}

static void dl_done(struct http_req *r)
{
	struct dl *d = r->job;
	if (d->rc) {
		free(d->data);
		http_reply_error(r, 404, "not_found", "the file is gone");
		return;
	}
	char *data = d->data;   /* d lives in r's arena, which the reply frees */
	http_reply(r, 200, d->type, data, d->len);   /* copied */
	free(data);
}

static int inline_type(const char *t)
{
	return strcmp(t, "image/png") == 0 || strcmp(t, "image/jpeg") == 0 || strcmp(t, "image/gif") == 0 ||
	       strcmp(t, "image/webp") == 0;
}

/* Replies with the kept blob sha as a download named name (images inline, as what they are). */
void chat_blob_serve(struct http_req *r, const char *sha, const char *name, const char *content_type)
{
	char disp[700], enc[600];
	size_t o = 0;
	for (const unsigned char *c = (const unsigned char *)name; *c && o + 4 < sizeof(enc); c++) {
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || strchr(".-_", *c))
			enc[o++] = (char)*c;
		else
			o += (size_t)snprintf(enc + o, sizeof(enc) - o, "%%%02X", *c);
	}
	enc[o] = '\0';
	int inl = inline_type(content_type);
	snprintf(disp, sizeof(disp), "%s; filename=\"file\"; filename*=UTF-8''%s", inl ? "inline" : "attachment", enc);
	http_add_header(r, "Content-Disposition", disp);
	http_add_header(r, "Cache-Control", "private, max-age=31536000, immutable");
	http_add_header(r, "Content-Security-Policy", "sandbox; default-src 'none'");
	struct dl *d = arena_alloc(&r->arena, sizeof(*d));
	memset(d, 0, sizeof(*d));
	blob_path(app_of(r), sha, d->path, sizeof(d->path), 0);
	/* Only images are served as what they claim; everything else is a download. */
	snprintf(d->type, sizeof(d->type), "%s", inl ? content_type : "application/octet-stream");
	r->job = d;
	http_defer(r, dl_work, dl_done);   /* reading the file is disk work: off the loop */
}

/* GET /api/v1/chat/files/:id?sig=MAC (or as a signed-in agent of the site). */
void chat_h_file_get(struct http_req *r)
{
	struct app *a = app_of(r);
	struct store_file f;
	int64_t id;
	const char *p = http_param(r, 0), *given = http_query(r, "sig");
	const struct auth_ctx *ctx = auth_of(r);
	char want[33];
	if (!p || parse_i64(p, strlen(p), &id) || store_file_get(a->st, id, &f) != 0) {
		http_reply_error(r, 404, "not_found", "no such file");
		return;
	}
	sig(id, want);
	int ok = given && strlen(given) == 32 && sodium_memcmp(given, want, 32) == 0;
	if (!ok && ctx->kind == AUTH_SESSION)
		ok = auth_role_level(ctx->user.role) >= ACCESS_ADMIN || store_site_is_member(a->st, f.site_id, ctx->user.id) == 0;
	if (!ok) {
		http_reply_error(r, 404, "not_found", "no such file");   /* no hint that it exists */
		return;
	}
	chat_blob_serve(r, f.sha256, f.name, f.content_type);
}

int chat_attach_file(struct app *a, struct ws_conn *ws, const struct store_conv *c, const char *who,
		     int64_t who_id, json_t *msg, struct store_msg *m)
{
	json_t *v = json_object_get(msg, "file_id");
	struct store_file f;
	if (!v)
		return 0;
	const char *cid = json_string_value(json_object_get(msg, "client_id"));
	if (!json_is_integer(v) || store_file_get(a->st, json_integer_value(v), &f) != 0 || f.site_id != c->site_id ||
	    strcmp(f.uploader, who) != 0 || f.uploader_id != who_id) {
		hub_error(ws, "not_found", "no such file of yours on this site", cid);
		return KF_ENOTFOUND;
	}
	snprintf(m->kind, sizeof(m->kind), "file");
	m->file_id = f.id;
	snprintf(m->file_name, sizeof(m->file_name), "%s", f.name);
	snprintf(m->file_type, sizeof(m->file_type), "%s", f.content_type);
	m->file_size = f.size;
	return 0;
}
