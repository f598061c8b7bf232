/* http/parser.c - http-parser glue (see parser.h). Maps the library's method enum to
 * Kefu's and its errors to three kinds: paused, callback stop, malformed input.
 *
 * Debian builds http-parser without HTTP_PARSER_STRICT, so on its own it accepts
 * "HTPP/1.1", spaces in header names, bare CR and LF line ends and folded lines, which
 * are request-smuggling material. A small scanner here checks the request line and the
 * header lines byte by byte before the library sees them (RFC 9112 grammar, CRLF only,
 * no obs-fold); bodies are left to the library. Because the parser pauses after every
 * message, each hp_execute call starts either inside a message or at the next one. */
#include "http/parser.h"
#include "http/http.h"
#include "core/alloc.h"
#include <http_parser.h>
#include <stdlib.h>
#include <string.h>

enum scan_state {
	S_START,        /* before the request line; empty lines (CRLF) are skipped */
	S_START_LF,     /* CR seen before the request line */
	S_METHOD, S_TARGET, S_VERSION, S_RL_LF,
	S_LINE_START,   /* at the start of a header line or the final empty line */
	S_NAME, S_VALUE, S_LINE_LF, S_END_LF,
	S_BODY,         /* header section done: the library has the rest of the message */
};

struct hp {
	http_parser p;
	const struct hp_callbacks *cb;
	void *ud;
	enum scan_state scan;
	unsigned vpos;  /* position inside "HTTP/d.d" */
	int scan_error;
};

/* RFC 9110 tchar: the characters of a token (method, header name). */
static int tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return 1;
	return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Advances the scanner over one byte; 0 if the byte is allowed. */
static int scan_byte(struct hp *h, unsigned char c)
{
	static const char version[] = "HTTP/d.d";
	switch (h->scan) {
	case S_START:
		if (c == '\r') { h->scan = S_START_LF; return 0; }
		if (!tchar(c)) return -1;
		h->scan = S_METHOD;
		return 0;
	case S_START_LF:
		if (c != '\n') return -1;
		h->scan = S_START;
		return 0;
	case S_METHOD:
		if (c == ' ') { h->scan = S_TARGET; return 0; }
		return tchar(c) ? 0 : -1;
	case S_TARGET:
		if (c == ' ') { h->scan = S_VERSION; h->vpos = 0; return 0; }
		return c > 0x20 && c != 0x7f ? 0 : -1;
	case S_VERSION:
		if (h->vpos == 8) {
			if (c != '\r') return -1;
			h->scan = S_RL_LF;
			return 0;
		}
		if (version[h->vpos] == 'd' ? !(c >= '0' && c <= '9') : c != (unsigned char)version[h->vpos])
			return -1;
		h->vpos++;
		return 0;
	case S_RL_LF:
	case S_LINE_LF:
		if (c != '\n') return -1;
		h->scan = S_LINE_START;
		return 0;
	case S_LINE_START:
		if (c == '\r') { h->scan = S_END_LF; return 0; }
		if (!tchar(c)) return -1;   /* obs-fold, bare LF and junk all land here */
		h->scan = S_NAME;
		return 0;
	case S_NAME:
		if (c == ':') { h->scan = S_VALUE; return 0; }
		return tchar(c) ? 0 : -1;
	case S_VALUE:
		if (c == '\r') { h->scan = S_LINE_LF; return 0; }
		return c == '\t' || (c >= 0x20 && c != 0x7f) ? 0 : -1;
	case S_END_LF:
		if (c != '\n') return -1;
		h->scan = S_BODY;
		return 0;
	case S_BODY:
		return 0;
	}
	return -1;
}

/* Scans the header-section bytes of data; returns 0 or -1 on a byte the grammar forbids. */
static int scan(struct hp *h, const char *data, size_t n)
{
	for (size_t i = 0; i < n && h->scan != S_BODY; i++)
		if (scan_byte(h, (unsigned char)data[i]))
			return -1;
	return 0;
}

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
	HP(p)->scan = S_START;
	http_parser_pause(p, 1);   /* one message per call: the scanner restarts here */
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
	if (h->scan_error || scan(h, data, n)) {
		h->scan_error = 1;
		*st = HP_EPARSE;
		return 0;
	}
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
	if (h->scan_error)
		return "malformed request line or header";
	return http_errno_name(HTTP_PARSER_ERRNO(&h->p));
}

int hp_is_upgrade(const struct hp *h)
{
	return h->p.upgrade;
}
