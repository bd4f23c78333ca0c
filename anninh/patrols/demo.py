"""Demo patrols (synthetic, labelled): three checkpoint sites per commune of the old city
centre, and plans for this week's night shifts in a few communes with some patrols done."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from anninh.geo import lookup
from anninh.geo.models import Commune
from anninh.patrols import services
from anninh.patrols.models import CheckpointSite, PatrolPlan

DEMO_COMMUNES = [
    "11311",
    "11329",
    "11383",
    "11359",
    "11407",
]  # Hồng Bàng, Ngô Quyền, Lê Chân, Gia Viên, An Biên
SITE_NAMES = ["Ngã tư trung tâm (mẫu)", "Chân cầu (mẫu)", "Cổng chợ (mẫu)"]


def patrols_demo_seed(progress=None) -> dict[str, int]:
    sites = plans = 0
    for commune in Commune.objects.filter(code__in=DEMO_COMMUNES):
        offsets = [(0.0, 0.0), (0.004, -0.003), (-0.003, 0.004)]
        for name, (dlat, dlon) in zip(SITE_NAMES, offsets, strict=True):
            if CheckpointSite.objects.unrestricted().filter(commune=commune, name=name).exists():
                continue
            lat, lon = commune.point_lat + dlat, commune.point_lon + dlon
            if lookup.commune_at(lat, lon) != commune.code:  # small communes: use the inside point
                lat, lon = commune.point_lat, commune.point_lon
            services.checkpoint_site_create(
                actor=None, name=name, commune=commune.code, lat=lat, lon=lon, is_synthetic=True
            )
            sites += 1
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    for day in (monday + dt.timedelta(days=i) for i in range(7)):
        for commune in DEMO_COMMUNES:
            if PatrolPlan.objects.unrestricted().filter(date=day, shift="night", commune_id=commune).exists():
                continue
            try:
                plan = services.plan_create(
                    actor=None,
                    day=day,
                    shift="night",
                    commune=commune,
                    teams=2,
                    cells_per_team=3,
                    confirm_low=True,
                    is_synthetic=True,
                )
            except services.PatrolError:
                continue
            # The demo's plans went the whole way: drafted, submitted, approved.
            plan = services.plan_submit(actor=None, plan=plan)
            plan = services.plan_decide(actor=None, plan=plan, approve=True)
            plans += 1
            start, end = services.shift_bounds(day, "night")
            if end <= timezone.now():
                for i, a in enumerate(plan.assignments.order_by("team", "order")):
                    if i % 3 != 2:  # two patrols in three carried out
                        services.patrol_mark_done(
                            actor=None,
                            assignment=a,
                            note="Dữ liệu mẫu",
                            now=start + dt.timedelta(hours=1 + i),
                        )
    return {"checkpoint_sites": sites, "plans": plans}
