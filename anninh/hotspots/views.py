"""Forecast pages: the map of this week's (or shift's) top cells, one forecast's audit
details, and the accuracy report card. Views parse, call, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anninh.accounts.permissions import audit_denied, get_scoped_or_404, require_roles
from anninh.compstat.periods import Period, PeriodError, parse_week, today
from anninh.hotspots import engine, labels, selectors, services
from anninh.hotspots.models import Forecast, Horizon
from anninh.records.models import OffenceGroup


def shift_labels() -> dict[str, str]:
    return {"morning": _("Morning (06–14)"), "afternoon": _("Afternoon (14–22)"), "night": _("Night (22–06)")}


def _choice(params, name: str, allowed, default: str = "") -> str:
    value = params.get(name, default) or default
    return value if value in allowed else default


def current_week() -> Period:
    on = today()
    monday = on - dt.timedelta(days=on.weekday())
    return Period("week", monday, monday + dt.timedelta(days=6))


def cell_rows(cells) -> list[dict]:
    return [
        {
            "rank": c.rank,
            "commune": c.commune.name if c.commune else "",
            "lat": c.lat,
            "lon": c.lon,
            "expected": c.expected,
            "low": c.expected_low,
            "high": c.expected_high,
            "risk": c.risk,
            "place": getattr(c, "place", None) or labels.place_name(c.lat, c.lon, c.commune),
            "expectedText": labels.expected_words(c.expected, c.expected_low, c.expected_high),
            "riskText": labels.risk_words(c.risk),
        }
        for c in cells
    ]


@require_roles(*selectors.READER_ROLES)
def forecast_map(request: HttpRequest) -> HttpResponse:
    group = _choice(request.GET, "group", OffenceGroup.values)
    horizon = _choice(request.GET, "horizon", Horizon.values, Horizon.WEEK)
    shift = _choice(request.GET, "shift", engine.SHIFTS, "night") if horizon == Horizon.SHIFT else ""
    forecast = selectors.forecast_current(
        viewer=request.user, offence_group=group, horizon=horizon, shift=shift
    )
    cells = (
        labels.name_cells(selectors.forecast_cells(viewer=request.user, forecast=forecast))
        if forecast
        else []
    )
    context = {
        "forecast": forecast,
        "cells": cells,
        "group": group,
        "horizon": horizon,
        "shift": shift,
        "groups": OffenceGroup.choices,
        "shifts": shift_labels(),
        "week": current_week(),
        "may_create": request.user.has_role(*services.FORECAST_WRITER_ROLES),
        "map_data": {
            "geojsonUrl": reverse("api:geo_communes_geojson"),
            "cellMetres": forecast.cell_metres if forecast else engine.CELL_METRES,
            "cells": cell_rows(cells),
            "labels": {
                "expected": _("expected crimes"),
                "interval": _("Predictive interval (90%)"),
                "risk": _("times the city's average cell"),
            },
        },
        "active_nav": "forecasts",
    }
    return render(request, "hotspots/map.html", context)


@require_roles(*services.FORECAST_WRITER_ROLES)
@require_POST
def forecast_make(request: HttpRequest) -> HttpResponse:
    group = _choice(request.POST, "group", OffenceGroup.values)
    horizon = _choice(request.POST, "horizon", Horizon.values, Horizon.WEEK)
    shift = _choice(request.POST, "shift", engine.SHIFTS) if horizon == Horizon.SHIFT else ""
    try:
        week = parse_week(request.POST.get("week", "")[:10]) if request.POST.get("week") else current_week()
        forecast, created = services.forecast_create(
            actor=request.user, week=week, offence_group=group, horizon=horizon, shift=shift
        )
    except (PeriodError, services.ForecastError) as exc:
        messages.error(request, str(exc))
        return redirect(f"{reverse('hotspots:map')}?group={group}&horizon={horizon}&shift={shift}")
    messages.success(
        request, _("Forecast made.") if created else _("This forecast already existed for these records.")
    )
    return redirect("hotspots:detail", pk=forecast.pk)


@require_roles(*selectors.READER_ROLES)
def forecast_detail(request: HttpRequest, pk: int) -> HttpResponse:
    forecast = get_scoped_or_404(
        selectors.forecast_list(viewer=request.user),
        request.user,
        unscoped=Forecast.objects.unrestricted(),
        pk=pk,
    )
    cells = labels.name_cells(selectors.forecast_cells(viewer=request.user, forecast=forecast))
    return render(
        request,
        "hotspots/detail.html",
        {
            "forecast": forecast,
            "cells": cells,
            "shifts": shift_labels(),
            "map_data": {
                "geojsonUrl": reverse("api:geo_communes_geojson"),
                "cellMetres": forecast.cell_metres,
                "cells": cell_rows(cells),
                "labels": {
                    "expected": _("expected crimes"),
                    "interval": _("Predictive interval (90%)"),
                    "risk": _("times the city's average cell"),
                },
            },
            "active_nav": "forecasts",
        },
    )


@require_roles(*selectors.READER_ROLES)
def report_card(request: HttpRequest) -> HttpResponse:
    group = _choice(request.GET, "group", OffenceGroup.values)
    card = selectors.report_card_latest(viewer=request.user, offence_group=group)
    rows = []
    if card and card.results.get("models"):
        names = {
            engine.MODEL_NAME: _("Forecast (deployed model)"),
            engine.BASELINE_NAME: _("Last 365 days' counts (what an analyst would map)"),
            "last-week": _("Last week's counts"),
        }
        for name, label in names.items():
            m = card.results["models"].get(name)
            if m:
                rows.append({"name": name, "label": label, "at1": m["0.01"], "at5": m["0.05"]})
        ceiling = card.results.get("ceiling")
        if ceiling:
            label = _("Ceiling: each place's rate known with hindsight (no forecast can know it)")
            rows.append({"name": "ceiling", "label": label, "at1": ceiling["0.01"], "at5": ceiling["0.05"]})
    return render(
        request,
        "hotspots/report_card.html",
        {
            "card": card,
            "rows": rows,
            "diff": (card.results.get("difference") or {}) if card else {},
            "group": group,
            "groups": OffenceGroup.choices,
            "may_create": request.user.has_role(*services.FORECAST_WRITER_ROLES),
            "active_nav": "forecasts",
        },
    )


@require_roles(*services.FORECAST_WRITER_ROLES)
@require_POST
def report_card_make(request: HttpRequest) -> HttpResponse:
    group = _choice(request.POST, "group", OffenceGroup.values)
    try:
        services.report_card_create(actor=request.user, offence_group=group, as_of=current_week().first)
    except services.ForecastError as exc:
        messages.error(request, str(exc))
    except PermissionDenied:
        audit_denied(request, reason="role")
        raise
    return redirect(f"{reverse('hotspots:report_card')}?group={group}")


urlpatterns = [
    path("", forecast_map, name="map"),
    path("make/", forecast_make, name="make"),
    path("<int:pk>/", forecast_detail, name="detail"),
    path("accuracy/", report_card, name="report_card"),
    path("accuracy/make/", report_card_make, name="report_card_make"),
]
