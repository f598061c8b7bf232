// Limits from [limits] in kefu.conf (docs/contract.md), with small values so that
// every limit can be hit cheaply. After each abuse the server must still answer /healthz.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	startKefu, stopAll, request, login, healthz, rawExchange, parseResponses, buildRequest,
	openConn, wsConnect, isErrorBody, multipart, show, sleep, ADMIN_EMAIL, ADMIN_PASSWORD,
} from './lib.mjs';

const L = {
	max_header_bytes: 2048,
	max_url_bytes: 512,
	max_body_bytes: 4096,
	max_upload_bytes: 65536,
	ws_max_frame_bytes: 1024,
	ws_max_message_bytes: 4096,
	idle_timeout_ms: 1000,
	request_timeout_ms: 1500,
	login_attempts_per_min: 1000,
};
const SLACK_MS = 5000; // scheduling slack on top of a configured timeout

let srv;
before(async () => { srv = await startKefu({ conf: { limits: L } }); });
after(stopAll);

async function assertHealthy(s = srv) {
	assert.ok(await healthz(s.base), 'server still answers GET /healthz 200 {"status":"ok"}');
}

/** Sends bytes, expects exactly an error response with `status` and `code` (JSON body). */
async function expectError(bytes, status, code, o = {}) {
	const res = await rawExchange(srv.host, srv.port, bytes, { timeoutMs: 8000, idleMs: o.idleMs ?? 1500, ...o });
	const { responses } = parseResponses(res.buf);
	assert.ok(responses.length >= 1, `expected a ${status} response: ${show(res)}`);
	const r = responses[0];
	assert.equal(r.status, status, `status: ${show(res)}`);
	assert.ok(isErrorBody(r.json), `JSON error body: ${show(res)}`);
	assert.equal(r.json.error.code, code, `error code: ${show(res)}`);
	assert.match(r.headers['content-type'] || '', /^application\/json/);
	return { res, r };
}

test('header section larger than max_header_bytes gets 431 header_too_large (JSON)', async () => {
	await expectError(buildRequest('GET', '/healthz', { 'X-Big': 'a'.repeat(3000) }), 431, 'header_too_large');
	await assertHealthy();
});

test('many small headers adding up over max_header_bytes get 431 header_too_large', async () => {
	const h = [];
	for (let i = 0; i < 100; i++) h.push([`X-H${i}`, 'v'.repeat(30)]);
	await expectError(buildRequest('GET', '/healthz', h), 431, 'header_too_large');
	await assertHealthy();
});

test('a header section under max_header_bytes is served normally (200)', async () => {
	const res = await rawExchange(srv.host, srv.port, buildRequest('GET', '/healthz', { 'X-Medium': 'm'.repeat(1200), Connection: 'close' }), { timeoutMs: 8000 });
	const { responses } = parseResponses(res.buf);
	assert.equal(responses[0]?.status, 200, show(res));
});

test('a URL longer than max_url_bytes gets 414 uri_too_long', async () => {
	await expectError(buildRequest('GET', '/healthz?q=' + 'a'.repeat(600)), 414, 'uri_too_long');
	await expectError(buildRequest('GET', '/' + 'p'.repeat(700)), 414, 'uri_too_long');
	await assertHealthy();
});

test('a URL under max_url_bytes is served normally (200)', async () => {
	const r = await request(srv.base, 'GET', '/healthz?q=' + 'a'.repeat(400));
	assert.equal(r.status, 200, r.text);
});

test('a JSON body over max_body_bytes (Content-Length) gets 413 body_too_large', async () => {
	const body = JSON.stringify({ email: ADMIN_EMAIL, password: 'x', pad: 'p'.repeat(5000) });
	await expectError(buildRequest('POST', '/api/v1/auth/login', { 'Content-Type': 'application/json' }, body), 413, 'body_too_large');
	await assertHealthy();
});

test('a declared Content-Length over max_body_bytes is refused with 413 before the body arrives', async () => {
	// only the head is sent: the server must not wait for 1 MB it will refuse anyway
	await expectError(buildRequest('POST', '/api/v1/auth/login', { 'Content-Type': 'application/json', 'Content-Length': '1000000' }),
		413, 'body_too_large', { idleMs: 500 });
	await assertHealthy();
});

test('a chunked JSON body over max_body_bytes gets 413 body_too_large', async () => {
	let chunks = '';
	for (let i = 0; i < 6; i++) chunks += `3e8\r\n${'c'.repeat(1000)}\r\n`;
	chunks += '0\r\n\r\n';
	const bytes = buildRequest('POST', '/api/v1/auth/login', [['Content-Type', 'application/json'], ['Transfer-Encoding', 'chunked']], chunks);
	await expectError(bytes, 413, 'body_too_large');
	await assertHealthy();
});

test('a JSON body just under max_body_bytes is processed (401 for wrong credentials, not 413)', async () => {
	const body = JSON.stringify({ email: ADMIN_EMAIL, password: 'wrong', pad: 'p'.repeat(3800) });
	const r = await request(srv.base, 'POST', '/api/v1/auth/login', { body, headers: { 'Content-Type': 'application/json' } });
	assert.equal(r.status, 401, r.text);
});

test('request timeout: half a request head gets 408 request_timeout or a close within request_timeout_ms', async () => {
	const res = await rawExchange(srv.host, srv.port, 'GET /healthz HTTP/1.1\r\nHost: kefu.test\r\nX-Half: ', { timeoutMs: L.request_timeout_ms + SLACK_MS });
	assert.ok(res.closed, `connection closed by the server within the deadline: ${show(res)}`);
	const { responses } = parseResponses(res.buf);
	if (responses.length) {
		assert.equal(responses[0].status, 408, show(res));
		assert.equal(responses[0].json?.error?.code, 'request_timeout', show(res));
	}
	await assertHealthy();
});

test('request timeout: a body shorter than its Content-Length gets 408 or a close within request_timeout_ms', async () => {
	const head = 'POST /api/v1/auth/login HTTP/1.1\r\nHost: kefu.test\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"email":';
	const res = await rawExchange(srv.host, srv.port, head, { timeoutMs: L.request_timeout_ms + SLACK_MS });
	assert.ok(res.closed, `closed within the deadline: ${show(res)}`);
	const { responses } = parseResponses(res.buf);
	if (responses.length) assert.equal(responses[0].status, 408, show(res));
	await assertHealthy();
});

test('request timeout is not reset by a slow drip of bytes (slowloris): closed within request_timeout_ms', async () => {
	const bytes = Buffer.from('GET /healthz HTTP/1.1\r\nHost: kefu.test\r\nX-Slow: ' + 's'.repeat(60));
	const parts = [...bytes].map((b) => Buffer.from([b])); // one byte every 150 ms: ~15 s in all
	const res = await rawExchange(srv.host, srv.port, parts, { gapMs: 150, timeoutMs: L.request_timeout_ms + SLACK_MS });
	assert.ok(res.closed, `closed before the whole drip was sent (${parts.length} bytes at 150 ms): ${show(res)}`);
	const { responses } = parseResponses(res.buf);
	if (responses.length) assert.equal(responses[0].status, 408, show(res));
	await assertHealthy();
});

test('a connection that never sends a byte is closed within the idle/request timeout', async () => {
	const res = await rawExchange(srv.host, srv.port, Buffer.alloc(0), { timeoutMs: Math.max(L.idle_timeout_ms, L.request_timeout_ms) + SLACK_MS });
	assert.ok(res.closed, show(res));
	const { responses } = parseResponses(res.buf);
	assert.ok(responses.every((r) => r.status === 408), `nothing but an optional 408: ${show(res)}`);
});

test('an idle keep-alive connection is closed silently after idle_timeout_ms', async () => {
	const res = await rawExchange(srv.host, srv.port, buildRequest('GET', '/healthz'), { timeoutMs: L.idle_timeout_ms + SLACK_MS });
	assert.ok(res.closed, `closed within idle_timeout_ms + slack: ${show(res)}`);
	const { responses, rest } = parseResponses(res.buf);
	assert.equal(responses.length, 1, `exactly the one response, nothing on idle close: ${show(res)}`);
	assert.equal(responses[0].status, 200);
	assert.equal(rest.length, 0, 'no bytes after the response');
});

test('a keep-alive connection used within idle_timeout_ms stays open for the next request', async () => {
	const c = await openConn(srv.host, srv.port);
	try {
		c.write(buildRequest('GET', '/healthz'));
		assert.equal((await c.responses(1))[0]?.status, 200);
		await sleep(L.idle_timeout_ms / 2);
		c.write(buildRequest('GET', '/healthz'));
		const rs = await c.responses(2);
		assert.equal(rs.length, 2, 'second response on the same connection');
		assert.equal(rs[1].status, 200);
	} finally { c.end(); }
});

test('max_conns_per_ip: the connection over the cap gets 429 too_many_connections or is closed; freed slots are reusable', async () => {
	const cap = 4;
	// loopback must not be a trusted proxy here: connections from a trusted proxy are not capped per IP
	const s = await startKefu({ conf: { server: { trusted_proxies: '192.0.2.1' }, limits: { max_conns_per_ip: cap, idle_timeout_ms: 30000, request_timeout_ms: 30000 } } });
	const conns = [];
	try {
		for (let i = 0; i < cap; i++) {
			const c = await openConn(s.host, s.port);
			conns.push(c);
			c.write(buildRequest('GET', '/healthz'));
			assert.equal((await c.responses(1))[0]?.status, 200, `connection ${i + 1} of ${cap} is served`);
		}
		const res = await rawExchange(s.host, s.port, buildRequest('GET', '/healthz'), { timeoutMs: 8000 });
		assert.ok(res.closed, `connection ${cap + 1} is closed by the server: ${show(res)}`);
		const { responses } = parseResponses(res.buf);
		assert.ok(!responses.some((r) => r.status === 200), `connection ${cap + 1} is not served: ${show(res)}`);
		if (responses.length) {
			assert.equal(responses[0].status, 429, show(res));
			assert.equal(responses[0].json?.error?.code, 'too_many_connections', show(res));
		}
		// the first connections still work
		conns[0].write(buildRequest('GET', '/healthz'));
		assert.equal((await conns[0].responses(2))[1]?.status, 200, 'an accepted connection keeps working');
		// closing one frees a slot
		conns.pop().end();
		await sleep(300);
		let ok = false;
		for (let i = 0; i < 20 && !ok; i++) {
			ok = await healthz(s.base).catch(() => false);
			if (!ok) await sleep(200);
		}
		assert.ok(ok, 'a new connection is served once one of the capped connections closed');
	} finally {
		for (const c of conns) c.end();
	}
	// all slots free again: cap connections at once work
	await sleep(300);
	const again = [];
	try {
		for (let i = 0; i < cap; i++) {
			const c = await openConn(s.host, s.port);
			again.push(c);
			c.write(buildRequest('GET', '/healthz'));
			assert.equal((await c.responses(1))[0]?.status, 200, `after release, connection ${i + 1} of ${cap} is served (no leaked count)`);
		}
	} finally { for (const c of again) c.end(); }
});

test('max_conns: the connection over the global cap gets 503 unavailable or is closed', async () => {
	const cap = 3;
	const s = await startKefu({ conf: { limits: { max_conns: cap, max_conns_per_ip: 100, idle_timeout_ms: 30000, request_timeout_ms: 30000 } } });
	const conns = [];
	try {
		for (let i = 0; i < cap; i++) {
			const c = await openConn(s.host, s.port);
			conns.push(c);
			c.write(buildRequest('GET', '/healthz'));
			assert.equal((await c.responses(1))[0]?.status, 200, `connection ${i + 1} served`);
		}
		const res = await rawExchange(s.host, s.port, buildRequest('GET', '/healthz'), { timeoutMs: 8000 });
		assert.ok(res.closed, `extra connection closed: ${show(res)}`);
		const { responses } = parseResponses(res.buf);
		assert.ok(!responses.some((r) => r.status === 200), `extra connection not served: ${show(res)}`);
		if (responses.length) assert.equal(responses[0].status, 503, show(res));
	} finally { for (const c of conns) c.end(); }
	await sleep(300);
	assert.ok(await healthz(s.base), 'served again once connections closed');
});

// --- WebSocket limits --------------------------------------------------------------

async function expectWsClose(sendFn, code, what) {
	const ws = await wsConnect(srv.host, srv.port, '/ws/echo');
	try {
		sendFn(ws);
		const c = await ws.waitClose(8000);
		assert.equal(c.code, code, `${what}: expected close ${code}, got ${JSON.stringify({ code: c.code, reason: c.reason, eof: c.eof, timeout: c.timeout })}`);
		assert.ok(await ws.waitEof(8000), `${what}: TCP connection closed after the close frame`);
	} finally { ws.end(); }
	await assertHealthy();
}

test('WebSocket: a binary frame over ws_max_frame_bytes gets close 1009', async () => {
	await expectWsClose((ws) => ws.binary(Buffer.alloc(2000, 7)), 1009, 'binary 2000 > 1024');
});

test('WebSocket: a text frame over ws_max_frame_bytes gets close 1009', async () => {
	await expectWsClose((ws) => ws.text('t'.repeat(1500)), 1009, 'text 1500 > 1024');
});

test('WebSocket: a frame header announcing 2^62 bytes (then 64 payload bytes) gets close 1009 (no allocation of the length)', async () => {
	await expectWsClose((ws) => {
		const h = Buffer.alloc(14 + 64);
		h[0] = 0x82; h[1] = 0x80 | 127; h.writeBigUInt64BE(1n << 62n, 2); // zero mask key, then 64 payload bytes
		ws.send(h);
	}, 1009, 'huge announced length');
});

test('WebSocket: a fragmented message over ws_max_message_bytes gets close 1009', async () => {
	await expectWsClose((ws) => {
		ws.sendFrame(2, Buffer.alloc(1000, 1), { fin: false });
		for (let i = 0; i < 4; i++) ws.sendFrame(0, Buffer.alloc(1000, 1), { fin: false });
		ws.sendFrame(0, Buffer.alloc(1000, 1), { fin: true });
	}, 1009, '6 x 1000 bytes > 4096');
});

test('WebSocket: frames and messages under the limits are echoed (1000-byte frame, 4000-byte fragmented message)', async () => {
	const ws = await wsConnect(srv.host, srv.port, '/ws/echo');
	try {
		const one = Buffer.alloc(1000); for (let i = 0; i < one.length; i++) one[i] = i & 0xff;
		ws.binary(one);
		const m1 = await ws.nextMessage(5000);
		assert.equal(m1.opcode, 2); assert.ok(m1.payload.equals(one), 'echo of the 1000-byte frame');
		const parts = [0, 1, 2, 3].map((k) => Buffer.alloc(1000, 65 + k));
		ws.sendFrame(1, parts[0], { fin: false });
		ws.sendFrame(0, parts[1], { fin: false });
		ws.sendFrame(9, Buffer.from('ping-in-between')); // control frame between fragments is legal
		ws.sendFrame(0, parts[2], { fin: false });
		ws.sendFrame(0, parts[3], { fin: true });
		let pong = null, msg = null;
		for (let i = 0; i < 4 && !msg; i++) {
			const f = await ws.nextMessage(5000);
			if (f.opcode === 10) pong = f; else msg = f;
		}
		assert.ok(pong && pong.payload.toString() === 'ping-in-between', 'pong with the ping payload');
		assert.equal(msg?.opcode, 1);
		assert.equal(msg.payload.toString(), Buffer.concat(parts).toString(), 'reassembled 4000-byte text echoed');
	} finally { ws.end(); }
});

const badUtf8 = {
	'lone 0xFF': [0xff],
	'lone continuation 0x80': [0x41, 0x80],
	'overlong "/" C0 AF': [0xc0, 0xaf],
	'UTF-16 surrogate ED A0 80': [0xed, 0xa0, 0x80],
	'over U+10FFFF F4 90 80 80': [0xf4, 0x90, 0x80, 0x80],
	'truncated E4 BD at the end': [0x61, 0xe4, 0xbd],
};
for (const [name, bytes] of Object.entries(badUtf8)) {
	test(`WebSocket: a text frame with invalid UTF-8 (${name}) gets close 1007`, async () => {
		await expectWsClose((ws) => ws.sendFrame(1, Buffer.from(bytes)), 1007, name);
	});
}

test('WebSocket: invalid UTF-8 spread over fragments of a text message gets close 1007', async () => {
	await expectWsClose((ws) => {
		ws.sendFrame(1, Buffer.from('abc'), { fin: false });
		ws.sendFrame(0, Buffer.from([0xed, 0xa0]), { fin: false });
		ws.sendFrame(0, Buffer.from([0x80, 0x41]), { fin: true });
	}, 1007, 'surrogate split over fragments');
});

test('WebSocket: valid UTF-8 split in the middle of a character across fragments is echoed', async () => {
	const ws = await wsConnect(srv.host, srv.port, '/ws/echo');
	try {
		const whole = Buffer.from('客服你好', 'utf8');
		ws.sendFrame(1, whole.subarray(0, 4), { fin: false }); // splits the second character
		ws.sendFrame(0, whole.subarray(4, 8), { fin: false });
		ws.sendFrame(0, whole.subarray(8), { fin: true });
		const m = await ws.nextMessage(5000);
		assert.equal(m.opcode, 1, JSON.stringify(m));
		assert.equal(m.payload.toString('utf8'), '客服你好');
	} finally { ws.end(); }
});

// --- uploads ---------------------------------------------------------------------------

test('an upload over max_upload_bytes gets 413 upload_too_large; one between max_body_bytes and max_upload_bytes is accepted', async () => {
	const s = await login(srv.base, ADMIN_EMAIL, ADMIN_PASSWORD);
	const big = multipart([{ name: 'file', filename: 'big.bin', contentType: 'application/octet-stream', data: Buffer.alloc(70000, 0x5a) }]);
	const bytes = buildRequest('POST', '/api/v1/uploads', { 'Content-Type': big.contentType, Cookie: s.cookie, 'X-CSRF-Token': s.csrf }, big.body);
	const res = await rawExchange(srv.host, srv.port, bytes, { timeoutMs: 10000, idleMs: 1500 });
	const { responses } = parseResponses(res.buf);
	assert.equal(responses[0]?.status, 413, show(res));
	assert.equal(responses[0].json?.error?.code, 'upload_too_large', show(res));
	await assertHealthy();

	const mid = multipart([{ name: 'file', filename: 'mid.bin', contentType: 'application/octet-stream', data: Buffer.alloc(10000, 0x33) }]);
	const r = await request(srv.base, 'POST', '/api/v1/uploads', { body: mid.body, headers: { 'Content-Type': mid.contentType }, cookie: s.cookie, csrf: s.csrf });
	assert.equal(r.status, 201, `10000-byte upload (> max_body_bytes, < max_upload_bytes): ${r.status} ${r.text}`);
	assert.equal(r.json.files[0].size, 10000);
});

test('an upload announcing a Content-Length over max_upload_bytes is refused with 413 without sending the body', async () => {
	const s = await login(srv.base, ADMIN_EMAIL, ADMIN_PASSWORD);
	const bytes = buildRequest('POST', '/api/v1/uploads', {
		'Content-Type': 'multipart/form-data; boundary=xyz', 'Content-Length': String(50 * 1024 * 1024), Cookie: s.cookie, 'X-CSRF-Token': s.csrf,
	});
	const res = await rawExchange(srv.host, srv.port, bytes, { timeoutMs: 8000, idleMs: 1000 });
	const { responses } = parseResponses(res.buf);
	assert.equal(responses[0]?.status, 413, show(res));
	assert.equal(responses[0].json?.error?.code, 'upload_too_large', show(res));
	await assertHealthy();
});
