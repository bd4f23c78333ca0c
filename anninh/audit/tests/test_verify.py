"""Verifying the chain: an intact log verifies; each kind of tampering is caught at the
right row; the command reports it and exits non-zero."""

from __future__ import annotations

import datetime as dt
import decimal
import io
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from anninh.audit.hashing import chain_hash
from anninh.audit.models import AuditAction, AuditChainHead, AuditEvent
from anninh.audit.services import audit_chain_verify, audit_record
from anninh.audit.tests.conftest import raw, triggers_lifted, write_events

pytestmark = pytest.mark.django_db


def test_an_empty_log_verifies():
    result = audit_chain_verify()
    assert (result.ok, result.checked, result.first_bad_id) == (True, 0, None)


def test_a_long_untampered_chain_verifies_in_batches_of_constant_size(django_assert_max_num_queries):
    write_events(120)
    # 120 rows in batches of 5: 24 batches, one empty read to finish, the head and one check.
    with django_assert_max_num_queries(24 + 3):
        result = audit_chain_verify(batch_size=5)
    assert (result.ok, result.checked, result.code) == (True, 120, "ok")
    assert result.last_id == AuditEvent.objects.latest("id").pk


def test_progress_is_reported_batch_by_batch():
    write_events(10)
    steps: list[int] = []
    audit_chain_verify(batch_size=4, progress=steps.append)
    assert steps == [4, 4, 2]


def test_snapshots_are_verified_exactly_as_the_database_stored_them():
    before = {
        "tên": "Công an phường Hồng Bàng",
        "địa_chỉ": {"số": 12, "đường": "Điện Biên Phủ", "toạ_độ": [20.8561, 106.6822], "ghi_chú": None},
        "ngày_lập": dt.date(2025, 7, 1),
        "lúc": dt.datetime(2026, 5, 11, 14, 30, 15, 250000, tzinfo=dt.UTC),
        "kinh_phí": decimal.Decimal("1250000.50"),
        "mã": uuid.UUID("12345678-1234-5678-1234-567812345678"),
        "đang_hoạt_động": True,
        "số_lớn": 10**20,
        "thực_lớn": 1e23,
        "tỉ_lệ": 0.1,
        "rỗng": {},
        "danh_sách": [],
    }
    after = {**before, "tên": "Công an phường Hồng Bàng (mới)", "địa_chỉ": None}
    with transaction.atomic():
        event = audit_record(
            actor=None,
            action=AuditAction.UPDATE,
            object_type="org.unit",
            object_id="7",
            object_repr="Đơn vị 7",
            before=before,
            after=after,
            username="người.thử",
        )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.before["ngày_lập"] == "2025-07-01"
    assert stored.before["kinh_phí"] == "1250000.50"
    assert stored.before["địa_chỉ"]["ghi_chú"] is None
    assert stored.after["địa_chỉ"] is None
    assert stored.before["số_lớn"] == 10**20
    write_events(2)
    result = audit_chain_verify()
    assert (result.ok, result.checked) == (True, 3), result.reason


def test_a_field_changed_in_the_database_is_caught_at_that_row():
    events = write_events(6)
    with triggers_lifted():
        raw("UPDATE audit_auditevent SET actor_username = 'someone.else' WHERE id = %s", [events[3].pk])
    result = audit_chain_verify(batch_size=2)
    assert (result.ok, result.code, result.first_bad_id, result.checked) == (
        False,
        "hash_mismatch",
        events[3].pk,
        3,
    )
    assert f"Row {events[3].pk}" in result.reason


def test_a_snapshot_changed_in_the_database_is_caught_at_that_row():
    events = write_events(4)
    with triggers_lifted():
        raw("UPDATE audit_auditevent SET after = %s WHERE id = %s", ['{"n": 999}', events[1].pk])
    result = audit_chain_verify()
    assert (result.code, result.first_bad_id) == ("hash_mismatch", events[1].pk)


def test_a_row_rewritten_with_a_fresh_hash_breaks_the_link_of_the_next_row():
    events = write_events(4)
    victim = AuditEvent.objects.values().get(pk=events[1].pk)
    victim["object_repr"] = "forged"
    with triggers_lifted():
        raw(
            "UPDATE audit_auditevent SET object_repr = %s, hash = %s WHERE id = %s",
            ["forged", chain_hash(victim["prev_hash"], victim), events[1].pk],
        )
    result = audit_chain_verify()
    assert (result.code, result.first_bad_id) == ("link_broken", events[2].pk)


def test_a_row_deleted_in_the_middle_is_caught_at_the_row_after_it():
    events = write_events(5)
    with triggers_lifted():
        raw("DELETE FROM audit_auditevent WHERE id = %s", [events[2].pk])
    result = audit_chain_verify()
    assert (result.ok, result.code, result.first_bad_id) == (False, "link_broken", events[3].pk)
    assert str(events[1].pk) in result.reason


def test_the_first_row_deleted_is_caught_at_the_new_first_row():
    events = write_events(3)
    with triggers_lifted():
        raw("DELETE FROM audit_auditevent WHERE id = %s", [events[0].pk])
    result = audit_chain_verify()
    assert (result.code, result.first_bad_id) == ("link_broken", events[1].pk)


def test_the_last_row_deleted_is_caught_by_the_chain_head():
    events = write_events(4)
    with triggers_lifted():
        raw("DELETE FROM audit_auditevent WHERE id = %s", [events[-1].pk])
    result = audit_chain_verify()
    assert (result.ok, result.code, result.first_bad_id, result.checked) == (
        False,
        "tail_missing",
        events[-1].pk,
        3,
    )


def test_a_chain_head_moved_back_over_deleted_rows_still_shows_in_the_count():
    events = write_events(4)
    with triggers_lifted():
        raw("DELETE FROM audit_auditevent WHERE id = %s", [events[-1].pk])
    AuditChainHead.objects.filter(pk=1).update(last_event_id=events[-2].pk, last_hash=events[-2].hash)
    result = audit_chain_verify()
    assert (result.ok, result.code) == (False, "count_mismatch")


def test_a_chain_head_that_does_not_match_the_newest_row_is_caught():
    events = write_events(3)
    AuditChainHead.objects.filter(pk=1).update(last_hash="a" * 64)
    result = audit_chain_verify()
    assert (result.code, result.first_bad_id) == ("head_mismatch", events[-1].pk)


def test_a_row_slipped_in_after_the_chain_head_is_caught():
    events = write_events(2)
    row = AuditEvent.objects.values().get(pk=events[-1].pk)
    row.update(id=events[-1].pk + 10, object_repr="slipped in", hash="b" * 64, prev_hash=events[-1].hash)
    stray = AuditEvent(**row)
    stray._chained = True  # bypass the model guard, as raw SQL would
    stray.save(force_insert=True)
    result = audit_chain_verify()
    assert (result.code, result.first_bad_id) == ("unlinked", stray.pk)


def test_rows_without_a_chain_head_are_reported():
    write_events(2)
    AuditChainHead.objects.all().delete()
    result = audit_chain_verify()
    assert (result.ok, result.code, result.checked) == (False, "head_missing", 2)


def test_the_command_confirms_an_intact_chain():
    events = write_events(3)
    out = io.StringIO()
    call_command("audit_verify", stdout=out, stderr=io.StringIO())
    assert "intact: 3 rows verified" in out.getvalue()
    assert events[-1].hash in out.getvalue()


def test_the_command_fails_naming_the_first_bad_row():
    events = write_events(5)
    with triggers_lifted():
        raw("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    with pytest.raises(CommandError, match=f"BROKEN at row {events[2].pk} \\(link_broken\\)") as caught:
        call_command("audit_verify", "--no-progress", stdout=io.StringIO(), stderr=io.StringIO())
    assert caught.value.returncode == 1


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_command_shows_a_progress_bar_only_on_a_terminal():
    write_events(5)
    terminal, pipe = _Terminal(), io.StringIO()
    call_command("audit_verify", "--batch-size", "2", stdout=io.StringIO(), stderr=terminal)
    call_command("audit_verify", "--batch-size", "2", stdout=io.StringIO(), stderr=pipe)
    assert "audit chain" in terminal.getvalue()
    assert "rows" in terminal.getvalue()
    assert pipe.getvalue() == ""
