#!/usr/bin/env bash
# One command from a fresh clone to a running Herald on SQLite with demo data:
#   scripts/run.sh            installs packages, builds, loads demo data into ./data, serves :8080
# Environment: HERALD_PORT (default 8080), HERALD_DATA (default ./data).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
scripts/build_web.sh
data="${HERALD_DATA:-./data}"
port="${HERALD_PORT:-8080}"
./build/src/app/herald demo --data "$data"
echo "Open http://127.0.0.1:${port}/ — the API lives under /api/v1 (docs/openapi.yaml)."
exec ./build/src/app/herald serve --data "$data" --port "$port" --web web/dist
