"""Writing the police organisation: the seed loader of units.

`load_units` creates the City Police, its departments (anninh/org/data/units-2025.csv) and one
commune police unit per commune (code `CA<NSO code>`, named "Công an " + the commune's name).
It is idempotent: a unit is matched on its code (the newest row of that code), its seeded
fields are updated in place when they differ, and a missing unit is created. A unit an
administrator has closed (valid_to in the past) is left closed: the loader never reopens or
duplicates it. Nothing is deleted. Called by the data migration `org/0002_load_units` (with
historical models) and by `manage.py load_units`.

Edits by administrators go through the Django admin (audited by AuditedAdminMixin).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from anninh.org.models import unit_keys

SEED_CSV = Path(__file__).resolve().parent / "data" / "units-2025.csv"
CITY_CODE = "CAHP"

Progress = Callable[[Iterable[Any], int], Iterable[Any]]

_PREFIXES = (
    # (Vietnamese prefix of the commune name, ASCII prefix, English kind)
    ("Phường ", "Phuong ", "Ward"),
    ("Xã ", "Xa ", "Commune"),
    ("Đặc khu ", "Dac khu ", "Special Zone"),
)

SEEDED_FIELDS = ("name", "name_en", "short_name", "kind", "parent_id", "commune_id", "sort_key", "search_key")


@dataclass(frozen=True)
class UnitSpec:
    code: str
    kind: str
    parent_code: str | None
    name: str
    name_en: str
    short_name: str
    commune_code: str | None = None


@dataclass
class LoadResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    closed: list[str] = field(default_factory=list)  # closed by an administrator: left alone

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": self.unchanged,
            "closed": self.closed,
        }


def read_seed(path: Path = SEED_CSV) -> list[UnitSpec]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            UnitSpec(
                code=r["code"].strip(),
                kind=r["kind"].strip(),
                parent_code=r["parent"].strip() or None,
                name=r["name"].strip(),
                name_en=r["name_en"].strip(),
                short_name=r["short_name"].strip(),
            )
            for r in csv.DictReader(fh)
        ]


def commune_unit_spec(code: str, name: str, name_ascii: str) -> UnitSpec:
    """The commune police unit of one commune: 11311 "Phường Hồng Bàng" → CA11311
    "Công an phường Hồng Bàng", "Hong Bang Ward Police". Inside a unit's name the generic word
    (phường, xã, đặc khu) is written in lower case, as Vietnamese administrative usage does."""
    unit_name = name
    for vi_prefix, _ascii, _kind in _PREFIXES:
        if name.startswith(vi_prefix):
            unit_name = vi_prefix.lower() + name[len(vi_prefix) :]
            break
    english = f"{name_ascii} Police"
    for _vi, ascii_prefix, kind_en in _PREFIXES:
        if name_ascii.startswith(ascii_prefix):
            english = f"{name_ascii[len(ascii_prefix) :]} {kind_en} Police"
            break
    return UnitSpec(
        code=f"CA{code}",
        kind="commune",
        parent_code=CITY_CODE,
        name=f"Công an {unit_name}",
        name_en=english,
        short_name=f"CA {unit_name}",
        commune_code=code,
    )


def load_units(
    unit_model=None,
    commune_model=None,
    *,
    actor=None,
    audit: bool = True,
    progress: Progress | None = None,
    using: str = "default",
) -> LoadResult:
    """Create or update the seeded police units. Needs the communes loaded first."""
    if unit_model is None:
        from anninh.org.models import Unit as unit_model
    if commune_model is None:
        from anninh.geo.models import Commune as commune_model
    units = unit_model._default_manager.db_manager(using)
    communes = commune_model._default_manager.db_manager(using)
    specs = read_seed()
    specs += [
        commune_unit_spec(code, name, name_ascii)
        for code, name, name_ascii in communes.order_by("code").values_list("code", "name", "name_ascii")
    ]
    today = timezone.localdate()
    result = LoadResult()
    with transaction.atomic(using=using):
        newest: dict[str, Any] = {}
        for unit in units.order_by("code", "valid_from"):
            newest[unit.code] = unit  # the last row of a code is its newest
        iterable: Iterable[UnitSpec] = specs
        if progress is not None:
            iterable = progress(specs, len(specs))
        for spec in iterable:
            parent = newest.get(spec.parent_code) if spec.parent_code else None
            if spec.parent_code and parent is None:
                raise ValueError(f"unit {spec.code}: parent {spec.parent_code} is not loaded")
            sort_key, search_key = unit_keys(spec.code, spec.name, spec.short_name, spec.name_en)
            values = {
                "name": spec.name,
                "name_en": spec.name_en,
                "short_name": spec.short_name,
                "kind": spec.kind,
                "parent_id": parent.pk if parent else None,
                "commune_id": spec.commune_code,
                "sort_key": sort_key,
                "search_key": search_key,
            }
            row = newest.get(spec.code)
            if row is None:
                newest[spec.code] = units.create(code=spec.code, **values)
                result.created.append(spec.code)
                continue
            if row.valid_to is not None and row.valid_to < today:
                result.closed.append(spec.code)
                continue
            changed = [name for name in SEEDED_FIELDS if getattr(row, name) != values[name]]
            if not changed:
                result.unchanged += 1
                continue
            for name in changed:
                setattr(row, name, values[name])
            row.save(using=using, update_fields=changed)
            result.updated.append(spec.code)
        if audit and result.changed:
            from anninh.audit.models import AuditAction
            from anninh.audit.services import audit_record

            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                object_type="org.unit",
                object_repr="load_units",
                extra=result.as_dict(),
            )
    return result
