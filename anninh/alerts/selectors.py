"""Reads of the early warning, scoped to the viewer: alerts through their need-to-know rule
(a commune officer their commune's, an investigator their units', commanders and analysts
all), subscriptions and deliveries the viewer's own."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from anninh.accounts.scoping import scope_for
from anninh.alerts.models import Alert, AlertAction, AlertStatus, Delivery, Subscription
from anninh.geo.models import Commune
from anninh.lib.dates import local_date


def alert_base(*, viewer) -> QuerySet:
    return Alert.objects.restrict(viewer)


def alert_list(
    *, viewer, status: str = "", kind: str = "", commune: str = "", mine: bool = False
) -> QuerySet:
    qs = alert_base(viewer=viewer).select_related("commune", "unit").defer("commune__boundary")
    if status == "live":
        qs = qs.filter(status__in=[AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED])
    elif status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if commune:
        qs = qs.filter(commune_id=commune)
    if mine:
        qs = qs.filter(deliveries__user=viewer)
    return qs.order_by("-raised_at", "-id")


def unread_ids(*, viewer, alert_ids) -> set[int]:
    return set(
        Delivery.objects.restrict(viewer)
        .filter(alert_id__in=list(alert_ids), read_at__isnull=True)
        .values_list("alert_id", flat=True)
    )


def unread_count(*, viewer) -> int:
    """The bell: one query."""
    return Delivery.objects.restrict(viewer).filter(read_at__isnull=True).count()


def alert_evidence(*, viewer, alert: Alert) -> dict:
    """The alert's evidence as `viewer` may see it: the account or phone a fraud alert names
    is personal data, masked (its last digits) for viewers without personal data."""
    e = dict(alert.evidence or {})
    if e.get("identifier") and not scope_for(viewer).personal_data:
        value = str(e["identifier"])
        prefix, colon, number = value.rpartition(":")
        e["identifier"] = f"{prefix}{colon}…{number[-3:]}"
        e["masked"] = True
    return e


def alert_trail(*, viewer, alert: Alert) -> list[AlertAction]:
    return list(AlertAction.objects.restrict(viewer).filter(alert=alert).select_related("actor"))


def subscription_list(*, viewer) -> QuerySet:
    return Subscription.objects.restrict(viewer).select_related("unit", "user")


@dataclass(frozen=True)
class NoiseRow:
    code: str
    name: str
    weeks: list[int]  # alerts raised in each week, oldest first
    median: float
    total: int


def noise_table(
    *, viewer, weeks: int = 8, today: dt.date | None = None
) -> tuple[list[dt.date], list[NoiseRow], float]:
    """Alerts raised per commune in each of the last `weeks` ISO weeks (the current one
    included), for the communes the viewer may see alerts of; and the median over every
    (commune, week) pair of the communes that had at least one alert in the period."""
    today = today or local_date(timezone.now())
    monday = today - dt.timedelta(days=today.weekday())
    mondays = [monday - dt.timedelta(weeks=k) for k in range(weeks - 1, -1, -1)]
    start = timezone.make_aware(dt.datetime.combine(mondays[0], dt.time()))
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * weeks)
    for commune, raised in (
        alert_base(viewer=viewer)
        .filter(raised_at__gte=start, commune__isnull=False)
        .values_list("commune_id", "raised_at")
    ):
        day = timezone.localtime(raised).date()
        index = (day - mondays[0]).days // 7
        if 0 <= index < weeks:
            counts[commune][index] += 1
    names = dict(Commune.objects.filter(code__in=list(counts)).values_list("code", "name"))
    rows = [
        NoiseRow(code, names.get(code, code), values, statistics.median(values), sum(values))
        for code, values in counts.items()
    ]
    rows.sort(key=lambda r: (-r.total, r.name))
    every = [v for r in rows for v in r.weeks]
    return mondays, rows, (statistics.median(every) if every else 0.0)
