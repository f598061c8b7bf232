// tests/e2e/sla-csat.test.mjs - ticket SLAs and satisfaction end to end in Chromium (issue 7, T4).
//
//   KEFU_BIN=path/to/kefu node --test tests/e2e/sla-csat.test.mjs
//
// A server with a 200 ms breach timer ([tickets] sla_tick_ms) and an aiosmtpd sink for the mails.
// "A complaint breaching its SLA is escalated": the supervisor sets a due-at-creation policy for
// high complaints in Settings → SLA (the form, not the API), an agent's complaint breaches on the
// next tick, and the console shows the escalation: in the ticket list the breach badge, the
// supervisor as assignee and "urgent"; the breach in the report's cards and by-agent table. "A CSAT survey answer shows in the report": the
// customer opens the survey link from the resolve mail, leaves a comment, and the console's
// ticket report shows the average and the count.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	client, sessionCookie, launchChromium, until, startSmtpSink, signIn, setupServer } from './lib.mjs';

const EMAIL = 'boss@example.com';
const SUP = 'sup@example.com';
const AGENT = 'agent@example.com';
const PASSWORD = 'correct-horse-battery-9';

let env, serverLog = '', base = '', browser, api, site, supId, agentId;
const procs = [];
let sinkOut = '';

function mails(out) {
	const res = [];
	const re = /-+ MESSAGE FOLLOWS -+\n([\s\S]*?)\n-+ END MESSAGE -+/g;
	let m;
	while ((m = re.exec(out))) {
		const raw = m[1].replace(/\r/g, '');
		const cut = raw.indexOf('\n\n');
		const head = cut < 0 ? raw : raw.slice(0, cut);
		const body = cut < 0 ? '' : raw.slice(cut + 2);
		const hdr = (n) => { const x = new RegExp('^' + n + ': *(.*)$', 'mi').exec(head); return x ? x[1].trim() : ''; };
		let text = body;
		if (/base64/i.test(hdr('Content-Transfer-Encoding'))) text = Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64').toString('utf8');
		res.push({ to: hdr('To'), text });
	}
	return res;
}

async function login(email) {
	const c = client(base);
	const r = await c.call('POST', '/api/v1/auth/login', { email, password: PASSWORD });
	assert.equal(r.status, 200);
	c.cookie = sessionCookie(r);
	c.csrf = r.json.csrf_token;
	c.user = r.json.user;
	return c;
}

before(async () => {
	env = await setupServer({
		name: 'sla', conf: '[tickets]\nsla_tick_ms = 200\n', onLog: (d) => (serverLog += d),
		users: [[EMAIL, 'admin', 'Boss'], [SUP, 'supervisor', '王主管'], [AGENT, 'agent', '小李']].map(([email, role, name]) => ({ email, role, name, password: PASSWORD })),
		site: { name: '工单店' }, members: (all) => all.filter((u) => u.email === SUP || u.email === AGENT),
	});
	({ base, api, site } = env);
	const port = await startSmtpSink(procs, (d) => (sinkOut += d));
	assert.equal((await api.call('PUT', '/api/v1/settings/smtp', { host: '127.0.0.1', port, from: 'service@shop.test' })).status, 200);
	supId = env.users.find((u) => u.email === SUP).id;
	agentId = env.users.find((u) => u.email === AGENT).id;
	browser = await launchChromium();
});

after(async () => {
	for (const p of procs) p.kill('SIGTERM');
	if (env) await env.stop(browser);
});

async function consolePage(email, locale = 'zh-CN') {
	const ctx = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
	ctx.setDefaultTimeout(8000);
	const P = await ctx.newPage();
	await P.goto(base + '/');
	await signIn(P, email, PASSWORD);
	return { ctx, P };
}

test('a complaint breaching its SLA is escalated', { timeout: 90000 }, async () => {
	const { ctx, P } = await consolePage(SUP);
	// the supervisor sets "complaint · high": due at creation, escalate to every supervisor
	await P.click('nav [data-nav=settings]');
	const row = P.locator('#sla-complaint-high');
	await row.waitFor();
	await row.locator('.sla-first').fill('0');
	await row.locator('.sla-resolve').fill('600');
	await row.locator('.sla-esc').selectOption('0');
	await row.locator('.sla-save').click();
	await until(async () => (await api.call('GET', `/api/v1/sites/${site.id}/sla-policies`)).json.policies
		.some((p) => p.type === 'complaint' && p.priority === 'high' && p.first_response_minutes === 0 && p.escalate_to === 0), 'the policy saved from the form');

	const agent = await login(AGENT);
	const r = await agent.call('POST', '/api/v1/tickets', { site_id: site.id, subject: '收到的杯子是碎的', type: 'complaint', body: '请处理', assignee_id: agentId });
	assert.equal(r.status, 201, JSON.stringify(r.json));
	const id = r.json.ticket.id;
	const t = await until(async () => {
		const x = (await api.call('GET', `/api/v1/tickets/${id}`)).json.ticket;
		return x.sla.escalated_at > 0 && x.assignee_id === supId ? x : null;
	}, 'the escalation');
	assert.equal(t.priority, 'urgent');
	await until(() => mails(sinkOut).find((m) => m.to === SUP), 'the supervisor mail');

	// the console's ticket list shows it: the breach badge, the supervisor as assignee, urgent
	// (the list is the core's, tickets.js; the supervisor's default view "mine" now holds it)
	await P.click('nav [data-nav=tickets]');
	const tk = P.locator(`tr.tk-row[data-id="${id}"]`);
	await tk.waitFor();
	await tk.locator('.badge.sla-breached').waitFor();
	assert.match(await tk.textContent(), /王主管/);
	assert.equal(await tk.locator('.tk-pr').getAttribute('class'), 'tk-pr pr-urgent');

	// and the report: the breach card and the supervisor's row
	await P.click('nav [data-nav=reports]');
	await P.locator('#ticket-report #tr-breach-first .stat-value').waitFor();
	await until(async () => (await P.textContent('#tr-breach-first .stat-value')).trim() === '1', 'one response breach in the report');
	const supRow = P.locator('#tr-by-agent tr', { hasText: '王主管' });
	await supRow.waitFor();
	assert.match(await supRow.textContent(), /王主管/);
	await ctx.close();
});

test('a CSAT survey answer shows in the report', { timeout: 90000 }, async () => {
	const r = await api.call('POST', '/api/v1/tickets', { site_id: site.id, subject: '换个尺码', body: '能换 L 吗', requester_email: 'li@example.com', requester_name: '李女士' });
	assert.equal(r.status, 201);
	const id = r.json.ticket.id;
	assert.equal((await api.call('PATCH', `/api/v1/tickets/${id}`, { status: 'resolved' })).status, 200);
	const mail = await until(() => mails(sinkOut).find((m) => m.to === 'li@example.com'), 'the survey mail', 15000);
	const path = new RegExp(`/s/${id}/4\\?k=[A-Za-z0-9_-]+`).exec(mail.text);
	assert.ok(path, mail.text);

	// the customer clicks "4" in the mail: the page opens with 4 chosen and records nothing until Send
	// (mail scanners open every link); in Traditional Chinese, with a comment
	const cctx = await browser.newContext({ locale: 'zh-TW' });
	const C = await cctx.newPage();
	await C.goto(base + path[0]);
	assert.ok(await C.isChecked('input[name=rating][value="4"]'), 'the clicked rating is chosen');
	assert.equal(await C.locator('#thanks').count(), 0, 'not recorded yet');
	assert.equal((await api.call('GET', `/api/v1/tickets/${id}`)).json.ticket.csat.rating, 0, 'opening the link records nothing');
	await C.fill('textarea[name=comment]', '很快就處理好了');
	await C.click('button[type=submit]');
	await C.locator('#saved').waitFor();
	assert.match(await C.textContent('#thanks'), /感謝您的評價：4 分/);
	await cctx.close();

	const { ctx, P } = await consolePage(EMAIL, 'en-US');
	await P.click('nav [data-nav=reports]');
	await P.locator('#tr-csat-avg .stat-value').waitFor();
	await until(async () => (await P.textContent('#tr-csat-avg .stat-value')).trim() === '4.0', 'the CSAT average in the report');
	assert.equal((await P.textContent('#tr-csat-n .stat-value')).trim(), '1');
	const qRow = P.locator('#tr-by-type tr', { hasText: 'Question' });
	assert.match(await qRow.locator('.csat-avg').textContent(), /4\.0/);
	await ctx.close();
});
