"""CompStat periods: a run of whole local days (Asia/Ho_Chi_Minh), with the periods it is
compared with. Weeks start on Monday (ISO weeks)."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anninh.datefields import date_message
from anninh.lib.dates import InvalidDate, format_date_vn, local_date, local_day_bounds, parse_date_vn

KINDS = {
    "week": gettext_lazy("Week"),
    "28d": gettext_lazy("28 days"),
    "month": gettext_lazy("Month"),
    "quarter": gettext_lazy("Quarter"),
    "ytd": gettext_lazy("Year to date"),
    "custom": gettext_lazy("Custom"),
}
#: The longest custom period (keeps the comparisons meaningful and the queries bounded).
MAX_DAYS = 731


class PeriodError(ValueError):
    """A period that cannot be understood; the message is for the user."""


def today() -> dt.date:
    return local_date(timezone.now())


def _shift_year(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


@dataclass(frozen=True)
class Period:
    kind: str
    first: dt.date  # local dates, inclusive
    last: dt.date

    # Constructors ------------------------------------------------------------------------

    @classmethod
    def week(cls, iso_year: int, iso_week: int) -> Period:
        try:
            if not 2000 <= iso_year <= 2100:  # as months and quarters: years 1 and 9999 overflow
                raise ValueError
            monday = dt.date.fromisocalendar(iso_year, iso_week, 1)
        except ValueError:
            raise PeriodError(_("There is no such week.")) from None
        return cls("week", monday, monday + dt.timedelta(days=6))

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        if not (1 <= month <= 12 and 2000 <= year <= 2100):
            raise PeriodError(_("There is no such month."))
        return cls(
            "month", dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
        )

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        if not (1 <= quarter <= 4 and 2000 <= year <= 2100):
            raise PeriodError(_("There is no such quarter."))
        first = dt.date(year, 3 * quarter - 2, 1)
        last_month = 3 * quarter
        return cls("quarter", first, dt.date(year, last_month, calendar.monthrange(year, last_month)[1]))

    @classmethod
    def days28(cls, last: dt.date) -> Period:
        return cls("28d", last - dt.timedelta(days=27), last)

    @classmethod
    def year_to_date(cls, last: dt.date) -> Period:
        return cls("ytd", dt.date(last.year, 1, 1), last)

    @classmethod
    def custom(cls, first: dt.date, last: dt.date) -> Period:
        if last < first:
            raise PeriodError(_("The end date is before the start date."))
        if (last - first).days + 1 > MAX_DAYS:
            raise PeriodError(_("Choose a period of at most two years."))
        return cls("custom", first, last)

    @classmethod
    def default(cls, on: dt.date | None = None) -> Period:
        """The last complete week: what a Monday CompStat meeting looks at."""
        on = on or today()
        monday = on - dt.timedelta(days=on.weekday())
        previous = monday - dt.timedelta(days=7)
        return cls("week", previous, previous + dt.timedelta(days=6))

    # Properties --------------------------------------------------------------------------

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def start(self) -> dt.datetime:
        """Local midnight starting the first day, as an aware UTC datetime."""
        return local_day_bounds(self.first)[0]

    @property
    def end(self) -> dt.datetime:
        """Local midnight after the last day (exclusive)."""
        return local_day_bounds(self.last)[1]

    @property
    def label(self) -> str:
        if self.kind == "week":
            iso = self.first.isocalendar()
            return _("Week %(week)d/%(year)d (%(first)s – %(last)s)") % {
                "week": iso.week,
                "year": iso.year,
                "first": format_date_vn(self.first),
                "last": format_date_vn(self.last),
            }
        if self.kind == "month":
            return _("Month %(month)d/%(year)d") % {"month": self.first.month, "year": self.first.year}
        if self.kind == "quarter":
            return _("Quarter %(quarter)d/%(year)d") % {
                "quarter": (self.first.month - 1) // 3 + 1,
                "year": self.first.year,
            }
        return f"{format_date_vn(self.first)} – {format_date_vn(self.last)}"

    @property
    def week_label(self) -> str:
        """A week as people say it: "Tuần 48 (23/11–29/11)"; other periods: their label."""
        if self.kind != "week":
            return self.label
        return week_label(self.first)

    @property
    def slug(self) -> str:
        """A short machine name: 2026-W47, 2026-10, 2026-Q3, or first..last."""
        if self.kind == "week":
            iso = self.first.isocalendar()
            return f"{iso.year}-W{iso.week:02d}"
        if self.kind == "month":
            return f"{self.first:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
        return f"{self.first.isoformat()}..{self.last.isoformat()}"

    # Comparisons -------------------------------------------------------------------------

    def previous(self) -> Period:
        """The period just before, of the same kind (calendar month before a month...)."""
        if self.kind == "week":
            return Period("week", self.first - dt.timedelta(days=7), self.first - dt.timedelta(days=1))
        if self.kind == "month":
            before = self.first - dt.timedelta(days=1)
            return Period.month(before.year, before.month)
        if self.kind == "quarter":
            before = self.first - dt.timedelta(days=1)
            return Period.quarter(before.year, (before.month - 1) // 3 + 1)
        return Period(self.kind, self.first - dt.timedelta(days=self.days), self.first - dt.timedelta(days=1))

    def last_year(self) -> Period:
        """The same period a year earlier: the same ISO week number for a week, the whole
        calendar month or quarter for a month or quarter (February 2025 against all of February
        2024, 29th included), the same dates otherwise."""
        if self.kind in ("month", "quarter"):
            first = self.first.replace(year=self.first.year - 1)  # the 1st: always exists
            last = self.last.replace(year=self.last.year - 1, day=1)
            last = last.replace(day=calendar.monthrange(last.year, last.month)[1])
            return Period(self.kind, first, last)
        if self.kind == "week":
            iso = self.first.isocalendar()
            weeks_then = dt.date(iso.year - 1, 12, 28).isocalendar().week
            return Period.week(iso.year - 1, min(iso.week, weeks_then))
        return Period(self.kind, _shift_year(self.first, -1), _shift_year(self.last, -1))

    # Query strings -----------------------------------------------------------------------

    def as_params(self) -> dict[str, str]:
        if self.kind in ("week", "month", "quarter"):
            return {"period": self.kind, "at": self.slug}
        if self.kind in ("28d", "ytd"):
            return {"period": self.kind, "at": self.last.strftime("%d/%m/%Y")}
        return {
            "period": "custom",
            "from": self.first.strftime("%d/%m/%Y"),
            "to": self.last.strftime("%d/%m/%Y"),
        }


_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)


def _date(value: str, field: str) -> dt.date:
    try:
        return parse_date_vn(value)
    except InvalidDate as exc:
        raise PeriodError(date_message(exc)) from None


def parse_week(value: str) -> Period:
    match = _WEEK.fullmatch(value.strip())
    if not match:
        raise PeriodError(_("Enter the week as YYYY-Www, e.g. 2026-W47."))
    return Period.week(int(match[1]), int(match[2]))


def parse_month(value: str) -> Period:
    match = _MONTH.fullmatch(value.strip())
    if not match:
        raise PeriodError(_("Enter the month as YYYY-MM, e.g. 2026-10."))
    return Period.month(int(match[1]), int(match[2]))


def period_from_params(params, *, on: dt.date | None = None) -> Period:
    """The period a query string asks for: `period` (week, 28d, month, quarter, ytd, custom)
    with `at` (2026-W47, 2026-10, 2026-Q3, or an end date dd/mm/yyyy for 28d and ytd) or
    `from`/`to` (dd/mm/yyyy) for custom. Missing values mean the latest complete period.
    Raises PeriodError with a message for the user."""
    on = on or today()
    kind = (params.get("period") or "").strip()
    at = (params.get("at") or "").strip()[:40]
    if not kind:
        return Period.default(on)
    if kind not in KINDS:
        raise PeriodError(_("Unknown period."))
    if kind == "week":
        return parse_week(at) if at else Period.default(on)
    if kind == "month":
        if at:
            return parse_month(at)
        before = on.replace(day=1) - dt.timedelta(days=1)
        return Period.month(before.year, before.month)
    if kind == "quarter":
        if at:
            match = _QUARTER.fullmatch(at)
            if not match:
                raise PeriodError(_("Enter the quarter as YYYY-Qn, e.g. 2026-Q3."))
            return Period.quarter(int(match[1]), int(match[2]))
        current = (on.month - 1) // 3 + 1
        year, quarter = (on.year, current - 1) if current > 1 else (on.year - 1, 4)
        return Period.quarter(year, quarter)
    if kind in ("28d", "ytd"):
        last = _date(at, "at") if at else on - dt.timedelta(days=1)
        if last.year < 2000 or last.year > 2100:
            raise PeriodError(_("Choose a date between 2000 and 2100."))
        return Period.days28(last) if kind == "28d" else Period.year_to_date(last)
    first_raw = (params.get("from") or "").strip()[:40]
    last_raw = (params.get("to") or "").strip()[:40]
    if not first_raw or not last_raw:
        raise PeriodError(_("Enter both dates of the custom period."))
    first, last = _date(first_raw, "from"), _date(last_raw, "to")
    if first.year < 2000 or last.year > 2100:
        raise PeriodError(_("Choose a date between 2000 and 2100."))
    return Period.custom(first, last)


def week_label(day: dt.date) -> str:
    """The ISO week of `day` as people say it: "Tuần 48 (23/11–29/11)", "Week 48 (23/11–29/11)".

    The ISO code ("2026-W48") stays the machine value (URLs, inputs submitted); this is what a
    page, a chart axis and the printed report show."""
    monday = day - dt.timedelta(days=day.weekday())
    sunday = monday + dt.timedelta(days=6)
    # Built from the one word "Week" (already translated, "Tuần"): the order is the same in
    # both languages.
    return f"{_('Week')} {monday.isocalendar().week} ({monday:%d/%m}–{sunday:%d/%m})"


def week_label_of(code: str) -> str:
    """week_label() of an ISO week code such as "2026-W48"; the code itself if it is not one."""
    try:
        return week_label(dt.date.fromisocalendar(int(code[:4]), int(code[-2:]), 1))
    except (ValueError, TypeError):
        return code
