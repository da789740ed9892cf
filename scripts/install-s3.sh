#!/usr/bin/env bash
# Installs moto's S3-compatible server (PyPI `moto[s3,server]`, pinned) into a venv under .tools/moto,
# for the tests of council's S3 blob store. moto is the AWS-API mock most Python and JS projects test
# against; it runs as a plain local HTTP server (`moto_server`), no Docker needed. Idempotent: a second
# run only checks the installed version.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

MOTO_VERSION="5.2.5"
venv="$root/.tools/moto"
server="$venv/bin/moto_server"

installed_version() { "$venv/bin/python" -c 'import moto; print(moto.__version__)' 2>/dev/null || true; }

if [ -x "$server" ] && [ "$(installed_version)" = "$MOTO_VERSION" ]; then
  say "already installed: $server (moto $MOTO_VERSION)"
  exit 0
fi

command -v python3 >/dev/null 2>&1 || { say "python3 is required to install moto"; exit 1; }
say "installing moto[s3,server]==$MOTO_VERSION from PyPI into $venv"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "moto[s3,server]==$MOTO_VERSION"
[ -x "$server" ] || { say "moto installed but $server is missing"; exit 1; }
say "installed $server (moto $(installed_version))"
