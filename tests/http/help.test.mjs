// The help centre (issue 5) from outside: /help/<site>/… pages escape every stored string (a
// hostile question, tags, category name and description), drafts, internal and unknown
// articles are friendly 404 pages, members-only articles need a signed visitor (?cid=&sig=,
// then an HttpOnly SameSite=Lax cookie), pages carry <title>, meta description, canonical and
// hreflang links, the chrome follows ?lang= then Accept-Language, the sitemap lists exactly
// the public published pages with absolute URLs, votes redirect back, and the widget's public
// article route answers only what the visitor may see.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startKefu, stopAll, request, login, ADMIN_EMAIL, ADMIN_PASSWORD } from './lib.mjs';

const HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>';
let srv, admin, site, ids = {}, secret;

const call = (method, path, json) => request(srv.base, method, path, { cookie: admin.cookie, csrf: admin.csrf, json });
const get = (path, headers = {}, cookie) => request(srv.base, 'GET', path, { headers, cookie });
const sign = (cid) => crypto.createHmac('sha256', secret).update(cid).digest('hex');

async function category(body) {
	const r = await call('POST', `/api/v1/sites/${site.id}/kb/categories`, { lang: 'zh-CN', ...body });
	assert.equal(r.status, 201, r.text);
	return r.json.category;
}
async function article(body) {
	const r = await call('POST', `/api/v1/sites/${site.id}/kb/articles`,
		{ lang: 'zh-CN', status: 'published', visibility: 'public', ...body });
	assert.equal(r.status, 201, r.text);
	return r.json.article;
}
/* No raw hostile markup anywhere in the page: it is shown as text. */
function assertEscaped(text, where) {
	assert.doesNotMatch(text, /<script>alert|<img src=x/i, `${where}: the hostile text is escaped`);
}
const meta = (html, name) => (new RegExp(`<meta name="${name}" content="([^"]*)"`).exec(html) || [])[1];
const canonical = (html) => (/<link rel="canonical" href="([^"]*)"/.exec(html) || [])[1];

before(async () => {
	srv = await startKefu();
	admin = await login(srv.base, ADMIN_EMAIL, ADMIN_PASSWORD);
	const s = await request(srv.base, 'POST', '/api/v1/sites', { cookie: admin.cookie, csrf: admin.csrf, json: { name: 'Help <b>shop</b>' } });
	assert.equal(s.status, 201, s.text);
	site = s.json.site;
	const top = await category({ name: '售后服务', slug: 'after-sales', description: '退换货与维修' });
	const sub = await category({ name: '退货' + HOSTILE, slug: 'returns', parent_id: top.id, description: HOSTILE });
	ids.top = top.id;
	ids.sub = sub.id;
	ids.ret = (await article({ slug: 'return-policy', category_id: sub.id, question: '退货政策是什么？',
		answer_md: '收到商品 **7 天内**可以无理由退货，请在订单页点击「申请退货」。', tags: ['退货', '售后'] })).id;
	ids.en = (await article({ slug: 'return-policy-en', lang: 'en', translation_of: ids.ret, question: 'What is the return policy?',
		answer_md: 'Return within **7 days** of delivery.' })).id;
	ids.evil = (await article({ slug: 'evil', category_id: sub.id, question: '坏人的问题' + HOSTILE,
		answer_md: HOSTILE + ' 正文 & more', tags: ['<b>tag</b>'] })).id;
	ids.draft = (await article({ slug: 'draft-one', category_id: sub.id, question: '草稿问题', answer_md: '未发布', status: 'draft' })).id;
	ids.internal = (await article({ slug: 'staff-only', category_id: sub.id, question: '员工内部折扣码', answer_md: 'STAFF-42', visibility: 'internal' })).id;
	ids.members = (await article({ slug: 'vip-returns', category_id: sub.id, question: '会员专享退货', answer_md: '会员 30 天内可退货。', visibility: 'members' })).id;
	const sec = await call('GET', `/api/v1/sites/${site.id}/identity`);
	assert.equal(sec.status, 200, sec.text);
	secret = sec.json.secret ?? sec.json.identity?.secret;
	assert.match(secret, /^[0-9a-f]{64}$/);
});
after(stopAll);

test('home: categories with sub-categories and counts, hot questions, search box, head tags, public cache', async () => {
	const r = await get(`/help/${site.key}`);
	assert.equal(r.status, 200, r.text);
	assert.match(r.headers['content-type'], /^text\/html/);
	assert.equal(r.headers['cache-control'], 'public, max-age=60');
	assert.match(r.text, /<html lang="zh-CN">/);
	assert.match(r.text, /<title>帮助中心 - Help &lt;b&gt;shop&lt;\/b&gt;<\/title>/, 'the site name is escaped too');
	assert.ok(meta(r.text, 'description'), 'a meta description');
	assert.equal(canonical(r.text), `${srv.base}/help/${site.key}?lang=zh-CN`);
	for (const l of ['zh-CN', 'zh-TW', 'en']) assert.ok(r.text.includes(`hreflang="${l}"`), `alternate ${l}`);
	assert.match(r.text, /id="cats"[\s\S]*售后服务[\s\S]*<span class="n">2 篇<\/span>/, 'the top category counts its sub-categories\' public articles');
	assert.match(r.text, /class="sub"><a href="\/help\/[^"]+\/c\/returns\?lang=zh-CN">退货&lt;script&gt;/);
	assert.match(r.text, /id="hot"[\s\S]*退货政策是什么？/, 'hot questions (the first articles while nothing is counted)');
	assert.match(r.text, /<form class="s" role="search" action="\/help\/[^"]+\/search"/);
	for (const hidden of ['草稿问题', '员工内部折扣码', '会员专享退货']) assert.ok(!r.text.includes(hidden), `${hidden} is not listed`);
	assertEscaped(r.text, 'home');
});

test('hot questions follow views: the most viewed article comes first (views are written in batches)', async () => {
	for (let i = 0; i < 3; i++) assert.equal((await get(`/help/${site.key}/a/evil?lang=zh-CN`)).status, 200);
	// Views are counted in memory and written every 2 s: poll.
	let first = '', hot = '';
	for (let t = 0; t < 40 && !/坏人的问题/.test(first); t++) {
		if (t) await new Promise((ok) => setTimeout(ok, 200));
		const r = await get(`/help/${site.key}?lang=zh-CN`);
		hot = /id="hot"[\s\S]*?<\/section>/.exec(r.text)[0];
		first = /<li>([\s\S]*?)<\/li>/.exec(hot)[1];
	}
	assert.match(first, /坏人的问题/, `the viewed article leads: ${hot}`);
});

test('category page: articles of the category, breadcrumbs, escaped name and description', async () => {
	const r = await get(`/help/${site.key}/c/returns`);
	assert.equal(r.status, 200, r.text);
	assert.match(r.text, /<h1>退货&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;/);
	assert.match(r.text, /class="bc"[\s\S]*首页[\s\S]*售后服务/, 'breadcrumbs name the parent');
	assert.ok(r.text.includes('/a/return-policy?lang=zh-CN'));
	assert.ok(!r.text.includes('draft-one') && !r.text.includes('staff-only') && !r.text.includes('vip-returns'));
	assert.equal(canonical(r.text), `${srv.base}/help/${site.key}/c/returns?lang=zh-CN`);
	assertEscaped(r.text, 'category');
	const top = await get(`/help/${site.key}/c/after-sales`);
	assert.match(top.text, /class="subs"[\s\S]*\/c\/returns/, 'a top category links its sub-categories');
});

test('article page: question as h1, safe answer, tags, translations, meta description, canonical, vote', async () => {
	const r = await get(`/help/${site.key}/a/return-policy`);
	assert.equal(r.status, 200, r.text);
	assert.match(r.text, /<h1>退货政策是什么？<\/h1>/);
	assert.match(r.text, /<strong>7 天内<\/strong>/, 'the answer is the rendered Markdown');
	assert.equal(meta(r.text, 'description'), '收到商品 7 天内可以无理由退货，请在订单页点击「申请退货」。');
	assert.equal(canonical(r.text), `${srv.base}/help/${site.key}/a/return-policy?lang=zh-CN`);
	assert.ok(r.text.includes(`<link rel="alternate" hreflang="en" href="${srv.base}/help/${site.key}/a/return-policy-en?lang=en">`));
	assert.ok(r.text.includes(`<link rel="alternate" hreflang="zh-CN" href="${srv.base}/help/${site.key}/a/return-policy?lang=zh-CN">`));
	assert.match(r.text, /id="langs"[\s\S]*English/, 'a link to the translation');
	assert.match(r.text, /<span class="tag">售后<\/span>/);
	assert.match(r.text, /class="bc"[\s\S]*售后服务[\s\S]*退货/);
	assert.match(r.text, /<form method="post" action="\/help\/[^"]+\/a\/return-policy\/vote">[\s\S]*name="helpful" value="1"/);
	const en = await get(`/help/${site.key}/a/return-policy-en?lang=en`);
	assert.match(en.text, /<html lang="en">/);
	assert.match(en.text, /Was this helpful\?/);

	const evil = await get(`/help/${site.key}/a/evil`);
	assert.equal(evil.status, 200);
	assertEscaped(evil.text, 'article');
	assert.match(evil.text, /<title>坏人的问题&lt;script&gt;/);
	assert.match(evil.text, /<span class="tag">&lt;b&gt;tag&lt;\/b&gt;<\/span>/);
	assert.ok(!/content="[^"]*<script/.test(evil.text), 'the meta description is escaped');
});

test('drafts, internal articles, unknown slugs, categories and sites are friendly 404 pages', async () => {
	for (const path of [`/help/${site.key}/a/draft-one`, `/help/${site.key}/a/staff-only`, `/help/${site.key}/a/nope`,
		`/help/${site.key}/c/nope`, '/help/no-such-site', '/help/no-such-site/a/return-policy',
		`/help/${site.key}/a/vip-returns`]) {
		const r = await get(path);
		assert.equal(r.status, 404, path);
		assert.match(r.headers['content-type'], /^text\/html/, `${path}: an HTML page, not JSON`);
		assert.match(r.text, /页面不存在/);
		assert.ok(!r.text.includes('STAFF-42') && !r.text.includes('未发布') && !r.text.includes('30 天内'), path);
	}
	const odd = await get('/help/%3Cscript%3E');
	assert.equal(odd.status, 404);
	assertEscaped(odd.text, 'unknown site');
});

test('members-only: hidden from anonymous visitors, shown with ?cid=&sig=, then kept by an HttpOnly cookie', async () => {
	const cid = 'customer-42';
	const path = `/help/${site.key}/a/vip-returns`;
	assert.equal((await get(path)).status, 404, 'anonymous');
	const bad = await get(`${path}?cid=${cid}&sig=${'0'.repeat(64)}`);
	assert.equal(bad.status, 404, 'a wrong signature is anonymous');
	assert.equal(bad.setCookie.length, 0, 'and sets no cookie');
	const ok = await get(`${path}?cid=${cid}&sig=${sign(cid)}`);
	assert.equal(ok.status, 200, ok.text);
	assert.match(ok.text, /会员 30 天内可退货/);
	assert.match(ok.headers['cache-control'], /^private/, 'a signed visitor\'s page is not cached publicly');
	const c = ok.setCookie.find((x) => x.startsWith(`kefu_kb_${site.id}=`));
	assert.ok(c, `an identity cookie: ${ok.setCookie}`);
	assert.match(c, /HttpOnly/);
	assert.match(c, /SameSite=Lax/);
	assert.match(c, new RegExp(`Path=/help/${site.key}`));
	const cookie = c.split(';')[0];
	const again = await get(path, {}, cookie);
	assert.equal(again.status, 200, 'the cookie keeps the visitor identified');
	const home = await get(`/help/${site.key}`, {}, cookie);
	assert.match(home.text, /<span class="n">3 篇<\/span>/, 'the count includes the members-only article');
	const forged = cookie.replace(/=([0-9a-f])/, (m, d) => '=' + (d === 'a' ? 'b' : 'a'));
	assert.equal((await get(path, {}, forged)).status, 404, 'a tampered cookie is anonymous');
	const other = await get(path, {}, `kefu_kb_${site.id}=${sign('someone-else')}.${cid}`);
	assert.equal(other.status, 404, 'a signature for another customer does not pass');
});

test('chrome language: ?lang= first, then Accept-Language, else simplified Chinese', async () => {
	const cases = [
		[`/help/${site.key}?lang=en`, {}, 'en', 'Help centre'],
		[`/help/${site.key}`, { 'Accept-Language': 'zh-TW,zh;q=0.9' }, 'zh-TW', '幫助中心'],
		[`/help/${site.key}`, { 'Accept-Language': 'zh-Hant-HK' }, 'zh-TW', '幫助中心'],
		[`/help/${site.key}`, { 'Accept-Language': 'fr-FR, en-GB;q=0.8' }, 'en', 'Help centre'],
		[`/help/${site.key}?lang=zh-CN`, { 'Accept-Language': 'en' }, 'zh-CN', '帮助中心'],
		[`/help/${site.key}`, { 'Accept-Language': 'de' }, 'zh-CN', '帮助中心'],
		[`/help/${site.key}/a/nope?lang=en`, {}, 'en', 'Page not found'],
	];
	for (const [path, headers, lang, word] of cases) {
		const r = await get(path, headers);
		assert.match(r.text, new RegExp(`<html lang="${lang}">`), `${path} ${JSON.stringify(headers)}`);
		assert.ok(r.text.includes(word), `${path}: ${word}`);
	}
	assert.match((await get(`/help/${site.key}`)).headers.vary || '', /Accept-Language/);
});

test('sitemap.xml: the public published articles and categories, with absolute URLs', async () => {
	const r = await get(`/help/${site.key}/sitemap.xml`);
	assert.equal(r.status, 200);
	assert.match(r.headers['content-type'], /^application\/xml/);
	assert.match(r.text, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<urlset xmlns="http:\/\/www.sitemaps.org\/schemas\/sitemap\/0.9">/);
	const locs = [...r.text.matchAll(/<loc>([^<]*)<\/loc>/g)].map((m) => m[1].replace(/&amp;/g, '&'));
	const b = `${srv.base}/help/${site.key}`;
	for (const want of [`${b}?lang=zh-CN`, `${b}/c/after-sales?lang=zh-CN`, `${b}/c/returns?lang=zh-CN`,
		`${b}/a/return-policy?lang=zh-CN`, `${b}/a/return-policy-en?lang=en`, `${b}/a/evil?lang=zh-CN`]) {
		assert.ok(locs.includes(want), `${want} in ${locs.join(' ')}`);
	}
	for (const slug of ['draft-one', 'staff-only', 'vip-returns']) assert.ok(!r.text.includes(slug), `${slug} is not in the sitemap`);
	assert.match(r.text, /<lastmod>\d{4}-\d\d-\d\d<\/lastmod>/);
	assert.equal((await get('/help/nope/sitemap.xml')).status, 404);
	// A category holding only a draft (and one holding nothing) is no page worth indexing.
	const empty = await category({ name: '空分类', slug: 'empty-cat' });
	await article({ slug: 'empty-draft', category_id: empty.id, question: '还没写好', status: 'draft' });
	await category({ name: '更空', slug: 'emptier-cat' });
	const again = await get(`/help/${site.key}/sitemap.xml`);
	assert.ok(!again.text.includes('/c/empty-cat') && !again.text.includes('/c/emptier-cat'), 'empty categories are left out');
	assert.ok(again.text.includes('/c/after-sales?') && again.text.includes('/c/returns?'), 'a parent of a full category stays');
});

test('search page: results for 退货, no hidden articles, escaped query', async () => {
	const r = await get(`/help/${site.key}/search?q=${encodeURIComponent('退货')}`);
	assert.equal(r.status, 200, r.text);
	assert.match(r.text, /id="results"[\s\S]*\/a\/return-policy\?lang=zh-CN/);
	for (const hidden of ['draft-one', 'staff-only', 'vip-returns']) assert.ok(!r.text.includes(hidden), `${hidden} not found by anonymous search`);
	const signed = await get(`/help/${site.key}/search?q=${encodeURIComponent('会员专享退货')}&cid=c1&sig=${sign('c1')}`);
	assert.match(signed.text, /vip-returns/, 'a signed visitor finds the members-only article');
	const x = await get(`/help/${site.key}/search?q=${encodeURIComponent(HOSTILE)}`);
	assert.equal(x.status, 200);
	assertEscaped(x.text, 'search');
	const none = await get(`/help/${site.key}/search?q=${encodeURIComponent('完全无关的词语')}`);
	assert.match(none.text, /id="none"/, 'no results: says so');
	assert.match(none.text, /id="chat"/, 'and offers the chat');
});

test('vote: a form post counts and redirects back; "no" offers the chat; foreign origins and junk are refused', async () => {
	const form = (body, headers = {}) => request(srv.base, 'POST', `/help/${site.key}/a/return-policy/vote`,
		{ body, headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers } });
	const no = await form('lang=zh-CN&helpful=0');
	assert.equal(no.status, 303, no.text);
	assert.equal(no.headers.location, `/help/${site.key}/a/return-policy?lang=zh-CN&voted=0`);
	const after0 = await get(no.headers.location);
	assert.match(after0.text, /id="chat"><a href="\/help\/[^"]+\/chat\?lang=zh-CN">联系客服/);
	const yes = await form('lang=zh-CN&helpful=1', { Origin: srv.base });
	assert.equal(yes.status, 303);
	const art = await call('GET', `/api/v1/kb/articles/${ids.ret}`);
	assert.equal(art.status, 200, art.text);
	assert.equal(art.json.article.helpful, 1, 'the "yes" vote counted');
	assert.equal(art.json.article.unhelpful, 1, 'the "no" vote counted');
	assert.equal((await form('lang=zh-CN&helpful=1', { Origin: 'https://evil.example' })).status, 403);
	for (const bad of ['', 'helpful=2&lang=zh-CN', 'helpful=1&lang=xx', 'helpful=1']) assert.equal((await form(bad)).status, 400, bad);
	assert.equal((await form('lang=zh-CN&helpful=1').then(() => request(srv.base, 'POST', `/help/${site.key}/a/staff-only/vote`,
		{ body: 'lang=zh-CN&helpful=1', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }))).status, 404);
	const chat = await get(`/help/${site.key}/chat`);
	assert.equal(chat.status, 200);
	assert.match(chat.text, /<script async src="\/widget.js" data-site="[^"]+" onload="window.KefuWidget&&KefuWidget.open\(\)"><\/script>/);
});

test('public article JSON for the widget: only what the visitor may see', async () => {
	const pub = await request(srv.base, 'GET', `/api/v1/kb/articles/${ids.ret}/public?site=${site.key}`);
	assert.equal(pub.status, 200, pub.text);
	assert.equal(pub.json.question, '退货政策是什么？');
	assert.match(pub.json.answer_html, /<strong>7 天内<\/strong>/);
	assert.equal(pub.json.url, `${srv.base}/help/${site.key}/a/return-policy?lang=zh-CN`);
	for (const id of [ids.draft, ids.internal, ids.members]) {
		const r = await request(srv.base, 'GET', `/api/v1/kb/articles/${id}/public?site=${site.key}`);
		assert.equal(r.status, 404, `article ${id}`);
		assert.equal(r.json.error.code, 'not_found');
	}
	const m = await request(srv.base, 'GET', `/api/v1/kb/articles/${ids.members}/public?site=${site.key}&cid=c9&sig=${sign('c9')}`);
	assert.equal(m.status, 200, 'a signed visitor reads the members-only answer');
	assert.equal((await request(srv.base, 'GET', `/api/v1/kb/articles/abc/public?site=${site.key}`)).status, 400);
	assert.equal((await request(srv.base, 'GET', `/api/v1/kb/articles/${ids.ret}/public?site=nope`)).status, 404);
	// The widget showing an answer is a read: it counts a view (written within a few seconds).
	const fresh = await article({ slug: 'counted-by-widget', question: '小组件计数' });
	for (let i = 0; i < 2; i++) assert.equal((await request(srv.base, 'GET', `/api/v1/kb/articles/${fresh.id}/public?site=${site.key}`)).status, 200);
	let views = 0;
	for (let t = 0; t < 40 && views < 2; t++) {
		if (t) await new Promise((ok) => setTimeout(ok, 200));
		views = (await call('GET', `/api/v1/kb/articles/${fresh.id}`)).json.article.views;
	}
	assert.equal(views, 2, 'the public article route counted its views');
	const other = await request(srv.base, 'POST', '/api/v1/sites', { cookie: admin.cookie, csrf: admin.csrf, json: { name: 'Other' } });
	assert.equal((await request(srv.base, 'GET', `/api/v1/kb/articles/${ids.ret}/public?site=${other.json.site.key}`)).status, 404,
		'another site\'s key does not read this site\'s article');
});

// Last: it spends this address's share of searches. The help centre's search page runs the
// same search as /api/v1/kb/search and takes from the same per-address allowance.
test('search page: rate limited per address like the public search API', async () => {
	let limited = null;
	for (let i = 0; i < 130 && !limited; i++) {
		const r = await get(`/help/${site.key}/search?q=${encodeURIComponent('退货' + i)}`);
		if (r.status === 429) limited = r;
		else assert.equal(r.status, 200, r.text);
	}
	assert.ok(limited, 'the search page answers 429 once the allowance is spent');
	assert.match(limited.headers['retry-after'], /^\d+$/);
	assert.equal((await request(srv.base, 'GET', `/api/v1/kb/search?site=${site.key}&q=x`)).status, 429, 'the API shares the allowance');
	assert.equal((await get(`/help/${site.key}/search`)).status, 200, 'the empty search page (no query) is not a search');
});
