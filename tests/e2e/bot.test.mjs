// The FAQ bot in the real pages (issue 5), headless Chromium: a visitor asks a question the
// knowledge base answers; the widget shows the automatic answer (marked so, with a link to the
// article) and asks whether it helped; "转人工" hands the chat to the agent, whose console gets
// the offer and sees the bot's attempt in the conversation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KEFU_BIN, CHROMIUM, run, startServer, stopServer, watchForeign, client, sessionCookie, launchChromium, until, signIn } from './lib.mjs';

const ADMIN = { email: 'admin@example.com', password: 'correct-horse-battery-9', name: '店长' };
let dataDir, server, base = '', browser, api, site;
const foreign = [];
const call = (...args) => api.call(...args);

before(async () => {
	assert.ok(existsSync(KEFU_BIN), `${KEFU_BIN} not found`);
	assert.ok(existsSync(CHROMIUM), `${CHROMIUM} not found`);
	dataDir = mkdtempSync(join(tmpdir(), 'kefu-e2e-bot-'));
	const r = await run(['user', 'add', '--role', 'admin', '--name', ADMIN.name, '--data', dataDir, ADMIN.email], ADMIN.password + '\n');
	assert.equal(r.code, 0, r.stdout + r.stderr);
	const srv = startServer(dataDir);
	server = srv.proc;
	base = await srv.ready;
	api = client(base);
	const login = await call('POST', '/api/v1/auth/login', { email: ADMIN.email, password: ADMIN.password });
	api.cookie = sessionCookie(login);
	api.csrf = login.json.csrf_token;
	site = (await call('POST', '/api/v1/sites', { name: '演示商店', origins: [], greeting: '您好' })).json.site;
	assert.equal((await call('PUT', `/api/v1/sites/${site.id}/members`, { user_ids: [login.json.user.id] })).status, 200);
	const a = await call('POST', `/api/v1/sites/${site.id}/kb/articles`, {
		lang: 'zh-CN', slug: 'return-policy', status: 'published', visibility: 'public', tags: ['退货'],
		question: '退货政策是什么？', alt_questions: '怎么退货\n可以退货吗',
		answer_md: '收到商品 **7 天内**可以无理由退货。', });
	assert.equal(a.status, 201, a.body.toString());
	assert.equal((await call('PUT', `/api/v1/sites/${site.id}/bot`, { mode: 'always', threshold: 0.3, name: '小助手' })).status, 200);
	browser = await launchChromium();
});

after(async () => {
	try { if (browser) await browser.close(); } catch { /* gone */ }
	await stopServer(server);
	if (dataDir) rmSync(dataDir, { recursive: true, force: true });
	assert.deepEqual(foreign, [], 'no request left the server origin');
});

test('the bot answers a known question and hands over on "no"', { timeout: 90000 }, async () => {
	const actx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 860 } });
	actx.setDefaultTimeout(10000);
	watchForeign(actx, new URL(base).host, foreign);
	const A = await actx.newPage();
	await A.goto(base + '/');
	await signIn(A, ADMIN.email, ADMIN.password);
	await A.click('nav [data-nav=inbox]');
	await A.selectOption('#agent-status', 'online');
	await until(async () => (await call('GET', '/api/v1/routing/agents')).json.agents.some((x) => x.status === 'online'), 'agent online');

	const vctx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1000, height: 800 } });
	vctx.setDefaultTimeout(10000);
	watchForeign(vctx, new URL(base).host, foreign);
	const V = await vctx.newPage();
	await V.goto(`${base}/demo?site=${encodeURIComponent(site.key)}`);
	await V.click('#kefu-launcher');
	await V.fill('#kefu-input', '请问怎么退货？');
	await V.press('#kefu-input', 'Enter');
	const bot = V.locator('.kefu-bot');
	await bot.waitFor();
	assert.match(await bot.textContent(), /7 天内/);
	await V.locator('.kefu-bot .kefu-bot-tag', { hasText: '自动回复' }).waitFor();
	assert.match(await V.locator('.kefu-bot-ask a').getAttribute('href'), /\/help\/.+\/a\/return-policy$/);
	// the agent is not offered it while the bot holds it
	await V.waitForTimeout(800);
	assert.equal(await A.locator('.pill.offered.to-me').count(), 0);
	await A.locator('.pill.bot-held').first().waitFor();

	// a reload keeps the question open: the buttons come back with the history
	await V.reload();
	await V.click('#kefu-launcher');
	await V.locator('.kefu-bot #kefu-bot-no').waitFor();
	await V.click('#kefu-bot-no');
	await V.locator('.kefu-bot-done', { hasText: '转接人工' }).waitFor();
	const item = A.locator('.conv-item', { has: A.locator('.pill.offered.to-me') });
	await item.first().waitFor();
	await item.first().click();
	await A.locator('.msgs .msg', { hasText: '7 天内' }).first().waitFor();   // the bot's attempt
	await A.click('#offer-accept');
	await A.fill('#reply-input', '您好，我来帮您办理退货');
	await A.press('#reply-input', 'Enter');
	await V.locator('.kefu-msg[data-from=agent]', { hasText: '我来帮您办理退货' }).waitFor();
	await actx.close();
	await vctx.close();
});
