"""The crime-report API: permission matrices of every endpoint, receiving, every step with its
version (409 on conflict), translated 422s, filters, pagination and constant query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from anninh.lib.dates import local_date
from anninh.org.models import Unit
from anninh.records.models import CrimeReport
from anninh.records.tests.test_reports_helpers import (  # noqa: F401 - fast_passwords is autouse
    COMMUNE_A,
    COMMUNE_B,
    S,
    advance,
    fast_passwords,
    receive,
)
from anninh.testing.matrix import UNAUTHORIZED, check_matrix, client_for
from anninh.testing.openapi import openapi_schema

JSON = "application/json"
READERS = {
    "anonymous": UNAUTHORIZED,
    "commander": 200,
    "analyst": 200,
    "investigator": 200,
    "commune_officer": 200,
    "other_commune_officer": 200,
    "fire_rescue": 403,
    "public_relations": 403,
    "auditor": 403,
    "administrator": 403,
    "no_role": 403,
}
WRITERS_ONLY = {**READERS, "commander": 403, "analyst": 403}


def receive_body(**overrides) -> dict:
    body = {
        "kind": "tin_bao",
        "channel": "online",
        "received_at": (timezone.now() - dt.timedelta(hours=2)).isoformat(),
        "summary": "Tài khoản ngân hàng bị chiếm đoạt.",
        "commune": COMMUNE_A,
        "offence_article": "290",
        "reporter": {"full_name": "Ngô Văn Lâm", "phones": ["0903000444"]},
    }
    body.update(overrides)
    return body


# Matrices ------------------------------------------------------------------------------------------


def test_the_register_api_answers_every_persona(personas):
    check_matrix("/api/records/reports", READERS, personas=personas)


def test_the_offence_search_is_reference_data_for_every_signed_in_user(personas):
    check_matrix(
        "/api/records/reports/offences?q=trom",
        {name: (UNAUTHORIZED if name == "anonymous" else 200) for name in READERS},
        personas=personas,
    )


def test_receiving_answers_only_report_writers(personas):
    check_matrix(
        "/api/records/reports",
        {**WRITERS_ONLY, "investigator": 201, "commune_officer": 201, "other_commune_officer": 201},
        personas=personas,
        method="post",
        data=receive_body(),
        content_type=JSON,
    )
    assert CrimeReport.objects.count() == 3


def test_one_report_answers_by_role_and_scope(personas):
    report = receive(personas["commune_officer"])
    check_matrix(
        f"/api/records/reports/{report.pk}",
        {**READERS, "investigator": 404, "other_commune_officer": 404},
        personas=personas,
    )


STEP_BODIES = {
    "classify": lambda r: {"version": r.version, "offence_article": "173"},
    "transfer": lambda r: {"version": r.version, "to_unit_id": Unit.objects.get(code="PC02").pk},
    "accept": lambda r: {"version": r.version},
    "verify": lambda r: {"version": r.version},
    "extend": lambda r: {"version": r.version},
    "procuracy-extend": lambda r: {"version": r.version, "months": 1},
    "decide": lambda r: {"version": r.version, "decision": "not_initiate", "grounds": "x"},
    "suspend": lambda r: {"version": r.version, "grounds": "x"},
    "resume": lambda r: {"version": r.version},
    "notify": lambda r: {"version": r.version, "target": "procuracy"},
    "collector": lambda r: {"version": r.version, "collector_bank": "MoMo", "collector_number": "0912345678"},
}
STEP_SETUP = {
    "classify": S.RECEIVED,
    "transfer": S.CLASSIFIED,
    "accept": S.CLASSIFIED,
    "verify": S.CLASSIFIED,
    "extend": S.RECEIVED,
    "procuracy-extend": S.RECEIVED,
    "decide": S.VERIFYING,
    "suspend": S.VERIFYING,
    "resume": S.SUSPENDED,
    "notify": S.RECEIVED,
    "collector": S.VERIFYING,
}


@pytest.mark.parametrize("step", list(STEP_BODIES))
def test_every_step_endpoint_answers_only_the_unit_that_takes_it(personas, step):
    from anninh.records.services import reports as services

    officer = personas["commune_officer"]
    # Suspending needs the 20 days to have run out (Art. 148): such reports were received long ago.
    expired = step in ("suspend", "resume")
    received_at = timezone.now() - dt.timedelta(days=40 if expired else 0, hours=1)
    report = advance(receive(officer, received_at=received_at), officer, STEP_SETUP[step])
    acting = "commune_officer"
    if step == "accept":
        pc02 = Unit.objects.get(code="PC02")
        report = services.crime_report_transfer(
            actor=officer, report=report, version=report.version, to_unit_id=pc02.pk
        )
        acting = "investigator"
    if step == "procuracy-extend":
        report = services.crime_report_extend(actor=officer, report=report, version=report.version)
    expected = {**WRITERS_ONLY, "investigator": 404, "other_commune_officer": 404, "commune_officer": 403}
    expected[acting] = 200
    check_matrix(
        f"/api/records/reports/{report.pk}/{step}",
        expected,
        personas=personas,
        method="post",
        data=STEP_BODIES[step](report),
        content_type=JSON,
    )


# Behaviour -------------------------------------------------------------------------------------------


def test_receiving_returns_the_new_report_with_its_number_and_clock(personas):
    response = client_for(personas["commune_officer"]).post(
        "/api/records/reports", receive_body(), content_type=JSON
    )
    data = response.json()
    assert response.status_code == 201
    assert data["register_number"].startswith(f"CA{COMMUNE_A}-") and data["register_seq"] == 1
    assert data["status"] == "received" and data["version"] == 1 and data["days_left"] >= 19
    assert data["suspected_offence"]["article"] == "290" and data["reporter"]["phones"] == ["0903000444"]


def test_a_point_fills_the_commune(personas):
    from anninh.geo.models import Commune

    c = Commune.objects.get(pk=COMMUNE_B)
    body = receive_body(commune="", lat=c.point_lat, lon=c.point_lon)
    data = (
        client_for(personas["commune_officer"]).post("/api/records/reports", body, content_type=JSON).json()
    )
    assert data["commune"]["code"] == COMMUNE_B


@pytest.mark.parametrize(
    ("overrides", "loc", "code"),
    [
        ({"received_at": "2100-01-01T00:00:00+07:00"}, ["body", "received_at"], "received_at.future"),
        ({"offence_article": "999"}, ["body", "offence_article"], "offence.unknown"),
        ({"lat": 10.77, "lon": 106.7}, ["body", "lat"], "point.outside"),
        ({"reporter": {"full_name": "A", "cccd": "12"}}, ["body", "reporter", "cccd"], "cccd.length"),
        ({"reporter": {"full_name": "A", "phones": ["123"]}}, ["body", "reporter", "phones"], "phone.prefix"),
        ({"summary": "\x00"}, ["body", "summary"], "summary.required"),
    ],
)
def test_bad_input_is_a_422_in_the_validation_shape_and_nothing_is_saved(personas, overrides, loc, code):
    response = client_for(personas["commune_officer"]).post(
        "/api/records/reports",
        receive_body(**overrides),
        content_type=JSON,
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    (problem,) = response.json()["detail"]
    assert problem["type"] == code and problem["loc"] == loc and problem["msg"]
    assert CrimeReport.objects.count() == 0


def test_messages_follow_the_language_of_the_request(personas, settings):
    from django.utils import translation

    client = client_for(personas["commune_officer"])
    body = receive_body(received_at="2100-01-01T00:00:00+07:00")
    english = client.post("/api/records/reports", body, content_type=JSON, headers={"Accept-Language": "en"})
    assert english.json()["detail"][0]["msg"] == "The time of receipt cannot be in the future."
    vietnamese = client.post(
        "/api/records/reports", body, content_type=JSON, headers={"Accept-Language": "vi"}
    )
    with translation.override("vi"):
        expected = translation.gettext("The time of receipt cannot be in the future.")
    assert vietnamese.json()["detail"][0]["msg"] == expected


def test_a_stale_version_is_409_with_the_current_version(personas):
    officer = personas["commune_officer"]
    report = receive(officer)
    client = client_for(officer)
    first = client.post(f"/api/records/reports/{report.pk}/classify", {"version": 1}, content_type=JSON)
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = client.post(f"/api/records/reports/{report.pk}/extend", {"version": 1}, content_type=JSON)
    assert stale.status_code == 409 and stale.json()["current_version"] == 2
    assert not CrimeReport.objects.get(pk=report.pk).extended


def test_a_step_from_the_wrong_status_is_422(personas):
    officer = personas["commune_officer"]
    report = receive(officer)
    response = client_for(officer).post(
        f"/api/records/reports/{report.pk}/resume", {"version": 1}, content_type=JSON
    )
    assert response.status_code == 422 and response.json()["detail"][0]["type"] == "status.not_allowed"


def test_a_decision_before_receipt_is_422(personas):
    officer = personas["commune_officer"]
    report = advance(receive(officer), officer, S.VERIFYING)
    before = (report.received_on - dt.timedelta(days=1)).isoformat()
    response = client_for(officer).post(
        f"/api/records/reports/{report.pk}/decide",
        {"version": report.version, "decision": "not_initiate", "grounds": "x", "on": before},
        content_type=JSON,
    )
    assert response.status_code == 422 and response.json()["detail"][0]["type"] == "date.before_receipt"


def test_initiating_through_the_api_lists_the_new_case(personas):
    officer = personas["commune_officer"]
    report = advance(receive(officer), officer, S.VERIFYING)
    data = (
        client_for(officer)
        .post(
            f"/api/records/reports/{report.pk}/decide",
            {"version": report.version, "decision": "initiate", "grounds": "Có dấu hiệu tội phạm."},
            content_type=JSON,
        )
        .json()
    )
    assert data["status"] == "initiated" and data["cases"][0]["number"].startswith("VA-CA11311-")


def test_the_list_filters_and_pages_with_limit_and_offset(personas):
    officer, other = personas["commune_officer"], personas["other_commune_officer"]
    overdue = receive(officer, received_at=timezone.now() - dt.timedelta(days=60))
    for _ in range(3):
        receive(officer, kind="tin_bao")
    receive(other, commune_code=COMMUNE_B)
    client = client_for(personas["commander"])
    first = client.get("/api/records/reports?limit=2").json()
    assert first["count"] == 5 and len(first["items"]) == 2 and first["next_offset"] == 2
    assert first["items"][0]["id"] == overdue.pk and first["items"][0]["overdue"] is True
    last = client.get("/api/records/reports?limit=2&offset=4").json()
    assert len(last["items"]) == 1 and last["next_offset"] is None
    assert client.get("/api/records/reports?kind=tin_bao").json()["count"] == 3
    assert client.get(f"/api/records/reports?commune={COMMUNE_B}").json()["count"] == 1
    assert client.get("/api/records/reports?due=overdue").json()["count"] == 1
    # The local day of the four reports received an hour ago (yesterday from 00:00 to 01:00).
    today = local_date(CrimeReport.objects.filter(kind="tin_bao").latest("id").received_at).isoformat()
    assert client.get(f"/api/records/reports?received_from={today}").json()["count"] == 4
    bad = client.get("/api/records/reports?received_from=2026-02-01&received_to=2026-01-01")
    assert bad.status_code == 422


def test_the_list_costs_the_same_queries_for_few_or_many_reports(personas, django_assert_max_num_queries):
    officer = personas["commune_officer"]
    client = client_for(officer)
    from anninh.records.services.reports import ReporterInput

    for _ in range(3):
        receive(officer, reporter=ReporterInput(full_name="Đinh Văn Minh"))
    client.get("/api/records/reports")
    with django_assert_max_num_queries(15) as few:
        client.get("/api/records/reports")
    for _ in range(20):
        receive(officer, reporter=ReporterInput(full_name="Đinh Văn Minh"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        data = client.get("/api/records/reports?limit=100").json()
    assert len(data["items"]) == 23


def test_a_page_is_the_registers_order_picked_before_any_join(personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from anninh.records.selectors.reports import report_list

    officer = personas["commune_officer"]
    receive(officer, received_at=timezone.now() - dt.timedelta(days=60))  # overdue: first
    for hours in (5, 1, 3):
        receive(officer, received_at=timezone.now() - dt.timedelta(hours=hours))
    expected = list(report_list(viewer=personas["commander"]).values_list("pk", flat=True))
    client = client_for(personas["commander"])
    with CaptureQueriesContext(connection) as ctx:
        first = client.get("/api/records/reports?limit=3").json()
    sql = [q["sql"] for q in ctx.captured_queries]
    second = client.get("/api/records/reports?limit=3&offset=3").json()
    assert [r["id"] for r in first["items"] + second["items"]] == expected
    # The page's ids come from the report table alone (PostgreSQL sorted every report joined
    # to five tables to keep one page: 80-110 ms of database CPU at 14,000 reports).
    picks = [q for q in sql if q.startswith('SELECT "records_crimereport"."id" AS "pk" FROM')]
    assert picks and " JOIN " not in picks[0] and "LIMIT 3" in picks[0]


def test_the_offence_search_reads_folded_names_and_article_numbers(personas):
    client = client_for(personas["commune_officer"])
    assert [o["article"] for o in client.get("/api/records/reports/offences?q=trom cap").json()] == ["173"]
    assert [o["article"] for o in client.get("/api/records/reports/offences?q=17").json()] == [
        "170",
        "171",
        "172",
        "173",
        "174",
        "175",
        "178",
    ]
    old = client.get("/api/records/reports/offences?q=256&on=2025-01-01").json()
    assert [o["article"] for o in old] == ["256"]


def test_the_schema_documents_every_report_endpoint(client):
    paths = openapi_schema()["paths"]
    for path in [
        "/api/records/reports",
        "/api/records/reports/{report_id}",
        "/api/records/reports/offences",
        *(f"/api/records/reports/{{report_id}}/{step}" for step in STEP_BODIES),
        "/api/records/persons",
        "/api/records/persons/{person_id}",
    ]:
        assert path in paths, path
    codes = set(paths["/api/records/reports/{report_id}/decide"]["post"]["responses"])
    assert codes == {"200", "400", "401", "403", "404", "409", "422"}


def test_a_body_that_is_not_json_is_a_documented_400(personas):
    response = client_for(personas["commune_officer"]).post("/api/records/reports", "{", content_type=JSON)
    assert response.status_code == 400
