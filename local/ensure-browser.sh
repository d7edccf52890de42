#!/usr/bin/env bash
# Makes sure the headless browser of the browser tests (test/browser) is there: Debian's chromium,
# driven by playwright-core, which never downloads a browser of its own. Used by `npm test`
# (pretest) and .ci/run. Idempotent: does nothing when /usr/bin/chromium runs.
set -euo pipefail

say() { echo "[ensure-browser] $*" >&2; }
CHROMIUM=/usr/bin/chromium

chromium_runs() { [ -x "$CHROMIUM" ] && timeout 30 "$CHROMIUM" --headless --no-sandbox --disable-gpu --version >/dev/null 2>&1; }

chromium_runs && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  say "the browser tests need Debian's chromium at $CHROMIUM: apt-get install chromium"
  exit 1
fi
say "installing Debian's chromium for the browser tests"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null 2>&1 ||
  { apt-get update -qq >/dev/null; apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null; }
chromium_runs || { say "chromium is installed but does not start: $("$CHROMIUM" --headless --no-sandbox --version 2>&1 | tail -1)"; exit 1; }
say "chromium is ready: $("$CHROMIUM" --version 2>/dev/null)"
