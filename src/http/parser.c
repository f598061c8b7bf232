/* http/parser.c - http-parser glue (see parser.h). Maps the library's method enum to
 * Kefu's and its errors to three kinds: paused, callback stop, malformed input. */
#include "http/parser.h"
#include "http/http.h"
#include "core/alloc.h"
#include <http_parser.h>
#include <stdlib.h>

struct hp {
	http_parser p;
	const struct hp_callbacks *cb;
	void *ud;
};

static http_parser_settings settings;   /* filled once; read-only afterwards */

static int map_method(unsigned m)
{
	switch (m) {
	case HTTP_GET: return M_GET;
	case HTTP_HEAD: return M_HEAD;
	case HTTP_POST: return M_POST;
	case HTTP_PUT: return M_PUT;
	case HTTP_PATCH: return M_PATCH;
	case HTTP_DELETE: return M_DELETE;
	case HTTP_OPTIONS: return M_OPTIONS;
	}
	return 0;
}

static void fill_info(http_parser *p, struct hp_info *in)
{
	in->method = map_method(p->method);
	in->method_name = http_method_str((enum http_method)p->method);
	in->major = p->http_major;
	in->minor = p->http_minor;
	in->keep_alive = http_should_keep_alive(p);
	in->upgrade = p->upgrade;
	in->content_length = (p->flags & F_CONTENTLENGTH) ? (int64_t)p->content_length : -1;
}

#define HP(p) ((struct hp *)(p)->data)

static int cb_begin(http_parser *p) { return HP(p)->cb->on_begin(HP(p)->ud); }
static int cb_url(http_parser *p, const char *a, size_t n) { return HP(p)->cb->on_url(HP(p)->ud, a, n); }
static int cb_hf(http_parser *p, const char *a, size_t n) { return HP(p)->cb->on_header_field(HP(p)->ud, a, n); }
static int cb_hv(http_parser *p, const char *a, size_t n) { return HP(p)->cb->on_header_value(HP(p)->ud, a, n); }
static int cb_body(http_parser *p, const char *a, size_t n) { return HP(p)->cb->on_body(HP(p)->ud, a, n); }

static int cb_headers(http_parser *p)
{
	struct hp_info in;
	fill_info(p, &in);
	return HP(p)->cb->on_headers_complete(HP(p)->ud, &in) ? -1 : 0;
}

static int cb_complete(http_parser *p)
{
	struct hp_info in;
	fill_info(p, &in);
	return HP(p)->cb->on_complete(HP(p)->ud, &in);
}

struct hp *hp_new(const struct hp_callbacks *cb, void *ud)
{
	if (!settings.on_message_begin) {
		settings.on_message_begin = cb_begin;
		settings.on_url = cb_url;
		settings.on_header_field = cb_hf;
		settings.on_header_value = cb_hv;
		settings.on_headers_complete = cb_headers;
		settings.on_body = cb_body;
		settings.on_message_complete = cb_complete;
	}
	struct hp *h = xcalloc(1, sizeof(*h));
	http_parser_init(&h->p, HTTP_REQUEST);
	h->p.data = h;
	h->cb = cb;
	h->ud = ud;
	return h;
}

void hp_free(struct hp *p)
{
	free(p);
}

size_t hp_execute(struct hp *h, const char *data, size_t n, enum hp_status *st)
{
	size_t used = http_parser_execute(&h->p, &settings, data, n);
	enum http_errno e = HTTP_PARSER_ERRNO(&h->p);
	if (e == HPE_OK)
		*st = HP_OK;
	else if (e == HPE_PAUSED)
		*st = HP_PAUSED;
	else if (e >= HPE_CB_message_begin && e <= HPE_CB_chunk_complete)
		*st = HP_ECALLBACK;
	else
		*st = HP_EPARSE;
	return used;
}

void hp_pause(struct hp *h, int paused)
{
	http_parser_pause(&h->p, paused);
}

const char *hp_error_name(const struct hp *h)
{
	return http_errno_name(HTTP_PARSER_ERRNO(&h->p));
}

int hp_is_upgrade(const struct hp *h)
{
	return h->p.upgrade;
}
