// bench/chat/worker.mjs - one load-client process for bench/chat.sh, driven by load.mjs over IPC.
//
//   node bench/chat/worker.mjs visitor ID     visitors: hello -> welcome, optional first message,
//                                             then messages on a per-visitor period (open loop)
//   node bench/chat/worker.mjs agent ID       one agent socket per target; watches every
//                                             conversation it hears of (id % of == index) and
//                                             timestamps the visitor messages it receives
//
// Speaks docs/chat-protocol.md with npm `ws`; the same code drives kefu and bench/chat/relay.mjs.
// Timestamps are CLOCK_MONOTONIC (process.hrtime), which every process on the machine shares,
// so latency = agent receive time - visitor send time needs no clock sync. A visitor message's
// text is "b TAG T_SEND_US".
import WebSocket from 'ws';

const [role, wid] = process.argv.slice(2);
const ID = Number(wid) || 0;
const hr = () => Number(process.hrtime.bigint() / 1000n); // µs
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Source addresses: at most PER_IP connections per loopback address, so that kefu's per-IP cap
// (max_conns_per_ip, 256 by default) applies as it would to real visitors.
const PER_IP = 200;
function sourceAddr(j) {
	const k = Math.floor(j / PER_IP);
	return `127.${20 + ID}.${Math.floor(k / 250)}.${1 + (k % 250)}`;
}

function bump(o, k, n = 1) { o[k] = (o[k] || 0) + n; }

function openSocket(url, o) {
	return new Promise((resolve, reject) => {
		const ws = new WebSocket(url, {
			perMessageDeflate: false,
			handshakeTimeout: 30000,
			...(o.origin ? { origin: o.origin } : {}),
			...(o.headers ? { headers: o.headers } : {}),
			...(o.localAddress ? { localAddress: o.localAddress } : {}),
		});
		let done = false;
		ws.once('open', () => { done = true; resolve(ws); });
		ws.once('unexpected-response', (req, res) => {
			if (done) return;
			done = true;
			reject(new Error(`HTTP ${res.statusCode}`));
			try { req.destroy(); } catch { /* gone */ }
		});
		ws.once('error', (e) => { if (!done) { done = true; reject(e); } });
		ws.once('close', (code) => { if (!done) { done = true; reject(new Error(`closed ${code} in handshake`)); } });
	});
}

// ---------------------------------------------------------------------------------------------
// Visitors.

const targets = new Map(); // name -> {visitors: [], opened}
let nextConn = 0;          // source-address counter across targets (each server counts its own)

class Visitor {
	constructor(t, ws) {
		this.t = t;
		this.ws = ws;
		this.conv = 0;
		this.n = 0;
		this.waiter = null;
		this.closed = null;
		ws.on('message', (data) => this.onFrame(data));
		ws.on('close', (code) => {
			this.closed = code;
			if (this.t.run) bump(this.t.run.errors, `closed ${code}`);
			else bump(this.t.closedIdle, `closed ${code}`);
			if (this.waiter) this.waiter(new Error(`closed ${code}`));
		});
		ws.on('error', (e) => { bump(this.t.wsErrors, e.code || e.message); });
	}

	onFrame(data) {
		let f;
		try { f = JSON.parse(data); } catch { f = { type: '__bad__' }; }
		if (this.waiter) {
			if (f.type === this.want || f.type === 'error') {
				const w = this.waiter;
				this.waiter = null;
				w(f.type === 'error' ? new Error(`error ${f.code}`) : null, f);
			}
			return;
		}
		const run = this.t.run;
		if (!run) return;
		if (f.type === 'ack') run.acked++;
		else if (f.type === 'error') bump(run.errors, f.code);
	}

	expect(type, ms) {
		return new Promise((resolve, reject) => {
			const timer = setTimeout(() => { this.waiter = null; reject(new Error(`no ${type} in ${ms} ms`)); }, ms);
			this.want = type;
			this.waiter = (err, f) => { clearTimeout(timer); err ? reject(err) : resolve(f); };
		});
	}
}

async function vConnect({ target, url, origin, n, startConv, concurrency = 64 }) {
	let t = targets.get(target);
	if (!t) {
		t = { visitors: [], run: null, closedIdle: {}, wsErrors: {} };
		targets.set(target, t);
	}
	const t0 = Date.now();
	let ok = 0, failed = 0, next = 0;
	const errs = {};
	const one = async () => {
		const ws = await openSocket(url, { origin, localAddress: sourceAddr(nextConn++) });
		const v = new Visitor(t, ws);
		try {
			const w = v.expect('welcome', 30000);
			ws.send(JSON.stringify({ type: 'hello', lang: 'zh-CN' }));
			await w;
			if (startConv) {
				const a = v.expect('ack', 30000);
				ws.send(JSON.stringify({ type: 'msg', client_id: `s${ID}-${t.visitors.length}-${next}`, text: '你好，请问在吗？' }));
				v.conv = (await a).conversation_id;
			}
		} catch (e) {
			ws.terminate();
			throw e;
		}
		t.visitors.push(v);
	};
	const lane = async () => {
		while (next < n) {
			next++;
			try { await one(); ok++; } catch (e) { failed++; bump(errs, e.code || e.message); }
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, n) }, lane));
	return { ok, failed, errs, ms: Date.now() - t0, open: t.visitors.filter((v) => v.closed === null).length };
}

// Open-loop sending: visitor i of this worker sends every periodMs, first at startAt + phase_i,
// phases spread evenly over the period (interleaved with the other workers' via offset).
async function vRun({ target, tag, periodMs, durationMs, startAt, offset = 0, drainMs = 5000 }) {
	const t = targets.get(target);
	const vs = t ? t.visitors.filter((v) => v.closed === null) : [];
	const run = { sent: 0, acked: 0, errors: {}, lagMax: 0, lags: [] };
	if (!vs.length) return { ...run, visitors: 0 };
	t.run = run;
	const P = periodMs * 1000, n = vs.length;
	const next = vs.map((_, i) => startAt + ((i + offset) / n) * P);
	const end = startAt + durationMs * 1000;
	let ptr = 0;
	await sleep(Math.max(0, (startAt - hr()) / 1000 - 1));
	await new Promise((resolve) => {
		const tick = () => {
			let now = hr();
			for (let budget = 0; budget < 2000; budget++) {
				const due = next[ptr];
				if (due > now || due >= end) break;
				const v = vs[ptr];
				if (v.closed === null) {
					now = hr();
					const lag = now - due;
					if (lag > run.lagMax) run.lagMax = lag;
					if ((run.sent & 15) === 0) run.lags.push(lag);
					v.ws.send(`{"type":"msg","client_id":"b${ID}-${tag}-${ptr}-${v.n++}","text":"b ${tag} ${now}"}`);
					run.sent++;
				}
				next[ptr] += P;
				ptr = ptr + 1 === n ? 0 : ptr + 1;
			}
			if (now >= end || next[ptr] >= end) { clearInterval(iv); resolve(); }
		};
		const iv = setInterval(tick, 1);
		tick();
	});
	const dl = Date.now() + drainMs;
	while (run.acked < run.sent && Date.now() < dl) await sleep(20);
	t.run = null;
	run.lags.sort((a, b) => a - b);
	const lagP99 = run.lags.length ? run.lags[Math.min(run.lags.length - 1, Math.floor(run.lags.length * 0.99))] : 0;
	return { sent: run.sent, acked: run.acked, errors: run.errors, lagMaxUs: run.lagMax, lagP99Us: lagP99, visitors: n };
}

function vClose({ target }) {
	const t = targets.get(target);
	if (!t) return { closed: 0 };
	for (const v of t.visitors) v.ws.terminate();
	const n = t.visitors.length;
	targets.delete(target);
	return { closed: n };
}

function vStatus({ target }) {
	const t = targets.get(target);
	if (!t) return { open: 0 };
	return { open: t.visitors.filter((v) => v.closed === null).length, closedIdle: t.closedIdle, wsErrors: t.wsErrors };
}

// ---------------------------------------------------------------------------------------------
// Agents.

const agents = new Map(); // target -> agent state

async function aConnect({ target, url, origin, cookie, index = 0, of = 1 }) {
	const ws = await openSocket(url, { origin, headers: cookie ? { Cookie: cookie } : undefined });
	const a = { ws, index, of, known: new Set(), watched: 0, tag: null, recv: 0, samples: [], errors: {}, closed: null, other: {} };
	agents.set(target, a);
	const watch = (id) => {
		if (a.known.has(id)) return;
		a.known.add(id);
		if (id % of === index) ws.send(`{"type":"watch","conversation_id":${id}}`);
	};
	let welcomed;
	const welcome = new Promise((r) => { welcomed = r; });
	ws.on('message', (data) => {
		const now = hr();
		let f;
		try { f = JSON.parse(data); } catch { bump(a.errors, 'bad_json'); return; }
		switch (f.type) {
		case 'msg': {
			const m = f.message;
			if (!m || m.from !== 'visitor' || typeof m.text !== 'string' || m.text.charCodeAt(0) !== 98 /* b */) return;
			const sp = m.text.indexOf(' ', 2);
			if (m.text.slice(2, sp) !== a.tag) { bump(a.other, 'msg_other_tag'); return; }
			const ts = Number(m.text.slice(sp + 1));
			a.recv++;
			a.samples.push(ts, now - ts);
			break;
		}
		case 'conversation':
			if (f.conversation && typeof f.conversation.id === 'number') watch(f.conversation.id);
			break;
		case 'history': a.watched++; break;
		case 'welcome':
			for (const c of f.conversations || []) watch(c.id);
			welcomed();
			break;
		case 'error': bump(a.errors, f.code); break;
		default: bump(a.other, f.type);
		}
	});
	ws.on('close', (code) => { a.closed = code; });
	ws.send('{"type":"hello"}');
	await Promise.race([welcome, sleep(10000).then(() => { throw new Error('agent: no welcome'); })]);
	return { ok: true };
}

function aBegin({ target, tag }) {
	const a = agents.get(target);
	a.tag = tag;
	a.recv = 0;
	a.samples = [];
	a.errors = {};
	return { ok: true };
}

function aCount({ target }) {
	const a = agents.get(target);
	return a ? { recv: a.recv, watched: a.watched, known: a.known.size, closed: a.closed, errors: a.errors } : { recv: 0, watched: 0 };
}

// Latencies (ms) of the messages sent within [from, to] (µs), and the total received for the tag.
function aEnd({ target, from, to }) {
	const a = agents.get(target);
	const lat = [];
	for (let i = 0; i < a.samples.length; i += 2) {
		const ts = a.samples[i];
		if (ts >= from && ts <= to) lat.push(Math.round(a.samples[i + 1]) / 1000);
	}
	const r = { recv: a.recv, lat, errors: a.errors, closed: a.closed };
	a.tag = null;
	a.samples = [];
	return r;
}

function aClose({ target }) {
	const a = agents.get(target);
	if (a) a.ws.terminate();
	agents.delete(target);
	return { ok: true };
}

// ---------------------------------------------------------------------------------------------

const handlers = role === 'agent'
	? { connect: aConnect, begin: aBegin, count: aCount, end: aEnd, close: aClose }
	: { connect: vConnect, run: vRun, close: vClose, status: vStatus };

process.on('message', async (m) => {
	try {
		const h = handlers[m.cmd];
		if (!h) throw new Error(`unknown command ${m.cmd}`);
		const result = await h(m.args || {});
		process.send({ rid: m.rid, result });
	} catch (e) {
		process.send({ rid: m.rid, error: String(e && e.stack || e) });
	}
});
process.on('disconnect', () => process.exit(0));
