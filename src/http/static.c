/* http/static.c - embedded assets with ETag, gzip and long caching for hashed names. */
#include "http/static.h"
#include "http/assets.h"
#include <string.h>
#include <strings.h>

static int accepts_gzip(const struct http_req *r)
{
	const char *ae = http_header(r, "accept-encoding");
	return ae && strcasestr(ae, "gzip") != NULL;
}

static int etag_matches(const struct http_req *r, const char *etag)
{
	const char *inm = http_header(r, "if-none-match");
	return inm && (strstr(inm, etag) != NULL || strcmp(inm, "*") == 0);
}

void static_serve(struct http_req *r, const char *path)
{
	const struct asset *a = assets_find(path);
	if (!a) {
		http_reply_error(r, 404, "not_found", "no such file");
		return;
	}
	http_add_header(r, "ETag", a->etag);
	http_add_header(r, "Cache-Control", a->immutable ? "public, max-age=31536000, immutable" : "no-cache");
	if (strncmp(a->mime, "text/html", 9) == 0) {
		/* The console never needs to be framed, and it loads only its own assets. */
		http_add_header(r, "X-Frame-Options", "DENY");
		http_add_header(r, "Content-Security-Policy",
				"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
				"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
		http_add_header(r, "Referrer-Policy", "same-origin");
	}
	if (etag_matches(r, a->etag)) {
		http_reply_static(r, 304, NULL, NULL, 0, NULL);
		return;
	}
	if (a->gz && accepts_gzip(r))
		http_reply_static(r, 200, a->mime, a->gz, a->gz_len, "gzip");
	else
		http_reply_static(r, 200, a->mime, a->data, a->len, NULL);
}

void static_handler(struct http_req *r)
{
	static_serve(r, r->path);
}
