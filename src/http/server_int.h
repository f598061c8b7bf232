/* http/server_int.h - internals shared by server.c, ws.c and upload.c (not for features). */
#ifndef KF_HTTP_SERVER_INT_H
#define KF_HTTP_SERVER_INT_H
#include <uv.h>
#include <wslay/wslay.h>
#include "http/http.h"
#include "http/parser.h"
#include "http/router.h"

#define METRIC_CLASSES 8
#define METRIC_BUCKETS 12

struct ipcount {
	struct ipcount *next;
	unsigned n;
	char ip[48];
};

enum conn_mode { CONN_HTTP, CONN_WS };

struct http_conn {
	uv_tcp_t tcp;                   /* first: handles point back at the conn */
	struct http_server *srv;
	struct http_conn *prev, *next;
	struct hp *parser;
	struct http_req *req;           /* being parsed, or in flight */
	struct buf in;                  /* unparsed bytes kept while a request is in flight */
	uint64_t last_io_ms, req_start_ms;
	enum conn_mode mode;
	int inflight, in_run, closing, close_after_write, reading;
	struct buf *mem_out;            /* memory connection (tests, fuzzing): writes land here */
	unsigned refs;                  /* the handle + deferred jobs (+ a feed's hold) */
	unsigned jobs;                  /* deferred jobs in flight: they still use c->req */
	size_t writes;
	char peer_ip[48];
	int trusted_peer;
	struct ipcount *ipc;
	/* WebSocket mode */
	wslay_event_context_ptr ws;
	const struct ws_handler *wsh;
	void *ws_data;
	const char *ws_in;
	size_t ws_in_len;
	struct buf ws_out;
	int ws_ping_sent, ws_closed_notified, ws_failing;
	uint64_t ws_frame_left;         /* payload bytes left in the frame being received */
	uint8_t ws_hdr[14], ws_hdr_len; /* a frame header split across reads */
	uint8_t ws_in_frag;             /* inside a fragmented message */
	uint8_t ws_in_recv;             /* inside wslay_event_recv: the context must stay */
};

struct http_server {
	uv_loop_t *loop;
	uv_tcp_t listener;
	uv_timer_t sweep, drain_timer;
	int listening, draining;
	void (*done_cb)(struct http_server *);
	struct http_limits lim;
	struct router router;
	http_authorize_fn authorize;
	char *upload_dir;
	void *ud;
	struct http_conn *conns;
	size_t nconns, nws;
	struct ipcount *ipb[1024];
	char trusted[16][48];
	size_t ntrusted;
	uint64_t req_seq;
	char date[64];
	int64_t date_s;
	/* metrics */
	const char *cls_names[METRIC_CLASSES];
	uint64_t req_count[METRIC_CLASSES][600];
	uint64_t hist[METRIC_BUCKETS + 1];
	double hist_sum;
	uint64_t hist_n, conns_total;
};

uint64_t srv__now_ms(void);
void req__free(struct http_req *r);
void conn__close(struct http_conn *c);
/* Queues hdr then body as one write; own_* says whether the write frees them. */
void conn__write(struct http_conn *c, char *hdr, size_t hlen, int own_hdr, char *body,
		 size_t blen, int own_body, int close_after);
/* ws.c */
int  ws__upgrade(struct http_conn *c, struct http_req *r);
void ws__feed(struct http_conn *c, const char *p, size_t n);
void ws__tick(struct http_conn *c, uint64_t now);
void ws__shutdown(struct http_conn *c);
void ws__release(struct http_conn *c);
/* upload.c */
int  upload__begin(struct http_req *r, char *err_code, size_t errsz);
int  upload__body(struct http_req *r, const char *p, size_t n);
int  upload__finish(struct http_req *r);
void upload__cleanup(struct http_req *r);

#endif
