// `kefu crm recompute` (issue 6; src/crm/rfm_cli.c): the RFM/tier recompute run from the command
// line (cron, bench/crm-scale.sh) on the database of a running server. Checks: the summary line
// it prints; that the tiers it writes are the ones the API then serves (a key account by spend, an
// order outside the window = occasional, only a cancelled order = registered); that a second run
// after returns counts the one tier change and writes its history row; and that a bad --site, an
// unknown site, a missing subcommand and a wrong --data fail with their exit status and message.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { stopAll, request, runKefu } from './lib.mjs';
import { chatSetup, closeAllPeers } from './chatlib.mjs';

let env, srv, site, key;
const ids = {};
const withKey = (method, path, json) => request(srv.base, method, path, { bearer: key, json });
const admin = (method, path) => request(srv.base, method, path, { cookie: env.admin.cookie, csrf: env.admin.csrf });
const ago = (d) => new Date(Date.now() - d * 86400000 - 3600000).toISOString().replace(/\.\d+Z$/, 'Z');

async function put(number, ext, status, cents, days) {
	const r = await withKey('PUT', `/api/v1/sites/${site.id}/orders/${number}`, {
		status, currency: 'CNY', total_cents: cents, placed_at: ago(days),
		customer: { external_id: ext, name: `Customer ${ext}`, email: `${ext.toLowerCase()}@example.com` },
		items: [{ sku: 'X', name: 'Tea', quantity: 1, price_cents: cents }],
	});
	assert.ok(r.status === 200 || r.status === 201, r.text);
	ids[ext] = r.json.order?.customer_id ?? r.json.customer_id ?? ids[ext];
}

const recompute = (...args) => runKefu(['crm', 'recompute', '--data', srv.dir, ...args]);
const rfmOf = async (ext) => {
	const r = await admin('GET', `/api/v1/customers/${ids[ext]}/rfm`);
	assert.equal(r.status, 200, r.text);
	return r.json;
};

before(async () => {
	env = await chatSetup();
	srv = env.srv;
	site = env.plain;
	const k = await request(srv.base, 'POST', '/api/v1/apikeys', {
		cookie: env.admin.cookie, csrf: env.admin.csrf, json: { name: 'cli', scopes: ['orders:write', 'customers:read'] },
	});
	assert.equal(k.status, 201, k.text);
	key = k.json.key;
	await put('K1', 'A', 'delivered', 600000, 3);    // A: ¥12,000 in the window: key by spend
	await put('K2', 'A', 'delivered', 600000, 9);
	await put('K3', 'D', 'delivered', 5000, 400);    // D: one purchase, before the window: occasional
	await put('K4', 'C', 'cancelled', 9000, 5);      // C: never purchased: registered
	assert.ok(ids.A && ids.C && ids.D, JSON.stringify(ids));
});
after(async () => { closeAllPeers(); await stopAll(); });

test('the first run prints the summary and writes the tiers the API serves', async () => {
	const r = await recompute('--site', String(site.id));
	assert.equal(r.code, 0, r.stderr);
	assert.match(r.stdout, /^customers 3, changed 0, ms \d+\n$/);   // first scores: no previous tier, no change
	assert.equal((await rfmOf('A')).rfm.tier, 'key');
	assert.equal((await rfmOf('D')).rfm.tier, 'occasional');
	assert.equal((await rfmOf('C')).rfm.tier, 'registered');
	assert.deepEqual((await rfmOf('A')).history, []);
});

test('after returns a second run counts the tier change and writes its history row', async () => {
	await put('K1', 'A', 'returned', 600000, 3);
	await put('K2', 'A', 'returned', 600000, 9);
	const r = await recompute('--site', String(site.id));
	assert.equal(r.code, 0, r.stderr);
	assert.match(r.stdout, /^customers 3, changed 1, ms \d+\n$/);
	const a = await rfmOf('A');
	assert.equal(a.rfm.tier, 'registered');
	assert.deepEqual(a.history.map((h) => [h.from, h.to]), [['key', 'registered']]);
	assert.equal((await rfmOf('D')).history.length, 0);
});

test('bad arguments, an unknown site and a wrong --data fail with a message', async () => {
	let r = await recompute('--site', '999999');
	assert.equal(r.code, 2);
	assert.match(r.stderr, /no site 999999/);
	for (const bad of [['--site', 'abc'], ['--site', '0'], ['--site', '-1']]) {
		r = await recompute(...bad);
		assert.equal(r.code, 2, bad.join(' '));
		assert.match(r.stderr, /usage: kefu crm recompute/);
	}
	r = await runKefu(['crm', '--data', srv.dir]);
	assert.equal(r.code, 2);
	assert.match(r.stderr, /usage: kefu crm recompute/);
	r = await runKefu(['crm', 'recompute', '--data', join(srv.dir, 'missing')]);
	assert.equal(r.code, 1);
	assert.match(r.stderr, /no database/);
});
