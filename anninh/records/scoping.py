"""Who sees which records: the need-to-know rules of the records system, built on the
viewer's scope (anninh.accounts.scoping.scope_for). Every records selector filters with
these, so a commune officer never sees another commune's records by page, API, export,
search or map.

- Commanders and analysts: the whole city.
- Commune officers: records in their commune, and records their unit received, handles or
  is asked to accept.
- Investigators: records their department (and its sub-units) received, handles or is asked
  to accept.
- Fire-and-rescue officers: fire, explosion and rescue incidents across the city.
- Public relations, auditors, administrators: no records.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from anninh.accounts.roles import Role
from anninh.accounts.scoping import scope_for
from anninh.records.models import FIRE_RESCUE_KINDS

NOTHING = Q(pk__in=[])


def _unit_and_commune_q(viewer, *, commune_field: str | None, unit_fields: tuple[str, ...]) -> Q | None:
    scope = scope_for(viewer)
    if scope.nothing:
        return NOTHING
    if scope.city_wide:
        return None
    condition = NOTHING
    if commune_field and scope.commune_codes:
        condition |= Q(**{f"{commune_field}__in": sorted(scope.commune_codes)})
    own_units: set[int] = set(scope.unit_ids)
    if viewer.has_role(Role.COMMUNE_OFFICER) and viewer.unit_id:
        own_units.add(viewer.unit_id)
    for field in unit_fields:
        if own_units:
            condition |= Q(**{f"{field}__in": sorted(own_units)})
    return condition


def report_visibility_q(viewer) -> Q | None:
    """Q for visible crime reports; None means every report."""
    return _unit_and_commune_q(
        viewer, commune_field="commune", unit_fields=("receiving_unit", "handling_unit", "transfer_to")
    )


def incident_visibility_q(viewer, *, prefix: str = "") -> Q | None:
    """Q for visible incidents (prefix e.g. "incident__" to filter cases); None = all."""
    base = _unit_and_commune_q(
        viewer, commune_field=f"{prefix}commune", unit_fields=(f"{prefix}responsible_unit",)
    )
    if base is None:
        return None
    if getattr(viewer, "is_authenticated", False) and viewer.has_role(Role.FIRE_RESCUE):
        base |= Q(**{f"{prefix}kind__in": sorted(FIRE_RESCUE_KINDS)})
    return base


def apply(queryset: QuerySet, condition: Q | None) -> QuerySet:
    return queryset if condition is None else queryset.filter(condition)


def sees_personal_data(viewer) -> bool:
    """Names, identity numbers and phones of people in records: not for analysts unless a
    commander granted it (need-to-know)."""
    return scope_for(viewer).personal_data
