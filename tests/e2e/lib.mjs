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
