"""Demo forecasts: this week's forecast (every crime, property, drugs; the three shifts for
every crime) and a report card, made from the synthetic records. Idempotent."""

from __future__ import annotations

from anninh.hotspots import engine, services
from anninh.hotspots.models import Horizon, ReportCard
from anninh.hotspots.views import current_week


def hotspots_demo_seed(progress=None) -> dict[str, int]:
    week = current_week()
    made = 0
    jobs = [("", Horizon.WEEK, ""), ("property", Horizon.WEEK, ""), ("drugs", Horizon.WEEK, "")]
    jobs += [("", Horizon.SHIFT, s) for s in engine.SHIFTS]
    for group, horizon, shift in jobs:
        try:
            _fc, created = services.forecast_create(
                actor=None, week=week, offence_group=group, horizon=horizon, shift=shift
            )
        except services.ForecastError:
            continue
        made += created
    cards = 0
    if not ReportCard.objects.unrestricted().filter(offence_group="", as_of=week.first).exists():
        services.report_card_create(actor=None, offence_group="", as_of=week.first)
        cards = 1
    return {"forecasts": made, "report_cards": cards}
