"""Two officers of one unit edit the same incident through the API (issue 14, item 15): the
second save, made from the version both loaded, answers 409 and overwrites nothing.

The service-level and same-user HTTP cases are in test_incidents_api.py
(test_an_update_with_a_stale_version_is_a_409) and, for crime reports,
test_reports_api.py (test_a_stale_version_is_409_with_the_current_version)."""

from __future__ import annotations

import pytest

from anninh.accounts.roles import Role
from anninh.audit.models import AuditEvent
from anninh.records.models import Incident, RecordEvent
from anninh.records.tests.test_incidents_api import BASE, body, put
from anninh.records.tests.test_incidents_factories import fast_passwords, record  # noqa: F401
from anninh.testing.matrix import client_for
from anninh.testing.personas import COMMUNE_A, make_user

pytestmark = pytest.mark.django_db


def test_two_officers_saving_one_incident_the_second_gets_409_and_overwrites_nothing(personas):
    first = personas["commune_officer"]
    second = make_user("officer_a2", Role.COMMUNE_OFFICER, unit_code=f"CA{COMMUNE_A}")
    incident = record(first)
    url = f"{BASE}/{incident.pk}"
    # Both open the incident: version 1.
    assert client_for(first).get(url).json()["version"] == 1
    assert client_for(second).get(url).json()["version"] == 1

    saved = put(first, url, body(version=1, address="12 Lê Lợi (cán bộ một)"))
    assert saved.status_code == 200 and saved.json()["version"] == 2
    stale = put(second, url, body(version=1, address="99 Trần Phú (cán bộ hai)", narrative="Ghi đè"))
    assert stale.status_code == 409
    assert stale.json()["detail"]

    incident = Incident.objects.get(pk=incident.pk)
    assert incident.version == 2
    assert incident.address == "12 Lê Lợi (cán bộ một)"
    assert "Ghi đè" not in incident.narrative
    updates = AuditEvent.objects.filter(
        object_type="records.incident", object_id=str(incident.pk), action="update"
    )
    assert [e.actor_username for e in updates] == [first.username], "only the first save is audited"
    assert (
        RecordEvent.objects.filter(object_type="records.incident", object_id=incident.pk, version=2).count()
        == 1
    )

    # The second officer reloads and saves on top of the first's change.
    again = put(second, url, body(version=2, address="99 Trần Phú (cán bộ hai)"))
    assert again.status_code == 200 and again.json()["version"] == 3
