// Merging customers with undo (issue 6). Two customers of a site, each with orders, points
// (delivered orders) and a linked visitor: merging B into A gives A B's orders, visitors,
// e-mails and tags, and A's balance becomes the sum (B's balance moves over as a pair of
// 'adjust' entries, since the ledger is append-only); B disappears from lists and searches,
// and its external id now finds A. The undo brings everything back: both customers' full JSON,
// their orders and their ledger entries (apart from the transfer pair and its reversal, which
// stay in the append-only ledger) are exactly what they were before. A second undo is 409, an
// undo that is not the latest merge touching those customers is 409, cross-site and
// self-merges are refused, agents get 403.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { stopAll, request } from './lib.mjs';
import { chatSetup, closeAllPeers, connectVisitor } from './chatlib.mjs';

let env, srv, site, key;
const as = (sess, method, path, json) => request(srv.base, method, path, { cookie: sess.cookie, csrf: sess.csrf, json });
const admin = (method, path, json) => as(env.admin, method, path, json);
const withKey = (method, path, json) => request(srv.base, method, path, { bearer: key, json });

async function ok(p, status = 200) {
	const r = await p;
	assert.equal(r.status, status, r.text);
	return r.json;
}
const order = (ext, status, cents, category = 'tea') => ({
	status, currency: 'CNY', total_cents: cents, placed_at: '2026-11-20T08:30:00Z',
	customer: { external_id: ext }, items: [{ sku: 'S', name: 'Item', category, quantity: 1, price_cents: cents }],
});

// Everything the undo must restore, read through the API.
async function snapshot(ids) {
	const out = {};
	for (const id of ids) {
		const points = await ok(admin('GET', `/api/v1/customers/${id}/points?limit=200`));
		out[id] = {
			customer: (await ok(admin('GET', `/api/v1/customers/${id}`))).customer,
			orders: (await ok(admin('GET', `/api/v1/sites/${site.id}/orders?customer=${id}&limit=200`))).orders,
			balance: points.balance,
			ledger: points.entries.filter((e) => !/^merge/.test(e.note)),
		};
	}
	return out;
}

let A, B, C, vA, vB;
before(async () => {
	env = await chatSetup();
	srv = env.srv;
	site = env.plain;
	const k = await ok(admin('POST', '/api/v1/apikeys', { name: 'merge', scopes: ['orders:write', 'customers:write'] }), 201);
	key = k.key;
	A = (await ok(admin('PUT', `/api/v1/sites/${site.id}/customers/m-a`, { name: 'Alice', emails: ['alice@example.com'], tags: ['vip'], notes: 'likes tea' }), 201)).customer;
	B = (await ok(admin('PUT', `/api/v1/sites/${site.id}/customers/m-b`, { name: 'Alice W.', emails: ['alice.w@example.com'], phones: ['+86 139 0000 1111'], tags: ['wholesale', 'vip'], notes: 'guest checkout' }), 201)).customer;
	C = (await ok(admin('PUT', `/api/v1/sites/${env.preview.id}/customers/m-c`, { name: 'Elsewhere' }), 201)).customer;
	await ok(withKey('PUT', `/api/v1/sites/${site.id}/orders/MA-1`, order('m-a', 'delivered', 12000)), 201);
	await ok(withKey('PUT', `/api/v1/sites/${site.id}/orders/MA-2`, order('m-a', 'paid', 5000)), 201);
	await ok(withKey('PUT', `/api/v1/sites/${site.id}/orders/MB-1`, order('m-b', 'delivered', 30050)), 201);
	await ok(withKey('PUT', `/api/v1/sites/${site.id}/orders/MB-2`, order('m-b', 'delivered', 999)), 201);
	// one visitor each, linked by an agent's confirmation
	vA = await connectVisitor(srv, site.key, { email: 'alice@example.com' });
	vB = await connectVisitor(srv, site.key, { email: 'alice.w@example.com' });
	await ok(as(env.a1, 'POST', `/api/v1/visitors/${vA.visitorId}/customer`, { customer_id: A.id }));
	await ok(as(env.a1, 'POST', `/api/v1/visitors/${vB.visitorId}/customer`, { customer_id: B.id }));
});
after(async () => { closeAllPeers(); await stopAll(); });

test('refused: agents 403, self, cross-site, unknown, malformed', async () => {
	assert.equal((await as(env.a1, 'POST', `/api/v1/customers/${A.id}/merge`, { from: B.id })).status, 403);
	for (const [body, status] of [[{ from: A.id }, 422], [{ from: C.id }, 422], [{ from: 999999 }, 404], [{}, 422], [{ from: 'x' }, 422], [{ from: B.id, x: 1 }, 422]]) {
		const r = await admin('POST', `/api/v1/customers/${A.id}/merge`, body);
		assert.equal(r.status, status, JSON.stringify(body) + ' ' + r.text);
		assert.ok(r.json.error.code);
	}
	assert.equal((await admin('POST', `/api/v1/customers/${C.id}/merge`, { from: A.id })).status, 422, 'cross-site the other way');
});

test('merge moves everything into the target; undo restores exactly; a second undo is 409', async () => {
	const before = await snapshot([A.id, B.id]);
	assert.equal(before[A.id].balance, 120);
	assert.equal(before[B.id].balance, 300 + 9);
	const m = await ok(admin('POST', `/api/v1/customers/${A.id}/merge`, { from: B.id }));
	assert.equal(m.merge.into.id, A.id);
	assert.equal(m.merge.from.id, B.id);
	assert.equal(m.merge.undone_at, null);
	assert.equal(m.moved.orders, 2);
	assert.equal(m.moved.visitors, 1);
	assert.equal(m.moved.points, 309);
	assert.equal(m.rfm, 'recomputed', 'a small site is re-scored at once');

	const a = (await ok(admin('GET', `/api/v1/customers/${A.id}`))).customer;
	assert.equal(a.name, 'Alice', 'the target keeps its name');
	assert.deepEqual(a.emails, ['alice@example.com', 'alice.w@example.com']);
	assert.deepEqual(a.phones, ['+86 139 0000 1111']);
	assert.deepEqual(a.tags, ['vip', 'wholesale']);
	assert.equal(a.notes, 'likes tea\n\nguest checkout');
	const orders = (await ok(admin('GET', `/api/v1/sites/${site.id}/orders?customer=${A.id}`))).orders.map((o) => o.number).sort();
	assert.deepEqual(orders, ['MA-1', 'MA-2', 'MB-1', 'MB-2']);
	assert.equal((await ok(admin('GET', `/api/v1/customers/${A.id}/points`))).balance, 120 + 309, 'balance = sum');
	assert.equal((await ok(admin('GET', `/api/v1/customers/${B.id}/points`))).balance, 0);
	const list = (await ok(admin('GET', `/api/v1/sites/${site.id}/customers`))).customers.map((c) => c.id);
	assert.ok(list.includes(A.id) && !list.includes(B.id), 'the merged customer is gone from the list');
	assert.deepEqual((await ok(admin('GET', `/api/v1/sites/${site.id}/customers?q=alice.w`))).customers.map((c) => c.id), [A.id]);
	assert.equal((await ok(as(env.a1, 'GET', `/api/v1/visitors/${vB.visitorId}/customer`))).customer.id, A.id, "B's visitor is A's now");
	assert.deepEqual((await ok(as(env.a1, 'GET', `/api/v1/visitors/${vB.visitorId}/customer`))).candidates, []);
	const merges = (await ok(as(env.a1, 'GET', `/api/v1/customers/${A.id}/merges`))).merges;
	assert.equal(merges.length, 1);
	assert.equal(merges[0].id, m.merge.id);
	assert.equal(merges[0].from.name, 'Alice W.');
	assert.equal((await admin('POST', `/api/v1/customers/${B.id}/merge`, { from: A.id })).status, 409, 'a merged customer takes no merge');
	assert.equal((await as(env.a1, 'POST', `/api/v1/customer-merges/${m.merge.id}/undo`)).status, 403, 'agents may not undo');

	const u = await ok(admin('POST', `/api/v1/customer-merges/${m.merge.id}/undo`));
	assert.ok(u.merge.undone_at > 0);
	const afterUndo = await snapshot([A.id, B.id]);
	assert.deepEqual(afterUndo, before, 'both customers, their orders and their ledgers are as before');
	assert.equal((await ok(as(env.a1, 'GET', `/api/v1/visitors/${vB.visitorId}/customer`))).customer.id, B.id);
	assert.ok((await ok(admin('GET', `/api/v1/sites/${site.id}/customers`))).customers.some((c) => c.id === B.id));
	const again = await admin('POST', `/api/v1/customer-merges/${m.merge.id}/undo`);
	assert.equal(again.status, 409, again.text);
	assert.equal(again.json.error.code, 'already_undone');
	assert.equal((await admin('POST', '/api/v1/customer-merges/999999/undo')).status, 404);
});

test('only the latest merge touching those customers can be undone', async () => {
	const D = (await ok(admin('PUT', `/api/v1/sites/${site.id}/customers/m-d`, { name: 'Dee' }), 201)).customer;
	const m1 = await ok(admin('POST', `/api/v1/customers/${A.id}/merge`, { from: B.id }));
	const m2 = await ok(admin('POST', `/api/v1/customers/${A.id}/merge`, { from: D.id }));
	const r = await admin('POST', `/api/v1/customer-merges/${m1.merge.id}/undo`);
	assert.equal(r.status, 409, r.text);
	assert.equal(r.json.error.code, 'not_latest');
	await ok(admin('POST', `/api/v1/customer-merges/${m2.merge.id}/undo`));
	await ok(admin('POST', `/api/v1/customer-merges/${m1.merge.id}/undo`));
	assert.equal((await ok(admin('GET', `/api/v1/customers/${A.id}/points`))).balance, 120);
	assert.equal((await ok(admin('GET', `/api/v1/customers/${B.id}/points`))).balance, 309);
});

test("after a merge the source's external id finds the target", async () => {
	const m = await ok(admin('POST', `/api/v1/customers/${A.id}/merge`, { from: B.id }));
	const o = await ok(withKey('PUT', `/api/v1/sites/${site.id}/orders/MB-3`, order('m-b', 'paid', 100)), 201);
	assert.equal(o.order.customer_id, A.id);
	assert.ok(m.merge.id > 0);
});
