"""The legal clock of a crime report, counted by hand (Criminal Procedure Code Art. 134, 147-149)."""

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
    days_left,
    is_due_soon,
    is_overdue,
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
    events = [ClockEvent(K.SUSPEND, D(2026, 1, 25)), ClockEvent(K.RESUME, D(2026, 4, 30))]
    suspended = clock_state(D(2026, 1, 5), events[:1], rules=RAW)
    assert suspended.due is None and suspended.suspended and not suspended.running
    assert not is_overdue(suspended.due, D(2026, 4, 1))
    resumed = clock_state(D(2026, 1, 5), events, rules=RAW)
    assert resumed.due == D(2026, 5, 30) and resumed.running


def test_resumption_on_the_31st_ends_on_the_last_day_of_the_next_month():
    events = [ClockEvent(K.SUSPEND, D(2026, 1, 25)), ClockEvent(K.RESUME, D(2026, 1, 31))]
    assert clock_state(D(2026, 1, 5), events, rules=RAW).due == D(2026, 2, 28)


def test_decision_stops_the_clock():
    state = clock_state(D(2026, 11, 2), [ClockEvent(K.DECIDE, D(2026, 11, 10))])
    assert state.decided and state.due is None and not is_overdue(state.due, D(2027, 1, 1))


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


# Suspension only once the time limit has run out (Art. 148) ------------------------------


def test_suspension_before_the_time_limit_has_run_out_is_refused_with_the_day_it_becomes_possible():
    # Received Mon 02/03/2026: 20 days end on Sunday 22/03, so the period runs to Monday 23/03.
    with pytest.raises(DeadlineError) as err:
        clock_state(D(2026, 3, 2), [ClockEvent(K.SUSPEND, D(2026, 3, 7))])
    assert err.value.code == "clock.suspend_early"
    assert err.value.params == {"date": D(2026, 3, 23)}


def test_suspension_the_day_before_the_last_day_is_refused():
    with pytest.raises(DeadlineError) as err:
        clock_state(D(2026, 3, 2), [ClockEvent(K.SUSPEND, D(2026, 3, 22))])
    assert err.value.code == "clock.suspend_early"


@pytest.mark.parametrize("day", [D(2026, 3, 23), D(2026, 3, 24), D(2026, 4, 30)])
def test_suspension_on_the_last_day_of_the_period_or_later_is_allowed(day):
    state = clock_state(D(2026, 3, 2), [ClockEvent(K.SUSPEND, day)])
    assert state.suspended and state.due is None


def test_suspension_waits_for_the_extended_time_limit():
    events = [ClockEvent(K.EXTEND, D(2026, 3, 10)), ClockEvent(K.SUSPEND, D(2026, 3, 30))]
    with pytest.raises(DeadlineError) as err:
        clock_state(D(2026, 3, 2), events)
    assert err.value.code == "clock.suspend_early"
    assert err.value.params == {"date": D(2026, 5, 4)}  # 02/05 is a Saturday


def test_the_rules_may_require_the_day_after_the_last_day():
    rules = DeadlineRules(suspend_on_last_day=False)
    with pytest.raises(DeadlineError) as err:
        clock_state(D(2026, 3, 2), [ClockEvent(K.SUSPEND, D(2026, 3, 23))], rules=rules)
    assert err.value.params == {"date": D(2026, 3, 24)}
    assert clock_state(D(2026, 3, 2), [ClockEvent(K.SUSPEND, D(2026, 3, 24))], rules=rules).suspended


# A suspended report: no extension, no second suspension ---------------------------------


@pytest.mark.parametrize(
    ("event", "code"),
    [
        (ClockEvent(K.EXTEND, D(2026, 2, 1)), "clock.suspended"),
        (ClockEvent(K.PROCURACY_EXTEND, D(2026, 2, 1), months=1), "clock.suspended"),
        (ClockEvent(K.SUSPEND, D(2026, 2, 1)), "clock.suspended_twice"),
    ],
)
def test_a_suspended_report_cannot_be_extended_or_suspended_again(event, code):
    # Due 25/01/2026 (RAW), suspended on that day.
    events = [ClockEvent(K.SUSPEND, D(2026, 1, 25)), event]
    with pytest.raises(DeadlineError) as err:
        clock_state(D(2026, 1, 5), events, rules=RAW)
    assert err.value.code == code


# After a resumption (Art. 149): one month, no extension -----------------------------------


@pytest.mark.parametrize(
    "event",
    [ClockEvent(K.EXTEND, D(2026, 6, 12)), ClockEvent(K.PROCURACY_EXTEND, D(2026, 6, 12), months=2)],
)
def test_a_resumed_report_cannot_be_extended(event):
    # Received 02/03/2026, due 23/03, suspended then, resumed 10/06: due 10/07. An extension
    # to 2 months from receipt would give 04/05/2026, in the past.
    events = [ClockEvent(K.SUSPEND, D(2026, 3, 23)), ClockEvent(K.RESUME, D(2026, 6, 10))]
    assert clock_state(D(2026, 3, 2), events).due == D(2026, 7, 10)
    with pytest.raises(DeadlineError) as err:
        clock_state(D(2026, 3, 2), [*events, event])
    assert err.value.code == "clock.resumed"


def test_a_resumed_report_can_be_suspended_again_when_its_month_has_run_out():
    events = [
        ClockEvent(K.SUSPEND, D(2026, 3, 23)),
        ClockEvent(K.RESUME, D(2026, 6, 10)),
        ClockEvent(K.SUSPEND, D(2026, 7, 10)),
    ]
    assert clock_state(D(2026, 3, 2), events).suspended
    with pytest.raises(DeadlineError) as err:
        clock_state(D(2026, 3, 2), [*events[:2], ClockEvent(K.SUSPEND, D(2026, 7, 9))])
    assert err.value.code == "clock.suspend_early"


def test_no_event_may_move_the_due_date_earlier():
    # Rules where "extending" would shorten the period: the clock refuses instead.
    rules = DeadlineRules(initial_days=90, roll_over_days_off=False)
    with pytest.raises(DeadlineError) as err:
        clock_state(D(2026, 1, 5), [ClockEvent(K.EXTEND, D(2026, 1, 10))], rules=rules)
    assert err.value.code == "clock.due_earlier"


@given(
    st.dates(min_value=D(2025, 1, 1), max_value=D(2027, 12, 31)),
    st.lists(
        st.tuples(st.sampled_from(list(K)), st.integers(min_value=0, max_value=120), st.integers(0, 3)),
        max_size=6,
    ),
)
def test_an_accepted_event_never_moves_the_due_date_earlier(received, steps):
    events: list[ClockEvent] = []
    last_due = clock_state(received).due
    for kind, offset, months in steps:
        candidate = [*events, ClockEvent(kind, received + dt.timedelta(days=offset), months)]
        try:
            state = clock_state(received, candidate)
        except DeadlineError:
            continue
        events = candidate
        if state.due is not None and last_due is not None:
            assert state.due >= last_due
        if state.due is not None:
            last_due = state.due


# Edges: the procuracy 4 days before, extending on the due day, events out of order ------------


def test_procuracy_extension_requested_four_days_before_is_refused():
    # Extended: due 05/03/2026 (RAW); 01/03 is 4 days before.
    events = [ClockEvent(K.EXTEND, D(2026, 1, 15)), ClockEvent(K.PROCURACY_EXTEND, D(2026, 3, 1), months=1)]
    with pytest.raises(DeadlineError) as err:
        clock_state(D(2026, 1, 5), events, rules=RAW)
    assert err.value.code == "clock.procuracy_late"


def test_extension_on_the_due_day_itself_is_allowed_and_the_day_after_is_not():
    # 05/01/2026 + 20 = Sunday 25/01: the period runs to Monday 26/01.
    assert clock_state(D(2026, 1, 5), [ClockEvent(K.EXTEND, D(2026, 1, 26))]).due == D(2026, 3, 5)
    with pytest.raises(DeadlineError) as err:
        clock_state(D(2026, 1, 5), [ClockEvent(K.EXTEND, D(2026, 1, 27))])
    assert err.value.code == "clock.extend_late"


def test_events_given_out_of_date_order_are_replayed_in_date_order():
    events = [
        ClockEvent(K.EXTEND, D(2026, 1, 15)),
        ClockEvent(K.PROCURACY_EXTEND, D(2026, 2, 20), months=2),
        ClockEvent(K.SUSPEND, D(2026, 5, 5)),
        ClockEvent(K.RESUME, D(2026, 6, 1)),
    ]
    in_order = clock_state(D(2026, 1, 5), events, rules=RAW)
    shuffled = clock_state(D(2026, 1, 5), [events[3], events[1], events[0], events[2]], rules=RAW)
    assert in_order == shuffled and shuffled.due == D(2026, 7, 1) and shuffled.procuracy_extended


# Due soon / overdue: one rule, used by the model ------------------------------------------


@pytest.mark.parametrize(
    ("today", "left", "soon", "overdue"),
    [
        (D(2026, 11, 18), 4, False, False),
        (D(2026, 11, 19), 3, True, False),
        (D(2026, 11, 22), 0, True, False),
        (D(2026, 11, 23), -1, False, True),
    ],
)
def test_days_left_due_soon_and_overdue(today, left, soon, overdue):
    due = D(2026, 11, 22)
    assert (days_left(due, today), is_due_soon(due, today), is_overdue(due, today)) == (left, soon, overdue)
    assert (days_left(None, today), is_due_soon(None, today), is_overdue(None, today)) == (None, False, False)


# History recorded before a rule existed is replayed as it was accepted ----------------------


def test_recorded_history_is_replayed_without_the_newer_rules():
    # An early suspension and an extension after the resumption, recorded before Art. 148/149
    # were enforced: replaying them must not fail (the report must still be workable), but a
    # new event is checked.
    history = [
        ClockEvent(K.SUSPEND, D(2026, 3, 7)),
        ClockEvent(K.RESUME, D(2026, 3, 20)),
        ClockEvent(K.EXTEND, D(2026, 3, 25)),
    ]
    state = clock_state(D(2026, 3, 2), history, recorded=3)
    assert state.due == D(2026, 5, 4) and state.extended
    with pytest.raises(DeadlineError) as err:
        clock_state(D(2026, 3, 2), history, recorded=2)
    assert err.value.code == "clock.resumed"
    with pytest.raises(DeadlineError) as err:
        clock_state(D(2026, 3, 2), history[:1], recorded=0)
    assert err.value.code == "clock.suspend_early"


# --- Gaps found by mutation testing (./dev mutate anninh/records/deadlines.py) -----------------


def test_without_roll_over_a_deadline_may_end_on_a_sunday():
    # Received Sunday 01/11/2026: 20 days later is Saturday 21/11.
    assert clock_state(D(2026, 11, 1), rules=RAW).due == D(2026, 11, 21)
    assert clock_state(D(2026, 11, 1)).due == D(2026, 11, 23)  # rolled to Monday


def test_the_procuracy_extension_is_one_or_two_months_never_zero():
    extend = ClockEvent(K.EXTEND, D(2026, 1, 6))
    for months, due in ((1, D(2026, 4, 5)), (2, D(2026, 5, 5))):
        state = clock_state(
            D(2026, 1, 5), [extend, ClockEvent(K.PROCURACY_EXTEND, D(2026, 1, 7), months)], rules=RAW
        )
        assert state.due == due
    with pytest.raises(DeadlineError) as err:
        clock_state(D(2026, 1, 5), [extend, ClockEvent(K.PROCURACY_EXTEND, D(2026, 1, 7), 0)], rules=RAW)
    assert err.value.code == "clock.procuracy_months"


def test_months_cross_the_year_and_respect_leap_years():
    assert add_months(D(2026, 12, 15), 2) == D(2027, 2, 15)
    assert add_months(D(2026, 12, 31), 2) == D(2027, 2, 28)
    assert add_months(D(2027, 12, 31), 2) == D(2028, 2, 29)
    assert add_months(D(2026, 11, 30), 1) == D(2026, 12, 30)
    assert add_months(D(2026, 1, 31), 0) == D(2026, 1, 31)
    assert add_months(D(2026, 1, 31), 12) == D(2027, 1, 31)


def test_next_working_day_skips_a_holiday_after_a_weekend():
    saturday, monday = D(2026, 8, 29), D(2026, 8, 31)
    assert next_working_day(saturday, [monday]) == D(2026, 9, 1)
    assert next_working_day(D(2026, 9, 1), [monday]) == D(2026, 9, 1)  # a working day stays
    assert next_working_day(saturday) == monday


def test_the_state_reports_each_flag_as_the_clock_moves():
    received = D(2026, 1, 5)
    start = clock_state(received, rules=RAW)
    assert (start.running, start.suspended, start.decided, start.extended, start.procuracy_extended) == (
        True,
        False,
        False,
        False,
        False,
    )
    assert start.resumed is False
    extended = clock_state(received, [ClockEvent(K.EXTEND, D(2026, 1, 6))], rules=RAW)
    assert extended.extended and not extended.procuracy_extended and extended.running
    suspended = clock_state(received, [ClockEvent(K.SUSPEND, D(2026, 1, 25))], rules=RAW)
    assert suspended.suspended and not suspended.running and suspended.due is None
    resumed = clock_state(
        received, [ClockEvent(K.SUSPEND, D(2026, 1, 25)), ClockEvent(K.RESUME, D(2026, 3, 2))], rules=RAW
    )
    assert resumed.resumed and resumed.running and not resumed.suspended and resumed.due == D(2026, 4, 2)
    decided = clock_state(received, [ClockEvent(K.DECIDE, D(2026, 1, 10))], rules=RAW)
    assert decided.decided and not decided.running and decided.due is None and not decided.suspended


def test_a_suspension_refused_as_early_names_the_first_possible_day():
    with pytest.raises(DeadlineError) as err:
        clock_state(D(2026, 1, 5), [ClockEvent(K.SUSPEND, D(2026, 1, 10))], rules=RAW)
    assert err.value.code == "clock.suspend_early"
    assert err.value.params == {"date": D(2026, 1, 25)}
    strict = DeadlineRules(roll_over_days_off=False, suspend_on_last_day=False)
    with pytest.raises(DeadlineError) as err:
        clock_state(D(2026, 1, 5), [ClockEvent(K.SUSPEND, D(2026, 1, 25))], rules=strict)
    assert err.value.params == {"date": D(2026, 1, 26)}


def test_due_soon_follows_the_rules_window():
    rules = DeadlineRules(due_soon_days=5)
    today = D(2026, 1, 1)
    assert is_due_soon(D(2026, 1, 6), today, rules) and not is_due_soon(D(2026, 1, 7), today, rules)
    assert is_due_soon(D(2026, 1, 4), today) and not is_due_soon(D(2026, 1, 5), today)
    assert not is_due_soon(None, today) and not is_overdue(None, today) and days_left(None, today) is None
    assert not is_due_soon(D(2025, 12, 31), today)  # overdue is not "due soon"
