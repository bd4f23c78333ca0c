"""Periods: boundaries at local midnight, comparisons, parsing."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from anninh.compstat.periods import Period, PeriodError, period_from_params

D = dt.date


def test_week_starts_on_monday_at_local_midnight():
    w = Period.week(2026, 47)
    assert (w.first, w.last) == (D(2026, 11, 16), D(2026, 11, 22))
    assert w.start == dt.datetime(2026, 11, 15, 17, 0, tzinfo=dt.UTC)  # 00:00 UTC+7
    assert w.end == dt.datetime(2026, 11, 22, 17, 0, tzinfo=dt.UTC)
    assert w.previous().first == D(2026, 11, 9)
    assert w.last_year() == Period.week(2025, 47)
    assert w.slug == "2026-W47"


def test_month_quarter_ytd_and_28_days():
    m = Period.month(2026, 3)
    assert m.previous() == Period.month(2026, 2) and m.last_year() == Period.month(2025, 3)
    q = Period.quarter(2026, 1)
    assert q.previous() == Period.quarter(2025, 4) and q.days == 90
    y = Period.year_to_date(D(2026, 11, 21))
    assert y.first == D(2026, 1, 1) and y.last_year().last == D(2025, 11, 21)
    d = Period.days28(D(2026, 11, 21))
    assert d.days == 28 and d.previous().last == D(2026, 10, 24)


def test_leap_day_and_week_53():
    p = Period.custom(D(2024, 2, 29), D(2024, 2, 29))
    assert p.last_year().first == D(2023, 2, 28)
    assert Period.week(2026, 53).last_year() == Period.week(2025, 52)  # 2025 has 52 weeks


def test_same_month_and_quarter_last_year_are_whole_calendar_months():
    # February 2025 against all of February 2024, 29 February included (and back).
    assert Period.month(2025, 2).last_year() == Period.month(2024, 2)
    assert Period.month(2025, 2).last_year().last == D(2024, 2, 29)
    assert Period.month(2024, 2).last_year() == Period.month(2023, 2)
    assert Period.quarter(2025, 1).last_year() == Period.quarter(2024, 1)
    assert Period.quarter(2025, 1).last_year().days == 91


def test_parsing():
    on = D(2026, 11, 22)  # a Sunday: week 47 is not over yet
    assert period_from_params({}, on=on) == Period.week(2026, 46)
    assert period_from_params({}, on=D(2026, 11, 23)) == Period.week(2026, 47)
    assert period_from_params({"period": "month"}, on=on) == Period.month(2026, 10)
    assert period_from_params({"period": "quarter"}, on=on) == Period.quarter(2026, 3)
    assert period_from_params({"period": "week", "at": "2026-w05"}, on=on) == Period.week(2026, 5)
    assert period_from_params({"period": "custom", "from": "01/02/2026", "to": "03/02/2026"}).days == 3
    for bad in (
        {"period": "x"},
        {"period": "month", "at": "10/2026"},
        {"period": "quarter", "at": "2026-Q5"},
    ):
        with pytest.raises(PeriodError):
            period_from_params(bad, on=on)


@given(st.dates(D(2001, 1, 1), D(2099, 12, 1)))
def test_previous_period_ends_the_day_before(day):
    for p in (Period.days28(day), Period.month(day.year, day.month), Period.week(*day.isocalendar()[:2])):
        assert p.previous().last == p.first - dt.timedelta(days=1)
        assert p.previous().end == p.start
