// Crash safety of the chat (docs/chat-protocol.md, "Persist, then acknowledge" and "Exactly once"):
// visitors pipeline messages, the server is killed with SIGKILL while they are in flight, and after
// a restart on the same data dir every acknowledged message is in the transcript exactly once.
// Knobs: CHAT_CRASH_CLIENTS (10), CHAT_CRASH_TOTAL (1000), CHAT_CRASH_WINDOW (20 unacked per client),
// CHAT_CRASH_KILL_AT (acks before the kill; default: three rounds, after 10%, 40% and 80%).
// The server runs with [limits] chat_msgs_per_10s raised (docs/deploy.md) so that the messages go as
// fast as the server acks them; rate_limited answers, should any come, are retried a second later (rule 5).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { startKefu, stopAll, sleep } from './lib.mjs';
import {
	chatSetup, chatSignIn, connectVisitor, getConversation, closeAllPeers, j,
} from './chatlib.mjs';

const CLIENTS = Number(process.env.CHAT_CRASH_CLIENTS || 10);
const TOTAL = Number(process.env.CHAT_CRASH_TOTAL || 1000);
const WINDOW = Number(process.env.CHAT_CRASH_WINDOW || 20);
const KILL_AT = Number(process.env.CHAT_CRASH_KILL_AT || Math.floor(TOTAL * 0.4));
const KILL_DEADLINE_MS = 30000; // kill anyway after this long, whatever the ack count

const dirs = [];
after(async () => {
	closeAllPeers();
	await stopAll();
	for (const d of dirs) await rm(d, { recursive: true, force: true });
});

// The kill comes after KILL_AT acks (one round), or, by default, in three rounds after 10%, 40% and 80%.
const KILL_POINTS = process.env.CHAT_CRASH_KILL_AT ? [KILL_AT] : [0.1, 0.4, 0.8].map((f) => Math.floor(TOTAL * f));
for (const killAt of KILL_POINTS) {
	test(`crash safety: ${CLIENTS} visitors pipeline ${TOTAL} messages, SIGKILL after ${killAt} acks, restart: every acked client_id is stored exactly once; resending the rest stores each once`, { timeout: 180000 }, (t) => crashRound(t, killAt));
}

async function crashRound(t, KILL_AT) {
	const env = await chatSetup({ keepDir: true, limits: { chat_msgs_per_10s: 1000000 } });
	const srv = env.srv;
	dirs.push(srv.dir);
	const per = Math.ceil(TOTAL / CLIENTS);

	const clients = [];
	for (let i = 0; i < CLIENTS; i++) {
		const v = await connectVisitor(srv, env.preview.key, {}, { label: `crash visitor ${i}` });
		const todo = [];
		for (let k = 0; k < per && i * per + k < TOTAL; k++) todo.push({ client_id: `crash-${i}-${k}`, text: `crash message ${i}/${k}` });
		clients.push({ i, v, token: v.token, todo, inflight: new Map(), sent: new Map(), acks: new Map(), errors: [], rateLimited: 0 });
	}

	let totalAcks = 0, killed = false, killAcks = null, t0 = Date.now();
	const kill = (why) => {
		if (killed) return;
		killed = true;
		killAcks = totalAcks;
		srv.proc.kill('SIGKILL');
		t.diagnostic(`SIGKILL (${why}) after ${totalAcks} acks, ${Date.now() - t0} ms`);
	};
	const pump = (c) => {
		while (!killed && c.inflight.size < WINDOW && c.todo.length && c.v.isOpen) {
			const m = c.todo.shift();
			c.inflight.set(m.client_id, m);
			c.sent.set(m.client_id, m);
			c.v.send({ type: 'msg', client_id: m.client_id, text: m.text });
		}
	};
	for (const c of clients) {
		c.v.ws.on('message', (data) => {
			let f;
			try { f = JSON.parse(data.toString('utf8')); } catch { return; }
			if (f.type === 'ack') {
				if (!c.acks.has(f.client_id)) totalAcks++;
				const prev = c.acks.get(f.client_id);
				if (prev) assert.ok(prev.id === f.id && prev.seq === f.seq, `two different acks for ${f.client_id}: ${j(prev)} ${j(f)}`);
				c.acks.set(f.client_id, f);
				c.inflight.delete(f.client_id);
				if (totalAcks >= KILL_AT) kill(`${KILL_AT} acks`);
				pump(c);
			} else if (f.type === 'error') {
				if (f.code === 'rate_limited' && f.client_id && c.inflight.has(f.client_id)) {
					// rule 5: keep it and send it again later
					c.rateLimited++;
					const m = c.inflight.get(f.client_id);
					c.inflight.delete(f.client_id);
					setTimeout(() => { c.todo.unshift(m); pump(c); }, 1000);
				} else {
					c.errors.push(f);
				}
			}
		});
	}
	const killTimer = setTimeout(() => kill('deadline'), KILL_DEADLINE_MS);
	for (const c of clients) pump(c);
	// wait for the kill and for every socket to see the end (frames already sent are read first)
	while (!killed) await sleep(5);
	clearTimeout(killTimer);
	const exit = await srv.exited;
	assert.equal(exit.signal, 'SIGKILL', `the server died of SIGKILL: ${j(exit)}`);
	for (const c of clients) await c.v.waitClose(5000);

	const acked = clients.reduce((n, c) => n + c.acks.size, 0);
	const sent = clients.reduce((n, c) => n + c.sent.size, 0);
	const rateLimited = clients.reduce((n, c) => n + c.rateLimited, 0);
	const errors = clients.flatMap((c) => c.errors);
	t.diagnostic(`acked before the kill: ${acked} (${killAcks} when the kill was sent); sent ${sent} of ${TOTAL}; unacked in flight ${sent - acked}; rate_limited answers ${rateLimited}`);
	console.log(`# chat-crash: acked=${acked} (at kill ${killAcks}) sent=${sent} total=${TOTAL} rate_limited=${rateLimited}`);
	assert.deepEqual(errors, [], 'no error frames other than rate_limited');
	assert.ok(acked > 0, 'some messages were acked before the kill');
	assert.ok(sent > acked, `the kill came while messages were in flight (sent ${sent}, acked ${acked})`);

	// restart on the same data dir
	const srv2 = await startKefu({ dir: srv.dir });
	const env2 = await chatSignIn(srv2);
	const convs = new Map(); // conversation_id -> transcript
	for (const c of clients) {
		for (const a of c.acks.values()) if (!convs.has(a.conversation_id)) convs.set(a.conversation_id, null);
	}
	for (const id of convs.keys()) convs.set(id, await getConversation(srv2, env2.admin, id));

	const problems = [];
	let storedUnacked = 0;
	for (const [id, g] of convs) {
		const seqs = g.messages.map((m) => m.seq);
		for (let k = 1; k < seqs.length; k++) if (!(seqs[k] > seqs[k - 1])) problems.push(`conversation ${id}: seq not increasing at ${k}: ${seqs[k - 1]}, ${seqs[k]}`);
		const byCid = new Map();
		for (const m of g.messages) if (m.client_id) byCid.set(m.client_id, (byCid.get(m.client_id) || 0) + 1);
		for (const [k, n] of byCid) if (n > 1) problems.push(`conversation ${id}: client_id ${k} stored ${n} times`);
	}
	for (const c of clients) {
		for (const [k, a] of c.acks) {
			const g = convs.get(a.conversation_id);
			const hits = g.messages.filter((m) => m.client_id === k);
			if (hits.length !== 1) { problems.push(`acked ${k} (${j(a)}) found ${hits.length} times in conversation ${a.conversation_id}`); continue; }
			if (hits[0].id !== a.id || hits[0].seq !== a.seq) problems.push(`acked ${k}: ack ${j(a)} but stored id ${hits[0].id} seq ${hits[0].seq}`);
			if (hits[0].text !== c.sent.get(k).text) problems.push(`acked ${k}: text ${j(hits[0].text)}`);
		}
		for (const k of c.sent.keys()) {
			if (c.acks.has(k)) continue;
			for (const g of convs.values()) if (g.messages.some((m) => m.client_id === k)) storedUnacked++;
		}
	}
	t.diagnostic(`stored without an ack (committed, ack lost in the kill): ${storedUnacked}`);
	assert.deepEqual(problems.slice(0, 30), [], `${problems.length} problem(s) after the restart`);

	// rule 5 across the restart: each visitor resends what was not acked with the same client_ids;
	// afterwards every message sent is stored exactly once, and acks of already-stored ones repeat id/seq.
	let resent = 0;
	await Promise.all(clients.map(async (c) => {
		const pending = [...c.sent.values()].filter((m) => !c.acks.has(m.client_id));
		if (!pending.length) return;
		resent += pending.length;
		const v = await connectVisitor(srv2, env.preview.key, { token: c.token }, { label: `crash visitor ${c.i} again` });
		await pipeline(v, pending, WINDOW, (ack) => c.acks.set(ack.client_id, ack));
		v.terminate();
	}));
	const problems2 = [];
	const convs2 = new Map();
	for (const c of clients) {
		for (const [k, a] of c.acks) {
			if (!convs2.has(a.conversation_id)) convs2.set(a.conversation_id, await getConversation(srv2, env2.admin, a.conversation_id));
			const g = convs2.get(a.conversation_id);
			const hits = g.messages.filter((m) => m.client_id === k);
			if (hits.length !== 1) problems2.push(`${k} found ${hits.length} times after resending`);
			else if (hits[0].id !== a.id || hits[0].seq !== a.seq) problems2.push(`${k}: ack ${j(a)} but stored id ${hits[0].id} seq ${hits[0].seq}`);
		}
	}
	t.diagnostic(`resent after the restart: ${resent}`);
	assert.deepEqual(problems2.slice(0, 30), [], `${problems2.length} problem(s) after resending the unacked messages`);
}

/**
 * Sends msgs ({client_id, text}) over visitor socket v, at most `window` unacked, resending a
 * message a second after a rate_limited answer; resolves once all are acked.
 */
function pipeline(v, msgs, window, onAck, timeoutMs = 120000) {
	return new Promise((resolveP, reject) => {
		const todo = [...msgs], inflight = new Set();
		let left = msgs.length;
		const timer = setTimeout(() => reject(new Error(`${v.label}: ${left} message(s) not acked within ${timeoutMs} ms; ${v.describe()}`)), timeoutMs);
		const pump = () => {
			while (inflight.size < window && todo.length) {
				const m = todo.shift();
				inflight.add(m.client_id);
				v.send({ type: 'msg', client_id: m.client_id, text: m.text });
			}
		};
		v.ws.on('message', (data) => {
			let f;
			try { f = JSON.parse(data.toString('utf8')); } catch { return; }
			if (!f.client_id || !inflight.has(f.client_id)) return;
			inflight.delete(f.client_id);
			if (f.type === 'ack') {
				onAck(f);
				if (--left === 0) { clearTimeout(timer); resolveP(); return; }
			} else if (f.type === 'error' && f.code === 'rate_limited') {
				const m = msgs.find((x) => x.client_id === f.client_id);
				setTimeout(() => { todo.unshift(m); pump(); }, 1000);
			} else if (f.type === 'error') {
				clearTimeout(timer);
				reject(new Error(`${v.label}: error for ${f.client_id}: ${j(f)}`));
				return;
			}
			pump();
		});
		v.ws.on('close', () => { if (left) { clearTimeout(timer); reject(new Error(`${v.label}: closed with ${left} unacked`)); } });
		pump();
	});
}
