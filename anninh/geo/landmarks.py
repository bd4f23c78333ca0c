"""The landmark gazetteer: reading a deployment's file of named places (CSV or GeoJSON points,
e.g. an OpenStreetMap extract), and the landmarks near a point.

A row is refused (and nothing is written) when it is malformed: no name, a latitude or
longitude that is not a number, an unknown kind. A well-formed point outside Hai Phong's
communes is not an error but not a landmark of ours either: it is skipped and counted, as real
extracts always hold a few. Loading is idempotent: a place (name, latitude, longitude) already
there is left alone.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from anninh.geo import lookup
from anninh.geo.models import Landmark, LandmarkKind

#: OpenStreetMap tags that mark a point on a street rather than a place.
STREET_TAGS = ("highway", "addr:street")


@dataclass
class LandmarkLoad:
    created: int = 0
    unchanged: int = 0
    outside: int = 0  # well-formed, but in no commune of the city
    problems: list[tuple[int, str]] = field(default_factory=list)  # (row number, message)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def _rows_from_file(path: Path) -> Iterable[tuple[int, dict]]:
    text = path.read_bytes().decode("utf-8-sig")
    if path.suffix.lower() in (".geojson", ".json"):
        data = json.loads(text)
        for number, feature in enumerate(data.get("features", []), start=1):
            props = dict(feature.get("properties") or {})
            geom = feature.get("geometry") or {}
            coords = geom.get("coordinates") if geom.get("type") == "Point" else None
            row = {
                "name": props.get("name") or props.get("name:vi") or "",
                "lat": coords[1] if coords and len(coords) >= 2 else "",
                "lon": coords[0] if coords and len(coords) >= 2 else "",
                "kind": props.get("kind")
                or (LandmarkKind.STREET if any(t in props for t in STREET_TAGS) else LandmarkKind.LANDMARK),
            }
            yield number, row
        return
    for number, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):  # row 1: header
        yield number, {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}


def _number(value) -> float | None:
    try:
        number = float(str(value).replace(",", ".")) if not isinstance(value, (int, float)) else float(value)
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def landmarks_load(path: Path, *, source: str = "", dry_run: bool = False) -> LandmarkLoad:
    """Read the gazetteer file at `path` and add its new places (see the module docstring)."""
    result = LandmarkLoad(dry_run=dry_run)
    source = source or path.name
    new: list[Landmark] = []
    existing = set(Landmark.objects.values_list("name", "lat", "lon"))
    seen: set[tuple[str, float, float]] = set()
    for number, row in _rows_from_file(path):
        name = str(row.get("name") or "").strip()
        lat, lon = _number(row.get("lat", "")), _number(row.get("lon", ""))
        kind = str(row.get("kind") or LandmarkKind.LANDMARK).strip().lower()
        if not name:
            result.problems.append((number, _("no name")))
            continue
        if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            result.problems.append((number, _("the latitude and longitude must be numbers in degrees")))
            continue
        if kind not in LandmarkKind.values:
            result.problems.append(
                (number, _("unknown kind “%(kind)s” (landmark or street)") % {"kind": kind})
            )
            continue
        code = lookup.commune_at(lat, lon)
        if code is None:
            result.outside += 1
            continue
        key = (name[:200], lat, lon)
        if key in existing or key in seen:
            result.unchanged += 1
            continue
        seen.add(key)
        new.append(
            Landmark(name=name[:200], kind=kind, lat=lat, lon=lon, commune_id=code, source=source[:200])
        )
    if result.problems:
        return result
    result.created = len(new)  # with dry_run: how many would be added
    if not dry_run:
        with transaction.atomic():
            Landmark.objects.bulk_create(new, batch_size=1000)
    return result


def landmarks_near(lat_min: float, lat_max: float, lon_min: float, lon_max: float, margin_deg: float = 0.005):
    """The landmarks within a box (plus a margin of about 500 m), for naming the cells of one
    page without one query per cell."""
    return list(
        Landmark.objects.filter(
            lat__gte=lat_min - margin_deg,
            lat__lte=lat_max + margin_deg,
            lon__gte=lon_min - margin_deg,
            lon__lte=lon_max + margin_deg,
        ).only("name", "lat", "lon")
    )
