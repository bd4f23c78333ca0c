"""Reading arrests and wanted notices, always scoped to the viewer (`restrict`). The lists
take the filters the campaign dashboard's numbers open (unit, communes, days, basis)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from anninh.enforcement.models import CAUGHT_STATUSES, Arrest, WantedPerson
from anninh.lib.dates import local_day_bounds
from anninh.records.scoping import sees_personal_data

__all__ = ["EnforcementFilters", "arrest_list", "sees_personal_data", "wanted_list"]


@dataclass(frozen=True)
class EnforcementFilters:
    unit_id: int | None = None
    communes: tuple[str, ...] = ()
    date_from: dt.date | None = None  # local days, inclusive
    date_to: dt.date | None = None
    basis: str = ""
    status: str = ""  # wanted notices; "caught" means caught or surrendered
    synthetic: bool | None = None


def arrest_list(*, viewer, filters: EnforcementFilters | None = None) -> QuerySet:
    f = filters or EnforcementFilters()
    qs = Arrest.objects.restrict(viewer)
    if f.unit_id:
        qs = qs.filter(unit_id=f.unit_id)
    if f.communes:
        qs = qs.filter(commune_id__in=f.communes)
    if f.date_from:
        qs = qs.filter(arrested_at__gte=local_day_bounds(f.date_from)[0])
    if f.date_to:
        qs = qs.filter(arrested_at__lt=local_day_bounds(f.date_to)[1])
    if f.basis:
        qs = qs.filter(basis=f.basis)
    if f.synthetic is not None:
        qs = qs.filter(is_synthetic=f.synthetic)
    return qs.select_related("person", "commune", "unit", "case", "wanted").order_by("-arrested_at", "-id")


def wanted_list(*, viewer, filters: EnforcementFilters | None = None) -> QuerySet:
    """Wanted notices; with dates, those caught (or surrendered) on those days, by `unit_id`
    as the capturing unit: what the campaign's "wanted persons caught" counts."""
    f = filters or EnforcementFilters()
    qs = WantedPerson.objects.restrict(viewer)
    caught = f.status == "caught" or f.date_from or f.date_to
    if caught:
        qs = qs.filter(status__in=CAUGHT_STATUSES)
    elif f.status:
        qs = qs.filter(status=f.status)
    if f.unit_id:
        qs = qs.filter(caught_by_id=f.unit_id) if caught else qs.filter(unit_id=f.unit_id)
    if f.communes:
        qs = qs.filter(commune_id__in=f.communes)
    if f.date_from:
        qs = qs.filter(caught_on__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(caught_on__lte=f.date_to)
    if f.synthetic is not None:
        qs = qs.filter(is_synthetic=f.synthetic)
    return qs.select_related("person", "commune", "unit", "caught_by", "offence").order_by(
        "-issued_on", "-id"
    )
