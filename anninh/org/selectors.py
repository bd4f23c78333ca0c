"""Reading the police organisation. The structure of the force (units, parents, territories)
is shown to every signed-in user, so these selectors take the viewer (the house pattern) but
do not narrow by scope. Records *owned* by units are scoped elsewhere (accounts.scoping)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet

from anninh.geo.models import CommuneKind
from anninh.lib.text import fold
from anninh.org.models import Unit, UnitKind


def _search(qs: QuerySet, q: str) -> QuerySet:
    """Folded search over code, name, short and English name: every word must appear."""
    for word in fold(q or "").split():
        qs = qs.filter(search_key__contains=word)
    return qs


def unit_list(
    *,
    viewer,
    kind: str | None = None,
    q: str = "",
    commune: str | None = None,
    active: bool = True,
    on: dt.date | None = None,
) -> QuerySet[Unit]:
    """Units active today (or every unit, closed ones included, with active=False), optionally
    of one kind, in one commune, or matching a folded search. Parent and territory come in the
    same query."""
    qs = Unit.objects.active(on) if active else Unit.objects.all()
    if kind:
        qs = qs.filter(kind=kind)
    if commune:
        qs = qs.filter(commune_id=commune)
    qs = _search(qs, q)
    return qs.select_related("parent", "commune").order_by("kind", "sort_key", "code")


@dataclass
class CommuneGroup:
    kind: str
    label: str
    units: list[Unit] = field(default_factory=list)


@dataclass
class UnitTree:
    """City police → departments, and commune police grouped by the type of their commune."""

    city: list[Unit]
    departments: list[Unit]
    commune_groups: list[CommuneGroup]
    others: list[Unit]
    count: int


def unit_tree(*, viewer, q: str = "") -> UnitTree:
    """The active units as a tree for the units page (one query)."""
    units = list(
        _search(Unit.objects.active(), q).select_related("parent", "commune").order_by("sort_key", "code")
    )
    city = [u for u in units if u.kind == UnitKind.CITY]
    departments = sorted((u for u in units if u.kind == UnitKind.DEPARTMENT), key=lambda u: u.code)
    groups = [CommuneGroup(kind, str(label)) for kind, label in CommuneKind.choices]
    by_kind = {g.kind: g for g in groups}
    others = []
    for unit in units:
        if unit.kind != UnitKind.COMMUNE:
            continue
        group = by_kind.get(unit.commune.kind) if unit.commune_id else None
        if group is None:
            others.append(unit)
        else:
            group.units.append(unit)
    return UnitTree(
        city=city,
        departments=departments,
        commune_groups=[g for g in groups if g.units],
        others=others,
        count=len(units),
    )


def unit_get(*, viewer, pk: int) -> Unit | None:
    """One unit, active or not (closed units keep their page: records still point at them)."""
    return Unit.objects.select_related("parent", "commune").filter(pk=pk).first()


def unit_children(*, viewer, unit: Unit) -> list[Unit]:
    return list(
        Unit.objects.active()
        .filter(parent=unit)
        .select_related("commune")
        .order_by("kind", "sort_key", "code")
    )


def unit_member_count(*, viewer, unit: Unit) -> int:
    """Active user accounts attached to the unit (a number, no names)."""
    return unit.members.filter(is_active=True).count()
