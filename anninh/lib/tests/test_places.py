"""Tests for anninh.lib.places: distances and compass points for naming forecast cells."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from anninh.lib.places import COMPASS, bearing, nearest


@pytest.mark.parametrize(
    ("dlat", "dlon", "direction"),
    [
        (0.01, 0, "N"),
        (0.01, 0.01, "NE"),
        (0, 0.01, "E"),
        (-0.01, 0.01, "SE"),
        (-0.01, 0, "S"),
        (-0.01, -0.01, "SW"),
        (0, -0.01, "W"),
        (0.01, -0.01, "NW"),
    ],
)
def test_it_names_the_compass_point_of_the_target_seen_from_the_reference(dlat, dlon, direction):
    assert bearing(20.85, 106.68, 20.85 + dlat, 106.68 + dlon).direction == direction


def test_a_hundredth_of_a_degree_of_latitude_is_about_1_1_km():
    assert bearing(20.85, 106.68, 20.86, 106.68).metres == pytest.approx(1112, rel=0.01)


@dataclass
class Site:
    name: str
    lat: float
    lon: float


def test_nearest_picks_the_closest_site_within_reach_only():
    sites = [Site("Cầu Rào", 20.8400, 106.6900), Site("Ngã năm", 20.8500, 106.6800)]
    found = nearest(20.8405, 106.6900, sites, within_m=400)
    assert found[0].name == "Cầu Rào" and found[1].direction == "N" and 50 < found[1].metres < 60
    assert nearest(20.90, 106.70, sites, within_m=400) is None


@given(st.floats(-60, 60), st.floats(-170, 170), st.floats(-0.05, 0.05), st.floats(-0.05, 0.05))
def test_distance_is_symmetric_and_directions_are_opposite(lat, lon, dlat, dlon):
    there = bearing(lat, lon, lat + dlat, lon + dlon)
    back = bearing(lat + dlat, lon + dlon, lat, lon)
    assert there.metres == pytest.approx(back.metres, rel=1e-6, abs=1e-6)
    if there.metres > 1:
        i = COMPASS.index(there.direction)
        # Opposite, give or take one point for a bearing on a sector's edge.
        assert COMPASS.index(back.direction) in {(i + 3) % 8, (i + 4) % 8, (i + 5) % 8}
