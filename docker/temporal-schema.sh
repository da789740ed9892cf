#!/bin/sh
# One-shot job of docker-compose.yml, run in temporalio/admin-tools before the Temporal server starts:
# creates the Temporal databases in PostgreSQL and brings their schemas up to date with the schemas
# embedded in temporal-sql-tool. Every step is idempotent, so it runs again on each `docker compose up`
# and applies new migrations after an image upgrade.
# Env: POSTGRES_SEEDS (host), DB_PORT (default 5432), POSTGRES_USER, and SQL_PASSWORD, which
# temporal-sql-tool reads itself (so the password never appears on a command line).
set -eu

host="${POSTGRES_SEEDS:?POSTGRES_SEEDS must name the PostgreSQL host}"
port="${DB_PORT:-5432}"
user="${POSTGRES_USER:?POSTGRES_USER must be set}"

sql_tool() {
  temporal-sql-tool --plugin postgres12 --endpoint "$host" --port "$port" --user "$user" "$@"
}

# database:schema pairs; the server's defaults for DBNAME and VISIBILITY_DBNAME.
for entry in temporal:temporal temporal_visibility:visibility; do
  database="${entry%%:*}"
  schema="postgresql/v12/${entry#*:}"
  echo "temporal-schema: database $database, schema $schema"
  sql_tool --database "$database" create-database
  sql_tool --database "$database" setup-schema --version 0.0
  sql_tool --database "$database" update-schema --schema-name "$schema"
done
echo "temporal-schema: done"
