"""The public days off the legal clock rolls over (CPC Art. 134): the shipped table, the
warning when the next 12 months have no holiday data, and the recomputation of open
reports' due dates when the table changes."""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from anninh.audit.models import AuditEvent
from anninh.records.deadlines import clock_state
from anninh.records.models import CrimeReport, DayOff
from anninh.records.reference import DAYS_OFF_CSV
from anninh.records.services.clock import days_off_gaps
from anninh.records.tests.test_reports_helpers import (  # noqa: F401 - fast_passwords is autouse
    fast_passwords,
    local,
    receive,
)
from anninh.testing.matrix import client_for

D = dt.date


def _rows() -> list[dict]:
    with DAYS_OFF_CSV.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_every_year_from_2026_has_each_statutory_holiday_with_its_source():
    by_year: dict[int, list[dict]] = defaultdict(list)
    for row in _rows():
        assert row["source"].strip(), row
        assert row["status"] in {"official", "law", "provisional"}, row
        assert (row["status"] == "provisional") == ("tạm tính" in row["name"]), row
        by_year[int(row["date"][:4])].append(row)
    for year in (2026, 2027):
        names = [r["name"] for r in by_year[year]]
        # Labour Code 2019 Art. 112(1): 1 + 5 (Tết) + 1 + 1 + 1 + 2 days.
        for holiday, at_least in [
            ("Tết Dương lịch", 1),
            ("Tết Nguyên đán", 5),
            ("Giỗ Tổ Hùng Vương", 1),
            ("Ngày Chiến thắng", 1),
            ("Quốc tế Lao động", 1),
            ("Quốc khánh", 2),
        ]:
            assert sum(n.startswith(holiday) for n in names) >= at_least, (year, holiday)


def test_tet_and_the_hung_kings_day_of_2027_are_on_the_lunar_dates():
    dates = {D.fromisoformat(r["date"]) for r in _rows()}
    assert D(2027, 2, 6) in dates  # Lunar New Year 2027 (mùng 1 Tết Đinh Mùi)
    assert D(2027, 2, 5) in dates  # the last day of the lunar year
    assert D(2027, 4, 16) in dates  # 10th day of the 3rd lunar month


def test_a_report_received_on_17_january_2027_is_not_due_inside_tet():
    days_off = [D.fromisoformat(r["date"]) for r in _rows()]
    # 17/01/2027 + 20 days = Saturday 06/02/2027, Lunar New Year: the first working day after Tết.
    assert clock_state(D(2027, 1, 17), days_off=days_off).due == D(2027, 2, 12)


def test_the_table_in_the_database_is_the_shipped_one(db):
    assert set(DayOff.objects.values_list("date", flat=True)) == {D.fromisoformat(r["date"]) for r in _rows()}


# The next 12 months must have holiday data ----------------------------------------------------


def test_no_gap_when_the_next_12_months_are_covered(db):
    assert days_off_gaps(D(2026, 12, 6)) == []


def test_a_year_without_its_holidays_in_the_next_12_months_is_a_gap(db):
    assert days_off_gaps(D(2027, 6, 1)) == [2028]
    DayOff.objects.filter(date__year=2027, date__month=2).delete()  # 2027 without Tết
    assert days_off_gaps(D(2026, 12, 6)) == [2027]


def test_the_system_check_warns_about_the_gap(db):
    from anninh.records.checks import days_off_check

    with time_machine.travel(local(2026, 12, 6), tick=False):
        assert days_off_check() == []
    with time_machine.travel(local(2027, 6, 1), tick=False):
        warnings = days_off_check()
    assert [w.id for w in warnings] == ["records.W001"]
    assert "2028" in warnings[0].msg and "days_off_sync" in warnings[0].hint


def test_the_deadline_board_warns_about_the_gap(personas):
    with time_machine.travel(local(2027, 6, 1), tick=False):
        page = client_for(personas["commander"]).get("/records/deadlines/").content.decode()
    assert 'role="alert"' in page and "2028" in page
    with time_machine.travel(local(2026, 12, 6), tick=False):
        page = client_for(personas["commander"]).get("/records/deadlines/").content.decode()
    assert "2028" not in page


# Recomputing the due dates of open reports when the table changes -------------------------------


@pytest.fixture
def in_tet(personas):
    """A report received 17/01/2027 while the table lacked Tết 2027: due Monday 08/02."""
    tet = list(DayOff.objects.filter(date__year=2027, date__month=2).values_list("date", "name"))
    DayOff.objects.filter(date__year=2027, date__month=2).delete()
    with time_machine.travel(local(2027, 1, 17, 10), tick=False):
        report = receive(personas["commune_officer"], received_at=local(2027, 1, 17, 9))
    assert report.due_on == D(2027, 2, 8)
    return report, tet


def test_the_sync_command_reloads_the_table_and_recomputes_open_reports(in_tet):
    report, _ = in_tet
    with time_machine.travel(local(2027, 1, 20, 10), tick=False):
        call_command("days_off_sync", verbosity=0)
    stored = CrimeReport.objects.get(pk=report.pk)
    assert stored.due_on == D(2027, 2, 12) and stored.version == report.version + 1
    event = AuditEvent.objects.filter(object_id=str(report.pk), object_type="records.crimereport").order_by(
        "-id"
    )[0]
    assert event.extra["step"] == "reclock" and event.before["due_on"] != event.after["due_on"]


def test_the_sync_command_prunes_days_that_left_the_file(db):
    DayOff.objects.create(date=D(2027, 2, 12), name="Tết Nguyên đán (tạm tính)")
    call_command("days_off_sync", verbosity=0)
    assert DayOff.objects.filter(date=D(2027, 2, 12)).exists()
    call_command("days_off_sync", "--prune", verbosity=0)
    assert not DayOff.objects.filter(date=D(2027, 2, 12)).exists()


def test_a_day_off_added_in_the_admin_recomputes_open_reports(in_tet, personas):
    report, _ = in_tet
    admin: Client = client_for(personas["administrator"])
    response = admin.post("/admin/records/dayoff/add/", {"date": "2027-02-08", "name": "Tết Nguyên đán"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert DayOff.objects.filter(date=D(2027, 2, 8)).exists()
    assert CrimeReport.objects.get(pk=report.pk).due_on == D(2027, 2, 9)


def test_a_decided_report_keeps_its_record(in_tet, personas):
    report, _ = in_tet
    from anninh.records.services import reports as services

    officer = personas["commune_officer"]
    with time_machine.travel(local(2027, 1, 20, 10), tick=False):
        report = services.crime_report_classify(actor=officer, report=report, version=report.version)
        report = services.crime_report_verify(actor=officer, report=report, version=report.version)
        report = services.crime_report_decide(
            actor=officer, report=report, version=report.version, decision="not_initiate", grounds="x"
        )
        call_command("days_off_sync", verbosity=0)
    stored = CrimeReport.objects.get(pk=report.pk)
    assert (stored.due_on, stored.version) == (None, report.version)
