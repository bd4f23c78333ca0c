"""Need-to-know: the one selector pattern that scopes rows to what a viewer may see.

Every record-bearing model declares, beside its fields, which rows a viewer may read:

    class Incident(models.Model):
        objects = RestrictedManager()
        need_to_know = ScopeRule(communes=("commune",), units=("responsible_unit",), also=...)

and every read, match and lookup goes through that one door:

    def incident_list(*, viewer, filters):
        return Incident.objects.restrict(viewer).filter(...)

Pages, API lists, exports, map layers, the person index's de-duplication and imports all go
through it (NetBox's `restrict()`); `tests/test_scoping_door.py` fails when a view, API or
selector module touches a record-bearing model without it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

from django.db import models
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


NOTHING = Q(pk__in=[])


def _resolve(path_or_callable):
    if isinstance(path_or_callable, str):
        module, _dot, name = path_or_callable.rpartition(".")
        return getattr(import_module(module), name)
    return path_or_callable


@dataclass(frozen=True)
class ScopeRule:
    """Which rows of one model a viewer may read: declared once, beside the model, as
    `need_to_know = ScopeRule(...)`, and applied by `Model.objects.restrict(viewer)`.

    - `readers`: the roles that may read this model at all (None: any role).
    - `city_wide`: the roles that read every row (default: commanders and analysts).
    - `communes`: lookups that place a row in a commune (a viewer's commune matches).
    - `units`: lookups that place a row with a police unit (the viewer's unit subtree for
      investigators, and their own unit for commune officers).
    - `also`: more rows, OR'ed in: a callable `(viewer, prefix) -> Q | None` (or its dotted
      path), e.g. fires and rescues for fire-and-rescue officers.
    - `custom`: replaces the commune and unit placement entirely: `(viewer, prefix) -> Q | None`
      (None = every row). For rows placed through other records (a person is seen through the
      reports and incidents that name them).
    A row of a model with a rule and none of these is visible only to `city_wide` roles.
    """

    readers: frozenset[str] | None = None
    city_wide: frozenset[str] = CITY_WIDE_RECORD_ROLES
    communes: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    also: Callable | str | None = None
    custom: Callable | str | None = None

    def q(self, viewer, *, prefix: str = "") -> Q | None:
        """The condition on the model's rows (`prefix` for a join, e.g. "incident__"), or None
        when the viewer reads every row."""
        scope = scope_for(viewer)
        if not scope.authenticated:
            return NOTHING
        roles = viewer.roles
        if self.readers is not None and not roles & self.readers:
            return NOTHING
        if self.custom is not None:
            return _resolve(self.custom)(viewer, prefix)
        if roles & self.city_wide:
            return None
        condition = NOTHING
        if scope.commune_codes:
            codes = sorted(scope.commune_codes)
            for lookup in self.communes:
                condition |= Q(**{f"{prefix}{lookup}__in": codes})
        units = set(scope.unit_ids)
        if Role.COMMUNE_OFFICER in roles and viewer.unit_id:
            units.add(viewer.unit_id)
        if units:
            ids = sorted(units)
            for lookup in self.units:
                condition |= Q(**{f"{prefix}{lookup}__in": ids})
        if self.also is not None:
            extra = _resolve(self.also)(viewer, prefix)
            if extra is not None:
                condition |= extra
        return condition


def rule_of(model) -> ScopeRule:
    rule = getattr(model, "need_to_know", None)
    if not isinstance(rule, ScopeRule):
        raise TypeError(f"{model.__name__} declares no need_to_know ScopeRule")
    return rule


def visible_q(model, viewer, *, prefix: str = "") -> Q | None:
    """The model's rule as a condition, for joins: `Case.objects.filter(visible_q(Incident,
    viewer, prefix="incident__"))`. None means every row."""
    return rule_of(model).q(viewer, prefix=prefix)


class RestrictedQuerySet(QuerySet):
    """The one door to record-bearing rows (NetBox's RestrictedQuerySet): selectors, lookups
    and matches call `.restrict(viewer)`; system code that must see every row (services'
    uniqueness checks, aggregates, demo data) says so with `.unrestricted()`."""

    def restrict(self, viewer, action: str = "view") -> QuerySet:
        if action != "view":  # one action today; writes check permission in their service
            raise ValueError(f"unknown action {action!r}")
        condition = rule_of(self.model).q(viewer)
        return self if condition is None else self.filter(condition)

    def unrestricted(self) -> QuerySet:
        return self.all()


class RestrictedManager(models.Manager.from_queryset(RestrictedQuerySet)):
    pass


def restrict(queryset: QuerySet, viewer) -> QuerySet:
    """`queryset` filtered to the rows `viewer` may read, by its model's declared rule."""
    condition = rule_of(queryset.model).q(viewer)
    return queryset if condition is None else queryset.filter(condition)
