// Routing in the real pages (issue 4), headless Chromium:
//  (a) a visitor who picks a department in the pre-chat form reaches an agent of that department
//      (offered to them, accepted from the offer bar); the other agent is never offered it;
//  (b) a transfer moves the chat, with its history and an internal note, to another agent, who
//      accepts it; the visitor is told;
//  (c) with every agent at their limit the visitor sees queue position 1 and is served when the
//      agent closes another chat.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KEFU_BIN, CHROMIUM, run, startServer, stopServer, watchForeign, client, sessionCookie, launchChromium, until, signIn } from './lib.mjs';

const ADMIN = { email: 'admin@example.com', password: 'correct-horse-battery-9', name: '店长' };
const A1 = { email: 'li@example.com', password: 'agent-one-password-1', name: '小李' };
const A2 = { email: 'zhao@example.com', password: 'agent-two-password-2', name: '小赵' };

let dataDir, server, base = '', browser, api, ids = {}, s1, s2, dPre, dPost;
const foreign = [];
const call = (...args) => api.call(...args);
const shadow = (page, sel) => page.locator('#kefu-widget').locator(sel);

async function addUser(u, role) {
	const r = await run(['user', 'add', '--role', role, '--name', u.name, '--data', dataDir, u.email], u.password + '\n');
	assert.equal(r.code, 0, `kefu user add ${u.email}: ${r.stdout}${r.stderr}`);
}

/* A signed-in console in its own context, on the inbox, online. */
async function console_(u) {
	const ctx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 860 } });
	ctx.setDefaultTimeout(10000);
	watchForeign(ctx, new URL(base).host, foreign);
	const p = await ctx.newPage();
	await p.goto(base + '/');
	await signIn(p, u.email, u.password);
	await p.click('nav [data-nav=inbox]');
	await p.locator('#agent-status').waitFor();
	await p.selectOption('#agent-status', 'online');
	await until(async () => (await call('GET', '/api/v1/routing/agents')).json.agents.some((a) => a.name === u.name && a.status === 'online'), `${u.name} online`);
	return { ctx, p };
}

/* A fresh visitor on the demo shop of site, the panel open. */
async function visitor(site) {
	const ctx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1000, height: 800 } });
	ctx.setDefaultTimeout(10000);
	watchForeign(ctx, new URL(base).host, foreign);
	const p = await ctx.newPage();
	await p.goto(`${base}/demo?site=${encodeURIComponent(site.key)}`);
	await p.click('#kefu-launcher');
	await p.locator('#kefu-panel').waitFor();
	return { ctx, p };
}

async function say(v, text) {
	await v.p.fill('#kefu-input', text);
	await v.p.press('#kefu-input', 'Enter');
	await v.p.locator('.kefu-msg[data-from=visitor][data-state=delivered]', { hasText: text }).waitFor();
}

/* The agent's inbox item offered to them with this text, opened; then accept from the offer bar. */
async function acceptOffer(a, text) {
	const item = a.p.locator('.conv-item', { has: a.p.locator('.pill.offered.to-me') }).filter({ hasText: text });
	await item.first().waitFor();
	const id = +(await item.first().getAttribute('data-id'));
	await item.first().click();
	await a.p.locator('#offer-bar').waitFor();
	await a.p.click('#offer-accept');
	await a.p.locator('#offer-bar').waitFor({ state: 'detached' });
	await a.p.locator(`#group-active .conv-item[data-id="${id}"]`).waitFor();
	return id;
}

before(async () => {
	assert.ok(existsSync(KEFU_BIN), `${KEFU_BIN} not found: build it with make, or set KEFU_BIN`);
	assert.ok(existsSync(CHROMIUM), `${CHROMIUM} not found: scripts/deps check installs it`);
	dataDir = mkdtempSync(join(tmpdir(), 'kefu-e2e-routing-'));
	await addUser(ADMIN, 'admin');
	await addUser(A1, 'agent');
	await addUser(A2, 'agent');
	const srv = startServer(dataDir);
	server = srv.proc;
	base = await srv.ready;
	api = client(base);
	const login = await call('POST', '/api/v1/auth/login', { email: ADMIN.email, password: ADMIN.password });
	assert.equal(login.status, 200);
	api.cookie = sessionCookie(login);
	api.csrf = login.json.csrf_token;
	for (const u of (await call('GET', '/api/v1/users')).json.users) ids[u.email] = u.id;
	s1 = (await call('POST', '/api/v1/sites', { name: '数码商城', origins: [], greeting: '您好' })).json.site;
	s2 = (await call('POST', '/api/v1/sites', { name: '小店', origins: [], greeting: '您好' })).json.site;
	assert.equal((await call('PUT', `/api/v1/sites/${s1.id}/members`, { user_ids: [ids[A1.email], ids[A2.email]] })).status, 200);
	assert.equal((await call('PUT', `/api/v1/sites/${s2.id}/members`, { user_ids: [ids[A1.email]] })).status, 200);
	dPre = (await call('POST', `/api/v1/sites/${s1.id}/departments`, { name: '售前咨询', members: [ids[A1.email]] })).json.department;
	dPost = (await call('POST', `/api/v1/sites/${s1.id}/departments`, { name: '售后服务', members: [ids[A2.email]] })).json.department;
	assert.ok(dPre && dPost, 'departments made');
	browser = await launchChromium();
});

after(async () => {
	try { if (browser) await browser.close(); } catch { /* gone */ }
	await stopServer(server);
	if (dataDir) rmSync(dataDir, { recursive: true, force: true });
	assert.deepEqual(foreign, [], 'no request left the server origin');
});

let a1, a2;

test('(a) a visitor who picks a department reaches an agent of that department', { timeout: 90000 }, async () => {
	a1 = await console_(A1);
	a2 = await console_(A2);
	const v = await visitor(s1);
	// The pre-chat form offers the site's departments (the site has no other pre-chat fields).
	await v.p.locator('#kefu-prechat').waitFor();
	const opts = await v.p.locator('#kefu-f-department option').allTextContents();
	assert.deepEqual(opts.map((o) => o.trim()), ['不限', '售前咨询', '售后服务']);
	await v.p.selectOption('#kefu-f-department', { label: '售后服务' });
	await v.p.click('#kefu-prechat-send');
	// The visitor moves to a product page before asking: the choice goes along.
	await v.p.goto(`${base}/demo/earbuds?site=${encodeURIComponent(s1.key)}`);
	await v.p.click('#kefu-launcher');
	await v.p.locator('#kefu-input').waitFor();
	const q = '我买的耳机坏了，怎么保修？';
	await say(v, q);
	// Offered to 小赵 (售后服务), who accepts from the offer bar.
	const conv = await acceptOffer(a2, q);
	await a2.p.locator(`#group-active .conv-item[data-id="${conv}"]`).waitFor();
	await a2.p.fill('#reply-input', '您好，我是售后小赵');
	await a2.p.press('#reply-input', 'Enter');
	await v.p.locator('.kefu-msg[data-from=agent]', { hasText: '您好，我是售后小赵' }).waitFor();
	// 小李 (售前咨询 only) sees the chat but was never offered it.
	await a1.p.locator(`.conv-item[data-id="${conv}"]`).waitFor();
	assert.equal(await a1.p.locator(`.conv-item[data-id="${conv}"] .pill.to-me`).count(), 0);
	const c = (await call('GET', `/api/v1/conversations/${conv}`)).json.conversation;
	assert.equal(c.department.name, '售后服务');
	assert.equal(c.agent.id, ids[A2.email]);
	await v.ctx.close();
});

test('(b) a transfer moves the chat with its history and a note; the visitor is told', { timeout: 90000 }, async () => {
	const v = await visitor(s1);
	await v.p.locator('#kefu-prechat').waitFor();
	await v.p.selectOption('#kefu-f-department', { label: '售前咨询' });
	await v.p.click('#kefu-prechat-send');
	const q = '这款手机有现货吗？顺便想退一个旧订单';
	await say(v, q);
	const conv = await acceptOffer(a1, q);
	await a1.p.fill('#reply-input', '有现货的，我是小李');
	await a1.p.press('#reply-input', 'Enter');
	await v.p.locator('.kefu-msg[data-from=agent]', { hasText: '有现货的，我是小李' }).waitFor();

	// 小李 transfers to 小赵 with an internal note.
	await a1.p.click('#conv-transfer');
	await a1.p.locator('#transfer-dialog').waitFor();
	await a1.p.selectOption('#transfer-target', `a:${ids[A2.email]}`);
	await a1.p.fill('#transfer-note', '客户还要退旧订单 8848');
	await a1.p.click('#transfer-send');
	await v.p.locator('.kefu-msg', { hasText: '正在为您转接' }).waitFor();

	// 小赵 accepts and sees the whole history, the note included.
	await acceptOffer(a2, '');
	await a2.p.locator(`.conv-item[data-id="${conv}"]`).click();
	for (const text of [q, '有现货的，我是小李', '客户还要退旧订单 8848'])
		await a2.p.locator('.msgs .msg', { hasText: text }).first().waitFor();
	await a2.p.locator('.msgs .msg.kind-note', { hasText: '8848' }).first().waitFor();
	await a2.p.fill('#reply-input', '您好，旧订单由我来处理');
	await a2.p.press('#reply-input', 'Enter');
	await v.p.locator('.kefu-msg[data-from=agent]', { hasText: '旧订单由我来处理' }).waitFor();
	assert.equal(await v.p.locator('.kefu-msg', { hasText: '8848' }).count(), 0, 'the note never reaches the visitor');
	const c = (await call('GET', `/api/v1/conversations/${conv}`)).json.conversation;
	assert.equal(c.agent.id, ids[A2.email], 'the chat is 小赵\'s now');
	await v.ctx.close();
});

test('(c) every agent at their limit: the visitor queues at position 1 and is served when a place frees', { timeout: 90000 }, async () => {
	// 小李 alone serves the small shop, one chat at a time (the socket reads the limit when it opens).
	assert.equal((await call('PATCH', `/api/v1/users/${ids[A1.email]}`, { max_chats: 1 })).status, 200);
	await a1.p.reload();
	await a1.p.locator('#agent-status').waitFor();
	await a1.p.selectOption('#agent-status', 'online');
	// close what 小李 holds from (b)? (b) moved it to 小赵; nothing else is open for 小李.
	const v1 = await visitor(s2);
	await say(v1, '第一位顾客');
	const c1 = await acceptOffer(a1, '第一位顾客');

	const v2 = await visitor(s2);
	await say(v2, '第二位顾客');
	const queue = shadow(v2.p, '#kefu-queue');
	await queue.waitFor();
	assert.match(await queue.textContent(), /第 1 位/);

	// 小李 ends the first chat; the second is offered to them, accepted, and the queue line goes.
	await a1.p.locator(`.conv-item[data-id="${c1}"]`).click();
	await a1.p.click('#conv-close');
	await acceptOffer(a1, '第二位顾客');
	await queue.waitFor({ state: 'hidden' });
	await a1.p.fill('#reply-input', '让您久等了');
	await a1.p.press('#reply-input', 'Enter');
	await v2.p.locator('.kefu-msg[data-from=agent]', { hasText: '让您久等了' }).waitFor();
	await v1.ctx.close();
	await v2.ctx.close();
	await a1.ctx.close();
	await a2.ctx.close();
});
