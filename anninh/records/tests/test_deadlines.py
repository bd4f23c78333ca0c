"""The legal clock of a crime report, counted by hand (Criminal Procedure Code Art. 137, 147-149)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from anninh.records.deadlines import (
    ClockEvent,
    ClockEventKind,
    DeadlineError,
    DeadlineRules,
    add_months,
    clock_state,
    next_working_day,
)

D = dt.date
K = ClockEventKind
RAW = DeadlineRules(roll_over_days_off=False)  # pure calendar arithmetic, no day-off roll-over


def test_decision_is_due_twenty_days_after_receipt_not_counting_the_day_of_receipt():
    assert clock_state(D(2026, 11, 2), rules=RAW).due == D(2026, 11, 22)


def test_a_deadline_on_a_sunday_moves_to_monday():
    # 02/11/2026 is a Monday; +20 days = Sunday 22/11/2026.
    assert clock_state(D(2026, 11, 2)).due == D(2026, 11, 23)


def test_a_deadline_on_a_public_holiday_moves_to_the_next_working_day():
    # 12/08/2026 (Wed) + 20 days = Tue 01/09/2026; 1 and 2/9 are National Day holidays.
    holidays = [D(2026, 9, 1), D(2026, 9, 2)]
    assert clock_state(D(2026, 8, 12), days_off=holidays).due == D(2026, 9, 3)


def test_extension_runs_two_months_from_receipt():
    state = clock_state(D(2026, 3, 10), [ClockEvent(K.EXTEND, D(2026, 3, 25))], rules=RAW)
    assert state.due == D(2026, 5, 10) and state.extended


def test_month_periods_end_on_the_last_day_of_a_shorter_month():
    assert add_months(D(2025, 12, 31), 2) == D(2026, 2, 28)
    assert add_months(D(2027, 12, 31), 2) == D(2028, 2, 29)
    assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
    assert add_months(D(2026, 11, 30), 3) == D(2027, 2, 28)


def test_procuracy_extends_once_from_the_extended_deadline():
    events = [ClockEvent(K.EXTEND, D(2026, 1, 15)), ClockEvent(K.PROCURACY_EXTEND, D(2026, 2, 20), months=2)]
    state = clock_state(D(2026, 1, 5), events, rules=RAW)
    assert state.due == D(2026, 5, 5) and state.procuracy_extended


def test_procuracy_extension_requested_less_than_five_days_before_expiry_is_refused():
    events = [ClockEvent(K.EXTEND, D(2026, 1, 15)), ClockEvent(K.PROCURACY_EXTEND, D(2026, 3, 2), months=1)]
    with pytest.raises(DeadlineError) as err:
        clock_state(D(2026, 1, 5), events, rules=RAW)
    assert err.value.code == "clock.procuracy_late"


def test_procuracy_extension_requested_exactly_five_days_before_is_allowed():
    events = [ClockEvent(K.EXTEND, D(2026, 1, 15)), ClockEvent(K.PROCURACY_EXTEND, D(2026, 2, 28), months=1)]
    assert clock_state(D(2026, 1, 5), events, rules=RAW).due == D(2026, 4, 5)


@pytest.mark.parametrize(
    ("events", "code"),
    [
        ([ClockEvent(K.PROCURACY_EXTEND, D(2026, 1, 6), months=1)], "clock.procuracy_before_extension"),
        ([ClockEvent(K.EXTEND, D(2026, 1, 6)), ClockEvent(K.EXTEND, D(2026, 1, 7))], "clock.extended_twice"),
        (
            [
                ClockEvent(K.EXTEND, D(2026, 1, 6)),
                ClockEvent(K.PROCURACY_EXTEND, D(2026, 1, 7), months=1),
                ClockEvent(K.PROCURACY_EXTEND, D(2026, 1, 8), months=1),
            ],
            "clock.procuracy_twice",
        ),
        (
            [ClockEvent(K.EXTEND, D(2026, 1, 6)), ClockEvent(K.PROCURACY_EXTEND, D(2026, 1, 7), months=3)],
            "clock.procuracy_months",
        ),
        ([ClockEvent(K.RESUME, D(2026, 1, 7))], "clock.not_suspended"),
        ([ClockEvent(K.EXTEND, D(2026, 2, 1))], "clock.extend_late"),
        ([ClockEvent(K.DECIDE, D(2026, 1, 7)), ClockEvent(K.SUSPEND, D(2026, 1, 8))], "clock.decided"),
    ],
)
def test_clock_refuses_what_the_law_does_not_allow(events, code):
    with pytest.raises(DeadlineError) as err:
        clock_state(D(2026, 1, 5), events, rules=RAW)
    assert err.value.code == code


def test_suspension_stops_the_clock_and_resumption_gives_one_month():
    events = [ClockEvent(K.SUSPEND, D(2026, 1, 20)), ClockEvent(K.RESUME, D(2026, 4, 30))]
    suspended = clock_state(D(2026, 1, 5), events[:1], rules=RAW)
    assert suspended.due is None and suspended.suspended and not suspended.running
    assert not suspended.is_overdue(D(2026, 4, 1))
    resumed = clock_state(D(2026, 1, 5), events, rules=RAW)
    assert resumed.due == D(2026, 5, 30) and resumed.running


def test_resumption_on_the_31st_ends_on_the_last_day_of_the_next_month():
    events = [ClockEvent(K.SUSPEND, D(2026, 1, 10)), ClockEvent(K.RESUME, D(2026, 1, 31))]
    assert clock_state(D(2026, 1, 5), events, rules=RAW).due == D(2026, 2, 28)


def test_days_left_counts_down_to_zero_on_the_due_day_then_goes_negative():
    state = clock_state(D(2026, 11, 2), rules=RAW)
    assert state.days_left(D(2026, 11, 19)) == 3 and state.is_due_soon(D(2026, 11, 19))
    assert state.days_left(D(2026, 11, 22)) == 0 and not state.is_overdue(D(2026, 11, 22))
    assert state.days_left(D(2026, 11, 23)) == -1 and state.is_overdue(D(2026, 11, 23))
    assert not state.is_due_soon(D(2026, 11, 18))


def test_decision_stops_the_clock():
    state = clock_state(D(2026, 11, 2), [ClockEvent(K.DECIDE, D(2026, 11, 10))])
    assert state.decided and state.due is None and not state.is_overdue(D(2027, 1, 1))


def test_rules_are_data():
    rules = DeadlineRules(initial_days=30, roll_over_days_off=False)
    assert clock_state(D(2026, 11, 2), rules=rules).due == D(2026, 12, 2)


@given(st.dates(min_value=D(2020, 1, 1), max_value=D(2035, 12, 31)), st.integers(min_value=0, max_value=30))
def test_adding_months_never_overshoots_the_target_month(day, months):
    result = add_months(day, months)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    assert result.day <= day.day


@given(st.dates(min_value=D(2020, 1, 1), max_value=D(2035, 12, 31)))
def test_next_working_day_is_a_weekday_within_three_days(day):
    result = next_working_day(day)
    assert result.weekday() < 5 and 0 <= (result - day).days <= 2


@given(st.dates(min_value=D(2020, 1, 1), max_value=D(2035, 12, 31)))
def test_a_rolled_deadline_is_never_earlier_than_the_calendar_one(received):
    assert clock_state(received).due >= clock_state(received, rules=RAW).due
