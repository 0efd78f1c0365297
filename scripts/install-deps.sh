#!/usr/bin/env bash
# Installs what Herald needs to build, run and test on Debian 12: apt packages (as root, or with
# sudo) and the npm tooling in package-lock.json. Safe to run repeatedly: apt runs only when a
# package is missing, npm only when node_modules is stale.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake ninja-build pkg-config ccache clang clang-format libclang-rt-14-dev
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsqlite3-dev sqlite3 libpq-dev postgresql postgresql-client
  libsodium-dev libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libicu-dev libopencc-dev opencc libvectorscan-dev libpng-dev libjpeg-dev libwebp-dev libstb-dev
  libcmark-gfm-dev libcmark-gfm-extensions-dev  # content/: Markdown bodies to sanitised HTML
  wrk bc curl nodejs npm ca-certificates
  python3-jieba  # bench/: its jieba/dict.txt is the word list of the screening benchmark
  chromium fonts-noto-cjk  # tests/e2e/: the web UI in a real headless browser (playwright-core)
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# node may come from outside apt (a preinstalled node 20); then skip Debian's.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=()
  for p in "${missing[@]}"; do [[ "$p" == nodejs || "$p" == npm ]] || filtered+=("$p"); done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  [[ $(id -u) -eq 0 ]] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # The postgresql package starts a system cluster on 5432; Herald's tests use their own.
else
  echo "install-deps: apt packages present"
fi

if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "install-deps: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

# The web front end (web/): its own lockfile.
if [[ ! -d web/node_modules || web/package-lock.json -nt web/node_modules/.package-lock.json ]]; then
  echo "install-deps: npm ci (web)"
  (cd web && npm ci --no-audit --no-fund --loglevel=error)
fi
