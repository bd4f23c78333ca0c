# ruff: noqa: S608 -- SQL built only from this module's constant table and column names, never from input.
"""The suspects of cleared cases (`ClearedSuspect`), kept exactly the records' by triggers.

The campaign indicator "offenders identified" counts the distinct persons recorded as suspects
in the incidents of the cases cleared in a period, per handling unit and in all
(anninh/campaigns/indicators.py). Read through the cases and the incidents' person links, a
city-wide quarter probed the link index once for each of ~70,000 cleared cases (0.3-0.46 s of
database time per dashboard at 1,000,000 incidents). The pairs are copied here instead, one row
per (cleared case, suspect of its incident), with the case's handling unit and the time its
offender was identified, so a city-wide viewer's count reads one range of one covering index.

A count per case would not do: a person counts once per unit and once in all, however many
of the period's cleared cases name them (repeat offenders do: a near-repeat often has its
parent's suspects), so the distinct count needs the persons, not the sums.

The table holds exactly (`expected_sql`):
    every case with status "cleared" and an `offender_identified_at`, with an incident, times
    every person linked to that incident with role "suspect";
and on each row the identification time of the row before it of the same person, in the same
unit (`unit_prev_at`) and in any unit (`person_prev_at`), in the order of (identification
time, case id). A person has exactly one first row in any period [start, end): the one whose
previous row is before `start` (or that has none). So the distinct persons of a period, per
unit and in all, are plain counts of rows read from one covering index, with no distinct
count over ~50,000 pairs per quarter (which cost more than reading them).

Triggers keep it on every write, whoever makes it (the services, the imports, bulk updates,
the admin), in the same transaction:
- a case inserted, deleted, or its status, handling unit, identification time or incident
  changed: its rows are recomputed;
- a suspect link inserted, deleted or changed (incident, person or role): the pairs of the
  incident's cleared cases follow;
- rows inserted or deleted (by the triggers above): the previous times of their persons' rows
  are recomputed (a person has a handful of rows).
PostgreSQL: statement-level triggers with transition tables (an import of 10,000 links is one
insert); SQLite: row triggers. Incidents with cases cannot be deleted (PROTECT), nor persons
with links.

One race is left: two transactions that at the same moment add or remove rows of the same
person (two cases naming one suspect, cleared in the same instant) each recompute that
person's previous times without the other's uncommitted rows, so one may be left stale.
Locking the persons' rows would close it but would write every person row an import touches;
`verify()` finds such a row and `rebuild()` repairs it (the weekly check below).

SQLite drops a table's triggers when a migration rebuilds it, and refuses to rebuild a table
another table's trigger names: `drop_before_migrate` (pre_migrate) takes them off and
`ensure_installed` (post_migrate) puts them back and rebuilds. `verify()` lists the rows that
differ from a recount; `manage.py campaign_offenders` runs it (and `--rebuild`).
"""

from __future__ import annotations

from django.db import connection, transaction

from anninh.lib.pgsql import trigger_function

TABLE = "campaigns_clearedsuspect"
CASE = "records_case"
LINK = "records_incidentperson"
TABLES = (TABLE, CASE, LINK)
COLUMNS = "case_id, person_id, handling_unit_id, identified_at"
CLEARED = "cleared"  # CaseStatus.CLEARED
SUSPECT = "suspect"  # PersonRole.SUSPECT
#: The case's columns a row depends on.
CASE_WATCHED = ("status", "handling_unit_id", "offender_identified_at", "incident_id")


def _qualifies(case: str) -> str:
    return f"{case}.status = '{CLEARED}' AND {case}.offender_identified_at IS NOT NULL"


def _pairs_of_cases(cases: str) -> str:
    """The rows of the cases in `cases` (a table or transition table aliased c), from the
    links as they are now."""
    return (
        f"SELECT c.id, l.person_id, c.handling_unit_id, c.offender_identified_at "
        f"FROM {cases} c JOIN {LINK} l ON l.incident_id = c.incident_id AND l.role = '{SUSPECT}' "
        f"WHERE {_qualifies('c')}"
    )


def expected_sql() -> str:
    """Every row the table should hold, recomputed from the records (the plain recount)."""
    return _pairs_of_cases(CASE)


def _prev(row: str, *, same_unit: bool) -> str:
    """The identification time of the row before `row` of the same person (and unit), in the
    order of (identified_at, case_id); NULL for the first."""
    unit = f"AND p.handling_unit_id = {row}.handling_unit_id " if same_unit else ""
    return (
        f"(SELECT p.identified_at FROM {TABLE} p WHERE p.person_id = {row}.person_id {unit}"
        f"AND (p.identified_at < {row}.identified_at "
        f"OR (p.identified_at = {row}.identified_at AND p.case_id < {row}.case_id)) "
        "ORDER BY p.identified_at DESC, p.case_id DESC LIMIT 1)"
    )


def _prev_assignments(row: str) -> str:
    return f"unit_prev_at = {_prev(row, same_unit=True)}, person_prev_at = {_prev(row, same_unit=False)}"


# The previous times computed in one pass (the order of _prev's subquery).
_PREV_WINDOWS = (
    "lag(identified_at) OVER (PARTITION BY person_id, handling_unit_id ORDER BY identified_at, case_id) "
    "AS unit_prev, "
    "lag(identified_at) OVER (PARTITION BY person_id ORDER BY identified_at, case_id) AS person_prev"
)


def _pg_prev(persons: str | None) -> str:
    """PostgreSQL: the previous times of the rows of `persons` (SQL of person ids; None:
    every row) recomputed in one pass of window functions."""
    where = f"WHERE person_id IN ({persons})" if persons else ""
    return (
        f"UPDATE {TABLE} t SET unit_prev_at = w.unit_prev, person_prev_at = w.person_prev "
        f"FROM (SELECT id, {_PREV_WINDOWS} FROM {TABLE} {where}) w "
        "WHERE t.id = w.id AND (t.unit_prev_at IS DISTINCT FROM w.unit_prev "
        "OR t.person_prev_at IS DISTINCT FROM w.person_prev)"
    )


# --- PostgreSQL -----------------------------------------------------------------------------

_PG_CHANGED_IDS = "SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE " + " OR ".join(
    f"n.{col} IS DISTINCT FROM o.{col}" for col in CASE_WATCHED
)

_PG_SUSPECT_PAIRS_OF_NEW = (
    f"INSERT INTO {TABLE} ({COLUMNS}) "
    "SELECT c.id, n.person_id, c.handling_unit_id, c.offender_identified_at "
    f"FROM new_rows n JOIN {CASE} c ON c.incident_id = n.incident_id "
    f"WHERE n.role = '{SUSPECT}' AND {_qualifies('c')}"
)
_PG_SUSPECT_PAIRS_OF_OLD_GONE = (
    f"DELETE FROM {TABLE} t USING old_rows o, {CASE} c "
    f"WHERE o.role = '{SUSPECT}' AND c.incident_id = o.incident_id "
    "AND t.case_id = c.id AND t.person_id = o.person_id"
)
# Each statement static for one row, through EXECUTE for more (anninh.lib.pgsql): planned per
# call for its transition tables' sizes, not once per session for the first call's.
PG_FUNCTIONS = "".join(
    (
        trigger_function(
            "campaigns_clsus_case_ins",
            "new_rows",
            f"INSERT INTO {TABLE} ({COLUMNS}) {_pairs_of_cases('new_rows')}",
        ),
        # The changed cases' rows recomputed, from the cases as they are now.
        trigger_function(
            "campaigns_clsus_case_upd",
            "new_rows",
            f"DELETE FROM {TABLE} WHERE case_id IN ({_PG_CHANGED_IDS})",
            f"INSERT INTO {TABLE} ({COLUMNS}) {_pairs_of_cases(CASE)} AND c.id IN ({_PG_CHANGED_IDS})",
        ),
        trigger_function(
            "campaigns_clsus_case_del",
            "old_rows",
            f"DELETE FROM {TABLE} WHERE case_id IN (SELECT id FROM old_rows)",
        ),
        trigger_function("campaigns_clsus_link_ins", "new_rows", _PG_SUSPECT_PAIRS_OF_NEW),
        trigger_function("campaigns_clsus_link_del", "old_rows", _PG_SUSPECT_PAIRS_OF_OLD_GONE),
        # A suspect link is unique per (incident, person): the old pairs go, the new ones come.
        trigger_function(
            "campaigns_clsus_link_upd", "new_rows", _PG_SUSPECT_PAIRS_OF_OLD_GONE, _PG_SUSPECT_PAIRS_OF_NEW
        ),
        trigger_function("campaigns_clsus_prev_ins", "new_rows", _pg_prev("SELECT person_id FROM new_rows")),
        trigger_function("campaigns_clsus_prev_del", "old_rows", _pg_prev("SELECT person_id FROM old_rows")),
    )
)

#: name: (table, event and transition tables, function)
PG_TRIGGERS = {
    "campaigns_clsus_case_ins": (CASE, "AFTER INSERT", "NEW TABLE AS new_rows"),
    "campaigns_clsus_case_upd": (CASE, "AFTER UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    "campaigns_clsus_case_del": (CASE, "AFTER DELETE", "OLD TABLE AS old_rows"),
    "campaigns_clsus_link_ins": (LINK, "AFTER INSERT", "NEW TABLE AS new_rows"),
    "campaigns_clsus_link_upd": (LINK, "AFTER UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    "campaigns_clsus_link_del": (LINK, "AFTER DELETE", "OLD TABLE AS old_rows"),
    # The table's own rows, inserted or deleted by the triggers above: their persons' previous
    # times follow (the update of those two columns fires nothing).
    "campaigns_clsus_prev_ins": (TABLE, "AFTER INSERT", "NEW TABLE AS new_rows"),
    "campaigns_clsus_prev_del": (TABLE, "AFTER DELETE", "OLD TABLE AS old_rows"),
}

# --- SQLite (row triggers) ------------------------------------------------------------------


def _sqlite_case_rows(row: str) -> str:
    return (
        f"INSERT INTO {TABLE} ({COLUMNS}) "
        f"SELECT {row}.id, l.person_id, {row}.handling_unit_id, {row}.offender_identified_at "
        f"FROM {LINK} l WHERE l.incident_id = {row}.incident_id AND l.role = '{SUSPECT}' "
        f"AND {_qualifies(row)};"
    )


def _sqlite_link_add(row: str) -> str:
    return (
        f"INSERT INTO {TABLE} ({COLUMNS}) "
        f"SELECT c.id, {row}.person_id, c.handling_unit_id, c.offender_identified_at "
        f"FROM {CASE} c WHERE c.incident_id = {row}.incident_id AND {row}.role = '{SUSPECT}' "
        f"AND {_qualifies('c')};"
    )


def _sqlite_link_remove(row: str) -> str:
    return (
        f"DELETE FROM {TABLE} WHERE {row}.role = '{SUSPECT}' AND person_id = {row}.person_id "
        f"AND case_id IN (SELECT id FROM {CASE} WHERE incident_id = {row}.incident_id);"
    )


_SQLITE_CASE_CHANGED = " OR ".join(f"NEW.{col} IS NOT OLD.{col}" for col in CASE_WATCHED)

SQLITE_TRIGGERS = {
    "campaigns_clsus_case_ins": f"AFTER INSERT ON {CASE} BEGIN {_sqlite_case_rows('NEW')} END",
    "campaigns_clsus_case_upd": (
        f"AFTER UPDATE OF {', '.join(CASE_WATCHED)} ON {CASE} WHEN {_SQLITE_CASE_CHANGED} "
        f"BEGIN DELETE FROM {TABLE} WHERE case_id = OLD.id; {_sqlite_case_rows('NEW')} END"
    ),
    "campaigns_clsus_case_del": f"AFTER DELETE ON {CASE} BEGIN DELETE FROM {TABLE} WHERE case_id = OLD.id; END",
    "campaigns_clsus_link_ins": f"AFTER INSERT ON {LINK} BEGIN {_sqlite_link_add('NEW')} END",
    "campaigns_clsus_link_upd": (
        f"AFTER UPDATE OF incident_id, person_id, role ON {LINK} "
        f"BEGIN {_sqlite_link_remove('OLD')} {_sqlite_link_add('NEW')} END"
    ),
    "campaigns_clsus_link_del": f"AFTER DELETE ON {LINK} BEGIN {_sqlite_link_remove('OLD')} END",
    "campaigns_clsus_prev_ins": (
        f"AFTER INSERT ON {TABLE} BEGIN UPDATE {TABLE} SET {_prev_assignments(TABLE)} "
        "WHERE person_id = NEW.person_id; END"
    ),
    "campaigns_clsus_prev_del": (
        f"AFTER DELETE ON {TABLE} BEGIN UPDATE {TABLE} SET {_prev_assignments(TABLE)} "
        "WHERE person_id = OLD.person_id; END"
    ),
}

# --- Managing them --------------------------------------------------------------------------


def _tables_exist() -> bool:
    return set(TABLES) <= set(connection.introspection.table_names())


def _existing(cursor) -> set[str]:
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = ANY(%s::regclass[]) AND NOT tgisinternal",
            [[CASE, LINK, TABLE]],
        )
    else:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (%s, %s, %s)",
            [CASE, LINK, TABLE],
        )
    return {row[0] for row in cursor.fetchall()}


def _trigger_names() -> set[str]:
    return set(PG_TRIGGERS) if connection.vendor == "postgresql" else set(SQLITE_TRIGGERS)


def installed() -> bool:
    """True when every trigger is in place."""
    with connection.cursor() as cursor:
        return _tables_exist() and _trigger_names() <= _existing(cursor)


def uninstall() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for name, (table, _event, _tables) in PG_TRIGGERS.items():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        else:
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def install() -> None:
    """(Re)create the triggers. Does not touch the rows: call `rebuild()` after."""
    uninstall()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(PG_FUNCTIONS)
            for name, (table, event, tables) in PG_TRIGGERS.items():
                cursor.execute(
                    f"CREATE TRIGGER {name} {event} ON {table} REFERENCING {tables} "
                    f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
                )
        elif connection.vendor == "sqlite":
            for name, body in SQLITE_TRIGGERS.items():
                cursor.execute(f"CREATE TRIGGER {name} {body}")
        else:  # pragma: no cover - the project runs on these two
            raise NotImplementedError(connection.vendor)


def rebuild() -> int:
    """Recompute every row from the records, in one transaction. Returns the number of rows."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(f"INSERT INTO {TABLE} ({COLUMNS}) {expected_sql()}")
        # The triggers on the table set the previous times as the rows come; again here in
        # case they are not installed (a no-op otherwise).
        if connection.vendor == "postgresql":
            cursor.execute(_pg_prev(None))
        else:
            cursor.execute(f"UPDATE {TABLE} SET {_prev_assignments(TABLE)}")
        cursor.execute(f"SELECT count(*) FROM {TABLE}")
        return cursor.fetchone()[0]


def verify() -> list[tuple]:
    """The rows that differ from a recount: ("missing", row) for a row the records give and
    the table lacks, ("extra", row) for one it holds that they do not, ("previous", row) for
    one whose previous times are wrong; a row is (case id, person id, handling unit id,
    identification time)."""
    stored = f"SELECT {COLUMNS} FROM {TABLE}"
    with connection.cursor() as cursor:
        cursor.execute(f"{expected_sql()} EXCEPT {stored}")
        missing = [("missing", tuple(r)) for r in cursor.fetchall()]
        cursor.execute(f"{stored} EXCEPT {expected_sql()}")
        extra = [("extra", tuple(r)) for r in cursor.fetchall()]
        # EXCEPT compares sets: a row stored twice would pass it.
        cursor.execute(f"SELECT {COLUMNS} FROM {TABLE} GROUP BY {COLUMNS} HAVING count(*) > 1")
        extra += [("extra", tuple(r)) for r in cursor.fetchall()]
        op = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
        # One pass of window functions (a subquery per row took minutes: a person's rows are many).
        cursor.execute(
            f"SELECT {COLUMNS} FROM (SELECT {COLUMNS}, unit_prev_at, person_prev_at, {_PREV_WINDOWS} "
            f"FROM {TABLE}) w WHERE w.unit_prev_at {op} w.unit_prev OR w.person_prev_at {op} w.person_prev"
        )
        extra += [("previous", tuple(r)) for r in cursor.fetchall()]
    return sorted(missing + extra, key=lambda d: (d[1][0], d[1][1], d[0]))


def drop_before_migrate(**kwargs) -> None:
    """pre_migrate, SQLite only: the triggers on the cases name the links and the links' name
    the cases, and SQLite refuses to rebuild a table (add a column, change a field) that
    another table's trigger names. Drop them for the run; post_migrate (`ensure_installed`)
    puts them back and rebuilds."""
    if kwargs.get("using", "default") != "default" or connection.vendor != "sqlite":
        return
    if _tables_exist():
        uninstall()


def ensure_installed(**kwargs) -> None:
    """post_migrate: put the triggers back (SQLite drops them when a migration rebuilds one of
    the tables) and rebuild, since writes made without them are not in the table."""
    if kwargs.get("using", "default") != "default" or not _tables_exist() or installed():
        return
    install()
    rebuild()
