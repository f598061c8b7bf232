// RFM scores and tiers from the database (issue 6; src/crm/rfm_run.c): orders pushed through the
// orders API, then POST /crm/recompute scores every customer of the site. Thresholds mode (set
// through /crm/settings) makes each score a hand computation, written next to each customer
// below. Checks: the scores, segment and tier of every customer; that cancelled orders are not
// purchases and orders before the window count for "ever" only; the summary counts; the CSV
// export (BOM, header, filter); a return that drops a customer's tier and a rules change that
// raises one each write one tier-history row; who may call what; malformed input gets 4xx.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { stopAll, request } from './lib.mjs';
import { chatSetup, closeAllPeers } from './chatlib.mjs';

let env, srv, site, key;
const ids = {};

const admin = (method, path, json) => request(srv.base, method, path, { cookie: env.admin.cookie, csrf: env.admin.csrf, json });
const as = (sess, method, path, json) => request(srv.base, method, path, { cookie: sess.cookie, csrf: sess.csrf, json });
const withKey = (method, path, json) => request(srv.base, method, path, { bearer: key, json });

// A time d days (and one hour) ago, so floor((now - t) / 86400) = d on the server too.
const ago = (d) => new Date(Date.now() - d * 86400000 - 3600000).toISOString().replace(/\.\d+Z$/, 'Z');

let seq = 0;
async function put(ext, status, cents, days, number = `R${++seq}`) {
	const r = await withKey('PUT', `/api/v1/sites/${site.id}/orders/${number}`, {
		status, currency: 'CNY', total_cents: cents, placed_at: ago(days),
		customer: { external_id: ext, name: `Customer ${ext}`, email: `${ext.toLowerCase()}@example.com` },
		items: [{ sku: 'X', name: 'Tea', quantity: 1, price_cents: cents }],
	});
	assert.ok(r.status === 200 || r.status === 201, r.text);
	ids[ext] = r.json.order?.customer_id ?? r.json.customer_id ?? ids[ext];
	return number;
}

// Thresholds: R 7/30/90/180 days, F 2/3/5/10 orders, M 100/500/2000/10000 yuan; high = 3.
const CONFIG = { window_days: 365, mode: 'thresholds', r_days: [7, 30, 90, 180], f_cuts: [2, 3, 5, 10], m_cuts: [10000, 50000, 200000, 1000000], high: 3 };

// Expected after the first recompute (default rules: key m>=5&f>=4 | key spent>=1,000,000 |
// active r>=4&f>=2 | occasional ever | registered).
const EXPECT = {
	A: { r: 5, f: 3, m: 5, segment: 'important_value', tier: 'key' },          // 3 orders, 1 day, ¥12,000: key by spend
	B: { r: 5, f: 4, m: 3, segment: 'important_value', tier: 'active' },       // 5 orders, 2 days, ¥1,000
	C: { r: 3, f: 1, m: 1, segment: 'general_develop', tier: 'occasional' },   // 1 paid order 60 days ago, ¥50
	D: { r: 0, f: 0, m: 0, segment: 'none', tier: 'occasional' },              // one order 400 days ago: outside the window
	E: { r: 0, f: 0, m: 0, segment: 'none', tier: 'registered' },              // only a cancelled order: never purchased
	F: { r: 2, f: 2, m: 3, segment: 'important_retain', tier: 'occasional' },  // shipped 100 and 200 days ago, ¥1,200
	G: { r: 4, f: 2, m: 3, segment: 'important_develop', tier: 'active' },     // 8 and 15 days ago, ¥600
};
let gReturnable;

before(async () => {
	env = await chatSetup();
	srv = env.srv;
	site = env.plain;
	const k = await admin('POST', '/api/v1/apikeys', { name: 'rfm', scopes: ['orders:write', 'orders:read', 'customers:read', 'customers:write'] });
	assert.equal(k.status, 201, k.text);
	key = k.json.key;
	for (const d of [1, 10, 20]) await put('A', 'delivered', 400000, d);
	for (const d of [2, 3, 4, 5, 6]) await put('B', 'delivered', 20000, d);
	await put('C', 'paid', 5000, 60);
	await put('D', 'delivered', 70000, 400);
	await put('E', 'cancelled', 90000, 5);
	await put('F', 'shipped', 60000, 100);
	await put('F', 'shipped', 60000, 200);
	gReturnable = await put('G', 'delivered', 30000, 8);
	await put('G', 'delivered', 30000, 15);
	// the customers' ids, by external id
	const r = await admin('GET', `/api/v1/sites/${site.id}/customers?limit=100`);
	assert.equal(r.status, 200, r.text);
	for (const c of r.json.customers) if (c.external_id) ids[c.external_id] = c.id;
	assert.equal(Object.keys(EXPECT).filter((x) => ids[x]).length, 7, 'all 7 customers exist');
});
after(async () => { closeAllPeers(); await stopAll(); });

async function rfmOf(ext) {
	const r = await admin('GET', `/api/v1/customers/${ids[ext]}/rfm`);
	assert.equal(r.status, 200, r.text);
	return r.json;
}

test('settings: admins only, validated, defaults before a save', async () => {
	const g = await admin('GET', `/api/v1/sites/${site.id}/crm/settings`);
	assert.equal(g.status, 200, g.text);
	assert.equal(g.json.config.mode, 'quintiles');
	assert.equal(g.json.rules.length, 5);
	assert.deepEqual(g.json.rules[1], { tier: 'key', spent_min: 1000000 });
	assert.equal((await as(env.a1, 'PUT', `/api/v1/sites/${site.id}/crm/settings`, { config: CONFIG })).status, 403);
	for (const [bad, msg] of [[{ config: { mode: 'x' } }, /config.mode/], [{ config: { r_days: [30, 7, 90, 180] } }, /ascending/],
		[{ config: { colour: 1 } }, /unknown field/], [{ rules: [{ tier: 'key', r_min: 9 }] }, /rules\[0\]\.r_min/], [{ rules: {} }, /rules/]]) {
		const r = await admin('PUT', `/api/v1/sites/${site.id}/crm/settings`, bad);
		assert.equal(r.status, 422, JSON.stringify(bad) + ' ' + r.text);
		assert.match(r.json.error.message, msg);
	}
	const p = await admin('PUT', `/api/v1/sites/${site.id}/crm/settings`, { config: CONFIG });
	assert.equal(p.status, 200, p.text);
	assert.deepEqual(p.json.config, CONFIG);
});

test('recompute: supervisors only; every customer scored as computed by hand', async () => {
	assert.equal((await as(env.a1, 'POST', `/api/v1/sites/${site.id}/crm/recompute`)).status, 403);
	const r = await withKey('POST', `/api/v1/sites/${site.id}/crm/recompute`);
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.customers, 7);
	assert.equal(r.json.changed, 0, 'a first run has no previous tier, so no change');
	assert.equal(typeof r.json.ms, 'number');
	for (const [ext, want] of Object.entries(EXPECT)) {
		const j = await rfmOf(ext);
		const got = { r: j.rfm.r, f: j.rfm.f, m: j.rfm.m, segment: j.rfm.segment, tier: j.rfm.tier };
		assert.deepEqual(got, want, `customer ${ext}`);
		assert.deepEqual(j.history, []);
	}
	assert.equal((await rfmOf('E')).rfm.days_since, -1, 'a cancelled order is not a purchase');
	assert.equal((await rfmOf('D')).rfm.days_since, 400);
	assert.equal((await rfmOf('A')).rfm.spent_cents, 1200000);
});

test('summary: counts per tier and per segment', async () => {
	const r = await as(env.a1, 'GET', `/api/v1/sites/${site.id}/crm/summary`);
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.total, 7);
	assert.deepEqual(r.json.tiers, { none: 0, key: 1, active: 2, occasional: 3, registered: 1 });
	assert.deepEqual(r.json.segments, { none: 2, important_value: 2, important_develop: 1, important_keep: 0, important_retain: 1,
		general_value: 0, general_develop: 1, general_keep: 0, general_retain: 0 });
});

test('segment.csv: BOM, header, filtered rows; supervisors only; bad filters 422', async () => {
	assert.equal((await as(env.a1, 'GET', `/api/v1/sites/${site.id}/crm/segment.csv`)).status, 403);
	const r = await admin('GET', `/api/v1/sites/${site.id}/crm/segment.csv?tier=active`);
	assert.equal(r.status, 200, r.text);
	assert.match(r.headers['content-type'], /text\/csv/);
	assert.ok(r.buf.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])), 'UTF-8 BOM');
	const lines = r.text.replace(/^\uFEFF/, '').trim().split('\r\n');
	assert.deepEqual(lines, ['id,name,email,r,f,m,segment,tier',
		`${ids.B},Customer B,b@example.com,5,4,3,important_value,active`,
		`${ids.G},Customer G,g@example.com,4,2,3,important_develop,active`], 'B was created before G: id order');
	const s = await admin('GET', `/api/v1/sites/${site.id}/crm/segment.csv?segment=none`);
	assert.equal(s.text.trim().split('\r\n').length, 3, 'header + D + E');
	assert.equal((await admin('GET', `/api/v1/sites/${site.id}/crm/segment.csv?tier=gold`)).status, 422);
});

test('a return drops G from active to occasional and writes one history row', async () => {
	await put('G', 'returned', 30000, 8, gReturnable);
	const r = await withKey('POST', `/api/v1/sites/${site.id}/crm/recompute`);
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.changed, 1);
	const g = await rfmOf('G');
	// one order 15 days ago, ¥300: R4 F1 M2
	assert.deepEqual([g.rfm.r, g.rfm.f, g.rfm.m, g.rfm.segment, g.rfm.tier], [4, 1, 2, 'general_develop', 'occasional']);
	assert.equal(g.history.length, 1);
	assert.deepEqual([g.history[0].from, g.history[0].to], ['active', 'occasional']);
	// a second run with nothing new changes nothing
	assert.equal((await withKey('POST', `/api/v1/sites/${site.id}/crm/recompute`)).json.changed, 0);
	assert.equal((await rfmOf('G')).history.length, 1);
});

test('a rules change makes B a key account and writes a history row', async () => {
	const rules = [{ tier: 'key', f_min: 4 }, { tier: 'active', r_min: 4, f_min: 2 }, { tier: 'occasional', ever: true }, { tier: 'registered' }];
	const p = await admin('PUT', `/api/v1/sites/${site.id}/crm/settings`, { rules });
	assert.equal(p.status, 200, p.text);
	assert.deepEqual(p.json.rules, rules);
	assert.equal(p.json.config.mode, 'thresholds', 'the saved config stays');
	const r = await withKey('POST', `/api/v1/sites/${site.id}/crm/recompute`);
	// B (F4) becomes key; A (F3, key by spend before) is now active (R5 F3)
	assert.equal(r.json.changed, 2, r.text);
	assert.deepEqual((await rfmOf('B')).history.map((h) => [h.from, h.to]), [['active', 'key']]);
	assert.deepEqual((await rfmOf('A')).history.map((h) => [h.from, h.to]), [['key', 'active']]);
	const s = await admin('GET', `/api/v1/sites/${site.id}/crm/summary`);
	assert.deepEqual(s.json.tiers, { none: 0, key: 1, active: 1, occasional: 4, registered: 1 });
});

test('unknown site 404, unknown customer 404', async () => {
	assert.equal((await admin('POST', '/api/v1/sites/999999/crm/recompute')).status, 404);
	assert.equal((await admin('GET', '/api/v1/customers/999999/rfm')).status, 404);
});
