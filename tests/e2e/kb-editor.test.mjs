// tests/e2e/kb-editor.test.mjs - the knowledge-base editor (知识库) and the FAQ helper of the
// agent's reply box, end to end in Chromium (web/src/kb.js).
//
//   KEFU_BIN=path/to/kefu node --test tests/e2e/kb-editor.test.mjs
//
// (1) An admin creates a category and an article in the console; the live preview shows the
//     Markdown rendered by the server, while a <script> and an <img onerror> in the Markdown never
//     run and add no element; the article is published, edited (two revisions listed) and the
//     first revision restored (the answer is back, as the API confirms).
// (1b) Categories get a child, a new name and a new order; a CSV file imports through the file
//     input and the JSON export holds what was imported.
// (2) The editor's report lists a search that found nothing, and "write an article" opens the
//     editor with that question filled in.
// (3) In the inbox, a visitor asks about returns: the reply box suggests the article (建议答案) and
//     inserts it; the FAQ popover finds it by typing and inserts its text and help-centre link.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
	KEFU_BIN, CHROMIUM, run, startServer, stopServer, watchForeign, client, sessionCookie, launchChromium, until, signIn } from './lib.mjs';

const EMAIL = 'admin@example.com';
const PASSWORD = 'correct-horse-battery-9';
const CAT = '退货与退款';
const QUESTION = '如何申请退货？';
const ANSWER1 = '收到商品 **7 天内** 可以申请退货。\n\n<script>window.__kbXss = 1</script>\n\n<img src="x" onerror="window.__kbXss = 2">\n\n- 登录账号\n- 打开订单';
const ANSWER2 = '收到商品 **15 天内** 可以申请退货，详见 [退货政策](https://shop.example/returns)。';
const MISSING = '火星快递怎么寄';

let dataDir, server, serverLog = '', base = '', browser, api, site, adminPage, adminCtx, articleId = 0, slug = '';
const foreign = [];

before(async () => {
	assert.ok(existsSync(KEFU_BIN), `${KEFU_BIN} not found: build it with make, or set KEFU_BIN`);
	assert.ok(existsSync(CHROMIUM), `${CHROMIUM} not found: scripts/deps check installs it`);
	dataDir = mkdtempSync(join(tmpdir(), 'kefu-e2e-kb-'));
	const add = await run(['user', 'add', '--role', 'admin', '--name', 'Boss', '--data', dataDir, EMAIL], PASSWORD + '\n');
	assert.equal(add.code, 0, add.stderr);
	const srv = startServer(dataDir, (d) => (serverLog += d));
	server = srv.proc;
	base = await srv.ready;
	api = client(base);
	const login = await api.call('POST', '/api/v1/auth/login', { email: EMAIL, password: PASSWORD });
	api.cookie = sessionCookie(login);
	api.csrf = login.json.csrf_token;
	site = (await api.call('POST', '/api/v1/sites', { name: '知识库商店', origins: [], greeting: '您好' })).json.site;
	assert.equal((await api.call('PUT', `/api/v1/sites/${site.id}/members`, { user_ids: [login.json.user.id] })).status, 200);
	browser = await launchChromium();
	adminCtx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1500, height: 1000 } });
	adminCtx.setDefaultTimeout(10000);
	watchForeign(adminCtx, new URL(base).host, foreign);
	adminPage = await adminCtx.newPage();
	adminPage.on('dialog', (d) => d.accept());
	await adminPage.goto(base + '/');
	await signIn(adminPage, EMAIL, PASSWORD);
	await adminPage.selectOption('#lang-switch', 'zh-CN');
});

after(async () => {
	try { if (browser) await browser.close(); } catch { /* already gone */ }
	await stopServer(server);
	if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/* The preview once the server's html for the current Markdown is in. */
async function previewHtml(p, contains) {
	await p.waitForFunction((s) => {
		const el = document.querySelector('#kb-preview');
		return el && el.dataset.state === 'ready' && el.innerHTML.includes(s);
	}, contains);
	return p.innerHTML('#kb-preview');
}

test('(1) create, preview safely, publish, edit, two revisions, restore the first', { timeout: 90000 }, async () => {
	const p = adminPage;
	await p.click('nav [data-nav=kb]');
	await p.locator('#kb-panel').waitFor();
	await p.selectOption('#kb-lang', 'zh-CN');

	// A category, then select it.
	await p.fill('#kb-cat-name', CAT);
	await p.click('#kb-cat-add');
	const cat = p.locator('.kb-cat[data-id]', { hasText: CAT });
	await cat.waitFor();
	const catId = +(await cat.getAttribute('data-id'));
	assert.ok(catId > 0, 'the category has an id');
	await cat.locator('.kb-cat-pick').click();

	// A new article: the preview is the server's safe rendering.
	await p.click('#kb-new-article');
	await p.fill('#kb-question', QUESTION);
	await p.fill('#kb-alt', '怎么退货\n退货流程');
	await p.fill('#kb-answer', ANSWER1);
	const html1 = await previewHtml(p, '7 天内');
	assert.match(html1, /<strong>7 天内<\/strong>/, 'Markdown emphasis is rendered');
	assert.match(html1, /<li>登录账号<\/li>/, 'a list is rendered');
	assert.equal(await p.locator('#kb-preview script').count(), 0, 'no <script> element in the preview');
	assert.equal(await p.locator('#kb-preview img[onerror]').count(), 0, 'no element with an onerror handler');
	assert.equal(await p.locator('#kb-preview [onerror], #kb-preview [onclick]').count(), 0, 'no event handler attributes');
	await p.waitForTimeout(300); // an <img src=x> would have failed to load by now
	assert.equal(await p.evaluate(() => window.__kbXss), undefined, 'nothing from the Markdown ran');
	assert.equal(await p.inputValue('#kb-category'), String(catId), 'a new article starts in the selected category');

	await p.fill('#kb-tags', '退货 售后');
	await p.selectOption('#kb-visibility', 'public');
	await p.selectOption('#kb-status', 'published');
	await p.click('#kb-save');
	await p.locator('#kb-editor[data-rev="1"]').waitFor();
	articleId = +(await p.getAttribute('#kb-editor', 'data-id'));
	assert.ok(articleId > 0, 'the article got an id');
	const item = p.locator(`.kb-article[data-id="${articleId}"]`);
	await item.waitFor();
	assert.match(await item.textContent(), /如何申请退货/);
	assert.equal(await item.locator('[data-status]').getAttribute('data-status'), 'published', 'the list shows it published');
	assert.equal(await item.locator('[data-visibility]').getAttribute('data-visibility'), 'public');

	const a1 = (await api.call('GET', `/api/v1/kb/articles/${articleId}`)).json;
	const art1 = a1.article || a1;
	assert.equal(art1.question, QUESTION);
	assert.equal(art1.status, 'published');
	assert.equal(art1.category_id, catId);
	assert.deepEqual([...art1.tags].sort(), ['售后', '退货'].sort());
	slug = art1.slug;
	assert.ok(slug, 'the article has a slug');

	// Edit the answer: revision 2, and the history lists two revisions.
	await p.fill('#kb-answer', ANSWER2);
	await previewHtml(p, '15 天内');
	assert.match(await p.innerHTML('#kb-preview'), /<a href="https:\/\/shop\.example\/returns">退货政策<\/a>/);
	await p.click('#kb-save');
	await p.locator('#kb-editor[data-rev="2"]').waitFor();
	await until(async () => (await p.locator('#kb-revisions .kb-rev').count()) === 2, 'two revisions listed');

	// Restore the first: a third revision whose answer is the first one's.
	await p.click('#kb-revisions .kb-rev[data-rev="1"] .kb-restore');
	await p.locator('#kb-editor[data-rev="3"]').waitFor();
	assert.equal(await p.inputValue('#kb-answer'), ANSWER1, 'the editor shows the restored answer');
	await until(async () => (await p.locator('#kb-revisions .kb-rev').count()) === 3, 'three revisions listed');
	const a3 = (await api.call('GET', `/api/v1/kb/articles/${articleId}`)).json;
	assert.equal((a3.article || a3).answer_md, ANSWER1, 'the server holds the restored answer');
	assert.equal((a3.article || a3).status, 'published');
});

test('(1b) categories: sub-category, rename, reorder; CSV import through the file input; JSON export', { timeout: 60000 }, async () => {
	const p = adminPage;
	await p.locator('#kb-panel').waitFor();
	// A second top-level category and a child of the first; the second moves above the first.
	await p.fill('#kb-cat-name', '发票');
	await p.click('#kb-cat-add');
	await p.locator('.kb-cat.level-1', { hasText: '发票' }).waitFor();
	const secondId = await p.locator('.kb-cat.level-1', { hasText: '发票' }).getAttribute('data-id');
	const second = p.locator(`.kb-cat[data-id="${secondId}"]`); // by id: while renamed its name is an input's value
	await p.fill('#kb-cat-name', '退款进度');
	await p.selectOption('#kb-cat-parent', { label: CAT });
	await p.click('#kb-cat-add');
	await p.locator('.kb-cat.level-2', { hasText: '退款进度' }).waitFor();
	await second.locator('.kb-up').click();
	await until(async () => (await p.locator('.kb-cat.level-1 .kb-cat-pick').allTextContents())[0] === '发票', 'the moved category on top');
	await second.locator('.kb-rename').click();
	await second.locator('.kb-cat-rename input').fill('发票与报销');
	await second.locator('.kb-cat-rename button[type=submit]').click();
	await p.locator('.kb-cat.level-1', { hasText: '发票与报销' }).waitFor();
	const cats = (await api.call('GET', `/api/v1/sites/${site.id}/kb/categories?lang=zh-CN`)).json.categories;
	const byName = Object.fromEntries(cats.map((c) => [c.name, c]));
	assert.ok(byName['发票与报销'] && byName[CAT] && byName['退款进度'], JSON.stringify(cats));
	assert.ok(byName['发票与报销'].position < byName[CAT].position, 'the reorder reached the server');
	assert.equal(byName['退款进度'].parent_id, byName[CAT].id, 'the sub-category sits under its parent');

	// CSV (with a BOM, Chinese text) through the import input; both rows land.
	await p.click('#kb-cat-all');
	const csv = '\uFEFFlang,slug,question,answer_md,status\nzh-CN,fapiao,怎么开发票？,在订单页点 **申请发票**。,published\nzh-CN,yunfei,运费怎么算？,满 99 元包邮。,draft\n';
	await p.setInputFiles('#kb-import', { name: 'faq.csv', mimeType: 'text/csv', buffer: Buffer.from(csv, 'utf8') });
	await p.locator('#kb-import-result').waitFor();
	assert.match(await p.textContent('#kb-import-result'), /新建 2 篇/, 'two articles created');
	await p.locator('.kb-article', { hasText: '怎么开发票' }).waitFor();
	await p.locator('.kb-article', { hasText: '运费怎么算' }).waitFor();
	const href = await p.getAttribute('#kb-export-json', 'href');
	assert.equal(href, `/api/v1/sites/${site.id}/kb/export?format=json`);
	const out = JSON.parse((await api.call('GET', href)).body.toString('utf8'));
	const slugs = (out.articles || []).map((a) => a.slug);
	assert.ok(slugs.includes('fapiao') && slugs.includes('yunfei'), 'the export holds the imported articles: ' + slugs);
});

test('(2) the report lists a search without results; "write an article" prefills the question', { timeout: 60000 }, async () => {
	const r = await api.call('GET', `/api/v1/sites/${site.id}/kb/search?q=${encodeURIComponent(MISSING)}&lang=zh-CN`);
	assert.equal(r.status, 200, JSON.stringify(r.json));
	assert.equal(r.json.hits.length, 0, 'the query finds nothing');
	const p = adminPage;
	await p.click('#kb-tab-report');
	await p.locator('#kb-report [data-ready]').waitFor();
	const row = p.locator('#kb-rep-noresult tr', { hasText: MISSING });
	await row.waitFor();
	await row.locator('.kb-write').click();
	await p.locator('#kb-editor').waitFor();
	assert.equal(await p.inputValue('#kb-question'), MISSING, 'the editor opens with the question filled in');
	assert.equal(await p.getAttribute('#kb-editor', 'data-id'), '', 'as a new article');
});

test('(3) the reply box suggests the article and the FAQ popover inserts it', { timeout: 90000 }, async () => {
	const p = adminPage;
	await p.click('nav [data-nav=inbox]');
	await p.locator('#agent-status').waitFor();
	await p.selectOption('#agent-status', 'online');

	const vctx = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1000, height: 800 } });
	vctx.setDefaultTimeout(10000);
	watchForeign(vctx, new URL(base).host, foreign);
	const v = await vctx.newPage();
	await v.goto(`${base}/demo?site=${encodeURIComponent(site.key)}`);
	await v.click('#kefu-launcher');
	await v.locator('#kefu-panel').waitFor();
	const asked = '请问怎么申请退货';
	await v.fill('#kefu-input', asked);
	await v.press('#kefu-input', 'Enter');
	await v.locator('.kefu-msg[data-from=visitor][data-state=delivered]', { hasText: asked }).waitFor();

	const conv = p.locator('.conv-item', { hasText: asked }).first();
	await conv.waitFor();
	await conv.click();
	if (await p.locator('#offer-accept').count()) await p.click('#offer-accept');
	else if (await p.locator('#conv-accept').count()) await p.click('#conv-accept');
	await p.locator('#reply-input').waitFor();

	// The suggestion for the visitor's last message, inserted with one click.
	const sug = p.locator('#faq-suggest');
	await sug.waitFor();
	assert.equal(await sug.getAttribute('data-id'), String(articleId));
	assert.match(await sug.textContent(), /建议答案.*如何申请退货/);
	await p.click('#faq-suggest-insert');
	const link = `${base}/help/${site.key}/a/${encodeURIComponent(slug)}`; // then ?lang=zh-CN
	await until(async () => (await p.inputValue('#reply-input')).includes(link), 'the help-centre link in the reply box');
	let text = await p.inputValue('#reply-input');
	assert.match(text, /收到商品 7 天内 可以申请退货。/, 'the answer as plain text (Markdown markers stripped)');
	assert.doesNotMatch(text, /\*\*/, 'no Markdown emphasis markers');
	await sug.waitFor({ state: 'detached' }); // the box is no longer empty

	// The FAQ popover: type, pick, inserted.
	await p.fill('#reply-input', '');
	await p.click('#reply-faq');
	await p.locator('#faq-pop').waitFor();
	await p.fill('#faq-q', '退货');
	const hit = p.locator(`#faq-pop .faq-hit[data-id="${articleId}"]`);
	await hit.waitFor();
	assert.match(await hit.textContent(), /如何申请退货/);
	await hit.click();
	await p.locator('#faq-pop').waitFor({ state: 'detached' });
	text = await p.inputValue('#reply-input');
	assert.ok(text.includes(link), 'the popover inserted the link: ' + text);
	assert.match(text, /• 登录账号/, 'list items as bullets');

	// Sent, the visitor gets it with the link.
	await p.press('#reply-input', 'Enter');
	await v.locator('.kefu-msg', { hasText: '7 天内' }).waitFor();
	await vctx.close();
	assert.deepEqual(foreign, [], 'no request left the server origin');
});

test('kefu serve exits 0 on SIGTERM', async () => {
	if (browser) { await browser.close(); browser = null; }
	const code = await stopServer(server);
	assert.equal(code, 0, 'exit status after SIGTERM\n' + serverLog.split('\n').slice(-20).join('\n'));
});
