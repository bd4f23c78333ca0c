"""The alert pages: list, detail with evidence and trail (read, audited), the bell in one
query, subscriptions scoped, the noise table."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from anninh.alerts import services
from anninh.alerts.models import Alert, Delivery
from anninh.audit.models import AuditEvent
from anninh.testing.personas import COMMUNE_A, COMMUNE_B


def _alert(commune: str, key: str, days_ago: int = 0) -> Alert:
    return Alert.objects.create(
        kind="rise",
        condition_key=key,
        commune_id=commune,
        title="Rise",
        evidence={
            "rises": [{"group": "property", "current": 9, "baseline": 4, "expected": 1.0, "p_value": 0.0004}],
            "fdr": True,
        },
        raised_at=timezone.now() - dt.timedelta(days=days_ago),
    )


@pytest.fixture
def alerts(personas):
    a = _alert(COMMUNE_A, "rise:a")
    b = _alert(COMMUNE_B, "rise:b")
    return a, b


def test_a_commune_officer_lists_only_their_communes_alerts(client, personas, alerts):
    client.force_login(personas["commune_officer"])
    page = client.get("/alerts/").content.decode()
    assert f"/alerts/{alerts[0].pk}/" in page and f"/alerts/{alerts[1].pk}/" not in page
    assert client.get(f"/alerts/{alerts[1].pk}/").status_code == 404


def test_opening_an_alert_shows_its_evidence_marks_it_read_and_is_audited(client, personas, alerts):
    officer = personas["commune_officer"]
    Delivery.objects.create(alert=alerts[0], user=officer, delivered_at=timezone.now())
    client.force_login(officer)
    assert 'data-testid="alert-unread"' in client.get("/alerts/bell/").content.decode()
    page = client.get(f"/alerts/{alerts[0].pk}/").content.decode()
    assert "Property crime" in page and "Benjamini" in page
    assert Delivery.objects.unrestricted().get().read_at is not None
    assert AuditEvent.objects.unrestricted().filter(action="view", object_id=str(alerts[0].pk)).exists()
    assert "alert-unread" not in client.get("/alerts/bell/").content.decode()


def test_the_bell_costs_the_same_queries_whatever_the_number_of_alerts(client, personas):
    officer = personas["commune_officer"]
    client.force_login(officer)
    _alert(COMMUNE_A, "one")
    Delivery.objects.create(
        alert=Alert.objects.unrestricted().get(), user=officer, delivered_at=timezone.now()
    )
    client.get("/alerts/bell/")
    with CaptureQueriesContext(connection) as few:
        client.get("/alerts/bell/")
    for k in range(20):
        Delivery.objects.create(alert=_alert(COMMUNE_A, f"k{k}"), user=officer, delivered_at=timezone.now())
    with CaptureQueriesContext(connection) as many:
        page = client.get("/alerts/bell/")
    assert len(many) == len(few)
    assert ">21<" in page.content.decode()


def test_acknowledging_from_the_page_writes_the_trail(client, personas, alerts):
    client.force_login(personas["commune_officer"])
    client.post(f"/alerts/{alerts[0].pk}/act/", {"action": "acknowledge"})
    client.post(f"/alerts/{alerts[0].pk}/act/", {"action": "resolve", "note": "Đã tuần tra tăng cường"})
    page = client.get(f"/alerts/{alerts[0].pk}/").content.decode()
    assert "Đã tuần tra tăng cường" in page
    alerts[0].refresh_from_db()
    assert alerts[0].status == "resolved"


def test_the_subscription_form_offers_a_commune_officer_only_their_commune(client, personas):
    client.force_login(personas["commune_officer"])
    page = client.get("/alerts/subscriptions/").content.decode()
    assert f'value="{COMMUNE_A}"' in page and f'value="{COMMUNE_B}"' not in page
    assert client.post("/alerts/subscriptions/", {"communes": [COMMUNE_B]}).status_code == 403
    client.post("/alerts/subscriptions/", {"kinds": ["rise"], "digest": "1"})
    (sub,) = services.Subscription.objects.unrestricted().filter(user=personas["commune_officer"])
    assert sub.communes == [COMMUNE_A] and sub.kinds == ["rise"]


def test_the_noise_table_counts_alerts_per_commune_and_week(client, personas):
    for k in range(3):
        _alert(COMMUNE_A, f"n{k}", days_ago=7 * k)
    client.force_login(personas["commander"])
    page = client.get("/alerts/noise/")
    rows = {r.code: r for r in page.context["rows"]}
    assert rows[COMMUNE_A].total == 3
    assert sum(rows[COMMUNE_A].weeks) == 3
