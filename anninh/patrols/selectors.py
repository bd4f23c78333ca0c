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
