"""What a write through the API costs in SQL, and that answering from what was just written
changes nothing: the load run's writes (issue #14 item 14, benchmarks/results/load-cpu-profile.md)
are bound by their queries, so their counts are pinned here; the answers and timeline snapshots
built from the rows just written must equal what a fresh read gives."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anninh.accounts.models import APIToken
from anninh.accounts.services import SystemActor, api_token_create
from anninh.records.models import CrimeReport, Incident, RecordEvent
from anninh.records.services.incidents import incident_snapshot
from anninh.records.tests.test_incidents_api import BASE, JSON, body
from anninh.records.tests.test_incidents_factories import fast_passwords, unit_id  # noqa: F401
from anninh.records.tests.test_reports_api import receive_body
from anninh.testing.personas import COMMUNE_A

pytestmark = pytest.mark.django_db

REPORTS = "/api/records/reports"
CHILDREN = ("offences", "persons", "losses", "crime_reports", "fire_rescue", "response_times")

# The SQL statements of one request with a personal API token (as the load run sends them),
# on SQLite and PostgreSQL alike. In a test the service's transaction is a savepoint inside
# the test's own (SAVEPOINT and RELEASE: two statements more than in production). Served
# for real (cpu_profile.py --queries on PostgreSQL) these requests went from 46, 57, 30 and 16
# statements (main at e9cbd3e) to 26, 36, 22 and 13.
CREATE_INCIDENT = 27
UPDATE_INCIDENT = 38
RECEIVE_REPORT = 23
CLASSIFY_REPORT = 15


def token_client(user) -> Client:
    """A client with a personal read-write API token, used once so that the once-a-minute
    `last_used_at` write is behind it."""
    _token, raw = api_token_create(
        actor=SystemActor("test"), user=user, name="budget", days=1, scope=APIToken.Scope.WRITE
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get(f"{BASE}?limit=1").status_code == 200
    return client


def send(client: Client, method: str, url: str, data: dict) -> tuple:
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, json.dumps(data), content_type=JSON)
    return response, len(ctx.captured_queries)


PHONES = iter(range(981_000_000, 982_000_000))


def new_phone() -> str:
    """A phone nobody has yet: the load run's victims and reporters are new people."""
    return f"0{next(PHONES)}"


def load_body(**overrides) -> dict:
    """The load run's incident: one offence, one new victim with a phone, one loss."""
    return body(
        offences=[{"article": "173", "clause": 1, "is_main": True}],
        persons=[{"role": "victim", "full_name": "Nguyễn Văn Tải", "phone": new_phone()}],
        losses=[{"description": "Điện thoại", "value_vnd": 3_000_000}],
        **overrides,
    )


def load_report() -> dict:
    """The load run's crime report: a new reporter with a phone, no offence yet."""
    return receive_body(offence_article="", reporter={"full_name": "Trần Thị Báo", "phones": [new_phone()]})


# Query budgets --------------------------------------------------------------------------------


# Each request is sent once unmeasured first: the per-process caches (the communes' boundaries
# for the point lookup) are warm in a serving process.


def test_recording_an_incident_through_the_api_keeps_its_query_budget(personas):
    client = token_client(personas["commune_officer"])
    assert send(client, "post", BASE, load_body())[0].status_code == 201
    response, queries = send(client, "post", BASE, load_body())
    assert response.status_code == 201, response.content
    assert queries == CREATE_INCIDENT


def test_replacing_an_incident_through_the_api_keeps_its_query_budget(personas):
    client = token_client(personas["commune_officer"])
    created = client.post(BASE, json.dumps(load_body()), content_type=JSON).json()
    version = created["version"]
    for _ in range(2):  # a new victim each time: the old link goes
        changed = load_body(address="9 Minh Khai", version=version)
        response, queries = send(client, "put", f"{BASE}/{created['id']}", changed)
        assert response.status_code == 200, response.content
        version = response.json()["version"]
    assert queries == UPDATE_INCIDENT


def test_receiving_a_crime_report_through_the_api_keeps_its_query_budget(personas):
    client = token_client(personas["commune_officer"])
    assert send(client, "post", REPORTS, load_report())[0].status_code == 201
    response, queries = send(client, "post", REPORTS, load_report())
    assert response.status_code == 201, response.content
    assert queries == RECEIVE_REPORT


def test_classifying_a_crime_report_through_the_api_keeps_its_query_budget(personas):
    client = token_client(personas["commune_officer"])
    for _ in range(2):
        report = client.post(REPORTS, json.dumps(load_report()), content_type=JSON).json()
        response, queries = send(
            client,
            "post",
            f"{REPORTS}/{report['id']}/classify",
            {"version": report["version"], "offence_article": "173"},
        )
        assert response.status_code == 200, response.content
    assert queries == CLASSIFY_REPORT


# Answers and snapshots from what was written equal a fresh read -------------------------------


def _detail(client: Client, incident_id: int) -> dict:
    return client.get(f"{BASE}/{incident_id}").json()


def _children_as_stored(incident_id: int) -> dict:
    fresh = Incident.objects.unrestricted().get(pk=incident_id)
    return json.loads(json.dumps({k: incident_snapshot(fresh)[k] for k in CHILDREN}, default=str))


def _last_snapshot(incident_id: int) -> dict:
    event = RecordEvent.objects.filter(object_type="records.incident", object_id=incident_id).last()
    return {k: event.snapshot[k] for k in CHILDREN}


def test_the_answer_and_timeline_of_a_create_and_an_update_are_what_a_fresh_read_gives(personas):
    officer = personas["commune_officer"]
    client = token_client(officer)
    report = client.post(REPORTS, json.dumps(receive_body()), content_type=JSON).json()
    data = body(
        offences=[{"article": "173", "clause": 2}, {"article": "134", "is_main": True}],
        persons=[
            {"role": "victim", "full_name": "Đặng Văn Hải", "phone": "0934567890", "note": "chủ cửa hàng"},
            {"role": "witness", "full_name": "Lê Thị Mai"},
        ],
        crime_report_ids=[report["id"]],
    )
    created = client.post(BASE, json.dumps(data), content_type=JSON)
    assert created.status_code == 201, created.content
    answer = created.json()
    assert answer == _detail(client, answer["id"])
    assert answer["crime_reports"] and len(answer["offences"]) == 2 and len(answer["losses"]) == 2
    assert _last_snapshot(answer["id"]) == _children_as_stored(answer["id"])

    # Keep one person by id (new note), drop the other, add one; other offences and losses;
    # unlink the report.
    kept = next(p for p in answer["persons"] if p["role"] == "victim")
    changed = body(
        version=answer["version"],
        offences=[{"article": "168", "clause": 1}],
        persons=[
            {"role": "victim", "person_id": kept["person_id"], "note": "đã trình báo"},
            {"role": "suspect", "full_name": "Trần Văn Đức", "phone": "0912345678"},
        ],
        losses=[{"description": "Xe máy", "value_vnd": 25_000_000, "recovered": True}],
        crime_report_ids=[],
    )
    updated = client.put(f"{BASE}/{answer['id']}", json.dumps(changed), content_type=JSON)
    assert updated.status_code == 200, updated.content
    assert updated.json() == _detail(client, answer["id"])
    assert updated.json()["crime_reports"] == [] and len(updated.json()["persons"]) == 2
    assert _last_snapshot(answer["id"]) == _children_as_stored(answer["id"])
    # And the link to the report comes back on the next update.
    again = {**changed, "version": updated.json()["version"], "crime_report_ids": [report["id"]]}
    relinked = client.put(f"{BASE}/{answer['id']}", json.dumps(again), content_type=JSON)
    assert relinked.status_code == 200, relinked.content
    assert relinked.json() == _detail(client, answer["id"]) and relinked.json()["crime_reports"]
    assert _last_snapshot(answer["id"]) == _children_as_stored(answer["id"])


def test_a_fire_report_and_its_response_times_are_answered_and_kept_as_stored(personas):
    officer = personas["fire_rescue"]
    client = token_client(officer)
    now = timezone.now()
    fire = {
        "cause": "Chập điện",
        "forces": 12,
        "response_times": [
            {
                "unit_id": unit_id("PC07"),
                "alerted_at": (now - dt.timedelta(hours=3)).isoformat(),
                "arrived_at": (now - dt.timedelta(hours=2, minutes=40)).isoformat(),
            }
        ],
    }
    data = body(
        kind="fire",
        responsible_unit_id=unit_id("PC07"),
        offences=[],
        losses=[],
        persons=[],
        fire_rescue=fire,
        occurred_from=(now - dt.timedelta(hours=4)).isoformat(),
    )
    created = client.post(BASE, json.dumps(data), content_type=JSON)
    assert created.status_code == 201, created.content
    answer = created.json()
    assert answer == _detail(client, answer["id"]) and answer["fire_rescue"]["response_times"]
    assert _last_snapshot(answer["id"]) == _children_as_stored(answer["id"])

    changed = {**data, "version": answer["version"], "fire_rescue": {**fire, "forces": 15}}
    updated = client.put(f"{BASE}/{answer['id']}", json.dumps(changed), content_type=JSON)
    assert updated.status_code == 200, updated.content
    assert updated.json() == _detail(client, answer["id"]) and updated.json()["fire_rescue"]["forces"] == 15
    assert _last_snapshot(answer["id"]) == _children_as_stored(answer["id"])


def test_a_received_report_is_answered_as_a_fresh_read_shows_it(personas):
    client = token_client(personas["commune_officer"])
    received = client.post(REPORTS, json.dumps(receive_body()), content_type=JSON)
    assert received.status_code == 201, received.content
    fresh = client.get(f"{REPORTS}/{received.json()['id']}")
    assert received.json() == fresh.json() and fresh.json()["cases"] == []
    assert CrimeReport.objects.count() == 1
    assert fresh.json()["commune"]["code"] == COMMUNE_A
