"""Schemathesis against the incident and case endpoints: generated requests (valid and
invalid) from a caller holding every role must never cause a server error, and every answer
must be one the OpenAPI schema documents (status, content type, body).

Runs the operations in a loop with Hypothesis directly (schemathesis's pytest plugin does not
run under pytest 9 here); data is seeded so that ids 1..n exist and the 200 paths are reached.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from anninh.accounts.roles import Role
from anninh.records.services.cases import case_create
from anninh.records.services.incidents import FireRescueData, PersonData
from anninh.records.tests.test_incidents_factories import fast_passwords, record, unit_id  # noqa: F401
from anninh.testing.openapi import schemathesis_schema
from anninh.testing.personas import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.schema]

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 12


@pytest.fixture
def token():
    from anninh.accounts.services import api_token_create

    user = make_user("schema_records", *[r.value for r in Role], unit_code="PV01")
    _, secret = api_token_create(actor=user, user=user, name="schemathesis", days=30, scope="write")
    unit = unit_id("PV01")
    for i in range(3):
        incident = record(
            user,
            responsible_unit_id=unit,
            persons=(PersonData("victim", f"Nạn nhân {i}", phone=f"091234500{i}"),),
        )
        case_create(actor=user, incident=incident)
    record(user, responsible_unit_id=unit, kind="fire", offences=(), fire_rescue=FireRescueData(injured=1))
    return secret


@pytest.fixture
def wsgi_keeps_the_test_connection():
    """The schemathesis WSGI client fires request_finished, which would close the test's
    database connection (and its transaction) on PostgreSQL."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_incident_and_case_endpoints_answer_every_generated_request_as_documented(
    token, wsgi_keeps_the_test_connection
):
    schema = schemathesis_schema().include(path_regex="^/api/records/(incidents|cases)")
    headers = {"Authorization": f"Bearer {token}"}
    failures, tested = [], []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def run(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except Exception as exc:
            failures.append(f"{operation.method.upper()} {operation.path}:\n{str(exc)[:4000]}")
        tested.append(f"{operation.method.upper()} {operation.path}")
    assert len(tested) == 11, tested
    assert not failures, "\n\n".join(failures)
