"""Raising alerts (idempotent), subscriptions scoped by role and commune, deliveries, the
bell, the acknowledge/resolve trail and the daily digest."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from anninh.alerts import selectors, services
from anninh.alerts.models import Alert, AlertAction, AlertStatus, Delivery
from anninh.alerts.rules import RuleSettings
from anninh.alerts.tests.factories import at, plant
from anninh.audit.models import AuditEvent
from anninh.lib.dates import HCM_TZ
from anninh.testing.personas import COMMUNE_A, COMMUNE_B

NOW = dt.datetime(2026, 11, 16, 6, 0, tzinfo=HCM_TZ)
TODAY = NOW.date()


@pytest.fixture
def rise_in_a(personas):
    """Commune A's crimes jump to 12 in the last week on a baseline of 1 a week; 20 other
    communes stay steady."""
    from anninh.geo.models import Commune

    officer = personas["commander"]
    others = list(
        Commune.objects.exclude(code__in=[COMMUNE_A, COMMUNE_B])
        .order_by("code")
        .values_list("code", flat=True)[:20]
    )
    for code in [COMMUNE_A, *others]:
        for k in range(4):
            plant(officer, code, at(TODAY - dt.timedelta(days=9 + 7 * k)))
        for k in range(12 if code == COMMUNE_A else 1):
            plant(officer, code, at(TODAY - dt.timedelta(days=1 + k % 6), 8 + k % 8))


def test_a_run_raises_the_rise_and_a_second_run_raises_nothing(rise_in_a):
    first = services.alerts_run(now=NOW, kinds=["rise"])
    assert [a.commune_id for a in first.raised] == [COMMUNE_A]
    second = services.alerts_run(now=NOW + dt.timedelta(hours=6), kinds=["rise"])
    assert second.raised == [] and second.skipped == 1
    assert Alert.objects.unrestricted().filter(condition_key=f"rise:{COMMUNE_A}").count() == 1


def test_the_command_is_idempotent_too(rise_in_a, time_machine):
    time_machine.move_to(NOW)
    call_command("alerts_run", "--kind", "rise")
    call_command("alerts_run", "--kind", "rise")
    assert Alert.objects.unrestricted().count() == 1


def test_a_resolved_condition_is_not_raised_again_within_the_cooldown(rise_in_a, personas):
    (alert,) = services.alerts_run(now=NOW, kinds=["rise"]).raised
    services.alert_act(
        actor=personas["commander"], alert=alert, action="resolve", note="Tăng cường tuần tra", now=NOW
    )
    assert services.alerts_run(now=NOW + dt.timedelta(days=1), kinds=["rise"]).raised == []


def test_without_the_correction_more_is_raised(rise_in_a, personas):
    plant(personas["commander"], COMMUNE_B, at(TODAY - dt.timedelta(days=20)))
    for k in range(4):
        plant(personas["commander"], COMMUNE_B, at(TODAY - dt.timedelta(days=2 + k)))
    corrected = services.alerts_run(now=NOW, kinds=["rise"], deliver=False)
    Alert.objects.unrestricted().delete()
    raw = services.alerts_run(now=NOW, kinds=["rise"], settings_=RuleSettings(fdr=False), deliver=False)
    assert {a.commune_id for a in corrected.raised} < {a.commune_id for a in raw.raised}


def test_a_commune_officer_subscribes_only_to_their_commune(personas):
    officer = personas["commune_officer"]
    sub = services.subscription_create(actor=officer)
    assert sub.communes == [COMMUNE_A]
    with pytest.raises(PermissionDenied):
        services.subscription_create(actor=officer, communes=[COMMUNE_B])
    commander_sub = services.subscription_create(actor=personas["commander"], communes=[COMMUNE_B])
    assert commander_sub.communes == [COMMUNE_B]
    for name in ("public_relations", "no_role", "civil_defence_leader", "fire_rescue"):
        with pytest.raises(PermissionDenied):
            services.subscription_create(actor=personas[name])
    assert list(selectors.subscription_list(viewer=personas["other_commune_officer"])) == []


def test_deliveries_follow_subscriptions_and_reach(rise_in_a, personas):
    services.subscription_create(actor=personas["commune_officer"])
    services.subscription_create(actor=personas["other_commune_officer"])
    services.subscription_create(actor=personas["commander"], kinds=["deadline"])
    services.subscription_create(actor=personas["analyst"], offence_groups=["property"])
    services.alerts_run(now=NOW, kinds=["rise"])
    told = set(Delivery.objects.unrestricted().values_list("user__username", flat=True))
    assert told == {"p_commune_officer", "p_analyst"}
    assert selectors.unread_count(viewer=personas["commune_officer"]) == 1
    assert selectors.unread_count(viewer=personas["other_commune_officer"]) == 0


def test_acknowledge_and_resolve_leave_a_trail_and_audit_rows(rise_in_a, personas):
    (alert,) = services.alerts_run(now=NOW, kinds=["rise"]).raised
    officer = personas["commune_officer"]
    services.alert_act(actor=officer, alert=alert, action="acknowledge")
    with pytest.raises(services.AlertError):
        services.alert_act(actor=officer, alert=alert, action="resolve")  # no note
    services.alert_act(actor=officer, alert=alert, action="resolve", note="Đã bố trí tổ tuần tra")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED and alert.resolved_by == officer
    trail = list(AlertAction.objects.unrestricted().filter(alert=alert).values_list("kind", flat=True))
    assert trail == ["raised", "acknowledge", "resolve"]
    assert (
        AuditEvent.objects.unrestricted().filter(object_type="alerts.alert", object_id=str(alert.pk)).count()
        == 3
    )
    with pytest.raises(PermissionDenied):
        services.alert_act(actor=personas["other_commune_officer"], alert=alert, action="note", note="x")


def test_the_digest_sends_each_subscriber_their_new_alerts_once(rise_in_a, personas, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    officer = personas["commune_officer"]
    officer.email = "a@example.vn"
    officer.save()
    services.subscription_create(actor=officer)
    services.subscription_create(actor=personas["commander"], digest=False)
    services.alerts_run(now=NOW, kinds=["rise"])
    assert services.alerts_digest(now=NOW, language="en") == 1
    (message,) = mail.outbox
    assert message.to == ["a@example.vn"]
    assert "1 new alert" in message.body
    assert "rose in" in message.body and "/alerts/" in message.body
    assert services.alerts_digest(now=NOW, language="en") == 0
    assert len(mail.outbox) == 1


def test_the_digest_command_uses_the_mail_backend(rise_in_a, personas, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    personas["commander"].email = "c@example.vn"
    personas["commander"].save()
    services.subscription_create(actor=personas["commander"])
    services.alerts_run(now=NOW, kinds=["rise"])
    call_command("alerts_digest", "--language", "en")
    assert [m.to for m in mail.outbox] == [["c@example.vn"]]


def test_deadline_alerts_grow_with_new_reports(personas):
    from anninh.records.models import CrimeReport
    from anninh.records.services.reports import crime_report_receive

    officer = personas["commune_officer"]
    received = dt.datetime.now(HCM_TZ) - dt.timedelta(days=19)
    reports = [
        crime_report_receive(
            actor=officer,
            kind="to_giac",
            channel="in_person",
            received_at=received,
            summary=f"Trộm cắp {k}",
            commune_code=COMMUNE_A,
            offence_article="173",
        )
        for k in range(2)
    ]
    today = dt.datetime.now(HCM_TZ)
    CrimeReport.objects.unrestricted().filter(pk=reports[1].pk).update(due_on=None)
    (alert,) = services.alerts_run(now=today, kinds=["deadline"]).raised
    assert [r["id"] for r in alert.evidence["reports"]] == [reports[0].pk]
    CrimeReport.objects.unrestricted().filter(pk=reports[1].pk).update(due_on=reports[0].due_on)
    again = services.alerts_run(now=today, kinds=["deadline"])
    assert again.raised == [] and [a.pk for a in again.grown] == [alert.pk]
    alert.refresh_from_db()
    assert {r["id"] for r in alert.evidence["reports"]} == {r.pk for r in reports}


def test_a_failing_rule_does_not_stop_the_others(rise_in_a, monkeypatch):
    from anninh.alerts import rules

    def broken(today, s):
        raise RuntimeError("boom")

    monkeypatch.setitem(rules.RULES, "fraud", broken)
    result = services.alerts_run(now=NOW, kinds=["rise", "fraud"])
    assert result.failed == ["fraud"]
    assert [a.commune_id for a in result.raised] == [COMMUNE_A]
