#!/usr/bin/env bash
# Benchmark: the reminder to every confirmed registrant of a large event.
#
#   bench/reminders.sh                    # 5,000 registrants
#   RECIPIENTS=10000 bench/reminders.sh   # more
#
# 1. Builds the Release binary, starts postfix's smtp-sink and sabor on a fresh data folder
#    (SMTP at the sink, no mail rate limit, no access log).
# 2. Creates and publishes an event (in 2031) and writes RECIPIENTS confirmed registrations
#    straight into sabor.db (registering is what bench/registrations.sh measures); switches
#    the reminder on through the API with {{manage_url}} in its text, the costly case: every
#    recipient gets a new personal link.
# 3. Restarts sabor with its clock (SABOR_TEST_NOW_OFFSET) 3 seconds before the reminder
#    falls due, and reads the event page with wrk (-t2 -c16 --latency, DURATION seconds)
#    meanwhile: the scheduler queues every message in ONE transaction, the mail worker
#    sends them to the sink.
#    Before that, the same wrk run with nothing due gives a baseline for this machine.
# 4. Reports how many were queued and how long that transaction took (sabor's log line),
#    the event page's requests/s and p99 during the run, and how long until every message
#    was sent; writes bench/out/reminders.txt and exits 1 if a goal fails (queueing under
#    MAX_QUEUE_MS, the page's p99 under MAX_PAGE_P99_MS: the goals issue 6 sets for an
#    invitation campaign).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"

RECIPIENTS="${RECIPIENTS:-5000}"
DURATION="${DURATION:-15}"
MAX_QUEUE_MS="${MAX_QUEUE_MS:-2000}"
MAX_PAGE_P99_MS="${MAX_PAGE_P99_MS:-20}"
BUILD_DIR="${BUILD_DIR:-build}"
PY=/usr/bin/python3
out_dir="$here/out"
report="$out_dir/reminders.txt"

# shellcheck source=bench/lib.sh
source "$here/lib.sh"

need_tools wrk curl smtp-sink
"$PY" -c 'import sqlite3' 2>/dev/null || die "$PY has no sqlite3 module"

build_release
bench_tmp rem

new_data
add_organiser org@ruse.bg
start_smtp_sink

# Starts sabor with the given clock offset (seconds) and sets $url.
start_sabor_at() {
  SABOR_TEST_NOW_OFFSET="$1" SABOR_SERVER_ACCESS_LOG=false SABOR_MAIL_RATE=0 \
  SABOR_MAIL_SMTP_URL="smtp://127.0.0.1:$sink_port" start_sabor
  url="$sabor_url"
}

start_sabor_at 0
publish_event '{"title": "Бенчмарк на напомнянията", "kind": "conference", "starts_at": "2031-08-11T10:00:00+03:00", "ends_at": "2031-08-11T17:00:00+03:00", "capacity": 0, "registration_mode": "open", "venue": "Доходно здание", "city": "Русе"}'
curl -fsS "${auth[@]}" -X PUT -H 'Content-Type: application/json' -o "$tmp/messages.json" \
  -d '{"reminder": {"enabled": true, "offset_minutes": 1440, "subject": "Утре: {{event_title}}", "body": "Здравейте, {{name}}!\n\n{{event_title}}: {{event_date}}, {{venue}}.\n\nВашата регистрация: {{manage_url}}"}}' \
  "$url/api/v1/events/$event_id/scheduled-messages" || die "PUT scheduled-messages failed"
due="$("$PY" -c 'import json, sys, datetime; print(int(datetime.datetime.fromisoformat(json.load(open(sys.argv[1]))["items"][0]["due_at"]).timestamp()))' "$tmp/messages.json")"
stop_sabor

say "writing $RECIPIENTS confirmed registrations into sabor.db"
"$PY" - "$data/sabor.db" "$event_id" "$RECIPIENTS" <<'PY'
import hashlib, os, sqlite3, sys
db, event_id, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
con = sqlite3.connect(db)
now = "2031-01-01T00:00:00.000Z"
rows = [(event_id, f"Участник {i}", f"p{i}@bench.example.bg", "confirmed", "bg", hashlib.sha256(os.urandom(24)).hexdigest(),
         f"участник {i} p{i}@bench.example.bg", now, now) for i in range(n)]
con.executemany("INSERT INTO registrations (event_id, name, email, status, locale, token_hash, search_key, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
con.commit()
PY

# The same page with nothing being sent, for comparison (the machine may be busy).
start_sabor_at 0
say "baseline: wrk on /events/$slug for ${DURATION}s, nothing due"
wrk -t2 -c16 -d"$DURATION"s --latency "$url/events/$slug" > "$tmp/wrk-base.txt" || die "wrk failed"
base_rps="$(wrk_rps "$tmp/wrk-base.txt")"
base_p99="$(wrk_p99_ms "$tmp/wrk-base.txt")"
stop_sabor

# The clock 3 seconds before the reminder falls due: wrk is reading the page when it does.
offset=$((due - $(date +%s) - 3))
start_sabor_at "$offset"
say "sabor at $url with its clock 3 s before the reminder; wrk on /events/$slug for ${DURATION}s"
started="$(date +%s.%N)"
wrk -t2 -c16 -d"$DURATION"s --latency "$url/events/$slug" > "$tmp/wrk.txt" &
wrk_pid=$!

# Until every reminder was sent (or 5 minutes).
"$PY" - "$data/sabor.db" "$RECIPIENTS" "$started" > "$tmp/sent.txt" <<'PY'
import sqlite3, sys, time
db, n, started = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
q = "SELECT COUNT(*), SUM(status = 'sent') FROM mail_outbox WHERE kind = 'scheduled_message'"
deadline = time.time() + 300
queued_at = None
while time.time() < deadline:
    queued, sent = con.execute(q).fetchone()
    if queued and queued_at is None:
        queued_at = time.time()
    if queued == n and sent == n:
        print(queued, sent, f"{time.time() - queued_at:.1f}")
        sys.exit(0)
    time.sleep(0.2)
queued, sent = con.execute(q).fetchone()
print(queued or 0, sent or 0, "timeout")
PY
wait "$wrk_pid" || die "wrk failed: $(cat "$tmp/wrk.txt")"
wrk_pid=""
cat "$tmp/wrk.txt" >&2
kill -0 "$sabor_pid" 2>/dev/null || die "sabor died during the run: $(tail -n 20 "$tmp/sabor.err")"

read -r queued sent send_s < "$tmp/sent.txt"
log_line="$(grep -m1 'scheduled messages:' "$tmp/sabor.err" || true)"
queue_ms="$(sed -nE 's/.* queued in ([0-9]+) ms.*/\1/p' <<< "$log_line")"
rps="$(wrk_rps "$tmp/wrk.txt")"
p99="$(wrk_p99_ms "$tmp/wrk.txt")"
non2xx="$(wrk_non2xx "$tmp/wrk.txt")"
again="$(grep -c 'scheduled messages:' "$tmp/sabor.err" || true)"

failures=()
[[ "$queued" == "$RECIPIENTS" ]] || failures+=("queued $queued messages, expected $RECIPIENTS")
[[ "$sent" == "$RECIPIENTS" ]] || failures+=("sent $sent of $RECIPIENTS within 5 minutes")
[[ "$again" == 1 ]] || failures+=("the scheduler queued $again times, expected once")
[[ -n "$queue_ms" ]] || failures+=("no 'scheduled messages' line in sabor's log")
[[ -z "$queue_ms" || "$queue_ms" -le "$MAX_QUEUE_MS" ]] || failures+=("queueing took $queue_ms ms > $MAX_QUEUE_MS ms")
awk -v p="$p99" -v m="$MAX_PAGE_P99_MS" 'BEGIN {exit !(p <= m)}' || failures+=("event page p99 $p99 ms > $MAX_PAGE_P99_MS ms")
[[ "$non2xx" == 0 ]] || failures+=("$non2xx event page answers were not 2xx")

mkdir -p "$out_dir"
{
  printf 'reminders: %s confirmed registrants, {{manage_url}} in the text (a new personal link each)\n' "$RECIPIENTS"
  printf '  queued in one transaction:        %s messages in %s ms (goal <= %s ms)\n' "$queued" "${queue_ms:-?}" "$MAX_QUEUE_MS"
  printf '  all sent to smtp-sink:            %s s after the first was queued\n' "$send_s"
  printf '  event page meanwhile (wrk -t2 -c16 %ss): %s req/s, p99 %s ms (goal <= %s ms), non-2xx %s\n' \
    "$DURATION" "$rps" "$p99" "$MAX_PAGE_P99_MS" "$non2xx"
  printf '  event page, nothing being sent:   %s req/s, p99 %s ms\n' "$base_rps" "$base_p99"
  printf '  load average at the end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
  print_verdict
} | tee "$report"
[[ ${#failures[@]} -eq 0 ]]
