"""The early warning over the API (/api/alerts/): my alerts with the unread count and filters,
one alert (read, masked evidence), acknowledge and resolve with their trail, and my
subscriptions (create, change, end), scoped by role and commune and audited."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from anninh.alerts import services
from anninh.alerts.models import Alert, AlertAction, AlertStatus, Delivery, Subscription
from anninh.audit.models import AuditAction, AuditEvent
from anninh.testing.matrix import client_for
from anninh.testing.personas import COMMUNE_A, COMMUNE_B

JSON = "application/json"


def _alert(commune: str, kind: str = "rise", **fields) -> Alert:
    return Alert.objects.create(
        kind=kind,
        condition_key=f"{kind}:{commune}:{Alert.objects.unrestricted().count()}",
        commune_id=commune,
        title=f"{kind} in {commune}",
        evidence=fields.pop("evidence", {"rises": []}),
        raised_at=fields.pop("raised_at", timezone.now()),
        **fields,
    )


@pytest.fixture
def alerts(personas):
    """Two alerts of commune A (one delivered to its officer, unread) and one of commune B."""
    a1 = _alert(COMMUNE_A)
    a2 = _alert(COMMUNE_A, kind="deadline", raised_at=timezone.now() - dt.timedelta(hours=1))
    b1 = _alert(COMMUNE_B)
    Delivery.objects.create(alert=a1, user=personas["commune_officer"], delivered_at=timezone.now())
    return a1, a2, b1


def _post(user, url, body=None):
    return client_for(user).post(url, data=json.dumps(body or {}), content_type=JSON)


def _denied(user) -> int:
    return AuditEvent.objects.unrestricted().filter(action=AuditAction.DENIED, actor_id=user.pk).count()


# Listing ------------------------------------------------------------------------------------------


def test_my_alerts_are_scoped_with_the_unread_count(personas, alerts):
    a1, a2, b1 = alerts
    body = client_for(personas["commune_officer"]).get("/api/alerts/").json()
    assert [r["id"] for r in body["results"]] == [a1.pk, a2.pk]  # not commune B's
    assert body["count"] == 2 and body["unread"] == 1
    assert {r["id"]: r["unread"] for r in body["results"]} == {a1.pk: True, a2.pk: False}
    everything = client_for(personas["commander"]).get("/api/alerts/").json()
    assert {r["id"] for r in everything["results"]} == {a1.pk, a2.pk, b1.pk} and everything["unread"] == 0


def test_the_filters(personas, alerts):
    a1, a2, b1 = alerts
    client = client_for(personas["commune_officer"])
    assert [r["id"] for r in client.get("/api/alerts/?kind=deadline").json()["results"]] == [a2.pk]
    assert [r["id"] for r in client.get("/api/alerts/?mine=true").json()["results"]] == [a1.pk]
    assert [r["id"] for r in client.get("/api/alerts/?unread=true").json()["results"]] == [a1.pk]
    commander = client_for(personas["commander"])
    assert [r["id"] for r in commander.get(f"/api/alerts/?commune={COMMUNE_B}").json()["results"]] == [b1.pk]
    a2.status = AlertStatus.RESOLVED
    a2.save()
    assert [r["id"] for r in client.get("/api/alerts/?status=live").json()["results"]] == [a1.pk]
    assert client.get("/api/alerts/?status=nonsense").status_code == 422


def test_the_list_is_not_for_the_press_nor_anonymous(personas, alerts):
    assert client_for(None).get("/api/alerts/").status_code == 401
    pr = personas["public_relations"]
    before = _denied(pr)
    assert client_for(pr).get("/api/alerts/").status_code == 403 and _denied(pr) == before + 1


# One alert ----------------------------------------------------------------------------------------


def test_opening_an_alert_reads_it_and_is_audited(personas, alerts):
    a1, _a2, _b1 = alerts
    officer = personas["commune_officer"]
    client = client_for(officer)
    body = client.get(f"/api/alerts/{a1.pk}").json()
    assert body["id"] == a1.pk and body["unread"] is True and body["trail"] == []
    assert client.get("/api/alerts/").json()["unread"] == 0
    assert (
        AuditEvent.objects.unrestricted()
        .filter(action=AuditAction.VIEW, actor_id=officer.pk, object_id=str(a1.pk))
        .exists()
    )


def test_another_communes_alert_is_404_and_audited(personas, alerts):
    _a1, _a2, b1 = alerts
    officer = personas["commune_officer"]
    before = _denied(officer)
    assert client_for(officer).get(f"/api/alerts/{b1.pk}").status_code == 404
    assert _denied(officer) == before + 1


def test_a_fraud_alerts_account_is_masked_without_personal_data(personas):
    alert = _alert(
        COMMUNE_A,
        kind="fraud",
        evidence={"identifier_kind": "account", "identifier": "VCB:0123456789", "reports": []},
    )
    whole = client_for(personas["commander"]).get(f"/api/alerts/{alert.pk}").json()["evidence"]
    masked = client_for(personas["analyst"]).get(f"/api/alerts/{alert.pk}").json()["evidence"]
    assert whole["identifier"] == "VCB:0123456789"
    assert masked["identifier"] == "VCB:…789" and masked["masked"] is True


# Acting -------------------------------------------------------------------------------------------


def test_acknowledge_then_resolve_with_a_note_leaves_a_trail(personas, alerts):
    a1, _a2, _b1 = alerts
    officer = personas["commune_officer"]
    ack = _post(officer, f"/api/alerts/{a1.pk}/acknowledge", {"note": "Đã nhận"})
    assert ack.status_code == 200 and ack.json()["status"] == "acknowledged"
    again = _post(officer, f"/api/alerts/{a1.pk}/acknowledge")
    assert again.status_code == 409
    no_note = _post(officer, f"/api/alerts/{a1.pk}/resolve", {"note": "  "})
    assert no_note.status_code == 422
    done = _post(officer, f"/api/alerts/{a1.pk}/resolve", {"note": "Tăng cường tuần tra"})
    assert done.status_code == 200 and done.json()["status"] == "resolved"
    a1.refresh_from_db()
    assert a1.resolved_by == officer and a1.acknowledged_by == officer
    kinds = list(AlertAction.objects.unrestricted().filter(alert=a1).values_list("kind", "note"))
    assert kinds == [("acknowledge", "Đã nhận"), ("resolve", "Tăng cường tuần tra")]
    trail = client_for(officer).get(f"/api/alerts/{a1.pk}").json()["trail"]
    assert [t["kind"] for t in trail] == ["acknowledge", "resolve"]
    assert (
        AuditEvent.objects.unrestricted()
        .filter(action=AuditAction.UPDATE, actor_id=officer.pk, object_id=str(a1.pk))
        .count()
        == 2
    )


def test_an_analyst_reads_but_does_not_act_and_another_commune_gets_404(personas, alerts):
    a1, _a2, _b1 = alerts
    analyst = personas["analyst"]
    before = _denied(analyst)
    assert _post(analyst, f"/api/alerts/{a1.pk}/acknowledge").status_code == 403
    assert _denied(analyst) == before + 1
    assert (
        _post(personas["other_commune_officer"], f"/api/alerts/{a1.pk}/resolve", {"note": "x"}).status_code
        == 404
    )
    a1.refresh_from_db()
    assert a1.status == AlertStatus.OPEN


# Subscriptions ------------------------------------------------------------------------------------


def test_subscriptions_create_change_and_end(personas):
    officer = personas["commune_officer"]
    made = _post(officer, "/api/alerts/subscriptions", {"kinds": ["fraud"], "digest": False})
    assert made.status_code == 201
    sub = made.json()
    assert sub["communes"] == [COMMUNE_A] and sub["kinds"] == ["fraud"] and sub["mine"] is True
    listed = client_for(officer).get("/api/alerts/subscriptions").json()["results"]
    assert [s["id"] for s in listed] == [sub["id"]]
    changed = client_for(officer).put(
        f"/api/alerts/subscriptions/{sub['id']}",
        data=json.dumps({"kinds": ["rise", "near_repeat"], "offence_groups": ["property"]}),
        content_type=JSON,
    )
    assert changed.status_code == 200
    assert changed.json()["kinds"] == ["near_repeat", "rise"] and changed.json()["digest"] is True
    assert (
        AuditEvent.objects.unrestricted()
        .filter(action=AuditAction.UPDATE, object_type="alerts.subscription", object_id=str(sub["id"]))
        .exists()
    )
    gone = client_for(officer).delete(f"/api/alerts/subscriptions/{sub['id']}")
    assert gone.status_code == 204
    assert not Subscription.objects.unrestricted().exists()


def test_a_commune_officer_subscribes_only_to_their_commune(personas):
    officer = personas["commune_officer"]
    before = _denied(officer)
    response = _post(officer, "/api/alerts/subscriptions", {"communes": [COMMUNE_B]})
    assert response.status_code == 403 and _denied(officer) == before + 1
    sub = services.subscription_create(actor=officer)
    moved = client_for(officer).put(
        f"/api/alerts/subscriptions/{sub.pk}", data=json.dumps({"communes": [COMMUNE_B]}), content_type=JSON
    )
    assert moved.status_code == 403
    sub.refresh_from_db()
    assert sub.communes == [COMMUNE_A]
    commander = _post(personas["commander"], "/api/alerts/subscriptions", {"communes": [COMMUNE_B]})
    assert commander.status_code == 201 and commander.json()["communes"] == [COMMUNE_B]
    unknown = _post(personas["commander"], "/api/alerts/subscriptions", {"communes": ["99999"]})
    assert unknown.status_code == 422


def test_nobody_else_changes_or_ends_my_subscription(personas):
    sub = services.subscription_create(actor=personas["commune_officer"])
    for name in ("other_commune_officer", "commander"):
        client = client_for(personas[name])
        url = f"/api/alerts/subscriptions/{sub.pk}"
        assert client.put(url, data=json.dumps({}), content_type=JSON).status_code == 404
        assert client.delete(url).status_code == 404
    assert Subscription.objects.unrestricted().filter(pk=sub.pk).exists()


def test_a_unit_subscription_is_seen_by_the_unit_but_ended_by_its_owner_only(personas):
    from anninh.testing.personas import make_user

    officer = personas["commune_officer"]
    sub = services.subscription_create(actor=officer, for_unit=True)
    colleague = make_user("colleague.a", "commune_officer", unit_code=f"CA{COMMUNE_A}")
    seen = client_for(colleague).get("/api/alerts/subscriptions").json()["results"]
    assert [(s["id"], s["mine"]) for s in seen] == [(sub.pk, False)]
    assert client_for(colleague).delete(f"/api/alerts/subscriptions/{sub.pk}").status_code == 403
