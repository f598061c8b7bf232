// demo.test.mjs - `kefu demo-seed` (what `make demo` runs) seeds a shop a newcomer can explore:
// checked through the same API the console and the widget use, on a server started on the
// seeded data dir. The demo's promises printed by the command must hold: the order it names
// is found by the widget's lookup, the CRM has every tier, points were awarded by the real
// loyalty code, and key accounts going quiet show in the tier history.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import crypto from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runKefu, addUser, startKefu, stopAll, login, request, ADMIN_EMAIL, ADMIN_PASSWORD } from './lib.mjs';
import { connectVisitor, closeAllPeers } from './chatlib.mjs';

let dir, srv, sess, site, seedOut;
const admin = (method, path, json) => request(srv.base, method, path, { json, cookie: sess.cookie, csrf: sess.csrf });

before(async () => {
	dir = await mkdtemp(join(tmpdir(), 'kefu-demo-'));
	await addUser(dir, { email: ADMIN_EMAIL, password: ADMIN_PASSWORD, role: 'admin', name: 'Admin' });
	await addUser(dir, { email: 'agent@example.com', password: 'agent-password-123', role: 'agent', name: '小王' });
	await addUser(dir, { email: 'lead@example.com', password: 'lead-password-123', role: 'supervisor', name: '主管' });
	const add = await runKefu(['site', 'add', '--data', dir, '演示商店 Demo Shop']);
	assert.equal(add.code, 0, add.stderr);
	const seed = await runKefu(['demo-seed', '--data', dir], { timeoutMs: 60000 });
	assert.equal(seed.code, 0, seed.stderr);
	seedOut = seed.stdout;
	/* as scripts/demo writes it; a fast SLA tick so the overdue complaint is escalated at once */
	srv = await startKefu({ dir, conf: { demo: { sign_customers: 'on' }, tickets: { sla_tick_ms: 200 } } });
	sess = await login(srv.base, ADMIN_EMAIL, ADMIN_PASSWORD);
	const sites = await admin('GET', '/api/v1/sites');
	site = sites.json.sites[0];
});
after(async () => {
	closeAllPeers();
	await stopAll();
	if (dir) await rm(dir, { recursive: true, force: true });
});

test('demo-seed says what it seeded, and a second run changes nothing', async () => {
	assert.match(seedOut, /seeded \d+ customers with \d+ orders/);
	assert.match(seedOut, /DS100001 with zhang\.wei@example\.com/);
	const again = await runKefu(['demo-seed', '--data', dir], { timeoutMs: 60000 });
	assert.equal(again.code, 0, again.stderr);
	assert.match(again.stdout, /already has the demo's data/);
});

test('the order the demo names is found by the widget lookup, shipped with tracking', async () => {
	const r = await request(srv.base, 'POST', `/api/v1/orders/lookup?site=${site.key}`,
		{ json: { number: 'DS100001', email: 'zhang.wei@example.com' } });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.order.status, 'shipped');
	assert.match(r.json.order.tracking, /^SF\d{10}$/);
});

test('the CRM has every tier, key accounts that went quiet, points and levels', async () => {
	const s = await admin('GET', `/api/v1/sites/${site.id}/crm/summary`);
	assert.equal(s.status, 200, s.text);
	for (const k of ['key', 'active', 'occasional', 'registered']) assert.ok(s.json.tiers[k] > 0, `tier ${k}: ${JSON.stringify(s.json.tiers)}`);
	const list = await admin('GET', `/api/v1/sites/${site.id}/customers?q=${encodeURIComponent('张伟')}`);
	assert.equal(list.status, 200, list.text);
	const zhang = list.json.customers[0];
	const rfm = await admin('GET', `/api/v1/customers/${zhang.id}/rfm`);
	assert.equal(rfm.json.rfm.tier, 'key', JSON.stringify(rfm.json));
	const quiet = [];
	for (const name of ['陳美玲', 'Emily Chen']) {   /* the demo's two former key accounts */
		const c = (await admin('GET', `/api/v1/sites/${site.id}/customers?q=${encodeURIComponent(name)}`)).json.customers[0];
		const h = (await admin('GET', `/api/v1/customers/${c.id}/rfm`)).json;
		quiet.push([name, h.rfm.tier, (h.history || []).map((x) => `${x.from}>${x.to}`).join(' ')]);
	}
	for (const [name, tier, hist] of quiet) {
		assert.equal(tier, 'occasional', `${name} is no longer a key account`);
		assert.match(hist, /key>occasional/, `${name}'s tier history shows the drop`);
	}
	const pts = await admin('GET', `/api/v1/customers/${zhang.id}/points`);
	assert.equal(pts.status, 200, pts.text);
	assert.ok(pts.json.balance > 0, 'delivered orders earned points');
	const offers = await admin('GET', `/api/v1/customers/${zhang.id}/offers`);
	assert.equal(offers.status, 200, offers.text);
	assert.deepEqual(offers.json.eligible.map((o) => o.code).sort(), ['', 'VIP150'], 'a key account holds the VIP coupon and free shipping');
	const lv = await admin('GET', `/api/v1/sites/${site.id}/levels`);
	assert.deepEqual(lv.json.levels.map((l) => l.name), ['普通会员', '银卡会员', '金卡会员', '钻石会员']);
});

test('the panel beside a demo chat knows its customer: custom fields, and the shop\'s tier names', async () => {
	const convs = (await admin('GET', '/api/v1/conversations?status=all')).json.conversations;
	let panel = null;
	for (const c of convs) {
		const p = (await admin('GET', `/api/v1/visitors/${c.visitor.id}/customer?lang=zh-CN`)).json;
		if (p.customer && p.customer.name === '张伟') { panel = { ...p, visitor: c.visitor.id }; break; }
	}
	assert.ok(panel, 'a chat of 张伟 is in the demo');
	assert.match(panel.customer.custom.size, /^(S|M|L|XL)$/);
	assert.equal(panel.customer.rfm.tier_name, '大客户');
	const put = await admin('PUT', `/api/v1/sites/${site.id}/crm/names`, { tiers: { key: 'VIP 客户' } });
	assert.equal(put.status, 200, put.text);
	const vid = panel.visitor;
	const p = (await admin('GET', `/api/v1/visitors/${vid}/customer?lang=en`)).json;
	assert.equal(p.customer.name, '张伟');
	assert.equal(p.customer.rfm.tier_name, 'VIP 客户', 'the shop\'s name, in every language');
	await admin('PUT', `/api/v1/sites/${site.id}/crm/names`, {});
});

test('the demo has a form and tickets of every kind; the overdue complaint is escalated to the supervisor', async () => {
	const forms = await admin('GET', `/api/v1/sites/${site.id}/forms`);
	assert.equal(forms.status, 200, forms.text);
	assert.deepEqual(forms.json.forms.map((f) => f.ticket_type).sort(), ['complaint', 'question'], 'an after-sales form and the complaints channel');
	const list = await admin('GET', '/api/v1/tickets?view=all&limit=50');
	assert.equal(list.status, 200, list.text);
	const types = list.json.tickets.map((t) => t.type).sort();
	assert.deepEqual(types, ['complaint', 'complaint', 'question', 'question', 'repair', 'return']);
	const complaint = list.json.tickets.find((t) => t.type === 'complaint' && t.status === 'new');
	const users = (await admin('GET', '/api/v1/users')).json.users;
	const lead = users.find((u) => u.role === 'supervisor');
	let t = null;
	for (let i = 0; i < 50 && !(t && t.sla.escalated_at); i++) {
		t = (await admin('GET', `/api/v1/tickets/${complaint.id}`)).json.ticket;
		if (!t.sla.escalated_at) await new Promise((r) => setTimeout(r, 100));
	}
	assert.ok(t.sla.escalated_at > 0, `escalated: ${JSON.stringify(t)}`);
	assert.equal(t.sla.breached & 1, 1, 'the first response was late');
	assert.equal(t.assignee_id, lead.id, 'assigned to the supervisor');
	assert.equal(t.priority, 'urgent');
	const ret = list.json.tickets.find((x) => x.type === 'return');
	assert.equal(ret.workflow_state, 'requested');
});

test('the demo page signs in a demo customer only when [demo] sign_customers is on', async () => {
	const secret = (await admin('GET', `/api/v1/sites/${site.id}/identity`)).json.secret;
	const page = await request(srv.base, 'GET', `/demo?site=${site.key}&customer=demo-001`);
	assert.equal(page.status, 200);
	const sig = /data-customer-id="demo-001" data-customer-sig="([0-9a-f]{64})"/.exec(page.text);
	assert.ok(sig, 'the widget tag carries the signed id');
	assert.equal(sig[1], crypto.createHmac('sha256', secret).update('demo-001').digest('hex'));
	assert.match(page.text, /id="demo-customers"[^]*张伟/, 'the demo customers are offered by name');
	const v = await connectVisitor(srv, site.key, { customer: { id: 'demo-001', sig: sig[1] } });
	assert.equal(v.welcome.customer?.name, '张伟', 'the widget\'s claim from the page links the visitor');
	const mine = await request(srv.base, 'GET', `/api/v1/orders/mine?site=${site.key}`, { headers: { 'X-Visitor-Token': v.token } });
	assert.equal(mine.status, 200, mine.text);
	assert.ok(mine.json.orders.length >= 10, 'a key account\'s orders');
	assert.ok(mine.json.member.points > 0, `points shown to the member: ${JSON.stringify(mine.json.member)}`);
	assert.match(mine.json.member.level, /会员$/);
	assert.ok(mine.json.member.benefits, 'the level\'s benefits');
	for (const bad of ['u-1', 'demo-1', 'demo-0001', 'demo-00a']) {
		const p = await request(srv.base, 'GET', `/demo?site=${site.key}&customer=${bad}`);
		assert.doesNotMatch(p.text, /data-customer-sig/, `${bad} is not a demo customer`);
	}
	await stopAll();
	await writeFile(join(dir, 'kefu.conf'), '');
	srv = await startKefu({ dir });
	const off = await request(srv.base, 'GET', `/demo?site=${site.key}&customer=demo-001`);
	assert.equal(off.status, 200);
	assert.doesNotMatch(off.text, /data-customer-sig|demo-customers/, 'a real shop never signs anyone on /demo');
});
