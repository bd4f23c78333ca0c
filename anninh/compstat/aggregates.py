# ruff: noqa: S608 -- SQL built only from this module's constant table and column names, never from input.
"""Keeping `IncidentMonth` exactly consistent with `records_incident`, in the database.

Triggers on the incident table apply every insert, update and delete to the monthly counts in
the same transaction, so nothing in Python has to remember to do it:

- PostgreSQL: statement-level AFTER triggers with transition tables; one statement (an import
  of 10,000 rows, a bulk update) costs one grouped upsert, not one per row.
- SQLite: row-level AFTER triggers doing an upsert per row.

A month is the calendar month of `occurred_from` in Vietnam time, taken as UTC+7 (the country
has had no other offset since 1975; the dashboard reads months from 2000 on).

SQLite drops a table's triggers when Django rebuilds the table in a migration; a `post_migrate`
handler (`ensure_installed`) puts them back and rebuilds the counts. `verify()` compares the
table with the records; `manage.py compstat_aggregates` runs it (and `--rebuild`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction

TABLE = "compstat_incidentmonth"
SOURCE = "records_incident"
KEY = ("month", "commune_id", "responsible_unit_id", "kind", "offence_group")
_KEY_SQL = ", ".join(KEY)

# --- PostgreSQL -----------------------------------------------------------------------------

_PG_MONTH = "(date_trunc('month', (r.occurred_from AT TIME ZONE 'UTC') + interval '7 hours'))::date"
_PG_GROUPED = f"""
    SELECT {_PG_MONTH} AS month, r.commune_id, r.responsible_unit_id, r.kind, r.offence_group,
           {{sign}} * count(*) AS n, {{sign}} * sum(r.losses_vnd) AS losses_vnd
    FROM {{rows}} r GROUP BY 1, 2, 3, 4, 5"""
_PG_UPSERT = f"""
    INSERT INTO {TABLE} AS m ({_KEY_SQL}, n, losses_vnd)
    SELECT {_KEY_SQL}, sum(n), sum(losses_vnd) FROM ({{delta}}) d GROUP BY {_KEY_SQL}
    HAVING sum(n) <> 0 OR sum(losses_vnd) <> 0
    ON CONFLICT ({_KEY_SQL})
    DO UPDATE SET n = m.n + EXCLUDED.n, losses_vnd = m.losses_vnd + EXCLUDED.losses_vnd;"""
_PG_PRUNE = f"""
    DELETE FROM {TABLE} m USING ({{delta}}) d
    WHERE m.n <= 0 AND {" AND ".join(f"m.{k} = d.{k}" for k in KEY)};"""


def _pg_apply(delta: str, *, prune: bool = True) -> str:
    """Add `delta` (grouped rows with signed counts) to the table; drop the emptied rows."""
    return _PG_UPSERT.format(delta=delta) + (_PG_PRUNE.format(delta=delta) if prune else "")


_NEW = _PG_GROUPED.format(sign=1, rows="new_rows")
_OLD = _PG_GROUPED.format(sign=-1, rows="old_rows")
PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION compstat_incmonth_apply() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {_pg_apply(_NEW, prune=False)}
  ELSIF TG_OP = 'DELETE' THEN
    {_pg_apply(_OLD)}
  ELSE
    {_pg_apply(_NEW + " UNION ALL " + _OLD)}
  END IF;
  RETURN NULL;
END
$fn$;
"""
PG_TRIGGERS = {
    "compstat_incmonth_ins": "AFTER INSERT ON {src} REFERENCING NEW TABLE AS new_rows",
    "compstat_incmonth_del": "AFTER DELETE ON {src} REFERENCING OLD TABLE AS old_rows",
    "compstat_incmonth_upd": "AFTER UPDATE ON {src} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
}

# --- SQLite ---------------------------------------------------------------------------------

_SQLITE_MONTH = "date({row}.occurred_from, '+7 hours', 'start of month')"


def _sqlite_match(row: str) -> str:
    return " AND ".join([f"month = {_SQLITE_MONTH.format(row=row)}"] + [f"{k} = {row}.{k}" for k in KEY[1:]])


def _sqlite_add(row: str) -> str:
    values = ", ".join(
        [_SQLITE_MONTH.format(row=row)] + [f"{row}.{k}" for k in KEY[1:]] + ["1", f"{row}.losses_vnd"]
    )
    return (
        f"INSERT INTO {TABLE} ({_KEY_SQL}, n, losses_vnd) VALUES ({values}) "
        f"ON CONFLICT ({_KEY_SQL}) DO UPDATE SET n = n + 1, losses_vnd = losses_vnd + excluded.losses_vnd;"
    )


def _sqlite_remove(row: str) -> str:
    # An UPDATE, not an upsert: when Django's flush empties the aggregate table before the
    # incidents, the deletes find nothing to subtract instead of leaving negative rows.
    match = _sqlite_match(row)
    return (
        f"UPDATE {TABLE} SET n = n - 1, losses_vnd = losses_vnd - {row}.losses_vnd WHERE {match}; "
        f"DELETE FROM {TABLE} WHERE n <= 0 AND {match};"
    )


_WATCHED = ("occurred_from", "commune_id", "responsible_unit_id", "kind", "offence_group", "losses_vnd")
SQLITE_TRIGGERS = {
    "compstat_incmonth_ins": f"AFTER INSERT ON {SOURCE} BEGIN {_sqlite_add('NEW')} END",
    "compstat_incmonth_del": f"AFTER DELETE ON {SOURCE} BEGIN {_sqlite_remove('OLD')} END",
    "compstat_incmonth_upd": (
        f"AFTER UPDATE OF {', '.join(_WATCHED)} ON {SOURCE} BEGIN {_sqlite_remove('OLD')} {_sqlite_add('NEW')} END"
    ),
}

# --- Managing them --------------------------------------------------------------------------


def _existing(cursor) -> set[str]:
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [SOURCE]
        )
    else:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [SOURCE])
    return {row[0] for row in cursor.fetchall()}


def _tables_exist() -> bool:
    names = set(connection.introspection.table_names())
    return TABLE in names and SOURCE in names


def installed() -> bool:
    """True when every trigger is in place."""
    with connection.cursor() as cursor:
        return _tables_exist() and set(PG_TRIGGERS) <= _existing(cursor)


def uninstall() -> None:
    with connection.cursor() as cursor:
        for name in PG_TRIGGERS:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {SOURCE}")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def install() -> None:
    """(Re)create the triggers. Does not touch the counts: call `rebuild()` after."""
    uninstall()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(PG_FUNCTION)
            for name, when in PG_TRIGGERS.items():
                cursor.execute(
                    f"CREATE TRIGGER {name} {when.format(src=SOURCE)} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION compstat_incmonth_apply()"
                )
        elif connection.vendor == "sqlite":
            for name, body in SQLITE_TRIGGERS.items():
                cursor.execute(f"CREATE TRIGGER {name} {body}")
        else:  # pragma: no cover - the project runs on these two
            raise NotImplementedError(connection.vendor)


def _month_sql() -> str:
    if connection.vendor == "postgresql":
        return _PG_MONTH
    return _SQLITE_MONTH.format(row="r")


def _expected_sql() -> str:
    return (
        f"SELECT {_month_sql()} AS month, r.commune_id, r.responsible_unit_id, r.kind, r.offence_group, "
        f"count(*) AS n, sum(r.losses_vnd) AS losses_vnd FROM {SOURCE} r GROUP BY 1, 2, 3, 4, 5"
    )


def rebuild() -> int:
    """Recount every month from the records, in one transaction. Returns the number of rows."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(f"INSERT INTO {TABLE} ({_KEY_SQL}, n, losses_vnd) {_expected_sql()}")
        cursor.execute(f"SELECT count(*) FROM {TABLE}")
        return cursor.fetchone()[0]


@dataclass(frozen=True)
class Difference:
    key: tuple
    expected: tuple[int, int]  # (incidents, losses) counted from the records
    stored: tuple[int, int]  # what the aggregate table holds


def _key(row) -> tuple:
    # PostgreSQL returns the month as a date, SQLite as text: compare them as 'YYYY-MM-DD'.
    return (str(row[0])[:10], *row[1:5])


def verify() -> list[Difference]:
    """Every (month, commune, unit, kind, group) whose stored count differs from the records."""
    with connection.cursor() as cursor:
        cursor.execute(_expected_sql())
        expected = {_key(r): (int(r[5]), int(r[6] or 0)) for r in cursor.fetchall()}
        cursor.execute(f"SELECT {_KEY_SQL}, n, losses_vnd FROM {TABLE}")
        stored = {_key(r): (int(r[5]), int(r[6])) for r in cursor.fetchall()}
    return [
        Difference(key, expected.get(key, (0, 0)), stored.get(key, (0, 0)))
        for key in sorted(set(expected) | set(stored), key=lambda k: tuple(map(str, k)))
        if expected.get(key, (0, 0)) != stored.get(key, (0, 0))
    ]


def ensure_installed(**kwargs) -> None:
    """post_migrate: put the triggers back (SQLite drops them when a migration rebuilds the
    incident table) and recount, since writes made without them are not in the counts."""
    using = kwargs.get("using", "default")
    if using != "default" or not _tables_exist() or installed():
        return
    install()
    rebuild()
