// HTTP behaviour: health, metrics, keep-alive, pipelining, routing, static assets,
// request ids, multipart uploads and the WebSocket echo (docs/contract.md).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import crypto from 'node:crypto';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import {
	startKefu, stopAll, request, api, login, healthz, rawExchange, parseResponses, buildRequest,
	openConn, wsConnect, isErrorBody, multipart, listFiles, readFile, show, sleep,
	ADMIN_EMAIL, ADMIN_PASSWORD,
} from './lib.mjs';

const AGENT = { email: 'agent@example.com', password: 'agent-password-1', role: 'agent', name: 'Agent' };
let srv;
before(async () => {
	srv = await startKefu({ conf: { limits: { login_attempts_per_min: 1000 } }, users: [AGENT] });
});
after(stopAll);

test('GET /healthz is 200 application/json {"status":"ok"}', async () => {
	const r = await request(srv.base, 'GET', '/healthz');
	assert.equal(r.status, 200);
	assert.match(r.headers['content-type'] || '', /^application\/json/);
	assert.deepEqual(r.json, { status: 'ok' });
});

function sumMetric(text, name) {
	let sum = 0, seen = false;
	for (const l of text.split('\n')) {
		const m = new RegExp(`^${name}(?:\\{[^}]*\\})?\\s+([0-9.eE+-]+)`).exec(l);
		if (m) { sum += Number(m[1]); seen = true; }
	}
	return seen ? sum : null;
}

test('GET /metrics is Prometheus text with every contract family, and kefu_requests_total counts requests', async () => {
	const r1 = await request(srv.base, 'GET', '/metrics');
	assert.equal(r1.status, 200);
	assert.match(r1.headers['content-type'] || '', /^text\/plain/);
	for (const fam of ['kefu_connections', 'kefu_requests_total', 'kefu_request_duration_seconds', 'kefu_websockets', 'kefu_db_seconds_total']) {
		assert.ok(r1.text.includes(fam), `metrics contain ${fam}`);
	}
	assert.match(r1.text, /^kefu_requests_total\{[^}]*class="[a-z]+"[^}]*status="[0-9]{3}"[^}]*\} [0-9]/m, 'kefu_requests_total{class,status}');
	assert.match(r1.text, /^kefu_request_duration_seconds_bucket\{[^}]*le="\+Inf"[^}]*\} [0-9]/m, 'histogram buckets with +Inf');
	assert.match(r1.text, /^kefu_request_duration_seconds_count/m, 'histogram _count');
	assert.match(r1.text, /^kefu_request_duration_seconds_sum/m, 'histogram _sum');
	const before = sumMetric(r1.text, 'kefu_requests_total');
	for (let i = 0; i < 5; i++) await request(srv.base, 'GET', '/healthz');
	const r2 = await request(srv.base, 'GET', '/metrics');
	const afterSum = sumMetric(r2.text, 'kefu_requests_total');
	assert.ok(afterSum - before >= 5, `kefu_requests_total grew by at least 5 (${before} -> ${afterSum})`);
});

test('metrics: kefu_websockets counts an open WebSocket', async () => {
	const ws = await wsConnect(srv.host, srv.port, '/ws/echo');
	try {
		const m = await request(srv.base, 'GET', '/metrics');
		assert.ok(sumMetric(m.text, 'kefu_websockets') >= 1, `kefu_websockets >= 1 with a socket open:\n${m.text.split('\n').filter((l) => l.startsWith('kefu_websockets')).join('\n')}`);
	} finally { ws.end(); }
	let n = null;
	for (let i = 0; i < 20; i++) {
		await sleep(100);
		n = sumMetric((await request(srv.base, 'GET', '/metrics')).text, 'kefu_websockets');
		if (n === 0) break;
	}
	assert.equal(n, 0, 'kefu_websockets back to 0 after the socket closed');
});

test('keep-alive: two requests on one socket get two responses and the socket stays open', async () => {
	const c = await openConn(srv.host, srv.port);
	try {
		c.write(buildRequest('GET', '/healthz'));
		const r1 = await c.responses(1);
		assert.equal(r1[0]?.status, 200);
		c.write(buildRequest('GET', '/healthz?second=1'));
		const r2 = await c.responses(2);
		assert.equal(r2.length, 2, `two responses: ${c.data().toString('latin1')}`);
		assert.equal(r2[1].status, 200);
		assert.deepEqual(r2[1].json, { status: 'ok' });
		assert.equal(c.closed, false, 'connection still open');
	} finally { c.end(); }
});

test('pipelining: three requests written at once get three responses in order', async () => {
	const bytes = Buffer.concat([
		buildRequest('GET', '/healthz'),
		buildRequest('GET', '/api/v1/nope'),
		buildRequest('DELETE', '/healthz'),
	]);
	const c = await openConn(srv.host, srv.port);
	try {
		c.write(bytes);
		const rs = await c.responses(3, 8000);
		assert.deepEqual(rs.map((r) => r.status), [200, 404, 405], c.data().toString('latin1'));
		assert.deepEqual(rs[0].json, { status: 'ok' });
		assert.equal(rs[1].json?.error?.code, 'not_found');
		assert.equal(rs[2].json?.error?.code, 'method_not_allowed');
		const ids = rs.map((r) => r.headers['x-request-id']);
		assert.equal(new Set(ids).size, 3, `three distinct X-Request-Ids: ${ids}`);
	} finally { c.end(); }
});

test('pipelining: 50 requests in one write (including a POST with a body) are all answered in order', async () => {
	const reqs = [], expect = [];
	for (let i = 0; i < 50; i++) {
		if (i % 10 === 5) {
			reqs.push(buildRequest('POST', '/api/v1/auth/login', { 'Content-Type': 'application/json' }, JSON.stringify({ email: 'x@example.com', password: `p-${i}-xxxxx` })));
			expect.push(401);
		} else if (i % 2) { reqs.push(buildRequest('GET', `/api/v1/nope${i}`)); expect.push(404); }
		else { reqs.push(buildRequest('GET', `/healthz?i=${i}`)); expect.push(200); }
	}
	const res = await rawExchange(srv.host, srv.port, Buffer.concat([...reqs, buildRequest('GET', '/healthz', { Connection: 'close' })]), { timeoutMs: 20000 });
	const { responses } = parseResponses(res.buf);
	assert.deepEqual(responses.map((r) => r.status), [...expect, 200], show(res));
	assert.ok(res.closed, 'closed after Connection: close');
});

test('HEAD /healthz has no body, and the next pipelined response is intact', async () => {
	const res = await rawExchange(srv.host, srv.port, Buffer.concat([
		buildRequest('HEAD', '/healthz'), buildRequest('GET', '/healthz', { Connection: 'close' }),
	]), { timeoutMs: 8000 });
	const { responses, rest, error } = parseResponses(res.buf, ['HEAD', 'GET']);
	assert.equal(error, null, show(res));
	assert.deepEqual(responses.map((r) => r.status), [200, 200], show(res));
	assert.equal(responses[0].body.length, 0);
	assert.deepEqual(responses[1].json, { status: 'ok' }, show(res));
	assert.equal(rest.length, 0);
});

test('Connection: close and HTTP/1.0 requests are answered and the connection is closed', async () => {
	for (const bytes of [buildRequest('GET', '/healthz', { Connection: 'close' }), 'GET /healthz HTTP/1.0\r\n\r\n']) {
		const res = await rawExchange(srv.host, srv.port, bytes, { timeoutMs: 8000 });
		const { responses } = parseResponses(res.buf);
		assert.equal(responses.length, 1, show(res));
		assert.equal(responses[0].status, 200);
		assert.ok(res.closed, `closed: ${show(res)}`);
	}
});

test('an absolute-form request target (GET http://host/healthz) is accepted, as RFC 9112 3.2.2 requires', async () => {
	const res = await rawExchange(srv.host, srv.port, 'GET http://kefu.test/healthz?x=1 HTTP/1.1\r\nHost: kefu.test\r\nConnection: close\r\n\r\n', { timeoutMs: 6000 });
	const { responses } = parseResponses(res.buf);
	assert.equal(responses[0]?.status, 200, show(res));
	assert.deepEqual(responses[0].json, { status: 'ok' });
});

test('query strings do not disturb routing (/healthz?x=1, /api/v1/users?limit=1)', async () => {
	const h = await request(srv.base, 'GET', '/healthz?x=1&y=%E4%BD%A0&z');
	assert.equal(h.status, 200);
	const s = await login(srv.base, ADMIN_EMAIL, ADMIN_PASSWORD);
	const u = await api(srv.base, 'GET', '/api/v1/users?limit=1&q=%20', { cookie: s.cookie });
	assert.equal(u.status, 200, u.text);
	assert.ok(Array.isArray(u.json.users));
	const me = await api(srv.base, 'GET', '/api/v1/me?x=y', { cookie: s.cookie });
	assert.equal(me.status, 200);
});

test('path params: PATCH /api/v1/users/:id with a non-numeric or unknown id is 404/422; a real id works', async () => {
	const s = await login(srv.base, ADMIN_EMAIL, ADMIN_PASSWORD);
	for (const id of ['abc', '1abc', '-1', '99999999999999999999999', '%20']) {
		const r = await request(srv.base, 'PATCH', `/api/v1/users/${id}`, { cookie: s.cookie, csrf: s.csrf, json: { name: 'X' } });
		assert.ok([404, 422].includes(r.status), `id ${id}: ${r.status} ${r.text}`);
		assert.ok(isErrorBody(r.json), r.text);
	}
	const r404 = await request(srv.base, 'PATCH', '/api/v1/users/424242', { cookie: s.cookie, csrf: s.csrf, json: { name: 'X' } });
	assert.equal(r404.status, 404, r404.text);
	const list = await api(srv.base, 'GET', '/api/v1/users', { cookie: s.cookie });
	const agent = list.json.users.find((u) => u.email === AGENT.email);
	const ok = await api(srv.base, 'PATCH', `/api/v1/users/${agent.id}`, { cookie: s.cookie, csrf: s.csrf, json: { name: 'Renamed Agent' } });
	assert.equal(ok.status, 200, ok.text);
	assert.equal(ok.json.user.name, 'Renamed Agent');
	assert.equal(ok.json.user.id, agent.id);
});

// --- static files ---------------------------------------------------------------------------

let shell = null;
async function getShell() {
	if (!shell) shell = await request(srv.base, 'GET', '/');
	return shell;
}
async function assetPaths() {
	const r = await getShell();
	return [...new Set([...r.text.matchAll(/["'(](\/assets\/[^"'()\s>?#]+)/g)].map((m) => m[1]))];
}

test('GET / and GET /login return the HTML console shell with Cache-Control no-cache', async () => {
	for (const p of ['/', '/login']) {
		const r = await request(srv.base, 'GET', p);
		assert.equal(r.status, 200, `${p}: ${r.status}`);
		assert.match(r.headers['content-type'] || '', /^text\/html/, p);
		assert.match(r.text, /<!doctype html>|<html/i, p);
		assert.match(r.headers['cache-control'] || '', /no-cache|no-store/, `${p}: Cache-Control ${r.headers['cache-control']}`);
	}
	const paths = await assetPaths();
	assert.ok(paths.length >= 1, `the shell references /assets/...: ${(await getShell()).text.slice(0, 500)}`);
});

test('hashed assets: Cache-Control public, max-age=31536000, immutable and an ETag; If-None-Match gives 304', async () => {
	const paths = await assetPaths();
	for (const p of paths) {
		assert.match(p, /^\/assets\/[^/]+-[A-Za-z0-9_]{6,}\.[a-z0-9]+$/, `hashed asset name NAME-HASH.EXT: ${p}`);
		const r = await request(srv.base, 'GET', p);
		assert.equal(r.status, 200, `${p}: ${r.status}`);
		const cc = r.headers['cache-control'] || '';
		for (const part of ['public', 'max-age=31536000', 'immutable']) assert.ok(cc.includes(part), `${p}: Cache-Control "${cc}" has ${part}`);
		const etag = r.headers.etag;
		assert.ok(etag && /^(W\/)?"[^"]+"$/.test(etag), `${p}: quoted ETag: ${etag}`);
		if (p.endsWith('.js')) assert.match(r.headers['content-type'] || '', /javascript/, `${p}: JS content type`);
		if (p.endsWith('.css')) assert.match(r.headers['content-type'] || '', /^text\/css/, `${p}: CSS content type`);
		const n = await request(srv.base, 'GET', p, { headers: { 'If-None-Match': etag } });
		assert.equal(n.status, 304, `${p}: If-None-Match ${etag} -> ${n.status}`);
		assert.equal(n.buf.length, 0, '304 has no body');
		const list = await request(srv.base, 'GET', p, { headers: { 'If-None-Match': `"nope", ${etag}` } });
		assert.equal(list.status, 304, `${p}: If-None-Match list containing the ETag`);
		const other = await request(srv.base, 'GET', p, { headers: { 'If-None-Match': '"something-else"' } });
		assert.equal(other.status, 200, `${p}: a different ETag gets the full body`);
	}
});

test('hashed assets are gzip-encoded when Accept-Encoding allows it, and the gzip decodes to the same bytes', async () => {
	const paths = await assetPaths();
	const js = paths.find((p) => p.endsWith('.js')) || paths[0];
	const plain = await request(srv.base, 'GET', js);
	assert.equal(plain.headers['content-encoding'] ?? 'identity', 'identity', 'no gzip without Accept-Encoding');
	const gz = await request(srv.base, 'GET', js, { headers: { 'Accept-Encoding': 'gzip, deflate, br' } });
	assert.equal(gz.status, 200);
	assert.equal(gz.headers['content-encoding'], 'gzip', `Content-Encoding for ${js}`);
	assert.ok(gunzipSync(gz.buf).equals(plain.buf), 'gunzip(body) equals the identity body');
	assert.match(gz.headers.vary || '', /accept-encoding/i, 'Vary: Accept-Encoding');
	const no = await request(srv.base, 'GET', js, { headers: { 'Accept-Encoding': 'gzip;q=0, identity' } });
	assert.notEqual(no.headers['content-encoding'], 'gzip', 'gzip;q=0 is a refusal');
	const n = await request(srv.base, 'GET', js, { headers: { 'Accept-Encoding': 'gzip', 'If-None-Match': gz.headers.etag } });
	assert.equal(n.status, 304, 'gzip variant revalidates with its ETag');
});

test('unknown assets are 404 and path traversal never reaches the file system', async () => {
	const r = await request(srv.base, 'GET', '/assets/does-not-exist-0123456789.js');
	assert.equal(r.status, 404);
	for (const p of ['/assets/../../../../../../etc/passwd', '/assets/..%2f..%2f..%2f..%2f..%2fetc%2fpasswd',
		'/assets/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/assets/....//....//etc/passwd', '/../kefu.conf', '/assets/..%2fkefu.db']) {
		const res = await rawExchange(srv.host, srv.port, `GET ${p} HTTP/1.1\r\nHost: kefu.test\r\nConnection: close\r\n\r\n`, { timeoutMs: 6000 });
		assert.doesNotMatch(res.text, /root:.*:0:0:|\[limits\]|SQLite format 3/, `${p}: ${show(res)}`);
		const { responses } = parseResponses(res.buf);
		if (responses[0]?.status === 200) assert.match(responses[0].headers['content-type'] || '', /^text\/html/, `${p}: only the shell may answer 200`);
	}
	assert.ok(await healthz(srv.base));
});

test('every response carries a unique X-Request-Id (200, 401, 404, 405 and raw 400)', async () => {
	const ids = [];
	for (const [m, p] of [['GET', '/healthz'], ['GET', '/api/v1/me'], ['GET', '/api/v1/nope'], ['DELETE', '/healthz'], ['GET', '/']]) {
		const r = await request(srv.base, m, p);
		assert.ok(r.headers['x-request-id'], `${m} ${p} (${r.status}) has X-Request-Id`);
		ids.push(r.headers['x-request-id']);
	}
	const bad = await rawExchange(srv.host, srv.port, 'GET /healthz HTTP/1.1\r\nHost: kefu.test\r\nBad Header\r\n\r\n', { timeoutMs: 6000 });
	const { responses } = parseResponses(bad.buf);
	if (responses.length) {
		assert.ok(responses[0].headers['x-request-id'], `400 response has X-Request-Id: ${show(bad)}`);
		ids.push(responses[0].headers['x-request-id']);
	}
	assert.equal(new Set(ids).size, ids.length, `ids unique: ${ids}`);
});

test('each request is logged on stderr in one line carrying its X-Request-Id, method, path and status', async () => {
	const marker = `/api/v1/log-marker-${crypto.randomBytes(4).toString('hex')}`;
	const r = await request(srv.base, 'GET', marker);
	assert.equal(r.status, 404);
	const id = r.headers['x-request-id'];
	let lines = [];
	for (let i = 0; i < 20 && !lines.length; i++) {
		await sleep(100);
		lines = srv.stderr().split('\n').filter((l) => l.includes(marker));
	}
	assert.equal(lines.length, 1, `one log line for the request:\n${srv.stderr().slice(-1500)}`);
	assert.ok(lines[0].includes(id), `log line has the request id ${id}: ${lines[0]}`);
	assert.match(lines[0], /\bGET\b/);
	assert.match(lines[0], /\b404\b/);
});

// --- uploads ----------------------------------------------------------------------------------

test('multipart upload of two files (one named 发票.pdf) is 201 with names and sizes, and the bytes are under DATA/uploads', async () => {
	const s = await login(srv.base, AGENT.email, AGENT.password);
	const before = new Set((await listFiles(join(srv.dir, 'uploads'))).map((f) => f.path));
	const mp0 = '----kefuBoundary' + crypto.randomBytes(6).toString('hex');
	// the PDF contains CRLF, dashes and the start of the boundary to trip naive parsers
	const pdf = Buffer.concat([Buffer.from('%PDF-1.4\r\n--\r\n--' + mp0.slice(0, 10) + '\r\n'), crypto.randomBytes(5000), Buffer.from('\r\n%%EOF\r\n')]);
	const big = crypto.randomBytes(300 * 1024);
	const { body, contentType } = multipart([
		{ name: 'note', data: 'hello 你好' },
		{ name: 'file', filename: '发票.pdf', contentType: 'application/pdf', data: pdf },
		{ name: 'file', filename: 'data.bin', contentType: 'application/octet-stream', data: big },
	], mp0);
	const r = await api(srv.base, 'POST', '/api/v1/uploads', { body, headers: { 'Content-Type': contentType }, cookie: s.cookie, csrf: s.csrf });
	assert.equal(r.status, 201, r.text);
	const files = r.json.files;
	assert.equal(files.length, 2, `two files (the text field is not a file): ${r.text}`);
	const f1 = files.find((f) => f.name === '发票.pdf');
	const f2 = files.find((f) => f.name === 'data.bin');
	assert.ok(f1, `a file named 发票.pdf: ${r.text}`);
	assert.ok(f2, `a file named data.bin: ${r.text}`);
	assert.equal(f1.size, pdf.length);
	assert.equal(f2.size, big.length);
	assert.equal(f1.content_type, 'application/pdf');
	assert.ok(f1.id !== undefined && f2.id !== undefined && f1.id !== f2.id, 'distinct ids');

	const stored = (await listFiles(join(srv.dir, 'uploads'))).filter((f) => !before.has(f.path));
	for (const [name, data] of [['发票.pdf', pdf], ['data.bin', big]]) {
		let found = false;
		for (const f of stored.filter((x) => x.size === data.length)) {
			if ((await readFile(f.path)).equals(data)) { found = true; break; }
		}
		assert.ok(found, `the bytes of ${name} are stored under DATA/uploads: ${JSON.stringify(stored)}`);
	}
});

test('uploads: 401 without a session, 403 csrf_failed without the token, 415 for a non-multipart body', async () => {
	const { body, contentType } = multipart([{ name: 'file', filename: 'a.txt', contentType: 'text/plain', data: 'abc' }]);
	const noAuth = await request(srv.base, 'POST', '/api/v1/uploads', { body, headers: { 'Content-Type': contentType } });
	assert.equal(noAuth.status, 401, noAuth.text);
	const s = await login(srv.base, AGENT.email, AGENT.password);
	const noCsrf = await request(srv.base, 'POST', '/api/v1/uploads', { body, headers: { 'Content-Type': contentType }, cookie: s.cookie });
	assert.equal(noCsrf.status, 403, noCsrf.text);
	assert.equal(noCsrf.json?.error?.code, 'csrf_failed');
	const json = await request(srv.base, 'POST', '/api/v1/uploads', { json: { a: 1 }, cookie: s.cookie, csrf: s.csrf });
	assert.equal(json.status, 415, json.text);
	assert.equal(json.json?.error?.code, 'unsupported_media_type');
});

test('uploads: a multipart body without its closing boundary, or with no boundary parameter, gets 400', async () => {
	const s = await login(srv.base, AGENT.email, AGENT.password);
	const b = 'xyzBoundary';
	const truncated = `--${b}\r\nContent-Disposition: form-data; name="file"; filename="t.txt"\r\n\r\nhello`;
	const r1 = await request(srv.base, 'POST', '/api/v1/uploads', { body: truncated, headers: { 'Content-Type': `multipart/form-data; boundary=${b}` }, cookie: s.cookie, csrf: s.csrf });
	assert.equal(r1.status, 400, r1.text);
	assert.ok(isErrorBody(r1.json), r1.text);
	const r2 = await request(srv.base, 'POST', '/api/v1/uploads', { body: truncated, headers: { 'Content-Type': 'multipart/form-data' }, cookie: s.cookie, csrf: s.csrf });
	assert.ok([400, 415].includes(r2.status), r2.text);
	assert.ok(await healthz(srv.base));
});

test('uploads: a file name with ../ cannot write outside DATA/uploads', async () => {
	const s = await login(srv.base, AGENT.email, AGENT.password);
	const marker = 'kefu-traversal-' + crypto.randomBytes(4).toString('hex');
	const { body, contentType } = multipart([{ name: 'file', filename: `../../${marker}.txt`, contentType: 'text/plain', data: marker }]);
	const r = await request(srv.base, 'POST', '/api/v1/uploads', { body, headers: { 'Content-Type': contentType }, cookie: s.cookie, csrf: s.csrf });
	assert.ok(r.status === 201 || (r.status >= 400 && r.status < 500), `${r.status} ${r.text}`);
	for (const d of [srv.dir, join(srv.dir, '..'), join(srv.dir, 'uploads', '..')]) {
		assert.ok(!existsSync(join(d, `${marker}.txt`)), `nothing written to ${d}`);
	}
	const outside = (await listFiles(srv.dir)).filter((f) => !f.path.startsWith(join(srv.dir, 'uploads')) && f.path.includes(marker));
	assert.deepEqual(outside, []);
});

// --- WebSocket echo -------------------------------------------------------------------------

test('WebSocket echo with the ws client: Chinese text and binary come back unchanged', async () => {
	let WebSocket;
	try { ({ default: WebSocket } = await import('ws')); } catch { WebSocket = null; }
	assert.ok(WebSocket, 'the npm package ws is installed (node_modules/ws)');
	const ws = new WebSocket(`ws://${srv.host}:${srv.port}/ws/echo`);
	const got = [];
	const done = new Promise((resolveP, reject) => {
		ws.on('message', (data, isBinary) => { got.push({ data: Buffer.from(data), isBinary }); if (got.length === 3) resolveP(); });
		ws.on('error', reject);
		setTimeout(() => reject(new Error(`timeout, got ${got.length} messages`)), 10000);
	});
	await new Promise((r, j) => { ws.on('open', r); ws.on('error', j); });
	const text = '你好，客服！こんにちは 🌏 ñ';
	const bin = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
	const big = crypto.randomBytes(60000);
	ws.send(text);
	ws.send(bin);
	ws.send(big);
	await done;
	assert.equal(got[0].isBinary, false);
	assert.equal(got[0].data.toString('utf8'), text);
	assert.equal(got[1].isBinary, true);
	assert.ok(got[1].data.equals(bin));
	assert.ok(got[2].data.equals(big), '60000-byte binary echoed');
	const closed = new Promise((r) => ws.on('close', (code) => r(code)));
	ws.close(1000, 'bye');
	assert.equal(await closed, 1000, 'close handshake answered with 1000');
});

test('WebSocket echo (raw client): valid Sec-WebSocket-Accept, unmasked server frames, ping/pong, 64-bit length, close 1000', async () => {
	const ws = await wsConnect(srv.host, srv.port, '/ws/echo');
	try {
		assert.equal(ws.handshake.status, 101);
		assert.ok(ws.handshake.acceptOk, `Sec-WebSocket-Accept: ${ws.handshake.headers['sec-websocket-accept']}`);
		assert.match(ws.handshake.headers.upgrade || '', /^websocket$/i);
		ws.text('客服');
		const f = await ws.next(5000);
		assert.equal(f.opcode, 1, JSON.stringify(f));
		assert.equal(f.masked, false, 'server frames are not masked');
		assert.equal(f.payload.toString('utf8'), '客服');
		ws.sendFrame(9, Buffer.from('ping!'));
		const p = await ws.next(5000);
		assert.equal(p.opcode, 10, 'pong');
		assert.equal(p.payload.toString(), 'ping!', 'pong carries the ping payload');
		ws.sendFrame(1, Buffer.alloc(0));
		const e = await ws.next(5000);
		assert.equal(e.opcode, 1); assert.equal(e.payload.length, 0, 'empty text message echoed');
		// 200000 bytes in four fragments: the echo is one message, needing a 64-bit length if sent as one frame
		const big = crypto.randomBytes(200000);
		for (let i = 0; i < 4; i++) ws.sendFrame(i === 0 ? 2 : 0, big.subarray(i * 50000, (i + 1) * 50000), { fin: i === 3 });
		const m = await ws.nextMessage(10000);
		assert.equal(m.opcode, 2, JSON.stringify({ ...m, payload: undefined }));
		assert.ok(m.payload.equals(big), `200000-byte fragmented message echoed (${m.payload?.length})`);
		ws.close(1000, 'done');
		const c = await ws.waitClose(5000);
		assert.equal(c.code, 1000, `close echoed: ${JSON.stringify(c)}`);
		assert.ok(await ws.waitEof(5000), 'server closes TCP after the close handshake');
	} finally { ws.end(); }
	assert.ok(await healthz(srv.base));
});
