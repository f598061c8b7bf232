// Tickets by e-mail (issue 7, point 2) with real parts: Debian's dovecot serving IMAP on a
// loopback port (a minimal config in a temp dir, one passwd-file user, maildir), an SMTP sink
// (aiosmtpd under /usr/bin/python3) that refuses the first message with a 451, and the kefu
// binary polling the mailbox every second.
// What it checks: mailbox passwords are write-only and the IMAP test logs in (and fails with a
// wrong password); a GBK mail and a Big5 mail with Chinese-named attachments become tickets with
// the right UTF-8 text and attachment bytes; a reply threads by In-Reply-To, another by [#N]
// alone, auto-replies (header, subject) open nothing; an agent's answer reaches the sink exactly
// once with In-Reply-To, References and [#N] although the first try was refused, and the
// customer's answer to it threads back; a 30 MB mail and a malformed one are rejected
// (GET /api/v1/mail/rejects) while the mail after them is filed; a changed UIDVALIDITY re-reads
// the folder without filing anything twice; `kefu mail-in` files, skips a
// duplicate and an auto-reply, and exits 65 on a malformed mail; bad mailbox input gets 4xx.
// Review fixes: imap:// never logs in without STARTTLS (plain text only as imap+plain://) and the
// test answers a short classified error; a PATCH moving a URL to another server needs the
// password; a mail ticket_create cannot take (a 251-255 byte Message-ID: filed under a made-up
// id; a quoted From: rejected) never blocks the mailbox, nor the pipe (65 + a reject row); one
// mail to two shops files for each; a stranger's In-Reply-To opens their own ticket; a claimed
// outbox row left by a crash is "stuck", never resent on its own, and can be retried or dropped.
// UID SEARCH in bounded ranges crosses a 12,000-UID gap (dovecot's uidlist moved ahead).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtemp, writeFile, readFile, mkdir, chmod, chown, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { startKefu, stopAll, login, api, request, runKefu, sleep, ADMIN_EMAIL, ADMIN_PASSWORD, REPO_ROOT, freePort, until as poll } from './lib.mjs';

const FIX = join(REPO_ROOT, 'tests/unit/fixtures/mail');
const IMAP_USER = 'kefu@shop.example', IMAP_PASS = 'imap-pass-1';
const procs = [];
const dirs = [];
let srv, auth, imapPort, sink, site, mailbox;
const until = (fn, what, ms = 20000) => poll(fn, what, ms);

after(async () => {
	if (process.env.MAIL_DEBUG && srv) console.error(srv.stderr().slice(-4000));   // MAIL_DEBUG=1: the server log
	for (const p of procs) p.kill('SIGTERM');
	try {
		await stopAll();
	} finally {
		await sleep(200);
		for (const d of dirs) await rm(d, { recursive: true, force: true }).catch(() => {});
	}
});

const canConnect = (port) => new Promise((r) => {
	const c = net.connect(port, '127.0.0.1', () => { c.end(); r(true); });
	c.on('error', () => r(false));
});

// dovecot on a free port; as root its login and mail processes run as dovenull / dovecot.
async function startDovecot() {
	const dir = await mkdtemp(join(tmpdir(), 'kefu-dovecot-'));
	dirs.push(dir);
	const port = await freePort();
	const root = process.getuid() === 0;
	const me = execFileSync('id', ['-un']).toString().trim();
	await mkdir(join(dir, 'mail'));
	await writeFile(join(dir, 'passwd'), `${IMAP_USER}:{PLAIN}${IMAP_PASS}\n`);
	let mailUser = me;
	if (root) {
		await chmod(dir, 0o755);
		const uid = Number(execFileSync('id', ['-u', 'dovecot']).toString());
		const gid = Number(execFileSync('id', ['-g', 'dovecot']).toString());
		await chown(join(dir, 'mail'), uid, gid);
		mailUser = 'dovecot';
	}
	await writeFile(join(dir, 'dovecot.conf'), `base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = ${root ? 'dovecot' : me}
default_login_user = ${root ? 'dovenull' : me}
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${mailUser} gid=${mailUser} home=${dir}/home/%u
}
mail_location = maildir:${dir}/mail/%u
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
`);
	const p = spawn('dovecot', ['-F', '-c', join(dir, 'dovecot.conf')], { stdio: 'ignore' });
	procs.push(p);
	await until(() => canConnect(port), 'dovecot to listen', 10000);
	return port;
}

// The sink prints every message it accepts between markers; the first DATA gets a 451.
const SINK_PY = `
import sys, time
from aiosmtpd.controller import Controller
class H:
    n = 0
    async def handle_DATA(self, server, session, envelope):
        H.n += 1
        if H.n == 1:
            print('REFUSED', flush=True)
            return '451 4.3.0 try again later'
        sys.stdout.write('----- MAIL FROM %s TO %s\\n' % (envelope.mail_from, ','.join(envelope.rcpt_tos)))
        sys.stdout.write(envelope.content.decode('utf-8', 'replace').replace('\\r\\n', '\\n'))
        sys.stdout.write('\\n----- END\\n')
        sys.stdout.flush()
        return '250 OK'
c = Controller(H(), hostname='127.0.0.1', port=int(sys.argv[1]))
c.start()
print('READY', flush=True)
while True:
    time.sleep(3600)
`;

async function startSink() {
	const port = await freePort();
	const p = spawn('/usr/bin/python3', ['-c', SINK_PY, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
	procs.push(p);
	let out = '';
	p.stdout.setEncoding('utf8');
	p.stdout.on('data', (d) => { out += d; });
	p.stderr.on('data', () => {});
	await until(() => out.includes('READY'), 'the SMTP sink');
	const mails = () => [...out.matchAll(/----- MAIL FROM (\S*) TO (\S*)\n([\s\S]*?)\n----- END\n/g)].map((m) => {
		const [head, ...rest] = m[3].split(/\n\n/);
		const unfolded = head.replace(/\n[ \t]+/g, ' ');
		const h = (k) => ((new RegExp(`^${k}: (.*)$`, 'mi').exec(unfolded) || [])[1] || '');
		const decode = (s) => s.replace(/=\?utf-8\?b\?([^?]*)\?=\s*/gi, (_, b) => Buffer.from(b, 'base64').toString('utf8'));
		const body = Buffer.from(rest.join('\n\n').replace(/[^A-Za-z0-9+/=]/g, ''), 'base64').toString('utf8');
		return { from: m[1], to: m[2], h, subject: decode(h('Subject')), body };
	});
	return { port, mails, refused: () => (out.match(/REFUSED/g) || []).length };
}

// IMAP APPEND over a plain socket: what a customer's mail server would deliver.
async function imapAppend(port, messages) {
	const sock = net.connect(port, '127.0.0.1');
	let buf = '';
	sock.on('data', (d) => { buf += d.toString('latin1'); });
	const wait = (re) => until(() => re.test(buf), `IMAP ${re}`, 30000);
	await wait(/^\* OK/m);
	buf = '';
	sock.write(`a1 LOGIN ${IMAP_USER} ${IMAP_PASS}\r\n`);
	await wait(/^a1 OK/m);
	let n = 2;
	for (const m of messages) {
		const bytes = Buffer.isBuffer(m) ? m : Buffer.from(m);
		buf = '';
		sock.write(`a${n} APPEND INBOX {${bytes.length}}\r\n`);
		await wait(/^\+/m);
		sock.write(bytes);
		sock.write('\r\n');
		await wait(new RegExp(`^a${n} (OK|NO|BAD)`, 'm'));
		assert.match(buf, new RegExp(`^a${n} OK`, 'm'), `APPEND refused: ${buf}`);
		n++;
	}
	sock.end(`a${n} LOGOUT\r\n`);
}

const mail = (headers, body) => Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n') + '\r\n\r\n' + body.replace(/\n/g, '\r\n') + '\r\n';
const b64 = (s) => `=?UTF-8?B?${Buffer.from(s).toString('base64')}?=`;

const get = (path) => api(srv.base, 'GET', path, { cookie: auth.cookie });
const send = (method, path, json) => api(srv.base, method, path, { cookie: auth.cookie, csrf: auth.csrf, json });

async function tickets() {
	const r = await get('/api/v1/tickets?limit=200');
	assert.equal(r.status, 200, r.text);
	return r.json.tickets;
}

const ticketBy = async (subject) => (await tickets()).find((t) => t.subject === subject);
const detail = async (id) => (await get(`/api/v1/tickets/${id}`)).json;

before(async () => {
	imapPort = await startDovecot();
	sink = await startSink();
	srv = await startKefu({ conf: { mail: { retry_seconds: 1 } } });
	auth = await login(srv.base, ADMIN_EMAIL, ADMIN_PASSWORD);
	const s = await send('POST', '/api/v1/sites', { name: 'Mail shop' });
	assert.equal(s.status, 201, s.text);
	site = s.json.site;
});

test('a mailbox: passwords are write-only, the IMAP login test passes and fails honestly', async () => {
	const r = await send('POST', `/api/v1/sites/${site.id}/mailboxes`, {
		address: 'Kefu@Shop.Example', name: '客服中心', imap_url: `imap+plain://127.0.0.1:${imapPort}/INBOX`,
		imap_user: IMAP_USER, imap_password: IMAP_PASS, smtp_url: `smtp://127.0.0.1:${sink.port}`,
		poll_seconds: 1, signature: '{agent}\n客服中心 Mail shop',
	});
	assert.equal(r.status, 201, r.text);
	mailbox = r.json.mailbox;
	assert.equal(mailbox.address, 'kefu@shop.example');
	assert.equal(mailbox.has_imap_password, true);
	const list = await get(`/api/v1/sites/${site.id}/mailboxes`);
	assert.equal(list.json.mailboxes.length, 1);
	assert.ok(!list.text.includes(IMAP_PASS), 'the password never comes back');
	assert.equal(list.json.mailboxes[0].imap_password, undefined);
	const ok = await send('POST', `/api/v1/mailboxes/${mailbox.id}/test`);
	assert.deepEqual(ok.json, { ok: true });
	const bad = await send('POST', `/api/v1/sites/${site.id}/mailboxes`, {
		address: 'other@shop.example', imap_url: `imap+plain://127.0.0.1:${imapPort}/INBOX`, imap_user: IMAP_USER,
		imap_password: 'wrong', enabled: false,
	});
	assert.equal(bad.status, 201);
	const fail = await send('POST', `/api/v1/mailboxes/${bad.json.mailbox.id}/test`);
	assert.equal(fail.json.ok, false);
	assert.equal(fail.json.error, 'login refused', 'a short classified error, not the server\'s text');
	// imap:// must upgrade with STARTTLS: this server offers none, so no login in clear
	const tls = await send('PATCH', `/api/v1/mailboxes/${bad.json.mailbox.id}`, { imap_url: `imap://127.0.0.1:${imapPort}/INBOX`,
		imap_password: IMAP_PASS });
	assert.equal(tls.status, 200, tls.text);
	const nostarttls = await send('POST', `/api/v1/mailboxes/${bad.json.mailbox.id}/test`);
	assert.equal(nostarttls.json.ok, false);
	assert.match(nostarttls.json.error, /STARTTLS/);
	// moving a URL to another server without its password: the stored one is never sent there
	const moved = await send('PATCH', `/api/v1/mailboxes/${bad.json.mailbox.id}`, { imap_url: 'imaps://evil.example/INBOX' });
	assert.equal(moved.status, 422, moved.text);
	assert.equal(moved.json.error.code, 'password_required');
	const folder = await send('PATCH', `/api/v1/mailboxes/${bad.json.mailbox.id}`, { imap_url: `imap://127.0.0.1:${imapPort}/Other` });
	assert.equal(folder.status, 200, 'another folder on the same server keeps the password');
	const withPw = await send('PATCH', `/api/v1/mailboxes/${bad.json.mailbox.id}`, { imap_url: 'imaps://new.example/INBOX',
		imap_password: 'x' });
	assert.equal(withPw.status, 200, withPw.text);
	assert.equal((await send('DELETE', `/api/v1/mailboxes/${bad.json.mailbox.id}`)).status, 200);
});

test('bad mailbox input and queries get 4xx JSON errors', async () => {
	for (const body of [{ address: 'not-an-address' }, { address: 'a@b.example', imap_url: 'http://x' },
		{ address: 'a@b.example', poll_seconds: 0 }, { address: 'a@b.example', surprise: 1 },
		{ address: 'a@b.example', smtp_tls: 'maybe' }, { address: 'a@b.example', department_id: 999 },
		{ name: 'no address' }]) {
		const r = await send('POST', `/api/v1/sites/${site.id}/mailboxes`, body);
		assert.equal(r.status, 422, JSON.stringify(body));
		assert.ok(r.json.error.code);
	}
	assert.equal((await send('POST', `/api/v1/sites/${site.id}/mailboxes`, { address: 'kefu@shop.example' })).status, 409);
	assert.equal((await get('/api/v1/mail/outbox?status=bogus')).status, 400);
	assert.equal((await get('/api/v1/mail/rejects?limit=0')).status, 400);
	assert.equal((await send('PATCH', '/api/v1/mailboxes/9999', { name: 'x' })).status, 404);
	const anon = await request(srv.base, 'GET', '/api/v1/mail/rejects');
	assert.equal(anon.status, 401);
});

test('a GBK mail and a Big5 mail with Chinese-named attachments become tickets in UTF-8', async () => {
	await imapAppend(imapPort, [await readFile(join(FIX, 'gbk.eml')), await readFile(join(FIX, 'big5.eml'))]);
	const gbk = await until(() => ticketBy('我的订单还没到'), 'the GBK ticket');
	const big5 = await until(() => ticketBy('退貨申請'), 'the Big5 ticket');
	const d1 = await detail(gbk.id);
	assert.equal(d1.ticket.channel, 'email');
	assert.equal(d1.ticket.requester_email, 'zhang.wei@example.cn');
	assert.equal(d1.ticket.requester_name, '张伟');
	assert.match(d1.messages[0].body, /您好，我的订单 #123 还没有到，请帮忙查一下。朱镕基/);
	assert.equal(d1.messages[0].author_kind, 'customer');
	const d2 = await detail(big5.id);
	assert.match(d2.messages[0].body, /請問如何退貨？謝謝/);
	const names = d2.attachments.map((a) => a.name).sort();
	assert.deepEqual(names, ['照片.jpg', '發票.pdf'].sort());
	const jpg = d2.attachments.find((a) => a.name === '照片.jpg');
	assert.equal(jpg.content_type, 'image/jpeg');
	assert.equal(jpg.message_id, d2.messages[0].id);
	const bytes = await request(srv.base, 'GET', jpg.url, { cookie: auth.cookie });
	assert.equal(bytes.status, 200);
	assert.deepEqual([...bytes.buf], [...Array(256).keys()]);
});

test('replies thread by In-Reply-To and by [#N] alone; auto-replies open nothing', async () => {
	const gbk = await ticketBy('我的订单还没到');
	const big5 = await ticketBy('退貨申請');
	const before = (await tickets()).length;
	await imapAppend(imapPort, [
		mail({ From: 'Zhang Wei <zhang.wei@example.cn>', To: 'kefu@shop.example', Subject: 'Re: hello',
			'Message-ID': '<reply-a@example.cn>', 'In-Reply-To': '<gbk-1@example.cn>' }, '还没到，谢谢'),
		mail({ From: 'chen@example.tw', To: 'kefu@shop.example', Subject: b64(`补充 [#${big5.id}]`),
			'Message-ID': '<reply-b@example.tw>' }, '補充：訂單號 A100'),
		mail({ From: 'stranger@example.com', To: 'kefu@shop.example', Subject: `hijack [#${big5.id}]`,
			'Message-ID': '<stranger-1@example.com>' }, 'not the requester'),
		await readFile(join(FIX, 'auto.eml')),
		await readFile(join(FIX, 'oof.eml')),
		mail({ From: 'marker@example.com', To: 'kefu@shop.example', Subject: 'marker 1', 'Message-ID': '<marker-1@example.com>' }, 'm'),
	]);
	await until(() => ticketBy('marker 1'), 'the marker ticket');
	const d1 = await detail(gbk.id);
	assert.equal(d1.messages.length, 2);
	assert.equal(d1.messages[1].body, '还没到，谢谢');
	const d2 = await detail(big5.id);
	assert.equal(d2.messages.length, 2);
	assert.equal(d2.messages[1].body, '補充：訂單號 A100');
	const all = await tickets();
	// the stranger's [#N] opened its own ticket; the two auto-replies none
	assert.equal(all.length, before + 2);
	assert.ok(all.find((t) => t.subject.startsWith('hijack')));
	assert.ok(!all.find((t) => /休假|Out of Office/i.test(t.subject)));
});

test('an agent answer reaches the sink once (after a 451) and the customer answer threads back', async () => {
	const gbk = await ticketBy('我的订单还没到');
	const r = await send('POST', `/api/v1/tickets/${gbk.id}/messages`, { body: '您好，已经发货了。' });
	assert.equal(r.status, 201, r.text);
	const got = await until(() => sink.mails().length > 0 && sink.mails(), 'the reply in the sink', 20000);
	assert.equal(sink.refused(), 1, 'the first attempt was refused');
	await sleep(3000);   // several sender ticks: a second copy would have arrived by now
	assert.equal(sink.mails().length, 1, 'sent exactly once');
	const m = got[0];
	assert.equal(m.to, 'zhang.wei@example.cn');
	assert.equal(m.from, 'kefu@shop.example');
	assert.match(m.subject, new RegExp(`\\[#${gbk.id}\\]`));
	assert.match(m.subject, /^Re: 我的订单还没到/);
	assert.equal(m.h('In-Reply-To'), '<reply-a@example.cn>');
	assert.match(m.h('References'), /<gbk-1@example.cn>\s+<reply-a@example.cn>/);
	assert.match(m.body, /您好，已经发货了。/);
	assert.match(m.body, /-- \nAdmin\n客服中心 Mail shop/);
	const msgid = m.h('Message-ID').replace(/[<>]/g, '');
	assert.match(msgid, new RegExp(`^kefu\\.${gbk.id}\\.\\d+\\..+@shop\\.example$`));
	const sent = await get('/api/v1/mail/outbox?status=sent');
	assert.equal(sent.json.outbox.length, 1);
	assert.equal(sent.json.outbox[0].attempts, 2);
	assert.equal(sent.json.outbox[0].message_id, msgid);
	assert.equal((await get('/api/v1/mail/outbox?status=failed')).json.outbox.length, 0);
	// the customer answers the agent's mail: no [#N], only In-Reply-To our id
	await imapAppend(imapPort, [mail({ From: 'zhang.wei@example.cn', To: 'kefu@shop.example', Subject: 'thanks',
		'Message-ID': '<reply-c@example.cn>', 'In-Reply-To': `<${msgid}>` }, '收到了')]);
	await until(async () => (await detail(gbk.id)).messages.length === 4, 'the answer to threads back');
	// our own mail coming back (a forward loop) is never filed
	await imapAppend(imapPort, [
		mail({ From: 'kefu@shop.example', To: 'kefu@shop.example', Subject: 'loop', 'Message-ID': '<loop-1@shop.example>' }, 'x'),
		mail({ From: 'marker@example.com', To: 'kefu@shop.example', Subject: 'marker 2', 'Message-ID': '<marker-2@example.com>' }, 'm'),
	]);
	await until(() => ticketBy('marker 2'), 'the second marker');
	assert.ok(!(await ticketBy('loop')));
});

test('a 30 MB mail and a malformed one are rejected; the mail after them is filed', async () => {
	const line = 'x'.repeat(998) + '\r\n';
	const big = Buffer.from(mail({ From: 'big@example.com', To: 'kefu@shop.example', Subject: 'huge',
		'Message-ID': '<huge-1@example.com>' }, '') + line.repeat(Math.ceil(30 * 1024 * 1024 / line.length)));
	await imapAppend(imapPort, [
		big,
		'this is not an e-mail: no header, no sender\r\n',
		mail({ From: 'after@example.com', To: 'kefu@shop.example', Subject: 'after the bad ones', 'Message-ID': '<after-1@example.com>' }, 'still filed'),
	]);
	await until(() => ticketBy('after the bad ones'), 'the mail after the rejects', 60000);
	assert.ok(!(await ticketBy('huge')));
	const rj = (await get('/api/v1/mail/rejects')).json.rejects;
	const tooBig = rj.find((x) => /too big/.test(x.reason));
	assert.ok(tooBig, JSON.stringify(rj));
	assert.ok(tooBig.size > 30 * 1024 * 1024);
	assert.equal(tooBig.mailbox_id, mailbox.id);
	assert.ok(rj.find((x) => /malformed/.test(x.reason)), JSON.stringify(rj));
	// the poller moved past all three
	const mb = (await get(`/api/v1/sites/${site.id}/mailboxes`)).json.mailboxes[0];
	assert.ok(mb.last_uid >= 14, `last_uid ${mb.last_uid}`);
	assert.ok(mb.uid_validity > 0, 'the folder\'s UIDVALIDITY is remembered');
});

test('a renumbered folder (UIDVALIDITY changed) is read again, filing nothing twice', async () => {
	const before = (await tickets()).length;
	const mb0 = (await get(`/api/v1/sites/${site.id}/mailboxes`)).json.mailboxes[0];
	// as if the server had recreated the folder: the stored UIDVALIDITY no longer matches
	execFileSync('sqlite3', [join(srv.dir, 'kefu.db'), `PRAGMA busy_timeout=5000; UPDATE mailboxes SET uid_validity = 1 WHERE id = ${mb0.id}`]);
	await imapAppend(imapPort, [mail({ From: 'marker@example.com', To: 'kefu@shop.example', Subject: 'marker 3',
		'Message-ID': '<marker-3@example.com>' }, 'm')]);
	await until(() => ticketBy('marker 3'), 'the third marker', 30000);
	await until(() => /UIDVALIDITY changed/.test(srv.stderr()), 'the reset logged');
	assert.equal((await tickets()).length, before + 1, 'only the new mail became a ticket');
	const mb = (await get(`/api/v1/sites/${site.id}/mailboxes`)).json.mailboxes[0];
	assert.equal(mb.uid_validity, mb0.uid_validity);
	assert.equal(mb.last_uid, mb0.last_uid + 1);
});

test('kefu mail-in files a piped mail once, ignores an auto-reply, rejects a malformed one (65)', async () => {
	const msg = mail({ From: b64('王芳') + ' <wang@example.cn>', To: 'kefu@shop.example', Subject: b64('发票抬头'),
		'Message-ID': '<pipe-1@example.cn>' }, '请开发票');
	const args = ['mail-in', '--data', srv.dir];
	const r1 = await runKefu(args, { input: msg });
	assert.equal(r1.code, 0, r1.stderr);
	assert.match(r1.stderr, /ticket \d+ created/);
	const t = await ticketBy('发票抬头');
	assert.ok(t, 'the piped mail is a ticket');
	assert.equal(t.site_id, site.id, 'the To address picked the mailbox and its site');
	const r2 = await runKefu(args, { input: msg });
	assert.equal(r2.code, 0);
	assert.match(r2.stderr, /already filed/);
	const r3 = await runKefu(args, { input: await readFile(join(FIX, 'oof.eml')) });
	assert.equal(r3.code, 0);
	assert.match(r3.stderr, /ignored/);
	const r4 = await runKefu(args, { input: await readFile(join(FIX, 'malformed.eml')) });
	assert.equal(r4.code, 65, r4.stderr);
	const r5 = await runKefu([...args, '--site', '1', '--mailbox', 'x@y.z'], { input: msg });
	assert.equal(r5.code, 2);
	const r6 = await runKefu([...args, '--mailbox', 'nobody@shop.example'], { input: msg });
	assert.equal(r6.code, 2);
});

test('mail that ticket_create cannot take never blocks the mailbox; the pipe rejects it with 65', async () => {
	const id252 = 'x'.repeat(240) + '@example.com';   // 252 bytes: the parser drops it, a made-up id files it
	await imapAppend(imapPort, [
		mail({ From: 'long@example.com', To: 'kefu@shop.example', Subject: 'long message id', 'Message-ID': `<${id252}>` }, 'l'),
		mail({ From: '"bob smith"@example.com', To: 'kefu@shop.example', Subject: 'quoted from', 'Message-ID': '<quoted-1@example.com>' }, 'q'),
		mail({ From: 'marker@example.com', To: 'kefu@shop.example', Subject: 'marker 4', 'Message-ID': '<marker-4@example.com>' }, 'm'),
	]);
	await until(() => ticketBy('marker 4'), 'the mail after the unfileable ones', 30000);
	assert.ok(await ticketBy('long message id'), 'a 252-byte Message-ID still files');
	assert.ok(!(await ticketBy('quoted from')));
	const rj = (await get('/api/v1/mail/rejects')).json.rejects;
	const q = rj.find((x) => x.message_id === 'quoted-1@example.com');
	assert.ok(q, JSON.stringify(rj));
	assert.match(q.reason, /From/);
	const piped = mail({ From: '"bob smith"@example.com', To: 'kefu@shop.example', Subject: 'quoted pipe', 'Message-ID': '<quoted-2@example.com>' }, 'q');
	const r = await runKefu(['mail-in', '--data', srv.dir], { input: piped });
	assert.equal(r.code, 65, r.stderr);
	assert.match(r.stderr, /rejected: From/);
	assert.ok((await get('/api/v1/mail/rejects')).json.rejects.find((x) => x.message_id === 'quoted-2@example.com'));
});

test('one mail to two shops files for each; a stranger\'s In-Reply-To opens their own ticket', async () => {
	const s2 = await send('POST', '/api/v1/sites', { name: 'Second shop' });
	assert.equal(s2.status, 201, s2.text);
	const mb2 = await send('POST', `/api/v1/sites/${s2.json.site.id}/mailboxes`, { address: 'help@second.example' });
	assert.equal(mb2.status, 201, mb2.text);
	const msg = mail({ From: 'both@example.com', To: 'kefu@shop.example, help@second.example', Subject: 'to two shops',
		'Message-ID': '<two-shops-1@example.com>' }, 'hello both');
	const a = await runKefu(['mail-in', '--data', srv.dir, '--mailbox', 'kefu@shop.example'], { input: msg });
	assert.match(a.stderr, /ticket \d+ created/);
	const b = await runKefu(['mail-in', '--data', srv.dir, '--mailbox', 'help@second.example'], { input: msg });
	assert.equal(b.code, 0, b.stderr);
	assert.match(b.stderr, /ticket \d+ created/, 'the second shop gets its own ticket');
	const both = (await tickets()).filter((t) => t.subject === 'to two shops');
	assert.deepEqual(both.map((t) => t.site_id).sort(), [site.id, s2.json.site.id].sort());
	// a stranger who copies the References of someone's ticket cannot write into it
	const gbk = await ticketBy('我的订单还没到');
	const n = (await detail(gbk.id)).messages.length;
	const st = await runKefu(['mail-in', '--data', srv.dir], { input: mail({ From: 'mallory@example.com', To: 'kefu@shop.example',
		Subject: 'Re: 我的订单还没到', 'Message-ID': '<mallory-1@example.com>', 'In-Reply-To': '<gbk-1@example.cn>' }, 'let me in') });
	assert.match(st.stderr, /ticket \d+ created/);
	assert.equal((await detail(gbk.id)).messages.length, n, 'nothing added to the requester\'s ticket');
});

test('an outbox row left claimed by a crash is stuck: never resent alone, retried or dropped by an admin', async () => {
	const db = join(srv.dir, 'kefu.db');
	const raw = 'From: kefu@shop.example\r\nTo: stuck@example.com\r\nSubject: stuck\r\nContent-Type: text/plain; charset=utf-8\r\n'
		+ 'Content-Transfer-Encoding: base64\r\n\r\n' + Buffer.from('stuck body').toString('base64') + '\r\n';
	for (const n of [1, 2])
		execFileSync('sqlite3', [db, `PRAGMA busy_timeout=5000; INSERT INTO mail_outbox (mailbox_id, to_addr, message_id, raw, next_at, `
			+ `created_at, claimed_at) VALUES (${mailbox.id}, 'stuck${n}@example.com', 'stuck-${n}@shop.example', '${raw}', 0, 1, 100)`]);
	const sent0 = sink.mails().length;
	await sleep(2500);   // sender ticks: a claimed row is not due
	assert.equal(sink.mails().length, sent0, 'a claimed row is never sent again on its own');
	const failed = (await get('/api/v1/mail/outbox?status=failed')).json.outbox;
	const rows = failed.filter((o) => o.message_id.startsWith('stuck-'));
	assert.equal(rows.length, 2, JSON.stringify(failed));
	assert.ok(rows.every((o) => o.status === 'stuck'));
	const id = (n) => rows.find((o) => o.message_id === `stuck-${n}@shop.example`).id;
	assert.equal((await send('DELETE', `/api/v1/mail/outbox/${id(1)}`)).status, 200);
	assert.equal((await send('POST', `/api/v1/mail/outbox/${id(2)}/retry`)).status, 200);
	await until(() => sink.mails().find((m) => m.to === 'stuck2@example.com'), 'the retried row sent');
	assert.ok(!sink.mails().find((m) => m.to === 'stuck1@example.com'));
	const sent = (await get('/api/v1/mail/outbox?status=sent')).json.outbox;
	assert.ok(sent.find((o) => o.id === id(2)));
	assert.equal((await send('POST', `/api/v1/mail/outbox/${id(2)}/retry`)).status, 404, 'a sent row is not retried');
	assert.equal((await send('DELETE', '/api/v1/mail/outbox/999999')).status, 404);
});

// UIDs are searched in bounded ranges (a huge INBOX never overruns the answer cap): a stretch of
// more than 5,000 unused UIDs (as after a mass deletion) is crossed, and last_uid follows.
test('a gap of 12,000 UIDs is searched across in ranges; the mail after it is filed', async () => {
	const uidlist = join(dirs[0], 'mail', IMAP_USER, 'dovecot-uidlist');
	const text = await readFile(uidlist, 'utf8');
	const next = Number(/ N(\d+)/.exec(text)[1]);
	await writeFile(uidlist, text.replace(/ N\d+/, ` N${next + 12000}`));
	await imapAppend(imapPort, [mail({ From: 'marker@example.com', To: 'kefu@shop.example', Subject: 'marker 5',
		'Message-ID': '<marker-5@example.com>' }, 'm')]);
	await until(() => ticketBy('marker 5'), 'the mail after the gap', 30000);
	const mb = (await get(`/api/v1/sites/${site.id}/mailboxes`)).json.mailboxes[0];
	assert.ok(mb.last_uid >= next + 12000, `last_uid ${mb.last_uid}, uidnext was ${next}`);
	assert.match(srv.stderr(), /imap kefu@shop\.example: uid \d{5}/);
});
