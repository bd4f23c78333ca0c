"""Where a point is, in words a patrol can use: distance and compass direction from a known
place (a checkpoint site, a commune's centre). Pure functions, no Django.

Cells of a forecast are 250 m squares known by their centre's coordinates, which mean nothing
on the street. Hai Phong has no gazetteer of streets in anninh, so a cell is named from what
the database does hold: the nearest checkpoint site (a crossroads, a bridge, a ferry landing)
when one is close, otherwise the direction and distance from the commune's centre
("1,2 km north-east of the centre of Phường Lê Chân").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["COMPASS", "Bearing", "bearing", "nearest"]

#: Eight compass points, clockwise from north; each covers 45°.
COMPASS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")
_EARTH_M = 6_371_000.0


@dataclass(frozen=True)
class Bearing:
    metres: float
    direction: str  # one of COMPASS: where the point lies as seen from the reference


def bearing(from_lat: float, from_lon: float, to_lat: float, to_lon: float) -> Bearing:
    """Distance (m, equirectangular: exact enough within a city) and the compass point of
    (to_lat, to_lon) as seen from (from_lat, from_lon)."""
    k = math.cos(math.radians((from_lat + to_lat) / 2))
    dx = math.radians(to_lon - from_lon) * k * _EARTH_M  # east
    dy = math.radians(to_lat - from_lat) * _EARTH_M  # north
    metres = math.hypot(dx, dy)
    angle = math.degrees(math.atan2(dx, dy)) % 360  # 0 = north, clockwise
    return Bearing(metres, COMPASS[int((angle + 22.5) // 45) % 8])


def nearest(lat: float, lon: float, places, within_m: float):
    """(place, Bearing of the point from it) for the closest of `places` (objects with .lat and
    .lon) within `within_m` metres, or None."""
    best = None
    for place in places:
        b = bearing(place.lat, place.lon, lat, lon)
        if b.metres <= within_m and (best is None or b.metres < best[1].metres):
            best = (place, b)
    return best
