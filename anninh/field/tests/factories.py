"""Today's approved patrol plan in commune A, with a checkpoint and two patrol stops."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from anninh.compstat.periods import Period
from anninh.hotspots.models import Forecast, ForecastCell
from anninh.patrols import services as patrol_services
from anninh.patrols.models import CheckpointSite
from anninh.testing.personas import COMMUNE_A


def approved_plan(officer, commander, *, sites: int = 3):
    from anninh.geo.models import Commune

    c = Commune.objects.get(code=COMMUNE_A)
    lat, lon = c.point_lat, c.point_lon
    today = timezone.localdate()
    week = Period.week(*today.isocalendar()[:2])
    forecast = Forecast.objects.create(
        window_start=week.start,
        window_end=week.end,
        model_name="ours",
        model_version="test",
        cell_metres=250,
        history_start=week.start - dt.timedelta(days=365),
        history_end=week.start,
        inputs_digest="0" * 64,
    )
    for rank in (1, 2):
        ForecastCell.objects.create(
            forecast=forecast,
            rank=rank,
            cell_index=rank,
            commune_id=COMMUNE_A,
            lat=lat + rank * 0.001,
            lon=lon,
            expected=2.0,
            expected_low=0,
            expected_high=4,
            risk=2.0,
        )
    for k in range(sites):
        CheckpointSite.objects.create(
            name=f"Chốt {k + 1}", commune_id=COMMUNE_A, lat=lat + k * 0.0005, lon=lon
        )
    plan = patrol_services.plan_create(
        actor=officer, day=today, shift="morning", commune=COMMUNE_A, teams=1, cells_per_team=2
    )
    plan = patrol_services.plan_submit(actor=officer, plan=plan)
    plan = patrol_services.plan_decide(actor=commander, plan=plan, approve=True)
    return plan
