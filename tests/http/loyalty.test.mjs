// Loyalty (issue 6) from outside: the shop's order pushes award points through the append-only
// ledger exactly once per order — a delivered push earns sum(price x quantity x category
// multiplier) per the site's rules, the same push retried (or re-sent with other changes)
// earns nothing more, a return reverses the award once, and a re-delivery after a return
// earns nothing (the order's award key is spent) — agents spend points only when the site
// allows it, never below 0 (409), the balance is always the sum of the ledger, crossing a
// level threshold writes a level-history row, and an award past its expires_at gets one
// 'expire' entry (expiry runs lazily when points are read, and in the maintenance timer).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { stopAll, request } from './lib.mjs';
import { chatSetup, closeAllPeers } from './chatlib.mjs';

let env, srv, site, key;

const admin = (method, path, json) => request(srv.base, method, path, { cookie: env.admin.cookie, csrf: env.admin.csrf, json });
const as = (sess, method, path, json) => request(srv.base, method, path, { cookie: sess.cookie, csrf: sess.csrf, json });
const withKey = (method, path, json) => request(srv.base, method, path, { bearer: key, json });

const order = (ext, status, items, extra = {}) => ({
	status, currency: 'CNY', total_cents: items.reduce((s, i) => s + i.price_cents * i.quantity, 0),
	placed_at: '2026-11-20T08:30:00Z', customer: { external_id: ext, name: `Customer ${ext}` }, items, ...extra,
});
const TEA = { sku: 'TEA-01', name: '龙井茶 250g', category: 'tea', quantity: 2, price_cents: 9950 };
const CUP = { sku: 'CUP-02', name: 'Glass cup', category: 'ware', quantity: 1, price_cents: 20099 };

async function put(number, body) {
	const r = await withKey('PUT', `/api/v1/sites/${site.id}/orders/${number}`, body);
	assert.ok(r.status === 200 || r.status === 201, r.text);
	return r.json;
}
async function points(customerId, query = '') {
	const r = await admin('GET', `/api/v1/customers/${customerId}/points${query}`);
	assert.equal(r.status, 200, r.text);
	const sum = r.json.entries.reduce((s, e) => s + e.delta, 0);
	if (r.json.entries.length === r.json.total) assert.equal(r.json.balance, sum, 'the balance is the sum of the ledger');
	return r.json;
}

before(async () => {
	env = await chatSetup();
	srv = env.srv;
	site = env.plain;
	const k = await admin('POST', '/api/v1/apikeys', { name: 'loyalty', scopes: ['orders:write', 'points:write', 'points:read'] });
	assert.equal(k.status, 201, k.text);
	key = k.json.key;
	const r = await admin('PUT', `/api/v1/sites/${site.id}/points-rules`, { points_per_unit: 1, unit_cents: 100, multipliers: { tea: 200 } });
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json.rules, { points_per_unit: 1, unit_cents: 100, multipliers: { tea: 200 }, expiry_days: 0, agents_spend: false, agents_award: false });
});
after(async () => { closeAllPeers(); await stopAll(); });

test('rules: admins only, validated', async () => {
	assert.equal((await as(env.a1, 'PUT', `/api/v1/sites/${site.id}/points-rules`, { unit_cents: 1 })).status, 403);
	for (const bad of [{ unit_cents: 0 }, { points_per_unit: 1.5 }, { multipliers: { tea: 2.5 } }, { multipliers: { tea: 5000 } }, { expiry_days: -1 }, { agents_spend: 1 }]) {
		const r = await admin('PUT', `/api/v1/sites/${site.id}/points-rules`, bad);
		assert.equal(r.status, 422, JSON.stringify(bad) + ' ' + r.text);
		assert.equal(r.json.error.code, 'invalid_field');
	}
	assert.equal((await admin('GET', `/api/v1/sites/${site.id}/points-rules`)).json.rules.multipliers.tea, 200);
});

test('delivered awards exact points once; retries and re-pushes award nothing; return reverses once; re-delivery awards nothing', async () => {
	const paid = await put('LOY-1', order('L-1', 'paid', [TEA, CUP]));
	const cid = paid.order.customer_id;
	assert.equal((await points(cid)).total, 0, 'paid earns nothing');
	const body = order('L-1', 'delivered', [TEA, CUP]);
	assert.equal((await put('LOY-1', body)).updated, true);
	// tea: 2 x 99.50 x 200% = 398.00 -> 398; cup: 200.99 x 100% -> 200.99; floor(598.99) = 598
	let p = await points(cid);
	assert.equal(p.balance, 598, 'points = floor(sum(price x qty x multiplier) / 1 yuan)');
	assert.equal(p.total, 1);
	assert.equal(p.entries[0].reason, 'order_delivered');
	assert.equal(p.entries[0].order_id, paid.order.id);
	assert.equal(p.entries[0].expires_at, null, 'expiry_days 0: never expires');
	assert.equal((await put('LOY-1', body)).unchanged, true);
	assert.equal((await points(cid)).total, 1, 'the same PUT retried: no second award');
	assert.equal((await put('LOY-1', { ...body, tracking: 'SF1' })).updated, true);
	assert.equal((await points(cid)).total, 1, 'a changed push that is still delivered: no second award');
	await put('LOY-1', order('L-1', 'returned', [TEA, CUP]));
	p = await points(cid);
	assert.equal(p.total, 2);
	assert.equal(p.entries[0].reason, 'order_returned');
	assert.equal(p.entries[0].delta, -598, 'the exact negative of the award');
	assert.equal(p.balance, 0);
	await put('LOY-1', order('L-1', 'delivered', [TEA, CUP], { tracking: 'again' }));
	await put('LOY-1', order('L-1', 'returned', [TEA, CUP], { tracking: 'again2' }));
	p = await points(cid);
	assert.equal(p.total, 2, 'delivered -> returned -> delivered -> returned: one award, one reversal');
	assert.equal(p.balance, 0);
});

test('spending: agents only when the site allows, never below 0 (409), validation', async () => {
	const o = await put('LOY-2', order('L-2', 'delivered', [{ name: 'Pot', category: 'ware', quantity: 1, price_cents: 10000 }]));
	const cid = o.order.customer_id;
	assert.equal((await points(cid)).balance, 100);
	const path = `/api/v1/customers/${cid}/points`;
	let r = await as(env.a1, 'POST', path, { delta: -30, reason: 'spend', note: 'coupon' });
	assert.equal(r.status, 403, 'agents may not spend unless the site allows it');
	assert.equal((await admin('PUT', `/api/v1/sites/${site.id}/points-rules`, { agents_spend: true })).status, 200);
	r = await as(env.a1, 'POST', path, { delta: -30, reason: 'spend', note: 'coupon' });
	assert.equal(r.status, 201, r.text);
	assert.equal(r.json.balance, 70);
	assert.equal(r.json.entry.user_id, env.ids['agent1@example.com']);
	assert.equal((await as(env.a1, 'POST', path, { delta: 5, reason: 'adjust' })).status, 403, 'adjust is for supervisors');
	r = await as(env.a1, 'POST', path, { delta: -71, reason: 'spend' });
	assert.equal(r.status, 409, r.text);
	assert.equal(r.json.error.code, 'insufficient_points');
	assert.equal(r.json.balance, 70);
	r = await withKey('POST', path, { delta: -70, reason: 'spend', note: 'api' });
	assert.equal(r.status, 201, 'an API key with points:write spends');
	assert.equal(r.json.balance, 0);
	for (const bad of [{ delta: 10, reason: 'spend' }, { delta: 0, reason: 'adjust' }, { delta: -1, reason: 'expire' },
		{ delta: '-1', reason: 'spend' }, { delta: -1.5, reason: 'spend' }, { delta: -1, reason: 'spend', note: 'x'.repeat(501) }]) {
		r = await admin('POST', path, bad);
		assert.equal(r.status, 422, JSON.stringify(bad) + ' ' + r.text);
	}
	assert.equal((await as(env.out, 'GET', path)).status, 404, "another site's customer is not disclosed");
	const p = await points(cid);
	assert.equal(p.balance, 0);
	assert.deepEqual(p.entries.map((e) => e.delta), [-70, -30, 100]);
	const page = await points(cid, '?limit=1&offset=1');
	assert.equal(page.entries.length, 1);
	assert.equal(page.entries[0].delta, -30, 'paged, newest first');
	assert.equal(page.total, 3);
});

test('levels: crossing a threshold writes a history row', async () => {
	let r = await as(env.a1, 'PUT', `/api/v1/sites/${site.id}/levels`, { levels: [] });
	assert.equal(r.status, 403);
	r = await admin('PUT', `/api/v1/sites/${site.id}/levels`, { levels: [{ name: '' }] });
	assert.equal(r.status, 422);
	r = await admin('PUT', `/api/v1/sites/${site.id}/levels`, { levels: [
		{ name: '普通', min_points: 0, benefits: '' },
		{ name: '银卡', min_points: 500, period_days: 365, benefits: '9.5折' },
		{ name: '金卡', min_spend_cents: 10000000, period_days: 0, benefits: '9折' }] });
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json.levels.map((l) => [l.name, l.position]), [['普通', 0], ['银卡', 1], ['金卡', 2]]);
	const a = await put('LOY-3', order('L-3', 'delivered', [{ name: 'Tea', category: 'x', quantity: 1, price_cents: 10000 }]));
	const cid = a.order.customer_id;
	let p = await points(cid);
	assert.equal(p.level.name, '普通');
	assert.equal(p.level_history.length, 1);
	await put('LOY-4', order('L-3', 'delivered', [{ name: 'Tea', category: 'x', quantity: 4, price_cents: 10000 }]));
	p = await points(cid);
	assert.equal(p.balance, 500);
	assert.equal(p.level.name, '银卡', '500 points in the period reach 银卡');
	assert.deepEqual(p.level_history.map((h) => [h.from, h.level]), [['普通', '银卡'], ['', '普通']]);
	await put('LOY-4', order('L-3', 'returned', [{ name: 'Tea', category: 'x', quantity: 4, price_cents: 10000 }]));
	p = await points(cid);
	assert.equal(p.level.name, '普通', 'a return takes the level back');
	assert.equal(p.level_history.length, 3);
});

test('expiry: an award past its expires_at gets one expire entry when read', async () => {
	assert.equal((await admin('PUT', `/api/v1/sites/${site.id}/points-rules`, { expiry_days: 30 })).status, 200);
	const old = await put('LOY-5', order('L-5', 'delivered', [{ name: 'Tea', category: 'x', quantity: 1, price_cents: 5000 }],
		{ updated_at: '2020-01-01T00:00:00Z' }));
	const cid = old.order.customer_id;
	const fresh = await put('LOY-6', order('L-5', 'delivered', [{ name: 'Tea', category: 'x', quantity: 1, price_cents: 700 }]));
	assert.equal(fresh.order.customer_id, cid);
	let p = await points(cid);
	const exp = p.entries.filter((e) => e.reason === 'expire');
	assert.equal(exp.length, 1, 'one expire entry for the old award');
	assert.equal(exp[0].delta, -50);
	assert.equal(exp[0].order_id, old.order.id);
	assert.equal(p.balance, 7, 'the fresh award stays');
	const award = p.entries.find((e) => e.reason === 'order_delivered' && e.order_id === fresh.order.id);
	assert.ok(award.expires_at > Date.now() / 1000 + 29 * 86400, 'expires_at = delivery + 30 days');
	p = await points(cid);
	assert.equal(p.entries.filter((e) => e.reason === 'expire').length, 1, 'reading again expires nothing twice');
	await put('LOY-5', order('L-5', 'returned', [{ name: 'Tea', category: 'x', quantity: 1, price_cents: 5000 }], { updated_at: '2020-01-02T00:00:00Z' }));
	p = await points(cid);
	assert.equal(p.entries[0].reason, 'order_returned');
	assert.equal(p.entries[0].delta, 0, 'returning an expired award takes back only what is left of it');
	assert.equal(p.balance, 7);
});

// Points a merge moves still expire: an award already due expires on the customer that earned it
// before the transfer (so it is not carried over), and one due later expires on the survivor,
// which holds its order and its points then.
test('merge: due awards expire before the transfer; carried awards expire on the survivor', async () => {
	assert.equal((await admin('PUT', `/api/v1/sites/${site.id}/points-rules`, { expiry_days: 30 })).status, 200);
	const line = (cents) => [{ name: 'Item', category: 'x', quantity: 1, price_cents: cents }];
	const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
	const t = await put('LOY-T1', order('L-T', 'delivered', line(1000)));
	const target = t.order.customer_id;
	const s = await put('LOY-S1', order('L-S', 'delivered', line(5000), { updated_at: '2020-01-01T00:00:00Z' }));
	const source = s.order.customer_id;
	// due 5 s from now: 30 days after an updated_at 30 days less 5 s ago
	await put('LOY-S2', order('L-S', 'delivered', line(2000), { updated_at: iso(Date.now() - 30 * 86400e3 + 5000) }));
	const m = await admin('POST', `/api/v1/customers/${target}/merge`, { from: source });
	assert.equal(m.status, 200, m.text);
	assert.equal(m.json.moved.points, 20, 'the award due before the merge expired on the source: only 20 move');
	assert.equal((await points(target)).balance, 10 + 20);
	await new Promise((res) => setTimeout(res, 6500));
	const p = await points(target);
	const exp = p.entries.filter((e) => e.reason === 'expire');
	assert.equal(exp.length, 1, 'the carried award expired on the survivor');
	assert.equal(exp[0].delta, -20);
	assert.equal(p.balance, 10, "the survivor keeps only its own award");
	assert.equal((await points(source)).balance, 0);

});

// A customer merged away takes no points (409 merged, naming the survivor): its points and
// orders went to the survivor. Reading its ledger (the transfer) still works.
test('a customer merged away is read-only for points', async () => {
	const target = (await put('LOY-MT', order('L-MT', 'delivered', [{ name: 'Item', category: 'x', quantity: 1, price_cents: 1000 }]))).order.customer_id;
	const source = (await put('LOY-MS', order('L-MS', 'paid', [{ name: 'Item', category: 'x', quantity: 1, price_cents: 1000 }]))).order.customer_id;
	assert.equal((await admin('POST', `/api/v1/customers/${target}/merge`, { from: source })).status, 200);
	const w = await admin('POST', `/api/v1/customers/${source}/points`, { delta: 5, reason: 'adjust' });
	assert.equal(w.status, 409, w.text);
	assert.equal(w.json.error.code, 'merged');
	assert.match(w.json.error.message, new RegExp(`merged into customer ${target}`));
	const k = await withKey('POST', `/api/v1/customers/${source}/points`, { delta: 50, reason: 'adjust' });
	assert.equal(k.status, 409, k.text);
	assert.equal(k.json.error.code, 'merged');
	assert.equal((await admin('GET', `/api/v1/customers/${source}/points`)).status, 200, 'reading the merged ledger still works');
	assert.equal((await points(source)).balance, 0, 'nothing was written');
});
