#!/usr/bin/env bash
# Builds the web front end (web/) into web/dist, which `herald serve --web web/dist` serves:
# type-check (vue-tsc), then Vite's production build. Needs web/node_modules
# (scripts/install-deps.sh runs `npm ci` there).
set -euo pipefail
cd "$(dirname "$0")/../web"
npm run --silent build
