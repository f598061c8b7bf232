// tests/e2e/lib.mjs - scaffolding shared by the Chromium end-to-end tests (tests/e2e/*.test.mjs).
//
// Not a test file itself (node --test picks only *.test.mjs). Every helper takes its state as
// arguments or returns a small object; nothing here is shared between test files at run time.
import { spawn } from 'node:child_process';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request as httpRequest } from 'node:http';
import net from 'node:net';
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { mkdtempSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
// $KEFU_BIN is taken relative to the current directory (as tests/http does); default <repo>/kefu.
export const KEFU_BIN = process.env.KEFU_BIN ? resolve(process.cwd(), process.env.KEFU_BIN) : join(root, 'kefu');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const PYTHON = '/usr/bin/python3';

/* The flags every test browser runs with: headless, no sandbox, nothing phoning home. */
export const CHROMIUM_ARGS = [
	'--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
	'--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* Polls fn every 100 ms until it returns something truthy (resolved with it); throws after ms. */
export async function until(fn, what, ms = 8000) {
	const t0 = Date.now();
	for (;;) {
		const v = await fn();
		if (v) return v;
		if (Date.now() - t0 > ms) throw new Error('timed out waiting for ' + what);
		await sleep(100);
	}
}

/* A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort() {
	const s = net.createServer();
	await new Promise((r) => s.listen(0, '127.0.0.1', r));
	const { port } = s.address();
	await new Promise((r) => s.close(r));
	return port;
}

/* Runs kefu with args, writing stdin; resolves { code, stdout, stderr }. */
export function run(args, input, timeoutMs = 10000) {
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

/* Spawns `kefu serve --listen 127.0.0.1:0 --data dataDir`; onLog(chunk) gets its stderr as it comes.
 * Returns { proc, ready } at once (so the caller can stop proc even if it never listens); ready
 * resolves the base URL from the "listening on http://..." line. */
export function startServer(dataDir, onLog = () => {}) {
	const proc = spawn(KEFU_BIN, ['serve', '--listen', '127.0.0.1:0', '--data', dataDir], {
		cwd: root,
		stdio: ['ignore', 'ignore', 'pipe'],
	});
	let log = '', base = '';
	const ready = new Promise((res, rej) => {
		const timer = setTimeout(() => rej(new Error('kefu serve: no "listening on" line in 10 s\n' + log)), 10000);
		proc.stderr.setEncoding('utf8');
		proc.stderr.on('data', (d) => {
			log += d;
			onLog(d);
			const m = /listening on http:\/\/(\S+)/.exec(log);
			if (m && !base) {
				clearTimeout(timer);
				base = 'http://' + m[1];
				res(base);
			}
		});
		proc.on('error', (e) => { clearTimeout(timer); rej(e); });
		proc.on('exit', (code, sig) => {
			if (!base) { clearTimeout(timer); rej(new Error(`kefu serve exited (${code ?? sig}) before listening\n${log}`)); }
		});
	});
	return { proc, ready };
}

/* Sends SIGTERM to the server process and resolves the exit code (SIGKILL after 10 s). */
export function stopServer(server) {
	if (!server || server.exitCode !== null || server.signalCode !== null) {
		return Promise.resolve(server ? server.exitCode : null);
	}
	return new Promise((res) => {
		const timer = setTimeout(() => server.kill('SIGKILL'), 10000);
		server.once('exit', (code, sig) => { clearTimeout(timer); res(code ?? sig); });
		server.kill('SIGTERM');
	});
}

/* A JSON HTTP client for base: { cookie, csrf, call }. Set cookie/csrf after signing in; call sends
 * them (the CSRF token on everything but GET) and resolves { status, headers, body (Buffer), json }. */
export function client(base) {
	const c = { cookie: '', csrf: '' };
	c.call = (method, path, body, headers = {}) => new Promise((res, rej) => {
		const data = body === undefined ? null : Buffer.from(JSON.stringify(body));
		const h = { Accept: 'application/json', ...headers };
		if (data) { h['Content-Type'] = 'application/json'; h['Content-Length'] = data.length; }
		if (c.cookie) h.Cookie = c.cookie;
		if (c.csrf && method !== 'GET') h['X-CSRF-Token'] = c.csrf;
		const req = httpRequest(base + path, { method, headers: h }, (r) => {
			const chunks = [];
			r.on('data', (ch) => chunks.push(ch));
			r.on('end', () => {
				const buf = Buffer.concat(chunks);
				let json = null;
				try { json = JSON.parse(buf.toString('utf8')); } catch { /* not JSON */ }
				res({ status: r.statusCode, headers: r.headers, body: buf, json });
			});
		});
		req.on('error', rej);
		if (data) req.write(data);
		req.end();
	});
	return c;
}

/* The Cookie header value carrying every cookie a response set. */
export const sessionCookie = (res) => [].concat(res.headers['set-cookie'] || []).map((c) => c.split(';')[0]).join('; ');

/* Debian's chromium (never a downloaded browser), headless, with CHROMIUM_ARGS. */
export function launchChromium() {
	return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/* The same, as a persistent context on the (fresh) user-data-dir profileDir; options add to it. */
export function launchPersistentChromium(profileDir, options = {}) {
	return chromium.launchPersistentContext(profileDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, ...options });
}

/* Records in foreign every request of the browser context ctx to a host other than host
 * (data:, blob: and about: URLs aside). */
export function watchForeign(ctx, host, foreign) {
	ctx.on('request', (req) => {
		const u = new URL(req.url());
		if (u.protocol === 'data:' || u.protocol === 'blob:' || u.protocol === 'about:') return;
		if (u.host !== host) foreign.push(req.url());
	});
}

/* Starts Debian's aiosmtpd as a printing SMTP sink on a free port; the process goes into procs (for
 * the caller to stop), onOut(chunk) gets what it prints. Resolves the port once it accepts connections. */
export async function startSmtpSink(procs, onOut) {
	const port = await freePort();
	const sink = spawn(PYTHON, ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PYTHONUNBUFFERED: '1' } });
	procs.push(sink);
	sink.stdout.setEncoding('utf8');
	sink.stderr.setEncoding('utf8');
	sink.stdout.on('data', onOut);
	sink.stderr.on('data', onOut);
	await until(() => new Promise((r) => {
		const c = net.connect(port, '127.0.0.1', () => { c.end(); r(true); });
		c.on('error', () => r(false));
	}), 'the SMTP sink to listen');
	return port;
}

/** Signs in on the console's login form (page P already at base + '/') and waits for the console. */
export async function signIn(P, email, password) {
	await P.fill('input[name=email]', email);
	await P.fill('input[name=password]', password);
	await P.click('#login-form button[type=submit]');
	await P.locator('#console').waitFor();
}

/**
 * For a before hook: checks the binary and Chromium are there, adds users ([{ email, password, name,
 * role }]) to a new data dir named after name (with conf as its kefu.conf when given), starts the
 * server (onLog gets its stderr) and signs the first user in as api (cookie and CSRF token set).
 * With site (the POST /api/v1/sites body) it also creates the site and makes members of it:
 * members(users) picks them from GET /api/v1/users (default: everyone).
 * Resolves { dataDir, server, base, api, login, site, users, stop(browser, foreign) }; stop is for the
 * after hook: closes browser, stops the server, removes the data dir and, given foreign (see
 * watchForeign), checks that no request left the server's origin. A failed start cleans up itself.
 */
export async function setupServer({ name, users, site, members = (all) => all, conf, onLog }) {
	assert.ok(existsSync(KEFU_BIN), `${KEFU_BIN} not found: build it with make, or set KEFU_BIN`);
	assert.ok(existsSync(CHROMIUM), `${CHROMIUM} not found: scripts/deps check installs it`);
	const dataDir = mkdtempSync(join(tmpdir(), `kefu-e2e-${name}-`));
	let server = null;
	const env = { dataDir, base: '', api: null, login: null, site: null };
	env.stop = async (browser, foreign) => {
		try { if (browser) await browser.close(); } catch { /* gone */ }
		await stopServer(server);
		rmSync(dataDir, { recursive: true, force: true });
		if (foreign) assert.deepEqual(foreign, [], 'no request left the server origin');
	};
	try {
		if (conf) writeFileSync(join(dataDir, 'kefu.conf'), conf);
		for (const u of users) {
			const r = await run(['user', 'add', '--role', u.role, '--name', u.name, '--data', dataDir, u.email], u.password + '\n');
			assert.equal(r.code, 0, r.stdout + r.stderr);
		}
		const s = startServer(dataDir, onLog);
		server = env.server = s.proc;
		env.base = await s.ready;
		env.api = client(env.base);
		env.login = await env.api.call('POST', '/api/v1/auth/login', { email: users[0].email, password: users[0].password });
		assert.equal(env.login.status, 200, env.login.body.toString());
		env.api.cookie = sessionCookie(env.login);
		env.api.csrf = env.login.json.csrf_token;
		if (site) {
			env.site = (await env.api.call('POST', '/api/v1/sites', site)).json.site;
			const all = env.users = (await env.api.call('GET', '/api/v1/users')).json.users;
			const mem = await env.api.call('PUT', `/api/v1/sites/${env.site.id}/members`, { user_ids: members(all).map((u) => u.id) });
			assert.equal(mem.status, 200, mem.body.toString());
		}
	} catch (e) {
		await env.stop();
		throw e;
	}
	return env;
}

/** The site's identity secret (signs a shop's customer ids for the widget). */
export async function siteSecret(api, site) {
	const sec = await api.call('GET', `/api/v1/sites/${site.id}/identity`);
	return sec.json.secret ?? sec.json.identity?.secret;
}

/**
 * A visitor with its own storage on the demo shop page of site, the launcher drawn. With customerId
 * (and the site's secret) the page is the shop's for a signed-in customer: the widget's tag gets the
 * signed claim (data-customer-id / data-customer-sig) as the parser inserts it, before the async
 * script runs. (A page served by page.route would be "public" to Chromium, which then blocks the
 * socket to 127.0.0.1 by its local-network checks.) onPage(page) runs before the page loads; foreign
 * collects requests that leave the origin (watchForeign). Resolves { ctx, page }.
 */
export async function openVisitor(browser, base, site, { locale, viewport = { width: 1000, height: 800 }, customerId, secret, foreign, onPage }) {
	const ctx = await browser.newContext({ locale, viewport });
	ctx.setDefaultTimeout(10000);
	watchForeign(ctx, new URL(base).host, foreign);
	const page = await ctx.newPage();
	if (onPage) onPage(page);
	if (customerId) {
		const sig = crypto.createHmac('sha256', secret).update(customerId).digest('hex');
		await page.addInitScript(([id, sg]) => {
			new MutationObserver((recs, obs) => {
				const s = document.querySelector('script[data-site]');
				if (!s) return;
				s.setAttribute('data-customer-id', id);
				s.setAttribute('data-customer-sig', sg);
				obs.disconnect();
			}).observe(document, { childList: true, subtree: true });
		}, [customerId, sig]);
	}
	await page.goto(`${base}/demo?site=${encodeURIComponent(site.key)}`);
	await page.locator('#kefu-launcher').waitFor();
	return { ctx, page };
}

/** A console page (own context, requests watched for foreign) signed in as who ({ email, password }). Resolves { ctx, P }. */
export async function openConsole(browser, base, who, { locale = 'zh-CN', viewport = { width: 1400, height: 900 }, foreign }) {
	const ctx = await browser.newContext({ locale, viewport });
	ctx.setDefaultTimeout(10000);
	watchForeign(ctx, new URL(base).host, foreign);
	const P = await ctx.newPage();
	await P.goto(base + '/');
	await signIn(P, who.email, who.password);
	return { ctx, P };
}
