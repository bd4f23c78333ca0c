"""Database triggers that keep the audit table append-only, below the application.

PostgreSQL: a row trigger refuses UPDATE and DELETE. TRUNCATE, which Django's test flush
uses on PostgreSQL, is not seen by row triggers, so TransactionTestCase still works.
SQLite: a trigger refuses UPDATE here; migration 0004 adds the DELETE trigger, with the
flush of the whole database let through (see the AuditEvent docstring).

The SQL lives here, frozen with the migration; tests import it from this module to lift
the triggers for a moment when they tamper with rows on purpose.
"""

from django.db import migrations

TABLE = "audit_auditevent"

POSTGRESQL_INSTALL = [
    """
    CREATE OR REPLACE FUNCTION audit_auditevent_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit_auditevent is append-only: % refused', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$
    """,
    """
    CREATE TRIGGER audit_auditevent_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_append_only()
    """,
]
POSTGRESQL_UNINSTALL = [
    "DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent",
    "DROP FUNCTION IF EXISTS audit_auditevent_append_only()",
]

SQLITE_INSTALL = [
    """
    CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_update
    BEFORE UPDATE ON audit_auditevent
    BEGIN
        SELECT RAISE(ABORT, 'audit_auditevent is append-only: UPDATE refused');
    END
    """,
]
SQLITE_UNINSTALL = ["DROP TRIGGER IF EXISTS audit_auditevent_no_update"]

INSTALL = {"postgresql": POSTGRESQL_INSTALL, "sqlite": SQLITE_INSTALL}
UNINSTALL = {"postgresql": POSTGRESQL_UNINSTALL, "sqlite": SQLITE_UNINSTALL}


def _run(statements_by_vendor, schema_editor):
    for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql, params=None)


def install(apps, schema_editor):
    _run(INSTALL, schema_editor)


def uninstall(apps, schema_editor):
    _run(UNINSTALL, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_chain_head")]

    operations = [migrations.RunPython(install, uninstall)]
