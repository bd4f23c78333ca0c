#!/usr/bin/env bash
# Test the deployment kit end to end on the local PostgreSQL (CI: 127.0.0.1:5432, trust
# authentication, superuser postgres), on scratch roles and databases with a random suffix
# that are dropped on exit whatever happens:
#
#   1. deploy/postgres/roles.sql creates the owner and application roles and the database;
#   2. `migrate` runs as the owner, deploy/postgres/grants.sql grants the application role;
#   3. the application role writes through Django (demo accounts and a few incidents, each
#      with its audit row), and is refused UPDATE, DELETE, TRUNCATE, DROP TRIGGER on the
#      audit table;
#   4. deploy/backup.sh dumps the database, deploy/restore.sh restores it into a second
#      scratch database and runs audit_verify there; the restored audit trail is compared
#      with the original and the application role's limits are checked again;
#   5. the systemd units pass `systemd-analyze verify` and the nginx example `nginx -t`
#      (each skipped, with a message, where the tool is not installed).
#
#   deploy/test-deploy.sh           (PGHOST/PGPORT/PGUSER override the server)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
PY="$repo/.venv/bin/python"

export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432}
super=${PGUSER:-postgres}
unset PGUSER PGDATABASE PGPASSWORD

suffix=$(od -An -N4 -tx4 /dev/urandom | tr -d ' \n')
owner="anninh_ci_owner_$suffix"
app="anninh_ci_app_$suffix"
db="anninh_ci_$suffix"
restored="anninh_ci_restored_$suffix"
work=$(mktemp -d)

as_super() { psql -X -q -v ON_ERROR_STOP=1 -U "$super" "$@"; }
cleanup() {
  local rc=$?
  set +e
  as_super -d postgres -c "DROP DATABASE IF EXISTS \"$restored\" WITH (FORCE)" \
    -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" \
    -c "DROP ROLE IF EXISTS \"$app\"" -c "DROP ROLE IF EXISTS \"$owner\"" 2>&1 | grep -v NOTICE
  rm -rf "$work"
  if [ $rc -eq 0 ]; then echo "== deploy test passed"; else echo "== deploy test FAILED (exit $rc)" >&2; fi
  exit $rc
}
trap cleanup EXIT INT TERM
fail() { echo "FAIL: $*" >&2; exit 1; }

echo "== Scratch roles $owner, $app and database $db"
as_super -d postgres -v owner="$owner" -v app="$app" -v db="$db" -f deploy/postgres/roles.sql

# Django as one role or the other (no password: trust authentication on the CI server).
as_role() {
  local role=$1 name=$2
  shift 2
  DATABASE_URL="postgres://$role@$PGHOST:$PGPORT/$name" "$PY" manage.py "$@"
}

echo "== migrate as the owner role, then the grants"
as_role "$owner" "$db" migrate --no-input -v 0
psql -X -q -v ON_ERROR_STOP=1 -U "$owner" -d "$db" -v app="$app" -f deploy/postgres/grants.sql >"$work/grants.out"
grep -Eq 'audit_auditevent +\| INSERT, SELECT$' "$work/grants.out" || { cat "$work/grants.out"; fail "audit_auditevent grants"; }
grep -Eq 'audit_auditchainhead +\| INSERT, SELECT, UPDATE$' "$work/grants.out" || { cat "$work/grants.out"; fail "chain head grants"; }
owned=$(as_super -d "$db" -Atc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner <> '$owner'")
[ "$owned" = 0 ] || fail "$owned tables are not owned by $owner"

echo "== Writes as the application role, through Django"
ANNINH_DEMO=1 as_role "$app" "$db" shell -c "
from anninh.demo.services import demo_users_seed
from anninh.records.demo import records_demo_seed
demo_users_seed()
records_demo_seed(incidents=60)
"
as_role "$app" "$db" audit_verify --no-progress
events=$(as_super -d "$db" -Atc "SELECT count(*) FROM audit_auditevent")
[ "$events" -gt 0 ] || fail "no audit rows were written"
echo "   $events audit rows"

# Each statement must be refused for lack of privilege (not by the trigger, not by luck).
refused() {
  local name=$1 sql=$2 out
  if out=$(psql -X -v ON_ERROR_STOP=1 -U "$app" -d "$name" -c "$sql" 2>&1); then
    fail "the application role could run: $sql"
  fi
  case "$out" in
    *"permission denied"* | *"must be owner"*) echo "   refused: $sql" ;;
    *) fail "unexpected error for '$sql': $out" ;;
  esac
}
check_app_limits() {
  local name=$1
  refused "$name" "UPDATE audit_auditevent SET action = action"
  refused "$name" "DELETE FROM audit_auditevent"
  refused "$name" "TRUNCATE audit_auditevent"
  refused "$name" "DROP TRIGGER audit_auditevent_append_only ON audit_auditevent"
  refused "$name" "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL"
  refused "$name" "DELETE FROM audit_auditchainhead"
  refused "$name" "CREATE TABLE anninh_ci_probe (id int)"
}
echo "== The application role cannot rewrite the audit trail"
check_app_limits "$db"

echo "== Backup (deploy/backup.sh, as the owner role)"
dump=$(PGUSER="$owner" PGDATABASE="$db" deploy/backup.sh "$work/backups" | tail -1)
[ -s "$dump" ] || fail "no dump written"
echo "   $dump"

echo "== Restore into $restored (deploy/restore.sh), audit_verify on it"
# As documented: the superuser creates the empty database, owned by the owner role.
as_super -d postgres -c "CREATE DATABASE \"$restored\" OWNER \"$owner\" TEMPLATE template0 ENCODING 'UTF8'"
PGUSER="$owner" ANNINH_APP_ROLE="$app" deploy/restore.sh "$dump" "$restored"
digest() { as_super -d "$1" -Atc "SELECT count(*), max(id), md5(string_agg(id::text || ':' || hash, ',' ORDER BY id)) FROM audit_auditevent"; }
[ "$(digest "$db")" = "$(digest "$restored")" ] || fail "restored audit trail differs from the original"
check_app_limits "$restored"
as_role "$app" "$restored" shell -c "
from django.contrib.auth import get_user_model
assert get_user_model().objects.filter(username='admin').exists()
"
# restore.sh never overwrites a database that has tables.
if PGUSER="$owner" ANNINH_APP_ROLE="$app" deploy/restore.sh "$dump" "$restored" >/dev/null 2>&1; then
  fail "restore.sh overwrote a database in use"
fi

echo "== systemd units"
if command -v systemd-analyze >/dev/null; then
  mkdir -p "$work/units"
  # Point the units at this checkout so that the executables they name exist here.
  for unit in deploy/systemd/*; do
    sed -e "s#/srv/anninh#$repo#g" "$unit" >"$work/units/$(basename "$unit")"
  done
  SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no "$work"/units/* 2>&1 | tee "$work/verify.out"
  if grep -v -E 'Failed to (connect to bus|open /dev/tty)' "$work/verify.out" | grep -q .; then
    fail "systemd-analyze verify reported problems"
  fi
else
  echo "   systemd-analyze not installed: units not verified"
fi

echo "== nginx example"
if command -v nginx >/dev/null; then
  mkdir -p "$work/nginx"
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=anninh.test \
    -keyout "$work/nginx/privkey.pem" -out "$work/nginx/fullchain.pem" 2>/dev/null
  sed -e "s#/etc/ssl/anninh#$work/nginx#g" deploy/nginx/anninh.conf >"$work/nginx/anninh.conf"
  cat >"$work/nginx/nginx.conf" <<NGINX
pid $work/nginx/nginx.pid;
error_log stderr;
events {}
http {
    access_log off;
    include $work/nginx/anninh.conf;
}
NGINX
  nginx -t -q -p "$work/nginx" -c "$work/nginx/nginx.conf"
  echo "   nginx -t: configuration valid"
else
  echo "   nginx not installed: example not checked with nginx -t"
fi
