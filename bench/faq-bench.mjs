// bench/faq-bench.mjs - the knowledge base's benchmark (bench/faq.sh runs it and writes
// bench/results/faq.md from what it prints as JSON):
//   1. search latency (p50/p99 through the agents' search API) at SIZES articles, with the time
//      to build the index (kefu builds it at start when it is empty: "kb: indexed N articles in
//      X ms") and the database size. The articles are made from the labelled corpus
//      (tests/search/corpus.mjs) with a brand, product and model number each, and written
//      straight into a fresh database with the sqlite3 shell (a bench, not a test: importing
//      100k through the REST import would time the import, not the search);
//   2. the help centre's article page (/help/<key>/a/<slug>) in requests/s against nginx serving
//      the same bytes from a file, with wrk;
//   3. matching accuracy on the shared FAQ sets (FAQ_DATA/*/: faq.tsv + extq.tsv as articles
//      with alternative questions, imported through the REST import; queries.tsv asked through
//      the agents' search): recall@1/@3, MRR@10 and answered / wrong rates per confidence
//      threshold, as the bot would use it.
// Knobs: KEFU_BIN, FAQ_DATA (../shared/data/faq), SIZES (1000,100000), WRK_SECONDS (5).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, writeFile, readFile, stat, readdir, rm, mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKefu, stopAll, login, request, ADMIN_EMAIL, ADMIN_PASSWORD, REPO_ROOT } from '../tests/http/lib.mjs';
import { articles, queries } from '../tests/search/corpus.mjs';

const FAQ_DATA = process.env.FAQ_DATA || join(REPO_ROOT, '../shared/data/faq');
const SIZES = (process.env.SIZES || '1000,100000').split(',').map(Number);
const WRK_SECONDS = Number(process.env.WRK_SECONDS || 5);
const CONF = { limits: { login_attempts_per_min: 1000, max_body_bytes: 16 << 20 } };

const pct = (xs, p) => {
	const s = [...xs].sort((a, b) => a - b);
	return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const sqlq = (s) => `'${String(s).replaceAll("'", "''")}'`;
const log = (...a) => console.error('faq-bench:', ...a);

async function newSite(srv) {
	const admin = await login(srv.base, ADMIN_EMAIL, ADMIN_PASSWORD);
	const r = await request(srv.base, 'POST', '/api/v1/sites', { cookie: admin.cookie, csrf: admin.csrf, json: { name: 'Bench shop' } });
	if (r.status !== 201) throw new Error(`create site: ${r.status} ${r.text}`);
	return { admin, site: r.json.site };
}

async function search(srv, admin, siteId, q, lang, limit = 10) {
	const t0 = process.hrtime.bigint();
	const r = await request(srv.base, 'GET', `/api/v1/sites/${siteId}/kb/search?q=${encodeURIComponent(q)}&lang=${lang}&limit=${limit}&partial=1`,
		{ cookie: admin.cookie });
	const ms = Number(process.hrtime.bigint() - t0) / 1e6;
	if (r.status !== 200) throw new Error(`search ${q}: ${r.status} ${r.text}`);
	return { ms, hits: r.json.hits };
}

// ---- 1. latency at a size ----
const BRANDS = ['华为', '小米', '苹果', '联想', '美的', '海尔', '格力', '索尼', '三星', '戴尔', '耐克', '阿迪达斯', '李宁', '安踏', '优衣库', '无印良品', '飞利浦', '松下', '佳能', '尼康'];
const TYPES = ['手机', '平板', '耳机', '手表', '音箱', '电视', '冰箱', '空调', '洗衣机', '电饭煲', '吹风机', '剃须刀', '相机', '镜头', '显示器', '键盘', '鼠标', '跑鞋', '外套', '背包', '行李箱', '台灯', '净水器', '扫地机', '咖啡机'];
const TYPES_EN = ['phone', 'tablet', 'headphones', 'watch', 'speaker', 'TV', 'fridge', 'air conditioner', 'washer', 'rice cooker', 'hair dryer', 'shaver', 'camera', 'lens', 'monitor', 'keyboard', 'mouse', 'running shoes', 'jacket', 'backpack', 'suitcase', 'lamp', 'water filter', 'robot vacuum', 'coffee maker'];

function genSql(siteId, n) {
	const base = articles().filter((a) => a.visibility === 'public');
	const now = Math.floor(Date.now() / 1000);
	const rows = ['BEGIN;'];
	for (let i = 0; i < n; i++) {
		const t = base[i % base.length], b = BRANDS[i % BRANDS.length], k = Math.floor(i / BRANDS.length) % TYPES.length;
		const model = `${String.fromCharCode(65 + (i % 26))}${Math.floor(i / base.length)}`;
		const prod = t.lang === 'en' ? `${b} ${TYPES_EN[k]} ${model}` : `${b}${TYPES[k]} ${model}`;
		const q = t.lang === 'en' ? `${prod}: ${t.question}` : `${prod}：${t.question}`;
		const ans = `${t.answer_md}\n\n${prod}`;
		rows.push(`INSERT INTO kb_articles (site_id, lang, slug, question, alt_questions, answer_md, tags, visibility, status, views, created_at, updated_at) VALUES (${siteId}, ${sqlq(t.lang)}, ${sqlq(`g${i}`)}, ${sqlq(q)}, ${sqlq(t.alt_questions)}, ${sqlq(ans)}, ${sqlq(t.tags.join(' '))}, 'public', 'published', ${i % 97}, ${now}, ${now});`);
	}
	rows.push('DELETE FROM kb_fts;', 'COMMIT;');
	return rows.join('\n');
}

async function latencyAt(n) {
	const dir = await mkdtemp(join(tmpdir(), 'kefu-faq-bench-'));
	let srv = await startKefu({ dir, admin: true, conf: CONF, keepDir: true });
	const { site } = await newSite(srv);
	await srv.stop();
	const sqlFile = join(dir, 'gen.sql');
	await writeFile(sqlFile, genSql(site.id, n));
	const t0 = Date.now();
	const sq = spawnSync('sqlite3', [join(dir, 'kefu.db')], { input: await readFile(sqlFile), maxBuffer: 1 << 26 });
	if (sq.status !== 0) throw new Error(`sqlite3: ${sq.stderr}`);
	log(`${n} articles written in ${Date.now() - t0} ms`);
	await rm(sqlFile);
	srv = await startKefu({ dir, conf: CONF, keepDir: true, timeoutMs: 600000 });
	const m = /kb: indexed (\d+) articles in (\d+) ms/.exec(srv.stderr());
	const admin = await login(srv.base, ADMIN_EMAIL, ADMIN_PASSWORD);
	const qs = queries();
	const lat = [];
	let hitsTotal = 0;
	for (let round = 0; round < 2; round++)
		for (const q of qs) {
			const r = await search(srv, admin, site.id, q.q, q.lang);
			if (round) lat.push(r.ms);
			hitsTotal += r.hits.length;
		}
	// the help centre's page of one article, for the nginx comparison (1k only)
	let help = null;
	if (n <= 1000) help = await helpBench(srv, site);
	await srv.stop();
	const size = (await stat(join(dir, 'kefu.db'))).size + (existsSync(join(dir, 'kefu.db-wal')) ? (await stat(join(dir, 'kefu.db-wal'))).size : 0);
	await rm(dir, { recursive: true, force: true });
	return {
		n, indexed: m ? Number(m[1]) : null, index_ms: m ? Number(m[2]) : null, db_bytes: size, queries: lat.length,
		p50: pct(lat, 50), p90: pct(lat, 90), p99: pct(lat, 99), max: Math.max(...lat), mean_hits: hitsTotal / (2 * qs.length), help,
	};
}

// ---- 2. the help centre's article page against nginx ----
// Asynchronous: kefu's log goes into a pipe this process must keep draining, or kefu stalls.
function wrk(url) {
	return new Promise((resolve) => {
		const p = spawn('wrk', ['-t2', '-c32', `-d${WRK_SECONDS}s`, url]);
		let out = '';
		p.stdout.on('data', (d) => { out += d; });
		p.on('close', () => {
			const m = /Requests\/sec:\s+([\d.]+)/.exec(out);
			resolve(m ? Number(m[1]) : null);
		});
	});
}

async function helpBench(srv, site) {
	const path = `/help/${site.key}/a/g0?lang=zh-CN`;
	const r = await request(srv.base, 'GET', path);
	if (r.status !== 200) return { status: r.status, note: `GET ${path} answered ${r.status}` };
	const root = await mkdtemp(join(tmpdir(), 'kefu-faq-nginx-'));
	await mkdir(join(root, 'html'));
	await writeFile(join(root, 'html', 'page.html'), r.buf);
	const port = 20000 + Math.floor(Math.random() * 20000);
	await writeFile(join(root, 'nginx.conf'), `worker_processes 1; daemon off; pid ${root}/nginx.pid; error_log ${root}/error.log;
events { worker_connections 1024; }
http { access_log off; server { listen 127.0.0.1:${port}; root ${root}/html; location / { default_type text/html; } } }\n`);
	const ng = spawn(process.env.NGINX_BIN || '/usr/sbin/nginx', ['-c', join(root, 'nginx.conf'), '-p', root], { stdio: 'ignore' });
	await new Promise((res) => setTimeout(res, 500));
	const kefu = await wrk(srv.base + path);
	const nginx = await wrk(`http://127.0.0.1:${port}/page.html`);
	ng.kill('SIGTERM');
	await new Promise((res) => ng.on('exit', res));
	await rm(root, { recursive: true, force: true });
	return { status: 200, bytes: r.buf.length, kefu_rps: kefu, nginx_rps: nginx };
}

// ---- 3. accuracy on the shared FAQ sets ----
const tsv = async (f) => (await readFile(f, 'utf8')).split('\n').filter(Boolean).map((l) => l.split('\t'));

async function accuracy(name) {
	const d = join(FAQ_DATA, name);
	const faq = await tsv(join(d, 'faq.tsv')), extq = await tsv(join(d, 'extq.tsv')), qs = await tsv(join(d, 'queries.tsv'));
	const alts = {};
	for (const [id, q] of extq) (alts[id] ||= []).push(q);
	const arts = faq.map(([id, q, a]) => ({ lang: 'en', slug: id.toLowerCase(), question: q.slice(0, 1000), alt_questions: (alts[id] || []).join('\n'),
		answer_md: a, tags: [], visibility: 'public', status: 'published' }));
	const srv = await startKefu({ conf: CONF });
	const { admin, site } = await newSite(srv);
	const imp = await request(srv.base, 'POST', `/api/v1/sites/${site.id}/kb/import`, { cookie: admin.cookie, csrf: admin.csrf, json: { articles: arts }, timeoutMs: 120000 });
	if (imp.status !== 200) throw new Error(`import ${name}: ${imp.status} ${imp.text.slice(0, 300)}`);
	const rows = [];
	for (const [, q, gold] of qs) {
		const r = await search(srv, admin, site.id, q.slice(0, 1000), 'en', 10);
		const idx = r.hits.findIndex((h) => h.slug === gold.toLowerCase());
		rows.push({ rank: idx < 0 ? 0 : idx + 1, conf: r.hits[0]?.confidence ?? 0, ok: idx === 0 });
	}
	await srv.stop();
	const n = rows.length;
	const out = {
		name, articles: arts.length, alt_questions: extq.length, queries: n,
		r1: rows.filter((x) => x.rank === 1).length / n, r3: rows.filter((x) => x.rank && x.rank <= 3).length / n,
		mrr10: rows.reduce((s, x) => s + (x.rank ? 1 / x.rank : 0), 0) / n, thresholds: [],
	};
	for (let t = 1; t <= 9; t++) {
		const th = t / 10, ans = rows.filter((x) => x.conf >= th);
		out.thresholds.push({ th, answered: ans.length / n, wrong: ans.filter((x) => !x.ok).length / n,
			precision: ans.length ? ans.filter((x) => x.ok).length / ans.length : null });
	}
	return out;
}

async function main() {
	const res = { latency: [], accuracy: [] };
	for (const n of SIZES) {
		log(`latency at ${n} articles`);
		res.latency.push(await latencyAt(n));
	}
	const sets = existsSync(FAQ_DATA) ? (await readdir(FAQ_DATA)).filter((x) => existsSync(join(FAQ_DATA, x, 'faq.tsv'))).sort() : [];
	for (const s of sets) {
		log(`accuracy on ${s}`);
		res.accuracy.push(await accuracy(s));
	}
	await stopAll();
	console.log(JSON.stringify(res, null, 1));
}

main().catch(async (e) => {
	console.error(e);
	await stopAll();
	process.exit(1);
});
