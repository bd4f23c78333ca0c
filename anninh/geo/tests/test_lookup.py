"""Point-to-unit lookup and the map layer."""

from __future__ import annotations

import random

import pytest
import shapely

from anninh.geo import geometry, lookup
from anninh.geo.models import Commune
from anninh.geo.services import load_communes

pytestmark = pytest.mark.django_db

METRE_IN_LAT = 1 / 111_195  # degrees of latitude per metre


def test_every_units_representative_point_maps_back_to_that_unit():
    points = list(Commune.objects.values_list("code", "point_lat", "point_lon"))
    assert len(points) == 114
    wrong = {
        code: lookup.commune_at(lat, lon) for code, lat, lon in points if lookup.commune_at(lat, lon) != code
    }
    assert wrong == {}


@pytest.mark.parametrize(
    ("place", "lat", "lon"),
    [("Hanoi", 21.03, 105.85), ("the sea far east of the city", 20.5, 107.5), ("the null island", 0.0, 0.0)],
)
def test_points_outside_the_city_map_to_none(place, lat, lon):
    assert lookup.commune_at(lat, lon) is None, place


def northernmost_vertex(code: str) -> tuple[float, float]:
    geom = shapely.geometry.shape(Commune.objects.get(code=code).boundary)
    coords = shapely.get_coordinates(geom)
    lon, lat = max(coords, key=lambda xy: xy[1])
    return float(lat), float(lon)


def test_a_point_just_outside_a_boundary_maps_to_the_nearest_unit_within_200_metres():
    # Bạch Long Vĩ is an island 100 km offshore: nothing else is near it.
    lat, lon = northernmost_vertex("11948")
    assert lookup.commune_at(lat + 120 * METRE_IN_LAT, lon) == "11948"
    assert lookup.commune_at(lat + 400 * METRE_IN_LAT, lon) is None


def test_a_point_in_a_gap_between_two_units_maps_to_the_nearer_one():
    shapes = {c: shapely.geometry.shape(b) for c, b in Commune.objects.values_list("code", "boundary")}
    city = shapely.union_all(list(shapes.values()))
    # A hole of the union that lies inside the city outline is a gap the simplification left.
    holes = [shapely.Polygon(ring) for part in shapely.get_parts(city) for ring in part.interiors]
    assert holes, "the simplified boundaries leave gaps between neighbours"
    gap = max(holes, key=lambda h: h.area)
    point = shapely.point_on_surface(gap)
    assert not any(g.covers(point) for g in shapes.values())
    nearest = min(
        shapes, key=lambda c: (geometry.to_metres(shapes[c]).distance(geometry.to_metres(point)), c)
    )
    assert lookup.commune_at(point.y, point.x) == nearest


def test_the_index_follows_changes_to_communes_and_reloads():
    hanoi = (21.03, 105.85)
    assert lookup.commune_at(*hanoi) is None
    island = Commune.objects.get(code="11948")
    island.boundary = {
        "type": "MultiPolygon",
        "coordinates": [[[[105.8, 21.0], [105.9, 21.0], [105.9, 21.1], [105.8, 21.1], [105.8, 21.0]]]],
    }
    island.save()
    assert lookup.commune_at(*hanoi) == "11948"
    load_communes()
    assert lookup.commune_at(*hanoi) is None


def test_lookups_reuse_the_index_once_it_is_built(monkeypatch):
    """Speed without a clock (wall-clock limits fail on a busy machine; benchmarks time it):
    2,000 lookups build the index at most once and then only query it."""
    lookup.commune_at(20.86, 106.68)
    builds = []
    real_build = lookup._build_index
    monkeypatch.setattr(lookup, "_build_index", lambda: builds.append(1) or real_build())
    rng = random.Random(7)
    points = [(rng.uniform(20.5, 21.2), rng.uniform(106.0, 107.1)) for _ in range(2000)]
    found = [lookup.commune_at(lat, lon) for lat, lon in points]
    assert any(found) and not all(found)
    assert builds == []


def test_the_geojson_layer_has_one_multipolygon_feature_per_unit_with_its_facts():
    data = lookup.communes_geojson()
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == 114
    for feature in data["features"]:
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] == "MultiPolygon"
        assert set(feature["properties"]) == {"code", "name", "kind", "population", "area", "density"}
    hong_bang = next(f for f in data["features"] if f["id"] == "11311")
    assert hong_bang["properties"] == {
        "code": "11311",
        "name": "Phường Hồng Bàng",
        "kind": "phuong",
        "population": 113200,
        "area": 12.11,
        "density": round(113200 / 12.11, 1),
    }


def test_the_geojson_layer_is_built_once_and_rebuilt_after_a_load(django_assert_num_queries):
    lookup.communes_geojson_bytes()
    with django_assert_num_queries(0):
        lookup.communes_geojson_bytes()
    Commune.objects.filter(code="11311").update(population=1)
    load_communes()
    assert b'"population":113200' in lookup.communes_geojson_bytes()


def test_a_point_on_the_water_maps_to_the_nearest_commune_within_12_nautical_miles():
    lat, lon = northernmost_vertex("11948")  # Bạch Long Vĩ, 100 km offshore
    at_sea = lat + 5_000 * METRE_IN_LAT  # 5 km north of the island
    assert lookup.commune_at(at_sea, lon) is None  # on land rules: outside the city
    assert lookup.commune_at(at_sea, lon, on_water=True) == "11948"
    assert lookup.WATER_LIMIT_M == 12 * 1852
    assert lookup.commune_at(lat + 22_000 * METRE_IN_LAT, lon, on_water=True) == "11948"
    assert lookup.commune_at(lat + 23_000 * METRE_IN_LAT, lon, on_water=True) is None  # beyond 12 nm
    # Inside a commune the water rule changes nothing.
    inside = Commune.objects.values_list("point_lat", "point_lon").get(code="11311")
    assert lookup.commune_at(*inside, on_water=True) == "11311"
