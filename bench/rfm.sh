#!/usr/bin/env bash
# bench/rfm.sh - RFM scoring speed and memory (crm/rfm.c) for 100k and 1M generated customers,
# in memory: scoring only (the database side, facts and writes: bench/crm-scale.sh).
# Builds bench/rfm.c against src/crm/rfm.c with the project's warnings, runs each size in its own
# process (so getrusage's peak RSS is that size's) and writes bench/results/crm.md; raw JSON
# lines go to bench/results/raw/rfm.jsonl. Takes a few seconds.
#
# Knobs (environment): CC=cc SIZES="100000 1000000" RUNS=3 (best of RUNS per mode)
set -euo pipefail
cd "$(dirname "$0")/.."
RESULTS=bench/results
RAW=$RESULTS/raw
SIZES=${SIZES:-100000 1000000}
RUNS=${RUNS:-3}
CC=${CC:-cc}
die() { echo "bench/rfm.sh: $*" >&2; exit 1; }
command -v "$CC" >/dev/null || die "no C compiler ($CC)"
pkg-config --exists jansson || die "jansson is not installed (scripts/deps)"
mkdir -p "$RAW"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$CC" -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter \
	-Isrc $(pkg-config --cflags jansson) -o "$tmp/rfm" bench/rfm.c src/crm/rfm.c $(pkg-config --libs jansson)

: >"$RAW/rfm.jsonl"
for n in $SIZES; do
	"$tmp/rfm" "$n" "$RUNS" | tee -a "$RAW/rfm.jsonl"
done

cpu=$(awk -F: '/model name/ {gsub(/^ +/, "", $2); print $2; exit}' /proc/cpuinfo 2>/dev/null || echo unknown)
{
	echo "# CRM: RFM scoring"
	echo
	echo "Measured by \`bench/rfm.sh\` on $(date -u +%Y-%m-%d) ($(uname -m), $cpu, $("$CC" --version | head -1), -O2)."
	echo
	echo "**Scoring only, in memory** (the recompute from the database: below). Each size runs in its own"
	echo "process: generate the facts (deterministic, ~30% of customers without orders in the window, many"
	echo "ties), then \`rfm_score()\` with the default tier rules, best of $RUNS runs per mode. Peak RSS is"
	cb=$(sed -nE '1s/.*"customer_bytes":([0-9]+).*/\1/p' "$RAW/rfm.jsonl")
	rb=$(sed -nE '1s/.*"result_bytes":([0-9]+).*/\1/p' "$RAW/rfm.jsonl")
	echo "getrusage's ru_maxrss for the whole process, so it includes the input facts ($cb bytes a customer)"
	echo "and the results ($rb bytes a customer) as well as the scorer's scratch (16 bytes per customer with"
	echo "orders, freed after each call)."
	echo
	echo "| customers | quintiles | thresholds | generate facts | peak RSS | key accounts |"
	echo "|---:|---:|---:|---:|---:|---:|"
	while read -r line; do
		echo "$line" | sed -E 's/.*"n":([0-9]+).*"generate_ms":([0-9.]+).*"quintiles_ms":([0-9.]+).*"thresholds_ms":([0-9.]+).*"maxrss_kb":([0-9]+).*"key_accounts":([0-9]+).*/\1 \2 \3 \4 \5 \6/' |
			awk '{ printf "| %d | %.1f ms | %.1f ms | %.1f ms | %.1f MB | %d |\n", $1, $3, $4, $2, $5 / 1024, $6 }'
	done <"$RAW/rfm.jsonl"
	echo
	echo "Quintiles sort three arrays of the customers with orders (O(n log n), qsort); thresholds are one"
	echo "pass. The database side of the nightly recompute (reading facts, writing scores) is measured by"
	echo "\`bench/crm-scale.sh\` below."
} >"$tmp/crm.md"
# The sections other scripts write between their markers (crm-import, crm-scale) stay.
if [ -f "$RESULTS/crm.md" ] && grep -q '^<!-- [a-z-]* -->$' "$RESULTS/crm.md"; then
	echo >>"$tmp/crm.md"
	awk '/^<!-- [a-z-]+ -->$/ { keep = 1 } keep { print }' "$RESULTS/crm.md" >>"$tmp/crm.md"
fi
cp "$tmp/crm.md" "$RESULTS/crm.md"
echo "bench/rfm.sh: wrote $RESULTS/crm.md"
