#!/usr/bin/env bash
# Debian's chromium for the browser tests of `council ui` (test/ui): playwright-core drives the system
# browser, so nothing is downloaded at test time. Idempotent and silent when it is already there.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
# CI runs as root; elsewhere sudo asks for the right to install.
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
echo "install-chromium: /usr/bin/chromium missing, installing Debian's chromium" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
if [ ! -x /usr/bin/chromium ]; then
  echo "install-chromium: apt-get ran but /usr/bin/chromium is still missing" >&2
  exit 1
fi
