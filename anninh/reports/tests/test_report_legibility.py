"""The weekly PDF reads as a Vietnamese officer reads numbers (issue 13, item 8), and the demo
has a weekly report ready to open."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from anninh.compstat.periods import Period
from anninh.compstat.tests.test_golden import world  # noqa: F401
from anninh.records.tests.test_incidents_factories import fast_passwords  # noqa: F401
from anninh.reports.demo import reports_demo_seed
from anninh.reports.models import Report
from anninh.reports.services import render_html, report_generate
from anninh.reports.tests.test_reports import pdf_text

pytestmark = pytest.mark.django_db


def test_weekly_pdf_keeps_every_percentage_on_one_line_with_its_sign(world):  # noqa: F811
    report, _ = report_generate(
        actor=world["commander"], kind="week", period=Period.week(2025, 50), language="vi"
    )
    text = pdf_text(bytes(report.pdf))
    assert "%" in text
    # A percent sign never starts a line, nor follows a space ("+400,0 / %").
    assert not re.search(r"(^|\s)%", text, re.MULTILINE)
    # Vietnamese decimals: "12,5%", never "12.5%".
    assert not re.search(r"\d\.\d%", text)


def test_weekly_report_names_weeks_as_people_say_them(world):  # noqa: F811
    _title, html = render_html(viewer=world["commander"], period=Period.week(2025, 50), language="vi")
    # The axis shows every other week of the 26: week 49 is one of them.
    assert "Tuần 49 (01/12–07/12)" in html
    assert not re.search(r"\d{4}-W\d{2}", html)


def test_demo_seed_makes_the_last_weeks_report_once_in_both_languages(world):  # noqa: F811
    today = dt.date(2026, 1, 7)  # a Wednesday: the last complete week is 2026-W01
    first = reports_demo_seed(today=today)
    again = reports_demo_seed(today=today)
    assert first == {"weekly_reports_made": 2} and again == {"weekly_reports_made": 0}
    reports = Report.objects.unrestricted().filter(kind="week", slug="2026-W01")
    assert sorted(r.language for r in reports) == ["en", "vi"]
    assert all(bytes(r.pdf).startswith(b"%PDF") for r in reports)
