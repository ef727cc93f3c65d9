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

need_tools wrk curl nginx
build_release
bench_tmp materials

# A PDF by its first bytes (libmagic judges the content), then random bytes: incompressible,
# like the images inside real slides.
make_pdf() {  # FILE MB
  { printf '%%PDF-1.4\n%% sabor benchmark\n'; head -c "$(( $2 * 1024 * 1024 ))" /dev/urandom; } > "$1"
}

# --- sabor, an organiser, a published event ------------------------------------------
new_data
add_organiser bench@sabor.localhost
SABOR_SERVER_ACCESS_LOG=false SABOR_UPLOADS_MAX_BYTES=$(( (UPLOAD_MB + 10) * 1024 * 1024 )) start_sabor
say "sabor at $sabor_url (pid $sabor_pid)"
publish_event '{"title":"Бенчмарк","kind":"conference","starts_at":"2031-09-10T09:00:00+03:00","ends_at":"2031-09-10T17:00:00+03:00","city":"Русе"}'

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

start_nginx "$tmp/big.pdf"
nginx_file="$nginx_url"

busy="$(build_procs)"
mkdir -p "$out_dir"
run_wrk() {  # NAME URL: sets MBS (MB/s) and RPS
  local name="$1" url="$2" file="$out_dir/wrk-materials-$1.txt"
  wrk -t"$THREADS" -c"$CLIENTS" -d2s "$url" > /dev/null
  say "measuring $name for ${DURATION}s: wrk -t$THREADS -c$CLIENTS -d${DURATION}s $url"
  wrk -t"$THREADS" -c"$CLIENTS" -d"$DURATION"s --latency "$url" > "$file"
  if [[ "$(wrk_non2xx "$file")" != 0 ]]; then die "$name: $(grep 'Non-2xx' "$file")"; fi
  RPS="$(wrk_rps "$file")"
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
