"""The audit log in the Django admin: administrators may look, nobody may add, change or
delete, and looking is audited like on the auditor's page."""

from __future__ import annotations

import pytest

from anninh.audit.models import AuditAction, AuditEvent
from anninh.audit.tests.conftest import write_events
from anninh.testing.matrix import LOGIN, check_matrix, client_for

pytestmark = pytest.mark.django_db

ADMINISTRATOR_ONLY = {
    "anonymous": LOGIN,
    "commander": 403,
    "analyst": 403,
    "investigator": 403,
    "commune_officer": 403,
    "other_commune_officer": 403,
    "fire_rescue": 403,
    "public_relations": 403,
    "auditor": 403,
    "administrator": 200,
    "no_role": 403,
}


def test_only_administrators_list_audit_events_in_the_admin(personas):
    write_events(2)
    check_matrix("/admin/audit/auditevent/", ADMINISTRATOR_ONLY, personas=personas)


def test_only_administrators_open_an_audit_event_in_the_admin(personas):
    (event,) = write_events(1)
    check_matrix(f"/admin/audit/auditevent/{event.pk}/change/", ADMINISTRATOR_ONLY, personas=personas)


def test_nobody_adds_changes_or_deletes_audit_rows_in_the_admin(personas):
    (event,) = write_events(1)
    client = client_for(personas["administrator"])
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    assert client.post("/admin/audit/auditevent/add/", {"action": "view"}).status_code == 403
    assert client.get(f"/admin/audit/auditevent/{event.pk}/delete/").status_code == 403
    assert client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    response = client.post(f"/admin/audit/auditevent/{event.pk}/change/", {"object_repr": "forged"})
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.object_repr == "Thing 1"
    listing = client.get("/admin/audit/auditevent/").content.decode()
    assert 'name="action"' not in listing  # no bulk actions, so no "delete selected"
    assert "/admin/audit/auditevent/add/" not in listing


def test_looking_at_the_log_in_the_admin_is_audited(personas):
    (event,) = write_events(1)
    admin_user = personas["administrator"]
    client = client_for(admin_user)
    client.get("/admin/audit/auditevent/")
    client.get(f"/admin/audit/auditevent/{event.pk}/change/")
    views = AuditEvent.objects.filter(
        actor_id=admin_user.pk, action=AuditAction.VIEW, object_type="audit.auditevent"
    )
    assert [v.object_id for v in views.order_by("id")] == ["", str(event.pk)]
    assert all(v.extra["via"] == "admin" for v in views)
