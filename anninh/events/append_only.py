"""The command log is append-only below the application too: database triggers refuse UPDATE
and DELETE on `events_commandlogentry` (PostgreSQL: one row trigger; SQLite: one trigger per
statement kind).

The triggers name only their own table, so a migration that rebuilds another table is not
blocked (the cross-table trigger problem of README Design). SQLite drops a table's triggers
when a migration rebuilds that table itself, so a post-migrate hook (`ensure_installed`) puts
them back. Django's flush of a SQLite database (TransactionTestCase, live-server tests) is
DELETE FROM on every table: as for the audit log, the DELETE trigger is dropped and restored
around that one statement list, inside the flush's own transaction (PostgreSQL flushes with
TRUNCATE, which row triggers do not see).
"""

from __future__ import annotations

from django.db import connection

TABLE = "events_commandlogentry"

POSTGRESQL_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION {TABLE}_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{TABLE} is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$
    """,
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
    f"""
    CREATE TRIGGER {TABLE}_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only()
    """,
]
POSTGRESQL_UNINSTALL = [
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
    f"DROP FUNCTION IF EXISTS {TABLE}_append_only()",
]
SQLITE_NO_DELETE = [
    f"""
    CREATE TRIGGER IF NOT EXISTS {TABLE}_no_delete
    BEFORE DELETE ON {TABLE}
    BEGIN
        SELECT RAISE(ABORT, '{TABLE} is append-only: DELETE refused');
    END
    """
]
SQLITE_INSTALL = [
    f"""
    CREATE TRIGGER IF NOT EXISTS {TABLE}_no_update
    BEFORE UPDATE ON {TABLE}
    BEGIN
        SELECT RAISE(ABORT, '{TABLE} is append-only: UPDATE refused');
    END
    """,
    *SQLITE_NO_DELETE,
]
SQLITE_UNINSTALL = [f"DROP TRIGGER IF EXISTS {TABLE}_no_update", f"DROP TRIGGER IF EXISTS {TABLE}_no_delete"]
SQLITE_TRIGGERS = {f"{TABLE}_no_update", f"{TABLE}_no_delete"}

INSTALL = {"postgresql": POSTGRESQL_INSTALL, "sqlite": SQLITE_INSTALL}
UNINSTALL = {"postgresql": POSTGRESQL_UNINSTALL, "sqlite": SQLITE_UNINSTALL}


def run(statements_by_vendor: dict[str, list[str]], conn=None) -> None:
    conn = conn or connection
    with conn.cursor() as cursor:
        for sql in statements_by_vendor.get(conn.vendor, []):
            cursor.execute(sql)


def installed(conn=None) -> bool:
    conn = conn or connection
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgname = %s AND NOT tgisinternal",
                [f"{TABLE}_append_only"],
            )
            return cursor.fetchone()[0] == 1
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
        return {row[0] for row in cursor.fetchall()} >= SQLITE_TRIGGERS


def ensure_installed(**kwargs) -> None:
    """post_migrate: put the triggers back if a migration rebuilt the table (SQLite)."""
    if kwargs.get("using", "default") != "default":
        return
    if TABLE not in connection.introspection.table_names() or installed():
        return
    run(INSTALL)


def open_sqlite_flush() -> None:
    """Let Django's flush of a whole SQLite database through the DELETE trigger (see above)."""
    from django.db.backends.sqlite3.base import DatabaseWrapper

    ops = DatabaseWrapper.ops_class
    if getattr(ops.sql_flush, "_events_gate", False):
        return
    original = ops.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        sql = original(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        if TABLE not in tables:
            return sql
        return [f"DROP TRIGGER IF EXISTS {TABLE}_no_delete", *sql, *SQLITE_NO_DELETE]

    sql_flush._events_gate = True
    sql_flush._audit_gate = getattr(original, "_audit_gate", False)
    ops.sql_flush = sql_flush
