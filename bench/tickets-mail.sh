#!/usr/bin/env bash
# bench/tickets-mail.sh - inbound mail for tickets (issue 7): how many messages per second are
# parsed and filed. Generates N messages of four kinds (UTF-8 text; GBK subject, name and text;
# GBK text with a 64 KB attachment named in GBK; UTF-8 HTML only), each from its own sender so
# each opens a ticket, then measures
#   1. parsing only (bench/mail-parse.c over ticket/mime.c, in memory, best of RUNS), per kind;
#   2. `kefu mail-in` as an MTA pipe runs it: one process per message (PIPE_N of them);
#   3. the IMAP poller end to end: the N messages APPENDed to a local dovecot, then `kefu serve`
#      with one mailbox, timed from the mailbox's creation until every message is a ticket.
# Writes its section of bench/results/tickets.md between the tickets-mail markers.
#
# Knobs (environment): KEFU_BIN=./kefu N=2000 PIPE_N=400 RUNS=3 CC=cc
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
KEFU=${KEFU_BIN:-./kefu}
case $KEFU in /*) ;; *) KEFU=$ROOT/$KEFU ;; esac
N=${N:-2000}
PIPE_N=${PIPE_N:-400}
RUNS=${RUNS:-3}
CC=${CC:-cc}
OUT=$ROOT/bench/results/tickets.md
die() { echo "bench/tickets-mail.sh: $*" >&2; exit 1; }
[ -x "$KEFU" ] || die "no kefu binary at $KEFU (make kefu, or KEFU_BIN=...)"
command -v sqlite3 >/dev/null || die "the sqlite3 CLI is needed"
command -v dovecot >/dev/null || die "dovecot is needed (apt-get install dovecot-imapd)"
TMP=$(mktemp -d /tmp/kefu-tickets-mail.XXXXXX)
chmod 755 "$TMP"
SRV= DOVE=
cleanup() {
	[ -n "$SRV" ] && kill "$SRV" 2>/dev/null
	[ -n "$DOVE" ] && kill "$DOVE" 2>/dev/null
	wait 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT

# ---- the messages ----
python3 - "$TMP/msgs" "$N" <<'EOF'
import base64, os, sys
out, n = sys.argv[1], int(sys.argv[2])
for k in ('utf8', 'gbk', 'gbk-att', 'html'):
    os.makedirs(os.path.join(out, k))
text = '您好，我在贵店买的耳机左边没有声音，订单号 A{i}，请问怎么退换？谢谢。\n' * 12
att = bytes((i * 7) % 256 for i in range(64 * 1024))
def b64(s, cs): return base64.b64encode(s.encode(cs)).decode()
def lines(b): return '\r\n'.join(b[i:i + 76] for i in range(0, len(b), 76))
for i in range(n):
    kind = ('utf8', 'gbk', 'gbk-att', 'html')[i % 4]
    head = f'From: =?UTF-8?B?{b64("顾客" + str(i), "utf-8")}?= <c{i}@example.cn>\r\nTo: kefu@bench.local\r\n' \
           f'Message-ID: <bench-{i}@example.cn>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0800\r\nMIME-Version: 1.0\r\n'
    body = text.format(i=i)
    if kind == 'utf8':
        m = head + f'Subject: =?UTF-8?B?{b64("耳机没有声音 " + str(i), "utf-8")}?=\r\nContent-Type: text/plain; charset=UTF-8\r\n' \
            f'Content-Transfer-Encoding: base64\r\n\r\n{lines(b64(body, "utf-8"))}\r\n'
    elif kind == 'gbk':
        m = head + f'Subject: =?GBK?B?{b64("耳机没有声音 " + str(i), "gbk")}?=\r\nContent-Type: text/plain; charset=GBK\r\n' \
            f'Content-Transfer-Encoding: base64\r\n\r\n{lines(b64(body, "gbk"))}\r\n'
    elif kind == 'gbk-att':
        m = head + f'Subject: =?GBK?B?{b64("发票 " + str(i), "gbk")}?=\r\nContent-Type: multipart/mixed; boundary="B"\r\n\r\n' \
            f'--B\r\nContent-Type: text/plain; charset=GBK\r\nContent-Transfer-Encoding: base64\r\n\r\n{lines(b64(body, "gbk"))}\r\n' \
            f'--B\r\nContent-Type: application/pdf; name="=?GBK?B?{b64("发票.pdf", "gbk")}?="\r\n' \
            f'Content-Disposition: attachment; filename="=?GBK?B?{b64("发票.pdf", "gbk")}?="\r\nContent-Transfer-Encoding: base64\r\n\r\n' \
            f'{lines(base64.b64encode(att).decode())}\r\n--B--\r\n'
    else:
        html = '<html><head><style>p{color:red}</style></head><body>' + ''.join(f'<p>{l}&nbsp;</p>' for l in body.split('\n')) + '</body></html>'
        m = head + f'Subject: html {i}\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n{html}\r\n'
    with open(os.path.join(out, kind, f'{i:06d}.eml'), 'wb') as f:
        f.write(m.encode('utf-8'))
EOF

# ---- 1. parsing only ----
"$CC" -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wno-unused-parameter -Isrc \
	$(pkg-config --cflags gmime-3.0) -o "$TMP/mail-parse" bench/mail-parse.c src/ticket/mime.c src/core/buf.c \
	src/core/util.c src/core/alloc.c src/core/log.c $(pkg-config --libs gmime-3.0 libsodium icu-uc icu-i18n)
: >"$TMP/parse.jsonl"
for k in utf8 gbk gbk-att html; do
	"$TMP/mail-parse" "$TMP/msgs/$k" "$RUNS" "$k" | tee -a "$TMP/parse.jsonl"
done

# ---- 2. kefu mail-in, one process per message ----
PW=bench-password-123
fresh() {
	rm -rf "$1"
	"$KEFU" migrate --data "$1" >/dev/null 2>&1
	"$KEFU" site add --data "$1" "Bench shop" >/dev/null 2>&1
	echo "$PW" | "$KEFU" user add --role admin --name Admin --data "$1" admin@bench.local >/dev/null 2>&1
}
fresh "$TMP/pipe"
# the kinds interleaved (files are numbered across kinds); awk, not head, so no SIGPIPE under pipefail
ls "$TMP"/msgs/*/*.eml | awk -F/ '{ print $NF "\t" $0 }' | sort | cut -f2 | awk -v n="$PIPE_N" 'NR <= n' >"$TMP/pipe.list"
t0=$(date +%s.%N)
while read -r f; do "$KEFU" mail-in --data "$TMP/pipe" --site 1 <"$f" 2>/dev/null || true; done <"$TMP/pipe.list"
t1=$(date +%s.%N)
piped=$(sqlite3 "$TMP/pipe/kefu.db" "SELECT count(*) FROM tickets")
pipe_s=$(awk "BEGIN { printf \"%.2f\", $t1 - $t0 }")
pipe_rate=$(awk "BEGIN { printf \"%.0f\", $piped / ($t1 - $t0) }")
echo "mail-in: $piped tickets in $pipe_s s ($pipe_rate/s)"

# ---- 3. IMAP: dovecot on loopback, the poller files everything ----
DV=$TMP/dovecot
mkdir -p "$DV/mail"
IMAP_PORT=$((20000 + RANDOM % 20000))
me=$(id -un)
if [ "$(id -u)" = 0 ]; then login=dovenull internal=dovecot mailuser=dovecot; chown dovecot:dovecot "$DV/mail"
else login=$me internal=$me mailuser=$me; fi
echo "kefu@bench.local:{PLAIN}bench-imap" >"$DV/passwd"
cat >"$DV/dovecot.conf" <<EOF
base_dir = $DV/run
state_dir = $DV/state
log_path = $DV/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
default_internal_user = $internal
default_login_user = $login
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN $DV/passwd
}
userdb {
  driver = static
  args = uid=$mailuser gid=$mailuser home=$DV/home/%u
}
mail_location = maildir:$DV/mail/%u
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
  inet_listener imaps {
    port = 0
  }
}
EOF
dovecot -F -c "$DV/dovecot.conf" &
DOVE=$!
sleep 1
python3 - "$IMAP_PORT" "$TMP/msgs" <<'EOF'
import imaplib, os, sys, glob, time
for _ in range(50):
    try:
        c = imaplib.IMAP4('127.0.0.1', int(sys.argv[1])); break
    except OSError: time.sleep(0.1)
c.login('kefu@bench.local', 'bench-imap')
for f in sorted(glob.glob(os.path.join(sys.argv[2], '*', '*.eml')), key=os.path.basename):
    c.append('INBOX', None, None, open(f, 'rb').read())
c.logout()
EOF
fresh "$TMP/imap"
PORT=$((20000 + RANDOM % 20000))
"$KEFU" serve --data "$TMP/imap" --listen "127.0.0.1:$PORT" 2>"$TMP/serve.log" &
SRV=$!
for _ in $(seq 50); do curl -s "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
JAR=$TMP/jar
csrf=$(curl -s -c "$JAR" -H 'Content-Type: application/json' -d "{\"email\":\"admin@bench.local\",\"password\":\"$PW\"}" \
	"http://127.0.0.1:$PORT/api/v1/auth/login" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')
t0=$(date +%s.%N)
curl -s -b "$JAR" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' -d "{\"address\":\"kefu@bench.local\",
	\"imap_url\":\"imap+plain://127.0.0.1:$IMAP_PORT/INBOX\",\"imap_user\":\"kefu@bench.local\",\"imap_password\":\"bench-imap\",
	\"poll_seconds\":1}" "http://127.0.0.1:$PORT/api/v1/sites/1/mailboxes" >/dev/null
filed=0
for _ in $(seq 6000); do
	filed=$(sqlite3 "$TMP/imap/kefu.db" "PRAGMA busy_timeout=2000; SELECT count(*) FROM tickets" | tail -1)
	[ "$filed" -ge "$N" ] && break
	sleep 0.05
done
t1=$(date +%s.%N)
imap_s=$(awk "BEGIN { printf \"%.2f\", $t1 - $t0 }")
imap_rate=$(awk "BEGIN { printf \"%.0f\", $filed / ($t1 - $t0) }")
atts=$(sqlite3 "$TMP/imap/kefu.db" "SELECT count(*) FROM ticket_attachments")
rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$SRV/status" 2>/dev/null || echo 0)
echo "imap: $filed tickets ($atts attachments) in $imap_s s ($imap_rate/s), server peak RSS $((rss_kb / 1024)) MB"

# ---- the report ----
cpu=$(awk -F: '/model name/ {gsub(/^ +/, "", $2); print $2; exit}' /proc/cpuinfo 2>/dev/null || echo unknown)
{
	echo "<!-- tickets-mail -->"
	echo "## Inbound mail"
	echo
	echo "Measured by \`bench/tickets-mail.sh\` on $(date -u +%Y-%m-%d) ($(uname -m), $cpu, $(nproc) cores;"
	echo "N=$N generated messages, a quarter of each kind; each from its own sender, so each opens a ticket)."
	echo
	echo "**Parsing only** (\`bench/mail-parse.c\` over \`ticket/mime.c\`, in memory, best of $RUNS):"
	echo
	echo "| kind | messages | average size | messages/s | MB/s |"
	echo "|---|---:|---:|---:|---:|"
	python3 - "$TMP/parse.jsonl" <<'EOF'
import json, sys
names = {'utf8': 'UTF-8 text', 'gbk': 'GBK subject, name, text', 'gbk-att': 'GBK text + 64 KB attachment (GBK name)', 'html': 'UTF-8 HTML only'}
for l in open(sys.argv[1]):
    r = json.loads(l)
    print(f"| {names[r['label']]} | {r['messages']} | {r['bytes'] // r['messages'] / 1024:.1f} KB | {r['msgs_per_s']:,} | {r['mb_per_s']} |")
EOF
	echo
	echo "**Parsed and filed** (a ticket each: the ticket, its message, the search row, attachments under DATA/files):"
	echo
	echo "| path | messages | seconds | messages/s |"
	echo "|---|---:|---:|---:|"
	echo "| \`kefu mail-in\` (an MTA pipe: one process per message, opening the database each time) | $piped | $pipe_s | $pipe_rate |"
	echo "| IMAP poller (\`kefu serve\`, dovecot on loopback, 20 messages a round, fetched and parsed on the worker pool) | $filed | $imap_s | $imap_rate |"
	echo
	echo "The IMAP run includes the first poll (up to a second) and the polling of the ticket count; the server's"
	echo "peak RSS during it was $((rss_kb / 1024)) MB."
	echo "<!-- /tickets-mail -->"
} >"$TMP/section.md"
if [ -f "$OUT" ]; then
	awk '/<!-- tickets-mail -->/ { skip = 1 } !skip { print } /<!-- \/tickets-mail -->/ { skip = 0 }' "$OUT" >"$TMP/old.md"
else
	printf '# Tickets\n\n' >"$TMP/old.md"
fi
cat "$TMP/old.md" "$TMP/section.md" >"$OUT"
echo "bench/tickets-mail.sh: wrote $OUT"
