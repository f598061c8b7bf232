// The CRM page (客户, issue 6) in headless Chromium, signed in as a supervisor: the shop pushes
// orders for five customers (two of them key accounts by spend, ≥ ¥10,000), the supervisor
// presses 重新计算 on the page, and then: the tier chart's canvas is drawn with the values of
// GET /crm/summary and the numbers row matches it; filtering by tier 大客户 shows exactly the two
// key accounts; the export link of that filter, fetched with the page's cookies, is a CSV of
// exactly those customers; a row opens the drawer, whose timeline shows the orders and points.
// An agent sees the same page without the recompute button and the export link.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { client, launchChromium, setupServer, openConsole } from './lib.mjs';

const ADMIN = { email: 'admin@example.com', password: 'correct-horse-battery-9', name: '店长' };
const LEAD = { email: 'lead@example.com', password: 'lead-password-long-1', name: '主管' };
const AGENT = { email: 'agent@example.com', password: 'agent-password-long-1', name: '客服' };
let env, base = '', browser, api, shop, site;
const foreign = [];
const ago = (d) => new Date(Date.now() - d * 86400000 - 3600000).toISOString().replace(/\.\d+Z$/, 'Z');

const CUSTOMERS = [
	// external id, name, [status, yuan, days ago]...
	['k-1', '王大户', [['delivered', '6000.00', 3], ['delivered', '6000.00', 20]]],
	['k-2', '李老板', [['delivered', '11000.00', 40]]],
	['a-1', '张小姐', [['delivered', '80.00', 2], ['shipped', '60.00', 9]]],
	['o-1', '赵先生', [['paid', '35.00', 100]]],
	['r-1', '钱同学', [['cancelled', '99.00', 5]]],
];

before(async () => {
	env = await setupServer({
		name: 'crmpage', users: [{ ...ADMIN, role: 'admin' }, { ...LEAD, role: 'supervisor' }, { ...AGENT, role: 'agent' }],
		site: { name: '茶叶店', origins: ['http://shop.test'], greeting: '您好' },
		members: (all) => all.filter((u) => u.email === LEAD.email || u.email === AGENT.email),
	});
	({ base, api, site } = env);
	const key = await api.call('POST', '/api/v1/apikeys', { name: 'shop', scopes: ['orders:write'] });
	assert.equal(key.status, 201, key.body.toString());
	shop = client(base);
	let n = 0;
	for (const [ext, name, orders] of CUSTOMERS) {
		for (const [status, total, days] of orders) {
			const r = await shop.call('PUT', `/api/v1/sites/${site.id}/orders/SO-${++n}`, {
				status, currency: 'CNY', total, placed_at: ago(days), customer: { external_id: ext, name, email: `${ext}@example.com` },
				items: [{ sku: 'TEA', name: '龙井茶', quantity: 1, price: total }],
			}, { Authorization: 'Bearer ' + key.json.key });
			assert.equal(r.status, 201, r.body.toString());
		}
	}
	browser = await launchChromium();
});

after(async () => { if (env) await env.stop(browser, foreign); });

test('the CRM page: charts match the summary, a tier filter, its CSV export and the timeline', { timeout: 90000 }, async () => {
	const { ctx, P } = await openConsole(browser, base, LEAD, { locale: 'zh-CN', foreign });
	await P.click('nav [data-nav=crm]');
	assert.equal((await P.locator('nav [data-nav=crm]').textContent()).trim(), '客户');
	await P.locator('#crm-computed', { hasText: '尚未计算' }).waitFor();

	/* the supervisor recomputes from the page; the page reloads the summary */
	await P.click('#crm-recompute');
	await P.locator('#crm-recompute-note', { hasText: '5 位客户' }).waitFor();
	await P.locator('#crm-key', { hasText: '2' }).waitFor();

	/* the numbers and the tier chart against the API */
	const sum = (await api.call('GET', `/api/v1/sites/${site.id}/crm/summary`)).json;
	assert.equal(sum.total, 5);
	assert.equal(sum.tiers.key, 2, 'k-1 and k-2 spent at least ¥10,000');
	assert.equal(await P.locator('#crm-total').textContent(), String(sum.total));
	assert.equal(await P.locator('#crm-key').textContent(), String(sum.tiers.key));
	assert.equal(await P.locator('#crm-with-orders').textContent(), String(sum.total - sum.segments.none));
	assert.notEqual(await P.locator('#crm-computed').textContent(), '尚未计算');
	const want = ['key', 'active', 'occasional', 'registered', 'none'].map((k) => `${k}:${sum.tiers[k]}`).join(',');
	await P.locator(`#crm-tier-chart[data-values="${want}"]`).waitFor();
	const painted = await P.locator('#crm-tier-chart canvas').evaluate((c) => {
		const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
		let n = 0;
		for (let i = 3; i < d.length; i += 4) if (d[i]) n++;
		return { n, w: c.width, h: c.height };
	});
	assert.ok(painted.w > 200 && painted.h > 100, 'the canvas has a size: ' + JSON.stringify(painted));
	assert.ok(painted.n > 500, 'the bars are painted: ' + JSON.stringify(painted));
	assert.equal(await P.locator('#crm-segment-chart canvas').count(), 1, 'the segment chart too');

	/* filter by tier: exactly the key accounts */
	await P.locator('#crm-table .crm-row').first().waitFor();
	assert.equal(await P.locator('#crm-table .crm-row').count(), 5);
	await P.selectOption('#crm-tier', 'key');
	await P.click('#crm-apply');
	await P.locator('#crm-count', { hasText: '共 2 位客户' }).waitFor();
	const names = (await P.locator('#crm-table .crm-row .crm-open').allTextContents()).sort();
	assert.deepEqual(names, ['李老板', '王大户'].sort());
	const rowIds = (await P.locator('#crm-table .crm-row').evaluateAll((rs) => rs.map((r) => Number(r.dataset.id)))).sort((a, b) => a - b);

	/* the export link carries the filter; its CSV (fetched with the page's cookies) has exactly those rows */
	const href = await P.locator('#crm-export').getAttribute('href');
	assert.match(href, /segment\.csv\?tier=key$/);
	const res = await P.request.get(base + href);
	assert.equal(res.status(), 200);
	const text = await res.text();
	const lines = text.replace(/^\uFEFF/, '').trim().split('\r\n');
	assert.equal(lines[0], 'id,name,email,r,f,m,segment,tier');
	assert.deepEqual(lines.slice(1).map((l) => Number(l.split(',')[0])).sort((a, b) => a - b), rowIds);
	assert.ok(lines.slice(1).every((l) => l.endsWith(',key')), text);

	/* the drawer: profile, scores and the timeline of 王大户 (two orders, two point awards) */
	await P.locator('#crm-table .crm-open', { hasText: '王大户' }).click();
	await P.locator('#crm-drawer #crm-drawer-name', { hasText: '王大户' }).waitFor();
	assert.equal(await P.locator('#crm-drawer-tier').textContent(), '大客户');
	assert.equal(await P.locator('#crm-drawer-points').textContent(), (12000).toLocaleString('zh-CN'));
	await P.locator('#crm-timeline .tl-item').first().waitFor();
	const kinds = await P.locator('#crm-timeline .tl-item').evaluateAll((xs) => xs.map((x) => x.dataset.kind));
	assert.deepEqual(kinds.filter((k) => k === 'order' || k === 'points').sort(), ['order', 'order', 'points', 'points'], kinds.join());
	assert.match(await P.locator('#crm-timeline .tl-order').first().textContent(), /SO-1/, 'the newest order first');
	await P.click('#crm-drawer-close');
	assert.equal(await P.locator('#crm-drawer').count(), 0);

	/* the text filter combines with the tier (the form keeps a draft until 筛选) */
	await P.fill('#crm-q', '王');
	assert.equal(await P.inputValue('#crm-q'), '王');
	await P.click('#crm-apply');
	await P.locator('#crm-count', { hasText: '共 1 位客户' }).waitFor();
	await ctx.close();
});

test('an agent sees the page read-only: no recompute button, no export link', { timeout: 60000 }, async () => {
	const { ctx, P } = await openConsole(browser, base, AGENT, { locale: 'en-US', viewport: { width: 1200, height: 800 }, foreign });
	await P.click('nav [data-nav=crm]');
	await P.locator('#crm-table .crm-row').first().waitFor();
	assert.equal(await P.locator('#crm-table .crm-row').count(), 5);
	await P.locator('#crm-tier-chart canvas').waitFor();
	assert.equal(await P.locator('#crm-recompute').count(), 0, 'no recompute for agents');
	assert.equal(await P.locator('#crm-export').count(), 0, 'no export for agents (the route is for supervisors)');
	assert.match(await P.locator('#panel-crm').textContent(), /Read-only/);
	await ctx.close();
});
