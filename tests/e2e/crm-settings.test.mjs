// Settings for the CRM (issue 6) in headless Chromium, in zh-TW: an admin defines a custom
// customer field, sets the points rules (¥2 earns 3 points, tea counts double, points last
// 180 days, agents may award) and two member levels, and adds a tier rule to the RFM settings
// then saves and recomputes. Each change is checked afterwards through the API, so the test
// fails if a form shows "saved" without saving what was typed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setupServer, launchChromium, openConsole } from './lib.mjs';

const ADMIN = { email: 'admin@example.com', password: 'correct-horse-battery-9', name: '店長', role: 'admin' };
let env, browser, site;
const foreign = [];
const call = (...args) => env.api.call(...args);

before(async () => {
	env = await setupServer({ name: 'crmset', users: [ADMIN], site: { name: '茶行', origins: [], greeting: '您好' } });
	site = env.site;
	browser = await launchChromium();
});

after(async () => {
	if (env) await env.stop(browser, foreign);
});

test('an admin sets custom fields, points rules, levels and a tier rule in Settings', { timeout: 60000 }, async () => {
	const { ctx, P } = await openConsole(browser, env.base, ADMIN, { locale: 'zh-TW', viewport: { width: 1400, height: 1000 }, foreign });
	await P.click('nav [data-nav=settings]');
	assert.equal(await P.locator('#crm-fields-title').textContent(), '客戶自訂欄位');
	assert.equal(await P.locator('#loyalty-title').textContent(), '點數與會員等級');

	// a custom field: a choice of sizes
	await P.click('#crm-fields-add');
	const row = P.locator('#crm-fields-form .crm-field-row').first();
	await row.locator('.crm-field-key').fill('size');
	await row.locator('.crm-field-label').fill('尺碼');
	await row.locator('.crm-field-type').selectOption('select');
	await row.locator('.crm-field-options').fill('S, M，L');
	await P.click('#crm-fields-save');
	await P.locator('#crm-fields-status', { hasText: '已儲存' }).waitFor();
	const f = await call('GET', `/api/v1/sites/${site.id}/customer-fields`);
	assert.deepEqual(f.json.fields, [{ key: 'size', label: '尺碼', type: 'select', options: ['S', 'M', 'L'] }]);

	// a bad definition is refused with the server's reason, nothing saved
	await P.click('#crm-fields-add');
	await P.locator('#crm-fields-form .crm-field-row').nth(1).locator('.crm-field-key').fill('size');
	await P.locator('#crm-fields-form .crm-field-row').nth(1).locator('.crm-field-label').fill('重複');
	await P.click('#crm-fields-save');
	await P.locator('#crm-fields-status', { hasText: 'each key once' }).waitFor();
	assert.equal((await call('GET', `/api/v1/sites/${site.id}/customer-fields`)).json.fields.length, 1);

	// points rules and levels
	await P.locator('#loyalty-form #loy-unit').waitFor();
	await P.fill('#loy-unit', '2');
	await P.fill('#loy-per-unit', '3');
	await P.fill('#loy-expiry', '180');
	await P.check('#loy-agents-award');
	await P.click('#loy-add-mult');
	await P.locator('.loy-cat').last().fill('茶葉');
	await P.click('#loy-add-level');
	await P.locator('.loy-lv-name').last().fill('銀卡');
	await P.locator('.loy-lv-spend').last().fill('500');
	await P.click('#loy-add-level');
	await P.locator('.loy-lv-name').last().fill('金卡');
	await P.locator('.loy-lv-spend').last().fill('2000.50');
	await P.locator('.loy-lv-benefits').last().fill('免運費');
	await P.click('#loy-save');
	await P.locator('#loy-status', { hasText: '已儲存' }).waitFor();
	const ru = (await call('GET', `/api/v1/sites/${site.id}/points-rules`)).json.rules;
	assert.deepEqual([ru.unit_cents, ru.points_per_unit, ru.expiry_days, ru.agents_award, ru.multipliers], [200, 3, 180, true, { '茶葉': 200 }]);
	const lv = (await call('GET', `/api/v1/sites/${site.id}/levels`)).json.levels;
	assert.deepEqual(lv.map((l) => [l.name, l.min_spend_cents, l.benefits]), [['銀卡', 50000, ''], ['金卡', 200050, '免運費']]);

	// a tier rule in front: anyone who spent ¥5,000 in the window is a key account
	await P.locator('#rfm-form #rfm-window').waitFor();
	await P.fill('#rfm-window', '180');
	await P.click('#rfm-add-rule');
	const rule = P.locator('#rfm-rules .tier-rule').last();
	await rule.locator('.rule-tier').selectOption('key');
	await rule.locator('.rule-spent').fill('5000');
	const rows = P.locator('#rfm-rules .tier-rule');
	for (let i = (await rows.count()) - 1; i > 0; i--) await rows.nth(i).locator('button', { hasText: '↑' }).click();   /* to the top */
	await P.fill('#rfm-names-tiers input[data-key=key]', 'VIP 貴賓');
	await P.click('#rfm-save-run');
	await P.locator('#rfm-status', { hasText: '已重新計算' }).waitFor();
	const st = (await call('GET', `/api/v1/sites/${site.id}/crm/settings`)).json;
	assert.equal(st.config.window_days, 180);
	assert.deepEqual(st.rules[0], { tier: 'key', spent_min: 500000 });
	assert.equal(st.rules.length, 6, 'the five default rules follow');
	const nm = (await call('GET', `/api/v1/sites/${site.id}/crm/names?lang=en`)).json;
	assert.equal(nm.tiers.find((t) => t.key === 'key').name, 'VIP 貴賓');
	assert.equal(nm.tiers.find((t) => t.key === 'active').custom, null, 'untouched names keep their default');
	await ctx.close();
});
