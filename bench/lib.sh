# Shared by the bench scripts: messages, wrk's units, and the closing verdict.
# shellcheck shell=bash
# shellcheck disable=SC2034,SC2154  # variables shared with the scripts that source this

say() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: FAILED: %s\n' "$*" >&2; exit 1; }

# wrk's latency figures ("812.34us", "3.05ms", "1.20s") in milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v; sub(/[a-z]+$/, "", n); u = v; sub(/^[0-9.]+/, "", u);
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000;
    printf "%.2f", n }'
}

# PASS, or each goal missed and FAIL, from the caller's array `failures`.
print_verdict() {
  if [[ ${#failures[@]} -eq 0 ]]; then
    printf 'result: PASS\n'
  else
    for f in "${failures[@]}"; do printf 'FAIL: %s\n' "$f"; done
    printf 'result: FAIL\n'
  fi
}

# --- Tools --------------------------------------------------------------------------
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# Installs what is missing of the named tools (wrk, curl, nginx, smtp-sink) with apt-get;
# sets nginx_bin when nginx is named.
need_tools() {
  local pkgs=() tool
  for tool in "$@"; do
    case "$tool" in
      wrk|curl) installed "$tool" || command -v "$tool" >/dev/null || pkgs+=("$tool") ;;
      # Any nginx flavour will do; nginx-light is the smallest.
      nginx) installed nginx-light || command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] \
               || pkgs+=(nginx-light) ;;
      smtp-sink) command -v smtp-sink >/dev/null || pkgs+=(postfix) ;;
      *) die "need_tools: unknown tool $tool" ;;
    esac
  done
  if [[ ${#pkgs[@]} -gt 0 ]]; then
    say "installing ${pkgs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # "No configuration": we only want the smtp-sink tool, not a running mail system.
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    apt-get update -qq
    # The packages' own services (nginx) are not wanted: keep them from starting on install.
    local policy_added=0 apt_rc=0
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
      chmod +x /usr/sbin/policy-rc.d
      policy_added=1
    fi
    apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >&2 || apt_rc=$?
    if [[ $policy_added == 1 ]]; then rm -f /usr/sbin/policy-rc.d; fi
    [[ $apt_rc == 0 ]] || die "apt-get install ${pkgs[*]} failed"
  fi
  for tool in "$@"; do
    if [[ $tool == nginx ]]; then
      nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
      [[ -x "$nginx_bin" ]] || die "no nginx binary"
    else
      command -v "$tool" >/dev/null || die "no $tool"
    fi
  done
}

# --- Release build ------------------------------------------------------------------
# Builds $BUILD_DIR/sabor (configuring a Release build first if needed); sets sabor.
build_release() {
  if [[ ! -f "$BUILD_DIR/build.ninja" ]]; then
    say "configuring a Release build in $BUILD_DIR/"
    cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >&2
  fi
  say "building $BUILD_DIR/sabor"
  cmake --build "$BUILD_DIR" --target sabor >&2 || die "the Release build failed (see above)"
  sabor="$root/$BUILD_DIR/sabor"
  [[ -x "$sabor" ]] || die "no binary at $sabor"
}

# --- Processes and clean-up ---------------------------------------------------------
sabor_pid=""
nginx_pid=""
sink_pid=""
sampler_pid=""
wrk_pid=""

stop_pid() {  # PID [TENTHS]: TERM, up to TENTHS tenths of a second (50) to exit, then KILL
  local pid="$1" n="${2:-50}"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 "$n"); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
}

bench_cleanup() {
  local rc=$? pid
  for pid in "$wrk_pid" "$sampler_pid" "$sink_pid"; do
    if [[ -n "$pid" ]]; then kill "$pid" 2>/dev/null || true; fi
  done
  stop_pid "$nginx_pid"
  stop_pid "$sabor_pid"
  rm -rf "$tmp"
  exit "$rc"
}

# Makes the temporary folder $tmp (sabor-bench-NAME.XXXXXX) and removes it, after stopping
# every process above, on exit, error or Ctrl-C.
bench_tmp() {  # NAME
  tmp="$(mktemp -d "${TMPDIR:-/tmp}/sabor-bench-$1.XXXXXX")"
  trap bench_cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

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

# --- sabor, smtp-sink, nginx --------------------------------------------------------
# Starts `sabor serve` on $data at a free loopback port, with the caller's environment
# (SABOR_X=... start_sabor); waits until it tells its address; sets sabor_pid and sabor_url.
start_sabor() {
  : > "$tmp/sabor.out"
  "$sabor" serve --data-dir "$data" --listen 127.0.0.1:0 > "$tmp/sabor.out" 2>> "$tmp/sabor.err" &
  sabor_pid=$!
  sabor_url=""
  for _ in $(seq 1 100); do
    sabor_url="$(grep -soE 'listening on http://127\.0\.0\.1:[0-9]+' "$tmp/sabor.out" | head -n1 | sed 's/^listening on //' || true)"
    [[ -n "$sabor_url" ]] && break
    kill -0 "$sabor_pid" 2>/dev/null || die "sabor serve exited: $(cat "$tmp/sabor.err")"
    sleep 0.1
  done
  [[ -n "$sabor_url" ]] || die "sabor serve did not report its address"
}

stop_sabor() {
  stop_pid "$sabor_pid" 100
  sabor_pid=""
}

# A fresh, migrated data folder $data in $tmp.
new_data() {
  data="$tmp/data"
  mkdir -p "$data"
  "$sabor" migrate --data-dir "$data" >/dev/null
}

# An organiser (password-123) and an API token for them: sets token and auth (curl's header).
add_organiser() {  # EMAIL
  printf 'password-123\n' | "$sabor" user add --email "$1" --name Org --data-dir "$data" >/dev/null
  token="$("$sabor" token create --email "$1" --data-dir "$data" | tail -n1 | tr -d '[:space:]')"
  [[ -n "$token" ]] || die "sabor token create printed no token"
  auth=(-H "Authorization: Bearer $token")
}

# Creates an event from JSON over the API at $sabor_url and publishes it; sets event_id
# and slug, the event's JSON in $tmp/event.json.
publish_event() {  # JSON
  curl -fsS "${auth[@]}" -H 'Content-Type: application/json' -o "$tmp/event.json" \
    -d "$1" "$sabor_url/api/v1/events" || die "POST /api/v1/events failed"
  read -r event_id slug < <(python3 -c 'import json, sys; e = json.load(open(sys.argv[1])); print(e["id"], e["slug"])' "$tmp/event.json")
  curl -fsS "${auth[@]}" -X POST -o /dev/null "$sabor_url/api/v1/events/$event_id/publish" \
    || die "POST /api/v1/events/$event_id/publish failed"
}

# postfix's smtp-sink on a free loopback port: sets sink_pid and sink_port.
start_smtp_sink() {
  sink_port="$(free_port)"
  smtp-sink -u nobody "127.0.0.1:$sink_port" 256 &
  sink_pid=$!
}

# nginx from bench/nginx.conf.template, serving FILE (moved into its web root
# $tmp/nginx/www) on a free loopback port with NGINX_WORKERS workers; waits until it
# serves the file; sets nginx_pid, nginx_port and nginx_url (the file's address).
start_nginx() {  # FILE
  local ngx="$tmp/nginx" name
  name="$(basename "$1")"
  mkdir -p "$ngx/www" "$ngx/tmp"
  mv "$1" "$ngx/www/$name"
  # nginx's workers may run as an unprivileged user: let them read the file.
  chmod 755 "$tmp" "$ngx" "$ngx/www"
  chmod 644 "$ngx/www/$name"
  nginx_port="$(free_port)"
  sed -e "s|@PREFIX@|$ngx|g" -e "s|@ROOT@|$ngx/www|g" -e "s|@PORT@|$nginx_port|g" \
      -e "s|@WORKERS@|$NGINX_WORKERS|g" "$here/nginx.conf.template" > "$ngx/nginx.conf"
  "$nginx_bin" -p "$ngx" -c "$ngx/nginx.conf" -e "$ngx/error.log" -t -q \
    -g "daemon off; pid $ngx/nginx.pid;" || die "nginx rejects the generated configuration"
  "$nginx_bin" -p "$ngx" -c "$ngx/nginx.conf" -e "$ngx/error.log" \
    -g "daemon off; pid $ngx/nginx.pid;" &
  nginx_pid=$!
  nginx_url="http://127.0.0.1:$nginx_port/$name"
  wait_http "$nginx_url" || die "nginx does not answer at $nginx_url: $(cat "$ngx/error.log" 2>/dev/null)"
  say "nginx at http://127.0.0.1:$nginx_port (pid $nginx_pid)"
}

# --- wrk's output -------------------------------------------------------------------
wrk_rps() { awk '/^Requests\/sec:/ {print $2}' "$1"; }                    # FILE
wrk_p99_ms() { to_ms "$(awk '$1 == "99%" {print $2}' "$1")"; }           # FILE (needs --latency)
wrk_non2xx() {                                                            # FILE: 0 when none
  local n
  n="$(awk '/Non-2xx or 3xx responses:/ {print $5}' "$1")"
  echo "${n:-0}"
}

# --- An idle machine ----------------------------------------------------------------
# The figures are only comparable on an idle machine: compilers and build tools running.
build_procs() {
  # shellcheck disable=SC2009  # pgrep refuses a pattern this long
  ps -eo comm= | grep -cxE 'cc1|cc1plus|c\+\+|g\+\+|gcc|clang|clang\+\+|as|ld|ld\.gold|ninja|make|ctest' || true
}
compilers() { pgrep -c -x 'cc1plus|cc1' || true; }

# Compilers (someone else's build, say) take CPU from sabor and wrk: waits up to IDLE_WAIT
# seconds for them to finish; sets busy_before (compilers still running) and waited.
wait_for_idle() {
  waited=0
  while [[ "$(compilers)" != 0 && $waited -lt $IDLE_WAIT ]]; do
    if (( waited % 60 == 0 )); then say "$(compilers) compiler processes running; waiting for them (up to ${IDLE_WAIT}s)"; fi
    sleep 5
    waited=$((waited + 5))
  done
  busy_before="$(compilers)"
  [[ "$busy_before" == 0 ]] || say "WARNING: still $busy_before compiler processes after ${IDLE_WAIT}s; the figures will be low"
}

# Counts COUNTER's processes (build_procs or compilers) once a second into $tmp/busy.log
# until stop_busy_sampler, which sets busy_during (the samples that saw any).
start_busy_sampler() {  # COUNTER
  : > "$tmp/busy.log"
  ( while sleep 1; do "$1" >> "$tmp/busy.log"; done ) &
  sampler_pid=$!
}
stop_busy_sampler() {
  kill "$sampler_pid" 2>/dev/null || true
  wait "$sampler_pid" 2>/dev/null || true
  sampler_pid=""
  busy_during="$(awk '$1 > 0 {n++} END {print n + 0}' "$tmp/busy.log")"
}
