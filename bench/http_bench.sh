#!/usr/bin/env bash
# HTTP benchmark (not a test): wrk on loopback against
#   (a) bench/hello_server.cc, a minimal Beast hello server (the baseline),
#   (b) herald GET /healthz,
#   (c) herald GET /api/v1/me, authenticated, with 100k users in SQLite,
# interleaved a/b/c in each round; reports medians of requests/s and p99 over the rounds and the
# ratios (b)/(a), (c)/(a). Usage:
#   bench/http_bench.sh [ROUNDS=5] [SECONDS=10] [CONNECTIONS=64] [USERS=100000]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/wrk_lib.sh
source bench/wrk_lib.sh
rounds="${1:-5}"
secs="${2:-10}"
conns="${3:-64}"
users="${4:-100000}"
threads="$(nproc)"

command -v wrk >/dev/null || { echo "wrk missing: run scripts/install-deps.sh" >&2; exit 1; }
[[ -x build/src/app/herald ]] || scripts/build.sh

work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "seeding ${users} users..." >&2
token="$(build/bench/herald_seed_users --data "$work" --count "$users")"

build/bench/herald_hello_server --port 0 --threads "$threads" >"$work/hello.out" 2>&1 &
pids+=($!)
hello_port="$(wait_port "$work/hello.out")"
HERALD_LOG_LEVEL=warn build/src/app/herald serve --data "$work" --port 0 >"$work/herald.out" 2>&1 &
pids+=($!)
herald_port="$(wait_port "$work/herald.out")"
curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:${herald_port}/api/v1/me" >/dev/null

declare -a A_RPS A_P99 B_RPS B_P99 C_RPS C_P99
for r in $(seq 1 "$rounds"); do
  read -r rps p99 <<<"$(run_wrk "http://127.0.0.1:${hello_port}/")"; A_RPS+=("$rps"); A_P99+=("$p99")
  read -r rps p99 <<<"$(run_wrk "http://127.0.0.1:${herald_port}/healthz")"; B_RPS+=("$rps"); B_P99+=("$p99")
  read -r rps p99 <<<"$(run_wrk -H "Authorization: Bearer ${token}" "http://127.0.0.1:${herald_port}/api/v1/me")"; C_RPS+=("$rps"); C_P99+=("$p99")
  echo "round $r: a=${A_RPS[-1]} b=${B_RPS[-1]} c=${C_RPS[-1]} req/s" >&2
done

a="$(median "${A_RPS[@]}")"; b="$(median "${B_RPS[@]}")"; c="$(median "${C_RPS[@]}")"
ap="$(median "${A_P99[@]}")"; bp="$(median "${B_P99[@]}")"; cp="$(median "${C_P99[@]}")"

echo
echo "machine: $(nproc) cores, $(uname -sr); wrk -t${threads} -c${conns} -d${secs}s, ${rounds} rounds, ${users} users"
echo
echo "| target | requests/s (median) | p99 ms (median) | ratio to (a) |"
echo "|---|---|---|---|"
printf '| (a) Beast hello server | %.0f | %.2f | 1.00 |\n' "$a" "$ap"
printf '| (b) herald GET /healthz | %.0f | %.2f | %.2f |\n' "$b" "$bp" "$(echo "$b / $a" | bc -l)"
printf '| (c) herald GET /api/v1/me (100k users, SQLite) | %.0f | %.2f | %.2f |\n' "$c" "$cp" "$(echo "$c / $a" | bc -l)"
