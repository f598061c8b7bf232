#!/usr/bin/env bash
# bench/http.sh - kefu against nginx serving the same bytes, measured with wrk.
#
# Builds nothing: it runs ./kefu (or $KEFU_BIN) on a free loopback port with a temp
# data dir, copies the exact bytes of kefu's /healthz body and of one hashed console
# asset into an nginx root, and runs nginx on other loopback ports:
#   nginx-1w    worker_processes 1 - the like-for-like reference: kefu answers HTTP on
#               one event-loop thread, so nginx gets one worker process.
#   nginx-1w-ofc  the same plus open_file_cache (no open/fstat/close per request; kefu
#               serves from memory), a stricter reference reported for honesty.
#   nginx-auto  worker_processes auto (one per core), reported for honesty.
# Then wrk (keep-alive) measures the targets interleaved, ROUNDS times, and the
# medians go to bench/results/http.md; raw wrk output to bench/results/raw/.
# Besides req/s (which on a small machine also depends on how much CPU wrk leaves the
# server) it reports the server's CPU time per request, from /proc/PID/stat.
#
# Knobs (environment): KEFU_BIN=./kefu ROUNDS=3 DURATION=10s THREADS=2 CONNS=64
#                      WARMUP=2s NGINX_BIN=/usr/sbin/nginx
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

KEFU=${KEFU_BIN:-./kefu}
case $KEFU in /*) ;; *) KEFU=$ROOT/$KEFU ;; esac
NGINX=${NGINX_BIN:-/usr/sbin/nginx}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNS=${CONNS:-64}
WARMUP=${WARMUP:-2s}
RESULTS=$ROOT/bench/results
RAW=$RESULTS/raw
OUT=$RESULTS/http.md

die() { echo "bench/http.sh: $*" >&2; exit 1; }
[ -x "$KEFU" ] || die "no kefu binary at $KEFU (run make)"
command -v wrk >/dev/null || die "wrk is not installed (scripts/deps bench)"
[ -x "$NGINX" ] || die "nginx is not installed at $NGINX (scripts/deps bench)"
command -v node >/dev/null || die "node is not installed (scripts/deps build)"
mkdir -p "$RAW"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/kefu-bench-http.XXXXXX")
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A tiny HTTP helper (no Accept-Encoding, so kefu sends identity bytes, as to wrk):
#   node get.mjs free-port                 -> a free loopback port
#   node get.mjs wait URL SECONDS          -> exit 0 once URL answers 200
#   node get.mjs get URL FILE              -> body to FILE, exit 1 unless 200
cat >"$TMP/get.mjs" <<'JS'
import http from 'node:http';
import net from 'node:net';
import { writeFileSync } from 'node:fs';
const [cmd, url, arg] = process.argv.slice(2);
const get = (u) => new Promise((res, rej) => {
	http.get(u, { agent: false }, (r) => {
		const b = []; r.on('data', (d) => b.push(d)); r.on('end', () => res({ status: r.statusCode, body: Buffer.concat(b) }));
	}).on('error', rej);
});
if (cmd === 'free-port') {
	const s = net.createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); });
} else if (cmd === 'wait') {
	const end = Date.now() + Number(arg) * 1000;
	for (;;) {
		try { if ((await get(url)).status === 200) process.exit(0); } catch { /* not up yet */ }
		if (Date.now() > end) { console.error(`no 200 from ${url}`); process.exit(1); }
		await new Promise((r) => setTimeout(r, 50));
	}
} else if (cmd === 'get') {
	const r = await get(url);
	writeFileSync(arg, r.body);
	if (r.status !== 200) { console.error(`${url}: HTTP ${r.status}`); process.exit(1); }
}
JS
helper() { node "$TMP/get.mjs" "$@"; }

# ---- kefu ----
KPORT=$(helper free-port)
KEFU_CMD="$KEFU serve --listen 127.0.0.1:$KPORT --data $TMP/data --log-level warn"
$KEFU_CMD 2>/dev/null &
PIDS+=($!)
helper wait "http://127.0.0.1:$KPORT/healthz" 15 || die "kefu did not answer /healthz"

# ---- the same bytes for nginx ----
mkdir -p "$TMP/www/assets"
helper get "http://127.0.0.1:$KPORT/healthz" "$TMP/www/healthz"
helper get "http://127.0.0.1:$KPORT/" "$TMP/index.html"
ASSET=$(grep -o '/assets/[A-Za-z0-9_.-]*-[0-9a-f]*\.js' "$TMP/index.html" | head -n1 || true)
[ -n "$ASSET" ] || ASSET=$(grep -o '/assets/[A-Za-z0-9_.-]*-[0-9a-f]*\.[a-z]*' "$TMP/index.html" | head -n1 || true)
[ -n "$ASSET" ] || die "no hashed asset linked from kefu's /"
helper get "http://127.0.0.1:$KPORT$ASSET" "$TMP/www$ASSET"
HEALTH_BYTES=$(wc -c <"$TMP/www/healthz")
ASSET_BYTES=$(wc -c <"$TMP/www$ASSET")
chmod -R a+rX "$TMP/www"

# ---- nginx: one worker, one worker + open_file_cache, one worker per core ----
USER_LINE=""
[ "$(id -u)" -eq 0 ] && USER_LINE="user root;"
nginx_conf() { # NAME WORKERS PORT [EXTRA-HTTP-DIRECTIVES]
	cat >"$TMP/$1.conf" <<NGINX
$USER_LINE
daemon off;
worker_processes $2;
pid $TMP/$1.pid;
error_log $TMP/$1.error.log warn;
events { worker_connections 4096; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 75s;
    keepalive_requests 1000000;${4:+
    $4}
    client_body_temp_path $TMP/$1.body;
    proxy_temp_path $TMP/$1.proxy;
    fastcgi_temp_path $TMP/$1.fastcgi;
    uwsgi_temp_path $TMP/$1.uwsgi;
    scgi_temp_path $TMP/$1.scgi;
    server {
        listen 127.0.0.1:$3;
        root $TMP/www;
        location = /healthz {
            default_type application/json;
            add_header Cache-Control no-store;
        }
        location /assets/ {
            add_header Cache-Control "public, max-age=31536000, immutable";
        }
    }
}
NGINX
}
# NGINX_PID[name]: the master process; its workers are found through /proc.
declare -A NGINX_PID NPORT
start_nginx() { # NAME WORKERS [EXTRA]
	local port
	port=$(helper free-port)
	while [[ " ${NPORT[*]} $KPORT " == *" $port "* ]]; do port=$(helper free-port); done
	NPORT[$1]=$port
	nginx_conf "$1" "$2" "$port" "${3:-}"
	"$NGINX" -p "$TMP/" -e "$TMP/$1.error.log" -c "$TMP/$1.conf" &
	NGINX_PID[$1]=$!
	PIDS+=($!)
	helper wait "http://127.0.0.1:$port/healthz" 10 || die "nginx $1 did not start: $(cat "$TMP/$1.error.log")"
}
start_nginx nginx-1w 1
start_nginx nginx-1w-ofc 1 "open_file_cache max=1000 inactive=60s; open_file_cache_valid 60s;"
start_nginx nginx-auto auto

# Same bytes from both servers, or the comparison means nothing.
for port in "${NPORT[@]}"; do
	helper get "http://127.0.0.1:$port/healthz" "$TMP/check-h"
	helper get "http://127.0.0.1:$port$ASSET" "$TMP/check-a"
	cmp -s "$TMP/check-h" "$TMP/www/healthz" || die "nginx /healthz bytes differ from kefu's"
	cmp -s "$TMP/check-a" "$TMP/www$ASSET" || die "nginx asset bytes differ from kefu's"
done

# ---- targets, measured interleaved ----
SERVERS=(kefu nginx-1w nginx-1w-ofc nginx-auto)
NAMES=()
declare -A URL SERVER
for what in healthz asset; do
	for srv in "${SERVERS[@]}"; do
		n=$srv-$what
		NAMES+=("$n")
		SERVER[$n]=$srv
		if [ "$srv" = kefu ]; then port=$KPORT; else port=${NPORT[$srv]}; fi
		if [ "$what" = healthz ]; then URL[$n]="http://127.0.0.1:$port/healthz"; else URL[$n]="http://127.0.0.1:$port$ASSET"; fi
	done
done
KEFU_PID=${PIDS[0]}
server_pids() { # SERVER -> its pids (nginx: master and workers)
	if [ "$1" = kefu ]; then echo "$KEFU_PID"; return; fi
	local m=${NGINX_PID[$1]}
	echo "$m"
	grep -l "^PPid:[[:space:]]*$m\$" /proc/[0-9]*/status 2>/dev/null | cut -d/ -f3
}
cpu_ticks() { # PIDS... -> utime+stime summed, in clock ticks
	local p t=0
	for p in "$@"; do
		[ -r "/proc/$p/stat" ] || continue
		t=$((t + $(sed 's/^.*) //' "/proc/$p/stat" | awk '{print $12 + $13}')))
	done
	echo "$t"
}
HZ=$(getconf CLK_TCK)

WRK="wrk -t$THREADS -c$CONNS -d$DURATION --latency"

LOADAVG=$(cut -d" " -f1-3 /proc/loadavg)
rm -f "$RAW"/http-*.txt
echo "warm-up: $WARMUP per target"
for n in "${NAMES[@]}"; do wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" "${URL[$n]}" >/dev/null; done
for r in $(seq 1 "$ROUNDS"); do
	for n in "${NAMES[@]}"; do
		f="$RAW/http-$n-r$r.txt"
		pids=$(server_pids "${SERVER[$n]}")
		# shellcheck disable=SC2086
		c0=$(cpu_ticks $pids)
		{ echo "# $WRK ${URL[$n]}"; $WRK "${URL[$n]}"; } >"$f" 2>&1
		# shellcheck disable=SC2086
		c1=$(cpu_ticks $pids)
		reqs=$(awk '/requests in/ {print $1; exit}' "$f")
		awk -v d=$((c1 - c0)) -v hz="$HZ" -v n="${reqs:-0}" \
			'BEGIN { printf "# server CPU: %.2f s, %.2f us/request\n", d / hz, n ? d / hz / n * 1e6 : 0 }' >>"$f"
		printf 'round %d  %-24s %10s req/s  p99 %-8s %s\n' "$r" "$n" \
			"$(awk '/^Requests\/sec:/ {print $2}' "$f")" "$(awk '$1 == "99%" {print $2}' "$f")" \
			"$(awk '/^# server CPU:/ {print $6 " us/req"}' "$f")"
	done
done

# ---- parse ----
to_ms() { # wrk latency (e.g. 812.00us, 1.23ms, 1.02s) -> ms
	awk -v v="$1" 'BEGIN {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
		printf "%.2f", n }'
}
median() { sort -g | awk 'NF { a[++n] = $1 } END { if (n == 0) { print "nan"; exit }
	if (n % 2) print a[(n + 1) / 2]; else printf "%.3f\n", (a[n / 2] + a[n / 2 + 1]) / 2 }'; }
declare -A RPS P99 CPU ALLRPS ERRS
for n in "${NAMES[@]}"; do
	rps_list="" p99_list="" cpu_list="" errs=0
	for r in $(seq 1 "$ROUNDS"); do
		f="$RAW/http-$n-r$r.txt"
		rps=$(awk '/^Requests\/sec:/ {print $2}' "$f")
		[ -n "$rps" ] || die "no Requests/sec in $f: $(cat "$f")"
		rps_list+="$rps"$'\n'
		p99_list+="$(to_ms "$(awk '$1 == "99%" {print $2}' "$f")")"$'\n'
		cpu_list+="$(awk '/^# server CPU:/ {print $6}' "$f")"$'\n'
		e=$(awk '/Non-2xx or 3xx responses:/ {s += $NF} /Socket errors:/ {
			for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) s += $i } END { print s + 0 }' "$f")
		errs=$((errs + e))
	done
	RPS[$n]=$(printf '%s' "$rps_list" | median)
	P99[$n]=$(printf '%s' "$p99_list" | median)
	CPU[$n]=$(printf '%s' "$cpu_list" | median)
	ALLRPS[$n]=$(printf '%s' "$rps_list" | awk 'NF { printf "%s%.0f", (NR > 1 ? ", " : ""), $1 }')
	ERRS[$n]=$errs
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
declare -A RATIO
for srv in nginx-1w nginx-1w-ofc nginx-auto; do
	for what in healthz asset; do
		RATIO[$srv-$what]=$(ratio "${RPS[kefu-$what]}" "${RPS[$srv-$what]}")
	done
done
verdict() { awk -v r="$1" 'BEGIN { print (r >= 0.8 ? "PASS" : "FAIL") }'; }
VERDICT=$(verdict "${RATIO[nginx-1w-healthz]}")

# ---- report ----
CPU_MODEL=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
MEM=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- src 2>/dev/null || COMMIT="$COMMIT (src/ modified)"
{
	echo "# HTTP throughput: kefu vs nginx"
	echo
	echo "Generated by \`bench/http.sh\` (\`make bench\`) on $(date -u '+%Y-%m-%d %H:%M UTC')."
	echo
	echo "| | |"
	echo "|---|---|"
	echo "| machine | $(nproc) CPUs ($CPU_MODEL), $MEM, Linux $(uname -r) |"
	echo "| load avg before | $LOADAVG |"
	echo "| kefu | $("$KEFU" version 2>&1 | head -n1), binary built $(date -u -r "$KEFU" '+%Y-%m-%d %H:%M UTC'), commit $COMMIT |"
	echo "| nginx | $("$NGINX" -v 2>&1 | sed 's/^nginx version: //') |"
	echo "| wrk | $(wrk -v 2>&1 | head -n1 | awk '{print $1, $2}') |"
	echo "| load | \`$WRK URL\`, keep-alive, $ROUNDS interleaved rounds after a $WARMUP warm-up per target; wrk runs on the same machine |"
	echo
	echo "## Result"
	echo
	echo "**/healthz: kefu / nginx (1 worker) = ${RATIO[nginx-1w-healthz]}** (bar: >= 0.8, **$VERDICT**)."
	echo "Static asset: kefu / nginx (1 worker) = ${RATIO[nginx-1w-asset]}."
	echo
	echo "Server CPU per request (robust to wrk's share of the CPUs), /healthz: kefu ${CPU[kefu-healthz]} µs,"
	echo "nginx 1 worker ${CPU[nginx-1w-healthz]} µs, with open_file_cache ${CPU[nginx-1w-ofc-healthz]} µs;"
	echo "asset: kefu ${CPU[kefu-asset]} µs, nginx ${CPU[nginx-1w-asset]} µs, with open_file_cache ${CPU[nginx-1w-ofc-asset]} µs."
	if awk -v l="${LOADAVG%% *}" -v n="$(nproc)" 'BEGIN { exit !(l > n / 2) }'; then
		echo
		echo "**Warning:** the load average was $LOADAVG before the run on $(nproc) CPUs: other work"
		echo "shared the machine, so req/s are noisy; compare the CPU-per-request column."
	fi
	echo
	echo "For honesty, against stronger nginx setups:"
	echo
	echo "| kefu / ... | /healthz | asset |"
	echo "|---|---:|---:|"
	echo "| nginx, 1 worker | ${RATIO[nginx-1w-healthz]} | ${RATIO[nginx-1w-asset]} |"
	echo "| nginx, 1 worker + open_file_cache | ${RATIO[nginx-1w-ofc-healthz]} | ${RATIO[nginx-1w-ofc-asset]} |"
	echo "| nginx, \`worker_processes auto\` ($(nproc) workers) | ${RATIO[nginx-auto-healthz]} | ${RATIO[nginx-auto-asset]} |"
	echo
	echo "| target | bytes | median req/s | median p99 (ms) | server CPU µs/req | req/s per round | errors |"
	echo "|---|---:|---:|---:|---:|---|---:|"
	for n in "${NAMES[@]}"; do
		case $n in *healthz) b=$HEALTH_BYTES ;; *) b=$ASSET_BYTES ;; esac
		printf '| %s | %s | %.0f | %s | %s | %s | %s |\n' "$n" "$b" "${RPS[$n]}" "${P99[$n]}" "${CPU[$n]}" \
			"${ALLRPS[$n]}" "${ERRS[$n]}"
	done
	echo
	echo "Medians over rounds. *server CPU µs/req*: user+system CPU time of the server's processes"
	echo "(nginx: master and workers) during the run, from /proc/PID/stat, divided by the requests wrk"
	echo "counted; unlike req/s it does not depend on how much CPU wrk leaves the server."
	echo "*errors*: wrk socket errors plus non-2xx/3xx responses, summed over rounds."
	echo
	echo "## Setup"
	echo
	echo "- kefu answers HTTP on one event-loop thread, so the like-for-like reference is nginx with"
	echo "  **one worker process** (\`nginx-1w\`). \`nginx-1w-ofc\` adds \`open_file_cache\` (no"
	echo "  open/fstat/close per request, closer to kefu serving from memory). \`nginx-auto\` uses"
	echo "  \`worker_processes auto\`; on this machine its workers and wrk's $THREADS threads share $(nproc) CPUs."
	echo "- Both serve the **same bytes**: kefu's \`/healthz\` body ($HEALTH_BYTES B) and \`$ASSET\`"
	echo "  ($ASSET_BYTES B, uncompressed: wrk sends no Accept-Encoding) were fetched from kefu and"
	echo "  written into nginx's root; the script checks every nginx returns identical bodies."
	echo "- nginx: \`access_log off\`, \`sendfile on\`, \`keepalive_requests 1000000\`; kefu: \`--log-level warn\`,"
	echo "  stderr to /dev/null, fresh data dir."
	echo
	echo "Commands:"
	echo
	echo '```'
	echo "$KEFU_CMD 2>/dev/null" | sed "s#$TMP#\$TMP#g; s#$ROOT/##g"
	for srv in nginx-1w nginx-1w-ofc nginx-auto; do
		echo "$NGINX -p \$TMP/ -c \$TMP/$srv.conf     # port ${NPORT[$srv]}"
	done
	for n in "${NAMES[@]}"; do echo "$WRK ${URL[$n]}"; done
	echo '```'
	echo
	echo "nginx-1w.conf (nginx-1w-ofc adds \`open_file_cache max=1000 inactive=60s; open_file_cache_valid 60s;\`,"
	echo "nginx-auto has \`worker_processes auto\`):"
	echo
	echo '```nginx'
	sed "s#$TMP#\$TMP#g" "$TMP/nginx-1w.conf" | grep -v '^$'
	echo '```'
	echo
	echo "Raw wrk output: \`bench/results/raw/http-TARGET-rN.txt\` (not committed)."
} >"$OUT"

echo
echo "/healthz kefu/nginx(1 worker) = ${RATIO[nginx-1w-healthz]} ($VERDICT, bar 0.8); asset = ${RATIO[nginx-1w-asset]}"
echo "  vs nginx 1 worker + open_file_cache: healthz ${RATIO[nginx-1w-ofc-healthz]}, asset ${RATIO[nginx-1w-ofc-asset]}"
echo "  vs nginx worker_processes auto:      healthz ${RATIO[nginx-auto-healthz]}, asset ${RATIO[nginx-auto-asset]}"
echo "  server CPU/request, healthz: kefu ${CPU[kefu-healthz]} us, nginx-1w ${CPU[nginx-1w-healthz]} us, nginx-1w-ofc ${CPU[nginx-1w-ofc-healthz]} us (load avg before: $LOADAVG)"
echo "wrote $OUT and $RAW/http-*.txt"
