# ruff: noqa: S608 -- SQL built only from this module's constant table and column names, never from input.
"""Keeping `Case.occurred_at` exactly equal to COALESCE(incident.occurred_from,
crime_report.received_at), in the database.

The clearance statistics ("cases as of", the period rate, the case list's occurrence filter)
select cases by when their crime happened. Computed through the joins, no index serves that
filter and PostgreSQL joins every incident (seconds at a million cases, issue #15); the copy on
the case has an index. Triggers keep it right on every write, whoever makes it (the services,
the imports, a bulk update, the admin), in the same transaction, like the monthly incident
counts (anninh/compstat/aggregates.py):

- a case inserted, or its incident or crime report changed: the case's value is recomputed;
- an incident's `occurred_from` changed: its cases follow;
- a crime report's `received_at` changed: the cases of that report without an incident follow.

Incidents and reports cannot be deleted while a case points at them (PROTECT).

SQLite drops a table's triggers when a migration rebuilds it; `ensure_installed` (post_migrate)
puts them back and recomputes every case. `verify()` lists the cases whose copy is wrong.
"""

from __future__ import annotations

from django.db import connection, transaction

CASE = "records_case"
INCIDENT = "records_incident"
REPORT = "records_crimereport"


def _expected(row: str) -> str:
    return (
        f"COALESCE((SELECT i.occurred_from FROM {INCIDENT} i WHERE i.id = {row}.incident_id), "
        f"(SELECT r.received_at FROM {REPORT} r WHERE r.id = {row}.crime_report_id))"
    )


# --- PostgreSQL -----------------------------------------------------------------------------

PG_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION records_case_occurred_set() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  NEW.occurred_at := {_expected("NEW")};
  RETURN NEW;
END
$fn$;
CREATE OR REPLACE FUNCTION records_case_occurred_from_incident() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  UPDATE {CASE} c SET occurred_at = n.occurred_from
  FROM new_rows n JOIN old_rows o ON o.id = n.id
  WHERE c.incident_id = n.id AND n.occurred_from IS DISTINCT FROM o.occurred_from;
  RETURN NULL;
END
$fn$;
CREATE OR REPLACE FUNCTION records_case_occurred_from_report() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  UPDATE {CASE} c SET occurred_at = n.received_at
  FROM new_rows n JOIN old_rows o ON o.id = n.id
  WHERE c.crime_report_id = n.id AND c.incident_id IS NULL
    AND n.received_at IS DISTINCT FROM o.received_at;
  RETURN NULL;
END
$fn$;
"""
# (table, trigger, definition). The case trigger is a row trigger (it sets the row's value
# before it is written); the others are statement triggers with transition tables, so a bulk
# update of 10,000 incidents costs one joined update.
PG_TRIGGERS = (
    (
        CASE,
        "records_case_occurred",
        f"BEFORE INSERT OR UPDATE OF incident_id, crime_report_id, occurred_at ON {CASE} "
        "FOR EACH ROW EXECUTE FUNCTION records_case_occurred_set()",
    ),
    (
        INCIDENT,
        "records_case_occurred_inc",
        f"AFTER UPDATE ON {INCIDENT} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION records_case_occurred_from_incident()",
    ),
    (
        REPORT,
        "records_case_occurred_rep",
        f"AFTER UPDATE ON {REPORT} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION records_case_occurred_from_report()",
    ),
)

# --- SQLite (row triggers; SQLite cannot change NEW, so the case is updated after) ----------

_SQLITE_SET = f"UPDATE {CASE} SET occurred_at = {_expected('NEW')} WHERE id = NEW.id;"
SQLITE_TRIGGERS = (
    (CASE, "records_case_occurred", f"AFTER INSERT ON {CASE} BEGIN {_SQLITE_SET} END"),
    (
        CASE,
        "records_case_occurred_upd",
        f"AFTER UPDATE OF incident_id, crime_report_id, occurred_at ON {CASE} "
        f"WHEN NEW.occurred_at IS NOT {_expected('NEW')} BEGIN {_SQLITE_SET} END",
    ),
    (
        INCIDENT,
        "records_case_occurred_inc",
        f"AFTER UPDATE OF occurred_from ON {INCIDENT} WHEN NEW.occurred_from IS NOT OLD.occurred_from "
        f"BEGIN UPDATE {CASE} SET occurred_at = NEW.occurred_from WHERE incident_id = NEW.id; END",
    ),
    (
        REPORT,
        "records_case_occurred_rep",
        f"AFTER UPDATE OF received_at ON {REPORT} WHEN NEW.received_at IS NOT OLD.received_at "
        f"BEGIN UPDATE {CASE} SET occurred_at = NEW.received_at "
        "WHERE crime_report_id = NEW.id AND incident_id IS NULL; END",
    ),
)


def _triggers():
    return PG_TRIGGERS if connection.vendor == "postgresql" else SQLITE_TRIGGERS


def _tables_exist() -> bool:
    return {CASE, INCIDENT, REPORT} <= set(connection.introspection.table_names())


def _existing(cursor) -> set[str]:
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid IN (%s::regclass, %s::regclass, %s::regclass) "
            "AND NOT tgisinternal",
            [CASE, INCIDENT, REPORT],
        )
    else:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    return {row[0] for row in cursor.fetchall()}


def installed() -> bool:
    with connection.cursor() as cursor:
        return _tables_exist() and {name for _, name, _ in _triggers()} <= _existing(cursor)


def uninstall() -> None:
    with connection.cursor() as cursor:
        for table, name, _ in _triggers():
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def install() -> None:
    """(Re)create the triggers. Does not touch the values: call `rebuild()` after."""
    uninstall()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(PG_FUNCTIONS)
        elif connection.vendor != "sqlite":  # pragma: no cover - the project runs on these two
            raise NotImplementedError(connection.vendor)
        for _, name, body in _triggers():
            cursor.execute(f"CREATE TRIGGER {name} {body}")


def rebuild() -> int:
    """Recompute every case's value (one statement). Returns the number of cases changed."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {CASE} SET occurred_at = {_expected(CASE)} "
            f"WHERE occurred_at IS DISTINCT FROM {_expected(CASE)}"
            if connection.vendor == "postgresql"
            else f"UPDATE {CASE} SET occurred_at = {_expected(CASE)} WHERE occurred_at IS NOT {_expected(CASE)}"
        )
        return cursor.rowcount


def verify() -> list[int]:
    """The ids of the cases whose stored value differs from the one computed from the records."""
    op = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {CASE} WHERE occurred_at {op} {_expected(CASE)} ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


def drop_before_migrate(**kwargs) -> None:
    """pre_migrate, SQLite only: a migration that rebuilds one of the three tables (add a
    column, change a field) copies it, drops the old table and renames the copy, which SQLite
    refuses while a trigger on another table names it. Drop the triggers for the run;
    post_migrate (`ensure_installed`) puts them back and recomputes."""
    if kwargs.get("using", "default") != "default" or connection.vendor != "sqlite":
        return
    if _tables_exist():
        uninstall()


def ensure_installed(**kwargs) -> None:
    """post_migrate: put the triggers back (SQLite drops them when a migration rebuilds one of
    the tables) and recompute, since writes made without them may have left wrong values."""
    if kwargs.get("using", "default") != "default" or not _tables_exist() or installed():
        return
    install()
    rebuild()
