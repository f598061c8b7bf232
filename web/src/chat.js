// chat.js - the agent's live-chat connection (/ws/agent) and its state, as signals.
// Protocol: docs/chat-protocol.md. One connection per console tab; it reconnects with backoff,
// re-watches the open conversation from its last seq and re-sends unacknowledged replies.
import { signal, batch } from '@preact/signals';

export const connState = signal('idle'); // idle | connecting | open | closed
export const agent = signal(null); // {id, name, status, max_chats}
export const myStatus = signal(''); // online | away | offline
/* id -> summary, for every conversation the agent knows (open ones from the server, closed ones loaded). */
export const convs = signal({});
export const currentId = signal(0);
/* id -> [message...] sorted by seq, only for conversations loaded with watch (so the cache has no gaps). */
export const messages = signal({});
/* id -> [{client_id, text, note, file, state}] replies not yet acknowledged (file: an uploaded file to send). */
export const outbox = signal({});
/* id -> the visitor's live draft. */
export const drafts = signal({});
/* id -> highest seq the visitor has read. */
export const visitorRead = signal({});
export const lastError = signal(null);
/* id -> {expires_at, transfer}: chats offered to this agent and not yet answered. */
export const offers = signal({});

let ws = null;
let ready = false;
let retry = 0;
let retryTimer = 0;
let pingTimer = 0;
let wanted = false;
let watched = 0;
const loaded = new Set();
const lastSeq = {};
const readSent = {};
const draftTimers = {};
const listeners = new Set();

/* fn(summary, previous) is called when a conversation appears or changes. */
export function onConversation(fn) {
	listeners.add(fn);
	return () => listeners.delete(fn);
}

/* The msg frame for an outbox entry (sent again unchanged after a reconnect or a retry). */
function msgFrame(id, o) {
	return { type: 'msg', conversation_id: +id, client_id: o.client_id, text: o.text || undefined, note: o.note || undefined,
		file_id: o.file ? o.file.id : undefined };
}

function send(obj) {
	if (!ws || !ready) return false;
	try {
		ws.send(JSON.stringify(obj));
		return true;
	} catch (e) {
		return false;
	}
}

export function connect() {
	wanted = true;
	if (ws) return;
	clearTimeout(retryTimer);
	connState.value = 'connecting';
	const url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws/agent';
	let sock;
	try {
		sock = new WebSocket(url);
	} catch (e) {
		schedule();
		return;
	}
	ws = sock;
	sock.onopen = () => sock.send(JSON.stringify({ type: 'hello' }));
	sock.onmessage = (ev) => {
		let f;
		try {
			f = JSON.parse(ev.data);
		} catch (e) {
			return;
		}
		if (sock === ws && f) handle(f);
	};
	sock.onclose = (ev) => {
		if (sock !== ws) return;
		ws = null;
		ready = false;
		clearInterval(pingTimer);
		connState.value = 'closed';
		if (!wanted) return;
		if (ev.code === 1008) {
			// Signed out (or the session expired): the console shows the login form on its next API call.
			lastError.value = { code: 'session' };
			return;
		}
		schedule();
	};
}

export function disconnect() {
	wanted = false;
	clearTimeout(retryTimer);
	clearInterval(pingTimer);
	const s = ws;
	ws = null;
	ready = false;
	if (s) s.close(1000);
	// Signed out: nothing of this agent's stays for the next one.
	watched = 0;
	loaded.clear();
	for (const o of [lastSeq, readSent]) for (const k of Object.keys(o)) delete o[k];
	batch(() => {
		connState.value = 'idle';
		agent.value = null;
		myStatus.value = '';
		convs.value = {};
		currentId.value = 0;
		offers.value = {};
		messages.value = {};
		outbox.value = {};
		drafts.value = {};
		visitorRead.value = {};
		lastError.value = null;
	});
}

function schedule() {
	const delay = Math.min(30000, 1000 * 2 ** retry) * (0.75 + Math.random() * 0.5);
	retry++;
	clearTimeout(retryTimer);
	retryTimer = setTimeout(() => {
		ws = null;
		if (wanted) connect();
	}, delay);
}

function setConv(c) {
	if (!c || !c.id) return;
	const prev = convs.value[c.id];
	const next = prev ? { ...prev, ...c } : c;
	convs.value = { ...convs.value, [c.id]: next };
	for (const fn of listeners) fn(next, prev);
}

function addMessages(id, list) {
	if (!loaded.has(id) || !list.length) return;
	const cur = messages.value[id] || [];
	const bySeq = new Map(cur.map((m) => [m.seq, m]));
	let changed = false;
	for (const m of list) {
		if (bySeq.has(m.seq)) continue;
		bySeq.set(m.seq, m);
		changed = true;
		if (m.seq > (lastSeq[id] || 0)) lastSeq[id] = m.seq;
	}
	if (!changed) return;
	const sorted = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
	batch(() => {
		messages.value = { ...messages.value, [id]: sorted };
		// A message carrying one of our client_ids settles that outbox entry.
		const ob = outbox.value[id];
		if (ob && ob.length) {
			const ids = new Set(list.map((m) => m.client_id).filter(Boolean));
			const rest = ob.filter((o) => !ids.has(o.client_id));
			if (rest.length !== ob.length) outbox.value = { ...outbox.value, [id]: rest };
		}
	});
	markRead(id);
}

export function markRead(id) {
	if (id !== currentId.value || typeof document === 'undefined' || document.visibilityState === 'hidden') return;
	const seq = lastSeq[id] || 0;
	if (!seq || (readSent[id] || 0) >= seq) return;
	if (send({ type: 'read', conversation_id: id, seq })) {
		readSent[id] = seq;
		const c = convs.value[id];
		if (c && c.unread) setConv({ id, unread: 0 });
	}
}
if (typeof document !== 'undefined') document.addEventListener('visibilitychange', () => markRead(currentId.value));

function setDraft(id, text) {
	clearTimeout(draftTimers[id]);
	const d = { ...drafts.value };
	if (text) {
		d[id] = text;
		// A draft nobody updates for a while is stale (the visitor left).
		draftTimers[id] = setTimeout(() => setDraft(id, ''), 15000);
	} else delete d[id];
	drafts.value = d;
}

function handle(f) {
	switch (f.type) {
		case 'welcome': {
			ready = true;
			retry = 0;
			connState.value = 'open';
			lastError.value = null;
			batch(() => {
				agent.value = f.agent || null;
				const keep = {};
				// Closed ones stay from the REST list; the open ones come fresh from the server.
				for (const [k, c] of Object.entries(convs.value)) if (c.status === 'closed') keep[k] = c;
				for (const c of f.conversations || []) keep[c.id] = c;
				convs.value = keep;
				if (myStatus.value && f.agent && f.agent.status !== myStatus.value) send({ type: 'status', status: myStatus.value });
				else if (f.agent) myStatus.value = f.agent.status || 'offline';
			});
			for (const c of f.conversations || []) for (const fn of listeners) fn(c, undefined, true);
			if (watched) send({ type: 'watch', conversation_id: watched, last_seq: lastSeq[watched] || 0 });
			for (const [id, list] of Object.entries(outbox.value))
				for (const o of list)
					if (o.state !== 'failed') send(msgFrame(id, o));
			clearInterval(pingTimer);
			pingTimer = setInterval(() => send({ type: 'ping' }), 25000);
			break;
		}
		case 'status':
			// The server confirms the agent's availability (not in the protocol's table, but harmless).
			if (f.status) myStatus.value = f.status;
			break;
		case 'conversation': {
			const c = f.conversation;
			setConv(c);
			// An offer ends when the chat is taken, closed or offered to someone else.
			if (c && offers.value[c.id] && (!c.offered_to || !agent.value || c.offered_to.id !== agent.value.id)) dropOffer(c.id);
			break;
		}
		case 'offer':
			offers.value = { ...offers.value, [f.conversation_id]: { expires_at: f.expires_at, transfer: !!f.transfer } };
			for (const fn of offerListeners) fn(f);
			break;
		case 'offer_expired':
			dropOffer(f.conversation_id);
			break;
		case 'history':
			loaded.add(f.conversation_id);
			if (!messages.value[f.conversation_id]) messages.value = { ...messages.value, [f.conversation_id]: [] };
			addMessages(f.conversation_id, f.messages || []);
			markRead(f.conversation_id);
			break;
		case 'ack': {
			const id = f.conversation_id;
			const ob = outbox.value[id] || [];
			const o = ob.find((x) => x.client_id === f.client_id);
			if (o) {
				outbox.value = { ...outbox.value, [id]: ob.filter((x) => x !== o) };
				addMessages(id, [
					{ id: f.id, conversation_id: id, seq: f.seq, from: 'agent', author: { name: (agent.value && agent.value.name) || '' },
						kind: o.file ? 'file' : o.note ? 'note' : 'text', text: o.text || (o.file ? o.file.name : ''), file: o.file,
						client_id: f.client_id, at: f.at, mine: true },
				]);
			}
			break;
		}
		case 'msg': {
			const m = f.message;
			if (!m) break;
			addMessages(m.conversation_id, [m]);
			if (m.from === 'visitor') setDraft(m.conversation_id, '');
			const c = convs.value[m.conversation_id];
			if (c && m.kind !== 'note') setConv({ id: c.id, last_message: { text: m.text, from: m.from, at: m.at } });
			break;
		}
		case 'typing':
			// Without preview the server sends no draft: show that the visitor is typing, not what.
			if (f.from === 'visitor') setDraft(f.conversation_id, f.typing === false ? '' : f.draft || (f.typing ? '…' : ''));
			break;
		case 'read':
			if (f.by === 'visitor') visitorRead.value = { ...visitorRead.value, [f.conversation_id]: f.seq };
			break;
		case 'error':
			if (f.client_id) {
				for (const [id, list] of Object.entries(outbox.value)) {
					if (list.some((o) => o.client_id === f.client_id)) {
						outbox.value = { ...outbox.value, [id]: list.map((o) => (o.client_id === f.client_id ? { ...o, state: 'failed', error: f.code } : o)) };
					}
				}
			}
			lastError.value = { code: f.code, message: f.message, at: Date.now() };
			break;
	}
}

/* Opens a conversation: watch it from the last seq we hold (0: the whole history). */
export function open(id) {
	id = +id || 0;
	if (watched && watched !== id) send({ type: 'unwatch', conversation_id: watched });
	currentId.value = id;
	watched = id;
	if (!id) return;
	loaded.add(id);
	if (!messages.value[id]) messages.value = { ...messages.value, [id]: [] };
	send({ type: 'watch', conversation_id: id, last_seq: lastSeq[id] || 0 });
	markRead(id);
}

export function setStatus(s) {
	myStatus.value = s;
	send({ type: 'status', status: s });
}

let seqNo = 0;
export function reply(id, text, note) {
	const client_id = 'a' + Date.now().toString(36) + '-' + (++seqNo).toString(36) + Math.random().toString(36).slice(2, 6);
	const o = { client_id, text, note: !!note, state: 'sending', at: Date.now() };
	outbox.value = { ...outbox.value, [id]: [...(outbox.value[id] || []), o] };
	send(msgFrame(id, o));
	typing(id, false);
}

/* Sends an uploaded file ({id, name, size, content_type, url} from POST /api/v1/chat/files). */
export function replyFile(id, file) {
	const client_id = 'a' + Date.now().toString(36) + '-' + (++seqNo).toString(36) + Math.random().toString(36).slice(2, 6);
	const o = { client_id, text: '', file, note: false, state: 'sending', at: Date.now() };
	outbox.value = { ...outbox.value, [id]: [...(outbox.value[id] || []), o] };
	send(msgFrame(id, o));
}

export function retryFailed(id, client_id) {
	const list = outbox.value[id] || [];
	const o = list.find((x) => x.client_id === client_id);
	if (!o) return;
	outbox.value = { ...outbox.value, [id]: list.map((x) => (x === o ? { ...x, state: 'sending', error: '' } : x)) };
	send(msgFrame(id, o));
}

let typingState = {};
let typingAt = 0;
export function typing(id, on) {
	if (on) {
		const now = Date.now();
		if (typingState[id] && now - typingAt < 3000) return;
		typingAt = now;
	} else if (!typingState[id]) return;
	typingState[id] = on;
	send({ type: 'typing', conversation_id: id, typing: !!on });
}

export const accept = (id) => send({ type: 'accept', conversation_id: id });
/* An order of the conversation's customer as a card (docs/chat-protocol.md "send_order"); the msg comes back to watchers. */
export const sendOrder = (id, number) => send({ type: 'send_order', conversation_id: id, number, client_id: 'o' + Date.now().toString(36) + (++seqNo).toString(36) });
export const decline = (id) => send({ type: 'decline', conversation_id: id }) && dropOffer(id);
export const takeover = (id) => send({ type: 'takeover', conversation_id: id });
/* to: {agent_id} or {department_id}; note: for the receiving agent only. */
export const transfer = (id, to, note) => send({ type: 'transfer', conversation_id: id, ...to, note: note || undefined });

function dropOffer(id) {
	if (!offers.value[id]) return true;
	const o = { ...offers.value };
	delete o[id];
	offers.value = o;
	return true;
}
const offerListeners = new Set();
/* fn(frame) for every offer (new chats and transfers), for alerts. */
export function onOffer(fn) {
	offerListeners.add(fn);
	return () => offerListeners.delete(fn);
}
export const closeConv = (id) => send({ type: 'close', conversation_id: id });
export const reopen = (id) => send({ type: 'reopen', conversation_id: id });

/* A summary from REST (e.g. after saving tags) merged into what the inbox shows. */
export function updateConv(c) {
	setConv(c);
}

/* Closed conversations come from REST (the socket's welcome lists only open ones). */
export function addClosed(list) {
	const next = { ...convs.value };
	for (const c of list) if (!next[c.id] || next[c.id].status === 'closed') next[c.id] = c;
	convs.value = next;
}
