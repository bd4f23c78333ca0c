"""Arrests and wanted notices: recorded through the index's persons only, scoped like the
records, a wanted notice closed by the arrest that catches the person, audited reads."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from anninh.audit.models import AuditAction, AuditEvent
from anninh.enforcement import services
from anninh.enforcement.models import WantedStatus
from anninh.records.models import IncidentPerson
from anninh.records.services import incidents as incident_services
from anninh.records.services.incidents import InvalidRecord
from anninh.records.tests.test_incidents_factories import fast_passwords, record, unit_id  # noqa: F401
from anninh.testing.personas import COMMUNE_A, COMMUNE_B


@pytest.fixture
def suspect(personas):
    incident = record(
        personas["commune_officer"],
        persons=(incident_services.PersonData(role="suspect", full_name="Đỗ Văn Trốn", cccd="031090000021"),),
    )
    return IncidentPerson.objects.unrestricted().get(incident=incident).person


def _wanted(personas, suspect):
    return services.wanted_create(
        actor=personas["commune_officer"],
        person_id=suspect.pk,
        warrant_number="07/QĐ-TN",
        issuing_body="Cơ quan CSĐT",
        issued_on=timezone.localdate() - dt.timedelta(days=3),
        unit_id=unit_id(f"CA{COMMUNE_A}"),
        offence_article="Điều 173",
        commune_code=COMMUNE_A,
    )


def test_an_arrest_on_a_wanted_notice_closes_it_as_caught_by_the_arresting_unit(personas, suspect):
    wanted = _wanted(personas, suspect)
    services.arrest_create(
        actor=personas["commune_officer"],
        person_id=suspect.pk,
        arrested_at=timezone.now() - dt.timedelta(hours=1),
        commune_code=COMMUNE_A,
        unit_id=unit_id(f"CA{COMMUNE_A}"),
        basis="wanted",
        wanted_id=wanted.pk,
    )
    wanted.refresh_from_db()
    assert wanted.status == WantedStatus.CAUGHT
    assert wanted.caught_on == timezone.localdate(timezone.now() - dt.timedelta(hours=1))
    assert wanted.caught_by_id == unit_id(f"CA{COMMUNE_A}")
    assert wanted.offence.article == "173"


def test_a_person_the_officer_cannot_see_cannot_be_arrested_in_the_records(personas, suspect):
    with pytest.raises(InvalidRecord) as exc:
        services.arrest_create(
            actor=personas["other_commune_officer"],
            person_id=suspect.pk,
            arrested_at=timezone.now(),
            commune_code=COMMUNE_B,
            unit_id=unit_id(f"CA{COMMUNE_B}"),
            basis="in_the_act",
        )
    assert exc.value.errors[0].code == "person.not_found"


def test_a_wanted_arrest_needs_its_notice_and_a_warrant_is_recorded_once(personas, suspect):
    _wanted(personas, suspect)
    with pytest.raises(InvalidRecord) as exc:
        _wanted(personas, suspect)
    assert {e.code for e in exc.value.errors} == {"wanted.duplicate"}
    with pytest.raises(InvalidRecord) as exc:
        services.arrest_create(
            actor=personas["commune_officer"],
            person_id=suspect.pk,
            arrested_at=timezone.now(),
            commune_code=COMMUNE_A,
            unit_id=unit_id(f"CA{COMMUNE_A}"),
            basis="wanted",
        )
    assert {e.code for e in exc.value.errors} == {"arrest.wanted_required"}


def test_reading_an_arrest_is_audited_and_analysts_do_not_see_the_name(personas, suspect):
    arrest = services.arrest_create(
        actor=personas["commune_officer"],
        person_id=suspect.pk,
        arrested_at=timezone.now() - dt.timedelta(hours=1),
        commune_code=COMMUNE_A,
        unit_id=unit_id(f"CA{COMMUNE_A}"),
        basis="in_the_act",
    )
    for name, shows in (("commune_officer", True), ("analyst", False)):
        client = Client()
        client.force_login(personas[name])
        body = client.get(f"/enforcement/arrests/{arrest.pk}/").content.decode()
        assert ("Đỗ Văn Trốn" in body) is shows
        assert (
            AuditEvent.objects.unrestricted()
            .filter(action=AuditAction.VIEW, actor_id=personas[name].pk, object_id=str(arrest.pk))
            .exists()
        )
    client = Client()
    client.force_login(personas["other_commune_officer"])
    assert client.get(f"/enforcement/arrests/{arrest.pk}/").status_code == 404


def test_the_arrest_form_records_an_arrest_for_a_case_named_by_its_number(personas, suspect):
    from anninh.records.services.cases import case_create

    incident = IncidentPerson.objects.unrestricted().get(person=suspect).incident
    case = case_create(
        actor=personas["commune_officer"], incident=incident, initiated_on=timezone.localdate()
    )
    client = Client()
    client.force_login(personas["commune_officer"])
    when = timezone.localtime(timezone.now() - dt.timedelta(hours=2))
    form = {
        "person": suspect.pk,
        "arrested_at": when.strftime("%d/%m/%Y %H:%M"),
        "commune": COMMUNE_A,
        "unit": unit_id(f"CA{COMMUNE_A}"),
        "basis": "urgent",
        "case": "KHÔNG-CÓ",
    }
    refused = client.post("/enforcement/arrests/new/", form)
    assert refused.status_code == 200
    assert "No case with this number" in refused.content.decode()
    response = client.post("/enforcement/arrests/new/", {**form, "case": case.number})
    assert response.status_code == 302, response.content.decode()[:2000]
    listing = client.get("/enforcement/arrests/").content.decode()
    assert "Đỗ Văn Trốn" in listing and case.number in listing


def test_the_api_records_an_arrest_and_answers_problems_as_type_loc_msg(personas, suspect):
    client = Client()
    client.force_login(personas["commune_officer"])
    body = {
        "person_id": suspect.pk,
        "arrested_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
        "commune": COMMUNE_A,
        "responsible_unit_id": unit_id(f"CA{COMMUNE_A}"),
        "basis": "in_the_act",
    }
    created = client.post("/api/enforcement/arrests", body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["person_name"] == "Đỗ Văn Trốn"
    refused = client.post(
        "/api/enforcement/arrests", {**body, "basis": "wanted"}, content_type="application/json"
    )
    assert refused.status_code == 422
    assert refused.json() == {
        "detail": [
            {
                "type": "arrest.wanted_required",
                "loc": ["body", "wanted"],
                "msg": "Choose the wanted notice of the person.",
            }
        ]
    }
    listed = client.get("/api/enforcement/arrests").json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == created.json()["id"]
