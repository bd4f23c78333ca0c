"""Campaigns over the API, mounted at /api/campaigns/: the list, and one campaign's figures
(totals and per unit, with targets and the records list each number opens)."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import BaseModel

from anninh.accounts.api_schemas import ErrorOut, ValidationErrorOut
from anninh.accounts.permissions import audit_denied, get_scoped_or_404
from anninh.campaigns import selectors
from anninh.campaigns.models import READER_ROLES, Campaign

router = Router()


class CampaignListQuery(Schema):
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=2**31)


class CampaignOut(Schema):
    id: int
    name: str
    first: dt.date
    last: dt.date
    communes: list[str]
    offence_groups: list[str]
    units: list[int]


class CampaignListOut(Schema):
    count: int
    results: list[CampaignOut]


# The figures' cells and unit rows are plain pydantic models, not ninja Schemas: their input
# is always a dict built here, and ninja's Schema wraps every instance's input for attribute
# access (about 1,000 cells per city campaign: a fifth of the request's Python time).
class CellOut(BaseModel):
    indicator: str
    value: int
    last_year: int
    target: int | None
    progress: float | None
    met: bool | None
    per_10k: float | None
    per_officer: float | None
    vs_baseline: float | None
    url: str


class CampaignUnitOut(BaseModel):
    unit: int
    code: str
    population: int | None
    officers: int | None
    cells: list[CellOut]


class CampaignFiguresOut(Schema):
    campaign: CampaignOut
    first: dt.date
    last: dt.date
    last_year_first: dt.date | None
    last_year_last: dt.date | None
    totals: list[CellOut]
    units: list[CampaignUnitOut]


def _caller(request):
    auth = getattr(request, "auth", None)
    return auth if getattr(auth, "is_authenticated", False) else request.user


def _refuse(request, user, reason: str = "role"):
    audit_denied(user, reason=reason, path=request.get_full_path()[:500])
    return Status(403, {"detail": _("You may not do this.")})


def _campaign_out(c: Campaign) -> dict:
    return {
        "id": c.pk,
        "name": c.name,
        "first": c.first,
        "last": c.last,
        "communes": sorted(x.code for x in c.communes.all()),
        "offence_groups": list(c.offence_groups or []),
        "units": sorted(u.pk for u in c.units.all()),
    }


def _cell_out(cell) -> dict:
    return {
        "indicator": cell.indicator,
        "value": cell.value,
        "last_year": cell.last_year,
        "target": cell.target,
        "progress": cell.progress,
        "met": cell.met,
        "per_10k": cell.per_10k,
        "per_officer": cell.per_officer,
        "vs_baseline": cell.vs_baseline,
        "url": cell.url,
    }


@router.get(
    "/",
    response={200: CampaignListOut, 403: ErrorOut, 422: ValidationErrorOut},
    url_name="campaigns_list",
    summary="Campaigns the caller may see",
)
def list_campaigns(request: HttpRequest, query: Query[CampaignListQuery]):
    user = _caller(request)
    if not user.has_role(*READER_ROLES):
        return _refuse(request, user)
    qs = selectors.campaign_list(viewer=user).prefetch_related("communes", "units")
    return {
        "count": qs.count(),
        "results": [_campaign_out(c) for c in qs[query.offset : query.offset + query.limit]],
    }


@router.get(
    "/{campaign_id}",
    response={200: CampaignFiguresOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    url_name="campaigns_figures",
    summary="One campaign's indicators, computed from the records the caller may see",
)
def campaign_figures(request: HttpRequest, campaign_id: int = Path(..., ge=1, le=2**31)):
    user = _caller(request)
    if not user.has_role(*READER_ROLES):
        return _refuse(request, user)
    try:
        campaign = get_scoped_or_404(
            selectors.campaign_list(viewer=user).prefetch_related("communes", "units"),
            user,
            unscoped=Campaign.objects.unrestricted(),
            pk=campaign_id,
        )
    except Http404:
        return Status(404, {"detail": _("No such campaign.")})
    d = selectors.campaign_dashboard(viewer=user, campaign=campaign)
    return {
        "campaign": _campaign_out(campaign),
        "first": d.scope.first,
        "last": d.scope.last,
        "last_year_first": d.last_year[0] if d.last_year else None,
        "last_year_last": d.last_year[1] if d.last_year else None,
        "totals": [_cell_out(c) for c in d.totals],
        "units": [
            {
                "unit": r.unit.pk,
                "code": r.unit.code,
                "population": r.population,
                "officers": r.officers,
                "cells": [_cell_out(c) for c in r.cells],
            }
            for r in d.units
        ],
    }
