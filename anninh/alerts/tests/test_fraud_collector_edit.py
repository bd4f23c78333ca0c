"""Issue #11: the fraud rule after a collector account is added or changed later (a victim finds
the transfer slip after the complaint). The report counts as a new victim's from the day of the
change, the rule is re-run at once for the accounts involved, and a live alert of an account the
report no longer names drops it."""

from __future__ import annotations

import datetime as dt

import pytest

from anninh.alerts import services
from anninh.alerts.models import Alert, AlertAction, AlertKind
from anninh.alerts.tests.factories import at, plant_report
from anninh.lib.dates import HCM_TZ
from anninh.records.services import reports as records
from anninh.testing.personas import COMMUNE_A

NOW = dt.datetime(2026, 11, 16, 10, 0, tzinfo=HCM_TZ)
TODAY = NOW.date()
ACCOUNT = "VCB:0123456789"
OTHER = "MOMO:0912345678"


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _days_ago(days: int) -> dt.datetime:
    return at(TODAY - dt.timedelta(days=days))


def _name(officer, report, bank="VCB", number="0123456789"):
    return records.crime_report_collector_set(
        actor=officer, report=report, version=report.version, collector_bank=bank, collector_number=number
    )


def _fraud_alerts(account=ACCOUNT):
    return list(Alert.objects.unrestricted().filter(condition_key=f"fraud:{account}"))


@pytest.fixture
def two_old_victims_and_a_third_without_account(personas):
    """Two reports naming ACCOUNT 20 and 15 days ago (an old pattern, too small anyway) and a
    third victim's report of 12 days ago that did not name the account at intake."""
    officer = personas["commune_officer"]
    for days in (20, 15):
        plant_report(officer, COMMUNE_A, _days_ago(days), collector=ACCOUNT)
    return plant_report(officer, COMMUNE_A, _days_ago(12))


def test_without_the_account_the_pattern_raises_nothing(two_old_victims_and_a_third_without_account):
    assert services.alerts_run(now=NOW, kinds=[AlertKind.FRAUD]).raised == []


def test_naming_the_account_later_raises_the_alert_at_once(
    personas, two_old_victims_and_a_third_without_account, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(NOW)
    third = two_old_victims_and_a_third_without_account
    with django_capture_on_commit_callbacks(execute=True):
        _name(personas["commune_officer"], third)
    (alert,) = _fraud_alerts()
    assert alert.kind == AlertKind.FRAUD and alert.commune_id == COMMUNE_A
    assert alert.evidence["members"][-1] == third.pk and len(alert.evidence["members"]) == 3
    shown = alert.evidence["reports"][-1]
    assert shown["id"] == third.pk and "named_at" in shown  # received 12 days ago, named today


def test_the_next_scheduled_run_counts_the_report_from_the_day_its_account_was_named(
    personas, two_old_victims_and_a_third_without_account, time_machine
):
    """Without the prompt re-run (no commit callbacks here), the daily run of the next morning
    finds the pattern: the newest victim is the one named yesterday, not received 12 days ago."""
    time_machine.move_to(NOW)
    _name(personas["commune_officer"], two_old_victims_and_a_third_without_account)
    assert _fraud_alerts() == []
    (alert,) = services.alerts_run(now=NOW + dt.timedelta(days=1), kinds=[AlertKind.FRAUD]).raised
    assert alert.condition_key == f"fraud:{ACCOUNT}"


def test_an_account_named_on_a_report_older_than_the_window_counts_from_its_naming(
    personas, time_machine, django_capture_on_commit_callbacks
):
    officer = personas["commune_officer"]
    for days in (10, 3):
        plant_report(officer, COMMUNE_A, _days_ago(days), collector=ACCOUNT)
    old = plant_report(officer, COMMUNE_A, _days_ago(120))
    time_machine.move_to(NOW)
    with django_capture_on_commit_callbacks(execute=True):
        _name(officer, old)
    (alert,) = _fraud_alerts()
    assert old.pk in alert.evidence["members"]


def test_a_later_edit_grows_the_live_alert(personas, time_machine, django_capture_on_commit_callbacks):
    officer = personas["commune_officer"]
    for days in (20, 10, 2):
        plant_report(officer, COMMUNE_A, _days_ago(days), collector=ACCOUNT)
    (alert,) = services.alerts_run(now=NOW, kinds=[AlertKind.FRAUD]).raised
    fourth = plant_report(officer, COMMUNE_A, _days_ago(30))
    time_machine.move_to(NOW + dt.timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        _name(officer, fourth)
    alert.refresh_from_db()
    assert fourth.pk in alert.evidence["members"] and len(alert.evidence["reports"]) == 4
    assert alert.actions.filter(kind=AlertAction.Kind.EVIDENCE, note=str(fourth.pk)).exists()


def test_changing_the_account_moves_the_report_from_one_alert_to_the_other(
    personas, time_machine, django_capture_on_commit_callbacks
):
    officer = personas["commune_officer"]
    wrong = [plant_report(officer, COMMUNE_A, _days_ago(d), collector=ACCOUNT) for d in (20, 10, 2)]
    for days in (9, 4):
        plant_report(officer, COMMUNE_A, _days_ago(days), collector=OTHER)
    (alert,) = services.alerts_run(now=NOW, kinds=[AlertKind.FRAUD]).raised
    assert alert.condition_key == f"fraud:{ACCOUNT}"
    time_machine.move_to(NOW + dt.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        _name(officer, wrong[1], bank="MoMo", number="0912 345 678")
    alert.refresh_from_db()
    assert wrong[1].pk not in alert.evidence["members"]
    assert wrong[1].pk not in [r["id"] for r in alert.evidence["reports"]]
    assert alert.actions.filter(kind=AlertAction.Kind.WITHDRAWN, note=str(wrong[1].pk)).exists()
    (moved,) = _fraud_alerts(OTHER)
    assert wrong[1].pk in moved.evidence["members"] and len(moved.evidence["members"]) == 3


def test_a_failing_listener_never_undoes_the_change(
    personas, monkeypatch, time_machine, django_capture_on_commit_callbacks
):
    from anninh.alerts import services as alert_services

    def broken(**kwargs):
        raise RuntimeError("rule broke")

    monkeypatch.setattr(alert_services, "fraud_reevaluate", broken)
    officer = personas["commune_officer"]
    report = plant_report(officer, COMMUNE_A, _days_ago(1))
    time_machine.move_to(NOW)
    with django_capture_on_commit_callbacks(execute=True):
        _name(officer, report)
    report.refresh_from_db()
    assert report.collector_account == ACCOUNT
