"""Service indicators from the stored requests (arithmetic in anninh.requests.kpi), by unit
and month for the indicators page, and for one period for the CompStat weekly report.

**Hook for other apps** (police-business dialogues: "recommendations resolved on time"):
an app registers a source in its AppConfig.ready():

    from anninh.requests.indicators import register_source
    register_source("dialogue", _("Dialogue recommendations resolved on time"), my_function)

where `my_function(first: date, last: date, unit_ids: set[int] | None)` returns an iterable
of (unit_id, date_due, resolved_on_time: bool | None), one per item due between first and
last (None: not yet due and not resolved; left out). One triple per item, so two items of a
unit due on the same day both count. The page and the report then show
a column "resolved on time" for each source, by the same units and months.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from anninh.accounts.roles import Role
from anninh.org.models import Unit
from anninh.requests.kpi import Indicator, RequestFacts, compute, month_bucket, period_bucket
from anninh.requests.models import RequestStatus, ServiceRequest

#: Roles that read the figures of every unit (aggregates only: no request is shown).
CITY_WIDE = frozenset({Role.COMMANDER, Role.ANALYST, Role.PUBLIC_RELATIONS})

ExtraSource = Callable[[dt.date, dt.date, "set[int] | None"], dict]
_SOURCES: dict[str, tuple[str, ExtraSource]] = {}


def register_source(key: str, label, func: ExtraSource) -> None:
    """Add another app's on-time figure to the indicators (see the module's docstring)."""
    _SOURCES[key] = (label, func)


def sources() -> dict[str, tuple[str, ExtraSource]]:
    return dict(_SOURCES)


def _facts(unit_ids: set[int] | None, first: dt.date, last: dt.date) -> list[RequestFacts]:
    # Aggregates over every request of the units (no row is shown): the viewer's reach is
    # applied by `unit_ids`.
    qs = ServiceRequest.objects.unrestricted().exclude(status=RequestStatus.MERGED)
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    qs = qs.filter(first_due_on__gte=first) | qs.filter(first_answered_at__gte=start)
    rows = qs.values_list(
        "unit_id", "submitted_at", "first_due_on", "first_answered_at", "reopen_count", "rating"
    )
    return [
        RequestFacts(
            unit_id=unit_id,
            received_at=timezone.localtime(submitted).replace(tzinfo=None),
            first_due_on=due,
            first_answered_at=timezone.localtime(answered).replace(tzinfo=None) if answered else None,
            reopened=reopens > 0,
            rating=rating,
        )
        for unit_id, submitted, due, answered, reopens, rating in rows
    ]


def _add_sources(table: dict, first: dt.date, last: dt.date, unit_ids, bucket) -> None:
    for key, (_label, func) in _SOURCES.items():
        for unit_id, due_on, on_time in func(first, last, unit_ids):
            b = bucket(due_on)
            if b is None or on_time is None:
                continue
            cell = table.setdefault((unit_id, b), Indicator())
            done, due = cell.extra.get(key, (0, 0))
            cell.extra[key] = (done + (1 if on_time else 0), due + 1)


def viewer_units(viewer) -> set[int] | None:
    """None (every unit) for city-wide readers; otherwise the viewer's own unit."""
    if viewer.roles & CITY_WIDE:
        return None
    return {viewer.unit_id} if viewer.unit_id else set()


@dataclass
class Row:
    unit: Unit | None
    month: str
    figures: Indicator


@dataclass
class Table:
    rows: list[Row]
    total: Indicator
    sources: list[tuple[str, str]]


def indicators_for(*, viewer, first: dt.date, last: dt.date) -> Table:
    unit_ids = viewer_units(viewer)
    bucket = month_bucket(first, last)
    table = compute(_facts(unit_ids, first, last), bucket, timezone.localdate())
    _add_sources(table, first, last, unit_ids, bucket)
    units = Unit.objects.in_bulk({u for u, _m in table})
    rows = [Row(units.get(u), m, fig) for (u, m), fig in table.items()]
    rows.sort(key=lambda r: (r.month, r.unit.sort_key if r.unit else ""), reverse=False)
    total = Indicator()
    for r in rows:
        total.add(r.figures)
    return Table(rows=rows, total=total, sources=[(k, str(label)) for k, (label, _f) in _SOURCES.items()])


def indicators_for_period(*, first: dt.date, last: dt.date, commune_code: str = "") -> Table:
    """One period (a report's week), city-wide or for the units of one commune."""
    unit_ids = None
    if commune_code:
        unit_ids = set(Unit.objects.filter(commune_id=commune_code).values_list("id", flat=True))
    bucket = period_bucket(first, last)
    table = compute(_facts(unit_ids, first, last), bucket, timezone.localdate())
    _add_sources(table, first, last, unit_ids, bucket)
    units = Unit.objects.in_bulk({u for u, _m in table})
    rows = sorted(
        (Row(units.get(u), m, fig) for (u, m), fig in table.items()),
        key=lambda r: r.unit.sort_key if r.unit else "",
    )
    total = Indicator()
    for r in rows:
        total.add(r.figures)
    return Table(rows=rows, total=total, sources=[(k, str(label)) for k, (label, _f) in _SOURCES.items()])
