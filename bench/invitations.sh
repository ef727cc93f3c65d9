#!/usr/bin/env bash
# Benchmark: an invitation campaign to 10,000 contacts, then the event page under load
# while the mail worker sends that campaign.
#
#   bench/invitations.sh                 # 10,000 contacts, 10 s of wrk
#   CONTACTS=20000 bench/invitations.sh
#
# 1. Builds the Release binary, starts postfix's smtp-sink and sabor on a fresh data
#    folder (no access log, no mail rate limit, SMTP at the sink), creates and publishes an
#    event, imports CONTACTS contacts with one tag through POST /api/v1/contacts/import.
# 2. Times POST /api/v1/events/ID/invitations for that tag (curl's total time, which
#    includes the whole transaction: one invitation row and one outbox recipe per contact).
# 3. At once runs wrk -t2 -c64 --latency against the event page (/events/SLUG) for
#    DURATION seconds while the worker builds and sends the invitations to the sink.
# 4. Prints a table, writes it to bench/out/invitations.txt, exits 1 if a goal fails:
#    queueing < 2 s, event page p99 < 20 ms, every invitation delivered.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"

CONTACTS="${CONTACTS:-10000}"
DURATION="${DURATION:-10}"
MAX_QUEUE_S="${MAX_QUEUE_S:-2}"
MAX_P99_MS="${MAX_P99_MS:-20}"
IDLE_WAIT="${IDLE_WAIT:-900}"
BUILD_DIR="${BUILD_DIR:-build}"
PY=/usr/bin/python3
out_dir="$here/out"
report="$out_dir/invitations.txt"

# shellcheck source=bench/lib.sh
source "$here/lib.sh"

need_tools wrk curl smtp-sink
build_release
bench_tmp inv
wait_for_idle
load1="$(cut -d' ' -f1 /proc/loadavg)"

new_data
add_organiser org@kardzhali.bg
start_smtp_sink
SABOR_SERVER_ACCESS_LOG=false SABOR_MAIL_SMTP_URL="smtp://127.0.0.1:$sink_port" SABOR_MAIL_RATE=0 start_sabor
url="$sabor_url"
say "sabor at $url (pid $sabor_pid)"
publish_event '{"title": "Форум „Родопи“", "kind": "forum", "starts_at": "2031-09-15T10:00:00+03:00", "ends_at": "2031-09-15T17:00:00+03:00", "venue": "Дом на културата", "city": "Кърджали", "capacity": 0, "registration_mode": "invitation"}'

"$PY" - "$CONTACTS" > "$tmp/contacts.csv" <<'PY'
import sys
n = int(sys.argv[1])
print("име;имейл;организация;длъжност;етикети;град")
for i in range(n):
    print(f"Участник {i} Петров;p{i}@obshtina{i % 500}.bg;Община {i % 500};експерт;покана бенчмарк;Кърджали")
PY
curl -fsS "${auth[@]}" -H 'Content-Type: text/csv' --data-binary "@$tmp/contacts.csv" -o "$tmp/import.json" \
  "$url/api/v1/contacts/import" || die "the import failed"
imported="$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["imported"])' "$tmp/import.json")"
[[ "$imported" == "$CONTACTS" ]] || die "imported $imported of $CONTACTS contacts"
say "$imported contacts imported"

# --- The campaign -------------------------------------------------------------------
queue_s="$(curl -fsS "${auth[@]}" -H 'Content-Type: application/json' -o "$tmp/campaign.json" -w '%{time_total}' \
  -d '{"tag": "покана бенчмарк", "subject": "Покана: {{event_title}}", "body": "Уважаеми {{name}} ({{organisation}}),\n\nКаним Ви на {{event_title}}, {{event_date}}, {{venue}}.\n\n{{link}}"}' \
  "$url/api/v1/events/$event_id/invitations")" || die "POST invitations failed"
invited="$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["counts"]["invited"])' "$tmp/campaign.json")"
[[ "$invited" == "$CONTACTS" ]] || die "invited $invited of $CONTACTS"
say "campaign to $invited contacts queued in ${queue_s}s; wrk on the event page while the worker sends"

# --- The event page while the campaign is sent --------------------------------------
sent_at_start="$("$PY" -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM mail_outbox WHERE status = '"'"'sent'"'"'").fetchone()[0])' "$data/sabor.db")"
wrk -t2 -c64 -d"$DURATION"s --latency "$url/events/$slug" > "$tmp/wrk.txt" || die "wrk failed"
cat "$tmp/wrk.txt" >&2
sent_at_end="$("$PY" -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM mail_outbox WHERE status = '"'"'sent'"'"'").fetchone()[0])' "$data/sabor.db")"
rps="$(wrk_rps "$tmp/wrk.txt")"
p99="$(wrk_p99_ms "$tmp/wrk.txt")"
non2xx="$(wrk_non2xx "$tmp/wrk.txt")"

# Then every invitation must reach the sink.
"$PY" - "$data/sabor.db" "$CONTACTS" > "$tmp/sent.txt" <<'PY'
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1], timeout=10)
n = int(sys.argv[2])
deadline = time.monotonic() + 120
while time.monotonic() < deadline:
    sent, failed = con.execute("SELECT SUM(status = 'sent'), SUM(status = 'failed') FROM mail_outbox").fetchone()
    if (sent or 0) + (failed or 0) >= n:
        break
    time.sleep(0.5)
print(sent or 0, failed or 0)
PY
read -r sent failed < "$tmp/sent.txt"
rss_kb="$(awk '/VmRSS/ {print $2}' "/proc/$sabor_pid/status")"

failures=()
awk -v q="$queue_s" -v m="$MAX_QUEUE_S" 'BEGIN { exit !(q < m) }' || failures+=("queueing took ${queue_s}s (goal < ${MAX_QUEUE_S}s)")
awk -v p="$p99" -v m="$MAX_P99_MS" 'BEGIN { exit !(p < m) }' || failures+=("event page p99 ${p99} ms (goal < ${MAX_P99_MS} ms)")
[[ "$sent" == "$CONTACTS" && "$failed" == 0 ]] || failures+=("delivered $sent of $CONTACTS, failed $failed")
[[ "$non2xx" == 0 ]] || failures+=("$non2xx event page answers were not 2xx")

mkdir -p "$out_dir"
{
  printf 'invitations benchmark, %s, load before %s, %s contacts\n' "$(date -u +%Y-%m-%dT%H:%MZ)" "$load1" "$CONTACTS"
  printf '%-58s %s\n' "campaign queued (one transaction, POST answered)" "${queue_s} s"
  printf '%-58s %s\n' "event page during sending, requests/s" "$rps"
  printf '%-58s %s\n' "event page during sending, p99" "${p99} ms"
  printf '%-58s %s\n' "invitations sent during the ${DURATION} s of wrk" "$((sent_at_end - sent_at_start))"
  printf '%-58s %s\n' "invitations delivered in the end / failed" "$sent / $failed"
  printf '%-58s %s\n' "server RSS after" "$((rss_kb / 1024)) MB"
  print_verdict
} | tee "$report"
[[ ${#failures[@]} -eq 0 ]]
