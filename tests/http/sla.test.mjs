// SLAs, satisfaction surveys and follow-up visits of tickets (issue 7, T4), against the real binary
// with a 200 ms breach timer ([tickets] sla_tick_ms) and an aiosmtpd sink for the mails.
// What it checks: policy CRUD and its validation; due times set on create and recomputed when the
// priority changes; a complaint created "normal" is raised to "high" with the built-in 60 min /
// 24 h clock; a due-at-creation policy (0 minutes) breaches on the next tick, is marked once,
// escalated once to the supervisor (assignee, urgent, history, one e-mail); the CSAT link flow
// (mail on resolve, click records, comment, a second answer updates, bad keys refused, the page
// in the customer's language); follow-ups after a closed repair (mine, outcome, validation); the
// report's figures and its input checks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKefu, stopAll, login, api, request, sleep, ADMIN_EMAIL, ADMIN_PASSWORD, smtpSink, until } from './lib.mjs';

const procs = [];
let srv, admin, agent, sup, site, sink, agentId, supId;
const waitFor = (fn, what, ms = 6000) => until(fn, what, ms);

const as = (s) => ({ cookie: s.cookie, csrf: s.csrf });
const getTicket = async (id) => (await api(srv.base, 'GET', `/api/v1/tickets/${id}`, as(admin))).json;
async function create(body, who = agent) {
	const r = await api(srv.base, 'POST', '/api/v1/tickets', { ...as(who), json: { site_id: site.id, body: 'hello', ...body } });
	assert.equal(r.status, 201, r.text);
	return r.json.ticket;
}
const patch = (id, json, who = agent) => api(srv.base, 'PATCH', `/api/v1/tickets/${id}`, { ...as(who), json });
const putPolicy = (type, prio, json, who = admin) =>
	api(srv.base, 'PUT', `/api/v1/sites/${site.id}/sla-policies/${type}/${prio}`, { ...as(who), json });

before(async () => {
	sink = await smtpSink(procs);
	srv = await startKefu({
		conf: { tickets: { sla_tick_ms: 200 } },
		users: [
			{ email: 'agent@shop.test', password: 'agent-password-1', role: 'agent', name: 'Agent A' },
			{ email: 'sup@shop.test', password: 'super-password-1', role: 'supervisor', name: 'Sup S' },
		],
	});
	admin = await login(srv.base, ADMIN_EMAIL, ADMIN_PASSWORD);
	agent = await login(srv.base, 'agent@shop.test', 'agent-password-1');
	sup = await login(srv.base, 'sup@shop.test', 'super-password-1');
	agentId = agent.user.id;
	supId = sup.user.id;
	let r = await api(srv.base, 'PUT', '/api/v1/settings/smtp', { ...as(admin), json: { host: '127.0.0.1', port: sink.port, from: 'service@shop.test' } });
	assert.equal(r.status, 200, r.text);
	r = await api(srv.base, 'POST', '/api/v1/sites', { ...as(admin), json: { name: 'Shop' } });
	site = r.json.site;
	r = await api(srv.base, 'PUT', `/api/v1/sites/${site.id}/members`, { ...as(admin), json: { user_ids: [agentId, supId] } });
	assert.ok(r.status === 200 || r.status === 204, r.text);
});

after(async () => {
	for (const p of procs) p.kill('SIGTERM');
	await stopAll();
});

test('policies: list, put, validate, delete; agents may read but not change', async () => {
	let r = await api(srv.base, 'GET', `/api/v1/sites/${site.id}/sla-policies`, as(agent));
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json.policies, []);
	assert.equal(r.json.defaults[0].type, 'complaint');
	assert.equal(r.json.defaults[0].first_response_minutes, 60);
	assert.equal(r.json.defaults[0].resolution_minutes, 1440);
	assert.equal(r.json.followup_days, 3);

	r = await putPolicy('question', 'normal', { first_response_minutes: 30, resolution_minutes: 480, business_hours: false, escalate_to: null });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.first_response_minutes, 30);
	r = await api(srv.base, 'GET', `/api/v1/sites/${site.id}/sla-policies`, as(admin));
	assert.equal(r.json.policies.length, 1);
	assert.deepEqual(r.json.policies[0], { type: 'question', priority: 'normal', first_response_minutes: 30, resolution_minutes: 480, business_hours: false, escalate_to: null });

	for (const [body, what] of [
		[{ first_response_minutes: -1 }, 'negative minutes'],
		[{ first_response_minutes: 1.5 }, 'a fraction'],
		[{ resolution_minutes: 600000 }, 'more than a year'],
		[{ business_hours: 'yes' }, 'a non-boolean'],
		[{ escalate_to: agentId }, 'an agent (not a supervisor) to escalate to'],
		[{ frist_response_minutes: 5 }, 'an unknown key'],
	]) {
		r = await putPolicy('question', 'low', body);
		assert.equal(r.status, 400, `${what}: ${r.text}`);
		assert.ok(r.json.error?.code, `${what}: error body`);
	}
	r = await putPolicy('bogus', 'low', {});
	assert.equal(r.status, 400);
	r = await putPolicy('question', 'low', { first_response_minutes: 5 }, agent);
	assert.equal(r.status, 403, 'an agent cannot change policies');
	r = await api(srv.base, 'PUT', `/api/v1/sites/${site.id}/sla-settings`, { ...as(admin), json: { followup_days: 0 } });
	assert.equal(r.status, 400);

	r = await putPolicy('question', 'low', { first_response_minutes: 5 });
	assert.equal(r.status, 200);
	r = await api(srv.base, 'DELETE', `/api/v1/sites/${site.id}/sla-policies/question/low`, as(admin));
	assert.equal(r.status, 200);
	r = await api(srv.base, 'DELETE', `/api/v1/sites/${site.id}/sla-policies/question/low`, as(admin));
	assert.equal(r.status, 404);
	r = await api(srv.base, 'GET', `/api/v1/sites/999999/sla-policies`, as(admin));
	assert.equal(r.status, 404);
});

test('due times: set on create, recomputed on a priority change, none without a policy', async () => {
	await putPolicy('question', 'normal', { first_response_minutes: 30, resolution_minutes: 480 });
	await putPolicy('question', 'high', { first_response_minutes: 10, resolution_minutes: 60 });
	let t = await create({ subject: 'Where is my parcel?' });
	t = (await getTicket(t.id)).ticket;
	assert.equal(t.sla_first_due, t.created_at + 30 * 60);
	assert.equal(t.sla_resolve_due, t.created_at + 480 * 60);
	let r = await patch(t.id, { priority: 'high' });
	assert.equal(r.status, 200, r.text);
	t = (await getTicket(t.id)).ticket;
	assert.equal(t.sla_first_due, t.created_at + 10 * 60, 'due times follow the new priority');
	assert.equal(t.sla_resolve_due, t.created_at + 60 * 60);
	await patch(t.id, { priority: 'low' });
	t = (await getTicket(t.id)).ticket;
	assert.equal(t.sla_first_due, 0, 'question/low has no policy: no clock');
	assert.equal(t.sla_resolve_due, 0);
});

test('a complaint created "normal" becomes "high" with the default 60 min / 24 h clock', async () => {
	const t0 = await create({ subject: 'Broken on arrival', type: 'complaint' });
	const d = await getTicket(t0.id);
	const t = d.ticket;
	assert.equal(t.priority, 'high');
	assert.equal(t.sla_first_due, t.created_at + 3600);
	assert.equal(t.sla_resolve_due, t.created_at + 86400);
	assert.ok(d.events.some((e) => e.field === 'priority' && e.actor === 'system' && e.new === 'high'), JSON.stringify(d.events));
	const u = await create({ subject: 'Rude courier', type: 'complaint', priority: 'low' });
	assert.equal((await getTicket(u.id)).ticket.priority, 'low', "the creator's explicit choice other than normal stays");
});

test('a breached complaint is marked once and escalated once to the supervisor, who is mailed', async () => {
	// 0 minutes: due at creation, so the next 200 ms tick finds it overdue
	let r = await putPolicy('complaint', 'high', { first_response_minutes: 0, resolution_minutes: 600, escalate_to: 0 });
	assert.equal(r.status, 200, r.text);
	const t0 = await create({ subject: 'Charged twice', type: 'complaint', assignee_id: agentId });
	const d = await waitFor(async () => {
		const x = await getTicket(t0.id);
		return x.ticket.sla.escalated_at > 0 && x.ticket.assignee_id === supId && x.ticket.priority === 'urgent' ? x : null;
	}, 'the escalation');
	assert.equal(d.ticket.sla_breached & 1, 1, 'first-response breach bit');
	assert.equal(d.ticket.sla_breached & 2, 0, 'the resolution clock has not run out');
	assert.equal(d.ticket.sla_first_due, d.ticket.created_at, 'escalating to urgent keeps the due times');
	await waitFor(() => sink.mails().find((m) => m.to === 'sup@shop.test' && m.subject.includes(`#${t0.id}`)), 'the supervisor mail');
	await sleep(800);   // four more ticks: nothing happens twice
	const again = await getTicket(t0.id);
	assert.equal(again.events.filter((e) => e.field === 'sla' && e.new === 'first_response_breached').length, 1);
	assert.equal(again.events.filter((e) => e.field === 'escalated').length, 1);
	assert.equal(sink.mails().filter((m) => m.to === 'sup@shop.test' && m.subject.includes(`#${t0.id}`)).length, 1);
	// a ticket answered in time is never marked: a question with a 30 min clock
	const q = await create({ subject: 'Opening hours?' });
	await sleep(500);
	assert.equal((await getTicket(q.id)).ticket.sla_breached, 0);
});

test('CSAT: resolving mails a survey; a GET only shows the form (mail scanners), the POST records; bad links refused', async () => {
	const t0 = await create({ subject: 'Size exchange', requester_email: 'cust@example.com', requester_name: 'Li' });
	let r = await patch(t0.id, { status: 'resolved' });
	assert.equal(r.status, 200, r.text);
	const mail = await waitFor(() => sink.mails().find((m) => m.to === 'cust@example.com' && m.subject.includes(`#${t0.id}`)), 'the survey mail');
	const links = [...mail.body.matchAll(/(https?:\/\/[^/\s]+)\/s\/(\d+)\/([1-5])\?k=([A-Za-z0-9_-]+)/g)];
	assert.equal(links.length, 5, mail.body);
	assert.equal(links[0][1], srv.base, 'the links use the server\'s own address');
	const key = links[0][4];
	assert.equal(links[0][2], String(t0.id));
	const form = { 'Content-Type': 'application/x-www-form-urlencoded' };

	// a mail scanner opens every link (5 down to 1): nothing is recorded
	for (const l of links) {
		r = await request(srv.base, 'GET', `/s/${t0.id}/${l[3]}?k=${key}`);
		assert.equal(r.status, 200);
	}
	let t = await getTicket(t0.id);
	assert.equal(t.ticket.csat.rating, 0, 'opening the links records nothing');
	assert.equal(t.events.filter((e) => e.field === 'csat').length, 0);

	r = await request(srv.base, 'GET', `/s/${t0.id}/4?k=${key}`, { headers: { 'Accept-Language': 'zh-TW,zh;q=0.8' } });
	assert.equal(r.status, 200);
	assert.match(r.text, /lang="zh-TW"/);
	assert.match(r.text, /<input type="radio" name="rating" value="4" checked>/, 'the clicked rating is chosen');
	assert.equal((r.text.match(/ checked>/g) || []).length, 1);
	assert.match(r.text, /<form method="post" action="\/s\/\d+\/4">/);
	assert.match(r.text, /<button type="submit">送出<\/button>/);
	assert.doesNotMatch(r.text, /<script/, 'no script: a plain button');

	r = await request(srv.base, 'POST', `/s/${t0.id}/4`, { headers: form, body: `k=${key}&rating=4&lang=en&comment=${encodeURIComponent('Quick <b>help</b>, 谢谢')}` });
	assert.equal(r.status, 200, r.text);
	assert.match(r.text, /Thank you! You rated us 4 of 5/);
	assert.match(r.text, /Your comment was saved/);
	assert.match(r.text, /Quick &lt;b&gt;help&lt;\/b&gt;, 谢谢/, 'the comment is escaped on the page');
	t = (await getTicket(t0.id)).ticket;
	assert.equal(t.csat.rating, 4);
	assert.equal(t.csat.comment, 'Quick <b>help</b>, 谢谢');

	// a change of mind: the chosen radio wins over the path; without a comment field the comment stays
	r = await request(srv.base, 'POST', `/s/${t0.id}/4`, { headers: form, body: `k=${key}&rating=5&lang=zh-CN` });
	assert.equal(r.status, 200, r.text);
	assert.match(r.text, /感谢您的评价：5 分/);
	t = await getTicket(t0.id);
	assert.equal(t.ticket.csat.rating, 5, 'a second answer updates the rating');
	assert.equal(t.ticket.csat.comment, 'Quick <b>help</b>, 谢谢', 'and keeps the comment');
	assert.deepEqual(t.events.filter((e) => e.field === 'csat').map((e) => [e.old, e.new]), [['', '4'], ['4', '5']]);

	const other = await create({ subject: 'Another' });
	for (const path of [`/s/${t0.id}/5?k=${key}x`, `/s/${t0.id}/6?k=${key}`, `/s/${t0.id}/0?k=${key}`, `/s/${other.id}/5?k=${key}`, `/s/${t0.id}/5`, `/s/abc/5?k=${key}`]) {
		r = await request(srv.base, 'GET', path);
		assert.equal(r.status, 404, path);
	}
	r = await request(srv.base, 'POST', `/s/${other.id}/5`, { headers: form, body: `k=${key}&rating=5` });
	assert.equal(r.status, 404, "another ticket's key does not answer for it");
	assert.equal((await getTicket(other.id)).ticket.csat.rating, 0);
	r = await request(srv.base, 'POST', `/s/${t0.id}/4`, { headers: form, body: `k=${key}&comment=${'x'.repeat(5000)}` });
	assert.equal(r.status, 400, 'an oversized comment');
	r = await request(srv.base, 'POST', `/s/${t0.id}/4`, { headers: form, body: `k=${key}&rating=9` });
	assert.equal(r.status, 400, 'a rating out of range');
	r = await request(srv.base, 'POST', `/s/${t0.id}/4`, { headers: form, body: 'rating=4' });
	assert.equal(r.status, 400, 'no key');
	assert.equal((await getTicket(t0.id)).ticket.csat.rating, 5);
});

test('follow-ups: a closed repair is due for a visit in N days; the agent records the outcome', async () => {
	let r = await api(srv.base, 'PUT', `/api/v1/sites/${site.id}/sla-settings`, { ...as(admin), json: { followup_days: 5 } });
	assert.equal(r.status, 200, r.text);
	const t0 = await create({ subject: 'Kettle repair', type: 'repair', assignee_id: agentId });
	const q = await create({ subject: 'Just a question', assignee_id: agentId });
	await patch(q.id, { status: 'closed' });
	r = await patch(t0.id, { status: 'closed' });
	assert.equal(r.status, 200, r.text);
	const closedAt = (await getTicket(t0.id)).ticket.closed_at;
	r = await api(srv.base, 'GET', '/api/v1/followups?view=mine', as(agent));
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.followups.length, 1, 'only the repair gets a visit');
	const f = r.json.followups[0];
	assert.equal(f.ticket_id, t0.id);
	assert.equal(f.due_at, closedAt + 5 * 86400);
	assert.equal(f.overdue, false);
	assert.equal(f.outcome, null);
	r = await api(srv.base, 'GET', '/api/v1/followups?view=mine', as(sup));
	assert.equal(r.json.followups.length, 0, "the supervisor's own list is empty");
	r = await api(srv.base, 'GET', '/api/v1/followups?view=all', as(sup));
	assert.equal(r.json.followups.length, 1);

	r = await api(srv.base, 'PATCH', `/api/v1/followups/${f.id}`, { ...as(agent), json: { outcome: 'happy' } });
	assert.equal(r.status, 400);
	r = await api(srv.base, 'PATCH', `/api/v1/followups/${f.id}`, { ...as(agent), json: { outcome: 'satisfied', note: 'x'.repeat(1001) } });
	assert.equal(r.status, 400);
	r = await api(srv.base, 'PATCH', `/api/v1/followups/${f.id}`, { ...as(agent), json: { outcome: 'satisfied', note: '客户很满意' } });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.outcome, 'satisfied');
	assert.ok(r.json.done_at > 0);
	r = await api(srv.base, 'GET', '/api/v1/followups?view=mine', as(agent));
	assert.equal(r.json.followups.length, 0, 'done visits leave the open list');
	r = await api(srv.base, 'GET', '/api/v1/followups?view=mine&state=all', as(agent));
	assert.equal(r.json.followups[0].note, '客户很满意');
	r = await api(srv.base, 'GET', '/api/v1/followups?view=sideways', as(agent));
	assert.equal(r.status, 400);
	r = await api(srv.base, 'PATCH', '/api/v1/followups/999999', { ...as(agent), json: { outcome: 'reached' } });
	assert.equal(r.status, 404);
});

test('the report sums tickets, times, breaches, CSAT and follow-ups by agent, type and channel', async () => {
	const day = new Date().toISOString().slice(0, 10);
	let r = await api(srv.base, 'GET', `/api/v1/tickets/report?site=${site.id}&from=${day}&to=${day}`, as(agent));
	assert.equal(r.status, 200, r.text);
	const x = r.json;
	assert.ok(x.totals.created >= 9, JSON.stringify(x.totals));
	assert.equal(x.totals.csat_count, 1);
	assert.equal(x.totals.csat_avg, 5);
	assert.equal(x.totals.breached_first_response, 1);
	assert.equal(x.totals.followups.satisfied, 1);
	const complaint = x.by_type.find((g) => g.type === 'complaint');
	assert.equal(complaint.created, 3);
	assert.equal(x.by_channel.reduce((n, g) => n + g.created, 0), x.totals.created);
	const supRow = x.by_agent.find((g) => g.assignee_id === supId);
	assert.equal(supRow.name, 'Sup S');
	assert.equal(supRow.breached_first_response, 1);

	r = await api(srv.base, 'GET', `/api/v1/tickets/report?site=${site.id}&from=2020-01-01&to=2020-01-31`, as(agent));
	assert.equal(r.json.totals.created, 0);
	assert.equal(r.json.totals.csat_avg, null);
	for (const q of [`from=${day}&to=2020-01-01`, `from=2020-1-1&to=${day}`, `from=2020-01-01&to=2022-01-01`, 'to=2020-01-01']) {
		r = await api(srv.base, 'GET', `/api/v1/tickets/report?site=${site.id}&${q}`, as(agent));
		assert.equal(r.status, 400, q);
	}
	r = await api(srv.base, 'GET', `/api/v1/tickets/report?site=999999&from=${day}&to=${day}`, as(agent));
	assert.equal(r.status, 404);
});

test('follow-ups: view=all is for supervisors; their sites are filtered before the 500-row limit', async () => {
	let r = await api(srv.base, 'GET', '/api/v1/followups?view=all', as(agent));
	assert.equal(r.status, 403, `a plain agent cannot list everyone's visits: ${r.text}`);
	// another site (the supervisor is no member) with more open visits than one list holds
	r = await api(srv.base, 'POST', '/api/v1/sites', { ...as(admin), json: { name: 'Big shop' } });
	const big = r.json.site;
	const ids = [];
	for (let i = 0; i < 501; i++) {
		r = await api(srv.base, 'POST', '/api/v1/tickets', { ...as(admin), json: { site_id: big.id, subject: `repair ${i}`, type: 'repair' } });
		assert.equal(r.status, 201, r.text);
		ids.push(r.json.ticket.id);
	}
	for (let i = 0; i < ids.length; i += 100) {
		r = await api(srv.base, 'POST', '/api/v1/tickets/bulk', { ...as(admin), json: { ids: ids.slice(i, i + 100), set: { status: 'closed' } } });
		assert.equal(r.status, 200, r.text);
	}
	const t = await create({ subject: 'Late repair', type: 'repair', assignee_id: agentId });
	await patch(t.id, { status: 'closed' });
	r = await api(srv.base, 'GET', '/api/v1/followups?view=all', as(sup));
	assert.equal(r.status, 200, r.text);
	assert.ok(r.json.followups.some((f) => f.ticket_id === t.id), 'the supervisor sees their site\'s new visit');
	assert.ok(r.json.followups.every((f) => f.site_id === site.id), 'and nothing of the other site');
	r = await api(srv.base, 'GET', '/api/v1/followups?view=all', as(admin));
	assert.equal(r.json.followups.length, 500, 'an admin sees every site, up to the limit');
});

test('escalate_to names a supervisor of the site, not any supervisor on the system', async () => {
	let r = await api(srv.base, 'POST', '/api/v1/sites', { ...as(admin), json: { name: 'Shop without sup' } });
	const s2 = r.json.site;
	r = await api(srv.base, 'PUT', `/api/v1/sites/${s2.id}/sla-policies/question/high`, { ...as(admin), json: { first_response_minutes: 10, escalate_to: supId } });
	assert.equal(r.status, 400, r.text);
	assert.match(r.json.error.message, /escalate_to/);
	r = await api(srv.base, 'PUT', `/api/v1/sites/${s2.id}/sla-policies/question/high`, { ...as(admin), json: { first_response_minutes: 10, escalate_to: admin.user.id } });
	assert.equal(r.status, 200, `an admin covers every site: ${r.text}`);
	r = await putPolicy('question', 'high', { first_response_minutes: 10, escalate_to: supId });
	assert.equal(r.status, 200, `a member supervisor is fine: ${r.text}`);
	r = await api(srv.base, 'DELETE', `/api/v1/sites/${site.id}/sla-policies/question/high`, as(admin));
	assert.equal(r.status, 200, r.text);
});
