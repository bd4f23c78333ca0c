"""Writers in parallel: the chain head lock keeps one chain, and the triggers do not stand in
the way of the flush that transactional tests rely on."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from anninh.audit.models import AuditAction, AuditChainHead, AuditEvent
from anninh.audit.services import audit_chain_verify, audit_record

THREADS = 8
ROWS_PER_THREAD = 15


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite runs one writer at a time (BEGIN IMMEDIATE): row locks only matter on PostgreSQL",
)
def test_concurrent_writers_extend_one_unbroken_chain(transactional_db):
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            barrier.wait()
            for i in range(ROWS_PER_THREAD):
                with transaction.atomic():
                    audit_record(
                        actor=None,
                        action=AuditAction.CREATE,
                        object_type="test.thing",
                        object_id=f"{n}-{i}",
                        username=f"writer{n}",
                    )
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    total = THREADS * ROWS_PER_THREAD
    assert AuditEvent.objects.count() == total
    result = audit_chain_verify()
    assert (result.ok, result.checked) == (True, total), result.reason
    assert AuditChainHead.objects.get(pk=1).count == total
    assert len(set(AuditEvent.objects.values_list("prev_hash", flat=True))) == total


def test_a_transactional_test_flush_is_not_blocked_by_the_append_only_triggers(transactional_db):
    with transaction.atomic():
        audit_record(actor=None, action=AuditAction.CREATE, object_type="test.thing", object_id=1)
    audit_record(actor=None, action=AuditAction.VIEW)
    # What TransactionTestCase does after each test: TRUNCATE on PostgreSQL (row triggers do
    # not see it), DELETE FROM on SQLite (the audit app lifts the DELETE trigger around it).
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    assert not AuditChainHead.objects.exists()
    audit_record(actor=None, action=AuditAction.VIEW)
    assert audit_chain_verify().ok
    # The DELETE trigger is still there after the flush.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == 1
