"""The answer clock counts working days: weekends and the records' public holidays are
skipped, the day of receipt is not counted."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from anninh.lib.dates import HCM_TZ
from anninh.records.models import DayOff
from anninh.requests.clock import add_working_days, working_days_between
from anninh.requests.tests.factories import submit

FRI = dt.date(2026, 11, 27)  # a Friday


def test_a_request_of_friday_with_two_working_days_is_due_on_tuesday():
    assert add_working_days(FRI, 2) == dt.date(2026, 12, 1)


def test_a_request_of_saturday_counts_from_monday():
    assert add_working_days(dt.date(2026, 11, 28), 1) == dt.date(2026, 11, 30)


def test_public_holidays_are_not_counted():
    # Thursday 30/04 and Friday 01/05 are holidays: from Wednesday 29/04, 1 working day is Monday 04/05.
    off = [dt.date(2026, 4, 30), dt.date(2026, 5, 1)]
    assert add_working_days(dt.date(2026, 4, 29), 1, off) == dt.date(2026, 5, 4)
    assert add_working_days(dt.date(2026, 4, 29), 1) == dt.date(2026, 4, 30)


def test_zero_days_is_the_day_itself_or_the_next_working_day():
    assert add_working_days(FRI, 0) == FRI
    assert add_working_days(dt.date(2026, 11, 29), 0) == dt.date(2026, 11, 30)
    with pytest.raises(ValueError):
        add_working_days(FRI, -1)


def test_working_days_between_skips_weekends():
    assert working_days_between(FRI, dt.date(2026, 12, 1)) == 2
    assert working_days_between(FRI, FRI) == 0


@pytest.mark.django_db
def test_a_request_sent_on_friday_evening_is_due_after_the_weekend_and_a_holiday():
    DayOff.objects.create(date=dt.date(2026, 11, 30), name="Test holiday")
    with time_machine.travel(dt.datetime(2026, 11, 27, 21, 0, tzinfo=HCM_TZ), tick=False):
        request, _code = submit("tip-crime")  # 3 working days
    # Sat, Sun, Mon (holiday) skipped: Tue 1, Wed 2, Thu 3.
    assert request.due_on == dt.date(2026, 12, 3)
    assert request.first_due_on == request.due_on
