"""A commune officer may receive a crime report for another commune (any police body must
receive a report, wherever the person reporting stands): the report is entered in the
receiving unit's own register, and it waits in the incoming queue of the commune's own
police (`incoming=1` on the register page and API) until that unit has it handled
(issue 14, item 12a)."""

from __future__ import annotations

import pytest

from anninh.org.models import Unit
from anninh.records.services import reports as services
from anninh.records.tests.test_reports_helpers import (  # noqa: F401 - fast_passwords is autouse
    fast_passwords,
    receive,
)
from anninh.testing.matrix import client_for
from anninh.testing.personas import COMMUNE_B

pytestmark = pytest.mark.django_db


def _incoming_ids(user, *, api: bool = False) -> set[int]:
    client = client_for(user)
    if api:
        response = client.get("/api/records/reports", {"incoming": "true"})
        assert response.status_code == 200
        return {item["id"] for item in response.json()["items"]}
    response = client.get("/records/reports/", {"incoming": "on"})
    assert response.status_code == 200
    return {r.pk for r in response.context["page"].object_list}


@pytest.fixture
def filed_elsewhere(personas):
    """Received by the officer of commune A for an offence in commune B."""
    return receive(personas["commune_officer"], commune_code=COMMUNE_B)


def test_the_receiving_unit_keeps_the_report_in_its_own_register(personas, filed_elsewhere):
    own_unit = personas["commune_officer"].unit
    assert filed_elsewhere.receiving_unit_id == own_unit.pk
    assert filed_elsewhere.handling_unit_id == own_unit.pk
    assert filed_elsewhere.register_number.startswith(own_unit.code)


@pytest.mark.parametrize("api", [False, True])
def test_a_report_filed_for_another_commune_is_incoming_for_that_communes_police(
    personas, filed_elsewhere, api
):
    theirs = receive(personas["other_commune_officer"], commune_code=COMMUNE_B)
    assert _incoming_ids(personas["other_commune_officer"], api=api) == {filed_elsewhere.pk}
    assert theirs.pk not in _incoming_ids(personas["other_commune_officer"], api=api)


def test_the_filing_unit_does_not_see_it_as_incoming(personas, filed_elsewhere):
    assert _incoming_ids(personas["commune_officer"]) == set()


def test_it_stays_incoming_once_transferred_and_leaves_the_queue_when_accepted(personas, filed_elsewhere):
    officer, other = personas["commune_officer"], personas["other_commune_officer"]
    report = services.crime_report_classify(actor=officer, report=filed_elsewhere, version=1)
    target = Unit.objects.active().get(code=f"CA{COMMUNE_B}")
    report = services.crime_report_transfer(
        actor=officer, report=report, version=report.version, to_unit_id=target.pk
    )
    assert _incoming_ids(other) == {report.pk}
    report = services.crime_report_accept(actor=other, report=report, version=report.version)
    assert report.handling_unit_id == target.pk
    assert _incoming_ids(other) == set()


def test_an_incident_recorded_for_another_commune_stays_with_the_recording_unit_and_is_seen_there(personas):
    from anninh.records.selectors.incidents import IncidentFilters, incident_list
    from anninh.records.tests.test_incidents_factories import record, unit_id

    incident = record(
        personas["commune_officer"],
        commune=COMMUNE_B,
        responsible_unit_id=personas["commune_officer"].unit_id,
    )
    assert incident.commune_id == COMMUNE_B
    assert incident.responsible_unit_id == unit_id(personas["commune_officer"].unit.code)
    seen_by_b = incident_list(viewer=personas["other_commune_officer"], filters=IncidentFilters())
    assert incident.pk in set(seen_by_b.values_list("pk", flat=True))
