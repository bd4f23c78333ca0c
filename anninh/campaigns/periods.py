"""The campaign's comparison period, as a pure function (no Django).

**The rule ("the same calendar dates a year earlier").** A campaign from `first` to `last`
is compared with the days from the same calendar date a year earlier to the same calendar
date a year earlier, whatever weekdays they fall on. 29 February has no counterpart in a
common year: as the *first* day it becomes 1 March (the comparison starts on the first date
that exists on or after it), as the *last* day it becomes 28 February (it ends on the last
date that exists on or before it). So 01/02–29/02/2028 compares with 01/02–28/02/2027 (one
day fewer), 29/02–10/03/2028 with 01/03–10/03/2027, and 01/02–31/03/2029 with
01/02–31/03/2028, 29/02/2028 included (one day more). A one-day period on 29 February has no
comparison (None). Changes are shown on the raw counts of those dates, with both lengths in
days beside them, never rescaled, so every figure is a count of records someone can open.
"""

from __future__ import annotations

import datetime as dt


def same_dates_last_year(first: dt.date, last: dt.date) -> tuple[dt.date, dt.date] | None:
    """The comparison period of [first, last] a year earlier, or None if it is empty."""
    if last < first:
        raise ValueError("last before first")
    if first.month == 2 and first.day == 29:
        start = dt.date(first.year - 1, 3, 1)
    else:
        start = first.replace(year=first.year - 1)
    if last.month == 2 and last.day == 29:
        end = dt.date(last.year - 1, 2, 28)
    else:
        end = last.replace(year=last.year - 1)
    return (start, end) if start <= end else None


def percent_change(current: int, before: int) -> float | None:
    """(current - before) / before, or None when there is nothing to compare with."""
    if not before:
        return None
    return (current - before) / before
