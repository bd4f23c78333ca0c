"""Register numbers: sequential per receiving unit and year of receipt, reset each year, never
reused, and distinct and consecutive under concurrent intake (PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection, connections, transaction

from anninh.records.models import CrimeReport, RegisterCounter
from anninh.records.services import reports as services
from anninh.records.tests.test_reports_helpers import (  # noqa: F401 - fast_passwords is autouse
    COMMUNE_A,
    fast_passwords,
    local,
    receive,
)
from anninh.records.versioning import RecordError


def test_numbers_are_sequential_per_unit_and_year(personas):
    officer, other = personas["commune_officer"], personas["other_commune_officer"]
    with time_machine.travel(local(2026, 5, 4, 10), tick=False):
        numbers = [receive(officer, received_at=local(2026, 5, 4, 8)).register_number for _ in range(3)]
        other_number = receive(other, received_at=local(2026, 5, 4, 8), commune_code="11329").register_number
    assert numbers == [
        f"CA{COMMUNE_A}-2026-000001",
        f"CA{COMMUNE_A}-2026-000002",
        f"CA{COMMUNE_A}-2026-000003",
    ]
    assert other_number == "CA11329-2026-000001"


def test_numbers_start_again_at_one_each_year_of_receipt(personas):
    officer = personas["commune_officer"]
    with time_machine.travel(local(2027, 1, 2, 10), tick=False):
        late_2026 = receive(officer, received_at=local(2026, 12, 30, 8))
        first_2027 = receive(officer, received_at=local(2027, 1, 1, 8))
        second_2026 = receive(officer, received_at=local(2026, 12, 31, 9))
    assert late_2026.register_number == f"CA{COMMUNE_A}-2026-000001"
    assert first_2027.register_number == f"CA{COMMUNE_A}-2027-000001"
    assert second_2026.register_number == f"CA{COMMUNE_A}-2026-000002"
    assert (first_2027.register_year, first_2027.register_seq) == (2027, 1)


def test_the_year_of_a_number_is_the_local_year_of_receipt(personas):
    officer = personas["commune_officer"]
    new_year = dt.datetime(2026, 12, 31, 17, 30, tzinfo=dt.UTC)  # 00:30 on 01/01/2027 in Hai Phong
    with time_machine.travel(new_year + dt.timedelta(minutes=5), tick=False):
        report = receive(officer, received_at=new_year)
        old_year = receive(officer, received_at=new_year - dt.timedelta(hours=1))  # 23:30 on 31/12/2026
    assert report.register_number == f"CA{COMMUNE_A}-2027-000001"
    assert old_year.register_number == f"CA{COMMUNE_A}-2026-000001"


def test_a_number_is_never_reused_even_if_its_report_is_removed(personas):
    officer = personas["commune_officer"]
    receive(officer)
    second = receive(officer)
    CrimeReport.objects.filter(pk=second.pk).delete()  # e.g. a database repair
    third = receive(officer)
    assert third.register_seq == 3


def test_a_refused_intake_does_not_consume_a_number(personas):
    officer = personas["commune_officer"]
    first = receive(officer)
    with pytest.raises(RecordError):
        receive(officer, offence_article="999")
    with pytest.raises(RecordError), transaction.atomic():
        # A failure after the number was taken rolls the number back with the report.
        services.crime_report_receive(
            actor=officer,
            kind="to_giac",
            channel="in_person",
            received_at=first.received_at,
            summary="x",
            commune_code=COMMUNE_A,
            reporter=services.ReporterInput(full_name="A", cccd="031095012345"),
        )
        raise RecordError("test.rollback", "roll back")
    assert receive(officer).register_seq == 2


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has no row locks (SELECT … FOR UPDATE): "
    "it serialises whole write transactions, so concurrent intake is a PostgreSQL question",
)
# No serialized_rollback: `reference_data` loads what the test needs, as in every other
# transactional test. Restoring the serialized database as well collided with the content
# types that an earlier transactional test's flush had re-created (duplicate key at setup).
@pytest.mark.django_db(transaction=True)
def test_concurrent_intakes_get_distinct_consecutive_numbers(reference_data):
    from anninh.testing.personas import make_user

    officer = make_user("concurrent_officer", "commune_officer", unit_code=f"CA{COMMUNE_A}")
    threads_count = 8
    barrier = threading.Barrier(threads_count)
    numbers: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work():
        try:
            barrier.wait(timeout=10)
            report = receive(officer)
            with lock:
                numbers.append(report.register_seq)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(threads_count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert sorted(numbers) == list(range(1, threads_count + 1))
    counter = RegisterCounter.objects.get(unit=officer.unit, register="report")
    assert counter.last == threads_count
    assert (
        CrimeReport.objects.filter(receiving_unit=officer.unit).values("register_number").distinct().count()
        == threads_count
    )
