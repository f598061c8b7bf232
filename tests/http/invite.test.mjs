// Proactive invitations (docs/invitations.md), black-box against the kefu binary: the rules'
// REST routes (validation, who may manage them), the widget's public read, an agent's manual
// invitation over REST and the visitor's answer over the socket (isolation, idempotence), the
// automatic rule check (invite_check) with its limits, and the counts.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startKefu, stopAll, request, login, sleep, ADMIN_EMAIL } from './lib.mjs';
import {
	chatSignIn, createSite, setMembers, connectVisitor, connectAgent, sendMsg, expectError, getConversation,
	closeAllPeers, agentIdOf, marker, j, AGENT1, AGENT2, OUTSIDER,
} from './chatlib.mjs';

const QUIET = 600; // ms to wait for a frame that must not come
const SUP = { email: 'sup@example.com', password: 'sup-password-1', role: 'supervisor', name: 'Sup' };

let srv, env, siteA, siteB, sup;

before(async () => {
	srv = await startKefu({ conf: { limits: { login_attempts_per_min: 1000 } }, users: [AGENT1, AGENT2, OUTSIDER, SUP] });
	env = await chatSignIn(srv);
	sup = await login(srv.base, SUP.email, SUP.password);
	const ids = env.ids;
	siteA = await createSite(srv, env.admin, { name: 'Shop A', greeting: 'Hi' });
	siteB = await createSite(srv, env.admin, { name: 'Shop B', origins: ['https://shop-b.example'] });
	await setMembers(srv, env.admin, siteA.id, [ids[ADMIN_EMAIL], ids[AGENT1.email], ids[AGENT2.email], ids[SUP.email]]);
	await setMembers(srv, env.admin, siteB.id, [ids[AGENT1.email]]);
});
afterEach(async () => {
	closeAllPeers();
	await sleep(50);
	assert.ok(srv.proc.exitCode === null && srv.proc.signalCode === null, `kefu died: ${srv.stderr().slice(-3000)}`);
	// Close what the tests opened so that every test starts with free agents and no open chats.
	for (const sess of [env.a1, env.a2, env.admin]) {
		const a = await connectAgent(srv, sess, { label: 'cleanup' });
		for (const c of a.welcome.conversations || []) a.send({ type: 'close', conversation_id: c.id });
		await a.roundTrip();
		a.terminate();
	}
	await sleep(100); // the server has dropped those sockets before the next test counts free agents
});
after(stopAll);

/* A JSON call with a session (CSRF token on writes). */
function call(sess, method, path, json) {
	return request(srv.base, method, path, { cookie: sess?.cookie, csrf: method === 'GET' ? undefined : sess?.csrf, json });
}
function assertError(r, status, code, what) {
	assert.equal(r.status, status, `${what}: expected ${status}, got ${r.status} ${r.text}`);
	assert.ok(r.json && r.json.error && typeof r.json.error.message === 'string', `${what}: a JSON error: ${r.text}`);
	if (code) assert.equal(r.json.error.code, code, `${what}: error code`);
}
async function makeRule(site, body, sess = env.admin) {
	const r = await call(sess, 'POST', `/api/v1/sites/${site.id}/invite-rules`, { name: 'R ' + marker(), message: 'Need help?', ...body });
	assert.equal(r.status, 201, `create rule ${j(body)}: ${r.text}`);
	return r.json.rule;
}
/* A visitor (socket after hello) and an agent that is online on site A. */
async function onlineAgent(sess = env.a1) {
	return connectAgent(srv, sess, { status: 'online', label: 'agent ' + sess.user.email });
}
function check(v, rule_id, url = 'https://shop.example/demo?x=1') {
	v.send({ type: 'invite_check', rule_id, url });
	return v.nextMatch((f) => f.type === 'invite' || (f.type === 'invite_result' && f.rule_id === rule_id), 5000, `answer to invite_check ${rule_id}`);
}
function today() {
	return new Date().toISOString().slice(0, 10);
}
/* Moves an invitation's created_at back by `seconds` in the live database (WAL: the server
 * keeps running and reads the row again when the visitor answers). */
function backdateInvitation(id, seconds) {
	const py = spawnSync('/usr/bin/python3', ['-c', `
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=10)
db.execute('UPDATE invitations SET created_at = created_at - ? WHERE id = ?', (int(sys.argv[3]), int(sys.argv[2])))
db.commit()
`, join(srv.dir, 'kefu.db'), String(id), String(seconds)], { encoding: 'utf8' });
	assert.equal(py.status, 0, py.stderr);
}
/* Agent 1 invites visitor v; the visitor has the card. */
async function inviteByA1(v, message) {
	const r = await call(env.a1, 'POST', `/api/v1/visitors/${v.visitorId}/invite`, { message });
	assert.equal(r.status, 200, r.text);
	await v.next('invite');
	return r.json.invitation;
}
/* The visitor accepts; the chat it opened must be routed like a new chat (offered to agent 2,
 * the only other agent online), not given to agent 1, and must start with the message as a
 * system line rather than as agent 1's words. */
async function acceptIsRouted(v, inv, agent2, what) {
	v.send({ type: 'invite_accept', invitation_id: inv.id });
	const res = await v.next('invite_result');
	assert.equal(res.status, 'accepted', `${what}: ${j(res)}`);
	const offer = await agent2.next('offer', 5000, (f) => f.conversation_id === res.conversation_id);
	assert.ok(offer, `${what}: offered to the free agent`);
	const conv = await getConversation(srv, env.admin, res.conversation_id);
	assert.notEqual(agentIdOf(conv.conversation), env.ids[AGENT1.email], `${what}: not given to the inviting agent: ${j(conv.conversation)}`);
	assert.notEqual(conv.conversation.status, 'active', `${what}: waits for an agent to take it`);
	const first = conv.messages.find((m) => m.text === inv.message);
	assert.ok(first && first.from !== 'agent', `${what}: the invitation's message opens it, not as the agent's: ${j(conv.messages)}`);
	return res;
}

// ---------------------------------------------------------------------------------

test('rules: create with defaults, list, patch, delete; every bad field is a 422 naming it', async () => {
	const r = await call(env.admin, 'POST', `/api/v1/sites/${siteA.id}/invite-rules`, { name: '促销页', message: '您好，需要帮忙吗？' });
	assert.equal(r.status, 201, r.text);
	const rule = r.json.rule;
	assert.deepEqual({ ...rule, id: 0, created_at: 0, updated_at: 0 }, {
		id: 0, site_id: siteA.id, name: '促销页', enabled: true, url_pattern: '', min_seconds_on_page: 0, min_pages: 0,
		visitor: 'any', referrer_contains: '', utm_source: '', utm_campaign: '', message: '您好，需要帮忙吗？',
		department_id: null, repeat_after_hours: 24, position: 0, created_at: 0, updated_at: 0,
	}, 'defaults');

	const list = await call(env.admin, 'GET', `/api/v1/sites/${siteA.id}/invite-rules`);
	assert.equal(list.status, 200);
	assert.ok(list.json.rules.some((x) => x.id === rule.id), 'listed');

	const p = await call(env.admin, 'PATCH', `/api/v1/invite-rules/${rule.id}`, {
		url_pattern: '*/sale/*', min_seconds_on_page: 3600, min_pages: 100, visitor: 'returning', repeat_after_hours: 8760,
		utm_source: 'Weibo', utm_campaign: '双11', referrer_contains: 'baidu.com', enabled: false, position: -5, department_id: null,
	});
	assert.equal(p.status, 200, p.text);
	assert.equal(p.json.rule.url_pattern, '*/sale/*');
	assert.equal(p.json.rule.enabled, false);
	assert.equal(p.json.rule.utm_campaign, '双11');
	assert.equal(p.json.rule.name, '促销页', 'fields not sent are kept');

	// 1000 characters of Chinese is fine (characters, not bytes); 1001 is not.
	const ok1000 = await call(env.admin, 'PATCH', `/api/v1/invite-rules/${rule.id}`, { message: '好'.repeat(1000) });
	assert.equal(ok1000.status, 200, ok1000.text);

	const bad = [
		[{ min_seconds_on_page: 3601 }, 'min_seconds_on_page'], [{ min_seconds_on_page: -1 }, 'min_seconds_on_page'],
		[{ min_seconds_on_page: '5' }, 'min_seconds_on_page'], [{ min_pages: 101 }, 'min_pages'],
		[{ repeat_after_hours: 8761 }, 'repeat_after_hours'], [{ repeat_after_hours: 1.5 }, 'repeat_after_hours'],
		[{ visitor: 'old' }, 'visitor'], [{ enabled: 'yes' }, 'enabled'], [{ name: '' }, 'name'], [{ name: '   ' }, 'name'],
		[{ name: 'x'.repeat(101) }, 'name'], [{ message: '好'.repeat(1001) }, 'message'], [{ message: '' }, 'message'],
		[{ message: 7 }, 'message'], [{ url_pattern: '/a\n/b' }, 'url_pattern'], [{ url_pattern: 'x'.repeat(501) }, 'url_pattern'],
		[{ utm_source: 'u'.repeat(101) }, 'utm_source'], [{ referrer_contains: 'r'.repeat(201) }, 'referrer_contains'],
		[{ department_id: 999999 }, 'department_id'], [{ department_id: 'sales' }, 'department_id'], [{ position: 2e6 }, 'position'],
	];
	for (const [body, field] of bad) {
		const x = await call(env.admin, 'PATCH', `/api/v1/invite-rules/${rule.id}`, body);
		assertError(x, 422, 'invalid_field', `PATCH ${j(body)}`);
		assert.match(x.json.error.message, new RegExp(field), `the error names ${field}`);
	}
	const after = await call(env.admin, 'GET', `/api/v1/sites/${siteA.id}/invite-rules`);
	assert.equal(after.json.rules.find((x) => x.id === rule.id).min_pages, 100, 'a refused PATCH changed nothing');

	assertError(await call(env.admin, 'POST', `/api/v1/sites/${siteA.id}/invite-rules`, { name: 'no message' }), 422, 'invalid_field', 'message required');
	assertError(await call(env.admin, 'POST', `/api/v1/sites/${siteA.id}/invite-rules`, { message: 'no name' }), 422, 'invalid_field', 'name required');
	const malformed = await request(srv.base, 'POST', `/api/v1/sites/${siteA.id}/invite-rules`, {
		cookie: env.admin.cookie, csrf: env.admin.csrf, body: '{"name":', headers: { 'Content-Type': 'application/json' },
	});
	assert.equal(malformed.status, 400, 'malformed JSON: ' + malformed.text);

	const del = await call(env.admin, 'DELETE', `/api/v1/invite-rules/${rule.id}`);
	assert.equal(del.status, 200, del.text);
	assertError(await call(env.admin, 'PATCH', `/api/v1/invite-rules/${rule.id}`, { name: 'x' }), 404, 'not_found', 'PATCH a deleted rule');
	assertError(await call(env.admin, 'DELETE', `/api/v1/invite-rules/${rule.id}`), 404, 'not_found', 'DELETE twice');
	assertError(await call(env.admin, 'GET', '/api/v1/sites/999999/invite-rules'), 404, 'not_found', 'unknown site');
});

test('rules: agents may not manage them; a supervisor only on sites they belong to; admins anywhere; CSRF is required', async () => {
	assertError(await call(env.a1, 'GET', `/api/v1/sites/${siteA.id}/invite-rules`), 403, null, 'agent lists');
	assertError(await call(env.a1, 'POST', `/api/v1/sites/${siteA.id}/invite-rules`, { name: 'a', message: 'b' }), 403, null, 'agent creates');
	assertError(await call(null, 'GET', `/api/v1/sites/${siteA.id}/invite-rules`), 401, null, 'signed out');

	const mine = await makeRule(siteA, {}, sup);
	assert.equal(mine.site_id, siteA.id, 'a supervisor manages rules of their site');
	const other = await makeRule(siteB, {});   // the admin, on a site the supervisor is not in
	assertError(await call(sup, 'GET', `/api/v1/sites/${siteB.id}/invite-rules`), 404, 'not_found', 'supervisor lists another site');
	assertError(await call(sup, 'POST', `/api/v1/sites/${siteB.id}/invite-rules`, { name: 'a', message: 'b' }), 404, 'not_found', 'supervisor creates on another site');
	assertError(await call(sup, 'PATCH', `/api/v1/invite-rules/${other.id}`, { name: 'mine now' }), 404, 'not_found', 'supervisor patches another site\'s rule');
	assertError(await call(sup, 'DELETE', `/api/v1/invite-rules/${other.id}`), 404, 'not_found', 'supervisor deletes another site\'s rule');
	assertError(await call(sup, 'GET', `/api/v1/invitations/stats?site=${siteB.id}`), 404, 'not_found', 'supervisor reads another site\'s counts');
	assertError(await call(env.a1, 'GET', `/api/v1/invitations/stats?site=${siteA.id}`), 403, null, 'agent reads counts');

	const noCsrf = await request(srv.base, 'POST', `/api/v1/sites/${siteA.id}/invite-rules`, { cookie: sup.cookie, json: { name: 'a', message: 'b' } });
	assert.equal(noCsrf.status, 403, 'a write without the CSRF token: ' + noCsrf.text);
	for (const id of [mine.id, other.id]) assert.equal((await call(env.admin, 'DELETE', `/api/v1/invite-rules/${id}`)).status, 200);
});

test('widget read: enabled rules only, conditions only (no message, name or department), Origin checked, CORS for allowed origins', async () => {
	const on = await makeRule(siteB, { name: 'secret name', message: 'secret message', url_pattern: '/b*', min_seconds_on_page: 4 });
	const off = await makeRule(siteB, { enabled: false });
	const path = `/api/v1/widget/invite-rules?site=${encodeURIComponent(siteB.key)}`;

	const same = await request(srv.base, 'GET', path);   // same-origin fetch: no Origin header
	assert.equal(same.status, 200, same.text);
	assert.deepEqual(same.json.rules.map((x) => x.id), [on.id], 'only the enabled rule');
	assert.deepEqual(Object.keys(same.json.rules[0]).sort(), ['id', 'min_pages', 'min_seconds_on_page', 'referrer_contains', 'url_pattern', 'utm_campaign', 'utm_source', 'visitor']);
	assert.doesNotMatch(same.text, /secret/, 'no message or name');

	const allowed = await request(srv.base, 'GET', path, { headers: { Origin: 'https://shop-b.example' } });
	assert.equal(allowed.status, 200);
	assert.equal(allowed.headers['access-control-allow-origin'], 'https://shop-b.example');
	const evil = await request(srv.base, 'GET', path, { headers: { Origin: 'https://evil.example' } });
	assertError(evil, 403, 'forbidden', 'an origin the site does not allow');
	assert.equal(evil.headers['access-control-allow-origin'], undefined);
	assertError(await request(srv.base, 'GET', '/api/v1/widget/invite-rules?site=s_nope'), 404, 'not_found', 'unknown site key');
	assertError(await request(srv.base, 'GET', '/api/v1/widget/invite-rules'), 404, 'not_found', 'no site key');
	for (const id of [on.id, off.id]) await call(env.admin, 'DELETE', `/api/v1/invite-rules/${id}`);
});

test('manual invitation: validation, offline and chatting visitors, agents outside the site', async () => {
	const gone = await connectVisitor(srv, siteA.key);
	gone.close();
	await sleep(200);
	assertError(await call(env.a1, 'POST', `/api/v1/visitors/${gone.visitorId}/invite`, { message: 'hi' }), 409, 'visitor_offline', 'visitor left');

	const v = await connectVisitor(srv, siteA.key);
	const url = `/api/v1/visitors/${v.visitorId}/invite`;
	for (const body of [{}, { message: '' }, { message: ' \n ' }, { message: 5 }, { message: '好'.repeat(1001) }])
		assertError(await call(env.a1, 'POST', url, body), 422, 'invalid_field', `body ${j(body).slice(0, 60)}`);
	assertError(await call(env.out, 'POST', url, { message: 'hi' }), 404, 'not_found', 'an agent outside the site');
	assertError(await call(env.a1, 'POST', '/api/v1/visitors/999999/invite', { message: 'hi' }), 404, 'not_found', 'unknown visitor');
	assertError(await call(env.a1, 'POST', '/api/v1/visitors/abc/invite', { message: 'hi' }), 404, 'not_found', 'bad id');
	assertError(await call(null, 'POST', url, { message: 'hi' }), 401, null, 'signed out');
	assert.deepEqual(await v.quiet('invite', QUIET), [], 'no refused invitation reached the visitor');

	await sendMsg(v, { text: marker('chat') });
	assertError(await call(env.a1, 'POST', url, { message: 'hi' }), 409, 'chatting', 'the visitor has an open conversation');
});

test('manual invitation: pops up in every tab; accept opens an active chat owned by the agent with the message first; answers are idempotent', async () => {
	const agent = await onlineAgent();
	const tab1 = await connectVisitor(srv, siteA.key, {}, { label: 'tab1' });
	const tab2 = await connectVisitor(srv, siteA.key, { token: tab1.token }, { label: 'tab2' });
	const text = '您好！' + marker('inv') + ' <b>not bold</b>';
	const r = await call(env.a1, 'POST', `/api/v1/visitors/${tab1.visitorId}/invite`, { message: text });
	assert.equal(r.status, 200, r.text);
	const inv = r.json.invitation;
	assert.equal(inv.status, 'shown');
	assert.equal(inv.rule_id, null);
	assert.equal(inv.agent.id, env.ids[AGENT1.email]);
	assert.equal(inv.visitor_id, tab1.visitorId);

	for (const tab of [tab1, tab2]) {
		const f = await tab.next('invite');
		assert.deepEqual(f.invitation, { id: inv.id, message: text, agent: { name: AGENT1.name }, rule_id: null }, `${tab.label}: the invite frame`);
	}
	tab1.send({ type: 'invite_accept', invitation_id: inv.id });
	const res = await tab1.next('invite_result');
	assert.equal(res.invitation_id, inv.id);
	assert.equal(res.status, 'accepted');
	assert.ok(res.conversation_id > 0, 'the conversation it opened: ' + j(res));
	const other = await tab2.next('invite_result');
	assert.equal(other.status, 'accepted', 'the other tab hears it too (its card closes)');
	const first = await tab1.next('msg', 5000, (f) => f.message.conversation_id === res.conversation_id);
	assert.equal(first.message.from, 'agent');
	assert.equal(first.message.text, text);

	const conv = await getConversation(srv, env.a1, res.conversation_id);
	assert.equal(conv.conversation.status, 'active');
	assert.equal(agentIdOf(conv.conversation), env.ids[AGENT1.email], 'owned by the inviting agent');
	assert.equal(conv.messages[0].from, 'agent');
	assert.equal(conv.messages[0].text, text);

	// The same answer again, and a late decline, change nothing.
	tab1.send({ type: 'invite_accept', invitation_id: inv.id });
	const again = await tab1.next('invite_result');
	assert.deepEqual(again, res, 'accept twice: the same answer');
	tab2.send({ type: 'invite_decline', invitation_id: inv.id });
	const late = await tab2.next('invite_result');
	assert.equal(late.status, 'accepted', 'a decline after the accept: the stored answer');
	const convs = await call(env.a1, 'GET', '/api/v1/conversations?status=open');
	assert.equal(convs.json.conversations.filter((c) => c.visitor.id === tab1.visitorId).length, 1, 'one conversation, not two');
	agent.terminate();
});

test('manual invitation: accepted while the inviting agent is away, the chat is routed like a new one', async () => {
	const a1 = await onlineAgent();
	const a2 = await onlineAgent(env.a2);
	const v = await connectVisitor(srv, siteA.key);
	const inv = await inviteByA1(v, 'away test ' + marker());
	a1.send({ type: 'status', status: 'away' });
	await a1.next('status', 5000, (f) => f.status === 'away');
	await acceptIsRouted(v, inv, a2, 'agent 1 away');
	assert.deepEqual(await a1.quiet('offer', 300), [], 'nothing is offered to an agent who is away');
	a1.terminate();
	a2.terminate();
});

test('manual invitation: accepted after the inviting agent was removed from the site, the chat is routed', async () => {
	const a1 = await onlineAgent();
	const a2 = await onlineAgent(env.a2);
	const v = await connectVisitor(srv, siteA.key);
	const inv = await inviteByA1(v, 'removed test ' + marker());
	const ids = env.ids;
	const members = [ids[ADMIN_EMAIL], ids[AGENT1.email], ids[AGENT2.email], ids[SUP.email]];
	await setMembers(srv, env.admin, siteA.id, members.filter((id) => id !== ids[AGENT1.email]));
	try {
		await acceptIsRouted(v, inv, a2, 'agent 1 no longer on the site');
	} finally {
		await setMembers(srv, env.admin, siteA.id, members);
	}
	a1.terminate();
	a2.terminate();
});

test('manual invitation: accepted while the inviting agent is at their chat limit, the chat is routed', async () => {
	const uid = env.ids[AGENT1.email];
	const patch = (n) => call(env.admin, 'PATCH', `/api/v1/users/${uid}`, { max_chats: n });
	assert.equal((await patch(1)).status, 200);
	try {
		const a1 = await onlineAgent();   // reads max_chats 1 as it connects
		const a2 = await onlineAgent(env.a2);
		// The first invitation fills agent 1's only slot (room left: it is theirs).
		const v1 = await connectVisitor(srv, siteA.key, {}, { label: 'first' });
		const inv1 = await inviteByA1(v1, 'first ' + marker());
		v1.send({ type: 'invite_accept', invitation_id: inv1.id });
		const res1 = await v1.next('invite_result');
		const c1 = await getConversation(srv, env.admin, res1.conversation_id);
		assert.equal(agentIdOf(c1.conversation), uid, 'with room, the inviting agent takes it');
		assert.equal(c1.conversation.status, 'active');
		// The second, sent while free, is accepted when agent 1 is full.
		const v2 = await connectVisitor(srv, siteA.key, {}, { label: 'second' });
		const inv2 = await inviteByA1(v2, 'second ' + marker());
		await acceptIsRouted(v2, inv2, a2, 'agent 1 at max_chats');
		a1.terminate();
		a2.terminate();
	} finally {
		assert.equal((await patch(5)).status, 200);
	}
});

test('an invitation answered after 10 minutes is expired: no chat, the same answer again, not counted as accepted', async () => {
	const a1 = await onlineAgent();
	const stats = async () => {
		const s = await call(sup, 'GET', `/api/v1/invitations/stats?site=${siteA.id}`);
		assert.equal(s.status, 200, s.text);
		return s.json.agents.find((x) => x.agent_id === env.ids[AGENT1.email]) || { shown: 0, accepted: 0, declined: 0 };
	};
	const base = await stats();
	const tab1 = await connectVisitor(srv, siteA.key, {}, { label: 'tab1' });
	const tab2 = await connectVisitor(srv, siteA.key, { token: tab1.token }, { label: 'tab2' });
	const inv = await inviteByA1(tab1, 'old news ' + marker());
	await tab2.next('invite');

	// Still fine just inside the 10 minutes is covered by every other test; 10 minutes on, it is over.
	backdateInvitation(inv.id, 600);
	tab1.send({ type: 'invite_accept', invitation_id: inv.id });
	assert.deepEqual(await tab1.next('invite_result'), { type: 'invite_result', invitation_id: inv.id, status: 'expired' });
	assert.equal((await tab2.next('invite_result')).status, 'expired', 'every tab hears it (the card closes)');
	tab1.send({ type: 'invite_accept', invitation_id: inv.id });
	assert.equal((await tab1.next('invite_result')).status, 'expired', 'accept again: the same answer');
	tab2.send({ type: 'invite_decline', invitation_id: inv.id });
	assert.equal((await tab2.next('invite_result')).status, 'expired', 'a decline after it expired: the same answer');

	const convs = await call(env.admin, 'GET', '/api/v1/conversations?status=open');
	assert.equal(convs.json.conversations.filter((c) => c.visitor.id === tab1.visitorId).length, 0, 'no chat was opened');
	assert.deepEqual(await a1.quiet('msg', 300), [], 'the agent got nothing');
	const after = await stats();
	assert.deepEqual({ shown: after.shown - base.shown, accepted: after.accepted - base.accepted, declined: after.declined - base.declined },
		{ shown: 1, accepted: 0, declined: 0 }, 'shown, never answered');
	a1.terminate();
});

test('visitor isolation: nobody answers another visitor\'s invitation; decline is recorded once', async () => {
	const agent = await onlineAgent();
	const victim = await connectVisitor(srv, siteA.key, {}, { label: 'victim' });
	const thief = await connectVisitor(srv, siteA.key, {}, { label: 'thief' });
	const r = await call(env.a1, 'POST', `/api/v1/visitors/${victim.visitorId}/invite`, { message: 'for the victim' });
	assert.equal(r.status, 200, r.text);
	const id = r.json.invitation.id;
	assert.deepEqual(await thief.quiet('invite', QUIET), [], 'the invitation goes to its visitor only');
	thief.send({ type: 'invite_accept', invitation_id: id });
	await expectError(thief, 'not_found', 'accepting another visitor\'s invitation');
	thief.send({ type: 'invite_decline', invitation_id: id });
	await expectError(thief, 'not_found', 'declining another visitor\'s invitation');
	thief.send({ type: 'invite_accept', invitation_id: 'x' });
	await expectError(thief, 'invalid_field', 'a bad invitation_id');
	assert.deepEqual(await victim.quiet('invite_result', 300), [], 'the victim heard nothing');

	victim.send({ type: 'invite_decline', invitation_id: id });
	assert.deepEqual(await victim.next('invite_result'), { type: 'invite_result', invitation_id: id, status: 'declined' });
	victim.send({ type: 'invite_decline', invitation_id: id });
	assert.equal((await victim.next('invite_result')).status, 'declined', 'decline twice: the same answer');
	victim.send({ type: 'invite_accept', invitation_id: id });
	assert.equal((await victim.next('invite_result')).status, 'declined', 'accept after decline: still declined');
	const convs = await call(env.a1, 'GET', '/api/v1/conversations?status=open');
	assert.equal(convs.json.conversations.filter((c) => c.visitor.id === victim.visitorId).length, 0, 'declining opened no chat');
	agent.terminate();
});

test('automatic rule: the server decides - no_match, no_agent, then an invitation, then the repeat limit', async () => {
	const rule = await makeRule(siteA, { url_pattern: '*/demo*', message: '看看新品？', repeat_after_hours: 1 });
	const offRule = await makeRule(siteA, { enabled: false, repeat_after_hours: 0 });
	const otherSite = await makeRule(siteB, { repeat_after_hours: 0 });
	const v = await connectVisitor(srv, siteA.key);

	const skip = async (id, url, reason, what) => {
		const f = await check(v, id, url);
		assert.deepEqual(f, { type: 'invite_result', rule_id: id, status: 'skipped', reason }, what);
	};
	await skip(rule.id, 'https://shop.example/cart', 'no_match', 'the URL does not match the pattern');
	await skip(offRule.id, 'https://shop.example/demo', 'no_match', 'a disabled rule');
	await skip(otherSite.id, 'https://shop.example/demo', 'no_match', 'another site\'s rule');
	await skip(999999, 'https://shop.example/demo', 'no_match', 'no such rule');
	await skip(rule.id, 'https://shop.example/demo', 'no_agent', 'nobody online');
	v.send({ type: 'invite_check', rule_id: rule.id });
	await expectError(v, 'invalid_field', 'invite_check without url');
	v.send({ type: 'invite_check', rule_id: rule.id, url: 'https://x/' + 'a'.repeat(2100) });
	await expectError(v, 'invalid_field', 'invite_check with a huge url');

	const agent = await onlineAgent();
	const f = await check(v, rule.id, 'https://shop.example/demo?site=1');
	assert.equal(f.type, 'invite', 'an agent is free: the invitation comes: ' + j(f));
	assert.deepEqual({ ...f.invitation, id: 0 }, { id: 0, message: '看看新品？', agent: null, rule_id: rule.id });
	await skip(rule.id, 'https://shop.example/demo', 'limit', 'the same rule again within repeat_after_hours');

	// A rule without a limit may fire again; a visitor who chats is not invited.
	const again = await makeRule(siteA, { repeat_after_hours: 0 });
	assert.equal((await check(v, again.id)).type, 'invite');
	assert.equal((await check(v, again.id)).type, 'invite', 'repeat_after_hours 0: no limit');
	await sendMsg(v, { text: marker('chat') });
	await skip(again.id, 'https://shop.example/', 'chatting', 'the visitor has an open conversation');
	for (const id of [rule.id, offRule.id, otherSite.id, again.id]) await call(env.admin, 'DELETE', `/api/v1/invite-rules/${id}`);
	agent.terminate();
});

test('automatic rule: accepting routes a chat with the rule\'s message; checks are rate limited per visitor', async () => {
	const agent = await onlineAgent();
	const rule = await makeRule(siteA, { message: '限时优惠，有问题问我们', repeat_after_hours: 0 });
	const v = await connectVisitor(srv, siteA.key);
	const f = await check(v, rule.id);
	assert.equal(f.type, 'invite', j(f));
	v.send({ type: 'invite_accept', invitation_id: f.invitation.id });
	const res = await v.next('invite_result');
	assert.equal(res.status, 'accepted');
	const conv = await getConversation(srv, env.admin, res.conversation_id);
	assert.ok(['waiting', 'active'].includes(conv.conversation.status), 'a routed chat: ' + conv.conversation.status);
	assert.ok(conv.messages.some((m) => m.text === rule.message), 'the rule\'s message opens it: ' + j(conv.messages));

	// 20 checks a minute per visitor; the 21st and later are skipped with "limit".
	const w = await connectVisitor(srv, siteA.key, {}, { label: 'spammer' });
	const reasons = [];
	for (let i = 0; i < 24; i++) reasons.push((await check(w, 999999)).reason);
	assert.deepEqual(reasons.slice(0, 20), Array(20).fill('no_match'));
	assert.deepEqual(reasons.slice(20), Array(4).fill('limit'));
	await call(env.admin, 'DELETE', `/api/v1/invite-rules/${rule.id}`);
	agent.terminate();
});

test('automatic rule: outside the site\'s business hours it is skipped ("closed"), even with an agent free', async () => {
	const closedAllWeek = { tz: 'UTC', days: [[], [], [], [], [], [], []] };
	const site = await createSite(srv, env.admin, { name: 'Closed shop', business_hours: closedAllWeek });
	await setMembers(srv, env.admin, site.id, [env.ids[AGENT1.email]]);
	const agent = await onlineAgent();
	const rule = await makeRule(site, { repeat_after_hours: 0 });
	const v = await connectVisitor(srv, site.key);
	assert.deepEqual(await check(v, rule.id), { type: 'invite_result', rule_id: rule.id, status: 'skipped', reason: 'closed' });
	const open = await call(env.admin, 'PATCH', `/api/v1/sites/${site.id}`, { business_hours: null });
	assert.equal(open.status, 200, open.text);
	assert.equal((await check(v, rule.id)).type, 'invite', 'open again: the same rule invites');
	await call(env.admin, 'DELETE', `/api/v1/invite-rules/${rule.id}`);
	agent.terminate();
});

test('automatic rule: the check limit is per visitor; another visitor never resets it', async () => {
	const w = await connectVisitor(srv, siteA.key, {}, { label: 'limited' });
	// A visitor whose id is w's plus a multiple of 256 (ids are given out in order).
	let other = null;
	for (let i = 0; i < 300 && !other; i++) {
		const x = await connectVisitor(srv, siteA.key, {}, { label: 'other' });
		if ((x.visitorId - w.visitorId) % 256 === 0) other = x;
		else x.terminate();
	}
	assert.ok(other, 'found a visitor id 256 apart');
	const reasons = async (peer, n) => {
		const out = [];
		for (let i = 0; i < n; i++) out.push((await check(peer, 999999)).reason);
		return out;
	};
	assert.deepEqual(await reasons(w, 15), Array(15).fill('no_match'));
	assert.deepEqual(await reasons(other, 5), Array(5).fill('no_match'), 'the other visitor has a limit of their own');
	assert.deepEqual(await reasons(w, 8), [...Array(5).fill('no_match'), ...Array(3).fill('limit')], 'w still at 20 a minute');
});

test('counts: shown, accepted and declined per rule and per agent, by date range; bad ranges are 422', async () => {
	const agent = await onlineAgent(env.a2);
	const rule = await makeRule(siteA, { name: 'counted', repeat_after_hours: 0 });
	const idle = await makeRule(siteA, { name: 'idle' });
	const before = await call(sup, 'GET', `/api/v1/invitations/stats?site=${siteA.id}&from=${today()}&to=${today()}`);
	assert.equal(before.status, 200, before.text);
	const base = before.json.agents.find((a) => a.agent_id === env.ids[AGENT2.email]) || { shown: 0, accepted: 0, declined: 0 };

	// The rule: shown 3, accepted 1, declined 1 (one left unanswered).
	const answers = ['invite_accept', 'invite_decline', null];
	for (const ans of answers) {
		const v = await connectVisitor(srv, siteA.key);
		const f = await check(v, rule.id);
		assert.equal(f.type, 'invite', j(f));
		if (ans) {
			v.send({ type: ans, invitation_id: f.invitation.id });
			await v.next('invite_result');
		}
	}
	// Agent 2: shown 2, declined 1.
	for (const decline of [true, false]) {
		const v = await connectVisitor(srv, siteA.key);
		const r = await call(env.a2, 'POST', `/api/v1/visitors/${v.visitorId}/invite`, { message: 'hello from agent 2' });
		assert.equal(r.status, 200, r.text);
		if (decline) {
			v.send({ type: 'invite_decline', invitation_id: r.json.invitation.id });
			await v.next('invite_result');
		}
	}
	const s = await call(sup, 'GET', `/api/v1/invitations/stats?site=${siteA.id}&from=${today()}&to=${today()}`);
	assert.equal(s.status, 200, s.text);
	assert.deepEqual(s.json.rules.find((x) => x.rule_id === rule.id), { rule_id: rule.id, name: 'counted', shown: 3, accepted: 1, declined: 1 });
	assert.deepEqual(s.json.rules.find((x) => x.rule_id === idle.id), { rule_id: idle.id, name: 'idle', shown: 0, accepted: 0, declined: 0 }, 'a rule that never fired');
	const a2 = s.json.agents.find((x) => x.agent_id === env.ids[AGENT2.email]);
	assert.deepEqual({ shown: a2.shown - base.shown, accepted: a2.accepted - base.accepted, declined: a2.declined - base.declined },
		{ shown: 2, accepted: 0, declined: 1 });
	assert.equal(a2.name, AGENT2.name);

	// A range without today counts nothing; the default range (30 days) includes today.
	const old = await call(sup, 'GET', `/api/v1/invitations/stats?site=${siteA.id}&from=2020-01-01&to=2020-12-31`);
	assert.equal(old.status, 200);
	assert.equal(old.json.rules.find((x) => x.rule_id === rule.id).shown, 0);
	assert.deepEqual(old.json.agents, []);
	const dflt = await call(sup, 'GET', `/api/v1/invitations/stats?site=${siteA.id}`);
	assert.equal(dflt.json.rules.find((x) => x.rule_id === rule.id).shown, 3);

	// A deleted rule's invitations still count.
	await call(env.admin, 'DELETE', `/api/v1/invite-rules/${rule.id}`);
	const gone = await call(sup, 'GET', `/api/v1/invitations/stats?site=${siteA.id}`);
	assert.deepEqual(gone.json.rules.find((x) => x.rule_id === rule.id), { rule_id: rule.id, name: '', shown: 3, accepted: 1, declined: 1 });

	for (const q of ['from=2024-02-30', 'from=2024-1-01', 'to=yesterday', 'from=2024-05-02&to=2024-05-01', 'from=1999-12-31&to=2024-01-01', 'from=2000-01-01&to=2024-01-01'])
		assertError(await call(sup, 'GET', `/api/v1/invitations/stats?site=${siteA.id}&${q}`), 422, 'invalid_field', q);
	assertError(await call(sup, 'GET', '/api/v1/invitations/stats?site=abc'), 404, 'not_found', 'bad site');
	assert.equal((await call(sup, 'GET', `/api/v1/invitations/stats?site=${siteA.id}&from=2024-02-29&to=2024-02-29`)).status, 200, 'a leap day');
	await call(env.admin, 'DELETE', `/api/v1/invite-rules/${idle.id}`);
	agent.terminate();
});
