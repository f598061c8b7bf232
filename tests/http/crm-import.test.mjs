// Orders from CSV (issue 6): the admin's upload (POST /api/v1/sites/:id/orders/import) and
// `kefu import orders`. Checks that good rows land while malformed ones (bad date, negative
// amount, unknown status, missing number, a stray quote) are reported with the line they
// start on, in a file with a BOM, CRLF, quoted commas, escaped quotes, a newline inside a
// quoted field and Chinese text; that a re-import changes nothing ("unchanged"); and that the
// olist sample imported through the CLI has the counts, total, latest date and distinct
// customers this test computes from the CSV itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stopAll, request, runKefu, REPO_ROOT } from './lib.mjs';
import { chatSetup, createSite, closeAllPeers } from './chatlib.mjs';

let env, srv, site, olistSite;
const OLIST = join(REPO_ROOT, '../shared/data/crm/olist2017_10k/orders.csv');
const OLIST_MAP = 'number=order_id,customer=customer_id,placed_at=order_date,total=amount,status=status,items=items';

const upload = (siteId, csv, query = '', sess = env.admin, ctype = 'text/csv') =>
	request(srv.base, 'POST', `/api/v1/sites/${siteId}/orders/import${query}`, {
		cookie: sess.cookie, csrf: sess.csrf, body: csv, headers: { 'Content-Type': ctype },
	});
const admin = (method, path) => request(srv.base, method, path, { cookie: env.admin.cookie, csrf: env.admin.csrf });

/* line numbers in comments: the header is line 1; row 8 spans lines 8-9 */
const ROWS = [
	'number,customer,name,placed_at,total,status,email,items',
	'A-1,c1,"Wang, ""Xiao"" Ming",2026-11-01,12.50,paid,A1@Example.com,2',   // 2 good
	'A-2,c2,李雷,2026-11-02T08:30:00Z,398.00,shipped,,1',                  // 3 good
	'A-3,c3,Bad Date,2026-13-45,5.00,paid,,1',                              // 4 bad date
	'A-4,c4,Neg,2026-11-03,-5.00,paid,,1',                                  // 5 negative amount
	'A-5,c5,Unk,2026-11-03,5.00,lost,,1',                                   // 6 unknown status
	',c6,NoNum,2026-11-03,5.00,paid,,1',                                    // 7 missing number
	'A-7,c7,"Multi\r\nline",2026-11-04,7.00,delivered,,1',                  // 8-9 good
	'A-8,c8,bad"quote,2026-11-04,1.00,paid,,1',                             // 10 stray quote
	'A-9,c9,Last,2026-11-05 10:00:00,3.00,canceled,,1',                     // 11 good
];
const CSV = '\uFEFF' + ROWS.join('\r\n') + '\r\n';
const MAP = '?map=' + encodeURIComponent(JSON.stringify({ name: 'name' }));

before(async () => {
	env = await chatSetup();
	srv = env.srv;
	site = env.plain;
	olistSite = await createSite(srv, env.admin, { name: 'Olist' });
});
after(async () => { closeAllPeers(); await stopAll(); });

test('upload: good rows land, malformed rows are reported with their line numbers and reasons', async () => {
	const r = await upload(site.id, CSV, MAP);
	assert.equal(r.status, 200, r.text);
	assert.deepEqual({ rows: r.json.rows, accepted: r.json.accepted, unchanged: r.json.unchanged, rejected: r.json.rejected },
		{ rows: 9, accepted: 4, unchanged: 0, rejected: 5 }, r.text);
	const byLine = Object.fromEntries(r.json.errors.map((e) => [e.line, e.reason]));
	assert.deepEqual(Object.keys(byLine).map(Number), [4, 5, 6, 7, 10], r.text);
	assert.match(byLine[4], /placed_at/);
	assert.match(byLine[5], /total/);
	assert.match(byLine[6], /status.*lost/);
	assert.match(byLine[7], /number/);
	assert.match(byLine[10], /quote/);
	for (const n of ['A-3', 'A-4', 'A-5', 'A-8']) {
		const g = await admin('GET', `/api/v1/sites/${site.id}/orders/${n}`);
		assert.equal(g.status, 404, `rejected ${n} wrote nothing`);
	}
	const a1 = await admin('GET', `/api/v1/sites/${site.id}/orders/A-1`);
	assert.equal(a1.status, 200, a1.text);
	assert.equal(a1.json.order.total_cents, 1250);
	assert.equal(a1.json.order.email, 'a1@example.com', 'the same lowercasing as the API');
	assert.equal(a1.json.order.placed_at, Date.UTC(2026, 10, 1) / 1000);
	assert.equal(a1.json.order.items[0].quantity, 2);
	const cust = await admin('GET', `/api/v1/customers/${a1.json.order.customer_id}`);
	assert.equal(cust.status, 200, cust.text);
	assert.equal((cust.json.customer ?? cust.json).name, 'Wang, "Xiao" Ming', 'quoted comma and escaped quote');
	const a2 = await admin('GET', `/api/v1/sites/${site.id}/orders/A-2`);
	const c2 = await admin('GET', `/api/v1/customers/${a2.json.order.customer_id}`);
	assert.equal((c2.json.customer ?? c2.json).name, '李雷');
	const a9 = await admin('GET', `/api/v1/sites/${site.id}/orders/A-9`);
	assert.equal(a9.json.order.status, 'cancelled', 'olist-style "canceled" maps to cancelled');
	assert.equal(a9.json.order.placed_at, Date.UTC(2026, 10, 5, 10) / 1000);
});

test('upload: the same file again is all unchanged; a status mapping in the map lets line 6 in', async () => {
	const r = await upload(site.id, CSV, MAP);
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.accepted, 0, r.text);
	assert.equal(r.json.unchanged, 4, r.text);
	assert.equal(r.json.rejected, 5, r.text);
	const m = await upload(site.id, CSV, '?map=' + encodeURIComponent(JSON.stringify({ name: 'name', 'status.lost': 'returned' })));
	assert.equal(m.json.accepted, 1, m.text);
	assert.deepEqual(m.json.errors.map((e) => e.line), [4, 5, 7, 10]);
});

test('upload: bad requests get 4xx JSON errors and agents may not import', async () => {
	const noCol = await upload(site.id, CSV, '?map=' + encodeURIComponent('{"total":"amount"}'));
	assert.equal(noCol.status, 422, noCol.text);
	assert.match(noCol.json.error.message, /amount/);
	assert.equal((await upload(site.id, CSV, '?map=%7Bbad')).status, 422);
	const typo = await upload(site.id, CSV, '?map=' + encodeURIComponent('{"nmber":"number"}'));
	assert.equal(typo.status, 422, typo.text);
	assert.match(typo.json.error.message, /unknown field "nmber"/);
	assert.equal((await upload(site.id, CSV, '', env.admin, 'application/json')).status, 415);
	assert.equal((await upload(site.id, '', '')).status, 422, 'an empty body has no header');
	assert.equal((await upload(999999, CSV, '')).status, 404);
	const ag = await upload(site.id, CSV, '', env.a1);
	assert.equal(ag.status, 403, ag.text);
});

test('CLI: usage errors exit 2 (no file, bad --site, unknown site, bad --map)', async () => {
	assert.equal((await runKefu(['import', 'orders', '--data', srv.dir])).code, 2);
	assert.equal((await runKefu(['import', 'orders', '--data', srv.dir, '--site', 'x', OLIST])).code, 2);
	assert.equal((await runKefu(['import', 'orders', '--data', srv.dir, '--site', '999999', OLIST])).code, 2);
	assert.equal((await runKefu(['import', 'orders', '--data', srv.dir, '--map', 'nope', OLIST])).code, 2);
	const typo = await runKefu(['import', 'orders', '--data', srv.dir, '--map', 'totl=amount', OLIST]);
	assert.equal(typo.code, 2);
	assert.match(typo.stderr, /unknown field "totl"/);
});

/* The olist figures from the CSV alone: the file has no quotes, so a split is enough here. */
function olistFigures() {
	const lines = readFileSync(OLIST, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
	const good = lines.filter((f) => Number(f[4]) >= 1);   // Kefu orders hold 1..200 items
	const cents = (s) => Math.round(Number(s) * 100);
	return {
		rows: lines.length,
		count: good.length,
		zeroItems: lines.length - good.length,
		total: good.reduce((s, f) => s + cents(f[3]), 0),
		latest: Math.max(...good.map((f) => Date.parse(f[2] + 'T00:00:00Z') / 1000)),
		customers: new Set(good.map((f) => f[0])).size,
		cancelled: good.filter((f) => f[5] === 'canceled' || f[5] === 'unavailable').length,
	};
}

test('olist: the CLI import matches counts, total, latest date and customers computed from the CSV', { skip: !existsSync(OLIST) && 'no olist data' }, async () => {
	const want = olistFigures();
	const r = await runKefu(['import', 'orders', '--data', srv.dir, '--site', String(olistSite.id), '--currency', 'BRL',
		'--map', OLIST_MAP, OLIST], { timeoutMs: 120000 });
	assert.equal(r.code, 0, r.stderr);
	assert.match(r.stderr, /100%/, 'progress reaches 100%');
	assert.match(r.stdout, new RegExp(`rows ${want.rows}: accepted ${want.count}, unchanged 0, rejected ${want.zeroItems}`), r.stdout);
	const db = join(srv.dir, 'kefu.db');
	const got = JSON.parse(execFileSync('python3', ['-c', `
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
q = lambda s: db.execute(s, (int(sys.argv[2]),)).fetchone()[0]
print(json.dumps({
  'count': q('SELECT count(*) FROM orders WHERE site_id = ?'),
  'total': q('SELECT sum(total_cents) FROM orders WHERE site_id = ?'),
  'latest': q('SELECT max(placed_at) FROM orders WHERE site_id = ?'),
  'customers': q('SELECT count(DISTINCT customer_id) FROM orders WHERE site_id = ?'),
  'cancelled': q("SELECT count(*) FROM orders WHERE site_id = ? AND status = 'cancelled'"),
  'brl': q("SELECT count(*) FROM orders WHERE site_id = ? AND currency = 'BRL'"),
}))`, db, String(olistSite.id)], { encoding: 'utf8' }));
	assert.deepEqual(got, { count: want.count, total: want.total, latest: want.latest, customers: want.customers,
		cancelled: want.cancelled, brl: want.count });
	const newest = await admin('GET', `/api/v1/sites/${olistSite.id}/orders?limit=1`);
	assert.equal(newest.json.orders[0].placed_at, want.latest, 'the API agrees on recency');
	const again = await runKefu(['import', 'orders', '--data', srv.dir, '--site', String(olistSite.id), '--currency', 'BRL',
		'--map', OLIST_MAP, OLIST], { timeoutMs: 120000 });
	assert.match(again.stdout, new RegExp(`accepted 0, unchanged ${want.count}, rejected ${want.zeroItems}`), again.stdout);
});
