"""Viewers without personal data (analysts unless granted) see the crime, not the people
(issue 14, item 12b): no stable person id to link one masked person across incidents (each
record's people are "Person 1", "Person 2"...), no house number in the address, and no free
text (narrative) that may name people or give their home address, on pages, API and exports."""

from __future__ import annotations

import pytest

from anninh.records.services import incidents as services
from anninh.records.tests.test_incidents_factories import (  # noqa: F401
    fast_passwords,
    record,
)
from anninh.testing.matrix import client_for

pytestmark = pytest.mark.django_db

NARRATIVE = "Kẻ gian đột nhập nhà anh Trần Văn Bình."


@pytest.fixture
def burglary(personas):
    return record(
        personas["commune_officer"],
        address="Số 45 ngõ 12 Lạch Tray",
        narrative=NARRATIVE,
        persons=(services.PersonData(role="victim", full_name="Trần Văn Bình", phone="0934567890"),),
    )


def test_the_api_gives_analysts_ordinal_labels_not_person_ids(personas, burglary):
    body = client_for(personas["analyst"]).get(f"/api/records/incidents/{burglary.pk}").json()
    assert [p["person_id"] for p in body["persons"]] == [None]
    assert [p["label"] for p in body["persons"]] == ["Person 1"]
    assert "45" not in body["address"] and "12" not in body["address"]
    assert "Lạch Tray" in body["address"]
    assert body["narrative"] == ""


def test_the_api_still_gives_officers_the_person_and_the_address(personas, burglary):
    body = client_for(personas["commune_officer"]).get(f"/api/records/incidents/{burglary.pk}").json()
    assert body["persons"][0]["person_id"] == burglary.person_links.get().person_id
    assert body["address"] == "Số 45 ngõ 12 Lạch Tray"
    assert body["narrative"] == NARRATIVE


def test_the_incident_page_hides_the_house_number_and_narrative_from_analysts(personas, burglary):
    html = client_for(personas["analyst"]).get(f"/records/incidents/{burglary.pk}/").content.decode()
    assert "Số 45" not in html
    assert "Trần Văn Bình" not in html
    assert "/records/persons/" not in html
    assert "Lạch Tray" in html


def test_an_analysts_export_has_no_house_number_and_no_narrative(personas, burglary):
    response = client_for(personas["analyst"]).get("/api/records/io/incidents.csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Lạch Tray" in text
    assert "Số 45" not in text
    assert "Trần Văn Bình" not in text


@pytest.fixture
def report(personas):
    from anninh.records.tests.test_reports_helpers import receive

    return receive(personas["commune_officer"], address="Số 45 ngõ 12 Lạch Tray", summary=NARRATIVE)


def test_a_crime_report_shows_analysts_the_street_not_the_house_nor_the_summary(personas, report):
    client = client_for(personas["analyst"])
    body = client.get(f"/api/records/reports/{report.pk}").json()
    assert body["address"] == "Lạch Tray"
    assert body["summary"] == ""
    html = client.get(f"/records/reports/{report.pk}/").content.decode()
    assert "Số 45" not in html and "Trần Văn Bình" not in html
    listed = client.get("/api/records/reports").json()["items"]
    assert [item["address"] for item in listed] == ["Lạch Tray"]


def test_a_crime_report_shows_its_handling_officer_everything(personas, report):
    body = client_for(personas["commune_officer"]).get(f"/api/records/reports/{report.pk}").json()
    assert body["address"] == "Số 45 ngõ 12 Lạch Tray"
    assert body["summary"] == NARRATIVE
