# ruff: noqa: S608 -- SQL built only from this module's constant table and column names, never from input.
"""Keeping `IncidentMonth` exactly consistent with the records, in the database.

Triggers apply every insert, update and delete to the monthly counts in the same transaction,
so nothing in Python has to remember to do it:

- on `records_incident`: the incidents and their losses, and, when an incident moves to
  another month, commune, unit, kind or group, its victims and fire-and-rescue figures with it;
- on `records_incidentperson`: the victims named in incidents (role "victim");
- on `records_firerescuedetail`: people rescued, victims found, dead, injured and damage.

- PostgreSQL: statement-level AFTER triggers with transition tables; one statement (an import
  of 10,000 rows, a bulk update) costs one grouped upsert, not one per row.
- SQLite: row-level AFTER triggers doing an upsert (or an update) per row.

An incident's victims and fire figures are counted under the incident's key whatever the
order of the writes: a person or detail written before its incident (deferred foreign keys)
finds no key row and adds nothing, and the incident's own insert then counts it.

A month is the calendar month of `occurred_from` in Vietnam time, taken as UTC+7 (the country
has had no other offset since 1975; the dashboard reads months from 2000 on).

SQLite drops a table's triggers when Django rebuilds the table in a migration (and refuses to
rebuild a table that another table's trigger names); `drop_before_migrate` (pre_migrate) takes
them off and `ensure_installed` (post_migrate) puts them back and rebuilds the counts.
`verify()` compares the table with the records; `manage.py compstat_aggregates` runs it (and
`--rebuild`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction

from anninh.lib.pgsql import sized

TABLE = "compstat_incidentmonth"
SOURCE = "records_incident"
PERSONS = "records_incidentperson"
DETAILS = "records_firerescuedetail"
SOURCES = (SOURCE, PERSONS, DETAILS)
KEY = ("month", "commune_id", "responsible_unit_id", "kind", "offence_group")
_KEY_SQL = ", ".join(KEY)
VICTIM = "victim"  # PersonRole.VICTIM, the role the dashboard's fraud victims count
#: The fire-and-rescue figures: (column of the monthly counts, column of the detail).
FIRE = (
    ("fire_rescued", "rescued"),
    ("fire_victims_found", "victims_found"),
    ("fire_dead", "dead"),
    ("fire_injured", "injured"),
    ("fire_damage_vnd", "damage_vnd"),
)
#: Every figure the table keeps, in its column order.
MEASURES = ("n", "losses_vnd", "victims", *(col for col, _ in FIRE))
_MEASURES_SQL = ", ".join(MEASURES)


def _victims_of(incident_id: str) -> str:
    return f"(SELECT count(*) FROM {PERSONS} p WHERE p.incident_id = {incident_id} AND p.role = '{VICTIM}')"


def _fire_of(incident_id: str, column: str) -> str:
    return f"COALESCE((SELECT d.{column} FROM {DETAILS} d WHERE d.incident_id = {incident_id}), 0)"


# --- PostgreSQL -----------------------------------------------------------------------------


def _pg_month(alias: str) -> str:
    return f"(date_trunc('month', ({alias}.occurred_from AT TIME ZONE 'UTC') + interval '7 hours'))::date"


def _pg_key(alias: str) -> str:
    return f"{_pg_month(alias)} AS month, {', '.join(f'{alias}.{k}' for k in KEY[1:])}"


_PG_MONTH = _pg_month("r")


def _pg_incidents(rows: str, sign: int) -> str:
    """Grouped signed figures of incident rows, with their victims and fire figures now."""
    fire = ", ".join(f"{sign} * COALESCE(sum(d.{src}), 0) AS {col}" for col, src in FIRE)
    return f"""
    SELECT {_pg_key("r")}, {sign} * count(*) AS n, {sign} * sum(r.losses_vnd) AS losses_vnd,
           {sign} * COALESCE(sum(v.n), 0) AS victims, {fire}
    FROM {rows} r
    LEFT JOIN {DETAILS} d ON d.incident_id = r.id
    LEFT JOIN LATERAL (SELECT count(*) AS n FROM {PERSONS} p
                       WHERE p.incident_id = r.id AND p.role = '{VICTIM}') v ON true
    GROUP BY 1, 2, 3, 4, 5"""


def _pg_persons(rows: str, sign: int) -> str:
    zeros = ", ".join(f"0 AS {col}" for col, _ in FIRE)
    return f"""
    SELECT {_pg_key("i")}, 0 AS n, 0 AS losses_vnd, {sign} * count(*) AS victims, {zeros}
    FROM {rows} p JOIN {SOURCE} i ON i.id = p.incident_id WHERE p.role = '{VICTIM}'
    GROUP BY 1, 2, 3, 4, 5"""


def _pg_details(rows: str, sign: int) -> str:
    fire = ", ".join(f"{sign} * sum(d.{src}) AS {col}" for col, src in FIRE)
    return f"""
    SELECT {_pg_key("i")}, 0 AS n, 0 AS losses_vnd, 0 AS victims, {fire}
    FROM {rows} d JOIN {SOURCE} i ON i.id = d.incident_id
    GROUP BY 1, 2, 3, 4, 5"""


_PG_UPSERT = f"""
    INSERT INTO {TABLE} AS m ({_KEY_SQL}, {_MEASURES_SQL})
    SELECT {_KEY_SQL}, {", ".join(f"sum({m})" for m in MEASURES)} FROM ({{delta}}) d GROUP BY {_KEY_SQL}
    HAVING {" OR ".join(f"sum({m}) <> 0" for m in MEASURES)}
    ON CONFLICT ({_KEY_SQL})
    DO UPDATE SET {", ".join(f"{m} = m.{m} + EXCLUDED.{m}" for m in MEASURES)};"""
_PG_PRUNE = f"""
    DELETE FROM {TABLE} m USING ({{delta}}) d
    WHERE m.n <= 0 AND {" AND ".join(f"m.{k} = d.{k}" for k in KEY)};"""


def _pg_statements(delta: str, *, prune: bool) -> list[str]:
    """Add `delta` (grouped rows with signed figures) to the table; drop the emptied rows."""
    return [_PG_UPSERT.format(delta=delta)] + ([_PG_PRUNE.format(delta=delta)] if prune else [])


def _pg_function(name: str, grouped, *, prune: bool) -> str:
    new, old = grouped("new_rows", 1), grouped("old_rows", -1)

    def apply(delta: str, rows: str, *, prune: bool) -> str:
        # Static for one row, through EXECUTE for more (anninh.lib.pgsql): planned per call
        # for its transition tables' sizes, not once per session for the first call's.
        return sized(rows, *_pg_statements(delta, prune=prune), indent="    ")

    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF TG_OP = 'INSERT' THEN
{apply(new, "new_rows", prune=False)}  ELSIF TG_OP = 'DELETE' THEN
{apply(old, "old_rows", prune=prune)}  ELSE
{apply(new + " UNION ALL " + old, "new_rows", prune=prune)}  END IF;
  RETURN NULL;
END
$fn$;
"""


def pg_add_new_incidents(rows: str) -> str:
    """SQL adding incidents just inserted (`rows`: a query or table with their occurred_from,
    commune_id, responsible_unit_id, kind, offence_group and losses_vnd) to the monthly counts,
    as the insert trigger would: for a bulk writer that inserts with the triggers off
    (anninh.records.services.io_copy). New incidents have no victims or fire figures yet
    (nothing can name an id not yet committed), so those stay 0."""
    zeros = ", ".join(f"0 AS {col}" for col, _ in FIRE)
    delta = f"""
    SELECT {_pg_key("r")}, count(*) AS n, sum(r.losses_vnd) AS losses_vnd, 0 AS victims, {zeros}
    FROM {rows} r GROUP BY 1, 2, 3, 4, 5"""
    return "".join(_pg_statements(delta, prune=False))


# A person or a detail never empties a month (its incident is still counted there): no prune.
PG_FUNCTIONS = {
    "compstat_incmonth_apply": _pg_function("compstat_incmonth_apply", _pg_incidents, prune=True),
    "compstat_incmonth_persons": _pg_function("compstat_incmonth_persons", _pg_persons, prune=False),
    "compstat_incmonth_fire": _pg_function("compstat_incmonth_fire", _pg_details, prune=False),
}
PG_FUNCTION = "".join(PG_FUNCTIONS.values())
_PG_EVENTS = {
    "ins": "AFTER INSERT ON {src} REFERENCING NEW TABLE AS new_rows",
    "del": "AFTER DELETE ON {src} REFERENCING OLD TABLE AS old_rows",
    "upd": "AFTER UPDATE ON {src} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
}
_PG_TABLES = (
    (SOURCE, "compstat_incmonth", "compstat_incmonth_apply"),
    (PERSONS, "compstat_incmonth_persons", "compstat_incmonth_persons"),
    (DETAILS, "compstat_incmonth_fire", "compstat_incmonth_fire"),
)
#: name: (table, timing, function)
PG_TRIGGERS = {
    f"{prefix}_{event}": (table, when.format(src=table), function)
    for table, prefix, function in _PG_TABLES
    for event, when in _PG_EVENTS.items()
}

# --- SQLite ---------------------------------------------------------------------------------

_SQLITE_MONTH = "date({row}.occurred_from, '+7 hours', 'start of month')"


def _sqlite_match(row: str) -> str:
    return " AND ".join([f"month = {_SQLITE_MONTH.format(row=row)}"] + [f"{k} = {row}.{k}" for k in KEY[1:]])


def _sqlite_row_figures(row: str) -> list[str]:
    """The figures one incident row adds: itself, its losses, its victims and fire figures."""
    return [
        "1",
        f"{row}.losses_vnd",
        _victims_of(f"{row}.id"),
        *(_fire_of(f"{row}.id", src) for _, src in FIRE),
    ]


def _sqlite_add(row: str) -> str:
    values = ", ".join(
        [_SQLITE_MONTH.format(row=row)] + [f"{row}.{k}" for k in KEY[1:]] + _sqlite_row_figures(row)
    )
    return (
        f"INSERT INTO {TABLE} ({_KEY_SQL}, {_MEASURES_SQL}) VALUES ({values}) "
        f"ON CONFLICT ({_KEY_SQL}) DO UPDATE SET {', '.join(f'{m} = {m} + excluded.{m}' for m in MEASURES)};"
    )


def _sqlite_remove(row: str) -> str:
    # An UPDATE, not an upsert: when Django's flush empties the aggregate table before the
    # incidents, the deletes find nothing to subtract instead of leaving negative rows.
    match = _sqlite_match(row)
    figures = ", ".join(f"{m} = {m} - {v}" for m, v in zip(MEASURES, _sqlite_row_figures(row), strict=True))
    return f"UPDATE {TABLE} SET {figures} WHERE {match}; DELETE FROM {TABLE} WHERE n <= 0 AND {match};"


def _sqlite_key_of(incident_id: str) -> str:
    """The (month, commune, unit, kind, group) of an incident, as a row value."""
    return (
        f"(SELECT {_SQLITE_MONTH.format(row='i')}, {', '.join(f'i.{k}' for k in KEY[1:])} "
        f"FROM {SOURCE} i WHERE i.id = {incident_id})"
    )


def _sqlite_shift(incident_id: str, assignments: str, when: str = "") -> str:
    """Change the figures of the incident's key row (none if the incident is not there: it
    counts its persons and details itself when it is inserted)."""
    condition = f" AND {when}" if when else ""
    return f"UPDATE {TABLE} SET {assignments} WHERE ({_KEY_SQL}) = {_sqlite_key_of(incident_id)}{condition};"


def _sqlite_person(row: str, op: str) -> str:
    return _sqlite_shift(f"{row}.incident_id", f"victims = victims {op} 1", f"{row}.role = '{VICTIM}'")


def _sqlite_detail(row: str, op: str) -> str:
    return _sqlite_shift(
        f"{row}.incident_id", ", ".join(f"{col} = {col} {op} {row}.{src}" for col, src in FIRE)
    )


_WATCHED = ("occurred_from", "commune_id", "responsible_unit_id", "kind", "offence_group", "losses_vnd")
_FIRE_WATCHED = ", ".join(["incident_id", *(src for _, src in FIRE)])
SQLITE_TRIGGERS = {
    "compstat_incmonth_ins": f"AFTER INSERT ON {SOURCE} BEGIN {_sqlite_add('NEW')} END",
    "compstat_incmonth_del": f"AFTER DELETE ON {SOURCE} BEGIN {_sqlite_remove('OLD')} END",
    "compstat_incmonth_upd": (
        f"AFTER UPDATE OF {', '.join(_WATCHED)} ON {SOURCE} BEGIN {_sqlite_remove('OLD')} {_sqlite_add('NEW')} END"
    ),
    "compstat_incmonth_persons_ins": f"AFTER INSERT ON {PERSONS} BEGIN {_sqlite_person('NEW', '+')} END",
    "compstat_incmonth_persons_del": f"AFTER DELETE ON {PERSONS} BEGIN {_sqlite_person('OLD', '-')} END",
    "compstat_incmonth_persons_upd": (
        f"AFTER UPDATE OF incident_id, role ON {PERSONS} "
        f"BEGIN {_sqlite_person('OLD', '-')} {_sqlite_person('NEW', '+')} END"
    ),
    "compstat_incmonth_fire_ins": f"AFTER INSERT ON {DETAILS} BEGIN {_sqlite_detail('NEW', '+')} END",
    "compstat_incmonth_fire_del": f"AFTER DELETE ON {DETAILS} BEGIN {_sqlite_detail('OLD', '-')} END",
    "compstat_incmonth_fire_upd": (
        f"AFTER UPDATE OF {_FIRE_WATCHED} ON {DETAILS} "
        f"BEGIN {_sqlite_detail('OLD', '-')} {_sqlite_detail('NEW', '+')} END"
    ),
}

# --- Managing them --------------------------------------------------------------------------


def _existing(cursor) -> set[str]:
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = ANY(%s::regclass[]) AND NOT tgisinternal",
            [list(SOURCES)],
        )
    else:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (%s, %s, %s)",
            list(SOURCES),
        )
    return {row[0] for row in cursor.fetchall()}


def _tables_exist() -> bool:
    names = set(connection.introspection.table_names())
    return TABLE in names and set(SOURCES) <= names


def _trigger_names() -> set[str]:
    return set(PG_TRIGGERS) if connection.vendor == "postgresql" else set(SQLITE_TRIGGERS)


def installed() -> bool:
    """True when every trigger is in place."""
    with connection.cursor() as cursor:
        return _tables_exist() and _trigger_names() <= _existing(cursor)


def uninstall() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for name, (table, _when, _function) in PG_TRIGGERS.items():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        else:
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def install() -> None:
    """(Re)create the triggers. Does not touch the counts: call `rebuild()` after."""
    uninstall()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(PG_FUNCTION)
            for name, (_table, when, function) in PG_TRIGGERS.items():
                cursor.execute(
                    f"CREATE TRIGGER {name} {when} FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
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
    """Every figure recounted from the records, one row per key (the plain recount)."""
    victims = f"SELECT incident_id, count(*) AS n FROM {PERSONS} WHERE role = '{VICTIM}' GROUP BY incident_id"
    fire = ", ".join(f"COALESCE(sum(d.{src}), 0) AS {col}" for col, src in FIRE)
    return (
        f"SELECT {_month_sql()} AS month, r.commune_id, r.responsible_unit_id, r.kind, r.offence_group, "
        f"count(*) AS n, sum(r.losses_vnd) AS losses_vnd, COALESCE(sum(v.n), 0) AS victims, {fire} "
        f"FROM {SOURCE} r LEFT JOIN ({victims}) v ON v.incident_id = r.id "
        f"LEFT JOIN {DETAILS} d ON d.incident_id = r.id GROUP BY 1, 2, 3, 4, 5"
    )


def rebuild() -> int:
    """Recount every month from the records, in one transaction. Returns the number of rows."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(f"INSERT INTO {TABLE} ({_KEY_SQL}, {_MEASURES_SQL}) {_expected_sql()}")
        cursor.execute(f"SELECT count(*) FROM {TABLE}")
        return cursor.fetchone()[0]


@dataclass(frozen=True)
class Difference:
    key: tuple
    expected: tuple[int, ...]  # the figures of MEASURES counted from the records
    stored: tuple[int, ...]  # what the aggregate table holds

    def describe(self) -> str:
        def figures(values: tuple[int, ...]) -> str:
            return ", ".join(f"{m} {v}" for m, v in zip(MEASURES, values, strict=True))

        return (
            f"{' '.join(map(str, self.key))}: records {figures(self.expected)}; stored {figures(self.stored)}"
        )


def _key(row) -> tuple:
    # PostgreSQL returns the month as a date, SQLite as text: compare them as 'YYYY-MM-DD'.
    return (str(row[0])[:10], *row[1:5])


def _figures(row) -> tuple[int, ...]:
    return tuple(int(v or 0) for v in row[5:])


def verify() -> list[Difference]:
    """Every (month, commune, unit, kind, group) whose stored figures differ from the records."""
    zero = (0,) * len(MEASURES)
    with connection.cursor() as cursor:
        cursor.execute(_expected_sql())
        expected = {_key(r): _figures(r) for r in cursor.fetchall()}
        cursor.execute(f"SELECT {_KEY_SQL}, {_MEASURES_SQL} FROM {TABLE}")
        stored = {_key(r): _figures(r) for r in cursor.fetchall()}
    return [
        Difference(key, expected.get(key, zero), stored.get(key, zero))
        for key in sorted(set(expected) | set(stored), key=lambda k: tuple(map(str, k)))
        if expected.get(key, zero) != stored.get(key, zero)
    ]


def drop_before_migrate(**kwargs) -> None:
    """pre_migrate, SQLite only: the triggers on the persons and details name the incident
    table, and SQLite refuses to rebuild a table (add a column, change a field) that another
    table's trigger names. Drop them for the run; post_migrate (`ensure_installed`) puts them
    back and recounts."""
    if kwargs.get("using", "default") != "default" or connection.vendor != "sqlite":
        return
    if _tables_exist():
        uninstall()


def ensure_installed(**kwargs) -> None:
    """post_migrate: put the triggers back (SQLite drops them when a migration rebuilds one of
    the tables) and recount, since writes made without them are not in the counts."""
    using = kwargs.get("using", "default")
    if using != "default" or not _tables_exist() or installed():
        return
    install()
    rebuild()
