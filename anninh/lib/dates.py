"""Dates the Vietnamese way: dd/mm/yyyy, 24-hour clock, weeks from Monday, UTC+7.

Two traps this module exists for:

* Day first, always. ``05/11/2026`` is 5 November. Django's ``vi`` locale defines no
  ``DATE_INPUT_FORMATS``, so without help it falls back to US month-first parsing; every
  date a user types must come through :func:`parse_date_vn`.
* The day boundary is midnight in Asia/Ho_Chi_Minh, not UTC. Timestamps are stored aware
  (UTC); "what happened on 05/11/2026" means 04/11 17:00 UTC to 05/11 17:00 UTC. Use
  :func:`local_date` and :func:`local_day_bounds` instead of ``dt.date()``.

Error codes raised as :class:`~anninh.lib.errors.InvalidDate`:

=====================  ================================================================
``date.empty``         nothing typed
``date.format``        not one of the accepted layouts (including 2-digit years)
``date.invalid``       the layout is right but there is no such day (31/02/2026)
``date.out_of_range``  a real day outside 01/01/1900 … 31/12/2100 (:func:`check_date_range`)
``week.format``        not ``YYYY-Www``
``week.invalid``       no such ISO week (week 53 of a 52-week year, week 00)
=====================  ================================================================
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from anninh.lib.errors import InvalidDate

__all__ = [
    "HCM_TZ",
    "MAX_DATE",
    "MIN_DATE",
    "InvalidDate",
    "check_date_range",
    "format_date_vn",
    "format_datetime_vn",
    "iso_week_label",
    "local_date",
    "local_day_bounds",
    "parse_date_vn",
    "parse_iso_week",
    "week_start",
]

#: Vietnam's time zone (UTC+7, no daylight saving since 1975). Historical offsets before
#: that differ, which is why day bounds are computed through the zone, not as "+7 hours".
HCM_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# [0-9], not \d: \d also matches other scripts' digits, which no one here types.
# Day-first with "/", "-" or "." (the same separator twice), 1-2 digit day and month,
# 4-digit year. Two-digit years are refused: "05/11/26" could be 1926 or 2026 for a birth date.
_DAY_FIRST = re.compile(r"([0-9]{1,2})([/.-])([0-9]{1,2})\2([0-9]{4})")
# ISO 8601 calendar date; unambiguous because the year comes first and has 4 digits.
_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
# The days a user may type. Python's own limits (01/01/0001, 31/12/9999) are not usable: a day
# at either end has no local midnight on the other side of UTC, no "next day" and no week, so
# arithmetic on it overflows deep in a query. No police record predates 1900 (the oldest birth
# dates included) and no deadline or plan reaches past 2100.
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2100, 12, 31)
_RANGE_MESSAGE = "Enter a date between 01/01/1900 and 31/12/2100."

_ISO_WEEK = re.compile(r"([0-9]{4})-?[Ww]([0-9]{2})")


def parse_date_vn(value: str) -> date:
    """Parse a date typed by a Vietnamese user.

    Accepted: ``dd/mm/yyyy`` and ``d/m/yyyy``, the same with ``-`` or ``.`` as separator
    (``05-11-2026``, ``5.11.2026``), and ISO ``yyyy-mm-dd``. The day always comes before
    the month: month-first is never tried, not even when the day is > 12 (``11/25/2026`` is
    an error, not 25 November), because silently accepting some US dates would hide the
    ones read wrongly. Surrounding spaces are ignored.

    >>> parse_date_vn("05/11/2026")
    datetime.date(2026, 11, 5)
    """
    if not isinstance(value, str):
        raise TypeError(f"parse_date_vn() expects str, got {type(value).__name__}")
    text = value.strip()
    if not text:
        raise InvalidDate("date.empty", "Enter a date.")
    if match := _DAY_FIRST.fullmatch(text):
        day, month, year = int(match[1]), int(match[3]), int(match[4])
    elif match := _ISO.fullmatch(text):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    else:
        raise InvalidDate("date.format", "Enter the date as dd/mm/yyyy, e.g. 05/11/2026.", value=value)
    try:
        parsed = date(year, month, day)
    except ValueError:
        raise InvalidDate("date.invalid", "There is no such date.", value=value) from None
    return check_date_range(parsed, value=value)


def check_date_range(d: date, *, value: object = None) -> date:
    """``d`` itself if it lies in :data:`MIN_DATE` … :data:`MAX_DATE`; else InvalidDate
    ``date.out_of_range``. Every date that comes from outside (typed, in a query string, in an API
    body) passes here, so nothing downstream has to guard against years 1 and 9999.
    A datetime is checked on its own date (callers check aware datetimes in local time)."""
    day = d.date() if isinstance(d, datetime) else d
    if not MIN_DATE <= day <= MAX_DATE:
        raise InvalidDate("date.out_of_range", _RANGE_MESSAGE, value=d if value is None else value)
    return d


def _local(dt: datetime) -> datetime:
    if dt.tzinfo is None or dt.utcoffset() is None:
        # A naive datetime could be UTC (from the database) or local (from a form): guessing
        # shifts events across midnight, so refuse.
        raise ValueError("an aware datetime is required; naive datetimes are ambiguous")
    return dt.astimezone(HCM_TZ)


def local_date(dt: datetime) -> date:
    """The calendar date in Vietnam of an aware datetime (e.g. 2026-11-04 18:00 UTC → 05/11).

    Raises ValueError for a naive datetime.
    """
    return _local(dt).date()


def _plain_date(d: date) -> date:
    # datetime is a subclass of date; letting one through would silently use its UTC date.
    if isinstance(d, datetime) or not isinstance(d, date):
        raise TypeError(f"expected a date (use local_date() for datetimes), got {type(d).__name__}")
    return d


def format_date_vn(d: date | datetime) -> str:
    """``dd/mm/yyyy`` with leading zeros: ``05/11/2026``.

    An aware datetime is first converted to its Vietnamese calendar date; a naive datetime
    raises ValueError (see :func:`local_date`).
    """
    if isinstance(d, datetime):
        d = local_date(d)
    d = _plain_date(d)
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def format_datetime_vn(dt: datetime) -> str:
    """``dd/mm/yyyy HH:MM`` on the 24-hour clock, in Vietnamese time: ``05/11/2026 14:05``.

    The datetime must be aware (any zone); it is converted to Asia/Ho_Chi_Minh.
    """
    if not isinstance(dt, datetime):
        raise TypeError(f"format_datetime_vn() expects datetime, got {type(dt).__name__}")
    local = _local(dt)
    return f"{format_date_vn(local.date())} {local.hour:02d}:{local.minute:02d}"


def week_start(d: date) -> date:
    """The Monday of the week containing ``d`` (weeks start on Monday in Vietnam)."""
    d = _plain_date(d)
    return d - timedelta(days=d.weekday())


def iso_week_label(d: date) -> str:
    """ISO 8601 week label, e.g. ``"2026-W47"``.

    The year is the ISO week-year, which differs from the calendar year around New Year:
    29/12/2025 is in ``"2026-W01"``.
    """
    iso = _plain_date(d).isocalendar()
    return f"{iso.year:04d}-W{iso.week:02d}"


def parse_iso_week(label: str) -> tuple[date, date]:
    """``"2026-W47"`` → (Monday, Sunday) of that ISO week. Also accepts ``2026W47``."""
    if not isinstance(label, str):
        raise TypeError(f"parse_iso_week() expects str, got {type(label).__name__}")
    match = _ISO_WEEK.fullmatch(label.strip())
    if match is None:
        raise InvalidDate("week.format", "Enter the week as YYYY-Www, e.g. 2026-W47.", value=label)
    try:
        monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        raise InvalidDate("week.invalid", "There is no such week.", value=label) from None
    check_date_range(monday, value=label)
    return monday, check_date_range(monday + timedelta(days=6), value=label)


def local_day_bounds(d: date) -> tuple[datetime, datetime]:
    """The Vietnamese calendar day ``d`` as a half-open UTC interval ``[start, end)``.

    Both ends are aware UTC datetimes: local midnight of ``d`` and local midnight of the next
    day. Filter with ``start <= t < end`` so that an event at exactly midnight is counted
    once. Computed through the zone (not "minus 7 hours") so historical dates with other
    offsets are right too.
    """
    d = _plain_date(d)
    start = datetime.combine(d, time.min, tzinfo=HCM_TZ)
    end = datetime.combine(d + timedelta(days=1), time.min, tzinfo=HCM_TZ)
    return start.astimezone(UTC), end.astimezone(UTC)
