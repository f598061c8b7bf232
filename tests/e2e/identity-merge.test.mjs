// Agent-confirmed identity and merging customers in headless Chromium (issue 6). A visitor who
// typed an e-mail equal to customer 韩梅梅's stays "未识别的访客" with the question "此访客留下的
// 邮箱与客户 韩梅梅 相符 — 确认是同一人？"; nothing is linked until the admin clicks 确认, after which
// the side column shows the customer (and the API records agent_email). Then, in the CRM page's
// drawer of 韩梅梅, the admin finds the duplicate record "Han M." (search), sees both in the
// confirm dialog, merges (the duplicate's order and points move over) and undoes it from the list.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KEFU_BIN, CHROMIUM, run, startServer, stopServer, watchForeign, client, sessionCookie, launchChromium, signIn } from './lib.mjs';
import { connectVisitor, sendMsg, closeAllPeers } from '../http/chatlib.mjs';

const ADMIN = { email: 'admin@example.com', password: 'correct-horse-battery-9', name: '店长' };
let dataDir, server, base = '', browser, api, shop, site, srv;
const foreign = [];

before(async () => {
	assert.ok(existsSync(KEFU_BIN), `${KEFU_BIN} not found`);
	assert.ok(existsSync(CHROMIUM), `${CHROMIUM} not found`);
	dataDir = mkdtempSync(join(tmpdir(), 'kefu-e2e-identity-'));
	const r = await run(['user', 'add', '--role', 'admin', '--name', ADMIN.name, '--data', dataDir, ADMIN.email], ADMIN.password + '\n');
	assert.equal(r.code, 0, r.stdout + r.stderr);
	const s = startServer(dataDir);
	server = s.proc;
	base = await s.ready;
	const u = new URL(base);
	srv = { base, host: u.hostname, port: +u.port };
	api = client(base);
	const login = await api.call('POST', '/api/v1/auth/login', { email: ADMIN.email, password: ADMIN.password });
	api.cookie = sessionCookie(login);
	api.csrf = login.json.csrf_token;
	site = (await api.call('POST', '/api/v1/sites', { name: '茶叶店', origins: ['http://shop.test'], greeting: '您好' })).json.site;
	const key = await api.call('POST', '/api/v1/apikeys', { name: 'shop', scopes: ['orders:write'] });
	assert.equal(key.status, 201, key.body.toString());
	shop = client(base);
	shop.put = (path, body) => shop.call('PUT', path, body, { Authorization: 'Bearer ' + key.json.key });
	browser = await launchChromium();
});

after(async () => {
	closeAllPeers();
	try { if (browser) await browser.close(); } catch { /* gone */ }
	await stopServer(server);
	if (dataDir) rmSync(dataDir, { recursive: true, force: true });
	assert.deepEqual(foreign, [], 'no request left the server origin');
});

test('confirm a visitor\'s e-mail in the panel; merge and undo in the CRM drawer', { timeout: 90000 }, async () => {
	const x = (await api.call('PUT', `/api/v1/sites/${site.id}/customers/u-1`, { name: '韩梅梅', emails: ['han@example.com'] })).json.customer;
	const dup = (await api.call('PUT', `/api/v1/sites/${site.id}/customers/g-9`, { name: 'Han M.', emails: ['han.m@example.com'] })).json.customer;
	const o = await shop.put(`/api/v1/sites/${site.id}/orders/SO-9`, {
		status: 'delivered', currency: 'CNY', total: '88.00', placed_at: '2026-11-10T08:00:00Z', customer: { external_id: 'g-9' },
		items: [{ name: '龙井茶', quantity: 1, price: '88.00' }],
	});
	assert.equal(o.status, 201, o.body.toString());
	const visitor = await connectVisitor(srv, site.key, { name: 'Han', email: 'han@example.com' });
	await sendMsg(visitor, { text: '你好' });
	const panel = async () => (await api.call('GET', `/api/v1/visitors/${visitor.visitorId}/customer`)).json;
	assert.equal((await panel()).customer, null, 'not linked before the click');

	const ctx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1400, height: 900 } });
	ctx.setDefaultTimeout(10000);
	watchForeign(ctx, new URL(base).host, foreign);
	const P = await ctx.newPage();
	await P.goto(base + '/');
	await signIn(P, ADMIN.email, ADMIN.password);
	await P.click('nav [data-nav=inbox]');
	await P.click(`.conv-item[data-id="${(await panel()).conversations[0].id}"]`);
	await P.locator('#customer-panel #customer-name', { hasText: '未识别的访客' }).waitFor();
	const ask = P.locator('#identity-confirm .identity-candidate');
	await ask.waitFor();
	assert.match(await ask.textContent(), /此访客留下的邮箱与客户 韩梅梅 相符 — 确认是同一人？/);
	assert.equal((await panel()).customer, null, 'showing the question links nobody');
	await ask.locator('.identity-yes').click();
	await P.locator('#customer-panel #customer-name', { hasText: '韩梅梅' }).waitFor();
	const linked = await panel();
	assert.equal(linked.customer.id, x.id);
	assert.equal(linked.link.source, 'agent_email');

	/* the CRM page: merge the duplicate into 韩梅梅, then undo */
	await P.click('nav [data-nav=crm]');
	await P.locator('#crm-table .crm-open', { hasText: '韩梅梅' }).click();
	await P.locator('#crm-drawer #crm-drawer-name', { hasText: '韩梅梅' }).waitFor();
	await P.fill('#merge-q', 'Han M');
	await P.click('#merge-find');
	await P.locator('.merge-candidate', { hasText: 'Han M.' }).locator('.merge-pick').click();
	await P.locator('#merge-confirm #merge-target', { hasText: '韩梅梅' }).waitFor();
	await P.locator('#merge-confirm #merge-source', { hasText: 'han.m@example.com' }).waitFor();
	await P.click('#merge-go');
	/* onDone: the CRM page reloads its list (and closes the drawer); the duplicate is gone from it */
	await P.locator('#crm-drawer').waitFor({ state: 'detached' });
	await P.locator('#crm-table .crm-open', { hasText: 'Han M.' }).waitFor({ state: 'detached' });
	let pts = await api.call('GET', `/api/v1/customers/${x.id}/points`);
	assert.equal(pts.json.balance, 88, 'the duplicate\'s points moved over');
	assert.equal((await api.call('GET', `/api/v1/sites/${site.id}/orders/SO-9`)).json.order.customer_id, x.id);
	await P.locator('#crm-table .crm-open', { hasText: '韩梅梅' }).click();
	await P.locator('#merge-history .merge-row', { hasText: 'Han M. → 韩梅梅' }).waitFor();
	await P.click('#merge-history .merge-undo');
	await P.locator('#crm-table .crm-open', { hasText: 'Han M.' }).waitFor();
	pts = await api.call('GET', `/api/v1/customers/${x.id}/points`);
	assert.equal(pts.json.balance, 0);
	assert.equal((await api.call('GET', `/api/v1/sites/${site.id}/orders/SO-9`)).json.order.customer_id, dup.id);
	await ctx.close();
});
