"""A crime report's page on a phone (390 px): nothing scrolls sideways (issue #13, the sweep's
"too-wide-390" on /records/reports/N/). A decided report shows the longest labels and badges:
the legal-deadline facts ("Reporter told the result", "Decided in time"), the clock's steps."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from anninh.records.models import CrimeReport
from anninh.records.services import reports as svc
from anninh.records.tests.test_incidents_factories import fast_passwords  # noqa: F401
from anninh.testing.browser import login
from anninh.testing.personas import COMMUNE_A, PASSWORD, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PHONE = {"width": 390, "height": 844}


def decided_report(officer) -> CrimeReport:
    received = timezone.now() - dt.timedelta(days=6)
    report = svc.crime_report_receive(
        actor=officer,
        kind="to_giac",
        channel="in_person",
        received_at=received,
        summary="Bà Trần Thị Mai trình báo bị lừa chuyển khoản qua ứng dụng VNPAY-QR-THANHTOAN-NHANH-20261207.",
        commune_code=COMMUNE_A,
        address="Số 12 ngõ 34 đường Hoàng Văn Thụ, phường Hồng Bàng",
        offence_article="174",
        reporter=svc.ReporterInput(full_name="Trần Thị Mai", phones=("0912345678",)),
        losses_vnd=125_000_000,
    )
    report = svc.crime_report_classify(actor=officer, report=report, version=report.version)
    report = svc.crime_report_verify(actor=officer, report=report, version=report.version)
    today = timezone.localdate()
    report = svc.crime_report_decide(
        actor=officer,
        report=report,
        version=report.version,
        decision="initiate",
        on=today,
        grounds="Có dấu hiệu tội lừa đảo chiếm đoạt tài sản (Điều 174 BLHS).",
    )
    for target in ("procuracy", "reporter"):
        report = svc.crime_report_notify(
            actor=officer, report=report, version=report.version, target=target, on=today
        )
    return report


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_decided_crime_report_fits_a_phone(page, settings, language):
    settings.LANGUAGE_CODE = "vi"
    officer = make_user(
        "canbo.phone", "commune_officer", unit_code=f"CA{COMMUNE_A}", full_name="Nguyễn Văn Bình"
    )
    report = decided_report(officer)
    assert report.decided_on and report.reporter_notified_on and report.procuracy_notified_on

    login(page, "canbo.phone", PASSWORD)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.base_url}])
    page.set_viewport_size(PHONE)
    page.goto(page.base_url + f"/records/reports/{report.pk}/", wait_until="load")
    assert page.locator("h1").inner_text().strip()
    widths = page.evaluate(
        """() => ({scroll: document.documentElement.scrollWidth, window: window.innerWidth,
                   wide: [...document.querySelectorAll('main *')]
                     .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                     .slice(0, 5).map(e => e.tagName + '.' + e.className + ': ' + (e.innerText || '').slice(0, 40))})"""
    )
    assert widths["scroll"] <= widths["window"], widths
    assert not page.js_errors, page.js_errors
