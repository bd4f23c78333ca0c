"""Reading patrol plans: commanders and analysts see every commune's, a commune officer their
commune's. The dose page compares patrols done with the crimes that followed."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from anninh.patrols.models import PATROL_READERS, CheckpointSite, PatrolAssignment, PatrolPlan

READER_ROLES = tuple(PATROL_READERS)


def plan_base(*, viewer) -> QuerySet:
    return PatrolPlan.objects.restrict(viewer)


def plan_list(*, viewer) -> QuerySet:
    return (
        plan_base(viewer=viewer)
        .select_related("commune", "forecast")
        .defer("commune__boundary")
        .annotate(
            n_assignments=Count("assignments"),
            n_done=Count("assignments", filter=Q(assignments__done_at__isnull=False)),
        )
        .order_by("-date", "shift", "commune__sort_key")
    )


def site_list(*, viewer) -> QuerySet:
    return CheckpointSite.objects.restrict(viewer).select_related("commune").defer("commune__boundary")


@dataclass(frozen=True)
class DoseRow:
    key: str  # "patrolled" | "not_patrolled"
    cells: int
    patrols: int
    expected: float
    crimes: int

    @property
    def ratio(self) -> float | None:
        return self.crimes / self.expected if self.expected else None


def dose_vs_crime(*, viewer, since: dt.date, until: dt.date) -> list[DoseRow]:
    """For the plans of past shifts between `since` and `until`: the planned cells patrolled at
    least once against those never patrolled, with the forecast's expected crimes for the shift
    and the crimes that then occurred in the cell during the shift."""
    from anninh.patrols.services import shift_bounds
    from anninh.records.models import Incident, IncidentKind

    plans = list(plan_base(viewer=viewer).filter(date__gte=since, date__lte=until).select_related("forecast"))
    if not plans:
        return []
    assignments = list(
        PatrolAssignment.objects.restrict(viewer).filter(plan__in=plans).select_related("plan")
    )
    windows = {p.pk: shift_bounds(p.date, p.shift) for p in plans}
    lo = min(w[0] for w in windows.values())
    hi = max(w[1] for w in windows.values())
    incidents = list(
        Incident.objects.restrict(viewer)
        .filter(
            kind=IncidentKind.CRIME,
            occurred_from__gte=lo,
            occurred_from__lt=hi,
            commune_id__in={p.commune_id for p in plans},
            lat__isnull=False,
        )
        .values_list("occurred_from", "lat", "lon")
    )
    totals = {"patrolled": [0, 0, 0.0, 0], "not_patrolled": [0, 0, 0.0, 0]}
    for a in assignments:
        start, end = windows[a.plan_id]
        half = a.plan.forecast.cell_metres / 2
        dlat = half / 111320
        dlon = half / (111320 * math.cos(math.radians(a.lat)))
        crimes = sum(
            1
            for t, lat, lon in incidents
            if start <= t < end and abs(lat - a.lat) < dlat and abs(lon - a.lon) < dlon
        )
        # The forecast's expectation is for its window: the 7 shifts of a week for a shift
        # forecast, the 21 shifts of the week for a weekly one.
        per_shift = a.expected / (7 if a.plan.forecast.horizon == "shift" else 21)
        row = totals["patrolled" if a.done_at else "not_patrolled"]
        row[0] += 1
        row[1] += 1 if a.done_at else 0
        row[2] += per_shift
        row[3] += crimes
    return [DoseRow(key, c, p, e, n) for key, (c, p, e, n) in totals.items()]


@dataclass(frozen=True)
class CommuneRisk:
    """One commune on the planning form: the forecast's expected crimes in its cells and its
    rank among the communes (1 = the most; None when the forecast has no cell there)."""

    code: str
    name: str
    search_key: str
    expected: float
    cells: int
    rank: int | None


def commune_risks(*, viewer, forecast, communes: list[tuple[str, str, str]]) -> list[CommuneRisk]:
    """The communes (code, name, search key) the viewer may plan for, with the forecast's risk,
    highest first, then in Vietnamese order (the order `communes` came in)."""
    from django.db.models import Sum

    from anninh.hotspots.models import ForecastCell

    totals: dict[str, tuple[float, int]] = {}
    if forecast is not None:
        rows = (
            ForecastCell.objects.restrict(viewer)
            .filter(forecast=forecast)
            .values("commune_id")
            .annotate(total=Sum("expected"), n=Count("id"))
        )
        totals = {r["commune_id"]: (float(r["total"] or 0), r["n"]) for r in rows}
    ranked = sorted((t, code) for code, t in ((c, totals[c][0]) for c in totals) if t > 0)
    rank_of = {code: i + 1 for i, (_t, code) in enumerate(reversed(ranked))}
    out = [
        CommuneRisk(code, name, key, *totals.get(code, (0.0, 0)), rank_of.get(code))
        for code, name, key in communes
    ]
    order = {c.code: i for i, c in enumerate(out)}
    return sorted(out, key=lambda c: (-c.expected, order[c.code]))
