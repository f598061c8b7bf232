// Offline auto-reply and e-mail (离线自动应答), against a real SMTP sink: Debian's aiosmtpd run by
// /usr/bin/python3 on a free loopback port, printing every message it receives.
// What it checks: with no agent online a visitor's first message opens an "offline" conversation,
// the visitor gets the site's offline message, every site member is e-mailed; the agent's later
// reply reaches the visitor by e-mail (they left an address and are gone) and in the widget on the
// next visit; a transcript e-mail on request; the SMTP test button.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startKefu, stopAll, login, api, sleep, ADMIN_EMAIL, ADMIN_PASSWORD, smtpSink, until } from './lib.mjs';

const procs = [];
after(async () => {
	for (const p of procs) p.kill('SIGTERM');
	await stopAll();
});

const waitFor = (fn, what, ms = 5000) => until(fn, what, ms, 50);

function socket(url, headers) {
	const ws = new WebSocket(url, { headers });
	const frames = [];
	ws.on('message', (d) => frames.push(JSON.parse(d)));
	const opened = new Promise((r, j) => { ws.on('open', r); ws.on('error', j); });
	return { ws, frames, opened, send: (o) => ws.send(JSON.stringify(o)), find: (p) => frames.find(p) };
}

test('offline: auto-reply, agents e-mailed, the reply reaches the visitor by e-mail and on the next visit', async () => {
	const sink = await smtpSink(procs);
	const srv = await startKefu({ users: [{ email: 'agent@shop.test', password: 'agent-password-1', role: 'agent', name: '小王' }] });
	const admin = await login(srv.base, ADMIN_EMAIL, ADMIN_PASSWORD);
	let r = await api(srv.base, 'PUT', '/api/v1/settings/smtp', { ...admin, json: { host: '127.0.0.1', port: sink.port, from: 'service@shop.test' } });
	assert.equal(r.status, 200, r.text);
	r = await api(srv.base, 'POST', '/api/v1/settings/smtp/test', { ...admin, json: { to: 'owner@shop.test' } });
	assert.equal(r.status, 200, `SMTP test send: ${r.text}`);
	await waitFor(() => sink.mails().find((m) => m.to === 'owner@shop.test'), 'the SMTP test mail');

	r = await api(srv.base, 'POST', '/api/v1/sites', { ...admin, json: { name: '演示店', offline_message: '客服不在线，请留言。' } });
	const site = r.json.site;
	const users = (await api(srv.base, 'GET', '/api/v1/users', admin)).json.users;
	const agentId = users.find((u) => u.email === 'agent@shop.test').id;
	await api(srv.base, 'PUT', `/api/v1/sites/${site.id}/members`, { ...admin, json: { user_ids: [agentId] } });

	// Nobody is online: the first message opens an offline conversation.
	const v = socket(`${srv.base.replace('http', 'ws')}/ws/visitor?site=${site.key}`);
	await v.opened;
	v.send({ type: 'hello' });
	const welcome = await waitFor(() => v.find((f) => f.type === 'welcome'), 'welcome');
	assert.equal(welcome.site.online, false, 'no agent is online');
	v.send({ type: 'contact', name: '小李', email: 'guest@mail.test' });
	v.send({ type: 'msg', client_id: 'off-1', text: '你们几点上班？' });
	const ack = await waitFor(() => v.find((f) => f.type === 'ack'), 'ack');
	const auto = await waitFor(() => v.find((f) => f.type === 'msg' && f.message.from === 'system'), 'the offline auto-reply');
	assert.equal(auto.message.text, '客服不在线，请留言。');
	const conv = await waitFor(() => v.find((f) => f.type === 'conversation'), 'conversation event');
	assert.equal(conv.conversation.status, 'offline');
	const notice = await waitFor(() => sink.mails().find((m) => m.to === 'agent@shop.test'), 'the agents\' notification');
	assert.match(notice.body, /你们几点上班？/, 'the notification quotes the message');
	v.ws.close();
	await sleep(100);

	// Later an agent answers from the workspace: the absent visitor gets it by e-mail.
	const agent = await login(srv.base, 'agent@shop.test', 'agent-password-1');
	const a = socket(`${srv.base.replace('http', 'ws')}/ws/agent`, { cookie: agent.cookie, origin: srv.base });
	await a.opened;
	a.send({ type: 'hello' });
	const aw = await waitFor(() => a.find((f) => f.type === 'welcome'), 'agent welcome');
	assert.ok(aw.conversations.some((c) => c.id === ack.conversation_id && c.status === 'offline'), 'the offline message is in the inbox');
	a.send({ type: 'msg', conversation_id: ack.conversation_id, client_id: 'rep-1', text: '我们每天9点上班，欢迎再来！' });
	await waitFor(() => a.find((f) => f.type === 'ack' && f.client_id === 'rep-1'), 'agent ack');
	const reply = await waitFor(() => sink.mails().find((m) => m.to === 'guest@mail.test'), 'the reply by e-mail');
	assert.match(reply.body, /我们每天9点上班/);
	a.ws.close();

	// The next visit shows the reply in the widget (resume from the last seq seen).
	const v2 = socket(`${srv.base.replace('http', 'ws')}/ws/visitor?site=${site.key}`);
	await v2.opened;
	v2.send({ type: 'hello', token: welcome.token, last_seq: ack.seq });
	const w2 = await waitFor(() => v2.find((f) => f.type === 'welcome'), 'second welcome');
	assert.ok(w2.messages.some((m) => m.text === '我们每天9点上班，欢迎再来！'), 'the reply is waiting in the widget');

	// And a transcript on request.
	v2.send({ type: 'email_transcript' });
	await waitFor(() => v2.find((f) => f.type === 'transcript_sent'), 'transcript_sent');
	const tr = await waitFor(() => sink.mails().find((m) => m.to === 'guest@mail.test' && /transcript/.test(m.subject)), 'the transcript mail');
	assert.match(tr.body, /你们几点上班？[\s\S]*我们每天9点上班/);
	v2.ws.close();
});
