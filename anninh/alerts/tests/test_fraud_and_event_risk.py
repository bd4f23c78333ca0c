"""Two early-warning rules end to end on planted data (issue #11 item 4): a fraud pattern
growing (the same collector account in new victims' reports) and an event's risk getting
worse; each alert goes to the subscribers who may read it, with its evidence."""

from __future__ import annotations

import datetime as dt

import pytest

from anninh.alerts import services
from anninh.alerts.models import Alert, AlertKind, Delivery
from anninh.alerts.tests.factories import at, plant_report
from anninh.events import services as event_services
from anninh.events.tests.factories import make_event
from anninh.lib.dates import HCM_TZ
from anninh.testing.matrix import client_for
from anninh.testing.personas import COMMUNE_A, COMMUNE_B

NOW = dt.datetime(2026, 11, 16, 6, 0, tzinfo=HCM_TZ)
TODAY = NOW.date()
ACCOUNT = "VCB:0123456789"
EN = {"Accept-Language": "en"}


def _delivered_to(alert) -> set[str]:
    return set(Delivery.objects.unrestricted().filter(alert=alert).values_list("user__username", flat=True))


@pytest.fixture
def subscribers(personas):
    """The commander (every commune), commune A's and commune B's officers (their own)."""
    for name in ("commander", "commune_officer", "other_commune_officer"):
        services.subscription_create(actor=personas[name])
    return {
        name: personas[name].username for name in ("commander", "commune_officer", "other_commune_officer")
    }


# Fraud ----------------------------------------------------------------------------------------------


def test_three_victims_paying_one_account_raise_a_fraud_alert_for_its_commune(personas, subscribers):
    officer = personas["commander"]
    reports = [
        plant_report(officer, COMMUNE_A, at(TODAY - dt.timedelta(days=day)), collector=ACCOUNT)
        for day in (30, 12, 1)
    ]
    result = services.alerts_run(now=NOW, kinds=[AlertKind.FRAUD])
    (alert,) = result.raised
    assert alert.kind == AlertKind.FRAUD and alert.commune_id == COMMUNE_A
    assert alert.condition_key == f"fraud:{ACCOUNT}"
    assert [r["id"] for r in alert.evidence["reports"]] == [r.pk for r in reports]
    assert alert.evidence["members"] == [r.pk for r in reports]
    # Scoped: the commander and commune A's officer are told, commune B's officer is not.
    assert _delivered_to(alert) == {subscribers["commander"], subscribers["commune_officer"]}


def test_three_victims_paying_three_accounts_raise_nothing(personas, subscribers):
    officer = personas["commander"]
    for day, account in ((20, "VCB:0123456789"), (10, "VCB:0123456780"), (1, "MOMO:0912345678")):
        plant_report(officer, COMMUNE_A, at(TODAY - dt.timedelta(days=day)), collector=account)
    assert services.alerts_run(now=NOW, kinds=[AlertKind.FRAUD]).raised == []
    assert not Alert.objects.unrestricted().exists()


def test_a_growing_pattern_adds_the_new_report_to_the_live_alert(personas, subscribers):
    officer = personas["commander"]
    for day in (30, 12, 1):
        plant_report(officer, COMMUNE_A, at(TODAY - dt.timedelta(days=day)), collector=ACCOUNT)
    (alert,) = services.alerts_run(now=NOW, kinds=[AlertKind.FRAUD]).raised
    fourth = plant_report(officer, COMMUNE_B, at(TODAY), collector=ACCOUNT)
    later = services.alerts_run(now=NOW + dt.timedelta(days=1), kinds=[AlertKind.FRAUD])
    assert later.raised == [] and [a.pk for a in later.grown] == [alert.pk]
    alert.refresh_from_db()
    assert fourth.pk in alert.evidence["members"] and len(alert.evidence["reports"]) == 4


def test_the_fraud_alert_page_links_the_reports_and_masks_the_account_without_personal_data(personas):
    officer = personas["commander"]
    reports = [
        plant_report(officer, COMMUNE_A, at(TODAY - dt.timedelta(days=day)), collector=ACCOUNT)
        for day in (30, 12, 1)
    ]
    (alert,) = services.alerts_run(now=NOW, kinds=[AlertKind.FRAUD], deliver=False).raised
    page = client_for(personas["commune_officer"]).get(f"/alerts/{alert.pk}/", headers=EN).content.decode()
    assert "Vietcombank" in page and "0123456789" in page
    for r in reports:
        assert f'href="/records/reports/{r.pk}/"' in page
    masked = client_for(personas["analyst"]).get(f"/alerts/{alert.pk}/", headers=EN).content.decode()
    assert "0123456789" not in masked and "…789" in masked


# Event risks ---------------------------------------------------------------------------------------


@pytest.fixture
def risk(personas):
    """An event in commune A with one risk registered two days before the run (outside the
    rule's one-day window), at level 2 × 3."""
    event = make_event(commander=personas["commander"], starts_at=NOW + dt.timedelta(days=2))
    return event_services.risk_create(
        actor=personas["commune_officer"],
        event=event,
        threat="Tụ tập đông người trước hội trường",
        likelihood=2,
        impact=3,
        owner="CA phường Hồng Bàng",
        now=NOW - dt.timedelta(days=2),
    )


def _change(personas, risk, **changes):
    return event_services.risk_update(
        actor=personas["commune_officer"], risk=risk, now=NOW - dt.timedelta(hours=3), **changes
    )


def test_a_raised_risk_alerts_the_events_subscribers_with_evidence(personas, subscribers, risk):
    _change(personas, risk, likelihood=4, note="Có tin kêu gọi tụ tập")
    (alert,) = services.alerts_run(now=NOW, kinds=[AlertKind.EVENT_RISK]).raised
    assert alert.kind == AlertKind.EVENT_RISK and alert.commune_id == COMMUNE_A
    e = alert.evidence
    assert (e["event"], e["risk"], e["level_before"], e["level"]) == (risk.event_id, risk.pk, 6, 12)
    assert e["note"] == "Có tin kêu gọi tụ tập" and e["status"] == "open"
    assert _delivered_to(alert) == {subscribers["commander"], subscribers["commune_officer"]}
    # The next run finds the same change: nothing new.
    assert services.alerts_run(now=NOW + dt.timedelta(hours=6), kinds=[AlertKind.EVENT_RISK]).raised == []


def test_an_unchanged_risk_raises_nothing(personas, subscribers, risk):
    _change(personas, risk, owner="Đội CSTT")  # the owner only: the risk is as it was
    assert services.alerts_run(now=NOW, kinds=[AlertKind.EVENT_RISK]).raised == []


def test_a_resolved_risk_raises_no_new_alert(personas, subscribers, risk):
    _change(personas, risk, status="mitigated", note="Đã bố trí lực lượng")
    assert services.alerts_run(now=NOW, kinds=[AlertKind.EVENT_RISK]).raised == []
    risk.refresh_from_db()
    _change(personas, risk, likelihood=5, status="closed")  # worse, but closed all the same
    assert services.alerts_run(now=NOW, kinds=[AlertKind.EVENT_RISK]).raised == []


def test_a_lowered_risk_raises_nothing_and_a_reopened_one_does(personas, subscribers, risk):
    risk = _change(personas, risk, likelihood=1)
    assert services.alerts_run(now=NOW, kinds=[AlertKind.EVENT_RISK]).raised == []
    risk = _change(personas, risk, status="closed")
    risk = _change(personas, risk, status="open", note="Tình hình phức tạp trở lại")
    (alert,) = services.alerts_run(now=NOW + dt.timedelta(minutes=5), kinds=[AlertKind.EVENT_RISK]).raised
    assert (alert.evidence["status_before"], alert.evidence["status"]) == ("closed", "open")


def test_a_new_risk_in_the_register_alerts(personas, subscribers):
    event = make_event(commander=personas["commander"], starts_at=NOW + dt.timedelta(days=2))
    event_services.risk_create(
        actor=personas["commune_officer"],
        event=event,
        threat="Flycam không phép",
        likelihood=3,
        impact=4,
        owner="CA phường",
        now=NOW - dt.timedelta(hours=2),
    )
    (alert,) = services.alerts_run(now=NOW, kinds=[AlertKind.EVENT_RISK]).raised
    assert alert.evidence["level_before"] is None and alert.evidence["level"] == 12
