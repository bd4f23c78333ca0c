"""The demo's campaign: the peak campaign launched on 1 August 2025 "Cao điểm tấn công, trấn
áp tội phạm, bảo vệ Đại hội Đảng các cấp", for the whole city, with the criminal, economic
and drug police and the commune police of the twelve most populous communes taking part, and
targets per unit set from each unit's own figures of the same dates a year earlier (crimes
5 % under, the rest 10 % over: what a commander might ask). Units get a synthetic headcount
where none is recorded. Skipped when the campaign exists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import transaction

from anninh.campaigns.indicators import Scope, compute_all
from anninh.campaigns.models import LOWER_IS_BETTER, Campaign, CampaignTarget
from anninh.campaigns.services import campaign_create
from anninh.org.models import Unit

NAME = "Cao điểm tấn công, trấn áp tội phạm, bảo vệ Đại hội Đảng các cấp"
FIRST, LAST = dt.date(2025, 8, 1), dt.date(2026, 1, 31)
DEPARTMENTS = ("PC02", "PC03", "PC04", "PA05")
COMMUNE_UNITS = 12
#: Synthetic headcounts (officers) where none is recorded: departments, then commune police
#: (one officer per ~1,500 residents, at least 15).
DEPARTMENT_STRENGTH = {
    "PC01": 120,
    "PC02": 180,
    "PC03": 110,
    "PC04": 140,
    "PA05": 90,
    "PC06": 150,
    "PC07": 400,
    "PC08": 350,
    "PK02": 300,
    "PV01": 80,
    "PA04": 70,
}


def _headcounts() -> int:
    changed = 0
    for unit in Unit.objects.filter(officers__isnull=True).select_related("commune"):
        if unit.code in DEPARTMENT_STRENGTH:
            unit.officers = DEPARTMENT_STRENGTH[unit.code]
        elif unit.commune_id:
            unit.officers = max(15, round(unit.commune.population / 1500))
        else:
            continue
        unit.save(update_fields=["officers"])
        changed += 1
    return changed


def campaigns_demo_seed(progress: Callable[[str], None] | None = None) -> dict:
    headcounts = _headcounts()
    if Campaign.objects.unrestricted().filter(name=NAME, is_synthetic=True).exists():
        return {"skipped": True, "headcounts": headcounts}
    commander = get_user_model().objects.filter(username="commander").first()
    if commander is None:
        return {"skipped": True, "headcounts": headcounts}
    units = list(Unit.objects.active().filter(code__in=DEPARTMENTS))
    units += list(
        Unit.objects.active().filter(commune__isnull=False).order_by("-commune__population")[:COMMUNE_UNITS]
    )
    with transaction.atomic():
        campaign = campaign_create(
            actor=commander,
            name=NAME,
            first=FIRST,
            last=LAST,
            description="Phát hiện sớm, xử lý từ xa các vấn đề tiềm ẩn, phức tạp; bảo đảm an ninh, trật tự "
            "phục vụ Đại hội Đảng các cấp. [Dữ liệu giả lập]",
            unit_ids=[u.pk for u in units],
            is_synthetic=True,
        )
        # Targets from each unit's own baseline (the same dates a year earlier), as the system sees it.
        values = compute_all(commander, Scope.of(campaign))
        targets = []
        for key, iv in values.items():
            for unit in units:
                base = iv.by_unit_last_year.get(unit.pk, 0)
                if base == 0:
                    continue
                factor = 0.95 if key in LOWER_IS_BETTER else 1.10
                targets.append(
                    CampaignTarget(campaign=campaign, unit=unit, indicator=key, value=round(base * factor))
                )
            base = iv.total_last_year
            if base:
                factor = 0.95 if key in LOWER_IS_BETTER else 1.10
                targets.append(
                    CampaignTarget(campaign=campaign, unit=None, indicator=key, value=round(base * factor))
                )
        CampaignTarget.objects.bulk_create(targets)
    return {"campaigns": 1, "targets": len(targets), "headcounts": headcounts}
