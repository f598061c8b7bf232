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
	const p = await admin('PATCH', `/api/v1/customers/${B.id}`, { notes: 'too late' });
	assert.equal(p.status, 409, `a merged-away customer is read-only: ${p.text}`);
	assert.equal(p.json.error.code, 'merged');
});

// Undo never mints points: B's 100 went to A with the merge, A spent them, so the undo gives B
// nothing back (A is not left at -100 and B at 100 again) and says so; with part left, only that.
test('undo gives back at most what the target still holds, and reports the shortfall', async () => {
	const X = (await ok(admin('PUT', `/api/v1/sites/${site.id}/customers/m-x`, { name: 'Xu' }), 201)).customer;
	const Y = (await ok(admin('PUT', `/api/v1/sites/${site.id}/customers/m-y`, { name: 'Yan' }), 201)).customer;
	await ok(withKey('PUT', `/api/v1/sites/${site.id}/orders/MX-1`, order('m-x', 'delivered', 10000)), 201);
	const m = await ok(admin('POST', `/api/v1/customers/${Y.id}/merge`, { from: X.id }));
	assert.equal(m.moved.points, 100);
	await ok(admin('POST', `/api/v1/customers/${Y.id}/points`, { delta: -100, reason: 'spend', note: 'used at checkout' }), 201);
	const u = await ok(admin('POST', `/api/v1/customer-merges/${m.merge.id}/undo`));
	assert.deepEqual(u.points, { moved: 100, returned: 0, short: 100 });
	assert.equal((await ok(admin('GET', `/api/v1/customers/${Y.id}/points`))).balance, 0, 'the target is not left below 0');
	assert.equal((await ok(admin('GET', `/api/v1/customers/${X.id}/points`))).balance, 0, 'spent points do not come back');

	// the target had 30 of its own and spent 100 of the 130: only the 30 left go back
	await ok(withKey('PUT', `/api/v1/sites/${site.id}/orders/MY-1`, order('m-y', 'delivered', 3000)), 201);
	await ok(withKey('PUT', `/api/v1/sites/${site.id}/orders/MX-2`, order('m-x', 'delivered', 10000)), 201);
	const m2 = await ok(admin('POST', `/api/v1/customers/${Y.id}/merge`, { from: X.id }));
	assert.equal(m2.moved.points, 100);
	await ok(admin('POST', `/api/v1/customers/${Y.id}/points`, { delta: -100, reason: 'spend' }), 201);
	const u2 = await ok(admin('POST', `/api/v1/customer-merges/${m2.merge.id}/undo`));
	assert.deepEqual(u2.points, { moved: 100, returned: 30, short: 70 });
	assert.equal((await ok(admin('GET', `/api/v1/customers/${Y.id}/points`))).balance, 0);
	assert.equal((await ok(admin('GET', `/api/v1/customers/${X.id}/points`))).balance, 30);
});

// The undo takes away only what the merge added: edits made to the target since stay.
test('undo keeps profile edits made after the merge', async () => {
	const P = (await ok(admin('PUT', `/api/v1/sites/${site.id}/customers/m-p`, { name: 'Pat', emails: ['pat@example.com'], tags: ['vip'], notes: 'likes tea' }), 201)).customer;
	const Q = (await ok(admin('PUT', `/api/v1/sites/${site.id}/customers/m-q`, { name: 'Quinn', emails: ['quinn@example.com'], phones: ['+86 138 0000 2222'], tags: ['wholesale'], notes: 'guest checkout', birthday: '1990-02-03', lang: 'zh-CN' }), 201)).customer;
	const E = (await ok(admin('PUT', `/api/v1/sites/${site.id}/customers/m-e`, {}), 201)).customer;
	const m = await ok(admin('POST', `/api/v1/customers/${P.id}/merge`, { from: Q.id }));
	const merged = (await ok(admin('GET', `/api/v1/customers/${P.id}`))).customer;
	assert.equal(merged.birthday, '1990-02-03', 'an empty birthday is filled from the source');
	await ok(admin('PATCH', `/api/v1/customers/${P.id}`, {
		emails: [...merged.emails, 'pat.work@example.com'], tags: [...merged.tags, 'gold'],
		notes: `${merged.notes}\n\ncalled on 11-21`, lang: 'en',
	}));
	await ok(admin('POST', `/api/v1/customer-merges/${m.merge.id}/undo`));
	const p = (await ok(admin('GET', `/api/v1/customers/${P.id}`))).customer;
	assert.equal(p.name, 'Pat');
	assert.deepEqual(p.emails, ['pat@example.com', 'pat.work@example.com'], "Q's e-mail goes, the agent's new one stays");
	assert.deepEqual(p.phones, []);
	assert.deepEqual(p.tags, ['vip', 'gold']);
	assert.equal(p.notes, 'likes tea\n\ncalled on 11-21', "Q's notes go, the note written since stays");
	assert.equal(p.birthday, '', 'the birthday the merge filled in goes');
	assert.equal(p.lang, 'en', 'a language changed since the merge stays');

	// a name the merge filled in goes, unless it was changed since
	const m2 = await ok(admin('POST', `/api/v1/customers/${E.id}/merge`, { from: Q.id }));
	assert.equal((await ok(admin('GET', `/api/v1/customers/${E.id}`))).customer.name, 'Quinn');
	await ok(admin('POST', `/api/v1/customer-merges/${m2.merge.id}/undo`));
	assert.equal((await ok(admin('GET', `/api/v1/customers/${E.id}`))).customer.name, '');
	const m3 = await ok(admin('POST', `/api/v1/customers/${E.id}/merge`, { from: Q.id }));
	await ok(admin('PATCH', `/api/v1/customers/${E.id}`, { name: 'Eve' }));
	await ok(admin('POST', `/api/v1/customer-merges/${m3.merge.id}/undo`));
	const e = (await ok(admin('GET', `/api/v1/customers/${E.id}`))).customer;
	assert.equal(e.name, 'Eve');
	assert.deepEqual(e.emails, []);
});

// The shop re-sending a merged-away customer's profile adds to the survivor, never replaces it.
test("PUT of a merged-away external id adds to the survivor's profile", async () => {
	const S = (await ok(admin('PUT', `/api/v1/sites/${site.id}/customers/m-s`, { name: 'Sam', emails: ['sam@example.com'], tags: ['vip'], notes: 'prefers phone' }), 201)).customer;
	const T = (await ok(admin('PUT', `/api/v1/sites/${site.id}/customers/m-t`, { name: 'Tom', emails: ['tom@example.com'] }), 201)).customer;
	await ok(admin('POST', `/api/v1/customers/${S.id}/merge`, { from: T.id }));
	const body = { name: 'Thomas', emails: ['tom2@example.com'], tags: ['new'], notes: 'from the shop' };
	const r = await ok(withKey('PUT', `/api/v1/sites/${site.id}/customers/m-t`, body));
	assert.equal(r.customer.id, S.id, 'the answer is the survivor');
	const s = (await ok(admin('GET', `/api/v1/customers/${S.id}`))).customer;
	assert.equal(s.name, 'Sam', "the survivor's name stays");
	assert.equal(s.external_id, 'm-s');
	assert.deepEqual(s.emails, ['sam@example.com', 'tom@example.com', 'tom2@example.com']);
	assert.deepEqual(s.tags, ['vip', 'new']);
	assert.equal(s.notes, 'prefers phone\n\nfrom the shop');
	await ok(withKey('PUT', `/api/v1/sites/${site.id}/customers/m-t`, body));
	assert.equal((await ok(admin('GET', `/api/v1/customers/${S.id}`))).customer.notes, 'prefers phone\n\nfrom the shop', 'a retry adds nothing twice');
	const bad = await withKey('PUT', `/api/v1/sites/${site.id}/customers/m-t`, { emails: ['not an address'] });
	assert.equal(bad.status, 422, bad.text);
	const o = await ok(withKey('PUT', `/api/v1/sites/${site.id}/orders/MT-1`, order('m-t', 'paid', 100)), 201);
	assert.equal(o.order.customer_id, S.id, 'orders for the merged id still land on the survivor');
});

// The undo gives back only rows the target still holds: a visitor linked elsewhere since stays.
test('undo leaves a visitor re-linked to another customer since the merge where it is', async () => {
	const V1 = (await ok(admin('PUT', `/api/v1/sites/${site.id}/customers/m-v1`, { name: 'Vic', emails: ['vic@example.com'] }), 201)).customer;
	const V2 = (await ok(admin('PUT', `/api/v1/sites/${site.id}/customers/m-v2`, { name: 'Val', emails: ['val@example.com'] }), 201)).customer;
	const w = await connectVisitor(srv, site.key, { email: 'val@example.com' });
	await ok(as(env.a1, 'POST', `/api/v1/visitors/${w.visitorId}/customer`, { customer_id: V2.id }));
	const m = await ok(admin('POST', `/api/v1/customers/${V1.id}/merge`, { from: V2.id }));
	assert.equal(m.moved.visitors, 1);
	await ok(as(env.a1, 'DELETE', `/api/v1/visitors/${w.visitorId}/customer`));
	const z = await ok(as(env.a1, 'POST', `/api/v1/visitors/${w.visitorId}/customer`, { create: true }), 201);
	await ok(admin('POST', `/api/v1/customer-merges/${m.merge.id}/undo`));
	assert.equal((await ok(as(env.a1, 'GET', `/api/v1/visitors/${w.visitorId}/customer`))).customer.id, z.customer.id,
		'the visitor stays with the customer it was linked to after the merge');
});
