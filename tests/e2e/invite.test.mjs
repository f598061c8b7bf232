// tests/e2e/invite.test.mjs - proactive invitations end to end (docs/invitations.md), in Debian's
// chromium through playwright-core:
//   1. an agent invites a live visitor from the Visitors page; the invitation pops up in the
//      visitor's widget; accepting it opens the panel with the agent's message and an active chat
//      owned by that agent in the agent's inbox;
//   2. an automatic rule made in the console (Settings → Chat invitations) fires after its time on
//      page, is declined, and does not fire again within its limit after a reload.
//
//   KEFU_BIN=path/to/kefu node --test tests/e2e/invite.test.mjs
//
// Timing assertions are loose on purpose ("no card at 1 s, a card by 6 s").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
	KEFU_BIN, CHROMIUM, run, startServer, stopServer, watchForeign, client, sessionCookie, sleep, until, launchChromium, signIn } from './lib.mjs';

const ADMIN = { email: 'admin@example.com', name: '店长', password: 'correct-horse-battery-9' };
const AGENT = { email: 'xiaowang@example.com', name: '小王', password: 'agent-horse-battery-7' };
const INVITE_TEXT = '您好，我是小王，需要帮您挑选吗？';
const RULE_TEXT = '看看新到的保温杯？有问题随时问我们。';

let dataDir, server, serverLog = '', base = '', browser, api, site, agentId;
const foreign = [];

before(async () => {
	assert.ok(existsSync(KEFU_BIN), `${KEFU_BIN} not found: build it with make, or set KEFU_BIN`);
	assert.ok(existsSync(CHROMIUM), `${CHROMIUM} not found: scripts/deps check installs it`);
	dataDir = mkdtempSync(join(tmpdir(), 'kefu-e2e-invite-'));
	for (const [u, role] of [[ADMIN, 'admin'], [AGENT, 'agent']]) {
		const add = await run(['user', 'add', '--role', role, '--name', u.name, '--data', dataDir, u.email], u.password + '\n');
		assert.equal(add.code, 0, `kefu user add ${u.email} failed (${add.code}):\n${add.stdout}${add.stderr}`);
	}
	const srv = startServer(dataDir, (d) => (serverLog += d));
	server = srv.proc;
	base = await srv.ready;
	api = client(base);
	const login = await api.call('POST', '/api/v1/auth/login', { email: ADMIN.email, password: ADMIN.password });
	assert.equal(login.status, 200, 'admin login: ' + login.body);
	api.cookie = sessionCookie(login);
	api.csrf = login.json.csrf_token;
	const users = (await api.call('GET', '/api/v1/users')).json.users;
	agentId = users.find((u) => u.email === AGENT.email).id;
	const made = await api.call('POST', '/api/v1/sites', { name: 'Demo shop 演示店', origins: [], color: '#0a7d5a' });
	assert.equal(made.status, 201, 'POST /api/v1/sites: ' + made.body);
	site = made.json.site;
	const mem = await api.call('PUT', `/api/v1/sites/${site.id}/members`, { user_ids: [login.json.user.id, agentId] });
	assert.equal(mem.status, 200, 'PUT members: ' + mem.body);
	browser = await launchChromium();
});

after(async () => {
	try { if (browser) await browser.close(); } catch { /* already gone */ }
	await stopServer(server);
	if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function newPage(locale) {
	const ctx = await browser.newContext({ locale, viewport: { width: 1200, height: 800 } });
	ctx.setDefaultTimeout(8000);
	watchForeign(ctx, new URL(base).host, foreign);
	return ctx.newPage();
}

async function openConsole(page, who) {
	await page.goto(base + '/');
	await signIn(page, who.email, who.password);
}

/* Records every frame the page's widget receives from the server, with the time it came. */
function recordFrames(page) {
	const frames = [];
	page.on('websocket', (ws) => ws.on('framereceived', (e) => {
		try { frames.push({ at: Date.now(), f: JSON.parse(String(e.payload)) }); } catch { /* not JSON */ }
	}));
	return frames;
}
const frame = (frames, where) => frames.find((x) => where(x.f));

/* The visitor opens the demo shop; resolves the visitor id from the socket's welcome. */
async function openShop(page, frames) {
	await page.goto(`${base}/demo?site=${encodeURIComponent(site.key)}`);
	await page.locator('#kefu-launcher').waitFor();
	const w = await until(() => frame(frames, (f) => f.type === 'welcome'), 'the welcome frame');
	return w.f.visitor_id;
}

async function inviteThroughUi(A, visitorId) {
	await A.click('nav [data-nav=visitors]');
	await A.locator(`tr[data-visitor-id="${visitorId}"]`).waitFor({ timeout: 10000 });
	await A.click(`[data-invite="${visitorId}"]`);
	await A.fill('#invite-message', INVITE_TEXT);
	await A.click('#invite-send');
	await A.locator('#invite-status').waitFor(); // "sent"
	await A.press('#invite-message', 'Escape');
	await A.locator('#invite-message').waitFor({ state: 'detached' });
}

test('an agent invites a live visitor; the card pops up; accepting opens a chat with that agent', { timeout: 90000 }, async () => {
	const A = await newPage('en-US');
	await openConsole(A, AGENT);
	await A.click('nav [data-nav=inbox]');
	await A.locator('#agent-status').waitFor();
	await A.selectOption('#agent-status', 'online');

	const B = await newPage('zh-CN');
	const frames = recordFrames(B);
	const visitorId = await openShop(B, frames);
	assert.equal(await B.locator('#kefu-invite').count(), 0, 'no card before the invitation');

	// The agent finds the visitor in the live list (Visitors) and invites them from their row.
	await inviteThroughUi(A, visitorId);

	// The card, in the visitor's language, with the agent's name and message as text.
	const card = B.locator('#kefu-invite');
	await card.waitFor();
	assert.equal(await card.getAttribute('role'), 'dialog');
	assert.equal(await B.textContent('#' + (await card.getAttribute('aria-labelledby'))), AGENT.name, 'titled with the agent\'s name');
	assert.equal(await B.textContent('#kefu-invite-m'), INVITE_TEXT);
	assert.equal(await B.textContent('#kefu-invite-accept'), '开始对话');
	assert.equal(await B.textContent('#kefu-invite-decline'), '不用了');
	assert.equal(await B.locator('#kefu-panel').isVisible(), false, 'the panel is still closed');

	await B.click('#kefu-invite-accept');
	await B.locator('#kefu-panel').waitFor();
	await card.waitFor({ state: 'detached' });
	await B.locator('.kefu-msg[data-from=agent]', { hasText: INVITE_TEXT }).waitFor();
	const result = await until(() => frame(frames, (f) => f.type === 'invite_result'), 'the invite_result frame');
	assert.equal(result.f.status, 'accepted');
	const convId = result.f.conversation_id;

	// The agent has it in the inbox as an active chat of theirs, the invitation as the first message.
	await A.click('nav [data-nav=inbox]');
	await A.locator(`#group-active .conv-item[data-id="${convId}"]`).waitFor();
	const conv = (await api.call('GET', `/api/v1/conversations/${convId}`)).json;
	assert.equal(conv.conversation.status, 'active');
	assert.equal(conv.conversation.agent.id, agentId, 'owned by the inviting agent');
	assert.equal(conv.messages[0].from, 'agent');
	assert.equal(conv.messages[0].text, INVITE_TEXT);

	// The visitor answers in the same chat and the agent sees it.
	await B.fill('#kefu-input', '好的，谢谢');
	await B.press('#kefu-input', 'Enter');
	await A.locator(`#group-active .conv-item[data-id="${convId}"]`).click();
	await A.locator('.msgs .msg[data-from=visitor]', { hasText: '好的，谢谢' }).waitFor();

	const stats = await api.call('GET', `/api/v1/invitations/stats?site=${site.id}`);
	assert.equal(stats.status, 200, stats.body);
	assert.deepEqual(stats.json.agents, [{ agent_id: agentId, name: AGENT.name, shown: 1, accepted: 1, declined: 0 }]);
	await B.context().close();
});

test('a rule made in the console fires after its time on page, is declined, and not again within its limit', { timeout: 90000 }, async () => {
	// The admin adds the rule in Settings → Chat invitations.
	const S = await newPage('zh-CN');
	await openConsole(S, ADMIN);
	await S.click('nav [data-nav=settings]');
	await S.locator('#invite-rule-form').waitFor();
	await S.fill('#invite-rule-name', '演示页');
	await S.fill('#invite-rule-message', RULE_TEXT);
	await S.fill('#invite-rule-url', '*/demo*');
	await S.fill('#invite-rule-seconds', '2');
	await S.fill('#invite-rule-repeat', '1');
	await S.click('#invite-rule-save');
	const row = S.locator('#invite-rules tr[data-rule-id]', { hasText: '演示页' });
	await row.waitFor();
	const ruleId = Number(await row.getAttribute('data-rule-id'));
	const rules = (await api.call('GET', `/api/v1/sites/${site.id}/invite-rules`)).json.rules;
	assert.deepEqual(rules.map((r) => [r.id, r.url_pattern, r.min_seconds_on_page, r.repeat_after_hours, r.message, r.enabled]),
		[[ruleId, '*/demo*', 2, 1, RULE_TEXT, true]], 'the console saved what was typed');

	// A fresh visitor (new browser context): no card at 1 s, the card by 6 s.
	const B = await newPage('zh-CN');
	const frames = recordFrames(B);
	const t0 = Date.now();
	await openShop(B, frames);
	await sleep(Math.max(0, 1000 - (Date.now() - t0)));
	assert.equal(await B.locator('#kefu-invite').count(), 0, 'no card 1 s after the page opened');
	await B.locator('#kefu-invite').waitFor({ timeout: 6000 });
	const welcome = frame(frames, (f) => f.type === 'welcome');
	const invite = frame(frames, (f) => f.type === 'invite');
	assert.ok(invite.at - welcome.at >= 1000, `the invitation came ${invite.at - welcome.at} ms after the welcome (the rule waits 2 s)`);
	assert.deepEqual({ ...invite.f.invitation, id: 0 }, { id: 0, message: RULE_TEXT, agent: null, rule_id: ruleId });
	assert.equal(await B.textContent('#kefu-invite-m'), RULE_TEXT);
	assert.equal(await B.textContent('#kefu-invite-t'), '在线客服', 'a rule\'s card names no agent');

	await B.click('#kefu-invite-decline');
	await B.locator('#kefu-invite').waitFor({ state: 'detached' });
	const declined = await until(() => frame(frames, (f) => f.type === 'invite_result'), 'the answer to the decline');
	assert.deepEqual(declined.f, { type: 'invite_result', invitation_id: invite.f.invitation.id, status: 'declined' });
	assert.equal(await B.locator('#kefu-panel').isVisible(), false, 'declining opens nothing');

	// Reload and wait past the rule's time: the widget asks, the server says "limit", no card.
	frames.length = 0;
	await B.reload();
	await until(() => frame(frames, (f) => f.type === 'welcome'), 'the welcome after the reload');
	await sleep(4000);
	assert.equal(await B.locator('#kefu-invite').count(), 0, 'no second card within repeat_after_hours');
	const skipped = frame(frames, (f) => f.type === 'invite_result');
	assert.ok(skipped, 'the widget asked again after the reload');
	assert.deepEqual(skipped.f, { type: 'invite_result', rule_id: ruleId, status: 'skipped', reason: 'limit' });
	assert.equal(frame(frames, (f) => f.type === 'invite'), undefined, 'no invite frame after the reload');

	// The counts, from the API and in the console's table.
	const stats = (await api.call('GET', `/api/v1/invitations/stats?site=${site.id}`)).json;
	assert.deepEqual(stats.rules, [{ rule_id: ruleId, name: '演示页', shown: 1, accepted: 0, declined: 1 }]);
	await S.click('#invite-stats-load');
	const cells = S.locator(`#invite-stats-rules tr[data-id="${ruleId}"]`);
	await cells.locator('.shown', { hasText: '1' }).waitFor();
	assert.equal(await cells.locator('.declined').textContent(), '1');
	assert.equal(await cells.locator('.accepted').textContent(), '0');
	assert.deepEqual(foreign, [], 'no request left the server origin');
});

test('kefu serve exits 0 on SIGTERM', async () => {
	if (browser) { await browser.close(); browser = null; }
	const code = await stopServer(server);
	assert.equal(code, 0, 'exit status after SIGTERM\n' + serverLog.split('\n').slice(-20).join('\n'));
});
