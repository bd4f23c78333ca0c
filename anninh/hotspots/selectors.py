"""Reading forecasts. A forecast is about places only; its cells are shown by commune: a
commune officer sees the cells in their commune, city-wide roles all of them."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from anninh.hotspots.models import FORECAST_READERS, Forecast, ForecastCell, Horizon, ReportCard

READER_ROLES = tuple(FORECAST_READERS)


def may_read(viewer) -> bool:
    return getattr(viewer, "is_authenticated", False) and viewer.has_role(*READER_ROLES)


def forecast_list(*, viewer) -> QuerySet:
    return Forecast.objects.restrict(viewer)


def forecast_current(
    *,
    viewer,
    offence_group: str = "",
    horizon: str = Horizon.WEEK,
    shift: str = "",
    at: dt.datetime | None = None,
) -> Forecast | None:
    """The newest forecast whose window holds `at` (default: now), or the latest one before."""
    from django.utils import timezone

    at = at or timezone.now()
    qs = forecast_list(viewer=viewer).filter(offence_group=offence_group, horizon=horizon, shift=shift)
    return (
        qs.filter(window_start__lte=at, window_end__gt=at).order_by("-created_at", "-id").first()
        or qs.filter(window_start__lte=at).order_by("-window_start", "-created_at").first()
    )


def forecast_cells(*, viewer, forecast: Forecast, commune: str = "") -> list[ForecastCell]:
    qs = (
        forecast.cells.restrict(viewer)
        .select_related("commune")
        .only(
            "rank",
            "cell_index",
            "lat",
            "lon",
            "expected",
            "expected_low",
            "expected_high",
            "risk",
            "forecast",
            "commune",
            "commune__code",
            "commune__name",
            "commune__centroid_lat",  # to name the cell from the commune's centre
            "commune__centroid_lon",
        )
    )
    # Places are not personal data: departments (investigators) plan across the city; a
    # commune police plans its own territory (ForecastCell.need_to_know).
    if commune:
        qs = qs.filter(commune_id=commune)
    return list(qs.order_by("rank"))


def report_card_latest(*, viewer, offence_group: str = "") -> ReportCard | None:
    return (
        ReportCard.objects.restrict(viewer)
        .filter(offence_group=offence_group)
        .order_by("-as_of", "-created_at")
        .first()
    )
