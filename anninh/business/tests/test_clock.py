"""The dialogue recommendation clock (pure functions, hand-made data)."""

from __future__ import annotations

import datetime as dt

import pytest

from anninh.business import clock

D = dt.date


def test_the_due_date_counts_calendar_days_after_the_day_of_assignment():
    # Assigned Monday 02/11/2026, 30 days: Wednesday 02/12/2026.
    assert clock.default_due(D(2026, 11, 2), 30) == D(2026, 12, 2)


def test_a_due_date_on_a_weekend_moves_to_monday():
    # Assigned Tuesday 03/11/2026 + 4 days = Saturday 07/11 -> Monday 09/11.
    assert clock.default_due(D(2026, 11, 3), 4) == D(2026, 11, 9)


def test_a_due_date_on_a_holiday_moves_past_it_and_the_weekend():
    # Friday 01/01/2027 is New Year: the next working day is Monday 04/01.
    assert clock.default_due(D(2026, 12, 2), 30, days_off=[D(2027, 1, 1)]) == D(2027, 1, 4)


def test_an_answer_period_of_zero_days_is_refused():
    with pytest.raises(ValueError):
        clock.default_due(D(2026, 11, 2), 0)


@pytest.mark.parametrize(
    ("due_on", "resolved_on", "today", "state"),
    [
        (None, None, D(2026, 11, 10), clock.NOT_ASSIGNED),
        (D(2026, 11, 30), None, D(2026, 11, 10), clock.ON_TRACK),
        (D(2026, 11, 30), None, D(2026, 11, 27), clock.DUE_SOON),
        (D(2026, 11, 30), None, D(2026, 11, 30), clock.DUE_SOON),  # the due day itself is still on time
        (D(2026, 11, 30), None, D(2026, 12, 1), clock.OVERDUE),
        (D(2026, 11, 30), D(2026, 11, 30), D(2026, 12, 20), clock.RESOLVED_ON_TIME),
        (D(2026, 11, 30), D(2026, 12, 1), D(2026, 12, 20), clock.RESOLVED_LATE),
    ],
)
def test_the_clock_state_of_a_recommendation(due_on, resolved_on, today, state):
    assert clock.clock_state(due_on=due_on, resolved_on=resolved_on, today=today) == state


def test_resolved_on_time_by_unit_and_month_on_hand_made_rows():
    today = D(2026, 12, 10)
    rows = [
        (1, D(2026, 11, 5), D(2026, 11, 5)),  # unit 1, November: on time (the due day)
        (1, D(2026, 11, 20), D(2026, 11, 21)),  # late
        (1, D(2026, 11, 30), None),  # past due, still open: late
        (2, D(2026, 11, 15), D(2026, 11, 1)),  # unit 2, November: on time
        (1, D(2026, 12, 5), D(2026, 12, 1)),  # unit 1, December: on time
        (1, D(2026, 12, 20), None),  # not yet due: not counted yet
        (2, D(2026, 12, 31), D(2026, 12, 9)),  # resolved before its due date: on time
    ]
    got = {
        (c.unit_id, c.month): (c.on_time, c.late, c.overdue_open, c.rate)
        for c in clock.on_time_by_unit_month(rows, today=today)
    }
    assert got == {
        (1, D(2026, 11, 1)): (1, 1, 1, pytest.approx(1 / 3)),
        (2, D(2026, 11, 1)): (1, 0, 0, 1.0),
        (1, D(2026, 12, 1)): (1, 0, 0, 1.0),
        (2, D(2026, 12, 1)): (1, 0, 0, 1.0),
    }


def test_a_unit_with_nothing_decided_yet_has_no_row():
    assert clock.on_time_by_unit_month([(1, D(2026, 12, 20), None)], today=D(2026, 12, 1)) == []
