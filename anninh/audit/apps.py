import importlib

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

AUDIT_TABLE = "audit_auditevent"


def _open_sqlite_flush_to_the_delete_trigger() -> None:
    """Django's flush of a SQLite database is DELETE FROM on every table, which the audit
    table's DELETE trigger (migration 0004) refuses. Drop and restore the trigger around that
    one statement list, inside the flush's own transaction, so a flush passes on SQLite as
    TRUNCATE does on PostgreSQL and every other DELETE is refused."""
    from django.db.backends.sqlite3.base import DatabaseWrapper

    DatabaseOperations = DatabaseWrapper.ops_class

    if getattr(DatabaseOperations.sql_flush, "_audit_gate", False):
        return
    trigger = importlib.import_module("anninh.audit.migrations.0004_sqlite_delete_trigger")
    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        sql = original(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        if AUDIT_TABLE not in tables:
            return sql
        return [*trigger.FLUSH_BEFORE, *sql, *trigger.FLUSH_AFTER]

    sql_flush._audit_gate = True
    DatabaseOperations.sql_flush = sql_flush


class AuditConfig(AppConfig):
    name = "anninh.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        _open_sqlite_flush_to_the_delete_trigger()
