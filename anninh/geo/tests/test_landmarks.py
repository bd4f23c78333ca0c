"""The landmark gazetteer (issue #13 item 7): cells and patrol assignments named by the
nearest landmark a deployment loaded, e.g. "120 m north of Chợ Sắt"."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command

from anninh.geo.landmarks import landmarks_load
from anninh.geo.models import Commune, Landmark
from anninh.hotspots.labels import name_cells
from anninh.patrols.labels import name_assignments

pytestmark = pytest.mark.django_db

COMMUNE = "11311"  # Phường Hồng Bàng


def inside():
    c = Commune.objects.get(code=COMMUNE)
    return c.point_lat, c.point_lon


def write_csv(tmp_path, rows, name="places.csv"):
    path = tmp_path / name
    path.write_text("name,lat,lon,kind\n" + "".join(f"{r}\n" for r in rows), encoding="utf-8")
    return path


def test_a_csv_gazetteer_loads_once_and_skips_points_outside_the_city(tmp_path):
    lat, lon = inside()
    path = write_csv(
        tmp_path,
        [
            f"Chợ Sắt,{lat},{lon},landmark",
            f"Phố Tam Bạc,{lat + 0.001},{lon},street",
            "Hồ Gươm,21.0288,105.8522,",
        ],
    )
    dry = landmarks_load(path, dry_run=True)
    assert (dry.created, dry.outside, dry.problems) == (2, 1, []) and Landmark.objects.count() == 0
    first = landmarks_load(path)
    assert (first.created, first.unchanged, first.outside) == (2, 0, 1)
    market = Landmark.objects.get(name="Chợ Sắt")
    assert market.commune_id == COMMUNE and market.source == "places.csv" and market.kind == "landmark"
    assert Landmark.objects.get(name="Phố Tam Bạc").kind == "street"
    again = landmarks_load(path)
    assert (again.created, again.unchanged) == (0, 2) and Landmark.objects.count() == 2


def test_any_malformed_row_is_reported_by_number_and_nothing_is_loaded(tmp_path):
    lat, lon = inside()
    path = write_csv(
        tmp_path,
        [f"Chợ Sắt,{lat},{lon},", f",{lat},{lon},", f"Cầu Rào,north,{lon},", f"Ga,{lat},{lon},church"],
    )
    result = landmarks_load(path)
    assert [n for n, _ in result.problems] == [3, 4, 5]
    assert Landmark.objects.count() == 0
    with pytest.raises(CommandError, match="3 bad rows"):
        call_command("load_landmarks", str(path))
    assert Landmark.objects.count() == 0


def test_geojson_points_from_an_openstreetmap_extract(tmp_path):
    lat, lon = inside()
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"name": "Nhà hát"},
        },
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat + 0.002]},
            "properties": {"name": "Đường Bạch Đằng", "highway": "primary"},
        },
    ]
    path = tmp_path / "osm.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    call_command("load_landmarks", str(path), "--source", "OpenStreetMap", verbosity=0)
    assert dict(Landmark.objects.values_list("name", "kind")) == {
        "Nhà hát": "landmark",
        "Đường Bạch Đằng": "street",
    }
    assert set(Landmark.objects.values_list("source", flat=True)) == {"OpenStreetMap"}


def test_cells_are_named_by_the_nearest_landmark_within_reach():
    lat, lon = inside()
    Landmark.objects.create(name="Chợ Sắt", lat=lat, lon=lon, commune_id=COMMUNE)
    commune = Commune.objects.get(code=COMMUNE)
    near = SimpleNamespace(lat=lat + 120 / 111_195, lon=lon, commune=commune)  # 120 m north
    far = SimpleNamespace(lat=lat + 2000 / 111_195, lon=lon, commune=commune)  # 2 km north
    name_cells([near, far])
    assert near.place == "120\u00a0m north of Chợ Sắt"
    assert "Chợ Sắt" not in far.place and "centre" in far.place


def test_patrol_assignments_use_landmarks_and_checkpoint_sites(django_assert_max_num_queries):
    lat, lon = inside()
    commune = Commune.objects.get(code=COMMUNE)
    site = SimpleNamespace(name="Ngã tư Cầu Đất", lat=lat, lon=lon)
    a = SimpleNamespace(lat=lat, lon=lon + 300 / 104_000)  # about 300 m east
    with django_assert_max_num_queries(1):
        [named] = name_assignments([a], commune=commune, sites=[site])
    assert named.place.startswith(f"{commune.name} · ")
    assert "east of Ngã tư Cầu Đất" in named.place
