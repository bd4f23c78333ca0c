"""A busy database is never a 500: 503 with Retry-After, JSON under /api/, a page elsewhere,
and nothing half-written (anninh.web.busy). The lock is simulated: the service or the session
store raises the error SQLite or PostgreSQL would raise once the busy timeout has run out."""

from __future__ import annotations

import json
from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError

from anninh.accounts import signin
from anninh.audit.models import AuditEvent
from anninh.records.models import Incident
from anninh.records.services import incidents as incident_services
from anninh.records.tests.test_incidents_api import BASE, JSON, body
from anninh.records.tests.test_incidents_factories import fast_passwords  # noqa: F401
from anninh.testing.matrix import client_for
from anninh.web.busy import FULL, LOCKED, UNAVAILABLE, busy_reason

pytestmark = pytest.mark.django_db


class _PgError(Exception):
    def __init__(self, sqlstate):
        super().__init__(f"sqlstate {sqlstate}")
        self.sqlstate = sqlstate


def _wrapped(sqlstate):
    exc = OperationalError("from psycopg")
    exc.__cause__ = _PgError(sqlstate)
    return exc


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (OperationalError("database is locked"), LOCKED),
        (OperationalError("database table is locked"), LOCKED),
        (OperationalError("database or disk is full"), FULL),
        (_wrapped("40001"), LOCKED),  # serialization failure
        (_wrapped("40P01"), LOCKED),  # deadlock
        (_wrapped("57P01"), UNAVAILABLE),  # administrator shutdown (server restarting)
        (_wrapped("08006"), UNAVAILABLE),  # connection failure
        (InterfaceError("connection already closed"), UNAVAILABLE),
        # Real bugs stay 500s.
        (OperationalError("no such table: records_incident"), None),
        (_wrapped("42P01"), None),  # undefined table
        (ValueError("database is locked"), None),
    ],
)
def test_which_errors_mean_busy(exc, expected):
    assert busy_reason(exc) == expected


def test_a_locked_database_answers_the_api_with_a_json_503(personas):
    officer = personas["commune_officer"]
    before = (Incident.objects.count(), AuditEvent.objects.count())
    real_create = incident_services.incident_create

    def locked(**kwargs):
        # Part of the write happens, then the lock error: the transaction must undo it.
        from django.db import transaction

        with transaction.atomic():
            real_create(**kwargs)
            raise OperationalError("database is locked")

    with mock.patch.object(incident_services, "incident_create", side_effect=locked):
        response = client_for(officer).post(BASE, json.dumps(body()), content_type=JSON)
    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert response["Content-Type"] == "application/json"
    assert "busy" in response.json()["detail"]
    assert (Incident.objects.count(), AuditEvent.objects.count()) == before, "nothing half-written"


def test_the_503_is_json_even_in_debug_mode(personas, settings):
    # django-ninja answers unhandled errors itself (a traceback) when DEBUG is on.
    settings.DEBUG = True
    with mock.patch.object(
        incident_services, "incident_create", side_effect=OperationalError("database is locked")
    ):
        response = client_for(personas["commune_officer"]).post(BASE, json.dumps(body()), content_type=JSON)
    assert response.status_code == 503 and "detail" in response.json()


def test_a_lost_postgresql_connection_is_a_503_too(personas):
    with mock.patch.object(incident_services, "incident_create", side_effect=_wrapped("57P01")):
        response = client_for(personas["commune_officer"]).post(BASE, json.dumps(body()), content_type=JSON)
    assert response.status_code == 503 and response["Retry-After"] == "5"


def test_a_page_gets_a_503_page_that_needs_no_database(personas):
    with mock.patch(
        "anninh.web.views.selectors.home_sections", side_effect=OperationalError("database is locked")
    ):
        response = client_for(personas["commander"]).get("/", headers={"Accept-Language": "en"})
    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert response["Content-Type"].startswith("text/html")
    assert "Server busy" in response.content.decode()


def test_a_lock_while_saving_the_session_is_a_503(personas):
    """The session is saved by middleware after the view: its error never reaches
    process_exception, yet it must not be a 500 either."""
    client = client_for(personas["commander"])
    client.raise_request_exception = False  # the test client re-raises any exception Django logged
    session = client.session
    session.pop(signin.LAST_SEEN, None)  # the next request writes the session (last seen)
    session.save()
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.save",
        side_effect=OperationalError("database is locked"),
    ):
        response = client.get("/")
    assert response.status_code == 503
    assert response["X-Request-ID"] and response["Content-Security-Policy"], "inner middleware's headers kept"


def test_other_database_errors_stay_500(personas):
    client = client_for(personas["commune_officer"])
    client.raise_request_exception = False
    with mock.patch.object(
        incident_services, "incident_create", side_effect=OperationalError("no such column: x")
    ):
        response = client.post(BASE, json.dumps(body()), content_type=JSON)
    assert response.status_code == 500
