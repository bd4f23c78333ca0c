"""The legal clock of a crime report (Criminal Procedure Code 2015, Art. 134, 147-149).

Pure: dates and rules in, dates out; no Django import. The rules are data
(`DeadlineRules`), because the law changes; the arithmetic is here and tested.

- A decision is due within `initial_days` (20) of receipt (Art. 147(1)).
- A complex report may be extended to `extended_months` (2) from receipt (Art. 147(2)).
- The procuracy may then extend once, by at most `procuracy_max_months` (2) (Art. 147(2));
  the request must be made at least `procuracy_request_days_before` (5) days before the
  deadline (Art. 147(2)).
- Suspension (Art. 148(1)) is allowed only once the time limit has run out ("khi hết thời
  hạn"); it stops the clock: no deadline runs while suspended. A report cannot be
  suspended twice in a row, nor extended while suspended.
- On resumption (Art. 149) the decision is due within `resume_months` (1) of the
  resumption decision, whatever was left when it was suspended ("at most 1 month": the
  law sets the period from the resumption, not from what was left), and that month cannot
  be extended: the extensions of Art. 147 are extensions of the first period.
- No event ever moves a due date earlier than it was (`clock.due_earlier`).

Readings of the law the clock uses (also in the README, "The legal clock"):

1. Counting: Art. 134 (periods), not Art. 137. A period in days ends at 24:00 of its last
   day; a period in months ends on the same day number of the later month, or on that
   month's last day when it has no such day (31/01 + 1 month = 28/02 or 29/02); a period
   whose last day is a day off (Saturday, Sunday, public holiday) ends at the end of the
   next working day (Art. 134). Local time: Asia/Ho_Chi_Minh.
2. The day of receipt is not counted: the 20 days are the 20 days after it (received
   02/11 → last day 22/11). Art. 134 does not say it; this is the rule for periods in days
   of Civil Code 2015 Art. 147(1), which practice applies here.
3. The 20 days are calendar days: Saturdays, Sundays and holidays inside the period count;
   only a last day that is a day off moves, to the next working day (Art. 134). The
   same roll-over applies to the 2-month, procuracy and resumption periods.
4. The procuracy extension (Art. 147(2)) is added to the calendar end of the 2-month
   extended period (receipt + 2 months, before any day-off roll-over), and the roll-over is
   applied once, to the new end.
5. "Once the time limit has run out" (Art. 148(1)): the suspension is one of the three
   decisions Art. 147(1) requires within the period, so it may be taken on the last day of
   the period (`suspend_on_last_day`), or any day after it; never before.
6. Resumption (Art. 149): 1 month from the day of the resumption decision, with no
   extension afterwards; a resumed report may be suspended again once that month has run
   out (Art. 148 applies to the new period).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class DeadlineRules:
    initial_days: int = 20
    extended_months: int = 2
    procuracy_max_months: int = 2
    procuracy_request_days_before: int = 5
    resume_months: int = 1
    due_soon_days: int = 3
    roll_over_days_off: bool = True
    # Art. 148(1): the suspension may be decided on the last day of the period (True) or
    # only from the day after it (False).
    suspend_on_last_day: bool = True


DEFAULT_RULES = DeadlineRules()


class ClockEventKind(StrEnum):
    EXTEND = "extend"  # extension to `extended_months` from receipt (complex case)
    PROCURACY_EXTEND = "procuracy_extend"  # once, by `months` (≤ procuracy_max_months)
    SUSPEND = "suspend"
    RESUME = "resume"
    DECIDE = "decide"  # initiate / not initiate: the clock ends


@dataclass(frozen=True)
class ClockEvent:
    kind: ClockEventKind
    on: dt.date
    months: int = 0  # for PROCURACY_EXTEND


class DeadlineError(ValueError):
    """A clock event the law does not allow at that point (with a stable `code`)."""

    def __init__(self, code: str, message: str, **params):
        super().__init__(message)
        self.code = code
        self.params = params  # e.g. {"date": the first day a suspension is possible}


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def next_working_day(day: dt.date, days_off: Iterable[dt.date] = ()) -> dt.date:
    """`day` itself if it is a working day, else the first working day after it
    (Saturdays, Sundays and the given public holidays are days off)."""
    off = set(days_off)
    while day.weekday() >= 5 or day in off:
        day += dt.timedelta(days=1)
    return day


@dataclass(frozen=True)
class ClockState:
    due: dt.date | None  # last day (inclusive) to decide; None while suspended or decided
    running: bool
    suspended: bool
    decided: bool
    extended: bool
    procuracy_extended: bool
    resumed: bool = False  # resumed after a suspension (Art. 149): no extension any more


# Whole days left, due soon, overdue: the one rule (the model's badges and the board use it).


def days_left(due: dt.date | None, today: dt.date) -> int | None:
    """Whole days from `today` to the due day: 0 = due today, negative = overdue; None when
    no clock runs (suspended or decided)."""
    return None if due is None else (due - today).days


def is_overdue(due: dt.date | None, today: dt.date) -> bool:
    return due is not None and today > due


def is_due_soon(due: dt.date | None, today: dt.date, rules: DeadlineRules = DEFAULT_RULES) -> bool:
    """Due today or within `rules.due_soon_days` days."""
    left = days_left(due, today)
    return left is not None and 0 <= left <= rules.due_soon_days


def clock_state(
    received_on: dt.date,
    events: Iterable[ClockEvent] = (),
    *,
    rules: DeadlineRules = DEFAULT_RULES,
    days_off: Iterable[dt.date] = (),
    recorded: int = 0,
) -> ClockState:
    """Replay the clock of a report received on `received_on` (local date) through its
    events in date order, and return where it stands. Raises DeadlineError for an event the
    law does not allow (extending twice, a late procuracy request, resuming what is not
    suspended, acting after the decision).

    `recorded`: how many of the events (in date order) are history already recorded. They
    are replayed as they were accepted, without the rules added since (suspension only once
    the time limit has run out, no extension after a resumption, no earlier due date), so a
    report recorded before those rules can still be worked on; every later event is checked
    by all the rules."""
    off = tuple(days_off)

    def finish(day: dt.date) -> dt.date:
        return next_working_day(day, off) if rules.roll_over_days_off else day

    raw_due = received_on + dt.timedelta(days=rules.initial_days)
    due: dt.date | None = finish(raw_due)
    last_due = due  # the latest due date so far: no event may move the deadline before it
    extended = procuracy = suspended = decided = resumed = False
    # Stable sort: same-day events keep their order (a new event comes after the recorded ones).
    for index, event in enumerate(sorted(events, key=lambda e: e.on)):
        new = index >= recorded
        if decided:
            raise DeadlineError("clock.decided", "the report is already decided")
        if event.kind in (ClockEventKind.EXTEND, ClockEventKind.PROCURACY_EXTEND):
            if suspended:
                raise DeadlineError("clock.suspended", "a suspended report cannot be extended")
            if resumed and new:
                raise DeadlineError(
                    "clock.resumed", "after a resumption at most one month remains, without extension"
                )
        if event.kind is ClockEventKind.EXTEND:
            if extended:
                raise DeadlineError("clock.extended_twice", "the report was already extended")
            assert due is not None
            if event.on > due:
                raise DeadlineError("clock.extend_late", "the deadline had already passed")
            extended = True
            raw_due = add_months(received_on, rules.extended_months)
            due = finish(raw_due)
        elif event.kind is ClockEventKind.PROCURACY_EXTEND:
            if not extended:
                raise DeadlineError(
                    "clock.procuracy_before_extension", "the procuracy extends only an extended report"
                )
            if procuracy:
                raise DeadlineError("clock.procuracy_twice", "the procuracy extends only once")
            if not 1 <= event.months <= rules.procuracy_max_months:
                raise DeadlineError("clock.procuracy_months", "the procuracy extension is 1 to 2 months")
            assert due is not None
            if (due - event.on).days < rules.procuracy_request_days_before:
                raise DeadlineError(
                    "clock.procuracy_late",
                    "the extension must be requested at least 5 days before the deadline",
                )
            procuracy = True
            raw_due = add_months(raw_due, event.months)
            due = finish(raw_due)
        elif event.kind is ClockEventKind.SUSPEND:
            if suspended:
                raise DeadlineError("clock.suspended_twice", "the report is already suspended")
            assert due is not None
            earliest = due if rules.suspend_on_last_day else due + dt.timedelta(days=1)
            if event.on < earliest and new:
                raise DeadlineError(
                    "clock.suspend_early",
                    f"a report can be suspended only once its time limit has run out ({earliest})",
                    date=earliest,
                )
            suspended, due = True, None
        elif event.kind is ClockEventKind.RESUME:
            if not suspended:
                raise DeadlineError("clock.not_suspended", "only a suspended report can be resumed")
            raw_due = add_months(event.on, rules.resume_months)
            suspended, resumed, due = False, True, finish(raw_due)
        elif event.kind is ClockEventKind.DECIDE:
            decided, due = True, None
        if due is not None:
            if last_due is not None and due < last_due and new:
                raise DeadlineError("clock.due_earlier", "the step would move the deadline earlier")
            last_due = due
    return ClockState(
        due=due,
        running=not (suspended or decided),
        suspended=suspended,
        decided=decided,
        extended=extended,
        procuracy_extended=procuracy,
        resumed=resumed,
    )
