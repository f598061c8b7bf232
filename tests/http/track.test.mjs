// tests/http/track.test.mjs - visitor tracking and traffic statistics, black box (docs/tracking.md):
// POST /api/v1/track (visitors made like the socket makes them, CORS, strict validation, size and
// rate limits, the per-site switch), the live visitor list, a visitor's page trail, GET /api/v1/stats
// and its CSV, GeoIP from a MaxMind DB file this test writes, and the demo product pages.
//
//   KEFU_BIN=path/to/kefu node --test tests/http/track.test.mjs
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { request, stopAll, startKefu, sleep, login, ADMIN_EMAIL, ADMIN_PASSWORD } from './lib.mjs';
import {
	chatSetup, createSite, connectVisitor, connectAgent, sendMsg, closeAllPeers, j,
} from './chatlib.mjs';

after(async () => {
	closeAllPeers();
	await stopAll();
});

const ORIGIN = 'http://shop.test';
const UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const today = () => new Date().toISOString().slice(0, 10);

/** POST /api/v1/track?site=KEY with a JSON (or raw string) body, as the widget sends it (text/plain). */
function track(srv, key, body, o = {}) {
	return request(srv.base, 'POST', `/api/v1/track?site=${encodeURIComponent(key)}`, {
		body: typeof body === 'string' ? body : JSON.stringify(body),
		headers: { 'Content-Type': 'text/plain;charset=UTF-8', Origin: o.origin ?? ORIGIN, 'User-Agent': UA, ...(o.headers || {}) },
	});
}

const view = (url, extra = {}) => ({ type: 'view', url, title: extra.title ?? '', referrer: extra.referrer ?? '', lang: 'zh-CN', screen: '1280x800', ...extra });

async function mustTrack(srv, key, body, o) {
	const r = await track(srv, key, body, o);
	assert.equal(r.status, 200, `POST /api/v1/track ${j(body)}: ${r.status} ${r.text}`);
	return r.json;
}

const get = (env, sess, path) => request(env.srv.base, 'GET', path, { cookie: sess.cookie });

async function live(env, sess, siteId) {
	const r = await get(env, sess, `/api/v1/visitors/live?site=${siteId}`);
	assert.equal(r.status, 200, `live list: ${r.status} ${r.text}`);
	assert.ok(Array.isArray(r.json.visitors), `{"visitors":[...]}: ${r.text}`);
	return r.json.visitors;
}

async function stats(env, sess, siteId, q = '') {
	const r = await get(env, sess, `/api/v1/stats?site=${siteId}${q}`);
	assert.equal(r.status, 200, `stats: ${r.status} ${r.text}`);
	return r.json;
}

/** A MaxMind DB (format 2.0, IPv4, 24-bit records) holding one /24 network with record. */
function mmdb(prefix, record) {
	const enc = (v) => {
		if (typeof v === 'string') {
			const b = Buffer.from(v, 'utf8');
			return Buffer.concat([Buffer.from([0x40 | b.length]), b]);
		}
		if (typeof v === 'number') { const b = Buffer.alloc(4); b.writeUInt32BE(v); return Buffer.concat([Buffer.from([0xc4]), b]); }
		if (typeof v === 'bigint') { const b = Buffer.alloc(8); b.writeBigUInt64BE(v); return Buffer.concat([Buffer.from([8, 2]), b]); }
		if (Array.isArray(v)) return Buffer.concat([Buffer.from([v.length, 4]), ...v.map(enc)]);
		const keys = Object.keys(v);
		return Buffer.concat([Buffer.from([0xe0 | keys.length]), ...keys.flatMap((k) => [enc(k), enc(v[k])])]);
	};
	const u16 = (n) => Buffer.from([0xa2, n >> 8, n & 255]);
	const bits = [];
	for (const o of prefix.split('.').map(Number)) for (let i = 7; i >= 0; i--) bits.push((o >> i) & 1);
	const n = bits.length, tree = Buffer.alloc(n * 6);
	const put = (off, v) => { tree[off] = (v >> 16) & 255; tree[off + 1] = (v >> 8) & 255; tree[off + 2] = v & 255; };
	bits.forEach((bit, i) => { // one node per prefix bit; the other side means "no data" (n)
		put(i * 6 + (bit ? 3 : 0), i === n - 1 ? n + 16 : i + 1);
		put(i * 6 + (bit ? 0 : 3), n);
	});
	const meta = Buffer.concat([Buffer.from([0xe9]), enc('node_count'), enc(n), enc('record_size'), u16(24),
		enc('ip_version'), u16(4), enc('database_type'), enc('Kefu-Test-City'), enc('languages'), enc(['en']),
		enc('binary_format_major_version'), u16(2), enc('binary_format_minor_version'), u16(0),
		enc('build_epoch'), enc(1700000000n), enc('description'), enc({ en: 'Kefu test data' })]);
	return Buffer.concat([tree, Buffer.alloc(16), enc(record), Buffer.from('abcdef4d61784d696e642e636f6d', 'hex'), meta]);
}

test('a page view makes a visitor like the socket does; the token finds it again', async () => {
	const env = await chatSetup();
	const key = env.plain.key;
	const first = await mustTrack(env.srv, key, { events: [view('http://shop.test/', { title: '首页' })] });
	assert.match(first.token || '', /^[A-Za-z0-9_-]{43}$/, `a new visitor gets a 43-character token: ${j(first)}`);
	assert.ok(Number.isInteger(first.visitor_id) && first.visitor_id > 0, j(first));

	const again = await mustTrack(env.srv, key, { token: first.token, events: [view('http://shop.test/b')] });
	assert.deepEqual(again, { visitor_id: first.visitor_id }, 'a known token: the same visitor, no new token');

	// The widget's socket takes the same token: one visitor, not two.
	const v = await connectVisitor(env.srv, key, { token: first.token });
	assert.equal(v.visitorId, first.visitor_id, 'the visitor socket knows the token tracking made');
	assert.equal(v.token, first.token);

	// An unknown (or another site's) token is a new visitor with a new token.
	const other = await mustTrack(env.srv, env.preview.key, { token: first.token, events: [view('http://shop.test/')] });
	assert.notEqual(other.visitor_id, first.visitor_id);
	assert.notEqual(other.token, first.token);
	v.close();
});

test('CORS: the allowed origin gets its answer headers; others are refused; preflight answers', async () => {
	const env = await chatSetup();
	const site = await createSite(env.srv, env.admin, { name: 'Strict', origins: [ORIGIN] });
	const ok = await track(env.srv, site.key, { events: [view('http://shop.test/')] });
	assert.equal(ok.status, 200, ok.text);
	assert.equal(ok.headers['access-control-allow-origin'], ORIGIN);
	assert.match(ok.headers.vary || '', /Origin/);

	const bad = await track(env.srv, site.key, { events: [view('http://shop.test/')] }, { origin: 'http://evil.test' });
	assert.equal(bad.status, 403, bad.text);
	assert.equal(bad.json?.error?.code, 'forbidden');
	assert.equal(bad.headers['access-control-allow-origin'], undefined);

	const pre = await request(env.srv.base, 'OPTIONS', `/api/v1/track?site=${site.key}`, { headers: { Origin: ORIGIN } });
	assert.equal(pre.status, 204, pre.text);
	assert.equal(pre.headers['access-control-allow-origin'], ORIGIN);
	assert.match(pre.headers['access-control-allow-methods'] || '', /POST/);

	const unknown = await track(env.srv, 's_nope', { events: [view('http://shop.test/')] });
	assert.equal(unknown.status, 404);
	assert.equal(unknown.json?.error?.code, 'not_found');
});

test('malformed reports get 4xx JSON errors and leave nothing behind', async () => {
	const env = await chatSetup();
	const key = env.plain.key;
	const cases = [
		['not JSON', '{"events":[', 400, 'invalid_json'],
		['an array body', '[1]', 400, 'invalid_json'],
		['no events', {}, 422],
		['empty events', { events: [] }, 422],
		['21 events', { events: Array.from({ length: 21 }, () => view('http://shop.test/')) }, 422],
		['an unknown key', { events: [view('http://shop.test/')], extra: 1 }, 422],
		['an unknown type', { events: [{ type: 'click', url: 'http://shop.test/' }] }, 422],
		['view without url', { events: [{ type: 'view' }] }, 422],
		['javascript: url', { events: [view('javascript:alert(1)')] }, 422],
		['url too long', { events: [view('http://shop.test/' + 'a'.repeat(2100))] }, 422],
		['title a number', { events: [view('http://shop.test/', { title: 5 })] }, 422],
		['bad screen', { events: [view('http://shop.test/', { screen: '1280*800' })] }, 422],
		['bad lang', { events: [view('http://shop.test/', { lang: 'zh CN<' })] }, 422],
		['view with a stray key', { events: [{ ...view('http://shop.test/'), seconds: 3 }] }, 422],
		['ping without seconds', { events: [{ type: 'ping' }] }, 422],
		['ping of -1 s', { events: [{ type: 'ping', seconds: -1 }] }, 422],
		['ping of 2 hours', { events: [{ type: 'ping', seconds: 7200 }] }, 422],
		['ping of 1.5 s', { events: [{ type: 'ping', seconds: 1.5 }] }, 422],
		['token a number', { token: 5, events: [view('http://shop.test/')] }, 422],
		['one bad event among good ones', { events: [view('http://shop.test/'), { type: 'view', url: 'ftp://x' }] }, 422],
	];
	for (const [what, body, status, code] of cases) {
		const r = await track(env.srv, key, body);
		assert.equal(r.status, status, `${what}: ${r.status} ${r.text}`);
		assert.equal(typeof r.json?.error?.message, 'string', `${what}: a JSON error: ${r.text}`);
		assert.equal(r.json.error.code, code || 'invalid_field', `${what}: ${r.text}`);
		assert.equal(r.headers['access-control-allow-origin'], ORIGIN, `${what}: the widget can read the error`);
	}
	const big = await track(env.srv, key, JSON.stringify({ events: [view('http://shop.test/', { title: 'x'.repeat(17000) })] }));
	assert.equal(big.status, 413, `17 KB: ${big.status} ${big.text}`);
	assert.equal(big.json?.error?.code, 'too_large');

	assert.deepEqual(await live(env, env.admin, env.plain.id), [], 'no visitor was listed');
	const s = await stats(env, env.admin, env.plain.id);
	assert.equal(s.totals.pageviews, 0, `nothing was counted: ${j(s.totals)}`);
	assert.equal(s.totals.visitors, 0);
});

test('the live list: current page, pages this visit, referrer, browser, chatting; members only', async () => {
	const env = await chatSetup();
	const key = env.plain.key;
	const a = await mustTrack(env.srv, key, { events: [view('http://shop.test/?utm_source=baidu&utm_campaign=spring', { title: '首页', referrer: 'https://www.baidu.com/s?wd=耳机' })] });
	await mustTrack(env.srv, key, { token: a.token, events: [view('http://shop.test/earbuds', { title: '蓝牙耳机' })] });
	const b = await mustTrack(env.srv, key, { events: [view('http://shop.test/bags', { title: '包袋' })] });

	let list = await live(env, env.a1, env.plain.id);
	assert.equal(list.length, 2, `two visitors on the site: ${j(list)}`);
	const va = list.find((v) => v.id === a.visitor_id), vb = list.find((v) => v.id === b.visitor_id);
	assert.ok(va && vb, j(list));
	assert.deepEqual(va.page, { url: 'http://shop.test/earbuds', title: '蓝牙耳机' }, 'the current page is the latest view');
	assert.equal(va.pages, 2);
	assert.equal(va.referrer, 'https://www.baidu.com/s?wd=耳机', 'the referrer of the visit (its first page)');
	assert.equal(va.returning, false);
	assert.equal(va.chatting, false);
	assert.equal(va.conversation_id, null);
	assert.equal(va.browser, 'Chrome 120 · Windows');
	assert.equal(va.lang, 'zh-CN');
	assert.equal(va.country, '', 'no GeoIP file: empty, not an error');
	assert.equal(va.city, '');
	assert.ok(va.on_site_seconds >= 0 && va.on_site_seconds < 30, j(va));
	for (const k of ['id', 'name', 'email', 'page', 'pages', 'on_site_seconds', 'referrer', 'returning', 'country', 'city', 'lang', 'browser', 'chatting', 'conversation_id']) {
		assert.ok(k in va, `field ${k}: ${j(va)}`);
	}

	// Chatting: with an agent online, the visitor writes through the socket with the same token.
	const agent = await connectAgent(env.srv, env.a1, { status: 'online' });
	const sock = await connectVisitor(env.srv, key, { token: a.token });
	const ack = await sendMsg(sock, { text: '耳机有货吗？' });
	list = await live(env, env.a1, env.plain.id);
	const chatting = list.find((v) => v.id === a.visitor_id);
	assert.equal(chatting.chatting, true, j(chatting));
	assert.equal(chatting.conversation_id, ack.conversation_id);
	sock.close();
	agent.close();

	// Not a member of the site: not listed, not even its existence.
	const out = await get(env, env.out, `/api/v1/visitors/live?site=${env.plain.id}`);
	assert.equal(out.status, 404, out.text);
	const anon = await request(env.srv.base, 'GET', `/api/v1/visitors/live?site=${env.plain.id}`);
	assert.equal(anon.status, 401);
	const bad = await get(env, env.a1, '/api/v1/visitors/live?site=abc');
	assert.equal(bad.status, 422);
	assert.deepEqual(await live(env, env.admin, env.preview.id), [], 'another site has nobody');
});

test('a leave drops the visitor from the live list within seconds unless a socket is open', async () => {
	const env = await chatSetup();
	const key = env.plain.key;
	const a = await mustTrack(env.srv, key, { events: [view('http://shop.test/')] });
	await mustTrack(env.srv, key, { token: a.token, events: [{ type: 'leave', seconds: 4 }] });
	assert.equal((await live(env, env.a1, env.plain.id)).length, 1, 'still listed right after leaving (the next page may follow)');
	await sleep(10500);
	assert.deepEqual(await live(env, env.a1, env.plain.id), [], 'gone 10 s after a leave');
	await mustTrack(env.srv, key, { token: a.token, events: [view('http://shop.test/again')] });
	const back = await live(env, env.a1, env.plain.id);
	assert.equal(back.length, 1, 'back with the next page view');
	assert.equal(back[0].pages, 2, 'the same visit');
});

test('the page trail: newest first, with the time on each page from the heartbeats', async () => {
	const env = await chatSetup();
	const key = env.plain.key;
	const a = await mustTrack(env.srv, key, { events: [view('http://shop.test/one', { title: 'One' })] });
	await mustTrack(env.srv, key, { token: a.token, events: [{ type: 'ping', seconds: 15 }, { type: 'ping', seconds: 5 }] });
	await mustTrack(env.srv, key, { token: a.token, events: [view('http://shop.test/two', { title: 'Two' })] });
	await mustTrack(env.srv, key, { token: a.token, events: [{ type: 'leave', seconds: 7 }] });
	const r = await get(env, env.a1, `/api/v1/visitors/${a.visitor_id}/pages`);
	assert.equal(r.status, 200, r.text);
	const p = r.json.pages;
	assert.deepEqual(p.map((x) => [x.url, x.title, x.seconds]), [['http://shop.test/two', 'Two', 7], ['http://shop.test/one', 'One', 20]], j(p));
	assert.ok(p[0].at >= p[1].at && p[0].at > Date.now() - 60000, 'at: ms since the epoch');

	assert.equal((await get(env, env.out, `/api/v1/visitors/${a.visitor_id}/pages`)).status, 404, 'not a member');
	assert.equal((await get(env, env.a1, '/api/v1/visitors/999999/pages')).status, 404);
	assert.equal((await get(env, env.a1, '/api/v1/visitors/x/pages')).status, 422);
	const s = await stats(env, env.admin, env.plain.id);
	assert.equal(s.totals.seconds, 27, 'the day counts the reported seconds');
});

test('statistics: the day counts visitors, new and returning, page views, tops and chats', async () => {
	const env = await chatSetup();
	const key = env.plain.key;
	// Three visitors, six page views; two come from Baidu's ad campaign, one from Google.
	const a = await mustTrack(env.srv, key, { events: [view('http://shop.test/?utm_source=baidu&utm_medium=cpc&utm_campaign=spring', { title: '首页', referrer: 'https://www.baidu.com/' })] });
	await mustTrack(env.srv, key, { token: a.token, events: [view('http://shop.test/earbuds?utm_source=x#reviews', { title: '蓝牙耳机', referrer: 'http://shop.test/' })] });
	await mustTrack(env.srv, key, { token: a.token, events: [view('http://shop.test/earbuds', { title: '蓝牙耳机' })] });
	const b = await mustTrack(env.srv, key, { events: [view('http://shop.test/?utm_source=baidu&utm_medium=cpc&utm_campaign=spring', { title: '首页', referrer: 'https://www.baidu.com/s' })] });
	await mustTrack(env.srv, key, { token: b.token, events: [view('http://shop.test/earbuds', { title: '蓝牙耳机' })] });
	await mustTrack(env.srv, key, { events: [view('http://shop.test/bags', { title: '包袋', referrer: 'https://www.google.com/' })] });
	// Two chats today.
	for (const t of [a.token, b.token]) {
		const v = await connectVisitor(env.srv, key, { token: t });
		await sendMsg(v, { text: '你好' });
		v.close();
	}

	const s = await stats(env, env.admin, env.plain.id);
	assert.equal(s.timezone, 'UTC');
	assert.equal(s.to, today());
	assert.equal(s.days.length, 30, 'the last 30 days by default');
	const d = s.days.at(-1);
	assert.equal(d.date, today());
	assert.deepEqual([d.visitors, d.new_visitors, d.returning_visitors, d.pageviews, d.visits, d.chats],
		[3, 3, 0, 6, 3, 2], `today: ${j(d)}`);
	assert.equal(d.chat_rate, 2 / 3);
	assert.equal(s.totals.pageviews, 6);
	assert.equal(s.totals.chats, 2);
	assert.deepEqual(s.top_pages.map((x) => [x.key, x.label, x.count]), [
		['http://shop.test/earbuds', '蓝牙耳机', 3], ['http://shop.test/', '首页', 2], ['http://shop.test/bags', '包袋', 1],
	], 'pages without utm parameters or fragments, with their titles');
	assert.deepEqual(s.top_referrers.map((x) => [x.key, x.count]), [['www.baidu.com', 2], ['www.google.com', 1]],
		'other sites only: a link inside the shop is not a referrer');
	assert.deepEqual(s.top_campaigns.map((x) => [x.key, x.label, x.count]), [['spring', 'baidu / cpc', 2]]);

	// A range in the past is empty; the CSV has a BOM, a header and one row per day.
	const past = await stats(env, env.admin, env.plain.id, '&from=2024-01-01&to=2024-01-07');
	assert.equal(past.days.length, 7);
	assert.equal(past.totals.visitors, 0);
	assert.equal(past.totals.chat_rate, null);
	assert.equal(past.totals.frt_median, null);
	const csv = await request(env.srv.base, 'GET', `/api/v1/stats.csv?site=${env.plain.id}&from=2024-01-01&to=2024-01-07`, { cookie: env.admin.cookie });
	assert.equal(csv.status, 200);
	assert.match(csv.headers['content-type'], /^text\/csv/);
	assert.match(csv.headers['content-disposition'] || '', /attachment; filename="kefu-stats-\d+-2024-01-01-2024-01-07\.csv"/);
	assert.deepEqual([...csv.buf.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a UTF-8 BOM for Excel');
	const lines = csv.text.slice(1).trim().split('\r\n');
	assert.equal(lines.length, 8, 'header + 7 days');
	assert.match(lines[0], /^site,date,visitors,new_visitors,returning_visitors,pageviews,visits,chats,chat_rate,missed_chats,/);
	assert.equal(lines[1].split(',')[1], '2024-01-01');

	// Supervisors and admins only; bad ranges are refused.
	assert.equal((await get(env, env.a1, `/api/v1/stats?site=${env.plain.id}`)).status, 403);
	for (const q of ['&from=2024-13-01', '&from=2024-02-01&to=2024-01-01', '&from=2020-01-01&to=2024-01-01', '&to=yesterday']) {
		const r = await get(env, env.admin, `/api/v1/stats?site=${env.plain.id}${q}`);
		assert.equal(r.status, 422, `${q}: ${r.status} ${r.text}`);
	}
	assert.equal((await get(env, env.admin, '/api/v1/stats?site=424242')).status, 404);
});

test('a visitor coming back after a visit is returning, counted once a day', async () => {
	const env = await chatSetup({ keepDir: true });
	const key = env.plain.key;
	const a = await mustTrack(env.srv, key, { events: [view('http://shop.test/')] });
	await sleep(400); // written by the batch (within 200 ms)
	const dir = env.srv.dir;
	await env.srv.stop();
	// Move the visitor's last page view 31 minutes back: the visit is over (30 minutes).
	const ago = Date.now() - 31 * 60000;
	const sameDay = new Date(ago).toISOString().slice(0, 10) === today();
	const py = spawnSync('/usr/bin/python3', ['-c', `
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute('UPDATE track_visitors SET last_at = ?, first_at = ? WHERE visitor_id = ?', (int(sys.argv[3]), int(sys.argv[3]), int(sys.argv[2])))
db.commit()
`, join(dir, 'kefu.db'), String(a.visitor_id), String(ago)], { encoding: 'utf8' });
	assert.equal(py.status, 0, py.stderr);
	const srv = await startKefu({ dir, conf: { limits: { login_attempts_per_min: 1000 } } });
	const sess = await login(srv.base, ADMIN_EMAIL, ADMIN_PASSWORD);
	await mustTrack(srv, key, { token: a.token, events: [view('http://shop.test/again')] });
	const r = await request(srv.base, 'GET', `/api/v1/visitors/live?site=${env.plain.id}`, { cookie: sess.cookie });
	const v = r.json.visitors.find((x) => x.id === a.visitor_id);
	assert.ok(v, r.text);
	assert.equal(v.returning, true, `a second visit: ${j(v)}`);
	assert.equal(v.visits, 2);
	assert.equal(v.pages, 1, 'pages of this visit only');
	if (!sameDay) return; // 31 minutes ago was yesterday (UTC): today's counts are not this test's
	const s = await request(srv.base, 'GET', `/api/v1/stats?site=${env.plain.id}`, { cookie: sess.cookie });
	const d = s.json.days.at(-1);
	assert.equal(d.visitors, 1, `one visitor today, not two: ${j(d)}`);
	assert.equal(d.visits, 2);
	assert.equal(d.pageviews, 2);
});

test('the per-site switch: off stores nothing and says so; admins only', async () => {
	const env = await chatSetup();
	const id = env.plain.id, key = env.plain.key;
	const put = (sess, body) => request(env.srv.base, 'PUT', `/api/v1/sites/${id}/tracking`, { cookie: sess.cookie, csrf: sess.csrf, json: body });
	let r = await get(env, env.admin, `/api/v1/sites/${id}/tracking`);
	assert.deepEqual(r.json, { site_id: id, enabled: true }, 'on by default');
	assert.equal((await put(env.a1, { enabled: false })).status, 403, 'agents may not switch it');
	assert.equal((await put(env.admin, { enabled: 'no' })).status, 422);
	assert.equal((await put(env.admin, { enabled: false, x: 1 })).status, 422);
	assert.equal((await request(env.srv.base, 'PUT', '/api/v1/sites/9999/tracking', { cookie: env.admin.cookie, csrf: env.admin.csrf, json: { enabled: false } })).status, 404);
	r = await put(env.admin, { enabled: false });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.enabled, false);

	const off = await mustTrack(env.srv, key, { events: [view('http://shop.test/')] });
	assert.deepEqual(off, { tracking: false });
	assert.deepEqual(await live(env, env.admin, id), []);
	assert.equal((await stats(env, env.admin, id)).totals.pageviews, 0);

	await put(env.admin, { enabled: true });
	const on = await mustTrack(env.srv, key, { events: [view('http://shop.test/')] });
	assert.ok(on.token, j(on));
	assert.equal((await stats(env, env.admin, id)).totals.pageviews, 1);
});

test('reports per address are limited', async () => {
	const env = await chatSetup({ conf: { track: { reports_per_min: 5 } } });
	for (let i = 0; i < 5; i++) await mustTrack(env.srv, env.plain.key, { events: [view('http://shop.test/')] });
	const r = await track(env.srv, env.plain.key, { events: [view('http://shop.test/')] });
	assert.equal(r.status, 429, r.text);
	assert.equal(r.json?.error?.code, 'rate_limited');
	assert.ok(+r.headers['retry-after'] > 0);
	// Behind the trusted proxy, each client address has its own allowance.
	const other = await track(env.srv, env.plain.key, { events: [view('http://shop.test/')] }, { headers: { 'X-Forwarded-For': '203.0.113.9' } });
	assert.equal(other.status, 200, other.text);
});

test('new visitors per address are limited: at most 30 a minute by default', async () => {
	const env = await chatSetup();
	const key = env.plain.key;
	const made = [];
	for (let i = 0; i < 30; i++) made.push(await mustTrack(env.srv, key, { events: [view(`http://shop.test/${i}`)] }));
	const r = await track(env.srv, key, { events: [view('http://shop.test/31')] });
	assert.equal(r.status, 429, `the 31st new visitor from one address: ${r.status} ${r.text}`);
	assert.equal(r.json?.error?.code, 'rate_limited', r.text);
	assert.equal(typeof r.json.error.message, 'string');
	assert.ok(+r.headers['retry-after'] > 0, j(r.headers));
	assert.equal(r.headers['access-control-allow-origin'], ORIGIN, 'the widget can read the error');
	// A token the server does not know would make a visitor too.
	const forged = await track(env.srv, key, { token: 'x'.repeat(43), events: [view('http://shop.test/')] });
	assert.equal(forged.status, 429, forged.text);
	// Known visitors go on reporting; another address has its own allowance.
	assert.deepEqual(await mustTrack(env.srv, key, { token: made[0].token, events: [view('http://shop.test/b')] }), { visitor_id: made[0].visitor_id });
	await mustTrack(env.srv, key, { token: made[1].token, events: [{ type: 'ping', seconds: 5 }] });
	const other = await mustTrack(env.srv, key, { events: [view('http://shop.test/')] }, { headers: { 'X-Forwarded-For': '203.0.113.9' } });
	assert.ok(other.token, j(other));
	const t = (await stats(env, env.admin, env.plain.id)).totals;
	assert.deepEqual([t.visitors, t.pageviews], [31, 32], `refused reports left nothing behind: ${j(t)}`);
	assert.equal((await live(env, env.a1, env.plain.id)).length, 31);
});

test('a full presence table drops its stalest entry; the visitor it dropped is counted right when back', async () => {
	const env = await chatSetup({ conf: { track: { presence_max: 3 } } });
	const key = env.plain.key;
	const a = await mustTrack(env.srv, key, { events: [view('http://shop.test/a')] });
	const b = await mustTrack(env.srv, key, { events: [view('http://shop.test/b', { title: 'B', referrer: 'https://www.google.com/' })] });
	const c = await mustTrack(env.srv, key, { events: [view('http://shop.test/c')] });
	await mustTrack(env.srv, key, { token: a.token, events: [{ type: 'ping', seconds: 3 }] }); // b is now the stalest
	const d = await mustTrack(env.srv, key, { events: [view('http://shop.test/d')] });
	const ids = (await live(env, env.a1, env.plain.id)).map((v) => v.id).sort((x, y) => x - y);
	assert.deepEqual(ids, [a.visitor_id, c.visitor_id, d.visitor_id].sort((x, y) => x - y), 'b made room for d');
	// b comes back at once (its page view may still be queued): the same visit, not a new visitor.
	assert.deepEqual(await mustTrack(env.srv, key, { token: b.token, events: [view('http://shop.test/b2', { title: 'B2' })] }), { visitor_id: b.visitor_id });
	const vb = (await live(env, env.a1, env.plain.id)).find((v) => v.id === b.visitor_id);
	assert.ok(vb, 'listed again');
	assert.deepEqual([vb.page.url, vb.page.title, vb.visits, vb.returning], ['http://shop.test/b2', 'B2', 1, false], j(vb));
	const day = (await stats(env, env.admin, env.plain.id)).days.at(-1);
	assert.deepEqual([day.visitors, day.new_visitors, day.visits, day.pageviews], [4, 4, 4, 5], j(day));
});

test('a visitor whose heartbeats crossed midnight is counted again on the day they come back', async () => {
	const env = await chatSetup({ keepDir: true });
	const key = env.plain.key;
	const a = await mustTrack(env.srv, key, { events: [view('http://shop.test/')] });
	await sleep(400); // written by the batch (within 200 ms)
	const dir = env.srv.dir;
	await env.srv.stop();
	// Rewrite the history: a page view yesterday at 23:50 UTC, heartbeats until 31 minutes ago
	// (today, so this cannot run in the first 31 minutes of a UTC day), and nothing counted today.
	const now = Date.now(), dayStart = Math.floor(now / 86400000) * 86400000, lastPing = now - 31 * 60000;
	if (lastPing < dayStart) return;
	const py = spawnSync('/usr/bin/python3', ['-c', `
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
vid, view_at, ping_at = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
db.execute('UPDATE track_visitors SET first_at = ?, last_view_at = ?, last_at = ? WHERE visitor_id = ?', (view_at, view_at, ping_at, vid))
db.execute('UPDATE track_pageviews SET at = ? WHERE visitor_id = ?', (view_at, vid))
db.execute('DELETE FROM track_daily')
db.commit()
`, join(dir, 'kefu.db'), String(a.visitor_id), String(dayStart - 10 * 60000), String(lastPing)], { encoding: 'utf8' });
	assert.equal(py.status, 0, py.stderr);
	const srv = await startKefu({ dir, conf: { limits: { login_attempts_per_min: 1000 } } });
	const sess = await login(srv.base, ADMIN_EMAIL, ADMIN_PASSWORD);
	await mustTrack(srv, key, { token: a.token, events: [view('http://shop.test/again')] });
	const s = await request(srv.base, 'GET', `/api/v1/stats?site=${env.plain.id}`, { cookie: sess.cookie });
	const d = s.json.days.at(-1);
	assert.equal(d.date, today());
	assert.deepEqual([d.visitors, d.new_visitors, d.returning_visitors, d.visits, d.pageviews], [1, 0, 1, 1, 1],
		`today counts the returning visitor once: ${j(d)}`);
});

test('GeoIP: country and city from a MaxMind DB file; without one the columns are empty', async () => {
	const probe = await startKefu();
	const file = join(probe.dir, 'city.mmdb');
	await writeFile(file, mmdb('1.2.3', { country: { iso_code: 'CN', names: { en: 'China' } }, city: { names: { en: 'Shanghai', 'zh-CN': '上海' } } }));
	const env = await chatSetup({ conf: { track: { geoip: file } } });
	assert.match(env.srv.stderr(), /GeoIP from/, env.srv.stderr());
	const key = env.plain.key;
	const a = await mustTrack(env.srv, key, { events: [view('http://shop.test/')] }, { headers: { 'X-Forwarded-For': '1.2.3.4' } });
	const b = await mustTrack(env.srv, key, { events: [view('http://shop.test/')] }, { headers: { 'X-Forwarded-For': '198.51.100.7' } });
	const list = await live(env, env.a1, env.plain.id);
	const va = list.find((v) => v.id === a.visitor_id), vb = list.find((v) => v.id === b.visitor_id);
	assert.deepEqual([va.country, va.city], ['CN', 'Shanghai']);
	assert.deepEqual([vb.country, vb.city], ['', ''], 'an address the file does not know');

	// A path that cannot be opened: one warning, and tracking works with empty columns.
	const env2 = await chatSetup({ conf: { track: { geoip: join(probe.dir, 'missing.mmdb') } } });
	assert.match(env2.srv.stderr(), /GeoIP file .* not opened/);
	const c = await mustTrack(env2.srv, env2.plain.key, { events: [view('http://shop.test/')] }, { headers: { 'X-Forwarded-For': '1.2.3.4' } });
	const vc = (await live(env2, env2.a1, env2.plain.id)).find((v) => v.id === c.visitor_id);
	assert.deepEqual([vc.country, vc.city], ['', '']);
});

test('demo product pages carry the widget and link to each other', async () => {
	const env = await chatSetup();
	const r = await request(env.srv.base, 'GET', `/demo/earbuds?site=${env.plain.key}`);
	assert.equal(r.status, 200);
	assert.match(r.headers['content-type'], /text\/html/);
	assert.match(r.text, /<title>蓝牙耳机 - Demo shop<\/title>/);
	assert.ok(r.text.includes(`<script async src="/widget.js" data-site="${env.plain.key}"></script>`), 'the widget with the site key');
	assert.ok(r.text.includes(`href="/demo/thermos?site=${env.plain.key}"`), 'a link to another product');
	assert.ok(r.text.includes(`href="/demo?site=${env.plain.key}"`), 'a link home');
	assert.equal((await request(env.srv.base, 'GET', '/demo/nope')).status, 404);
	assert.equal((await request(env.srv.base, 'GET', '/demo/bags?site=s_unknown')).status, 404);
	const first = await request(env.srv.base, 'GET', '/demo/bags');
	assert.equal(first.status, 200, 'without ?site the first site');
	assert.ok(first.text.includes(`data-site="${env.preview.key}"`));
});
