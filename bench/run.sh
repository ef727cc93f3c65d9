#!/usr/bin/env bash
# Benchmark: how fast sabor serves a public event page, next to nginx serving the very
# same bytes as a static file, and how much memory sabor holds while doing it.
#
#   bench/run.sh                 # 10 s per measurement
#   DURATION=30 bench/run.sh     # longer runs
#
# Fails (exit 1) when sabor reaches less than MIN_RATIO (0.5) of nginx's requests per
# second, when sabor's 99th-percentile latency is MAX_P99_MS (10 ms) or more, or when
# sabor's resident memory after the run is MAX_RSS_MB (64 MB) or more. Results are
# printed and written to bench/out/results.txt. See bench/README.md.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"

DURATION="${DURATION:-10}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-64}"
WARMUP="${WARMUP:-2}"
MIN_RATIO="${MIN_RATIO:-0.5}"
MAX_P99_MS="${MAX_P99_MS:-10}"
MAX_RSS_MB="${MAX_RSS_MB:-64}"
NGINX_WORKERS="${NGINX_WORKERS:-2}"
BUILD_DIR="${BUILD_DIR:-build}"
out_dir="$here/out"

# shellcheck source=bench/lib.sh
source "$here/lib.sh"

need_tools wrk curl nginx
command -v python3 >/dev/null || die "no python3 (used to find a free port)"
build_release
bench_tmp run

busy="$(build_procs)"
load1="$(cut -d' ' -f1 /proc/loadavg)"
if [[ "$busy" != 0 ]]; then
  say "WARNING: $busy compiler/build processes are running (load $load1); the figures will be low"
fi

# --- sabor --------------------------------------------------------------------------
new_data
"$sabor" demo --data-dir "$data" > "$tmp/demo.txt"
SABOR_SERVER_ACCESS_LOG=false start_sabor
say "sabor at $sabor_url (pid $sabor_pid)"

# The first published event on the home page.
curl -fsS "$sabor_url/" -o "$tmp/home.html" || die "GET / failed"
event_path="$(grep -oE 'href="/events/[^"/?#]+"' "$tmp/home.html" | sed 's/^href="//; s/"$//' \
  | grep -vE '^/events/(past|feed|calendar)$' | head -n1 || true)"
[[ -n "$event_path" ]] || die "no /events/... link on the home page (did the demo load?)"
sabor_page="$sabor_url$event_path"

# --- nginx, serving the same bytes --------------------------------------------------
curl -fsS "$sabor_page" -o "$tmp/event.html" || die "GET $event_path failed"
page_bytes="$(stat -c %s "$tmp/event.html")"
start_nginx "$tmp/event.html"
nginx_page="$nginx_url"
say "page: $event_path ($page_bytes bytes)"

# --- Measure ------------------------------------------------------------------------

run_wrk() {  # NAME URL: sets RPS and P99 (ms)
  local name="$1" url="$2" file="$out_dir/wrk-$1.txt"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP"s "$url" > /dev/null
  say "measuring $name for ${DURATION}s: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency $url"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION"s --latency "$url" > "$file"
  if grep -q 'Non-2xx or 3xx responses' "$file"; then
    die "$name: $(grep 'Non-2xx or 3xx responses' "$file" | sed 's/^ *//')"
  fi
  if grep -q 'Socket errors' "$file"; then
    say "WARNING $name: $(grep 'Socket errors' "$file" | sed 's/^ *//')"
  fi
  RPS="$(wrk_rps "$file")"
  P99="$(awk '$1 == "99%" {print $2}' "$file")"
  [[ -n "$RPS" && -n "$P99" ]] || die "cannot read wrk's output for $name: $(cat "$file")"
  P99="$(wrk_p99_ms "$file")"
}

mkdir -p "$out_dir"
start_busy_sampler build_procs
run_wrk nginx "$nginx_page"; nginx_rps="$RPS"; nginx_p99="$P99"
run_wrk sabor "$sabor_page"; sabor_rps="$RPS"; sabor_p99="$P99"
stop_busy_sampler

kill -0 "$sabor_pid" 2>/dev/null || die "sabor died during the run: $(tail -n 20 "$tmp/sabor.err")"
status_kb() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$sabor_pid/status"; }
rss_kb="$(status_kb VmRSS)"
hwm_kb="$(status_kb VmHWM)"
rss_mb="$(awk -v k="$rss_kb" 'BEGIN {printf "%.1f", k / 1024}')"
hwm_mb="$(awk -v k="$hwm_kb" 'BEGIN {printf "%.1f", k / 1024}')"
ratio="$(awk -v s="$sabor_rps" -v n="$nginx_rps" 'BEGIN {printf "%.3f", s / n}')"

# --- Report -------------------------------------------------------------------------
failures=()
awk -v r="$ratio" -v m="$MIN_RATIO" 'BEGIN {exit !(r < m)}' \
  && failures+=("ratio sabor/nginx $ratio < $MIN_RATIO")
awk -v p="$sabor_p99" -v m="$MAX_P99_MS" 'BEGIN {exit !(p >= m)}' \
  && failures+=("sabor p99 latency $sabor_p99 ms >= $MAX_P99_MS ms")
awk -v r="$rss_mb" -v m="$MAX_RSS_MB" 'BEGIN {exit !(r >= m)}' \
  && failures+=("sabor resident memory $rss_mb MB >= $MAX_RSS_MB MB")

report="$out_dir/results.txt"
{
  printf 'sabor benchmark, %s\n' "$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  printf 'commit %s; %s cores; load before the run %s\n' \
    "$(git rev-parse --short HEAD 2>/dev/null || echo '?')" "$(nproc)" "$load1"
  printf 'page %s (%s bytes); wrk -t%s -c%s -d%ss --latency\n' \
    "$event_path" "$page_bytes" "$THREADS" "$CONNECTIONS" "$DURATION"
  printf '\n'
  printf '%-22s %14s %12s\n' 'server' 'requests/s' 'p99 (ms)'
  printf '%-22s %14s %12s\n' "nginx (static file)" "$nginx_rps" "$nginx_p99"
  printf '%-22s %14s %12s\n' "sabor (event page)" "$sabor_rps" "$sabor_p99"
  printf '\n'
  printf 'ratio sabor/nginx      %s  (minimum %s)\n' "$ratio" "$MIN_RATIO"
  printf 'sabor p99              %s ms  (maximum %s ms)\n' "$sabor_p99" "$MAX_P99_MS"
  printf 'sabor VmRSS after run  %s MB  (maximum %s MB)\n' "$rss_mb" "$MAX_RSS_MB"
  printf 'sabor VmHWM (peak)     %s MB\n' "$hwm_mb"
  if [[ "$busy" != 0 || "$busy_during" != 0 ]]; then
    printf 'WARNING: the machine was not idle (%s compiler/build processes before the run;\n' "$busy"
    printf '         some seen in %s of the once-a-second samples during it): the figures\n' "$busy_during"
    printf '         are unreliable, run it again on an idle machine\n'
  fi
  printf '\n'
  print_verdict
} | tee "$report"

[[ ${#failures[@]} -eq 0 ]] || exit 1
