"""Need-to-know of investigations: the every-route matrix for this app's routes (team, other
unit, commander and auditor without a grant, anonymous, every other role), and what a grant by
name changes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anninh.audit.models import AuditAction, AuditEvent
from anninh.investigations import services
from anninh.investigations.models import Investigation
from anninh.testing.matrix import client_for
from anninh.testing.personas import make_user
from tests.permissions.routes import ROUTES, request_for
from tests.permissions.test_every_route import _check
from tests.permissions.world import make_world

pytestmark = pytest.mark.django_db


def test_every_investigations_route_answers_every_persona_as_written(personas):
    world = make_world(personas)
    failures: list[str] = []
    keys = [k for k in sorted(ROUTES) if "investigations" in k]
    assert keys
    for key in keys:
        method, url, kwargs = request_for(key, world)
        failures += _check(key, method, url, kwargs, ROUTES[key], personas, world)
    assert not failures, "\n  ".join(failures)


def _inv(personas):
    world = make_world(personas)
    return Investigation.objects.unrestricted().get(pk=world["investigation"])


def test_a_city_wide_commander_without_a_grant_gets_404_and_an_audit_row(personas):
    inv = _inv(personas)
    commander = personas["commander"]
    response = client_for(commander).get(reverse("investigations:detail", args=[inv.pk]))
    assert response.status_code == 404
    assert (
        AuditEvent.objects.unrestricted()
        .filter(actor_id=commander.pk, action=AuditAction.DENIED, object_id=str(inv.pk))
        .exists()
    )


def test_a_guessed_id_that_does_not_exist_gives_404_and_an_audit_row(personas):
    investigator = personas["investigator"]
    response = client_for(investigator).get(reverse("investigations:detail", args=[987654]))
    assert response.status_code == 404
    assert (
        AuditEvent.objects.unrestricted()
        .filter(actor_id=investigator.pk, action=AuditAction.DENIED, object_id="987654")
        .exists()
    )


def test_an_investigator_of_another_unit_gets_404(personas):
    inv = _inv(personas)
    other = make_user("other_investigator", "investigator", unit_code="PC03")
    assert client_for(other).get(reverse("investigations:detail", args=[inv.pk])).status_code == 404


def test_a_grant_by_name_opens_the_investigation_to_read_only(personas):
    inv = _inv(personas)
    auditor = personas["auditor"]
    services.access_grant(actor=personas["investigator"], investigation=inv, user=auditor, reason="kiểm tra")
    client = client_for(auditor)
    assert client.get(reverse("investigations:detail", args=[inv.pk])).status_code == 200
    assert client.get(reverse("investigations:list")).content.decode().count(inv.code) == 1
    # Reading is not working on it: the review queue's decisions are the team's.
    response = client.post(
        reverse("investigations:review", args=[inv.pk]), {"candidate": 1, "decision": "reject"}
    )
    assert response.status_code == 403


def test_a_grant_is_only_for_commanders_and_auditors(personas):
    from django.core.exceptions import ValidationError

    inv = _inv(personas)
    with pytest.raises(ValidationError):
        services.access_grant(
            actor=personas["investigator"], investigation=inv, user=personas["analyst"], reason="x"
        )


def test_every_view_of_the_investigation_is_audited(personas):
    inv = _inv(personas)
    investigator = personas["investigator"]
    before = AuditEvent.objects.unrestricted().count()
    client_for(investigator).get(reverse("investigations:search", args=[inv.pk]), {"q": "nguyen"})
    row = AuditEvent.objects.unrestricted().order_by("-id").first()
    assert AuditEvent.objects.unrestricted().count() == before + 1
    assert row.action == AuditAction.VIEW and row.extra["what"] == "search" and row.extra["query"] == "nguyen"
