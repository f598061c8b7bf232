// Settings → Import orders (issue 6) in headless Chromium: an admin picks a CSV with good and
// malformed rows, names two columns, uploads (XHR with a progress bar, not timed here), and the report lists
// the counts and the rejected rows' line numbers; the good orders are then in the API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setupServer, launchChromium, openConsole } from './lib.mjs';

const ADMIN = { email: 'admin@example.com', password: 'correct-horse-battery-9', name: '店长', role: 'admin' };
let env, browser, site, dataDir;
const foreign = [];
const call = (...args) => env.api.call(...args);

before(async () => {
	env = await setupServer({ name: 'import', users: [ADMIN], site: { name: '茶叶店', origins: [], greeting: '您好' } });
	site = env.site;
	dataDir = env.dataDir;
	browser = await launchChromium();
});

after(async () => {
	if (env) await env.stop(browser, foreign);
});

test('an admin imports a CSV from Settings and sees the report with line numbers', { timeout: 60000 }, async () => {
	const file = join(dataDir, 'orders.csv');
	writeFileSync(file, 'order_id,placed_at,amount,status\nT-1,2026-11-01,10.00,paid\nT-2,2026-11-02,-1,paid\n' +
		'T-3,2026-11-03,3.00,lost\nT-4,2026-11-04,4.50,delivered\n');
	const { ctx, P } = await openConsole(browser, env.base, ADMIN, { locale: 'zh-CN', viewport: { width: 1280, height: 900 }, foreign });
	await P.click('nav [data-nav=settings]');
	assert.equal(await P.locator('#crm-import-title').textContent(), '导入订单（CSV）');
	await P.locator('#crm-import-site option', { hasText: '茶叶店' }).waitFor({ state: 'attached' });
	await P.selectOption('#crm-import-site', String(site.id));
	await P.setInputFiles('#crm-import-file', file);
	await P.fill('#crm-import-map-number', 'order_id');
	await P.fill('#crm-import-map-total', 'amount');
	await P.click('#crm-import-go');
	const rep = P.locator('#crm-import-report');
	await rep.waitFor();
	assert.match(await rep.locator('p').first().textContent(), /共 4 行：导入 2，未变化 0，拒绝 2/);
	const lines = await rep.locator('tbody tr td:first-child').allTextContents();
	assert.deepEqual(lines, ['3', '4'], 'the rejected rows by line');
	assert.match(await rep.locator('tbody tr').nth(1).textContent(), /lost/);
	const o = await call('GET', `/api/v1/sites/${site.id}/orders/T-4`);
	assert.equal(o.status, 200);
	assert.equal(o.json.order.total_cents, 450);
	await ctx.close();
});
