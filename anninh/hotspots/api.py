"""Forecasts over the API, mounted at /api/hotspots/: the list, one forecast's cells as
GeoJSON (scoped like the pages) and the latest accuracy report card."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from anninh.accounts.api_schemas import ErrorOut, ValidationErrorOut
from anninh.accounts.permissions import audit_denied
from anninh.hotspots import selectors
from anninh.records.models import OffenceGroup

router = Router()


class HotspotsForecastQuery(Schema):
    group: OffenceGroup | None = None
    horizon: str = Field("", pattern="^(|week|shift)$")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=2**31)


class HotspotsForecastOut(Schema):
    id: int
    offence_group: str
    horizon: str
    shift: str
    window_start: dt.datetime
    window_end: dt.datetime
    model_name: str
    model_version: str
    cell_metres: int
    inputs_count: int
    inputs_digest: str
    created_at: dt.datetime


class HotspotsForecastListOut(Schema):
    count: int
    results: list[HotspotsForecastOut]


class HotspotsCardQuery(Schema):
    group: OffenceGroup | None = None


class HotspotsCardOut(Schema):
    offence_group: str
    as_of: dt.date
    weeks: int
    model_version: str
    baseline_name: str
    verdict: str
    results: dict[str, Any]
    created_at: dt.datetime


def _caller(request):
    auth = getattr(request, "auth", None)
    return auth if getattr(auth, "is_authenticated", False) else request.user


def _refuse(request, user):
    audit_denied(user, reason="role", path=request.get_full_path()[:500])
    return Status(403, {"detail": _("You may not do this.")})


@router.get(
    "/forecasts",
    response={200: HotspotsForecastListOut, 403: ErrorOut, 422: ValidationErrorOut},
    url_name="hotspots_forecasts",
    summary="Stored forecasts, newest first",
)
def list_forecasts(request: HttpRequest, query: Query[HotspotsForecastQuery]):
    user = _caller(request)
    if not selectors.may_read(user):
        return _refuse(request, user)
    qs = selectors.forecast_list(viewer=user)
    if query.group is not None:
        qs = qs.filter(offence_group=query.group.value)
    if query.horizon:
        qs = qs.filter(horizon=query.horizon)
    return {
        "count": qs.count(),
        "results": list(qs.order_by("-window_start", "-id")[query.offset : query.offset + query.limit]),
    }


@router.get(
    "/forecasts/{forecast_id}/cells.geojson",
    response={200: dict[str, Any], 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    url_name="hotspots_forecast_cells",
    summary="A forecast's top cells as GeoJSON squares (the caller's area only)",
)
def forecast_cells(request: HttpRequest, forecast_id: int = Path(..., ge=1, le=2**31)):
    user = _caller(request)
    if not selectors.may_read(user):
        return _refuse(request, user)
    forecast = selectors.forecast_list(viewer=user).filter(pk=forecast_id).first()
    if forecast is None:
        return Status(404, {"detail": _("No such forecast.")})
    half_lat = forecast.cell_metres / 2 / 111320
    features = []
    for c in selectors.forecast_cells(viewer=user, forecast=forecast):
        import math

        half_lon = forecast.cell_metres / 2 / (111320 * math.cos(math.radians(c.lat)))
        ring = [
            [c.lon - half_lon, c.lat - half_lat],
            [c.lon + half_lon, c.lat - half_lat],
            [c.lon + half_lon, c.lat + half_lat],
            [c.lon - half_lon, c.lat + half_lat],
            [c.lon - half_lon, c.lat - half_lat],
        ]
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[round(a, 6), round(b, 6)] for a, b in ring]],
                },
                "properties": {
                    "rank": c.rank,
                    "commune": c.commune_id,
                    "expected": c.expected,
                    "expected_low": c.expected_low,
                    "expected_high": c.expected_high,
                    "risk": c.risk,
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "features": features,
        "properties": {"forecast": forecast.pk, "model_version": forecast.model_version},
    }


@router.get(
    "/report-card",
    response={200: HotspotsCardOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    url_name="hotspots_report_card",
    summary="The latest accuracy report card (deployed model against last year's counts)",
)
def report_card(request: HttpRequest, query: Query[HotspotsCardQuery]):
    user = _caller(request)
    if not selectors.may_read(user):
        return _refuse(request, user)
    card = selectors.report_card_latest(viewer=user, offence_group=query.group.value if query.group else "")
    if card is None:
        return Status(404, {"detail": _("No report card yet.")})
    return card
