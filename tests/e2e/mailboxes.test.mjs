// tests/e2e/mailboxes.test.mjs - Settings → 邮箱 (ticket mailboxes), end to end in Debian's chromium.
//
//   node --test tests/e2e/mailboxes.test.mjs      (KEFU_BIN=path/to/kefu, default ./kefu)
//
// An admin in a zh-CN console adds a mailbox (address, From name, IMAP URL, user, password,
// signature); the API has it lowercased with has_imap_password and never the password; after a
// reload the form shows the stored values with an empty password field; the IMAP test against a
// port nobody listens on shows the failure; a bad address shows the server's 422 message; the
// failed-mail and rejected-mail lists say they are empty; deleting removes it. An outbox row left
// claimed by a crash shows as an interrupted send; "重发" makes it due again, "删除" drops it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KEFU_BIN, CHROMIUM, run, startServer, stopServer, watchForeign, client, sessionCookie, launchChromium, until, freePort, signIn } from './lib.mjs';

const EMAIL = 'admin@example.com';
const PASSWORD = 'correct-horse-battery-9';
let dataDir, server, serverLog = '', base = '', browser, ctx, A, api, site;
const foreign = [];

before(async () => {
	assert.ok(existsSync(KEFU_BIN), `${KEFU_BIN} not found: build it with make, or set KEFU_BIN`);
	assert.ok(existsSync(CHROMIUM), `${CHROMIUM} not found: scripts/deps check installs it`);
	dataDir = mkdtempSync(join(tmpdir(), 'kefu-e2e-mailboxes-'));
	const add = await run(['user', 'add', '--role', 'admin', '--name', '店长', '--data', dataDir, EMAIL], PASSWORD + '\n');
	assert.equal(add.code, 0, add.stderr);
	const srv = startServer(dataDir, (d) => (serverLog += d));
	server = srv.proc;
	base = await srv.ready;
	api = client(base);
	const login = await api.call('POST', '/api/v1/auth/login', { email: EMAIL, password: PASSWORD });
	api.cookie = sessionCookie(login);
	api.csrf = login.json.csrf_token;
	site = (await api.call('POST', '/api/v1/sites', { name: '邮件店' })).json.site;
	browser = await launchChromium();
	ctx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
	ctx.setDefaultTimeout(8000);
	watchForeign(ctx, new URL(base).host, foreign);
	A = await ctx.newPage();
});

after(async () => {
	if (server && (server.exitCode !== null || server.signalCode !== null)) console.error('kefu serve died; log:\n' + serverLog.slice(-3000));
	try { if (browser) await browser.close(); } catch { /* gone */ }
	await stopServer(server);
	if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const mailboxes = async () => (await api.call('GET', `/api/v1/sites/${site.id}/mailboxes`)).json.mailboxes;

async function openSettings() {
	await A.click('nav [data-nav=settings]');
	await A.locator('#panel-settings').waitFor();
	await A.locator('#mailboxes').waitFor();
}

test('an admin adds, tests and removes a mailbox in Settings → 邮箱 (zh-CN)', { timeout: 90000 }, async () => {
	await A.goto(base + '/');
	await signIn(A, EMAIL, PASSWORD);
	await openSettings();
	assert.equal(await A.locator('#mailboxes-title').textContent(), '邮箱（工单邮件）');
	await A.locator('#mailboxes >> text=还没有邮箱。').waitFor();
	await A.locator('#mailboxes >> text=没有发送失败的邮件。').waitFor();
	await A.locator('#mailboxes >> text=没有被拒收的来信。').waitFor();

	const form = A.locator('form[data-mailbox=new]');
	await form.locator('[name=address]').fill('not-an-address');
	await form.locator('button[type=submit]').click();
	await form.locator('p.error').waitFor();
	assert.match(await form.locator('p.error').textContent(), /请检查填写的内容/);

	const port = await freePort();   // nobody listens there: the test must fail
	await form.locator('[name=address]').fill('Service@Shop.Example');
	await form.locator('[name=name]').fill('<b>客服</b>');
	await form.locator('[name=imap_url]').fill(`imap://127.0.0.1:${port}/INBOX`);
	await form.locator('[name=imap_user]').fill('service');
	await form.locator('[name=imap_password]').fill('s3cret-imap');
	await form.locator('[name=signature]').fill('{agent}\n邮件店');
	await form.locator('button[type=submit]').click();
	await until(async () => (await mailboxes()).length === 1, 'the mailbox saved');
	const [mb] = await mailboxes();
	assert.equal(mb.address, 'service@shop.example');
	assert.equal(mb.name, '<b>客服</b>');
	assert.equal(mb.has_imap_password, true);
	assert.equal(mb.signature, '{agent}\n邮件店');
	const raw = (await api.call('GET', `/api/v1/sites/${site.id}/mailboxes`)).body.toString();
	assert.ok(!raw.includes('s3cret-imap'), 'the password is never sent back');

	await A.reload();
	await openSettings();
	const saved = A.locator(`form[data-mailbox="${mb.id}"]`);
	await saved.waitFor();
	assert.equal(await saved.locator('[name=address]').inputValue(), 'service@shop.example');
	assert.equal(await saved.locator('[name=imap_password]').inputValue(), '');
	assert.equal(await saved.locator('[name=imap_password]').getAttribute('title'), '已设置；留空则保持不变');
	assert.equal(await A.locator('b', { hasText: '客服' }).count(), 0, 'the name is text, not markup');

	await saved.locator('.mailbox-test').click();
	await until(async () => /登录失败/.test(await saved.locator('[role=status]').textContent()), 'the failed IMAP test shown', 30000);

	A.once('dialog', (d) => d.accept());
	await saved.locator('button.danger').click();
	await until(async () => (await mailboxes()).length === 0, 'the mailbox deleted');
	await A.locator(`form[data-mailbox="${mb.id}"]`).waitFor({ state: 'detached' });
	assert.deepEqual(foreign, [], 'no request left the server');
});

test('a send interrupted by a crash is listed as stuck; the admin retries one and drops another', { timeout: 60000 }, async () => {
	for (const n of [1, 2])   // as a crash between the claim and the mark leaves them
		execFileSync('sqlite3', [join(dataDir, 'kefu.db'), `PRAGMA busy_timeout=5000; INSERT INTO mail_outbox (to_addr, message_id, raw, `
			+ `next_at, created_at, claimed_at) VALUES ('c${n}@example.com', 'stuck-${n}@shop.example', 'x', 0, 1, 100)`]);
	await A.reload();
	await openSettings();
	const rows = A.locator('table.mail-failed tr.stuck');
	await until(async () => (await rows.count()) === 2, 'the two stuck rows listed');
	assert.match(await rows.first().textContent(), /发送中断/);
	await A.locator('table.mail-failed tr', { hasText: 'c1@example.com' }).locator('.mail-retry').click();
	await until(async () => (await rows.count()) === 1, 'the retried row left the list');
	const out = (await api.call('GET', '/api/v1/mail/outbox?status=all')).json.outbox;
	assert.equal(out.find((o) => o.to === 'c1@example.com').claimed_at, undefined);
	assert.ok(['pending', 'failed'].includes(out.find((o) => o.to === 'c1@example.com').status), 'due again, not stuck');
	await A.locator('table.mail-failed tr', { hasText: 'c2@example.com' }).locator('.mail-drop').click();
	await until(async () => !(await api.call('GET', '/api/v1/mail/outbox?status=all')).json.outbox.find((o) => o.to === 'c2@example.com'), 'the dropped row gone');
	assert.deepEqual(foreign, [], 'no request left the server');
});
