"""SQLite refuses DELETE on the audit table too, as PostgreSQL does (migration 0003).

Django flushes a SQLite database with DELETE FROM (TransactionTestCase, live-server tests,
`manage.py flush`), where PostgreSQL uses TRUNCATE, which its row trigger does not see. To
keep that one door open on SQLite as well, the audit app wraps the SQLite backend's flush
statements in FLUSH_BEFORE / FLUSH_AFTER (anninh.audit.apps): the trigger is dropped and put
back inside the flush's own transaction. Anything else (a stray DELETE, a bulk delete by
hand) is refused. A flush empties the log, which the daily anchor then catches
(`audit_verify --anchor`).

The SQL lives here, frozen with the migration; the tests lift this trigger with the others
(anninh.audit.tests.conftest.triggers_lifted).
"""

from django.db import migrations

SQLITE_INSTALL = [
    """
    CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_delete
    BEFORE DELETE ON audit_auditevent
    BEGIN
        SELECT RAISE(ABORT, 'audit_auditevent is append-only: DELETE refused');
    END
    """,
]
SQLITE_UNINSTALL = ["DROP TRIGGER IF EXISTS audit_auditevent_no_delete"]

INSTALL = {"sqlite": SQLITE_INSTALL}
UNINSTALL = {"sqlite": SQLITE_UNINSTALL}

# Around Django's flush of the whole database (SQLite only).
FLUSH_BEFORE = SQLITE_UNINSTALL
FLUSH_AFTER = SQLITE_INSTALL


def _run(statements_by_vendor, schema_editor):
    for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql, params=None)


def install(apps, schema_editor):
    _run(INSTALL, schema_editor)


def uninstall(apps, schema_editor):
    _run(UNINSTALL, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_append_only_triggers")]

    operations = [migrations.RunPython(install, uninstall)]
