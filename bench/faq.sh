#!/usr/bin/env bash
# bench/faq.sh - the knowledge base: search latency at 1k and 100k articles (index build time,
# database size), the help centre's article page against nginx serving the same bytes, and
# the matching accuracy on the shared FAQ sets with the answered / wrong rates per confidence
# threshold (what the bot's threshold trades). bench/faq-bench.mjs does the work and prints
# JSON; this script checks the tools and writes bench/results/faq.md (raw JSON under raw/).
#
# Knobs (environment): KEFU_BIN=./kefu FAQ_DATA=../shared/data/faq SIZES=1000,100000
#                      WRK_SECONDS=5 NGINX_BIN=/usr/sbin/nginx
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
KEFU=${KEFU_BIN:-./kefu}
case $KEFU in /*) ;; *) KEFU=$ROOT/$KEFU ;; esac
export KEFU_BIN=$KEFU
RESULTS=$ROOT/bench/results
RAW=$RESULTS/raw
die() { echo "bench/faq.sh: $*" >&2; exit 1; }
[ -x "$KEFU" ] || die "no kefu binary at $KEFU (run make)"
for t in node sqlite3 wrk; do command -v $t >/dev/null || die "$t is not installed (scripts/deps bench)"; done
[ -x "${NGINX_BIN:-/usr/sbin/nginx}" ] || die "nginx is not installed (scripts/deps bench)"
mkdir -p "$RAW"

start=$(date +%s)
node bench/faq-bench.mjs >"$RAW/faq.json"
secs=$(( $(date +%s) - start ))

node - "$RAW/faq.json" "$secs" >"$RESULTS/faq.md" <<'JS'
import { readFileSync } from 'node:fs';
const [file, secs] = process.argv.slice(2);
const r = JSON.parse(readFileSync(file, 'utf8'));
const f = (x, d = 2) => (x === null || x === undefined ? '–' : Number(x).toFixed(d));
const mb = (b) => (b / 1048576).toFixed(1) + ' MB';
const out = [];
out.push('# Knowledge base: search and help centre', '');
out.push(`Measured by \`bench/faq.sh\` on ${new Date().toISOString().slice(0, 10)} (this machine: ${process.arch}, ` +
	`Node ${process.versions.node}); the whole run took ${secs} s. Loopback, one kefu process.`, '');
out.push('## Search latency', '');
out.push('The 204 labelled queries of `tests/search/corpus.mjs` (two-character, Traditional/Simplified, mixed, English forms, typos, ' +
	'paraphrases), each asked twice through `GET /api/v1/sites/:id/kb/search?limit=10` one at a time; the second round is timed ' +
	'(client side, so HTTP on loopback is included). Articles: the corpus\'s articles repeated with a brand, product and model ' +
	'number each, written into a fresh database; kefu builds the index at start (`kb: indexed N articles in X ms`).', '');
out.push('| articles | index build | database | p50 | p90 | p99 | max | hits per query |', '|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const x of r.latency)
	out.push(`| ${x.n.toLocaleString('en')} | ${x.index_ms === null ? '–' : (x.index_ms / 1000).toFixed(2) + ' s'} | ${mb(x.db_bytes)} | ` +
		`${f(x.p50)} ms | ${f(x.p90)} ms | ${f(x.p99)} ms | ${f(x.max)} ms | ${f(x.mean_hits, 1)} |`);
out.push('', '## Help centre article page against nginx', '');
const h = r.latency.find((x) => x.help)?.help;
if (h && h.status === 200) {
	out.push('`GET /help/<site>/a/<slug>?lang=zh-CN` against nginx (one worker) ' +
		'serving the same bytes saved to a file; wrk, 2 threads, 32 connections, keep-alive.', '');
	out.push('| server | requests/s | page |', '|---|---:|---:|');
	out.push(`| kefu | ${f(h.kefu_rps, 0)} | ${h.bytes} B |`, `| nginx, static file | ${f(h.nginx_rps, 0)} | ${h.bytes} B |`);
	out.push('', `kefu reaches ${f((100 * h.kefu_rps) / h.nginx_rps, 0)} % of nginx's rate, building the page from the database on each request; ` +
		'the page carries `Cache-Control: public, max-age=60`, so a CDN or proxy in front can take most of the load.');
} else {
	out.push(`Not measured: ${h ? h.note : 'no help page was measured'}.`);
}
out.push('', '## Matching accuracy on the shared FAQ sets', '');
out.push('Each set\'s `faq.tsv` entries imported as articles (question, answer), with `extq.tsv` as their alternative questions, ' +
	'through `POST /api/v1/sites/:id/kb/import`; every line of `queries.tsv` asked through the agents\' search (limit 10). ' +
	'The answers of these sets are labels such as `ANS:F001 (cancel_order)`, so the answer column adds the intent\'s name to the index.', '');
out.push('| set | articles | alt. questions | queries | recall@1 | recall@3 | MRR@10 |', '|---|---:|---:|---:|---:|---:|---:|');
for (const a of r.accuracy) out.push(`| ${a.name} | ${a.articles} | ${a.alt_questions} | ${a.queries} | ${f(a.r1, 3)} | ${f(a.r3, 3)} | ${f(a.mrr10, 3)} |`);
out.push('', 'What a bot threshold on `confidence` would do: *answered* is the share of queries whose best hit reaches the threshold; ' +
	'*wrong* the share of all queries answered with the wrong article; *precision* the right share of those answered.', '');
out.push(`| threshold | ${r.accuracy.map((a) => `${a.name} answered | wrong | precision`).join(' | ')} |`);
out.push(`|---:|${r.accuracy.map(() => '---:|---:|---:').join('|')}|`);
for (let i = 0; i < 9; i++)
	out.push(`| ${f(r.accuracy[0]?.thresholds[i].th, 1)} | ${r.accuracy.map((a) => { const t = a.thresholds[i]; return `${f(100 * t.answered, 1)} % | ${f(100 * t.wrong, 1)} % | ${t.precision === null ? '–' : f(100 * t.precision, 1) + ' %'}`; }).join(' | ')} |`);
out.push('', 'How `confidence` is computed: docs/kb.md, "Search".', '');
console.log(out.join('\n'));
JS
echo "bench/faq.sh: wrote $RESULTS/faq.md"
