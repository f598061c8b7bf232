// Knowledge base REST (issue 5, helper KB-CORE): categories and articles CRUD, field limits,
// who may read and write, revisions and restore, safe Markdown (no script gets through),
// JSON and CSV import/export round trips with Chinese text, reorder, votes and hot questions,
// and the site's identity secret (the signature a shop computes must match the server's).
// Black-box against the kefu binary; the renderer on its own is tests/unit/test_kb.c.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startKefu, stopAll, request, login, ADMIN_EMAIL, ADMIN_PASSWORD } from './lib.mjs';

const SUP = { email: 'sup@example.com', password: 'sup-password-123', role: 'supervisor', name: 'Sup' };
const AG = { email: 'agent@example.com', password: 'agent-password-123', role: 'agent', name: 'Agent' };
const OTHER = { email: 'other@example.com', password: 'other-password-123', role: 'agent', name: 'Other' };
const OTHERSUP = { email: 'osup@example.com', password: 'osup-password-123', role: 'supervisor', name: 'OSup' };

let srv, admin, sup, ag, other, osup, siteA, siteB;

const call = (sess, method, path, json, o = {}) =>
	request(srv.base, method, path, { cookie: sess?.cookie, csrf: sess?.csrf, json, ...o });

function must(r, status, what) {
	assert.equal(r.status, status, `${what}: expected ${status}, got ${r.status} ${r.text.slice(0, 400)}`);
	return r.json;
}

async function site(name, members) {
	const s = must(await call(admin, 'POST', '/api/v1/sites', { name }), 201, 'create site').site;
	must(await call(admin, 'PUT', `/api/v1/sites/${s.id}/members`, { user_ids: members }), 200, 'members');
	return s;
}

async function article(sess, siteId, body, status = 201) {
	const r = await call(sess, 'POST', `/api/v1/sites/${siteId}/kb/articles`, body);
	return must(r, status, `create article ${JSON.stringify(body).slice(0, 80)}`)?.article;
}

before(async () => {
	srv = await startKefu({ conf: { limits: { login_attempts_per_min: 1000 } }, users: [SUP, AG, OTHER, OTHERSUP] });
	admin = await login(srv.base, ADMIN_EMAIL, ADMIN_PASSWORD);
	sup = await login(srv.base, SUP.email, SUP.password);
	ag = await login(srv.base, AG.email, AG.password);
	other = await login(srv.base, OTHER.email, OTHER.password);
	osup = await login(srv.base, OTHERSUP.email, OTHERSUP.password);
	siteA = await site('KB shop A', [sup.user.id, ag.user.id]);
	siteB = await site('KB shop B', [other.user.id, osup.user.id]);
});
after(stopAll);

test('categories: create with automatic slugs, two levels at most, patch, delete rules', async () => {
	const base = `/api/v1/sites/${siteA.id}/kb/categories`;
	const ship = must(await call(sup, 'POST', base, { lang: 'en', name: 'Shipping & Returns!' }), 201, 'en cat').category;
	assert.equal(ship.slug, 'shipping-returns', 'ASCII names are slugified');
	assert.equal(ship.parent_id, null);
	const zh = must(await call(sup, 'POST', base, { lang: 'zh-CN', name: '退货政策' }), 201, 'zh cat').category;
	assert.equal(zh.slug, `c-${zh.id}`, 'a name without ASCII letters gets c-<id>');
	const child = must(await call(sup, 'POST', base, { lang: 'en', name: 'Refunds', parent_id: ship.id }), 201, 'child').category;
	assert.equal(child.parent_id, ship.id);
	let r = await call(sup, 'POST', base, { lang: 'en', name: 'Too deep', parent_id: child.id });
	must(r, 422, 'a third level is refused');
	assert.match(r.json.error.message, /two levels/);
	must(await call(sup, 'POST', base, { lang: 'zh-CN', name: 'x', parent_id: ship.id }), 422, 'parent in another language');
	must(await call(sup, 'POST', base, { lang: 'en', name: 'Dup', slug: 'shipping-returns' }), 409, 'slug clash');
	const again = must(await call(sup, 'POST', base, { lang: 'en', name: 'Shipping & returns' }), 201, 'same name').category;
	assert.equal(again.slug, `c-${again.id}`, 'a made-up slug that is taken becomes c-<id>');
	must(await call(sup, 'DELETE', `/api/v1/kb/categories/${again.id}`), 200, 'delete it');
	must(await call(sup, 'POST', base, { lang: 'fr', name: 'x' }), 422, 'bad lang');
	must(await call(sup, 'POST', base, { lang: 'en', name: 'x'.repeat(101) }), 422, 'name too long');
	must(await call(sup, 'POST', base, { lang: 'en', name: 'ok', slug: 'Bad Slug' }), 422, 'bad slug');
	must(await call(sup, 'PATCH', `/api/v1/kb/categories/${ship.id}`, { parent_id: zh.id }), 422, 'a parent cannot become a child');
	const p = must(await call(sup, 'PATCH', `/api/v1/kb/categories/${child.id}`, { name: 'Refunds and money', position: 3 }), 200, 'patch');
	assert.equal(p.category.name, 'Refunds and money');
	assert.equal(p.category.position, 3);
	const list = must(await call(ag, 'GET', `${base}?lang=en`), 200, 'list').categories;
	assert.deepEqual(list.map((c) => c.id), [ship.id, child.id], 'parents first, then children; only en');
	must(await call(sup, 'DELETE', `/api/v1/kb/categories/${ship.id}`), 409, 'a category with subcategories stays');
	must(await call(sup, 'DELETE', `/api/v1/kb/categories/${child.id}`), 200, 'delete child');
	must(await call(sup, 'DELETE', `/api/v1/kb/categories/${child.id}`), 404, 'gone');
});

test('articles: create, read, list, patch (new revision), delete', async () => {
	const cat = must(await call(sup, 'POST', `/api/v1/sites/${siteA.id}/kb/categories`, { lang: 'zh-CN', name: '发票', slug: 'invoice' }), 201, 'cat').category;
	const a = await article(sup, siteA.id, {
		lang: 'zh-CN', category_id: cat.id, question: '发票怎么开？', alt_questions: ['怎么开发票', '能开增值税发票吗'],
		answer_md: '在**订单详情**页点击“申请发票”。', tags: ['发票', 'invoice'], status: 'published',
	});
	assert.equal(a.slug, `a-${a.id}`, 'a Chinese question gets a-<id>');
	assert.equal(a.rev, 1);
	assert.equal(a.alt_questions, '怎么开发票\n能开增值税发票吗');
	assert.match(a.answer_html, /<strong>订单详情<\/strong>/);
	assert.deepEqual(a.tags, ['发票', 'invoice']);
	assert.equal(a.visibility, 'public');
	assert.equal(a.created_by, sup.user.id);
	const en = await article(sup, siteA.id, { lang: 'en', question: 'How do I get an invoice?', translation_of: a.id, related: [] });
	assert.equal(en.slug, 'how-do-i-get-an-invoice');
	assert.equal(en.translation_of, a.id);
	const got = must(await call(ag, 'GET', `/api/v1/kb/articles/${a.id}`), 200, 'agent reads').article;
	assert.deepEqual(got.translations.map((t) => [t.id, t.lang]), [[en.id, 'en']], 'the translation group is shown');
	const p = must(await call(sup, 'PATCH', `/api/v1/kb/articles/${en.id}`, { answer_md: 'Open *Orders*.', related: [a.id], position: 2 }), 200, 'patch').article;
	assert.equal(p.rev, 2);
	assert.deepEqual(p.related, [a.id]);
	assert.equal(p.answer_html, '<p>Open <em>Orders</em>.</p>\n');
	assert.equal(p.question, 'How do I get an invoice?', 'absent fields are kept');
	const list = must(await call(ag, 'GET', `/api/v1/sites/${siteA.id}/kb/articles?lang=zh-CN&category=${cat.id}`), 200, 'list').articles;
	assert.deepEqual(list.map((x) => x.id), [a.id]);
	assert.equal(list[0].answer_md, undefined, 'lists leave the long texts out');
	const drafts = must(await call(ag, 'GET', `/api/v1/sites/${siteA.id}/kb/articles?status=draft&lang=en`), 200, 'drafts').articles;
	assert.ok(drafts.some((x) => x.id === en.id) && drafts.every((x) => x.status === 'draft'));
	const q = must(await call(ag, 'GET', `/api/v1/sites/${siteA.id}/kb/articles?q=${encodeURIComponent('invoice')}&status=draft`), 200, 'q').articles;
	assert.ok(q.some((x) => x.id === en.id), 'q finds a draft by its question');
	must(await call(sup, 'PATCH', `/api/v1/kb/articles/${en.id}`, { slug: a.slug, lang: 'zh-CN', translation_of: null }), 409, 'slug taken in that language');
	must(await call(sup, 'PATCH', `/api/v1/kb/articles/${en.id}`, { category_id: cat.id }), 422, 'category of another language');
	const twin = await article(sup, siteA.id, { lang: 'en', question: 'How do I get an invoice?' });
	assert.equal(twin.slug, `a-${twin.id}`, 'a made-up slug that is taken becomes a-<id>');
	must(await call(sup, 'PATCH', `/api/v1/kb/articles/${a.id}`, { lang: 'zh-TW', translation_of: twin.id }), 422,
		'an original with translations cannot become a translation (no chains)');
	must(await call(sup, 'DELETE', `/api/v1/kb/articles/${en.id}`), 200, 'delete');
	must(await call(sup, 'GET', `/api/v1/kb/articles/${en.id}`), 404, 'gone');
	must(await call(sup, 'GET', `/api/v1/kb/articles/abc`), 404, 'not an id');
});

test('validation: question <= 500 characters, answer <= 100 KB, tags <= 20, enums, JSON errors', async () => {
	const long = '问'.repeat(500);
	const ok = await article(sup, siteA.id, { lang: 'zh-CN', question: long });
	assert.equal(ok.question, long, '500 Chinese characters (1500 bytes) are kept whole');
	const cases = [
		[{ lang: 'zh-CN', question: long + '问' }, /question/],
		[{ lang: 'en', question: '' }, /question/],
		[{ lang: 'en' }, /required/],
		[{ question: 'no language' }, /required/],
		[{ lang: 'en', question: 'q', answer_md: 'x'.repeat(100 * 1024 + 1) }, /answer_md/],
		[{ lang: 'en', question: 'q', tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, /tags/],
		[{ lang: 'en', question: 'q', tags: ['has space'] }, /tags/],
		[{ lang: 'en', question: 'q', tags: 'not-an-array' }, /tags/],
		[{ lang: 'en', question: 'q', visibility: 'secret' }, /visibility/],
		[{ lang: 'en', question: 'q', status: 'live' }, /status/],
		[{ lang: 'en', question: 'q', position: -1 }, /position/],
		[{ lang: 'en', question: 'q', category_id: 999999 }, /category_id/],
		[{ lang: 'en', question: 'q', translation_of: 999999 }, /translation_of/],
		[{ lang: 'en', question: 'q', related: [999999] }, /related/],
		[{ lang: 'en', question: 'q', slug: '../etc' }, /slug/],
	];
	for (const [body, re] of cases) {
		const r = await call(sup, 'POST', `/api/v1/sites/${siteA.id}/kb/articles`, body);
		assert.equal(r.status, 422, `${JSON.stringify(body).slice(0, 100)} -> ${r.status} ${r.text.slice(0, 200)}`);
		assert.equal(r.json.error.code, 'invalid_field');
		assert.match(r.json.error.message, re);
	}
	const full = await article(sup, siteA.id, { lang: 'en', question: 'q max', answer_md: 'y'.repeat(100 * 1024), tags: Array.from({ length: 20 }, (_, i) => `t${i}`) });
	assert.equal(full.tags.length, 20);
	const bad = await call(sup, 'POST', `/api/v1/sites/${siteA.id}/kb/articles`, undefined, { body: '{"lang":', headers: { 'Content-Type': 'application/json' } });
	assert.equal(bad.status, 400);
	assert.ok(bad.json?.error?.code, 'malformed JSON gets a JSON error');
	must(await call(sup, 'POST', `/api/v1/sites/999999/kb/articles`, { lang: 'en', question: 'x' }), 404, 'no such site');
});

test('permissions: agents read their sites only, only supervisors/admins write, no session is 401', async () => {
	const a = await article(sup, siteA.id, { lang: 'en', question: 'Permission probe', answer_md: 'secret-ish' });
	must(await call(ag, 'POST', `/api/v1/sites/${siteA.id}/kb/articles`, { lang: 'en', question: 'agent write' }), 403, 'agent create');
	must(await call(ag, 'PATCH', `/api/v1/kb/articles/${a.id}`, { question: 'x' }), 403, 'agent patch');
	must(await call(ag, 'DELETE', `/api/v1/kb/articles/${a.id}`), 403, 'agent delete');
	must(await call(ag, 'POST', `/api/v1/sites/${siteA.id}/kb/categories`, { lang: 'en', name: 'x' }), 403, 'agent category');
	must(await call(ag, 'POST', '/api/v1/kb/preview', { markdown: 'x' }), 403, 'agent preview');
	must(await call(ag, 'GET', `/api/v1/kb/articles/${a.id}`), 200, 'agent of the site reads');
	must(await call(other, 'GET', `/api/v1/kb/articles/${a.id}`), 404, 'agent of another site: as if absent');
	must(await call(other, 'GET', `/api/v1/sites/${siteA.id}/kb/articles`), 403, 'agent of another site: list');
	must(await call(other, 'GET', `/api/v1/sites/${siteA.id}/kb/categories`), 403, 'agent of another site: categories');
	must(await call(osup, 'PATCH', `/api/v1/kb/articles/${a.id}`, { question: 'hijack' }), 404, 'supervisor of another site');
	must(await call(osup, 'POST', `/api/v1/sites/${siteA.id}/kb/articles`, { lang: 'en', question: 'x' }), 403, 'supervisor of another site creates');
	must(await call(osup, 'GET', `/api/v1/sites/${siteA.id}/kb/export`), 403, 'supervisor of another site exports');
	must(await call(null, 'GET', `/api/v1/sites/${siteA.id}/kb/articles`), 401, 'no session');
	must(await call(null, 'GET', `/api/v1/kb/articles/${a.id}`), 401, 'no session');
	must(await call(null, 'POST', '/api/v1/kb/preview', { markdown: 'x' }), 401, 'no session preview');
	must(await call(sup, 'PATCH', `/api/v1/kb/articles/${a.id}`, { question: 'x' }, { csrf: 'wrong' }), 403, 'CSRF');
	must(await call(admin, 'PATCH', `/api/v1/kb/articles/${a.id}`, { question: 'Admin edits any site' }), 200, 'admin');
	must(await call(sup, 'GET', `/api/v1/sites/${siteA.id}/identity`), 403, 'identity is for admins');
});

test('revisions: every write is one; restore brings old fields back as a new revision', async () => {
	const a = await article(sup, siteA.id, { lang: 'en', question: 'Revision v1', answer_md: 'first', tags: ['one'] });
	must(await call(sup, 'PATCH', `/api/v1/kb/articles/${a.id}`, { question: 'Revision v2', answer_md: 'second', tags: ['two'], status: 'published' }), 200, 'v2');
	must(await call(admin, 'PATCH', `/api/v1/kb/articles/${a.id}`, { answer_md: 'third' }), 200, 'v3');
	const revs = must(await call(ag, 'GET', `/api/v1/kb/articles/${a.id}/revisions`), 200, 'revisions').revisions;
	assert.deepEqual(revs.map((v) => v.rev), [3, 2, 1], 'newest first');
	assert.deepEqual(revs.map((v) => v.answer_md), ['third', 'second', 'first']);
	assert.deepEqual(revs.map((v) => v.user_id), [admin.user.id, sup.user.id, sup.user.id]);
	const back = must(await call(sup, 'POST', `/api/v1/kb/articles/${a.id}/restore`, { rev: 1 }), 200, 'restore').article;
	assert.equal(back.rev, 4);
	assert.equal(back.question, 'Revision v1');
	assert.equal(back.answer_md, 'first');
	assert.equal(back.answer_html, '<p>first</p>\n');
	assert.deepEqual(back.tags, ['one']);
	assert.equal(back.status, 'draft', 'the status comes back too');
	must(await call(sup, 'POST', `/api/v1/kb/articles/${a.id}/restore`, { rev: 99 }), 422, 'unknown rev');
	must(await call(sup, 'POST', `/api/v1/kb/articles/${a.id}/restore`, { rev: 'one' }), 422, 'bad rev');
	must(await call(ag, 'POST', `/api/v1/kb/articles/${a.id}/restore`, { rev: 1 }), 403, 'agents cannot restore');
});

test('XSS: raw HTML, script tags and javascript: links never reach the HTML', async () => {
	const md = [
		'<script>alert(1)</script>',
		'',
		'Hi <img src=x onerror=alert(2)> there <b onclick="x()">bold</b>',
		'',
		'[click](javascript:alert(3)) [ok](https://example.com/a?b=1) [mail](mailto:a@b.c) [rel](/help/x)',
		'',
		'[tab](java\tscript:alert(4)) [data](data:text/html;base64,PHNjcmlwdD4=) [vb](VBScript:msgbox)',
		'',
		'![pic](https://img.example.com/a.png) ![rel](/uploads/b.png) ![bad](javascript:alert(5))',
		'',
		'<iframe src="https://evil.example"></iframe>',
	].join('\n');
	const a = await article(sup, siteA.id, { lang: 'en', question: 'XSS probe', answer_md: md });
	const h = a.answer_html;
	assert.doesNotMatch(h, /<script/i, h);
	assert.doesNotMatch(h, /<iframe/i, h);
	assert.doesNotMatch(h, /<img[^>]*onerror/i, h);
	assert.doesNotMatch(h, /<b /i, h);
	assert.doesNotMatch(h, /href="\s*(javascript|vbscript|data|java)/i, h);
	assert.doesNotMatch(h, /src="\s*javascript/i, h);
	assert.match(h, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/, 'a script block is shown as text');
	assert.match(h, /<a href="https:\/\/example.com\/a\?b=1">ok<\/a>/);
	assert.match(h, /<a href="mailto:a@b.c">mail<\/a>/);
	assert.match(h, /<a href="\/help\/x">rel<\/a>/);
	assert.match(h, /<img src="https:\/\/img.example.com\/a.png" alt="pic" \/>/);
	assert.match(h, /<img src="\/uploads\/b.png" alt="rel" \/>/);
	assert.match(h, /<p>click <a/, 'the text of a refused link stays');
	const pv = must(await call(sup, 'POST', '/api/v1/kb/preview', { markdown: '# 标题\n\n<script>x</script>\n\n- 一\n- 二' }), 200, 'preview');
	assert.equal(pv.html, '<h1>标题</h1>\n<p>&lt;script&gt;x&lt;/script&gt;\n</p>\n<ul>\n<li>一</li>\n<li>二</li>\n</ul>\n');
	must(await call(sup, 'POST', '/api/v1/kb/preview', { markdown: 'x'.repeat(100 * 1024 + 1) }), 422, 'preview cap');
	must(await call(sup, 'POST', '/api/v1/kb/preview', { markdown: 5 }), 422, 'preview type');
});

test('reorder sets positions in the order given; ids of another site are refused', async () => {
	const c = must(await call(sup, 'POST', `/api/v1/sites/${siteA.id}/kb/categories`, { lang: 'en', name: 'Order test' }), 201, 'cat').category;
	const ids = [];
	for (const q of ['first', 'second', 'third']) ids.push((await article(sup, siteA.id, { lang: 'en', question: `Order ${q}`, category_id: c.id })).id);
	must(await call(sup, 'POST', '/api/v1/kb/articles/reorder', { ids: [ids[2], ids[0], ids[1]] }), 200, 'reorder');
	const list = must(await call(ag, 'GET', `/api/v1/sites/${siteA.id}/kb/articles?category=${c.id}`), 200, 'list').articles;
	assert.deepEqual(list.map((x) => x.id), [ids[2], ids[0], ids[1]]);
	const b = await article(osup, siteB.id, { lang: 'en', question: 'B article' });
	must(await call(sup, 'POST', '/api/v1/kb/articles/reorder', { ids: [ids[0], b.id] }), 422, 'mixed sites');
	must(await call(osup, 'POST', '/api/v1/kb/articles/reorder', { ids: [ids[0]] }), 422, 'not your site');
	must(await call(sup, 'POST', '/api/v1/kb/articles/reorder', { ids: [] }), 422, 'empty');
});

// Before the next test, which spends this address's votes.
test('votes on members-only articles need the signed visitor; else 404 as for a missing article', async () => {
	const sec = must(await call(admin, 'GET', `/api/v1/sites/${siteB.id}/identity`), 200, 'identity');
	const secret = sec.secret ?? sec.identity?.secret;
	const mem = await article(osup, siteB.id, { lang: 'en', question: 'Members only vote', status: 'published', visibility: 'members' });
	const vote = (json) => request(srv.base, 'POST', `/api/v1/kb/articles/${mem.id}/vote`, { json });
	const anon = await vote({ helpful: true });
	const missing = await request(srv.base, 'POST', '/api/v1/kb/articles/987654/vote', { json: { helpful: true } });
	must(anon, 404, 'anonymous');
	assert.deepEqual(anon.json, missing.json, 'the same answer as a missing article');
	must(await vote({ helpful: true, cid: 'u1', sig: '0'.repeat(64) }), 404, 'a wrong signature');
	const sig = crypto.createHmac('sha256', secret).update('u1').digest('hex');
	must(await vote({ helpful: true, cid: 'u1', sig }), 200, 'the signed visitor');
	assert.equal(must(await call(osup, 'GET', `/api/v1/kb/articles/${mem.id}`), 200, 'get').article.helpful, 1);
});

test('votes are public, for published articles only, rate limited; hot questions rank them', async () => {
	const pub = await article(sup, siteA.id, { lang: 'zh-TW', question: '熱門問題', status: 'published' });
	const draft = await article(sup, siteA.id, { lang: 'zh-TW', question: '草稿問題' });
	const internal = await article(sup, siteA.id, { lang: 'zh-TW', question: '內部問題', status: 'published', visibility: 'internal' });
	const vote = (id, helpful) => request(srv.base, 'POST', `/api/v1/kb/articles/${id}/vote`, { json: { helpful } });
	must(await vote(pub.id, true), 200, 'vote');
	must(await vote(pub.id, false), 200, 'vote no');
	must(await vote(draft.id, true), 404, 'draft');
	must(await vote(internal.id, true), 404, 'internal');
	must(await vote(999999, true), 404, 'missing');
	must(await vote(pub.id, 'yes'), 422, 'not a bool');
	const got = must(await call(sup, 'GET', `/api/v1/kb/articles/${pub.id}`), 200, 'get').article;
	assert.equal(got.helpful, 1);
	assert.equal(got.unhelpful, 1);
	const hot = must(await call(ag, 'GET', `/api/v1/sites/${siteA.id}/kb/hot?lang=zh-TW&days=7&limit=5`), 200, 'hot').articles;
	assert.deepEqual(hot.map((x) => [x.id, x.score]), [[pub.id, 5]], 'helpful counts 5, drafts are not hot');
	must(await call(ag, 'GET', `/api/v1/sites/${siteA.id}/kb/hot?days=0`), 422, 'days');
	must(await call(other, 'GET', `/api/v1/sites/${siteA.id}/kb/hot`), 403, 'other site');
	let limited = 0;
	for (let i = 0; i < 25; i++) if ((await vote(pub.id, true)).status === 429) limited++;
	assert.ok(limited >= 3, `votes from one address are rate limited (${limited} of 25 refused)`);
});

async function exportJson(sess, siteId) {
	return must(await call(sess, 'GET', `/api/v1/sites/${siteId}/kb/export?format=json`), 200, 'export json');
}

const comparable = (arts) => arts.map(({ lang, slug, category, question, alt_questions, answer_md, tags, visibility, status, position, translation_of, related }) =>
	({ lang, slug, category, question, alt_questions, answer_md, tags, visibility, status, position, translation_of, related }))
	.sort((x, y) => `${x.lang}/${x.slug}`.localeCompare(`${y.lang}/${y.slug}`));

test('import/export: JSON and CSV round trips keep Chinese text, links and categories', async () => {
	const src = await site('KB export source', [sup.user.id]);
	const cat = must(await call(sup, 'POST', `/api/v1/sites/${src.id}/kb/categories`, { lang: 'zh-CN', name: '售后', slug: 'after-sales' }), 201, 'cat').category;
	must(await call(sup, 'POST', `/api/v1/sites/${src.id}/kb/categories`, { lang: 'zh-CN', name: '退款', slug: 'refund', parent_id: cat.id }), 201, 'sub');
	const a = await article(sup, src.id, { lang: 'zh-CN', slug: 'return', category_id: cat.id, question: '怎么退货，要多久？', alt_questions: '退货流程\n"退款"多久到账',
		answer_md: '1. 打开订单\n2. 点击 **申请退货**, 填写原因\n\n> 注意：7 天内', tags: ['退货', 'return'], status: 'published', visibility: 'members' });
	const b = await article(sup, src.id, { lang: 'zh-TW', slug: 'return', question: '怎麼退貨？', translation_of: a.id, related: [a.id], answer_md: '繁體,含逗號' });
	const e1 = await exportJson(sup, src.id);
	assert.equal(e1.articles.length, 2);
	assert.deepEqual(e1.categories.map((c) => [c.slug, c.parent]), [['after-sales', ''], ['refund', 'after-sales']]);
	const exB = e1.articles.find((x) => x.slug === 'return' && x.lang === 'zh-TW');
	assert.equal(exB.translation_of, 'zh-CN/return');
	assert.deepEqual(exB.related, ['zh-CN/return']);

	// JSON into a fresh site, then once more: everything unchanged the second time
	const dst = await site('KB import JSON', [sup.user.id]);
	const body = { categories: e1.categories, articles: e1.articles };
	const r1 = must(await call(sup, 'POST', `/api/v1/sites/${dst.id}/kb/import`, body), 200, 'import json');
	assert.deepEqual([r1.created, r1.updated, r1.categories_created, r1.errors], [2, 0, 2, []]);
	const e2 = await exportJson(sup, dst.id);
	assert.deepEqual(comparable(e2.articles), comparable(e1.articles));
	assert.deepEqual(e2.categories, e1.categories);
	const r2 = must(await call(sup, 'POST', `/api/v1/sites/${dst.id}/kb/import`, body), 200, 'import again');
	assert.deepEqual([r2.created, r2.updated, r2.unchanged, r2.categories_updated], [0, 0, 2, 2]);

	// CSV out and in (with the BOM the export writes), into a third site
	const csv = await call(sup, 'GET', `/api/v1/sites/${src.id}/kb/export?format=csv`);
	assert.equal(csv.status, 200);
	assert.match(csv.headers['content-type'], /^text\/csv/);
	assert.equal(csv.buf.subarray(0, 3).toString('hex'), 'efbbbf', 'a UTF-8 BOM for spreadsheets');
	assert.match(csv.text, /"繁體,含逗號"/, 'commas are quoted');
	assert.match(csv.text, /"退货流程\n""退款""多久到账"/, 'quotes doubled, line breaks kept');
	const dst2 = await site('KB import CSV', [sup.user.id]);
	const r3 = must(await call(sup, 'POST', `/api/v1/sites/${dst2.id}/kb/import`, undefined,
		{ body: csv.buf, headers: { 'Content-Type': 'text/csv; charset=utf-8' } }), 200, 'import csv');
	assert.deepEqual([r3.created, r3.errors], [2, []]);
	const e3 = await exportJson(sup, dst2.id);
	assert.deepEqual(comparable(e3.articles), comparable(e1.articles), 'CSV round trip keeps every field');
	const zh = must(await call(sup, 'GET', `/api/v1/sites/${dst2.id}/kb/articles?lang=zh-CN`), 200, 'list').articles;
	const got = must(await call(sup, 'GET', `/api/v1/kb/articles/${zh[0].id}`), 200, 'imported article');
	assert.match(got.article.answer_html, /<strong>申请退货<\/strong>/, 'imported answers are rendered');
	assert.equal(b.translation_of, a.id);
});

test('import: per-row errors, upsert by (lang, slug), bad bodies', async () => {
	const dst = await site('KB import errors', [sup.user.id]);
	const csv = 'lang,slug,question,answer_md,tags,status,position\r\n' +
		'zh-CN,q1,问题一,答案一,a b,published,1\r\n' +
		'xx,q2,bad lang,,,,\r\n' +
		'en,q3,,no question,,,\r\n' +
		'en,q4,Question four,"multi\nline",,draft,abc\r\n' +
		'en,q5,Question five,ok,,draft,2\r\n';
	const r = must(await call(sup, 'POST', `/api/v1/sites/${dst.id}/kb/import`, undefined,
		{ body: '\ufeff' + csv, headers: { 'Content-Type': 'text/csv' } }), 200, 'csv import');
	assert.equal(r.created, 2);
	assert.deepEqual(r.errors.map((e) => e.row), [3, 4, 5], `rows are numbered as in a spreadsheet: ${JSON.stringify(r.errors)}`);
	const up = must(await call(sup, 'POST', `/api/v1/sites/${dst.id}/kb/import`, { articles: [{ lang: 'zh-CN', slug: 'q1', question: '问题一（新）' }] }), 200, 'upsert');
	assert.deepEqual([up.created, up.updated], [0, 1]);
	const list = must(await call(sup, 'GET', `/api/v1/sites/${dst.id}/kb/articles?lang=zh-CN`), 200, 'list').articles;
	assert.equal(list.length, 1);
	assert.equal(list[0].question, '问题一（新）');
	assert.equal(list[0].rev, 2);
	assert.deepEqual(list[0].tags, ['a', 'b'], 'fields not in the row are kept');
	must(await call(sup, 'POST', `/api/v1/sites/${dst.id}/kb/import`, undefined, { body: 'x', headers: { 'Content-Type': 'text/plain' } }), 415, 'unknown type');
	must(await call(sup, 'POST', `/api/v1/sites/${dst.id}/kb/import`, undefined, { body: 'lang\r\n"open', headers: { 'Content-Type': 'text/csv' } }), 422, 'open quote');
	must(await call(sup, 'POST', `/api/v1/sites/${dst.id}/kb/import`, { articles: 'no' }), 422, 'articles not an array');
	must(await call(ag, 'POST', `/api/v1/sites/${siteA.id}/kb/import`, { articles: [] }), 403, 'agents cannot import');
});

test('identity: admins read and rotate the secret; the example signature is HMAC-SHA256(secret, id)', async () => {
	const r = must(await call(admin, 'GET', `/api/v1/sites/${siteA.id}/identity`), 200, 'identity');
	assert.match(r.secret, /^[0-9a-f]{64}$/);
	const mac = crypto.createHmac('sha256', r.secret).update(r.example.customer_id).digest('hex');
	assert.equal(r.example.sig, mac, 'what a shop computes with the secret as shown');
	assert.equal(must(await call(admin, 'GET', `/api/v1/sites/${siteA.id}/identity`), 200, 'again').secret, r.secret, 'stable');
	const rot = must(await call(admin, 'POST', `/api/v1/sites/${siteA.id}/identity/rotate`), 200, 'rotate');
	assert.notEqual(rot.secret, r.secret);
	assert.equal(rot.example.sig, crypto.createHmac('sha256', rot.secret).update(rot.example.customer_id).digest('hex'));
	assert.equal(must(await call(admin, 'GET', `/api/v1/sites/${siteA.id}/identity`), 200, 'after').secret, rot.secret);
	const b = must(await call(admin, 'GET', `/api/v1/sites/${siteB.id}/identity`), 200, 'site B');
	assert.notEqual(b.secret, rot.secret, 'each site has its own');
	must(await call(sup, 'POST', `/api/v1/sites/${siteA.id}/identity/rotate`), 403, 'supervisors cannot rotate');
	must(await call(null, 'GET', `/api/v1/sites/${siteA.id}/identity`), 401, 'no session');
	must(await call(admin, 'GET', '/api/v1/sites/999999/identity'), 404, 'no such site');
});

test('import without slugs: matched by the exact question, never merged by a look-alike slug, never copied', async () => {
	const dst = await site('KB import no slug', [sup.user.id]);
	const body = { articles: [
		{ lang: 'en', question: 'Refund?', answer_md: 'one' },
		{ lang: 'en', question: 'Refund!', answer_md: 'two' },   // slugifies like the first
		{ lang: 'zh-CN', question: '怎么退货？', answer_md: '三' },  // no ASCII: no slug of its own
	] };
	const r1 = must(await call(sup, 'POST', `/api/v1/sites/${dst.id}/kb/import`, body), 200, 'import');
	assert.deepEqual([r1.created, r1.updated, r1.errors.length], [3, 0, 0], JSON.stringify(r1));
	const r2 = must(await call(sup, 'POST', `/api/v1/sites/${dst.id}/kb/import`, body), 200, 'import again');
	assert.deepEqual([r2.created, r2.updated, r2.unchanged], [0, 0, 3], `re-import changes nothing: ${JSON.stringify(r2)}`);
	body.articles[2].answer_md = '三（新）';
	const r3 = must(await call(sup, 'POST', `/api/v1/sites/${dst.id}/kb/import`, body), 200, 'import edited');
	assert.deepEqual([r3.created, r3.updated, r3.unchanged], [0, 1, 2]);
	const list = must(await call(sup, 'GET', `/api/v1/sites/${dst.id}/kb/articles`), 200, 'list').articles;
	assert.equal(list.length, 3, `no copies: ${list.map((x) => x.slug).join(' ')}`);
	assert.deepEqual(list.filter((x) => x.lang === 'en').map((x) => x.question).sort(), ['Refund!', 'Refund?']);
});

test('import: at most 1000 articles per request', async () => {
	const dst = await site('KB import big', [sup.user.id]);
	const articles = Array.from({ length: 1001 }, (_, i) => ({ lang: 'en', slug: `q${i}`, question: `Question ${i}` }));
	const r = await call(sup, 'POST', `/api/v1/sites/${dst.id}/kb/import`, { articles });
	must(r, 413, 'too many rows');
	assert.match(r.json.error.message, /1000 articles/);
});

test('translation groups: one article per language; deleting the first keeps the others together', async () => {
	const root = await article(sup, siteA.id, { lang: 'zh-CN', question: '组的第一篇' });
	const en = await article(sup, siteA.id, { lang: 'en', question: 'Group member', translation_of: root.id });
	const tw = await article(sup, siteA.id, { lang: 'zh-TW', question: '組的成員', translation_of: en.id });
	assert.equal(tw.translation_of, root.id);
	const dup = await call(sup, 'POST', `/api/v1/sites/${siteA.id}/kb/articles`, { lang: 'en', question: 'Second English', translation_of: root.id });
	must(dup, 422, 'a second English article in the group');
	must(await call(sup, 'DELETE', `/api/v1/kb/articles/${root.id}`), 200, 'delete the root');
	const en2 = must(await call(sup, 'GET', `/api/v1/kb/articles/${en.id}`), 200, 'en').article;
	const tw2 = must(await call(sup, 'GET', `/api/v1/kb/articles/${tw.id}`), 200, 'tw').article;
	assert.equal(en2.translation_of, null, 'the oldest remaining member is the new root');
	assert.equal(tw2.translation_of, en.id, 'the others point at it');
	assert.deepEqual(en2.translations.map((x) => x.id), [tw.id]);
});

test('spelling correction only uses words of the searched site', async () => {
	const a = await site('KB spell A', [sup.user.id]);
	const b = await site('KB spell B', [sup.user.id]);
	await article(sup, a.id, { lang: 'en', question: 'How do I use a coupon?', answer_md: 'At checkout.', status: 'published' });
	for (let i = 0; i < 3; i++) // more common, as near to "cupon", but another site's word
		await article(sup, b.id, { lang: 'en', question: `Roast capon recipe ${i}`, answer_md: 'capon', status: 'published' });
	const r = must(await request(srv.base, 'GET', `/api/v1/kb/search?site=${a.key}&q=cupon&partial=1`), 200, 'search');
	assert.ok(r.hits.length >= 1 && /coupon/.test(r.hits[0].question), `corrected to this site's word: ${JSON.stringify(r.hits)}`);
});
