"""The clock of a dialogue recommendation, as pure functions (no Django).

A recommendation gets its due date when it is assigned to a unit: by default
`ANNINH_DIALOGUE_ANSWER_DAYS` calendar days after the day of assignment (that day not
counted, as for the legal clock of crime reports), a last day on a Saturday, Sunday or
public holiday moving to the next working day. It is *resolved on time* when the organiser
recorded its resolution on or before the due date (Vietnam time), whatever happened between.

The indicator "recommendations resolved on time, by unit and month" counts each assigned
recommendation in the month of its due date, once its result is known: resolved (on time or
late) or past due and still open (late). Recommendations not yet due and still open are not
counted anywhere yet: they can still be on time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

#: The clock states a recommendation shows.
NOT_ASSIGNED = "not_assigned"
ON_TRACK = "on_track"
DUE_SOON = "due_soon"
OVERDUE = "overdue"
RESOLVED_ON_TIME = "resolved_on_time"
RESOLVED_LATE = "resolved_late"

#: Days before the due date from which an open recommendation is "due soon".
DUE_SOON_DAYS = 3


def next_working_day(day: dt.date, days_off: Iterable[dt.date] = ()) -> dt.date:
    off = set(days_off)
    while day.weekday() >= 5 or day in off:
        day += dt.timedelta(days=1)
    return day


def default_due(assigned_on: dt.date, days: int, days_off: Iterable[dt.date] = ()) -> dt.date:
    """The last day to resolve a recommendation assigned on `assigned_on`."""
    if days < 1:
        raise ValueError("the answer period is at least one day")
    return next_working_day(assigned_on + dt.timedelta(days=days), days_off)


def clock_state(*, due_on: dt.date | None, resolved_on: dt.date | None, today: dt.date) -> str:
    if resolved_on is not None and due_on is not None:
        return RESOLVED_ON_TIME if resolved_on <= due_on else RESOLVED_LATE
    if due_on is None:
        return NOT_ASSIGNED if resolved_on is None else RESOLVED_ON_TIME
    if today > due_on:
        return OVERDUE
    if (due_on - today).days <= DUE_SOON_DAYS:
        return DUE_SOON
    return ON_TRACK


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


@dataclass
class OnTimeCount:
    """One unit's recommendations due in one month whose result is known."""

    unit_id: int
    month: dt.date
    on_time: int = 0
    late: int = 0  # resolved after the due date
    overdue_open: int = 0  # past due and still not resolved

    @property
    def decided(self) -> int:
        return self.on_time + self.late + self.overdue_open

    @property
    def rate(self) -> float | None:
        """Share resolved on time (0..1), None when nothing is decided."""
        return self.on_time / self.decided if self.decided else None


def on_time_by_unit_month(
    rows: Iterable[tuple[int, dt.date, dt.date | None]], *, today: dt.date
) -> list[OnTimeCount]:
    """`rows` are (unit id, due date, resolution date or None) of assigned recommendations;
    the answer is sorted by month then unit."""
    counts: dict[tuple[int, dt.date], OnTimeCount] = {}
    for unit_id, due_on, resolved_on in rows:
        state = clock_state(due_on=due_on, resolved_on=resolved_on, today=today)
        if state not in (RESOLVED_ON_TIME, RESOLVED_LATE, OVERDUE):
            continue
        key = (unit_id, month_of(due_on))
        count = counts.setdefault(key, OnTimeCount(unit_id=unit_id, month=key[1]))
        if state == RESOLVED_ON_TIME:
            count.on_time += 1
        elif state == RESOLVED_LATE:
            count.late += 1
        else:
            count.overdue_open += 1
    return sorted(counts.values(), key=lambda c: (c.month, c.unit_id))
