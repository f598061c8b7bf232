// After-sales workflows (issue 7, point 4) from outside: the eligibility of a return is answered
// before submitting (inside / outside the window from the delivered push, an order not yet
// delivered, a category the shop excludes, more than was bought, one open request per item);
// proving the order by its contact or by the shop-signed visitor, wrong proofs one 404; a request
// (multipart with a photo) becomes a "return" ticket in state "requested" with its workflow and
// the linked order; agents move it only along the allowed steps (refuse needs a reason); a
// refund marks the order returned and the loyalty ledger takes its points back once; repairs
// start "received" with the warranty judged from the order date; an exchange ends with a note
// on the customer and a refusal keeps its reason; complaints resolve only with an outcome; each
// step e-mails the requester the status link (a real SMTP sink); the customer's status page
// shows the steps and the public thread but never an internal note, a wrong token is a 404,
// and a reply from the page lands in the thread; requests too big for the ticket are refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { stopAll, request, multipart, sleep, smtpSink } from './lib.mjs';
import { chatSetup, connectVisitor, closeAllPeers } from './chatlib.mjs';

let env, srv, site, key, secret, sink;
const procs = [];

async function mailTo(to, subject) {
	for (let i = 0; i < 100; i++) {
		const m = sink.mails().find((x) => x.to.includes(to) && x.subject === subject);
		if (m) return m;
		await sleep(50);
	}
	throw new Error(`no mail to ${to} "${subject}": ${JSON.stringify(sink.mails().map((x) => [x.to, x.subject]))}`);
}

const admin = (method, path, json) => request(srv.base, method, path, { cookie: env.admin.cookie, csrf: env.admin.csrf, json });
const as = (sess, method, path, json) => request(srv.base, method, path, { cookie: sess.cookie, csrf: sess.csrf, json });
const sign = (id) => crypto.createHmac('sha256', secret).update(id).digest('hex');
const DAY = 86400;
const now = () => Math.floor(Date.now() / 1000);

const TEA = { sku: 'TEA-01', name: '龙井茶 250g', category: 'tea', quantity: 2, price_cents: 10000 };
const SOCK = { sku: 'SOCK-1', name: '袜子', category: 'underwear', quantity: 3, price_cents: 1500 };
const order = (ext, status, extra = {}) => ({
	status, currency: 'CNY', total_cents: 24500, email: `${ext}@example.com`, phone: '+86 138-0000-0001',
	placed_at: now() - 20 * DAY, customer: { external_id: ext, name: `顾客 ${ext}`, email: `${ext}@example.com` },
	items: [TEA, SOCK], ...extra,
});
async function put(number, body) {
	const r = await request(srv.base, 'PUT', `/api/v1/sites/${site.id}/orders/${number}`, { bearer: key, json: body });
	assert.ok(r.status === 200 || r.status === 201, r.text);
	return r.json.order;
}
const check = (body, headers = {}) => request(srv.base, 'POST', `/api/v1/returns/check?site=${site.key}`, { json: body, headers });
function submit(path, data, files = [], headers = {}) {
	const mp = multipart([{ name: 'data', data: JSON.stringify(data) }, ...files]);
	return request(srv.base, 'POST', `${path}?site=${site.key}`, { body: mp.body, headers: { 'Content-Type': mp.contentType, ...headers } });
}
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
const move = (id, to, reason, sess = env.a1) => as(sess, 'POST', `/api/v1/tickets/${id}/workflow`, reason === undefined ? { to } : { to, reason });

before(async () => {
	env = await chatSetup();
	srv = env.srv;
	site = env.plain;
	const k = await admin('POST', '/api/v1/apikeys', { name: 'shop', scopes: ['orders:write'] });
	assert.equal(k.status, 201, k.text);
	key = k.json.key;
	const sec = await admin('GET', `/api/v1/sites/${site.id}/identity`);
	secret = sec.json.secret ?? sec.json.identity?.secret;
	let r = await admin('PUT', `/api/v1/sites/${site.id}/points-rules`, { points_per_unit: 1, unit_cents: 100 });
	assert.equal(r.status, 200, r.text);
	r = await admin('PUT', `/api/v1/sites/${site.id}/aftersales`, {
		return_days: 7, exchange_days: 15, warranty_months: 12, no_return_categories: ['underwear'],
		service_points: [{ id: 'sh', name: '上海维修中心', address: '上海市…', phone: '021-1234' }],
	});
	assert.equal(r.status, 200, r.text);
	sink = await smtpSink(procs);
	r = await admin('PUT', '/api/v1/settings/smtp', { host: '127.0.0.1', port: sink.port, from: 'service@shop.test' });
	assert.equal(r.status, 200, r.text);
});
after(async () => { closeAllPeers(); await stopAll(); for (const p of procs) p.kill(); });

test('rules: agents read, only admins write, values are checked', async () => {
	const g = await as(env.a1, 'GET', `/api/v1/sites/${site.id}/aftersales`);
	assert.equal(g.status, 200, g.text);
	assert.equal(g.json.rules.return_days, 7);
	assert.deepEqual(g.json.rules.no_return_categories, ['underwear']);
	assert.equal(g.json.rules.service_points[0].name, '上海维修中心');
	assert.equal((await as(env.a1, 'PUT', `/api/v1/sites/${site.id}/aftersales`, { return_days: 3 })).status, 403);
	for (const bad of [{ return_days: -1 }, { return_days: 400 }, { exclude_opened: 1 }, { no_return_categories: [''] },
		{ service_points: [{ id: 'a' }] }, { service_points: [{ id: 'a', name: 'x' }, { id: 'a', name: 'y' }] }]) {
		const r = await admin('PUT', `/api/v1/sites/${site.id}/aftersales`, { ...bad });
		assert.equal(r.status, 422, JSON.stringify(bad) + ' ' + r.text);
		assert.equal(r.json.error.code, 'invalid_field');
	}
	assert.equal((await as(env.out, 'GET', `/api/v1/sites/${site.id}/aftersales`)).status, 404, 'not a member of the site');
});

test('eligibility: inside and outside the window, not delivered, excluded category, quantity', async () => {
	await put('R-IN', order('c-in', 'delivered'));
	await put('R-OLD', order('c-old', 'delivered', { updated_at: now() - 8 * DAY }));
	await put('R-PAID', order('c-paid', 'paid'));
	const ask = (number, items, extra = {}) => check({ number, email: `c-${number === 'R-IN' ? 'in' : number === 'R-OLD' ? 'old' : 'paid'}@example.com`, items, ...extra });

	let r = await ask('R-IN', [{ sku: 'TEA-01', quantity: 2 }]);
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.eligible, true);
	assert.deepEqual(r.json.reasons, []);
	assert.ok(r.json.until > now() + 6 * DAY, 'the window ends 7 days after delivery');

	r = await ask('R-OLD', [{ sku: 'TEA-01', quantity: 1 }], { lang: 'en' });
	assert.equal(r.json.eligible, false);
	assert.deepEqual(r.json.reasons.map((x) => x.code), ['window_closed']);
	assert.equal(r.json.reasons[0].text, 'The time allowed after delivery has passed');
	r = await ask('R-OLD', [{ sku: 'TEA-01', quantity: 1 }], { kind: 'exchange' });
	assert.equal(r.json.eligible, true, 'the exchange window (15 days) is still open: ' + r.text);

	r = await ask('R-PAID', [{ sku: 'TEA-01', quantity: 1 }]);
	assert.deepEqual(r.json.reasons.map((x) => x.code), ['not_delivered']);
	assert.equal(r.json.reasons[0].text, '订单尚未签收，签收后才能申请', 'zh-CN by default');

	r = await ask('R-IN', [{ sku: 'SOCK-1', quantity: 1 }, { sku: 'TEA-01', quantity: 3 }, { sku: 'NOPE', quantity: 1 }]);
	assert.deepEqual(r.json.reasons.map((x) => `${x.code}:${x.sku}`), ['category_excluded:SOCK-1', 'quantity:TEA-01', 'unknown_item:NOPE']);

	for (const bad of [{ number: 'R-IN', email: 'c-in@example.com', items: 'x' }, { number: 'R-IN', email: 'c-in@example.com', items: [{ sku: 'TEA-01', quantity: 1 }], kind: 'gift' },
		{ number: 'R-IN', email: 'c-in@example.com', items: [{ sku: 'TEA-01', quantity: '1' }] }, { email: 'c-in@example.com', items: [] }]) {
		const b = await check(bad);
		assert.equal(b.status, 422, JSON.stringify(bad) + ' ' + b.text);
	}
});

test('proof: a wrong contact and a missing order give the same 404; a signed visitor needs no contact', async () => {
	const wrong = await check({ number: 'R-IN', email: 'someone@else.com', items: [{ sku: 'TEA-01', quantity: 1 }] });
	const absent = await check({ number: 'R-NONE', email: 'c-in@example.com', items: [{ sku: 'TEA-01', quantity: 1 }] });
	assert.equal(wrong.status, 404);
	assert.deepEqual(wrong.json, absent.json);
	const byPhone = await check({ number: 'R-IN', phone: '8613800000001', items: [{ sku: 'TEA-01', quantity: 1 }] });
	assert.equal(byPhone.status, 200, byPhone.text);

	const v = await connectVisitor(srv, site.key, { customer: { id: 'c-in', sig: sign('c-in') } });
	const mine = await check({ number: 'R-IN', items: [{ sku: 'TEA-01', quantity: 1 }] }, { 'X-Visitor-Token': v.token });
	assert.equal(mine.status, 200, mine.text);
	const notMine = await check({ number: 'R-OLD', items: [{ sku: 'TEA-01', quantity: 1 }] }, { 'X-Visitor-Token': v.token });
	assert.equal(notMine.status, 404, 'another customer\'s order: ' + notMine.text);
	const anon = await connectVisitor(srv, site.key, {});
	assert.equal((await check({ number: 'R-IN', items: [] }, { 'X-Visitor-Token': anon.token })).status, 404, 'not identified by the shop');
});

let ticketId, statusUrl;

test('a return request becomes a ticket with its workflow; a second request for the same item is refused', async () => {
	const before = await request(srv.base, 'GET', `/api/v1/customers?site=${site.id}`, { cookie: env.admin.cookie });
	assert.ok(before.status < 500);
	const bad = await submit('/api/v1/returns', { number: 'R-IN', email: 'c-in@example.com', items: [{ sku: 'SOCK-1', quantity: 1 }], reason: '不想要了' });
	assert.equal(bad.status, 422, bad.text);
	assert.equal(bad.json.error.code, 'not_eligible');
	assert.equal(bad.json.error.reasons[0].code, 'category_excluded');
	const noReason = await submit('/api/v1/returns', { number: 'R-IN', email: 'c-in@example.com', items: [{ sku: 'TEA-01', quantity: 1 }] });
	assert.equal(noReason.status, 422, noReason.text);

	// a forged Host header must not end up in the link mailed with the token
	const r = await submit('/api/v1/returns', { number: 'R-IN', email: 'c-in@example.com', items: [{ sku: 'TEA-01', quantity: 2 }], reason: '茶叶受潮 <b>', lang: 'zh-CN' },
		[{ name: 'photos', filename: 'wet.png', contentType: 'image/png', data: PNG }], { Host: 'evil.example' });
	assert.equal(r.status, 201, r.text);
	assert.equal(r.json.ticket.type, 'return');
	assert.equal(r.json.ticket.workflow_state, 'requested');
	ticketId = r.json.ticket.id;
	statusUrl = r.json.status_url;
	assert.match(statusUrl, new RegExp(`/t/${ticketId}\\?k=[A-Za-z0-9_-]{43}$`));
	assert.ok(statusUrl.startsWith(`${srv.base}/t/`), `the link is the server's own address, not the Host header: ${statusUrl}`);
	const firstMail = await mailTo('c-in@example.com', `[#${ticketId}] 已提交申请`);
	assert.ok(!firstMail.body.includes('evil.example'), firstMail.body);
	// the token is in no table (the mails make it again from the ticket's id and the server's secret)
	const dump = execFileSync('sqlite3', [join(srv.dir, 'kefu.db'), '.dump']).toString();
	assert.ok(!dump.includes(new URL(statusUrl).searchParams.get('k')), 'the status token is not stored');

	const t = await as(env.a1, 'GET', `/api/v1/tickets/${ticketId}`);
	assert.equal(t.status, 200, t.text);
	const tk = t.json.ticket ?? t.json;
	assert.equal(tk.type, 'return');
	assert.equal(tk.workflow_state, 'requested');
	const wf = typeof tk.workflow === 'string' ? JSON.parse(tk.workflow) : tk.workflow;
	assert.equal(wf.order, 'R-IN');
	assert.equal(wf.kind, 'return');
	assert.deepEqual(wf.items.map((i) => [i.sku, i.quantity]), [['TEA-01', 2]]);
	assert.deepEqual(t.json.orders.map((o) => o.number), ['R-IN'], 'the order is linked');
	assert.deepEqual(t.json.attachments.map((a) => [a.name, a.content_type]), [['wet.png', 'image/png']], 'the photo is kept');

	const again = await check({ number: 'R-IN', email: 'c-in@example.com', items: [{ sku: 'TEA-01', quantity: 1 }] });
	assert.deepEqual(again.json.reasons.map((x) => x.code), ['open_request'], 'one open request per item');
});

test('agents move the workflow only along allowed steps; refuse needs a reason', async () => {
	let r = await move(ticketId, 'refunded');
	assert.equal(r.status, 409, r.text);
	assert.equal(r.json.error.code, 'bad_transition');
	assert.deepEqual(r.json.error.workflow.next.map((n) => n.state), ['approved', 'refused']);
	r = await move(ticketId, 'refused');
	assert.equal(r.status, 422, 'refusing needs a reason: ' + r.text);
	assert.equal((await move(ticketId, 'approved', undefined, env.out)).status, 404, 'not an agent of the site');
	r = await move(ticketId, 'approved');
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.state, 'approved');
	assert.deepEqual(r.json.next.map((n) => n.state), ['goods_received']);
	assert.equal((await move(ticketId, 'approved')).status, 409, 'no step twice');
	r = await as(env.a1, 'GET', `/api/v1/tickets/${ticketId}/workflow`);
	assert.equal(r.json.state, 'approved');
	assert.deepEqual(r.json.workflow.steps.map((s) => s.state), ['requested', 'approved']);
	/* each step e-mails the requester, in their language, with the status link */
	const first = await mailTo('c-in@example.com', `[#${ticketId}] 已提交申请`);
	assert.ok(first.body.includes(statusUrl), first.body);
	const m = await mailTo('c-in@example.com', `[#${ticketId}] 已同意`);
	assert.ok(m.body.includes(statusUrl), m.body);
});

test('refunded: the order becomes returned and its points are reversed in the ledger', async () => {
	const o = await request(srv.base, 'GET', `/api/v1/sites/${site.id}/orders/R-IN`, { cookie: env.admin.cookie });
	const customerId = o.json.order.customer_id ?? o.json.order.customer?.id;
	assert.ok(customerId, o.text);
	const pts = async () => (await admin('GET', `/api/v1/customers/${customerId}/points`)).json;
	const earned = await pts();
	assert.equal(earned.balance, 245, 'the delivered push earned 1 point per yuan');

	assert.equal((await move(ticketId, 'goods_received')).status, 200);
	const r = await move(ticketId, 'refunded');
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.final, true);
	const after = await request(srv.base, 'GET', `/api/v1/sites/${site.id}/orders/R-IN`, { cookie: env.admin.cookie });
	assert.equal(after.json.order.status, 'returned');
	const p = await pts();
	assert.equal(p.balance, 0, 'the award is reversed');
	assert.deepEqual(p.entries.map((e) => e.reason).sort(), ['order_delivered', 'order_returned']);
	assert.equal((await move(ticketId, 'exchanged')).status, 409, 'nothing after the end');
	const t = await as(env.a1, 'GET', `/api/v1/tickets/${ticketId}`);
	assert.equal((t.json.ticket ?? t.json).status, 'resolved', 'a finished workflow resolves the ticket');
});

test('the status page: steps, the public thread, no internal notes, a wrong token is a 404, replies land', async () => {
	let r = await as(env.a1, 'POST', `/api/v1/tickets/${ticketId}/messages`, { kind: 'note', body: 'INTERNAL-SECRET 客户是老客户' });
	assert.ok(r.status === 200 || r.status === 201, r.text);
	r = await as(env.a1, 'POST', `/api/v1/tickets/${ticketId}/messages`, { kind: 'public', body: '退款已原路退回' });
	assert.ok(r.status === 200 || r.status === 201, r.text);

	const path = new URL(statusUrl).pathname + new URL(statusUrl).search;
	const page = await request(srv.base, 'GET', path);
	assert.equal(page.status, 200, page.text);
	assert.match(page.headers['content-type'], /text\/html/);
	assert.equal(page.headers['cache-control'], 'no-store');
	assert.ok(page.text.includes(`#${ticketId}`));
	for (const s of ['已提交申请', '已同意', '已收到退货', '已退款']) assert.ok(page.text.includes(s), `step ${s}`);
	assert.match(page.text, /<li class="cur" aria-current="step"><span class="st">已退款/);
	assert.ok(page.text.includes('退款已原路退回'), 'the agent\'s public reply');
	assert.ok(page.text.includes('茶叶受潮 &lt;b&gt;'), 'the customer\'s words, escaped');
	assert.ok(!page.text.includes('茶叶受潮 <b>'));
	assert.ok(!page.text.includes('INTERNAL-SECRET'), 'no internal notes');

	const en = await request(srv.base, 'GET', path + '&lang=en');
	assert.ok(en.text.includes('Goods received') && en.text.includes('Refunded'), 'English on request');
	const tw = await request(srv.base, 'GET', path.split('?')[0] + '?k=' + new URL(statusUrl).searchParams.get('k'), { headers: { 'Accept-Language': 'zh-TW,zh;q=0.8' } });
	assert.ok(tw.text.includes('已退款'));

	const wrongTok = await request(srv.base, 'GET', `/t/${ticketId}?k=${'A'.repeat(43)}`);
	assert.equal(wrongTok.status, 404);
	assert.ok(!wrongTok.text.includes('茶叶'));
	assert.equal((await request(srv.base, 'GET', `/t/${ticketId}`)).status, 404);
	assert.equal((await request(srv.base, 'GET', `/t/999999?k=${new URL(statusUrl).searchParams.get('k')}`)).status, 404, 'a token opens only its ticket');

	const k = new URL(statusUrl).searchParams.get('k');
	const reply = await request(srv.base, 'POST', `/t/${ticketId}/reply`, { body: `k=${k}&body=${encodeURIComponent('收到，谢谢！')}&lang=en`, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
	assert.equal(reply.status, 303, reply.text);
	assert.equal(reply.headers.location, `/t/${ticketId}?k=${k}&lang=en`);
	assert.ok((await request(srv.base, 'GET', path)).text.includes('收到，谢谢！'));
	const forged = await request(srv.base, 'POST', `/t/${ticketId}/reply`, { body: `k=${'B'.repeat(43)}&body=hi`, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
	assert.equal(forged.status, 404);
	const empty = await request(srv.base, 'POST', `/t/${ticketId}/reply`, { body: `k=${k}&body=`, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
	assert.equal(empty.status, 422);
});

test('the status page stays bounded: long messages are cut, a huge thread is cut off, never a 500', async () => {
	const t = await as(env.a1, 'POST', '/api/v1/tickets', { site_id: site.id, subject: 'long mails', requester_email: 'long@example.com' });
	assert.equal(t.status, 201, t.text);
	const id = t.json.ticket.id, k = t.json.status_token;
	// 12 messages of 200 KB: 2.4 MB of text, more than the page may hold
	for (let i = 0; i < 12; i++) {
		const r = await as(env.a1, 'POST', `/api/v1/tickets/${id}/messages`, { kind: 'public', body: `M${i} ` + 'x'.repeat(200000) + `END${i}` });
		assert.ok(r.status === 200 || r.status === 201, r.text);
	}
	let page = await request(srv.base, 'GET', `/t/${id}?k=${k}&lang=en`);
	assert.equal(page.status, 200, page.text.slice(0, 300));
	assert.ok(page.text.includes('M11 '), 'every message is shown');
	assert.ok(!page.text.includes('END0'), 'each is cut');
	assert.equal(page.text.split('…</p>').length - 1, 12, 'and marked as cut');
	// many messages that grow six-fold when escaped: the page still fits, with a note
	for (let i = 0; i < 50; i++)
		await as(env.a1, 'POST', `/api/v1/tickets/${id}/messages`, { kind: 'public', body: '"'.repeat(9000) });
	page = await request(srv.base, 'GET', `/t/${id}?k=${k}&lang=en`);
	assert.equal(page.status, 200, page.text.slice(0, 300));
	assert.ok(page.text.length <= 2 * 1024 * 1024);
	assert.match(page.text, /More messages are not shown here/);
});

test('repairs: state "received", warranty from the order date, the service point must be the shop\'s', async () => {
	await put('R-REP', order('c-rep', 'delivered', { placed_at: now() - 400 * DAY }));
	const base = { number: 'R-REP', email: 'c-rep@example.com', sku: 'TEA-01', serial: 'SN-1', fault: '无法开机', service_point: 'sh' };
	const badPoint = await submit('/api/v1/repairs', { ...base, service_point: 'nowhere' });
	assert.equal(badPoint.status, 422, badPoint.text);
	const badSku = await submit('/api/v1/repairs', { ...base, sku: 'NOPE' });
	assert.equal(badSku.status, 422, badSku.text);
	const r = await submit('/api/v1/repairs', base);
	assert.equal(r.status, 201, r.text);
	assert.equal(r.json.ticket.type, 'repair');
	assert.equal(r.json.ticket.workflow_state, 'received');
	const w = await as(env.a1, 'GET', `/api/v1/tickets/${r.json.ticket.id}/workflow`);
	assert.equal(w.json.workflow.warranty, false, 'placed 400 days ago: out of a 12-month warranty');
	assert.equal(w.json.workflow.service_point.name, '上海维修中心');
	assert.equal((await move(r.json.ticket.id, 'shipped_back')).status, 409);
	for (const s of ['diagnosing', 'repairing', 'shipped_back']) assert.equal((await move(r.json.ticket.id, s)).status, 200, s);
});

test('exchanged: an exchange request ends with a note on the customer; refused needs and keeps its reason', async () => {
	await put('R-EX', order('c-ex', 'delivered'));
	const r = await submit('/api/v1/returns', { number: 'R-EX', email: 'c-ex@example.com', items: [{ sku: 'TEA-01', quantity: 1 }], kind: 'exchange', reason: '想换口味' });
	assert.equal(r.status, 201, r.text);
	const id = r.json.ticket.id;
	for (const s of ['approved', 'goods_received', 'exchanged']) assert.equal((await move(id, s)).status, 200, s);
	const o = await request(srv.base, 'GET', `/api/v1/sites/${site.id}/orders/R-EX`, { cookie: env.admin.cookie });
	assert.equal(o.json.order.status, 'delivered', 'an exchange does not return the order');
	const c = await admin('GET', `/api/v1/customers/${o.json.order.customer_id ?? o.json.order.customer?.id}`);
	assert.match(JSON.stringify(c.json), /exchanged: order R-EX/);

	await put('R-NO', order('c-no', 'delivered'));
	const n = await submit('/api/v1/returns', { number: 'R-NO', email: 'c-no@example.com', items: [{ sku: 'TEA-01', quantity: 1 }], reason: '不想要了' });
	const ref = await move(n.json.ticket.id, 'refused', '已超过七天');
	assert.equal(ref.status, 200, ref.text);
	assert.equal(ref.json.final, true);
	assert.equal(ref.json.workflow.steps.at(-1).reason, '已超过七天');
	const again = await check({ number: 'R-NO', email: 'c-no@example.com', items: [{ sku: 'TEA-01', quantity: 2 }] });
	assert.equal(again.json.eligible, true, 'a refused request is no longer open: ' + again.text);
});

test('complaints: an agent\'s complaint ticket starts at open and resolves only with an outcome; other types have no workflow', async () => {
	const c = await as(env.a1, 'POST', '/api/v1/tickets', { site_id: site.id, subject: '快递员态度差', type: 'complaint', body: '……', requester_email: 'x@example.com' });
	assert.equal(c.status, 201, c.text);
	const id = (c.json.ticket ?? c.json).id;
	let r = await as(env.a1, 'GET', `/api/v1/tickets/${id}/workflow`);
	assert.equal(r.json.state, 'open');
	assert.deepEqual(r.json.next, [{ state: 'resolved', needs_reason: true }]);
	assert.equal((await move(id, 'resolved')).status, 422, 'the outcome is required');
	assert.equal((await move(id, 'resolved', 'x'.repeat(301))).status, 422, 'at most 300 bytes');
	r = await move(id, 'resolved', '已致歉并补偿优惠券');
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.final, true);
	const q = await as(env.a1, 'POST', '/api/v1/tickets', { site_id: site.id, subject: '发票', body: '?' });
	const qid = (q.json.ticket ?? q.json).id;
	assert.equal((await as(env.a1, 'GET', `/api/v1/tickets/${qid}/workflow`)).status, 409);
	const m = await move(qid, 'resolved', 'x');
	assert.equal(m.status, 409);
	assert.equal(m.json.error.code, 'no_workflow');
});

test('malformed: no data field, too many photos, non-image photos', async () => {
	const mp = multipart([{ name: 'x', data: '1' }]);
	let r = await request(srv.base, 'POST', `/api/v1/returns?site=${site.key}`, { body: mp.body, headers: { 'Content-Type': mp.contentType } });
	assert.equal(r.status, 422, r.text);
	const ok = { number: 'R-IN', email: 'c-in@example.com', items: [{ sku: 'TEA-01', quantity: 1 }], reason: 'x' };
	r = await submit('/api/v1/returns', ok, [{ name: 'photos', filename: 'a.txt', contentType: 'text/plain', data: 'hi' }]);
	assert.equal(r.status, 422, r.text);
	const six = Array.from({ length: 6 }, (_, i) => ({ name: 'photos', filename: `p${i}.png`, contentType: 'image/png', data: PNG }));
	r = await submit('/api/v1/returns', ok, six);
	assert.equal(r.status, 422, r.text);
	assert.equal((await request(srv.base, 'POST', `/api/v1/returns/check?site=nope`, { json: ok })).status, 404);
	/* the facts must leave room for the steps in the ticket's workflow field: a huge request is refused whole */
	const many = Array.from({ length: 30 }, (_, i) => ({ sku: `BIG-${i}`, name: '长'.repeat(60), category: 'misc', quantity: 1, price_cents: 100 }));
	await put('R-BIG', order('c-big', 'delivered', { items: many, total_cents: 3000 }));
	r = await submit('/api/v1/returns', { number: 'R-BIG', email: 'c-big@example.com', items: many.map((m) => ({ sku: m.sku, quantity: 1 })), reason: 'x'.repeat(1000) });
	assert.equal(r.status, 413, r.text);
	assert.equal(r.json.error.code, 'too_large');
	r = await submit('/api/v1/returns', { ...ok, reason: 'x'.repeat(1001) });
	assert.equal(r.status, 422, 'a reason over 1000 bytes');
});

test('rates: at most 20 requests an hour from one address (repairs have no per-item limit)', async () => {
	const base = { number: 'R-REP', email: 'c-rep@example.com', sku: 'TEA-01', fault: '又坏了', service_point: 'sh' };
	let made = 0, limited = null;
	for (let i = 0; i < 25 && !limited; i++) {
		const r = await submit('/api/v1/repairs', base);
		if (r.status === 201) made++;
		else limited = r;
	}
	assert.ok(made > 0, 'some were filed');
	assert.equal(limited?.status, 429, limited?.text);
	assert.equal(limited.json.error.code, 'rate_limited');
});

test('rules: an API key needs tickets:admin to change them; tickets:write is not enough', async () => {
	const mk = async (scopes) => {
		const k = await admin('POST', '/api/v1/apikeys', { name: `aftersales ${scopes.join(' ')}`, scopes });
		assert.equal(k.status, 201, k.text);
		return k.json.key;
	};
	const put = (key) => request(srv.base, 'PUT', `/api/v1/sites/${site.id}/aftersales`, { bearer: key, json: { return_days: 7 } });
	const w = await put(await mk(['tickets:write', 'tickets:read']));
	assert.equal(w.status, 403, `tickets:write: ${w.text}`);
	const a = await put(await mk(['tickets:admin']));
	assert.equal(a.status, 200, `tickets:admin: ${a.text}`);
});
