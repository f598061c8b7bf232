// bench/chat/relay.mjs - the reference for bench/chat.sh: a minimal Node.js `ws` relay that
// speaks just enough of docs/chat-protocol.md for the same load client, and persists nothing.
//
//   node bench/chat/relay.mjs PORT [HOST]
//
// /ws/visitor?site=KEY: hello -> welcome; msg -> ack, and the message forwarded to the agents
//   watching the visitor's conversation (made on the first msg and announced to every agent
//   as a `conversation` frame).
// /ws/agent: hello -> welcome; watch -> history (empty) and live msgs of that conversation.
// No database, no auth, no echo to the visitor, no inbox updates: what kefu does on top of
// this (SQLite commit before the ack, echo, inbox summary to every agent) is its own cost.
import http from 'node:http';
import { WebSocketServer } from 'ws';

const port = Number(process.argv[2] || 0);
const host = process.argv[3] || '127.0.0.1';

let nextVisitor = 1, nextConv = 1, nextMsg = 1;
const agents = new Set();
const watchers = new Map(); // conversation id -> Set of agent sockets

const server = http.createServer((req, res) => {
	if (req.url === '/healthz') {
		res.writeHead(200, { 'content-type': 'application/json' });
		res.end('{"status":"ok"}');
		return;
	}
	res.writeHead(404);
	res.end();
});
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 262144 });

server.on('upgrade', (req, socket, head) => {
	const path = req.url.split('?')[0];
	if (path !== '/ws/visitor' && path !== '/ws/agent') {
		socket.destroy();
		return;
	}
	wss.handleUpgrade(req, socket, head, (ws) => (path === '/ws/agent' ? agent(ws) : visitor(ws)));
});

const send = (ws, o) => ws.send(typeof o === 'string' ? o : JSON.stringify(o));
const error = (ws, code, clientId) => send(ws, { type: 'error', code, message: code, ...(clientId ? { client_id: clientId } : {}) });

function visitor(ws) {
	let id = 0, conv = 0, seq = 0;
	ws.on('message', (data) => {
		let f;
		try { f = JSON.parse(data); } catch { error(ws, 'bad_json'); return; }
		if (!id) {
			if (f.type !== 'hello') { error(ws, 'hello_first'); return; }
			id = nextVisitor++;
			send(ws, { type: 'welcome', token: 't' + id, visitor_id: id, site: { name: 'relay', greeting: '', online: agents.size > 0 }, conversation: null, messages: [] });
			return;
		}
		if (f.type === 'ping') { send(ws, '{"type":"pong"}'); return; }
		if (f.type !== 'msg') return;
		if (typeof f.client_id !== 'string' || typeof f.text !== 'string') { error(ws, 'invalid_field', f.client_id); return; }
		if (!conv) {
			conv = nextConv++;
			const ev = JSON.stringify({ type: 'conversation', conversation: { id: conv, status: 'waiting', visitor: { id } } });
			for (const a of agents) send(a, ev);
		}
		const at = Date.now();
		const m = { id: nextMsg++, conversation_id: conv, seq: ++seq, from: 'visitor', author: { name: '' }, kind: 'text', text: f.text, client_id: f.client_id, at };
		send(ws, { type: 'ack', client_id: f.client_id, id: m.id, seq: m.seq, conversation_id: conv, at });
		const w = watchers.get(conv);
		if (w && w.size) {
			const out = JSON.stringify({ type: 'msg', message: m });
			for (const a of w) send(a, out);
		}
	});
}

function agent(ws) {
	const mine = new Set();
	ws.on('message', (data) => {
		let f;
		try { f = JSON.parse(data); } catch { error(ws, 'bad_json'); return; }
		if (f.type === 'hello') {
			agents.add(ws);
			send(ws, { type: 'welcome', agent: { id: 1, name: 'relay', status: 'online', max_chats: 10 }, conversations: [] });
		} else if (f.type === 'watch' && Number.isInteger(f.conversation_id)) {
			let w = watchers.get(f.conversation_id);
			if (!w) watchers.set(f.conversation_id, (w = new Set()));
			w.add(ws);
			mine.add(f.conversation_id);
			send(ws, { type: 'history', conversation_id: f.conversation_id, messages: [] });
		} else if (f.type === 'ping') {
			send(ws, '{"type":"pong"}');
		}
	});
	ws.on('close', () => {
		agents.delete(ws);
		for (const c of mine) watchers.get(c)?.delete(ws);
	});
}

server.listen(port, host, () => {
	console.error(`relay listening on http://${host}:${server.address().port}`);
});
process.on('SIGTERM', () => process.exit(0));
