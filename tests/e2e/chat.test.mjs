// tests/e2e/chat.test.mjs - live chat end to end: the console's agent workspace and the widget.
//
//   node --test tests/e2e/            (KEFU_BIN=path/to/kefu, default ./kefu)
//
// Starts kefu on a fresh data dir with an admin (CLI, password on stdin), creates a site over the REST
// API (any origin, drafts previewed) with the admin as member, then drives Debian's chromium
// (playwright-core, never a downloaded browser) with two contexts: the admin in the console (A) and a
// visitor on /demo (B). The agent sees the visitor's draft live, the message, accepts and replies; the
// visitor sees the reply, and the history again after a reload. No request may leave the server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
	KEFU_BIN, CHROMIUM, run, startServer, stopServer, watchForeign, client, sessionCookie, sleep, launchChromium, signIn } from './lib.mjs';

const EMAIL = 'admin@example.com';
const NAME = '店长';
const PASSWORD = 'correct-horse-battery-9';
const GREETING = '您好！有什么可以帮您？';

let dataDir, server, serverLog = '', base = '', browser, agentCtx, visitorCtx, agentPage, visitorPage;
let api = null, adminId = 0, site = null;
const foreign = [];

/* One HTTP request with the admin's session once signed in (lib.mjs client). */
const call = (...args) => api.call(...args);

before(async () => {
	assert.ok(existsSync(KEFU_BIN), `${KEFU_BIN} not found: build it with make, or set KEFU_BIN`);
	assert.ok(existsSync(CHROMIUM), `${CHROMIUM} not found: scripts/deps check installs it`);
	dataDir = mkdtempSync(join(tmpdir(), 'kefu-e2e-chat-'));
	const add = await run(['user', 'add', '--role', 'admin', '--name', NAME, '--data', dataDir, EMAIL], PASSWORD + '\n');
	assert.equal(add.code, 0, `kefu user add failed (${add.code}):\n${add.stdout}${add.stderr}`);
	const srv = startServer(dataDir, (d) => (serverLog += d));
	server = srv.proc;
	base = await srv.ready;
	api = client(base);

	// The admin, over the REST API: sign in, create a site (any origin, drafts previewed), join it.
	const login = await call('POST', '/api/v1/auth/login', { email: EMAIL, password: PASSWORD });
	assert.equal(login.status, 200, 'login: ' + login.body);
	api.cookie = sessionCookie(login);
	api.csrf = login.json.csrf_token;
	adminId = login.json.user.id;
	const made = await call('POST', '/api/v1/sites', { name: 'Demo shop 演示店', origins: [], greeting: GREETING, color: '#0a7d5a', preview: true });
	assert.equal(made.status, 201, 'POST /api/v1/sites: ' + made.status + ' ' + made.body);
	site = made.json.site;
	assert.ok(site && typeof site.key === 'string' && site.key.length > 0, 'the new site has a key: ' + made.body);
	const mem = await call('PUT', `/api/v1/sites/${site.id}/members`, { user_ids: [adminId] });
	assert.equal(mem.status, 200, 'PUT members: ' + mem.status + ' ' + mem.body);
	assert.deepEqual(mem.json.site.members, [adminId]);

	browser = await launchChromium();
	const host = new URL(base).host;
	const watch = (ctx) => watchForeign(ctx, host, foreign);
	agentCtx = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } });
	visitorCtx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1000, height: 760 } });
	for (const c of [agentCtx, visitorCtx]) { c.setDefaultTimeout(8000); watch(c); }
	agentPage = await agentCtx.newPage();
	visitorPage = await visitorCtx.newPage();
});

after(async () => {
	try { if (browser) await browser.close(); } catch { /* already gone */ }
	await stopServer(server);
	if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test('/widget.js is small, not immutable, and gzipped', async () => {
	const plain = await call('GET', '/widget.js', undefined, { 'Accept-Encoding': 'identity' });
	assert.equal(plain.status, 200);
	assert.match(plain.headers['content-type'] || '', /javascript/);
	assert.doesNotMatch(plain.headers['cache-control'] || '', /immutable/);
	const gz = await call('GET', '/widget.js', undefined, { 'Accept-Encoding': 'gzip' });
	assert.equal(gz.headers['content-encoding'], 'gzip');
	assert.ok(gz.body.length < 20 * 1024, `widget.js is ${gz.body.length} bytes gzipped (limit 20 KiB)`);
	// Its second bundle (orders, offers, tickets, forms), loaded on first open: the same rules.
	const xgz = await call('GET', '/widget-extras.js', undefined, { 'Accept-Encoding': 'gzip' });
	assert.equal(xgz.status, 200);
	assert.match(xgz.headers['content-type'] || '', /javascript/);
	assert.doesNotMatch(xgz.headers['cache-control'] || '', /immutable/);
	assert.equal(xgz.headers['content-encoding'], 'gzip');
	const core = await call('GET', '/widget.js', undefined, { 'Accept-Encoding': 'identity' });
	assert.match(String(core.body), /\/widget-extras\.js\?v=[0-9a-f]{8}/, 'the core names its extras with their hash');

	const cfg = await call('GET', '/api/v1/widget/config?site=' + encodeURIComponent(site.key));
	assert.equal(cfg.status, 200, 'widget config: ' + cfg.body);
	assert.equal(cfg.json.site.key, site.key);
	assert.equal(cfg.json.site.greeting, GREETING);
});

test('visitor and agent chat through the widget and the console', { timeout: 90000 }, async () => {
	const A = agentPage, B = visitorPage;

	// Agent: sign in, the inbox is the first panel; go online.
	await A.goto(base + '/');
	await signIn(A, EMAIL, PASSWORD);
	await A.click('nav [data-nav=inbox]');
	await A.locator('#agent-status').waitFor();
	await A.selectOption('#agent-status', 'online');
	// The site's public config says someone is online once the server has the status.
	let online = false;
	for (let i = 0; i < 50 && !online; i++) {
		const c = await call('GET', '/api/v1/widget/config?site=' + encodeURIComponent(site.key));
		online = !!(c.json && c.json.site && c.json.site.online);
		if (!online) await sleep(100);
	}
	assert.ok(online, 'the widget config says online after the agent chose online');

	// Visitor: the shop page loads the widget; it reports the page view and opens one socket (so
	// agents see the visitor live and can invite them), and nothing else.
	const sockets = [];
	B.on('websocket', (ws) => sockets.push(ws.url()));
	const early = [];
	const onReq = (r) => early.push(new URL(r.url()).pathname);
	B.on('request', onReq);
	await B.goto(`${base}/demo?site=${encodeURIComponent(site.key)}`);
	await B.locator('#kefu-launcher').waitFor();
	await sleep(300);
	B.off('request', onReq);
	assert.equal(sockets.length, 1, 'one WebSocket before the panel is opened');
	assert.match(sockets[0], /\/ws\/visitor\?site=/, 'the visitor socket');
	const extra = early.filter((p) => !['/demo', '/widget.js', '/api/v1/widget/config', '/favicon.ico', '/api/v1/track'].includes(p));
	assert.deepEqual(extra, [], 'before opening, the widget fetches only its config and reports the page view');
	assert.equal(await B.evaluate(() => !!document.getElementById('kefu-widget')?.shadowRoot), true, 'the widget lives in a shadow root');

	const later = [];
	const onLater = (r) => later.push(new URL(r.url()).pathname);
	B.on('request', onLater);
	await B.click('#kefu-launcher');
	await B.locator('#kefu-panel').waitFor();
	// Opening the panel brings the extras bundle, whose Orders button then joins the header.
	await B.locator('#kefu-orders-btn').waitFor();
	B.off('request', onLater);
	assert.deepEqual(later.filter((p) => p !== '/favicon.ico'), ['/widget-extras.js'], 'opening loads the extras, once, and nothing else');
	assert.equal((await B.textContent('#kefu-send')).trim(), '发送', 'the widget speaks the browser language (zh-CN)');
	await B.locator('.kefu-greet', { hasText: GREETING }).waitFor();
	await B.waitForFunction(() => document.getElementById('kefu-widget').shadowRoot.getElementById('kefu-status').textContent === '在线');
	assert.equal(sockets.length, 1, 'one WebSocket once open');
	assert.match(sockets[0], /^ws:\/\/[^/]+\/ws\/visitor\?site=/);

	// First message, with an emoji; it is acknowledged (delivered).
	const first = '你好，我想问一下退货 😀';
	await B.fill('#kefu-input', first);
	await B.press('#kefu-input', 'Enter');
	await B.locator('.kefu-msg[data-from=visitor][data-state=delivered]', { hasText: first }).waitFor();
	assert.equal(await B.inputValue('#kefu-input'), '');
	const token = await B.evaluate((k) => localStorage.getItem('kefu.v.' + k), site.key);
	assert.ok(token && token.length >= 20, 'the visitor token is kept in localStorage');

	// Agent: the conversation waits in the inbox with an unread badge; open it, accept.
	const item = A.locator('#group-waiting .conv-item');
	await item.first().waitFor();
	await A.locator('#group-waiting .conv-item .unread').first().waitFor();
	const convId = await item.first().getAttribute('data-id');
	await item.first().click();
	await A.locator('.msgs .msg[data-from=visitor]', { hasText: first }).waitFor();
	await A.click('#conv-accept');
	await A.locator(`#group-active .conv-item[data-id="${convId}"]`).waitFor();
	await A.locator('#conv-accept').waitFor({ state: 'detached' });

	// The visitor types slowly; the agent sees the live draft before it is sent.
	const second = '请问退货要多久';
	await B.locator('#kefu-input').pressSequentially(second, { delay: 150 });
	await A.locator('#visitor-draft', { hasText: second }).waitFor();
	assert.equal(await A.locator('.msgs .msg', { hasText: second }).count(), 0, 'not sent yet');
	await B.press('#kefu-input', 'Enter');
	await A.locator('.msgs .msg[data-from=visitor]', { hasText: second }).waitFor();
	await A.locator('#visitor-draft').waitFor({ state: 'detached' });

	// Markup from a visitor is text.
	const tricky = '<b>bold</b><img src=x onerror="window.__pwned=1">';
	await B.fill('#kefu-input', tricky);
	await B.click('#kefu-send');
	await A.locator('.msgs .msg[data-from=visitor]', { hasText: '<b>bold</b>' }).waitFor();
	assert.equal(await A.locator('.msgs .msg-body b, .msgs .msg-body img').count(), 0, 'no markup in the console');
	assert.equal(await B.evaluate(() => document.getElementById('kefu-widget').shadowRoot.querySelectorAll('.kefu-b b, .kefu-b img').length), 0);

	// An internal note (never sent to the visitor), then the reply.
	const note = '内部备注：老客户';
	await A.check('#reply-note');
	await A.fill('#reply-input', note);
	await A.click('#reply-send');
	await A.locator('.msgs .msg.kind-note', { hasText: note }).waitFor();
	await A.uncheck('#reply-note');
	const reply = '一般3到5个工作日，详见 https://shop.example/returns';
	await A.fill('#reply-input', reply);
	await A.press('#reply-input', 'Enter');
	await A.locator('.msgs .msg.mine[data-state]', { hasText: '一般3到5个工作日' }).waitFor();
	await A.waitForFunction(
		(t) => [...document.querySelectorAll('.msgs .msg.mine')].some((e) => e.textContent.includes(t) && /^(delivered|read)$/.test(e.dataset.state)),
		'一般3到5个工作日',
	);

	// The visitor sees the reply, with a safe link, and never the note.
	await B.locator('.kefu-msg[data-from=agent]', { hasText: '一般3到5个工作日' }).waitFor();
	const link = B.locator('.kefu-msg[data-from=agent] a');
	assert.equal(await link.getAttribute('href'), 'https://shop.example/returns');
	assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
	assert.equal(await link.getAttribute('target'), '_blank');
	assert.equal(await B.locator('.kefu-msg', { hasText: note }).count(), 0, 'notes stay with the agents');
	const seqs = await B.locator('.kefu-msg[data-seq]').evaluateAll((els) => els.map((e) => +e.dataset.seq));
	assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'messages in seq order');
	assert.equal(new Set(seqs).size, seqs.length, 'no duplicates');

	// A reload keeps the history: the token comes from localStorage.
	await B.reload();
	await B.locator('#kefu-launcher').waitFor();
	await B.evaluate(() => window.KefuWidget.open());
	await B.locator('.kefu-msg[data-from=agent]', { hasText: '一般3到5个工作日' }).waitFor();
	await B.locator('.kefu-msg[data-from=visitor]', { hasText: first }).waitFor();
	await B.locator('.kefu-msg[data-from=visitor]', { hasText: second }).waitFor();
	const again = await B.locator('.kefu-msg[data-seq]').evaluateAll((els) => els.map((e) => +e.dataset.seq));
	assert.equal(new Set(again).size, again.length, 'no duplicates after the reload');
	assert.equal(await B.evaluate((k) => localStorage.getItem('kefu.v.' + k), site.key), token, 'same visitor after the reload');

	// The agent closes the conversation; it moves to Closed and can be reopened.
	await A.click('#conv-close');
	await A.locator('#conv-reopen').waitFor();
	await A.locator(`#group-closed .conv-item[data-id="${convId}"]`).waitFor();

	assert.equal(await B.evaluate(() => window.__pwned), undefined);
	assert.deepEqual(foreign, [], 'no request left the server origin');
});

test('kefu serve exits 0 on SIGTERM', async () => {
	if (browser) { await browser.close(); browser = null; }
	const code = await stopServer(server);
	assert.equal(code, 0, 'exit status after SIGTERM\n' + serverLog.split('\n').slice(-20).join('\n'));
});
