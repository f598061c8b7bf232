// Authentication, sessions, CSRF, roles, API keys and user management (docs/contract.md).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
	startKefu, stopAll, request, api, login, sessionCookie, isErrorBody,
	ADMIN_EMAIL, ADMIN_PASSWORD,
} from './lib.mjs';

const AGENT = { email: 'agent@example.com', password: 'agent-password-1', role: 'agent', name: 'Agent Smith' };
const SUPERVISOR = { email: 'super@example.com', password: 'super-password-1', role: 'supervisor', name: 'Sue' };

let srv;
before(async () => {
	srv = await startKefu({
		// a high login limit: every login in this file comes from 127.0.0.1
		conf: { limits: { login_attempts_per_min: 1000 } },
		users: [AGENT, SUPERVISOR],
	});
});
after(stopAll);

function assertError(r, status, code, what) {
	assert.equal(r.status, status, `${what}: status ${r.status} body ${r.text}`);
	assert.ok(isErrorBody(r.json), `${what}: error body is not {"error":{"code","message"}}: ${r.text}`);
	if (code) assert.equal(r.json.error.code, code, `${what}: error code`);
	assert.match(r.headers['content-type'] || '', /^application\/json/, `${what}: content-type`);
}

test('login returns 200 with user, csrf_token and a HttpOnly SameSite=Lax Path=/ session cookie', async () => {
	const r = await api(srv.base, 'POST', '/api/v1/auth/login', { json: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.user.email, ADMIN_EMAIL);
	assert.equal(r.json.user.role, 'admin');
	assert.equal(r.json.user.name, 'Admin');
	assert.ok(r.json.user.id !== undefined && r.json.user.id !== null, 'user.id present');
	assert.equal(typeof r.json.csrf_token, 'string');
	assert.ok(r.json.csrf_token.length >= 16, 'csrf_token long enough');
	assert.doesNotMatch(r.text, /argon|\$2[aby]\$|password_hash|"hash"/i, 'no password hash in the login answer');
	const c = r.setCookie.find((s) => /^kefu_session=/.test(s));
	assert.ok(c, `kefu_session cookie set: ${JSON.stringify(r.setCookie)}`);
	const attrs = c.split(';').map((s) => s.trim());
	assert.match(attrs[0], /^kefu_session=[A-Za-z0-9_\-.~%+/=]{16,}$/, 'token value');
	assert.ok(attrs.some((a) => /^HttpOnly$/i.test(a)), `HttpOnly in ${c}`);
	assert.ok(attrs.some((a) => /^SameSite=Lax$/i.test(a)), `SameSite=Lax in ${c}`);
	assert.ok(attrs.some((a) => a === 'Path=/'), `Path=/ in ${c}`);
	const ma = attrs.find((a) => /^Max-Age=/i.test(a));
	assert.ok(ma && Number(ma.split('=')[1]) > 0, `positive Max-Age in ${c}`);
	assert.equal(Number(ma.split('=')[1]), 168 * 3600, 'Max-Age = ttl_hours (168 by default) in seconds');
	assert.ok(!attrs.some((a) => /^Secure$/i.test(a)), `no Secure over plain HTTP without a proxy: ${c}`);
});

test('login through a trusted proxy with X-Forwarded-Proto: https sets a Secure cookie', async () => {
	const r = await request(srv.base, 'POST', '/api/v1/auth/login', {
		json: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD },
		headers: { 'X-Forwarded-Proto': 'https', 'X-Forwarded-For': '203.0.113.7' },
	});
	assert.equal(r.status, 200, r.text);
	const c = r.setCookie.find((s) => /^kefu_session=/.test(s)) || '';
	assert.ok(c.split(';').some((a) => /^\s*Secure\s*$/i.test(a)), `Secure in ${c}`);
});

test('login with a wrong password is 401 invalid_credentials and sets no session', async () => {
	const r = await request(srv.base, 'POST', '/api/v1/auth/login', { json: { email: ADMIN_EMAIL, password: 'wrong-password' } });
	assertError(r, 401, 'invalid_credentials', 'wrong password');
	assert.equal(sessionCookie(r.setCookie), null, 'no session cookie on failure');
});

test('login with an unknown e-mail is 401 invalid_credentials (same answer as a wrong password)', async () => {
	const r = await request(srv.base, 'POST', '/api/v1/auth/login', { json: { email: 'nobody@example.com', password: 'whatever-123' } });
	assertError(r, 401, 'invalid_credentials', 'unknown e-mail');
});

test('GET /api/v1/me is 401 unauthorized without a cookie and with a forged cookie', async () => {
	assertError(await request(srv.base, 'GET', '/api/v1/me'), 401, 'unauthorized', 'no cookie');
	assertError(await request(srv.base, 'GET', '/api/v1/me', { cookie: 'kefu_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }),
		401, 'unauthorized', 'forged cookie');
	assertError(await request(srv.base, 'GET', '/api/v1/me', { cookie: 'kefu_session=' }), 401, 'unauthorized', 'empty cookie');
});

test('GET /api/v1/me is 200 with the session cookie and returns the user and a csrf_token', async () => {
	const s = await login(srv.base, ADMIN_EMAIL, ADMIN_PASSWORD);
	const r = await api(srv.base, 'GET', '/api/v1/me', { cookie: `other=1; ${s.cookie}; theme=dark` });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.user.email, ADMIN_EMAIL);
	assert.equal(r.json.user.role, 'admin');
	assert.equal(typeof r.json.csrf_token, 'string');
	assert.ok(r.json.csrf_token.length >= 16);
});

test('logout needs the CSRF token, answers {"ok":true}, expires the cookie and invalidates the session', async () => {
	const s = await login(srv.base, ADMIN_EMAIL, ADMIN_PASSWORD);
	const noTok = await request(srv.base, 'POST', '/api/v1/auth/logout', { cookie: s.cookie });
	assertError(noTok, 403, 'csrf_failed', 'logout without X-CSRF-Token');
	assert.equal((await request(srv.base, 'GET', '/api/v1/me', { cookie: s.cookie })).status, 200, 'session still valid after refused logout');

	const r = await api(srv.base, 'POST', '/api/v1/auth/logout', { cookie: s.cookie, csrf: s.csrf });
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json, { ok: true });
	const c = r.setCookie.find((x) => /^kefu_session=/.test(x));
	assert.ok(c, 'logout sets a kefu_session cookie that expires it');
	assert.ok(/Max-Age=0\b/i.test(c) || /Expires=[^;]*19[0-9]{2}/i.test(c) || /Expires=Thu, 01 Jan 1970/i.test(c),
		`cookie expired: ${c}`);
	const me = await request(srv.base, 'GET', '/api/v1/me', { cookie: s.cookie });
	assertError(me, 401, 'unauthorized', '/me with the old cookie after logout');
});

test('logout of one session leaves the other sessions of the same user valid', async () => {
	const a = await login(srv.base, ADMIN_EMAIL, ADMIN_PASSWORD);
	const b = await login(srv.base, ADMIN_EMAIL, ADMIN_PASSWORD);
	assert.notEqual(a.cookie, b.cookie, 'each login gets its own session token');
	assert.equal((await request(srv.base, 'POST', '/api/v1/auth/logout', { cookie: a.cookie, csrf: a.csrf })).status, 200);
	assert.equal((await request(srv.base, 'GET', '/api/v1/me', { cookie: a.cookie })).status, 401);
	assert.equal((await request(srv.base, 'GET', '/api/v1/me', { cookie: b.cookie })).status, 200);
});

test('CSRF: POST /api/v1/apikeys with a cookie but no X-CSRF-Token is 403 csrf_failed', async () => {
	const s = await login(srv.base, ADMIN_EMAIL, ADMIN_PASSWORD);
	const r = await request(srv.base, 'POST', '/api/v1/apikeys', { cookie: s.cookie, json: { name: 'no-token', scopes: ['orders:write'] } });
	assertError(r, 403, 'csrf_failed', 'missing token');
});

test('CSRF: a wrong X-CSRF-Token is 403 csrf_failed', async () => {
	const s = await login(srv.base, ADMIN_EMAIL, ADMIN_PASSWORD);
	const wrong = s.csrf.slice(0, -1) + (s.csrf.endsWith('A') ? 'B' : 'A');
	for (const tok of [wrong, 'x', '']) {
		const r = await request(srv.base, 'POST', '/api/v1/apikeys', {
			cookie: s.cookie, headers: { 'X-CSRF-Token': tok }, json: { name: 'bad-token', scopes: ['orders:write'] },
		});
		assertError(r, 403, 'csrf_failed', `token ${JSON.stringify(tok)}`);
	}
});

test('CSRF: the token of another session is refused (403 csrf_failed)', async () => {
	const a = await login(srv.base, ADMIN_EMAIL, ADMIN_PASSWORD);
	const b = await login(srv.base, ADMIN_EMAIL, ADMIN_PASSWORD);
	const r = await request(srv.base, 'POST', '/api/v1/apikeys', { cookie: a.cookie, csrf: b.csrf, json: { name: 'cross', scopes: ['orders:write'] } });
	assertError(r, 403, 'csrf_failed', 'token of session B with cookie of session A');
});

test('CSRF: the right X-CSRF-Token lets POST /api/v1/apikeys through (201)', async () => {
	const s = await login(srv.base, ADMIN_EMAIL, ADMIN_PASSWORD);
	const r = await api(srv.base, 'POST', '/api/v1/apikeys', { cookie: s.cookie, csrf: s.csrf, json: { name: 'csrf-ok', scopes: ['orders:write'] } });
	assert.equal(r.status, 201, r.text);
	// the token from GET /api/v1/me works as well
	const me = await api(srv.base, 'GET', '/api/v1/me', { cookie: s.cookie });
	const r2 = await api(srv.base, 'POST', '/api/v1/apikeys', { cookie: s.cookie, csrf: me.json.csrf_token, json: { name: 'csrf-ok-2', scopes: ['orders:write'] } });
	assert.equal(r2.status, 201, r2.text);
});

test('roles: an agent gets 403 forbidden on GET /api/v1/users and POST /api/v1/apikeys', async () => {
	const s = await login(srv.base, AGENT.email, AGENT.password);
	assert.equal(s.user.role, 'agent');
	assertError(await request(srv.base, 'GET', '/api/v1/users', { cookie: s.cookie }), 403, 'forbidden', 'agent GET /users');
	assertError(await request(srv.base, 'POST', '/api/v1/apikeys', { cookie: s.cookie, csrf: s.csrf, json: { name: 'x', scopes: ['orders:write'] } }),
		403, 'forbidden', 'agent POST /apikeys');
	assertError(await request(srv.base, 'GET', '/api/v1/apikeys', { cookie: s.cookie }), 403, 'forbidden', 'agent GET /apikeys');
	assertError(await request(srv.base, 'POST', '/api/v1/users', { cookie: s.cookie, csrf: s.csrf, json: { email: 'x@example.com', name: 'x', role: 'admin', password: 'password-123' } }),
		403, 'forbidden', 'agent POST /users');
	// and the agent's own session works
	assert.equal((await request(srv.base, 'GET', '/api/v1/me', { cookie: s.cookie })).status, 200);
});

test('roles: a supervisor is not an admin (403 forbidden on GET /api/v1/users)', async () => {
	const s = await login(srv.base, SUPERVISOR.email, SUPERVISOR.password);
	assert.equal(s.user.role, 'supervisor');
	assertError(await request(srv.base, 'GET', '/api/v1/users', { cookie: s.cookie }), 403, 'forbidden', 'supervisor GET /users');
});

test('API keys: create (kf_ key shown once), use with Bearer on /api/v1/auth/key, revoke, then 401', async () => {
	const s = await login(srv.base, ADMIN_EMAIL, ADMIN_PASSWORD);
	const c = await api(srv.base, 'POST', '/api/v1/apikeys', { cookie: s.cookie, csrf: s.csrf, json: { name: 'shop', scopes: ['orders:write'] } });
	assert.equal(c.status, 201, c.text);
	const { key, apikey } = c.json;
	assert.match(key, /^kf_[A-Za-z0-9_-]{16,}$/, 'key format');
	assert.equal(apikey.name, 'shop');
	assert.deepEqual(apikey.scopes, ['orders:write']);
	assert.ok(apikey.id !== undefined);
	assert.equal(typeof apikey.prefix, 'string');
	assert.ok(key.startsWith(apikey.prefix), `key ${key} starts with its prefix ${apikey.prefix}`);

	const list = await api(srv.base, 'GET', '/api/v1/apikeys', { cookie: s.cookie });
	assert.equal(list.status, 200, list.text);
	const listed = list.json.apikeys.find((k) => k.id === apikey.id);
	assert.ok(listed, 'new key listed');
	assert.equal(listed.revoked_at ?? null, null, 'not revoked yet');
	assert.ok(!list.text.includes(key), 'the secret key is not in the listing');

	const who = await api(srv.base, 'GET', '/api/v1/auth/key', { bearer: key });
	assert.equal(who.status, 200, who.text);
	assert.equal(who.json.apikey.id, apikey.id);
	assert.equal(who.json.apikey.name, 'shop');
	assert.deepEqual(who.json.apikey.scopes, ['orders:write']);

	assertError(await request(srv.base, 'GET', '/api/v1/auth/key', { bearer: key + 'x' }), 401, null, 'tampered key');
	assertError(await request(srv.base, 'GET', '/api/v1/auth/key', { bearer: 'kf_' + 'A'.repeat(40) }), 401, null, 'unknown key');
	assertError(await request(srv.base, 'GET', '/api/v1/auth/key'), 401, null, 'no Authorization');

	const del = await api(srv.base, 'DELETE', `/api/v1/apikeys/${apikey.id}`, { cookie: s.cookie, csrf: s.csrf });
	assert.equal(del.status, 200, del.text);
	assert.deepEqual(del.json, { ok: true });
	assertError(await request(srv.base, 'GET', '/api/v1/auth/key', { bearer: key }), 401, null, 'revoked key');
	const list2 = await api(srv.base, 'GET', '/api/v1/apikeys', { cookie: s.cookie });
	const revoked = list2.json.apikeys.find((k) => k.id === apikey.id);
	assert.ok(revoked && revoked.revoked_at, `revoked_at set after DELETE: ${JSON.stringify(revoked)}`);
});

test('API keys: DELETE needs CSRF with a cookie, and an API key cannot administer keys', async () => {
	const s = await login(srv.base, ADMIN_EMAIL, ADMIN_PASSWORD);
	const c = await api(srv.base, 'POST', '/api/v1/apikeys', { cookie: s.cookie, csrf: s.csrf, json: { name: 'k2', scopes: ['orders:write'] } });
	assert.equal(c.status, 201, c.text);
	assertError(await request(srv.base, 'DELETE', `/api/v1/apikeys/${c.json.apikey.id}`, { cookie: s.cookie }), 403, 'csrf_failed', 'DELETE without token');
	const r = await request(srv.base, 'GET', '/api/v1/users', { bearer: c.json.key });
	assert.ok(r.status === 401 || r.status === 403, `an orders:write key on GET /api/v1/users: expected 401/403, got ${r.status} ${r.text}`);
	assert.equal((await request(srv.base, 'GET', '/api/v1/auth/key', { bearer: c.json.key })).status, 200, 'key still valid');
});

test('users: admin creates a user (201), a duplicate e-mail is 409 conflict, the new user can log in', async () => {
	const s = await login(srv.base, ADMIN_EMAIL, ADMIN_PASSWORD);
	const body = { email: 'new.agent@example.com', name: '新客服', role: 'agent', password: 'new-agent-pass-1' };
	const r = await api(srv.base, 'POST', '/api/v1/users', { cookie: s.cookie, csrf: s.csrf, json: body });
	assert.equal(r.status, 201, r.text);
	assert.equal(r.json.user.email, body.email);
	assert.equal(r.json.user.name, body.name);
	assert.equal(r.json.user.role, 'agent');
	assert.ok(!('password' in r.json.user), 'no password echoed');

	const dup = await request(srv.base, 'POST', '/api/v1/users', { cookie: s.cookie, csrf: s.csrf, json: { ...body, name: 'Other' } });
	assertError(dup, 409, 'conflict', 'duplicate e-mail');

	const list = await api(srv.base, 'GET', '/api/v1/users', { cookie: s.cookie });
	assert.equal(list.status, 200);
	const u = list.json.users.find((x) => x.email === body.email);
	assert.ok(u, 'listed');
	assert.equal(u.name, '新客服', 'UTF-8 name stored intact');
	assert.equal(u.disabled, false);
	assert.ok(u.created_at, 'created_at set');
	assert.ok(list.json.users.some((x) => x.email === ADMIN_EMAIL));
	assert.doesNotMatch(list.text, /new-agent-pass-1|password_hash|\$argon/, 'no secrets in the user list');

	const n = await login(srv.base, body.email, body.password);
	assert.equal(n.user.role, 'agent');
	assert.equal(n.user.name, '新客服');
});

test('users: invalid fields are 422 invalid_field (bad role, bad e-mail, short password)', async () => {
	const s = await login(srv.base, ADMIN_EMAIL, ADMIN_PASSWORD);
	const good = { email: 'valid.user@example.com', name: 'V', role: 'agent', password: 'long-enough-1' };
	for (const [what, patch] of [['role', { role: 'god' }], ['email', { email: 'not-an-email' }], ['password', { password: 'short' }]]) {
		const r = await request(srv.base, 'POST', '/api/v1/users', { cookie: s.cookie, csrf: s.csrf, json: { ...good, ...patch } });
		assertError(r, 422, 'invalid_field', `bad ${what}`);
	}
});

test('users: PATCH /api/v1/users/:id changes name and role, 422 on a bad role, 404 on an unknown id', async () => {
	const s = await login(srv.base, ADMIN_EMAIL, ADMIN_PASSWORD);
	const body = { email: 'patch.me@example.com', name: 'Patch', role: 'agent', password: 'patch-pass-123' };
	const c = await api(srv.base, 'POST', '/api/v1/users', { cookie: s.cookie, csrf: s.csrf, json: body });
	assert.equal(c.status, 201, c.text);
	const id = c.json.user.id;
	const p = await api(srv.base, 'PATCH', `/api/v1/users/${id}`, { cookie: s.cookie, csrf: s.csrf, json: { name: 'Patched', role: 'supervisor' } });
	assert.equal(p.status, 200, p.text);
	assert.equal(p.json.user.name, 'Patched');
	assert.equal(p.json.user.role, 'supervisor');
	const u = await login(srv.base, body.email, body.password);
	assert.equal(u.user.role, 'supervisor');
	const bad = await request(srv.base, 'PATCH', `/api/v1/users/${id}`, { cookie: s.cookie, csrf: s.csrf, json: { role: 'emperor' } });
	assertError(bad, 422, 'invalid_field', 'PATCH with a bad role');
	const missing = await request(srv.base, 'PATCH', '/api/v1/users/987654', { cookie: s.cookie, csrf: s.csrf, json: { name: 'Ghost' } });
	assertError(missing, 404, 'not_found', 'PATCH of an unknown user id');
});

test('users: a disabled user cannot log in and their open session stops working', async () => {
	const s = await login(srv.base, ADMIN_EMAIL, ADMIN_PASSWORD);
	const body = { email: 'disable.me@example.com', name: 'Dis', role: 'agent', password: 'disable-pass-123' };
	const c = await api(srv.base, 'POST', '/api/v1/users', { cookie: s.cookie, csrf: s.csrf, json: body });
	assert.equal(c.status, 201, c.text);
	const id = c.json.user.id;
	const u = await login(srv.base, body.email, body.password);
	const d = await api(srv.base, 'PATCH', `/api/v1/users/${id}`, { cookie: s.cookie, csrf: s.csrf, json: { disabled: true } });
	assert.equal(d.status, 200, d.text);
	assert.equal(d.json.user.disabled, true);
	const l = await request(srv.base, 'POST', '/api/v1/auth/login', { json: { email: body.email, password: body.password } });
	assert.equal(l.status, 401, `disabled user login: ${l.status} ${l.text}`);
	const me = await request(srv.base, 'GET', '/api/v1/me', { cookie: u.cookie });
	assert.equal(me.status, 401, `existing session of a disabled user: ${me.status} ${me.text}`);
});

test('POST /api/v1/me/password changes the password (old one stops working, new one works)', async () => {
	const s0 = await login(srv.base, ADMIN_EMAIL, ADMIN_PASSWORD);
	const u = { email: 'pw.change@example.com', name: 'Pw', role: 'agent', password: 'first-password-1' };
	assert.equal((await request(srv.base, 'POST', '/api/v1/users', { cookie: s0.cookie, csrf: s0.csrf, json: u })).status, 201);
	const s = await login(srv.base, u.email, u.password);

	const noCsrf = await request(srv.base, 'POST', '/api/v1/me/password', { cookie: s.cookie, json: { current_password: u.password, new_password: 'second-password-2' } });
	assertError(noCsrf, 403, 'csrf_failed', 'password change without CSRF token');

	const wrong = await request(srv.base, 'POST', '/api/v1/me/password', { cookie: s.cookie, csrf: s.csrf, json: { current_password: 'not-the-password', new_password: 'second-password-2' } });
	assert.ok(wrong.status >= 400 && wrong.status < 500 && isErrorBody(wrong.json), `wrong current password: ${wrong.status} ${wrong.text}`);

	const short = await request(srv.base, 'POST', '/api/v1/me/password', { cookie: s.cookie, csrf: s.csrf, json: { current_password: u.password, new_password: 'short' } });
	assertError(short, 422, 'invalid_field', 'too short new password');

	const ok = await api(srv.base, 'POST', '/api/v1/me/password', { cookie: s.cookie, csrf: s.csrf, json: { current_password: u.password, new_password: 'second-password-2' } });
	assert.equal(ok.status, 200, ok.text);
	assert.deepEqual(ok.json, { ok: true });
	const old = await request(srv.base, 'POST', '/api/v1/auth/login', { json: { email: u.email, password: u.password } });
	assertError(old, 401, 'invalid_credentials', 'old password after change');
	await login(srv.base, u.email, 'second-password-2');
});

test('login rate limit: after N failed attempts the next is 429 rate_limited with Retry-After, even with the right password', async () => {
	const N = 3;
	const rl = await startKefu({ conf: { server: { trusted_proxies: '127.0.0.1, ::1' }, limits: { login_attempts_per_min: N } } });
	const xff = { 'X-Forwarded-For': '198.51.100.10' };
	for (let i = 1; i <= N; i++) {
		const r = await request(rl.base, 'POST', '/api/v1/auth/login', { headers: xff, json: { email: ADMIN_EMAIL, password: `wrong-${i}` } });
		assertError(r, 401, 'invalid_credentials', `attempt ${i} of ${N}`);
	}
	const r = await request(rl.base, 'POST', '/api/v1/auth/login', { headers: xff, json: { email: ADMIN_EMAIL, password: 'wrong-again' } });
	assertError(r, 429, 'rate_limited', `attempt ${N + 1}`);
	assert.match(r.headers['retry-after'] || '', /^[1-9][0-9]*$/, `Retry-After is a positive number of seconds: ${r.headers['retry-after']}`);
	assert.ok(Number(r.headers['retry-after']) <= 60, 'Retry-After within the one-minute window');
	const right = await request(rl.base, 'POST', '/api/v1/auth/login', { headers: xff, json: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
	assertError(right, 429, 'rate_limited', 'right password while limited');
	assert.equal(sessionCookie(right.setCookie), null);
});

test('login rate limit is per e-mail: the same account is limited from another client IP', async () => {
	const N = 3;
	const rl = await startKefu({
		conf: { server: { trusted_proxies: '127.0.0.1, ::1' }, limits: { login_attempts_per_min: N } },
		users: [AGENT],
	});
	for (let i = 1; i <= N; i++) {
		// a different client IP each time (X-Forwarded-For from the trusted loopback proxy)
		const r = await request(rl.base, 'POST', '/api/v1/auth/login', { headers: { 'X-Forwarded-For': `198.51.100.${20 + i}` }, json: { email: AGENT.email, password: 'nope-nope' } });
		assert.equal(r.status, 401, `attempt ${i}: ${r.status} ${r.text}`);
	}
	const r = await request(rl.base, 'POST', '/api/v1/auth/login', { headers: { 'X-Forwarded-For': '198.51.100.99' }, json: { email: AGENT.email, password: AGENT.password } });
	assertError(r, 429, 'rate_limited', 'limited account from a fresh IP');
	// another account from another fresh IP is not affected
	const other = await request(rl.base, 'POST', '/api/v1/auth/login', { headers: { 'X-Forwarded-For': '198.51.100.100' }, json: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
	assert.equal(other.status, 200, `other account, other IP: ${other.status} ${other.text}`);
});

test('login rate limit is per IP: many e-mails from one client IP get 429', async () => {
	const N = 3;
	const rl = await startKefu({ conf: { server: { trusted_proxies: '127.0.0.1, ::1' }, limits: { login_attempts_per_min: N } } });
	const xff = { 'X-Forwarded-For': '198.51.100.50' };
	for (let i = 1; i <= N; i++) {
		const r = await request(rl.base, 'POST', '/api/v1/auth/login', { headers: xff, json: { email: `spray${i}@example.com`, password: 'password-123' } });
		assert.equal(r.status, 401, `attempt ${i}: ${r.status} ${r.text}`);
	}
	const r = await request(rl.base, 'POST', '/api/v1/auth/login', { headers: xff, json: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
	assertError(r, 429, 'rate_limited', 'IP over the limit');
	assert.match(r.headers['retry-after'] || '', /^[1-9][0-9]*$/);
	const other = await request(rl.base, 'POST', '/api/v1/auth/login', { headers: { 'X-Forwarded-For': '198.51.100.51' }, json: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
	assert.equal(other.status, 200, `another IP is not limited: ${other.status} ${other.text}`);
});

test('stderr logs never contain passwords, session tokens, CSRF tokens or API keys', async () => {
	const wrongPw = 'Wr0ng-Secret-Pw-' + Date.now();
	await request(srv.base, 'POST', '/api/v1/auth/login', { json: { email: ADMIN_EMAIL, password: wrongPw } });
	const s = await login(srv.base, ADMIN_EMAIL, ADMIN_PASSWORD);
	const k = await api(srv.base, 'POST', '/api/v1/apikeys', { cookie: s.cookie, csrf: s.csrf, json: { name: 'log-check', scopes: ['orders:write'] } });
	assert.equal(k.status, 201, k.text);
	await request(srv.base, 'GET', '/api/v1/auth/key', { bearer: k.json.key });
	await request(srv.base, 'GET', '/api/v1/me', { cookie: s.cookie });
	await new Promise((r) => setTimeout(r, 300));
	const log = srv.stderr();
	const token = s.cookie.split('=')[1];
	for (const [what, secret] of [['admin password', ADMIN_PASSWORD], ['wrong password', wrongPw], ['agent password', AGENT.password],
		['session token', token], ['CSRF token', s.csrf], ['API key', k.json.key]]) {
		assert.ok(!log.includes(secret), `${what} appears in the log`);
	}
});
