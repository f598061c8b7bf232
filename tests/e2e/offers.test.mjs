// Coupons and offers end to end (issue 6), in headless Chromium:
//  - the admin creates a coupon in Settings → 优惠券与专属优惠, aimed at the "随机客户" tier (the
//    only customer has one paid order, so the recompute puts them there), and sees it listed;
//  - the customer the shop signed (data-customer-id / data-customer-sig on the demo page's widget
//    tag) opens "Offers" in the widget and sees the title, the text (as text: markup in it stays
//    visible characters), the code with a copy button and the end date; a guest has no button;
//  - an agent opens the customer's conversation, sees the coupon in the customer panel, records a
//    redemption with an order number, and it moves to the used list (and the API has it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { client, launchChromium, setupServer, siteSecret, openVisitor, openConsole } from './lib.mjs';

const ADMIN = { email: 'admin@example.com', password: 'correct-horse-battery-9', name: '店长' };
const AGENT = { email: 'agent@example.com', password: 'agent-password-123', name: '小王' };
let env, base = '', browser, api, site, secret, customerId;
const foreign = [];

async function consoleAs(who, locale = 'zh-CN') {
	return openConsole(browser, base, who, { locale, foreign });
}

/* A visitor on the demo shop; customer: sign them in as the shop would (see widget-orders.test.mjs). */
async function visitor(locale, customer) {
	return openVisitor(browser, base, site, { locale, customerId: customer, secret, foreign });
}

before(async () => {
	env = await setupServer({ name: 'offers', users: [{ ...ADMIN, role: 'admin' }, { ...AGENT, role: 'agent' }], site: { name: '茶叶店', origins: [], greeting: '您好' } });
	({ base, api, site } = env);
	const key = await api.call('POST', '/api/v1/apikeys', { name: 'shop', scopes: ['orders:write'] });
	assert.equal(key.status, 201, key.body.toString());
	const put = await client(base).call('PUT', `/api/v1/sites/${site.id}/orders/SO-1001`, {
		status: 'paid', currency: 'CNY', total: '98.00', placed_at: Math.floor(Date.now() / 1000) - 5 * 86400,
		customer: { external_id: 'u-1001', name: '李雷', email: 'li.lei@example.com' },
		items: [{ sku: 'TEA-01', name: '龙井茶', category: 'tea', quantity: 1, price: '98.00' }],
	}, { Authorization: 'Bearer ' + key.json.key });
	assert.equal(put.status, 201, put.body.toString());
	customerId = put.json.order.customer_id;
	const rc = await api.call('POST', `/api/v1/sites/${site.id}/crm/recompute`);
	assert.equal(rc.status, 200, rc.body.toString());
	const rfm = await api.call('GET', `/api/v1/customers/${customerId}/rfm`);
	assert.equal(rfm.json.rfm.tier, 'occasional', 'one paid order: the occasional tier');
	secret = await siteSecret(api, site);
	assert.match(secret, /^[0-9a-f]{64}$/);
	browser = await launchChromium();
});

after(async () => { if (env) await env.stop(browser, foreign); });

test('admin creates a coupon in Settings; the signed customer sees it in the widget; the agent redeems it in the panel', { timeout: 120000 }, async () => {
	/* the admin, in Settings */
	const { ctx: AC, P: A } = await consoleAs(ADMIN);
	await A.click('nav [data-nav=settings]');
	await A.locator('#offers-title', { hasText: '优惠券与专属优惠' }).waitFor();
	await A.click('#offer-new');
	await A.selectOption('#offer-kind', 'coupon');
	await A.fill('#offer-title', '老客回馈 9 折');
	await A.fill('#offer-body', '全场茶叶 9 折 <b>限时</b>');
	await A.fill('#offer-code', 'TEA-90');
	await A.fill('#offer-discount', '9折');
	const end = new Date(Date.now() + 30 * 86400000);
	const endDay = `${end.getFullYear()}-${String(end.getMonth() + 1).padStart(2, '0')}-${String(end.getDate()).padStart(2, '0')}`;
	await A.fill('#offer-ends', endDay);
	await A.check('.offer-tier[value=occasional]');
	await A.click('#offer-save');
	const row = A.locator('#offers-table .offer-row', { hasText: '老客回馈 9 折' });
	await row.waitFor();
	assert.match(await row.locator('.offer-for').textContent(), /随机客户/, 'aimed at the tier, in words');
	assert.equal((await row.locator('.offer-redeemed').textContent()).trim(), '0');
	const list = (await api.call('GET', `/api/v1/sites/${site.id}/offers`)).json.offers;
	assert.equal(list.length, 1);
	const offer = list[0];
	assert.deepEqual(offer.targets, { tiers: ['occasional'], segments: [], levels: [] });
	assert.equal(offer.code, 'TEA-90');
	assert.ok(offer.ends_at > Date.now() / 1000 + 29 * 86400, 'the end day is included');

	/* the agent online first, so the widget opens the chat rather than the offline form */
	const { ctx: GC, P: G } = await consoleAs(AGENT);
	await G.click('nav [data-nav=inbox]');

	/* a guest has no Offers button; the signed customer sees the coupon */
	const guest = await visitor('zh-CN');
	await guest.page.click('#kefu-launcher');
	await guest.page.locator('#kefu-orders-btn').waitFor();
	assert.equal(await guest.page.locator('#kefu-offers-btn').count(), 0, 'no offers for a guest');
	await guest.ctx.close();
	const { ctx: VC, page: V } = await visitor('zh-CN', 'u-1001');
	await V.click('#kefu-launcher');
	await V.fill('#kefu-input', '有优惠吗？');
	await V.press('#kefu-input', 'Enter');
	await V.locator('.kefu-me[data-state="delivered"], .kefu-me[data-state="read"]').first().waitFor();
	await V.click('#kefu-offers-btn');
	const card = V.locator(`#kefu-offers .kefu-offer[data-offer="${offer.id}"]`);
	await card.waitFor();
	const text = await card.textContent();
	assert.match(text, /老客回馈 9 折/);
	assert.match(text, /9折/);
	assert.match(text, /<b>限时<\/b>/, 'the text is shown as text');
	assert.equal(await card.locator('b b, .kefu-order-i b').count(), 0, 'no markup from the text');
	assert.equal((await card.locator('.kefu-offer-code').textContent()).trim(), 'TEA-90');
	assert.match(text, new RegExp('有效期至 ' + endDay), 'the last valid day');
	assert.equal(await card.locator('button').count(), 1, 'a copy button');

	/* the agent: the conversation, the coupon in the customer panel, Redeem */
	await G.locator('.conv-item').first().waitFor();
	await G.click('.conv-item');
	await G.locator('#customer-panel #customer-name', { hasText: '李雷' }).waitFor();
	const li = G.locator(`#customer-offers .customer-offer[data-id="${offer.id}"]`);
	await li.waitFor();
	assert.match(await li.textContent(), /TEA-90/);
	await li.locator('.offer-redeem').click();
	await G.fill('#offer-redeem-order', 'SO-1001');
	await G.fill('#offer-redeem-note', '电话确认');
	await G.click('#offer-redeem-confirm');
	await G.locator('#customer-redeemed', { hasText: '老客回馈 9 折' }).waitFor();
	assert.match(await G.locator('#customer-redeemed').textContent(), /SO-1001/);
	assert.equal(await G.locator('#customer-award').count(), 0, 'agents may not award points here by default');
	const after = (await api.call('GET', `/api/v1/customers/${customerId}/offers`)).json;
	assert.equal(after.redeemed.length, 1, 'the redemption is stored');
	assert.equal(after.redeemed[0].order_number, 'SO-1001');
	assert.equal(after.redeemed[0].note, '电话确认');
	await VC.close();
	await GC.close();
	await AC.close();
});
