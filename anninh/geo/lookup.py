"""Point-to-unit lookup and the map layer of all communes, from an in-memory index.

`commune_at(lat, lon)` answers "which commune is this point in?" without a spatial database:
the 114 boundaries are read once per process, projected to a local flat plane in metres,
prepared (GEOS prepared geometries make point-in-polygon tests fast) and put in a shapely
STRtree. The index is rebuilt lazily after `invalidate()`, which the loader calls (and which
saving or deleting a Commune triggers; see apps.py). Other processes keep their index until
they restart: boundaries change once in years, with a deployment.

Rules:

1. A point inside (or on the border of) a unit maps to that unit. Units form a partition
   (overlaps removed by the loader), so there is at most one, except on a shared border,
   where the lowest code wins.
2. The boundaries are simplified, so neighbours leave thin gaps between them and coastlines
   are approximate. A point inside no unit but within `GAP_TOLERANCE_M` (200 m) of one or
   more units maps to the nearest of them (lowest code on a tie).
3. On the water (`on_water=True`: a rescue or fire at sea or on a river, see
   `anninh.records.services.incidents`), a point inside no unit maps to the nearest unit
   within `WATER_LIMIT_M`, 12 nautical miles (22,224 m, the breadth of the territorial sea):
   the commune whose water it is, so that fire and rescue figures by commune include it.
   Applied only to incidents on water, so that a point on land in a neighbouring province
   never becomes Hai Phong's.
4. Anything else is outside the city: None.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely

from anninh.geo import geometry

GAP_TOLERANCE_M = 200.0
#: How far from a commune's boundary water still counts as that commune's (rule 3): 12 nautical miles.
WATER_LIMIT_M = 12 * 1852.0


@dataclass(frozen=True)
class _Index:
    codes: list[str]
    names: dict[str, str]
    geoms: np.ndarray  # prepared geometries in metres, same order as codes
    tree: shapely.STRtree


_lock = threading.Lock()
_index: _Index | None = None
_geojson: dict[str, Any] | None = None
_geojson_bytes: bytes | None = None


def invalidate() -> None:
    """Forget the cached index and map layer; the next call rebuilds them."""
    global _index, _geojson, _geojson_bytes
    with _lock:
        _index = None
        _geojson = None
        _geojson_bytes = None


def _build_index() -> _Index:
    from anninh.geo.models import Commune

    rows = list(Commune.objects.order_by("code").values_list("code", "name", "boundary"))
    codes = [code for code, _, _ in rows]
    geoms = np.array([geometry.to_metres(geometry.from_geojson(b)) for _, _, b in rows], dtype=object)
    shapely.prepare(geoms)
    return _Index(
        codes=codes,
        names={code: name for code, name, _ in rows},
        geoms=geoms,
        tree=shapely.STRtree(geoms),
    )


def _get_index() -> _Index:
    global _index
    index = _index
    if index is None:
        with _lock:
            if _index is None:
                _index = _build_index()
            index = _index
    return index


def commune_geometries() -> tuple[list[str], np.ndarray]:
    """The NSO codes (sorted) and boundaries in metres (geometry.to_metres) of every commune."""
    index = _get_index()
    return index.codes, index.geoms


def commune_at(lat: float, lon: float, *, on_water: bool = False) -> str | None:
    """NSO code of the commune containing the point (WGS84 degrees), or None outside the city.
    With `on_water`, a point at sea or on a river maps to the nearest commune within
    WATER_LIMIT_M (rule 3 of the module's docstring)."""
    index = _get_index()
    if not index.codes:
        return None
    x, y = geometry.project_point(lat, lon)
    point = shapely.Point(x, y)
    candidates = index.tree.query(point)
    if len(candidates):
        hits = candidates[shapely.intersects_xy(index.geoms[candidates], x, y)]
        if len(hits):
            return min(index.codes[i] for i in hits)
    nearest, distances = index.tree.query_nearest(
        point,
        max_distance=WATER_LIMIT_M if on_water else GAP_TOLERANCE_M,
        return_distance=True,
        all_matches=True,
    )
    if not len(nearest):
        return None
    best = float(distances.min())
    return min(index.codes[i] for i, d in zip(nearest, distances, strict=True) if d <= best)


def commune_name(code: str | None) -> str | None:
    """Name of a commune by code, from the index (no query once built)."""
    if code is None:
        return None
    return _get_index().names.get(code)


def communes_geojson() -> dict[str, Any]:
    """FeatureCollection of every commune (properties: code, name, kind, population, area,
    density in people per km²), cached until the next invalidate()."""
    global _geojson
    data = _geojson
    if data is None:
        data = _build_geojson()
        with _lock:
            _geojson = data
    return data


def communes_geojson_bytes() -> bytes:
    """The same FeatureCollection, serialised once."""
    global _geojson_bytes
    data = _geojson_bytes
    if data is None:
        data = json.dumps(communes_geojson(), ensure_ascii=False, separators=(",", ":")).encode()
        with _lock:
            _geojson_bytes = data
    return data


def feature(commune) -> dict[str, Any]:
    """One commune as a GeoJSON Feature (used by the map layer and by single-unit maps)."""
    density = commune.population / commune.area_km2 if commune.area_km2 else None
    return {
        "type": "Feature",
        "id": commune.code,
        "geometry": commune.boundary,
        "properties": {
            "code": commune.code,
            "name": commune.name,
            "kind": commune.kind,
            "population": commune.population,
            "area": commune.area_km2,
            "density": round(density, 1) if density is not None else None,
        },
    }


def _build_geojson() -> dict[str, Any]:
    from anninh.geo.models import Commune

    communes = Commune.objects.order_by("code").only(
        "code", "name", "kind", "population", "area_km2", "boundary"
    )
    return {"type": "FeatureCollection", "features": [feature(c) for c in communes]}
