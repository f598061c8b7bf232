/* http/http.h - the HTTP/1.1 + WebSocket server on libuv.
 *
 * A feature registers routes (http_route_add) before http_server_start. For each
 * complete request the server finds the route, calls the server's authorize hook,
 * parses a JSON body when the route asks for one, and calls the handler on the loop
 * thread. A handler must end the request exactly once with one of the http_reply_*
 * calls, either before returning or later (after http_defer's worker job).
 * The request (and everything in r->arena) is freed by the reply; do not touch r after.
 *
 * Limits, timeouts and per-IP caps live in struct http_limits; a request that breaks
 * one gets a JSON error {"error":{"code","message"}} and, where the stream can no
 * longer be trusted, the connection is closed after the response. */
#ifndef KF_HTTP_HTTP_H
#define KF_HTTP_HTTP_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include "core/arena.h"
#include "core/buf.h"

struct http_server;
struct http_conn;
struct ws_conn;
struct multipart;

enum req_method {
	M_GET = 1 << 0, M_HEAD = 1 << 1, M_POST = 1 << 2, M_PUT = 1 << 3,
	M_PATCH = 1 << 4, M_DELETE = 1 << 5, M_OPTIONS = 1 << 6,
};

enum route_flags {
	ROUTE_JSON = 1 << 0,     /* body must be a JSON object: parsed into r->json */
	ROUTE_UPLOAD = 1 << 1,   /* multipart/form-data streamed to disk into r->files */
	ROUTE_WS = 1 << 2,       /* WebSocket upgrade; ws handler in route->ws */
};

struct http_limits {
	size_t max_header_bytes, max_url_bytes, max_body_bytes, max_upload_bytes;
	size_t ws_max_frame_bytes, ws_max_message_bytes;
	unsigned idle_timeout_ms, request_timeout_ms, shutdown_timeout_ms, ws_ping_ms;
	unsigned max_conns_per_ip, max_conns, max_headers;
};
void http_limits_default(struct http_limits *l);

struct http_req;
struct ws_handler;

struct route {
	int method;                  /* one enum req_method value */
	const char *pattern;         /* "/api/v1/users/:id"; a final "*" matches the rest */
	void (*handler)(struct http_req *r);
	int flags;                   /* enum route_flags */
	int access;                  /* interpreted by the authorize hook (auth/auth.h roles) */
	const char *scope;           /* API-key scope that may use this route, or NULL */
	const char *cls;             /* metrics class: "api", "auth", "static", "health", "ws" */
	const struct ws_handler *ws; /* for ROUTE_WS */
};

struct http_header {
	const char *name, *value;    /* NUL-terminated, in r->arena */
	size_t name_len, value_len;
};

struct http_file {                /* one uploaded file part, already on disk */
	const char *field, *filename, *content_type, *tmp_path;
	uint64_t size;
	struct http_file *next;
};

struct http_field {               /* one small text part of a multipart body */
	const char *name, *value;
	struct http_field *next;
};

#define HTTP_MAX_PARAMS 8

struct http_req {
	/* read-only for handlers */
	struct http_server *srv;
	struct arena arena;              /* freed with the request */
	int method;
	const char *method_name;
	const char *path;                /* percent-decoded, valid UTF-8, no NUL */
	const char *query;               /* raw query string without '?', or NULL */
	struct http_header *headers;
	size_t nheaders;
	struct buf body;                 /* the body for non-upload routes */
	const struct route *route;
	const char *params[HTTP_MAX_PARAMS];  /* values of :params, in pattern order */
	size_t nparams;
	char client_ip[48];              /* peer, or X-Forwarded-For from a trusted proxy */
	char request_id[20];
	int https;                       /* 1 when a trusted proxy says the client used TLS */
	json_t *json;                    /* parsed body for ROUTE_JSON routes (owned by r) */
	struct http_file *files;         /* ROUTE_UPLOAD: parts written to disk */
	struct http_field *fields;
	/* for the authorize hook and handlers */
	void *auth;                      /* set by the authorize hook; in r->arena */
	void *job;                       /* free for the handler: state across http_defer */
	/* response being built */
	struct buf res_headers;          /* extra header lines, each ending in \r\n */
	/* private */
	struct http_conn *conn;
	int keep_alive, early_status, upgrade, replied, auth_done, headers_done;
	const char *early_code, *early_msg;
	uint64_t start_ns;
	struct multipart *mp;
	void (*work)(struct http_req *r), (*done)(struct http_req *r);
	void *upload;                    /* upload.c state */
	size_t header_bytes;
	struct buf hname, hvalue;        /* header being parsed */
	int last_was_value;
	struct buf url;
	struct http_file **files_tail;
};

/* The authorize hook: returns 0 to go on to the handler, or calls http_deny (401/403)
 * and returns nonzero; the server then answers with that error. Called for every
 * matched route, WebSocket routes included, and for uploads before the body is read. */
typedef int (*http_authorize_fn)(struct http_req *r);
void http_deny(struct http_req *r, int status, const char *code, const char *message);

struct http_server *http_server_new(void *loop, const struct http_limits *limits);
void http_server_free(struct http_server *s);
void http_server_set_authorize(struct http_server *s, http_authorize_fn fn);
int  http_server_set_trusted_proxies(struct http_server *s, const char *list);  /* "ip, ip" */
void http_server_set_upload_dir(struct http_server *s, const char *dir);
void http_server_set_userdata(struct http_server *s, void *ud);
void *http_server_userdata(struct http_server *s);
int  http_route_add(struct http_server *s, const struct route *rt);   /* copies *rt */
void http_routes_add(struct http_server *s, const struct route *rts, size_t n);
/* Binds and listens; host:port with port 0 picks one. *bound_port gets the real port. */
int  http_server_listen(struct http_server *s, const char *host, int port, int *bound_port);
/* Starts graceful shutdown: stop accepting, finish in-flight requests, close WebSockets
 * with 1001, force-close what is left after the deadline; done_cb runs when all are closed. */
void http_server_shutdown(struct http_server *s, void (*done_cb)(struct http_server *));
/* Prometheus text for the server's counters onto b. */
void http_server_metrics(struct http_server *s, struct buf *b);

/* For tests and fuzzing (h2o's loopback connection): runs data through a connection
 * that is not a socket, as if one client sent it, including deferred jobs; every byte
 * the server would send is appended to out. Returns 1 when the server closed it. */
int http_server_feed(struct http_server *s, const char *data, size_t n, struct buf *out);

/* Request accessors (all return NULL when absent). */
const char *http_header(const struct http_req *r, const char *name);
const char *http_query(struct http_req *r, const char *name);   /* decoded, in r->arena */
/* A field of an application/x-www-form-urlencoded body, as http_query (the body is counted,
 * need not be NUL-terminated). */
const char *http_form(struct http_req *r, const char *name);
const char *http_cookie(struct http_req *r, const char *name);  /* in r->arena */
const char *http_param(const struct http_req *r, size_t i);

/* Responses. Each ends the request. The body is copied unless noted. */
void http_add_header(struct http_req *r, const char *name, const char *value);
void http_reply(struct http_req *r, int status, const char *ctype, const void *body, size_t len);
void http_reply_static(struct http_req *r, int status, const char *ctype,
		       const void *body, size_t len, const char *encoding); /* body not copied */
void http_reply_json(struct http_req *r, int status, json_t *v);  /* steals v */
void http_reply_error(struct http_req *r, int status, const char *code, const char *message);

/* Runs work(r) on the worker pool, then done(r) on the loop; done must reply.
 * work must not touch the connection or call http_reply. */
void http_defer(struct http_req *r, void (*work)(struct http_req *r), void (*done)(struct http_req *r));

/* WebSocket. on_open runs right after the handshake with the upgrade request (its
 * auth and params are readable; r is freed after on_open returns). */
struct ws_handler {
	void (*on_open)(struct ws_conn *ws, struct http_req *r);
	void (*on_message)(struct ws_conn *ws, int binary, const char *data, size_t len);
	void (*on_close)(struct ws_conn *ws, int code);
};
int  ws_send(struct ws_conn *ws, int binary, const char *data, size_t len);
void ws_close(struct ws_conn *ws, int code, const char *reason);
void ws_set_data(struct ws_conn *ws, void *data);
void *ws_data(struct ws_conn *ws);

#endif
