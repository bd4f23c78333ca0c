# ruff: noqa: S608 -- SQL built only from this module's constant table and column names, never from input.
"""Keeping two copies on the case exact, in the database:

- `Case.occurred_at` = COALESCE(incident.occurred_from, crime_report.received_at), when the
  crime happened;
- `Case.counted_group` = the group of the case's own offence, else its incident's main
  offence group, else its crime report's suspected offence's group, else "": the offence
  group the case counts under;
- `Case.last_change_at` and `last_change_status` = the time and status of the case's last
  status change (by effective time, then id): its status "as of" any later time, without a
  look-up in the history;
- `CaseStatusChange.counted_group` = its case's `counted_group`: a period's clearances are
  counted by offence group from one index, without joining their cases; and the history's
  copies of its case's placement (`place_commune`, `other_commune`, `handling_unit`,
  `other_unit`, same names), so a scoped viewer's clearances are counted from it too;
- where the case is placed, for the need-to-know rule and the commune filters:
  `Case.place_commune` = the incident's commune, else the crime report's; `other_commune` =
  the crime report's commune where it differs from the place (else NULL); `other_unit` = the
  incident's responsible unit where it differs from the case's handling unit (else NULL).
  "The cases a Lê Chân officer may see" is then four indexed conditions on the case itself
  instead of a join of every case with its incident and report (issue #15).

The clearance statistics ("cases as of", the period rate, the case list's filters) select a
period's cases by when their crime happened and count them by offence group. Computed through
the joins, no index serves the filter and grouping a quarter's cases reads every incident and
crime report (seconds at a million cases, issue #15); the copies on the case need no join and
`occurred_at` has an index. Triggers keep them right on every write, whoever makes it (the
services, the imports, a bulk update, the admin), in the same transaction, like the monthly
incident counts (anninh/compstat/aggregates.py):

- a case inserted, or its incident, crime report or offence changed: both are recomputed;
- an incident's `occurred_from`, `offence_group`, `commune` or `responsible_unit` changed: its
  cases follow;
- a crime report's `received_at`, suspected offence or `commune` changed: its cases follow (the
  date only for those without an incident);
- a case's handling unit changed: its `other_unit` follows;
- an offence's group changed in the catalogue: the cases counted through it follow;
- a status change inserted, edited or deleted: its case's last change follows;
- a case's `counted_group` changed (or a case inserted after its history, the foreign keys
  being deferred): its status changes follow; a status change inserted or moved to another
  case takes its case's group.

Incidents, reports and offences cannot be deleted while a case points at them (PROTECT).

SQLite drops a table's triggers when a migration rebuilds it; `ensure_installed` (post_migrate)
puts them back and recomputes every case. `verify()` lists the cases whose copies are wrong.
"""

from __future__ import annotations

from django.db import connection, transaction

from anninh.lib.pgsql import sized, trigger_function

CASE = "records_case"
INCIDENT = "records_incident"
REPORT = "records_crimereport"
OFFENCE = "records_offence"
CHANGE = "records_casestatuschange"
TABLES = (CASE, INCIDENT, REPORT, OFFENCE, CHANGE)


def _expected(row: str) -> str:
    return (
        f"COALESCE((SELECT i.occurred_from FROM {INCIDENT} i WHERE i.id = {row}.incident_id), "
        f"(SELECT r.received_at FROM {REPORT} r WHERE r.id = {row}.crime_report_id))"
    )


def _group(row: str) -> str:
    return (
        f'COALESCE((SELECT o."group" FROM {OFFENCE} o WHERE o.id = {row}.offence_id), '
        f"NULLIF((SELECT i.offence_group FROM {INCIDENT} i WHERE i.id = {row}.incident_id), ''), "
        f'(SELECT o."group" FROM {REPORT} r JOIN {OFFENCE} o ON o.id = r.suspected_offence_id '
        f"WHERE r.id = {row}.crime_report_id), '')"
    )


def _place(row: str) -> str:
    """The commune the case is placed in: its incident's, else its crime report's."""
    return (
        f"COALESCE((SELECT i.commune_id FROM {INCIDENT} i WHERE i.id = {row}.incident_id), "
        f"(SELECT r.commune_id FROM {REPORT} r WHERE r.id = {row}.crime_report_id))"
    )


def _other_commune(row: str) -> str:
    """The crime report's commune where it is not the place (NULL otherwise)."""
    return f"NULLIF((SELECT r.commune_id FROM {REPORT} r WHERE r.id = {row}.crime_report_id), {_place(row)})"


def _other_unit(row: str) -> str:
    """The incident's responsible unit where it is not the case's handling unit (else NULL)."""
    return (
        f"NULLIF((SELECT i.responsible_unit_id FROM {INCIDENT} i WHERE i.id = {row}.incident_id), "
        f"{row}.handling_unit_id)"
    )


# The copies of where the case is placed: (column, expression).
PLACE = (
    ("place_commune_id", _place),
    ("other_commune_id", _other_commune),
    ("other_unit_id", _other_unit),
)


def _last(row: str, column: str) -> str:
    """A column of the case's last status change (by effective time, then id)."""
    return (
        f"(SELECT ch.{column} FROM {CHANGE} ch WHERE ch.case_id = {row}.id "
        "ORDER BY ch.effective_at DESC, ch.id DESC LIMIT 1)"
    )


def _differs(row: str, op: str) -> str:
    """SQL true when a stored copy of `row` differs from its computed value."""
    return (
        f"({row}.occurred_at {op} {_expected(row)} OR {row}.counted_group {op} {_group(row)} "
        f"OR {row}.last_change_at {op} {_last(row, 'effective_at')} "
        f"OR {row}.last_change_status {op} {_last(row, 'to_status')} "
        + "".join(f"OR {row}.{column} {op} {expr(row)} " for column, expr in PLACE)
        + ")"
    )


def _change_group(row: str) -> str:
    """The group a status change's copy should hold: its case's."""
    return f"COALESCE((SELECT c.counted_group FROM {CASE} c WHERE c.id = {row}.case_id), '')"


# The case's columns its history carries (same names on both tables), besides the group.
CHANGE_PLACE = ("place_commune_id", "other_commune_id", "handling_unit_id", "other_unit_id")


def _change_copy(row: str, column: str) -> str:
    return f"(SELECT c.{column} FROM {CASE} c WHERE c.id = {row}.case_id)"


def _change_assignments(row: str) -> str:
    """SET list: every copy a status change holds, from its case."""
    return ", ".join(
        [
            f"counted_group = {_change_group(row)}",
            *(f"{col} = {_change_copy(row, col)}" for col in CHANGE_PLACE),
        ]
    )


def _change_differs(row: str, op: str) -> str:
    return (
        f"({row}.counted_group {op} {_change_group(row)} "
        + "".join(f"OR {row}.{col} {op} {_change_copy(row, col)} " for col in CHANGE_PLACE)
        + ")"
    )


def _case_moved(op: str) -> str:
    """A case's copies its history carries changed (NEW against OLD)."""
    return " OR ".join(f"NEW.{col} {op} OLD.{col}" for col in ("counted_group", *CHANGE_PLACE))


def _assignments(row: str) -> str:
    return (
        f"occurred_at = {_expected(row)}, counted_group = {_group(row)}, "
        f"last_change_at = {_last(row, 'effective_at')}, last_change_status = {_last(row, 'to_status')}, "
        + ", ".join(f"{column} = {expr(row)}" for column, expr in PLACE)
    )


_CHANGE_SET = "".join(f"  NEW.{col} := {_change_copy('NEW', col)};\n" for col in CHANGE_PLACE)
_CHANGE_FROM_NEW = ", ".join(f"{col} = NEW.{col}" for col in CHANGE_PLACE)
_CHANGE_STALE = "".join(f"OR ch.{col} IS DISTINCT FROM NEW.{col} " for col in CHANGE_PLACE)

# --- PostgreSQL -----------------------------------------------------------------------------

# The statement triggers' statements: static for one row, through EXECUTE for more
# (anninh.lib.pgsql): planned per call for that call's transition tables, not once per session.
_PG_FROM_INCIDENT = trigger_function(
    "records_case_occurred_from_incident",
    "new_rows",
    f"UPDATE {CASE} c SET occurred_at = n.occurred_from FROM new_rows n JOIN old_rows o ON o.id = n.id "
    "WHERE c.incident_id = n.id AND n.occurred_from IS DISTINCT FROM o.occurred_from",
    f"UPDATE {CASE} c SET counted_group = {_group('c')} FROM new_rows n JOIN old_rows o ON o.id = n.id "
    "WHERE c.incident_id = n.id AND n.offence_group IS DISTINCT FROM o.offence_group",
    f"UPDATE {CASE} c SET place_commune_id = {_place('c')}, other_commune_id = {_other_commune('c')}, "
    f"other_unit_id = {_other_unit('c')} FROM new_rows n JOIN old_rows o ON o.id = n.id "
    "WHERE c.incident_id = n.id AND (n.commune_id IS DISTINCT FROM o.commune_id "
    "OR n.responsible_unit_id IS DISTINCT FROM o.responsible_unit_id)",
)
_PG_FROM_REPORT = trigger_function(
    "records_case_occurred_from_report",
    "new_rows",
    f"UPDATE {CASE} c SET occurred_at = n.received_at FROM new_rows n JOIN old_rows o ON o.id = n.id "
    "WHERE c.crime_report_id = n.id AND c.incident_id IS NULL AND n.received_at IS DISTINCT FROM o.received_at",
    f"UPDATE {CASE} c SET counted_group = {_group('c')} FROM new_rows n JOIN old_rows o ON o.id = n.id "
    "WHERE c.crime_report_id = n.id AND n.suspected_offence_id IS DISTINCT FROM o.suspected_offence_id",
    f"UPDATE {CASE} c SET place_commune_id = {_place('c')}, other_commune_id = {_other_commune('c')} "
    "FROM new_rows n JOIN old_rows o ON o.id = n.id "
    "WHERE c.crime_report_id = n.id AND n.commune_id IS DISTINCT FROM o.commune_id",
)
_PG_LAST_CHANGE = (
    trigger_function(
        "records_case_last_change_ins",
        "new_rows",
        f"UPDATE {CASE} c SET last_change_at = NULL WHERE c.id IN (SELECT case_id FROM new_rows)",
    )
    # Only changes whose case, time or status moved: an update of the history's copies alone
    # (group, placement) issues no case update, so no statement trigger on the case runs for
    # it (each case whose copies moved used to re-run them all: the demo seed never finished).
    + f"""CREATE OR REPLACE FUNCTION records_case_last_change_upd() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  moved boolean;
BEGIN
{
        sized(
            "new_rows",
            "SELECT EXISTS (SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id "
            "WHERE n.case_id IS DISTINCT FROM o.case_id OR n.effective_at IS DISTINCT FROM o.effective_at "
            "OR n.to_status IS DISTINCT FROM o.to_status)",
            into="moved",
        )
    }  IF moved THEN
{
        sized(
            "new_rows",
            f"UPDATE {CASE} c SET last_change_at = NULL "
            "WHERE c.id IN (SELECT case_id FROM new_rows UNION SELECT case_id FROM old_rows)",
            indent="    ",
        )
    }  END IF;
  RETURN NULL;
END
$fn$;
"""
    + trigger_function(
        "records_case_last_change_del",
        "old_rows",
        f"UPDATE {CASE} c SET last_change_at = NULL WHERE c.id IN (SELECT case_id FROM old_rows)",
    )
)
_PG_FROM_OFFENCE = trigger_function(
    "records_case_group_from_offence",
    "new_rows",
    f"UPDATE {CASE} c SET counted_group = {_group('c')} FROM new_rows n JOIN old_rows o ON o.id = n.id "
    'WHERE n."group" IS DISTINCT FROM o."group" AND (c.offence_id = n.id '
    f"OR c.crime_report_id IN (SELECT r.id FROM {REPORT} r WHERE r.suspected_offence_id = n.id))",
)

PG_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION records_case_occurred_set() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  NEW.occurred_at := {_expected("NEW")};
  NEW.counted_group := {_group("NEW")};
  NEW.last_change_at := {_last("NEW", "effective_at")};
  NEW.last_change_status := {_last("NEW", "to_status")};
  NEW.place_commune_id := {_place("NEW")};
  NEW.other_commune_id := {_other_commune("NEW")};
  NEW.other_unit_id := {_other_unit("NEW")};
  RETURN NEW;
END
$fn$;
{_PG_FROM_INCIDENT}{_PG_FROM_REPORT}{_PG_LAST_CHANGE}CREATE OR REPLACE FUNCTION records_change_group_set() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  NEW.counted_group := {_change_group("NEW")};
{_CHANGE_SET}  RETURN NEW;
END
$fn$;
CREATE OR REPLACE FUNCTION records_case_group_to_changes() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  UPDATE {CHANGE} ch SET counted_group = NEW.counted_group, {_CHANGE_FROM_NEW}
  WHERE ch.case_id = NEW.id AND (ch.counted_group IS DISTINCT FROM NEW.counted_group {_CHANGE_STALE});
  RETURN NULL;
END
$fn$;
{_PG_FROM_OFFENCE}"""
# (table, trigger, definition). The case trigger is a row trigger (it sets the row's value
# before it is written); the others are statement triggers with transition tables, so a bulk
# update of 10,000 incidents costs one joined update.
PG_TRIGGERS = (
    (
        CASE,
        "records_case_occurred",
        "BEFORE INSERT OR UPDATE OF incident_id, crime_report_id, offence_id, handling_unit_id, occurred_at, "
        "counted_group, last_change_at, last_change_status, place_commune_id, other_commune_id, other_unit_id "
        f"ON {CASE} "
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
    (
        OFFENCE,
        "records_case_group_off",
        f"AFTER UPDATE ON {OFFENCE} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION records_case_group_from_offence()",
    ),
    # The group copied on the history: a change takes its case's when written; a case whose
    # group changed (set by the BEFORE trigger above, so not an "UPDATE OF" column) passes it
    # on. Row triggers: a case's history is a few rows.
    (
        CHANGE,
        "records_change_group",
        f"BEFORE INSERT OR UPDATE OF case_id, counted_group, {', '.join(CHANGE_PLACE)} ON {CHANGE} "
        "FOR EACH ROW EXECUTE FUNCTION records_change_group_set()",
    ),
    (
        CASE,
        "records_case_group_changes_ins",
        f"AFTER INSERT ON {CASE} FOR EACH ROW EXECUTE FUNCTION records_case_group_to_changes()",
    ),
    (
        CASE,
        "records_case_group_changes_upd",
        f"AFTER UPDATE ON {CASE} FOR EACH ROW WHEN ({_case_moved('IS DISTINCT FROM')}) "
        "EXECUTE FUNCTION records_case_group_to_changes()",
    ),
    # A change of the history touches its case's last_change_at, which the case trigger above
    # recomputes (with the status) from the history.
    *(
        (
            CHANGE,
            f"records_case_last_change_{event[:3].lower()}",
            f"AFTER {event} ON {CHANGE} REFERENCING {tables} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION records_case_last_change_{event[:3].lower()}()",
        )
        for event, tables in (
            ("INSERT", "NEW TABLE AS new_rows"),
            ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
            ("DELETE", "OLD TABLE AS old_rows"),
        )
    ),
)

# --- SQLite (row triggers; SQLite cannot change NEW, so the case is updated after) ----------

_SQLITE_SET = f"UPDATE {CASE} SET {_assignments('NEW')} WHERE id = NEW.id;"
_SQLITE_LAST = (
    f"UPDATE {CASE} SET last_change_at = {_last(CASE, 'effective_at')}, "
    f"last_change_status = {_last(CASE, 'to_status')}"
)
_SQLITE_GROUP = f"UPDATE {CASE} SET counted_group = {_group(CASE)}"
_SQLITE_PLACE = f"UPDATE {CASE} SET " + ", ".join(f"{column} = {expr(CASE)}" for column, expr in PLACE)
SQLITE_TRIGGERS = (
    (CASE, "records_case_occurred", f"AFTER INSERT ON {CASE} BEGIN {_SQLITE_SET} END"),
    (
        CASE,
        "records_case_occurred_upd",
        "AFTER UPDATE OF incident_id, crime_report_id, offence_id, handling_unit_id, occurred_at, "
        "counted_group, last_change_at, last_change_status, place_commune_id, other_commune_id, other_unit_id "
        f"ON {CASE} "
        f"WHEN {_differs('NEW', 'IS NOT')} BEGIN {_SQLITE_SET} END",
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
    (
        INCIDENT,
        "records_case_group_inc",
        f"AFTER UPDATE OF offence_group ON {INCIDENT} WHEN NEW.offence_group IS NOT OLD.offence_group "
        f"BEGIN {_SQLITE_GROUP} WHERE incident_id = NEW.id; END",
    ),
    (
        REPORT,
        "records_case_group_rep",
        f"AFTER UPDATE OF suspected_offence_id ON {REPORT} "
        "WHEN NEW.suspected_offence_id IS NOT OLD.suspected_offence_id "
        f"BEGIN {_SQLITE_GROUP} WHERE crime_report_id = NEW.id; END",
    ),
    (
        INCIDENT,
        "records_case_place_inc",
        f"AFTER UPDATE OF commune_id, responsible_unit_id ON {INCIDENT} "
        "WHEN NEW.commune_id IS NOT OLD.commune_id OR NEW.responsible_unit_id IS NOT OLD.responsible_unit_id "
        f"BEGIN {_SQLITE_PLACE} WHERE incident_id = NEW.id; END",
    ),
    (
        REPORT,
        "records_case_place_rep",
        f"AFTER UPDATE OF commune_id ON {REPORT} WHEN NEW.commune_id IS NOT OLD.commune_id "
        f"BEGIN {_SQLITE_PLACE} WHERE crime_report_id = NEW.id; END",
    ),
    (
        OFFENCE,
        "records_case_group_off",
        f'AFTER UPDATE OF "group" ON {OFFENCE} WHEN NEW."group" IS NOT OLD."group" '
        f"BEGIN {_SQLITE_GROUP} WHERE offence_id = NEW.id "
        f"OR crime_report_id IN (SELECT id FROM {REPORT} WHERE suspected_offence_id = NEW.id); END",
    ),
    (
        CHANGE,
        "records_change_group",
        f"AFTER INSERT ON {CHANGE} BEGIN UPDATE {CHANGE} SET {_change_assignments('NEW')} WHERE id = NEW.id; END",
    ),
    (
        CHANGE,
        "records_change_group_upd",
        f"AFTER UPDATE OF case_id, counted_group, {', '.join(CHANGE_PLACE)} ON {CHANGE} "
        f"WHEN {_change_differs('NEW', 'IS NOT')} "
        f"BEGIN UPDATE {CHANGE} SET {_change_assignments('NEW')} WHERE id = NEW.id; END",
    ),
    (
        CASE,
        "records_case_group_changes_ins",
        f"AFTER INSERT ON {CASE} BEGIN UPDATE {CHANGE} SET {_change_assignments(CHANGE)} "
        "WHERE case_id = NEW.id; END",
    ),
    (
        CASE,
        "records_case_group_changes_upd",
        f"AFTER UPDATE OF counted_group, {', '.join(CHANGE_PLACE)} ON {CASE} WHEN {_case_moved('IS NOT')} "
        f"BEGIN UPDATE {CHANGE} SET {_change_assignments(CHANGE)} WHERE case_id = NEW.id; END",
    ),
    (
        CHANGE,
        "records_case_last_change_ins",
        f"AFTER INSERT ON {CHANGE} BEGIN {_SQLITE_LAST} WHERE id = NEW.case_id; END",
    ),
    (
        CHANGE,
        "records_case_last_change_upd",
        f"AFTER UPDATE ON {CHANGE} BEGIN {_SQLITE_LAST} WHERE id IN (NEW.case_id, OLD.case_id); END",
    ),
    (
        CHANGE,
        "records_case_last_change_del",
        f"AFTER DELETE ON {CHANGE} BEGIN {_SQLITE_LAST} WHERE id = OLD.case_id; END",
    ),
)


def _triggers():
    return PG_TRIGGERS if connection.vendor == "postgresql" else SQLITE_TRIGGERS


def _tables_exist() -> bool:
    return set(TABLES) <= set(connection.introspection.table_names())


def _existing(cursor) -> set[str]:
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = ANY(%s::regclass[]) AND NOT tgisinternal",
            [list(TABLES)],
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
    """Recompute every case's copies (one statement), then their history's copies of its
    case's (group and placement). Returns the number of cases changed."""
    op = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {CASE} SET {_assignments(CASE)} WHERE {_differs(CASE, op)}")
        changed = cursor.rowcount
        cursor.execute(
            f"UPDATE {CHANGE} SET {_change_assignments(CHANGE)} WHERE {_change_differs(CHANGE, op)}"
            if connection.vendor != "postgresql"
            else f"UPDATE {CHANGE} ch SET counted_group = c.counted_group, "
            + ", ".join(f"{col} = c.{col}" for col in CHANGE_PLACE)
            + f" FROM {CASE} c WHERE c.id = ch.case_id AND (ch.counted_group IS DISTINCT FROM c.counted_group "
            + "".join(f"OR ch.{col} IS DISTINCT FROM c.{col} " for col in CHANGE_PLACE)
            + ")"
        )
        return changed


def verify() -> list[int]:
    """The ids of the cases whose stored copies (or their history's copy of the group) differ
    from the ones computed from the records."""
    op = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {CASE} WHERE {_differs(CASE, op)} "
            f"UNION SELECT ch.case_id FROM {CHANGE} ch WHERE {_change_differs('ch', op)} "
            "ORDER BY 1"
        )
        return [row[0] for row in cursor.fetchall()]


def drop_before_migrate(**kwargs) -> None:
    """pre_migrate, SQLite only: a migration that rebuilds one of the tables (add a
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
