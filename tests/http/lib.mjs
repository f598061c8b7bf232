// tests/http/lib.mjs - helpers for the black-box HTTP/WebSocket tests of the kefu binary.
//
// Everything here talks to a real `kefu serve` process over loopback sockets. Nothing
// depends on the server's source. The binary comes from $KEFU_BIN (resolved against the
// current directory), else <repo>/kefu.
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile, rm, readdir, stat, readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import http from 'node:http';
import crypto from 'node:crypto';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const KEFU_BIN = process.env.KEFU_BIN
	? resolve(process.cwd(), process.env.KEFU_BIN)
	: join(REPO_ROOT, 'kefu');

export const ADMIN_EMAIL = 'admin@example.com';
export const ADMIN_PASSWORD = 'admin-password-123';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------
// Child processes: every server started here is remembered and killed at exit, and
// each test file calls `after(stopAll)` so that a failing test never leaves one behind.

const live = new Set();
function killLive() {
	for (const p of live) {
		try { p.kill('SIGKILL'); } catch { /* already gone */ }
	}
}
process.on('exit', killLive);
for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP']) {
	process.once(sig, () => { killLive(); process.kill(process.pid, sig); });
}

/** Runs `kefu ARGS...`, writing `input` to stdin. Resolves {code, signal, stdout, stderr}. */
export function runKefu(args, { input = '', env = {}, timeoutMs = 30000 } = {}) {
	return new Promise((resolveP, reject) => {
		const p = spawn(KEFU_BIN, args, {
			env: { ...process.env, ...env },
			stdio: ['pipe', 'pipe', 'pipe'],
		});
		live.add(p);
		let stdout = '', stderr = '';
		p.stdout.on('data', (d) => { stdout += d; });
		p.stderr.on('data', (d) => { stderr += d; });
		const t = setTimeout(() => { p.kill('SIGKILL'); }, timeoutMs);
		p.on('error', (e) => { clearTimeout(t); live.delete(p); reject(e); });
		p.on('close', (code, signal) => {
			clearTimeout(t);
			live.delete(p);
			resolveP({ code, signal, stdout, stderr });
		});
		p.stdin.on('error', () => {});
		p.stdin.end(input);
	});
}

/** Writes DIR/kefu.conf from {section: {key: value}}. */
export async function writeConf(dir, conf) {
	let text = '';
	for (const [section, kv] of Object.entries(conf)) {
		text += `[${section}]\n`;
		for (const [k, v] of Object.entries(kv)) text += `${k} = ${v}\n`;
		text += '\n';
	}
	await writeFile(join(dir, 'kefu.conf'), text);
}

/** `kefu user add` with the password on stdin; throws when it fails. */
export async function addUser(dir, { email, password, role = 'agent', name = 'User' }) {
	const r = await runKefu(['user', 'add', '--role', role, '--name', name, '--data', dir, email],
		{ input: password + '\n' });
	if (r.code !== 0) {
		throw new Error(`kefu user add ${email} failed (exit ${r.code}): ${r.stderr}${r.stdout}`);
	}
	return r;
}

const allServers = new Set();

/**
 * Starts `kefu serve --listen 127.0.0.1:0 --data DIR`.
 * opts.conf: {section: {key: value}} written to DIR/kefu.conf
 * opts.env: extra environment; opts.args: extra serve arguments
 * opts.users: [{email, password, role, name}] created with `kefu user add` before start
 * opts.dir: reuse an existing data dir (no admin is created then unless opts.admin)
 * Returns {base, host, port, dir, proc, stderr(), stop(signal), exited}.
 */
export async function startKefu(opts = {}) {
	const { conf, env = {}, args = [], users = [], timeoutMs = 20000 } = opts;
	let dir = opts.dir;
	const fresh = !dir;
	if (fresh) dir = await mkdtemp(join(tmpdir(), 'kefu-http-'));
	try {
		if (conf) await writeConf(dir, conf);
		if (fresh || opts.admin) {
			await addUser(dir, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD, role: 'admin', name: 'Admin' });
		}
		for (const u of users) await addUser(dir, u);
	} catch (e) {
		if (fresh) await rm(dir, { recursive: true, force: true });
		throw e;
	}

	const proc = spawn(KEFU_BIN, ['serve', '--listen', '127.0.0.1:0', '--data', dir, ...args], {
		env: { ...process.env, ...env },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	live.add(proc);
	let errText = '', outText = '';
	proc.stdout.on('data', (d) => { outText += d; });
	const exited = new Promise((r) => {
		proc.on('exit', (code, signal) => { live.delete(proc); r({ code, signal }); });
	});
	const addr = await new Promise((resolveP, reject) => {
		const fail = (e) => {
			proc.kill('SIGKILL');
			if (fresh && !opts.keepDir) rm(dir, { recursive: true, force: true }).catch(() => {});
			reject(e);
		};
		const t = setTimeout(() => fail(new Error(
			`kefu serve did not print "listening on" within ${timeoutMs} ms; stderr:\n${errText}`)), timeoutMs);
		proc.stderr.on('data', (d) => {
			errText += d;
			const m = /listening on http:\/\/(\S+)/.exec(errText);
			if (m) { clearTimeout(t); resolveP(m[1]); }
		});
		proc.on('error', (e) => { clearTimeout(t); fail(e); });
		exited.then(({ code, signal }) => {
			clearTimeout(t);
			fail(new Error(`kefu serve exited early (code ${code}, signal ${signal}); stderr:\n${errText}`));
		});
	});
	const i = addr.lastIndexOf(':');
	const host = addr.slice(0, i).replace(/^\[|\]$/g, '');
	const port = Number(addr.slice(i + 1));
	let stopping = null;
	const srv = {
		base: `http://${addr}`, host, port, dir, proc, exited,
		stderr: () => errText,
		stdout: () => outText,
		/** Sends `signal` and waits for the exit; SIGKILL after waitMs. Resolves {code, signal, killed}. */
		stop(signal = 'SIGTERM', waitMs = 20000) {
			if (stopping) return stopping;
			stopping = (async () => {
				if (proc.exitCode !== null || proc.signalCode !== null) return { ...(await exited), killed: false };
				proc.kill(signal);
				let timer;
				const res = await Promise.race([exited, new Promise((r) => { timer = setTimeout(() => r(null), waitMs); })]);
				clearTimeout(timer);
				if (res) return { ...res, killed: false };
				proc.kill('SIGKILL');
				return { ...(await exited), killed: true };
			})();
			return stopping;
		},
		/** Stops (SIGTERM, so that sanitizers can report leaks; SIGKILL after 20 s) and removes a temp dir. */
		async cleanup() {
			await srv.stop('SIGTERM', 20000);
			allServers.delete(srv);
			if (fresh && !opts.keepDir) await rm(dir, { recursive: true, force: true });
		},
	};
	allServers.add(srv);
	return srv;
}

export const SANITIZER_RE = /AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:/;

/**
 * For `after(stopAll)`: stops every server this file started and removes temp dirs.
 * Throws (failing the file) when a server's stderr holds a sanitizer report, as it
 * does with the ASan/UBSan build (KEFU_BIN=build/clang-asan/kefu).
 */
export async function stopAll() {
	const servers = [...allServers];
	await Promise.all(servers.map((s) => s.cleanup().catch(() => {})));
	const bad = servers.filter((s) => SANITIZER_RE.test(s.stderr()));
	if (bad.length) {
		throw new Error(`sanitizer report in kefu stderr:\n${bad.map((s) => s.stderr().slice(-4000)).join('\n----\n')}`);
	}
}

// ---------------------------------------------------------------------------------
// HTTP over node:http, one connection per request (no pooling, so connection limits
// and keep-alive tests stay in control of their own sockets).

/**
 * request(base, method, path, {body, json, headers, cookie, csrf, bearer, timeoutMs})
 * Resolves {status, headers, buf, text, json, setCookie: [..]}.
 */
export function request(base, method, path, o = {}) {
	const u = new URL(path, base);
	const headers = { ...(o.headers || {}) };
	let body = o.body;
	if (o.json !== undefined) {
		body = Buffer.from(JSON.stringify(o.json));
		if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
			headers['Content-Type'] = 'application/json';
		}
	}
	if (typeof body === 'string') body = Buffer.from(body);
	if (o.cookie) headers.Cookie = o.cookie;
	if (o.csrf) headers['X-CSRF-Token'] = o.csrf;
	if (o.bearer) headers.Authorization = `Bearer ${o.bearer}`;
	if (body && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) {
		headers['Content-Length'] = String(body.length);
	}
	return new Promise((resolveP, reject) => {
		const req = http.request({
			host: u.hostname, port: u.port, method, path: u.pathname + u.search,
			headers, agent: false, timeout: o.timeoutMs ?? 30000,
		}, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => {
				const buf = Buffer.concat(chunks);
				const text = buf.toString('utf8');
				let json = null;
				try { json = JSON.parse(text); } catch { /* not JSON */ }
				resolveP({
					status: res.statusCode, headers: res.headers, buf, text, json,
					setCookie: res.headers['set-cookie'] || [],
				});
			});
			res.on('error', reject);
		});
		req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
		req.on('error', reject);
		req.end(body);
	});
}

/** JSON fetch helper: same as request() but fails unless the body is JSON. */
export async function api(base, method, path, o = {}) {
	const r = await request(base, method, path, o);
	if (r.json === null && r.status !== 304 && r.status !== 204) {
		throw new Error(`${method} ${path}: ${r.status} with a non-JSON body: ${r.text.slice(0, 300)}`);
	}
	return r;
}

/** Cookie pair ("kefu_session=...") from a list of Set-Cookie headers, or null. */
export function sessionCookie(setCookie) {
	for (const c of setCookie || []) {
		const m = /^\s*(kefu_session=[^;]*)/.exec(c);
		if (m) return m[1];
	}
	return null;
}

/** Logs in; throws unless 200. Returns {cookie, csrf, user, res}. */
export async function login(base, email, password, o = {}) {
	const res = await request(base, 'POST', '/api/v1/auth/login', { json: { email, password }, ...o });
	if (res.status !== 200) {
		throw new Error(`login ${email}: expected 200, got ${res.status} ${res.text.slice(0, 300)}`);
	}
	const cookie = sessionCookie(res.setCookie);
	if (!cookie) throw new Error(`login ${email}: no kefu_session cookie in ${JSON.stringify(res.setCookie)}`);
	return { cookie, csrf: res.json?.csrf_token, user: res.json?.user, res };
}

/** Asserts-free check used after abuse: GET /healthz answers 200 {"status":"ok"}. */
export async function healthz(base) {
	const r = await request(base, 'GET', '/healthz', { timeoutMs: 10000 });
	return r.status === 200 && r.json && r.json.status === 'ok';
}

// ---------------------------------------------------------------------------------
// Raw TCP.

/**
 * rawExchange(host, port, bytes, {timeoutMs, idleMs, writes, gapMs, halfClose})
 * Connects, writes `bytes` (Buffer|string, or an array of them written `gapMs` apart),
 * collects everything until the peer closes, until `timeoutMs` passes, or until no byte
 * came for `idleMs` after the first one (when idleMs is given).
 * Resolves {buf, text, closed, reset, timedOut, ms, writeError}.
 */
export function rawExchange(host, port, bytes, o = {}) {
	const timeoutMs = o.timeoutMs ?? 5000;
	const parts = Array.isArray(bytes) ? bytes : [bytes];
	return new Promise((resolveP) => {
		const t0 = Date.now();
		const chunks = [];
		let done = false, reset = false, writeError = null, idleTimer = null;
		const sock = net.connect({ host, port });
		const finish = (how) => {
			if (done) return;
			done = true;
			clearTimeout(timer);
			clearTimeout(idleTimer);
			sock.destroy();
			const buf = Buffer.concat(chunks);
			resolveP({
				buf, text: buf.toString('latin1'), closed: how === 'closed',
				reset, timedOut: how === 'timeout', ms: Date.now() - t0, writeError,
			});
		};
		const timer = setTimeout(() => finish('timeout'), timeoutMs);
		sock.on('data', (d) => {
			chunks.push(d);
			if (o.idleMs) {
				clearTimeout(idleTimer);
				idleTimer = setTimeout(() => finish('idle'), o.idleMs);
			}
		});
		sock.on('end', () => finish('closed'));
		sock.on('close', () => finish('closed'));
		sock.on('error', (e) => {
			if (e.code === 'ECONNRESET') reset = true;
			else writeError = e;
			finish('closed');
		});
		sock.on('connect', async () => {
			for (let i = 0; i < parts.length; i++) {
				if (done) return;
				if (i > 0 && o.gapMs) await sleep(o.gapMs);
				if (done) return;
				sock.write(typeof parts[i] === 'string' ? Buffer.from(parts[i], 'latin1') : parts[i],
					(e) => { if (e) writeError = e; });
			}
			if (o.halfClose) sock.end();
		});
	});
}

/** raw(host, port, bytes, {timeoutMs}): the response text (latin1) of a raw exchange. */
export async function raw(host, port, bytes, o = {}) {
	return (await rawExchange(host, port, bytes, o)).text;
}

/**
 * Parses a byte stream of HTTP/1.x responses. `methods` (optional) lists the request
 * methods in order so that responses to HEAD are read without a body.
 * Returns {responses: [{status, reason, version, headers, rawHeaders, body, json}], rest, error}.
 * headers: lower-case name -> value (repeated names joined with ", "; set-cookie kept as array).
 */
export function parseResponses(buf, methods = []) {
	const out = [];
	let off = 0, error = null;
	while (off < buf.length) {
		const end = buf.indexOf('\r\n\r\n', off, 'latin1');
		if (end < 0) { if (buf.length > off) error = 'incomplete head'; break; }
		const head = buf.subarray(off, end).toString('latin1');
		const lines = head.split('\r\n');
		const m = /^HTTP\/(\d\.\d) (\d{3})(?: (.*))?$/.exec(lines[0]);
		if (!m) { error = `bad status line: ${JSON.stringify(lines[0].slice(0, 80))}`; break; }
		const headers = {}, rawHeaders = [];
		for (const l of lines.slice(1)) {
			const c = l.indexOf(':');
			if (c <= 0) { error = `bad header line: ${JSON.stringify(l)}`; break; }
			const name = l.slice(0, c).trim().toLowerCase(), value = l.slice(c + 1).trim();
			rawHeaders.push([name, value]);
			if (name === 'set-cookie') (headers[name] ||= []).push(value);
			else headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
		}
		if (error) break;
		const status = Number(m[2]);
		let p = end + 4;
		const method = methods[out.length] || 'GET';
		let body = Buffer.alloc(0);
		if (status === 101) {
			out.push({ status, reason: m[3] || '', version: m[1], headers, rawHeaders, body, json: null });
			off = p;
			break; // the rest is another protocol
		}
		if (method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200)) {
			// no body
		} else if (/chunked/i.test(headers['transfer-encoding'] || '')) {
			const parts = [];
			let ok = false;
			for (;;) {
				const le = buf.indexOf('\r\n', p, 'latin1');
				if (le < 0) break;
				const size = parseInt(buf.subarray(p, le).toString('latin1').split(';')[0], 16);
				if (Number.isNaN(size)) { error = 'bad chunk size in response'; break; }
				p = le + 2;
				if (size === 0) {
					const te = buf.indexOf('\r\n\r\n', p - 2, 'latin1');
					if (te < 0) break;
					p = te + 4; ok = true; break;
				}
				if (p + size + 2 > buf.length) break;
				parts.push(buf.subarray(p, p + size));
				p += size + 2;
			}
			if (!ok) { error ||= 'incomplete chunked body'; break; }
			body = Buffer.concat(parts);
		} else if (headers['content-length'] !== undefined) {
			const n = Number(headers['content-length']);
			if (p + n > buf.length) { error = 'incomplete body'; break; }
			body = buf.subarray(p, p + n);
			p += n;
		} else {
			body = buf.subarray(p); // until close
			p = buf.length;
		}
		let json = null;
		try { json = JSON.parse(body.toString('utf8')); } catch { /* not JSON */ }
		out.push({ status, reason: m[3] || '', version: m[1], headers, rawHeaders, body, json });
		off = p;
	}
	return { responses: out, rest: buf.subarray(off), error };
}

/** Describes a raw exchange result for assertion messages. */
export function show(res) {
	const t = res.text.length > 600 ? res.text.slice(0, 600) + '...' : res.text;
	return `closed=${res.closed} reset=${res.reset} timedOut=${res.timedOut} ms=${res.ms} got=${JSON.stringify(t)}`;
}

/** Is `r` a contract error body: {"error":{"code":"snake_case","message":"..."}}? */
export function isErrorBody(json) {
	return !!(json && typeof json === 'object' && json.error && typeof json.error.code === 'string'
		&& /^[a-z][a-z0-9_]*$/.test(json.error.code) && typeof json.error.message === 'string');
}

// ---------------------------------------------------------------------------------
// Multipart bodies.

/** Builds a multipart/form-data body. parts: [{name, filename?, contentType?, data}] */
export function multipart(parts, boundary = '----kefuTestBoundary' + crypto.randomBytes(8).toString('hex')) {
	const bufs = [];
	for (const p of parts) {
		let h = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
		if (p.filename !== undefined) h += `; filename="${p.filename}"`;
		h += '\r\n';
		if (p.contentType) h += `Content-Type: ${p.contentType}\r\n`;
		h += '\r\n';
		bufs.push(Buffer.from(h, 'utf8'), Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data, 'utf8'), Buffer.from('\r\n'));
	}
	bufs.push(Buffer.from(`--${boundary}--\r\n`));
	return { body: Buffer.concat(bufs), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** All regular files under dir (recursive): [{path, size}]. Missing dir -> []. */
export async function listFiles(dir) {
	if (!existsSync(dir)) return [];
	const out = [];
	for (const e of await readdir(dir, { withFileTypes: true })) {
		const p = join(dir, e.name);
		if (e.isDirectory()) out.push(...await listFiles(p));
		else if (e.isFile()) out.push({ path: p, size: (await stat(p)).size });
	}
	return out;
}

export { readFile };

// ---------------------------------------------------------------------------------
// A minimal WebSocket client over node:net (RFC 6455), able to send malformed frames.

export const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Encodes one client frame. opts: {fin=true, rsv=0, mask=true, lengthOverride} */
export function wsFrame(opcode, payload = Buffer.alloc(0), o = {}) {
	if (typeof payload === 'string') payload = Buffer.from(payload, 'utf8');
	const fin = o.fin ?? true, mask = o.mask ?? true, rsv = o.rsv ?? 0;
	const len = payload.length;
	let hdr;
	if (len < 126) { hdr = Buffer.alloc(2); hdr[1] = len; }
	else if (len < 65536) { hdr = Buffer.alloc(4); hdr[1] = 126; hdr.writeUInt16BE(len, 2); }
	else { hdr = Buffer.alloc(10); hdr[1] = 127; hdr.writeBigUInt64BE(BigInt(len), 2); }
	hdr[0] = (fin ? 0x80 : 0) | ((rsv & 7) << 4) | (opcode & 0x0f);
	if (!mask) return Buffer.concat([hdr, payload]);
	hdr[1] |= 0x80;
	const key = crypto.randomBytes(4);
	const body = Buffer.from(payload);
	for (let i = 0; i < body.length; i++) body[i] ^= key[i & 3];
	return Buffer.concat([hdr, key, body]);
}

/**
 * wsConnect(host, port, path='/ws/echo', {headers, timeoutMs}) -> client:
 *   {sock, handshake: {status, headers}, send(buf), sendFrame(op, payload, o), text(s), binary(b),
 *    next(timeoutMs) -> frame {fin, rsv, opcode, masked, payload} | {eof:true} | {timeout:true},
 *    nextMessage(timeoutMs) -> {opcode, payload} (reassembles fragments, answers nothing),
 *    waitClose(timeoutMs) -> {code, reason, frame, eof, timeout} (skips data frames), end()}
 */
export function wsConnect(host, port, path = '/ws/echo', o = {}) {
	return new Promise((resolveP, reject) => {
		const key = crypto.randomBytes(16).toString('base64');
		const sock = net.connect({ host, port });
		let buf = Buffer.alloc(0), upgraded = false, eof = false, waiter = null;
		const t = setTimeout(() => { sock.destroy(); reject(new Error('WebSocket handshake timed out')); }, o.timeoutMs ?? 10000);
		const wake = () => { if (waiter) { const w = waiter; waiter = null; w(); } };
		sock.on('error', () => { eof = true; wake(); });
		sock.on('close', () => { eof = true; wake(); if (!upgraded) { clearTimeout(t); reject(new Error(`closed during handshake: ${buf.toString('latin1').slice(0, 300)}`)); } });
		sock.on('data', (d) => {
			buf = Buffer.concat([buf, d]);
			if (!upgraded) {
				const e = buf.indexOf('\r\n\r\n');
				if (e < 0) return;
				const { responses } = parseResponses(buf.subarray(0, e + 4));
				const res = responses[0];
				buf = buf.subarray(e + 4);
				upgraded = true;
				clearTimeout(t);
				const expectAccept = crypto.createHash('sha1').update(key + WS_GUID).digest('base64');
				if (!res || res.status !== 101) {
					sock.destroy();
					const err = new Error(`WebSocket handshake: expected 101, got ${res ? res.status : 'garbage'}`);
					err.response = res;
					reject(err);
					return;
				}
				client.handshake = { status: res.status, headers: res.headers, acceptOk: res.headers['sec-websocket-accept'] === expectAccept };
				resolveP(client);
			}
			wake();
		});
		const tryFrame = () => {
			if (buf.length < 2) return null;
			const b0 = buf[0], b1 = buf[1];
			let len = b1 & 0x7f, p = 2;
			if (len === 126) { if (buf.length < 4) return null; len = buf.readUInt16BE(2); p = 4; }
			else if (len === 127) { if (buf.length < 10) return null; len = Number(buf.readBigUInt64BE(2)); p = 10; }
			const masked = !!(b1 & 0x80);
			let mkey = null;
			if (masked) { if (buf.length < p + 4) return null; mkey = buf.subarray(p, p + 4); p += 4; }
			if (buf.length < p + len) return null;
			let payload = Buffer.from(buf.subarray(p, p + len));
			if (masked) for (let i = 0; i < payload.length; i++) payload[i] ^= mkey[i & 3];
			buf = buf.subarray(p + len);
			return { fin: !!(b0 & 0x80), rsv: (b0 >> 4) & 7, opcode: b0 & 0x0f, masked, payload };
		};
		const client = {
			sock, handshake: null,
			get eof() { return eof; },
			send(bytes) { if (!sock.destroyed) sock.write(bytes); },
			sendFrame(op, payload, fo) { client.send(wsFrame(op, payload, fo)); },
			text(s) { client.sendFrame(1, Buffer.from(s, 'utf8')); },
			binary(b) { client.sendFrame(2, b); },
			close(code = 1000, reason = '') {
				const p = Buffer.alloc(2 + Buffer.byteLength(reason));
				p.writeUInt16BE(code, 0); p.write(reason, 2);
				client.sendFrame(8, p);
			},
			async next(timeoutMs = 5000) {
				const deadline = Date.now() + timeoutMs;
				for (;;) {
					const f = tryFrame();
					if (f) return f;
					if (eof) return { eof: true };
					const left = deadline - Date.now();
					if (left <= 0) return { timeout: true };
					await new Promise((r) => {
						const tt = setTimeout(() => { waiter = null; r(); }, left);
						waiter = () => { clearTimeout(tt); r(); };
					});
				}
			},
			async nextMessage(timeoutMs = 5000) {
				const deadline = Date.now() + timeoutMs;
				let op = null; const parts = [];
				for (;;) {
					const f = await client.next(Math.max(1, deadline - Date.now()));
					if (f.eof || f.timeout) return f;
					if (f.opcode >= 8) { if (op === null) return { opcode: f.opcode, payload: f.payload, frame: f }; continue; }
					if (op === null) op = f.opcode;
					parts.push(f.payload);
					if (f.fin) return { opcode: op, payload: Buffer.concat(parts) };
				}
			},
			async waitClose(timeoutMs = 5000) {
				const deadline = Date.now() + timeoutMs;
				for (;;) {
					const f = await client.next(Math.max(1, deadline - Date.now()));
					if (f.eof) return { eof: true, code: null };
					if (f.timeout) return { timeout: true, code: null };
					if (f.opcode === 8) {
						const code = f.payload.length >= 2 ? f.payload.readUInt16BE(0) : null;
						return { code, reason: f.payload.subarray(2).toString('utf8'), frame: f };
					}
				}
			},
			/** Resolves true once the TCP connection is closed (false on timeout). */
			async waitEof(timeoutMs = 5000) {
				const deadline = Date.now() + timeoutMs;
				while (!eof) {
					const left = deadline - Date.now();
					if (left <= 0) return false;
					await new Promise((r) => {
						const tt = setTimeout(() => { waiter = null; r(); }, left);
						waiter = () => { clearTimeout(tt); r(); };
					});
					tryFrame(); // drop frames while waiting for EOF
				}
				return true;
			},
			end() { sock.destroy(); },
		};
		const hdrs = {
			Host: `${host}:${port}`, Upgrade: 'websocket', Connection: 'Upgrade',
			'Sec-WebSocket-Key': key, 'Sec-WebSocket-Version': '13', ...(o.headers || {}),
		};
		let req = `GET ${path} HTTP/1.1\r\n`;
		for (const [k, v] of Object.entries(hdrs)) if (v !== null) req += `${k}: ${v}\r\n`;
		sock.write(req + '\r\n');
	});
}

// ---------------------------------------------------------------------------------
// Request bytes and persistent raw connections.

/** Builds request bytes. headers: object or array of [name, value]; Host added unless present. */
export function buildRequest(method, path, headers = {}, body = null, { host = 'kefu.test', version = 'HTTP/1.1' } = {}) {
	const list = Array.isArray(headers) ? [...headers] : Object.entries(headers);
	if (!list.some(([k]) => k.toLowerCase() === 'host')) list.unshift(['Host', host]);
	if (body !== null && body !== undefined) {
		if (typeof body === 'string') body = Buffer.from(body, 'utf8');
		if (!list.some(([k]) => /^(content-length|transfer-encoding)$/i.test(k))) list.push(['Content-Length', String(body.length)]);
	}
	let head = `${method} ${path} ${version}\r\n`;
	for (const [k, v] of list) head += `${k}: ${v}\r\n`;
	const h = Buffer.from(head + '\r\n', 'utf8');
	return body ? Buffer.concat([h, body]) : h;
}

/**
 * openConn(host, port) -> a persistent raw connection:
 *   {sock, write(bytes), responses(n, timeoutMs, methods) -> parsed responses once n are complete
 *    (or what there is on timeout/close), data() -> Buffer so far, closed, waitClose(timeoutMs) -> bool, end()}
 */
export function openConn(host, port) {
	return new Promise((resolveP, reject) => {
		const sock = net.connect({ host, port });
		let buf = Buffer.alloc(0), closed = false, waiter = null;
		const wake = () => { if (waiter) { const w = waiter; waiter = null; w(); } };
		const waitFor = async (pred, timeoutMs) => {
			const deadline = Date.now() + timeoutMs;
			while (!pred()) {
				if (closed) return pred();
				const left = deadline - Date.now();
				if (left <= 0) return false;
				await new Promise((r) => {
					const tt = setTimeout(() => { waiter = null; r(); }, left);
					waiter = () => { clearTimeout(tt); r(); };
				});
			}
			return true;
		};
		sock.on('data', (d) => { buf = Buffer.concat([buf, d]); wake(); });
		sock.on('close', () => { closed = true; wake(); });
		sock.on('error', () => { closed = true; wake(); });
		const c = {
			sock,
			get closed() { return closed; },
			data: () => buf,
			write(bytes) { if (!sock.destroyed) sock.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes, () => {}); },
			async responses(n = 1, timeoutMs = 5000, methods = []) {
				await waitFor(() => parseResponses(buf, methods).responses.length >= n, timeoutMs);
				return parseResponses(buf, methods).responses;
			},
			waitClose(timeoutMs = 5000) { return waitFor(() => closed, timeoutMs); },
			end() { sock.destroy(); },
		};
		sock.once('connect', () => resolveP(c));
		sock.once('error', (e) => reject(e));
	});
}

// ---------------------------------------------------------------------------------
// SMTP sink: Debian's aiosmtpd (/usr/bin/python3 -m aiosmtpd) on a free loopback port,
// printing every message it receives. One copy here so the mail tests parse alike.

/** Polls fn (sync or async) every step ms until it returns something truthy, which it resolves;
 * throws "timed out waiting for <what>" after ms. */
export async function until(fn, what, ms = 5000, step = 100) {
	const t0 = Date.now();
	for (;;) {
		const v = await fn();
		if (v) return v;
		if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
		await sleep(step);
	}
}

/** A free loopback TCP port (listen on 0, read it, close). */
export async function freePort() {
	const s = net.createServer();
	await new Promise((r) => s.listen(0, '127.0.0.1', r));
	const { port } = s.address();
	await new Promise((r) => s.close(r));
	return port;
}

/**
 * smtpSink(procs) starts the sink and pushes its process onto `procs` (the caller kills it
 * in its after hook). Resolves {port, mails}; mails() parses what arrived so far into
 * [{to, subject, body}] (base64 bodies, RFC 2047 subjects, folded headers joined).
 */
export async function smtpSink(procs) {
	const port = await freePort();
	const p = spawn('/usr/bin/python3', ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`],
		{ stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PYTHONUNBUFFERED: '1' } });
	procs.push(p);
	let out = '';
	p.stdout.on('data', (d) => { out += d; });
	for (let i = 0; i < 50; i++) {
		const ok = await new Promise((r) => { const c = net.connect(port, '127.0.0.1', () => { c.end(); r(true); }); c.on('error', () => r(false)); });
		if (ok) break;
		await sleep(100);
	}
	const decode = (s) => s.replace(/=\?UTF-8\?B\?([^?]*)\?=/gi, (_, b) => Buffer.from(b, 'base64').toString('utf8')).replace(/\s+/g, ' ');
	const mails = () => out.split(/^-{10} MESSAGE FOLLOWS -{10}$/m).slice(1).map((m) => {
		const [head, ...rest] = m.split(/\r?\n\r?\n/);
		const h = (k) => decode((new RegExp(`^${k}: (.*(?:\\r?\\n[ \\t].*)*)`, 'mi').exec(head) || [])[1] || '');
		const body = Buffer.from(rest.join('\n').replace(/-{10} END MESSAGE -{10}[\s\S]*/, '').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64').toString('utf8');
		return { to: h('To'), subject: h('Subject'), body };
	});
	return { port, mails };
}
