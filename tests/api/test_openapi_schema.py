"""Schemathesis against our own OpenAPI schema: generated requests to every endpoint must
never cause a server error, and every response must be documented (status code, content
type, body schema)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from anninh.accounts.roles import Role
from anninh.testing.openapi import openapi_schema

pytestmark = pytest.mark.schema

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _load_schema():
    # Loaded at collection (pytest-django has configured Django by then), in-process:
    # /api/openapi.json needs a signed-in caller and no database exists yet.
    from anninh.testing.openapi import schemathesis_schema

    return schemathesis_schema()


@pytest.fixture
def keep_db_connection():
    """Schemathesis calls the WSGI app directly; Django's request_started/finished signals would close
    the test's database connection after the first request (fatal on PostgreSQL, where the
    test runs inside a transaction)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def token(db, keep_db_connection):
    """A bearer token of a user holding every role, so each endpoint's 200 path is reached."""
    from anninh.accounts.services import api_token_create
    from anninh.testing.personas import make_user

    user = make_user("schema_all_roles", *[r.value for r in Role], unit_code="PV01")
    _, secret = api_token_create(actor=user, user=user, name="schemathesis", days=1, scope="write")
    return secret


schema = _load_schema()


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_answers_every_generated_request_as_documented(case, token):
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)


def test_openapi_schema_lists_the_core_endpoints(client):
    paths = openapi_schema()["paths"]
    for path in ["/api/geo/communes", "/api/org/units", "/api/audit/events", "/api/accounts/me"]:
        assert path in paths, f"{path} missing from the OpenAPI schema"
