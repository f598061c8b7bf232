#!/usr/bin/env bash
# bench/track.sh - visitor tracking: how many page-view events one kefu process ingests, the
# latency of the widget's report call, and how fast the statistics answer for a year of one site.
#
# 1. Starts ./kefu (or $KEFU_BIN) on a free loopback port with a fresh data dir and a site, makes
#    TOKENS visitors (one page view each), then drives POST /api/v1/track with wrk
#    (bench/track.lua): one page view per two one-second heartbeats, over those tokens, one event
#    per report as the widget sends them. kefu writes them in batched transactions.
#    Reference in the same run: nginx (1 worker) answering the same POST with a static 204.
# 2. Stops kefu (the queue is flushed) and checks that every answered report reached the
#    database: page views in the rollups + heartbeat seconds == answered reports.
# 3. Writes a year of data for a second site (bench/track-year.py: rollups of ~VIEWS_PER_DAY page
#    views a day and CHATS conversations), restarts kefu and times GET /api/v1/stats for 365
#    days, STATS_CALLS times.
# Summary to bench/results/tracking.md; raw output to bench/results/raw/.
#
# Knobs (environment): KEFU_BIN=./kefu DURATION=10s THREADS=2 CONNS=64 TOKENS=2000
#                      VIEWS_PER_DAY=8200 CHATS=50000 STATS_CALLS=20 NGINX_BIN=/usr/sbin/nginx
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

KEFU=${KEFU_BIN:-./kefu}
case $KEFU in /*) ;; *) KEFU=$ROOT/$KEFU ;; esac
NGINX=${NGINX_BIN:-/usr/sbin/nginx}
DURATION=${DURATION:-10s}
THREADS=${THREADS:-2}
CONNS=${CONNS:-64}
TOKENS=${TOKENS:-2000}
VIEWS_PER_DAY=${VIEWS_PER_DAY:-8200}
CHATS=${CHATS:-50000}
STATS_CALLS=${STATS_CALLS:-20}
PY=/usr/bin/python3
RESULTS=$ROOT/bench/results
RAW=$RESULTS/raw
OUT=$RESULTS/tracking.md
ORIGIN=http://shop.example
EMAIL=bench@example.com
PASSWORD=bench-password-123

die() { echo "bench/track.sh: $*" >&2; exit 1; }
[ -x "$KEFU" ] || die "no kefu binary at $KEFU (run make)"
command -v wrk >/dev/null || die "wrk is not installed (scripts/deps bench)"
[ -x "$NGINX" ] || die "nginx is not installed at $NGINX (scripts/deps bench)"
[ -x "$PY" ] || die "$PY is missing"
mkdir -p "$RAW"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/kefu-bench-track.XXXXXX")
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
client() { node "$ROOT/bench/track-client.mjs" "$@"; }
DATA=$TMP/data
T0=$(date +%s)

# ---- kefu with an admin and a site; no per-address limit (all load comes from one address) ----
mkdir -p "$DATA"
printf '[track]\nreports_per_min = 10000000\nnew_visitors_per_min = 10000000\n' >"$DATA/kefu.conf"
echo "$PASSWORD" | "$KEFU" user add --role admin --data "$DATA" "$EMAIL" >/dev/null 2>&1
SITE1=$("$KEFU" site add --data "$DATA" "Bench shop" 2>/dev/null | sed -n 's/.*key \(s_[A-Za-z0-9_-]*\)).*/\1/p')
[ -n "$SITE1" ] || die "could not create a site"
KPORT=$(client free-port)
start_kefu() {
	"$KEFU" serve --listen "127.0.0.1:$KPORT" --data "$DATA" --log-level warn 2>>"$RAW/track-kefu.log" &
	KEFU_PID=$!
	PIDS+=("$KEFU_PID")
	client wait "http://127.0.0.1:$KPORT/healthz" 15 || die "kefu did not start"
}
stop_kefu() {
	kill -TERM "$KEFU_PID"
	wait "$KEFU_PID" || die "kefu did not stop cleanly"
}
: >"$RAW/track-kefu.log"
start_kefu
client tokens "http://127.0.0.1:$KPORT" "$SITE1" "$ORIGIN" "$TOKENS" "$TMP/tokens.txt"

# ---- nginx answering the same POST with 204 ----
NPORT=$(client free-port)
USER_LINE=""
[ "$(id -u)" -eq 0 ] && USER_LINE="user root;"
cat >"$TMP/nginx.conf" <<NGINX
$USER_LINE
daemon off;
worker_processes 1;
pid $TMP/nginx.pid;
error_log $TMP/nginx.error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_timeout 75s;
    keepalive_requests 1000000;
    client_body_temp_path $TMP/nginx.body;
    proxy_temp_path $TMP/nginx.proxy;
    fastcgi_temp_path $TMP/nginx.fastcgi;
    uwsgi_temp_path $TMP/nginx.uwsgi;
    scgi_temp_path $TMP/nginx.scgi;
    server {
        listen 127.0.0.1:$NPORT;
        location / { return 204; }
    }
}
NGINX
"$NGINX" -p "$TMP/" -e "$TMP/nginx.error.log" -c "$TMP/nginx.conf" &
PIDS+=($!)
client wait "http://127.0.0.1:$NPORT/" 10 || die "nginx did not start"

# ---- ingest under wrk ----
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
HZ=$(getconf CLK_TCK)
LOADAVG=$(cut -d" " -f1-3 /proc/loadavg)
run_wrk() { # NAME PORT
	local f="$RAW/track-$1.txt"
	TRACK_TOKENS=$TMP/tokens.txt TRACK_ORIGIN=$ORIGIN TRACK_PATH="/api/v1/track?site=$SITE1" \
		wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -s "$ROOT/bench/track.lua" "http://127.0.0.1:$2" >"$f" 2>&1
	echo "$f"
}
TRACK_TOKENS=$TMP/tokens.txt TRACK_ORIGIN=$ORIGIN TRACK_PATH="/api/v1/track?site=$SITE1" \
	wrk -t"$THREADS" -c"$CONNS" -d2s -s "$ROOT/bench/track.lua" "http://127.0.0.1:$KPORT" >"$RAW/track-warmup.txt" 2>&1
W_OK=$(awk '/^# answers:/ {print $3}' "$RAW/track-warmup.txt")
c0=$(cpu_ticks "$KEFU_PID")
KF=$(run_wrk kefu "$KPORT")
c1=$(cpu_ticks "$KEFU_PID")
NG=$(run_wrk nginx "$NPORT")
field() { awk "$2" "$1"; }
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
	if (u == "us") n /= 1000; else if (u == "s") n *= 1000; printf "%.2f", n }'; }
K_RPS=$(field "$KF" '/^Requests\/sec:/ {print $2}')
K_P50=$(to_ms "$(field "$KF" '$1 == "50%" {print $2}')")
K_P99=$(to_ms "$(field "$KF" '$1 == "99%" {print $2}')")
K_OK=$(field "$KF" '/^# answers:/ {print $3}')
K_BAD=$(field "$KF" '/^# answers:/ {print $5}')
N_RPS=$(field "$NG" '/^Requests\/sec:/ {print $2}')
N_P50=$(to_ms "$(field "$NG" '$1 == "50%" {print $2}')")
N_P99=$(to_ms "$(field "$NG" '$1 == "99%" {print $2}')")
K_CPU_US=$(awk -v d=$((c1 - c0)) -v hz="$HZ" -v n="$K_OK" 'BEGIN { printf "%.1f", n ? d / hz / n * 1e6 : 0 }')
echo "kefu  $K_RPS reports/s  p50 $K_P50 ms  p99 $K_P99 ms  ($K_OK ok, $K_BAD not ok, $K_CPU_US us CPU each)"
echo "nginx $N_RPS req/s      p50 $N_P50 ms  p99 $N_P99 ms"

# ---- every answered report is in the database ----
stop_kefu
read -r DB_VIEWS DB_SECS DB_ROWS <<<"$("$PY" - "$DATA/kefu.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
v, s = db.execute('SELECT coalesce(sum(pageviews), 0), coalesce(sum(seconds), 0) FROM track_daily').fetchone()
print(v, s, db.execute('SELECT count(*) FROM track_pageviews').fetchone()[0])
PY
)"
# Answered: the token-making views, the warm-up's and the measured run's reports. Reports still
# in flight when wrk stops (at most CONNS per run) are stored but not counted as answered.
ANSWERED=$((TOKENS + W_OK + K_OK))
EXTRA=$((DB_VIEWS + DB_SECS - ANSWERED))
echo "database: $DB_VIEWS page views ($DB_ROWS rows) + $DB_SECS heartbeat seconds; answered: $ANSWERED; unanswered but stored: $EXTRA"
[ "$DB_VIEWS" -eq "$DB_ROWS" ] || die "rollup page views ($DB_VIEWS) differ from page view rows ($DB_ROWS)"
[ "$EXTRA" -ge 0 ] || die "fewer events in the database than answered reports"
[ "$EXTRA" -le $((2 * CONNS)) ] || die "more events in the database than reports sent"

# ---- a year for one site, and the statistics for it ----
SITE2_ID=$("$KEFU" site add --data "$DATA" "Year shop" 2>/dev/null | sed -n 's/.*(id \([0-9]*\),.*/\1/p')
GEN=$("$PY" "$ROOT/bench/track-year.py" "$DATA/kefu.db" "$SITE2_ID" 365 "$VIEWS_PER_DAY" "$CHATS")
echo "generated: $GEN"
DBSIZE=$(du -h "$DATA/kefu.db" | cut -f1)
start_kefu
TO=$(date -u +%F)
FROM=$(date -u -d "$TO - 364 days" +%F)
STATS=$(client stats "http://127.0.0.1:$KPORT" "$EMAIL" "$PASSWORD" "$SITE2_ID" "$FROM" "$TO" "$STATS_CALLS")
echo "$STATS" >"$RAW/track-stats.json"
jv() { node -e "const d = JSON.parse(process.argv[1]); const v = $2; console.log(typeof v === 'number' ? +v.toFixed(2) : v)" "$STATS" "$1"; }
S_MED=$(jv x d.median)
S_P99=$(jv x d.p99)
S_DAYS=$(jv x d.days)
S_PV=$(jv x d.totals.pageviews)
S_CHATS=$(jv x d.totals.chats)
S_CSV=$(jv x d.csv_ms)
S_BYTES=$(jv x d.bytes)
echo "stats for $S_DAYS days ($S_PV page views, $S_CHATS chats): median $S_MED ms, p99 $S_P99 ms; CSV $S_CSV ms"
stop_kefu
T1=$(date +%s)

# ---- report ----
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
MEM=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
cat >"$OUT" <<MD
# Visitor tracking: ingest and statistics

Generated by \`bench/track.sh\` (\`make bench\`, or \`KEFU_BIN=./kefu bash bench/track.sh\`) on $(date -u '+%F %H:%M UTC'),
in $((T1 - T0)) s.

| | |
|---|---|
| machine | $(nproc) CPUs ($CPU), $MEM, Linux $(uname -r) |
| load avg before | $LOADAVG |
| kefu | $("$KEFU" version), commit $COMMIT |
| nginx | $("$NGINX" -v 2>&1 | sed 's/.*: //') |
| load | \`wrk -t$THREADS -c$CONNS -d$DURATION --latency -s bench/track.lua\`, keep-alive, after a 2 s warm-up; wrk on the same machine |
| traffic | POST /api/v1/track as the widget sends it (text/plain JSON, Origin checked, one event per report) over $TOKENS visitor tokens: one page view for every two 1-second heartbeats |

## Ingest (one process)

| | reports/s (= events/s) | p50 | p99 |
|---|---:|---:|---:|
| **kefu** (validate, presence, queue; batched SQLite transactions every 200 ms or 512 events) | **$K_RPS** | $K_P50 ms | **$K_P99 ms** |
| nginx 1 worker, \`return 204\` for the same POST (reference) | $N_RPS | $N_P50 ms | $N_P99 ms |
| kefu / nginx | $(ratio "$K_RPS" "$N_RPS") | | |

kefu's CPU per answered report: $K_CPU_US µs. Answers: $K_OK OK, $K_BAD not OK.
Checked after a clean stop: the rollups hold $DB_VIEWS page views (= $DB_ROWS raw page view rows) and $DB_SECS
heartbeat seconds, i.e. every one of the $ANSWERED answered reports ($TOKENS token-making views, $W_OK in the warm-up,
$K_OK measured) plus $EXTRA that were in flight when wrk stopped (stored, their answers not counted): none was lost.

## Statistics for a year of one site

\`bench/track-year.py\` wrote 365 days of rollups for one site ($GEN), i.e. what ~$VIEWS_PER_DAY page views a day leave
behind after the daily compaction (30 keys per top list and day, 500 for today and yesterday), and the conversations;
database $DBSIZE. Raw page views are not generated: the statistics never read them.

| \`GET /api/v1/stats?site=…&from=$FROM&to=$TO\` ($STATS_CALLS sequential calls) | |
|---|---:|
| median | **$S_MED ms** |
| p99 | **$S_P99 ms** |
| answer | $S_DAYS days, $S_PV page views, $S_CHATS chats, $S_BYTES bytes of JSON |
| the same range as CSV (one call) | $S_CSV ms |

Reading it: wrk keeps $CONNS connections busy, so both servers run saturated and the latencies include queueing;
kefu's tail also carries the batch commits (up to 512 events in one transaction), which run on the event loop.
nginx does no work at all for the POST, so the ratio is the price of validating, looking up the site and the
visitor (three indexed SELECTs, each its own WAL read transaction) and writing with the rollups. The year's
statistics read 365 rollup rows, ~23,000 top-list rows (three GROUP BYs) and 50,000 conversations.

Raw numbers: \`bench/results/raw/track-kefu.txt\`, \`track-nginx.txt\`, \`track-stats.json\`.
MD
echo "wrote $OUT"
