// tests/e2e/visitors.test.mjs - the live visitor list end to end (docs/tracking.md).
//
//   KEFU_BIN=path/to/kefu node --test tests/e2e/visitors.test.mjs
//
// Starts kefu on a fresh data dir with an admin and a site, signs the admin in to the console's
// Visitors page in one Chromium context, and browses two demo product pages as a visitor in another.
// The agent's live list shows the visitor with the right current page and two pages this visit;
// the trail lists both pages with the time spent on the first; the Invite dialog posts the message.
// A visitor whose browser sends Do Not Track reports nothing, and the chat still connects.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
	KEFU_BIN, CHROMIUM, run, startServer, stopServer, watchForeign, client, sessionCookie, sleep, launchChromium, signIn } from './lib.mjs';

const EMAIL = 'admin@example.com';
const PASSWORD = 'correct-horse-battery-9';

let dataDir, server, serverLog = '', base = '', browser, api, site;
const foreign = [];

before(async () => {
	assert.ok(existsSync(KEFU_BIN), `${KEFU_BIN} not found: build it with make, or set KEFU_BIN`);
	assert.ok(existsSync(CHROMIUM), `${CHROMIUM} not found: scripts/deps check installs it`);
	dataDir = mkdtempSync(join(tmpdir(), 'kefu-e2e-visitors-'));
	const add = await run(['user', 'add', '--role', 'admin', '--name', '店长', '--data', dataDir, EMAIL], PASSWORD + '\n');
	assert.equal(add.code, 0, `kefu user add failed (${add.code}):\n${add.stdout}${add.stderr}`);
	const srv = startServer(dataDir, (d) => (serverLog += d));
	server = srv.proc;
	base = await srv.ready;
	api = client(base);
	const login = await api.call('POST', '/api/v1/auth/login', { email: EMAIL, password: PASSWORD });
	assert.equal(login.status, 200);
	api.cookie = sessionCookie(login);
	api.csrf = login.json.csrf_token;
	const made = await api.call('POST', '/api/v1/sites', { name: 'Demo shop 演示店', origins: [] });
	assert.equal(made.status, 201);
	site = made.json.site;
	const mem = await api.call('PUT', `/api/v1/sites/${site.id}/members`, { user_ids: [login.json.user.id] });
	assert.equal(mem.status, 200);
	browser = await launchChromium();
});

after(async () => {
	try { if (browser) await browser.close(); } catch { /* already gone */ }
	await stopServer(server);
	if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function openConsole(page) {
	await page.goto(base + '/');
	await signIn(page, EMAIL, PASSWORD);
}

test('a visitor browsing two demo pages appears in the live list with the right current page', { timeout: 90000 }, async () => {
	const host = new URL(base).host;
	const agentCtx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1400, height: 900 } });
	const visitorCtx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1000, height: 760 } });
	for (const c of [agentCtx, visitorCtx]) { c.setDefaultTimeout(10000); watchForeign(c, host, foreign); }
	const A = await agentCtx.newPage(), V = await visitorCtx.newPage();

	await openConsole(A);
	await A.click('nav [data-nav=visitors]');
	await A.locator('#visitors-empty').waitFor();

	// The visitor lands on the earbuds page from a search engine, stays a moment, then follows a link.
	const reports = [];
	V.on('request', (r) => { if (new URL(r.url()).pathname === '/api/v1/track') reports.push(r.postData()); });
	await V.goto(`${base}/demo/earbuds?site=${site.key}`, { referer: 'https://www.baidu.com/s?wd=earbuds' });
	await V.locator('#kefu-launcher').waitFor();
	const token = await V.evaluate((k) => localStorage.getItem('kefu.v.' + k), site.key);
	assert.match(token || '', /^[A-Za-z0-9_-]{43}$/, 'the page view gave the widget its visitor token');
	await sleep(1600);
	await V.click('#link-thermos');
	await V.waitForURL(/\/demo\/thermos/);
	await V.locator('#kefu-launcher').waitFor();
	assert.equal(await V.evaluate((k) => localStorage.getItem('kefu.v.' + k), site.key), token, 'the same visitor on the next page');
	const views = reports.map((b) => JSON.parse(b)).filter((b) => b.events.some((e) => e.type === 'view'));
	assert.equal(views.length, 2, `one view report per page: ${JSON.stringify(reports)}`);
	assert.equal(views[1].token, token, 'the second page reports with the token');

	// The agent's list (polled every 3 s) shows the visitor on the thermos page, two pages this visit.
	const row = A.locator('tr[data-visitor-id]');
	await A.locator('tr[data-visitor-id] .visitor-page', { hasText: '保温杯' }).waitFor({ timeout: 12000 });
	assert.equal(await row.count(), 1, 'one visitor on the site');
	const id = await row.first().getAttribute('data-visitor-id');
	assert.match(await row.locator('.visitor-page').textContent(), /\/demo\/thermos\?site=/, 'the current URL');
	assert.equal((await row.locator('.visitor-pages').textContent()).trim(), '2');
	assert.equal((await row.locator('.visitor-kind').textContent()).trim(), '新访客');
	assert.equal((await row.locator('.visitor-referrer').textContent()).trim(), 'www.baidu.com', 'the visit came from a search engine');
	assert.match(await A.textContent('#visitors-count'), /1/);

	// The trail: both pages, newest first; the earbuds page got its time from the leave beacon.
	await A.click(`[data-trail="${id}"]`);
	const items = A.locator('.page-trail .trail-item');
	await items.nth(1).waitFor();
	const urls = await items.evaluateAll((els) => els.map((e) => e.dataset.url));
	assert.ok(/\/demo\/thermos/.test(urls[0]) && /\/demo\/earbuds/.test(urls[1]), `trail order: ${urls}`);
	assert.match(await items.nth(1).textContent(), /蓝牙耳机/);
	let secs = 0;
	for (let i = 0; i < 30 && !secs; i++) {
		const r = await api.call('GET', `/api/v1/visitors/${id}/pages`);
		secs = r.json.pages[1].seconds;
		if (!secs) await sleep(200);
	}
	assert.ok(secs >= 1 && secs < 30, `seconds on the first page from the leave beacon: ${secs}`);

	// Invite: the dialog is prefilled in the console's language and posts the message.
	const posted = [];
	A.on('request', (r) => { if (/\/api\/v1\/visitors\/\d+\/invite$/.test(new URL(r.url()).pathname)) posted.push([r.url(), r.postData()]); });
	await A.click(`[data-invite="${id}"]`);
	assert.equal(await A.inputValue('#invite-message'), '您好，有什么可以帮您？');
	await A.fill('#invite-message', '需要帮忙挑选保温杯吗？');
	await A.click('#invite-send');
	await A.locator('#invite-status, #invite-error').first().waitFor();
	assert.equal(posted.length, 1);
	assert.ok(posted[0][0].endsWith(`/api/v1/visitors/${id}/invite`));
	assert.deepEqual(JSON.parse(posted[0][1]), { message: '需要帮忙挑选保温杯吗？' });
	if (await A.locator('#invite-error').count()) {
		// Invitations are another part of the product: when its route answers an error the dialog shows it.
		assert.ok((await A.textContent('#invite-error')).trim().length > 0);
	} else {
		assert.match(await A.textContent('#invite-status'), /邀请已发送/);
	}
	await agentCtx.close();
	await visitorCtx.close();
	assert.deepEqual(foreign, [], 'no request left the server origin');
});

test('Do Not Track: the widget reports nothing and the chat still connects', { timeout: 60000 }, async () => {
	const ctx = await browser.newContext({ locale: 'en-US' });
	await ctx.addInitScript(() => Object.defineProperty(Navigator.prototype, 'doNotTrack', { get: () => '1' }));
	const V = await ctx.newPage();
	const tracked = [], sockets = [];
	V.on('request', (r) => { if (new URL(r.url()).pathname === '/api/v1/track') tracked.push(r.url()); });
	V.on('websocket', (ws) => sockets.push(ws.url()));
	await V.goto(`${base}/demo/bags?site=${site.key}`);
	await V.locator('#kefu-launcher').waitFor();
	for (let i = 0; i < 50 && !sockets.length; i++) await sleep(100);
	assert.equal(sockets.length, 1, 'the chat socket opens without tracking');
	await V.click('#link-earbuds');
	await V.waitForURL(/\/demo\/earbuds/);
	await sleep(500);
	assert.deepEqual(tracked, [], 'no tracking report under Do Not Track');
	await ctx.close();
});

test('kefu serve exits 0 on SIGTERM', async () => {
	if (browser) { await browser.close(); browser = null; }
	const code = await stopServer(server);
	assert.equal(code, 0, 'exit status after SIGTERM\n' + serverLog.split('\n').slice(-20).join('\n'));
});
