/* http/server.c - connections, request parsing, dispatch and responses on libuv.
 *
 * Flow: on_read -> conn_run feeds the parser; a completed message pauses the parser and
 * is dispatched (route, authorize, JSON, handler). While it is in flight the connection
 * reads no further and keeps unparsed bytes in c->in; the reply resumes parsing, which is
 * how pipelined requests are answered in order. Reads land in one shared buffer, so an
 * idle connection costs only its struct. One sweep timer enforces every deadline. */
#include "http/server_int.h"
#include "core/alloc.h"
#include "core/json.h"
#include "core/kf.h"
#include "core/log.h"
#include "core/util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define IN_CAP (1u << 20)          /* pipelined bytes kept while a request is in flight */
#define WRITE_QUEUE_CAP (4u << 20) /* stop parsing while this much output is unsent */

static const double hist_bounds[METRIC_BUCKETS] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5,
};

static void conn_run(struct http_conn *c, const char *data, size_t n);
static void set_early(struct http_req *r, int status, const char *code, const char *msg);
static void dispatch(struct http_conn *c);

uint64_t srv__now_ms(void)
{
	return time_mono_ns() / 1000000u;
}

void http_limits_default(struct http_limits *l)
{
	l->max_header_bytes = 16384;
	l->max_url_bytes = 4096;
	l->max_body_bytes = 1u << 20;
	l->max_upload_bytes = 25u << 20;
	l->ws_max_frame_bytes = 65536;
	l->ws_max_message_bytes = 262144;
	l->idle_timeout_ms = 60000;
	l->request_timeout_ms = 30000;
	l->shutdown_timeout_ms = 10000;
	l->ws_ping_ms = 30000;
	l->max_conns_per_ip = 256;
	l->max_conns = 19000;
	l->max_headers = 100;
}

/* ---- per-IP connection counts ---- */

static unsigned ip_hash(const char *ip)
{
	unsigned h = 5381;
	while (*ip)
		h = h * 33 + (unsigned char)*ip++;
	return h % KF_ARRAY_LEN(((struct http_server *)0)->ipb);
}

static struct ipcount *ip_acquire(struct http_server *s, const char *ip)
{
	unsigned h = ip_hash(ip);
	struct ipcount *e;
	for (e = s->ipb[h]; e; e = e->next)
		if (strcmp(e->ip, ip) == 0)
			break;
	if (!e) {
		e = xcalloc(1, sizeof(*e));
		snprintf(e->ip, sizeof(e->ip), "%s", ip);
		e->next = s->ipb[h];
		s->ipb[h] = e;
	}
	e->n++;
	return e;
}

static void ip_release(struct http_server *s, struct ipcount *e)
{
	if (--e->n)
		return;
	struct ipcount **pp = &s->ipb[ip_hash(e->ip)];
	while (*pp != e)
		pp = &(*pp)->next;
	*pp = e->next;
	free(e);
}

static int is_trusted(const struct http_server *s, const char *ip)
{
	for (size_t i = 0; i < s->ntrusted; i++)
		if (strcmp(s->trusted[i], ip) == 0)
			return 1;
	return 0;
}

int http_server_set_trusted_proxies(struct http_server *s, const char *list)
{
	s->ntrusted = 0;
	while (list && *list) {
		list += strspn(list, " ,\t");
		size_t n = strcspn(list, " ,\t");
		if (!n)
			break;
		if (n >= sizeof(s->trusted[0]) || s->ntrusted == KF_ARRAY_LEN(s->trusted))
			return KF_EINVAL;
		memcpy(s->trusted[s->ntrusted], list, n);
		s->trusted[s->ntrusted++][n] = '\0';
		list += n;
	}
	return 0;
}

/* ---- requests ---- */

static struct http_req *req_new(struct http_conn *c)
{
	struct http_req *r = xcalloc(1, sizeof(*r));
	r->srv = c->srv;
	r->conn = c;
	arena_init(&r->arena);
	buf_init(&r->body, 0);
	buf_init(&r->res_headers, 64 * 1024);
	buf_init(&r->hname, 0);
	buf_init(&r->hvalue, 0);
	buf_init(&r->url, 0);
	r->start_ns = time_mono_ns();
	r->files_tail = &r->files;
	snprintf(r->request_id, sizeof(r->request_id), "%08x%08llx",
		 (unsigned)c->srv->loop->time, (unsigned long long)++c->srv->req_seq);
	snprintf(r->client_ip, sizeof(r->client_ip), "%s", c->peer_ip);
	return r;
}

void req__free(struct http_req *r)
{
	if (!r)
		return;
	upload__cleanup(r);
	json_decref(r->json);
	buf_release(&r->body);
	buf_release(&r->res_headers);
	buf_release(&r->hname);
	buf_release(&r->hvalue);
	buf_release(&r->url);
	arena_release(&r->arena);
	free(r);
}

void http_deny(struct http_req *r, int status, const char *code, const char *msg)
{
	set_early(r, status, code, msg);
}

static void set_early(struct http_req *r, int status, const char *code, const char *msg)
{
	if (r->early_status)
		return;
	r->early_status = status;
	r->early_code = code;
	r->early_msg = msg;
}

/* ---- parser callbacks ---- */

static int on_begin(void *ud)
{
	struct http_conn *c = ud;
	c->req = req_new(c);
	c->req_start_ms = srv__now_ms();
	return 0;
}

static int on_url(void *ud, const char *p, size_t n)
{
	struct http_conn *c = ud;
	struct http_req *r = c->req;
	if (r->url.len + n > c->srv->lim.max_url_bytes) {
		set_early(r, 414, "uri_too_long", "the request URL is too long");
		return 1;
	}
	r->header_bytes += n;
	buf_add(&r->url, p, n);
	return 0;
}

static int header_bytes(struct http_conn *c, size_t n)
{
	struct http_req *r = c->req;
	r->header_bytes += n;
	if (r->header_bytes > c->srv->lim.max_header_bytes) {
		set_early(r, 431, "header_too_large", "request headers are too large");
		return 1;
	}
	return 0;
}

/* Moves the header being parsed into r->headers. */
static int header_flush(struct http_conn *c)
{
	struct http_req *r = c->req;
	if (!r->hname.len)
		return 0;
	if (r->nheaders >= c->srv->lim.max_headers) {
		set_early(r, 431, "header_too_large", "too many request headers");
		return 1;
	}
	if (memchr(r->hvalue.ptr, '\0', r->hvalue.len) || memchr(r->hname.ptr, '\0', r->hname.len)) {
		set_early(r, 400, "bad_request", "NUL byte in a header");
		return 1;
	}
	if (!r->headers)
		r->headers = arena_alloc(&r->arena, c->srv->lim.max_headers * sizeof(*r->headers));
	struct http_header *h = &r->headers[r->nheaders++];
	h->name = arena_strndup(&r->arena, r->hname.ptr, r->hname.len);
	h->name_len = r->hname.len;
	/* Trim optional whitespace at the end of the value (RFC 9110 5.5). */
	size_t vl = r->hvalue.len;
	while (vl && (r->hvalue.ptr[vl - 1] == ' ' || r->hvalue.ptr[vl - 1] == '\t'))
		vl--;
	h->value = arena_strndup(&r->arena, r->hvalue.ptr, vl);
	h->value_len = vl;
	buf_reset(&r->hname);
	buf_reset(&r->hvalue);
	return 0;
}

static int on_header_field(void *ud, const char *p, size_t n)
{
	struct http_conn *c = ud;
	struct http_req *r = c->req;
	if (header_bytes(c, n))
		return 1;
	if (r->headers_done)
		return 0;   /* chunked trailer fields never become request headers */
	if (r->last_was_value && header_flush(c))
		return 1;
	r->last_was_value = 0;
	buf_add(&r->hname, p, n);
	return 0;
}

static int on_header_value(void *ud, const char *p, size_t n)
{
	struct http_conn *c = ud;
	struct http_req *r = c->req;
	if (header_bytes(c, n))
		return 1;
	if (r->headers_done)
		return 0;
	r->last_was_value = 1;
	buf_add(&r->hvalue, p, n);
	return 0;
}

/* Splits the URL into path and query and decodes the path. 0 or an early error. */
static int parse_target(struct http_req *r)
{
	char *u = r->url.ptr;
	/* absolute-form (RFC 9112 3.2.2): a server must accept it; the path is what we route. */
	if (strncasecmp(u, "http://", 7) == 0 || strncasecmp(u, "https://", 8) == 0) {
		char *auth = strstr(u, "://") + 3;
		char *slash = auth + strcspn(auth, "/?#");
		if (slash == auth) {
			set_early(r, 400, "bad_request", "the request target has no host");
			return 1;
		}
		if (*slash != '/') {
			*--slash = '/';   /* "http://h?q" means "/?q": reuse the byte before it */
		}
		u = slash;
	}
	if (u[0] != '/') {
		set_early(r, 400, "bad_request", "the request target must be an absolute path");
		return 1;
	}
	char *q = strchr(u, '?');
	if (q) {
		*q = '\0';
		r->query = arena_strdup(&r->arena, q + 1);
	}
	char *frag = strchr(u, '#');
	if (frag)
		*frag = '\0';
	char *path = arena_strdup(&r->arena, u);
	long n = url_decode(path, strlen(path), 0);
	if (n < 0 || memchr(path, '\0', (size_t)n) || !utf8_valid(path, (size_t)n)) {
		set_early(r, 400, "bad_request", "the request path is not valid");
		return 1;
	}
	path[n] = '\0';
	r->path = path;
	return 0;
}

/* Believes X-Forwarded-For / -Proto only from a trusted proxy: the client is the
 * rightmost address that is not itself a trusted proxy. */
static void apply_forwarded(struct http_conn *c, struct http_req *r)
{
	if (!c->trusted_peer)
		return;
	const char *xff = http_header(r, "x-forwarded-for");
	/* Walk the list from its end, where our own proxies appended: however long the
	 * header, the client cannot push the real address out of reach. */
	for (const char *end = xff ? xff + strlen(xff) : NULL; end && end > xff;) {
		const char *start = end;
		while (start > xff && start[-1] != ',')
			start--;
		const char *a = start, *z = end;
		while (a < z && (*a == ' ' || *a == '\t'))
			a++;
		while (z > a && (z[-1] == ' ' || z[-1] == '\t'))
			z--;
		if (z == a || (size_t)(z - a) >= sizeof(r->client_ip))
			break;   /* an empty or impossible entry: keep the last good address */
		snprintf(r->client_ip, sizeof(r->client_ip), "%.*s", (int)(z - a), a);
		if (!is_trusted(c->srv, r->client_ip))
			break;
		end = start > xff ? start - 1 : xff;
	}
	const char *proto = http_header(r, "x-forwarded-proto");
	r->https = proto && strcasecmp(proto, "https") == 0;
}

static int on_headers_complete(void *ud, const struct hp_info *in)
{
	struct http_conn *c = ud;
	struct http_req *r = c->req;
	struct http_server *s = c->srv;
	if (header_flush(c) || parse_target(r))
		return 1;
	r->headers_done = 1;
	r->method = in->method;
	r->method_name = arena_strdup(&r->arena, in->method_name);
	r->keep_alive = in->keep_alive && !s->draining;
	r->upgrade = in->upgrade;
	apply_forwarded(c, r);
	if (in->major != 1) {
		set_early(r, 505, "http_version_not_supported", "only HTTP/1.x is served");
		return 1;
	}

	struct router_param params[HTTP_MAX_PARAMS];
	int allow = 0;
	/* An unknown method (0) matches no route, so the path's methods come back as Allow. */
	enum router_result rr = router_match(&s->router, r->method, r->path, &r->route, params,
					     &r->nparams, &allow);
	if (rr == ROUTER_NOT_FOUND) {
		set_early(r, 404, "not_found", "no such route");
	} else if (rr == ROUTER_BAD_METHOD) {
		char txt[80];
		router_allow_text(allow, txt, sizeof(txt));
		if (*txt)
			http_add_header(r, "Allow", txt);
		set_early(r, 405, "method_not_allowed", "method not allowed on this route");
	} else {
		for (size_t i = 0; i < r->nparams; i++)
			r->params[i] = arena_strndup(&r->arena, r->path + params[i].off, params[i].len);
	}

	size_t cap = r->route && (r->route->flags & ROUTE_UPLOAD) ? s->lim.max_upload_bytes : s->lim.max_body_bytes;
	if (in->content_length > 0 && (uint64_t)in->content_length > cap) {
		set_early(r, 413, r->route && (r->route->flags & ROUTE_UPLOAD) ? "upload_too_large" : "body_too_large",
			  "the request body is too large");
		return 1;
	}
	if (!r->early_status && r->route && (r->route->flags & ROUTE_UPLOAD)) {
		if (s->authorize && s->authorize(r) != 0) {
			/* The hook put its verdict in r->early_*; a refused upload is not read. */
			set_early(r, 401, "unauthorized", "sign in first");
			return 1;
		}
		r->auth_done = 1;
		char ecode[64];
		if (upload__begin(r, ecode, sizeof(ecode))) {
			set_early(r, strcmp(ecode, "unsupported_media_type") == 0 ? 415 : 500,
				  strcmp(ecode, "unsupported_media_type") == 0 ? "unsupported_media_type" : "internal",
				  "the upload could not be accepted");
			return 1;
		}
	}
	const char *expect = http_header(r, "expect");
	if (expect && !r->early_status && strcasecmp(expect, "100-continue") == 0) {
		static char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
		conn__write(c, cont, sizeof(cont) - 1, 0, NULL, 0, 0, 0);
	}
	return 0;
}

static int on_body(void *ud, const char *p, size_t n)
{
	struct http_conn *c = ud;
	struct http_req *r = c->req;
	if (r->mp)
		return upload__body(r, p, n);
	if (r->body.len + n > c->srv->lim.max_body_bytes) {
		r->early_status = 0;
		set_early(r, 413, "body_too_large", "the request body is too large");
		return 1;
	}
	if (!r->early_status)
		buf_add(&r->body, p, n);
	return 0;
}

static int on_complete(void *ud, const struct hp_info *in)
{
	struct http_conn *c = ud;
	KF_UNUSED(in);
	hp_pause(c->parser, 1);
	return 0;
}

static const struct hp_callbacks parser_cb = {
	on_begin, on_url, on_header_field, on_header_value, on_headers_complete, on_body, on_complete,
};

/* ---- writing ---- */

struct write_req {
	uv_write_t w;
	struct http_conn *c;
	char *hdr, *body;           /* owned; NULL when static */
	int close_after;
};

static void on_write(uv_write_t *w, int status)
{
	struct write_req *wr = (struct write_req *)w;
	struct http_conn *c = wr->c;
	free(wr->hdr);
	free(wr->body);
	int close_after = wr->close_after;
	free(wr);
	c->writes--;
	if (status < 0 || close_after) {
		conn__close(c);
		return;
	}
	/* Parsing stopped for a full write queue: go on now that it drained. */
	if (!c->closing && c->mode == CONN_HTTP && !c->inflight && c->in.len && !c->in_run)
		conn_run(c, NULL, 0);
}

void conn__write(struct http_conn *c, char *hdr, size_t hlen, int own_hdr, char *body,
		 size_t blen, int own_body, int close_after)
{
	if (c->closing) {
		if (own_hdr)
			free(hdr);
		if (own_body)
			free(body);
		return;
	}
	if (c->mem_out) {
		buf_add(c->mem_out, hdr, hlen);
		buf_add(c->mem_out, body, blen);
		if (own_hdr)
			free(hdr);
		if (own_body)
			free(body);
		if (close_after)
			conn__close(c);
		return;
	}
	struct write_req *wr = xcalloc(1, sizeof(*wr));
	uv_buf_t bufs[2];
	unsigned nb = 0;
	wr->c = c;
	wr->hdr = own_hdr ? hdr : NULL;
	wr->body = own_body ? body : NULL;
	wr->close_after = close_after;
	if (hlen)
		bufs[nb++] = uv_buf_init(hdr, (unsigned)hlen);
	if (blen)
		bufs[nb++] = uv_buf_init(body, (unsigned)blen);
	c->writes++;
	c->last_io_ms = srv__now_ms();
	if (uv_write(&wr->w, (uv_stream_t *)&c->tcp, bufs, nb, on_write) < 0) {
		c->writes--;
		free(wr->hdr);
		free(wr->body);
		free(wr);
		conn__close(c);
	}
}

static const char *status_text(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 101: return "Switching Protocols";
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 426: return "Upgrade Required";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	}
	return "Unknown";
}

static const char *http_date(struct http_server *s)
{
	int64_t now = time_now_s();
	if (now != s->date_s) {
		struct tm tm;
		time_t t = (time_t)now;
		gmtime_r(&t, &tm);
		strftime(s->date, sizeof(s->date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
		s->date_s = now;
	}
	return s->date;
}

static int metric_class(struct http_server *s, const char *cls)
{
	for (int i = 0; i < METRIC_CLASSES; i++) {
		if (!s->cls_names[i]) {
			s->cls_names[i] = cls;
			return i;
		}
		if (strcmp(s->cls_names[i], cls) == 0)
			return i;
	}
	return METRIC_CLASSES - 1;
}

static void account(struct http_req *r, int status, size_t bytes)
{
	struct http_server *s = r->srv;
	double secs = (double)(time_mono_ns() - r->start_ns) / 1e9;
	int cls = metric_class(s, r->route ? r->route->cls : "other");
	if (status >= 100 && status < 600)
		s->req_count[cls][status]++;
	int b = 0;
	while (b < METRIC_BUCKETS && secs > hist_bounds[b])
		b++;
	s->hist[b]++;
	s->hist_sum += secs;
	s->hist_n++;
	log_info("req id=%s ip=%s %s %s %d %zuB %.2fms", r->request_id, r->client_ip,
		 r->method_name ? r->method_name : "-", r->path ? r->path : "-", status, bytes, secs * 1000);
}

/* Sends status + headers + body and ends the request. body_owned: 1 take ownership
 * of body (malloc'd), 0 static bytes. */
static void reply_raw(struct http_req *r, int status, const char *ctype, char *body, size_t len,
		      int body_owned, const char *encoding)
{
	struct http_conn *c = r->conn;
	struct buf h;
	int head = r->method == M_HEAD;
	int close_after = !r->keep_alive || c->srv->draining || c->closing;

	if (r->replied) {
		log_error("double reply to request %s", r->request_id);
		if (body_owned)
			free(body);
		return;
	}
	r->replied = 1;
	buf_init(&h, 0);
	buf_addf(&h, "HTTP/1.1 %d %s\r\nServer: kefu\r\nDate: %s\r\nX-Request-Id: %s\r\n",
		 status, status_text(status), http_date(c->srv), r->request_id);
	if (ctype)
		buf_addf(&h, "Content-Type: %s\r\n", ctype);
	if (encoding)
		buf_addf(&h, "Content-Encoding: %s\r\n", encoding);
	if (status != 304 && status != 204)
		buf_addf(&h, "Content-Length: %zu\r\n", len);
	if (ctype && strncmp(ctype, "application/json", 16) == 0)
		buf_adds(&h, "Cache-Control: no-store\r\n");
	buf_adds(&h, "X-Content-Type-Options: nosniff\r\n");
	buf_add(&h, r->res_headers.ptr, r->res_headers.len);
	buf_adds(&h, close_after ? "Connection: close\r\n\r\n" : "\r\n");
	account(r, status, len);

	size_t hl;
	char *hp = buf_detach(&h, &hl);
	if (head || status == 304 || status == 204) {
		if (body_owned)
			free(body);
		body = NULL;
		len = 0;
		body_owned = 0;
	}
	/* The request is over before the write: a memory connection may close inside it. */
	c->req = NULL;
	c->inflight = 0;
	conn__write(c, hp, hl, 1, body, len, body_owned, close_after);
	req__free(r);
	if (c->closing) {
		if (c->refs == 0)
			free(c);   /* a deferred job outlived its connection */
		return;
	}
	if (close_after) {
		c->close_after_write = 1;
		return;
	}
	hp_pause(c->parser, 0);
	if (!c->in_run)
		conn_run(c, NULL, 0);
}

void http_add_header(struct http_req *r, const char *name, const char *value)
{
	buf_addf(&r->res_headers, "%s: %s\r\n", name, value);
}

void http_reply(struct http_req *r, int status, const char *ctype, const void *body, size_t len)
{
	char *copy = len ? xmalloc(len) : NULL;
	if (len)
		memcpy(copy, body, len);
	reply_raw(r, status, ctype, copy, len, 1, NULL);
}

void http_reply_static(struct http_req *r, int status, const char *ctype, const void *body,
		       size_t len, const char *encoding)
{
	reply_raw(r, status, ctype, (char *)body, len, 0, encoding);
}

void http_reply_json(struct http_req *r, int status, json_t *v)
{
	struct buf b;
	buf_init(&b, 0);
	if (json_to_buf(v, &b) == 0)
		buf_addc(&b, '\n');
	json_decref(v);
	size_t len;
	char *p = buf_detach(&b, &len);
	reply_raw(r, status, "application/json; charset=utf-8", p, len, 1, NULL);
}

void http_reply_error(struct http_req *r, int status, const char *code, const char *message)
{
	if (status >= 500)
		log_error("request %s %s %s: %d %s: %s", r->request_id, r->method_name ? r->method_name : "-",
			  r->path ? r->path : "-", status, code, message);
	else
		log_debug("request %s: %d %s: %s", r->request_id, status, code, message);
	http_reply_json(r, status, json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", message));
}

/* ---- deferred work ---- */

struct work {
	uv_work_t w;
	struct http_req *r;
};

static void work_run(uv_work_t *w)
{
	struct http_req *r = ((struct work *)w)->r;
	r->work(r);
}

static void work_done(uv_work_t *w, int status)
{
	struct http_req *r = ((struct work *)w)->r;
	struct http_conn *c = r->conn;
	KF_UNUSED(status);
	free(w);
	c->refs--;
	c->jobs--;
	r->done(r);   /* replies; frees c too when the connection went away meanwhile */
}

void http_defer(struct http_req *r, void (*work)(struct http_req *), void (*done)(struct http_req *))
{
	struct work *w = xcalloc(1, sizeof(*w));
	w->r = r;
	r->work = work;
	r->done = done;
	r->conn->refs++;
	r->conn->jobs++;
	if (uv_queue_work(r->srv->loop, &w->w, work_run, work_done) < 0) {
		r->conn->refs--;
		r->conn->jobs--;
		free(w);
		work(r);
		done(r);
	}
}

/* ---- dispatch ---- */

static int parse_json_body(struct http_req *r)
{
	const char *ct = http_header(r, "content-type");
	if (r->body.len == 0 && r->method != M_POST && r->method != M_PUT && r->method != M_PATCH)
		return 0;
	if (!ct || strncasecmp(ct, "application/json", 16) != 0) {
		http_reply_error(r, 415, "unsupported_media_type", "send the body as application/json");
		return 1;
	}
	char msg[200];
	switch (json_parse_object(r->body.ptr, r->body.len, &r->json, msg, sizeof(msg))) {
	case JSON_OK:
		return 0;
	case JSON_EUTF8:
		http_reply_error(r, 400, "invalid_utf8", msg);
		return 1;
	default:
		http_reply_error(r, 400, "invalid_json", msg);
		return 1;
	}
}

static void dispatch(struct http_conn *c)
{
	struct http_req *r = c->req;
	struct http_server *s = c->srv;
	if (r->early_status) {
		http_reply_error(r, r->early_status, r->early_code, r->early_msg);
		return;
	}
	if (r->mp && upload__finish(r)) {
		http_reply_error(r, 400, "bad_request", "the multipart body is malformed");
		return;
	}
	if (r->upgrade && !(r->route->flags & ROUTE_WS))
		r->keep_alive = 0;   /* the parser stopped at the upgrade: no more HTTP here */
	if (!r->auth_done && s->authorize && s->authorize(r) != 0) {
		set_early(r, 401, "unauthorized", "sign in first");
		http_reply_error(r, r->early_status, r->early_code, r->early_msg);
		return;
	}
	if ((r->route->flags & ROUTE_JSON) && parse_json_body(r))
		return;
	if (r->route->flags & ROUTE_WS) {
		ws__upgrade(c, r);   /* switches the connection, or replies with the error */
		return;
	}
	r->route->handler(r);
}

/* ---- connections ---- */

static void on_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *b);

/* The one read buffer: every read is fully parsed (or copied to c->in) before the
 * next one, so connections never need their own. */
static char shared_rbuf[65536];

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
	KF_UNUSED(h);
	KF_UNUSED(suggested);
	b->base = shared_rbuf;
	b->len = sizeof(shared_rbuf);
}

static void conn_reading(struct http_conn *c, int on)
{
	if (c->closing || on == c->reading || c->mem_out)
		return;
	c->reading = on;
	if (on)
		uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
	else
		uv_read_stop((uv_stream_t *)&c->tcp);
}

static void parse_failed(struct http_conn *c, enum hp_status st)
{
	struct http_req *r = c->req;
	if (!r) {
		/* An error before any request started: answer on a throwaway request. */
		on_begin(c);
		r = c->req;
	}
	r->keep_alive = 0;
	if (st == HP_EPARSE || !r->early_status) {
		log_info("bad request from %s: %s", c->peer_ip, hp_error_name(c->parser));
		r->early_status = 0;
		set_early(r, 400, "bad_request", "malformed HTTP request");
	}
	c->inflight = 1;
	http_reply_error(r, r->early_status, r->early_code, r->early_msg);
}

static void conn_run(struct http_conn *c, const char *data, size_t n)
{
	c->in_run++;
	while (!c->closing && !c->inflight && !c->close_after_write && c->mode == CONN_HTTP) {
		const char *p;
		size_t len;
		int from_in = c->in.len > 0;
		if (uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp) > WRITE_QUEUE_CAP)
			break;
		if (from_in) {
			if (n) {   /* keep order: fresh bytes go behind the kept ones */
				buf_add(&c->in, data, n);
				n = 0;
			}
			p = c->in.ptr;
			len = c->in.len;
		} else if (n) {
			p = data;
			len = n;
		} else {
			break;
		}
		enum hp_status st;
		size_t used = hp_execute(c->parser, p, len, &st);
		if (from_in) {
			buf_consume(&c->in, used);
		} else {
			data += used;
			n -= used;
		}
		if (st == HP_PAUSED) {
			c->inflight = 1;
			if (n) {
				buf_add(&c->in, data, n);
				n = 0;
			}
			dispatch(c);
			continue;
		}
		if (st != HP_OK) {
			parse_failed(c, st);
			break;
		}
		if (used < len)   /* the parser stopped short without an error: treat as malformed */
			break;
	}
	if (n && !c->closing)
		buf_add(&c->in, data, n);
	if (c->mode == CONN_WS && c->in.len && !c->closing) {
		/* Bytes that followed the upgrade request belong to the WebSocket. */
		struct buf rest = c->in;
		buf_init(&c->in, 0);
		ws__feed(c, rest.ptr, rest.len);
		buf_release(&rest);
	}
	c->in_run--;
	if (c->mode == CONN_HTTP)
		conn_reading(c, !c->inflight && !c->close_after_write && c->in.len < IN_CAP);
}

static void on_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *b)
{
	struct http_conn *c = st->data;
	if (nread < 0) {
		conn__close(c);
		return;
	}
	if (nread == 0)
		return;
	c->last_io_ms = srv__now_ms();
	if (c->mode == CONN_WS)
		ws__feed(c, b->base, (size_t)nread);
	else
		conn_run(c, b->base, (size_t)nread);
}

static void on_close(uv_handle_t *h)
{
	struct http_conn *c = h->data;
	struct http_server *s = c->srv;
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->nconns--;
	if (c->ipc)
		ip_release(s, c->ipc);
	ws__release(c);
	buf_release(&c->in);
	hp_free(c->parser);
	c->refs--;
	/* A request still in a worker job keeps itself and the struct alive until its reply. */
	if (!c->jobs) {
		req__free(c->req);
		c->req = NULL;
	}
	if (c->refs == 0)
		free(c);
	if (s->draining && s->nconns == 0 && s->done_cb) {
		uv_timer_stop(&s->drain_timer);
		void (*cb)(struct http_server *) = s->done_cb;
		s->done_cb = NULL;
		uv_close((uv_handle_t *)&s->sweep, NULL);
		uv_close((uv_handle_t *)&s->drain_timer, NULL);
		cb(s);
	}
}

void conn__close(struct http_conn *c)
{
	if (c->closing)
		return;
	c->closing = 1;
	if (c->mode == CONN_WS)
		ws__shutdown(c);
	if (c->mem_out)
		on_close((uv_handle_t *)&c->tcp);
	else
		uv_close((uv_handle_t *)&c->tcp, on_close);
}

/* Refuses a connection over a cap with a one-shot JSON error. */
static void refuse(struct http_conn *c, int status, const char *code, const char *msg)
{
	struct buf b;
	buf_init(&b, 0);
	char body[200];
	int bl = snprintf(body, sizeof(body), "{\"error\":{\"code\":\"%s\",\"message\":\"%s\"}}\n", code, msg);
	buf_addf(&b, "HTTP/1.1 %d %s\r\nContent-Type: application/json; charset=utf-8\r\n"
		 "Content-Length: %d\r\nConnection: close\r\n\r\n%s", status, status_text(status), bl, body);
	size_t len;
	char *p = buf_detach(&b, &len);
	c->close_after_write = 1;
	conn__write(c, p, len, 1, NULL, 0, 0, 1);
}

/* Links a new connection into the server's list and counters. */
static void conn_attach(struct http_server *s, struct http_conn *c)
{
	c->srv = s;
	c->refs = 1;
	c->tcp.data = c;
	c->next = s->conns;
	if (s->conns)
		s->conns->prev = c;
	s->conns = c;
	s->nconns++;
	s->conns_total++;
	c->ipc = ip_acquire(s, c->peer_ip);
	c->parser = hp_new(&parser_cb, c);
	buf_init(&c->in, 0);
	c->last_io_ms = srv__now_ms();
}

int http_server_feed(struct http_server *s, const char *data, size_t n, struct buf *out)
{
	struct http_conn *c = xcalloc(1, sizeof(*c));
	snprintf(c->peer_ip, sizeof(c->peer_ip), "192.0.2.1");
	c->mem_out = out;
	conn_attach(s, c);
	c->refs++;                 /* hold it while we look at it */
	conn_run(c, data, n);
	while (c->refs > 2 || (c->inflight && !c->closing))
		if (uv_run(s->loop, UV_RUN_ONCE) == 0 && c->refs <= 2)
			break;
	int closed = c->closing;
	if (!c->closing)
		conn__close(c);
	if (--c->refs == 0)
		free(c);
	return closed;
}

static void on_connection(uv_stream_t *ls, int status)
{
	struct http_server *s = ls->data;
	if (status < 0)
		return;
	struct http_conn *c = xcalloc(1, sizeof(*c));
	uv_tcp_init(s->loop, &c->tcp);
	c->tcp.data = c;
	if (uv_accept(ls, (uv_stream_t *)&c->tcp) < 0) {
		uv_close((uv_handle_t *)&c->tcp, (uv_close_cb)free);
		return;
	}
	uv_tcp_nodelay(&c->tcp, 1);
	struct sockaddr_storage ss;
	int sl = sizeof(ss);
	if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &sl) == 0) {
		if (ss.ss_family == AF_INET6)
			uv_ip6_name((struct sockaddr_in6 *)&ss, c->peer_ip, sizeof(c->peer_ip));
		else
			uv_ip4_name((struct sockaddr_in *)&ss, c->peer_ip, sizeof(c->peer_ip));
	}
	c->trusted_peer = is_trusted(s, c->peer_ip);
	conn_attach(s, c);
	if (s->nconns > s->lim.max_conns) {
		log_warn("connection refused: %zu connections open", s->nconns);
		refuse(c, 503, "unavailable", "the server is at its connection limit");
		return;
	}
	if (!c->trusted_peer && c->ipc->n > s->lim.max_conns_per_ip) {
		log_warn("connection refused: %s has %u connections", c->peer_ip, c->ipc->n);
		refuse(c, 429, "too_many_connections", "too many connections from your address");
		return;
	}
	conn_reading(c, 1);
}

/* ---- timers ---- */

static void request_timeout(struct http_conn *c)
{
	struct http_req *r = c->req;
	r->keep_alive = 0;
	r->early_status = 0;
	set_early(r, 408, "request_timeout", "the request was not received in time");
	c->inflight = 1;
	http_reply_error(r, 408, r->early_code, r->early_msg);
}

static void on_sweep(uv_timer_t *t)
{
	struct http_server *s = t->data;
	uint64_t now = srv__now_ms();
	struct http_conn *c = s->conns, *next;
	for (; c; c = next) {
		next = c->next;
		if (c->closing)
			continue;
		if (c->mode == CONN_WS) {
			ws__tick(c, now);
		} else if (c->inflight || c->close_after_write) {
			continue;
		} else if (c->req) {
			if (now - c->req_start_ms > s->lim.request_timeout_ms)
				request_timeout(c);
		} else if (now - c->last_io_ms > s->lim.idle_timeout_ms) {
			conn__close(c);
		}
	}
}

/* ---- server ---- */

struct http_server *http_server_new(void *loop, const struct http_limits *limits)
{
	struct http_server *s = xcalloc(1, sizeof(*s));
	s->loop = loop;
	s->lim = *limits;
	router_init(&s->router);
	uv_timer_init(s->loop, &s->sweep);
	uv_timer_init(s->loop, &s->drain_timer);
	s->sweep.data = s->drain_timer.data = s;
	return s;
}

void http_server_free(struct http_server *s)
{
	if (!s)
		return;
	router_release(&s->router);
	free(s->upload_dir);
	free(s);
}

void http_server_set_authorize(struct http_server *s, http_authorize_fn fn) { s->authorize = fn; }
void http_server_set_userdata(struct http_server *s, void *ud) { s->ud = ud; }
void *http_server_userdata(struct http_server *s) { return s->ud; }

void http_server_set_upload_dir(struct http_server *s, const char *dir)
{
	free(s->upload_dir);
	s->upload_dir = xstrdup(dir);
}

int http_route_add(struct http_server *s, const struct route *rt)
{
	return router_add(&s->router, rt);
}

void http_routes_add(struct http_server *s, const struct route *rts, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (router_add(&s->router, &rts[i]))
			log_error("bad route pattern %s", rts[i].pattern ? rts[i].pattern : "(null)");
}

int http_server_listen(struct http_server *s, const char *host, int port, int *bound_port)
{
	struct sockaddr_storage ss;
	int rc;
	if (strchr(host, ':'))
		rc = uv_ip6_addr(host, port, (struct sockaddr_in6 *)&ss);
	else
		rc = uv_ip4_addr(host, port, (struct sockaddr_in *)&ss);
	if (rc < 0)
		return KF_EINVAL;
	uv_tcp_init(s->loop, &s->listener);
	s->listener.data = s;
	if ((rc = uv_tcp_bind(&s->listener, (struct sockaddr *)&ss, 0)) < 0 ||
	    (rc = uv_listen((uv_stream_t *)&s->listener, 1024, on_connection)) < 0) {
		log_error("cannot listen on %s:%d: %s", host, port, uv_strerror(rc));
		uv_close((uv_handle_t *)&s->listener, NULL);
		return KF_EIO;
	}
	int sl = sizeof(ss);
	uv_tcp_getsockname(&s->listener, (struct sockaddr *)&ss, &sl);
	*bound_port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
						    : ((struct sockaddr_in *)&ss)->sin_port);
	s->listening = 1;
	unsigned tick = s->lim.idle_timeout_ms;
	if (s->lim.request_timeout_ms < tick)
		tick = s->lim.request_timeout_ms;
	tick /= 4;
	tick = tick < 50 ? 50 : tick > 1000 ? 1000 : tick;
	uv_timer_start(&s->sweep, on_sweep, tick, tick);
	return 0;
}

static void on_drain_deadline(uv_timer_t *t)
{
	struct http_server *s = t->data;
	log_warn("shutdown deadline passed: closing %zu connections", s->nconns);
	for (struct http_conn *c = s->conns; c; c = c->next)
		conn__close(c);
}

void http_server_shutdown(struct http_server *s, void (*done_cb)(struct http_server *))
{
	if (s->draining)
		return;
	s->draining = 1;
	s->done_cb = done_cb;
	if (s->listening) {
		uv_close((uv_handle_t *)&s->listener, NULL);
		s->listening = 0;
	}
	/* Idle keep-alive connections go now; busy ones close after their reply. */
	for (struct http_conn *c = s->conns, *next; c; c = next) {
		next = c->next;
		if (c->mode == CONN_WS)
			ws_close((struct ws_conn *)c, 1001, "server shutting down");
		else if (!c->req && !c->writes)
			conn__close(c);
	}
	if (s->nconns == 0) {
		s->done_cb = NULL;
		uv_close((uv_handle_t *)&s->sweep, NULL);
		uv_close((uv_handle_t *)&s->drain_timer, NULL);
		done_cb(s);
		return;
	}
	uv_timer_start(&s->drain_timer, on_drain_deadline, s->lim.shutdown_timeout_ms, 0);
}

/* ---- accessors ---- */

const char *http_header(const struct http_req *r, const char *name)
{
	for (size_t i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			return r->headers[i].value;
	return NULL;
}

const char *http_param(const struct http_req *r, size_t i)
{
	return i < r->nparams ? r->params[i] : NULL;
}

/* The value of name in the urlencoded pairs p[0..len), decoded into the arena; NULL when
 * absent, badly escaped, not UTF-8 or holding a NUL. Shared by the query and form bodies. */
static const char *pairs_value(struct arena *ar, const char *p, size_t len, const char *name)
{
	size_t nl = strlen(name);
	const char *end = p ? p + len : NULL;
	while (p && p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		size_t seg = (size_t)((amp ? amp : end) - p);
		const char *eq = memchr(p, '=', seg);
		size_t kl = eq ? (size_t)(eq - p) : seg;
		if (kl == nl && memcmp(p, name, nl) == 0) {
			const char *v = eq ? eq + 1 : p + seg;
			size_t vl = (size_t)(p + seg - v);
			char *out = arena_strndup(ar, v, vl);
			long dl = url_decode(out, vl, 1);
			if (dl < 0 || !utf8_valid(out, (size_t)dl) || memchr(out, '\0', (size_t)dl))
				return NULL;
			out[dl] = '\0';
			return out;
		}
		p += seg + (amp != NULL);
	}
	return NULL;
}

const char *http_query(struct http_req *r, const char *name)
{
	return r->query ? pairs_value(&r->arena, r->query, strlen(r->query), name) : NULL;
}

const char *http_form(struct http_req *r, const char *name)
{
	return r->body.len ? pairs_value(&r->arena, r->body.ptr, r->body.len, name) : NULL;
}

const char *http_cookie(struct http_req *r, const char *name)
{
	size_t nl = strlen(name);
	for (size_t i = 0; i < r->nheaders; i++) {
		if (strcasecmp(r->headers[i].name, "cookie") != 0)
			continue;
		for (const char *p = r->headers[i].value; *p;) {
			p += strspn(p, " \t;");
			size_t seg = strcspn(p, ";");
			if (seg > nl && memcmp(p, name, nl) == 0 && p[nl] == '=')
				return arena_strndup(&r->arena, p + nl + 1, seg - nl - 1);
			p += seg;
		}
	}
	return NULL;
}

/* ---- metrics ---- */

void http_server_metrics(struct http_server *s, struct buf *b)
{
	buf_addf(b, "# HELP kefu_connections Open client connections.\n# TYPE kefu_connections gauge\n"
		 "kefu_connections %zu\n", s->nconns);
	buf_addf(b, "# HELP kefu_connections_total Connections accepted.\n# TYPE kefu_connections_total counter\n"
		 "kefu_connections_total %llu\n", (unsigned long long)s->conns_total);
	buf_addf(b, "# HELP kefu_websockets Open WebSocket connections.\n# TYPE kefu_websockets gauge\n"
		 "kefu_websockets %zu\n", s->nws);
	buf_adds(b, "# HELP kefu_requests_total HTTP requests by route class and status.\n"
		 "# TYPE kefu_requests_total counter\n");
	for (int c = 0; c < METRIC_CLASSES && s->cls_names[c]; c++)
		for (int st = 100; st < 600; st++)
			if (s->req_count[c][st])
				buf_addf(b, "kefu_requests_total{class=\"%s\",status=\"%d\"} %llu\n",
					 s->cls_names[c], st, (unsigned long long)s->req_count[c][st]);
	buf_adds(b, "# HELP kefu_request_duration_seconds Time from first byte to reply.\n"
		 "# TYPE kefu_request_duration_seconds histogram\n");
	uint64_t cum = 0;
	for (int i = 0; i < METRIC_BUCKETS; i++) {
		cum += s->hist[i];
		buf_addf(b, "kefu_request_duration_seconds_bucket{le=\"%g\"} %llu\n", hist_bounds[i],
			 (unsigned long long)cum);
	}
	cum += s->hist[METRIC_BUCKETS];
	buf_addf(b, "kefu_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n", (unsigned long long)cum);
	buf_addf(b, "kefu_request_duration_seconds_sum %.6f\nkefu_request_duration_seconds_count %llu\n",
		 s->hist_sum, (unsigned long long)s->hist_n);
}
