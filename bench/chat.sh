#!/usr/bin/env bash
# bench/chat.sh - the live chat under load: kefu against a minimal Node.js `ws` relay.
#
# Builds nothing: it copies ./kefu (or $KEFU_BIN) into a temp dir (a rebuild during the run does
# not change the binary measured) and, for each phase, starts a fresh kefu on a free loopback
# port with a fresh data dir (an admin made with `kefu user add`, a site with `kefu site add
# --preview`, and kefu.conf below) and a fresh bench/chat/relay.mjs (Node `ws`, forwards visitor
# messages to the watching agents, persists nothing). The load client is bench/chat/load.mjs:
# PROCS visitor processes and AGENTS agent processes (bench/chat/worker.mjs, npm `ws`).
#   widget  /demo?site=KEY in headless chromium (bench/chat/widget.mjs): requests other than
#           the page itself and their encoded bytes, before the chat is opened.
#   idle    visitor WebSockets (hello -> welcome, then silent) held by one server process:
#           VmRSS before, at each of IDLE_COUNTS, after closing them, and after opening the
#           last count again; kefu then relay.
#   rate    RATE_VISITORS visitors, each with a conversation that the agent watches, send at
#           a fixed total rate (open loop, evenly spread); latency = agent receive time - visitor
#           send time (CLOCK_MONOTONIC, shared by the processes). RATES ramp, ROUNDS rounds
#           per rate, kefu and relay interleaved; a target that fails a rate (median p99 >= 10 ms,
#           or any message lost/unacknowledged) is not tried higher, except at ALWAYS_RATES.
#   active  K visitors, each sending every ACTIVE_PERIOD_S, agent watching all; K grows
#           through ACTIVE_KS until p99 >= 50 ms (or a loss); with the relay interleaved
#           unless ACTIVE_RELAY=0.
# Results: bench/results/chat.md; raw JSON and logs: bench/results/raw/chat-*.
#
# kefu.conf for the runs: [limits] chat_msgs_per_10s = 1000000 (one visitor may send more than
# the default 20 per 10 s) and max_conns = MAX_CONNS (default 19000 leaves the last ~1k of the
# 20,000 file descriptors a process may have here unused).
#
# Knobs (environment): KEFU_BIN=./kefu PHASES="widget idle rate active" PROCS=4 AGENTS=1
#   IDLE_COUNTS="10000 19900" MAX_CONNS=19980 RATES="1000 2000 3000 5000 8000"
#   ALWAYS_RATES="1000 5000" ROUNDS=3 RATE_VISITORS=1000 STEP_S=4 WARMUP_S=1
#   ACTIVE_KS="1000 3000 5000 10000 15000 18000" ACTIVE_PERIOD_S=5 ACTIVE_STEP_S=8 ACTIVE_RELAY=1
#   QUIET_PCT=30 QUIET_WAIT_S=5 QUIET_BUDGET_S=20 (the machine is shared: before each rate/active
#   step, wait until other work uses under QUIET_PCT % of a CPU, at most QUIET_WAIT_S per step and
#   QUIET_BUDGET_S per phase)  CHROMIUM=/usr/bin/chromium
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

KEFU_SRC=${KEFU_BIN:-./kefu}
case $KEFU_SRC in /*) ;; *) KEFU_SRC=$ROOT/$KEFU_SRC ;; esac
PHASES=${PHASES:-"widget idle rate active"}
PROCS=${PROCS:-4}
AGENTS=${AGENTS:-1}
IDLE_COUNTS=${IDLE_COUNTS:-"10000 19900"}
MAX_CONNS=${MAX_CONNS:-19980}
RATES=${RATES:-"1000 2000 3000 5000 8000"}
ALWAYS_RATES=${ALWAYS_RATES:-"1000 5000"}
ROUNDS=${ROUNDS:-3}
RATE_VISITORS=${RATE_VISITORS:-1000}
STEP_S=${STEP_S:-4}
WARMUP_S=${WARMUP_S:-1}
ACTIVE_KS=${ACTIVE_KS:-"1000 3000 5000 10000 15000 18000"}
ACTIVE_PERIOD_S=${ACTIVE_PERIOD_S:-5}
ACTIVE_STEP_S=${ACTIVE_STEP_S:-8}
ACTIVE_RELAY=${ACTIVE_RELAY:-1}
QUIET_PCT=${QUIET_PCT:-30}
QUIET_WAIT_S=${QUIET_WAIT_S:-5}
QUIET_BUDGET_S=${QUIET_BUDGET_S:-20}
export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
RESULTS=$ROOT/bench/results
RAW=$RESULTS/raw
OUT=$RESULTS/chat.md
EMAIL=bench-admin@example.com
PASSWORD=bench-password-not-secret

die() { echo "bench/chat.sh: $*" >&2; exit 1; }
[ -x "$KEFU_SRC" ] || die "no kefu binary at $KEFU_SRC (run make)"
command -v node >/dev/null || die "node is not installed (scripts/deps build)"
[ -d node_modules/ws ] || die "npm ws is not installed (npm ci)"
mkdir -p "$RAW"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/kefu-bench-chat.XXXXXX")
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cp "$KEFU_SRC" "$TMP/kefu"
KEFU=$TMP/kefu
KEFU_VERSION=$("$KEFU" version 2>&1 | head -n1)
KEFU_BUILT=$(date -u -r "$KEFU_SRC" '+%Y-%m-%d %H:%M UTC')

cat >"$TMP/net.mjs" <<'JS'
import http from 'node:http';
import net from 'node:net';
const [cmd, url, arg] = process.argv.slice(2);
if (cmd === 'free-port') {
	const s = net.createServer().listen(0, '127.0.0.1', () => { console.log(s.address().port); s.close(); });
} else if (cmd === 'wait') {
	const end = Date.now() + Number(arg) * 1000;
	const get = () => new Promise((res) => http.get(url, { agent: false }, (r) => { r.resume(); res(r.statusCode); }).on('error', () => res(0)));
	for (;;) {
		if ((await get()) === 200) process.exit(0);
		if (Date.now() > end) { console.error(`no 200 from ${url}`); process.exit(1); }
		await new Promise((r) => setTimeout(r, 50));
	}
}
JS
helper() { node "$TMP/net.mjs" "$@"; }

rm -f "$RAW"/chat-*
LOADAVG=$(cut -d" " -f1-3 /proc/loadavg)
T_START=$(date +%s)
CMDS=()      # the exact commands, for the report
PROBLEMS=()  # what went wrong (the script then exits 1), for the report
NOTES=()     # what is worth a look but is not a failure (kefu's warnings)

# start_kefu PHASE: a fresh data dir and server; sets KPORT, KPID, KEY, KLOG.
start_kefu() {
	local d=$TMP/$1
	mkdir -p "$d"
	printf '%s\n' "$PASSWORD" | "$KEFU" user add --role admin --name Bench --data "$d" "$EMAIL" >/dev/null 2>&1 ||
		die "kefu user add failed"
	KEY=$("$KEFU" site add --preview --data "$d" "Bench shop" 2>/dev/null | grep -o 's_[A-Za-z0-9_-]*' | head -n1)
	[ -n "$KEY" ] || die "kefu site add printed no site key"
	printf '[limits]\nchat_msgs_per_10s = 1000000\nmax_conns = %s\n' "$MAX_CONNS" >"$d/kefu.conf"
	KPORT=$(helper free-port)
	KLOG=$RAW/chat-kefu-$1.log
	"$KEFU" serve --listen "127.0.0.1:$KPORT" --data "$d" --log-level warn 2>"$KLOG" &
	KPID=$!
	PIDS+=("$KPID")
	helper wait "http://127.0.0.1:$KPORT/healthz" 15 || die "kefu did not answer /healthz: $(cat "$KLOG")"
	CMDS+=("# $1: kefu (data dir \$TMP/$1 with kefu.conf as above)"
		"printf '%s\\n' PASSWORD | kefu user add --role admin --name Bench --data \$TMP/$1 $EMAIL"
		"kefu site add --preview --data \$TMP/$1 'Bench shop'"
		"kefu serve --listen 127.0.0.1:$KPORT --data \$TMP/$1 --log-level warn")
}
# start_relay PHASE: sets RPORT, RPID.
start_relay() {
	RPORT=$(helper free-port)
	while [ "$RPORT" = "$KPORT" ]; do RPORT=$(helper free-port); done
	node bench/chat/relay.mjs "$RPORT" 2>"$RAW/chat-relay-$1.log" &
	RPID=$!
	PIDS+=("$RPID")
	helper wait "http://127.0.0.1:$RPORT/healthz" 15 || die "relay did not start: $(cat "$RAW/chat-relay-$1.log")"
	CMDS+=("node bench/chat/relay.mjs $RPORT")
}
# stop PHASE NAME PID: checks the server is still up, stops it, records how it ended.
stop() {
	local rc=0 state
	state=$(awk '{ print $3 }' "/proc/$3/stat" 2>/dev/null || true)
	if [ -z "$state" ] || [ "$state" = Z ]; then
		wait "$3" 2>/dev/null || rc=$?
		PROBLEMS+=("$1: **$2 exited during the phase** (status $rc); see bench/results/raw/chat-$2-$1.log")
		return
	fi
	kill "$3" 2>/dev/null || true
	wait "$3" 2>/dev/null || rc=$?
	[ "$rc" -eq 0 ] || [ "$rc" -eq 143 ] || PROBLEMS+=("$1: $2 exited with status $rc when stopped")
}
# load PHASE ARGS...: runs load.mjs, output under raw/.
load() {
	local phase=$1
	shift
	CMDS+=("node bench/chat/load.mjs $phase $* --out bench/results/raw/chat-$phase.json")
	if ! node bench/chat/load.mjs "$phase" "$@" --out "$RAW/chat-$phase.json" 2>&1 | tee "$RAW/chat-$phase.log" >&2; then
		PROBLEMS+=("$phase: the load client failed: $(grep -m1 'load.mjs' "$RAW/chat-$phase.log" || tail -n1 "$RAW/chat-$phase.log")")
	fi
}
kefu_warnings() { # PHASE -> lines of kefu's log (warn and above), counted
	local n
	n=$(grep -c . "$RAW/chat-kefu-$1.log" || true)
	[ "$n" -eq 0 ] || NOTES+=("$1: kefu logged $n line(s) at warn or above, e.g. \`$(head -n1 "$RAW/chat-kefu-$1.log" | cut -c1-200)\`")
}
QUIET=(--quiet-pct "$QUIET_PCT" --quiet-wait-s "$QUIET_WAIT_S" --quiet-budget-s "$QUIET_BUDGET_S")
csv() { echo "$*" | tr -s ' ' ','; }

for phase in $PHASES; do
	echo "== chat: $phase (+$(($(date +%s) - T_START)) s)"
	case $phase in
	widget)
		start_kefu widget
		CMDS+=("node bench/chat/widget.mjs 'http://127.0.0.1:$KPORT/demo?site=$KEY' bench/results/raw/chat-widget.json")
		node bench/chat/widget.mjs "http://127.0.0.1:$KPORT/demo?site=$KEY" "$RAW/chat-widget.json" ||
			PROBLEMS+=("widget: bench/chat/widget.mjs failed")
		stop widget kefu "$KPID"
		kefu_warnings widget
		;;
	idle)
		start_kefu idle
		start_relay idle
		load idle --target "kefu=http://127.0.0.1:$KPORT,$KPID,$KEY" --target "relay=http://127.0.0.1:$RPORT,$RPID" \
			--counts "$(csv "$IDLE_COUNTS")" --procs "$PROCS"
		stop idle kefu "$KPID"
		stop idle relay "$RPID"
		kefu_warnings idle
		;;
	rate)
		start_kefu rate
		start_relay rate
		load rate --target "kefu=http://127.0.0.1:$KPORT,$KPID,$KEY,$EMAIL:$PASSWORD" \
			--target "relay=http://127.0.0.1:$RPORT,$RPID" --rates "$(csv "$RATES")" --always "$(csv "$ALWAYS_RATES")" \
			--rounds "$ROUNDS" --visitors "$RATE_VISITORS" --step-s "$STEP_S" --warmup-s "$WARMUP_S" \
			--procs "$PROCS" --agents "$AGENTS" "${QUIET[@]}"
		stop rate kefu "$KPID"
		stop rate relay "$RPID"
		kefu_warnings rate
		;;
	active)
		start_kefu active
		rt=()
		if [ "$ACTIVE_RELAY" = 1 ]; then
			start_relay active
			rt=(--target "relay=http://127.0.0.1:$RPORT,$RPID")
		fi
		load active --target "kefu=http://127.0.0.1:$KPORT,$KPID,$KEY,$EMAIL:$PASSWORD" "${rt[@]}" \
			--ks "$(csv "$ACTIVE_KS")" --period-s "$ACTIVE_PERIOD_S" --step-s "$ACTIVE_STEP_S" --warmup-s "$WARMUP_S" \
			--procs "$PROCS" --agents "$AGENTS" "${QUIET[@]}"
		stop active kefu "$KPID"
		[ "$ACTIVE_RELAY" = 1 ] && stop active relay "$RPID"
		kefu_warnings active
		;;
	*) die "unknown phase $phase (widget idle rate active)" ;;
	esac
done
ELAPSED=$(($(date +%s) - T_START))

# ---- report ----
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- src 2>/dev/null || COMMIT="$COMMIT (src/ modified)"
REPORT_CPU="$(nproc) CPUs ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo))"
REPORT_MEM=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
REPORT_KERNEL=$(uname -r)
REPORT_NOFILE=$(ulimit -n)
REPORT_NODE=$(node --version)
REPORT_WS=$(node -p 'require("ws/package.json").version')
REPORT_KEFU="$KEFU_VERSION, binary built $KEFU_BUILT"
export REPORT_RAW=$RAW REPORT_ELAPSED=$ELAPSED REPORT_LOADAVG=$LOADAVG REPORT_COMMIT=$COMMIT REPORT_KEFU \
	REPORT_MAX_CONNS=$MAX_CONNS REPORT_PROCS=$PROCS REPORT_AGENTS=$AGENTS REPORT_CPU REPORT_MEM REPORT_KERNEL \
	REPORT_NOFILE REPORT_NODE REPORT_WS
REPORT_CMDS=$(printf '%s\n' "${CMDS[@]}" | sed "s#$TMP#\$TMP#g; s#$PASSWORD#PASSWORD#g")
REPORT_PROBLEMS=$(printf '%s\n' "${PROBLEMS[@]+"${PROBLEMS[@]}"}")
REPORT_NOTES=$(printf '%s\n' "${NOTES[@]+"${NOTES[@]}"}")
export REPORT_CMDS REPORT_PROBLEMS REPORT_NOTES
node bench/chat/report.mjs >"$OUT"
echo
sed -n '/^## Summary/,/^## /p' "$OUT" | sed '$d'
echo "wrote $OUT and $RAW/chat-* (${ELAPSED} s)"
[ ${#PROBLEMS[@]} -eq 0 ] || { printf 'problem: %s\n' "${PROBLEMS[@]}" >&2; exit 1; }
