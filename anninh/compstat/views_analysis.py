"""Analysis pages: near-repeat calculator (Knox test) and hot spots (Gi*), on any filtered set
of incidents (the incident list's filters)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from anninh.accounts.permissions import require_roles
from anninh.accounts.scoping import scope_for
from anninh.compstat import analysis
from anninh.compstat.views_dashboard import READER_ROLES
from anninh.records.models import IncidentKind, OffenceGroup
from anninh.records.views.incidents import parse_filters


def _int(params, name: str, default: int) -> int:
    raw = (params.get(name) or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 7 else default


#: The query-string keys of the incident filters: when none is given, the tool starts from its
#: default window instead of every incident of every kind since records began.
FILTER_KEYS = (
    "q",
    "kind",
    "offence_group",
    "article",
    "commune",
    "unit",
    "date_from",
    "date_to",
    "review_status",
)

#: Default windows (issue #13 item 10): near repeats are a pattern of weeks in property crime
#: (burglaries, thefts); hot spots of the last quarter's crimes.
NEAR_REPEAT_DEFAULTS = {"kind": IncidentKind.CRIME, "offence_group": OffenceGroup.PROPERTY, "days": 180}
HOT_SPOT_DEFAULTS = {"kind": IncidentKind.CRIME, "offence_group": "", "days": 90}


def with_default_window(params, *, kind: str, offence_group: str, days: int):
    """The query string, or, when it names no filter, the tool's default window: the last
    `days` days up to today (dd/mm/yyyy, as typed in the form) of one kind and offence group."""
    if any((params.get(key) or "").strip() for key in FILTER_KEYS):
        return params
    today = timezone.localdate()
    defaults = params.copy()
    defaults["kind"] = kind
    defaults["offence_group"] = offence_group
    defaults["date_from"] = (today - dt.timedelta(days=days)).strftime("%d/%m/%Y")
    defaults["date_to"] = today.strftime("%d/%m/%Y")
    return defaults


def _common(request, defaults: dict) -> dict:
    params = with_default_window(request.GET, **defaults)
    filters, filter_errors = parse_filters(params)
    from anninh.compstat.views_dashboard import commune_choices

    return {
        "filters": filters,
        "filter_errors": filter_errors,
        "params": params,
        "default_window": params is not request.GET,
        "kinds": IncidentKind.choices,
        "groups": OffenceGroup.choices,
        "communes": commune_choices(request.user),
        "active_nav": "analysis",
    }


@require_roles(*READER_ROLES)
def near_repeat(request: HttpRequest) -> HttpResponse:
    context = _common(request, NEAR_REPEAT_DEFAULTS)
    options = {
        "distance_band_m": _int(request.GET, "distance_band", 100),
        "distance_bands": _int(request.GET, "distance_bands", 4),
        "time_band_days": _int(request.GET, "time_band", 7),
        "time_bands": _int(request.GET, "time_bands", 4),
        "permutations": _int(request.GET, "permutations", 99),
    }
    context["options"] = options
    if request.GET.get("run") and not context["filter_errors"]:
        try:
            result = analysis.near_repeat(viewer=request.user, filters=context["filters"], **options)
        except analysis.AnalysisError as exc:
            context["error"] = str(exc)
        else:
            r = result.result
            context["result"] = result
            context["table"] = [
                {
                    "label": result.distance_labels[k],
                    "cells": [
                        {
                            "observed": int(r.observed[k, m]),
                            "expected": float(r.expected[k, m]),
                            "ratio": None if r.expected[k, m] == 0 else float(r.ratio[k, m]),
                            "p": float(r.p_value[k, m]),
                            "significant": bool(r.significant()[k, m]),
                        }
                        for m in range(len(result.time_labels))
                    ],
                }
                for k in range(len(result.distance_labels))
            ]
    return render(request, "compstat/analysis/near_repeat.html", context)


@require_roles(*READER_ROLES)
def hot_spots(request: HttpRequest) -> HttpResponse:
    context = _common(request, HOT_SPOT_DEFAULTS)
    city_wide = scope_for(request.user).city_wide
    unit = request.GET.get("unit") or ("commune" if city_wide else "grid")
    cell_m = _int(request.GET, "cell", 500)
    # Grid cells have no population: counts only, whatever the (commune) measure chosen.
    measure = (request.GET.get("measure") or "rate") if unit == "commune" else "count"
    context.update({"unit": unit, "cell_m": cell_m, "city_wide": city_wide, "measure": measure})
    if request.GET.get("run") and not context["filter_errors"]:
        try:
            result = analysis.hot_spots(
                viewer=request.user,
                filters=context["filters"],
                unit=unit,
                cell_m=cell_m,
                fdr=True,
                measure=measure,
            )
        except analysis.AnalysisError as exc:
            context["error"] = str(exc)
        else:
            context["result"] = result
            context["rows"] = result.rows()
            context["map_data"] = {
                "geojsonUrl": reverse("api:geo_communes_geojson"),
                "unit": result.unit,
                "communes": {
                    key: {
                        "z": round(float(result.result.z[i]), 2),
                        "hot": bool(result.result.hot[i]),
                        "cold": bool(result.result.cold[i]),
                    }
                    for i, key in enumerate(result.keys)
                }
                if result.unit == "commune"
                else {},
                "cells": {"type": "FeatureCollection", "features": result.features},
            }
    return render(request, "compstat/analysis/hot_spots.html", context)
