"""The public transparency page: crime and fire figures by commune and month, delayed and
made safe to publish (anninh.lib.disclosure), with the city's trend.

Reads the CompStat monthly counts (`IncidentMonth`) as a **system read** (`unrestricted()`):
the page has no viewer to scope by, and what leaves this module is only counts by commune and
month after suppression, never a record, a name or a place finer than a commune. The month in
progress is never shown: the last month published is the last complete one (its counts can
still move a little as late records come in; the page says so).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from anninh.compstat.models import IncidentMonth
from anninh.geo.models import Commune
from anninh.lib import disclosure
from anninh.records.models.choices import IncidentKind

#: What the page publishes, and which incident kinds each figure counts.
FIGURES = {
    "crime": (IncidentKind.CRIME,),
    "fire": (IncidentKind.FIRE, IncidentKind.EXPLOSION),
}
TABLE_MONTHS = 6
SERIES_MONTHS = 12


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def last_complete_month(today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    return add_months(today.replace(day=1), -1)


def min_count() -> int:
    return max(2, int(getattr(settings, "ANNINH_TRANSPARENCY_MIN_COUNT", 3)))


@dataclass
class CommuneRow:
    code: str
    name: str
    cells: list[int | str]
    total: int | str


@dataclass
class Transparency:
    figure: str
    months: list[dt.date]  # the table's months, oldest first
    rows: list[CommuneRow]
    city_by_month: list[int | str]  # the table's column totals, as shown
    series: list[tuple[dt.date, int | str, int]]  # (month, shown, bar width 0..100) for 12 months
    last_month: dt.date
    change_3m: float | None  # last 3 months against the 3 before, city-wide, in percent
    change_year: float | None  # last month against the same month a year before, in percent
    k: int


def _counts(kinds, first: dt.date, last: dt.date) -> dict[tuple[str, dt.date], int]:
    # System read: aggregates only, published after suppression (see the module docstring).
    rows = (
        IncidentMonth.objects.unrestricted()
        .filter(kind__in=kinds, month__gte=first, month__lte=last)
        .values("commune_id", "month")
        .annotate(n=Sum("n"))
    )
    return {(r["commune_id"], r["month"]): r["n"] for r in rows}


def _percent(change: float | None) -> float | None:
    return None if change is None else 100 * change


def transparency(*, figure: str = "crime", today: dt.date | None = None) -> Transparency:
    kinds = FIGURES[figure]
    k = min_count()
    last = last_complete_month(today)
    first_series = add_months(last, -(SERIES_MONTHS + 11))  # a year before the series, for the trend
    counts = _counts(kinds, first_series, last)
    months = [add_months(last, -i) for i in range(TABLE_MONTHS - 1, -1, -1)]
    communes = list(Commune.objects.order_by("sort_key", "code").values_list("code", "name"))
    table = disclosure.protect([[counts.get((code, m), 0) for m in months] for code, _name in communes], k=k)
    rows = [
        CommuneRow(
            code=code,
            name=name,
            cells=[table.shown_cell(i, j) for j in range(len(months))],
            total=table.shown_row_total(i),
        )
        for i, (code, name) in enumerate(communes)
    ]
    city: dict[dt.date, int] = {}
    for (_code, month), n in counts.items():
        city[month] = city.get(month, 0) + n
    series_months = [add_months(last, -i) for i in range(SERIES_MONTHS - 1, -1, -1)]
    peak = max([city.get(m, 0) for m in series_months] + [1])
    hidden_columns = {m for j, m in enumerate(months) if table.column_total_hidden[j]}

    def city_shown(month: dt.date) -> int | str:
        n = city.get(month, 0)
        if month in hidden_columns:
            return "…"
        return f"<{k}" if 0 < n < k else n

    series = [(m, city_shown(m), round(100 * city.get(m, 0) / peak)) for m in series_months]
    last3 = sum(city.get(add_months(last, -i), 0) for i in range(3))
    before3 = sum(city.get(add_months(last, -i), 0) for i in range(3, 6))
    return Transparency(
        figure=figure,
        months=months,
        rows=rows,
        city_by_month=[table.shown_column_total(j) for j in range(len(months))],
        series=series,
        last_month=last,
        # Trends only from city totals of at least k on both sides: no small base.
        change_3m=_percent(disclosure.trend(before3, last3)) if min(before3, last3) >= k else None,
        change_year=(
            _percent(disclosure.trend(city.get(add_months(last, -12), 0), city.get(last, 0)))
            if min(city.get(add_months(last, -12), 0), city.get(last, 0)) >= k
            else None
        ),
        k=k,
    )
