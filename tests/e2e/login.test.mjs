// tests/e2e/login.test.mjs - the console shell in a real browser against a real kefu.
//
//   node --test tests/e2e/            (KEFU_BIN=path/to/kefu, default ./kefu)
//
// Creates an admin with `kefu user add`, starts `kefu serve --listen 127.0.0.1:0` on a fresh
// data dir, then drives Debian's chromium (playwright-core, never a downloaded browser) through
// sign-in, the language switch, a reload and sign-out; no request may leave the server's origin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import {
	KEFU_BIN, CHROMIUM, run, startServer, stopServer, watchForeign, launchPersistentChromium,
} from './lib.mjs';

const EMAIL = 'admin@example.com';
const NAME = '管理员';
const PASSWORD = 'correct-horse-battery-9';

let dataDir, profileDir, server, serverLog = '', base = '', context, page;
const foreign = [];

/* A raw GET with the given headers (no automatic decompression). */
function rawGet(path, headers = {}) {
	return new Promise((res, rej) => {
		const req = httpRequest(base + path, { headers }, (r) => {
			const chunks = [];
			r.on('data', (c) => chunks.push(c));
			r.on('end', () => res({ status: r.statusCode, headers: r.headers, body: Buffer.concat(chunks) }));
		});
		req.on('error', rej);
		req.end();
	});
}

before(async () => {
	assert.ok(existsSync(KEFU_BIN), `${KEFU_BIN} not found: build it with make, or set KEFU_BIN`);
	assert.ok(existsSync(CHROMIUM), `${CHROMIUM} not found: scripts/deps check installs it`);
	dataDir = mkdtempSync(join(tmpdir(), 'kefu-e2e-data-'));
	profileDir = mkdtempSync(join(tmpdir(), 'kefu-e2e-profile-'));

	const add = await run(['user', 'add', '--role', 'admin', '--name', NAME, '--data', dataDir, EMAIL], PASSWORD + '\n');
	assert.equal(add.code, 0, `kefu user add failed (${add.code}):\n${add.stdout}${add.stderr}`);

	const srv = startServer(dataDir, (d) => (serverLog += d));
	server = srv.proc;
	base = await srv.ready;

	context = await launchPersistentChromium(profileDir, {
		locale: 'en-US',
		viewport: { width: 1280, height: 800 },
	});
	context.setDefaultTimeout(8000);
	const origin = new URL(base).host;
	watchForeign(context, origin, foreign);
	page = context.pages()[0] || (await context.newPage());
});

after(async () => {
	try { if (context) await context.close(); } catch { /* already gone */ }
	await stopServer(server);
	for (const d of [dataDir, profileDir]) if (d) rmSync(d, { recursive: true, force: true });
});

test('the shell and its hashed assets are served as the contract says', async () => {
	const shell = await rawGet('/', { 'Accept-Encoding': 'identity' });
	assert.equal(shell.status, 200);
	assert.match(shell.headers['content-type'] || '', /^text\/html/);
	assert.match(shell.headers['cache-control'] || '', /no-cache/);
	const html = shell.body.toString('utf8');
	const js = /src="(\/assets\/app-[0-9a-f]{8}\.js)"/.exec(html);
	const css = /href="(\/assets\/app-[0-9a-f]{8}\.css)"/.exec(html);
	assert.ok(js && css, 'index.html names hashed assets:\n' + html);

	const login = await rawGet('/login');
	assert.equal(login.status, 200);
	assert.equal(login.body.toString('utf8'), html, '/login serves the same shell as /');

	const plain = await rawGet(js[1], { 'Accept-Encoding': 'identity' });
	assert.equal(plain.status, 200);
	assert.match(plain.headers['content-type'] || '', /javascript/);
	assert.match(plain.headers['cache-control'] || '', /max-age=31536000/);
	assert.match(plain.headers['cache-control'] || '', /immutable/);
	assert.ok(plain.headers.etag, 'hashed asset has an ETag');
	assert.notEqual(plain.headers['content-encoding'], 'gzip');

	const gz = await rawGet(js[1], { 'Accept-Encoding': 'gzip' });
	assert.equal(gz.status, 200);
	assert.equal(gz.headers['content-encoding'], 'gzip');
	const { gunzipSync } = await import('node:zlib');
	assert.ok(gunzipSync(gz.body).equals(plain.body), 'gzip variant inflates to the same bytes');

	const again = await rawGet(js[1], { 'If-None-Match': plain.headers.etag });
	assert.equal(again.status, 304);

	const cssRes = await rawGet(css[1]);
	assert.equal(cssRes.status, 200);
	assert.match(cssRes.headers['content-type'] || '', /^text\/css/);
});

test('sign in, switch language, reload, sign out', { timeout: 30000 }, async () => {
	await page.goto(base + '/');
	await page.locator('#login-form').waitFor();
	assert.equal(await page.locator('#console').count(), 0);

	// A wrong password shows the error and keeps the form.
	await page.fill('input[name=email]', EMAIL);
	await page.fill('input[name=password]', 'wrong-password-123');
	await page.click('#login-form button[type=submit]');
	await page.locator('#login-error').waitFor();
	assert.ok((await page.textContent('#login-error')).trim().length > 0);
	assert.equal(await page.locator('#console').count(), 0);

	// The right one opens the console.
	await page.fill('input[name=password]', PASSWORD);
	await page.click('#login-form button[type=submit]');
	await page.locator('#console').waitFor();
	const who = await page.textContent('#user-name');
	assert.ok(who.includes(NAME) || who.includes(EMAIL), `#user-name shows the admin, got ${JSON.stringify(who)}`);
	// An admin sees the admin entries in the navigation.
	for (const id of ['inbox', 'reports', 'users', 'apikeys']) {
		assert.equal(await page.locator(`nav [data-nav=${id}]`).count(), 1, `nav has ${id}`);
	}

	// The language switch changes visible text and <html lang>, and is remembered.
	await page.selectOption('#lang-switch', 'en');
	await page.waitForFunction(() => document.querySelector('#logout')?.textContent.trim() === 'Sign out');
	assert.equal(await page.getAttribute('html', 'lang'), 'en');
	await page.selectOption('#lang-switch', 'zh-CN');
	await page.waitForFunction(() => document.querySelector('#logout')?.textContent.trim() === '退出登录');
	assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
	await page.selectOption('#lang-switch', 'zh-TW');
	await page.waitForFunction(() => document.querySelector('#logout')?.textContent.trim() === '登出');
	assert.equal(await page.evaluate(() => localStorage.getItem('kefu.lang')), 'zh-TW');

	// The admin's Users panel lists the admin from GET /api/v1/users.
	await page.click('nav [data-nav=users]');
	await page.locator('#panel-users td', { hasText: EMAIL }).first().waitFor();

	// A reload keeps the session and the language.
	await page.reload();
	await page.locator('#console').waitFor();
	assert.equal((await page.textContent('#logout')).trim(), '登出');
	assert.equal(await page.getAttribute('html', 'lang'), 'zh-TW');

	// Sign out returns to the login form, and stays there after a reload.
	await page.click('#logout');
	await page.locator('#login-form').waitFor();
	assert.equal(await page.locator('#console').count(), 0);
	await page.reload();
	await page.locator('#login-form').waitFor();
	assert.equal(await page.locator('#console').count(), 0);

	assert.deepEqual(foreign, [], 'no request left the server origin');
});

test('kefu serve exits 0 on SIGTERM', async () => {
	if (context) { await context.close(); context = null; }
	const code = await stopServer(server);
	assert.equal(code, 0, 'exit status after SIGTERM\n' + serverLog.split('\n').slice(-20).join('\n'));
});
