"""The audit API: auditors only (403 and an audited refusal for others, 401 anonymous),
the same filters as the page, limit/offset paging, one event, the chain status."""

from __future__ import annotations

import pytest
from django.db import transaction

from anninh.audit.models import AuditAction, AuditEvent
from anninh.audit.services import audit_record
from anninh.audit.tests.conftest import raw, triggers_lifted, write_events
from anninh.testing.matrix import UNAUTHORIZED, check_matrix, client_for
from anninh.testing.openapi import openapi_schema

pytestmark = pytest.mark.django_db

API_AUDITOR_ONLY = {
    "anonymous": UNAUTHORIZED,
    "commander": 403,
    "analyst": 403,
    "investigator": 403,
    "commune_officer": 403,
    "other_commune_officer": 403,
    "fire_rescue": 403,
    "public_relations": 403,
    "auditor": 200,
    "administrator": 403,
    "no_role": 403,
}


def test_only_auditors_search_the_log_over_the_api(personas):
    check_matrix("/api/audit/events", API_AUDITOR_ONLY, personas=personas)


def test_only_auditors_read_one_event_over_the_api(personas):
    (event,) = write_events(1)
    check_matrix(f"/api/audit/events/{event.pk}", API_AUDITOR_ONLY, personas=personas)


def test_only_auditors_verify_the_chain_over_the_api(personas):
    check_matrix("/api/audit/verify", API_AUDITOR_ONLY, personas=personas)


def test_every_response_code_is_declared_in_the_schema(client):
    paths = openapi_schema()["paths"]
    assert set(paths["/api/audit/events"]["get"]["responses"]) == {"200", "401", "403", "422"}
    assert set(paths["/api/audit/events/{event_id}"]["get"]["responses"]) == {
        "200",
        "401",
        "403",
        "404",
        "422",
    }
    assert set(paths["/api/audit/verify"]["get"]["responses"]) == {"200", "401", "403"}


def test_the_api_filters_and_pages_newest_first(auditor, commander):
    events = write_events(5)
    with transaction.atomic():
        target = audit_record(
            actor=commander, action=AuditAction.DELETE, object_type="org.unit", object_id="8"
        )
    client = client_for(auditor)
    body = client.get("/api/audit/events", {"username": "chi.huy", "action": "delete"}).json()
    assert [item["id"] for item in body["items"]] == [target.pk]
    assert body["items"][0]["actor_username"] == "chi.huy"
    first = client.get("/api/audit/events", {"object_type": "test.thing", "limit": 2}).json()
    second = client.get("/api/audit/events", {"object_type": "test.thing", "limit": 2, "offset": 2}).json()
    last = client.get("/api/audit/events", {"object_type": "test.thing", "limit": 2, "offset": 4}).json()
    ids = [i["id"] for page in (first, second, last) for i in page["items"]]
    assert ids == [e.pk for e in reversed(events)]
    assert (first["next_offset"], second["next_offset"], last["next_offset"]) == (2, 4, None)
    viewed = AuditEvent.objects.filter(actor_id=auditor.pk, action=AuditAction.VIEW).latest("id")
    assert viewed.extra == {"via": "api", "filters": {"object_type": "test.thing", "offset": 4}}


def test_the_api_refuses_unreadable_filters_with_422(auditor):
    client = client_for(auditor)
    for params in [
        {"client_ip": "nowhere"},
        {"action": "rewrite"},
        {"limit": 0},
        {"date_from": "31/12/2026"},
    ]:
        assert client.get("/api/audit/events", params).status_code == 422, params


def test_one_event_comes_with_its_snapshots_and_changes(auditor):
    with transaction.atomic():
        event = audit_record(
            actor=None,
            action=AuditAction.UPDATE,
            object_type="org.unit",
            object_id="3",
            before={"tên": "Cũ", "mã": "A"},
            after={"tên": "Mới", "mã": "A"},
            username="hệ.thống",
        )
    body = client_for(auditor).get(f"/api/audit/events/{event.pk}").json()
    assert body["before"] == {"tên": "Cũ", "mã": "A"}
    assert body["changes"] == [{"field": "tên", "kind": "changed", "before": "Cũ", "after": "Mới"}]
    assert (body["hash"], body["prev_hash"]) == (event.hash, event.prev_hash)
    assert AuditEvent.objects.filter(actor_id=auditor.pk, object_id=str(event.pk), action="view").exists()


def test_an_event_that_does_not_exist_is_404_over_the_api(auditor):
    response = client_for(auditor).get("/api/audit/events/424242")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_the_api_reports_the_chain_status_and_records_the_check(auditor):
    events = write_events(3)
    client = client_for(auditor)
    intact = client.get("/api/audit/verify").json()
    assert (intact["ok"], intact["checked"], intact["first_bad_id"]) == (True, 3, None)
    with triggers_lifted():
        raw("UPDATE audit_auditevent SET object_id = 'x' WHERE id = %s", [events[0].pk])
    broken = client.get("/api/audit/verify").json()
    assert (broken["ok"], broken["code"], broken["first_bad_id"]) == (False, "hash_mismatch", events[0].pk)
    checks = AuditEvent.objects.filter(actor_id=auditor.pk, object_type="audit.auditchainhead")
    assert checks.count() == 2
