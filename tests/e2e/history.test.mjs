// tests/e2e/history.test.mjs - History (聊天记录), tags, canned responses and the widget's rating, end to end.
//
//   node --test tests/e2e/            (KEFU_BIN=path/to/kefu, default ./kefu)
//
// Starts kefu on a fresh data dir with an admin, creates a site over REST (any origin), and:
// a visitor on a raw WebSocket (the `ws` package) writes 我想退貨 (traditional) and ends the chat;
// the admin in the console (Debian's chromium through playwright-core) finds it in History by
// searching 退货 (simplified), reads it and fetches the three exports; sets tags in the inbox; makes,
// edits and deletes canned responses in Settings and inserts one with /shortcut; a second browser
// context is a visitor on /demo who ends the chat in the widget and rates it 5, which History shows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
	KEFU_BIN, CHROMIUM, run, startServer, stopServer, watchForeign, client, sessionCookie, sleep, launchChromium, signIn } from './lib.mjs';
import WebSocket from 'ws';

const EMAIL = 'admin@example.com';
const NAME = '店长';
const PASSWORD = 'correct-horse-battery-9';
const SITE_NAME = 'Demo shop 演示店';

let dataDir, server, serverLog = '', base = '', browser, agentCtx, visitorCtx, A, B;
let api = null, adminId = 0, site = null;
let conv1 = 0; // the raw-WebSocket visitor's conversation (我想退貨)
const foreign = [];

/* One HTTP request with the admin's session once signed in (lib.mjs client). */
const call = (...args) => api.call(...args);

/* A visitor on a raw WebSocket: frames are queued; next(pred) waits for the first matching one. */
function visitorSocket() {
	const ws = new WebSocket(base.replace(/^http/, 'ws') + '/ws/visitor?site=' + encodeURIComponent(site.key), { headers: { Origin: base } });
	const frames = [];
	const waiters = [];
	ws.on('message', (d) => {
		let f;
		try { f = JSON.parse(d.toString('utf8')); } catch { return; }
		frames.push(f);
		for (const w of [...waiters]) if (w.pred(f)) { waiters.splice(waiters.indexOf(w), 1); clearTimeout(w.timer); w.res(f); }
	});
	const opened = new Promise((res, rej) => { ws.once('open', res); ws.once('error', rej); });
	return {
		ws, frames, opened,
		send: (o) => ws.send(JSON.stringify(o)),
		next(pred, what, ms = 5000) {
			const hit = frames.find(pred);
			if (hit) { frames.splice(frames.indexOf(hit), 1); return Promise.resolve(hit); }
			return new Promise((res, rej) => {
				const w = { pred, res: (f) => { frames.splice(frames.indexOf(f), 1); res(f); } };
				w.timer = setTimeout(() => rej(new Error(`visitor socket: no ${what} in ${ms} ms; got ${JSON.stringify(frames)}`)), ms);
				waiters.push(w);
			});
		},
	};
}

async function openNav(id) {
	await A.click(`nav [data-nav=${id}]`);
	await A.locator('#panel-' + id).waitFor();
}

before(async () => {
	assert.ok(existsSync(KEFU_BIN), `${KEFU_BIN} not found: build it with make, or set KEFU_BIN`);
	assert.ok(existsSync(CHROMIUM), `${CHROMIUM} not found: scripts/deps check installs it`);
	dataDir = mkdtempSync(join(tmpdir(), 'kefu-e2e-history-'));
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
	const made = await call('POST', '/api/v1/sites', { name: SITE_NAME, origins: [], greeting: '您好！', preview: true });
	assert.equal(made.status, 201, 'POST /api/v1/sites: ' + made.status + ' ' + made.body);
	site = made.json.site;
	const mem = await call('PUT', `/api/v1/sites/${site.id}/members`, { user_ids: [adminId] });
	assert.equal(mem.status, 200, 'PUT members: ' + mem.status + ' ' + mem.body);

	browser = await launchChromium();
	const host = new URL(base).host;
	const watch = (ctx) => watchForeign(ctx, host, foreign);
	agentCtx = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 }, acceptDownloads: false });
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

test('History finds 我想退貨 by 退货, shows it read-only and exports it', { timeout: 60000 }, async () => {
	// The visitor (raw WebSocket) writes in traditional Chinese, then a line of markup, and ends the chat.
	const v = visitorSocket();
	await v.opened;
	v.send({ type: 'hello', lang: 'zh-TW' });
	await v.next((f) => f.type === 'welcome', 'welcome');
	v.send({ type: 'msg', client_id: 'h1', text: '我想退貨' });
	const ack = await v.next((f) => f.type === 'ack' && f.client_id === 'h1', 'ack');
	conv1 = ack.conversation_id;
	assert.ok(conv1 > 0);
	v.send({ type: 'msg', client_id: 'h2', text: '<img src=x onerror="window.__pwned=1">退貨要多久' });
	await v.next((f) => f.type === 'ack' && f.client_id === 'h2', 'ack 2');
	v.send({ type: 'close' });
	await v.next((f) => f.type === 'conversation' && f.conversation && f.conversation.status === 'closed', 'closed conversation');
	v.ws.close();

	// The agent signs in and opens History: with no words, the closed conversations.
	await A.goto(base + '/');
	await signIn(A, EMAIL, PASSWORD);
	assert.equal(await A.locator('nav [data-nav=history]').count(), 1, 'History is in the navigation');
	await openNav('history');
	const item = A.locator(`.history-item[data-id="${conv1}"]`);
	await item.waitFor();
	await A.locator('#history-count', { hasText: 'All closed conversations' }).waitFor();

	// A word that is nowhere: nothing. Then 退货 (simplified) finds the traditional 退貨.
	await A.fill('#history-q', '发票');
	await A.press('#history-q', 'Enter');
	await A.locator('#history-empty').waitFor();
	assert.equal(await item.count(), 0, 'a search for 发票 does not list the conversation');
	await A.fill('#history-q', '退货');
	await A.press('#history-q', 'Enter');
	await item.waitFor();
	await A.locator('#history-count', { hasText: 'Results' }).waitFor();
	assert.equal(await A.locator('.history-item').count(), 1, 'one conversation, listed once');
	assert.match(await item.textContent(), new RegExp(SITE_NAME), 'the item names the site');
	assert.match(await item.locator('.pill').textContent(), /Closed/);
	const marks = await item.locator('.hi-snippet mark').allTextContents();
	assert.ok(marks.length >= 1 && marks.every((m) => m === '退貨'), 'the query is highlighted in the snippet: ' + JSON.stringify(marks));
	assert.equal(await A.locator('.hi-snippet img, .hi-snippet b').count(), 0, 'snippets are text');

	// The transcript, read-only, and its exports.
	await item.click();
	const tr = A.locator('#history-transcript');
	await tr.locator('.msg[data-from=visitor]', { hasText: '我想退貨' }).waitFor();
	await tr.locator('.msg[data-from=visitor]', { hasText: '<img src=x' }).waitFor();
	assert.equal(await tr.locator('.msg-body img').count(), 0, 'markup in a message is text');
	assert.equal(await tr.locator('textarea, #reply-input').count(), 0, 'read-only');
	const types = { txt: /^text\/plain/, html: /^text\/html/, json: /^application\/json/ };
	for (const [fmt, re] of Object.entries(types)) {
		const link = A.locator('#export-' + fmt);
		const href = await link.getAttribute('href');
		assert.equal(href, `/api/v1/conversations/${conv1}/transcript?format=${fmt}`);
		assert.notEqual(await link.getAttribute('download'), null, `#export-${fmt} has a download attribute`);
		const res = await agentCtx.request.get(base + href); // the console's own cookies
		assert.equal(res.status(), 200, `export ${fmt}: ${res.status()}`);
		assert.match(res.headers()['content-type'] || '', re, `export ${fmt} content type`);
		assert.match(res.headers()['content-disposition'] || '', /^attachment/, `export ${fmt} is a download`);
		const body = await res.text();
		if (fmt === 'json') assert.ok(JSON.parse(body).messages.some((m) => m.text === '我想退貨'), 'the JSON export has the message');
		else assert.ok(body.includes('我想退貨'), `the ${fmt} export has the message`);
		if (fmt === 'html') assert.ok(!body.includes('<img src=x'), 'the HTML export escapes markup');
	}
});

test('tags: set in the inbox header, saved, shown in History', { timeout: 60000 }, async () => {
	const sorted = (a) => [...a].sort();
	assert.ok(conv1, 'needs the first test');
	await openNav('inbox');
	await A.click(`#group-closed .conv-item[data-id="${conv1}"]`);
	await A.locator('#conv-tags').waitFor();
	await A.fill('#conv-tags', '退货, vip');
	await A.press('#conv-tags', 'Enter');
	await A.locator('.conv-tags-list .tag', { hasText: 'vip' }).waitFor();
	let got = await call('GET', `/api/v1/conversations/${conv1}`);
	// (The server keeps tags in its own order: compare them sorted.)
	assert.deepEqual(sorted(got.json.conversation.tags), sorted(['退货', 'vip']), 'Enter saves the tags');

	// Blur saves too (space separated).
	await A.fill('#conv-tags', '退货 vip 加急');
	await A.locator('#reply-input').focus();
	await A.locator('.conv-tags-list .tag', { hasText: '加急' }).waitFor();
	got = await call('GET', `/api/v1/conversations/${conv1}`);
	assert.deepEqual(sorted(got.json.conversation.tags), sorted(['退货', 'vip', '加急']), 'blur saves the tags');

	await openNav('history');
	const tags = A.locator(`.history-item[data-id="${conv1}"] .tag`);
	await tags.first().waitFor();
	assert.deepEqual(sorted(await tags.allTextContents()), sorted(['退货', 'vip', '加急']));
});

test('canned responses: add, edit, delete in Settings; /shortcut in the reply box', { timeout: 60000 }, async () => {
	assert.ok(conv1, 'needs the first test');
	await openNav('settings');
	await A.locator('#canned-form').waitFor();
	const add = async (sc, text) => {
		await A.fill('#canned-shortcut', sc);
		await A.fill('#canned-text', text);
		await A.click('#canned-save');
	};
	const THANKS = '您好 {visitor_name}，我是 {agent_name}，欢迎光临 {site_name}！';
	await add('thanks', THANKS);
	await A.locator('.canned-row[data-shortcut=thanks]').waitFor();
	await add('bye', 'Bye');
	await A.locator('.canned-row[data-shortcut=bye]').waitFor();
	await add('thanks', 'again');
	await A.locator('#canned-form .error', { hasText: 'already exists' }).waitFor();

	// Edit "bye", then delete it (the button asks once more).
	await A.click('.canned-row[data-shortcut=bye] .canned-edit');
	await A.fill('.canned-row[data-shortcut=bye] .canned-edit-text', 'Bye {visitor_name}');
	await A.click('.canned-row[data-shortcut=bye] .canned-update');
	await A.locator('.canned-row[data-shortcut=bye] .canned-text', { hasText: 'Bye {visitor_name}' }).waitFor();
	let list = await call('GET', '/api/v1/canned');
	assert.equal(list.json.canned.find((c) => c.shortcut === 'bye').text, 'Bye {visitor_name}', 'the edit is saved');
	await A.click('.canned-row[data-shortcut=bye] .canned-delete');
	await A.click('.canned-row[data-shortcut=bye] .canned-delete.danger');
	await A.locator('.canned-row[data-shortcut=bye]').waitFor({ state: 'detached' });
	list = await call('GET', '/api/v1/canned');
	assert.deepEqual(list.json.canned.map((c) => c.shortcut), ['thanks'], 'bye is deleted');

	// In the conversation: "/tha" lists it; Enter inserts it with the variables filled in.
	await openNav('inbox');
	await A.click(`#group-closed .conv-item[data-id="${conv1}"]`);
	const box = A.locator('#reply-input');
	await box.click();
	await box.pressSequentially('/tha');
	await A.locator('.canned-item[data-shortcut=thanks]').waitFor();
	assert.equal(await A.locator('.canned-item').count(), 1);
	await box.press('Enter');
	const filled = `您好 customer，我是 ${NAME}，欢迎光临 ${SITE_NAME}！`;
	assert.equal(await box.inputValue(), filled, 'Enter inserts the text with the variables replaced');
	await A.locator('.canned-item').waitFor({ state: 'detached' });
	assert.equal(await A.locator('.msgs .msg', { hasText: '欢迎光临' }).count(), 0, 'inserting does not send');

	// A click inserts too; "/" not at the start does nothing; no match, no list.
	await box.fill('');
	await box.pressSequentially('/');
	await A.click('.canned-item[data-shortcut=thanks]');
	assert.equal(await box.inputValue(), filled);
	await box.fill('');
	await box.pressSequentially('a /tha');
	await sleep(200);
	assert.equal(await A.locator('.canned-item').count(), 0, 'only at the start of the box');
	await box.fill('');
	await box.pressSequentially('/zzz');
	await sleep(200);
	assert.equal(await A.locator('.canned-item').count(), 0);
	await box.fill('');
});

test('widget: the visitor ends the chat, rates it 5, History shows the rating', { timeout: 60000 }, async () => {
	await B.goto(`${base}/demo?site=${encodeURIComponent(site.key)}`);
	await B.click('#kefu-launcher');
	await B.locator('#kefu-panel').waitFor();
	assert.equal(await B.locator('#kefu-end').isVisible(), false, 'no end button before there is a conversation');
	await B.fill('#kefu-input', '你好，请问在吗');
	await B.press('#kefu-input', 'Enter');
	const first = B.locator('.kefu-msg[data-from=visitor][data-state=delivered]', { hasText: '请问在吗' });
	await first.waitFor();
	const conv2 = +(await first.getAttribute('data-cid'));
	assert.ok(conv2 > conv1, 'a new conversation: ' + conv2);
	assert.equal((await B.textContent('#kefu-end')).trim(), '结束对话');

	await B.click('#kefu-end');
	await B.locator('#kefu-rate').waitFor();
	await B.locator('#kefu-end').waitFor({ state: 'hidden' });
	assert.equal(await B.locator('.kefu-star').count(), 5);
	assert.equal(await B.locator('#kefu-rate-send').isDisabled(), true, 'pick a star first');
	await B.click('.kefu-star[data-v="5"]');
	assert.equal(await B.locator('.kefu-star[aria-pressed=true]').count(), 5);
	await B.fill('#kefu-rate-comment', '服务很好');
	await B.click('#kefu-rate-send');
	await B.locator('#kefu-thanks', { hasText: '感谢' }).waitFor();
	await B.locator('#kefu-rate').waitFor({ state: 'detached' });

	let rating = null;
	for (let i = 0; i < 50 && !rating; i++) {
		const got = await call('GET', `/api/v1/conversations/${conv2}`);
		rating = got.json && got.json.conversation.rating;
		if (!rating) await sleep(100);
	}
	assert.deepEqual(rating, { rating: 5, comment: '服务很好' }, 'the server has the rating');

	// History: the item carries five stars; the rating filter keeps it and drops the unrated one.
	await openNav('history');
	const item = A.locator(`.history-item[data-id="${conv2}"]`);
	await item.waitFor();
	assert.equal(await item.getAttribute('data-rating'), '5');
	assert.equal(await item.locator('.stars').getAttribute('data-rating'), '5');
	assert.match(await item.locator('.stars').textContent(), /★★★★★/);
	await A.selectOption('#history-rating', '5');
	await A.locator(`.history-item[data-id="${conv1}"]`).waitFor({ state: 'detached' });
	await item.waitFor();
	await item.click();
	await A.locator('#history-rating[data-rating="5"]', { hasText: '服务很好' }).waitFor();

	// A new message after closing starts a new conversation in the widget.
	await B.fill('#kefu-input', '还有一个问题');
	await B.press('#kefu-input', 'Enter');
	const again = B.locator('.kefu-msg[data-from=visitor][data-state=delivered]', { hasText: '还有一个问题' });
	await again.waitFor();
	const conv3 = +(await again.getAttribute('data-cid'));
	assert.ok(conv3 > conv2, `the new message went to a new conversation (${conv3} after ${conv2})`);
	await B.locator('#kefu-end').waitFor();

	assert.equal(await A.evaluate(() => window.__pwned), undefined);
	assert.deepEqual(foreign, [], 'no request left the server origin, no page errors');
});
