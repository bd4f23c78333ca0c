#!/usr/bin/env bash
# Restore an anninh backup into a NEW database, give the application role its grants and
# verify the audit chain of what was restored. Never overwrites an existing database:
# restore beside the live one, check it, then switch DATABASE_URL (or rename databases).
#
#   deploy/restore.sh DUMP NEW_DATABASE
#
# Environment:
#   PGHOST, PGPORT, PGUSER, PGPASSWORD  as for backup.sh; PGUSER must be the OWNER role and
#                                       may create databases (or create NEW_DATABASE first,
#                                       owned by the owner role: createdb -O anninh_owner ...)
#   ANNINH_APP_ROLE                     application role to grant (default anninh_app)
#   ANNINH_HOME                         the checkout with .venv (default: this script's parent)
#
# Exits non-zero if the restore fails or if audit_verify finds the chain broken.
set -euo pipefail

if [ $# -ne 2 ]; then
  sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
dump=$1
target=$2
app_role=${ANNINH_APP_ROLE:-anninh_app}
home=${ANNINH_HOME:-$(cd "$(dirname "$0")/.." && pwd)}

if psql --dbname=postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$target'" | grep -q 1; then
  exists=$(psql --dbname="$target" -Atc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
  if [ "$exists" != 0 ]; then
    echo "restore.sh: database $target already has tables; restore into a new one" >&2
    exit 1
  fi
else
  createdb --encoding=UTF8 --template=template0 "$target"
fi

echo "== Restoring $dump into $target"
# --no-owner: every object belongs to the role restoring (the owner role), whatever the
# source server called it; --single-transaction: all or nothing.
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$target" "$dump"

echo "== Granting $app_role its privileges"
psql --dbname="$target" -q -v ON_ERROR_STOP=1 -c "REVOKE ALL ON DATABASE \"$target\" FROM PUBLIC" \
  -c "GRANT CONNECT, TEMPORARY ON DATABASE \"$target\" TO \"$app_role\""
psql --dbname="$target" -q -v ON_ERROR_STOP=1 -v app="$app_role" -f "$home/deploy/postgres/grants.sql"

echo "== Verifying the audit chain of $target"
# An empty host, user and password in DATABASE_URL: libpq takes them from PG* above.
DATABASE_URL="postgres:///$target" "$home/.venv/bin/python" "$home/manage.py" audit_verify --no-progress
