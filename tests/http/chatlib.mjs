// tests/http/chatlib.mjs - helpers for the black-box live-chat tests (docs/chat-protocol.md).
//
// Visitor and agent WebSocket clients (npm `ws`), a frame queue with next(type, timeout),
// and the REST calls around the chat (sites, members, conversations). Servers come from
// lib.mjs (startKefu); nothing here depends on the server's source.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import WebSocket from 'ws';
import {
	startKefu, request, login, sleep, ADMIN_EMAIL, ADMIN_PASSWORD,
} from './lib.mjs';

export { sleep };

// ---------------------------------------------------------------------------------
// Small things.

let cidCounter = 0;
/** A fresh client_id (1-64 chars of [A-Za-z0-9_-]). */
export function cid(prefix = 'c') {
	cidCounter++;
	return `${prefix}-${cidCounter}-${crypto.randomBytes(4).toString('hex')}`;
}

/** A random marker string, to look for in transcripts and raw frames. */
export function marker(prefix = 'mk') {
	return `${prefix}_${crypto.randomBytes(6).toString('hex')}`;
}

/** Short JSON for assertion messages. */
export function j(v, max = 800) {
	let s;
	try { s = JSON.stringify(v); } catch { s = String(v); }
	return s && s.length > max ? s.slice(0, max) + '...' : s;
}

// ---------------------------------------------------------------------------------
// A WebSocket peer with a frame queue.

/**
 * Wraps a `ws` socket. Every text frame is parsed as JSON and appended to `frames` (the whole
 * log, in arrival order) and to `queue` (what next() has not taken yet). `raw` keeps the texts.
 */
export class Peer {
	constructor(ws, label = 'peer') {
		this.ws = ws;
		this.label = label;
		this.frames = [];
		this.raw = [];
		this.queue = [];
		this.closeInfo = null; // {code, reason} once closed
		this.maxSeq = new Map(); // conversation_id -> highest seq seen
		this._waiters = new Set();
		ws.on('message', (data, isBinary) => {
			const text = Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data).toString('utf8');
			this.raw.push(text);
			let f;
			try { f = JSON.parse(text); } catch { f = { type: '__not_json__', text }; }
			if (isBinary) f = { type: '__binary__', text };
			if (f === null || typeof f !== 'object' || Array.isArray(f)) f = { type: '__not_object__', value: f };
			this.frames.push(f);
			this.queue.push(f);
			this._note(f);
			this._wake();
		});
		ws.on('close', (code, reason) => {
			this.closeInfo = { code, reason: reason ? reason.toString() : '' };
			this._wake();
		});
		ws.on('error', (e) => { this.lastError = e; this._wake(); });
	}

	_note(f) {
		const see = (m) => {
			if (m && m.conversation_id !== undefined && typeof m.seq === 'number') {
				const cur = this.maxSeq.get(m.conversation_id) ?? 0;
				if (m.seq > cur) this.maxSeq.set(m.conversation_id, m.seq);
			}
		};
		if (f.type === 'msg') see(f.message);
		else if (f.type === 'ack') see(f);
		else if ((f.type === 'welcome' || f.type === 'history') && Array.isArray(f.messages)) f.messages.forEach(see);
	}

	_wake() {
		for (const w of [...this._waiters]) w();
	}

	_wait(ms) {
		return new Promise((r) => {
			let t = null;
			const w = () => { clearTimeout(t); this._waiters.delete(w); r(); };
			t = setTimeout(w, ms);
			this._waiters.add(w);
		});
	}

	get isOpen() { return this.ws.readyState === WebSocket.OPEN; }

	/** Sends an object as one JSON text frame. */
	send(obj) { this.ws.send(JSON.stringify(obj)); }

	/** Sends a text frame as is. */
	sendText(s) { this.ws.send(s); }

	/** A summary of the frames received so far, for failure messages. */
	describe(n = 12) {
		const last = this.frames.slice(-n).map((f) => j(f, 300));
		return `${this.label}: ${this.frames.length} frame(s) received${this.closeInfo ? `, closed ${j(this.closeInfo)}` : ''}; last: [${last.join(', ')}]`;
	}

	/**
	 * Waits for the next frame of `type` (optionally also matching `where(frame)`), takes it off the
	 * queue and returns it. Frames of other types stay queued. Throws on timeout, when the socket
	 * closes first, or (unless type is 'error' or opts.allowErrors) when an unexpected `error` frame
	 * is queued, so that a refused request fails fast with the server's answer.
	 */
	async next(type, timeoutMs = 5000, where = null, opts = {}) {
		const deadline = Date.now() + timeoutMs;
		const match = (f) => f.type === type && (!where || where(f));
		for (;;) {
			const i = this.queue.findIndex(match);
			if (i >= 0) return this.queue.splice(i, 1)[0];
			if (type !== 'error' && !opts.allowErrors) {
				const e = this.queue.find((f) => f.type === 'error');
				if (e) throw new Error(`${this.label}: waiting for "${type}", got error ${j(e)}; ${this.describe()}`);
			}
			if (this.closeInfo) throw new Error(`${this.label}: closed (${j(this.closeInfo)}) while waiting for "${type}"; ${this.describe()}`);
			const left = deadline - Date.now();
			if (left <= 0) throw new Error(`${this.label}: no "${type}" frame${where ? ' (matching)' : ''} within ${timeoutMs} ms; ${this.describe()}`);
			await this._wait(left);
		}
	}

	/** Takes the first queued frame for which where(frame) holds (any type); throws on timeout or close. */
	async nextMatch(where, timeoutMs = 5000, what = 'matching frame') {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			const i = this.queue.findIndex(where);
			if (i >= 0) return this.queue.splice(i, 1)[0];
			if (this.closeInfo) throw new Error(`${this.label}: closed (${j(this.closeInfo)}) while waiting for ${what}; ${this.describe()}`);
			const left = deadline - Date.now();
			if (left <= 0) throw new Error(`${this.label}: no ${what} within ${timeoutMs} ms; ${this.describe()}`);
			await this._wait(left);
		}
	}

	/** The answer to a msg with this client_id: its ack or an error that carries it. */
	answerTo(clientId, timeoutMs = 5000) {
		return this.nextMatch((f) => (f.type === 'ack' || f.type === 'error') && f.client_id === clientId, timeoutMs, `ack/error for ${clientId}`);
	}

	/** Next frame of any type (in arrival order), or null on timeout/close. */
	async nextAny(timeoutMs = 5000) {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			if (this.queue.length) return this.queue.shift();
			if (this.closeInfo) return null;
			const left = deadline - Date.now();
			if (left <= 0) return null;
			await this._wait(left);
		}
	}

	/**
	 * Waits `ms` and returns every frame of `type` matching `where` that arrived (queued, not taken),
	 * for asserting that nothing came: assert.deepEqual(await p.quiet('msg', 500), []).
	 */
	async quiet(type, ms = 500, where = null) {
		await sleep(ms);
		return this.queue.filter((f) => f.type === type && (!where || where(f)));
	}

	/** All frames of `type` received so far (taken or not). */
	seen(type, where = null) {
		return this.frames.filter((f) => f.type === type && (!where || where(f)));
	}

	/** Drops everything queued. */
	drain() { this.queue.length = 0; }

	/** Waits for the close; resolves {code, reason} or {timeout: true}. */
	async waitClose(timeoutMs = 5000) {
		const deadline = Date.now() + timeoutMs;
		while (!this.closeInfo) {
			const left = deadline - Date.now();
			if (left <= 0) return { timeout: true, code: null };
			await this._wait(left);
		}
		return this.closeInfo;
	}

	/** Sends {"type":"ping"} and waits for the pong: proves the connection is still usable. */
	async roundTrip(timeoutMs = 5000) {
		this.send({ type: 'ping' });
		return this.next('pong', timeoutMs);
	}

	/** Drops the TCP connection without a close handshake (a lost network). */
	terminate() { try { this.ws.terminate(); } catch { /* gone */ } }

	close(code = 1000) { try { this.ws.close(code); } catch { /* gone */ } }
}

const openPeers = new Set();

/** Terminates every socket opened through this module (for afterEach/after). */
export function closeAllPeers() {
	for (const p of openPeers) p.terminate();
	openPeers.clear();
}

/**
 * Opens ws://HOST:PORT/PATH. Resolves a Peer once upgraded; rejects with err.status (and
 * err.body) when the server answers the upgrade with another HTTP status.
 */
export function openWs(srv, path, o = {}) {
	return new Promise((resolveP, reject) => {
		const url = `ws://${srv.host}:${srv.port}${path}`;
		const headers = { ...(o.headers || {}) };
		if (o.cookie) headers.Cookie = o.cookie;
		const ws = new WebSocket(url, {
			headers,
			...(o.origin ? { origin: o.origin } : {}),
			perMessageDeflate: false,
			handshakeTimeout: o.timeoutMs ?? 10000,
			maxPayload: 256 << 20,
		});
		const peer = new Peer(ws, o.label || path);
		let settled = false;
		ws.once('open', () => { settled = true; openPeers.add(peer); resolveP(peer); });
		ws.once('unexpected-response', (req, res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			const done = () => {
				if (settled) return;
				settled = true;
				const body = Buffer.concat(chunks).toString('utf8');
				const e = new Error(`${path}: expected 101, got ${res.statusCode} ${body.slice(0, 300)}`);
				e.status = res.statusCode;
				e.body = body;
				e.headers = res.headers;
				try { req.destroy(); } catch { /* gone */ }
				reject(e);
			};
			res.on('end', done);
			res.on('error', done);
			setTimeout(done, 2000);
		});
		ws.on('error', (e) => { if (!settled) { settled = true; reject(e); } });
		ws.on('close', (code) => {
			if (!settled) { settled = true; const e = new Error(`${path}: closed (${code}) during the handshake`); e.closeCode = code; reject(e); }
		});
	});
}

/**
 * Opens a visitor socket (/ws/visitor?site=KEY) and, unless hello === false, sends
 * {"type":"hello", ...hello} and waits for the welcome (peer.welcome).
 * o.origin defaults to http://shop.test.
 */
export async function connectVisitor(srv, siteKey, hello = {}, o = {}) {
	const peer = await openWs(srv, `/ws/visitor?site=${encodeURIComponent(siteKey)}`, {
		origin: o.origin === undefined ? 'http://shop.test' : o.origin,
		label: o.label || 'visitor',
		headers: o.headers,
	});
	if (hello === false) return peer;
	peer.send({ type: 'hello', ...hello });
	peer.welcome = await peer.next('welcome', o.timeoutMs ?? 5000);
	peer.token = peer.welcome.token;
	peer.visitorId = peer.welcome.visitor_id;
	return peer;
}

/**
 * Opens an agent socket (/ws/agent) with the session cookie and Origin http://HOST:PORT, sends
 * hello (unless o.hello === false) and waits for the welcome; then, if o.status is set, sends
 * {"type":"status","status":o.status}.
 */
export async function connectAgent(srv, sess, o = {}) {
	const peer = await openWs(srv, '/ws/agent', {
		cookie: sess ? sess.cookie : undefined,
		origin: o.origin === undefined ? `http://${srv.host}:${srv.port}` : o.origin,
		label: o.label || `agent ${sess?.user?.email ?? '?'}`,
		headers: o.headers,
	});
	if (o.hello === false) return peer;
	peer.send({ type: 'hello' });
	peer.welcome = await peer.next('welcome', o.timeoutMs ?? 5000);
	if (o.status) {
		peer.send({ type: 'status', status: o.status });
		await sleep(50);
	}
	return peer;
}

/** Sends a msg and waits for its ack. fields: {text, conversation_id?, note?, client_id?}. */
export async function sendMsg(peer, fields, timeoutMs = 5000) {
	const client_id = fields.client_id ?? cid(peer.label.startsWith('agent') ? 'a' : 'v');
	peer.send({ type: 'msg', ...fields, client_id });
	return peer.next('ack', timeoutMs, (f) => f.client_id === client_id);
}

/** Agent: watch a conversation and return the history frame. */
export async function watch(agent, conversationId, lastSeq, timeoutMs = 5000) {
	const f = { type: 'watch', conversation_id: conversationId };
	if (lastSeq !== undefined) f.last_seq = lastSeq;
	agent.send(f);
	return agent.next('history', timeoutMs, (h) => h.conversation_id === conversationId);
}

/** Next msg frame whose message matches `where(message)`. */
export function nextMsg(peer, where = () => true, timeoutMs = 5000) {
	return peer.next('msg', timeoutMs, (f) => f.message && where(f.message));
}

/** Waits for an error frame and checks its shape and code (codes: a string or a list of them). */
export async function expectError(peer, codes, what, timeoutMs = 5000, where = null) {
	const list = Array.isArray(codes) ? codes : [codes];
	const e = await peer.next('error', timeoutMs, where);
	assert.ok(list.includes(e.code), `${what}: expected error code ${list.join(' or ')}, got ${j(e)}`);
	assert.equal(typeof e.message, 'string', `${what}: error frame has a "message" string: ${j(e)}`);
	return e;
}

// ---------------------------------------------------------------------------------
// REST around the chat.

function must(r, status, what) {
	if (r.status !== status) throw new Error(`${what}: expected ${status}, got ${r.status} ${r.text.slice(0, 500)}`);
	return r;
}

export async function adminLogin(srv) { return login(srv.base, ADMIN_EMAIL, ADMIN_PASSWORD); }

/** POST /api/v1/sites (admin) -> the site object ({id, key, ...}). */
export async function createSite(srv, sess, body) {
	const r = await request(srv.base, 'POST', '/api/v1/sites', { cookie: sess.cookie, csrf: sess.csrf, json: body });
	must(r, 201, `POST /api/v1/sites ${j(body)}`);
	assert.ok(r.json && r.json.site && r.json.site.id !== undefined && typeof r.json.site.key === 'string',
		`POST /api/v1/sites answers {"site":{id,key,...}}: ${r.text}`);
	return r.json.site;
}

/** PUT /api/v1/sites/:id/members (admin). */
export async function setMembers(srv, sess, siteId, userIds) {
	const r = await request(srv.base, 'PUT', `/api/v1/sites/${siteId}/members`, {
		cookie: sess.cookie, csrf: sess.csrf, json: { user_ids: userIds },
	});
	if (r.status !== 200 && r.status !== 204) must(r, 200, `PUT /api/v1/sites/${siteId}/members`);
	return r;
}

/** email -> user id, from GET /api/v1/users (admin). */
export async function userIds(srv, sess) {
	const r = must(await request(srv.base, 'GET', '/api/v1/users', { cookie: sess.cookie }), 200, 'GET /api/v1/users');
	const out = {};
	for (const u of r.json.users) out[u.email] = u.id;
	return out;
}

/** GET /api/v1/conversations/:id -> the raw response ({status, json, text}). */
export function getConversationRaw(srv, sess, id) {
	return request(srv.base, 'GET', `/api/v1/conversations/${id}`, { cookie: sess.cookie });
}

/** GET /api/v1/conversations/:id; throws unless 200. Returns {conversation, messages, text}. */
export async function getConversation(srv, sess, id) {
	const r = must(await getConversationRaw(srv, sess, id), 200, `GET /api/v1/conversations/${id}`);
	assert.ok(r.json && r.json.conversation && Array.isArray(r.json.messages),
		`GET /api/v1/conversations/${id} answers {"conversation","messages"}: ${r.text.slice(0, 500)}`);
	return { ...r.json, text: r.text };
}

/** GET /api/v1/conversations?status=... -> the list (accepts {"conversations":[...]}). */
export async function listConversations(srv, sess, status = 'all') {
	const r = must(await request(srv.base, 'GET', `/api/v1/conversations?status=${status}`, { cookie: sess.cookie }),
		200, `GET /api/v1/conversations?status=${status}`);
	const list = r.json && Array.isArray(r.json.conversations) ? r.json.conversations : null;
	assert.ok(list, `GET /api/v1/conversations answers {"conversations":[...]}: ${r.text.slice(0, 500)}`);
	return list;
}

/** The agent id of a conversation object ({agent:{id}} or agent_id), or null. */
export function agentIdOf(conv) {
	if (!conv) return null;
	if (conv.agent && conv.agent.id !== undefined) return conv.agent.id;
	if (conv.agent_id !== undefined) return conv.agent_id;
	return null;
}

// ---------------------------------------------------------------------------------
// A server with agents and sites.

export const AGENT1 = { email: 'agent1@example.com', password: 'agent1-password', role: 'agent', name: '小王' };
export const AGENT2 = { email: 'agent2@example.com', password: 'agent2-password', role: 'agent', name: 'Second' };
export const OUTSIDER = { email: 'outsider@example.com', password: 'outsider-password', role: 'agent', name: 'Outsider' };

/**
 * Starts kefu with AGENT1, AGENT2 and OUTSIDER, creates a preview site and a plain site
 * (members: admin, agent1, agent2; OUTSIDER belongs to neither) and signs everyone in.
 * Returns {srv, admin, a1, a2, out, ids, preview, plain}.
 */
export async function chatSetup(opts = {}) {
	const limits = { login_attempts_per_min: 1000, ...(opts.limits || {}) };
	const srv = await startKefu({ conf: { ...(opts.conf || {}), limits }, users: [AGENT1, AGENT2, OUTSIDER], keepDir: opts.keepDir });
	const env = await chatSignIn(srv);
	env.preview = await createSite(srv, env.admin, { name: 'Preview shop', greeting: '您好！有什么可以帮您？', preview: true, offline_message: 'We are away' });
	env.plain = await createSite(srv, env.admin, { name: 'Plain shop', greeting: 'Hello', preview: false });
	for (const s of [env.preview, env.plain]) {
		await setMembers(srv, env.admin, s.id, [env.ids[ADMIN_EMAIL], env.ids[AGENT1.email], env.ids[AGENT2.email]]);
	}
	return env;
}

/** Signs in admin and the three agents on `srv`. */
export async function chatSignIn(srv) {
	const admin = await adminLogin(srv);
	const ids = await userIds(srv, admin);
	return {
		srv, admin, ids,
		a1: await login(srv.base, AGENT1.email, AGENT1.password),
		a2: await login(srv.base, AGENT2.email, AGENT2.password),
		out: await login(srv.base, OUTSIDER.email, OUTSIDER.password),
	};
}

/** Resolves true when the server answers /ws/visitor (with a 101 or a 4xx other than 404/426). */
export async function supportsVisitorWs(srv) {
	try {
		const p = await openWs(srv, '/ws/visitor?site=probe');
		p.terminate();
		return true;
	} catch (e) {
		return e.status !== undefined ? e.status !== 404 : e.closeCode !== undefined;
	}
}
