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
from anninh.patrols.models import CheckpointSite, PatrolAssignment, PatrolPlan, PlanCheckpoint, PlanStatus

#: Who works in the field: marks patrols done and records checkpoint sites (a commander
#: everywhere, a commune officer in their commune).
PLANNER_ROLES = (Role.COMMANDER, Role.COMMUNE_OFFICER)
#: Who drafts and submits plans: the analyst who reads the forecast too (city-wide, like the
#: commander); a commune officer for their own commune.
DRAFTER_ROLES = (Role.COMMANDER, Role.ANALYST, Role.COMMUNE_OFFICER)
#: Who approves a submitted plan or sends it back.
APPROVER_ROLES = (Role.COMMANDER,)
#: A plan whose cells expect fewer crimes than this in the forecast's window covers almost
#: nothing (it prints as 0,0x): it is made only when the drafter confirms it.
LOW_EXPECTED = 0.05
MAX_TEAMS = 50
MAX_CELLS_PER_TEAM = 10
CHECKPOINT_RADIUS_M = 500.0
CHECKPOINTS_PER_PLAN = 5


class PatrolError(ValueError):
    """A request that cannot be done as asked; the message is for the user."""


class LowRiskPlan(PatrolError):
    """The plan's cells expect almost no crime: made only with the drafter's confirmation."""

    def __init__(self, message: str, expected: float):
        super().__init__(message)
        self.expected = expected


def _low_risk_message(expected: float) -> str:
    from django.utils.formats import number_format

    return _(
        "The cells of this plan expect only %(n)s crimes in the forecast's week: the patrols "
        "would cover almost nothing. Choose communes with a higher forecast risk, or confirm "
        "that this plan is wanted anyway."
    ) % {"n": number_format(expected, 2, use_l10n=True)}


def may_act_in(actor, commune: str) -> bool:
    """Commanders everywhere; a commune officer in their own commune."""
    if actor is None:
        return True  # the demo seeder
    if not getattr(actor, "is_authenticated", False) or not actor.has_role(*PLANNER_ROLES):
        return False
    scope = scope_for(actor)
    return actor.has_role(Role.COMMANDER) or commune in scope.commune_codes


def may_draft_in(actor, commune: str) -> bool:
    """Commanders and analysts everywhere; a commune officer in their own commune."""
    if actor is None:
        return True  # the demo seeder
    if not getattr(actor, "is_authenticated", False) or not actor.has_role(*DRAFTER_ROLES):
        return False
    return actor.has_role(Role.COMMANDER, Role.ANALYST) or commune in scope_for(actor).commune_codes


def may_approve(actor) -> bool:
    if actor is None:
        return True  # the demo seeder
    return getattr(actor, "is_authenticated", False) and actor.has_role(*APPROVER_ROLES)


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


def _validate_request(shift: str, commune: str) -> None:
    if shift not in engine.SHIFTS:
        raise PatrolError(_("Choose a shift: morning, afternoon or night."))
    if not Commune.objects.filter(code=commune).exists():
        raise PatrolError(_("There is no commune with this code."))


def _validate_sizes(teams: int, cells_per_team: int) -> None:
    if not 1 <= teams <= MAX_TEAMS:
        raise PatrolError(_("Enter between 1 and %(max)d teams.") % {"max": MAX_TEAMS})
    if not 1 <= cells_per_team <= MAX_CELLS_PER_TEAM:
        raise PatrolError(_("Give each team between 1 and %(max)d cells.") % {"max": MAX_CELLS_PER_TEAM})


def _layout(forecast: Forecast, commune: str, teams: int, cells_per_team: int):
    """The assignments (as unsaved rows), the checkpoint scores and the expected crimes covered
    of `teams` teams of `commune` on the forecast's cells."""
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
    rows = [
        PatrolAssignment(
            team=a.team,
            order=a.order,
            cell_index=a.cell.key,
            lat=by_key[a.cell.key].lat,
            lon=by_key[a.cell.key].lon,
            expected=a.cell.expected,
        )
        for a in assignments
    ]
    sites = list(CheckpointSite.objects.unrestricted().filter(commune_id=commune, active=True))
    sx, sy = to_metres_xy([s.lon for s in sites], [s.lat for s in sites]) if sites else ([], [])
    scores = planning.checkpoint_scores(
        [planning.Site(s.pk, float(x), float(y)) for s, x, y in zip(sites, sx, sy, strict=True)],
        plan_cells,
        CHECKPOINT_RADIUS_M,
    )[:CHECKPOINTS_PER_PLAN]
    return rows, scores, planning.covered(assignments)


def _check_low(covered: float, confirm_low: bool) -> None:
    if covered < LOW_EXPECTED and not confirm_low:
        raise LowRiskPlan(_low_risk_message(covered), covered)


def _save_layout(plan: PatrolPlan, rows, scores) -> None:
    for row in rows:
        row.plan = plan
    PatrolAssignment.objects.bulk_create(rows)
    PlanCheckpoint.objects.bulk_create(
        PlanCheckpoint(plan=plan, site_id=key, rank=i + 1, score=score)
        for i, (key, score) in enumerate(scores)
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
    confirm_low: bool = False,
    is_synthetic: bool = False,
) -> PatrolPlan:
    """Draft a plan: the commune's teams on its highest-risk forecast cells for one shift, and
    its checkpoint sites ranked by the forecast risk around them. A plan whose cells expect
    almost no crime is refused (LowRiskPlan) unless `confirm_low`."""
    _validate_request(shift, commune)
    if not may_draft_in(actor, commune):
        raise PermissionDenied
    _validate_sizes(teams, cells_per_team)
    forecast = forecast_for(day, shift, offence_group)
    if forecast is None:
        raise PatrolError(_("There is no forecast for this shift yet: make this week's forecast first."))
    if PatrolPlan.objects.unrestricted().filter(date=day, shift=shift, commune_id=commune).exists():
        raise PatrolError(_("This commune already has a plan for this shift."))
    rows, scores, covered = _layout(forecast, commune, teams, cells_per_team)
    _check_low(covered, confirm_low)
    try:
        with transaction.atomic():
            plan = PatrolPlan.objects.create(
                date=day,
                shift=shift,
                commune_id=commune,
                forecast=forecast,
                teams=teams,
                cells_per_team=cells_per_team,
                expected_covered=covered,
                low_risk_confirmed=covered < LOW_EXPECTED,
                status=PlanStatus.DRAFT,
                is_synthetic=is_synthetic,
                created_by=actor,
            )
            _save_layout(plan, rows, scores)
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
                    "assignments": len(rows),
                    "status": PlanStatus.DRAFT,
                    "expected_covered": covered,
                    "low_risk_confirmed": covered < LOW_EXPECTED,
                },
            )
    except IntegrityError:
        raise PatrolError(_("This commune already has a plan for this shift.")) from None
    return plan


EDITABLE = (PlanStatus.DRAFT, PlanStatus.REJECTED)


def _locked(plan: PatrolPlan) -> PatrolPlan:
    return PatrolPlan.objects.unrestricted().select_for_update().get(pk=plan.pk)


def plan_revise(
    *, actor, plan: PatrolPlan, teams: int, cells_per_team: int, confirm_low: bool = False
) -> PatrolPlan:
    """Change the teams of a draft (or of a plan sent back): the cells are dealt again. The
    plan returns to draft."""
    if not may_draft_in(actor, plan.commune_id):
        raise PermissionDenied
    _validate_sizes(teams, cells_per_team)
    with transaction.atomic():
        plan = _locked(plan)
        if plan.status not in EDITABLE:
            raise PatrolError(_("Only a draft or a plan sent back can be changed."))
        rows, scores, covered = _layout(plan.forecast, plan.commune_id, teams, cells_per_team)
        _check_low(covered, confirm_low)
        before = {
            "teams": plan.teams,
            "cells_per_team": plan.cells_per_team,
            "status": plan.status,
            "expected_covered": plan.expected_covered,
        }
        plan.assignments.all().delete()
        plan.checkpoints.all().delete()
        plan.teams, plan.cells_per_team, plan.expected_covered = teams, cells_per_team, covered
        plan.low_risk_confirmed = covered < LOW_EXPECTED
        plan.status = PlanStatus.DRAFT
        plan.save(
            update_fields=["teams", "cells_per_team", "expected_covered", "low_risk_confirmed", "status"]
        )
        _save_layout(plan, rows, scores)
        audit_record(
            actor=actor,
            username="demo" if actor is None else "",
            action="update",
            target=plan,
            before=before,
            after={
                "teams": teams,
                "cells_per_team": cells_per_team,
                "status": plan.status,
                "expected_covered": covered,
            },
        )
    return plan


def plan_submit(*, actor, plan: PatrolPlan, now: dt.datetime | None = None) -> PatrolPlan:
    """The drafter sends a draft (or a plan sent back and changed) to a commander."""
    if not may_draft_in(actor, plan.commune_id):
        raise PermissionDenied
    with transaction.atomic():
        plan = _locked(plan)
        if plan.status not in EDITABLE:
            raise PatrolError(_("This plan has already been submitted."))
        before = {"status": plan.status}
        plan.status = PlanStatus.SUBMITTED
        plan.submitted_by = actor
        plan.submitted_at = now or timezone.now()
        plan.save(update_fields=["status", "submitted_by", "submitted_at"])
        audit_record(
            actor=actor,
            username="demo" if actor is None else "",
            action="update",
            target=plan,
            before=before,
            after={"status": plan.status},
            extra={"transition": "submit"},
        )
    return plan


def plan_decide(
    *, actor, plan: PatrolPlan, approve: bool, note: str = "", now: dt.datetime | None = None
) -> PatrolPlan:
    """A commander approves a submitted plan, or sends it back with a reason."""
    if not may_approve(actor):
        raise PermissionDenied
    note = (note or "").strip()[:500]
    if not approve and not note:
        raise PatrolError(_("Say why the plan is sent back, so that the drafter can change it."))
    with transaction.atomic():
        plan = _locked(plan)
        if plan.status != PlanStatus.SUBMITTED:
            raise PatrolError(_("Only a plan awaiting approval can be approved or sent back."))
        before = {"status": plan.status}
        plan.status = PlanStatus.APPROVED if approve else PlanStatus.REJECTED
        plan.decided_by = actor
        plan.decided_at = now or timezone.now()
        plan.decision_note = note
        plan.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit_record(
            actor=actor,
            username="demo" if actor is None else "",
            action="update",
            target=plan,
            before=before,
            after={"status": plan.status, "note": note},
            extra={"transition": "approve" if approve else "reject"},
        )
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
    if plan.status != PlanStatus.APPROVED:
        raise PatrolError(_("This plan is not approved yet: patrols are marked on approved plans."))
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


def week_forecast_request(*, actor, week_first: dt.date, offence_group: str = "") -> dict:
    """Ask for the weekly forecast of the week starting `week_first` (a Monday) as a background
    task; the forecasting service checks that the actor may make forecasts. Returns the task's
    answer when it has already run ({"forecast": pk} or {"error": message}), else {}."""
    from anninh.hotspots.services import FORECAST_WRITER_ROLES
    from anninh.patrols.tasks import week_forecast_task

    if not getattr(actor, "is_authenticated", False) or not actor.has_role(*FORECAST_WRITER_ROLES):
        raise PermissionDenied
    if week_first.weekday() != 0:
        raise PatrolError(_("Forecasts are made for a week, Monday to Sunday."))
    result = week_forecast_task.enqueue(actor.pk, week_first.isoformat(), offence_group)
    if result.is_finished:
        return result.return_value or {}
    return {}
