"""Staff queues: scoped like records, the clock (due, overdue, escalated), assignment,
forwarding, notes, answers, reopening by the reporter, rating, merging duplicates, a tip
made a crime report in one step, and the purge of expired personal data."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone

from anninh.audit.models import AuditEvent
from anninh.lib.dates import HCM_TZ
from anninh.org.models import Unit
from anninh.records.deadlines import clock_state
from anninh.records.models import CrimeReport, DayOff
from anninh.requests import services
from anninh.requests.indicators import indicators_for_period
from anninh.requests.models import Anonymity, Attachment, NoteKind, RequestNote, RequestStatus, ServiceRequest
from anninh.requests.selectors import possible_duplicates, public_notes, staff_queue
from anninh.requests.tests.factories import jpeg_with_gps, submit
from anninh.testing.matrix import client_for

pytestmark = pytest.mark.django_db


def test_the_queue_shows_a_units_requests_to_its_officers_and_not_to_another_commune(personas):
    mine, _c = submit(commune_code="11311")
    other, _c = submit(commune_code="11329")
    officer = personas["commune_officer"]
    assert list(staff_queue(viewer=officer)) == [mine]
    assert set(staff_queue(viewer=personas["commander"])) == {mine, other}
    assert list(staff_queue(viewer=personas["analyst"])) == []
    page = client_for(officer).get("/requests/staff/").content.decode()
    assert mine.public_id in page and other.public_id not in page
    assert client_for(personas["other_commune_officer"]).get(f"/requests/staff/{mine.pk}/").status_code == 404
    assert AuditEvent.objects.unrestricted().filter(action="denied", extra__reason="scope").exists()


def test_fire_and_rescue_officers_see_the_fire_hazards_routed_to_their_unit(personas):
    hazard, _c = submit("fire-hazard")
    assert hazard.unit.code == "PC07"
    assert list(staff_queue(viewer=personas["fire_rescue"])) == [hazard]
    assert list(staff_queue(viewer=personas["commune_officer"])) == []


def test_overdue_and_due_soon_filters_follow_the_clock(personas):
    officer = personas["commune_officer"]
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, tzinfo=HCM_TZ), tick=False):
        old, _c = submit()  # Monday; 3 working days: due Thursday 05/11
    with time_machine.travel(dt.datetime(2026, 11, 6, 9, tzinfo=HCM_TZ), tick=False):
        fresh, _c = submit()  # Friday: due Wednesday 11/11
        assert old.due_on == dt.date(2026, 11, 5) and fresh.due_on == dt.date(2026, 11, 11)
        assert list(staff_queue(viewer=officer, show="overdue")) == [old]
        assert list(staff_queue(viewer=officer, show="due_soon")) == []
        assert ServiceRequest.objects.unrestricted().get(pk=old.pk).overdue


def test_escalation_marks_overdue_requests_once(personas):
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, tzinfo=HCM_TZ), tick=False):
        late, _c = submit()
        on_time, _c = submit()
        services.request_answer(actor=personas["commune_officer"], request=on_time, text="Đã xử lý.")
    with time_machine.travel(dt.datetime(2026, 11, 9, 7, tzinfo=HCM_TZ), tick=False):
        call_command("requests_escalate", stdout=open("/dev/null", "w"))  # noqa: SIM115
        call_command("requests_escalate", stdout=open("/dev/null", "w"))  # noqa: SIM115
        late.refresh_from_db()
        assert late.escalated_at is not None
        assert list(staff_queue(viewer=personas["commander"], show="escalated")) == [late]
    notes = RequestNote.objects.unrestricted().filter(request=late, kind=NoteKind.SYSTEM)
    assert notes.count() == 1
    assert (
        AuditEvent.objects.unrestricted().filter(object_id=str(late.pk), extra__step="escalated").count() == 1
    )


def test_assign_forward_note_and_answer(personas):
    officer = personas["commune_officer"]
    request, code = submit()
    request = services.request_assign(actor=officer, request=request, assignee_id=officer.pk)
    assert request.status == RequestStatus.IN_PROGRESS and request.assigned_to == officer
    services.request_note_add(actor=officer, request=request, text="Đã cử tổ công tác xác minh.")
    services.request_note_add(actor=officer, request=request, text="Đang xác minh.", public=True)
    answered = services.request_answer(actor=officer, request=request, text="Đã bắt giữ đối tượng.")
    assert answered.status == RequestStatus.ANSWERED and answered.first_answered_at is not None
    reporter_sees = [n.text for n in public_notes(services.request_by_code(code))]
    assert reporter_sees == ["Đang xác minh.", "Đã bắt giữ đối tượng."]  # never the internal note
    with pytest.raises(services.RequestError):
        services.request_answer(actor=officer, request=answered, text="Lần nữa")


def test_forwarding_moves_the_request_to_the_other_units_queue_and_keeps_its_due_date(personas):
    request, _c = submit()
    due = request.due_on
    pa05 = Unit.objects.active().get(code="PA05")
    moved = services.request_assign(actor=personas["commune_officer"], request=request, unit_id=pa05.pk)
    assert moved.unit == pa05 and moved.due_on == due
    assert list(staff_queue(viewer=personas["commune_officer"])) == []
    with pytest.raises(PermissionDenied):
        services.request_note_add(actor=personas["commune_officer"], request=moved, text="x")


def test_another_communes_officer_cannot_act_on_a_request(personas):
    request, _c = submit()
    with pytest.raises(PermissionDenied):
        services.request_answer(actor=personas["other_commune_officer"], request=request, text="x")


def test_the_reporter_reopens_an_answer_that_did_not_solve_it_with_a_new_answer_time(personas):
    officer = personas["commune_officer"]
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, tzinfo=HCM_TZ), tick=False):
        request, code = submit()
        services.request_answer(actor=officer, request=request, text="Đã xử lý.")
    with time_machine.travel(dt.datetime(2026, 11, 6, 9, tzinfo=HCM_TZ), tick=False):
        reopened = services.request_reopen(request=services.request_by_code(code), reason="Vẫn còn bán.")
    assert reopened.status == RequestStatus.REOPENED and reopened.reopen_count == 1
    assert reopened.due_on == dt.date(2026, 11, 11) and reopened.first_due_on == dt.date(2026, 11, 5)
    with pytest.raises(services.RequestError):
        services.request_reopen(request=reopened, reason="again")


def test_the_reporter_rates_an_answer_once(personas):
    request, code = submit()
    with pytest.raises(services.RequestError):
        services.request_rate(request=request, rating=5)
    services.request_answer(actor=personas["commune_officer"], request=request, text="Xong.")
    rated = services.request_rate(request=services.request_by_code(code), rating=4)
    assert rated.rating == 4
    with pytest.raises(services.RequestError):
        services.request_rate(request=rated, rating=5)
    with pytest.raises(services.RequestError):
        services.request_rate(request=services.request_by_code(code), rating=9)


def test_duplicates_of_the_same_place_and_service_are_suggested_and_merged(personas):
    from anninh.records.tests.test_incidents_factories import point_in

    lat, lon = point_in("11311")
    first, _c = submit("order-problem", lat=lat, lon=lon)
    second, code = submit("order-problem", lat=lat + 0.0005, lon=lon)
    far, _c = submit("order-problem", lat=lat + 0.02, lon=lon)
    other_service, _c = submit("recommendation", lat=lat, lon=lon)
    officer = personas["commune_officer"]
    found = possible_duplicates(viewer=officer, request=second)
    assert found == [first]
    merged = services.request_merge(actor=officer, request=second, into=first)
    assert merged.status == RequestStatus.MERGED and merged.merged_into == first
    services.request_answer(actor=officer, request=first, text="Đã dẹp tụ tập.")
    texts = [n.text for n in public_notes(services.request_by_code(code))]
    assert texts[-1] == "Đã dẹp tụ tập." and first.public_id in texts[0]
    assert far not in found and other_service not in found


def test_a_tip_becomes_a_crime_report_in_one_step_and_the_legal_clock_starts_then(personas):
    officer = personas["commune_officer"]
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, tzinfo=HCM_TZ), tick=False):
        tip, code = submit(
            "tip-crime", anonymity=Anonymity.CONFIDENTIAL, name="Trần Văn Tố", phone="0912345678"
        )
    with time_machine.travel(dt.datetime(2026, 11, 4, 10, tzinfo=HCM_TZ), tick=False):
        report = services.request_to_crime_report(actor=officer, request=tip, offence_article="251")
        days_off = DayOff.objects.values_list("date", flat=True)
        assert report.received_on == dt.date(2026, 11, 4)
        assert report.due_on == clock_state(dt.date(2026, 11, 4), (), days_off=list(days_off)).due
    tip.refresh_from_db()
    assert tip.crime_report == report and tip.status == RequestStatus.CRIME_REPORT
    assert tip.first_answered_at is not None
    assert report.kind == "to_giac" and report.channel == "online"
    assert report.reporter.full_name == "Trần Văn Tố" and report.reporter_confidential
    assert report.summary.startswith("Có người bán ma túy")
    assert report.receiving_unit == officer.unit
    assert "crime report" in public_notes(services.request_by_code(code))[-1].text
    with pytest.raises(services.RequestError):
        services.request_to_crime_report(actor=officer, request=tip)


def test_an_anonymous_tip_becomes_crime_information_without_a_reporter(personas):
    tip, _c = submit("tip-crime")
    report = services.request_to_crime_report(actor=personas["commune_officer"], request=tip)
    assert report.kind == "tin_bao" and report.reporter is None


def test_only_tips_become_crime_reports(personas):
    recommendation, _c = submit("recommendation")
    with pytest.raises(services.RequestError):
        services.request_to_crime_report(actor=personas["commune_officer"], request=recommendation)
    assert not CrimeReport.objects.unrestricted().exists()


def test_the_crime_report_step_from_the_page(personas):
    tip, _c = submit("tip-crime")
    response = client_for(personas["commune_officer"]).post(f"/requests/staff/{tip.pk}/crime_report/", {})
    assert response.status_code == 302
    tip.refresh_from_db()
    assert tip.crime_report is not None
    detail = client_for(personas["commune_officer"]).get(f"/requests/staff/{tip.pk}/").content.decode()
    assert tip.crime_report.register_number in detail


def test_the_purge_removes_expired_personal_data_and_keeps_the_indicators(personas, settings):
    settings.ANNINH_REQUESTS_CONTACT_RETENTION_DAYS = 30
    settings.ANNINH_REQUESTS_CONTENT_RETENTION_DAYS = 60
    officer = personas["commune_officer"]
    with time_machine.travel(dt.datetime(2026, 1, 5, 9, tzinfo=HCM_TZ), tick=False):
        old, _code = submit(
            anonymity=Anonymity.CONFIDENTIAL, name="Lê Văn Cũ", phone="0912345670", images=[jpeg_with_gps()]
        )
        services.request_add_info(request=old, text="Thêm chi tiết")
        services.request_answer(actor=officer, request=old, text="Đã xử lý.")
        services.request_rate(request=old, rating=5)
        still_open, _c = submit(anonymity=Anonymity.CONFIDENTIAL, name="Phạm Thị Mở")
    first, last = dt.date(2026, 1, 1), dt.date(2026, 1, 31)
    before = indicators_for_period(first=first, last=last).total
    with time_machine.travel(dt.datetime(2026, 2, 20, 9, tzinfo=HCM_TZ), tick=False):
        call_command("requests_purge", stdout=open("/dev/null", "w"))  # noqa: SIM115
    old.refresh_from_db()
    assert (old.reporter_name, old.reporter_phone) == ("", "") and old.description  # contact only
    with time_machine.travel(dt.datetime(2026, 3, 20, 9, tzinfo=HCM_TZ), tick=False):
        call_command("requests_purge", stdout=open("/dev/null", "w"))  # noqa: SIM115
    old.refresh_from_db()
    assert old.description == "" and old.personal_data_purged_at is not None
    assert not Attachment.objects.unrestricted().filter(request=old).exists()
    assert not RequestNote.objects.unrestricted().filter(request=old, kind=NoteKind.REPORTER).exists()
    assert RequestNote.objects.unrestricted().filter(request=old, kind=NoteKind.PUBLIC).exists()
    still_open.refresh_from_db()
    assert still_open.reporter_name == "Phạm Thị Mở"  # open requests keep what they need
    after = indicators_for_period(first=first, last=last).total
    assert (after.due, after.on_time, after.answered, after.rated, after.satisfied) == (
        before.due,
        before.on_time,
        before.answered,
        before.rated,
        before.satisfied,
    ) and before.answered == 1
    assert timezone.now()  # the purge's own audit row:
    assert (
        AuditEvent.objects.unrestricted().filter(action="delete", object_repr="requests_purge").count() == 2
    )


def test_a_picture_is_shown_to_the_handling_unit_and_its_reading_audited(personas):
    request, _c = submit(images=[jpeg_with_gps()])
    picture = Attachment.objects.unrestricted().get(request=request)
    response = client_for(personas["commune_officer"]).get(f"/requests/staff/attachments/{picture.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    assert (
        AuditEvent.objects.unrestricted().filter(action="view", object_type="requests.attachment").count()
        == 1
    )
    other = client_for(personas["other_commune_officer"]).get(f"/requests/staff/attachments/{picture.pk}/")
    assert other.status_code == 404
