#!/usr/bin/env bash
# One command from a fresh clone to every test passing:
#   scripts/test.sh
# Steps: install dependencies, format and layering checks, OpenAPI lint, build, unit tests
# (SQLite), the web front end (type check, Vitest, build) and its end-to-end tests in headless
# chromium, PostgreSQL contract tests and the black-box API suite on both backends (against a
# throwaway PostgreSQL server), an ASan+UBSan build of the unit tests, and a short libFuzzer run.
# Environment: HERALD_FUZZ_SECONDS (default 60), HERALD_SKIP_SANITIZE=1, HERALD_SKIP_FUZZ=1.
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
failures=()
step() {
  local name="$1"
  shift
  local start=$SECONDS
  echo "==> ${name}"
  if "$@"; then
    passed=$((passed + 1))
    echo "==> ${name}: ok ($((SECONDS - start)) s)"
  else
    failed=$((failed + 1))
    failures+=("$name")
    echo "==> ${name}: FAILED ($((SECONDS - start)) s)"
  fi
}

scripts/install-deps.sh || { echo "install-deps failed"; exit 1; }

api_suite() {
  HERALD_TEST_BACKEND="$1" node --test --test-concurrency=1 tests/api/
}
pg_suites() {
  scripts/with_postgres.sh bash -c '
    set -e
    ctest --test-dir build -L pg --output-on-failure
    HERALD_TEST_BACKEND=postgresql node --test --test-concurrency=1 tests/api/
  '
}
fuzz_run() {
  local secs="${HERALD_FUZZ_SECONDS:-60}"
  scripts/build.sh --fuzz || return 1
  local rc=0
  for target in build-fuzz/fuzz/herald_*_fuzz; do
    [[ -x "$target" ]] || continue
    local name corpus
    name="$(basename "$target")"
    name="${name#herald_}"
    name="${name%_fuzz}"
    corpus="$(mktemp -d)"
    [[ -d "fuzz/corpus/$name" ]] && cp -r "fuzz/corpus/$name/." "$corpus/"
    echo "fuzzing $name for ${secs}s"
    "$target" -max_total_time="$secs" -print_final_stats=1 "$corpus" 2>&1 | tail -n 12 || rc=1
    rm -rf "$corpus"
  done
  return $rc
}

step "format" scripts/format.sh --check
step "layering" node scripts/check_layering.mjs
step "openapi lint" npx --no-install redocly lint docs/openapi.yaml --config .redocly.yaml
step "build" scripts/build.sh
step "web build" scripts/build_web.sh
step "web unit tests" bash -c 'cd web && npx --no-install vitest run'
step "unit tests (sqlite)" ctest --test-dir build -L unit --output-on-failure
step "api tests (sqlite)" api_suite sqlite
step "e2e tests (chromium)" node --test --test-concurrency=1 tests/e2e/
step "postgresql tests" pg_suites
if [[ "${HERALD_SKIP_SANITIZE:-0}" != 1 ]]; then
  step "sanitizer build" scripts/build.sh --sanitize
  step "unit tests (asan+ubsan)" ctest --test-dir build-asan -L unit --output-on-failure
fi
if [[ "${HERALD_SKIP_FUZZ:-0}" != 1 ]]; then
  step "fuzz" fuzz_run
fi

echo
if ((failed)); then
  echo "failed steps: ${failures[*]}"
fi
echo "steps: ${passed} passed, ${failed} failed"
((failed == 0))
