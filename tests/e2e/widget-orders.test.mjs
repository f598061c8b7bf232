// Orders in the widget and order cards (issue 6), in headless Chromium:
//  - "order lookup in the widget by number + e-mail": a visitor on /demo opens Orders, enters an
//    order number and the order's e-mail and sees the order's status and tracking as a card; a
//    wrong e-mail shows the one no-match message (the same for an unknown number);
//  - a customer the shop signed (data-customer-id / data-customer-sig on the script tag, which the
//    test adds to the demo page's tag before the widget runs) sees "my orders" without typing,
//    totals included, and the widget's hello carried the claim;
//  - the agent, in the console's customer panel, presses Send on an order: the widget shows the
//    order card in the chat and the console draws it too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { client, launchChromium, setupServer, siteSecret, openVisitor, openConsole } from './lib.mjs';

const ADMIN = { email: 'admin@example.com', password: 'correct-horse-battery-9', name: '店长' };
let env, base = '', browser, api, shop, site, secret;
const foreign = [];

const ORDER = (status, total, placed, tracking) => ({
	status, currency: 'CNY', total, placed_at: placed, email: 'li.lei@example.com', carrier: 'SF Express', tracking,
	customer: { external_id: 'u-1001', name: '李雷', email: 'li.lei@example.com' },
	items: [{ sku: 'TEA-01', name: '龙井茶 250g', category: 'tea', quantity: 2, price: '99.00' }],
});

/* A visitor (own storage) on the demo shop; sig: sign the customer in (data-customer-*). */
async function visitor(locale, customerId) {
	const sent = [];
	const { ctx, page } = await openVisitor(browser, base, site, {
		locale, customerId, secret, foreign,
		onPage: (page) => page.on('websocket', (ws) => ws.on('framesent', (f) => {
			try { sent.push(JSON.parse(f.payload)); } catch { /* not JSON */ }
		})),
	});
	return { ctx, page, sent };
}

before(async () => {
	env = await setupServer({ name: 'worders', users: [{ ...ADMIN, role: 'admin' }], site: { name: '茶叶店', origins: [], greeting: '您好' } });
	({ base, api, site } = env);
	const key = await api.call('POST', '/api/v1/apikeys', { name: 'shop', scopes: ['orders:write'] });
	assert.equal(key.status, 201, key.body.toString());
	shop = client(base);
	const put = (n, body) => shop.call('PUT', `/api/v1/sites/${site.id}/orders/${n}`, body, { Authorization: 'Bearer ' + key.json.key });
	assert.equal((await put('SO-1001', ORDER('shipped', '398.00', '2026-11-20T08:30:00Z', 'SF1234567890'))).status, 201);
	assert.equal((await put('SO-0900', ORDER('delivered', '59.00', '2026-10-02T08:30:00Z', 'SF0000000001'))).status, 201);
	secret = await siteSecret(api, site);
	assert.match(secret, /^[0-9a-f]{64}$/);
	browser = await launchChromium();
});

after(async () => { if (env) await env.stop(browser, foreign); });

test('order lookup in the widget by number + e-mail', { timeout: 60000 }, async () => {
	const { ctx, page: B, sent } = await visitor('zh-CN');
	await B.click('#kefu-launcher');
	const btn = B.locator('#kefu-orders-btn');
	assert.equal((await btn.textContent()).trim(), '订单', 'zh-CN label');
	assert.equal(await btn.getAttribute('aria-expanded'), 'false');
	await btn.focus();
	await B.keyboard.press('Enter');   /* keyboard reachable */
	await B.locator('#kefu-orders').waitFor();
	assert.equal(await btn.getAttribute('aria-expanded'), 'true');
	assert.equal(await B.locator('#kefu-orders-mine .kefu-order').count(), 0, 'a guest has no "my orders"');
	await B.fill('#kefu-orders-number', 'SO-1001');
	await B.fill('#kefu-orders-contact', 'Li.Lei@example.com');
	await B.click('#kefu-orders-find button[type=submit]');
	const card = B.locator('#kefu-orders-result .kefu-order[data-number="SO-1001"]');
	await card.waitFor();
	assert.equal((await card.locator('.kefu-order-st').textContent()).trim(), '已发货', 'status in words');
	assert.match(await card.textContent(), /SF Express SF1234567890/, 'carrier and tracking');
	assert.match(await card.textContent(), /龙井茶 250g ×2/, 'items');

	await B.fill('#kefu-orders-contact', 'someone@else.com');
	await B.click('#kefu-orders-find button[type=submit]');
	await B.locator('#kefu-orders-result', { hasText: '没有匹配的订单' }).waitFor();
	assert.equal(await B.locator('#kefu-orders-result .kefu-order').count(), 0, 'no card for a mismatch');
	await B.fill('#kefu-orders-number', 'SO-9999');
	await B.fill('#kefu-orders-contact', 'li.lei@example.com');
	await B.click('#kefu-orders-find button[type=submit]');
	await B.locator('#kefu-orders-result', { hasText: '没有匹配的订单' }).waitFor();

	await B.keyboard.press('Escape');
	await B.locator('#kefu-orders').waitFor({ state: 'hidden' });
	const hello = sent.find((f) => f.type === 'hello');
	assert.ok(hello, 'the widget connected');
	assert.equal(hello.customer, undefined, 'no claim without data-customer-*');
	await ctx.close();
});

test('a signed customer sees "my orders" without typing; the agent sends an order card that the widget shows', { timeout: 90000 }, async () => {
	/* the agent signs in first (online), so the widget opens the chat, not the offline form */
	const { ctx: A, P } = await openConsole(browser, base, ADMIN, { locale: 'zh-CN', foreign });
	await P.click('nav [data-nav=inbox]');
	const { ctx, page: B, sent } = await visitor('en-US', 'u-1001');
	await B.click('#kefu-launcher');
	await B.fill('#kefu-input', 'Where is my tea?');
	await B.press('#kefu-input', 'Enter');
	await B.locator('.kefu-me[data-state="delivered"], .kefu-me[data-state="read"]').first().waitFor();
	const hello = sent.find((f) => f.type === 'hello');
	assert.equal(hello.customer?.id, 'u-1001', 'hello carries the signed claim');

	await B.click('#kefu-orders-btn');
	const mine = B.locator('#kefu-orders-mine .kefu-order');
	await mine.first().waitFor();
	assert.deepEqual(await mine.evaluateAll((els) => els.map((e) => e.getAttribute('data-number'))), ['SO-1001', 'SO-0900'], 'newest first');
	const first = await mine.first().textContent();
	assert.match(first, /Shipped/);
	assert.match(first, /398\.00/, 'the total');
	assert.match(first, /SF1234567890/);
	await B.click('#kefu-orders-back');
	await B.locator('#kefu-orders').waitFor({ state: 'hidden' });

	/* the agent, in the console's inbox: the conversation, Send on SO-1001 in the customer panel */
	const convs = (await api.call('GET', '/api/v1/conversations?status=all')).json.conversations;
	assert.equal(convs.length, 1, 'one conversation');
	await P.click(`.conv-item[data-id="${convs[0].id}"]`);
	/* answering takes the chat, so the agent owns it */
	await P.locator('#customer-panel #customer-name', { hasText: '李雷' }).waitFor();
	await P.fill('#reply-input', '我看一下您的订单');
	await P.keyboard.press('Enter');
	await B.locator('.kefu-them', { hasText: '我看一下您的订单' }).waitFor();
	await P.click('#customer-panel .order-send[data-number="SO-1001"]');

	const card = B.locator('.kefu-list .kefu-them .kefu-order[data-number="SO-1001"]');
	await card.waitFor();
	assert.equal((await card.locator('.kefu-order-st').textContent()).trim(), 'Shipped');
	assert.match(await card.textContent(), /398\.00/, 'the total on the card');
	assert.match(await card.textContent(), /SF1234567890/, 'tracking on the card');
	await P.locator('.msg .order-card[data-number="SO-1001"]').waitFor();
	await A.close();
	await ctx.close();
});
