"""Reading the geography source files and turning their boundaries into a clean partition.

Pure functions (no Django): the loader in `anninh.geo.services` and the tests call them.

The boundary file (see data/SOURCES.md) is a simplified map: a few rings cross themselves and
neighbouring units overlap along shared borders (up to ~0.7 % of a unit's area). We repair
each unit with shapely's `make_valid`, then remove the overlaps so that the 114 units form a
partition: units are processed in ascending NSO code order and each gives up whatever an
earlier unit (lower code) already covers. The rule is arbitrary but stable, so loading twice
gives the same shapes. Simplification also leaves thin gaps between neighbours; those are
handled at lookup time (see `anninh.geo.lookup`).
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping
from shapely.geometry.base import BaseGeometry

DATA_DIR = Path(__file__).resolve().parent / "data"
UNITS_CSV = DATA_DIR / "haiphong-units-2025.csv"
BOUNDARIES_JSON = DATA_DIR / "haiphong-wards-2025.json"

# Precision grid for stored coordinates, in degrees (1e-7° is about 1 cm).
GRID = 1e-7
# Polygon parts smaller than this (deg², about 12 m²) are slivers left by overlap removal.
MIN_PART_AREA = 1e-9

KIND_BY_TYPE = {"phường": "phuong", "xã": "xa", "đặc khu": "dac_khu"}
PROVINCE_BY_PREFIX = {"HP": "Hải Phòng", "HD": "Hải Dương"}

# Local flat projection (equirectangular around the city centre), for distances in metres.
EARTH_RADIUS_M = 6_371_008.8
ORIGIN_LAT = 20.85
ORIGIN_LON = 106.6
_M_PER_DEG_LAT = math.pi * EARTH_RADIUS_M / 180
_M_PER_DEG_LON = _M_PER_DEG_LAT * math.cos(math.radians(ORIGIN_LAT))


@dataclass(frozen=True)
class UnitRow:
    """One line of the units CSV."""

    code: str
    kind: str
    name: str
    name_ascii: str
    former_province: str
    former_district: str
    lat: float
    lon: float
    area_km2: float
    population: int


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def parse_former(former: str) -> tuple[str, str]:
    """'HD: H. Kim Thành, TX Kinh Môn' → ('Hải Dương', 'H. Kim Thành, TX Kinh Môn')."""
    prefix, sep, rest = former.partition(":")
    if not sep:
        return "", former.strip()
    provinces = [PROVINCE_BY_PREFIX.get(p.strip(), p.strip()) for p in prefix.split("/")]
    return ", ".join(provinces), rest.strip()


def read_units(path: Path = UNITS_CSV) -> list[UnitRow]:
    rows = []
    with path.open(encoding="utf-8", newline="") as fh:
        for raw in csv.DictReader(fh):
            province, district = parse_former(raw["former"])
            rows.append(
                UnitRow(
                    code=raw["nso_code"].strip(),
                    kind=KIND_BY_TYPE[raw["type"].strip()],
                    name=raw["name_vi"].strip(),
                    name_ascii=raw["name_ascii"].strip(),
                    former_province=province,
                    former_district=district,
                    lat=float(raw["lat"]),
                    lon=float(raw["lon"]),
                    area_km2=float(raw["area_km2"]),
                    population=int(raw["population"]),
                )
            )
    return rows


def read_rings(path: Path = BOUNDARIES_JSON) -> dict[str, list[list[list[float]]]]:
    """{NSO code: [ring, ...]}; each ring is one multipolygon part ([lon, lat] pairs)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {str(w["id"]): w["polygons"] for w in data["wards"]}


def polygonal(geom: BaseGeometry, *, min_area: float = 0.0) -> MultiPolygon:
    """The polygon parts of any geometry (make_valid and overlay operations may add lines
    and points), dropping parts smaller than `min_area`."""
    parts: list[Polygon] = []
    for part in shapely.get_parts(geom):
        if isinstance(part, Polygon):
            if not part.is_empty and part.area > min_area:
                parts.append(part)
        elif isinstance(part, MultiPolygon) or part.geom_type == "GeometryCollection":
            parts.extend(polygonal(part, min_area=min_area).geoms)
    return MultiPolygon(parts)


def repair(rings: Iterable[list[list[float]]]) -> MultiPolygon:
    """One valid (Multi)Polygon from a unit's rings: each ring repaired on its own with
    make_valid, then all parts unioned (parts that overlap are merged, never XOR-ed)."""
    parts = [shapely.make_valid(Polygon(ring)) for ring in rings if len(ring) >= 4]
    merged = shapely.union_all(parts, grid_size=GRID)
    return polygonal(merged)


def partition(shapes: dict[str, BaseGeometry]) -> dict[str, MultiPolygon]:
    """Remove overlaps: in ascending code order, each unit loses what earlier units cover."""
    codes = sorted(shapes)
    done: dict[str, MultiPolygon] = {}
    done_codes: list[str] = []
    done_geoms: list[BaseGeometry] = []
    for code in codes:
        geom = shapes[code]
        if done_geoms:
            tree = shapely.STRtree(done_geoms)
            neighbours = [done_geoms[i] for i in tree.query(geom, predicate="intersects")]
            if neighbours:
                geom = shapely.difference(geom, shapely.union_all(neighbours, grid_size=GRID), grid_size=GRID)
        result = polygonal(geom, min_area=MIN_PART_AREA)
        result = shapely.orient_polygons(result)  # RFC 7946: exterior rings counter-clockwise
        done[code] = result
        done_codes.append(code)
        done_geoms.append(result)
    return done


def _round_coords(value: Any) -> Any:
    if isinstance(value, list | tuple):
        if value and isinstance(value[0], float | int):
            return [round(float(v), 7) for v in value]
        return [_round_coords(v) for v in value]
    return value


def to_geojson(geom: MultiPolygon) -> dict[str, Any]:
    """GeoJSON MultiPolygon with plain lists and coordinates rounded to the storage grid."""
    data = mapping(geom)
    return {"type": "MultiPolygon", "coordinates": _round_coords(list(data["coordinates"]))}


def from_geojson(data: dict[str, Any]) -> BaseGeometry:
    return shapely.geometry.shape(data)


def to_metres(geom: BaseGeometry) -> BaseGeometry:
    """Project lon/lat to the local flat plane (metres east/north of the city origin)."""
    return shapely.transform(geom, lambda xy: _project_array(xy))


def to_metres_xy(lon, lat):
    """Arrays of lon/lat degrees to arrays of metres east/north of the city origin."""
    import numpy as np

    return (np.asarray(lon, float) - ORIGIN_LON) * _M_PER_DEG_LON, (
        np.asarray(lat, float) - ORIGIN_LAT
    ) * _M_PER_DEG_LAT


def to_degrees_xy(x, y):
    """The inverse of to_metres_xy: arrays of metres to arrays of (lon, lat) degrees."""
    import numpy as np

    return np.asarray(x, float) / _M_PER_DEG_LON + ORIGIN_LON, np.asarray(
        y, float
    ) / _M_PER_DEG_LAT + ORIGIN_LAT


def _project_array(xy):
    out = xy.copy()
    out[:, 0] = (xy[:, 0] - ORIGIN_LON) * _M_PER_DEG_LON
    out[:, 1] = (xy[:, 1] - ORIGIN_LAT) * _M_PER_DEG_LAT
    return out


def project_point(lat: float, lon: float) -> tuple[float, float]:
    return (lon - ORIGIN_LON) * _M_PER_DEG_LON, (lat - ORIGIN_LAT) * _M_PER_DEG_LAT


def area_km2(geom: BaseGeometry) -> float:
    return to_metres(geom).area / 1e6


@dataclass(frozen=True)
class PreparedUnit:
    """A unit's cleaned geometry and the derived facts the loader stores."""

    row: UnitRow
    boundary: dict[str, Any]
    point_lat: float
    point_lon: float
    min_lat: float
    min_lon: float
    max_lat: float
    max_lon: float


def prepare_units(units_csv: Path = UNITS_CSV, boundaries_json: Path = BOUNDARIES_JSON) -> list[PreparedUnit]:
    """Read both files and return every unit with its cleaned boundary, in code order."""
    rows = {r.code: r for r in read_units(units_csv)}
    rings = read_rings(boundaries_json)
    missing = sorted(set(rows) ^ set(rings))
    if missing:
        raise ValueError(f"units and boundaries disagree on codes: {missing}")
    parts = partition({code: repair(rings[code]) for code in rows})
    prepared = []
    for code in sorted(rows):
        geom = parts[code]
        if geom.is_empty:
            raise ValueError(f"unit {code} has no area left after repair")
        boundary = to_geojson(geom)
        stored = from_geojson(boundary)  # derive facts from exactly what is stored
        point = shapely.point_on_surface(stored)
        min_lon, min_lat, max_lon, max_lat = stored.bounds
        prepared.append(
            PreparedUnit(
                row=rows[code],
                boundary=boundary,
                point_lat=round(point.y, 7),
                point_lon=round(point.x, 7),
                min_lat=min_lat,
                min_lon=min_lon,
                max_lat=max_lat,
                max_lon=max_lon,
            )
        )
    return prepared


_prepared: dict[tuple[str, str], list[PreparedUnit]] = {}


def prepare_units_cached() -> list[PreparedUnit]:
    """`prepare_units()` of the files in data/, memoised on their content (sha256): repeated
    loads in one process (tests, a migration then the command) repair the geometry once."""
    key = (sha256_of(UNITS_CSV), sha256_of(BOUNDARIES_JSON))
    if key not in _prepared:
        _prepared.clear()
        _prepared[key] = prepare_units()
    return _prepared[key]
