// Online forms (在线表单, issue 7): an admin defines a form; a visitor's submission to
// POST /api/v1/forms/:id/submit becomes a ticket. What it checks:
// - admin CRUD of forms with the field definitions validated (422 naming the field, at most 30
//   fields, keys of a-z0-9_), agents refused (403), the widget's public list of active forms;
// - the hosted page /f/<id>: in the visitor's language, stored strings escaped, a signed stamp;
// - a submission becomes a ticket of the form's type and department, with the fields as
//   "label: value" lines, the requester, the attached file and the linked order; the answer gives
//   the ticket number and the status link, and a confirmation e-mail with that link arrives;
// - required / format / option / order errors are 422s naming the field; files must be images or
//   PDFs; a filled honeypot is accepted without a ticket; a too-fast, stale or forged stamp is 422;
//   the sixth accepted submission from one address in 10 minutes is 429 with Retry-After.
// The stamps are made here with the server's key (read from its database with sqlite3) so the
// time checks can be tested without waiting.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { request, multipart, stopAll, sleep, smtpSink } from './lib.mjs';
import { chatSetup, createSite, closeAllPeers } from './chatlib.mjs';

let env, srv, site, dept, sink;
const procs = [];
after(async () => { closeAllPeers(); for (const p of procs) p.kill('SIGTERM'); await stopAll(); });

const admin = (method, path, json) => request(srv.base, method, path, { cookie: env.admin.cookie, csrf: env.admin.csrf, json });
const agent = (method, path, json) => request(srv.base, method, path, { cookie: env.a1.cookie, csrf: env.a1.csrf, json });

// The server's stamp key, as the page would sign "form:<id>:<t>" (crypto_auth = HMAC-SHA512-256).
// The key is derived from DATA/secret.key (HMAC-SHA256(secret, "kefu-derive:form-stamp")) and kept
// nowhere else: not in the settings table, so a copy of the database cannot forge stamps.
function stamp(formId, t) {
	const file = join(srv.dir, 'secret.key');
	// the server makes the file on first use; a test that signs first makes it for the server
	try { writeFileSync(file, crypto.randomBytes(32), { flag: 'wx', mode: 0o600 }); } catch (e) { if (e.code !== 'EEXIST') throw e; }
	const secret = readFileSync(file);
	assert.equal(secret.length, 32);
	const key = crypto.createHmac('sha256', secret).update('kefu-derive:form-stamp').digest();
	const mac = crypto.createHmac('sha512', key).update(`form:${formId}:${t}`).digest().subarray(0, 16).toString('hex');
	return `${t}.${mac}`;
}
const now = () => Math.floor(Date.now() / 1000);

function submit(formId, fields, files = [], headers = {}) {
	const parts = Object.entries(fields).map(([name, data]) => ({ name, data: String(data) }));
	for (const f of files) parts.push({ name: f.name, filename: f.filename, contentType: f.type, data: f.data });
	const mp = multipart(parts);
	return request(srv.base, 'POST', `/api/v1/forms/${formId}/submit`, { body: mp.body, headers: { 'Content-Type': mp.contentType, ...headers } });
}

const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), crypto.randomBytes(64)]);
const FIELDS = [
	{ key: 'name', label: '姓名', type: 'text', required: true },
	{ key: 'email', label: '邮箱', type: 'email', required: true },
	{ key: 'phone', label: '电话', type: 'phone' },
	{ key: 'kind', label: '问题类型', type: 'select', options: ['质量问题', '发错货'], required: true },
	{ key: 'order', label: '订单号', type: 'order_number' },
	{ key: 'detail', label: '详细描述', type: 'textarea', required: true, max_length: 500 },
	{ key: 'photo', label: '照片', type: 'file' },
];
let form;

before(async () => {
	sink = await smtpSink(procs);
	env = await chatSetup();
	srv = env.srv;
	site = env.plain;
	let r = await admin('PUT', '/api/v1/settings/smtp', { host: '127.0.0.1', port: sink.port, from: 'service@shop.test' });
	assert.equal(r.status, 200, r.text);
	r = await admin('POST', `/api/v1/sites/${site.id}/departments`, { name: '售后服务' });
	assert.equal(r.status, 201, r.text);
	dept = r.json.department;
	r = await admin('POST', '/api/v1/apikeys', { name: 'orders', scopes: ['orders:write'] });
	assert.equal(r.status, 201, r.text);
	r = await request(srv.base, 'PUT', `/api/v1/sites/${site.id}/orders/DS-2001`, { bearer: r.json.key, json: { status: 'paid', currency: 'CNY', total: '88.00', email: 'wang@example.com', phone: '138 0000 1111', placed_at: '2026-11-20T08:30:00Z', items: [{ sku: 'CUP-1', name: '玻璃杯', quantity: 1, price: '88.00' }] } });
	assert.ok(r.status === 201 || r.status === 200, r.text);
});

test('admin CRUD: create, list, get, patch, delete; definitions normalised; agents 403', async () => {
	let r = await admin('POST', `/api/v1/sites/${site.id}/forms`, { name: '售后申请', ticket_type: 'return', department_id: dept.id, fields: FIELDS, title: '售后 <申请>', intro: '请填写', success_message: '我们会尽快处理' });
	assert.equal(r.status, 201, r.text);
	form = r.json.form;
	assert.equal(form.ticket_type, 'return');
	assert.equal(form.department_id, dept.id);
	assert.equal(form.active, true);
	assert.equal(form.url, `/f/${form.id}`);
	assert.equal(form.fields.length, FIELDS.length);
	assert.equal(form.fields[0].max_length, 200, 'a text field gets the default max_length');
	assert.equal(form.fields[2].required, false, 'required defaults to false');
	r = await admin('GET', `/api/v1/sites/${site.id}/forms`);
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json.forms.map((f) => f.id), [form.id]);
	r = await admin('POST', `/api/v1/sites/${site.id}/forms`, { name: 'Temp', fields: [{ key: 'q', label: 'Q', type: 'text' }] });
	assert.equal(r.status, 201, r.text);
	const temp = r.json.form;
	assert.equal(temp.ticket_type, 'question', 'the type defaults to question');
	r = await admin('PATCH', `/api/v1/forms/${temp.id}`, { active: false, name: 'Temp 2' });
	assert.equal(r.status, 200, r.text);
	assert.equal(r.json.form.active, false);
	assert.equal(r.json.form.name, 'Temp 2');
	assert.equal(r.json.form.fields.length, 1, 'PATCH keeps what it does not name');
	r = await request(srv.base, 'GET', `/api/v1/forms/public?site=${site.key}`);
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json.forms.map((f) => f.id), [form.id], 'the widget lists active forms only');
	r = await request(srv.base, 'GET', `/api/v1/widget/config?site=${site.key}`);
	assert.equal(r.status, 200, r.text);
	assert.deepEqual(r.json.site.forms, [{ id: form.id, name: form.name, title: form.title || form.name, url: `/f/${form.id}` }],
		'the widget config carries the same list, so the widget makes no request for it');
	r = await request(srv.base, 'GET', `/f/${temp.id}`);
	assert.equal(r.status, 404, 'an inactive form has no page');
	r = await admin('DELETE', `/api/v1/forms/${temp.id}`);
	assert.equal(r.status, 200, r.text);
	r = await admin('GET', `/api/v1/forms/${temp.id}`);
	assert.equal(r.status, 404);
	for (const [m, p] of [['GET', `/api/v1/sites/${site.id}/forms`], ['GET', `/api/v1/forms/${form.id}`], ['PATCH', `/api/v1/forms/${form.id}`], ['DELETE', `/api/v1/forms/${form.id}`]]) {
		r = await agent(m, p, m === 'PATCH' ? { name: 'x' } : undefined);
		assert.equal(r.status, 403, `an agent may not ${m} ${p}: ${r.text}`);
	}
	r = await agent('POST', `/api/v1/sites/${site.id}/forms`, { name: 'x', fields: FIELDS });
	assert.equal(r.status, 403);
});

test('field definitions: 422 naming the field at fault', async () => {
	const bad = [
		[{ name: 'x', fields: [] }, 'fields'],
		[{ name: 'x', fields: Array.from({ length: 31 }, (_, i) => ({ key: `f${i}`, label: 'L', type: 'text' })) }, 'fields'],
		[{ name: 'x', fields: [{ key: 'Bad-Key', label: 'L', type: 'text' }] }, 'fields[0].key'],
		[{ name: 'x', fields: [{ key: 'a', label: 'L', type: 'text' }, { key: 'a', label: 'M', type: 'text' }] }, 'fields[1].key'],
		[{ name: 'x', fields: [{ key: 'a', label: '', type: 'text' }] }, 'fields[0].label'],
		[{ name: 'x', fields: [{ key: 'a', label: 'L', type: 'date' }] }, 'fields[0].type'],
		[{ name: 'x', fields: [{ key: 'a', label: 'L', type: 'select' }] }, 'fields[0].options'],
		[{ name: 'x', fields: [{ key: 'a', label: 'L', type: 'text', options: ['x'] }] }, 'fields[0].options'],
		[{ name: 'x', fields: [{ key: 'a', label: 'L', type: 'text', max_length: 100000 }] }, 'fields[0].max_length'],
		[{ name: 'x', fields: [{ key: 'a', label: 'L', type: 'text', colour: 'red' }] }, 'fields[0].colour'],
		[{ name: '', fields: FIELDS }, 'name'],
		[{ name: 'x', ticket_type: 'bug', fields: FIELDS }, 'ticket_type'],
		[{ name: 'x', department_id: 999999, fields: FIELDS }, 'department_id'],
		[{ name: 'x', fields: FIELDS, owner: 1 }, 'owner'],
	];
	for (const [body, field] of bad) {
		const r = await admin('POST', `/api/v1/sites/${site.id}/forms`, body);
		assert.equal(r.status, 422, `${JSON.stringify(body).slice(0, 120)}: ${r.text}`);
		assert.equal(r.json.error.code, 'invalid_field');
		assert.equal(r.json.error.field, field, r.text);
	}
	const other = await createSite(srv, env.admin, { name: 'Other shop' });
	const r = await admin('POST', `/api/v1/sites/${other.id}/forms`, { name: 'x', department_id: dept.id, fields: FIELDS });
	assert.equal(r.status, 422, 'a department of another site is refused');
});

test('the page: visitor language, escaped strings, signed stamp, honeypot, framing rule', async () => {
	let r = await request(srv.base, 'GET', `/f/${form.id}`, { headers: { 'Accept-Language': 'en-US,en;q=0.9' } });
	assert.equal(r.status, 200, r.text);
	assert.match(r.headers['content-type'], /text\/html/);
	assert.match(r.text, /<html lang="en">/);
	assert.match(r.text, />Submit</);
	assert.ok(r.text.includes('售后 &lt;申请&gt;'), 'the title is escaped');
	assert.ok(!r.text.includes('<申请>'));
	assert.match(r.text, /name="_kf_ts" value="\d+\.[0-9a-f]{32}"/);
	assert.match(r.text, /name="_kf_hp"/);
	assert.match(r.headers['content-security-policy'], /frame-ancestors \*/, 'a site without origins may be framed anywhere');
	assert.equal(r.headers['x-frame-options'], undefined);
	r = await request(srv.base, 'GET', `/f/${form.id}`, { headers: { 'Accept-Language': 'zh-TW' } });
	assert.match(r.text, /<html lang="zh-TW">/);
	assert.match(r.text, />送出</);
	r = await request(srv.base, 'GET', `/f/${form.id}`);
	assert.match(r.text, /<html lang="zh-CN">/);
	assert.match(r.text, />提交</);
	r = await request(srv.base, 'GET', '/f/999999');
	assert.equal(r.status, 404);
});

const GOOD = () => ({ name: '王小明', email: 'wang@example.com', phone: '138 0000 1111', kind: '质量问题', order: 'DS-2001', detail: '杯子碎了\n请退货', _kf_lang: 'zh-CN' });

test('a submission becomes a ticket: type, department, body, requester, file, order; e-mail with the status link', async () => {
	const r = await submit(form.id, { ...GOOD(), _kf_ts: stamp(form.id, now() - 10) }, [{ name: 'photo', filename: '破损.png', type: 'image/png', data: PNG }]);
	assert.equal(r.status, 201, r.text);
	const id = r.json.ticket.id;
	assert.equal(r.json.ticket.number, `#${id}`);
	assert.match(r.json.status_url, new RegExp(`^/t/${id}\\?k=[A-Za-z0-9_-]{43}$`));
	assert.equal(r.json.message, '我们会尽快处理');
	const t = await admin('GET', `/api/v1/tickets/${id}`);
	assert.equal(t.status, 200, t.text);
	const tk = t.json.ticket;
	assert.equal(tk.channel, 'form');
	assert.equal(tk.type, 'return');
	assert.equal(tk.department_id ?? tk.department?.id, dept.id);
	assert.equal(tk.form_id, form.id);
	assert.equal(tk.subject, '售后申请: 王小明');
	assert.equal(tk.requester_email ?? tk.requester?.email, 'wang@example.com');
	assert.equal(tk.requester_name ?? tk.requester?.name, '王小明');
	const body = t.json.messages[0].body;
	for (const line of ['姓名: 王小明', '邮箱: wang@example.com', '问题类型: 质量问题', '订单号: DS-2001', '详细描述: 杯子碎了\n请退货', '照片: 破损.png'])
		assert.ok(body.includes(line), `the body has "${line}": ${body}`);
	assert.equal(t.json.attachments.length, 1, t.text);
	assert.equal(t.json.attachments[0].content_type, 'image/png');
	assert.equal(t.json.attachments[0].size, PNG.length);
	assert.equal(t.json.orders.length, 1, t.text);
	assert.equal(t.json.orders[0].number, 'DS-2001');
	const t0 = Date.now();
	let mail;
	while (!(mail = sink.mails().find((m) => m.to.includes('wang@example.com'))) && Date.now() - t0 < 8000) await sleep(100);
	assert.ok(mail, 'the confirmation e-mail arrives');
	assert.ok(mail.subject.includes(`#${id}`), mail.subject);
	assert.ok(mail.body.includes(r.json.status_url), `the mail has the status link: ${mail.body}`);
	// no key and no status token sits in the database: both are derived from DATA/secret.key
	const dump = execFileSync('sqlite3', [join(srv.dir, 'kefu.db'), '.dump']).toString();
	assert.ok(!dump.includes(r.json.status_url.split('k=')[1]), 'the status token is not stored');
	assert.doesNotMatch(dump, /'form_key'|'tickets\.csat_key'/, 'no signing key in the settings table');
	const f = await admin('GET', `/api/v1/forms/${form.id}`);
	assert.equal(f.json.form.submissions, 1);
});

test('validation: 422 naming the field (required, formats, options, order, files)', async () => {
	const ts = stamp(form.id, now() - 10);
	const cases = [
		[{ ...GOOD(), name: '  ' }, [], 'name', 'required'],
		[{ ...GOOD(), email: 'not-an-address' }, [], 'email', 'format'],
		[{ ...GOOD(), phone: 'call me' }, [], 'phone', 'format'],
		[{ ...GOOD(), kind: '别的' }, [], 'kind', 'option'],
		[{ ...GOOD(), detail: '长'.repeat(501) }, [], 'detail', 'too_long'],
		[{ ...GOOD(), order: 'DS-9999' }, [], 'order', 'order'],
		[{ ...GOOD(), email: 'someone@example.com', phone: '' }, [], 'order', 'order'],
		[GOOD(), [{ name: 'photo', filename: 'x.png', type: 'image/png', data: Buffer.from('<script>alert(1)</script>') }], 'photo', 'file_type'],
		[GOOD(), [{ name: 'photo', filename: 'x.exe', type: 'application/octet-stream', data: PNG }], 'photo', 'file_type'],
		[GOOD(), [1, 2, 3, 4].map((i) => ({ name: 'photo', filename: `p${i}.png`, type: 'image/png', data: PNG })), 'photo', 'too_many_files'],
	];
	for (const [fields, files, field, reason] of cases) {
		const r = await submit(form.id, { ...fields, _kf_ts: ts }, files);
		assert.equal(r.status, 422, `${field}/${reason}: ${r.text}`);
		assert.equal(r.json.error.field, field, r.text);
		assert.equal(r.json.error.reason, reason, r.text);
		assert.ok(r.json.error.message.startsWith(`${field}:`), r.text);
	}
	const { orders } = (await admin('GET', `/api/v1/forms/${form.id}`)).json.form;
	assert.equal(orders, undefined);
	assert.equal((await admin('GET', `/api/v1/forms/${form.id}`)).json.form.submissions, 1, 'no refused submission made a ticket');
});

test('spam: honeypot accepted without a ticket; too fast, stale and forged stamps are 422', async () => {
	const before = (await admin('GET', `/api/v1/forms/${form.id}`)).json.form;
	let r = await submit(form.id, { ...GOOD(), _kf_ts: stamp(form.id, now() - 10), _kf_hp: 'http://spam.example' });
	assert.equal(r.status, 201, r.text);
	assert.equal(r.json.ticket, null, 'the bot is thanked, no ticket is made');
	for (const [ts, what] of [[stamp(form.id, now()), 'too fast'], [stamp(form.id, now() - 86401), 'stale'], [`${now() - 10}.${'0'.repeat(32)}`, 'forged'], [stamp(form.id + 1, now() - 10), 'another form\'s']]) {
		r = await submit(form.id, { ...GOOD(), _kf_ts: ts });
		assert.equal(r.status, 422, `${what}: ${r.text}`);
		assert.equal(r.json.error.reason, 'try_again', r.text);
	}
	r = await submit(form.id, GOOD());
	assert.equal(r.status, 422, 'no stamp at all');
	const after = (await admin('GET', `/api/v1/forms/${form.id}`)).json.form;
	assert.equal(after.submissions, before.submissions, 'no ticket');
	assert.equal(after.spam, before.spam + 3, 'the honeypot and the two out-of-time stamps are counted as spam');
});

test('malformed and missing: a non-multipart body is a 4xx JSON error, an unknown or inactive form 404', async () => {
	let r = await request(srv.base, 'POST', `/api/v1/forms/${form.id}/submit`, { json: GOOD() });
	assert.ok(r.status >= 400 && r.status < 500, r.text);
	assert.ok(r.json && r.json.error && r.json.error.code, r.text);
	r = await submit(999999, { ...GOOD(), _kf_ts: stamp(999999, now() - 10) });
	assert.equal(r.status, 404, r.text);
	r = await admin('PATCH', `/api/v1/forms/${form.id}`, { active: false });
	assert.equal(r.status, 200, r.text);
	r = await submit(form.id, { ...GOOD(), _kf_ts: stamp(form.id, now() - 10) });
	assert.equal(r.status, 404, 'an inactive form takes no submissions');
	r = await admin('PATCH', `/api/v1/forms/${form.id}`, { active: true });
	assert.equal(r.status, 200, r.text);
});

test('framing: a site that lists its origins may frame the page there only', async () => {
	const shop = await createSite(srv, env.admin, { name: 'Framed shop', origins: ['https://shop.example'] });
	let r = await admin('POST', `/api/v1/sites/${shop.id}/forms`, { name: 'Contact', fields: [{ key: 'q', label: 'Q', type: 'textarea', required: true }] });
	assert.equal(r.status, 201, r.text);
	r = await request(srv.base, 'GET', `/f/${r.json.form.id}`);
	assert.equal(r.status, 200, r.text);
	assert.match(r.headers['content-security-policy'], /frame-ancestors 'self' https:\/\/shop\.example(;|$)/);
});

test('rate limit: the sixth accepted submission from one address in 10 minutes is 429 with Retry-After', async () => {
	/* two accepted so far (the ticket and the honeypot) */
	let r, accepted = 2;
	for (let i = 0; i < 6; i++) {
		r = await submit(form.id, { ...GOOD(), order: '', _kf_ts: stamp(form.id, now() - 10) });
		if (r.status !== 201) break;
		accepted++;
	}
	assert.equal(r.status, 429, r.text);
	assert.ok(accepted >= 5 && accepted <= 6, `stopped after ${accepted}`);
	assert.ok(Number(r.headers['retry-after']) > 0, 'Retry-After');
	assert.equal(r.json.error.code, 'rate_limited');
});
