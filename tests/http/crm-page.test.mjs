// The CRM page's API (issue 6; src/crm/crm_page.c, docs/crm.md "The CRM page"): a hand-made
// set of five customers pushed through the orders API, scored in thresholds mode (so every
// tier and segment below is a hand computation), then:
// - the customer list's filters (tier, segment, level, q, min_spend), sort=name paging and total
//   give exactly the expected customers, and bad or unknown parameters are 422;
// - the segment export takes the same q / level / min_spend filters;
// - a key account whose orders fall out of a shorter window (a settings change) shows in the
//   tier-changes feed as a drop from "key", while an upgrade only shows without drop=1;
// - a customer's timeline merges the chat, the points and the orders, newest first, and pages;
// - agents read everything but cannot recompute (403).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { stopAll, request } from './lib.mjs';
import { chatSetup, closeAllPeers, connectVisitor, sendMsg } from './chatlib.mjs';

let env, srv, site, key, secret, gold;
const ids = {};

const admin = (method, path, json) => request(srv.base, method, path, { cookie: env.admin.cookie, csrf: env.admin.csrf, json });
const as = (sess, method, path, json) => request(srv.base, method, path, { cookie: sess.cookie, csrf: sess.csrf, json });
const withKey = (method, path, json) => request(srv.base, method, path, { bearer: key, json });
// d days (and an hour) ago, so floor((now - t) / 86400) = d on the server too.
const ago = (d) => new Date(Date.now() - d * 86400000 - 3600000).toISOString().replace(/\.\d+Z$/, 'Z');

const NAMES = { K1: 'Key Wang', A1: 'Active Li', O1: 'Occ Zhang', R1: 'Reg Zhao', Q1: 'Quiet Qian' };
let seq = 0;
async function put(ext, status, cents, days, number = `P${++seq}`) {
	const r = await withKey('PUT', `/api/v1/sites/${site.id}/orders/${number}`, {
		status, currency: 'CNY', total_cents: cents, placed_at: ago(days),
		customer: { external_id: ext, name: NAMES[ext], email: `${ext.toLowerCase()}@example.com` },
		items: [{ sku: 'X', name: 'Tea', quantity: 1, price_cents: cents }],
	});
	assert.ok(r.status === 200 || r.status === 201, r.text);
	ids[ext] = r.json.order.customer_id;
	return number;
}

// Thresholds: R 7/30/90/180 days, F 2/3/5/10 orders, M 100/500/2000/10000 yuan, high 3. Default
// rules: key m>=5&f>=4 | key spent>=1,000,000 | active r>=4&f>=2 | occasional ever | registered.
const CONFIG = { window_days: 365, mode: 'thresholds', r_days: [7, 30, 90, 180], f_cuts: [2, 3, 5, 10], m_cuts: [10000, 50000, 200000, 1000000], high: 3 };

const list = async (qs, who = env.a1) => {
	const r = await as(who, 'GET', `/api/v1/sites/${site.id}/customers?${qs}`);
	assert.equal(r.status, 200, qs + ' ' + r.text);
	return r.json;
};
const extsOf = (j) => j.customers.map((c) => c.external_id).sort();

before(async () => {
	env = await chatSetup();
	srv = env.srv;
	site = env.plain;
	const k = await admin('POST', '/api/v1/apikeys', { name: 'crm-page', scopes: ['orders:write', 'customers:read', 'customers:write'] });
	assert.equal(k.status, 201, k.text);
	key = k.json.key;
	const lv = await admin('PUT', `/api/v1/sites/${site.id}/levels`, { levels: [{ name: '金卡', min_spend_cents: 1000000, period_days: 0 }] });
	assert.equal(lv.status, 200, lv.text);
	gold = lv.json.levels[0].id;
	assert.equal((await admin('PUT', `/api/v1/sites/${site.id}/crm/settings`, { config: CONFIG })).status, 200);
	for (const d of [1, 10, 20]) await put('K1', 'delivered', 400000, d);   // r5 f3 m5, ¥12,000: key by spend, important_value
	await put('A1', 'delivered', 30000, 5);                                  // r5 f2 m3: active, important_develop
	await put('A1', 'delivered', 30000, 2);
	await put('O1', 'paid', 5000, 60);                                       // r3 f1 m1: occasional, general_develop
	await put('R1', 'cancelled', 9000, 3);                                   // never purchased: registered, none
	await put('Q1', 'delivered', 600000, 210);                               // r1 f2 m5, ¥12,000: key by spend, important_retain
	await put('Q1', 'delivered', 600000, 200);
	const rc = await admin('POST', `/api/v1/sites/${site.id}/crm/recompute`);
	assert.equal(rc.status, 200, rc.text);
	assert.equal(rc.json.customers, 5);
});
after(async () => { closeAllPeers(); await stopAll(); });

test('the list: every filter gives exactly the expected customers, with the figures', async () => {
	let j = await list('tier=key');
	assert.deepEqual(extsOf(j), ['K1', 'Q1']);
	assert.equal(j.total, 2);
	const k1 = j.customers.find((c) => c.external_id === 'K1');
	assert.deepEqual(k1.rfm, { r: 5, f: 3, m: 5, segment: 'important_value', tier: 'key' });
	assert.equal(k1.lifetime_cents, 1200000, 'lifetime value: the delivered orders');
	assert.equal(k1.orders_count, 3);
	assert.equal(k1.points_balance, 12000, '1 point per yuan delivered');
	assert.deepEqual(k1.level, { id: gold, name: '金卡' });
	assert.ok(k1.last_order_at > 0 && k1.name === 'Key Wang' && Array.isArray(k1.emails), 'the profile is there too');

	assert.deepEqual(extsOf(await list('segment=important_develop')), ['A1']);
	assert.deepEqual(extsOf(await list('segment=important_retain')), ['Q1']);
	assert.deepEqual(extsOf(await list('tier=registered')), ['R1']);
	assert.deepEqual(extsOf(await list('tier=occasional&segment=general_develop')), ['O1']);
	assert.deepEqual(extsOf(await list(`level=${gold}`)), ['K1', 'Q1']);
	assert.deepEqual(extsOf(await list('q=zhang')), ['O1'], 'by name, case-insensitive');
	assert.deepEqual(extsOf(await list('q=a1%40example')), ['A1'], 'by e-mail');
	assert.deepEqual(extsOf(await list('min_spend=1000000')), ['K1', 'Q1']);
	assert.deepEqual(extsOf(await list('min_spend=60000')), ['A1', 'K1', 'Q1']);
	assert.deepEqual(extsOf(await list('min_spend=60001')), ['K1', 'Q1']);
	assert.deepEqual(extsOf(await list('tier=key&q=qian')), ['Q1'], 'filters combine');
	j = await list('tier=active&min_spend=1000000');
	assert.deepEqual(j.customers, []);
	assert.equal(j.total, 0);
	const o1 = (await list('q=zhang')).customers[0];
	assert.equal(o1.lifetime_cents, 0, 'a paid order is not lifetime value yet');
	assert.equal(o1.level, null);
});

test('the list: sort=name pages through everyone with the total on each page', async () => {
	const pages = [];
	for (const off of [0, 2, 4]) {
		const j = await list(`sort=name&limit=2&offset=${off}`);
		assert.equal(j.total, 5);
		assert.equal(j.offset, off);
		pages.push(j.customers.map((c) => c.name));
	}
	assert.deepEqual(pages, [['Active Li', 'Key Wang'], ['Occ Zhang', 'Quiet Qian'], ['Reg Zhao']]);
	const byLife = await list('sort=lifetime&limit=3');
	assert.deepEqual(byLife.customers.map((c) => c.lifetime_cents), [1200000, 1200000, 60000]);
	assert.equal((await list('limit=100')).customers.length, 5, 'the old q/limit form still works');
});

test('the list: bad or unknown parameters are 422', async () => {
	for (const qs of ['limit=0', 'limit=201', 'offset=-1', 'tier=gold', 'segment=vip', 'level=abc', 'level=0', 'min_spend=-1',
		'min_spend=1.5', 'sort=random', 'colour=red', `q=${'x'.repeat(201)}`]) {
		const r = await as(env.a1, 'GET', `/api/v1/sites/${site.id}/customers?${qs}`);
		assert.equal(r.status, 422, qs + ' ' + r.text);
		assert.equal(r.json.error.code, 'invalid_field');
	}
	assert.equal((await as(env.out, 'GET', `/api/v1/sites/${site.id}/customers?tier=key`)).status, 404, 'not their site');
});

test('segment export: the same q / level / min_spend filters', async () => {
	const csv = async (qs) => {
		const r = await admin('GET', `/api/v1/sites/${site.id}/crm/segment.csv?${qs}`);
		assert.equal(r.status, 200, qs + ' ' + r.text);
		return r.text.replace(/^\uFEFF/, '').trim().split('\r\n').slice(1).map((l) => Number(l.split(',')[0])).sort((a, b) => a - b);
	};
	const idsOf = (...xs) => xs.map((x) => ids[x]).sort((a, b) => a - b);
	assert.deepEqual(await csv('tier=key'), idsOf('K1', 'Q1'));
	assert.deepEqual(await csv('tier=key&q=qian'), idsOf('Q1'));
	assert.deepEqual(await csv(`level=${gold}`), idsOf('K1', 'Q1'));
	assert.deepEqual(await csv('min_spend=60000'), idsOf('A1', 'K1', 'Q1'));
	assert.deepEqual(await csv(''), idsOf('K1', 'A1', 'O1', 'R1', 'Q1'));
	assert.equal((await admin('GET', `/api/v1/sites/${site.id}/crm/segment.csv?level=x`)).status, 422);
	assert.equal((await admin('GET', `/api/v1/sites/${site.id}/crm/segment.csv?colour=red`)).status, 422, 'unknown keys are refused, as by the list');
	assert.equal((await as(env.a1, 'GET', `/api/v1/sites/${site.id}/crm/segment.csv`)).status, 403, 'exports are for supervisors');
});

test('tier changes: a key account going quiet is a drop from key; agents read, cannot recompute', async () => {
	assert.equal((await as(env.a1, 'POST', `/api/v1/sites/${site.id}/crm/recompute`)).status, 403);
	const none = await as(env.a1, 'GET', `/api/v1/sites/${site.id}/crm/tier-changes`);
	assert.equal(none.status, 200, none.text);
	assert.deepEqual(none.json.changes, [], 'a first run has no previous tier');
	// R1 buys (registered -> occasional, a step up); the window shrinks to 100 days, so Q1's
	// orders 200 and 210 days ago no longer count: spent 0, key -> occasional (ever ordered).
	await put('R1', 'paid', 5000, 1);
	assert.equal((await admin('PUT', `/api/v1/sites/${site.id}/crm/settings`, { config: { ...CONFIG, window_days: 100 } })).status, 200);
	const rc = await admin('POST', `/api/v1/sites/${site.id}/crm/recompute`);
	assert.equal(rc.json.changed, 2, rc.text);
	const drops = await as(env.a1, 'GET', `/api/v1/sites/${site.id}/crm/tier-changes?drop=1`);
	assert.equal(drops.status, 200, drops.text);
	assert.equal(drops.json.changes.length, 1);
	const c = drops.json.changes[0];
	assert.deepEqual({ ...c, at: 0 }, { customer_id: ids.Q1, name: 'Quiet Qian', from_tier: 'key', to_tier: 'occasional', at: 0 });
	assert.ok(Math.abs(c.at - Date.now() / 1000) < 60);
	const fromKey = await as(env.a1, 'GET', `/api/v1/sites/${site.id}/crm/tier-changes?drop=1&from=key&limit=5`);
	assert.deepEqual(fromKey.json.changes.map((x) => x.customer_id), [ids.Q1]);
	const all = await as(env.a1, 'GET', `/api/v1/sites/${site.id}/crm/tier-changes`);
	assert.deepEqual(all.json.changes.map((x) => [x.customer_id, x.from_tier, x.to_tier]).sort(),
		[[ids.Q1, 'key', 'occasional'], [ids.R1, 'registered', 'occasional']].sort());
	assert.deepEqual(extsOf(await list('tier=key')), ['K1'], 'the list follows the new run');
	for (const qs of ['drop=2', 'from=gold', 'limit=0', 'limit=201', 'since=1']) {
		const r = await as(env.a1, 'GET', `/api/v1/sites/${site.id}/crm/tier-changes?${qs}`);
		assert.equal(r.status, 422, qs + ' ' + r.text);
	}
	const sum = await as(env.a1, 'GET', `/api/v1/sites/${site.id}/crm/summary`);
	assert.ok(Math.abs(sum.json.computed_at - Date.now() / 1000) < 60, 'the summary says when it was computed');
	const lv = await as(env.a1, 'GET', `/api/v1/sites/${site.id}/crm/levels`);
	assert.deepEqual(lv.json.levels, [{ id: gold, name: '金卡' }], 'agents see the level names for the filter');
});

test('timeline: the chat, the points and the orders, newest first, paged by before', async () => {
	const sec = await admin('GET', `/api/v1/sites/${site.id}/identity`);
	secret = sec.json.secret ?? sec.json.identity?.secret;
	const sig = crypto.createHmac('sha256', secret).update('A1').digest('hex');
	const v = await connectVisitor(srv, site.key, { customer: { id: 'A1', sig } });
	assert.equal(v.welcome.customer?.external_id, 'A1', 'the visitor is linked to A1');
	await sendMsg(v, { text: '我的茶叶到了吗？' });

	const r = await as(env.a1, 'GET', `/api/v1/customers/${ids.A1}/timeline`);
	assert.equal(r.status, 200, r.text);
	const items = r.json.items.filter((x) => ['order', 'chat', 'points'].includes(x.kind));
	assert.deepEqual(items.map((x) => x.kind), ['chat', 'points', 'points', 'order', 'order'], JSON.stringify(r.json.items));
	assert.equal(items[0].last_text, '我的茶叶到了吗？');
	assert.deepEqual(items.slice(1, 3).map((x) => [x.reason, x.delta]), [['order_delivered', 300], ['order_delivered', 300]]);
	assert.deepEqual(items.slice(3).map((x) => [x.status, x.total_cents, x.currency]), [['delivered', 30000, 'CNY'], ['delivered', 30000, 'CNY']]);
	assert.ok(items[3].at > items[4].at, 'the order 2 days ago before the one 5 days ago');
	for (let i = 1; i < r.json.items.length; i++) assert.ok(r.json.items[i - 1].at >= r.json.items[i].at, 'newest first');
	assert.equal(r.json.next_before, null, 'everything fits one page');

	const p1 = await as(env.a1, 'GET', `/api/v1/customers/${ids.A1}/timeline?limit=3`);
	assert.equal(p1.json.items.length, 3);
	assert.equal(typeof p1.json.next_before, 'number');
	const p2 = await as(env.a1, 'GET', `/api/v1/customers/${ids.A1}/timeline?limit=3&before=${p1.json.next_before}`);
	assert.deepEqual([...p1.json.items, ...p2.json.items], r.json.items, 'two pages are the whole timeline');

	for (const qs of ['limit=0', 'limit=201', 'before=abc', 'before=0', 'kind=order']) {
		const b = await as(env.a1, 'GET', `/api/v1/customers/${ids.A1}/timeline?${qs}`);
		assert.equal(b.status, 422, qs + ' ' + b.text);
	}
	assert.equal((await as(env.out, 'GET', `/api/v1/customers/${ids.A1}/timeline`)).status, 404, 'not their site');
	assert.equal((await as(env.a1, 'GET', '/api/v1/customers/999999/timeline')).status, 404);
});
