// After-sales in headless Chromium (issue 7, point 4): "a return request on a delivered order moves
// through its steps and the customer's status page follows".
//  - a customer the shop signed in opens "my orders" in the widget on the demo page, presses
//    退换货/维修 on a delivered order, asks for more than was bought (the eligibility answer says
//    no before anything is sent), then one item with a reason: the widget shows the request number
//    and the status link;
//  - the status page (in the customer's language) marks 已提交申请 as the current step;
//  - the agent, in the console's ticket view, sees the workflow panel and presses 同意, 确认收货 and
//    退款 (拒绝 would ask for a reason first); after each step the customer's status page, reloaded,
//    marks that step current; at the end the order is "returned";
//  - Settings → 售后规则 saves the admin's rules, and shows the server's reason for a bad value.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { client, launchChromium, setupServer, siteSecret, openVisitor, openConsole } from './lib.mjs';

const ADMIN = { email: 'admin@example.com', password: 'correct-horse-battery-9', name: '店长' };
let env, base = '', browser, api, site, secret, shopKey;
const foreign = [];

before(async () => {
	env = await setupServer({ name: 'returns', users: [{ ...ADMIN, role: 'admin' }], site: { name: '茶叶店', origins: [], greeting: '您好' } });
	({ base, api, site } = env);
	const key = await api.call('POST', '/api/v1/apikeys', { name: 'shop', scopes: ['orders:write'] });
	shopKey = key.json.key;
	const shop = client(base);
	const order = {
		status: 'delivered', currency: 'CNY', total: '198.00', placed_at: '2026-11-01T08:30:00Z', email: 'li.lei@example.com',
		customer: { external_id: 'u-1001', name: '李雷', email: 'li.lei@example.com' },
		items: [{ sku: 'TEA-01', name: '龙井茶 250g', category: 'tea', quantity: 2, price: '99.00' }],
	};
	const put = await shop.call('PUT', `/api/v1/sites/${site.id}/orders/SO-2001`, order, { Authorization: 'Bearer ' + shopKey });
	assert.equal(put.status, 201, put.body.toString());
	secret = await siteSecret(api, site);
	assert.match(secret, /^[0-9a-f]{64}$/);
	browser = await launchChromium();
});

after(async () => { if (env) await env.stop(browser, foreign); });

/* The demo shop as the signed-in customer id (the claim added to the widget's tag before it runs). */
async function customer(locale, id) {
	return openVisitor(browser, base, site, { locale, viewport: { width: 420, height: 860 }, customerId: id, secret, foreign });
}

/* The status page's current step, reloaded. */
async function currentStep(S) {
	await S.reload();
	return (await S.locator('ol.steps li[aria-current="step"] .st').textContent()).trim();
}

test('a return request on a delivered order moves through its steps and the customer\'s status page follows', { timeout: 120000 }, async () => {
	const { ctx, page: B } = await customer('zh-CN', 'u-1001');
	await B.click('#kefu-launcher');
	await B.click('#kefu-orders-btn');
	const card = B.locator('#kefu-orders-mine .kefu-order[data-number="SO-2001"]');
	await card.waitFor();
	await card.locator('.kefu-ret-btn').click();
	const qty = card.locator('.kefu-ret input[data-sku="TEA-01"]');
	await qty.waitFor();
	const send = card.locator('.kefu-ret button[type=submit]');
	assert.equal(await send.isDisabled(), true, 'nothing chosen: nothing to send');
	await qty.fill('3');
	await card.locator('.kefu-ret-out', { hasText: '数量超过购买数量' }).waitFor();
	assert.equal(await send.isDisabled(), true, 'not eligible: the answer comes before submitting');
	await qty.fill('1');
	await card.locator('.kefu-ret-out', { hasText: '可以申请' }).waitFor();
	await card.locator('.kefu-ret textarea[name=reason]').fill('茶叶受潮了');
	await send.click();
	const done = card.locator('.kefu-ret-done');
	await done.waitFor();
	const id = +(await done.textContent()).match(/#(\d+)/)[1];
	assert.ok(id > 0, 'the request number');
	const link = await card.locator('a.kefu-ret-link').getAttribute('href');
	assert.match(link, new RegExp(`/t/${id}\\?k=[A-Za-z0-9_-]{43}$`));

	const S = await ctx.newPage();
	await S.goto(link);
	assert.ok((await S.locator('h1').textContent()).includes('SO-2001'), 'the subject names the order');
	assert.equal(await currentStep(S), '已提交申请');
	assert.ok((await S.content()).includes('茶叶受潮了'), 'the customer\'s own words in the thread');

	/* the agent, in the console's ticket view */
	const { ctx: A, P } = await openConsole(browser, base, ADMIN, { locale: 'zh-CN', foreign });
	await openTicket(P, id);
	const panel = P.locator('.wf-panel');
	await panel.waitFor();
	assert.equal((await panel.locator('.wf-state').textContent()).trim(), '已提交申请');
	assert.deepEqual(await panel.locator('.wf-go').evaluateAll((b) => b.map((x) => x.dataset.to)), ['approved', 'refused']);
	await panel.locator('.wf-go[data-to="refused"]').click();
	await panel.locator('.wf-reason textarea').waitFor();   /* refusing asks why first */
	await panel.locator('.wf-reason button[type=button]').click();

	for (const [to, shown] of [['approved', '已同意'], ['goods_received', '已收到退货'], ['refunded', '已退款']]) {
		await panel.locator(`.wf-go[data-to="${to}"]`).click();
		await panel.locator(`.wf-state[data-state="${to}"]`).waitFor();
		assert.equal(await currentStep(S), shown, `the status page follows: ${to}`);
	}
	await panel.locator('p.muted').waitFor();   /* finished: no more buttons */
	const steps = await S.locator('ol.steps li').evaluateAll((li) => li.map((x) => x.className));
	assert.deepEqual(steps, ['done', 'done', 'done', 'cur'], 'every step done, the last current');
	const o = await api.call('GET', `/api/v1/sites/${site.id}/orders/SO-2001`);
	assert.equal(o.json.order.status, 'returned', 'the refund marks the order returned');
	await A.close();
	await ctx.close();
});

test('Settings → 售后规则: the admin changes the return window and a category; the server keeps them', { timeout: 60000 }, async () => {
	const { ctx: A, P } = await openConsole(browser, base, ADMIN, { locale: 'zh-CN', foreign });
	await P.click('nav [data-nav=settings]');
	assert.equal((await P.locator('#aftersales-title').textContent()).trim(), '售后规则');
	const form = P.locator('.aftersales-form');
	await form.locator('input[name=return_days]').fill('10');
	await form.locator('textarea[name=no_return]').fill('food\nunderwear');
	await form.locator('button[type=submit]').click();
	await form.locator('[role=status]', { hasText: '已保存' }).waitFor();
	const r = await api.call('GET', `/api/v1/sites/${site.id}/aftersales`);
	assert.equal(r.json.rules.return_days, 10);
	assert.deepEqual(r.json.rules.no_return_categories, ['food', 'underwear']);
	await form.locator('input[name=return_days]').fill('999');
	await form.locator('button[type=submit]').click();
	await form.locator('[role=status]', { hasText: 'return_days' }).waitFor();   /* the server's reason, shown */
	await A.close();
});

/* Opens ticket id in the console's ticket view (T1's tickets page). */
async function openTicket(P, id) {
	await P.goto(`${base}/#/tickets/${id}`);
}
