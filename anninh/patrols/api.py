"""Patrol plans over the API, mounted at /api/patrols/: plans (list, one with its
assignments and checkpoints), marking a patrol done, checkpoint sites. Scoped like the pages."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from anninh.accounts.api_schemas import ErrorOut, ValidationErrorOut
from anninh.accounts.permissions import audit_denied, get_scoped_or_404
from anninh.patrols import selectors, services
from anninh.patrols.models import PatrolAssignment, PatrolPlan

router = Router()


class PatrolsListQuery(Schema):
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=2**31)


class PatrolsPlanOut(Schema):
    id: int
    date: dt.date
    shift: str
    commune: str
    forecast: int
    teams: int
    cells_per_team: int
    expected_covered: float
    assignments: int
    done: int


class PatrolsPlanListOut(Schema):
    count: int
    results: list[PatrolsPlanOut]


class PatrolsAssignmentOut(Schema):
    id: int
    team: int
    order: int
    lat: float
    lon: float
    expected: float
    done_at: dt.datetime | None
    note: str


class PatrolsCheckpointOut(Schema):
    rank: int
    site: str
    lat: float
    lon: float
    score: float


class PatrolsPlanDetailOut(Schema):
    plan: PatrolsPlanOut
    assignments: list[PatrolsAssignmentOut]
    checkpoints: list[PatrolsCheckpointOut]


class PatrolsDoneIn(Schema):
    done: bool = True
    note: str = Field("", max_length=300)


class PatrolsSiteOut(Schema):
    id: int
    name: str
    commune: str
    lat: float
    lon: float
    is_synthetic: bool


def _caller(request):
    auth = getattr(request, "auth", None)
    return auth if getattr(auth, "is_authenticated", False) else request.user


def _refuse(request, user, reason: str = "role"):
    audit_denied(user, reason=reason, path=request.get_full_path()[:500])
    return Status(403, {"detail": _("You may not do this.")})


def _plan_out(p) -> dict:
    return {
        "id": p.pk,
        "date": p.date,
        "shift": p.shift,
        "commune": p.commune_id,
        "forecast": p.forecast_id,
        "teams": p.teams,
        "cells_per_team": p.cells_per_team,
        "expected_covered": p.expected_covered,
        "assignments": p.n_assignments,
        "done": p.n_done,
    }


@router.get(
    "/plans",
    response={200: PatrolsPlanListOut, 403: ErrorOut, 422: ValidationErrorOut},
    url_name="patrols_plans",
    summary="Patrol plans the caller may see",
)
def list_plans(request: HttpRequest, query: Query[PatrolsListQuery]):
    user = _caller(request)
    if not user.has_role(*selectors.READER_ROLES):
        return _refuse(request, user)
    qs = selectors.plan_list(viewer=user)
    return {
        "count": qs.count(),
        "results": [_plan_out(p) for p in qs[query.offset : query.offset + query.limit]],
    }


@router.get(
    "/plans/{plan_id}",
    response={
        200: PatrolsPlanDetailOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ValidationErrorOut,
    },
    url_name="patrols_plan",
    summary="One plan with its assignments and ranked checkpoints",
)
def get_plan(request: HttpRequest, plan_id: int = Path(..., ge=1, le=2**31)):
    user = _caller(request)
    if not user.has_role(*selectors.READER_ROLES):
        return _refuse(request, user)
    try:
        plan = get_scoped_or_404(
            selectors.plan_list(viewer=user), user, unscoped=PatrolPlan.objects.unrestricted(), pk=plan_id
        )
    except Http404:
        return Status(404, {"detail": _("No such plan.")})
    return {
        "plan": _plan_out(plan),
        "assignments": [
            {
                "id": a.pk,
                "team": a.team,
                "order": a.order,
                "lat": a.lat,
                "lon": a.lon,
                "expected": a.expected,
                "done_at": a.done_at,
                "note": a.note,
            }
            for a in plan.assignments.order_by("team", "order")
        ],
        "checkpoints": [
            {"rank": c.rank, "site": c.site.name, "lat": c.site.lat, "lon": c.site.lon, "score": c.score}
            for c in plan.checkpoints.select_related("site").order_by("rank")
        ],
    }


@router.post(
    "/assignments/{assignment_id}/done",
    response={
        200: PatrolsAssignmentOut,
        400: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ValidationErrorOut,
    },
    url_name="patrols_done",
    summary="Mark a patrol of a cell done (or undo the mark)",
)
def mark_done(request: HttpRequest, body: PatrolsDoneIn, assignment_id: int = Path(..., ge=1, le=2**31)):
    user = _caller(request)
    if not user.has_role(*services.PLANNER_ROLES):
        return _refuse(request, user)
    try:
        assignment = get_scoped_or_404(
            PatrolAssignment.objects.restrict(user).select_related("plan"), user, pk=assignment_id
        )
    except Http404:
        return Status(404, {"detail": _("No such assignment.")})
    try:
        a = services.patrol_mark_done(actor=user, assignment=assignment, done=body.done, note=body.note)
    except services.PatrolError as exc:
        return Status(400, {"detail": str(exc)})
    except PermissionDenied:
        return _refuse(request, user, "scope")
    return {
        "id": a.pk,
        "team": a.team,
        "order": a.order,
        "lat": a.lat,
        "lon": a.lon,
        "expected": a.expected,
        "done_at": a.done_at,
        "note": a.note,
    }


@router.get(
    "/checkpoints",
    response={200: list[PatrolsSiteOut], 403: ErrorOut, 422: ValidationErrorOut},
    url_name="patrols_sites",
    summary="Checkpoint sites the caller may see",
)
def list_sites(request: HttpRequest, query: Query[PatrolsListQuery]):
    user = _caller(request)
    if not user.has_role(*selectors.READER_ROLES):
        return _refuse(request, user)
    qs = selectors.site_list(viewer=user).order_by("commune_id", "name")[
        query.offset : query.offset + query.limit
    ]
    return [
        {
            "id": s.pk,
            "name": s.name,
            "commune": s.commune_id,
            "lat": s.lat,
            "lon": s.lon,
            "is_synthetic": s.is_synthetic,
        }
        for s in qs
    ]
