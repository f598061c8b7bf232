// tests/e2e/forms.test.mjs - the widget's offline and pre-chat forms, business hours, and the SMTP
// settings panel, end to end.
//
//   node --test tests/e2e/forms.test.mjs      (KEFU_BIN=path/to/kefu, default ./kefu)
//
// Starts kefu on a fresh data dir with an admin, creates a site over REST (admin as member), then drives
// Debian's chromium (playwright-core): the admin in the console (context A) and one fresh visitor context
// per case on /demo.
//  (a) nobody online: the widget shows the offline form (the site's offline message, e-mail required);
//      the visitor leaves name, e-mail and a message and sees the confirmation; the agent signs in, goes
//      online and finds the conversation with the visitor's e-mail (console and GET /api/v1/conversations).
//  (b) the pre-chat form, set up in Settings → Sites (ask name, e-mail, question; e-mail required): submit
//      is refused (nothing sent) until the e-mail is valid; then the conversation starts with the question.
//  (c) Settings → E-mail (SMTP): saved (GET has the host, password_set, never the password), a failing
//      test shows the error, the test against Debian's aiosmtpd sink succeeds and the sink got the mail.
//  (d) business hours set in Settings → Sites to exclude now (computed here): the widget shows the
//      offline form though an agent is online; back to "always open", it is a normal chat again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
	KEFU_BIN, CHROMIUM, run, startServer, stopServer, watchForeign, client, sessionCookie, sleep, launchChromium, until, freePort, startSmtpSink, signIn } from './lib.mjs';

const EMAIL = 'admin@example.com';
const NAME = '店长';
const PASSWORD = 'correct-horse-battery-9';
const OFFLINE_MSG = '客服下班了，请留下您的邮箱，我们明天回复。';

let dataDir, server, serverLog = '', base = '', browser, agentCtx, A;
let api = null, adminId = 0, site = null;
const procs = [];
const foreign = [];

/* One HTTP request with the admin's session once signed in (lib.mjs client). */
const call = (...args) => api.call(...args);

const widgetConfig = async () => (await call('GET', '/api/v1/widget/config?site=' + encodeURIComponent(site.key))).json.site;
const siteNow = async () => (await call('GET', '/api/v1/sites')).json.sites.find((s) => s.id === site.id);
const conversations = async () => (await call('GET', '/api/v1/conversations?status=all')).json.conversations;

/* A fresh visitor (own storage) on the demo shop, the panel open; frames it sent are in .sent. */
async function visitor(locale) {
	const ctx = await browser.newContext({ locale, viewport: { width: 1000, height: 800 } });
	ctx.setDefaultTimeout(8000);
	watch(ctx);
	const page = await ctx.newPage();
	const sent = [];
	page.on('websocket', (ws) => ws.on('framesent', (f) => {
		try { sent.push(JSON.parse(f.payload)); } catch { /* not JSON */ }
	}));
	await page.goto(`${base}/demo?site=${encodeURIComponent(site.key)}`);
	await page.locator('#kefu-launcher').waitFor();
	return { ctx, page, sent };
}

function watch(ctx) {
	watchForeign(ctx, new URL(base).host, foreign);
}

async function openNav(id) {
	await A.click(`nav [data-nav=${id}]`);
	await A.locator('#panel-' + id).waitFor();
}

before(async () => {
	assert.ok(existsSync(KEFU_BIN), `${KEFU_BIN} not found: build it with make, or set KEFU_BIN`);
	assert.ok(existsSync(CHROMIUM), `${CHROMIUM} not found: scripts/deps check installs it`);
	dataDir = mkdtempSync(join(tmpdir(), 'kefu-e2e-forms-'));
	const add = await run(['user', 'add', '--role', 'admin', '--name', NAME, '--data', dataDir, EMAIL], PASSWORD + '\n');
	assert.equal(add.code, 0, `kefu user add failed (${add.code}):\n${add.stdout}${add.stderr}`);
	const srv = startServer(dataDir, (d) => (serverLog += d));
	server = srv.proc;
	base = await srv.ready;
	api = client(base);

	const login = await call('POST', '/api/v1/auth/login', { email: EMAIL, password: PASSWORD });
	assert.equal(login.status, 200, 'login: ' + login.body);
	api.cookie = sessionCookie(login);
	api.csrf = login.json.csrf_token;
	adminId = login.json.user.id;
	const made = await call('POST', '/api/v1/sites', { name: 'Form shop 表单店', origins: [], greeting: '您好！', offline_message: OFFLINE_MSG });
	assert.equal(made.status, 201, 'POST /api/v1/sites: ' + made.status + ' ' + made.body);
	site = made.json.site;
	const mem = await call('PUT', `/api/v1/sites/${site.id}/members`, { user_ids: [adminId] });
	assert.equal(mem.status, 200, 'PUT members: ' + mem.status + ' ' + mem.body);

	browser = await launchChromium();
	agentCtx = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
	agentCtx.setDefaultTimeout(8000);
	watch(agentCtx);
	A = await agentCtx.newPage();
});

after(async () => {
	if (server && server.exitCode === null && server.signalCode === null) { /* still running: fine */ }
	else if (server) console.error(`kefu serve died (${server.exitCode ?? server.signalCode}); its log ends:\n` + serverLog.split('\n').slice(-30).join('\n'));
	try { if (browser) await browser.close(); } catch { /* already gone */ }
	await stopServer(server);
	for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
	if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test('(a) nobody online: the offline form; the agent later finds the conversation with the e-mail', { timeout: 90000 }, async () => {
	const cfg = await widgetConfig();
	assert.equal(cfg.online, false, 'nobody is online yet');
	assert.equal(cfg.open, true, 'no business hours: open');
	assert.equal(cfg.offline_message, OFFLINE_MSG, 'the widget config carries the offline message');

	const { ctx, page: B, sent } = await visitor('zh-CN');
	await B.click('#kefu-launcher');
	const form = B.locator('#kefu-offline');
	await form.waitFor();
	await form.locator('.kefu-offmsg', { hasText: OFFLINE_MSG }).waitFor();
	assert.equal(await B.locator('#kefu-input').isVisible(), false, 'the chat box is hidden behind the form');
	assert.equal((await B.textContent('#kefu-offline-send')).trim(), '提交留言', 'localized (zh-CN)');

	// Required: e-mail and message. Nothing goes out until both are there and the e-mail is valid.
	await B.click('#kefu-offline-send');
	assert.equal(await B.textContent('#kefu-e-email'), '请填写此项');
	assert.equal(await B.textContent('#kefu-e-message'), '请填写此项');
	await B.fill('#kefu-offline [name=name]', '王小明');
	await B.fill('#kefu-offline [name=email]', 'wang@example');
	await B.fill('#kefu-offline [name=message]', '请问这款还有货吗？');
	await B.click('#kefu-offline-send');
	assert.equal(await B.textContent('#kefu-e-email'), '请输入有效的电子邮箱地址');
	assert.equal(await B.getAttribute('#kefu-offline [name=email]', 'aria-invalid'), 'true');
	await sleep(300);
	assert.deepEqual(sent.filter((f) => f.type === 'contact' || f.type === 'msg'), [], 'nothing sent while the form is invalid');

	await B.fill('#kefu-offline [name=email]', 'wang@example.com');
	await B.click('#kefu-offline-send');
	await B.locator('#kefu-offline-done', { hasText: 'wang@example.com' }).waitFor();
	assert.match(await B.textContent('#kefu-offline-done'), /电子邮件/);
	await form.waitFor({ state: 'detached' });
	await B.locator('.kefu-msg[data-from=visitor][data-state=delivered]', { hasText: '请问这款还有货吗？' }).waitFor();
	const kinds = sent.filter((f) => f.type === 'contact' || f.type === 'msg').map((f) => f.type);
	assert.deepEqual(kinds.slice(0, 2), ['contact', 'msg'], 'contact first, then the message');
	assert.deepEqual(sent.find((f) => f.type === 'contact'), { type: 'contact', name: '王小明', email: 'wang@example.com' });

	// The conversation exists (offline) with the visitor's details.
	const convs = await until(async () => {
		const l = await conversations();
		return l.length === 1 && l[0].visitor && l[0].visitor.email ? l : null;
	}, 'the offline conversation with the e-mail');
	assert.equal(convs[0].status, 'offline');
	assert.equal(convs[0].visitor.email, 'wang@example.com');
	assert.equal(convs[0].visitor.name, '王小明');

	// The agent signs in later, goes online and finds it, e-mail in the summary.
	await A.goto(base + '/');
	await signIn(A, EMAIL, PASSWORD);
	await openNav('inbox');
	await A.selectOption('#agent-status', 'online');
	await until(async () => (await widgetConfig()).online, 'the widget config to say online');
	const item = A.locator(`#group-waiting .conv-item[data-id="${convs[0].id}"]`);
	await item.waitFor();
	assert.match(await item.textContent(), /王小明/);
	await item.click();
	await A.locator('.conv-title', { hasText: 'wang@example.com' }).waitFor();
	await A.locator('.msgs .msg[data-from=visitor]', { hasText: '请问这款还有货吗？' }).waitFor();

	// The visitor comes back: the conversation is there, no form again.
	await B.reload();
	await B.locator('#kefu-launcher').waitFor();
	await B.click('#kefu-launcher');
	await B.locator('.kefu-msg[data-from=visitor]', { hasText: '请问这款还有货吗？' }).waitFor();
	assert.equal(await B.locator('#kefu-offline, #kefu-prechat').count(), 0, 'no form with an open conversation');
	await ctx.close();
});

test('(b) pre-chat form set in Settings: the e-mail is required and checked; the chat starts with the question', { timeout: 90000 }, async () => {
	assert.ok((await widgetConfig()).online, 'needs the agent online from (a)');
	// Settings → Sites: ask name, e-mail and question; e-mail required.
	await openNav('settings');
	await A.locator('#site-form').waitFor();
	await A.check('#site-prechat');
	for (const f of ['name', 'email', 'question']) await A.check('#site-prechat-ask-' + f);
	await A.uncheck('#site-prechat-ask-phone');
	for (const f of ['name', 'phone', 'question']) await A.uncheck('#site-prechat-req-' + f);
	await A.check('#site-prechat-req-email');
	await A.click('#site-save');
	await A.locator('#site-form .ok').waitFor();
	const stored = await siteNow();
	assert.deepEqual(stored.prechat, { enabled: true, fields: ['name', 'email', 'question'], required: ['email'] }, 'saved: ' + JSON.stringify(stored.prechat));
	assert.deepEqual((await widgetConfig()).prechat, stored.prechat, 'the widget config carries the pre-chat form');

	const { ctx, page: B, sent } = await visitor('en-US');
	await B.click('#kefu-launcher');
	const form = B.locator('#kefu-prechat');
	await form.waitFor();
	assert.deepEqual(await form.locator('input, textarea').evaluateAll((els) => els.map((e) => e.name)), ['name', 'email', 'question']);
	assert.equal((await B.textContent('#kefu-prechat-send')).trim(), 'Start chat', 'localized (en)');
	assert.equal(await B.locator('#kefu-input').isVisible(), false);

	await B.fill('#kefu-prechat [name=question]', 'Do you ship to Taipei?');
	await B.click('#kefu-prechat-send');
	assert.equal(await B.textContent('#kefu-e-email'), 'Please fill this in');
	await B.fill('#kefu-prechat [name=email]', 'not-an-address');
	await B.press('#kefu-prechat [name=email]', 'Enter');
	assert.equal(await B.textContent('#kefu-e-email'), 'Please enter a valid e-mail address');
	await sleep(300);
	assert.equal(await form.isVisible(), true, 'still on the form');
	assert.deepEqual(sent.filter((f) => f.type === 'contact' || f.type === 'msg'), [], 'nothing sent while the e-mail is invalid');
	assert.equal((await conversations()).length, 1, 'no new conversation yet');

	await B.fill('#kefu-prechat [name=name]', 'Lin');
	await B.fill('#kefu-prechat [name=email]', 'lin@example.com');
	await B.click('#kefu-prechat-send');
	await form.waitFor({ state: 'detached' });
	await B.locator('#kefu-input').waitFor();
	await B.locator('.kefu-msg[data-from=visitor][data-state=delivered]', { hasText: 'Do you ship to Taipei?' }).waitFor();
	assert.equal(await B.locator('#kefu-e-email').count(), 0, 'the form is gone');
	const kinds = sent.filter((f) => f.type === 'contact' || f.type === 'msg');
	assert.deepEqual(kinds[0], { type: 'contact', name: 'Lin', email: 'lin@example.com' });
	assert.equal(kinds[1].type, 'msg');
	assert.equal(kinds[1].text, 'Do you ship to Taipei?');

	const conv = await until(async () => (await conversations()).find((c) => c.visitor && c.visitor.email === 'lin@example.com'), 'the new conversation');
	assert.equal(conv.status, 'waiting', 'an agent is online: waiting');
	assert.equal(conv.visitor.name, 'Lin');
	await openNav('inbox');
	await A.locator(`#group-waiting .conv-item[data-id="${conv.id}"]`, { hasText: 'Do you ship to Taipei?' }).waitFor();

	// Back on the page: the chat, not the form.
	await B.reload();
	await B.click('#kefu-launcher');
	await B.locator('.kefu-msg[data-from=visitor]', { hasText: 'Do you ship to Taipei?' }).waitFor();
	assert.equal(await B.locator('#kefu-prechat').count(), 0);
	await ctx.close();
});

test('(c) Settings → E-mail (SMTP): saved without echoing the password; the test mail reaches a real sink', { timeout: 90000 }, async () => {
	let out = '';
	const port = await startSmtpSink(procs, (d) => (out += d));
	const deadPort = await freePort(); // nothing listens there

	await openNav('settings');
	const form = A.locator('#smtp-form');
	await form.waitFor();
	await A.fill('#smtp-form [name=host]', '127.0.0.1');
	await A.fill('#smtp-form [name=port]', String(deadPort));
	await A.fill('#smtp-form [name=from]', 'service@shop.example');
	await A.fill('#smtp-form [name=user]', '');
	await A.fill('#smtp-form [name=password]', 'pw-секрет-密码');
	await A.selectOption('#smtp-form [name=tls]', 'off');
	await A.click('#smtp-save');
	await form.locator('.ok').waitFor();
	let got = await call('GET', '/api/v1/settings/smtp');
	assert.equal(got.status, 200);
	assert.equal(got.json.smtp.host, '127.0.0.1');
	assert.equal(got.json.smtp.port, deadPort);
	assert.equal(got.json.smtp.from, 'service@shop.example');
	assert.equal(got.json.smtp.tls, 'off');
	assert.equal(got.json.smtp.password_set, true);
	assert.equal('password' in got.json.smtp, false, 'the password is not echoed');
	assert.equal(await A.inputValue('#smtp-form [name=password]'), '', 'the password box is emptied after saving');

	// A failing test shows the server's error.
	await A.fill('#smtp-test-to', 'ops@example.com');
	await A.click('#smtp-test');
	await A.locator('#smtp-result[data-ok=false]').waitFor({ timeout: 20000 });

	// Point it at the sink (the password box left empty: the stored password is kept).
	await A.fill('#smtp-form [name=port]', String(port));
	await A.click('#smtp-save');
	await until(async () => (await call('GET', '/api/v1/settings/smtp')).json.smtp.port === port, 'the new port saved');
	got = await call('GET', '/api/v1/settings/smtp');
	assert.equal(got.json.smtp.password_set, true, 'an empty password box keeps the stored password');

	// A reload shows the stored settings, never the password.
	await A.reload();
	await openNav('settings');
	await form.waitFor();
	assert.equal(await A.inputValue('#smtp-form [name=host]'), '127.0.0.1');
	assert.equal(await A.inputValue('#smtp-form [name=port]'), String(port));
	assert.equal(await A.inputValue('#smtp-form [name=password]'), '');
	assert.equal((await A.content()).includes('pw-секрет-密码'), false, 'the password is nowhere on the page');

	await A.fill('#smtp-test-to', 'ops@example.com');
	await A.click('#smtp-test');
	const res = A.locator('#smtp-result[data-ok=true]');
	await res.waitFor({ timeout: 20000 });
	assert.match(await res.textContent(), /ops@example\.com/);
	await until(() => /^To: ops@example\.com$/m.test(out) && /MESSAGE FOLLOWS/.test(out), 'the sink to print the test message to ops@example.com', 10000)
		.catch((e) => { throw new Error(e.message + '; the sink printed:\n' + out); });
});

test('(d) business hours that exclude now: the offline form although an agent is online', { timeout: 90000 }, async () => {
	assert.ok((await widgetConfig()).online, 'needs the agent online from (a)');
	// Now in Asia/Shanghai; every day open for 30 minutes twelve hours away.
	const tz = 'Asia/Shanghai';
	const hour = +new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', hourCycle: 'h23' }).format(new Date());
	const h = String((hour + 12) % 24).padStart(2, '0');
	const open = h + ':00', close = h + ':30';

	await openNav('settings');
	await A.locator('#site-form').waitFor();
	assert.equal(await A.isChecked('#site-hours-always'), true, 'a new site is always open');
	await A.uncheck('#site-hours-always');
	await A.locator('#site-tz').waitFor();
	assert.deepEqual(await A.locator('#site-tz-list option').evaluateAll((o) => o.map((x) => x.value)),
		['Asia/Shanghai', 'Asia/Taipei', 'Asia/Hong_Kong', 'Asia/Singapore', 'Europe/London', 'America/New_York', 'UTC']);
	await A.fill('#site-tz', tz);
	for (let i = 0; i < 7; i++) {
		if (await A.isChecked(`#site-day${i}-closed`)) await A.uncheck(`#site-day${i}-closed`);
		await A.fill(`#site-day${i}-open`, open);
		await A.fill(`#site-day${i}-close`, close);
	}
	// A closing time before the opening time is refused in the form.
	await A.fill('#site-day2-close', '00:00');
	await A.click('#site-save');
	await A.locator('#site-form .error').waitFor();
	await A.fill('#site-day2-close', close);
	await A.click('#site-save');
	await A.locator('#site-form .ok').waitFor();
	const stored = await siteNow();
	assert.deepEqual(stored.business_hours, { tz, days: Array.from({ length: 7 }, () => [[open, close]]) }, 'saved: ' + JSON.stringify(stored.business_hours));
	const cfg = await widgetConfig();
	assert.equal(cfg.open, false, `closed now (${hour}h in ${tz}; open ${open}-${close})`);
	assert.equal(cfg.online, false, 'not online outside business hours, though an agent is');

	const { ctx, page: B, sent } = await visitor('zh-TW');
	await B.click('#kefu-launcher');
	const form = B.locator('#kefu-offline');
	await form.waitFor();
	await form.locator('.kefu-ftitle', { hasText: '目前非營業時間' }).waitFor();
	await form.locator('.kefu-offmsg', { hasText: OFFLINE_MSG }).waitFor();
	assert.equal((await B.textContent('#kefu-offline-send')).trim(), '送出留言', 'localized (zh-TW)');
	assert.equal(await B.locator('#kefu-prechat').count(), 0, 'the offline form wins over the pre-chat form');
	assert.equal(await B.textContent('#kefu-status'), '離線');
	await B.fill('#kefu-offline [name=email]', 'chen@example.com');
	await B.fill('#kefu-offline [name=message]', '營業時間是幾點？');
	await B.click('#kefu-offline-send');
	await B.locator('#kefu-offline-done', { hasText: 'chen@example.com' }).waitFor();
	assert.equal(sent.find((f) => f.type === 'contact').email, 'chen@example.com');
	const conv = await until(async () => (await conversations()).find((c) => c.visitor && c.visitor.email === 'chen@example.com'), 'the conversation');
	assert.equal(conv.status, 'offline', 'started offline outside business hours');
	await ctx.close();

	// Back to always open: a new visitor gets the pre-chat form (an agent is online).
	await A.check('#site-hours-always');
	await A.click('#site-save');
	await A.locator('#site-form .ok').waitFor();
	assert.equal((await siteNow()).business_hours, null);
	assert.equal((await widgetConfig()).online, true);
	const v2 = await visitor('zh-CN');
	await v2.page.click('#kefu-launcher');
	await v2.page.locator('#kefu-prechat').waitFor();
	assert.equal(await v2.page.locator('#kefu-offline').count(), 0);
	await v2.ctx.close();

	assert.deepEqual(foreign, [], 'no request left the server origin');
});
