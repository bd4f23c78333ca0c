"""The command log is append-only: the model, the ORM's update() and delete(), and the
database itself (a trigger, on SQLite and on PostgreSQL) refuse to change or remove an entry."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from anninh.events import append_only, services
from anninh.events.models import AppendOnlyError, CommandLogEntry
from anninh.events.tests.factories import make_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(personas):
    event = make_event(commander=personas["commander"])
    return services.log_append(
        actor=personas["commune_officer"], event=event, text="Đoàn đại biểu đã đến hội trường."
    )


def test_an_entry_is_stamped_with_its_author_role_and_unit(entry, personas):
    assert entry.author == personas["commune_officer"]
    assert entry.author_role == "commune_officer"
    assert entry.author_unit
    assert entry.at is not None


def test_saving_an_entry_again_is_refused(entry):
    entry.text = "Sửa lại"
    with pytest.raises(AppendOnlyError):
        entry.save()
    assert CommandLogEntry.objects.unrestricted().get(pk=entry.pk).text == "Đoàn đại biểu đã đến hội trường."


def test_deleting_an_entry_is_refused(entry):
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert CommandLogEntry.objects.unrestricted().filter(pk=entry.pk).exists()


def test_the_orm_update_and_delete_are_refused(entry):
    with pytest.raises(AppendOnlyError):
        CommandLogEntry.objects.unrestricted().filter(pk=entry.pk).update(text="Sửa lại")
    with pytest.raises(AppendOnlyError):
        CommandLogEntry.objects.unrestricted().filter(pk=entry.pk).delete()
    with pytest.raises(AppendOnlyError):
        CommandLogEntry.objects.bulk_update([entry], ["text"])
    assert CommandLogEntry.objects.unrestricted().get(pk=entry.pk).text == "Đoàn đại biểu đã đến hội trường."


def test_the_database_refuses_an_update_in_sql(entry):
    assert append_only.installed()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE events_commandlogentry SET text = %s WHERE id = %s", ["Sửa lại", entry.pk])
    assert CommandLogEntry.objects.unrestricted().get(pk=entry.pk).text == "Đoàn đại biểu đã đến hội trường."


def test_the_database_refuses_a_delete_in_sql(entry):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM events_commandlogentry WHERE id = %s", [entry.pk])
    assert CommandLogEntry.objects.unrestricted().filter(pk=entry.pk).exists()


def test_an_event_with_a_log_cannot_be_deleted(entry):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        entry.event.delete()


def test_the_triggers_come_back_after_a_migration_dropped_them(entry):
    append_only.run(append_only.UNINSTALL)
    assert not append_only.installed()
    append_only.ensure_installed()
    assert append_only.installed()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE events_commandlogentry SET text = 'x' WHERE id = %s", [entry.pk])


def test_a_correction_is_a_new_entry(entry, personas):
    services.log_append(
        actor=personas["commander"], event=entry.event, text="Đính chính: đoàn đến lúc 07:45."
    )
    assert CommandLogEntry.objects.unrestricted().filter(event=entry.event).count() == 2


def test_a_persona_without_the_event_cannot_write_in_its_log(entry, personas):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.log_append(actor=personas["other_commune_officer"], event=entry.event, text="x")
    with pytest.raises(PermissionDenied):
        services.log_append(actor=personas["analyst"], event=entry.event, text="x")


def test_editing_the_log_through_the_web_is_not_possible(entry, personas, client):
    """No route changes an entry: posting to the log appends."""
    client.force_login(personas["commune_officer"])
    client.post(f"/events/{entry.event_id}/log/", {"text": "Bổ sung", "kind": "information", "id": entry.pk})
    assert CommandLogEntry.objects.unrestricted().get(pk=entry.pk).text == "Đoàn đại biểu đã đến hội trường."
    assert CommandLogEntry.objects.unrestricted().filter(event=entry.event).count() == 2
