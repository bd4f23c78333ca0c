"""Pages of the register: permission matrices, the intake form, steps with optimistic locking,
the deadlines board, constant query counts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from anninh.audit.models import AuditAction, AuditEvent
from anninh.org.models import Unit
from anninh.records.models import CrimeReport, Person
from anninh.records.services import reports as services
from anninh.records.tests.test_reports_helpers import (  # noqa: F401 - fast_passwords is autouse
    COMMUNE_A,
    S,
    advance,
    fast_passwords,
    receive,
)
from anninh.testing.matrix import LOGIN, check_matrix, client_for

READERS = {
    "anonymous": LOGIN,
    "commander": 200,
    "analyst": 200,
    "investigator": 200,
    "commune_officer": 200,
    "other_commune_officer": 200,
    "fire_rescue": 403,
    "public_relations": 403,
    "auditor": 403,
    "administrator": 403,
    "no_role": 403,
}
EN = {"Accept-Language": "en"}


def intake_data(**overrides) -> dict:
    data = {
        "kind": "to_giac",
        "channel": "phone_113",
        "received_at": timezone.localtime(timezone.now() - dt.timedelta(minutes=30)).strftime(
            "%d/%m/%Y %H:%M"
        ),
        "commune": "hong bang",
        "address": "3 Minh Khai",
        "summary": "Bị lừa chuyển khoản qua mạng.",
        "offence": "174",
        "reporter_name": "Đỗ Văn Giang",
        "reporter_cccd": "031 090 000111",
        "reporter_phone": "0912 000 111",
    }
    data.update(overrides)
    return data


# Permission matrices ---------------------------------------------------------------------------------


def test_the_register_answers_every_persona(personas):
    check_matrix("/records/reports/", READERS, personas=personas)


def test_the_deadlines_board_answers_every_persona(personas):
    check_matrix("/records/deadlines/", READERS, personas=personas)


def test_the_intake_form_answers_only_report_writers(personas):
    check_matrix(
        "/records/reports/new/",
        {**READERS, "commander": 403, "analyst": 403},
        personas=personas,
    )


def test_receiving_through_the_form_answers_only_report_writers(personas):
    check_matrix(
        "/records/reports/new/",
        {
            **READERS,
            "commander": 403,
            "analyst": 403,
            "investigator": 302,
            "commune_officer": 302,
            "other_commune_officer": 302,
        },
        personas=personas,
        method="post",
        data=intake_data(),
    )
    assert CrimeReport.objects.count() == 3


def test_a_report_page_answers_by_role_and_scope(personas):
    report = receive(personas["commune_officer"])
    check_matrix(
        f"/records/reports/{report.pk}/",
        {**READERS, "investigator": 404, "other_commune_officer": 404},
        personas=personas,
    )


def test_a_missing_report_is_a_plain_404(personas):
    check_matrix(
        "/records/reports/999999/",
        {**READERS, **{k: 404 for k, v in READERS.items() if v == 200}},
        personas=personas,
        audit_denials=False,
    )


def test_a_step_answers_only_the_handling_unit(personas):
    report = receive(personas["commune_officer"])
    check_matrix(
        f"/records/reports/{report.pk}/classify/",
        {
            **READERS,
            "commander": 403,
            "analyst": 403,
            "investigator": 404,
            "commune_officer": 302,
            "other_commune_officer": 404,
        },
        personas=personas,
        method="post",
        data={"classify-version": "1", "classify-note": "ok"},
    )
    assert CrimeReport.objects.get(pk=report.pk).status == S.CLASSIFIED


def test_a_unit_that_sees_a_report_but_does_not_handle_it_gets_an_audited_403(personas):
    officer, investigator = personas["commune_officer"], personas["investigator"]
    report = advance(receive(officer), officer, S.CLASSIFIED)
    pc02 = Unit.objects.get(code="PC02")
    report = services.crime_report_transfer(
        actor=officer, report=report, version=report.version, to_unit_id=pc02.pk
    )
    response = client_for(investigator).post(
        f"/records/reports/{report.pk}/verify/", {"verify-version": report.version}
    )
    assert response.status_code == 403
    assert AuditEvent.objects.filter(
        action=AuditAction.DENIED, actor_id=investigator.pk, object_id=str(report.pk)
    ).exists()


def test_an_unknown_step_is_404(personas):
    report = receive(personas["commune_officer"])
    response = client_for(personas["commune_officer"]).post(f"/records/reports/{report.pk}/approve/", {})
    assert response.status_code == 404


# Intake ------------------------------------------------------------------------------------------


def test_the_intake_form_resolves_the_typed_commune_and_offence_and_opens_the_new_report(personas):
    client = client_for(personas["commune_officer"])
    response = client.post(
        "/records/reports/new/", intake_data(commune="hong bang", offence="lua dao chiem doat")
    )
    report = CrimeReport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/records/reports/{report.pk}/"
    assert report.commune_id == COMMUNE_A and report.suspected_offence.article == "174"
    assert report.channel == "phone_113" and report.reporter.cccd == "031090000111"
    page = client.get(response["Location"], headers=EN).content.decode()
    assert f"Entered in the register as {report.register_number}" in page


def test_save_and_receive_another_returns_to_an_empty_form(personas):
    response = client_for(personas["commune_officer"]).post(
        "/records/reports/new/", {**intake_data(), "another": "1"}
    )
    assert response.status_code == 302 and response["Location"] == "/records/reports/new/"


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"received_at": "01/01/2100 10:00"}, "received_at", "The time of receipt cannot be in the future."),
        ({"received_at": "31/02/2026 10:00"}, "received_at", "Enter the date and time as dd/mm/yyyy hh:mm"),
        ({"offence": "999"}, "offence", "There is no article 999 in the offence table."),
        ({"commune": "zzzz"}, "commune", "No commune matches"),
        ({"lat": "10.77", "lon": "106.70"}, "lat", "The point is outside Hai Phong."),
        ({"reporter_cccd": "123"}, "reporter_cccd", "A citizen ID (CCCD) number has 12 digits."),
        ({"reporter_phone": "12345"}, "reporter_phone", "is not a Vietnamese mobile number"),
        ({"reporter_name": ""}, "reporter_name", "Enter the reporter&#x27;s full name"),
    ],
)
def test_bad_intake_input_is_shown_next_to_its_field_keeps_what_was_typed_and_saves_nothing(
    personas, overrides, field, message
):
    response = client_for(personas["commune_officer"]).post(
        "/records/reports/new/", intake_data(**overrides), headers=EN
    )
    page = response.content.decode()
    assert response.status_code == 422
    assert message in page, page[:3000]
    assert 'value="3 Minh Khai"' in page  # what was typed is still there
    assert CrimeReport.objects.count() == 0 and Person.objects.count() == 0
    assert f'id="id_{field}_error"' in page or 'class="errorlist' in page


def test_the_intake_form_is_keyboard_first_and_has_no_inline_script(personas):
    page = client_for(personas["commune_officer"]).get("/records/reports/new/").content.decode()
    assert re.search(r'<select name="kind"[^>]*autofocus', page)
    assert 'data-autocomplete="commune"' in page and 'data-autocomplete="offence"' in page
    assert 'id="map-pick-config"' in page and 'id="reports-autocomplete-config"' in page
    for tag in re.findall(r"<script[^>]*>", page):
        assert "src=" in tag or "application/json" in tag, tag
    # The map comes after the form's submit buttons in the tab order.
    assert page.index('name="another"') < page.index('id="map-pick"')


# One report and its steps ----------------------------------------------------------------------------


def test_the_report_page_shows_the_clock_the_timeline_and_the_next_steps(personas):
    officer = personas["commune_officer"]
    report = advance(receive(officer), officer, S.CLASSIFIED)
    page = client_for(officer).get(f"/records/reports/{report.pk}/", headers=EN).content.decode()
    assert report.register_number in page
    assert "days left" in page and report.due_on.strftime("%d/%m/%Y") in page
    assert "Received and entered in the register" in page and "Classified" in page
    assert f'action="/records/reports/{report.pk}/verify/"' in page
    assert 'name="verify-version" value="2"' in page
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW,
        object_type="records.crimereport",
        object_id=str(report.pk),
        actor_id=officer.pk,
    ).exists()


def test_readers_see_no_step_forms(personas):
    report = receive(personas["commune_officer"])
    page = (
        client_for(personas["commander"]).get(f"/records/reports/{report.pk}/", headers=EN).content.decode()
    )
    assert "/classify/" not in page and "Nothing for you to do here." in page


def test_a_stale_form_gets_a_conflict_message_and_keeps_what_was_typed(personas):
    officer = personas["commune_officer"]
    report = receive(officer)
    services.crime_report_classify(actor=officer, report=report, version=1)  # someone else, meanwhile
    response = client_for(officer).post(
        f"/records/reports/{report.pk}/extend/",
        {"extend-version": "1", "extend-note": "Vụ việc phức tạp, cần giám định."},
        headers=EN,
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert "changed by someone else" in page
    assert "Vụ việc phức tạp, cần giám định." in page  # nothing lost
    assert 'name="extend-version" value="2"' in page  # resubmitting applies to the current version
    assert not CrimeReport.objects.get(pk=report.pk).extended


def test_a_refused_step_is_shown_with_its_reason(personas):
    officer = personas["commune_officer"]
    report = advance(receive(officer), officer, S.VERIFYING)
    future = (timezone.localdate() + dt.timedelta(days=2)).strftime("%d/%m/%Y")
    response = client_for(officer).post(
        f"/records/reports/{report.pk}/decide/",
        {
            "decide-version": report.version,
            "decide-decision": "not_initiate",
            "decide-on": future,
            "decide-grounds": "Không có dấu hiệu tội phạm.",
        },
        headers=EN,
    )
    assert response.status_code == 422
    assert "The date cannot be in the future." in response.content.decode()
    assert CrimeReport.objects.get(pk=report.pk).status == S.VERIFYING


def test_deciding_to_initiate_through_the_page_names_the_new_case(personas):
    officer = personas["commune_officer"]
    report = advance(receive(officer), officer, S.VERIFYING)
    client = client_for(officer)
    response = client.post(
        f"/records/reports/{report.pk}/decide/",
        {
            "decide-version": report.version,
            "decide-decision": "initiate",
            "decide-grounds": "Có dấu hiệu tội phạm.",
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"], headers=EN).content.decode()
    assert "Case VA-CA11311-" in page and "was initiated" in page


def test_a_date_typed_day_first_is_read_day_first(personas):
    officer = personas["commune_officer"]
    report = advance(
        receive(officer, received_at=timezone.now() - dt.timedelta(days=40)), officer, S.VERIFYING
    )
    day = report.received_on + dt.timedelta(days=3)
    response = client_for(officer).post(
        f"/records/reports/{report.pk}/decide/",
        {
            "decide-version": report.version,
            "decide-decision": "not_initiate",
            "decide-on": day.strftime("%d/%m/%Y"),
            "decide-grounds": "x",
        },
    )
    assert response.status_code == 302
    assert CrimeReport.objects.get(pk=report.pk).decided_on == day


# The register and the board --------------------------------------------------------------------------


def test_the_register_lists_overdue_reports_first(personas):
    officer = personas["commune_officer"]
    recent = receive(officer)
    old = receive(officer, received_at=timezone.now() - dt.timedelta(days=60))
    page = client_for(officer).get("/records/reports/", headers=EN).content.decode()
    assert page.index(old.register_number) < page.index(recent.register_number)
    assert "Overdue by" in page


def test_the_register_filters_by_deadline_and_answers_htmx_with_the_results_only(personas):
    officer = personas["commune_officer"]
    recent = receive(officer)
    old = receive(officer, received_at=timezone.now() - dt.timedelta(days=60))
    response = client_for(officer).get(
        "/records/reports/?due=overdue", headers={"HX-Request": "true", "HX-Target": "report-results", **EN}
    )
    page = response.content.decode()
    assert "<html" not in page and 'id="report-results"' in page
    assert old.register_number in page and recent.register_number not in page


def test_the_register_filters_by_received_dates_typed_day_first(personas):
    officer = personas["commune_officer"]
    report = receive(officer, received_at=timezone.now() - dt.timedelta(days=10))
    day = report.received_on.strftime("%d/%m/%Y")
    other_day = (report.received_on + dt.timedelta(days=1)).strftime("%d/%m/%Y")
    client = client_for(officer)
    assert (
        report.register_number
        in client.get(f"/records/reports/?received_from={day}&received_to={day}").content.decode()
    )
    assert (
        report.register_number
        not in client.get(f"/records/reports/?received_from={other_day}").content.decode()
    )


def test_an_empty_register_says_what_to_do(personas):
    page = client_for(personas["commune_officer"]).get("/records/reports/", headers=EN).content.decode()
    assert "The register is empty." in page and "Receive a report" in page


def test_the_register_costs_the_same_few_queries_for_5_or_30_reports(personas, django_assert_max_num_queries):
    officer = personas["commune_officer"]
    client = client_for(officer)
    for _ in range(5):
        receive(officer, reporter=services.ReporterInput(full_name="Vũ Thị Hoa"))
    client.get("/records/reports/")  # warm the session and caches
    with django_assert_max_num_queries(20) as few:
        client.get("/records/reports/")
    for _ in range(25):
        receive(officer, reporter=services.ReporterInput(full_name="Vũ Thị Hoa"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/records/reports/?page=1")
    assert response.content.decode().count('data-href="/records/reports/') == 30


def test_the_deadlines_board_counts_per_unit_and_lists_the_overdue(personas):
    officer, other = personas["commune_officer"], personas["other_commune_officer"]
    overdue = receive(officer, received_at=timezone.now() - dt.timedelta(days=60))
    receive(officer)
    receive(other, commune_code="11329")
    commander_page = client_for(personas["commander"]).get("/records/deadlines/", headers=EN).content.decode()
    assert "CA11311" in commander_page and "CA11329" in commander_page
    assert overdue.register_number in commander_page
    officer_page = client_for(officer).get("/records/deadlines/", headers=EN).content.decode()
    assert "CA11329" not in officer_page and overdue.register_number in officer_page
    other_page = client_for(other).get("/records/deadlines/", headers=EN).content.decode()
    assert overdue.register_number not in other_page and "No report is overdue." in other_page


# The Django admin ------------------------------------------------------------------------------------


def test_the_admin_shows_reports_and_persons_read_only_and_without_personal_data(personas):
    report = receive(
        personas["commune_officer"],
        reporter=services.ReporterInput(full_name="Lý Thị Nga", cccd="031066000777"),
    )
    admin = client_for(personas["administrator"])
    for url in [
        "/admin/records/crimereport/",
        f"/admin/records/crimereport/{report.pk}/change/",
        "/admin/records/person/",
        f"/admin/records/person/{report.reporter_id}/change/",
        "/admin/records/offence/",
        "/admin/records/dayoff/",
    ]:
        response = admin.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert "Lý Thị Nga" not in page and "031066000777" not in page and report.summary not in page, url
    assert admin.get("/admin/records/crimereport/add/").status_code == 403
    assert admin.post(f"/admin/records/crimereport/{report.pk}/delete/", {"post": "yes"}).status_code == 403


def test_an_offence_edited_in_the_admin_keeps_its_search_key_and_is_audited(personas):
    from anninh.records.models import Offence

    offence = Offence.objects.get(article="173")
    admin = client_for(personas["administrator"])
    response = admin.post(
        f"/admin/records/offence/{offence.pk}/change/",
        {
            "article": "173",
            "name": "Trộm cắp tài sản (sửa)",
            "name_en": "Theft",
            "chapter": offence.chapter,
            "group": offence.group,
            "handling_unit_code": offence.handling_unit_code,
            "threshold_vnd": offence.threshold_vnd or "",
            "law_version": offence.law_version,
            "valid_from": offence.valid_from.strftime("%d/%m/%Y"),
            "valid_to": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    offence.refresh_from_db()
    assert offence.name == "Trộm cắp tài sản (sửa)" and "sua" in offence.search_key
    assert AuditEvent.objects.filter(
        action=AuditAction.UPDATE,
        object_type="records.offence",
        object_id=str(offence.pk),
        extra__via="admin",
    ).exists()


def test_the_deadlines_board_costs_the_same_queries_for_few_or_many_reports(
    personas, django_assert_max_num_queries
):
    officer, other = personas["commune_officer"], personas["other_commune_officer"]
    client = client_for(personas["commander"])
    receive(officer, received_at=timezone.now() - dt.timedelta(days=60))
    receive(officer)
    client.get("/records/deadlines/")
    with django_assert_max_num_queries(20) as few:
        client.get("/records/deadlines/")
    for days in (1, 18, 19, 40, 70):
        receive(officer, received_at=timezone.now() - dt.timedelta(days=days))
        receive(other, commune_code="11329", received_at=timezone.now() - dt.timedelta(days=days))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/records/deadlines/").content.decode()
    assert page.count('data-href="/records/reports/') == 12
