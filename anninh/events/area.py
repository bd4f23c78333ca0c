"""The area of an event as pure functions (no Django): distances from venues (points or
polygons, lon/lat GeoJSON) and the order of a patrol route's stops."""

from __future__ import annotations

import math
from collections.abc import Sequence

from shapely.geometry import Point, shape

EARTH_M = 6_371_008.8


def metres_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine), in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_M * math.asin(min(1.0, math.sqrt(a)))


def _local(lat0: float, lon0: float, lat: float, lon: float) -> tuple[float, float]:
    """Metres east and north of (lat0, lon0) (equirectangular: exact enough within a city)."""
    return (
        math.radians(lon - lon0) * EARTH_M * math.cos(math.radians(lat0)),
        math.radians(lat - lat0) * EARTH_M,
    )


def distance_to_venue(
    lat: float, lon: float, venue_lat: float, venue_lon: float, geometry: dict | None
) -> float:
    """Metres from a point to a venue: to its polygon (0 inside) when it has one, else to its
    point."""
    if geometry and geometry.get("type") in ("Polygon", "MultiPolygon"):
        local = shape(
            {
                "type": geometry["type"],
                "coordinates": _map_coords(geometry["coordinates"], lambda c: _local(lat, lon, c[1], c[0])),
            }
        )
        return float(local.distance(Point(0.0, 0.0)))
    return metres_between(lat, lon, venue_lat, venue_lon)


def _map_coords(coords, fn):
    if coords and isinstance(coords[0], (int, float)):
        return list(fn(coords))
    return [_map_coords(c, fn) for c in coords]


def nearest_venue_m(lat: float, lon: float, venues: Sequence[tuple[float, float, dict | None]]) -> float:
    """Metres to the nearest venue ((lat, lon, geometry) each); infinity with no venue."""
    return min((distance_to_venue(lat, lon, vl, vo, g) for vl, vo, g in venues), default=math.inf)


def route_order(stops: Sequence[tuple[float, float]], start: tuple[float, float]) -> list[int]:
    """Indexes of `stops` in visiting order: nearest neighbour from `start` (a venue), so a
    team walks its stops without crossing back and forth. Ties by index: deterministic."""
    left = list(range(len(stops)))
    here = start
    out = []
    while left:
        best = min(left, key=lambda i: (metres_between(here[0], here[1], *stops[i]), i))
        out.append(best)
        left.remove(best)
        here = stops[best]
    return out


def polygon_centre(geometry: dict) -> tuple[float, float]:
    """(lat, lon) of a point inside a polygon geometry (its representative point)."""
    p = shape(geometry).representative_point()
    return p.y, p.x
