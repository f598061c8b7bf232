#!/usr/bin/env bash
# bench/crm-import.sh - `kefu import orders` throughput (issue 6): rows/s for the olist sample
# (../shared/data/crm/olist2017_10k, 10,000 real orders) and for GEN_ROWS generated orders, each
# into a fresh data dir, then the same file again (every row "unchanged": the idempotent path).
# Times are wall clock of the whole command (reading, validating, hashing, one transaction per
# order). Writes its section of bench/results/crm.md between the crm-import markers (the RFM
# section above it belongs to bench/rfm.sh).
#
# Knobs (environment): KEFU_BIN=./kefu GEN_ROWS=1000000 (the issue's size: about three minutes
#                      here with the re-import; GEN_ROWS=200000 for a quick look)
#                      OLIST=../shared/data/crm/olist2017_10k/orders.csv
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
KEFU=${KEFU_BIN:-./kefu}
case $KEFU in /*) ;; *) KEFU=$ROOT/$KEFU ;; esac
GEN_ROWS=${GEN_ROWS:-1000000}
OLIST=${OLIST:-$ROOT/../shared/data/crm/olist2017_10k/orders.csv}
OUT=$ROOT/bench/results/crm.md
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# Deterministic orders: 1 customer in 4 repeats, statuses of all five kinds, dates over 2025.
awk -v n="$GEN_ROWS" 'BEGIN {
	split("paid shipped delivered cancelled returned", st, " ");
	print "number,customer,placed_at,total,status,items";
	for (i = 1; i <= n; i++)
		printf "G-%d,c%d,%d,%d.%02d,%s,%d\n", i, i % int(n * 3 / 4 + 1), 1735689600 + (i * 97) % 31536000,
		       (i * 7919) % 5000, i % 100, st[i % 5 + 1], i % 4 + 1;
}' > "$TMP/gen.csv"

# run NAME FILE MAP CURRENCY: prints "rows seconds rows/s summary" for a fresh import and a re-import.
run() {
	local dir=$TMP/$1 t0 t1 t2 rows s1 s2
	"$KEFU" migrate --data "$dir" >/dev/null 2>&1
	"$KEFU" site add --data "$dir" Bench >/dev/null 2>&1
	rows=$(($(wc -l < "$2") - 1))
	t0=$(date +%s.%N)
	s1=$("$KEFU" import orders --data "$dir" --currency "$4" --map "$3" "$2" 2>/dev/null)
	t1=$(date +%s.%N)
	s2=$("$KEFU" import orders --data "$dir" --currency "$4" --map "$3" "$2" 2>/dev/null)
	t2=$(date +%s.%N)
	s1=${s1%%$'\n'*}   # the summary line, not the rejected rows
	awk -v name="$1" -v rows="$rows" -v a="$t0" -v b="$t1" -v c="$t2" -v s1="$s1" -v s2="$s2" 'BEGIN {
		printf "| %s | %d | %.2f s | %.0f | %.2f s | %.0f | %s |\n", name, rows, b - a, rows / (b - a), c - b,
		       rows / (c - b), s1 }'
}

{
	echo "| file | rows | import | rows/s | re-import (unchanged) | rows/s | first import's summary |"
	echo "|---|---:|---:|---:|---:|---:|---|"
	if [ -f "$OLIST" ]; then
		run olist "$OLIST" number=order_id,customer=customer_id,placed_at=order_date,total=amount,status=status,items=items BRL
	fi
	run generated "$TMP/gen.csv" "" CNY
} > "$TMP/table.md"
cat "$TMP/table.md"

section() {
	echo "<!-- crm-import -->"
	echo "## Import: \`kefu import orders\`"
	echo
	echo "Measured by \`bench/crm-import.sh\` on $(date -u +%Y-%m-%d) ($(uname -m), $(nproc) cores, shared machine)."
	echo "Each file goes into a fresh data dir, then is imported again (every row unchanged: validated"
	echo "and hashed, nothing written). One transaction per order; rows are not batched."
	if [ "$GEN_ROWS" -lt 1000000 ]; then
		echo "**Generated: $GEN_ROWS rows, not 1M** (\`bench/crm-import.sh\` without GEN_ROWS measures 1M)."
	fi
	echo
	cat "$TMP/table.md"
	echo
	echo "olist rows with 0 items (111, all \"unavailable\" at 0.00) are rejected: a Kefu order has 1 to 200 items."
	echo "<!-- /crm-import -->"
}
if [ -f "$OUT" ]; then
	awk '/<!-- crm-import -->/ { skip = 1 } !skip { print } /<!-- \/crm-import -->/ { skip = 0 }' "$OUT" > "$TMP/old.md"
else
	: > "$TMP/old.md"
fi
{ sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' "$TMP/old.md"; echo; section; } > "$OUT"
echo "wrote $OUT"
