// Coupons and exclusive offers (issue 6; src/crm/offers.c) from outside. Five customers get
// orders pushed through the orders API and a recompute gives them known tiers, segments and
// member levels (worked out below); offers aimed at a tier, a segment, a level and everyone
// must then show up in exactly the right customers' eligible lists. Also: the per-customer and
// total limits (409 limit_reached), dates and inactive offers (409 not_eligible), redemptions
// recorded and listed, /offers/mine for a signed visitor (their offers, public fields only) and
// for an unsigned one (nothing), who may create (admins, offers:write keys; agents 403), 422s
// naming the field, and agents awarding points only when the site's agents_award is on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { stopAll, request } from './lib.mjs';
import { chatSetup, connectVisitor, closeAllPeers, createSite } from './chatlib.mjs';

let env, srv, site, other, key, keyNoScope, secret;
const ids = {};
const offers = {};
let levelIds = {};

const admin = (method, path, json) => request(srv.base, method, path, { cookie: env.admin.cookie, csrf: env.admin.csrf, json });
const as = (sess, method, path, json) => request(srv.base, method, path, { cookie: sess.cookie, csrf: sess.csrf, json });
const withKey = (k, method, path, json) => request(srv.base, method, path, { bearer: k, json });
const sign = (id) => crypto.createHmac('sha256', secret).update(id).digest('hex');
// A time d days (and one hour) ago, so floor((now - t) / 86400) = d on the server too.
const ago = (d) => new Date(Date.now() - d * 86400000 - 3600000).toISOString().replace(/\.\d+Z$/, 'Z');
const now = () => Math.floor(Date.now() / 1000);

let seq = 0;
async function put(ext, status, cents, days) {
	const r = await withKey(key, 'PUT', `/api/v1/sites/${site.id}/orders/OF${++seq}`, {
		status, currency: 'CNY', total_cents: cents, placed_at: ago(days),
		customer: { external_id: ext, name: `Customer ${ext}`, email: `${ext.toLowerCase()}@example.com` },
		items: [{ sku: 'X', name: 'Tea', quantity: 1, price_cents: cents }],
	});
	assert.ok(r.status === 200 || r.status === 201, r.text);
	ids[ext] = r.json.order.customer_id;
}

// Thresholds: R 7/30/90/180 days, F 2/3/5/10 orders, M 100/500/2000/10000 yuan; high = 3.
const CONFIG = { window_days: 365, mode: 'thresholds', r_days: [7, 30, 90, 180], f_cuts: [2, 3, 5, 10], m_cuts: [10000, 50000, 200000, 1000000], high: 3 };
// After the recompute (default tier rules) and the level run on delivery (普通 from 0, 金卡 from ¥5,000 delivered):
//   K: 3 delivered x ¥4,000, 1-20 days   -> tier key (spent >= ¥10,000), important_value, level 金卡
//   A: 2 delivered x ¥200, 2-3 days      -> tier active (r 5, f 2), general_develop, level 普通
//   R: 1 paid ¥50, 60 days               -> tier occasional, general_develop, no level (nothing delivered)
//   F: 2 shipped x ¥600, 100/200 days    -> tier occasional, important_retain (r 2, f 2, m 3), no level
//   N: only a cancelled order            -> tier registered, no segment, no level
const EXPECT = { K: ['tier', 'all'], A: ['level', 'all'], R: ['all'], F: ['segment', 'all'], N: ['all'] };

async function newKey(scopes) {
	const r = await admin('POST', '/api/v1/apikeys', { name: `offers ${scopes.join(' ')}`, scopes });
	assert.equal(r.status, 201, r.text);
	return r.json.key;
}

async function create(body, who = admin) {
	return who('POST', `/api/v1/sites/${site.id}/offers`, body);
}

async function eligible(ext, sess = env.a1) {
	const r = await as(sess, 'GET', `/api/v1/customers/${ids[ext]}/offers`);
	assert.equal(r.status, 200, r.text);
	return r.json;
}
const names = (list) => list.map((o) => Object.keys(offers).find((k) => offers[k] === o.id) || `#${o.id}`).sort();

before(async () => {
	env = await chatSetup();
	srv = env.srv;
	site = env.plain;
	other = await createSite(srv, env.admin, { name: 'Other shop' });
	key = await newKey(['orders:write', 'offers:write', 'offers:read', 'points:write']);
	keyNoScope = await newKey(['orders:read']);
	const sec = await admin('GET', `/api/v1/sites/${site.id}/identity`);
	assert.equal(sec.status, 200, sec.text);
	secret = sec.json.secret ?? sec.json.identity?.secret;

	const lv = await admin('PUT', `/api/v1/sites/${site.id}/levels`, { levels: [
		{ name: '普通', min_spend_cents: 0, period_days: 0 }, { name: '金卡', min_spend_cents: 500000, period_days: 0 }] });
	assert.equal(lv.status, 200, lv.text);
	levelIds = Object.fromEntries(lv.json.levels.map((l) => [l.name, l.id]));
	assert.equal((await admin('PUT', `/api/v1/sites/${site.id}/crm/settings`, { config: CONFIG })).status, 200);

	for (const d of [1, 10, 20]) await put('K', 'delivered', 400000, d);
	for (const d of [2, 3]) await put('A', 'delivered', 20000, d);
	await put('R', 'paid', 5000, 60);
	await put('F', 'shipped', 60000, 100);
	await put('F', 'shipped', 60000, 200);
	await put('N', 'cancelled', 90000, 5);
	const rc = await admin('POST', `/api/v1/sites/${site.id}/crm/recompute`);
	assert.equal(rc.status, 200, rc.text);
	for (const [ext, tier, seg] of [['K', 'key', 'important_value'], ['A', 'active', 'general_develop'], ['R', 'occasional', 'general_develop'],
		['F', 'occasional', 'important_retain'], ['N', 'registered', 'none']]) {
		const r = await admin('GET', `/api/v1/customers/${ids[ext]}/rfm`);
		assert.equal(r.status, 200, r.text);
		assert.deepEqual([r.json.rfm.tier, r.json.rfm.segment], [tier, seg], `${ext}'s tier and segment as worked out`);
	}
});
after(async () => { closeAllPeers(); await stopAll(); });

test('create: admins and offers:write keys; agents 403, keys without the scope 403, other sites 404', async () => {
	const t = await create({ kind: 'coupon', title: '大客户专享 9 折', body: 'Key accounts: 10% off', code: 'KEY-10', discount: '9折', targets: { tiers: ['key'] } });
	assert.equal(t.status, 201, t.text);
	assert.equal(t.json.offer.kind, 'coupon');
	assert.deepEqual(t.json.offer.targets, { tiers: ['key'], segments: [], levels: [] });
	assert.equal(t.json.offer.active, true);
	assert.equal(t.json.offer.starts_at, null);
	assert.equal(t.json.offer.redeemed, 0);
	offers.tier = t.json.offer.id;
	const s = await create({ kind: 'offer', title: 'Win-back gift', body: 'We miss you <b>', targets: { segments: ['important_retain'] } }, (m, p, j) => withKey(key, m, p, j));
	assert.equal(s.status, 201, s.text);
	assert.equal(s.json.offer.created_by, null, 'made by an API key');
	offers.segment = s.json.offer.id;
	const l = await create({ title: '普通会员礼', targets: { levels: [levelIds['普通']] } });
	assert.equal(l.status, 201, l.text);
	assert.equal(l.json.offer.kind, 'offer', 'kind defaults to offer');
	offers.level = l.json.offer.id;
	const a = await create({ kind: 'coupon', title: 'Everyone', code: 'ALL5', discount: '¥5', targets: {} });
	assert.equal(a.status, 201, a.text);
	offers.all = a.json.offer.id;

	assert.equal((await create({ title: 'x' }, (m, p, j) => as(env.a1, m, p, j))).status, 403, 'agents may not create');
	assert.equal((await create({ title: 'x' }, (m, p, j) => withKey(keyNoScope, m, p, j))).status, 403, 'a key without offers:write');
	assert.equal((await as(env.a1, 'PATCH', `/api/v1/offers/${offers.all}`, { active: false })).status, 403, 'agents may not edit');
	assert.equal((await as(env.a1, 'DELETE', `/api/v1/offers/${offers.all}`)).status, 403, 'agents may not delete');
	const list = await as(env.a1, 'GET', `/api/v1/sites/${site.id}/offers`);
	assert.equal(list.status, 200, 'agents may read');
	assert.deepEqual(list.json.offers.map((o) => o.id), [offers.all, offers.level, offers.segment, offers.tier], 'newest first');
	assert.equal((await as(env.out, 'GET', `/api/v1/sites/${site.id}/offers`)).status, 404, 'not the outsider\'s site');
	assert.equal((await as(env.out, 'GET', `/api/v1/offers/${offers.all}`)).status, 404);
	assert.equal((await as(env.out, 'GET', `/api/v1/customers/${ids.K}/offers`)).status, 404);
});

test('validation: 422 invalid_field naming the field', async () => {
	const bad = [
		[{}, /title/],
		[{ title: '' }, /title/],
		[{ title: 'x'.repeat(201) }, /title/],
		[{ title: 7 }, /title/],
		[{ title: 'x', kind: 'voucher' }, /kind/],
		[{ title: 'x', kind: 'coupon' }, /code/],
		[{ title: 'x', kind: 'coupon', code: 'has space' }, /code/],
		[{ title: 'x', code: 'C'.repeat(65) }, /code/],
		[{ title: 'x', body: 'b'.repeat(2001) }, /body/],
		[{ title: 'x', discount: 'd'.repeat(101) }, /discount/],
		[{ title: 'x', targets: { tiers: ['gold'] } }, /targets\.tiers/],
		[{ title: 'x', targets: { segments: ['vip'] } }, /targets\.segments/],
		[{ title: 'x', targets: { levels: [999999] } }, /targets\.levels/],
		[{ title: 'x', targets: [] }, /targets/],
		[{ title: 'x', starts_at: 2000000000, ends_at: 1900000000 }, /ends_at/],
		[{ title: 'x', starts_at: -1 }, /starts_at/],
		[{ title: 'x', per_customer_limit: -1 }, /per_customer_limit/],
		[{ title: 'x', total_limit: 1.5 }, /total_limit/],
		[{ title: 'x', active: 'yes' }, /active/],
	];
	for (const [body, re] of bad) {
		const r = await create(body);
		assert.equal(r.status, 422, `${JSON.stringify(body).slice(0, 100)}: ${r.text}`);
		assert.equal(r.json.error.code, 'invalid_field');
		assert.match(r.json.error.message, re);
	}
	/* a level of another site is refused like an unknown one */
	const olv = await admin('PUT', `/api/v1/sites/${other.id}/levels`, { levels: [{ name: 'Other' }] });
	assert.equal(olv.status, 200, olv.text);
	const r = await create({ title: 'x', targets: { levels: [olv.json.levels[0].id] } });
	assert.equal(r.status, 422, r.text);
	assert.match(r.json.error.message, /targets\.levels/);
	const notJson = await request(srv.base, 'POST', `/api/v1/sites/${site.id}/offers`, { cookie: env.admin.cookie, csrf: env.admin.csrf, body: '{"title":', headers: { 'Content-Type': 'application/json' } });
	assert.equal(notJson.status, 400, notJson.text);
	const patch = await admin('PATCH', `/api/v1/offers/${offers.all}`, { code: '' });
	assert.equal(patch.status, 422, 'a coupon keeps a code');
});

test('eligibility: each customer sees exactly the offers aimed at their tier, segment or level, plus everyone\'s', async () => {
	for (const [ext, want] of Object.entries(EXPECT)) {
		const d = await eligible(ext);
		assert.deepEqual(names(d.eligible), want.slice().sort(), `${ext}'s eligible offers`);
		assert.deepEqual(d.redeemed, []);
	}
	const k = await eligible('K');
	const c = k.eligible.find((o) => o.id === offers.tier);
	assert.equal(c.code, 'KEY-10', 'agents see the code');
	assert.equal(c.used, 0);
});

test('redeem: recorded and listed; per-customer and total limits answer 409 limit_reached', async () => {
	const lim = await create({ title: 'Two only', per_customer_limit: 1, total_limit: 2 });
	assert.equal(lim.status, 201, lim.text);
	offers.limited = lim.json.offer.id;
	const redeem = (ext, sess = env.a1, body = {}) => as(sess, 'POST', `/api/v1/offers/${offers.limited}/redeem`, { customer_id: ids[ext], ...body });

	const r1 = await redeem('K', env.a1, { order_number: 'SO-77', note: '电话下单' });
	assert.equal(r1.status, 201, r1.text);
	assert.equal(r1.json.redemption.order_number, 'SO-77');
	const again = await redeem('K');
	assert.equal(again.status, 409, again.text);
	assert.equal(again.json.error.code, 'limit_reached', 'one per customer');
	assert.equal((await redeem('A', env.a2)).status, 201);
	const third = await redeem('R');
	assert.equal(third.status, 409, third.text);
	assert.equal(third.json.error.code, 'limit_reached', 'two in total');

	const k = await eligible('K');
	assert.ok(!k.eligible.some((o) => o.id === offers.limited), 'used up for K: no longer eligible');
	assert.equal(k.redeemed.length, 1);
	assert.equal(k.redeemed[0].offer_id, offers.limited);
	assert.equal(k.redeemed[0].title, 'Two only');
	assert.equal(k.redeemed[0].order_number, 'SO-77');
	assert.equal(k.redeemed[0].note, '电话下单');
	assert.equal(k.redeemed[0].user_id, env.ids['agent1@example.com']);
	assert.ok(!(await eligible('N')).eligible.some((o) => o.id === offers.limited), 'used up for everyone');
	const got = await admin('GET', `/api/v1/offers/${offers.limited}`);
	assert.equal(got.json.offer.redeemed, 2, 'the admin list counts redemptions');

	/* an offer aimed elsewhere, a customer of another site, bad bodies */
	const nt = await as(env.a1, 'POST', `/api/v1/offers/${offers.tier}/redeem`, { customer_id: ids.A });
	assert.equal(nt.status, 409, nt.text);
	assert.equal(nt.json.error.code, 'not_eligible');
	for (const [body, re] of [[{}, /customer_id/], [{ customer_id: 'x' }, /customer_id/], [{ customer_id: 99999999 }, /customer_id/],
		[{ customer_id: ids.K, order_number: 'a b' }, /order_number/], [{ customer_id: ids.K, note: 'n'.repeat(501) }, /note/]]) {
		const r = await as(env.a1, 'POST', `/api/v1/offers/${offers.all}/redeem`, body);
		assert.equal(r.status, 422, `${JSON.stringify(body).slice(0, 80)}: ${r.text}`);
		assert.match(r.json.error.message, re);
	}
	assert.equal((await withKey(keyNoScope, 'POST', `/api/v1/offers/${offers.all}/redeem`, { customer_id: ids.K })).status, 403);
	const byKey = await withKey(key, 'POST', `/api/v1/offers/${offers.all}/redeem`, { customer_id: ids.N });
	assert.equal(byKey.status, 201, byKey.text);

	/* many at once: exactly total_limit succeed */
	const three = await create({ title: 'Three at once', total_limit: 3 });
	assert.equal(three.status, 201, three.text);
	const exts = ['K', 'A', 'R', 'F', 'N', 'K', 'A', 'R'];
	const all = await Promise.all(exts.map((x) => as(env.a1, 'POST', `/api/v1/offers/${three.json.offer.id}/redeem`, { customer_id: ids[x] })));
	assert.deepEqual(all.map((r) => r.status).sort(), [201, 201, 201, 409, 409, 409, 409, 409], all.map((r) => r.text).join(' '));
	assert.equal((await admin('GET', `/api/v1/offers/${three.json.offer.id}`)).json.offer.redeemed, 3);
	await admin('PATCH', `/api/v1/offers/${three.json.offer.id}`, { active: false });
});

test('dates and inactive offers: not eligible, and redeeming them is 409 not_eligible', async () => {
	const future = await create({ title: 'Later', starts_at: now() + 86400 });
	const past = await create({ title: 'Over', starts_at: now() - 86400 * 2, ends_at: now() - 86400 });
	const current = await create({ title: 'Now', starts_at: now() - 60, ends_at: now() + 86400 });
	for (const r of [future, past, current]) assert.equal(r.status, 201, r.text);
	const d = await eligible('R');
	assert.ok(!d.eligible.some((o) => o.id === future.json.offer.id), 'not started');
	assert.ok(!d.eligible.some((o) => o.id === past.json.offer.id), 'ended');
	assert.ok(d.eligible.some((o) => o.id === current.json.offer.id), 'within its dates');
	for (const o of [future, past]) {
		const r = await as(env.a1, 'POST', `/api/v1/offers/${o.json.offer.id}/redeem`, { customer_id: ids.R });
		assert.equal(r.status, 409, r.text);
		assert.equal(r.json.error.code, 'not_eligible');
	}
	const off = await admin('PATCH', `/api/v1/offers/${current.json.offer.id}`, { active: false });
	assert.equal(off.status, 200, off.text);
	assert.equal(off.json.offer.active, false);
	assert.equal(off.json.offer.title, 'Now', 'a PATCH keeps what it does not name');
	assert.ok(!(await eligible('R')).eligible.some((o) => o.id === current.json.offer.id), 'inactive');
	const r = await as(env.a1, 'POST', `/api/v1/offers/${current.json.offer.id}/redeem`, { customer_id: ids.R });
	assert.equal(r.status, 409, r.text);
	assert.equal(r.json.error.code, 'not_eligible');
	const del = await admin('DELETE', `/api/v1/offers/${past.json.offer.id}`);
	assert.equal(del.status, 200, del.text);
	assert.equal((await admin('GET', `/api/v1/offers/${past.json.offer.id}`)).status, 404);
	assert.equal((await admin('DELETE', `/api/v1/offers/${past.json.offer.id}`)).status, 404);
	/* retarget: the tier offer now for active customers too */
	const re = await admin('PATCH', `/api/v1/offers/${offers.tier}`, { targets: { tiers: ['key', 'active'] } });
	assert.equal(re.status, 200, re.text);
	assert.ok((await eligible('A')).eligible.some((o) => o.id === offers.tier));
	await admin('PATCH', `/api/v1/offers/${offers.tier}`, { targets: { tiers: ['key'] } });
});

test('the widget: /offers/mine shows a signed visitor their offers (public fields) and an unsigned one nothing', async () => {
	const good = await connectVisitor(srv, site.key, { customer: { id: 'K', sig: sign('K') } });
	assert.ok(good.welcome.customer, 'the claim was accepted');
	const mine = await request(srv.base, 'GET', `/api/v1/offers/mine?site=${site.key}`, { headers: { 'X-Visitor-Token': good.token } });
	assert.equal(mine.status, 200, mine.text);
	assert.equal(mine.json.identified, true);
	const ids2 = mine.json.offers.map((o) => o.id);
	assert.ok(ids2.includes(offers.tier) && ids2.includes(offers.all), 'K\'s tier offer and the everyone offer');
	assert.ok(!ids2.includes(offers.segment) && !ids2.includes(offers.level) && !ids2.includes(offers.limited), 'nothing aimed elsewhere or used up');
	const c = mine.json.offers.find((o) => o.id === offers.tier);
	assert.deepEqual(Object.keys(c).sort(), ['body', 'code', 'discount', 'ends_at', 'id', 'kind', 'title'], 'no targets or counts');
	assert.equal(c.code, 'KEY-10');

	const plain = await connectVisitor(srv, site.key, {});
	const none = await request(srv.base, 'GET', `/api/v1/offers/mine?site=${site.key}`, { headers: { 'X-Visitor-Token': plain.token } });
	assert.equal(none.status, 200, none.text);
	assert.deepEqual(none.json, { identified: false, offers: [] });
	assert.equal((await request(srv.base, 'GET', `/api/v1/offers/mine?site=${site.key}`)).status, 401, 'no token');
	assert.equal((await request(srv.base, 'GET', `/api/v1/offers/mine?site=${site.key}`, { headers: { 'X-Visitor-Token': 'x'.repeat(43) } })).status, 401);
	assert.equal((await request(srv.base, 'GET', '/api/v1/offers/mine?site=nope', { headers: { 'X-Visitor-Token': good.token } })).status, 404);
	const cross = await request(srv.base, 'GET', `/api/v1/offers/mine?site=${other.key}`, { headers: { 'X-Visitor-Token': good.token } });
	assert.equal(cross.status, 401, 'a token of another site');
});

test('points: agents award (adjust > 0) only when agents_award is on; taking points away stays with supervisors', async () => {
	const award = (sess, delta) => as(sess, 'POST', `/api/v1/customers/${ids.R}/points`, { delta, reason: 'adjust', note: 'goodwill' });
	assert.equal((await eligible('R')).may_award, false);
	const no = await award(env.a1, 50);
	assert.equal(no.status, 403, no.text);
	const on = await admin('PUT', `/api/v1/sites/${site.id}/points-rules`, { agents_award: true });
	assert.equal(on.status, 200, on.text);
	assert.equal(on.json.rules.agents_award, true);
	assert.equal(on.json.rules.agents_spend, false, 'the other switch is untouched');
	assert.equal((await admin('PUT', `/api/v1/sites/${site.id}/points-rules`, { agents_award: 'yes' })).status, 422);
	assert.equal((await eligible('R')).may_award, true);
	const yes = await award(env.a1, 50);
	assert.equal(yes.status, 201, yes.text);
	assert.equal(yes.json.balance, 50);
	assert.equal(yes.json.entry.user_id, env.ids['agent1@example.com']);
	assert.equal((await award(env.a1, -10)).status, 403, 'an agent may not take points away');
	assert.equal((await award(env.admin, -10)).status, 201, 'an admin may');
	await admin('PUT', `/api/v1/sites/${site.id}/points-rules`, { agents_award: false });
	assert.equal((await award(env.a1, 5)).status, 403, 'off again');
});

// A customer merged away is not redeemed for again: its redemptions went to the survivor, so a
// once-per-customer coupon used before the merge stays used (409 merged for the old id,
// 409 limit_reached for the survivor). Reading its offers still works.
test('redeem: a customer merged away is 409 merged; the survivor carries its redemptions', async () => {
	await put('MG1', 'paid', 1000, 1);
	await put('MG2', 'paid', 1000, 1);
	const once = await create({ kind: 'coupon', code: 'ONCE-1', title: 'Once each', per_customer_limit: 1 });
	assert.equal(once.status, 201, once.text);
	const redeem = (ext) => as(env.a1, 'POST', `/api/v1/offers/${once.json.offer.id}/redeem`, { customer_id: ids[ext] });
	assert.equal((await redeem('MG2')).status, 201);
	const m = await admin('POST', `/api/v1/customers/${ids.MG1}/merge`, { from: ids.MG2 });
	assert.equal(m.status, 200, m.text);
	assert.equal(m.json.moved.redemptions, 1);
	const again = await redeem('MG2');
	assert.equal(again.status, 409, again.text);
	assert.equal(again.json.error.code, 'merged');
	const survivor = await redeem('MG1');
	assert.equal(survivor.status, 409, survivor.text);
	assert.equal(survivor.json.error.code, 'limit_reached', 'the redemption moved with the merge');
	assert.equal((await admin('GET', `/api/v1/offers/${once.json.offer.id}`)).json.offer.redeemed, 1);
	assert.equal((await as(env.a1, 'GET', `/api/v1/customers/${ids.MG2}/offers`)).status, 200);
	await admin('PATCH', `/api/v1/offers/${once.json.offer.id}`, { active: false });
});
