"""Writing geography: the loader of the 114 commune-level units.

The loader is idempotent: it matches rows on the NSO code, updates in place what changed,
creates what is missing, and never deletes (police units and records point at communes;
a code that disappears from the source is reported as stale, not removed). It is called by
the data migration `geo/0002_load_communes` (with the migration's historical model) and by
`manage.py load_geography`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from anninh.geo import geometry
from anninh.lib.text import fold, normalize

# progress(iterable, total) -> iterable: the management command passes a progress bar.
Progress = Callable[[Iterable[Any], int], Iterable[Any]]

FIELDS = (
    "kind",
    "name",
    "name_ascii",
    "search_key",
    "sort_key",
    "former_province",
    "former_district",
    "area_km2",
    "population",
    "boundary",
    "centroid_lat",
    "centroid_lon",
    "point_lat",
    "point_lon",
    "min_lat",
    "min_lon",
    "max_lat",
    "max_lon",
)


@dataclass
class LoadResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    stale: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": self.unchanged,
            "stale": self.stale,
        }


def commune_values(unit: geometry.PreparedUnit) -> dict[str, Any]:
    """The stored field values of one prepared unit."""
    from anninh.geo.collation import name_sort_key

    row = unit.row
    name = normalize(row.name)
    return {
        "kind": row.kind,
        "name": name,
        "name_ascii": row.name_ascii,
        "search_key": fold(name)[:120],
        "sort_key": name_sort_key(name),
        "former_province": row.former_province,
        "former_district": normalize(row.former_district),
        "area_km2": row.area_km2,
        "population": row.population,
        "boundary": unit.boundary,
        "centroid_lat": row.lat,
        "centroid_lon": row.lon,
        "point_lat": unit.point_lat,
        "point_lon": unit.point_lon,
        "min_lat": unit.min_lat,
        "min_lon": unit.min_lon,
        "max_lat": unit.max_lat,
        "max_lon": unit.max_lon,
    }


def load_communes(
    model=None,
    *,
    actor=None,
    audit: bool = True,
    progress: Progress | None = None,
    using: str = "default",
    units: list[geometry.PreparedUnit] | None = None,
) -> LoadResult:
    """Create or update the communes from the files in anninh/geo/data.

    `model` is the Commune class (the migration passes its historical model). `audit=False`
    is for the data migration, which runs before the audit chain may be written; the command
    records one audit row summarising the load, in the same transaction.
    """
    if model is None:
        from anninh.geo.models import Commune as model
    if units is None:
        units = geometry.prepare_units_cached()
    result = LoadResult()
    manager = model._default_manager.db_manager(using)
    with transaction.atomic(using=using):
        existing = {c.code: c for c in manager.all()}
        iterable: Iterable[geometry.PreparedUnit] = units
        if progress is not None:
            iterable = progress(units, len(units))
        for unit in iterable:
            code = unit.row.code
            values = commune_values(unit)
            row = existing.get(code)
            if row is None:
                manager.create(code=code, **values)
                result.created.append(code)
                continue
            changed = [name for name in FIELDS if getattr(row, name) != values[name]]
            if not changed:
                result.unchanged += 1
                continue
            for name in changed:
                setattr(row, name, values[name])
            row.save(using=using, update_fields=changed)
            result.updated.append(code)
        result.stale = sorted(set(existing) - {u.row.code for u in units})
        if audit and result.changed:
            from anninh.audit.models import AuditAction
            from anninh.audit.services import audit_record

            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                object_type="geo.commune",
                object_repr="load_geography",
                extra={
                    **result.as_dict(),
                    "sources": {
                        p.name: geometry.sha256_of(p) for p in (geometry.UNITS_CSV, geometry.BOUNDARIES_JSON)
                    },
                },
            )
        transaction.on_commit(_invalidate_caches, using=using)
    _invalidate_caches()
    return result


def _invalidate_caches() -> None:
    from anninh.geo import lookup

    lookup.invalidate()
