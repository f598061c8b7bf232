/* http/static.c - embedded assets with ETag, gzip and long caching for hashed names. */
#include "http/static.h"
#include "http/assets.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* 1 when Accept-Encoding lists gzip (or *) with a q-value above zero. */
static int accepts_gzip(const struct http_req *r)
{
	const char *p = http_header(r, "accept-encoding");
	while (p && *p) {
		p += strspn(p, " \t,");
		size_t n = strcspn(p, " \t;,");
		int match = (n == 4 && strncasecmp(p, "gzip", 4) == 0) || (n == 1 && *p == '*');
		p += n;
		double q = 1;
		const char *end = p + strcspn(p, ",");
		const char *qs = strstr(p, "q=");
		if (qs && qs < end)
			q = strtod(qs + 2, NULL);
		if (match)
			return q > 0;
		p = end;
	}
	return 0;
}

/* If-None-Match lists etag (a strong "..." value) or is "*". */
static int etag_matches(const struct http_req *r, const char *etag)
{
	const char *inm = http_header(r, "if-none-match");
	if (!inm)
		return 0;
	if (strcmp(inm, "*") == 0)
		return 1;
	size_t el = strlen(etag);
	for (const char *p = inm; (p = strstr(p, etag)) != NULL; p += el)
		if (p[el] == '\0' || p[el] == ',' || p[el] == ' ')
			return 1;
	return 0;
}

void static_serve(struct http_req *r, const char *path)
{
	const struct asset *a = assets_find(path);
	if (!a) {
		http_reply_error(r, 404, "not_found", "no such file");
		return;
	}
	/* The gzip variant is other bytes, so it gets its own strong ETag ("hash-gz"). */
	int gz = a->gz && accepts_gzip(r);
	char etag[80];
	size_t el = strlen(a->etag);
	if (gz && el > 2 && el < sizeof(etag) - 4)
		snprintf(etag, sizeof(etag), "%.*s-gz\"", (int)(el - 1), a->etag);
	else
		snprintf(etag, sizeof(etag), "%s", a->etag);
	http_add_header(r, "ETag", etag);
	if (a->gz)
		http_add_header(r, "Vary", "Accept-Encoding");
	http_add_header(r, "Cache-Control", a->immutable ? "public, max-age=31536000, immutable" : "no-cache");
	if (strncmp(a->mime, "text/html", 9) == 0) {
		/* The console never needs to be framed, and it loads only its own assets. */
		http_add_header(r, "X-Frame-Options", "DENY");
		http_add_header(r, "Content-Security-Policy",
				"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
				"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
		http_add_header(r, "Referrer-Policy", "same-origin");
	}
	if (etag_matches(r, etag)) {
		http_reply_static(r, 304, NULL, NULL, 0, NULL);
		return;
	}
	if (gz)
		http_reply_static(r, 200, a->mime, a->gz, a->gz_len, "gzip");
	else
		http_reply_static(r, 200, a->mime, a->data, a->len, NULL);
}

void static_handler(struct http_req *r)
{
	static_serve(r, r->path);
}
