// Points from imported orders (issue 6): `kefu import orders` and the admin's CSV upload run
// the same loyalty hook as the orders API. A CSV row has no item prices (its one line is
// priced 0), so an imported order earns on its total: a delivered row awards
// floor(total x points_per_unit / unit_cents) once, importing the file again awards nothing more, and
// the same order imported later as returned reverses the award exactly once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stopAll, request, runKefu } from './lib.mjs';
import { chatSetup, closeAllPeers } from './chatlib.mjs';

let env, srv, site;
const admin = (method, path, json, o = {}) => request(srv.base, method, path, { cookie: env.admin.cookie, csrf: env.admin.csrf, json, ...o });
const MAP = 'number=order_id,customer=customer_id,placed_at=order_date,total=amount,status=status';

async function points(id) {
	const r = await admin('GET', `/api/v1/customers/${id}/points`);
	assert.equal(r.status, 200, r.text);
	return r.json;
}
async function cli(name, rows) {
	const file = join(srv.dir, name);
	await writeFile(file, 'order_id,customer_id,order_date,amount,status\n' + rows.join('\n') + '\n');
	const r = await runKefu(['import', 'orders', '--data', srv.dir, '--site', String(site.id), '--map', MAP, file]);
	assert.equal(r.code, 0, r.stderr + r.stdout);
	return r.stdout;
}
async function customerOf(number) {
	const r = await admin('GET', `/api/v1/sites/${site.id}/orders/${number}`);
	assert.equal(r.status, 200, r.text);
	return r.json.order.customer_id;
}

before(async () => {
	env = await chatSetup();
	srv = env.srv;
	site = env.plain;
	const r = await admin('PUT', `/api/v1/sites/${site.id}/points-rules`, { points_per_unit: 2, unit_cents: 100 });
	assert.equal(r.status, 200, r.text);
});
after(async () => { closeAllPeers(); await stopAll(); });

test('kefu import orders: a delivered row earns once; re-import nothing; a returned row reverses', async () => {
	let out = await cli('a.csv', ['CLI-1,cust-1,2026-11-01,123.45,delivered', 'CLI-2,cust-1,2026-11-02,50.00,paid']);
	assert.match(out, /accepted 2, unchanged 0, rejected 0/);
	const cid = await customerOf('CLI-1');
	let p = await points(cid);
	assert.equal(p.balance, 246, 'floor(123.45 x 2) points for the delivered order, nothing for the paid one');
	assert.equal(p.entries.length, 1);
	assert.equal(p.entries[0].reason, 'order_delivered');
	out = await cli('a.csv', ['CLI-1,cust-1,2026-11-01,123.45,delivered', 'CLI-2,cust-1,2026-11-02,50.00,paid']);
	assert.match(out, /accepted 0, unchanged 2/);
	assert.equal((await points(cid)).entries.length, 1, 're-import: no second award');
	out = await cli('b.csv', ['CLI-1,cust-1,2026-11-01,123.45,returned', 'CLI-2,cust-1,2026-11-02,50.00,delivered']);
	assert.match(out, /accepted 2/);
	p = await points(cid);
	assert.deepEqual(p.entries.map((e) => [e.reason, e.delta]).sort(),
		[['order_delivered', 100], ['order_delivered', 246], ['order_returned', -246]]);
	assert.equal(p.balance, 100);
	await cli('b.csv', ['CLI-1,cust-1,2026-11-01,123.45,returned', 'CLI-2,cust-1,2026-11-02,50.00,delivered']);
	assert.equal((await points(cid)).entries.length, 3, 'the return is reversed once');
});

test('the admin upload awards the same way', async () => {
	const csv = 'order_id,customer_id,order_date,amount,status\nUP-1,cust-2,2026-11-03,10.99,delivered\n';
	const map = encodeURIComponent(JSON.stringify({ number: 'order_id', customer: 'customer_id', placed_at: 'order_date', total: 'amount' }));
	const r = await admin('POST', `/api/v1/sites/${site.id}/orders/import?map=${map}`, undefined, { body: csv, headers: { 'Content-Type': 'text/csv' } });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.accepted, 1, r.text);
	assert.equal((await points(await customerOf('UP-1'))).balance, 21, 'floor(10.99 x 2)');
});
