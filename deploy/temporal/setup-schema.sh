#!/bin/sh
# One-shot (the temporal-schema service): creates Temporal's two PostgreSQL databases and brings their
# schemas up to date with the temporalio/admin-tools image's temporal-sql-tool. Each step is idempotent
# (an existing database is kept, setup-schema skips a newer version, update-schema applies only what is
# missing), so it runs again on every `docker compose up` and after a Temporal upgrade.
# Commands as in Temporal's own compose set-up (temporalio/samples-server compose/scripts/setup-postgres.sh).
set -eu
: "${POSTGRES_SEEDS:?POSTGRES_SEEDS is required}"
: "${POSTGRES_USER:?POSTGRES_USER is required}"
: "${SQL_PASSWORD:?SQL_PASSWORD is required}"
SCHEMA=/etc/temporal/schema/postgresql/v12

for database in temporal temporal_visibility; do
  kind=$([ "$database" = temporal ] && echo temporal || echo visibility)
  tool="temporal-sql-tool --plugin postgres12 --ep ${POSTGRES_SEEDS} -u ${POSTGRES_USER} -p ${DB_PORT:-5432} --db ${database}"
  $tool create
  $tool setup-schema -v 0.0
  $tool update-schema -d "${SCHEMA}/${kind}/versioned"
  echo "Temporal database ${database}: schema up to date"
done
