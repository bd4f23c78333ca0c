"""Geography API: permissions, answers, errors and the documented responses."""

from __future__ import annotations

import pytest

from anninh.geo.models import Commune
from anninh.testing.matrix import UNAUTHORIZED, check_matrix, client_for

EVERY_SIGNED_IN = [
    "commander",
    "analyst",
    "investigator",
    "commune_officer",
    "other_commune_officer",
    "fire_rescue",
    "public_relations",
    "auditor",
    "administrator",
    "no_role",
]


def everyone(status: int) -> dict[str, int]:
    return {"anonymous": UNAUTHORIZED, **dict.fromkeys(EVERY_SIGNED_IN, status)}


@pytest.mark.parametrize(
    "url",
    [
        "/api/geo/communes",
        "/api/geo/communes/11311",
        "/api/geo/communes.geojson",
        "/api/geo/lookup?lat=20.8687&lon=106.6549",
    ],
)
def test_every_geography_endpoint_answers_signed_in_personas_and_refuses_anonymous(url, personas):
    check_matrix(url, everyone(200), personas=personas)


def test_an_unknown_commune_code_is_404_for_everyone_signed_in(personas):
    check_matrix("/api/geo/communes/99999", everyone(404), personas=personas, audit_denials=False)


def test_a_malformed_commune_code_is_422(personas):
    response = client_for(personas["analyst"]).get("/api/geo/communes/abc")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "code"]


def test_the_list_is_typed_and_searchable_without_diacritics(personas):
    client = client_for(personas["analyst"])
    everything = client.get("/api/geo/communes").json()
    assert len(everything) == 114
    found = client.get("/api/geo/communes", {"q": "hong bang"}).json()
    assert [c["code"] for c in found] == ["11311"]
    hong_bang = found[0]
    assert hong_bang["kind"] == "phuong"
    assert hong_bang["name"] == "Phường Hồng Bàng"
    assert hong_bang["population"] == 113200
    assert hong_bang["density"] == pytest.approx(113200 / 12.11, abs=0.1)
    assert set(hong_bang["centroid"]) == {"lat", "lon"}
    assert len(hong_bang["bbox"]) == 4
    assert "boundary" not in hong_bang


def test_one_commune_comes_with_its_boundary_and_police_unit(personas):
    data = client_for(personas["analyst"]).get("/api/geo/communes/11311").json()
    assert data["boundary"]["type"] == "MultiPolygon"
    assert data["police_unit"]["code"] == "CA11311"
    assert data["police_unit"]["name"] == "Công an phường Hồng Bàng"


def test_the_geojson_endpoint_returns_the_feature_collection(personas):
    response = client_for(personas["analyst"]).get("/api/geo/communes.geojson")
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == 114
    assert {f["properties"]["code"] for f in data["features"]} == set(
        Commune.objects.values_list("code", flat=True)
    )


@pytest.mark.parametrize(
    ("lat", "lon", "code"),
    [(20.8687, 106.6549, "11311"), (21.03, 105.85, None), (20.5, 107.5, None)],
)
def test_lookup_names_the_commune_at_a_point_or_null(personas, lat, lon, code):
    data = client_for(personas["commune_officer"]).get("/api/geo/lookup", {"lat": lat, "lon": lon}).json()
    assert data["code"] == code
    assert data["name"] == (Commune.objects.get(code=code).name if code else None)


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"lat": 91, "lon": 106}, "lat", "less than or equal to 90"),
        ({"lat": -90.5, "lon": 106}, "lat", "greater than or equal to -90"),
        ({"lat": 20, "lon": 181}, "lon", "less than or equal to 180"),
        ({"lat": "abc", "lon": 106}, "lat", "valid number"),
        ({"lat": "nan", "lon": 106}, "lat", "finite number"),
        ({"lon": 106}, "lat", "required"),
    ],
)
def test_lookup_rejects_coordinates_out_of_range_with_a_clear_422(personas, params, field, message):
    response = client_for(personas["analyst"]).get("/api/geo/lookup", params)
    assert response.status_code == 422
    problem = response.json()["detail"][0]
    assert problem["loc"] == ["query", field]
    assert message in problem["msg"]


def test_the_openapi_schema_documents_every_status_the_geography_endpoints_return(personas):
    schema = client_for(personas["analyst"]).get("/api/openapi.json").json()
    paths = schema["paths"]
    expected = {
        "/api/geo/communes": {"200", "401", "422"},
        "/api/geo/communes.geojson": {"200", "401"},
        "/api/geo/communes/{code}": {"200", "401", "404", "422"},
        "/api/geo/lookup": {"200", "401", "422"},
    }
    for path, statuses in expected.items():
        assert set(paths[path]["get"]["responses"]) == statuses, path
