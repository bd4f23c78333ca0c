"""The incidents API: the permission matrix of every endpoint, filters and limit/offset
pagination, create/update/review with optimistic locking (409), and 422 answers that say
what is wrong, field by field."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from anninh.lib.dates import local_date
from anninh.records.api.incidents import MapOut
from anninh.records.models import Incident, ReviewStatus
from anninh.records.tests.test_incidents_factories import (  # noqa: F401
    POINT_AT_SEA,
    fast_passwords,
    point_in,
    record,
    supervisor_a_fixture,
    unit_id,
    world_fixture,
)
from anninh.testing.matrix import UNAUTHORIZED, check_matrix, client_for
from anninh.testing.openapi import openapi_schema
from anninh.testing.personas import COMMUNE_A

pytestmark = pytest.mark.django_db

BASE = "/api/records/incidents"
NOT_READERS = {"public_relations": 403, "auditor": 403, "administrator": 403, "no_role": 403}
JSON = "application/json"


def body(**overrides) -> dict:
    now = timezone.now()
    lat, lon = point_in(COMMUNE_A)
    data = {
        "kind": "crime",
        "occurred_from": (now - dt.timedelta(hours=5)).isoformat(),
        "reported_at": (now - dt.timedelta(hours=4)).isoformat(),
        "responsible_unit_id": unit_id(f"CA{COMMUNE_A}"),
        "lat": lat,
        "lon": lon,
        "address": "7 Minh Khai",
        "premises": "shop",
        "narrative": "Trộm két tiền của cửa hàng.",
        "offences": [{"article": "173", "clause": 2}],
        "persons": [{"role": "victim", "full_name": "Đặng Văn Hải", "phone": "0934567890"}],
        "losses": [
            {"description": "Tiền mặt", "value_vnd": "35.000.000"},
            {"description": "Két sắt", "value_vnd": 4000000},
        ],
    }
    data.update(overrides)
    return data


def post(user, url, data, **kwargs):
    return client_for(user).post(url, json.dumps(data), content_type=JSON, **kwargs)


def put(user, url, data):
    return client_for(user).put(url, json.dumps(data), content_type=JSON)


# The permission matrix -----------------------------------------------------------------------


def test_list_endpoint_matrix(personas, world):
    check_matrix(
        BASE,
        {
            "anonymous": UNAUTHORIZED,
            "commander": 200,
            "analyst": 200,
            "investigator": 200,
            "commune_officer": 200,
            "other_commune_officer": 200,
            "fire_rescue": 200,
            **NOT_READERS,
        },
        personas=personas,
    )


def test_map_endpoint_matrix(personas, world):
    check_matrix(
        f"{BASE}/map",
        {
            "anonymous": UNAUTHORIZED,
            "commander": 200,
            "analyst": 200,
            "investigator": 200,
            "commune_officer": 200,
            "other_commune_officer": 200,
            "fire_rescue": 200,
            **NOT_READERS,
        },
        personas=personas,
    )


def test_detail_endpoint_matrix(personas, world):
    check_matrix(
        f"{BASE}/{world['theft_b'].pk}",
        {
            "anonymous": UNAUTHORIZED,
            "commander": 200,
            "analyst": 200,
            "investigator": 404,
            "commune_officer": 404,
            "other_commune_officer": 200,
            "fire_rescue": 404,
            **NOT_READERS,
        },
        personas=personas,
    )


def test_create_endpoint_matrix(personas):
    # Everyone sends the same commune A theft: only the commune A officer acts for its unit.
    check_matrix(
        BASE,
        {
            "anonymous": UNAUTHORIZED,
            "commander": 403,
            "analyst": 403,
            "investigator": 403,
            "commune_officer": 201,
            "other_commune_officer": 403,
            "fire_rescue": 403,
            **NOT_READERS,
        },
        personas=personas,
        method="post",
        data=json.dumps(body()),
        content_type=JSON,
    )
    assert Incident.objects.count() == 1


def test_update_endpoint_matrix(personas, world):
    incident = world["theft_a"]
    check_matrix(
        f"{BASE}/{incident.pk}",
        {
            "anonymous": UNAUTHORIZED,
            "commander": 403,
            "analyst": 403,
            "investigator": 404,
            "commune_officer": 200,
            "other_commune_officer": 404,
            "fire_rescue": 404,
            **NOT_READERS,
        },
        personas=personas,
        method="put",
        data=json.dumps(body(version=incident.version, address="Địa chỉ mới")),
        content_type=JSON,
    )
    assert Incident.objects.get(pk=incident.pk).address == "Địa chỉ mới"


def test_review_endpoint_matrix(personas, world):
    incident = world["theft_a"]
    check_matrix(
        f"{BASE}/{incident.pk}/review",
        {
            "anonymous": UNAUTHORIZED,
            "commander": 403,
            "analyst": 403,
            "investigator": 404,
            "commune_officer": 200,
            "other_commune_officer": 404,
            "fire_rescue": 404,
            **NOT_READERS,
        },
        personas=personas,
        method="post",
        data=json.dumps({"action": "submit", "version": incident.version}),
        content_type=JSON,
    )


# Reading -----------------------------------------------------------------------------------------


def test_the_list_is_paginated_with_limit_and_offset(personas):
    officer = personas["commune_officer"]
    numbers = [
        record(officer, occurred_from=timezone.now() - dt.timedelta(hours=10 - i)).number for i in range(5)
    ]
    client = client_for(officer)
    first = client.get(f"{BASE}?limit=2").json()
    second = client.get(f"{BASE}?limit=2&offset=2").json()
    assert first["count"] == 5 and (first["limit"], first["offset"]) == (2, 0)
    assert [i["number"] for i in first["items"]] == numbers[::-1][:2]
    assert [i["number"] for i in second["items"]] == numbers[::-1][2:4]


def test_the_list_filters_like_the_page(personas, world):
    client = client_for(personas["commander"])
    assert [i["number"] for i in client.get(f"{BASE}?kind=fire_rescue").json()["items"]] == [
        world["fire_b"].number
    ]
    assert [i["number"] for i in client.get(f"{BASE}?article=168").json()["items"]] == [
        world["robbery_b"].number
    ]
    # The local day of the world's incidents (3 hours ago: yesterday between 00:00 and 03:00).
    today = local_date(world["theft_a"].occurred_from).strftime("%d/%m/%Y")
    assert client.get(f"{BASE}?date_from={today}&date_to={today}").json()["count"] == 4
    assert client.get(f"{BASE}?date_to=01/01/2020").json()["count"] == 0


def test_a_wrong_date_filter_is_a_422_naming_the_parameter(personas):
    response = client_for(personas["commander"]).get(f"{BASE}?date_from=31/02/2026")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "date_from"]


def test_the_detail_includes_offences_losses_and_the_fire_report(personas, world):
    data = client_for(personas["fire_rescue"]).get(f"{BASE}/{world['fire_b'].pk}").json()
    assert data["fire_rescue"]["cause"] == "Chập điện" and data["fire_rescue"]["forces"] == 20
    data = client_for(personas["commander"]).get(f"{BASE}/{world['theft_a'].pk}").json()
    assert data["main_offence"]["article"] == "173" and data["losses_vnd"] == 18_000_000
    assert data["losses"] == [
        {"description": "Xe máy Honda Wave", "value_vnd": 18_000_000, "recovered": False}
    ]


def test_the_map_endpoint_sends_compact_points(personas, world):
    data = client_for(personas["commander"]).get(f"{BASE}/map?kind=crime").json()
    assert {p[0] for p in data["points"]} == {world[n].pk for n in ("theft_a", "theft_b", "robbery_b")}
    assert all(len(p) == 4 and p[3] == "crime" for p in data["points"])
    assert data["truncated"] is False and data["without_point"] == 0


def test_the_map_answer_has_the_documented_shape_and_types(personas, world):
    # The endpoint renders its JSON itself (no per-point schema validation): it must still be
    # exactly what MapOut documents, numbers as numbers.
    response = client_for(personas["commander"]).get(f"{BASE}/map")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    data = response.json()
    assert MapOut.model_validate(data).model_dump() == data
    assert data["points"] and all(
        isinstance(i, int) and isinstance(lat, float) and isinstance(lon, float) and isinstance(kind, str)
        for i, lat, lon, kind in data["points"]
    )


# Writing -----------------------------------------------------------------------------------------


def test_an_incident_is_created_with_its_rows(personas):
    response = post(personas["commune_officer"], BASE, body())
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["commune"]["code"] == COMMUNE_A and data["losses_vnd"] == 39_000_000
    assert data["review_status"] == "draft" and data["version"] == 1
    assert [p["full_name"] for p in data["persons"]] == ["Đặng Văn Hải"]


@pytest.mark.parametrize(
    ("overrides", "code", "loc"),
    [
        (
            {"losses": [{"description": "Tiền", "value_vnd": "12,5"}]},
            "vnd.fractional",
            ["body", "losses", 0, "value_vnd"],
        ),
        (
            {"losses": [{"description": "Tiền", "value_vnd": -5}]},
            "vnd.negative",
            ["body", "losses", 0, "value_vnd"],
        ),
        ({"offences": [{"article": "999"}]}, "offence.unknown", ["body", "offences", 0, "article"]),
        ({"lat": POINT_AT_SEA[0], "lon": POINT_AT_SEA[1]}, "incident.outside_city", ["body", "lat"]),
    ],
)
def test_bad_input_is_a_422_with_a_message_per_field_and_nothing_saved(personas, overrides, code, loc):
    response = post(personas["commune_officer"], BASE, body(**overrides))
    assert response.status_code == 422
    problem = response.json()["detail"][0]
    assert (problem["type"], problem["loc"]) == (code, loc)
    assert problem["msg"]
    assert not Incident.objects.exists()


def test_an_occurrence_after_the_report_and_in_the_future_are_422(personas):
    now = timezone.now()
    response = post(
        personas["commune_officer"],
        BASE,
        body(
            occurred_from=(now + dt.timedelta(days=1)).isoformat(),
            reported_at=(now - dt.timedelta(hours=1)).isoformat(),
        ),
    )
    assert response.status_code == 422
    assert {p["type"] for p in response.json()["detail"]} == {"incident.future"}
    response = post(
        personas["commune_officer"],
        BASE,
        body(
            occurred_from=(now - dt.timedelta(hours=1)).isoformat(),
            reported_at=(now - dt.timedelta(hours=2)).isoformat(),
        ),
    )
    assert {p["type"] for p in response.json()["detail"]} == {"incident.reported_before"}


def test_a_fractional_number_of_dong_is_refused_by_the_schema(personas):
    response = post(
        personas["commune_officer"], BASE, body(losses=[{"description": "Tiền", "value_vnd": 12.5}])
    )
    assert response.status_code == 422
    assert not Incident.objects.exists()


def test_messages_follow_the_language_of_the_request(personas):
    officer = personas["commune_officer"]
    english = "There is no article 999 in the offence table."
    response = post(officer, BASE, body(offences=[{"article": "999"}]), headers={"Accept-Language": "en"})
    assert response.json()["detail"][0]["msg"] == english
    response = post(officer, BASE, body(offences=[{"article": "999"}]), headers={"Accept-Language": "vi"})
    vietnamese = response.json()["detail"][0]["msg"]
    assert "999" in vietnamese and vietnamese != english, "the Vietnamese catalog lacks this message"


def test_an_update_with_a_stale_version_is_a_409(personas):
    officer = personas["commune_officer"]
    incident = record(officer)
    assert put(officer, f"{BASE}/{incident.pk}", body(version=1, address="Lần một")).status_code == 200
    response = put(officer, f"{BASE}/{incident.pk}", body(version=1, address="Lần hai"))
    assert response.status_code == 409
    assert Incident.objects.get(pk=incident.pk).address == "Lần một"


def test_an_approved_incident_needs_a_reason_through_the_api_too(personas, supervisor_a):
    officer = personas["commune_officer"]
    incident = record(officer)
    post(officer, f"{BASE}/{incident.pk}/review", {"action": "submit", "version": 1})
    assert (
        post(supervisor_a, f"{BASE}/{incident.pk}/review", {"action": "approve", "version": 2}).json()[
            "review_status"
        ]
        == "approved"
    )
    response = put(officer, f"{BASE}/{incident.pk}", body(version=3, address="Mới"))
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "reason"]
    assert (
        put(
            officer, f"{BASE}/{incident.pk}", body(version=3, address="Mới", reason="Sai địa chỉ")
        ).status_code
        == 200
    )


def test_review_moves_through_the_api(personas, supervisor_a):
    officer = personas["commune_officer"]
    incident = record(officer)
    assert (
        post(officer, f"{BASE}/{incident.pk}/review", {"action": "submit", "version": 1}).status_code == 200
    )
    assert (
        post(officer, f"{BASE}/{incident.pk}/review", {"action": "approve", "version": 2}).status_code == 403
    )
    response = post(supervisor_a, f"{BASE}/{incident.pk}/review", {"action": "return", "version": 2})
    assert response.status_code == 422 and response.json()["detail"][0]["type"] == "review.comment_required"
    response = post(
        supervisor_a, f"{BASE}/{incident.pk}/review", {"action": "return", "comment": "Bổ sung", "version": 2}
    )
    assert response.json()["review_status"] == ReviewStatus.RETURNED
    assert (
        post(supervisor_a, f"{BASE}/{incident.pk}/review", {"action": "approve", "version": 3}).status_code
        == 422
    )


def test_a_malformed_body_is_a_documented_answer(personas):
    response = client_for(personas["commune_officer"]).post(BASE, "{not json", content_type=JSON)
    assert response.status_code in (400, 422)


def test_text_with_a_nul_character_does_not_break_the_database(personas):
    response = client_for(personas["commander"]).get(f"{BASE}?q=ab%00cd")
    assert response.status_code == 200
    response = post(personas["commune_officer"], BASE, body(address="7 Minh\x00 Khai"))
    assert response.status_code == 201 and response.json()["address"] == "7 Minh Khai"


def test_every_endpoint_declares_its_answers_in_the_schema(client):
    paths = openapi_schema()["paths"]
    assert set(paths[BASE]["get"]["responses"]) >= {"200", "401", "403", "422"}
    assert set(paths[BASE]["post"]["responses"]) >= {"201", "400", "401", "403", "422"}
    assert set(paths[BASE + "/{incident_id}"]["put"]["responses"]) >= {
        "200",
        "401",
        "403",
        "404",
        "409",
        "422",
    }
    assert set(paths[BASE + "/{incident_id}/review"]["post"]["responses"]) >= {
        "200",
        "401",
        "403",
        "404",
        "409",
        "422",
    }


# Query budgets (the load run's requests: benchmarks/results/load-cpu-profile.md) -------------


def _captured(request) -> tuple:
    """The SQL of one request (the connection's log keeps 9,000 queries: a full one would
    capture nothing, so it is emptied first)."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    reset_queries()
    with CaptureQueriesContext(connection) as ctx:
        response = request()
    return response, [q["sql"] for q in ctx.captured_queries]


def _boundaries(sql: list[str]) -> list[str]:
    """Queries loading one commune's boundary (the point-to-commune lookup loads them all,
    once per process, without a WHERE: that is its cache, not a request's cost)."""
    return [q for q in sql if '"geo_commune"."boundary"' in q and " WHERE " in q]


def test_recording_an_incident_clears_nothing_and_reads_each_article_once(personas):
    data = body()
    response, sql = _captured(lambda: post(personas["commune_officer"], BASE, data))
    assert response.status_code == 201, response.content
    # A new incident has no links, fire report or response times to delete.
    assert not [q for q in sql if q.startswith('DELETE FROM "records_')]
    # The article is looked up once (not "does it exist?" and then "which version?").
    assert len([q for q in sql if 'FROM "records_offence"' in q and "records_incidentoffence" not in q]) == 1
    # Neither the service nor the answer loads a commune's boundary polygon.
    assert not _boundaries(sql)


def test_the_list_and_an_update_do_not_load_commune_boundaries(personas, world):
    response, sql = _captured(lambda: client_for(personas["commander"]).get(f"{BASE}?limit=50"))
    assert response.status_code == 200 and response.json()["items"]
    assert not _boundaries(sql)

    created = post(personas["commune_officer"], BASE, body()).json()
    data = json.dumps(body(address="9 Minh Khai", version=created["version"]))
    response, sql = _captured(
        lambda: client_for(personas["commune_officer"]).put(
            f"{BASE}/{created['id']}", data, content_type=JSON
        )
    )
    assert response.status_code == 200, response.content
    assert not _boundaries(sql)
    # The answer lists the offences the update has just written, and takes its main offence
    # from them: no read of them after the write.
    written = [i for i, q in enumerate(sql) if q.startswith('INSERT INTO "records_recordevent"')][-1]
    assert len([q for q in sql[written:] if 'FROM "records_incidentoffence"' in q]) == 0
