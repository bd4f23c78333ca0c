"""Reading geography. Communes are public reference data: every signed-in user may read all
of them, so these selectors take the viewer (the house pattern) but do not narrow by scope."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from anninh.geo.models import Commune
from anninh.lib.text import fold, vi_sort_key

# People per km²: class breaks of the choropleth (upper bounds; the last class is open).
DENSITY_BREAKS = (500, 1000, 2000, 5000, 10000)

# Columns without the boundary (large JSON), for lists.
LIST_FIELDS = (
    "code",
    "kind",
    "name",
    "name_ascii",
    "sort_key",
    "former_province",
    "former_district",
    "area_km2",
    "population",
    "centroid_lat",
    "centroid_lon",
    "point_lat",
    "point_lon",
    "min_lat",
    "min_lon",
    "max_lat",
    "max_lon",
)


SORTS = {
    "name": _("name"),
    "kind": _("type"),
    "former": _("former district"),
    "area": _("area"),
    "population": _("population"),
    "density": _("density"),
}
DEFAULT_SORT = "name"


def parse_sort(value: str | None) -> tuple[str, bool]:
    """'-population' → ('population', True); unknown values fall back to the name order."""
    value = (value or "").strip()
    descending = value.startswith("-")
    key = value.lstrip("-")
    if key not in SORTS:
        return DEFAULT_SORT, False
    return key, descending


def _search(qs: QuerySet, q: str) -> QuerySet:
    """Folded search: every word of the query must appear in the folded name, or the query
    is the start of an NSO code ("hong bang" finds "Phường Hồng Bàng"; "113" finds 113xx)."""
    q = (q or "").strip()
    if not q:
        return qs
    words = fold(q).split()
    by_name = Q()
    for word in words:
        by_name &= Q(search_key__contains=word)
    by_code = Q(code__startswith=q) if q.isdigit() else Q(pk__in=[])
    return qs.filter(by_name | by_code)


def commune_list(*, viewer, q: str = "", sort: str = DEFAULT_SORT) -> list[Commune]:
    """The communes matching `q`, in the order `sort` names (see SORTS; '-' for descending).
    One query; the boundary column is not read."""
    key, descending = parse_sort(sort)
    qs = _search(Commune.objects.only(*LIST_FIELDS), q).order_by("sort_key", "code")
    rows = list(qs)
    if key == "name":
        if descending:
            rows.reverse()
        return rows
    sort_keys = {
        "kind": lambda c: (c.kind, c.sort_key),
        "former": lambda c: (vi_sort_key(c.former_district), c.sort_key),
        "area": lambda c: (c.area_km2, c.sort_key),
        "population": lambda c: (c.population, c.sort_key),
        "density": lambda c: (c.density or 0.0, c.sort_key),
    }
    return sorted(rows, key=sort_keys[key], reverse=descending)


def commune_get(*, viewer, code: str) -> Commune | None:
    return Commune.objects.filter(pk=code).first()


def commune_police_unit(*, viewer, commune: Commune):
    """The active commune police unit whose territory is this commune, if any."""
    from anninh.org.models import Unit, UnitKind

    return (
        Unit.objects.active().filter(commune=commune, kind=UnitKind.COMMUNE).order_by("-valid_from").first()
    )


def density_class(density: float | None) -> int:
    """Index of the choropleth class (0 … len(DENSITY_BREAKS))."""
    if density is None:
        return 0
    for i, upper in enumerate(DENSITY_BREAKS):
        if density < upper:
            return i
    return len(DENSITY_BREAKS)
