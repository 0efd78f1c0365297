#!/usr/bin/env bash
# Content benchmark of issue 5 (not a test). On a data set of ACCOUNTS accounts, ARTICLES
# articles and READERS x FOLLOWS follows in SQLite (bench/seed_content.cc; cached in
# $HERALD_BENCH_DIR, default /tmp/herald-bench/content, and reused when the sizes match):
#   - database size per million articles;
#   - wrk on loopback, interleaved in each round:
#       (a) bench/hello_server.cc, the minimal Beast hello server (the baseline),
#       (a') the same hello server driven by (b)'s request script (wrk's own cost of drawing
#            random ids, shown apart; the ratios are to (a)),
#       (b) herald GET /api/v1/articles/{id}, ids drawn uniformly over all seeded articles,
#       (c) herald GET /api/v1/me/timeline, as readers drawn from 2,000 session tokens;
#     medians of requests/s and p99 over the rounds, ratios to (a);
#   - publishes/s through the full pipeline (content::ArticleService::Publish), median of 5
#     rounds (this adds articles to the cached data set, a few thousand per run).
# Usage: bench/content_bench.sh [ROUNDS=5] [SECONDS=10] [CONNECTIONS=64]
# Environment: ACCOUNTS (100000), ARTICLES (1000000), READERS (100000), FOLLOWS (50),
# SEARCH_INDEX (0: seeded articles are not put in the search index, see seed_content.cc);
# HERALD_SKIP_BUILD=1 uses the binaries in build/ as they are.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/wrk_lib.sh
source bench/wrk_lib.sh
rounds="${1:-5}"
secs="${2:-10}"
conns="${3:-64}"
accounts="${ACCOUNTS:-100000}"
articles="${ARTICLES:-1000000}"
readers="${READERS:-100000}"
follows="${FOLLOWS:-50}"
search_index="${SEARCH_INDEX:-0}"
threads="$(nproc)"
base="${HERALD_BENCH_DIR:-/tmp/herald-bench/content}"
data="$base/${accounts}-${articles}-${readers}-${follows}-s${search_index}"

command -v wrk >/dev/null || { echo "wrk missing: run scripts/install-deps.sh" >&2; exit 1; }
[[ "${HERALD_SKIP_BUILD:-0}" == 1 ]] || scripts/build.sh >/dev/null

if [[ ! -f "$data/seeded.json" ]]; then
  rm -rf "$data"
  mkdir -p "$data"
  echo "seeding ${accounts} accounts, ${articles} articles, ${readers} readers x ${follows} follows..." >&2
  build/bench/herald_seed_content seed --data "$data" --tokens-out "$data/tokens.txt" \
    --accounts "$accounts" --articles "$articles" --readers "$readers" --follows "$follows" --search-index "$search_index" \
    >"$data/seeded.json.tmp"
  mv "$data/seeded.json.tmp" "$data/seeded.json"
fi
seeded="$(cat "$data/seeded.json")"
lo="$(echo "$seeded" | sed 's/.*"first_article": \([0-9]*\).*/\1/')"
hi="$(echo "$seeded" | sed 's/.*"last_article": \([0-9]*\).*/\1/')"
db_bytes="$(stat -c %s "$data/herald.db")"
[[ -f "$data/herald.db-wal" ]] && db_bytes=$((db_bytes + $(stat -c %s "$data/herald.db-wal")))

# The reads are measured on a warm page cache, as on a server that has been up for a while (a
# fresh seed or a reboot leaves parts of the file on disk only).
cat "$data/herald.db" >/dev/null

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

build/bench/herald_hello_server --port 0 --threads "$threads" >"$data/hello.out" 2>&1 &
pids+=($!)
hello_port="$(wait_port "$data/hello.out")"
start=$SECONDS
HERALD_LOG_LEVEL=warn build/src/app/herald serve --data "$data" --port 0 >"$data/herald.out" 2>&1 &
herald_pid=$!
pids+=($herald_pid)
herald_port="$(wait_port "$data/herald.out" 3000)"  # loads the index
echo "herald started in $((SECONDS - start)) s (loads the near-duplicate index)" >&2
# The server works off queued search-index changes in the background (at most a quarter of a
# second per second); each run's publish step leaves ~10,000 of them. The reads are measured
# once that is done, as on a server that is not publishing.
start=$SECONDS
while :; do
  queued="$(sqlite3 -readonly "$data/herald.db" "SELECT count(*) FROM feed_search_dirty" 2>/dev/null || echo "?")"
  [[ "$queued" == 0 ]] && break
  ((SECONDS - start < 1800)) || { echo "search index still has $queued changes queued: measuring anyway" >&2; break; }
  sleep 5
done
echo "search index up to date after $((SECONDS - start)) s" >&2
# The jobs of the first housekeeping tick (every account's credit grade, due once a day, ~20 s
# here) run right after start: wait until the server is idle (under a tenth of a core over 2 s).
start=$SECONDS
ticks() { awk '{print $14 + $15}' "/proc/$herald_pid/stat"; }
while ((SECONDS - start < 600)); do
  t0="$(ticks)"; sleep 2; t1="$(ticks)"
  (((t1 - t0) * 100 / $(getconf CLK_TCK) < 20)) && break
done
echo "server idle after $((SECONDS - start)) s" >&2
token="$(head -1 "$data/tokens.txt")"
curl -sf "http://127.0.0.1:${herald_port}/api/v1/articles/${lo}" >/dev/null
timeline=1
code="$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" \
  "http://127.0.0.1:${herald_port}/api/v1/me/timeline")"
[[ "$code" == 200 ]] || { echo "timeline answered $code: skipped" >&2; timeline=0; }

export ARTICLE_LO="$lo" ARTICLE_HI="$hi" TOKENS_FILE="$data/tokens.txt"
# Warm-up (page cache, connection pools), not counted.
run_wrk -s bench/wrk/random_article.lua "http://127.0.0.1:${herald_port}" >/dev/null
# ... and the timeline cache (each reader's first page loads its follows' entries).
((timeline)) && run_wrk -s bench/wrk/timeline.lua "http://127.0.0.1:${herald_port}" >/dev/null
declare -a A_RPS A_P99 S_RPS S_P99 B_RPS B_P99 C_RPS C_P99
for r in $(seq 1 "$rounds"); do
  read -r rps p99 <<<"$(run_wrk "http://127.0.0.1:${hello_port}/")"; A_RPS+=("$rps"); A_P99+=("$p99")
  read -r rps p99 <<<"$(run_wrk -s bench/wrk/random_article.lua "http://127.0.0.1:${hello_port}")"; S_RPS+=("$rps"); S_P99+=("$p99")
  read -r rps p99 <<<"$(run_wrk -s bench/wrk/random_article.lua "http://127.0.0.1:${herald_port}")"; B_RPS+=("$rps"); B_P99+=("$p99")
  if [[ $timeline == 1 ]]; then
    read -r rps p99 <<<"$(run_wrk -s bench/wrk/timeline.lua "http://127.0.0.1:${herald_port}")"; C_RPS+=("$rps"); C_P99+=("$p99")
  else
    C_RPS+=(0); C_P99+=(0)
  fi
  echo "round $r: a=${A_RPS[-1]} a'=${S_RPS[-1]} b=${B_RPS[-1]} (p99 ${B_P99[-1]} ms) c=${C_RPS[-1]} (p99 ${C_P99[-1]} ms) req/s, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
done
kill "$herald_pid" 2>/dev/null || true
wait "$herald_pid" 2>/dev/null || true

echo "publishing through the full pipeline..." >&2
# The bench publishes thousands of articles a day on one account: the credit rules in force, with
# the per-level daily allowance lifted (every other rule, and its check on each publish, stays).
sed -n '/R"TOML(/,/^)TOML";/p' src/credit/credit_rules.cc | sed -e '1s/.*R"TOML(//' -e '$d' \
  -e 's/^articles_per_day = .*/articles_per_day = -1/' >"$data/credit_rules_bench.toml"
publish="$(HERALD_CREDIT_RULES_FILE="$data/credit_rules_bench.toml" \
  build/bench/herald_seed_content publish --data "$data" --rounds 5 --per-round 2000 2>/dev/null)"
echo "$publish" >&2
pub="$(echo "$publish" | tail -1 | sed 's/.*: \([0-9]*\)}/\1/')"

a="$(median "${A_RPS[@]}")"; as="$(median "${S_RPS[@]}")"; asp="$(median "${S_P99[@]}")"; b="$(median "${B_RPS[@]}")"; c="$(median "${C_RPS[@]}")"
ap="$(median "${A_P99[@]}")"; bp="$(median "${B_P99[@]}")"; cp="$(median "${C_P99[@]}")"

echo
echo "machine: $(nproc) cores, $(uname -sr); wrk -t${threads} -c${conns} -d${secs}s, ${rounds} rounds"
echo "data: $(echo "$seeded")"
printf 'database: %.2f GB for %d articles = %.2f GB per million articles (with accounts, readers, follows and indexes)\n' \
  "$(echo "$db_bytes / 1000000000" | bc -l)" "$articles" "$(echo "$db_bytes / 1000 / $articles" | bc -l)"
echo
echo "| target | requests/s (median) | p99 ms (median) | ratio to (a) |"
echo "|---|---|---|---|"
printf '| (a) Beast hello server | %.0f | %.2f | 1.00 |\n' "$a" "$ap"
printf "| (a') hello server, (b)'s request script | %.0f | %.2f | %.2f |\n" "$as" "$asp" "$(echo "$as / $a" | bc -l)"
printf '| (b) herald GET /api/v1/articles/{id} | %.0f | %.2f | %.2f |\n' "$b" "$bp" "$(echo "$b / $a" | bc -l)"
printf '| (c) herald GET /api/v1/me/timeline | %.0f | %.2f | %.2f |\n' "$c" "$cp" "$(echo "$c / $a" | bc -l)"
printf "(b) to (a'), both driven by the same request script: %.2f\n" "$(echo "$b / $as" | bc -l)"
echo
echo "publishes/s through the full pipeline (median of 5 rounds of 2,000): ${pub}"
