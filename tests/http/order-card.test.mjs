// Order cards in chat (issue 6): an agent sends one of the conversation customer's orders with
// {"type":"send_order","conversation_id","number"}. The visitor's socket receives a msg of kind
// "text" with a plain fallback text (in the visitor's language) and a `card` object; the
// conversation's history (GET /api/v1/conversations/:id) and the transcript keep it. Refused:
// an order of another customer, an order of another site, an unknown number, a visitor who is
// not identified, a chat the agent does not own; a visitor cannot send a card at all.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { stopAll, request, ADMIN_EMAIL } from './lib.mjs';
import {
	chatSetup, connectVisitor, connectAgent, expectError, closeAllPeers, createSite, setMembers, sendMsg, watch,
	nextMsg, cid, getConversation, j, AGENT1,
} from './chatlib.mjs';

let env, srv, site, other, key;

const admin = (method, path, json) => request(srv.base, method, path, { cookie: env.admin.cookie, csrf: env.admin.csrf, json });
const secretOf = async (s) => {
	const r = await admin('GET', `/api/v1/sites/${s.id}/identity`);
	assert.equal(r.status, 200, r.text);
	return r.json.secret ?? r.json.identity?.secret;
};
const ORDER = {
	status: 'shipped', currency: 'CNY', total: '398.00', email: 'li.lei@example.com', carrier: 'SF Express',
	tracking: 'SF1234567890', placed_at: '2026-11-20T08:30:00Z',
	customer: { external_id: 'u-1001', name: '李雷', email: 'li.lei@example.com' },
	items: [{ sku: 'TEA-01', name: '龙井茶 250g', category: 'tea', quantity: 2, price: '99.00' }],
};
const put = (s, number, body) => request(srv.base, 'PUT', `/api/v1/sites/${s.id}/orders/${number}`, { bearer: key, json: body });

/* A signed visitor of `site` with an active chat that AGENT1 accepted. */
async function identifiedChat(customerId, lang) {
	const secret = await secretOf(site);
	const sig = crypto.createHmac('sha256', secret).update(customerId).digest('hex');
	const v = await connectVisitor(srv, site.key, { customer: { id: customerId, sig }, lang });
	assert.equal(v.welcome.customer?.external_id, customerId, `signed: ${j(v.welcome)}`);
	const ack = await sendMsg(v, { text: '我的订单到哪了？' });
	const a = await connectAgent(srv, env.a1, { status: 'online' });
	await watch(a, ack.conversation_id, 0);
	a.send({ type: 'accept', conversation_id: ack.conversation_id });
	await a.next('conversation', 5000, (f) => f.conversation.id === ack.conversation_id && f.conversation.status === 'active');
	return { v, a, conv: ack.conversation_id };
}

before(async () => {
	env = await chatSetup();
	srv = env.srv;
	site = env.plain;
	other = await createSite(srv, env.admin, { name: 'Other shop' });
	await setMembers(srv, env.admin, other.id, [env.ids[ADMIN_EMAIL], env.ids[AGENT1.email]]);
	const k = await admin('POST', '/api/v1/apikeys', { name: 'card test', scopes: ['orders:write'] });
	assert.equal(k.status, 201, k.text);
	key = k.json.key;
	for (const [s, n, body] of [
		[site, 'SO-1001', ORDER],
		[site, 'SO-2001', { ...ORDER, email: 'han@example.com', customer: { external_id: 'u-2002', name: '韩梅梅' } }],
		[other, 'SO-3001', ORDER],
	]) {
		const r = await put(s, n, body);
		assert.equal(r.status, 201, r.text);
	}
});
after(async () => { closeAllPeers(); await stopAll(); });

test('an agent sends an order card: the visitor gets the msg with card and a fallback text; history keeps it', async () => {
	const { v, a, conv } = await identifiedChat('u-1001', 'zh-CN');
	const c = cid('card');
	a.send({ type: 'send_order', conversation_id: conv, number: 'SO-1001', client_id: c });
	const ack = await a.next('ack', 5000, (f) => f.client_id === c);
	assert.equal(ack.conversation_id, conv);
	const got = await nextMsg(v, (m) => m.id === ack.id);
	const m = got.message;
	assert.equal(m.kind, 'text');
	assert.equal(m.from, 'agent');
	assert.equal(m.text, '订单 SO-1001 · 已发货 · 398.00 CNY · SF Express SF1234567890', 'zh-CN fallback');
	assert.deepEqual(m.card, {
		type: 'order', number: 'SO-1001', status: 'shipped', placed_at: Date.UTC(2026, 10, 20, 8, 30) / 1000,
		total_cents: 39800, currency: 'CNY', items: [{ name: '龙井茶 250g', quantity: 2 }], carrier: 'SF Express',
		tracking: 'SF1234567890',
	});
	const am = await nextMsg(a, (x) => x.id === ack.id);
	assert.deepEqual(am.message.card, m.card, 'the watching agent gets the same card');

	/* the same client_id again stores nothing new (same ack, no second msg) */
	a.send({ type: 'send_order', conversation_id: conv, number: 'SO-1001', client_id: c });
	const again = await a.next('ack', 5000, (f) => f.client_id === c);
	assert.equal(again.id, ack.id);

	const g = await getConversation(srv, env.a1, conv);
	const stored = g.messages.filter((x) => x.card);
	assert.equal(stored.length, 1, `one card in the history: ${j(g.messages)}`);
	assert.deepEqual(stored[0].card, m.card);
	assert.equal(stored[0].text, m.text);
	const plain = g.messages.find((x) => x.text === '我的订单到哪了？');
	assert.equal(plain.card, undefined, 'ordinary messages carry no card');

	/* a reconnecting visitor gets it again in the welcome (resume) */
	const back = await connectVisitor(srv, site.key, { token: v.token, last_seq: 0 });
	assert.deepEqual(back.welcome.messages.find((x) => x.id === ack.id)?.card, m.card);
	const tr = await request(srv.base, 'GET', `/api/v1/conversations/${conv}/transcript`, { cookie: env.a1.cookie });
	assert.equal(tr.status, 200, tr.text);
	assert.match(tr.text, /订单 SO-1001 · 已发货/, 'the transcript has the fallback text');
	a.send({ type: 'close', conversation_id: conv });   /* agent1's chat limit is 5 */
});

test('the fallback text follows the visitor language (en)', async () => {
	const { v, a, conv } = await identifiedChat('u-1001', 'en');
	a.send({ type: 'send_order', conversation_id: conv, number: 'SO-1001' });
	const got = await nextMsg(v, (m) => !!m.card);
	assert.equal(got.message.text, 'Order SO-1001 · shipped · 398.00 CNY · SF Express SF1234567890');
	a.send({ type: 'close', conversation_id: conv });
});

test('refused: another customer\'s order, another site\'s order, an unknown or malformed number, an unidentified visitor, a chat not owned', async () => {
	const { v, a, conv } = await identifiedChat('u-1001', 'zh-CN');
	const cases = [
		[{ number: 'SO-2001' }, 'forbidden', 'another customer'],
		[{ number: 'SO-3001' }, 'not_found', 'another site'],
		[{ number: 'SO-9999' }, 'not_found', 'unknown number'],
		[{ number: 'bad number!' }, 'invalid_field', 'malformed number'],
		[{}, 'invalid_field', 'no number'],
		[{ number: 'SO-1001', client_id: 'bad id!' }, 'invalid_field', 'bad client_id'],
	];
	for (const [f, code, what] of cases) {
		a.send({ type: 'send_order', conversation_id: conv, ...f });
		await expectError(a, code, what);
	}
	a.send({ type: 'send_order', conversation_id: 999999, number: 'SO-1001' });
	await expectError(a, 'not_found', 'no such conversation');
	a.send({ type: 'send_order', conversation_id: String(conv), number: 'SO-1001' });
	await expectError(a, 'invalid_field', 'conversation_id not an integer');
	/* the other agent does not own this chat */
	const a2 = await connectAgent(srv, env.a2);
	a2.send({ type: 'send_order', conversation_id: conv, number: 'SO-1001' });
	await expectError(a2, 'forbidden', 'not the owner');
	/* a guest visitor: nobody to match the order against */
	const g = await connectVisitor(srv, site.key, {});
	const gack = await sendMsg(g, { text: 'guest question' });
	a.send({ type: 'accept', conversation_id: gack.conversation_id });
	await a.next('conversation', 5000, (f) => f.conversation.id === gack.conversation_id && f.conversation.status === 'active');
	a.send({ type: 'send_order', conversation_id: gack.conversation_id, number: 'SO-1001' });
	await expectError(a, 'forbidden', 'unidentified visitor');
	assert.deepEqual(await v.quiet('msg', 300, (f) => !!f.message?.card), [], 'no card reached the visitor');
	assert.deepEqual(await g.quiet('msg', 0, (f) => !!f.message?.card), [], 'nor the guest');
	a.send({ type: 'close', conversation_id: gack.conversation_id });
	a.send({ type: 'close', conversation_id: conv });
	const hist = await getConversation(srv, env.a1, conv);
	assert.equal(hist.messages.filter((x) => x.card).length, 0, 'nothing was stored');
});

test('a visitor cannot send a card: send_order is unknown to visitors and a card field in msg is ignored', async () => {
	const { v, conv } = await identifiedChat('u-1001', 'zh-CN');
	v.send({ type: 'send_order', conversation_id: conv, number: 'SO-1001' });
	await expectError(v, 'unknown_type', 'visitor send_order');
	const fake = { type: 'order', number: 'SO-2001', status: 'delivered' };
	const ack = await sendMsg(v, { text: 'look at this', card: fake });
	const hist = await getConversation(srv, env.a1, conv);
	const m = hist.messages.find((x) => x.id === ack.id);
	assert.ok(m, 'stored');
	assert.equal(m.card, undefined, 'no card from a visitor');
});
