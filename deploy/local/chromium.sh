#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests when it is missing (the Playwright
# driver cannot download a browser here; the tests point it at /usr/bin/chromium).
set -euo pipefail
command -v chromium >/dev/null && exit 0
((EUID == 0)) || { echo "installing chromium needs root (apt-get)" >&2; exit 1; }
mkdir -p .local
log=.local/apt.log
echo "chromium: apt-get install (log: $log)"
apt-get update -qq >>"$log" 2>&1
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >>"$log" 2>&1
