"""Need-to-know: the one selector pattern that scopes rows to what a viewer may see.

Every selector that returns records calls `restrict()` with the names of the fields that
place a row in a commune and in a unit. Pages, API lists, exports and map layers all go
through selectors, so the rule lives here and nowhere else (NetBox's `restrict()`).

    def incident_list(*, viewer, filters):
        qs = Incident.objects.all()
        return restrict(qs, viewer, commune_field="commune", unit_field="responsible_unit")
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from anninh.accounts.roles import CITY_WIDE_RECORD_ROLES, PERSONAL_DATA_ROLES, Role


@dataclass(frozen=True)
class Scope:
    """What one viewer may read. `city_wide` wins; otherwise the union of the sets."""

    authenticated: bool
    city_wide: bool = False
    commune_codes: frozenset[str] = frozenset()
    unit_ids: frozenset[int] = frozenset()
    personal_data: bool = False

    @property
    def nothing(self) -> bool:
        return not self.authenticated or not (self.city_wide or self.commune_codes or self.unit_ids)


def unit_subtree_ids(unit_id: int) -> frozenset[int]:
    """The unit and every unit below it (departments own their teams' records)."""
    from anninh.org.models import Unit

    ids = {unit_id}
    frontier = {unit_id}
    while frontier:
        frontier = set(Unit.objects.filter(parent_id__in=frontier).values_list("id", flat=True)) - ids
        ids |= frontier
    return frozenset(ids)


def scope_for(viewer) -> Scope:
    """Compute (once per request object) what `viewer` may read."""
    if viewer is None or not getattr(viewer, "is_authenticated", False) or not viewer.is_active:
        return Scope(authenticated=False)
    cached = getattr(viewer, "_scope_cache", None)
    if cached is not None:
        return cached
    roles = viewer.roles
    city_wide = bool(roles & CITY_WIDE_RECORD_ROLES)
    communes: set[str] = set()
    units: set[int] = set()
    unit = viewer.unit if viewer.unit_id else None
    if Role.COMMUNE_OFFICER in roles and unit is not None and unit.commune_id:
        communes.add(unit.commune_id)
    if Role.INVESTIGATOR in roles and unit is not None:
        units |= unit_subtree_ids(unit.pk)
    personal = bool(roles & PERSONAL_DATA_ROLES) or (Role.ANALYST in roles and viewer.personal_data_granted)
    scope = Scope(
        authenticated=True,
        city_wide=city_wide,
        commune_codes=frozenset(communes),
        unit_ids=frozenset(units),
        personal_data=personal,
    )
    viewer._scope_cache = scope
    return scope


def restrict(
    queryset: QuerySet,
    viewer,
    *,
    commune_field: str | None = None,
    unit_field: str | None = None,
) -> QuerySet:
    """Filter `queryset` to the rows `viewer` may read.

    A row is visible when the viewer is city-wide, or its commune is the viewer's commune,
    or its unit is in the viewer's unit subtree. A model that has neither field is visible
    only city-wide.
    """
    scope = scope_for(viewer)
    if scope.nothing:
        return queryset.none()
    if scope.city_wide:
        return queryset
    condition = Q(pk__in=[])
    if commune_field and scope.commune_codes:
        condition |= Q(**{f"{commune_field}__in": sorted(scope.commune_codes)})
    if unit_field and scope.unit_ids:
        condition |= Q(**{f"{unit_field}__in": sorted(scope.unit_ids)})
    return queryset.filter(condition)
