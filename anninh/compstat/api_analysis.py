"""Analysis tools over the API, mounted at /api/compstat/analysis/: the near-repeat (Knox) test
and Gi* hot spots on a filtered set of incidents, scoped like the incident list."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from anninh.accounts.api_schemas import ErrorOut, ValidationErrorOut
from anninh.accounts.permissions import audit_denied
from anninh.compstat import analysis
from anninh.compstat.views_dashboard import READER_ROLES
from anninh.records.views.incidents import parse_filters

router = Router()
DATE = r"^\d{1,2}/\d{1,2}/\d{4}$"


class CompstatIncidentSetQuery(Schema):
    kind: str = Field("", max_length=24, description="incident kind, e.g. crime")
    offence_group: str = Field("", max_length=20)
    article: str = Field("", max_length=12, description="Penal Code article, e.g. 173")
    commune: str = Field("", max_length=5, description="NSO code")
    date_from: str = Field("", max_length=10, description="dd/mm/yyyy")
    date_to: str = Field("", max_length=10, description="dd/mm/yyyy")


class CompstatNearRepeatQuery(CompstatIncidentSetQuery):
    distance_band: int = Field(100, ge=10, le=2000, description="metres")
    distance_bands: int = Field(4, ge=1, le=10)
    time_band: int = Field(7, ge=1, le=90, description="days")
    time_bands: int = Field(4, ge=1, le=10)
    permutations: int = Field(99, ge=9, le=analysis.MAX_KNOX_PERMUTATIONS)
    seed: int = Field(0, ge=0, le=2**31)


class CompstatKnoxCellOut(Schema):
    distance: str
    time: str
    observed: int
    expected: float
    ratio: float | None
    p_value: float
    significant: bool


class CompstatNearRepeatOut(Schema):
    incidents: int
    without_location: int
    pairs: int
    permutations: int
    summary: str
    cells: list[CompstatKnoxCellOut]


class CompstatHotSpotQuery(CompstatIncidentSetQuery):
    unit: str = Field("commune", pattern="^(commune|grid)$", description="commune or grid")
    measure: str = Field(
        "",
        pattern="^(|rate|count)$",
        description="rate: crimes per 10,000 residents, empirical-Bayes smoothed (the default by "
        "commune); count: number of crimes (the only one for grid cells)",
    )
    cell: int = Field(
        500, ge=analysis.MIN_CELL_M, le=analysis.MAX_CELL_M, description="grid cell size, metres"
    )


class CompstatHotSpotOut(Schema):
    key: str
    name: str
    count: int
    rate: float | None = Field(None, description="smoothed crimes per 10,000 residents (measure rate)")
    z: float
    p: float
    hot: bool


class CompstatHotSpotsOut(Schema):
    unit: str
    measure: str
    incidents: int
    without_location: int
    units: int
    significant: list[CompstatHotSpotOut]


def _caller(request):
    auth = getattr(request, "auth", None)
    return auth if getattr(auth, "is_authenticated", False) else request.user


def _prepare(request, query: CompstatIncidentSetQuery):
    user = _caller(request)
    if not user.has_role(*READER_ROLES):
        audit_denied(user, reason="role", path=request.get_full_path()[:500])
        return user, None, Status(403, {"detail": _("You may not do this.")})
    filters, errors = parse_filters(
        {
            k: getattr(query, k)
            for k in ("kind", "offence_group", "article", "commune", "date_from", "date_to")
        }
    )
    if errors:
        return (
            user,
            None,
            Status(
                422,
                {
                    "detail": [
                        {"type": "query.invalid", "loc": ["query", k], "msg": str(v)}
                        for k, v in errors.items()
                    ]
                },
            ),
        )
    return user, filters, None


def _refused(exc: Exception) -> Status:
    return Status(422, {"detail": [{"type": "analysis.invalid", "loc": ["query"], "msg": str(exc)}]})


@router.get(
    "/near-repeat",
    response={200: CompstatNearRepeatOut, 403: ErrorOut, 422: ValidationErrorOut},
    url_name="compstat_near_repeat",
    summary="Knox near-repeat test on a filtered set of incidents",
)
def near_repeat(request: HttpRequest, query: Query[CompstatNearRepeatQuery]):
    user, filters, error = _prepare(request, query)
    if error:
        return error
    try:
        r = analysis.near_repeat(
            viewer=user,
            filters=filters,
            distance_band_m=query.distance_band,
            distance_bands=query.distance_bands,
            time_band_days=query.time_band,
            time_bands=query.time_bands,
            permutations=query.permutations,
            seed=query.seed,
        )
    except analysis.AnalysisError as exc:
        return _refused(exc)
    k = r.result
    sig = k.significant()
    cells = [
        {
            "distance": r.distance_labels[i],
            "time": r.time_labels[j],
            "observed": int(k.observed[i, j]),
            "expected": float(k.expected[i, j]),
            "ratio": None if k.expected[i, j] == 0 else float(k.ratio[i, j]),
            "p_value": float(k.p_value[i, j]),
            "significant": bool(sig[i, j]),
        }
        for i in range(len(r.distance_labels))
        for j in range(len(r.time_labels))
    ]
    return {
        "incidents": r.used,
        "without_location": r.without_point,
        "pairs": k.n_pairs,
        "permutations": k.n_permutations,
        "summary": r.summary,
        "cells": cells,
    }


@router.get(
    "/hot-spots",
    response={200: CompstatHotSpotsOut, 403: ErrorOut, 422: ValidationErrorOut},
    url_name="compstat_hot_spots",
    summary="Getis-Ord Gi* hot and cold spots by commune or grid cell",
)
def hot_spots(request: HttpRequest, query: Query[CompstatHotSpotQuery]):
    user, filters, error = _prepare(request, query)
    if error:
        return error
    try:
        h = analysis.hot_spots(
            viewer=user, filters=filters, unit=query.unit, cell_m=query.cell, fdr=True, measure=query.measure
        )
    except analysis.AnalysisError as exc:
        return _refused(exc)
    return {
        "unit": h.unit,
        "measure": h.measure,
        "incidents": h.used,
        "without_location": h.without_point,
        "units": len(h.keys),
        "significant": h.rows(limit=500),
    }
