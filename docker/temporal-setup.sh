#!/bin/sh
# One-shot job of docker-compose.yml, run in temporalio/admin-tools once the Temporal server answers:
# creates the namespace when it is missing and registers council's search attributes in it, then waits
# until the server lists them. Idempotent: a second run changes nothing.
# Env: TEMPORAL_ADDRESS (host:port), TEMPORAL_NAMESPACE (default "default"),
#      COUNCIL_SEARCH_ATTRIBUTES: space-separated Name=Type pairs, e.g. "CouncilStatus=Keyword",
#      NAMESPACE_RETENTION (default 72h), SETUP_ATTEMPTS (default 60), SETUP_SLEEP_SECONDS (default 2).
set -eu

address="${TEMPORAL_ADDRESS:?TEMPORAL_ADDRESS must be host:port of the Temporal frontend}"
namespace="${TEMPORAL_NAMESPACE:-default}"
attributes="${COUNCIL_SEARCH_ATTRIBUTES:?COUNCIL_SEARCH_ATTRIBUTES must list Name=Type pairs}"
retention="${NAMESPACE_RETENTION:-72h}"
attempts="${SETUP_ATTEMPTS:-60}"
pause="${SETUP_SLEEP_SECONDS:-2}"

say() { echo "temporal-setup: $*"; }

# retry WHAT COMMAND...: runs COMMAND until it succeeds, at most $attempts times, $pause seconds apart.
retry() {
  what="$1"
  shift
  attempt=1
  until "$@"; do
    if [ "$attempt" -ge "$attempts" ]; then
      say "gave up after $attempt attempts: $what"
      return 1
    fi
    say "not yet ($attempt/$attempts): $what"
    attempt=$((attempt + 1))
    sleep "$pause"
  done
}

cli() { temporal "$@" --address "$address"; }

ensure_namespace() {
  if cli operator namespace describe --namespace "$namespace" >/dev/null 2>&1; then
    return 0
  fi
  cli operator namespace create --namespace "$namespace" --retention "$retention"
}

create_attribute() {
  cli operator search-attribute create --namespace "$namespace" --name "$1" --type "$2"
}

has_attribute() {
  cli operator search-attribute list --namespace "$namespace" | grep -qw -- "$1"
}

for pair in $attributes; do
  case "$pair" in
    ?*=?*) ;;
    *)
      say "bad entry '$pair' in COUNCIL_SEARCH_ATTRIBUTES: want Name=Type"
      exit 1
      ;;
  esac
done

retry "Temporal at $address to be serving" cli operator cluster health
retry "namespace $namespace" ensure_namespace
for pair in $attributes; do
  retry "search attribute ${pair%%=*} (${pair#*=}) in $namespace" create_attribute "${pair%%=*}" "${pair#*=}"
done
for pair in $attributes; do
  retry "search attribute ${pair%%=*} to be listed in $namespace" has_attribute "${pair%%=*}"
done
say "namespace $namespace is ready with search attributes: $attributes"
