#!/usr/bin/env bash
# Back up the anninh database: pg_dump in custom format (compressed, restorable table by
# table with pg_restore), written to a temporary name and renamed only once it is complete
# and readable, then dumps older than ANNINH_BACKUP_KEEP_DAYS (default 30) are deleted.
#
#   deploy/backup.sh [DIRECTORY]          (default /var/backups/anninh)
#
# Connection: the usual libpq variables (PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD or
# ~/.pgpass); anninh-backup.service sets them from /etc/anninh/backup.env. Back up as the
# owner role (it can read every table). Prints the path of the new dump.
set -euo pipefail

dest=${1:-/var/backups/anninh}
keep_days=${ANNINH_BACKUP_KEEP_DAYS:-30}
db=${PGDATABASE:-anninh}

umask 077
mkdir -p "$dest"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
final="$dest/$db-$stamp.dump"
partial="$final.partial"
trap 'rm -f "$partial"' EXIT

pg_dump --format=custom --compress=6 --dbname="$db" --file="$partial"
# A dump pg_restore cannot list is not a backup.
pg_restore --list "$partial" >/dev/null
mv "$partial" "$final"
trap - EXIT

find "$dest" -maxdepth 1 -name "$db-*.dump" -type f -mtime "+$keep_days" -delete
echo "$final"
