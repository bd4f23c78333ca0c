"""Writing events: each service checks who may act, runs in one transaction and writes its
audit row in it. `risk_update` is the one way a risk changes: it keeps the new state as a
RiskChange row and, after commit, sends `risk_changed` (the early-warning alerts listen)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from anninh.accounts.roles import Role
from anninh.audit.services import audit_record
from anninh.events import area
from anninh.events.models import (
    CommandLogEntry,
    Event,
    EventCheckpoint,
    EventKind,
    EventPatrolStop,
    EventStatus,
    EventUnit,
    LogKind,
    Risk,
    RiskChange,
    RiskStatus,
    ScheduleItem,
    Venue,
)

#: Who creates events and plans their security (venues, units, checkpoints and routes).
MANAGER_ROLES = (Role.COMMANDER,)
#: Who writes in an event's risk register and command log (an event they may read).
CONTRIBUTOR_ROLES = (Role.COMMANDER, Role.COMMUNE_OFFICER, Role.INVESTIGATOR)
MAX_TEAMS = 20
MAX_CELLS_PER_TEAM = 10
CHECKPOINTS_PER_EVENT = 8

#: Sent after a risk's change is committed: sender=Risk, risk=, change= (the RiskChange row),
#: before= (the fields before, {} for a new risk), actor=. helper `alert` raises alerts from it.
risk_changed = Signal()

RISK_FIELDS = ("threat", "likelihood", "impact", "owner", "mitigation", "status")


class EventError(ValueError):
    """A request that cannot be done as asked; the message is for the user."""


def _username(actor) -> str:
    return "demo" if actor is None else ""


def may_manage(actor) -> bool:
    if actor is None:
        return True  # the demo seeder
    return getattr(actor, "is_authenticated", False) and actor.has_role(*MANAGER_ROLES)


def may_contribute(actor, event: Event) -> bool:
    """Commanders; commune officers and investigators on an event they may read."""
    if actor is None:
        return True
    if not getattr(actor, "is_authenticated", False) or not actor.has_role(*CONTRIBUTOR_ROLES):
        return False
    return Event.objects.restrict(actor).filter(pk=event.pk).exists()


def _check_period(starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    if ends_at <= starts_at:
        raise EventError(_("The end must come after the start."))


def event_create(
    *,
    actor,
    name: str,
    kind: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    description: str = "",
    lead_unit=None,
    area_radius_m: int = 1000,
    is_synthetic: bool = False,
) -> Event:
    if not may_manage(actor):
        raise PermissionDenied
    name = (name or "").strip()[:200]
    if not name:
        raise EventError(_("Enter the name of the event."))
    if kind not in EventKind.values:
        raise EventError(_("Choose the kind of event."))
    _check_period(starts_at, ends_at)
    if not 100 <= area_radius_m <= 10_000:
        raise EventError(_("The area around the venues is between 100 and 10,000 m."))
    with transaction.atomic():
        event = Event.objects.create(
            name=name,
            kind=kind,
            starts_at=starts_at,
            ends_at=ends_at,
            description=(description or "")[:5000],
            lead_unit=lead_unit,
            area_radius_m=area_radius_m,
            is_synthetic=is_synthetic,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            username=_username(actor),
            action="create",
            target=event,
            after={
                "name": name,
                "kind": kind,
                "starts_at": starts_at.isoformat(),
                "ends_at": ends_at.isoformat(),
                "lead_unit": getattr(lead_unit, "pk", None),
                "area_radius_m": area_radius_m,
            },
        )
    return event


def event_set_status(*, actor, event: Event, status: str) -> Event:
    if not may_manage(actor):
        raise PermissionDenied
    if status not in EventStatus.values:
        raise EventError(_("Choose a status."))
    with transaction.atomic():
        event = Event.objects.unrestricted().select_for_update().get(pk=event.pk)
        before = event.status
        event.status = status
        event.save(update_fields=["status"])
        audit_record(
            actor=actor,
            username=_username(actor),
            action="update",
            target=event,
            before={"status": before},
            after={"status": status},
        )
    return event


def venue_add(
    *,
    actor,
    event: Event,
    name: str,
    lat: float | None = None,
    lon: float | None = None,
    shape: dict | None = None,
) -> Venue:
    """A venue as a point, or as a polygon drawn on the map (its inside point is kept too).
    It must lie in Hai Phong; its commune is where its point is."""
    from anninh.geo import lookup

    if not may_manage(actor):
        raise PermissionDenied
    name = (name or "").strip()[:200]
    if not name:
        raise EventError(_("Enter the name of the venue."))
    geometry: dict = {}
    if shape:
        try:
            ring = shape["coordinates"][0]
            if shape.get("type") != "Polygon" or len(ring) < 4 or ring[0] != ring[-1]:
                raise ValueError
            lat, lon = area.polygon_centre(shape)
        except (KeyError, IndexError, TypeError, ValueError):
            raise EventError(_("Draw the venue with at least three corners.")) from None
        geometry = {"type": "Polygon", "coordinates": [[[float(x), float(y)] for x, y in ring]]}
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise EventError(_("Place the venue on the map."))
    commune = lookup.commune_at(lat, lon)
    if commune is None:
        raise EventError(_("The venue is outside Hai Phong."))
    try:
        with transaction.atomic():
            venue = Venue.objects.create(
                event=event, name=name, commune_id=commune, lat=lat, lon=lon, shape=geometry
            )
            audit_record(
                actor=actor,
                username=_username(actor),
                action="update",
                target=event,
                extra={"venue_added": venue.pk},
                after={"venue": name, "commune": commune, "lat": lat, "lon": lon, "polygon": bool(geometry)},
            )
    except IntegrityError:
        raise EventError(_("This event already has a venue with this name.")) from None
    return venue


def schedule_add(
    *,
    actor,
    event: Event,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    venue: Venue | None = None,
) -> ScheduleItem:
    if not may_manage(actor):
        raise PermissionDenied
    title = (title or "").strip()[:200]
    if not title:
        raise EventError(_("Enter what happens."))
    _check_period(starts_at, ends_at)
    if venue is not None and venue.event_id != event.pk:
        raise EventError(_("Choose a venue of this event."))
    with transaction.atomic():
        item = ScheduleItem.objects.create(
            event=event, title=title, starts_at=starts_at, ends_at=ends_at, venue=venue
        )
        audit_record(
            actor=actor,
            username=_username(actor),
            action="update",
            target=event,
            extra={"schedule_added": item.pk},
            after={"title": title, "starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat()},
        )
    return item


def unit_assign(
    *,
    actor,
    event: Event,
    unit,
    task: str,
    shift_start: dt.datetime,
    shift_end: dt.datetime,
    venue: Venue | None = None,
    officers: int = 0,
) -> EventUnit:
    if not may_manage(actor):
        raise PermissionDenied
    task = (task or "").strip()[:200]
    if not task:
        raise EventError(_("Enter the unit's task."))
    _check_period(shift_start, shift_end)
    if not 0 <= officers <= 10_000:
        raise EventError(_("Enter the number of officers."))
    if venue is not None and venue.event_id != event.pk:
        raise EventError(_("Choose a venue of this event."))
    with transaction.atomic():
        row = EventUnit.objects.create(
            event=event,
            unit=unit,
            task=task,
            venue=venue,
            shift_start=shift_start,
            shift_end=shift_end,
            officers=officers,
        )
        audit_record(
            actor=actor,
            username=_username(actor),
            action="update",
            target=event,
            extra={"unit_assigned": row.pk},
            after={
                "unit": unit.pk,
                "task": task,
                "shift_start": shift_start.isoformat(),
                "shift_end": shift_end.isoformat(),
                "officers": officers,
            },
        )
    return row


def _risk_values(threat, likelihood, impact, owner, mitigation, status) -> dict:
    threat = (threat or "").strip()[:300]
    owner = (owner or "").strip()[:200]
    if not threat:
        raise EventError(_("Describe the threat."))
    if not owner:
        raise EventError(_("Name who owns the risk."))
    for value in (likelihood, impact):
        if not isinstance(value, int) or not 1 <= value <= 5:
            raise EventError(_("Likelihood and impact are from 1 to 5."))
    if status not in RiskStatus.values:
        raise EventError(_("Choose the risk's status."))
    return {
        "threat": threat,
        "likelihood": likelihood,
        "impact": impact,
        "owner": owner,
        "mitigation": (mitigation or "").strip()[:5000],
        "status": status,
    }


def _history(risk: Risk, actor, now: dt.datetime, note: str) -> RiskChange:
    return RiskChange.objects.create(
        risk=risk,
        version=risk.version,
        changed_at=now,
        changed_by=actor,
        note=(note or "").strip()[:300],
        **{f: getattr(risk, f) for f in RISK_FIELDS},
    )


def _announce(risk: Risk, change: RiskChange, before: dict, actor) -> None:
    transaction.on_commit(
        lambda: risk_changed.send(sender=Risk, risk=risk, change=change, before=before, actor=actor)
    )


def risk_create(
    *,
    actor,
    event: Event,
    threat: str,
    likelihood: int,
    impact: int,
    owner: str,
    mitigation: str = "",
    status: str = RiskStatus.OPEN,
    now: dt.datetime | None = None,
) -> Risk:
    if not may_contribute(actor, event):
        raise PermissionDenied
    values = _risk_values(threat, likelihood, impact, owner, mitigation, status)
    now = now or timezone.now()
    with transaction.atomic():
        risk = Risk.objects.create(event=event, version=1, **values)
        change = _history(risk, actor, now, "")
        audit_record(
            actor=actor,
            username=_username(actor),
            action="create",
            target=risk,
            after={**values, "event": event.pk},
        )
        _announce(risk, change, {}, actor)
    return risk


def risk_update(
    *,
    actor,
    risk: Risk,
    version: int | None = None,
    note: str = "",
    now: dt.datetime | None = None,
    **changes,
) -> Risk:
    """Change a risk's threat, likelihood, impact, owner, mitigation or status (keyword
    arguments; those not given stay). Keeps the new state as a RiskChange (version + 1), audits
    the change with its before and after, and sends `risk_changed` after commit. `version` (the
    one the form read) refuses a stale write. Nothing changed: nothing written."""
    unknown = set(changes) - set(RISK_FIELDS)
    if unknown:
        raise TypeError(f"risk_update() got unknown fields {sorted(unknown)}")
    if not may_contribute(actor, risk.event):
        raise PermissionDenied
    now = now or timezone.now()
    with transaction.atomic():
        risk = Risk.objects.unrestricted().select_for_update().select_related("event").get(pk=risk.pk)
        if version is not None and version != risk.version:
            raise EventError(_("Someone changed this risk meanwhile: reload the page and check it again."))
        before = {f: getattr(risk, f) for f in RISK_FIELDS}
        values = _risk_values(**{**before, **changes})
        if values == before:
            return risk
        for field, value in values.items():
            setattr(risk, field, value)
        risk.version += 1
        risk.save(update_fields=[*RISK_FIELDS, "version", "updated_at"])
        change = _history(risk, actor, now, note)
        audit_record(
            actor=actor,
            username=_username(actor),
            action="update",
            target=risk,
            before={k: v for k, v in before.items() if values[k] != v},
            after={k: v for k, v in values.items() if before[k] != v},
            extra={"version": risk.version, "note": change.note},
        )
        _announce(risk, change, before, actor)
    return risk


def _role_label(actor) -> str:
    for role in (Role.COMMANDER, Role.COMMUNE_OFFICER, Role.INVESTIGATOR, Role.ANALYST):
        if actor.has_role(role):
            return str(role.value)
    return ""


def log_append(
    *, actor, event: Event, text: str, kind: str = LogKind.INFORMATION, at: dt.datetime | None = None
):
    """Append an entry to the command log, stamped with the server's time (the demo seeder may
    give its own), the author's name, role and unit. Entries are never changed: a correction is
    a new entry."""
    if not may_contribute(actor, event):
        raise PermissionDenied
    text = (text or "").strip()
    if not text:
        raise EventError(_("Write the entry."))
    if kind not in LogKind.values:
        raise EventError(_("Choose the kind of entry."))
    if actor is not None:
        at = timezone.now()
        name = actor.full_name or actor.get_username()
        role = _role_label(actor)
        unit = (actor.unit.short_name or actor.unit.name) if actor.unit_id else ""
    else:
        at = at or timezone.now()
        name, role, unit = "Trực ban (mẫu)", "commander", ""
    with transaction.atomic():
        entry = CommandLogEntry(
            event=event,
            at=at,
            author=actor,
            author_name=name,
            author_role=role,
            author_unit=unit,
            kind=kind,
            text=text[:5000],
        )
        entry.save()
        audit_record(
            actor=actor,
            username=_username(actor),
            action="create",
            target=entry,
            after={"event": event.pk, "at": at.isoformat(), "kind": kind, "role": role},
        )
    return entry


def event_plan_security(*, actor, event: Event, teams: int = 2, cells_per_team: int = 3) -> dict[str, int]:
    """Checkpoints and patrol routes around the venues, with the patrol planner
    (anninh.patrols.planning) on the forecast covering the event's start (or, for an event
    under way, the one covering now): the forecast cells
    within the event's area are dealt to `teams` teams (highest risk first, balanced), each
    team's stops ordered into a route from the nearest venue; the checkpoint sites of the
    venues' communes within the area are ranked by the forecast risk around them. Replaces the
    event's previous checkpoints and routes."""
    from anninh.geo.geometry import to_metres_xy
    from anninh.hotspots.models import ForecastCell
    from anninh.lib.dates import HCM_TZ
    from anninh.patrols import planning
    from anninh.patrols.models import CheckpointSite
    from anninh.patrols.services import CHECKPOINT_RADIUS_M, forecast_for

    if not may_manage(actor):
        raise PermissionDenied
    if not 1 <= teams <= MAX_TEAMS:
        raise EventError(_("Enter between 1 and %(max)d teams.") % {"max": MAX_TEAMS})
    if not 1 <= cells_per_team <= MAX_CELLS_PER_TEAM:
        raise EventError(_("Give each team between 1 and %(max)d cells.") % {"max": MAX_CELLS_PER_TEAM})
    venues = list(event.venues.all())
    if not venues:
        raise EventError(_("Add the event's venues first."))

    def forecast_at(moment: dt.datetime):
        here = moment.astimezone(HCM_TZ)
        shift = "morning" if 6 <= here.hour < 14 else "afternoon" if 14 <= here.hour < 22 else "night"
        return forecast_for(here.date() if here.hour >= 6 else here.date() - dt.timedelta(days=1), shift)

    forecast = forecast_at(event.starts_at)
    now = timezone.now()
    if forecast is None and event.starts_at <= now < event.ends_at:
        forecast = forecast_at(now)  # under way, opened in a week without a forecast
    if forecast is None:
        raise EventError(
            _("There is no forecast for the event's start yet: make that week's forecast first.")
        )
    shapes = [(v.lat, v.lon, v.shape or None) for v in venues]
    communes = sorted({v.commune_id for v in venues})
    radius = event.area_radius_m
    cells = [
        c
        for c in ForecastCell.objects.unrestricted().filter(forecast=forecast, commune_id__in=communes)
        if area.nearest_venue_m(c.lat, c.lon, shapes) <= radius
    ]
    if not cells:
        raise EventError(_("The forecast has no cell within the event's area."))
    xs, ys = to_metres_xy([c.lon for c in cells], [c.lat for c in cells])
    plan_cells = [
        planning.Cell(c.cell_index, "event", c.expected, float(x), float(y))
        for c, x, y in zip(cells, xs, ys, strict=True)
    ]
    by_key = {c.cell_index: c for c in cells}
    assignments = planning.assign(plan_cells, {"event": teams}, cells_per_team)
    sites = [
        s
        for s in CheckpointSite.objects.unrestricted().filter(commune_id__in=communes, active=True)
        if area.nearest_venue_m(s.lat, s.lon, shapes) <= radius
    ]
    sx, sy = to_metres_xy([s.lon for s in sites], [s.lat for s in sites]) if sites else ([], [])
    scores = planning.checkpoint_scores(
        [planning.Site(s.pk, float(x), float(y)) for s, x, y in zip(sites, sx, sy, strict=True)],
        plan_cells,
        CHECKPOINT_RADIUS_M,
    )[:CHECKPOINTS_PER_EVENT]
    site_by = {s.pk: s for s in sites}
    stops: list[EventPatrolStop] = []
    for team in sorted({a.team for a in assignments}):
        mine = [by_key[a.cell.key] for a in assignments if a.team == team]
        points = [(c.lat, c.lon) for c in mine]
        first = mine[0]
        nearest = min(venues, key=lambda v: area.metres_between(v.lat, v.lon, first.lat, first.lon))
        for order, i in enumerate(area.route_order(points, (nearest.lat, nearest.lon)), start=1):
            stops.append(
                EventPatrolStop(
                    event=event,
                    team=team,
                    order=order,
                    lat=mine[i].lat,
                    lon=mine[i].lon,
                    expected=mine[i].expected,
                )
            )
    with transaction.atomic():
        EventPatrolStop.objects.filter(event=event).delete()
        EventCheckpoint.objects.filter(event=event).delete()
        EventPatrolStop.objects.bulk_create(stops)
        EventCheckpoint.objects.bulk_create(
            EventCheckpoint(
                event=event,
                site_id=key,
                rank=i + 1,
                score=score,
                distance_m=area.nearest_venue_m(site_by[key].lat, site_by[key].lon, shapes),
            )
            for i, (key, score) in enumerate(scores)
        )
        audit_record(
            actor=actor,
            username=_username(actor),
            action="update",
            target=event,
            extra={"security_planned": True},
            after={
                "forecast": forecast.pk,
                "teams": teams,
                "cells_per_team": cells_per_team,
                "stops": len(stops),
                "checkpoints": len(scores),
            },
        )
    return {"stops": len(stops), "checkpoints": len(scores), "forecast": forecast.pk}
