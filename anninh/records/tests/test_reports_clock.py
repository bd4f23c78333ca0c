"""The legal clock as the services store it, with frozen time: the Asia/Ho_Chi_Minh day
boundary, month ends, days off, extensions, suspension and resumption, days left."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import translation

from anninh.records.models import CrimeReport
from anninh.records.services import reports as services
from anninh.records.tests.test_reports_helpers import (  # noqa: F401 - fast_passwords is autouse
    S,
    advance,
    fast_passwords,
    local,
    receive,
)
from anninh.records.versioning import RecordError

D = dt.date
UTC = dt.UTC


def at(moment):
    return time_machine.travel(moment, tick=False)


def test_a_report_received_at_2330_local_on_31_january_is_received_on_31_january(personas):
    moment = dt.datetime(2026, 1, 31, 16, 30, tzinfo=UTC)  # 23:30 in Hai Phong
    with at(moment):
        report = receive(personas["commune_officer"], received_at=moment)
    assert report.received_on == D(2026, 1, 31)
    # 31/01 + 20 days = 20/02, inside the Tết holiday (14-22/02/2026): Monday 23/02.
    assert report.due_on == D(2026, 2, 23)


def test_a_report_received_at_0030_local_on_1_february_is_received_on_1_february(personas):
    moment = dt.datetime(2026, 1, 31, 17, 30, tzinfo=UTC)  # 00:30 on 01/02 in Hai Phong
    with at(moment):
        report = receive(personas["commune_officer"], received_at=moment)
    assert report.received_on == D(2026, 2, 1)
    assert report.due_on == D(2026, 2, 23)  # 21/02 is Tết too


@pytest.mark.parametrize(
    ("utc", "received_on", "due_on"),
    [
        (dt.datetime(2026, 3, 31, 16, 59, tzinfo=UTC), D(2026, 3, 31), D(2026, 4, 20)),  # 23:59 local
        (dt.datetime(2026, 3, 31, 17, 0, tzinfo=UTC), D(2026, 4, 1), D(2026, 4, 21)),  # 00:00 local
    ],
)
def test_the_twenty_days_count_from_the_local_day_of_receipt(personas, utc, received_on, due_on):
    with at(utc):
        report = receive(personas["commune_officer"], received_at=utc)
    assert (report.received_on, report.due_on) == (received_on, due_on)


def test_a_deadline_on_a_weekend_moves_to_monday(personas):
    with at(local(2026, 3, 2, 10)):  # Monday 02/03 + 20 = Sunday 22/03
        report = receive(personas["commune_officer"], received_at=local(2026, 3, 2, 8))
    assert report.due_on == D(2026, 3, 23)


def test_days_left_run_down_to_amber_then_red_at_the_local_midnight(personas):
    with at(local(2026, 4, 1, 9)):
        report = receive(personas["commune_officer"], received_at=local(2026, 4, 1, 8))
    assert report.due_on == D(2026, 4, 21)
    expectations = [
        (local(2026, 4, 17, 12), 4, ""),
        (local(2026, 4, 18, 0, 1), 3, "warn"),
        (local(2026, 4, 21, 23, 59), 0, "warn"),
        (local(2026, 4, 22, 0, 0), -1, "bad"),
    ]
    for moment, left, tone in expectations:
        with at(moment):
            fresh = CrimeReport.objects.get(pk=report.pk)
            assert (fresh.days_left, fresh.clock_tone) == (left, tone), moment


def test_an_extension_runs_two_months_from_receipt_and_the_procuracy_once_more(personas):
    officer = personas["commune_officer"]
    with at(local(2026, 1, 5, 9)) as clock:
        report = receive(officer, received_at=local(2026, 1, 5, 8))
        assert report.due_on == D(2026, 1, 26)
        clock.move_to(local(2026, 1, 15, 9))
        report = services.crime_report_extend(actor=officer, report=report, version=report.version)
        assert (report.due_on, report.extended) == (D(2026, 3, 5), True)
        clock.move_to(local(2026, 2, 27, 9))  # 6 days before 05/03
        report = services.crime_report_procuracy_extend(
            actor=officer, report=report, version=report.version, months=2
        )
    assert (report.due_on, report.procuracy_extended) == (D(2026, 5, 5), True)


def test_an_extension_from_the_last_day_of_a_month_ends_on_the_last_day_of_a_shorter_month(personas):
    officer = personas["commune_officer"]
    with at(local(2025, 12, 31, 10)) as clock:
        report = receive(officer, received_at=local(2025, 12, 31, 9))
        clock.move_to(local(2026, 1, 5, 9))
        report = services.crime_report_extend(actor=officer, report=report, version=report.version)
    # 31/12/2025 + 2 months = 28/02/2026 (no 31/02), a Saturday: Monday 02/03.
    assert report.due_on == D(2026, 3, 2)


def test_a_procuracy_extension_asked_less_than_five_days_before_expiry_is_refused_with_a_translated_message(
    personas,
):
    officer = personas["commune_officer"]
    with at(local(2026, 1, 5, 9)) as clock:
        report = receive(officer, received_at=local(2026, 1, 5, 8))
        report = services.crime_report_extend(actor=officer, report=report, version=report.version)
        clock.move_to(local(2026, 3, 2, 9))  # 3 days before 05/03
        with translation.override("en"), pytest.raises(RecordError) as err:
            services.crime_report_procuracy_extend(
                actor=officer, report=report, version=report.version, months=1
            )
    assert err.value.code == "clock.procuracy_late"
    assert (
        err.value.message == "The procuracy extension must be requested at least 5 days before the deadline."
    )
    stored = CrimeReport.objects.get(pk=report.pk)
    assert (stored.due_on, stored.procuracy_extended, stored.version) == (
        D(2026, 3, 5),
        False,
        report.version,
    )


@pytest.mark.parametrize(
    ("steps", "code"),
    [
        (["extend", "extend"], "clock.extended_twice"),
        (["procuracy"], "clock.procuracy_before_extension"),
        (["extend", "procuracy", "procuracy"], "clock.procuracy_twice"),
    ],
)
def test_the_clock_refuses_what_the_law_does_not_allow(personas, steps, code):
    officer = personas["commune_officer"]
    with at(local(2026, 1, 5, 9)):
        report = receive(officer, received_at=local(2026, 1, 5, 8))
        with pytest.raises(RecordError) as err:
            for step in steps:
                if step == "extend":
                    report = services.crime_report_extend(
                        actor=officer, report=report, version=report.version
                    )
                else:
                    report = services.crime_report_procuracy_extend(
                        actor=officer, report=report, version=report.version, months=1
                    )
    assert err.value.code == code


def test_a_deadline_that_has_passed_can_no_longer_be_extended(personas):
    officer = personas["commune_officer"]
    with at(local(2026, 1, 5, 9)) as clock:
        report = receive(officer, received_at=local(2026, 1, 5, 8))
        clock.move_to(local(2026, 1, 27, 9))  # due 26/01
        assert CrimeReport.objects.get(pk=report.pk).overdue
        with pytest.raises(RecordError) as err:
            services.crime_report_extend(actor=officer, report=report, version=report.version)
    assert err.value.code == "clock.extend_late"


def test_suspension_stops_the_clock_and_resumption_leaves_one_month(personas):
    officer = personas["commune_officer"]
    with at(local(2026, 3, 2, 9)) as clock:
        report = advance(receive(officer, received_at=local(2026, 3, 2, 8)), officer, S.VERIFYING)
        clock.move_to(local(2026, 3, 23, 9))  # the last day of the 20 days (22/03 is a Sunday)
        report = services.crime_report_suspend(
            actor=officer, report=report, version=report.version, grounds="Chưa rõ."
        )
        assert (report.status, report.due_on, report.days_left) == (S.SUSPENDED, None, None)
        assert report.decided_on == D(2026, 3, 23) and report.decided_within_deadline is True
        clock.move_to(local(2026, 9, 30, 9))  # months later: still no clock, never overdue
        assert not CrimeReport.objects.get(pk=report.pk).overdue
        clock.move_to(local(2026, 3, 31, 9))
        report = services.crime_report_resume(actor=officer, report=report, version=report.version)
    # 31/03 + 1 month = 30/04 (a holiday), 01/05 (holiday), then the weekend: Monday 04/05.
    assert (report.status, report.due_on) == (S.VERIFYING, D(2026, 5, 4))
    assert report.decided_on is None and report.decided_within_deadline is None


def test_a_decision_after_the_deadline_is_recorded_as_late(personas):
    officer = personas["commune_officer"]
    with at(local(2026, 3, 2, 9)) as clock:
        report = advance(receive(officer, received_at=local(2026, 3, 2, 8)), officer, S.VERIFYING)
        clock.move_to(local(2026, 3, 25, 9))  # due 23/03
        report = services.crime_report_decide(
            actor=officer,
            report=report,
            version=report.version,
            decision="not_initiate",
            grounds="Không có dấu hiệu tội phạm.",
        )
    assert (report.decided_on, report.decided_within_deadline, report.due_on) == (D(2026, 3, 25), False, None)


def test_a_decision_dated_back_within_the_deadline_counts_as_in_time(personas):
    officer = personas["commune_officer"]
    with at(local(2026, 3, 2, 9)) as clock:
        report = advance(receive(officer, received_at=local(2026, 3, 2, 8)), officer, S.VERIFYING)
        clock.move_to(local(2026, 3, 25, 9))
        report = services.crime_report_decide(
            actor=officer,
            report=report,
            version=report.version,
            decision="not_initiate",
            grounds="x",
            on=D(2026, 3, 20),
        )
    assert report.decided_within_deadline is True


def test_a_step_cannot_be_dated_before_the_last_step_of_the_clock(personas):
    officer = personas["commune_officer"]
    with at(local(2026, 1, 5, 9)) as clock:
        report = advance(receive(officer, received_at=local(2026, 1, 5, 8)), officer, S.VERIFYING)
        clock.move_to(local(2026, 3, 6, 9))
        report = services.crime_report_extend(
            actor=officer, report=report, version=report.version, on=D(2026, 1, 20)
        )
        with pytest.raises(RecordError) as err:  # due 05/03: a suspension then is possible...
            services.crime_report_suspend(
                actor=officer, report=report, version=report.version, grounds="x", on=D(2026, 1, 15)
            )  # ...but not dated before the extension
    assert err.value.code == "date.before_last_step"


def test_a_suspension_before_the_time_limit_has_run_out_is_refused_saying_when_it_becomes_possible(
    personas,
):
    officer = personas["commune_officer"]
    with at(local(2026, 3, 2, 9)) as clock:
        report = advance(receive(officer, received_at=local(2026, 3, 2, 8)), officer, S.VERIFYING)
        clock.move_to(local(2026, 3, 7, 9))  # day 5
        with translation.override("en"), pytest.raises(RecordError) as err:
            services.crime_report_suspend(
                actor=officer, report=report, version=report.version, grounds="Chưa rõ."
            )
    assert err.value.code == "clock.suspend_early"
    assert err.value.message == (
        "The handling of a report can be suspended only once its time limit has run out "
        "(Criminal Procedure Code Art. 148): from 23/03/2026."
    )
    stored = CrimeReport.objects.get(pk=report.pk)
    assert (stored.status, stored.due_on, stored.version) == (S.VERIFYING, D(2026, 3, 23), report.version)


@pytest.mark.parametrize("step", ["extend", "procuracy"])
def test_a_resumed_report_cannot_be_extended(personas, step):
    officer = personas["commune_officer"]
    with at(local(2026, 3, 23, 9)) as clock:
        report = advance(receive(officer, received_at=local(2026, 3, 2, 8)), officer, S.SUSPENDED)
        clock.move_to(local(2026, 6, 10, 9))
        report = services.crime_report_resume(actor=officer, report=report, version=report.version)
        assert report.due_on == D(2026, 7, 10)
        clock.move_to(local(2026, 6, 12, 9))
        with translation.override("en"), pytest.raises(RecordError) as err:
            if step == "extend":
                services.crime_report_extend(actor=officer, report=report, version=report.version)
            else:
                services.crime_report_procuracy_extend(
                    actor=officer, report=report, version=report.version, months=2
                )
    assert err.value.code == "clock.resumed"
    assert "Art. 149" in err.value.message
    assert CrimeReport.objects.get(pk=report.pk).due_on == D(2026, 7, 10)


def test_a_resumed_report_is_not_offered_an_extension(personas):
    officer = personas["commune_officer"]
    with at(local(2026, 3, 23, 9)) as clock:
        report = advance(receive(officer, received_at=local(2026, 3, 2, 8)), officer, S.SUSPENDED)
        clock.move_to(local(2026, 6, 10, 9))
        before = advance(receive(officer, received_at=local(2026, 6, 10, 8)), officer, S.VERIFYING)
        report = services.crime_report_resume(actor=officer, report=report, version=report.version)
        offered = services.allowed_actions(officer, report)
    assert services.Action.EXTEND in services.allowed_actions(officer, before)
    assert services.Action.EXTEND not in offered and services.Action.PROCURACY_EXTEND not in offered
    assert services.Action.DECIDE in offered


def test_a_report_suspended_early_before_the_rule_can_still_be_resumed_and_decided(personas):
    from anninh.records.models import ReportClockEvent

    officer = personas["commune_officer"]
    with at(local(2026, 3, 7, 9)) as clock:
        report = advance(receive(officer, received_at=local(2026, 3, 2, 8)), officer, S.VERIFYING)
        # Recorded by the old code: suspended on day 5.
        ReportClockEvent.objects.create(report=report, kind="suspend", on=D(2026, 3, 7), created_by=officer)
        CrimeReport.objects.filter(pk=report.pk).update(
            status=S.SUSPENDED, due_on=None, decided_on=D(2026, 3, 7)
        )
        report = CrimeReport.objects.get(pk=report.pk)
        clock.move_to(local(2026, 4, 1, 9))
        report = services.crime_report_resume(actor=officer, report=report, version=report.version)
        assert report.due_on == D(2026, 5, 4)  # 01/05 + the 30/04-01/05 holidays and the weekend
        report = services.crime_report_decide(
            actor=officer, report=report, version=report.version, decision="not_initiate", grounds="x"
        )
    assert report.status == S.NOT_INITIATED
