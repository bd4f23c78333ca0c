"""Need-to-know on incidents and cases: every persona sees exactly its own subset, whether it
asks by the list page, the API list, the map data, a text search or a guessed id; and people
in records are masked for viewers without personal data."""

from __future__ import annotations

import pytest

from anninh.audit.models import AuditAction, AuditEvent
from anninh.records.selectors.incidents import IncidentFilters, incident_list, incident_persons
from anninh.records.services.cases import case_create
from anninh.records.tests.test_incidents_factories import VISIBLE, fast_passwords, world_fixture  # noqa: F401
from anninh.testing.matrix import client_for
from anninh.testing.personas import NAMES

pytestmark = pytest.mark.django_db

READERS = {"commander", "analyst", "investigator", "commune_officer", "other_commune_officer", "fire_rescue"}


def names_of(world, numbers) -> set[str]:
    by_number = {incident.number: name for name, incident in world.items()}
    return {by_number[n] for n in numbers}


def test_the_selector_gives_each_persona_exactly_its_incidents(personas, world):
    for persona in NAMES:
        numbers = incident_list(viewer=personas[persona]).values_list("number", flat=True)
        assert names_of(world, numbers) == VISIBLE[persona], persona


def test_the_list_page_shows_each_persona_exactly_its_incidents(personas, world):
    for persona in sorted(READERS):
        html = client_for(personas[persona]).get("/records/incidents/").content.decode()
        shown = {name for name, incident in world.items() if incident.number in html}
        assert shown == VISIBLE[persona], persona


def test_the_api_list_gives_each_persona_exactly_its_incidents(personas, world):
    for persona in sorted(READERS):
        body = client_for(personas[persona]).get("/api/records/incidents?limit=200").json()
        assert names_of(world, [item["number"] for item in body["items"]]) == VISIBLE[persona], persona
        assert body["count"] == len(VISIBLE[persona])


def test_the_map_data_gives_each_persona_exactly_its_points(personas, world):
    for persona in sorted(READERS):
        body = client_for(personas[persona]).get("/api/records/incidents/map").json()
        ids = {point[0] for point in body["points"]}
        assert ids == {world[name].pk for name in VISIBLE[persona]}, persona


def test_searching_for_another_communes_incident_finds_nothing(personas, world):
    htmx = {"HX-Request": "true", "HX-Target": "incident-results"}  # the results only (the form echoes q)
    for persona in sorted(READERS):
        client = client_for(personas[persona])
        for name, incident in world.items():
            page = client.get(f"/records/incidents/?q={incident.number}", headers=htmx).content.decode()
            api = client.get(f"/api/records/incidents?q={incident.number}").json()
            expected = name in VISIBLE[persona]
            assert (incident.number in page) == expected, f"{persona} searching {name} on the page"
            assert ([i["number"] for i in api["items"]] == [incident.number]) == expected, (
                f"{persona} searching {name} by API"
            )


def test_a_search_by_words_of_the_narrative_stays_in_scope(personas, world):
    filters = IncidentFilters(q="chay kho")  # "Cháy kho hàng", typed without diacritics
    assert list(incident_list(viewer=personas["fire_rescue"], filters=filters)) == [world["fire_b"]]
    assert list(incident_list(viewer=personas["commune_officer"], filters=filters)) == []


def test_guessed_ids_answer_404_and_leave_an_audited_refusal(personas, world):
    for persona in sorted(READERS):
        user = personas[persona]
        client = client_for(user)
        for name, incident in world.items():
            visible = name in VISIBLE[persona]
            denied_before = AuditEvent.objects.filter(action=AuditAction.DENIED, actor_id=user.pk).count()
            page = client.get(f"/records/incidents/{incident.pk}/")
            api = client.get(f"/api/records/incidents/{incident.pk}")
            assert (page.status_code, api.status_code) == ((200, 200) if visible else (404, 404)), (
                persona,
                name,
            )
            denied_after = AuditEvent.objects.filter(action=AuditAction.DENIED, actor_id=user.pk).count()
            assert denied_after - denied_before == (0 if visible else 2), (persona, name)


def test_an_id_that_does_not_exist_is_a_plain_404(personas, world):
    client = client_for(personas["commune_officer"])
    assert client.get("/records/incidents/999999/").status_code == 404
    assert client.get("/api/records/incidents/999999").status_code == 404


def test_analysts_see_incidents_but_not_the_people_in_them(personas, world):
    robbery = world["robbery_b"]
    rows = incident_persons(viewer=personas["analyst"], incident=robbery)
    assert {r.role for r in rows} == {"victim", "suspect"}
    assert all(r.masked and r.full_name is None and r.cccd is None and not r.phones for r in rows)
    html = client_for(personas["analyst"]).get(f"/records/incidents/{robbery.pk}/").content.decode()
    assert "Nguyễn Thị" not in html and "031190000001" not in html and "0912345678" not in html
    body = client_for(personas["analyst"]).get(f"/api/records/incidents/{robbery.pk}").json()
    assert {p["full_name"] for p in body["persons"]} == {None}
    assert {p["cccd"] for p in body["persons"]} == {None}


def test_investigators_see_the_people_of_their_incidents(personas, world):
    robbery = world["robbery_b"]
    body = client_for(personas["investigator"]).get(f"/api/records/incidents/{robbery.pk}").json()
    assert {p["full_name"] for p in body["persons"]} == {"Nguyễn Thị Hòa", "Trần Văn Đức"}


def test_an_analyst_granted_personal_data_sees_the_people(personas, world):
    analyst = personas["analyst"]
    analyst.personal_data_granted = True
    analyst.save(update_fields=["personal_data_granted"])
    body = client_for(analyst).get(f"/api/records/incidents/{world['robbery_b'].pk}").json()
    assert {p["masked"] for p in body["persons"]} == {False}


def test_cases_follow_the_same_need_to_know(personas, world):
    case = case_create(actor=personas["investigator"], incident=world["robbery_b"])
    expected = {
        "commander": 200,
        "analyst": 200,
        "investigator": 200,
        "other_commune_officer": 200,
        "commune_officer": 404,
    }
    for persona, status in expected.items():
        assert client_for(personas[persona]).get(f"/api/records/cases/{case.pk}").status_code == status, (
            persona
        )
    assert client_for(personas["fire_rescue"]).get(f"/api/records/cases/{case.pk}").status_code == 403
