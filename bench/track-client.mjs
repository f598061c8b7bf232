// bench/track-client.mjs - the small HTTP jobs of bench/track.sh (node, no dependencies):
//   free-port                                   a free loopback port
//   wait URL SECONDS                            exit 0 once URL answers (any status)
//   tokens BASE SITE_KEY ORIGIN N FILE          N new visitors (a page view each); tokens to FILE
//   stats BASE EMAIL PASSWORD SITE FROM TO N    N timed GET /api/v1/stats calls; JSON summary
import http from 'node:http';
import net from 'node:net';
import { writeFileSync } from 'node:fs';

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
function call(base, method, path, body, headers = {}) {
	return new Promise((res, rej) => {
		const u = new URL(path, base);
		const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers, agent }, (r) => {
			const b = [];
			r.on('data', (d) => b.push(d));
			r.on('end', () => res({ status: r.statusCode, headers: r.headers, body: Buffer.concat(b) }));
		});
		req.on('error', rej);
		req.end(body);
	});
}

const [cmd, ...a] = process.argv.slice(2);
if (cmd === 'free-port') {
	const s = net.createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); });
} else if (cmd === 'wait') {
	const end = Date.now() + Number(a[1]) * 1000;
	for (;;) {
		try { await call(a[0], 'GET', a[0]); process.exit(0); } catch { /* not up yet */ }
		if (Date.now() > end) { console.error(`no answer from ${a[0]}`); process.exit(1); }
		await new Promise((r) => setTimeout(r, 50));
	}
} else if (cmd === 'tokens') {
	const [base, key, origin, n, file] = a;
	const out = [];
	const one = async (i) => {
		const body = JSON.stringify({ events: [{ type: 'view', url: `${origin}/landing/${i % 40}`, title: 'Landing', referrer: '' }] });
		const r = await call(base, 'POST', `/api/v1/track?site=${key}`, body, { 'Content-Type': 'text/plain', Origin: origin });
		if (r.status !== 200) throw new Error(`track: ${r.status} ${r.body}`);
		out.push(JSON.parse(r.body).token);
	};
	for (let i = 0; i < +n; i += 16) await Promise.all(Array.from({ length: Math.min(16, +n - i) }, (_, k) => one(i + k)));
	writeFileSync(file, out.join('\n') + '\n');
} else if (cmd === 'stats') {
	const [base, email, password, site, from, to, n] = a;
	const login = await call(base, 'POST', '/api/v1/auth/login', JSON.stringify({ email, password }), { 'Content-Type': 'application/json' });
	if (login.status !== 200) throw new Error(`login: ${login.status} ${login.body}`);
	const cookie = [].concat(login.headers['set-cookie']).map((c) => c.split(';')[0]).join('; ');
	const ms = [];
	let last = null;
	for (let i = 0; i < +n; i++) {
		const t0 = process.hrtime.bigint();
		const r = await call(base, 'GET', `/api/v1/stats?site=${site}&from=${from}&to=${to}`, undefined, { Cookie: cookie });
		ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
		if (r.status !== 200) throw new Error(`stats: ${r.status} ${r.body}`);
		last = r;
	}
	const d = JSON.parse(last.body);
	const sorted = [...ms].sort((x, y) => x - y);
	const rank = (p) => sorted[Math.ceil((p / 100) * sorted.length) - 1];
	const t0 = process.hrtime.bigint();
	const csv = await call(base, 'GET', `/api/v1/stats.csv?site=${site}&from=${from}&to=${to}`, undefined, { Cookie: cookie });
	const csvMs = Number(process.hrtime.bigint() - t0) / 1e6;
	console.log(JSON.stringify({
		n: ms.length, median: rank(50), p99: rank(99), min: sorted[0], max: sorted.at(-1), bytes: last.body.length,
		days: d.days.length, totals: d.totals, top_pages: d.top_pages.length, csv_ms: csvMs, csv_status: csv.status,
	}));
}
agent.destroy();
