"""Reading events, always through the scoping door: the events a viewer may read, and the
incidents linked to one (those the viewer may read, in the event's area and period)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from anninh.events import area
from anninh.events.models import EVENT_READERS, CommandLogEntry, Event, Risk

READER_ROLES = tuple(EVENT_READERS)
#: At most this many incidents are linked on a page or in a report.
INCIDENT_LIMIT = 500


def event_list(*, viewer) -> QuerySet:
    return (
        Event.objects.restrict(viewer)
        .select_related("lead_unit")
        .annotate(n_venues=Count("venues", distinct=True), n_risks=Count("risks", distinct=True))
        .order_by("-starts_at", "pk")
    )


def event_base(*, viewer) -> QuerySet:
    return Event.objects.restrict(viewer)


def risks_of(*, viewer, event: Event) -> QuerySet:
    return Risk.objects.restrict(viewer).filter(event=event).prefetch_related("changes__changed_by")


def log_of(*, viewer, event: Event) -> QuerySet:
    return CommandLogEntry.objects.restrict(viewer).filter(event=event).order_by("at", "id")


@dataclass(frozen=True)
class LinkedIncident:
    incident: object
    distance_m: float | None  # None: no map point, linked by its commune


def event_incidents(*, viewer, event: Event, limit: int = INCIDENT_LIMIT) -> list[LinkedIncident]:
    """The incidents the viewer may read that occurred during the event (from its start to its
    end) within its area: `area_radius_m` of a venue (of its polygon, when drawn), or, without a
    map point, in a venue's commune. Nearest first. Computed on each read, so an incident
    recorded late is linked as soon as it is recorded."""
    from anninh.records.models import Incident

    venues = list(event.venues.all())
    if not venues:
        return []
    radius = event.area_radius_m
    shapes = [(v.lat, v.lon, v.shape or None) for v in venues]
    # A box around the venues for the database (polygons reach at most ~their size beyond
    # their inside point: widen by 5 km more), then the exact distance here.
    pad_lat = (radius + 5000) / 111_320
    lats = [v.lat for v in venues]
    lons = [v.lon for v in venues]
    pad_lon = pad_lat / max(0.2, math.cos(math.radians(max(abs(x) for x in lats))))
    near = Q(
        lat__gte=min(lats) - pad_lat,
        lat__lte=max(lats) + pad_lat,
        lon__gte=min(lons) - pad_lon,
        lon__lte=max(lons) + pad_lon,
    )
    unplaced = Q(lat__isnull=True, commune_id__in=sorted({v.commune_id for v in venues}))
    rows = (
        Incident.objects.restrict(viewer)
        .filter(occurred_from__gte=event.starts_at, occurred_from__lt=event.ends_at)
        .filter(near | unplaced)
        .select_related("commune")
        .defer("commune__boundary", "narrative")
        .order_by("occurred_from", "pk")[: limit * 4]
    )
    out = []
    for incident in rows:
        if incident.lat is None or incident.lon is None:
            out.append(LinkedIncident(incident, None))
            continue
        d = area.nearest_venue_m(incident.lat, incident.lon, shapes)
        if d <= radius:
            out.append(LinkedIncident(incident, d))
    out.sort(key=lambda li: (li.distance_m is None, li.distance_m or 0, li.incident.occurred_from))
    return out[:limit]


def risk_counts(risks) -> dict[str, int]:
    counts = {"low": 0, "medium": 0, "high": 0, "extreme": 0}
    for r in risks:
        counts[r.level] += 1
    return counts
