"""The answer clock of a request, in working days (pure: no Django import).

A service promises an answer within N working days. The day the request arrives is not
counted (as for the legal periods of anninh.records.deadlines); Saturdays, Sundays and the
public holidays of the records' days-off table (records.DayOff, `days_off`) are not counted
either. The answer is due by the end of the N-th working day after the day of receipt.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable


def is_working_day(day: dt.date, days_off: frozenset[dt.date] | set[dt.date]) -> bool:
    return day.weekday() < 5 and day not in days_off


def add_working_days(start: dt.date, days: int, days_off: Iterable[dt.date] = ()) -> dt.date:
    """The `days`-th working day after `start` (`start` itself never counts). With 0 days:
    `start` if it is a working day, else the next working day."""
    if days < 0:
        raise ValueError("days must be >= 0")
    off = frozenset(days_off)
    day = start
    if days == 0:
        while not is_working_day(day, off):
            day += dt.timedelta(days=1)
        return day
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_working_day(day, off):
            counted += 1
    return day


def working_days_between(start: dt.date, end: dt.date, days_off: Iterable[dt.date] = ()) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    off = frozenset(days_off)
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day, off):
            count += 1
    return count


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None
