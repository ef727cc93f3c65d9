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

# --- Tools --------------------------------------------------------------------------
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
need_pkgs=()
installed wrk || need_pkgs+=(wrk)
installed curl || need_pkgs+=(curl)
# Any nginx flavour will do; nginx-light is the smallest.
if ! installed nginx-light && ! command -v nginx >/dev/null 2>&1 && [[ ! -x /usr/sbin/nginx ]]; then
  need_pkgs+=(nginx-light)
fi
if [[ ${#need_pkgs[@]} -gt 0 ]]; then
  say "installing ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # The package's own nginx service is not wanted: keep it from being started on install.
  policy_added=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    policy_added=1
  fi
  apt_rc=0
  apt-get install -y --no-install-recommends "${need_pkgs[@]}" || apt_rc=$?
  if [[ $policy_added == 1 ]]; then rm -f /usr/sbin/policy-rc.d; fi
  [[ $apt_rc == 0 ]] || die "apt-get install ${need_pkgs[*]} failed"
fi
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
[[ -x "$nginx_bin" ]] || die "no nginx binary"
command -v wrk >/dev/null || die "no wrk"
command -v python3 >/dev/null || die "no python3 (used to find a free port)"

# --- Release build ------------------------------------------------------------------
if [[ ! -f "$BUILD_DIR/build.ninja" ]]; then
  say "configuring a Release build in $BUILD_DIR/"
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >&2
fi
say "building $BUILD_DIR/sabor"
cmake --build "$BUILD_DIR" --target sabor >&2 || die "the Release build failed (see above)"
sabor="$root/$BUILD_DIR/sabor"
[[ -x "$sabor" ]] || die "no binary at $sabor"

# --- Clean-up -----------------------------------------------------------------------
tmp="$(mktemp -d "${TMPDIR:-/tmp}/sabor-bench.XXXXXX")"
sabor_pid=""
nginx_pid=""
sampler_pid=""
cleanup() {
  local rc=$?
  if [[ -n "$sampler_pid" ]]; then kill "$sampler_pid" 2>/dev/null || true; fi
  for pid in "$nginx_pid" "$sabor_pid"; do
    if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

wait_http() {  # URL: waits up to 10 s for a 200
  for _ in $(seq 1 100); do
    if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  return 1
}

# Tell if the machine is busy: the figures are only comparable on an idle machine.
# Compilers and build tools are counted before the run and once a second during it.
build_procs() {
  # shellcheck disable=SC2009  # pgrep refuses a pattern this long
  ps -eo comm= | grep -cxE 'cc1|cc1plus|c\+\+|g\+\+|gcc|clang|clang\+\+|as|ld|ld\.gold|ninja|make|ctest' || true
}
busy="$(build_procs)"
load1="$(cut -d' ' -f1 /proc/loadavg)"
if [[ "$busy" != 0 ]]; then
  say "WARNING: $busy compiler/build processes are running (load $load1); the figures will be low"
fi

# --- sabor --------------------------------------------------------------------------
data="$tmp/data"
mkdir -p "$data"
"$sabor" migrate --data-dir "$data" >/dev/null
"$sabor" demo --data-dir "$data" > "$tmp/demo.txt"
: > "$tmp/sabor.out"
SABOR_SERVER_ACCESS_LOG=false "$sabor" serve --data-dir "$data" --listen 127.0.0.1:0 \
  > "$tmp/sabor.out" 2> "$tmp/sabor.err" &
sabor_pid=$!
sabor_url=""
for _ in $(seq 1 100); do
  sabor_url="$(grep -soE 'listening on http://127\.0\.0\.1:[0-9]+' "$tmp/sabor.out" | head -n1 | sed 's/^listening on //' || true)"
  [[ -n "$sabor_url" ]] && break
  kill -0 "$sabor_pid" 2>/dev/null || die "sabor serve exited: $(cat "$tmp/sabor.err")"
  sleep 0.1
done
[[ -n "$sabor_url" ]] || die "sabor serve did not report its address"
say "sabor at $sabor_url (pid $sabor_pid)"

# The first published event on the home page.
curl -fsS "$sabor_url/" -o "$tmp/home.html" || die "GET / failed"
event_path="$(grep -oE 'href="/events/[^"/?#]+"' "$tmp/home.html" | sed 's/^href="//; s/"$//' \
  | grep -vE '^/events/(past|feed|calendar)$' | head -n1 || true)"
[[ -n "$event_path" ]] || die "no /events/... link on the home page (did the demo load?)"
sabor_page="$sabor_url$event_path"

# --- nginx, serving the same bytes --------------------------------------------------
ngx="$tmp/nginx"
mkdir -p "$ngx/www" "$ngx/tmp"
curl -fsS "$sabor_page" -o "$ngx/www/event.html" || die "GET $event_path failed"
page_bytes="$(stat -c %s "$ngx/www/event.html")"
# nginx's workers may run as an unprivileged user: let them read the page.
chmod 755 "$tmp" "$ngx" "$ngx/www"
chmod 644 "$ngx/www/event.html"
nginx_port="$(free_port)"
sed -e "s|@PREFIX@|$ngx|g" -e "s|@ROOT@|$ngx/www|g" -e "s|@PORT@|$nginx_port|g" \
    -e "s|@WORKERS@|$NGINX_WORKERS|g" "$here/nginx.conf.template" > "$ngx/nginx.conf"
"$nginx_bin" -p "$ngx" -c "$ngx/nginx.conf" -e "$ngx/error.log" -t -q \
  -g "daemon off; pid $ngx/nginx.pid;" || die "nginx rejects the generated configuration"
"$nginx_bin" -p "$ngx" -c "$ngx/nginx.conf" -e "$ngx/error.log" \
  -g "daemon off; pid $ngx/nginx.pid;" &
nginx_pid=$!
nginx_page="http://127.0.0.1:$nginx_port/event.html"
wait_http "$nginx_page" || die "nginx does not answer at $nginx_page: $(cat "$ngx/error.log" 2>/dev/null)"
say "nginx at http://127.0.0.1:$nginx_port (pid $nginx_pid)"
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
  RPS="$(awk '/^Requests\/sec:/ {print $2}' "$file")"
  P99="$(awk '$1 == "99%" {print $2}' "$file")"
  [[ -n "$RPS" && -n "$P99" ]] || die "cannot read wrk's output for $name: $(cat "$file")"
  P99="$(to_ms "$P99")"
}

mkdir -p "$out_dir"
: > "$tmp/busy.log"
( while sleep 1; do build_procs >> "$tmp/busy.log"; done ) &
sampler_pid=$!
run_wrk nginx "$nginx_page"; nginx_rps="$RPS"; nginx_p99="$P99"
run_wrk sabor "$sabor_page"; sabor_rps="$RPS"; sabor_p99="$P99"
kill "$sampler_pid" 2>/dev/null || true
wait "$sampler_pid" 2>/dev/null || true
sampler_pid=""
busy_during="$(awk '$1 > 0 {n++} END {print n + 0}' "$tmp/busy.log")"

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
