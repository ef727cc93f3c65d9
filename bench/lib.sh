# Shared by the bench scripts: messages, wrk's units, and the closing verdict.
# shellcheck shell=bash

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
