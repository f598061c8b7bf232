// tests/e2e/reports.test.mjs - the statistics page end to end (docs/tracking.md).
//
//   KEFU_BIN=path/to/kefu node --test tests/e2e/reports.test.mjs
//
// Generates a day whose true numbers the test knows: page views through the real report call
// (POST /api/v1/track, as the widget sends them) from visitors it makes, and conversations with
// known first replies, durations, statuses and ratings written into the database with Debian's
// python3 sqlite3 (the server keeps running; WAL lets both write). Then the admin opens the
// console's Reports page in Chromium and the totals cards, the top lists, the charts and the CSV
// link must show exactly those numbers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
	KEFU_BIN, CHROMIUM, PYTHON, run, startServer, stopServer, watchForeign, client, sessionCookie, launchChromium, signIn } from './lib.mjs';

const EMAIL = 'admin@example.com';
const PASSWORD = 'correct-horse-battery-9';
const ORIGIN = 'http://shop.example';

let dataDir, server, serverLog = '', base = '', browser, api, site;
const foreign = [];

/* The day's truth. 7 visitors: visitor i views the home page (from a Baidu campaign for visitors
 * 0-2), then items 1 .. PAGES[i]-1; 5 of them chat. */
const PAGES = [3, 2, 1, 4, 1, 2, 1];
const CHATS = [
	// [visitor, status, first reply after (s) or null, lasts (s) when closed, rating]
	[0, 'closed', 12, 300, 5],
	[1, 'closed', 30, 600, 4],
	[2, 'closed', null, 120, null],   // closed without a reply: missed
	[3, 'active', 8, null, null],
	[4, 'offline', null, null, null],  // left while nobody was online: missed
];
const TRUTH = {
	visitors: 7, new: 7, returning: 0, pageviews: 14, chats: 5, missed: 2,
	frt: [8, 12, 30], dur: [120, 300, 600], ratings: 2, ratingAvg: 4.5,
};

before(async () => {
	assert.ok(existsSync(KEFU_BIN), `${KEFU_BIN} not found: build it with make, or set KEFU_BIN`);
	assert.ok(existsSync(CHROMIUM), `${CHROMIUM} not found: scripts/deps check installs it`);
	dataDir = mkdtempSync(join(tmpdir(), 'kefu-e2e-reports-'));
	const add = await run(['user', 'add', '--role', 'admin', '--name', 'Boss', '--data', dataDir, EMAIL], PASSWORD + '\n');
	assert.equal(add.code, 0, add.stderr);
	const srv = startServer(dataDir, (d) => (serverLog += d));
	server = srv.proc;
	base = await srv.ready;
	api = client(base);
	const login = await api.call('POST', '/api/v1/auth/login', { email: EMAIL, password: PASSWORD });
	api.cookie = sessionCookie(login);
	api.csrf = login.json.csrf_token;
	site = (await api.call('POST', '/api/v1/sites', { name: '报表店', origins: [ORIGIN] })).json.site;
	await api.call('PUT', `/api/v1/sites/${site.id}/members`, { user_ids: [login.json.user.id] });
	browser = await launchChromium();
});

after(async () => {
	try { if (browser) await browser.close(); } catch { /* already gone */ }
	await stopServer(server);
	if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/* One report as the widget sends it. */
async function report(body) {
	const r = await api.call('POST', `/api/v1/track?site=${site.key}`, body, { Origin: ORIGIN });
	assert.equal(r.status, 200, JSON.stringify(r.json));
	return r.json;
}

async function generateDay() {
	const ids = [];
	for (let i = 0; i < PAGES.length; i++) {
		let token = null;
		for (let p = 0; p < PAGES[i]; p++) {
			const url = p > 0 ? `${ORIGIN}/item/${p}` : i < 3 ? `${ORIGIN}/?utm_source=baidu&utm_medium=cpc&utm_campaign=双十一` : `${ORIGIN}/`;
			const ev = { type: 'view', url, title: p === 0 ? '首页' : `商品 ${p}`, referrer: p === 0 && i < 3 ? 'https://www.baidu.com/' : '' };
			const out = await report(token ? { token, events: [ev] } : { events: [ev] });
			if (!token) { token = out.token; ids.push(out.visitor_id); }
		}
	}
	// Conversations today (UTC), spread over the day's first minutes so they never cross midnight.
	const day0 = Math.floor(Date.now() / 86400000) * 86400;
	const rows = CHATS.map(([v, status, frt, dur, rating], i) => {
		const created = day0 + 60 * i;
		return [site.id, ids[v], status, created, frt == null ? null : created * 1000 + frt * 1000,
			dur == null ? null : created + dur, rating];
	});
	const py = spawnSync(PYTHON, ['-c', `
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=10)
for s, v, st, c, fr, cl, ra in json.loads(sys.argv[2]):
    db.execute("INSERT INTO conversations (site_id, visitor_id, status, created_at, updated_at, closed_at, first_reply_at, rating) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (s, v, st, c, c, cl, fr, ra))
db.commit()
`, join(dataDir, 'kefu.db'), JSON.stringify(rows)], { encoding: 'utf8' });
	assert.equal(py.status, 0, py.stderr);
}

const nearestRank = (vals, p) => [...vals].sort((a, b) => a - b)[Math.ceil((p / 100) * vals.length) - 1];

test('the statistics page shows the generated day exactly', { timeout: 90000 }, async () => {
	await generateDay();
	const host = new URL(base).host;
	const ctx = await browser.newContext({ locale: 'en-US', viewport: { width: 1400, height: 1000 } });
	ctx.setDefaultTimeout(10000);
	watchForeign(ctx, host, foreign);
	const A = await ctx.newPage();
	await A.goto(base + '/');
	await signIn(A, EMAIL, PASSWORD);
	await A.selectOption('#lang-switch', 'en'); // the console in English: the texts below are en
	await A.click('nav [data-nav=reports]');
	await A.locator('#reports-body').waitFor();

	const val = async (id) => A.getAttribute('#' + id, 'data-value');
	const text = async (id) => (await A.textContent(`#${id} .stat-value`)).trim();
	assert.equal(await val('stat-visitors'), String(TRUTH.visitors));
	assert.equal(await val('stat-new'), String(TRUTH.new));
	assert.equal(await val('stat-returning'), String(TRUTH.returning));
	assert.equal(await val('stat-pageviews'), String(TRUTH.pageviews));
	assert.equal(await text('stat-pageviews'), '14');
	assert.equal(await val('stat-chats'), String(TRUTH.chats));
	assert.equal(await text('stat-chat-rate'), (100 * TRUTH.chats / TRUTH.visitors).toFixed(1) + '%');
	assert.equal(await val('stat-missed'), String(TRUTH.missed));
	assert.equal(+(await val('stat-frt-median')), nearestRank(TRUTH.frt, 50));
	assert.equal(+(await val('stat-frt-p90')), nearestRank(TRUTH.frt, 90));
	assert.equal(await text('stat-frt-median'), '12 s');
	assert.equal(+(await val('stat-duration-median')), nearestRank(TRUTH.dur, 50));
	assert.equal(+(await val('stat-duration-p90')), nearestRank(TRUTH.dur, 90));
	assert.equal(await text('stat-duration-p90'), '10 min 0 s');
	assert.equal(await val('stat-ratings'), String(TRUTH.ratings));
	assert.equal(await text('stat-rating-avg'), TRUTH.ratingAvg.toFixed(1));

	// The top lists: pages without their utm parameters, the referring site, the campaign.
	const firstRow = (id) => A.locator(`#${id} tbody tr`).first();
	const pages = await A.locator('#top-pages tbody tr').evaluateAll((rows) => rows.map((r) => [r.dataset.key, r.lastElementChild.textContent]));
	assert.deepEqual(pages, [[`${ORIGIN}/`, '7'], [`${ORIGIN}/item/1`, '4'], [`${ORIGIN}/item/2`, '2'], [`${ORIGIN}/item/3`, '1']],
		'the home page once, with and without utm parameters');
	assert.match(await A.locator('#top-pages tbody tr').nth(1).textContent(), /商品 1/, 'a page shows its title');
	assert.match(await firstRow('top-referrers').textContent(), /www\.baidu\.com\s*3/);
	assert.match(await firstRow('top-campaigns').textContent(), /双十一\s*baidu \/ cpc\s*3/);

	// Two charts drawn by uPlot; the CSV link covers the same range.
	await A.locator('#chart-traffic canvas').first().waitFor();
	await A.locator('#chart-chats canvas').first().waitFor();
	const href = await A.getAttribute('#reports-csv', 'href');
	const from = await A.inputValue('#reports-from'), to = await A.inputValue('#reports-to');
	assert.equal(href, `/api/v1/stats.csv?site=${site.id}&from=${from}&to=${to}`);
	const csv = await api.call('GET', href);
	const last = csv.body.toString('utf8').trim().split('\r\n').at(-1).split(',');
	assert.deepEqual(last.slice(0, 8), ['报表店', to, '7', '7', '0', '14', '7', '5'], `today's CSV row: ${last}`);

	// A quick range of 7 days shows the same totals; a range without data shows zeros.
	await A.click('[data-days="7"]');
	const from7 = new Date(Date.now() - 6 * 86400000).toISOString().slice(0, 10);
	await A.waitForFunction((f) => document.querySelector('#reports-body')?.dataset.from === f, from7);
	assert.equal(await val('stat-pageviews'), '14');
	await A.fill('#reports-from', '2024-01-01');
	await A.fill('#reports-to', '2024-01-31');
	await A.click('#reports-apply');
	await A.waitForFunction(() => document.querySelector('#reports-body')?.dataset.to === '2024-01-31');
	assert.equal(await val('stat-pageviews'), '0');
	assert.equal(await text('stat-frt-median'), '—');
	await ctx.close();
	assert.deepEqual(foreign, [], 'no request left the server origin');
});

test('kefu serve exits 0 on SIGTERM', async () => {
	if (browser) { await browser.close(); browser = null; }
	const code = await stopServer(server);
	assert.equal(code, 0, 'exit status after SIGTERM\n' + serverLog.split('\n').slice(-20).join('\n'));
});
