// tests/e2e/login.test.mjs - the console shell in a real browser against a real kefu.
//
//   node --test tests/e2e/            (KEFU_BIN=path/to/kefu, default ./kefu)
//
// Creates an admin with `kefu user add`, starts `kefu serve --listen 127.0.0.1:0` on a fresh
// data dir, then drives Debian's chromium (playwright-core, never a downloaded browser) through
// sign-in, the language switch, a reload and sign-out; no request may leave the server's origin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request as httpRequest } from 'node:http';
import { chromium } from 'playwright-core';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
// $KEFU_BIN is taken relative to the current directory (as tests/http does); default <repo>/kefu.
const KEFU_BIN = process.env.KEFU_BIN ? resolve(process.cwd(), process.env.KEFU_BIN) : join(root, 'kefu');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const EMAIL = 'admin@example.com';
const NAME = '管理员';
const PASSWORD = 'correct-horse-battery-9';

let dataDir, profileDir, server, serverLog = '', base = '', context, page;
const foreign = [];

/* Runs kefu with args, writing stdin; resolves { code, stdout, stderr }. */
function run(args, input, timeoutMs = 10000) {
	return new Promise((res, rej) => {
		const p = spawn(KEFU_BIN, args, { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
		let stdout = '', stderr = '';
		const timer = setTimeout(() => { p.kill('SIGKILL'); rej(new Error(`kefu ${args.join(' ')}: timed out`)); }, timeoutMs);
		p.stdout.on('data', (d) => (stdout += d));
		p.stderr.on('data', (d) => (stderr += d));
		p.on('error', (e) => { clearTimeout(timer); rej(e); });
		p.on('close', (code) => { clearTimeout(timer); res({ code, stdout, stderr }); });
		p.stdin.on('error', () => {});
		p.stdin.end(input);
	});
}

/* Starts kefu serve and resolves the base URL from its "listening on http://..." line. */
function startServer() {
	return new Promise((res, rej) => {
		server = spawn(KEFU_BIN, ['serve', '--listen', '127.0.0.1:0', '--data', dataDir], {
			cwd: root,
			stdio: ['ignore', 'ignore', 'pipe'],
		});
		const timer = setTimeout(() => rej(new Error('kefu serve: no "listening on" line in 10 s\n' + serverLog)), 10000);
		server.stderr.setEncoding('utf8');
		server.stderr.on('data', (d) => {
			serverLog += d;
			const m = /listening on http:\/\/(\S+)/.exec(serverLog);
			if (m && !base) {
				clearTimeout(timer);
				base = 'http://' + m[1];
				res(base);
			}
		});
		server.on('error', (e) => { clearTimeout(timer); rej(e); });
		server.on('exit', (code, sig) => {
			if (!base) { clearTimeout(timer); rej(new Error(`kefu serve exited (${code ?? sig}) before listening\n${serverLog}`)); }
		});
	});
}

/* Sends SIGTERM and resolves the exit code (SIGKILL after 10 s). */
function stopServer() {
	if (!server || server.exitCode !== null || server.signalCode !== null) {
		return Promise.resolve(server ? server.exitCode : null);
	}
	return new Promise((res) => {
		const timer = setTimeout(() => server.kill('SIGKILL'), 10000);
		server.once('exit', (code, sig) => { clearTimeout(timer); res(code ?? sig); });
		server.kill('SIGTERM');
	});
}

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

	await startServer();

	context = await chromium.launchPersistentContext(profileDir, {
		executablePath: CHROMIUM,
		headless: true,
		args: [
			'--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
			'--disable-background-networking', '--disable-component-update', '--disable-sync',
		],
		locale: 'en-US',
		viewport: { width: 1280, height: 800 },
	});
	context.setDefaultTimeout(8000);
	const origin = new URL(base).host;
	context.on('request', (req) => {
		const u = new URL(req.url());
		if (u.protocol === 'data:' || u.protocol === 'blob:' || u.protocol === 'about:') return;
		if (u.host !== origin) foreign.push(req.url());
	});
	page = context.pages()[0] || (await context.newPage());
});

after(async () => {
	try { if (context) await context.close(); } catch { /* already gone */ }
	await stopServer();
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
	const code = await stopServer();
	assert.equal(code, 0, 'exit status after SIGTERM\n' + serverLog.split('\n').slice(-20).join('\n'));
});
