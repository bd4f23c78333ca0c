"""Writing the audit trail: what a row holds, the transaction rule, and append-only."""

from __future__ import annotations

import datetime as dt
import decimal

import pytest
from django.db import DatabaseError, transaction
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from anninh.audit import context
from anninh.audit.hashing import GENESIS
from anninh.audit.middleware import RequestContextMiddleware
from anninh.audit.models import AppendOnlyError, AuditAction, AuditChainHead, AuditEvent
from anninh.audit.services import audit_chain_verify, audit_record, diff, snapshot
from anninh.audit.tests.conftest import make_plain_user, raw, triggers_lifted, write_events
from anninh.org.models import Unit

pytestmark = pytest.mark.django_db


def test_a_migration_creates_the_chain_head_at_the_genesis_hash():
    head = AuditChainHead.objects.get(pk=1)
    assert (head.last_hash, head.last_event_id, head.count) == (GENESIS, None, 0)


def test_recording_a_change_outside_a_transaction_is_refused():
    for action in (AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE):
        with pytest.raises(RuntimeError, match="inside the transaction"):
            audit_record(actor=None, action=action, object_type="test.thing", object_id=1)
    assert not AuditEvent.objects.exists()


def test_a_change_is_recorded_inside_its_transaction_and_rolls_back_with_it():
    with transaction.atomic():
        audit_record(actor=None, action=AuditAction.CREATE, object_type="test.thing", object_id=1)
    assert AuditEvent.objects.count() == 1
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        audit_record(actor=None, action=AuditAction.CREATE, object_type="test.thing", object_id=2)
        1 / 0  # noqa: B018 - the change fails after its audit row was written
    assert list(AuditEvent.objects.values_list("object_id", flat=True)) == ["1"]
    assert audit_chain_verify().ok


def test_reads_refusals_and_logins_need_no_transaction_of_their_own():
    for action in (AuditAction.VIEW, AuditAction.EXPORT, AuditAction.DENIED, AuditAction.LOGIN_FAILED):
        audit_record(actor=None, action=action, username="ai.do")
    assert AuditEvent.objects.count() == 4


def test_a_row_holds_the_user_unit_request_address_and_object():
    unit = Unit.objects.active().get(code="PV01")
    user = make_plain_user("tran.thi.b", unit=unit)
    ctx = context.RequestContext(client_ip="2001:DB8::7")
    token = context.activate(ctx)
    try:
        with transaction.atomic():
            event = audit_record(
                actor=user,
                action=AuditAction.UPDATE,
                target=unit,
                before={"name": "A"},
                after={"name": "B"},
                extra={"why": "đổi tên"},
            )
    finally:
        context.reset(token)
    event = AuditEvent.objects.get(pk=event.pk)
    assert (event.actor_id, event.actor_username, event.actor_unit_code) == (user.pk, "tran.thi.b", "PV01")
    assert event.request_id == ctx.request_id
    assert event.client_ip == "2001:db8::7"
    assert (event.object_type, event.object_id, event.object_repr) == ("org.unit", str(unit.pk), str(unit))
    assert (event.before, event.after, event.extra) == ({"name": "A"}, {"name": "B"}, {"why": "đổi tên"})
    assert event.prev_hash == GENESIS
    head = AuditChainHead.objects.get(pk=1)
    assert (head.last_event_id, head.last_hash, head.count) == (event.pk, event.hash, 1)


def test_a_failed_login_keeps_the_typed_user_name_even_with_control_characters():
    event = audit_record(actor=None, action=AuditAction.LOGIN_FAILED, username="=evil\x00name" + "x" * 200)
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.actor_id is None
    assert event.actor_username.startswith("=evil\ufffdname")
    assert len(event.actor_username) == 150
    assert audit_chain_verify().ok


def test_an_unusable_client_address_is_left_out_rather_than_failing_the_request():
    token = context.activate(context.RequestContext(client_ip="unknown, 10.0.0.1"))
    try:
        event = audit_record(actor=None, action=AuditAction.VIEW)
    finally:
        context.reset(token)
    assert AuditEvent.objects.get(pk=event.pk).client_ip is None


def test_rows_link_to_one_another_in_order():
    first, second, third = write_events(3)
    assert (first.prev_hash, second.prev_hash, third.prev_hash) == (GENESIS, first.hash, second.hash)
    assert first.at <= second.at <= third.at


def test_a_lost_chain_head_is_recreated_by_the_next_writer():
    AuditChainHead.objects.all().delete()  # what a test flush leaves behind
    (event,) = write_events(1)
    assert event.prev_hash == GENESIS
    assert AuditChainHead.objects.get(pk=1).last_event_id == event.pk


def test_the_application_cannot_update_or_delete_rows():
    (event,) = write_events(1)
    event.object_repr = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(object_repr="changed")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_update([event], ["object_repr"])


def test_rows_cannot_be_written_around_audit_record():
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.create(at=dt.datetime.now(dt.UTC), action="view", prev_hash=GENESIS, hash="f" * 64)
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_create([AuditEvent(action="view", prev_hash=GENESIS, hash="f" * 64)])
    assert not AuditEvent.objects.exists()


def test_the_database_refuses_an_update_of_an_audit_row():
    (event,) = write_events(1)
    with pytest.raises(DatabaseError), transaction.atomic():
        raw("UPDATE audit_auditevent SET object_repr = 'forged' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).object_repr == event.object_repr


def test_the_database_refuses_a_delete_of_an_audit_row():
    # PostgreSQL and SQLite alike (SQLite had no DELETE trigger: a wiped log verified).
    events = write_events(2)
    with pytest.raises(DatabaseError), transaction.atomic():
        raw("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        raw("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == 2
    assert audit_chain_verify().ok


def test_the_triggers_can_be_lifted_to_tamper_on_purpose_and_verification_catches_it():
    events = write_events(3)
    with triggers_lifted():
        raw("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    result = audit_chain_verify()
    assert (result.ok, result.first_bad_id) == (False, events[2].pk)
    with pytest.raises(DatabaseError), transaction.atomic():
        raw("DELETE FROM audit_auditevent WHERE id = %s", [events[2].pk])


def test_every_request_gets_an_id_that_its_audit_rows_and_response_carry():
    seen = {}

    def view(request):
        seen["event"] = audit_record(actor=None, action=AuditAction.VIEW)
        seen["request_id"] = request.request_id
        return HttpResponse("ok")

    request = RequestFactory().get("/", REMOTE_ADDR="10.9.8.7")
    response = RequestContextMiddleware(view)(request)
    assert seen["event"].request_id == seen["request_id"]
    assert response["X-Request-ID"] == str(seen["request_id"])
    assert seen["event"].client_ip == "10.9.8.7"
    assert context.current().request_id != seen["request_id"]  # reset after the request


def test_the_forwarded_address_counts_only_behind_a_trusted_proxy():
    from anninh.audit.middleware import client_ip_from

    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.5")
    assert client_ip_from(request) == "10.0.0.1"
    with override_settings(TRUSTED_PROXY_COUNT=1):
        assert client_ip_from(request) == "203.0.113.5"


def test_snapshot_and_diff_describe_a_change_field_by_field():
    unit = Unit.objects.active().get(code="PV01")
    picture = snapshot(unit, exclude=("sort_key",))
    assert picture["code"] == "PV01"
    assert "sort_key" not in picture
    assert isinstance(picture["valid_from"], str)
    assert diff({"a": 1, "b": decimal.Decimal("2")}, {"a": 1, "b": 3, "c": None}) == {
        "b": [decimal.Decimal("2"), 3]
    }
    assert diff(None, {"a": 1}) == {"a": [None, 1]}
