#!/usr/bin/env bash
# Mail throughput: queue 5,000 messages in one transaction (timed), then let a running
# sabor deliver them over one reused SMTP connection to postfix's smtp-sink, and report
# messages per second and the server's memory while it sends.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"

COUNT=${COUNT:-5000}
BUILD_DIR="${BUILD_DIR:-build}"

# shellcheck source=bench/lib.sh
source "$here/lib.sh"

need_tools smtp-sink
build_release
bench_tmp mail

start_smtp_sink
new_data
SABOR_MAIL_SMTP_URL="smtp://127.0.0.1:$sink_port" SABOR_SERVER_ACCESS_LOG=false SABOR_MAIL_FROM="Събор <bench@sabor.example.bg>" \
  start_sabor
server="$sabor_pid"
rss_before=$(awk '/VmRSS/ {print $2}' /proc/$server/status)

enqueue=$("$sabor" mail test --to participant@example.bg --count "$COUNT" --data-dir "$data")
echo "$enqueue"

/usr/bin/python3 - "$data/sabor.db" "$COUNT" "$server" "$rss_before" <<'PY'
import sqlite3, sys, time
db, count, pid, rss_before = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
def rss():
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1])
con = sqlite3.connect(db, timeout=10)
start = None
samples = []
deadline = time.monotonic() + 300
while time.monotonic() < deadline:
    sent, failed = con.execute("SELECT SUM(status='sent'), SUM(status='failed') FROM mail_outbox").fetchone()
    sent, failed = sent or 0, failed or 0
    if start is None and sent > 0:
        start = (time.monotonic(), sent)
    samples.append(rss())
    if sent + failed >= count:
        break
    time.sleep(0.2)
end = time.monotonic()
t0, s0 = start
rate = (sent - s0) / (end - t0) if end > t0 else float("inf")
print(f"delivered {sent} of {count} (failed {failed}); {rate:.0f} messages/s over one connection")
print(f"server RSS before {rss_before/1024:.1f} MB, during min {min(samples)/1024:.1f} MB, max {max(samples)/1024:.1f} MB")
ok = sent == count and rate >= 200
print("result:", "PASS" if ok else "FAIL (goal: all delivered, >= 200 messages/s)")
sys.exit(0 if ok else 1)
PY
