// tests/e2e/help.test.mjs - the help centre and the widget's FAQ suggestions in a real browser.
//
//   node --test tests/e2e/help.test.mjs            (KEFU_BIN=path/to/kefu, default ./kefu)
//
// Starts kefu on a fresh data dir with an admin, creates a site and seeds a small knowledge base
// over the REST API (two-level categories, a public return policy, a members-only article), keeps
// an agent online over /ws/agent (so the widget shows the chat input, not the offline form), then
// drives Debian's chromium: (a) the help centre's home lists the categories and hot questions;
// (b) typing 退货 in the widget before any chat suggests the return-policy article and opens its
// answer in the panel; (c) the members-only article is hidden from an anonymous visitor and shown to
// one the shop signed (?cid=&sig=, then the cookie); (d) an article edited through the REST API
// shows the new text in the help centre. No request may leave the server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { KEFU_BIN, CHROMIUM, run, startServer, stopServer, watchForeign, client, sessionCookie, until, launchChromium } from './lib.mjs';

const EMAIL = 'admin@example.com';
const PASSWORD = 'correct-horse-battery-9';

let dataDir, server, serverLog = '', base = '', browser, ctx, page, api, site, agentWs;
const ids = {};
const foreign = [];
const call = (...args) => api.call(...args);

async function seed(path, body) {
	const r = await call('POST', `/api/v1/sites/${site.id}/kb/${path}`, body);
	assert.equal(r.status, 201, `POST ${path}: ${r.status} ${r.body}`);
	return r.json.category || r.json.article;
}

/* An agent socket that says "online", so the widget offers the chat input. */
function agentOnline(cookie) {
	return new Promise((res, rej) => {
		const ws = new WebSocket(base.replace('http', 'ws') + '/ws/agent', { headers: { Cookie: cookie }, origin: base });
		ws.on('error', rej);
		ws.on('open', () => ws.send(JSON.stringify({ type: 'hello' })));
		ws.on('message', (d) => {
			const f = JSON.parse(String(d));
			if (f.type === 'welcome') { ws.send(JSON.stringify({ type: 'status', status: 'online' })); res(ws); }
		});
	});
}

before(async () => {
	assert.ok(existsSync(KEFU_BIN), `${KEFU_BIN} not found: build it with make, or set KEFU_BIN`);
	assert.ok(existsSync(CHROMIUM), `${CHROMIUM} not found: scripts/deps check installs it`);
	dataDir = mkdtempSync(join(tmpdir(), 'kefu-e2e-help-'));
	const add = await run(['user', 'add', '--role', 'admin', '--name', '店长', '--data', dataDir, EMAIL], PASSWORD + '\n');
	assert.equal(add.code, 0, `kefu user add failed (${add.code}):\n${add.stdout}${add.stderr}`);
	const srv = startServer(dataDir, (d) => (serverLog += d));
	server = srv.proc;
	base = await srv.ready;
	api = client(base);
	const login = await call('POST', '/api/v1/auth/login', { email: EMAIL, password: PASSWORD });
	assert.equal(login.status, 200, 'login: ' + login.body);
	api.cookie = sessionCookie(login);
	api.csrf = login.json.csrf_token;
	const made = await call('POST', '/api/v1/sites', { name: '演示店', origins: [], greeting: '您好', preview: false });
	assert.equal(made.status, 201, 'POST /api/v1/sites: ' + made.body);
	site = made.json.site;
	assert.equal((await call('PUT', `/api/v1/sites/${site.id}/members`, { user_ids: [login.json.user.id] })).status, 200);

	const top = await seed('categories', { lang: 'zh-CN', name: '售后服务', slug: 'after-sales' });
	const sub = await seed('categories', { lang: 'zh-CN', name: '退换货', slug: 'returns', parent_id: top.id });
	ids.ret = (await seed('articles', { lang: 'zh-CN', status: 'published', visibility: 'public', category_id: sub.id,
		slug: 'return-policy', question: '退货政策是什么？', answer_md: '收到商品 **7 天内**可以无理由退货。', tags: ['退货'] })).id;
	ids.ship = (await seed('articles', { lang: 'zh-CN', status: 'published', visibility: 'public', category_id: top.id,
		slug: 'shipping', question: '多久发货？', answer_md: '下单后 48 小时内发货。' })).id;
	ids.vip = (await seed('articles', { lang: 'zh-CN', status: 'published', visibility: 'members', category_id: sub.id,
		slug: 'vip-returns', question: '会员延长退货期', answer_md: '会员享受 30 天退货。' })).id;
	agentWs = await agentOnline(api.cookie);

	browser = await launchChromium();
	ctx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 420, height: 800 } });
	ctx.setDefaultTimeout(8000);
	watchForeign(ctx, new URL(base).host, foreign);
	page = await ctx.newPage();
});

after(async () => {
	try { if (agentWs) agentWs.close(); } catch { /* gone */ }
	try { if (browser) await browser.close(); } catch { /* already gone */ }
	await stopServer(server);
	if (dataDir) rmSync(dataDir, { recursive: true, force: true });
	assert.deepEqual(foreign, [], 'no request left the server');
	assert.doesNotMatch(serverLog, /AddressSanitizer|runtime error:/);
});

test('(a) the help centre lists categories with sub-categories, hot questions and a search box', async () => {
	const res = await page.goto(`${base}/help/${site.key}`);
	assert.equal(res.status(), 200);
	assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
	assert.match(await page.title(), /帮助中心/);
	assert.match(await page.locator('#cats').innerText(), /售后服务[\s\S]*退换货/);
	assert.match(await page.locator('#hot').innerText(), /退货政策是什么？/);
	assert.doesNotMatch(await page.locator('main').innerText(), /会员延长退货期/, 'members-only is not listed to anonymous visitors');
	await page.fill('form.s input[name=q]', '发货');
	await page.press('form.s input[name=q]', 'Enter');
	await page.waitForURL(/\/search\?/);
	assert.match(await page.locator('#results').innerText(), /多久发货/);
	await page.click('#results a');
	await page.locator('h1', { hasText: '多久发货？' }).waitFor();
	await page.click('#vote-no');
	await page.locator('#chat a').waitFor();   // "no" offers a chat with a person
	await page.click('#chat a');
	await page.locator('#kefu-panel').waitFor({ state: 'visible' });   // the chat page opens the widget
});

test('(b) typing 退货 in the widget before any chat suggests the return policy and shows its answer', async () => {
	await page.goto(`${base}/demo?site=${encodeURIComponent(site.key)}`);
	await page.click('#kefu-launcher');
	const input = page.locator('#kefu-input');
	await input.waitFor({ state: 'visible' });
	await input.pressSequentially('退货', { delay: 30 });
	const item = page.locator('#kefu-suggest .kefu-suggest-item', { hasText: '退货政策是什么？' });
	await item.waitFor();
	assert.ok(await page.locator('#kefu-suggest .kefu-suggest-item').count() <= 3, 'at most three suggestions');
	await item.click();
	const answer = page.locator('#kefu-answer');
	await answer.waitFor();
	assert.match(await answer.innerText(), /7 天内/);
	const href = await answer.locator('a.kefu-answer-link').getAttribute('href');
	assert.equal(href, `${base}/help/${site.key}/a/return-policy?lang=zh-CN`);
	await page.click('#kefu-answer-close');
	await answer.waitFor({ state: 'detached' });
	await input.fill('');
	await input.pressSequentially('会员延长', { delay: 30 });
	await page.waitForTimeout(900);
	assert.equal(await page.locator('#kefu-suggest .kefu-suggest-item', { hasText: '会员延长退货期' }).count(), 0,
		'the widget does not suggest a members-only article to an anonymous visitor');
	// Once the visitor has a conversation, the widget stops suggesting.
	await input.fill('');
	await input.pressSequentially('你好', { delay: 30 });
	await input.press('Enter');
	await page.locator('.kefu-msg', { hasText: '你好' }).first().waitFor();
	await page.waitForTimeout(500);
	await input.pressSequentially('退货', { delay: 30 });
	await page.waitForTimeout(900);
	assert.equal(await page.locator('#kefu-suggest .kefu-suggest-item').count(), 0, 'no suggestions once a chat has started');
});

test('(c) a members-only article: 404 and not found for anonymous visitors, shown to a signed one', async () => {
	const anon = await page.goto(`${base}/help/${site.key}/a/vip-returns`);
	assert.equal(anon.status(), 404);
	await page.goto(`${base}/help/${site.key}/search?q=${encodeURIComponent('会员延长退货期')}`);
	assert.doesNotMatch(await page.locator('main').innerText(), /会员延长退货期。?\s*会员享受/);
	assert.equal(await page.locator('#results a', { hasText: '会员延长退货期' }).count(), 0);

	const sec = await call('GET', `/api/v1/sites/${site.id}/identity`);
	assert.equal(sec.status, 200, 'identity secret: ' + sec.body);
	const secret = sec.json.secret ?? sec.json.identity?.secret;
	const cid = 'shop-user-7';
	const sig = crypto.createHmac('sha256', secret).update(cid).digest('hex');
	const signed = await page.goto(`${base}/help/${site.key}/a/vip-returns?cid=${cid}&sig=${sig}`);
	assert.equal(signed.status(), 200);
	assert.match(await page.locator('.ans').innerText(), /30 天退货/);
	const again = await page.goto(`${base}/help/${site.key}/a/vip-returns`);   // the cookie keeps it
	assert.equal(again.status(), 200);
	await page.goto(`${base}/help/${site.key}/search?q=${encodeURIComponent('会员延长退货期')}`);
	await page.locator('#results a', { hasText: '会员延长退货期' }).waitFor();
	const cookies = await ctx.cookies(`${base}/help/${site.key}/a/vip-returns`);
	const c = cookies.find((x) => x.name === `kefu_kb_${site.id}`);
	assert.ok(c && c.httpOnly && c.sameSite === 'Lax', 'an HttpOnly SameSite=Lax cookie: ' + JSON.stringify(cookies));
	await ctx.clearCookies();
	assert.equal((await page.goto(`${base}/help/${site.key}/a/vip-returns`)).status(), 404, 'anonymous again without it');
});

test('(d) an article edited through the REST API appears updated in the help centre', async () => {
	const r = await call('PATCH', `/api/v1/kb/articles/${ids.ship}`, { question: '多久能发货？', answer_md: '现在下单 **24 小时内**发货。' });
	assert.equal(r.status, 200, 'PATCH: ' + r.body);
	await page.goto(`${base}/help/${site.key}/a/shipping`);
	assert.equal(await page.locator('h1').innerText(), '多久能发货？');
	assert.match(await page.locator('.ans').innerText(), /24 小时内/);
	assert.match(await page.title(), /多久能发货？/);
	await until(async () => {
		await page.goto(`${base}/help/${site.key}/c/after-sales`);
		return /多久能发货？/.test(await page.locator('main').innerText());
	}, 'the category page lists the new question');
});
