// Routing (issue 4): departments, automatic offers by rule, the queue with live positions,
// offers that time out or are declined and move on, the returning customer's agent,
// transfers with a note, supervisor takeover. Black-box against the kefu binary over
// HTTP and WebSocket; the rules on their own are tests/unit/test_route.c.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { stopAll, request, login, sleep } from './lib.mjs';
import {
	chatSetup, createSite, setMembers, connectVisitor, connectAgent, sendMsg, watch, nextMsg, expectError,
	getConversation, closeAllPeers, marker, j,
} from './chatlib.mjs';

const QUIET = 700;
let env, srv, site, dPre, dPost, dShift, sup;

const call = (sess, method, path, json) => request(srv.base, method, path, { cookie: sess.cookie, csrf: sess.csrf, json });

async function dept(body) {
	const r = await call(env.admin, 'POST', `/api/v1/sites/${site.id}/departments`, body);
	assert.equal(r.status, 201, r.text);
	return r.json.department;
}

/** Both agents connected and online (fresh sockets: max_chats is read when a socket opens). */
async function agents() {
	const a1 = await connectAgent(srv, env.a1, { status: 'online', label: 'agent a1' });
	const a2 = await connectAgent(srv, env.a2, { status: 'online', label: 'agent a2' });
	return { a1, a2 };
}

/** A visitor who sent a first message; hello may choose a department or an agent. */
async function visitor(hello = {}, label = 'visitor') {
	const v = await connectVisitor(srv, site.key, hello, { label });
	const ack = await sendMsg(v, { text: marker('q') });
	v.conv = ack.conversation_id;
	return v;
}

const offerFor = (agent, conv, ms = 4000) => agent.next('offer', ms, (f) => f.conversation_id === conv);
async function noOffer(agent, conv) {
	await sleep(QUIET);
	assert.equal(agent.queue.find((f) => f.type === 'offer' && f.conversation_id === conv), undefined,
		`${agent.label} must not be offered ${conv}: ${agent.describe()}`);
}

/** Closes every open chat of the routing site, so tests do not run into limits. */
async function closeAll() {
	const sa = await connectAgent(srv, env.admin, { label: 'cleanup' });
	for (const c of sa.welcome.conversations.filter((c) => c.site_id === site.id)) sa.send({ type: 'close', conversation_id: c.id });
	await sa.roundTrip?.();
	await sleep(150);
	sa.terminate();
}

before(async () => {
	env = await chatSetup();
	srv = env.srv;
	site = await createSite(srv, env.admin, { name: 'Routed shop', greeting: '您好' });
	await setMembers(srv, env.admin, site.id, [env.ids['agent1@example.com'], env.ids['agent2@example.com']]);
	dPre = await dept({ name: '售前', members: [env.ids['agent1@example.com']] });
	dPost = await dept({ name: '售后', rule: 'round_robin', members: [env.ids['agent2@example.com']] });
	dShift = await dept({ name: '轮班', rule: 'round_robin', offer_timeout: 5,
		members: [env.ids['agent1@example.com'], env.ids['agent2@example.com']] });
	const r = await call(env.admin, 'POST', '/api/v1/users', { email: 'sup@example.com', password: 'supervisor-password', role: 'supervisor', name: '主管' });
	assert.equal(r.status, 201, r.text);
	sup = await login(srv.base, 'sup@example.com', 'supervisor-password');
	env.ids['sup@example.com'] = r.json.user.id;
});
afterEach(async () => {
	closeAllPeers();
	await closeAll();
	closeAllPeers();
});
after(stopAll);

test('departments: admins manage them, with validation; agents read them; the widget lists them', async () => {
	assert.equal((await call(env.a1, 'POST', `/api/v1/sites/${site.id}/departments`, { name: 'x' })).status, 403, 'agents may not create');
	for (const bad of [{}, { name: '' }, { name: 'y', rule: 'random' }, { name: 'y', offer_timeout: 1 }, { name: 'y', members: [999999] }, { name: 'y'.repeat(61) },
		{ name: 'y', members: [env.ids['outsider@example.com']] } /* not a member of the site */]) {
		const r = await call(env.admin, 'POST', `/api/v1/sites/${site.id}/departments`, bad);
		assert.equal(r.status, 422, `${j(bad)} -> ${r.status} ${r.text}`);
		assert.equal(r.json.error.code, 'invalid_field');
	}
	assert.equal((await call(env.admin, 'POST', `/api/v1/sites/${site.id}/departments`, { name: '售前' })).status, 409, 'duplicate name');
	assert.equal((await call(env.admin, 'POST', '/api/v1/sites/999999/departments', { name: 'z' })).status, 404);
	const list = await call(env.a1, 'GET', `/api/v1/sites/${site.id}/departments`);
	assert.equal(list.status, 200);
	assert.deepEqual(list.json.departments.map((d) => d.name), ['售前', '售后', '轮班']);
	assert.deepEqual(list.json.departments.find((d) => d.name === '售前').members, [env.ids['agent1@example.com']]);
	assert.equal((await call(env.out, 'GET', `/api/v1/sites/${site.id}/departments`)).status, 404, 'not a member of the site');
	const tmp = await dept({ name: 'tmp' });
	const p = await call(env.admin, 'PATCH', `/api/v1/departments/${tmp.id}`, { name: '临时', rule: 'round_robin' });
	assert.equal(p.status, 200, p.text);
	assert.equal(p.json.department.name, '临时');
	assert.equal(p.json.department.rule, 'round_robin');
	assert.equal((await call(env.admin, 'DELETE', `/api/v1/departments/${tmp.id}`)).status, 204);
	assert.equal((await call(env.admin, 'DELETE', `/api/v1/departments/${tmp.id}`)).status, 404);

	const a1 = await connectAgent(srv, env.a1, { status: 'online' });
	const cfg = await request(srv.base, 'GET', `/api/v1/widget/config?site=${site.key}`);
	const ds = cfg.json.site.departments;
	assert.deepEqual(ds.map((d) => d.name), ['售前', '售后', '轮班']);
	assert.equal(ds.find((d) => d.name === '售前').online, true, 'agent1 is online for 售前');
	assert.equal(ds.find((d) => d.name === '售后').online, false, 'nobody online for 售后');
	assert.equal(JSON.stringify(cfg.json).includes('@example.com'), false, 'no agent e-mails in public config');
	a1.terminate();
});

test('a visitor who picks a department is offered to an agent of that department only', async () => {
	const { a1, a2 } = await agents();
	const v = await visitor({ department: '售后' });
	const off = await offerFor(a2, v.conv);
	assert.equal(off.transfer, false);
	assert.ok(off.expires_at > Date.now(), 'the offer has a deadline');
	await noOffer(a1, v.conv);
	a2.send({ type: 'accept', conversation_id: v.conv });
	const c = await v.next('conversation', 4000, (f) => f.conversation.status === 'active');
	assert.equal(c.conversation.agent.name, 'Second');
	const got = await getConversation(srv, env.admin, v.conv);
	assert.equal(got.conversation.department.name, '售后');

	// by id, and through the pre-chat form's contact frame
	const v2 = await connectVisitor(srv, site.key, {}, { label: 'v2' });
	v2.send({ type: 'contact', name: '张三', department_id: dPre.id });
	await v2.next('contact');
	const ack = await sendMsg(v2, { text: '发票怎么开' });
	await offerFor(a1, ack.conversation_id);
	await noOffer(a2, ack.conversation_id);
});

test('no department member online: the chat starts offline', async () => {
	const a1 = await connectAgent(srv, env.a1, { status: 'online' });
	const v = await visitor({ department: dPost.id });
	const conv = await getConversation(srv, env.admin, v.conv);
	assert.equal(conv.conversation.status, 'offline', 'only agent2 serves 售后 and is not connected');
	await noOffer(a1, v.conv);
});

test('least-busy without a department; away agents get nothing', async () => {
	const { a1, a2 } = await agents();
	// agent1 holds a chat: the next one goes to agent2
	const v1 = await visitor({ department: dPre.id });
	await offerFor(a1, v1.conv);
	a1.send({ type: 'accept', conversation_id: v1.conv });
	await v1.next('conversation', 4000, (f) => f.conversation.status === 'active');
	const v2 = await visitor();
	await offerFor(a2, v2.conv);
	await noOffer(a1, v2.conv);
	// agent2 away: the next chat goes to agent1 although busier
	a2.send({ type: 'status', status: 'away' });
	await a2.next('status');
	const v3 = await visitor();
	await offerFor(a1, v3.conv);
	await noOffer(a2, v3.conv);
});

test('an offer declined or not accepted in time goes to the next agent', async () => {
	const { a1, a2 } = await agents();
	const v = await visitor({ department: dShift.id });
	// whoever the rule picked (read from the summary, so no frame is taken off a queue)
	let offered = 0;
	for (let i = 0; i < 40 && !offered; i++) {
		offered = (await getConversation(srv, env.admin, v.conv)).conversation.offered_to?.id || 0;
		if (!offered) await sleep(100);
	}
	const first = offered === env.ids['agent1@example.com'] ? a1 : a2;
	await offerFor(first, v.conv);
	const other = first === a1 ? a2 : a1;
	first.send({ type: 'decline', conversation_id: v.conv });
	await offerFor(other, v.conv, 3000);
	// the other one lets it time out (offer_timeout 5 s): back to the first, now the only one left
	const exp = await other.next('offer_expired', 9000, (f) => f.conversation_id === v.conv);
	assert.equal(exp.reason, 'timeout');
	const again = await first.next('offer', 4000, (f) => f.conversation_id === v.conv).catch(() => null);
	// both excluded once: the round starts again or the chat waits; either way it is never lost
	const conv = (await getConversation(srv, env.admin, v.conv)).conversation;
	assert.equal(conv.status, 'waiting');
	if (again) assert.equal(conv.offered_to.id, first === a1 ? env.ids['agent1@example.com'] : env.ids['agent2@example.com']);
});

test('with every agent at their limit the visitor queues, sees the position, and is served when a place frees', async () => {
	for (const e of ['agent1@example.com', 'agent2@example.com']) {
		const r = await call(env.admin, 'PATCH', `/api/v1/users/${env.ids[e]}`, { max_chats: 1 });
		assert.equal(r.status, 200, r.text);
	}
	try {
		const { a1, a2 } = await agents();
		const busy = [];
		for (const a of [a1, a2]) {
			const v = await visitor({ agent: a === a1 ? env.ids['agent1@example.com'] : env.ids['agent2@example.com'] });
			await offerFor(a, v.conv);
			a.send({ type: 'accept', conversation_id: v.conv });
			await v.next('conversation', 4000, (f) => f.conversation.status === 'active');
			busy.push({ a, v });
		}
		const q1 = await visitor({}, 'queued 1');
		const p1 = await q1.next('queue', 4000, (f) => f.conversation_id === q1.conv);
		assert.equal(p1.position, 1);
		assert.ok(p1.estimated_wait > 0, 'an estimated wait');
		const q2 = await visitor({}, 'queued 2');
		assert.equal((await q2.next('queue', 4000)).position, 2);
		await noOffer(a1, q1.conv);
		// agent2 closes their chat: the first in the queue is offered to them, the second moves up
		busy[1].a.send({ type: 'close', conversation_id: busy[1].v.conv });
		await offerFor(a2, q1.conv);
		assert.equal((await q1.next('queue', 4000, (f) => f.position === 0)).position, 0, 'no longer queued');
		assert.equal((await q2.next('queue', 4000)).position, 1);
		a2.send({ type: 'accept', conversation_id: q1.conv });
		const c = await q1.next('conversation', 4000, (f) => f.conversation.status === 'active');
		assert.equal(c.conversation.agent.name, 'Second');
	} finally {
		for (const e of ['agent1@example.com', 'agent2@example.com'])
			await call(env.admin, 'PATCH', `/api/v1/users/${env.ids[e]}`, { max_chats: 5 });
	}
});

test('a returning customer is offered to their previous agent', async () => {
	const { a1, a2 } = await agents();
	const v = await visitor({ department: dPost.id });
	await offerFor(a2, v.conv);
	a2.send({ type: 'accept', conversation_id: v.conv });
	await v.next('conversation', 4000, (f) => f.conversation.status === 'active');
	v.send({ type: 'close' });
	await v.next('conversation', 4000, (f) => f.conversation.status === 'closed');
	// agent2 now has fewer chats than... make agent1 the least busy by giving agent2 another chat
	const other = await visitor({ department: dPost.id });
	await offerFor(a2, other.conv);
	a2.send({ type: 'accept', conversation_id: other.conv });
	await other.next('conversation', 4000, (f) => f.conversation.status === 'active');
	// the same browser comes back (same token), no department: agent2 again, not least-busy agent1
	const back = await connectVisitor(srv, site.key, { token: v.token }, { label: 'back' });
	const ack = await sendMsg(back, { text: '又是我' });
	assert.notEqual(ack.conversation_id, v.conv);
	await offerFor(a2, ack.conversation_id);
	await noOffer(a1, ack.conversation_id);
});

test('transfer: the note stays with agents, the receiver accepts, the visitor is told, history moves along', async () => {
	const { a1, a2 } = await agents();
	const v = await visitor({ department: dPre.id });
	await offerFor(a1, v.conv);
	a1.send({ type: 'accept', conversation_id: v.conv });
	await v.next('conversation', 4000, (f) => f.conversation.status === 'active');
	await sendMsg(a1, { conversation_id: v.conv, text: '您好，我是小王' });
	for (const bad of [{}, { agent_id: 1, department_id: 1 }, { agent_id: 'x' }]) {
		a1.send({ type: 'transfer', conversation_id: v.conv, ...bad });
		await expectError(a1, 'invalid_field', `transfer ${j(bad)}`);
	}
	a1.send({ type: 'transfer', conversation_id: v.conv, agent_id: env.ids['agent2@example.com'], note: '客户要退货，订单 1234' });
	const off = await offerFor(a2, v.conv);
	assert.equal(off.transfer, true);
	const note = await nextMsg(a1, (m) => m.kind === 'note' && m.conversation_id === v.conv);
	assert.match(note.message.text, /订单 1234/);
	await nextMsg(v, (m) => m.kind === 'event' && /转接|transferring/.test(m.text));
	a2.send({ type: 'accept', conversation_id: v.conv });
	const c = await v.next('conversation', 4000, (f) => f.conversation.agent && f.conversation.agent.name === 'Second');
	assert.equal(c.conversation.status, 'active');
	const h = await watch(a2, v.conv);
	const texts = h.messages.map((m) => m.text);
	assert.ok(texts.includes('您好，我是小王'), 'the receiver sees the history');
	assert.ok(texts.some((t) => /订单 1234/.test(t)), 'and the note');
	assert.equal(v.frames.some((f) => f.type === 'msg' && f.message.kind === 'note'), false, 'the visitor never sees notes');
	// agent1 no longer owns it
	await sendMsg(a2, { conversation_id: v.conv, text: '我来处理退货' });
	const conv = (await getConversation(srv, env.admin, v.conv)).conversation;
	assert.equal(conv.agent.id, env.ids['agent2@example.com']);
	// transfer to a department nobody else can serve
	a2.send({ type: 'transfer', conversation_id: v.conv, department_id: dPost.id });
	await expectError(a2, 'unavailable', 'only agent2 is in 售后');
	assert.equal((await getConversation(srv, env.admin, v.conv)).conversation.department.name, '售前', 'a failed transfer changes nothing');
});

test('supervisors see every chat, whisper with notes and take over; agents may not take over', async () => {
	const { a1 } = await agents();
	const v = await visitor({ department: dPre.id });
	await offerFor(a1, v.conv);
	a1.send({ type: 'accept', conversation_id: v.conv });
	await v.next('conversation', 4000, (f) => f.conversation.status === 'active');
	// A supervisor of another team (not a member of this site) sees nothing of it.
	const outside = await connectAgent(srv, sup, { label: 'supervisor outside' });
	assert.equal(outside.welcome.agent.supervisor, true);
	assert.equal(outside.welcome.conversations.some((c) => c.id === v.conv), false, 'not a member: not their chats');
	outside.send({ type: 'watch', conversation_id: v.conv });
	await expectError(outside, 'forbidden', 'watching another site\'s chat');
	outside.terminate();
	await setMembers(srv, env.admin, site.id, [env.ids['agent1@example.com'], env.ids['agent2@example.com'], env.ids['sup@example.com']]);
	const s = await connectAgent(srv, sup, { label: 'supervisor', status: 'online' });
	assert.ok(s.welcome.conversations.some((c) => c.id === v.conv), 'the site\'s supervisor sees every chat of it');
	await watch(s, v.conv);
	await sendMsg(s, { conversation_id: v.conv, text: '注意语气', note: true });
	await nextMsg(a1, (m) => m.kind === 'note' && m.text === '注意语气');
	a1.send({ type: 'takeover', conversation_id: v.conv });
	await expectError(a1, 'forbidden', 'an agent takes over');
	s.send({ type: 'takeover', conversation_id: v.conv });
	const c = await v.next('conversation', 4000, (f) => f.conversation.agent && f.conversation.agent.name === '主管');
	assert.equal(c.conversation.status, 'active');
	await sleep(QUIET);
	assert.equal(v.frames.some((f) => f.type === 'msg' && f.message.text === '注意语气'), false, 'whispers never reach the visitor');
});

test('a department member taken off the site gets no chats of it: they start offline', async () => {
	await setMembers(srv, env.admin, site.id, [env.ids['agent1@example.com']]);
	try {
		const a2 = await connectAgent(srv, env.a2, { status: 'online' });
		const v = await visitor({ department: dPost.id });
		assert.equal((await getConversation(srv, env.admin, v.conv)).conversation.status, 'offline');
		await noOffer(a2, v.conv);
	} finally {
		await setMembers(srv, env.admin, site.id, [env.ids['agent1@example.com'], env.ids['agent2@example.com']]);
	}
});

test('the only agent declines: the chat waits one offer time, then is offered to them again (never stranded)', { timeout: 20000 }, async () => {
	const solo = await dept({ name: '单人', offer_timeout: 5, members: [env.ids['agent2@example.com']] });
	const a2 = await connectAgent(srv, env.a2, { status: 'online' });
	const v = await visitor({ department: solo.id });
	await offerFor(a2, v.conv);
	a2.send({ type: 'decline', conversation_id: v.conv });
	await noOffer(a2, v.conv);
	const again = await offerFor(a2, v.conv, 9000);
	assert.equal(again.conversation_id, v.conv);
	// a console reload (socket gone) is not a refusal: the new socket is offered it at once
	a2.terminate();
	const back = await connectAgent(srv, env.a2, { status: 'online', label: 'a2 reloaded' });
	await offerFor(back, v.conv, 3000);
});

test('an agent\'s status is theirs, not a tab\'s: away in one tab is away in all; routing follows it', async () => {
	const t1 = await connectAgent(srv, env.a1, { status: 'online', label: 'tab 1' });
	const t2 = await connectAgent(srv, env.a1, { label: 'tab 2' });
	assert.equal(t2.welcome.agent.status, 'online', 'a new tab takes the status the others have');
	t2.send({ type: 'status', status: 'away' });
	assert.equal((await t1.next('status', 3000, (f) => f.status === 'away')).status, 'away', 'the other tab follows');
	const v = await visitor({ department: dPre.id });
	assert.equal((await getConversation(srv, env.admin, v.conv)).conversation.status, 'offline', 'agent1 is away');
});

test('the agents list shows only the requester\'s teams', async () => {
	const out = await connectAgent(srv, env.out, { status: 'online', label: 'outsider' });
	const a1 = await connectAgent(srv, env.a1, { status: 'online' });
	const r = await call(env.a1, 'GET', '/api/v1/routing/agents');
	assert.equal(r.status, 200);
	const names = r.json.agents.map((x) => x.name);
	assert.ok(names.includes('小王'));
	assert.equal(names.includes('Outsider'), false, 'an agent of no shared site is not listed');
	const all = await call(env.admin, 'GET', '/api/v1/routing/agents');
	assert.ok(all.json.agents.some((x) => x.name === 'Outsider'), 'admins see everyone');
	out.terminate();
	a1.terminate();
});

test('a pre-chat form that asks for an agent lists the site\'s agents by name, and the chosen one is offered the chat', async () => {
	const cfg0 = await request(srv.base, 'GET', `/api/v1/widget/config?site=${site.key}`);
	assert.deepEqual(cfg0.json.site.agents, [], 'no agent list unless the pre-chat form asks for one');
	const p = await call(env.admin, 'PATCH', `/api/v1/sites/${site.id}`, { prechat: { enabled: true, fields: ['name', 'agent'], required: [] } });
	assert.equal(p.status, 200, p.text);
	const { a1, a2 } = await agents();
	const cfg = await request(srv.base, 'GET', `/api/v1/widget/config?site=${site.key}`);
	const names = cfg.json.site.agents.map((x) => x.name).sort();
	assert.deepEqual(names, ['Second', '小王']);
	assert.ok(cfg.json.site.agents.every((x) => x.online === true && typeof x.id === 'number'));
	assert.equal(cfg.text.includes('@example.com'), false, 'names only, never e-mails');
	// agent1 is the least busy, but the visitor picked agent2
	const busy = await visitor({ agent: env.ids['agent2@example.com'] });
	await offerFor(a2, busy.conv);
	a2.send({ type: 'accept', conversation_id: busy.conv });
	await busy.next('conversation', 4000, (f) => f.conversation.status === 'active');
	const v = await connectVisitor(srv, site.key, {}, { label: 'picks agent2' });
	v.send({ type: 'contact', name: '李四', agent_id: env.ids['agent2@example.com'] });
	await v.next('contact');
	const ack = await sendMsg(v, { text: '我找上次的客服' });
	await offerFor(a2, ack.conversation_id);
	await noOffer(a1, ack.conversation_id);
	await call(env.admin, 'PATCH', `/api/v1/sites/${site.id}`, { prechat: { enabled: false, fields: [], required: [] } });
});
