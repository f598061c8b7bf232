/* http/ws.c - WebSocket connections on wslay (RFC 6455).
 *
 * wslay pulls input through recv_cb from the bytes of the current read and pushes
 * output through send_cb, which appends to c->ws_out; ws_flush then sends header and
 * payload in one uv_write (joining them halved broadcast latency, see STACK.md).
 * permessage-deflate is declined by not answering the extension offer. */
#include "http/server_int.h"
#include "core/alloc.h"
#include "core/kf.h"
#include "core/log.h"
#include "core/sha1.h"
#include "core/util.h"
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void ws_flush(struct http_conn *c);

static ssize_t recv_cb(wslay_event_context_ptr ctx, uint8_t *out, size_t len, int flags, void *ud);
static ssize_t send_cb(wslay_event_context_ptr ctx, const uint8_t *data, size_t len, int flags, void *ud);
static void on_frame_start(wslay_event_context_ptr ctx, const struct wslay_event_on_frame_recv_start_arg *a,
			   void *ud);
static void on_msg(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *a, void *ud);

static const struct wslay_event_callbacks callbacks = {
	recv_cb, send_cb, NULL, on_frame_start, NULL, NULL, on_msg,
};

static ssize_t recv_cb(wslay_event_context_ptr ctx, uint8_t *out, size_t len, int flags, void *ud)
{
	struct http_conn *c = ud;
	KF_UNUSED(flags);
	if (c->ws_in_len == 0) {
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return -1;
	}
	size_t n = len < c->ws_in_len ? len : c->ws_in_len;
	memcpy(out, c->ws_in, n);
	c->ws_in += n;
	c->ws_in_len -= n;
	return (ssize_t)n;
}

static ssize_t send_cb(wslay_event_context_ptr ctx, const uint8_t *data, size_t len, int flags, void *ud)
{
	struct http_conn *c = ud;
	KF_UNUSED(flags);
	if (buf_add(&c->ws_out, data, len)) {
		wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
		return -1;
	}
	return (ssize_t)len;
}

/* wslay's context (~9 KB) exists only while a frame is half-read, a fragmented message
 * is being assembled, output is queued or a close is under way: an idle socket keeps just
 * its small struct (STACK.md: under 4 KB per idle WebSocket). */
static int ctx_get(struct http_conn *c)
{
	if (c->ws)
		return 0;
	if (wslay_event_context_server_init(&c->ws, &callbacks, c) != 0) {
		c->ws = NULL;
		return -1;
	}
	wslay_event_config_set_max_recv_msg_length(c->ws, c->srv->lim.ws_max_message_bytes);
	return 0;
}

static void ctx_idle(struct http_conn *c)
{
	if (!c->ws || c->ws_in_recv || c->ws_failing || c->closing || c->close_after_write)
		return;
	if (c->ws_frame_left || c->ws_hdr_len || c->ws_in_frag)
		return;
	if (wslay_event_want_write(c->ws) || !wslay_event_want_read(c->ws))
		return;
	wslay_event_context_free(c->ws);
	c->ws = NULL;
}

static void fail(struct http_conn *c, uint16_t code, const char *reason)
{
	if (c->ws_failing || ctx_get(c))
		return;
	c->ws_failing = 1;
	log_info("websocket %s closed: %u %s", c->peer_ip, code, reason);
	wslay_event_queue_close(c->ws, code, (const uint8_t *)reason, strlen(reason));
}

static void on_frame_start(wslay_event_context_ptr ctx, const struct wslay_event_on_frame_recv_start_arg *a,
			   void *ud)
{
	struct http_conn *c = ud;
	KF_UNUSED(ctx);
	if (a->opcode == WSLAY_CONNECTION_CLOSE && a->payload_length == 1)
		fail(c, 1002, "close frame with a 1-byte payload");
	else if (a->payload_length > c->srv->lim.ws_max_frame_bytes)
		fail(c, 1009, "frame too big");
}

static void on_msg(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *a, void *ud)
{
	struct http_conn *c = ud;
	KF_UNUSED(ctx);
	if (c->ws_failing)
		return;
	if (a->opcode == WSLAY_TEXT_FRAME || a->opcode == WSLAY_BINARY_FRAME) {
		int binary = a->opcode == WSLAY_BINARY_FRAME;
		if (!binary && !utf8_valid((const char *)a->msg, a->msg_length)) {
			fail(c, 1007, "invalid UTF-8");
			return;
		}
		if (c->wsh && c->wsh->on_message)
			c->wsh->on_message((struct ws_conn *)c, binary, (const char *)a->msg, a->msg_length);
	} else if (a->opcode == WSLAY_PONG) {
		c->ws_ping_sent = 0;
	}
}


static int header_has_token(const char *v, const char *tok)
{
	size_t tl = strlen(tok);
	while (v && *v) {
		v += strspn(v, " \t,");
		size_t n = strcspn(v, " \t,");
		if (n == tl && strncasecmp(v, tok, tl) == 0)
			return 1;
		v += n;
	}
	return 0;
}

int ws__upgrade(struct http_conn *c, struct http_req *r)
{
	const char *up = http_header(r, "upgrade"), *conn = http_header(r, "connection");
	const char *key = http_header(r, "sec-websocket-key"), *ver = http_header(r, "sec-websocket-version");
	unsigned char raw[32];
	size_t rawlen = 0;

	if (!r->upgrade || !up || !header_has_token(up, "websocket") || !header_has_token(conn, "upgrade")) {
		http_add_header(r, "Upgrade", "websocket");
		http_reply_error(r, 426, "upgrade_required", "this route speaks WebSocket only");
		return -1;
	}
	if (!ver || strcmp(ver, "13") != 0) {
		http_add_header(r, "Sec-WebSocket-Version", "13");
		http_reply_error(r, 426, "upgrade_required", "unsupported WebSocket version");
		return -1;
	}
	if (!key || strlen(key) != 24 ||
	    sodium_base642bin(raw, sizeof(raw), key, 24, NULL, &rawlen, NULL, sodium_base64_VARIANT_ORIGINAL) ||
	    rawlen != 16) {
		r->keep_alive = 0;
		http_reply_error(r, 400, "bad_request", "bad Sec-WebSocket-Key");
		return -1;
	}

	char cat[64];
	uint8_t digest[20];
	char accept[32];
	snprintf(cat, sizeof(cat), "%s258EAFA5-E914-47DA-95CA-C5AB0DC85B11", key);
	sha1(cat, strlen(cat), digest);
	sodium_bin2base64(accept, sizeof(accept), digest, sizeof(digest), sodium_base64_VARIANT_ORIGINAL);

	struct buf h;
	buf_init(&h, 0);
	buf_addf(&h, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
		 "Sec-WebSocket-Accept: %s\r\nX-Request-Id: %s\r\n\r\n", accept, r->request_id);
	size_t hl;
	char *hp = buf_detach(&h, &hl);
	conn__write(c, hp, hl, 1, NULL, 0, 0, 0);

	buf_init(&c->ws_out, 0);
	c->mode = CONN_WS;
	c->wsh = r->route->ws;
	/* From here on logs name the client, not the proxy (ipc keeps the peer's count). */
	snprintf(c->peer_ip, sizeof(c->peer_ip), "%s", r->client_ip);
	c->srv->nws++;
	c->last_io_ms = srv__now_ms();
	log_info("req id=%s ip=%s GET %s 101 websocket", r->request_id, r->client_ip, r->path);
	if (c->wsh && c->wsh->on_open)
		c->wsh->on_open((struct ws_conn *)c, r);
	/* The upgrade request ends here; the connection now belongs to wslay. */
	c->req = NULL;
	c->inflight = 0;
	r->replied = 1;
	req__free(r);
	return 0;
}

static void ws_flush(struct http_conn *c)
{
	if (c->closing || !c->ws)
		return;
	if (wslay_event_send(c->ws) != 0) {
		conn__close(c);
		return;
	}
	if (c->ws_out.len) {
		size_t len;
		char *p = buf_detach(&c->ws_out, &len);
		int done = !wslay_event_want_read(c->ws) && !wslay_event_want_write(c->ws);
		conn__write(c, p, len, 1, NULL, 0, 0, done || c->ws_failing);
		if (done || c->ws_failing)
			c->close_after_write = 1;
		return;
	}
	if (!wslay_event_want_read(c->ws) && !wslay_event_want_write(c->ws))
		conn__close(c);
}

/* Follows frame boundaries to catch what wslay rejects without a status code (control
 * frames that are fragmented or longer than 125 bytes). Returns how many bytes of p are
 * fine to hand to wslay; *bad is set when a bad frame starts at that offset. */
static size_t frame_check(struct http_conn *c, const char *p, size_t n, int *bad)
{
	size_t i = 0, start = 0;
	*bad = 0;
	while (i < n) {
		if (c->ws_frame_left) {
			uint64_t k = n - i < c->ws_frame_left ? n - i : c->ws_frame_left;
			c->ws_frame_left -= k;
			i += (size_t)k;
			continue;
		}
		if (c->ws_hdr_len == 0)
			start = i;
		c->ws_hdr[c->ws_hdr_len++] = (uint8_t)p[i++];
		if (c->ws_hdr_len < 2)
			continue;
		unsigned l7 = c->ws_hdr[1] & 0x7f;
		unsigned need = 2 + (l7 == 126 ? 2 : l7 == 127 ? 8 : 0) + ((c->ws_hdr[1] & 0x80) ? 4 : 0);
		if (c->ws_hdr_len < need)
			continue;
		uint64_t len = l7;
		if (l7 >= 126) {
			len = 0;
			for (unsigned k = 2; k < (l7 == 126 ? 4u : 10u); k++)
				len = len << 8 | c->ws_hdr[k];
		}
		int fin = c->ws_hdr[0] & 0x80, opcode = c->ws_hdr[0] & 0x0f;
		c->ws_hdr_len = 0;
		if (!(opcode & 8))
			c->ws_in_frag = !fin;   /* data and continuation frames; control frames interleave */
		if ((opcode & 8) && (!fin || len > 125)) {
			*bad = 1;
			return start;
		}
		c->ws_frame_left = len;
	}
	return n;
}

void ws__feed(struct http_conn *c, const char *p, size_t n)
{
	if (c->closing || c->ws_failing || c->close_after_write)
		return;   /* after a close we read nothing more */
	int bad;
	n = frame_check(c, p, n, &bad);
	if (bad && n == 0) {
		fail(c, 1002, "fragmented or oversized control frame");
		ws_flush(c);
		return;
	}
	if (ctx_get(c)) {
		conn__close(c);
		return;
	}
	c->ws_in = p;
	c->ws_in_len = n;
	c->ws_ping_sent = 0;
	c->ws_in_recv = 1;
	int rc = wslay_event_recv(c->ws);
	c->ws_in_recv = 0;
	if (rc != 0) {
		/* A protocol error: queue a close 1002 (a no-op when wslay already did), send
		 * it, then hang up. */
		wslay_event_queue_close(c->ws, 1002, (const uint8_t *)"protocol error", 14);
		c->ws_failing = 1;
		c->ws_in_len = 0;
		ws_flush(c);
		if (!c->closing && !c->writes)
			conn__close(c);
		return;
	}
	c->ws_in_len = 0;
	if (bad)
		fail(c, 1002, "fragmented or oversized control frame");
	ws_flush(c);
	ctx_idle(c);
}

void ws__tick(struct http_conn *c, uint64_t now)
{
	unsigned ping = c->srv->lim.ws_ping_ms;
	if (now - c->last_io_ms > 2u * ping) {
		conn__close(c);   /* no pong in a whole interval: the peer is gone */
	} else if (now - c->last_io_ms > ping && !c->ws_ping_sent) {
		struct wslay_event_msg m = { WSLAY_PING, (const uint8_t *)"", 0 };
		c->ws_ping_sent = 1;
		if (ctx_get(c))
			return;
		wslay_event_queue_msg(c->ws, &m);
		ws_flush(c);
		ctx_idle(c);
	}
}

void ws__shutdown(struct http_conn *c)
{
	if (c->ws_closed_notified)
		return;
	c->ws_closed_notified = 1;
	c->srv->nws--;
	if (c->wsh && c->wsh->on_close)
		c->wsh->on_close((struct ws_conn *)c,
				 c->ws ? wslay_event_get_status_code_received(c->ws) : 1006);
}

void ws__release(struct http_conn *c)
{
	if (c->ws) {
		wslay_event_context_free(c->ws);
		c->ws = NULL;
	}
	buf_release(&c->ws_out);
}

int ws_send(struct ws_conn *w, int binary, const char *data, size_t len)
{
	struct http_conn *c = (struct http_conn *)w;
	if (c->closing || c->ws_failing || c->mode != CONN_WS || ctx_get(c))
		return KF_EIO;
	struct wslay_event_msg m = { binary ? WSLAY_BINARY_FRAME : WSLAY_TEXT_FRAME,
				     (const uint8_t *)data, len };
	if (wslay_event_queue_msg(c->ws, &m) != 0)
		return KF_EIO;
	ws_flush(c);
	ctx_idle(c);
	return 0;
}

void ws_close(struct ws_conn *w, int code, const char *reason)
{
	struct http_conn *c = (struct http_conn *)w;
	if (c->closing || c->mode != CONN_WS)
		return;
	fail(c, (uint16_t)code, reason ? reason : "");
	ws_flush(c);
}

void ws_set_data(struct ws_conn *w, void *data) { ((struct http_conn *)w)->ws_data = data; }
void *ws_data(struct ws_conn *w) { return ((struct http_conn *)w)->ws_data; }
