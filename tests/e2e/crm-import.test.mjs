// Settings → Import orders (issue 6) in headless Chromium: an admin picks a CSV with good and
// malformed rows, names two columns, uploads (XHR with a progress bar, not timed here), and the report lists
// the counts and the rejected rows' line numbers; the good orders are then in the API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KEFU_BIN, CHROMIUM, run, startServer, stopServer, watchForeign, client, sessionCookie, launchChromium, signIn } from './lib.mjs';

const ADMIN = { email: 'admin@example.com', password: 'correct-horse-battery-9', name: '店长' };
let dataDir, server, base = '', browser, api, site;
const foreign = [];
const call = (...args) => api.call(...args);

before(async () => {
	assert.ok(existsSync(KEFU_BIN), `${KEFU_BIN} not found`);
	assert.ok(existsSync(CHROMIUM), `${CHROMIUM} not found`);
	dataDir = mkdtempSync(join(tmpdir(), 'kefu-e2e-import-'));
	const r = await run(['user', 'add', '--role', 'admin', '--name', ADMIN.name, '--data', dataDir, ADMIN.email], ADMIN.password + '\n');
	assert.equal(r.code, 0, r.stdout + r.stderr);
	const srv = startServer(dataDir);
	server = srv.proc;
	base = await srv.ready;
	api = client(base);
	const login = await call('POST', '/api/v1/auth/login', { email: ADMIN.email, password: ADMIN.password });
	api.cookie = sessionCookie(login);
	api.csrf = login.json.csrf_token;
	site = (await call('POST', '/api/v1/sites', { name: '茶叶店', origins: [], greeting: '您好' })).json.site;
	browser = await launchChromium();
});

after(async () => {
	try { if (browser) await browser.close(); } catch { /* gone */ }
	await stopServer(server);
	if (dataDir) rmSync(dataDir, { recursive: true, force: true });
	assert.deepEqual(foreign, [], 'no request left the server origin');
});

test('an admin imports a CSV from Settings and sees the report with line numbers', { timeout: 60000 }, async () => {
	const file = join(dataDir, 'orders.csv');
	writeFileSync(file, 'order_id,placed_at,amount,status\nT-1,2026-11-01,10.00,paid\nT-2,2026-11-02,-1,paid\n' +
		'T-3,2026-11-03,3.00,lost\nT-4,2026-11-04,4.50,delivered\n');
	const ctx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
	ctx.setDefaultTimeout(10000);
	watchForeign(ctx, new URL(base).host, foreign);
	const P = await ctx.newPage();
	await P.goto(base + '/');
	await signIn(P, ADMIN.email, ADMIN.password);
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
