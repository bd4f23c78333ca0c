"""Writing warnings: who may draft, approve, change and withdraw; the CAP message each
public change sends; the audit row of every step."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from anninh.audit.models import AuditAction, AuditEvent
from anninh.public import services
from anninh.public.models import CapMessage, ScamWarning, WarningStatus
from anninh.public.tests.factories import publish_warning, warning_input


def _events(warning):
    return AuditEvent.objects.unrestricted().filter(
        object_type="public.scamwarning", object_id=str(warning.pk)
    )


def test_a_press_officer_drafts_a_warning_and_the_draft_is_audited(personas):
    warning = services.warning_create(actor=personas["public_relations"], data=warning_input())
    assert warning.status == WarningStatus.DRAFT
    assert list(warning.communes.values_list("code", flat=True)) == ["11311"]
    event = _events(warning).get()
    assert event.action == AuditAction.CREATE
    assert event.after["communes"] == ["11311"]
    assert "gia danh cong an" in warning.search_key


@pytest.mark.parametrize("persona", ["commune_officer", "analyst", "auditor", "no_role"])
def test_only_press_officers_and_commanders_draft(personas, persona):
    with pytest.raises(PermissionDenied):
        services.warning_create(actor=personas[persona], data=warning_input())
    assert not ScamWarning.objects.unrestricted().exists()


def test_a_warning_names_its_communes_or_the_whole_city(personas):
    with pytest.raises(services.WarningError):
        services.warning_create(actor=personas["public_relations"], data=warning_input(commune_codes=[]))
    with pytest.raises(services.WarningError):
        services.warning_create(
            actor=personas["public_relations"], data=warning_input(commune_codes=["99999"])
        )
    city = services.warning_create(
        actor=personas["public_relations"], data=warning_input(commune_codes=["11311"], whole_city=True)
    )
    assert city.whole_city and not city.communes.exists()


def test_a_warning_ends_after_it_starts_and_within_a_year(personas):
    now = timezone.now()
    with pytest.raises(services.WarningError):
        services.warning_create(
            actor=personas["public_relations"], data=warning_input(valid_from=now, valid_until=now)
        )
    with pytest.raises(services.WarningError):
        services.warning_create(
            actor=personas["public_relations"],
            data=warning_input(valid_from=now, valid_until=now + dt.timedelta(days=400)),
        )


def test_the_english_text_is_needed_before_approval_is_asked(personas):
    officer = personas["public_relations"]
    warning = services.warning_create(actor=officer, data=warning_input(action_en=""))
    with pytest.raises(services.WarningError):
        services.warning_submit(actor=officer, warning=warning)
    warning.refresh_from_db()
    assert warning.status == WarningStatus.DRAFT


def test_a_press_officer_cannot_approve(personas):
    officer = personas["public_relations"]
    warning = services.warning_create(actor=officer, data=warning_input())
    services.warning_submit(actor=officer, warning=warning)
    with pytest.raises(PermissionDenied):
        services.warning_approve(actor=officer, warning=warning)
    warning.refresh_from_db()
    assert warning.status == WarningStatus.SUBMITTED
    assert not CapMessage.objects.exists()


def test_a_commander_does_not_approve_a_warning_they_drafted(personas):
    commander = personas["commander"]
    warning = services.warning_create(actor=commander, data=warning_input())
    services.warning_submit(actor=commander, warning=warning)
    with pytest.raises(services.WarningError):
        services.warning_approve(actor=commander, warning=warning)


def test_approval_publishes_the_warning_and_sends_a_cap_alert(personas):
    warning = publish_warning(drafter=personas["public_relations"], approver=personas["commander"])
    assert warning.status == WarningStatus.PUBLISHED
    assert warning.approved_by == personas["commander"]
    assert warning.published_at is not None
    (message,) = CapMessage.objects.filter(warning=warning)
    assert (message.sequence, message.msg_type) == (1, "Alert")
    steps = [e.extra.get("step") for e in _events(warning).order_by("id")]
    assert steps == [None, "submit", "approve"]
    assert _events(warning).order_by("id").last().extra["cap"] == message.identifier


def test_a_commander_returns_a_draft_saying_why(personas):
    officer, commander = personas["public_relations"], personas["commander"]
    warning = services.warning_create(actor=officer, data=warning_input())
    services.warning_submit(actor=officer, warning=warning)
    with pytest.raises(services.WarningError):
        services.warning_return(actor=commander, warning=warning, reason="  ")
    services.warning_return(actor=commander, warning=warning, reason="Thêm số điện thoại đường dây nóng.")
    warning.refresh_from_db()
    assert warning.status == WarningStatus.DRAFT
    assert _events(warning).order_by("id").last().extra["reason"] == "Thêm số điện thoại đường dây nóng."


def test_a_published_warning_is_changed_only_by_a_commander_and_sends_an_update(personas):
    officer, commander = personas["public_relations"], personas["commander"]
    warning = publish_warning(drafter=officer, approver=commander)
    with pytest.raises(PermissionDenied):
        services.warning_update(actor=officer, warning=warning, data=warning_input(title_vi="Sửa"))
    services.warning_update(
        actor=commander,
        warning=warning,
        data=warning_input(commune_codes=["11311", "11329"], severity="Extreme"),
    )
    warning.refresh_from_db()
    assert warning.severity == "Extreme"
    assert sorted(warning.communes.values_list("code", flat=True)) == ["11311", "11329"]
    assert list(CapMessage.objects.filter(warning=warning).values_list("msg_type", flat=True)) == [
        "Alert",
        "Update",
    ]
    event = _events(warning).order_by("id").last()
    assert event.before["severity"] == "Severe" and event.after["severity"] == "Extreme"


def test_a_draft_changes_without_sending_anything(personas):
    officer = personas["public_relations"]
    warning = services.warning_create(actor=officer, data=warning_input())
    services.warning_update(actor=officer, warning=warning, data=warning_input(title_vi="Tiêu đề mới"))
    warning.refresh_from_db()
    assert warning.title_vi == "Tiêu đề mới"
    assert not CapMessage.objects.exists()


def test_withdrawing_sends_a_cancel_with_the_reason_and_freezes_the_warning(personas):
    officer, commander = personas["public_relations"], personas["commander"]
    warning = publish_warning(drafter=officer, approver=commander)
    with pytest.raises(PermissionDenied):
        services.warning_cancel(actor=officer, warning=warning, reason="Hết")
    with pytest.raises(services.WarningError):
        services.warning_cancel(actor=commander, warning=warning, reason="")
    services.warning_cancel(actor=commander, warning=warning, reason="Đã triệt phá đường dây.")
    warning.refresh_from_db()
    assert warning.status == WarningStatus.CANCELLED
    last = CapMessage.objects.filter(warning=warning).order_by("sequence").last()
    assert (last.msg_type, last.note) == ("Cancel", "Đã triệt phá đường dây.")
    with pytest.raises(services.WarningError):
        services.warning_update(actor=commander, warning=warning, data=warning_input())
    with pytest.raises(services.WarningError):
        services.warning_cancel(actor=commander, warning=warning, reason="Lần nữa")
