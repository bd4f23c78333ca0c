"""The CompStat weekly report carries the requests' service indicators of its week."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine

from anninh.compstat.periods import Period
from anninh.lib.dates import HCM_TZ
from anninh.reports.services import SYSTEM, render_html
from anninh.requests import services
from anninh.requests.tests.factories import submit

pytestmark = pytest.mark.django_db


def test_the_weekly_report_shows_the_requests_answered_in_its_week(personas):
    officer = personas["commune_officer"]
    with time_machine.travel(dt.datetime(2026, 11, 2, 9, tzinfo=HCM_TZ), tick=False):  # Monday, week 45
        on_time, code = submit()  # due Thursday 05/11
        submit()  # not answered: late once Thursday has passed
    with time_machine.travel(dt.datetime(2026, 11, 4, 9, tzinfo=HCM_TZ), tick=False):
        services.request_answer(actor=officer, request=on_time, text="Xong.")
        services.request_rate(request=services.request_by_code(code), rating=2)
    with time_machine.travel(dt.datetime(2026, 11, 10, 9, tzinfo=HCM_TZ), tick=False):
        _title, html = render_html(viewer=SYSTEM, period=Period.week(2026, 45), language="en")
    section = html.split("Requests from the public", 1)[1]
    cells = re.findall(r'<tr><td>([^<]+)</td><td class="num">([^<]*)</td></tr>', section)
    rows = {label.strip(): value.strip() for label, value in cells}
    assert rows["Answers due"] == "2"
    assert rows["Answered on time"] == "1 (50.0%)"
    assert rows["Answered"] == "1"
    assert rows["Satisfied (4 or 5 of 5)"] == "0.0% (1)"
