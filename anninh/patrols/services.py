"""Writing patrol plans, checkpoint sites and patrols done. Each service checks who may act,
runs in one transaction and writes its audit row in it."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anninh.accounts.roles import Role
from anninh.accounts.scoping import scope_for
from anninh.audit.services import audit_record
from anninh.geo.geometry import to_metres_xy
from anninh.geo.models import Commune
from anninh.hotspots import engine
from anninh.hotspots.models import Forecast, ForecastCell, Horizon
from anninh.lib.dates import HCM_TZ
from anninh.patrols import planning
from anninh.patrols.models import CheckpointSite, PatrolAssignment, PatrolPlan, PlanCheckpoint

PLANNER_ROLES = (Role.COMMANDER, Role.COMMUNE_OFFICER)
MAX_TEAMS = 50
MAX_CELLS_PER_TEAM = 10
CHECKPOINT_RADIUS_M = 500.0
CHECKPOINTS_PER_PLAN = 5


class PatrolError(ValueError):
    """A request that cannot be done as asked; the message is for the user."""


def may_act_in(actor, commune: str) -> bool:
    """Commanders everywhere; a commune officer in their own commune."""
    if actor is None:
        return True  # the demo seeder
    if not getattr(actor, "is_authenticated", False) or not actor.has_role(*PLANNER_ROLES):
        return False
    scope = scope_for(actor)
    return actor.has_role(Role.COMMANDER) or commune in scope.commune_codes


def shift_bounds(day: dt.date, shift: str) -> tuple[dt.datetime, dt.datetime]:
    """The shift's start and end as aware datetimes (the night runs into the next morning)."""
    start_h, end_h = engine.SHIFTS[shift]
    start = dt.datetime.combine(day, dt.time(start_h), tzinfo=HCM_TZ)
    end_day = day + dt.timedelta(days=1) if end_h <= start_h else day
    return start, dt.datetime.combine(end_day, dt.time(end_h), tzinfo=HCM_TZ)


def forecast_for(day: dt.date, shift: str, offence_group: str = "") -> Forecast | None:
    """The shift forecast covering the shift (else the week's forecast), newest first."""
    start, _end = shift_bounds(day, shift)
    qs = Forecast.objects.unrestricted().filter(
        offence_group=offence_group, window_start__lte=start, window_end__gt=start
    )
    return (
        qs.filter(horizon=Horizon.SHIFT, shift=shift).order_by("-created_at").first()
        or qs.filter(horizon=Horizon.WEEK).order_by("-created_at").first()
    )


def plan_create(
    *,
    actor,
    day: dt.date,
    shift: str,
    commune: str,
    teams: int,
    cells_per_team: int = 3,
    offence_group: str = "",
    is_synthetic: bool = False,
) -> PatrolPlan:
    """Assign the commune's teams to its highest-risk forecast cells for one shift, and rank
    its checkpoint sites by the forecast risk around them."""
    if shift not in engine.SHIFTS:
        raise PatrolError(_("Choose a shift: morning, afternoon or night."))
    if not Commune.objects.filter(code=commune).exists():
        raise PatrolError(_("There is no commune with this code."))
    if not may_act_in(actor, commune):
        raise PermissionDenied
    if not 1 <= teams <= MAX_TEAMS:
        raise PatrolError(_("Enter between 1 and %(max)d teams.") % {"max": MAX_TEAMS})
    if not 1 <= cells_per_team <= MAX_CELLS_PER_TEAM:
        raise PatrolError(_("Give each team between 1 and %(max)d cells.") % {"max": MAX_CELLS_PER_TEAM})
    forecast = forecast_for(day, shift, offence_group)
    if forecast is None:
        raise PatrolError(_("There is no forecast for this shift yet: make this week's forecast first."))
    if PatrolPlan.objects.unrestricted().filter(date=day, shift=shift, commune_id=commune).exists():
        raise PatrolError(_("This commune already has a plan for this shift."))
    cells = list(
        ForecastCell.objects.unrestricted().filter(forecast=forecast, commune_id=commune).order_by("rank")
    )
    if not cells:
        raise PatrolError(_("The forecast has no cell in this commune."))
    xs, ys = to_metres_xy([c.lon for c in cells], [c.lat for c in cells])
    plan_cells = [
        planning.Cell(c.cell_index, commune, c.expected, float(x), float(y))
        for c, x, y in zip(cells, xs, ys, strict=True)
    ]
    by_key = {c.cell_index: c for c in cells}
    assignments = planning.assign(plan_cells, {commune: teams}, cells_per_team)
    sites = list(CheckpointSite.objects.unrestricted().filter(commune_id=commune, active=True))
    sx, sy = to_metres_xy([s.lon for s in sites], [s.lat for s in sites]) if sites else ([], [])
    scores = planning.checkpoint_scores(
        [planning.Site(s.pk, float(x), float(y)) for s, x, y in zip(sites, sx, sy, strict=True)],
        plan_cells,
        CHECKPOINT_RADIUS_M,
    )[:CHECKPOINTS_PER_PLAN]
    try:
        with transaction.atomic():
            plan = PatrolPlan.objects.create(
                date=day,
                shift=shift,
                commune_id=commune,
                forecast=forecast,
                teams=teams,
                cells_per_team=cells_per_team,
                expected_covered=planning.covered(assignments),
                is_synthetic=is_synthetic,
                created_by=actor,
            )
            PatrolAssignment.objects.bulk_create(
                PatrolAssignment(
                    plan=plan,
                    team=a.team,
                    order=a.order,
                    cell_index=a.cell.key,
                    lat=by_key[a.cell.key].lat,
                    lon=by_key[a.cell.key].lon,
                    expected=a.cell.expected,
                )
                for a in assignments
            )
            PlanCheckpoint.objects.bulk_create(
                PlanCheckpoint(plan=plan, site_id=key, rank=i + 1, score=score)
                for i, (key, score) in enumerate(scores)
            )
            audit_record(
                actor=actor,
                username="demo" if actor is None else "",
                action="create",
                target=plan,
                after={
                    "date": day.isoformat(),
                    "shift": shift,
                    "commune": commune,
                    "teams": teams,
                    "forecast": forecast.pk,
                    "assignments": len(assignments),
                },
            )
    except IntegrityError:
        raise PatrolError(_("This commune already has a plan for this shift.")) from None
    return plan


def patrol_mark_done(
    *, actor, assignment: PatrolAssignment, done: bool = True, note: str = "", now: dt.datetime | None = None
) -> PatrolAssignment:
    """An officer marks a patrol of a cell done (or undoes the mark); only once the shift has
    begun, and only by the commune's officers or a commander."""
    now = now or timezone.now()
    plan = assignment.plan
    if actor is not None and not may_act_in(actor, plan.commune_id):
        raise PermissionDenied
    start, _end = shift_bounds(plan.date, plan.shift)
    if done and now < start:
        raise PatrolError(_("This shift has not begun: a patrol cannot be marked done in advance."))
    before = {"done_at": assignment.done_at, "done_by": assignment.done_by_id, "note": assignment.note}
    with transaction.atomic():
        assignment = PatrolAssignment.objects.unrestricted().select_for_update().get(pk=assignment.pk)
        assignment.done_at = now if done else None
        assignment.done_by = actor if done else None
        assignment.note = note[:300] if done else ""
        assignment.save(update_fields=["done_at", "done_by", "note"])
        audit_record(
            actor=actor,
            username="demo" if actor is None else "",
            action="update",
            target=plan,
            object_repr=f"{plan} team {assignment.team} cell {assignment.cell_index}",
            before=before,
            after={"done_at": assignment.done_at, "done_by": assignment.done_by_id, "note": assignment.note},
            extra={"assignment": assignment.pk},
        )
    return assignment


def checkpoint_site_create(
    *, actor, name: str, commune: str, lat: float, lon: float, note: str = "", is_synthetic: bool = False
) -> CheckpointSite:
    from anninh.geo import lookup

    name = (name or "").strip()[:200]
    if not name:
        raise PatrolError(_("Enter the name of the place."))
    if not may_act_in(actor, commune):
        raise PermissionDenied
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or lookup.commune_at(lat, lon) != commune:
        raise PatrolError(_("The point is not in this commune."))
    try:
        with transaction.atomic():
            site = CheckpointSite.objects.create(
                name=name,
                commune_id=commune,
                lat=lat,
                lon=lon,
                note=(note or "")[:300],
                is_synthetic=is_synthetic,
                created_by=actor,
            )
            audit_record(
                actor=actor,
                username="demo" if actor is None else "",
                action="create",
                target=site,
                after={"name": name, "commune": commune, "lat": lat, "lon": lon},
            )
    except IntegrityError:
        raise PatrolError(_("This commune already has a place with this name.")) from None
    return site
