// tests/e2e/files.test.mjs - real-time file transfer (实时文件传输) in the widget and the console, end to end.
//
//   node --test tests/e2e/            (KEFU_BIN=path/to/kefu, default ./kefu)
//
// Starts kefu on a fresh data dir with an admin, creates a site over REST (admin as member). The agent
// (console, context A) goes online; a visitor (widget on /demo, context B, zh-CN) uploads a real 8x8 PNG
// through the widget's file input (progress bar shown, then an inline thumbnail that loads on both sides);
// the agent sends a text/plain file back from the conversation view; the visitor gets a download link
// whose URL serves the same bytes. With the site's max_file_bytes lowered to 1000, a 5 KB upload (and a
// refused type) shows a localized error in the widget and sends nothing. History shows both files.
// No request leaves the server's origin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import {
	KEFU_BIN, CHROMIUM, run, startServer, stopServer, watchForeign, client, sessionCookie, sleep, launchChromium, signIn } from './lib.mjs';

const EMAIL = 'admin@example.com';
const NAME = '客服小王';
const PASSWORD = 'correct-horse-battery-9';

let dataDir, server, serverLog = '', base = '', browser, agentCtx, visitorCtx, A, B;
let api = null, adminId = 0, site = null, convId = 0;
const foreign = [];

/* One HTTP request with the admin's session once signed in (lib.mjs client). */
const call = (...args) => api.call(...args);

/* ---- a real PNG (8x8, RGB, red/blue checks) so that <img> decodes it ---- */
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
	let c = n;
	for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
	return c >>> 0;
});
function crc32(buf) {
	let c = 0xffffffff;
	for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
	const len = Buffer.alloc(4);
	len.writeUInt32BE(data.length);
	const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(td));
	return Buffer.concat([len, td, crc]);
}
function makePng(w, h) {
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(w, 0);
	ihdr.writeUInt32BE(h, 4);
	ihdr[8] = 8; // bit depth
	ihdr[9] = 2; // RGB
	const rows = [];
	for (let y = 0; y < h; y++) {
		const row = [0]; // filter: none
		for (let x = 0; x < w; x++) row.push(...((x + y) % 2 ? [0x15, 0x65, 0xc0] : [0xe5, 0x39, 0x35]));
		rows.push(Buffer.from(row));
	}
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', ihdr),
		chunk('IDAT', deflateSync(Buffer.concat(rows))),
		chunk('IEND', Buffer.alloc(0)),
	]);
}
const PNG = makePng(8, 8);
const PNG_NAME = '截图.png';
const TXT = Buffer.from('退货说明 Return policy\n请在7天内寄回。\n', 'utf8');
const TXT_NAME = '退货说明.txt';

/* The conversation's messages as the server has them. */
async function serverMessages(id) {
	const got = await call('GET', `/api/v1/conversations/${id}`);
	assert.equal(got.status, 200, `GET conversation ${id}: ${got.status} ${got.body}`);
	return got.json.messages || [];
}

/* Waits until an <img> (first match of a locator) has decoded; returns its naturalWidth. */
async function imgWidth(loc) {
	await loc.waitFor();
	const h = await loc.elementHandle();
	await h.evaluate((img) => (img.complete ? null : new Promise((r) => { img.onload = img.onerror = r; })));
	return h.evaluate((img) => img.naturalWidth);
}

before(async () => {
	assert.ok(existsSync(KEFU_BIN), `${KEFU_BIN} not found: build it with make, or set KEFU_BIN`);
	assert.ok(existsSync(CHROMIUM), `${CHROMIUM} not found: scripts/deps check installs it`);
	dataDir = mkdtempSync(join(tmpdir(), 'kefu-e2e-files-'));
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
	const made = await call('POST', '/api/v1/sites', { name: '文件测试店 Files shop', origins: [], greeting: '您好！' });
	assert.equal(made.status, 201, 'POST /api/v1/sites: ' + made.status + ' ' + made.body);
	site = made.json.site;
	const mem = await call('PUT', `/api/v1/sites/${site.id}/members`, { user_ids: [adminId] });
	assert.equal(mem.status, 200, 'PUT members: ' + mem.status + ' ' + mem.body);

	browser = await launchChromium();
	const host = new URL(base).host;
	const watch = (ctx) => watchForeign(ctx, host, foreign);
	agentCtx = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } });
	visitorCtx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1000, height: 760 } });
	for (const c of [agentCtx, visitorCtx]) { c.setDefaultTimeout(8000); watch(c); }
	A = await agentCtx.newPage();
	B = await visitorCtx.newPage();
	A.on('pageerror', (e) => foreign.push('agent page error: ' + e.message));
	B.on('pageerror', (e) => foreign.push('visitor page error: ' + e.message));
});

after(async () => {
	try { if (browser) await browser.close(); } catch { /* already gone */ }
	await stopServer(server);
	if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

test('the visitor sends a PNG from the widget; the agent sees it inline', { timeout: 60000 }, async () => {
	// Agent: sign in, go online.
	await A.goto(base + '/');
	await signIn(A, EMAIL, PASSWORD);
	await A.click('nav [data-nav=inbox]');
	await A.locator('#agent-status').waitFor();
	await A.selectOption('#agent-status', 'online');
	let online = false;
	for (let i = 0; i < 50 && !online; i++) {
		const c = await call('GET', '/api/v1/widget/config?site=' + encodeURIComponent(site.key));
		online = !!(c.json && c.json.site && c.json.site.online);
		if (!online) await sleep(100);
	}
	assert.ok(online, 'the agent is online');

	// Visitor: open the widget; it has an attach button and a hidden file input.
	await B.goto(`${base}/demo?site=${encodeURIComponent(site.key)}`);
	await B.click('#kefu-launcher');
	await B.locator('#kefu-panel').waitFor();
	await B.waitForFunction(() => document.getElementById('kefu-widget').shadowRoot.getElementById('kefu-status').textContent === '在线');
	await B.locator('#kefu-attach').waitFor();
	assert.equal(await B.locator('#kefu-attach').getAttribute('aria-label'), '发送文件', 'the attach button is labelled in zh-CN');
	assert.equal(await B.locator('#kefu-file').getAttribute('type'), 'file');
	assert.equal(await B.locator('#kefu-file').isVisible(), false, 'the file input is hidden');
	assert.equal(await B.locator('#kefu-progress').isVisible(), false, 'no progress bar before an upload');

	// The attach button opens the file chooser.
	const [chooser] = await Promise.all([B.waitForEvent('filechooser'), B.click('#kefu-attach')]);
	assert.ok(chooser, 'the attach button opens a file chooser');

	// Record what the progress bar does during the upload, and every upload request.
	await B.evaluate(() => {
		const p = document.getElementById('kefu-widget').shadowRoot.getElementById('kefu-progress');
		window.__prog = [];
		new MutationObserver(() => window.__prog.push({ hidden: p.hasAttribute('hidden'), value: p.value })).observe(p, { attributes: true });
	});
	const uploads = [];
	B.on('request', (r) => { if (r.url().includes('/api/v1/chat/files?')) uploads.push(r); });

	await chooser.setFiles({ name: PNG_NAME, mimeType: 'image/png', buffer: PNG });
	const mine = B.locator('.kefu-msg[data-from=visitor][data-state=delivered]', { has: B.locator('img.kefu-img') });
	await mine.waitFor();
	convId = +(await mine.getAttribute('data-cid'));
	assert.ok(convId > 0, 'the file message started a conversation');
	assert.ok((await imgWidth(mine.locator('img.kefu-img'))) > 0, 'the visitor sees the PNG decoded');
	const vHref = await mine.locator('a:has(img.kefu-img)').getAttribute('href');
	assert.equal(await mine.locator('a:has(img.kefu-img)').getAttribute('target'), '_blank', 'a click opens the full size in a new tab');
	assert.ok(vHref.startsWith(base + '/api/v1/chat/files/'), 'the image URL is absolute, on the kefu server: ' + vHref);

	assert.equal(uploads.length, 1, 'one upload');
	assert.equal(uploads[0].method(), 'POST');
	assert.equal(uploads[0].resourceType(), 'xhr', 'uploaded with XMLHttpRequest (for its progress)');
	assert.equal(uploads[0].url(), `${base}/api/v1/chat/files?site=${encodeURIComponent(site.key)}`);
	const up = await uploads[0].response();
	assert.equal(up.status(), 201);
	const upHeaders = await uploads[0].allHeaders();
	assert.match(upHeaders['content-type'] || '', /^multipart\/form-data/);
	assert.equal((upHeaders['x-visitor-token'] || '').length, 43, 'the upload carries the visitor token');

	const prog = await B.evaluate(() => window.__prog);
	assert.ok(prog.some((p) => !p.hidden), 'the progress bar was shown: ' + JSON.stringify(prog));
	assert.ok(prog.some((p) => p.value === 100), 'the progress bar reached 100: ' + JSON.stringify(prog));
	assert.equal(await B.locator('#kefu-progress').isVisible(), false, 'the progress bar hides when done');
	assert.equal(await B.locator('#kefu-file-error').isVisible(), false, 'no error');

	// The server has one message of kind file with the PNG.
	const msgs = await serverMessages(convId);
	const fm = msgs.filter((m) => m.kind === 'file');
	assert.equal(fm.length, 1, 'one file message: ' + JSON.stringify(msgs));
	assert.equal(fm[0].from, 'visitor');
	assert.equal(fm[0].file.name, PNG_NAME);
	assert.equal(fm[0].file.size, PNG.length);
	assert.equal(fm[0].file.content_type, 'image/png');
	assert.ok(/^v[0-9a-z]+$/.test(fm[0].client_id), 'sent with a widget client_id: ' + fm[0].client_id);

	// Agent: the conversation waits; open it, the PNG is an inline thumbnail that decodes.
	await A.locator(`.conv-item[data-id="${convId}"]`).click();
	const img = A.locator('.msg[data-from=visitor] img.msg-img');
	assert.ok((await imgWidth(img)) > 0, 'the agent sees the PNG decoded');
	const aHref = await A.locator('.msg[data-from=visitor] a:has(img.msg-img)').getAttribute('href');
	assert.ok(aHref.startsWith('/api/v1/chat/files/'), 'the console links the full image: ' + aHref);
	assert.equal(await A.locator('.msg[data-from=visitor] a:has(img.msg-img)').getAttribute('target'), '_blank');
	const full = await agentCtx.request.get(base + aHref);
	assert.equal(full.status(), 200);
	assert.equal(full.headers()['content-type'], 'image/png');
	assert.ok(Buffer.from(await full.body()).equals(PNG), 'the image URL serves the same bytes');
});

test('the agent sends a text file back; the visitor downloads the same bytes', { timeout: 60000 }, async () => {
	assert.ok(convId, 'needs the first test');
	await A.locator('#reply-attach').waitFor();
	assert.equal(await A.locator('#reply-file').getAttribute('type'), 'file');
	const uploads = [];
	A.on('request', (r) => { if (r.url().includes('/api/v1/chat/files?')) uploads.push(r); });
	await A.locator('#reply-file').setInputFiles({ name: TXT_NAME, mimeType: 'text/plain', buffer: TXT });

	// The console shows the file as a link with its size, delivered.
	const sent = A.locator('.msg.from-agent.kind-file[data-state]', { has: A.locator('a.msg-file') });
	await sent.first().waitFor();
	await A.locator('.msg.from-agent.kind-file:not(.pending) a.msg-file', { hasText: TXT_NAME }).waitFor();
	assert.match(await A.locator('.msg.from-agent.kind-file:not(.pending) .msg-file-size').first().textContent(), /^\d+ B$/);
	assert.equal(uploads.length, 1, 'one upload from the console');
	assert.equal(uploads[0].resourceType(), 'xhr');
	assert.ok((await uploads[0].allHeaders())['x-csrf-token'], 'the console upload carries X-CSRF-Token');
	assert.equal((await uploads[0].response()).status(), 201);

	// The visitor: a download link with name and human size; its URL serves the bytes as a download.
	const link = B.locator('.kefu-msg[data-from=agent] a.kefu-file');
	await link.waitFor();
	assert.match(await link.textContent(), new RegExp(TXT_NAME.replace('.', '\\.')));
	assert.match(await link.locator('.kefu-fs').textContent(), new RegExp('^' + TXT.length + ' B$'));
	const href = await link.getAttribute('href');
	assert.ok(href.startsWith(base + '/api/v1/chat/files/'), 'absolute URL on the kefu server: ' + href);
	const res = await visitorCtx.request.get(href);
	assert.equal(res.status(), 200, 'the download link fetches 200');
	assert.match(res.headers()['content-disposition'] || '', /^attachment/);
	assert.ok(Buffer.from(await res.body()).equals(TXT), 'the visitor downloads the same bytes');

	const msgs = await serverMessages(convId);
	const back = msgs.filter((m) => m.kind === 'file' && m.from === 'agent');
	assert.equal(back.length, 1, 'one agent file message');
	assert.equal(back[0].file.name, TXT_NAME);
	assert.equal(back[0].file.content_type, 'text/plain');
});

test('a refused file type shows a localized error in the widget and sends nothing', { timeout: 60000 }, async () => {
	assert.ok(convId, 'needs the first test');
	const before = (await serverMessages(convId)).length;
	const shown = await B.locator('.kefu-msg').count();
	const responses = [];
	B.on('response', (r) => { if (r.url().includes('/api/v1/chat/files?')) responses.push(r); });

	await B.locator('#kefu-file').setInputFiles({ name: 'setup.exe', mimeType: 'application/x-msdownload', buffer: Buffer.from('MZ') });
	const err = B.locator('#kefu-file-error');
	await err.waitFor();
	assert.equal((await err.textContent()).trim(), '不支持发送此类型的文件', 'file_type_not_allowed in zh-CN');
	assert.equal(await err.getAttribute('role'), 'alert');
	assert.equal(responses.length, 1);
	assert.equal(responses[0].status(), 415);
	assert.equal((await responses[0].json()).error.code, 'file_type_not_allowed');

	await sleep(500);
	assert.equal(await B.locator('.kefu-msg').count(), shown, 'no bubble for a refused file');
	assert.equal((await serverMessages(convId)).length, before, 'no message reached the server');
	assert.equal(await B.locator('#kefu-progress').isVisible(), false);

	// A good file still goes, and clears the error.
	await B.locator('#kefu-file').setInputFiles({ name: 'tiny.png', mimeType: 'image/png', buffer: PNG });
	await B.locator('.kefu-msg[data-from=visitor][data-seq]:is([data-state=delivered],[data-state=read]) img.kefu-img[alt="tiny.png"]').waitFor();
	assert.equal(await err.isVisible(), false, 'the error is gone after a good upload');
	assert.equal((await serverMessages(convId)).length, before + 1);
});

test('a file message lost with the connection is sent again after reconnecting (same client_id)', { timeout: 60000 }, async () => {
	assert.ok(convId, 'needs the first test');
	// A second tab of the same visitor, its socket routed through the test: the first msg frame
	// carrying a file_id is swallowed and the socket closed, as if the network dropped it.
	const P = await visitorCtx.newPage();
	P.on('pageerror', (e) => foreign.push('visitor tab 2 page error: ' + e.message));
	let dropped = null, sockets = 0;
	await P.routeWebSocket(/\/ws\/visitor/, (ws) => {
		sockets++;
		const srv = ws.connectToServer();
		ws.onMessage((m) => {
			let f = null;
			try { f = JSON.parse(m); } catch { /* not JSON */ }
			if (f && f.type === 'msg' && f.file_id && !dropped) {
				dropped = f;
				ws.close({ code: 4000, reason: 'test: dropped' });
				srv.close();
				return;
			}
			srv.send(m);
		});
		srv.onMessage((m) => ws.send(m));
	});
	await P.goto(`${base}/demo?site=${encodeURIComponent(site.key)}`);
	await P.click('#kefu-launcher');
	await P.locator('#kefu-panel').waitFor();
	await P.waitForFunction(() => document.getElementById('kefu-widget').shadowRoot.getElementById('kefu-status').textContent === '在线');
	await P.locator('#kefu-file').setInputFiles({ name: 'again.png', mimeType: 'image/png', buffer: PNG });
	await P.locator('.kefu-msg[data-from=visitor][data-seq] img.kefu-img[alt="again.png"]').waitFor({ timeout: 15000 });
	assert.ok(dropped && dropped.client_id, 'the first send was dropped');
	assert.ok(sockets >= 2, 'the widget reconnected');
	const again = (await serverMessages(convId)).filter((m) => m.file && m.file.name === 'again.png');
	assert.equal(again.length, 1, 'stored once');
	assert.equal(again[0].client_id, dropped.client_id, 'sent again with the same client_id');
	assert.equal(again[0].file.id, dropped.file_id);
	await P.close();
});

test("a file over the site's max_file_bytes shows a localized error in the widget and sends nothing", { timeout: 60000 }, async () => {
	assert.ok(convId, 'needs the first test');
	const patched = await call('PATCH', `/api/v1/sites/${site.id}`, { max_file_bytes: 1000 });
	assert.equal(patched.status, 200, 'PATCH max_file_bytes: ' + patched.status + ' ' + patched.body);
	assert.equal(patched.json.site.max_file_bytes, 1000);
	const stored = (await call('GET', '/api/v1/sites')).json.sites.find((x) => x.id === site.id);
	assert.equal(stored.max_file_bytes, 1000,
		'server: PATCH /api/v1/sites/:id answers max_file_bytes 1000 but GET shows it was not stored (src/store C_SITE_UPDATE)');

	const before = (await serverMessages(convId)).length;
	const shown = await B.locator('.kefu-msg').count();
	const responses = [];
	B.on('response', (r) => { if (r.url().includes('/api/v1/chat/files?')) responses.push(r); });
	await B.locator('#kefu-file').setInputFiles({ name: 'big.txt', mimeType: 'text/plain', buffer: Buffer.alloc(5 * 1024, 0x61) });
	const err = B.locator('#kefu-file-error', { hasText: '文件太大' });
	await err.waitFor();
	assert.equal((await err.textContent()).trim(), '文件太大，无法发送', 'file_too_large in zh-CN');
	assert.equal(responses.length, 1);
	assert.equal(responses[0].status(), 413);
	assert.equal((await responses[0].json()).error.code, 'file_too_large');
	await sleep(500);
	assert.equal(await B.locator('.kefu-msg').count(), shown, 'no bubble for a file over the limit');
	assert.equal((await serverMessages(convId)).length, before, 'no message reached the server');
});

test('History shows the files in the transcript', { timeout: 60000 }, async () => {
	assert.ok(convId, 'needs the first test');
	await A.locator(`.conv-item[data-id="${convId}"]`).click();
	await A.click('#conv-close');
	await A.locator(`#group-closed .conv-item[data-id="${convId}"]`).waitFor();
	await A.click('nav [data-nav=history]');
	await A.locator('#panel-history').waitFor();
	await A.locator(`.history-item[data-id="${convId}"]`).click();
	const tr = A.locator('#history-transcript');
	await tr.waitFor();
	assert.ok((await imgWidth(tr.locator(`.msg[data-from=visitor] img.msg-img[alt="${PNG_NAME}"]`))) > 0, 'the PNG shows in History');
	await tr.locator('.msg[data-from=agent] a.msg-file', { hasText: TXT_NAME }).waitFor();
	assert.deepEqual(foreign, [], 'no request left the server origin, no page errors');
});
