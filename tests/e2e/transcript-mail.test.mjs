// tests/e2e/transcript-mail.test.mjs - "e-mail a transcript" from the widget and from the console, end to
// end, against a real SMTP sink (Debian's aiosmtpd).
//
//   node --test tests/e2e/transcript-mail.test.mjs      (KEFU_BIN=path/to/kefu, default ./kefu)
//
// Starts kefu on a fresh data dir with an admin and a site (REST), the sink, and Debian's chromium
// (playwright-core): the admin in the console (context A), a visitor on /demo (context B, zh-CN).
//  - they chat; before SMTP is set up the widget's ✉ (#kefu-email-transcript) shows "unavailable" and
//    the console's #conv-email shows the 409 (both localized);
//  - SMTP set up (PUT /api/v1/settings/smtp): the visitor mails the transcript to visitor@example.com,
//    the sink gets it (To:, base64 body with the chat messages); the agent mails it to boss@example.com;
//  - the agent closes the conversation: the widget offers the mail after the rating form (prefilled with the
//    address used before, conversation_id of the closed conversation); History's #conv-email works too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
	KEFU_BIN, CHROMIUM, run, startServer, stopServer, watchForeign, client, sessionCookie, launchChromium, until, startSmtpSink, signIn } from './lib.mjs';

const EMAIL = 'admin@example.com';
const NAME = '店长';
const PASSWORD = 'correct-horse-battery-9';

let dataDir, server, serverLog = '', base = '', browser, agentCtx, A;
let api = null, adminId = 0, site = null;
const procs = [];
const foreign = [];

/* One HTTP request with the admin's session once signed in (lib.mjs client). */
const call = (...args) => api.call(...args);

const widgetConfig = async () => (await call('GET', '/api/v1/widget/config?site=' + encodeURIComponent(site.key))).json.site;
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
	dataDir = mkdtempSync(join(tmpdir(), 'kefu-e2e-mail-'));
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
	const made = await call('POST', '/api/v1/sites', { name: 'Mail shop 邮件店', origins: [], greeting: '您好！' });
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


/* The messages the sink printed, as {to, subject, text} (the base64 body decoded). */
function mails(out) {
	const res = [];
	const re = /-+ MESSAGE FOLLOWS -+\n([\s\S]*?)\n-+ END MESSAGE -+/g;
	let m;
	while ((m = re.exec(out))) {
		const raw = m[1].replace(/\r/g, '');
		const cut = raw.indexOf('\n\n');
		const head = cut < 0 ? raw : raw.slice(0, cut);
		const body = cut < 0 ? '' : raw.slice(cut + 2);
		const hdr = (n) => { const x = new RegExp('^' + n + ': *(.*)$', 'mi').exec(head); return x ? x[1].trim() : ''; };
		let text = body;
		if (/base64/i.test(hdr('Content-Transfer-Encoding'))) text = Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64').toString('utf8');
		res.push({ to: hdr('To'), subject: hdr('Subject'), text, head });
	}
	return res;
}

let sinkOut = '', sinkPort = 0;
async function startSink() {
	sinkPort = await startSmtpSink(procs, (d) => (sinkOut += d));
}
const mailTo = (addr, what) => until(() => mails(sinkOut).find((x) => x.to === addr), what, 15000)
	.catch((e) => { throw new Error(e.message + '; the sink printed:\n' + sinkOut); });

const Q1 = '你好，我想问一下退货 😀';
const Q2 = '订单号 A-20931，可以退吗？';
const R1 = '可以的，七天内都能退货。';

test('e-mail the transcript from the widget and from the console (inbox and History)', { timeout: 120000 }, async () => {
	await startSink();

	// The agent signs in and goes online.
	await A.goto(base + '/');
	await signIn(A, EMAIL, PASSWORD);
	await openNav('inbox');
	await A.selectOption('#agent-status', 'online');
	await until(async () => (await widgetConfig()).online, 'the widget config to say online');

	// The visitor chats; the ✉ button appears once there is a conversation.
	const { ctx, page: B, sent } = await visitor('zh-CN');
	await B.click('#kefu-launcher');
	await B.locator('#kefu-input').waitFor();
	assert.equal(await B.locator('#kefu-email-transcript').isVisible(), false, 'no ✉ before there is a conversation');
	await B.fill('#kefu-input', Q1);
	await B.press('#kefu-input', 'Enter');
	await B.locator('.kefu-msg[data-from=visitor][data-state=delivered]', { hasText: Q1 }).waitFor();
	await B.fill('#kefu-input', Q2);
	await B.press('#kefu-input', 'Enter');
	await B.locator('.kefu-msg[data-from=visitor][data-state=delivered]', { hasText: Q2 }).waitFor();

	const item = A.locator('#group-waiting .conv-item');
	await item.first().waitFor();
	const convId = +(await item.first().getAttribute('data-id'));
	await item.first().click();
	await A.locator('.msgs .msg[data-from=visitor]', { hasText: Q2 }).waitFor();
	await A.click('#conv-accept');
	await A.locator('#conv-accept').waitFor({ state: 'detached' });
	await A.fill('#reply-input', R1);
	await A.click('#reply-send');
	await B.locator('.kefu-msg[data-from=agent]', { hasText: R1 }).waitFor();

	// No SMTP yet: the widget says so (zh-CN), and so does the console (409).
	const mailBtn = B.locator('#kefu-email-transcript');
	await mailBtn.waitFor();
	assert.equal(await mailBtn.getAttribute('aria-label'), '发送聊天记录到邮箱');
	await mailBtn.click();
	await B.locator('#kefu-transcript-to').waitFor();
	assert.equal(await B.inputValue('#kefu-transcript-to'), '', 'no e-mail known yet');
	await B.fill('#kefu-transcript-to', 'not-an-address');
	await B.click('#kefu-transcript-send');
	await B.locator('#kefu-transcript-result[data-ok=false]', { hasText: '请输入有效的电子邮箱地址' }).waitFor();
	assert.equal(sent.filter((f) => f.type === 'email_transcript').length, 0, 'nothing sent for an invalid address');
	await B.fill('#kefu-transcript-to', 'visitor@example.com');
	await B.click('#kefu-transcript-send');
	await B.locator('#kefu-transcript-result[data-ok=false]', { hasText: '本店暂时无法发送邮件' }).waitFor();
	assert.deepEqual(sent.filter((f) => f.type === 'email_transcript').pop(), { type: 'email_transcript', email: 'visitor@example.com', conversation_id: convId });

	await A.click('#conv-email');
	await A.locator('#conv-email-to').waitFor();
	assert.equal(await A.inputValue('#conv-email-to'), '', 'the visitor left no e-mail');
	await A.fill('#conv-email-to', 'boss@example.com');
	await A.click('#conv-email-send');
	await A.locator('#conv-email-result[data-ok=false]', { hasText: 'E-mail is not set up yet' }).waitFor();

	// Set up SMTP (the sink).
	const smtp = await call('PUT', '/api/v1/settings/smtp', { host: '127.0.0.1', port: sinkPort, from: 'service@shop.example', user: '', password: '', tls: 'off' });
	assert.equal(smtp.status, 200, 'PUT /api/v1/settings/smtp: ' + smtp.body);

	// The visitor sends it again: confirmed, and the sink gets it with the whole chat.
	await B.click('#kefu-transcript-send');
	const ok = B.locator('#kefu-transcript-result[data-ok=true]');
	await ok.waitFor({ timeout: 10000 });
	assert.equal((await ok.textContent()).trim(), '聊天记录已发送到 visitor@example.com');
	const vm = await mailTo('visitor@example.com', 'the transcript mail to visitor@example.com');
	for (const s of [Q1, Q2, R1]) assert.ok(vm.text.includes(s), `the visitor's transcript has "${s}":\n${vm.text}`);

	// The agent sends it to the boss from the conversation header (the box stayed open after the error).
	assert.equal(await A.inputValue('#conv-email-to'), 'boss@example.com');
	await A.click('#conv-email-send');
	const aok = A.locator('#conv-email-result[data-ok=true]');
	await aok.waitFor({ timeout: 10000 });
	assert.match(await aok.textContent(), /boss@example\.com/);
	const bm = await mailTo('boss@example.com', 'the transcript mail to boss@example.com');
	for (const s of [Q1, Q2, R1]) assert.ok(bm.text.includes(s), `the boss's transcript has "${s}":\n${bm.text}`);

	// The agent closes it: after the rating form the widget offers the mail, prefilled, for that conversation.
	await A.click('#conv-close');
	await B.locator('#kefu-rate').waitFor();
	const offer = B.locator(`.kefu-link[data-cid="${convId}"]`);
	await offer.waitFor();
	assert.equal((await offer.textContent()).trim(), '发送聊天记录到邮箱');
	await offer.click();
	assert.equal(await B.inputValue('#kefu-transcript-to'), 'visitor@example.com', 'prefilled with the address used before');
	await B.fill('#kefu-transcript-to', 'visitor2@example.com');
	await B.click('#kefu-transcript-send');
	await B.locator('#kefu-transcript-result[data-ok=true]', { hasText: 'visitor2@example.com' }).waitFor({ timeout: 10000 });
	assert.deepEqual(sent.filter((f) => f.type === 'email_transcript').pop(), { type: 'email_transcript', email: 'visitor2@example.com', conversation_id: convId });
	const v2 = await mailTo('visitor2@example.com', 'the mail for the closed conversation');
	assert.ok(v2.text.includes(R1), v2.text);
	await ctx.close();

	// History: the same button in the transcript view.
	await openNav('history');
	await A.locator(`.history-item[data-id="${convId}"]`).click();
	const tr = A.locator('#history-transcript');
	await tr.waitFor();
	await tr.locator('#conv-email').click();
	await tr.locator('#conv-email-to').fill('archive@example.com');
	await tr.locator('#conv-email-send').click();
	await tr.locator('#conv-email-result[data-ok=true]', { hasText: 'archive@example.com' }).waitFor({ timeout: 10000 });
	const hm = await mailTo('archive@example.com', 'the mail from History');
	assert.ok(hm.text.includes(Q1), hm.text);

	// A bad address is refused by the server (422), shown localized.
	await tr.locator('#conv-email').click();
	await tr.locator('#conv-email-to').fill('nobody');
	await tr.locator('#conv-email-send').click();
	await tr.locator('#conv-email-result[data-ok=false]', { hasText: 'Enter a valid e-mail address' }).waitFor();

	assert.deepEqual(foreign, [], 'no request left the server origin');
});
