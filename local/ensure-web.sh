#!/usr/bin/env bash
# Makes sure the web console's bundle (web/dist) is built from the current sources, so a fresh
# clone serves it at / with `npm start`. Used by `npm start` and `npm test`. Quick when done:
# builds only when a source is newer than web/dist/index.html (or when there is none).
set -euo pipefail
cd "$(dirname "$0")/.."

stamp=web/dist/index.html
if [ -f "$stamp" ] && [ -z "$(find web/src web/index.html web/vite.config.ts web/tsconfig.json package-lock.json -newer "$stamp" -print -quit)" ]; then
  exit 0
fi
echo "[ensure-web] building the web console (web/dist)" >&2
npm run --silent build:web >/dev/null
