"""Idempotency-Key on the API's creates, one-time tokens on the HTML create forms (#14)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from anninh.records.models import CrimeReport, IdempotencyKey, Incident
from anninh.records.services import idempotency
from anninh.records.tests.test_incidents_api import BASE, body, point_in, unit_id
from anninh.records.tests.test_incidents_factories import fast_passwords  # noqa: F401 - autouse
from anninh.records.tests.test_reports_api import receive_body
from anninh.testing.matrix import client_for
from anninh.testing.personas import COMMUNE_B

JSON = "application/json"


def post(client, url, data, key):
    return client.post(url, data, content_type=JSON, headers={"Idempotency-Key": key})


def test_a_retry_with_the_same_key_and_body_replays_the_first_answer(personas):
    client = client_for(personas["commune_officer"])
    data = body()
    first = post(client, BASE, data, "retry-1")
    again = post(client, BASE, data, "retry-1")
    assert first.status_code == again.status_code == 201
    assert again.content == first.content and again["Idempotent-Replayed"] == "true"
    assert Incident.objects.count() == 1


def test_the_same_key_with_another_body_is_refused(personas):
    client = client_for(personas["commune_officer"])
    post(client, BASE, body(), "k-2")
    other = post(client, BASE, body(address="9 Lạch Tray"), "k-2")
    assert other.status_code == 422 and Incident.objects.count() == 1
    (problem,) = other.json()["detail"]
    assert problem["type"] == "idempotency.mismatch" and problem["loc"] == ["header", "Idempotency-Key"]


def test_without_a_key_each_post_creates(personas):
    client = client_for(personas["commune_officer"])
    client.post(BASE, body(), content_type=JSON)
    client.post(BASE, body(), content_type=JSON)
    assert Incident.objects.count() == 2 and not IdempotencyKey.objects.exists()


def test_a_refused_request_keeps_no_key_and_may_be_retried(personas):
    client = client_for(personas["commune_officer"])
    bad = post(client, BASE, body(offences=[{"article": "999"}]), "k-3")
    assert bad.status_code == 422 and not IdempotencyKey.objects.exists()
    assert post(client, BASE, body(), "k-3").status_code == 201


def test_keys_belong_to_one_user(personas):
    post(client_for(personas["commune_officer"]), BASE, body(), "shared")
    lat, lon = point_in(COMMUNE_B)
    theirs = body(responsible_unit_id=unit_id(f"CA{COMMUNE_B}"), lat=lat, lon=lon)
    other = post(client_for(personas["other_commune_officer"]), BASE, theirs, "shared")
    assert other.status_code == 201 and Incident.objects.count() == 2


def test_an_expired_key_creates_again_and_is_pruned(personas):
    client = client_for(personas["commune_officer"])
    post(client, BASE, body(), "old")
    IdempotencyKey.objects.update(created_at=timezone.now() - idempotency.key_ttl() - dt.timedelta(minutes=1))
    assert post(client, BASE, body(), "old").status_code == 201
    assert Incident.objects.count() == 2 and IdempotencyKey.objects.count() == 1


def test_the_prune_command_deletes_expired_keys_only(personas):
    from django.core.management import call_command

    client = client_for(personas["commune_officer"])
    post(client, BASE, body(), "a")
    post(client, BASE, body(address="2 Trần Phú"), "b")
    IdempotencyKey.objects.filter(key="a").update(created_at=timezone.now() - dt.timedelta(days=2))
    call_command("idempotency_prune")
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["b"]


@pytest.mark.parametrize("key", ["", "x" * 256, "has space", "khóa"])
def test_a_malformed_key_is_refused(personas, key):
    response = post(client_for(personas["commune_officer"]), BASE, body(), key)
    assert response.status_code == 422 and Incident.objects.count() == 0
    assert response.json()["detail"][0]["type"] == "idempotency.key"


def test_crime_reports_take_the_key_too(personas):
    client = client_for(personas["commune_officer"])
    data = receive_body()
    first = post(client, "/api/records/reports", data, "r-1")
    again = post(client, "/api/records/reports", data, "r-1")
    assert first.status_code == again.status_code == 201 and again.content == first.content
    assert CrimeReport.objects.count() == 1


def test_the_openapi_schema_documents_the_header(personas):
    from anninh.testing.openapi import openapi_schema

    schema = openapi_schema()
    for path in ("/api/records/incidents", "/api/records/reports", "/api/records/cases"):
        names = [p["name"] for p in schema["paths"][path]["post"].get("parameters", [])]
        assert "Idempotency-Key" in names, path


def test_a_request_that_loses_the_race_is_rolled_back_and_replays_the_winner(personas, monkeypatch):
    """Two requests with one key at once: both miss the key, both create; the second insert
    of the key hits the unique constraint, its whole transaction (its incident too) rolls
    back, and it answers with the first request's answer."""
    client = client_for(personas["commune_officer"])
    data = body()
    first = post(client, BASE, data, "race")
    assert Incident.objects.count() == 1
    real = IdempotencyKey.objects.select_for_update
    calls = {"n": 0}

    def blind_once():
        calls["n"] += 1
        found = real()
        return found.none() if calls["n"] == 1 else found

    monkeypatch.setattr(IdempotencyKey.objects, "select_for_update", blind_once)
    second = post(client, BASE, data, "race")
    assert calls["n"] == 2 and second.status_code == 201 and second.content == first.content
    assert Incident.objects.count() == 1


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="the in-memory SQLite test database is one connection; see the race test above",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_with_one_key_create_one_incident(reference_data, personas):
    # reference_data: an earlier transactional test may have flushed the communes and units.
    data = body()
    results = []
    barrier = threading.Barrier(4)

    def worker():
        from django.db import connections

        try:
            client = client_for(personas["commune_officer"])
            barrier.wait()
            results.append(post(client, BASE, data, "together"))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status_code for r in results] == [201] * 4
    assert len({r.content for r in results}) == 1
    assert Incident.objects.count() == 1 and IdempotencyKey.objects.count() == 1
