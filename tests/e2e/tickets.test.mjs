// Tickets in the console (issue 7), end to end in headless Chromium:
//  - a ticket filed through the API shows in the inbox's ticket section and on the tickets page
//    (工单, "unassigned" view); the agent moves to it with j, opens it with Enter, sees the
//    customer's words;
//  - r focuses the reply box: the reply is sent and shows as a public agent message; n switches to
//    an internal note, which shows apart (the note style and tag);
//  - e resolves the ticket; the status pill and the API agree;
//  - the history lists the reply, the note and the status changes, with the agent's name;
//  - ? opens the shortcut help, Esc closes it;
//  - in the widget, the customer the shop signed in sees "我的工单" with their ticket; a guest has no button.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { client, launchChromium, setupServer, siteSecret, openVisitor, openConsole } from './lib.mjs';

const ADMIN = { email: 'admin@example.com', password: 'correct-horse-battery-9', name: '店长' };
const AGENT = { email: 'agent@example.com', password: 'agent-password-123', name: '小王' };
let env, base = '', browser, api, site, key, ticketId, secret;
const foreign = [];

before(async () => {
	env = await setupServer({ name: 'tickets', users: [{ ...ADMIN, role: 'admin' }, { ...AGENT, role: 'agent' }], site: { name: '茶叶店', origins: [], greeting: '您好' } });
	({ base, api, site } = env);
	const k = await api.call('POST', '/api/v1/apikeys', { name: 'shop', scopes: ['tickets:write', 'tickets:read', 'orders:write'] });
	assert.equal(k.status, 201, k.body.toString());
	key = k.json.key;
	secret = await siteSecret(api, site);
	const shop = client(base);
	const order = await shop.call('PUT', `/api/v1/sites/${site.id}/orders/SO-1001`, {
		status: 'paid', currency: 'CNY', total: '98.00', placed_at: Math.floor(Date.now() / 1000) - 86400,
		customer: { external_id: 'u-1001', name: '李雷', email: 'li.lei@example.com' },
		items: [{ sku: 'TEA-01', name: '龙井茶', quantity: 1, price: '98.00' }],
	}, { Authorization: 'Bearer ' + key });
	assert.equal(order.status, 201, order.body.toString());
	const older = await shop.call('POST', '/api/v1/tickets', { site_id: site.id, subject: '发票抬头', body: '请帮我改发票抬头' }, { Authorization: 'Bearer ' + key });
	assert.equal(older.status, 201, older.body.toString());
	const t = await shop.call('POST', '/api/v1/tickets', {
		site_id: site.id, subject: '茶叶包装破损', body: '收到的龙井茶包装破了 <b>怎么办</b>', requester_name: '李雷', requester_email: 'li.lei@example.com',
	}, { Authorization: 'Bearer ' + key });
	assert.equal(t.status, 201, t.body.toString());
	ticketId = t.json.ticket.id;
	browser = await launchChromium();
});

after(async () => { if (env) await env.stop(browser, foreign); });

test('an agent opens a ticket from the list with the keyboard, replies, adds a note, resolves with e; the history shows each change', { timeout: 120000 }, async () => {
	const { ctx, P } = await openConsole(browser, base, AGENT, { locale: 'zh-CN', foreign });

	/* the inbox shows tickets beside the chats */
	await P.click('nav [data-nav=inbox]');
	await P.locator('#inbox-tickets a[data-id="' + ticketId + '"]').waitFor();

	await P.click('nav [data-nav=tickets]');
	assert.equal((await P.locator('#panel-title').textContent()).trim(), '工单');
	await P.click('#ticket-view-unassigned');
	const rows = P.locator('#ticket-list .tk-row');
	await P.locator(`.tk-row[data-id="${ticketId}"]`).waitFor();
	assert.equal(await rows.count(), 2);
	assert.equal(await rows.first().getAttribute('data-id'), String(ticketId), 'newest first; the cursor starts on it');
	await rows.first().locator('td').nth(3).click();   /* off the view tab, whose own Enter would press it */
	await P.keyboard.press('j');
	assert.equal(await P.locator('.tk-row.cursor').getAttribute('data-id'), await rows.nth(1).getAttribute('data-id'), 'j moves down');
	await P.keyboard.press('k');
	assert.equal(await P.locator('.tk-row.cursor').getAttribute('data-id'), String(ticketId), 'k moves up');
	await P.keyboard.press('Enter');
	await P.locator('#ticket-view').waitFor();
	assert.match(await P.locator('#ticket-subject').textContent(), /茶叶包装破损/);
	const first = P.locator('#ticket-thread .tk-msg').first();
	assert.equal(await first.locator('.tk-body').textContent(), '收到的龙井茶包装破了 <b>怎么办</b>', 'the customer\'s words, as text');

	/* ? shows the shortcuts; Esc closes them */
	await P.keyboard.press('?');
	await P.locator('#ticket-help').waitFor();
	assert.match(await P.locator('#ticket-help').textContent(), /标记为已解决/);
	await P.keyboard.press('Escape');
	await P.locator('#ticket-help').waitFor({ state: 'detached' });

	/* r: reply */
	await P.keyboard.press('r');
	/* the box is focused after the key's re-render: wait for it (fails after the default timeout) */
	await P.waitForFunction(() => document.activeElement && document.activeElement.id === 'ticket-reply');
	await P.keyboard.type('您好，我们马上为您补发。');
	await P.click('#ticket-send');
	const reply = P.locator('#ticket-thread .tk-msg.kind-public.from-agent');
	await reply.waitFor();
	assert.match(await reply.textContent(), /马上为您补发/);
	assert.match(await P.locator('#ticket-view .pill').first().textContent(), /处理中/, 'the first reply opens the ticket');

	/* n: an internal note, shown apart */
	await P.locator('#ticket-reply').blur();
	await P.keyboard.press('n');
	await P.locator('#ticket-mode-note[aria-selected=true]').waitFor();
	await P.keyboard.type('仓库说明天发货');
	await P.click('#ticket-send');
	const note = P.locator('#ticket-thread .tk-msg.kind-note');
	await note.waitFor();
	assert.match(await note.locator('.note-tag').textContent(), /内部备注/);
	const bg = await note.evaluate((el) => getComputedStyle(el).backgroundColor);
	const bgReply = await reply.evaluate((el) => getComputedStyle(el).backgroundColor);
	assert.notEqual(bg, bgReply, 'a note looks different from a reply');

	/* e: resolve */
	await P.locator('#ticket-reply').blur();
	await P.keyboard.press('e');
	await P.locator('#ticket-view .pill[data-status=resolved]').waitFor();
	const api2 = (await api.call('GET', `/api/v1/tickets/${ticketId}`)).json;
	assert.equal(api2.ticket.status, 'resolved');
	assert.deepEqual(api2.messages.map((m) => m.kind), ['public', 'public', 'note']);

	/* the history, newest first */
	const hist = (await P.locator('#ticket-history li').allTextContents()).join('\n');
	assert.match(hist, /小王 回复了客户/);
	assert.match(hist, /小王 添加了内部备注/);
	assert.match(hist, /小王 将状态从“新建”改为“处理中”/);
	assert.match(hist, /小王 将状态从“处理中”改为“已解决”/);
	assert.match(hist, /API 创建了工单/);

	/* Esc goes back to the list, where the ticket now shows as resolved */
	await P.keyboard.press('Escape');
	await P.click('#ticket-view-all');
	await P.locator(`.tk-row[data-id="${ticketId}"]`).waitFor({ state: 'detached' });   /* "active" leaves it out */
	await P.selectOption('#ticket-f-status', 'resolved');
	await P.locator(`.tk-row[data-id="${ticketId}"] .pill[data-status=resolved]`).waitFor();
	await ctx.close();
});

test('the widget: a signed customer sees their tickets under 我的工单; a guest has no button', { timeout: 60000 }, async () => {
	const open = async (customer) => {
		const { ctx, page } = await openVisitor(browser, base, site, { locale: 'zh-CN', customerId: customer, secret, foreign });
		await page.click('#kefu-launcher');
		return { ctx, page };
	};
	const guest = await open(null);
	await guest.page.locator('#kefu-orders-btn').waitFor();
	assert.equal(await guest.page.locator('#kefu-tickets-btn').count(), 0, 'no tickets button for a guest');
	await guest.ctx.close();
	const { ctx, page } = await open('u-1001');
	await page.click('#kefu-tickets-btn');
	const row = page.locator(`#kefu-tickets .kefu-ticket[data-ticket="${ticketId}"]`);
	await row.waitFor();
	assert.match(await row.textContent(), /茶叶包装破损/);
	assert.equal(await page.locator('#kefu-tickets .kefu-ticket').count(), 1, 'only the customer\'s own ticket (the other has no requester)');
	await ctx.close();
});
