// The shop's names for tiers and segments (issue 6, "RFM segments with editable names"):
// GET /api/v1/sites/:id/crm/names?lang= lists every tier and segment with its default name in
// that language and the shop's override; PUT (admins) sets overrides, null restores a default,
// unknown keys and bad names are 422, and the customer panel shows the shop's name.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { stopAll, request } from './lib.mjs';
import { chatSetup, closeAllPeers } from './chatlib.mjs';

let env, srv, site;
const as = (sess, method, path, json) => request(srv.base, method, path, { cookie: sess.cookie, csrf: sess.csrf, json });
const names = (lang) => as(env.a1, 'GET', `/api/v1/sites/${site.id}/crm/names?lang=${lang}`);
const byKey = (list) => Object.fromEntries(list.map((x) => [x.key, x.name]));

before(async () => {
	env = await chatSetup();
	srv = env.srv;
	site = env.plain;
});
after(async () => { closeAllPeers(); await stopAll(); });

test('defaults in the reader\'s language, for every tier and segment', async () => {
	const cn = await names('zh-CN');
	assert.equal(cn.status, 200, cn.text);
	assert.deepEqual(byKey(cn.json.tiers), { key: '大客户', active: '活跃客户', occasional: '随机客户', registered: '注册客户' });
	assert.equal(cn.json.segments.length, 8);
	assert.equal(byKey(cn.json.segments).important_value, '重要价值客户');
	assert.equal(byKey((await names('zh-TW')).json.tiers).key, '大客戶');
	assert.equal(byKey((await names('en')).json.segments).general_retain, 'At risk');
});

test('admins rename; null restores; bad input is 422; agents may not rename', async () => {
	const path = `/api/v1/sites/${site.id}/crm/names`;
	assert.equal((await as(env.a1, 'PUT', path, { tiers: { key: 'VIP' } })).status, 403);
	for (const body of [{ tiers: { gold: 'x' } }, { segments: { nope: 'x' } }, { tiers: { key: '' } }, { tiers: { key: 'x'.repeat(41) } }, { tiers: 'VIP' }]) {
		const r = await as(env.admin, 'PUT', path, body);
		assert.equal(r.status, 422, `${JSON.stringify(body)}: ${r.text}`);
	}
	const r = await as(env.admin, 'PUT', path, { tiers: { key: 'VIP 客户' }, segments: { general_retain: '沉睡客户' } });
	assert.equal(r.status, 200, r.text);
	const en = await names('en');
	assert.equal(byKey(en.json.tiers).key, 'VIP 客户', 'an override is the shop\'s word in every language');
	assert.equal(en.json.tiers.find((t) => t.key === 'key').default, 'Key account');
	assert.equal(byKey(en.json.segments).general_retain, '沉睡客户');
	assert.equal(byKey(en.json.tiers).active, 'Active');
	await as(env.admin, 'PUT', path, { tiers: { key: null }, segments: { general_retain: '沉睡客户' } });
	assert.equal(byKey((await names('zh-CN')).json.tiers).key, '大客户', 'null restores the default');
});
