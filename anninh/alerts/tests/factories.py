"""Planting records for the alert rules' tests: incidents written straight to the table (the
rules read the table; the services' checks are tested in the records app)."""

from __future__ import annotations

import datetime as dt
import itertools

from anninh.lib.dates import HCM_TZ
from anninh.records.models import Incident, IncidentOffence, Offence

_seq = itertools.count(1)


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=HCM_TZ)


def plant(
    actor,
    commune: str,
    when: dt.datetime,
    *,
    group: str = "property",
    article: str | None = None,
    premises: str = "street",
    lat: float | None = None,
    lon: float | None = None,
    narrative: str = "",
    number: str = "",
) -> Incident:
    from anninh.org.models import Unit

    unit = Unit.objects.active().filter(code=f"CA{commune}").first() or Unit.objects.active().get(code="CAHP")
    incident = Incident.objects.create(
        number=number or f"T-{next(_seq)}",
        kind="crime",
        occurred_from=when,
        reported_at=when,
        commune_id=commune,
        responsible_unit=unit,
        offence_group=group,
        premises=premises,
        lat=lat,
        lon=lon,
        narrative=narrative,
        created_by=actor,
    )
    if article:
        offence = Offence.objects.filter(article=article).order_by("-valid_from").first()
        IncidentOffence.objects.create(incident=incident, offence=offence, is_main=True)
    return incident


def plant_report(actor, commune: str, when: dt.datetime, *, collector: str = "", number: str = ""):
    """A crime report received at `when` in `commune`, naming `collector` (a normalised key,
    "VCB:0123456789") as the account the victim paid into."""
    from anninh.org.models import Unit
    from anninh.records.models import CrimeReport

    unit = Unit.objects.active().filter(code=f"CA{commune}").first() or Unit.objects.active().get(code="CAHP")
    seq = next(_seq)
    return CrimeReport.objects.create(
        register_number=number or f"TB-{seq}",
        register_year=when.year,
        register_seq=seq,
        receiving_unit=unit,
        handling_unit=unit,
        kind="to_giac",
        channel="in_person",
        received_at=when,
        summary="Bị lừa chuyển khoản.",
        commune_id=commune,
        collector_account=collector,
        created_by=actor,
    )
