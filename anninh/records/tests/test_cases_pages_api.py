"""Case pages and the cases API: the permission matrix of every page and endpoint, status
changes and clearance from the page and the API, and the clearance report."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from anninh.records.models import Case, CaseStatus
from anninh.records.services.cases import case_create, case_transition
from anninh.records.tests.test_incidents_factories import (  # noqa: F401
    fast_passwords,
    local,
    record,
    unit_id,
    world_fixture,
)
from anninh.testing.matrix import LOGIN, UNAUTHORIZED, check_matrix, client_for

pytestmark = pytest.mark.django_db

NOT_READERS = {
    "fire_rescue": 403,
    "public_relations": 403,
    "auditor": 403,
    "administrator": 403,
    "no_role": 403,
}
JSON = "application/json"


@pytest.fixture
def case_b(personas, world):
    """The PC02 robbery in commune B, opened as a case by the investigator."""
    return case_create(actor=personas["investigator"], incident=world["robbery_b"])


def test_case_list_page_matrix(personas):
    check_matrix(
        "/records/cases/",
        {
            "anonymous": LOGIN,
            "commander": 200,
            "analyst": 200,
            "investigator": 200,
            "commune_officer": 200,
            "other_commune_officer": 200,
            **NOT_READERS,
        },
        personas=personas,
    )


def test_case_detail_page_matrix(personas, case_b):
    check_matrix(
        f"/records/cases/{case_b.pk}/",
        {
            "anonymous": LOGIN,
            "commander": 200,
            "analyst": 200,
            "investigator": 200,
            "commune_officer": 404,
            "other_commune_officer": 200,
            **NOT_READERS,
        },
        personas=personas,
    )


def test_case_transition_page_matrix(personas, case_b):
    check_matrix(
        f"/records/cases/{case_b.pk}/transition/",
        {
            "anonymous": LOGIN,
            "commander": 403,
            "analyst": 403,
            "investigator": 302,
            "commune_officer": 404,
            "other_commune_officer": 403,
            **NOT_READERS,
        },
        personas=personas,
        method="post",
        data={"to_status": "investigating", "version": "1"},
    )
    assert Case.objects.get(pk=case_b.pk).status == CaseStatus.INVESTIGATING


def test_case_create_page_matrix(personas, world):
    check_matrix(
        f"/records/incidents/{world['theft_a'].pk}/cases/new/",
        {
            "anonymous": LOGIN,
            "commander": 403,
            "analyst": 403,
            "investigator": 404,
            "commune_officer": 200,
            "other_commune_officer": 404,
            **NOT_READERS,
        },
        personas=personas,
    )


def test_clearance_page_matrix(personas):
    check_matrix(
        "/records/cases/clearance/",
        {
            "anonymous": LOGIN,
            "commander": 200,
            "analyst": 200,
            "investigator": 200,
            "commune_officer": 200,
            "other_commune_officer": 200,
            **NOT_READERS,
        },
        personas=personas,
    )


def test_case_api_matrices(personas, case_b):
    readers = {"commander": 200, "analyst": 200, "investigator": 200, "other_commune_officer": 200}
    check_matrix(
        "/api/records/cases",
        {"anonymous": UNAUTHORIZED, "commune_officer": 200, **readers, **NOT_READERS},
        personas=personas,
    )
    check_matrix(
        f"/api/records/cases/{case_b.pk}",
        {"anonymous": UNAUTHORIZED, "commune_officer": 404, **readers, **NOT_READERS},
        personas=personas,
    )
    check_matrix(
        "/api/records/cases/clearance?occurred_from=01/01/2026&occurred_to=31/12/2026",
        {"anonymous": UNAUTHORIZED, "commune_officer": 200, **readers, **NOT_READERS},
        personas=personas,
    )


def test_case_api_transition_matrix(personas, case_b):
    check_matrix(
        f"/api/records/cases/{case_b.pk}/transition",
        {
            "anonymous": UNAUTHORIZED,
            "commander": 403,
            "analyst": 403,
            "investigator": 200,
            "commune_officer": 404,
            "other_commune_officer": 403,
            **NOT_READERS,
        },
        personas=personas,
        method="post",
        data=json.dumps({"to_status": "investigating", "version": 1}),
        content_type=JSON,
    )


def test_case_api_create_matrix(personas, world):
    check_matrix(
        "/api/records/cases",
        {
            "anonymous": UNAUTHORIZED,
            "commander": 403,
            "analyst": 403,
            "investigator": 404,
            "commune_officer": 201,
            "other_commune_officer": 404,
            **NOT_READERS,
        },
        personas=personas,
        method="post",
        data=json.dumps({"incident_id": world["theft_a"].pk}),
        content_type=JSON,
    )
    assert Case.objects.get().incident == world["theft_a"]


def test_a_case_is_opened_from_the_incident_page(personas, world):
    client = client_for(personas["commune_officer"])
    html = client.get(f"/records/incidents/{world['theft_a'].pk}/").content.decode()
    assert f"/records/incidents/{world['theft_a'].pk}/cases/new/" in html
    response = client.post(
        f"/records/incidents/{world['theft_a'].pk}/cases/new/",
        {
            "initiated_on": timezone.localdate().strftime("%d/%m/%Y"),
            "handling_unit": str(unit_id("CA11311")),
            "summary": "Khởi tố",
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/records/cases/{case.pk}/"


def test_a_case_date_typed_wrongly_is_explained(personas, world):
    response = client_for(personas["commune_officer"]).post(
        f"/records/incidents/{world['theft_a'].pk}/cases/new/",
        {"initiated_on": "2026-31-12", "handling_unit": str(unit_id("CA11311"))},
    )
    assert response.status_code == 422 and "Enter the date as dd/mm/yyyy" in response.content.decode()
    assert not Case.objects.exists()


def test_clearing_from_the_page_records_the_identification(personas, case_b):
    client = client_for(personas["investigator"])
    response = client.post(
        f"/records/cases/{case_b.pk}/transition/",
        {"to_status": "cleared", "version": "1", "offender_identified_at": "", "arrests": "1"},
    )
    assert response.status_code == 422
    assert "Enter when the offender was identified." in response.content.decode()
    identified = timezone.localtime().strftime("%d/%m/%Y %H:%M")
    response = client.post(
        f"/records/cases/{case_b.pk}/transition/",
        {"to_status": "cleared", "version": "1", "offender_identified_at": identified, "arrests": "1"},
    )
    assert response.status_code == 302
    case = Case.objects.get(pk=case_b.pk)
    assert case.status == CaseStatus.CLEARED and case.arrests == 1 and case.clearing_unit.code == "PC02"
    html = client.get(f"/records/cases/{case.pk}/").content.decode()
    assert "Cleared" in html and "Status history" in html


def test_clearing_through_the_api_and_a_stale_version(personas, case_b):
    client = client_for(personas["investigator"])
    url = f"/api/records/cases/{case_b.pk}/transition"
    response = client.post(url, json.dumps({"to_status": "cleared", "version": 1}), content_type=JSON)
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == [
        "body",
        "offender_identified_at",
    ]
    identified = dt.datetime.now(dt.UTC).isoformat()
    response = client.post(
        url,
        json.dumps(
            {"to_status": "cleared", "version": 1, "offender_identified_at": identified, "arrests": 2}
        ),
        content_type=JSON,
    )
    assert response.status_code == 200 and response.json()["status"] == "cleared"
    assert response.json()["allowed_transitions"] == ["investigating"]
    response = client.post(url, json.dumps({"to_status": "investigating", "version": 1}), content_type=JSON)
    assert response.status_code == 409


def test_the_clearance_report_on_the_page_and_the_api(personas):
    officer = personas["commune_officer"]
    incident = record(officer, occurred_from=local(2026, 3, 5), reported_at=local(2026, 3, 5, 12))
    case = case_create(actor=officer, incident=incident, initiated_on=dt.date(2026, 3, 6))
    case_transition(
        actor=officer, case=case, to_status="cleared", version=1, offender_identified_at=local(2026, 3, 20)
    )
    html = (
        client_for(officer)
        .get("/records/cases/clearance/?occurred_from=01/03/2026&occurred_to=31/03/2026&as_of=31/03/2026")
        .content.decode()
    )
    assert "Property crime" in html and "100%" in html
    html = (
        client_for(officer)
        .get("/records/cases/clearance/?occurred_from=01/03/2026&occurred_to=31/03/2026&as_of=10/03/2026")
        .content.decode()
    )
    assert "0%" in html
    data = (
        client_for(officer)
        .get("/api/records/cases/clearance?occurred_from=01/03/2026&occurred_to=31/03/2026&as_of=31/03/2026")
        .json()
    )
    assert data["groups"] == [
        {"group": "property", "label": "Property crime", "occurred": 1, "cleared": 1, "rate": 1.0}
    ]
    assert data["total"]["occurred"] == 1


def test_the_clearance_report_refuses_an_inverted_period(personas):
    response = client_for(personas["commander"]).get(
        "/api/records/cases/clearance?occurred_from=31/03/2026&occurred_to=01/03/2026"
    )
    assert response.status_code == 422
    html = (
        client_for(personas["commander"])
        .get("/records/cases/clearance/?occurred_from=31/03/2026&occurred_to=01/03/2026")
        .content.decode()
    )
    assert "The end date is before the start date." in html


def test_the_case_list_filters_by_status_with_htmx(personas, case_b):
    client = client_for(personas["commander"])
    headers = {"HX-Request": "true", "HX-Target": "case-results"}
    assert case_b.number in client.get("/records/cases/?status=open", headers=headers).content.decode()
    assert case_b.number not in client.get("/records/cases/?status=cleared", headers=headers).content.decode()
    assert client.get("/api/records/cases?status=open").json()["count"] == 1
    assert (
        client.get("/api/records/cases?offence_group=property").json()["items"][0]["offence_group"]
        == "property"
    )


def test_the_clearance_report_as_reported_on_a_day_ignores_changes_entered_later(personas):
    from anninh.records.models import CaseStatusChange

    officer = personas["commune_officer"]
    incident = record(officer, occurred_from=local(2026, 3, 5), reported_at=local(2026, 3, 5, 12))
    case = case_create(actor=officer, incident=incident, initiated_on=dt.date(2026, 3, 6))
    CaseStatusChange.objects.filter(case=case).update(created_at=local(2026, 3, 6, 9))  # entered then
    case_transition(  # entered today, back-dated to 20/03
        actor=officer, case=case, to_status="cleared", version=1, offender_identified_at=local(2026, 3, 20)
    )
    query = "occurred_from=01/03/2026&occurred_to=31/03/2026&as_of=31/03/2026"
    client = client_for(officer)
    now = client.get(f"/api/records/cases/clearance?{query}").json()
    reported = client.get(f"/api/records/cases/clearance?{query}&mode=reported").json()
    assert (now["total"]["occurred"], now["total"]["cleared"]) == (1, 1)
    assert (reported["total"]["occurred"], reported["total"]["cleared"]) == (1, 0)
    assert reported["mode"] == "reported" and now["mode"] == "now"
    assert client.get(f"/api/records/cases/clearance?{query}&mode=later").status_code == 422
    html = client.get(f"/records/cases/clearance/?{query}&mode=reported").content.decode()
    assert "0%" in html and "100%" not in html
    assert "100%" in client.get(f"/records/cases/clearance/?{query}&mode=now").content.decode()
