#!/usr/bin/env bash
# Benchmark of presentations: a 50 MB file downloaded by CLIENTS (16) clients at once from
# sabor (/materials/{id}/{name}: access check, then sendfile) and from nginx (sendfile on)
# serving the very same file in the same run; and the peak memory (VmHWM) a 200 MB upload
# adds to sabor (streamed to disk through the multipart parser, never whole in memory).
#
#   bench/materials.sh                 # 10 s per download measurement
#   DURATION=30 bench/materials.sh
#
# Fails (exit 1) when sabor's download throughput is below MIN_RATIO (0.8) of nginx's, or
# when the upload grows sabor's peak memory by MAX_UPLOAD_GROWTH_MB (32) or more. Results
# are printed and written to bench/out/materials.txt.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"

DURATION="${DURATION:-10}"
CLIENTS="${CLIENTS:-16}"
THREADS="${THREADS:-2}"
FILE_MB="${FILE_MB:-50}"
UPLOAD_MB="${UPLOAD_MB:-200}"
MIN_RATIO="${MIN_RATIO:-0.8}"
MAX_UPLOAD_GROWTH_MB="${MAX_UPLOAD_GROWTH_MB:-32}"
NGINX_WORKERS="${NGINX_WORKERS:-2}"
BUILD_DIR="${BUILD_DIR:-build}"
out_dir="$here/out"

# shellcheck source=bench/lib.sh
source "$here/lib.sh"

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
need_pkgs=()
installed wrk || need_pkgs+=(wrk)
installed curl || need_pkgs+=(curl)
if ! installed nginx-light && ! command -v nginx >/dev/null 2>&1 && [[ ! -x /usr/sbin/nginx ]]; then
  need_pkgs+=(nginx-light)
fi
if [[ ${#need_pkgs[@]} -gt 0 ]]; then
  say "installing ${need_pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
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

if [[ ! -f "$BUILD_DIR/build.ninja" ]]; then
  say "configuring a Release build in $BUILD_DIR/"
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >&2
fi
say "building $BUILD_DIR/sabor"
cmake --build "$BUILD_DIR" --target sabor >&2 || die "the Release build failed (see above)"
sabor="$root/$BUILD_DIR/sabor"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/sabor-bench-materials.XXXXXX")"
sabor_pid=""
nginx_pid=""
cleanup() {
  local rc=$?
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

# A PDF by its first bytes (libmagic judges the content), then random bytes: incompressible,
# like the images inside real slides.
make_pdf() {  # FILE MB
  { printf '%%PDF-1.4\n%% sabor benchmark\n'; head -c "$(( $2 * 1024 * 1024 ))" /dev/urandom; } > "$1"
}

# --- sabor, an organiser, a published event ------------------------------------------
data="$tmp/data"
mkdir -p "$data"
"$sabor" migrate --data-dir "$data" >/dev/null
echo "bench-password-1" | "$sabor" user add --email bench@sabor.localhost --name Bench --data-dir "$data" >/dev/null
token="$("$sabor" token create --email bench@sabor.localhost --data-dir "$data")"
SABOR_SERVER_ACCESS_LOG=false SABOR_UPLOADS_MAX_BYTES=$(( (UPLOAD_MB + 10) * 1024 * 1024 )) \
  "$sabor" serve --data-dir "$data" --listen 127.0.0.1:0 > "$tmp/sabor.out" 2> "$tmp/sabor.err" &
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
auth=(-H "Authorization: Bearer $token")
event_id="$(curl -fsS "${auth[@]}" -H 'Content-Type: application/json' "$sabor_url/api/v1/events" -d \
  '{"title":"Бенчмарк","kind":"conference","starts_at":"2031-09-10T09:00:00+03:00","ends_at":"2031-09-10T17:00:00+03:00","city":"Русе"}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
curl -fsS "${auth[@]}" -X POST "$sabor_url/api/v1/events/$event_id/publish" -o /dev/null

status_kb() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$sabor_pid/status"; }
upload() {  # FILE NAME: prints the material's JSON
  curl -fsS "${auth[@]}" -F "file=@$1;filename=$2" "$sabor_url/api/v1/events/$event_id/materials"
}

# --- Upload: peak memory ------------------------------------------------------------
# Connections go to the server's threads in turn, and each thread loads libmagic's
# database (8 MB) on its first upload: warm every thread first, so that the figure is the
# upload's own.
for i in 1 2 3 4; do
  make_pdf "$tmp/warm.pdf" 1
  upload "$tmp/warm.pdf" "загрявка $i.pdf" > /dev/null
done
make_pdf "$tmp/upload.pdf" "$UPLOAD_MB"
# "5" resets the peak to the current resident size (Linux 4.0+), so the peak read after
# the upload is the upload's own; where that is refused, the bound below still holds.
echo 5 > "/proc/$sabor_pid/clear_refs" 2>/dev/null || say "cannot reset VmHWM; using the bound instead"
hwm_before="$(status_kb VmHWM)"
rss_before="$(status_kb VmRSS)"
started="$(date +%s.%N)"
upload "$tmp/upload.pdf" "Голяма презентация.pdf" > "$tmp/upload.json"
upload_s="$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}')"
hwm_after="$(status_kb VmHWM)"
growth_mb="$(awk -v a="$hwm_before" -v b="$hwm_after" 'BEGIN {printf "%.1f", (b - a) / 1024}')"
# The peak may stay where an earlier moment put it: the upload's own peak is at most
# VmHWM after it, so VmHWM after minus VmRSS before bounds what the upload added.
bound_mb="$(awk -v a="$rss_before" -v b="$hwm_after" 'BEGIN {printf "%.1f", (b - a) / 1024}')"
upload_mbs="$(awk -v s="$upload_s" -v m="$UPLOAD_MB" 'BEGIN {printf "%.0f", m / s}')"
rm -f "$tmp/upload.pdf"
say "upload of $UPLOAD_MB MB: ${upload_s}s, VmHWM $hwm_before -> $hwm_after kB (+$growth_mb MB)"

# --- Download: sabor and nginx, the same file ---------------------------------------
make_pdf "$tmp/big.pdf" "$FILE_MB"
url_path="$(upload "$tmp/big.pdf" "Презентация $FILE_MB MB.pdf" \
  | python3 -c 'import json,sys,urllib.parse; print(urllib.parse.urlsplit(json.load(sys.stdin)["url"]).path)')"
sabor_file="$sabor_url$url_path"
curl -fsS -o "$tmp/check.pdf" "$sabor_file"
cmp -s "$tmp/check.pdf" "$tmp/big.pdf" || die "sabor served different bytes"
rm -f "$tmp/check.pdf"

ngx="$tmp/nginx"
mkdir -p "$ngx/www" "$ngx/tmp"
mv "$tmp/big.pdf" "$ngx/www/big.pdf"
chmod 755 "$tmp" "$ngx" "$ngx/www"
chmod 644 "$ngx/www/big.pdf"
nginx_port="$(free_port)"
sed -e "s|@PREFIX@|$ngx|g" -e "s|@ROOT@|$ngx/www|g" -e "s|@PORT@|$nginx_port|g" \
    -e "s|@WORKERS@|$NGINX_WORKERS|g" "$here/nginx.conf.template" > "$ngx/nginx.conf"
"$nginx_bin" -p "$ngx" -c "$ngx/nginx.conf" -e "$ngx/error.log" -g "daemon off; pid $ngx/nginx.pid;" &
nginx_pid=$!
nginx_file="http://127.0.0.1:$nginx_port/big.pdf"
for _ in $(seq 1 100); do curl -fsS -o /dev/null "$nginx_file" 2>/dev/null && break; sleep 0.1; done
say "nginx at http://127.0.0.1:$nginx_port (pid $nginx_pid)"

busy="$(ps -eo comm= | grep -cxE 'cc1|cc1plus|c\+\+|g\+\+|gcc|ld|ninja|make|ctest' || true)"
mkdir -p "$out_dir"
run_wrk() {  # NAME URL: sets MBS (MB/s) and RPS
  local name="$1" url="$2" file="$out_dir/wrk-materials-$1.txt"
  wrk -t"$THREADS" -c"$CLIENTS" -d2s "$url" > /dev/null
  say "measuring $name for ${DURATION}s: wrk -t$THREADS -c$CLIENTS -d${DURATION}s $url"
  wrk -t"$THREADS" -c"$CLIENTS" -d"$DURATION"s --latency "$url" > "$file"
  if grep -q 'Non-2xx or 3xx responses' "$file"; then die "$name: $(grep 'Non-2xx' "$file")"; fi
  RPS="$(awk '/^Requests\/sec:/ {print $2}' "$file")"
  MBS="$(awk -v r="$RPS" -v m="$FILE_MB" 'BEGIN {printf "%.0f", r * m}')"
}
run_wrk nginx "$nginx_file"; nginx_mbs="$MBS"; nginx_rps="$RPS"
run_wrk sabor "$sabor_file"; sabor_mbs="$MBS"; sabor_rps="$RPS"
kill -0 "$sabor_pid" 2>/dev/null || die "sabor died during the run: $(tail -n 20 "$tmp/sabor.err")"
ratio="$(awk -v s="$sabor_mbs" -v n="$nginx_mbs" 'BEGIN {printf "%.3f", s / n}')"

failures=()
awk -v r="$ratio" -v m="$MIN_RATIO" 'BEGIN {exit !(r < m)}' && failures+=("download ratio sabor/nginx $ratio < $MIN_RATIO")
awk -v g="$growth_mb" -v m="$MAX_UPLOAD_GROWTH_MB" 'BEGIN {exit !(g >= m)}' \
  && failures+=("a $UPLOAD_MB MB upload grew VmHWM by $growth_mb MB >= $MAX_UPLOAD_GROWTH_MB MB")
awk -v g="$bound_mb" -v m="$MAX_UPLOAD_GROWTH_MB" 'BEGIN {exit !(g >= m)}' \
  && failures+=("a $UPLOAD_MB MB upload may have added $bound_mb MB (VmHWM after - VmRSS before) >= $MAX_UPLOAD_GROWTH_MB MB")
{
  printf 'sabor materials benchmark, %s\n' "$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  printf 'commit %s; %s cores; load %s\n' "$(git rev-parse --short HEAD 2>/dev/null || echo '?')" "$(nproc)" \
    "$(cut -d' ' -f1-3 /proc/loadavg)"
  printf '\n%s MB file, %s clients at once, wrk -t%s -d%ss\n' "$FILE_MB" "$CLIENTS" "$THREADS" "$DURATION"
  printf '%-26s %12s %14s\n' 'server' 'files/s' 'MB/s'
  printf '%-26s %12s %14s\n' 'nginx (sendfile)' "$nginx_rps" "$nginx_mbs"
  printf '%-26s %12s %14s\n' 'sabor /materials/...' "$sabor_rps" "$sabor_mbs"
  printf 'ratio sabor/nginx          %s  (minimum %s)\n' "$ratio" "$MIN_RATIO"
  printf '\n%s MB upload in %s s (%s MB/s)\n' "$UPLOAD_MB" "$upload_s" "$upload_mbs"
  printf 'sabor VmHWM %s kB -> %s kB: +%s MB  (maximum %s MB)\n' "$hwm_before" "$hwm_after" "$growth_mb" "$MAX_UPLOAD_GROWTH_MB"
  printf 'at most +%s MB over VmRSS before the upload (%s kB)\n' "$bound_mb" "$rss_before"
  if [[ "$busy" != 0 ]]; then
    printf 'WARNING: %s compiler/build processes were running: the figures are unreliable\n' "$busy"
  fi
  printf '\n'
  print_verdict
} | tee "$out_dir/materials.txt"
[[ ${#failures[@]} -eq 0 ]] || exit 1
