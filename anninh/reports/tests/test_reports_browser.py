"""In a real browser: a commander makes last December's weekly report from the reports page,
reads it, finds it in the list of past reports and downloads the PDF to print."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from anninh.compstat.tests.test_golden import world  # noqa: F401
from anninh.records.tests.test_incidents_factories import fast_passwords  # noqa: F401
from anninh.reports.models import Report
from anninh.testing.browser import login
from anninh.testing.personas import PASSWORD

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def seeded(reference_data, request):
    return request.getfixturevalue("world")


def test_commander_makes_the_weekly_report_and_downloads_the_pdf(page, seeded):
    login(page, seeded["commander"].username, PASSWORD)
    page.goto(page.base_url + "/reports/")
    expect(page.locator("[aria-current=page]")).to_have_attribute("href", "/reports/")
    page.select_option("#r-kind", "week")
    page.fill("#r-period", "2025-W50")
    page.select_option("#r-lang", "vi")
    page.click("form.compstat-period button[type=submit]")
    page.wait_for_load_state("networkidle")
    report = Report.objects.get()
    assert page.url.endswith(f"/reports/{report.pk}/")
    expect(page.locator("h1")).to_have_text(report.title)
    expect(page.locator("figure svg")).to_have_count(3)  # groups, weeks, map
    page.click(".report-toolbar a[href='/reports/']")
    page.wait_for_load_state("networkidle")
    row = page.locator("[data-testid=report-list] tbody tr")
    expect(row).to_have_count(1)
    href = row.locator("a", has_text="PDF").get_attribute("href")
    response = page.request.get(page.base_url + href)
    assert response.headers["content-type"] == "application/pdf"
    assert response.body() == bytes(report.pdf) and response.body().startswith(b"%PDF")
    assert not page.js_errors, page.js_errors
