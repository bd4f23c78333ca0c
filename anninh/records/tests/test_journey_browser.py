"""In a real browser, the records journey from intake to clearance: a commune officer receives
a crime report (a register number is given and the deadline shown), classifies it, starts
verification and decides to initiate a case within the deadline; the case appears and the
officer records the offender identified (cleared); the deadlines board and the case list show
the right states."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from anninh.records.models import Case, CrimeReport
from anninh.records.tests.test_incidents_factories import fast_passwords  # noqa: F401
from anninh.testing.browser import login
from anninh.testing.personas import COMMUNE_A, PASSWORD, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def open_step(page, action: str):
    """The step form for `action` (its URL ends with the action), opened."""
    step = page.locator("details.step", has=page.locator(f"form[action$='/{action}/']"))
    step.locator("summary").click()
    return step


def test_intake_to_decision_to_clearance(page, reference_data):
    make_user("canbo.journey", "commune_officer", unit_code=f"CA{COMMUNE_A}", full_name="Nguyễn Văn Bình")
    login(page, "canbo.journey", PASSWORD)

    # Intake, keyboard-friendly form.
    page.goto(page.base_url + "/records/reports/new/")
    page.select_option("#id_kind", "to_giac")
    page.select_option("#id_channel", "in_person")
    page.fill("#id_commune", COMMUNE_A)
    page.fill("#id_summary", "Bà Trần Thị Mai trình báo bị trộm xe máy trước cửa nhà số 12 Hoàng Văn Thụ.")
    page.fill("#id_offence", "173")
    page.fill("#id_reporter_name", "Trần Thị Mai")
    page.locator("#intake-form button[type=submit]").first.click()
    page.wait_for_load_state("networkidle")
    report = CrimeReport.objects.get()
    assert re.search(r"/records/reports/\d+/$", page.url)
    expect(page.locator("body")).to_contain_text(report.register_number)
    assert report.due_on is not None

    # Classify, verify, decide to initiate a case.
    step = open_step(page, "classify")
    step.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    step = open_step(page, "verify")
    step.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    step = open_step(page, "decide")
    step.locator("input[type=radio][value=initiate]").check()
    step.locator("textarea[name$=grounds]").fill("Có dấu hiệu tội trộm cắp tài sản.")
    step.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    report.refresh_from_db()
    assert report.status == "initiated" and report.decided_within_deadline is True
    case = Case.objects.get(crime_report=report)

    # The case: the offender is identified, the case counts as cleared.
    page.goto(page.base_url + f"/records/cases/{case.pk}/")
    page.select_option("#id_to_status", "cleared")
    page.fill("#id_offender_identified_at", report.received_at.astimezone().strftime("%d/%m/%Y %H:%M"))
    page.fill("#id_arrests", "1")
    page.locator("form button[type=submit]", has_text=re.compile(".")).last.click()
    page.wait_for_load_state("networkidle")
    case.refresh_from_db()
    assert case.status == "cleared" and case.offender_identified_at is not None

    # The case list shows it cleared; the deadlines board no longer counts the report.
    page.goto(page.base_url + "/records/cases/?status=cleared")
    expect(page.locator("body")).to_contain_text(case.number)
    page.goto(page.base_url + "/records/deadlines/")
    expect(page.locator("body")).not_to_contain_text(report.register_number)
    assert not page.js_errors, page.js_errors
