#!/usr/bin/env bash
# Installs what the cluster tier (test/cluster) runs: the production Temporal server and its SQL schema
# tool, built from the Go module proxy at the version docker-compose.yml's temporalio/server image has,
# into .tools/temporal-server/<version>/bin/ (temporal-server, temporal-sql-tool); and PostgreSQL from
# Debian's packages when initdb/pg_ctl are missing. Idempotent: a second run only checks what is there.
# Env: TEMPORAL_SERVER_PATH / TEMPORAL_SQL_TOOL_PATH use prebuilt binaries instead of building.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

# Keep in step with docker-compose.yml (temporalio/server, temporalio/admin-tools); test/cluster checks it.
TEMPORAL_SERVER_VERSION="1.32.0"
bin="$root/.tools/temporal-server/$TEMPORAL_SERVER_VERSION/bin"

# install_binary NAME PACKAGE OVERRIDE: links OVERRIDE when set, else builds PACKAGE into $bin/NAME.
install_binary() {
  local name="$1" package="$2" override="$3"
  mkdir -p "$bin"
  if [ -n "$override" ]; then
    [ -x "$override" ] || { say "$override is not an executable file"; exit 1; }
    ln -sf "$override" "$bin/$name"
    say "using $override as $name"
    return
  fi
  if [ -x "$bin/$name" ]; then
    say "already installed: $bin/$name"
    return
  fi
  command -v go >/dev/null 2>&1 || {
    say "go is required to build $package (https://go.dev/dl), or set the *_PATH override"
    exit 1
  }
  local started=$SECONDS build="$bin/.build-$name"
  say "building $package@v$TEMPORAL_SERVER_VERSION (minutes on a first run)"
  rm -rf "$build"
  mkdir -p "$build"
  GOBIN="$build" CGO_ENABLED=0 go install "$package@v$TEMPORAL_SERVER_VERSION"
  # go names the binary after the package's last path element (server, sql); rename it only once
  # the build succeeded, so an interrupted build never leaves a half binary under the final name.
  mv "$build/$(basename "$package")" "$bin/$name"
  rm -rf "$build"
  say "built $bin/$name in $((SECONDS - started)) s"
}

install_binary temporal-server go.temporal.io/server/cmd/server "${TEMPORAL_SERVER_PATH:-}"
install_binary temporal-sql-tool go.temporal.io/server/cmd/tools/sql "${TEMPORAL_SQL_TOOL_PATH:-}"

# PostgreSQL: the harness looks for initdb/pg_ctl/postgres on PATH and in /usr/lib/postgresql/*/bin.
has_postgres() {
  command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1 && return 0
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
}
if has_postgres; then
  say "PostgreSQL found"
else
  [ "$(id -u)" = 0 ] || { say "PostgreSQL is missing; install Debian's postgresql package (as root)"; exit 1; }
  say "installing Debian's postgresql package"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  # Debian's package starts a cluster of its own on 5432; the tests start their own, so stop it.
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    for conf in /etc/postgresql/*/main; do
      [ -d "$conf" ] || continue
      version="$(basename "$(dirname "$conf")")"
      pg_ctlcluster "$version" main stop 2>/dev/null || true
    done
  fi
  has_postgres || { say "postgresql installed but initdb is still missing"; exit 1; }
  say "PostgreSQL installed"
fi
id -u postgres >/dev/null 2>&1 || {
  say "creating the system user postgres (PostgreSQL refuses to run as root)"
  useradd --system --home-dir /var/lib/postgresql --shell /bin/sh postgres
}
say "done"
