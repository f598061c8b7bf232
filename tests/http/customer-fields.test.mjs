// Custom customer fields defined by the admin (issue 6, "custom fields defined by the admin"):
// GET/PUT /api/v1/sites/:id/customer-fields. Until a site defines fields a customer's `custom`
// is free-form; once it does, a `custom` sent in a PATCH/PUT must use only defined keys with
// values of their type (text, number, date, select option, boolean, or null to clear), and a
// PATCH that does not send `custom` is never blocked by older free-form values.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { stopAll, request } from './lib.mjs';
import { chatSetup, closeAllPeers } from './chatlib.mjs';

let env, srv, site, cust;
const as = (sess, method, path, json) => request(srv.base, method, path, { cookie: sess.cookie, csrf: sess.csrf, json });
const admin = (method, path, json) => as(env.admin, method, path, json);
const FIELDS = [
	{ key: 'vip_since', label: 'VIP 起始日', type: 'date' },
	{ key: 'size', label: '尺码', type: 'select', options: ['S', 'M', 'L'] },
	{ key: 'wechat', label: '微信号', type: 'text' },
	{ key: 'kids', label: '孩子数', type: 'number' },
	{ key: 'b2b', label: '企业客户', type: 'boolean' },
];

before(async () => {
	env = await chatSetup();
	srv = env.srv;
	site = env.plain;
	const c = await admin('PUT', `/api/v1/sites/${site.id}/customers/u-77`, { name: '韩梅梅', custom: { legacy: 'x' } });
	assert.equal(c.status, 201, c.text);
	cust = c.json.customer;
});
after(async () => { closeAllPeers(); await stopAll(); });

test('no definitions: custom is free-form, and the list is empty', async () => {
	const g = await as(env.a1, 'GET', `/api/v1/sites/${site.id}/customer-fields`);
	assert.equal(g.status, 200, g.text);
	assert.deepEqual(g.json.fields, []);
	assert.deepEqual(cust.custom, { legacy: 'x' });
});

test('only admins define fields; bad definitions are 422 naming the field', async () => {
	assert.equal((await as(env.a1, 'PUT', `/api/v1/sites/${site.id}/customer-fields`, { fields: FIELDS })).status, 403);
	const bad = [
		[[{ key: '1abc', label: 'x', type: 'text' }], /fields\[0\]\.key/],
		[[{ key: 'a', label: '', type: 'text' }], /fields\[0\]\.label/],
		[[{ key: 'a', label: 'A', type: 'colour' }], /fields\[0\]\.type/],
		[[{ key: 'a', label: 'A', type: 'select' }], /fields\[0\]\.options/],
		[[{ key: 'a', label: 'A', type: 'text', options: ['x'] }], /options: only for a select/],
		[[{ key: 'a', label: 'A', type: 'text' }, { key: 'a', label: 'B', type: 'text' }], /fields\[1\]\.key: each key once/],
		[[{ key: 'a', label: 'A', type: 'text', extra: 1 }], /unknown member/],
		['nope', /fields: an array/],
	];
	for (const [fields, re] of bad) {
		const r = await admin('PUT', `/api/v1/sites/${site.id}/customer-fields`, { fields });
		assert.equal(r.status, 422, `${JSON.stringify(fields)}: ${r.text}`);
		assert.match(r.json.error.message, re);
	}
	const ok = await admin('PUT', `/api/v1/sites/${site.id}/customer-fields`, { fields: FIELDS });
	assert.equal(ok.status, 200, ok.text);
	assert.deepEqual(ok.json.fields, FIELDS);
	assert.deepEqual((await as(env.a1, 'GET', `/api/v1/sites/${site.id}/customer-fields`)).json.fields, FIELDS, 'agents read them');
});

test('with definitions, custom values must fit their field; other edits are not blocked', async () => {
	const notes = await admin('PATCH', `/api/v1/customers/${cust.id}`, { notes: '老客户' });
	assert.equal(notes.status, 200, `an edit without custom passes despite the legacy value: ${notes.text}`);
	const good = await admin('PATCH', `/api/v1/customers/${cust.id}`,
		{ custom: { vip_since: '2025-01-01', size: 'M', wechat: 'meimei_han', kids: 2, b2b: false } });
	assert.equal(good.status, 200, good.text);
	assert.deepEqual(good.json.customer.custom, { vip_since: '2025-01-01', size: 'M', wechat: 'meimei_han', kids: 2, b2b: false });
	const refused = [
		[{ size: 'XL' }, /custom\.size: not a valid select/],
		[{ vip_since: '2025-13-01' }, /custom\.vip_since: not a valid date/],
		[{ kids: 'two' }, /custom\.kids: not a valid number/],
		[{ b2b: 'yes' }, /custom\.b2b: not a valid boolean/],
		[{ legacy: 'x' }, /custom\.legacy: not a field of this site/],
	];
	for (const [custom, re] of refused) {
		const r = await admin('PATCH', `/api/v1/customers/${cust.id}`, { custom });
		assert.equal(r.status, 422, `${JSON.stringify(custom)}: ${r.text}`);
		assert.match(r.json.error.message, re);
	}
	const cleared = await admin('PATCH', `/api/v1/customers/${cust.id}`, { custom: { size: null } });
	assert.equal(cleared.status, 200, `null clears a value: ${cleared.text}`);
	const after = await admin('GET', `/api/v1/customers/${cust.id}`);
	assert.equal(after.json.customer.custom.size, null);
	assert.equal(after.json.customer.notes, '老客户');
});
