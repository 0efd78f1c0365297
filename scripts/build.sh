#!/usr/bin/env bash
# Configures and builds Herald.
#   scripts/build.sh                 release-with-debug-info build in build/
#   scripts/build.sh --sanitize      ASan+UBSan build of the unit tests in build-asan/
#   scripts/build.sh --fuzz          libFuzzer targets with clang in build-fuzz/
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-}"
jobs="${HERALD_JOBS:-$(nproc)}"
case "$mode" in
  "")
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    ninja -C build -j "$jobs"
    ;;
  --sanitize)
    cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DHERALD_SANITIZE=ON \
      -DHERALD_BUILD_BENCH=OFF -DHERALD_APP=OFF >/dev/null
    ninja -C build-asan -j "$jobs"
    ;;
  --fuzz)
    CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DHERALD_BUILD_FUZZ=ON -DHERALD_BUILD_TESTS=OFF -DHERALD_BUILD_BENCH=OFF \
      -DHERALD_APP=OFF >/dev/null
    ninja -C build-fuzz -j "$jobs"
    ;;
  *)
    echo "usage: scripts/build.sh [--sanitize|--fuzz]" >&2
    exit 2
    ;;
esac
