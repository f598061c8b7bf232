// Agent-confirmed identity (issue 6): an e-mail or phone a visitor types is a claim nobody
// verified, so it never links the visitor by itself. GET /api/v1/visitors/:id/customer lists
// the customers of the visitor's site whose e-mail (case-insensitive) or phone (by its digits)
// equals it as `candidates` (never a customer of another site); only an agent's POST links
// the visitor (recorded as agent_email / agent_phone with who and when), {create:true} makes a
// customer from what the visitor left, DELETE unlinks. Such a link is for agents: the widget's
// "my orders" still needs the shop's signature, and a hello without a claim does not drop it.
// Agents of another site get 404, malformed bodies 422.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { stopAll, request } from './lib.mjs';
import { chatSetup, closeAllPeers, connectVisitor, AGENT1 } from './chatlib.mjs';

let env, srv, site, other;
const as = (sess, method, path, json) => request(srv.base, method, path, { cookie: sess.cookie, csrf: sess.csrf, json });
const admin = (method, path, json) => as(env.admin, method, path, json);

async function customer(siteId, ext, body) {
	const r = await admin('PUT', `/api/v1/sites/${siteId}/customers/${ext}`, body);
	assert.equal(r.status, 201, r.text);
	return r.json.customer;
}
async function panel(sess, vid) {
	const r = await as(sess, 'GET', `/api/v1/visitors/${vid}/customer`);
	assert.equal(r.status, 200, r.text);
	return r.json;
}

let x, y, z, vEmail, vPhone;
before(async () => {
	env = await chatSetup();
	srv = env.srv;
	site = env.plain;
	other = env.preview;
	x = await customer(site.id, 'x-1', { name: '韩梅梅', emails: ['han.meimei@example.com'] });
	z = await customer(site.id, 'z-1', { name: 'Zed', phones: ['+86 138-0013-8000'] });
	// the same e-mail on another site: never a candidate for this site's visitor
	y = await customer(other.id, 'y-1', { name: 'Other shop', emails: ['han.meimei@example.com'] });
	vEmail = await connectVisitor(srv, site.key, { name: 'Han', email: 'Han.Meimei@Example.com' });
	vPhone = await connectVisitor(srv, site.key, { name: '李雷' });
	vPhone.send({ type: 'contact', name: '李雷', phone: '8613800138000' });
	await vPhone.next('contact');
});
after(async () => { closeAllPeers(); await stopAll(); });

test('candidates: same site, e-mail case-insensitive, phone by digits; nothing linked before a click', async () => {
	let p = await panel(env.a1, vEmail.visitorId);
	assert.equal(p.customer, null, 'an e-mail the visitor typed links nobody');
	assert.equal(p.link, null);
	assert.deepEqual(p.candidates, [{ id: x.id, name: '韩梅梅', external_id: 'x-1', matched: 'email' }]);
	assert.ok(!p.candidates.some((c) => c.id === y.id), 'never a customer of another site');
	p = await panel(env.a1, vPhone.visitorId);
	assert.deepEqual(p.candidates, [{ id: z.id, name: 'Zed', external_id: 'z-1', matched: 'phone' }]);
	const mine = await request(srv.base, 'GET', `/api/v1/orders/mine?site=${site.key}`, { headers: { 'X-Visitor-Token': vEmail.token, Origin: 'http://shop.test' } });
	assert.equal(mine.status, 404, 'not identified: ' + mine.text);
});

test('an agent confirms: the panel shows the customer, recorded as agent_email by that agent', async () => {
	assert.equal((await as(env.a1, 'POST', `/api/v1/visitors/${vEmail.visitorId}/customer`, { customer_id: z.id })).status, 422,
		'a customer the visitor\'s contact does not match is refused');
	assert.equal((await as(env.a1, 'POST', `/api/v1/visitors/${vEmail.visitorId}/customer`, { customer_id: y.id })).status, 404,
		'a customer of another site is not found');
	for (const bad of [{}, { customer_id: 'x' }, { customer_id: x.id, create: true }, { create: false }, { customer_id: -1 }]) {
		const r = await as(env.a1, 'POST', `/api/v1/visitors/${vEmail.visitorId}/customer`, bad);
		assert.equal(r.status, 422, JSON.stringify(bad) + r.text);
		assert.equal(r.json.error.code, 'invalid_field');
	}
	const before = Math.floor(Date.now() / 1000);
	const r = await as(env.a1, 'POST', `/api/v1/visitors/${vEmail.visitorId}/customer`, { customer_id: x.id });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.customer.id, x.id);
	assert.equal(r.json.link.source, 'agent_email');
	assert.equal(r.json.link.confirmed_by, env.ids[AGENT1.email]);
	assert.ok(r.json.link.confirmed_at >= before);
	const p = await panel(env.a2, vEmail.visitorId);
	assert.equal(p.customer.id, x.id);
	assert.equal(p.customer.name, '韩梅梅');
	assert.deepEqual(p.candidates, [], 'no candidates once linked');
	assert.equal(p.link.source, 'agent_email');
	// the widget's own order list still needs the shop's signed claim
	const mine = await request(srv.base, 'GET', `/api/v1/orders/mine?site=${site.key}`, { headers: { 'X-Visitor-Token': vEmail.token, Origin: 'http://shop.test' } });
	assert.equal(mine.status, 404, mine.text);
	// a later hello without a claim keeps an agent's confirmation (only signed links go inactive)
	const again = await connectVisitor(srv, site.key, { token: vEmail.token });
	assert.equal(again.visitorId, vEmail.visitorId);
	assert.equal((await panel(env.a1, vEmail.visitorId)).customer.id, x.id);
});

test('phone confirm, create:true, unlink', async () => {
	let r = await as(env.a1, 'POST', `/api/v1/visitors/${vPhone.visitorId}/customer`, { customer_id: z.id });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.link.source, 'agent_phone');
	r = await as(env.a1, 'DELETE', `/api/v1/visitors/${vPhone.visitorId}/customer`);
	assert.equal(r.status, 200, r.text);
	assert.equal((await panel(env.a1, vPhone.visitorId)).customer, null);
	assert.equal((await as(env.a1, 'DELETE', `/api/v1/visitors/${vPhone.visitorId}/customer`)).status, 404);
	r = await as(env.a1, 'POST', `/api/v1/visitors/${vPhone.visitorId}/customer`, { create: true });
	assert.equal(r.status, 201, r.text);
	assert.notEqual(r.json.customer.id, z.id, 'a new customer');
	assert.equal(r.json.link.source, 'agent_create');
	const c = await admin('GET', `/api/v1/customers/${r.json.customer.id}`);
	assert.equal(c.status, 200);
	assert.equal(c.json.customer.name, '李雷');
	assert.equal(c.json.customer.site_id, site.id);
	assert.deepEqual(c.json.customer.phones, ['8613800138000']);
	assert.equal((await panel(env.a1, vPhone.visitorId)).customer.id, r.json.customer.id);
});

test('agents of another site: 404 for read, confirm and unlink', async () => {
	assert.equal((await as(env.out, 'GET', `/api/v1/visitors/${vEmail.visitorId}/customer`)).status, 404);
	assert.equal((await as(env.out, 'POST', `/api/v1/visitors/${vEmail.visitorId}/customer`, { customer_id: x.id })).status, 404);
	assert.equal((await as(env.out, 'POST', `/api/v1/visitors/${vEmail.visitorId}/customer`, { create: true })).status, 404);
	assert.equal((await as(env.out, 'DELETE', `/api/v1/visitors/${vEmail.visitorId}/customer`)).status, 404);
	assert.equal((await panel(env.a1, vEmail.visitorId)).customer.id, x.id, 'still linked');
});
