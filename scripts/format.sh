#!/usr/bin/env bash
# clang-format over every C++ file: `scripts/format.sh` rewrites, `scripts/format.sh --check` fails
# on any difference.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files -co --exclude-standard -- 'src/*.h' 'src/*.cc' 'bench/*.cc' 'bench/*.h' 'fuzz/*.cc')
if [[ "${1:-}" == "--check" ]]; then
  clang-format --dry-run -Werror "${files[@]}"
  echo "format: ${#files[@]} files clean"
else
  clang-format -i "${files[@]}"
fi
