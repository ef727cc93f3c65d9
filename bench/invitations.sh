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

command -v wrk >/dev/null || die "no wrk (apt-get install wrk)"
command -v curl >/dev/null || die "no curl (apt-get install curl)"
if ! command -v smtp-sink >/dev/null; then
  # "No configuration": we only want the smtp-sink tool, not a running mail system.
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postfix >/dev/null
fi

if [[ ! -f "$BUILD_DIR/build.ninja" ]]; then
  say "configuring a Release build in $BUILD_DIR/"
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >&2
fi
say "building $BUILD_DIR/sabor"
cmake --build "$BUILD_DIR" --target sabor >&2 || die "the Release build failed (see above)"
sabor="$root/$BUILD_DIR/sabor"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/sabor-bench-inv.XXXXXX")"
sabor_pid=""
sink_pid=""
cleanup() {
  local rc=$?
  if [[ -n "$sink_pid" ]]; then kill "$sink_pid" 2>/dev/null || true; fi
  if [[ -n "$sabor_pid" ]] && kill -0 "$sabor_pid" 2>/dev/null; then
    kill -TERM "$sabor_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$sabor_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$sabor_pid" 2>/dev/null || true
    wait "$sabor_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Compilers (someone else's build, say) take CPU from sabor and wrk: wait for them.
compilers() { pgrep -c -x 'cc1plus|cc1' || true; }
waited=0
while [[ "$(compilers)" != 0 && $waited -lt $IDLE_WAIT ]]; do
  if (( waited % 60 == 0 )); then say "$(compilers) compiler processes running; waiting for them (up to ${IDLE_WAIT}s)"; fi
  sleep 5
  waited=$((waited + 5))
done
[[ "$(compilers)" == 0 ]] || say "WARNING: compilers still running; the figures will be low"
load1="$(cut -d' ' -f1 /proc/loadavg)"

data="$tmp/data"
mkdir -p "$data"
"$sabor" migrate --data-dir "$data" >/dev/null
printf 'password-123\n' | "$sabor" user add --email org@kardzhali.bg --name Org --data-dir "$data" >/dev/null
token="$("$sabor" token create --email org@kardzhali.bg --data-dir "$data" | tail -n1 | tr -d '[:space:]')"

sink_port="$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
smtp-sink -u nobody "127.0.0.1:$sink_port" 256 &
sink_pid=$!
SABOR_SERVER_ACCESS_LOG=false SABOR_MAIL_SMTP_URL="smtp://127.0.0.1:$sink_port" SABOR_MAIL_RATE=0 \
  "$sabor" serve --data-dir "$data" --listen 127.0.0.1:0 > "$tmp/sabor.out" 2> "$tmp/sabor.err" &
sabor_pid=$!
url=""
for _ in $(seq 1 100); do
  url="$(grep -soE 'listening on http://127\.0\.0\.1:[0-9]+' "$tmp/sabor.out" | head -n1 | sed 's/^listening on //' || true)"
  [[ -n "$url" ]] && break
  kill -0 "$sabor_pid" 2>/dev/null || die "sabor serve exited: $(cat "$tmp/sabor.err")"
  sleep 0.1
done
[[ -n "$url" ]] || die "sabor serve did not report its address"
say "sabor at $url (pid $sabor_pid)"

auth=(-H "Authorization: Bearer $token")
curl -fsS "${auth[@]}" -H 'Content-Type: application/json' -o "$tmp/event.json" \
  -d '{"title": "Форум „Родопи“", "kind": "forum", "starts_at": "2031-09-15T10:00:00+03:00", "ends_at": "2031-09-15T17:00:00+03:00", "venue": "Дом на културата", "city": "Кърджали", "capacity": 0, "registration_mode": "invitation"}' \
  "$url/api/v1/events" || die "POST /api/v1/events failed"
read -r event_id slug < <("$PY" -c 'import json, sys; e = json.load(open(sys.argv[1])); print(e["id"], e["slug"])' "$tmp/event.json")
curl -fsS "${auth[@]}" -X POST -o /dev/null "$url/api/v1/events/$event_id/publish" || die "publish failed"

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
rps="$(awk '/^Requests\/sec:/ {print $2}' "$tmp/wrk.txt")"
p99="$(to_ms "$(awk '$1 == "99%" {print $2}' "$tmp/wrk.txt")")"
non2xx="$(awk '/Non-2xx/ {print $4}' "$tmp/wrk.txt")"
non2xx="${non2xx:-0}"

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
