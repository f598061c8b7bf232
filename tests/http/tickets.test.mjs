// Tickets (issue 7), the core: an API key and an agent create tickets (channel api / web; the
// customer found by the requester's e-mail), bad fields get 422s that name the field, agents of
// another site get 404 for everything, every change leaves a history row (and an unchanged value
// none), replies move the status (new -> open on the first agent reply, resolved -> open on the
// customer's), bulk changes report what failed, the views and filters list the right tickets, a
// two-character Chinese word (退货) finds a ticket, a chat becomes a ticket (and only once), a
// message left while nobody is online becomes a ticket, /tickets/mine shows a shop-signed
// visitor their tickets (not an unsigned one), attachments upload and download, orders link,
// and agents' consoles get a live {"type":"ticket"} frame.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { stopAll, request, multipart, sleep } from './lib.mjs';
import { chatSetup, connectVisitor, connectAgent, sendMsg, closeAllPeers, createSite, AGENT1 } from './chatlib.mjs';

let env, srv, site, other, keyW, keyR, secret;

const as = (sess, method, path, json) => request(srv.base, method, path, { cookie: sess.cookie, csrf: sess.csrf, json });
const admin = (method, path, json) => as(env.admin, method, path, json);
const withKey = (key, method, path, json) => request(srv.base, method, path, { bearer: key, json });
const sign = (id) => crypto.createHmac('sha256', secret).update(id).digest('hex');
const fieldsOf = (t) => t.events.map((e) => e.field);

async function newKey(scopes) {
	const r = await admin('POST', '/api/v1/apikeys', { name: `tickets ${scopes.join(' ')}`, scopes });
	assert.equal(r.status, 201, r.text);
	return r.json.key;
}

async function create(sess, body) {
	const r = typeof sess === 'string' ? await withKey(sess, 'POST', '/api/v1/tickets', body) : await as(sess, 'POST', '/api/v1/tickets', body);
	assert.equal(r.status, 201, r.text);
	return r.json;
}

before(async () => {
	env = await chatSetup();
	srv = env.srv;
	site = env.plain;
	other = await createSite(srv, env.admin, { name: 'Other shop' });   /* no members: agents are outsiders */
	keyW = await newKey(['tickets:write', 'tickets:read', 'orders:write']);
	keyR = await newKey(['tickets:read']);
	const sec = await admin('GET', `/api/v1/sites/${site.id}/identity`);
	assert.equal(sec.status, 200, sec.text);
	secret = sec.json.secret ?? sec.json.identity?.secret;
	const o = await withKey(keyW, 'PUT', `/api/v1/sites/${site.id}/orders/SO-7001`, {
		status: 'paid', currency: 'CNY', total: '120.00', email: 'li.lei@example.com', placed_at: '2026-11-20T08:30:00Z',
		customer: { external_id: 'u-7001', name: '李雷', email: 'li.lei@example.com' },
		items: [{ sku: 'TEA-01', name: '龙井茶', quantity: 1, price: '120.00' }],
	});
	assert.equal(o.status, 201, o.text);
});
after(async () => { closeAllPeers(); await stopAll(); });

test('create by API key: channel api, the customer found by e-mail, a created history row, a status token', async () => {
	const t = await create(keyW, { site_id: site.id, subject: '订单还没到', body: '我的订单 SO-7001 还没有到', requester_email: 'Li.Lei@Example.com', requester_name: '李雷', priority: 'high' });
	assert.equal(t.ticket.channel, 'api');
	assert.equal(t.ticket.status, 'new');
	assert.equal(t.ticket.priority, 'high');
	assert.equal(t.ticket.type, 'question', 'type defaults to question');
	assert.equal(t.ticket.requester_email, 'li.lei@example.com', 'e-mail lowercased');
	assert.ok(t.ticket.customer_id > 0, 'the customer with that e-mail is linked');
	assert.match(t.status_token, /^[A-Za-z0-9_-]{43}$/, 'the status-page token, base64url of 32 bytes');
	assert.equal(t.messages.length, 1);
	assert.equal(t.messages[0].author_kind, 'customer', 'an API ticket files the customer\'s words');
	assert.deepEqual(fieldsOf(t), ['created']);
	assert.equal(t.events[0].actor, 'api');
	const read = await withKey(keyR, 'GET', `/api/v1/tickets/${t.ticket.id}`);
	assert.equal(read.status, 200, read.text);
	assert.equal(read.json.status_token, undefined, 'the token is shown once, at creation');
	assert.equal((await withKey(keyR, 'POST', '/api/v1/tickets', { site_id: site.id, subject: 'x' })).status, 403, 'tickets:read cannot write');
});

test('create by an agent: channel web, the agent in the history; a live frame reaches agents of the site only', async () => {
	const a1 = await connectAgent(srv, env.a1);
	const out = await connectAgent(srv, env.out);
	const frame = a1.next('ticket', 5000, (f) => f.ticket && f.ticket.subject === '电话来访');
	const t = await create(env.a1, { site_id: site.id, subject: '电话来访', body: '客户来电询问发票', type: 'other' });
	assert.equal(t.ticket.channel, 'web');
	assert.equal(t.events[0].actor, 'agent');
	assert.equal(t.events[0].user_id, env.ids[AGENT1.email]);
	assert.equal((await frame).ticket.id, t.ticket.id, 'the agent of the site got {"type":"ticket"}');
	await assert.rejects(out.next('ticket', 500), 'an agent of no shared site gets no frame');
	a1.close(); out.close();
});

test('validation: 422 naming the field', async () => {
	const cases = [
		[{ site_id: site.id }, /subject/],
		[{ site_id: site.id, subject: '   ' }, /subject/],
		[{ site_id: site.id, subject: 'x', type: 'refund' }, /type/],
		[{ site_id: site.id, subject: 'x', priority: 'asap' }, /priority/],
		[{ site_id: site.id, subject: 'x', requester_email: 'not-an-address' }, /requester_email/],
		[{ site_id: site.id, subject: 'x', requester_phone: 'call me' }, /requester_phone/],
		[{ site_id: site.id, subject: 'x', assignee_id: 999999 }, /assignee_id/],
		[{ site_id: site.id, subject: 'x', department_id: 999999 }, /department_id/],
		[{ site_id: site.id, subject: 'x', colour: 'red' }, /colour/],
		[{ site_id: site.id, subject: 7 }, /subject/],
		[{ subject: 'x' }, /site_id/],
		[{ site_id: site.id, subject: 'x', body: 'y'.repeat(256 * 1024 + 1) }, /body/],
	];
	for (const [body, re] of cases) {
		const r = await as(env.a1, 'POST', '/api/v1/tickets', body);
		assert.equal(r.status, body.body && body.body.length > 1000 ? r.status : 422, `${JSON.stringify(body).slice(0, 80)}: ${r.text.slice(0, 200)}`);
		if (r.status === 422) {
			assert.equal(r.json.error.code, 'invalid_field');
			assert.match(r.json.error.message, re);
		} else assert.ok(r.status === 413 || r.status === 422, `a too-large body is refused: ${r.status}`);
	}
	const long = await create(env.a1, { site_id: site.id, subject: '长'.repeat(100) });
	assert.ok(Buffer.byteLength(long.ticket.subject) <= 200, 'a long subject is cut to 200 bytes');
	assert.equal(long.ticket.subject, '长'.repeat(66), 'on a character boundary');
	const bad = await as(env.a1, 'PATCH', `/api/v1/tickets/${long.ticket.id}`, { status: 'done' });
	assert.equal(bad.status, 422, bad.text);
	assert.match(bad.json.error.message, /status/);
	const two = await as(env.a1, 'PATCH', `/api/v1/tickets/${long.ticket.id}`, { priority: 'high', type: 'nonsense' });
	assert.equal(two.status, 422, 'one bad field refuses the whole change');
	const after1 = await as(env.a1, 'GET', `/api/v1/tickets/${long.ticket.id}`);
	assert.equal(after1.json.ticket.priority, 'normal', 'nothing was changed');
});

test('site isolation: an agent of another site gets 404 for every route; the list leaves the ticket out', async () => {
	const t = await create(keyW, { site_id: site.id, subject: 'private', body: 'secret' });
	const id = t.ticket.id;
	for (const [m, p, b] of [['GET', `/api/v1/tickets/${id}`], ['PATCH', `/api/v1/tickets/${id}`, { status: 'open' }],
		['POST', `/api/v1/tickets/${id}/messages`, { kind: 'note', body: 'x' }], ['POST', `/api/v1/tickets/${id}/orders`, { number: 'SO-7001' }]]) {
		const r = await as(env.out, m, p, b);
		assert.equal(r.status, 404, `${m} ${p}: ${r.text}`);
	}
	const list = await as(env.out, 'GET', '/api/v1/tickets?view=all');
	assert.equal(list.status, 200, list.text);
	assert.ok(!list.json.tickets.some((x) => x.id === id), 'not listed for the outsider');
	const own = await as(env.out, 'POST', '/api/v1/tickets', { site_id: site.id, subject: 'x' });
	assert.equal(own.status, 422, 'an outsider cannot file into the site');
	const otherT = await create(keyW, { site_id: other.id, subject: 'other shop' });
	assert.equal((await as(env.a1, 'GET', `/api/v1/tickets/${otherT.ticket.id}`)).status, 404, 'agent1 is no member of the other shop');
	const upload = multipart([{ name: 'file', filename: 'a.txt', contentType: 'text/plain', data: 'hi' }]);
	const up = await request(srv.base, 'POST', `/api/v1/tickets/${id}/attachments`, { cookie: env.out.cookie, csrf: env.out.csrf, body: upload.body, headers: { 'Content-Type': upload.contentType } });
	assert.equal(up.status, 404, up.text);
});

test('history: a row for every change with old and new, none for an unchanged value; status times', async () => {
	const t = await create(env.a1, { site_id: site.id, subject: 'history' });
	const id = t.ticket.id;
	const a2 = env.ids['agent2@example.com'];
	let r = await as(env.a1, 'PATCH', `/api/v1/tickets/${id}`, { status: 'open', priority: 'urgent', assignee_id: a2, tags: 'vip  退款,急' });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.ticket.assignee_id, a2);
	assert.equal(r.json.ticket.assignee_name, 'Second');
	assert.equal(r.json.ticket.tags, 'vip 退款 急', 'tags cleaned to single spaces');
	const ev = (f) => r.json.events.filter((e) => e.field === f);
	assert.deepEqual(ev('status').map((e) => [e.old, e.new]), [['new', 'open']]);
	assert.deepEqual(ev('priority').map((e) => [e.old, e.new]), [['normal', 'urgent']]);
	assert.deepEqual(ev('assignee').map((e) => [e.old, e.new, e.new_label]), [['', String(a2), 'Second']]);
	assert.equal(ev('tags').length, 1);
	assert.ok(r.json.events.every((e) => e.field === 'created' || (e.actor === 'agent' && e.user_name === '小王')), 'who did it');
	const n = r.json.events.length;
	r = await as(env.a1, 'PATCH', `/api/v1/tickets/${id}`, { status: 'open', priority: 'urgent' });
	assert.equal(r.json.events.length, n, 'the same values again write nothing');
	r = await as(env.a1, 'PATCH', `/api/v1/tickets/${id}`, { status: 'resolved' });
	assert.ok(r.json.ticket.resolved_at > 0, 'resolved_at set');
	r = await as(env.a1, 'PATCH', `/api/v1/tickets/${id}`, { status: 'open', assignee_id: null, subject: '新标题' });
	assert.equal(r.json.ticket.resolved_at, 0, 'reopening clears resolved_at');
	assert.equal(r.json.ticket.assignee_id, 0);
	assert.equal(r.json.ticket.subject, '新标题');
	assert.deepEqual(r.json.events.slice(-3).map((e) => e.field).sort(), ['assignee', 'status', 'subject']);
	assert.equal((await as(env.a1, 'PATCH', `/api/v1/tickets/${id}`, { channel: 'email' })).status, 422, 'the channel cannot be changed');
});

test('thread: the first agent reply opens the ticket and sets first_response_at; notes apart; a customer reply reopens', async () => {
	const t = await create(keyW, { site_id: site.id, subject: 'thread', body: 'hello', requester_email: 'c@example.com' });
	const id = t.ticket.id;
	let r = await as(env.a1, 'POST', `/api/v1/tickets/${id}/messages`, { kind: 'note', body: '先查一下库存' });
	assert.equal(r.status, 201, r.text);
	assert.equal(r.json.ticket.status, 'new', 'a note does not answer the customer');
	assert.equal(r.json.ticket.first_response_at, 0);
	r = await as(env.a1, 'POST', `/api/v1/tickets/${id}/messages`, { kind: 'public', body: '您好，已为您查询' });
	assert.equal(r.json.ticket.status, 'open');
	assert.ok(r.json.ticket.first_response_at > 0);
	assert.deepEqual(r.json.messages.map((m) => [m.kind, m.author_kind]), [['public', 'customer'], ['note', 'agent'], ['public', 'agent']]);
	assert.equal(r.json.messages[2].author_name, '小王');
	await as(env.a1, 'PATCH', `/api/v1/tickets/${id}`, { status: 'resolved' });
	r = await withKey(keyW, 'POST', `/api/v1/tickets/${id}/messages`, { body: '还是不行', author: 'customer' });
	assert.equal(r.status, 201, r.text);
	assert.equal(r.json.ticket.status, 'open', 'the customer\'s reply reopens a resolved ticket');
	const st = r.json.events.filter((e) => e.field === 'status').map((e) => [e.old, e.new, e.actor]);
	assert.deepEqual(st, [['new', 'open', 'agent'], ['open', 'resolved', 'agent'], ['resolved', 'open', 'customer']]);
	assert.ok(r.json.events.some((e) => e.field === 'note') && r.json.events.some((e) => e.field === 'message'));
	for (const b of [{ kind: 'public', body: '' }, { kind: 'shout', body: 'x' }, { body: 5 }]) {
		assert.equal((await as(env.a1, 'POST', `/api/v1/tickets/${id}/messages`, b)).status, 422, JSON.stringify(b));
	}
});

test('bulk: changes each ticket with its own history, reports others\' tickets as failed; agents may not assign others', async () => {
	const ids = [];
	for (const s of ['bulk 1', 'bulk 2']) ids.push((await create(env.a1, { site_id: site.id, subject: s })).ticket.id);
	const foreign = (await create(keyW, { site_id: other.id, subject: 'foreign' })).ticket.id;
	const r = await as(env.a1, 'POST', '/api/v1/tickets/bulk', { ids: [...ids, foreign, 99999999], set: { priority: 'low', status: 'pending' } });
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json.updated, ids);
	assert.deepEqual(r.json.failed, [foreign, 99999999]);
	for (const id of ids) {
		const t = (await as(env.a1, 'GET', `/api/v1/tickets/${id}`)).json;
		assert.equal(t.ticket.priority, 'low');
		assert.equal(t.ticket.status, 'pending');
		assert.deepEqual(fieldsOf(t).slice(1).sort(), ['priority', 'status']);
	}
	const a2 = env.ids['agent2@example.com'];
	assert.equal((await as(env.a1, 'POST', '/api/v1/tickets/bulk', { ids, set: { assignee_id: a2 } })).status, 403);
	const mine = await as(env.a1, 'POST', '/api/v1/tickets/bulk', { ids, set: { assignee_id: env.ids[AGENT1.email] } });
	assert.deepEqual(mine.json.updated, ids, 'an agent may take tickets');
	const sup = await admin('POST', '/api/v1/tickets/bulk', { ids, set: { assignee_id: a2 } });
	assert.deepEqual(sup.json.updated, ids, 'an admin may assign to others');
	assert.equal((await as(env.a1, 'POST', '/api/v1/tickets/bulk', { ids: [], set: { status: 'open' } })).status, 422);
	assert.equal((await as(env.a1, 'POST', '/api/v1/tickets/bulk', { ids, set: {} })).status, 422);
	const unknown = await as(env.a1, 'POST', '/api/v1/tickets/bulk', { ids, set: { channel: 'email' } });
	assert.equal(unknown.status, 422, 'an unknown field is refused before any ticket changes');
	assert.match(unknown.json.error.message, /set\.channel/);
});

test('views and filters: mine, unassigned, department, sla_risk, status, type, paging', async () => {
	const d = await admin('POST', `/api/v1/sites/${site.id}/departments`, { name: '售后' });
	assert.equal(d.status, 201, d.text);
	const dept = d.json.department.id;
	const a1 = env.ids[AGENT1.email];
	const mine = await create(env.a1, { site_id: site.id, subject: 'view mine', assignee_id: a1, type: 'repair' });
	const un = await create(env.a1, { site_id: site.id, subject: 'view unassigned', department_id: dept });
	const list = async (qs) => {
		const r = await as(env.a1, 'GET', `/api/v1/tickets?${qs}`);
		assert.equal(r.status, 200, `${qs}: ${r.text}`);
		return r.json.tickets.map((t) => t.id);
	};
	assert.ok((await list('view=mine')).includes(mine.ticket.id));
	assert.ok(!(await list('view=mine')).includes(un.ticket.id));
	assert.ok((await list('view=unassigned')).includes(un.ticket.id));
	assert.ok(!(await list('view=unassigned')).includes(mine.ticket.id));
	assert.deepEqual(await list(`view=department:${dept}`), [un.ticket.id]);
	assert.deepEqual(await list('type=repair'), [mine.ticket.id]);
	assert.ok((await list('status=active')).includes(un.ticket.id));
	assert.ok(!(await list('status=closed')).includes(un.ticket.id));
	assert.deepEqual(await list('view=sla_risk'), [], 'no SLA due times without an SLA');
	const page1 = (await as(env.a1, 'GET', '/api/v1/tickets?limit=2')).json;
	assert.equal(page1.tickets.length, 2);
	assert.ok(page1.next_before > 0);
	const page2 = await list(`limit=2&before=${page1.next_before}`);
	assert.ok(page2.every((id) => id < page1.next_before), 'the next page holds older tickets');
	for (const qs of ['view=everything', 'status=done', 'limit=0', 'limit=500', 'site_id=x', 'view=department:x']) {
		assert.equal((await as(env.a1, 'GET', `/api/v1/tickets?${qs}`)).status, 422, qs);
	}
	const keyMine = await withKey(keyR, 'GET', '/api/v1/tickets?view=mine');
	assert.deepEqual(keyMine.json.tickets, [], 'an API key holds no tickets');
});

test('search: a two-character Chinese word (退货) finds the ticket in its messages; traditional script too', async () => {
	const t = await create(keyW, { site_id: site.id, subject: '尺码问题', body: '鞋子太小了，我想退货，怎么办？' });
	const other1 = await create(keyW, { site_id: site.id, subject: '发票', body: '请开具发票' });
	const q = async (s) => (await as(env.a1, 'GET', `/api/v1/tickets?q=${encodeURIComponent(s)}`)).json.tickets.map((x) => x.id);
	assert.ok((await q('退货')).includes(t.ticket.id));
	assert.ok(!(await q('退货')).includes(other1.ticket.id));
	assert.ok((await q('退貨')).includes(t.ticket.id), 'traditional characters find simplified text');
	await as(env.a1, 'POST', `/api/v1/tickets/${other1.ticket.id}/messages`, { kind: 'note', body: '客户也想换货' });
	assert.ok((await q('换货')).includes(other1.ticket.id), 'a new message is indexed');
	assert.ok(!(await q('换货')).includes(t.ticket.id));
});

test('a chat becomes a ticket: subject from the first visitor message, the transcript, channel chat; only once', async () => {
	const agent = await connectAgent(srv, env.a1, { status: 'online' });
	const v = await connectVisitor(srv, site.key, { name: '韩梅梅', email: 'han@example.com' });
	const ack = await sendMsg(v, { text: '我收到的茶叶包装破了' });
	await sendMsg(v, { text: '能换一个吗' });
	const conv = ack.conversation_id;
	const r = await as(env.a1, 'POST', `/api/v1/conversations/${conv}/ticket`);
	assert.equal(r.status, 201, r.text);
	assert.equal(r.json.ticket.subject, '我收到的茶叶包装破了');
	assert.equal(r.json.ticket.channel, 'chat');
	assert.equal(r.json.ticket.conversation_id, conv);
	assert.match(r.json.messages[0].body, /包装破了[\s\S]*能换一个吗/, 'the transcript is the first message');
	const again = await as(env.a1, 'POST', `/api/v1/conversations/${conv}/ticket`);
	assert.equal(again.status, 409, again.text);
	assert.equal(again.json.ticket_id, r.json.ticket.id);
	assert.equal((await as(env.out, 'POST', `/api/v1/conversations/${conv}/ticket`)).status, 404, 'not the outsider\'s chat');
	v.close(); agent.close();
});

test('a message left while nobody is online becomes a ticket', async () => {
	const v = await connectVisitor(srv, site.key, { name: 'Night owl' });
	const ack = await sendMsg(v, { text: '半夜留言：退款什么时候到账？' });
	let found = null;
	for (let i = 0; i < 40 && !found; i++) {
		const l = (await as(env.a1, 'GET', '/api/v1/tickets?view=all&limit=200')).json.tickets;
		found = l.find((x) => x.subject === '半夜留言：退款什么时候到账？');
		if (!found) await sleep(50);
	}
	assert.ok(found, 'the offline message is a ticket');
	const t = (await as(env.a1, 'GET', `/api/v1/tickets/${found.id}`)).json;
	assert.equal(t.ticket.channel, 'chat');
	assert.equal(t.ticket.conversation_id, ack.conversation_id);
	assert.equal(t.messages[0].author_kind, 'customer');
	assert.equal(t.events[0].actor, 'customer');
	v.close();
});

test('/tickets/mine: a shop-signed visitor sees their tickets; an unsigned one does not', async () => {
	const t = await create(keyW, { site_id: site.id, subject: '我的工单', requester_email: 'li.lei@example.com' });
	const good = await connectVisitor(srv, site.key, { customer: { id: 'u-7001', sig: sign('u-7001') } });
	const r = await request(srv.base, 'GET', `/api/v1/tickets/mine?site=${site.key}`, { headers: { 'X-Visitor-Token': good.token } });
	assert.equal(r.status, 200, r.text);
	const mine = r.json.tickets.find((x) => x.number === t.ticket.id);
	assert.ok(mine, 'the customer\'s ticket is listed');
	assert.deepEqual(Object.keys(mine).sort(), ['created_at', 'number', 'status', 'subject', 'updated_at', 'url']);
	assert.equal(mine.url, `/t/${t.ticket.id}`);
	assert.ok(!r.text.includes(t.status_token), 'no token in the list');
	const unsigned = await connectVisitor(srv, site.key, { name: 'anon' });
	const no = await request(srv.base, 'GET', `/api/v1/tickets/mine?site=${site.key}`, { headers: { 'X-Visitor-Token': unsigned.token } });
	assert.equal(no.status, 404, no.text);
	assert.equal((await request(srv.base, 'GET', `/api/v1/tickets/mine?site=${site.key}`)).status, 401, 'no token');
	good.close(); unsigned.close();
});

test('attachments upload and download; orders link once', async () => {
	const t = await create(env.a1, { site_id: site.id, subject: 'files' });
	const id = t.ticket.id;
	const data = Buffer.from('收据 receipt 12345');
	const mp = multipart([{ name: 'file', filename: '../../收据.txt', contentType: 'text/plain', data }]);
	const up = await request(srv.base, 'POST', `/api/v1/tickets/${id}/attachments`, { cookie: env.a1.cookie, csrf: env.a1.csrf, body: mp.body, headers: { 'Content-Type': mp.contentType } });
	assert.equal(up.status, 201, up.text);
	assert.equal(up.json.attachment.name, '收据.txt', 'no path in the name');
	assert.equal(up.json.attachment.size, data.length);
	const dl = await request(srv.base, 'GET', up.json.attachment.url, { cookie: env.a1.cookie });
	assert.equal(dl.status, 200);
	assert.deepEqual(dl.buf, data);
	assert.equal(dl.headers['content-type'], 'application/octet-stream', 'only images are served as what they claim');
	assert.equal((await request(srv.base, 'GET', up.json.attachment.url, { cookie: env.out.cookie })).status, 404);
	const none = await request(srv.base, 'POST', `/api/v1/tickets/${id}/attachments`, { cookie: env.a1.cookie, csrf: env.a1.csrf, body: multipart([{ name: 'x', data: 'y' }]).body, headers: { 'Content-Type': mp.contentType } });
	assert.ok(none.status === 422 || none.status === 400, `no file: ${none.status}`);
	const otherTicket = await create(env.a1, { site_id: site.id, subject: 'other', body: 'a message of another ticket' });
	const foreignMsg = multipart([{ name: 'message_id', data: String(otherTicket.messages[0].id) }, { name: 'file', filename: 'x.txt', contentType: 'text/plain', data: 'x' }]);
	const fm = await request(srv.base, 'POST', `/api/v1/tickets/${id}/attachments`, { cookie: env.a1.cookie, csrf: env.a1.csrf, body: foreignMsg.body, headers: { 'Content-Type': foreignMsg.contentType } });
	assert.equal(fm.status, 422, 'a message of another ticket cannot carry the file');
	const full = (await as(env.a1, 'GET', `/api/v1/tickets/${id}`)).json;
	assert.equal(full.attachments.length, 1);
	assert.ok(fieldsOf(full).includes('attachment'));

	const o = await as(env.a1, 'POST', `/api/v1/tickets/${id}/orders`, { number: 'SO-7001' });
	assert.equal(o.status, 201, o.text);
	assert.deepEqual(o.json.orders.map((x) => [x.number, x.total_cents]), [['SO-7001', 12000]]);
	assert.ok(fieldsOf(o.json).includes('order'));
	assert.equal((await as(env.a1, 'POST', `/api/v1/tickets/${id}/orders`, { number: 'SO-7001' })).status, 409);
	assert.equal((await as(env.a1, 'POST', `/api/v1/tickets/${id}/orders`, { number: 'SO-NOPE' })).status, 404);
	assert.equal((await as(env.a1, 'POST', `/api/v1/tickets/${id}/orders`, {})).status, 422);
});

test('a typed e-mail links the customer unverified: marked for agents, not in their /tickets/mine; an agent confirms', async () => {
	// anyone can type a known customer's address into an offline chat (or a form): the ticket is
	// linked for the agents' context, but never shown in the real customer's widget as theirs
	const v = await connectVisitor(srv, site.key, { name: 'Mallory', email: 'li.lei@example.com' });
	await sendMsg(v, { text: '冒名留言：请把我的订单改寄到新地址' });
	let found = null;
	for (let i = 0; i < 40 && !found; i++) {
		found = (await as(env.a1, 'GET', '/api/v1/tickets?view=all&limit=200')).json.tickets.find((x) => x.subject === '冒名留言：请把我的订单改寄到新地址');
		if (!found) await sleep(50);
	}
	assert.ok(found, 'the offline message is a ticket');
	assert.ok(found.customer_id > 0, 'linked to the customer with that address, for context');
	assert.equal(found.customer_verified, false, 'but marked unverified in the list');
	const good = await connectVisitor(srv, site.key, { customer: { id: 'u-7001', sig: sign('u-7001') } });
	const mine = async () => {
		const r = await request(srv.base, 'GET', `/api/v1/tickets/mine?site=${site.key}`, { headers: { 'X-Visitor-Token': good.token } });
		assert.equal(r.status, 200, r.text);
		return r.json.tickets.map((x) => x.number);
	};
	assert.ok(!(await mine()).includes(found.id), 'the forged ticket is not in the real customer\'s widget');
	const viaApi = await create(keyW, { site_id: site.id, subject: 'API 代客建单', requester_email: 'li.lei@example.com' });
	assert.equal(viaApi.ticket.customer_verified, true, 'an API key naming the customer vouches for it');
	assert.ok((await mine()).includes(viaApi.ticket.id));
	const r = await as(env.a1, 'PATCH', `/api/v1/tickets/${found.id}`, { customer_id: found.customer_id });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.ticket.customer_verified, true, 'the agent naming the same customer confirms the link');
	assert.ok((await mine()).includes(found.id));
	v.close(); good.close();
});

test('bulk and PATCH: an agent may only take tickets or change status and priority; workflow_state only via /workflow', async () => {
	const id = (await create(env.a1, { site_id: site.id, subject: 'bulk rights' })).ticket.id;
	for (const set of [{ type: 'complaint' }, { subject: '改标题' }, { tags: 'vip' }, { department_id: null }, { customer_id: null },
		{ status: 'open', type: 'complaint' }, { assignee_id: null }]) {
		const r = await as(env.a1, 'POST', '/api/v1/tickets/bulk', { ids: [id], set });
		assert.equal(r.status, 403, `${JSON.stringify(set)}: ${r.text}`);
	}
	const t = (await as(env.a1, 'GET', `/api/v1/tickets/${id}`)).json;
	assert.equal(t.ticket.type, 'question', 'nothing was changed');
	assert.deepEqual(fieldsOf(t), ['created']);
	const ok = await as(env.a1, 'POST', '/api/v1/tickets/bulk', { ids: [id], set: { status: 'open', priority: 'high', assignee_id: env.ids[AGENT1.email] } });
	assert.deepEqual(ok.json.updated, [id], ok.text);
	const sup = await admin('POST', '/api/v1/tickets/bulk', { ids: [id], set: { type: 'complaint', tags: 'vip' } });
	assert.deepEqual(sup.json.updated, [id], 'an admin may set the other fields');
	for (const who of [(m, p, j) => as(env.a1, m, p, j), admin, (m, p, j) => withKey(keyW, m, p, j)]) {
		const r = await who('PATCH', `/api/v1/tickets/${id}`, { workflow_state: 'refunded' });
		assert.equal(r.status, 422, r.text);
		assert.match(r.json.error.message, /workflow_state/);
		const b = await who('POST', '/api/v1/tickets/bulk', { ids: [id], set: { workflow_state: 'refunded' } });
		assert.equal(b.status, 422, b.text);
	}
	assert.equal((await as(env.a1, 'GET', `/api/v1/tickets/${id}`)).json.ticket.workflow_state, '', 'the state machine was not skipped');
});

test('a customer\'s reply reopens a closed ticket, with a history row, and clears closed_at', async () => {
	const t = await create(keyW, { site_id: site.id, subject: 'closed then reply', body: 'hi', requester_email: 'c2@example.com' });
	const id = t.ticket.id;
	let r = await as(env.a1, 'PATCH', `/api/v1/tickets/${id}`, { status: 'closed' });
	assert.ok(r.json.ticket.closed_at > 0);
	r = await withKey(keyW, 'POST', `/api/v1/tickets/${id}/messages`, { body: '问题又出现了', author: 'customer' });
	assert.equal(r.status, 201, r.text);
	assert.equal(r.json.ticket.status, 'open', 'reopened');
	assert.equal(r.json.ticket.closed_at, 0);
	assert.equal(r.json.ticket.resolved_at, 0);
	const last = r.json.events.filter((e) => e.field === 'status').at(-1);
	assert.deepEqual([last.old, last.new, last.actor], ['closed', 'open', 'customer']);
});

test('offline hand-overs make one ticket per conversation: the transcript as its body, a long name cut to fit', async () => {
	let r = await admin('POST', `/api/v1/sites/${site.id}/kb/articles`, { lang: 'zh-CN', status: 'published', visibility: 'public',
		slug: 'invoice-title', question: '发票抬头怎么改？', answer_md: '在订单页点击「修改发票」。' });
	assert.equal(r.status, 201, r.text);
	r = await admin('PUT', `/api/v1/sites/${site.id}/bot`, { mode: 'offline', threshold: 0.3 });
	assert.equal(r.status, 200, r.text);
	try {
		const name = '名'.repeat(150);   /* 450 bytes: more than a ticket keeps */
		const v = await connectVisitor(srv, site.key, { name });
		const ack = await sendMsg(v, { text: '发票抬头怎么改' });
		await v.next('bot_answer', 4000);
		v.send({ type: 'bot_feedback', helpful: false });   /* the bot gives up: a hand-over */
		await sendMsg(v, { text: '还有一个问题：能开专票吗？' });
		v.send({ type: 'bot_feedback', helpful: false });   /* "not helpful" again, if the bot still waits */
		await sleep(300);
		const ids = [];
		for (const x of (await as(env.a1, 'GET', '/api/v1/tickets?view=all&limit=200')).json.tickets) {
			if (x.channel !== 'chat') continue;
			const d = (await as(env.a1, 'GET', `/api/v1/tickets/${x.id}`)).json;
			if (d.ticket.conversation_id === ack.conversation_id) ids.push(d);
		}
		assert.equal(ids.length, 1, `one ticket for the conversation, not ${ids.length}`);
		const t = ids[0];
		assert.equal(t.ticket.subject, '发票抬头怎么改', 'the subject is the visitor\'s first message');
		assert.ok(t.ticket.requester_name.startsWith('名') && Buffer.byteLength(t.ticket.requester_name) <= 200, 'the name is cut, not dropped');
		assert.match(t.messages[0].body, /发票抬头怎么改/, 'the transcript is the body, never empty');
		const again = await as(env.a1, 'POST', `/api/v1/conversations/${ack.conversation_id}/ticket`);
		assert.equal(again.status, 409, 'the agent\'s "make a ticket" finds the same one');
		assert.equal(again.json.ticket_id, t.ticket.id);
		v.close();
	} finally {
		await admin('PUT', `/api/v1/sites/${site.id}/bot`, { mode: 'off' });
	}
});

test('attachment names and types are cleaned as every other way in cleans them', async () => {
	const id = (await create(env.a1, { site_id: site.id, subject: 'att clean' })).ticket.id;
	const upload = multipart([{ name: 'file', filename: 'x.html', contentType: 'Text/HTML<script>; charset=utf-8', data: 'hi' }]);
	const up = await request(srv.base, 'POST', `/api/v1/tickets/${id}/attachments`, { cookie: env.a1.cookie, csrf: env.a1.csrf, body: upload.body, headers: { 'Content-Type': upload.contentType } });
	assert.equal(up.status, 201, up.text);
	assert.equal(up.json.attachment.content_type, 'application/octet-stream', 'a type with odd characters is not kept');
	const up2 = multipart([{ name: 'file', filename: 'a.PDF', contentType: 'Application/PDF', data: '%PDF' }]);
	const r2 = await request(srv.base, 'POST', `/api/v1/tickets/${id}/attachments`, { cookie: env.a1.cookie, csrf: env.a1.csrf, body: up2.body, headers: { 'Content-Type': up2.contentType } });
	assert.equal(r2.json.attachment.content_type, 'application/pdf', 'lowercased');
});
