"""Case.occurred_at, the copy of "when the crime happened" (the incident's start, else the crime
report's receipt) that the clearance statistics filter on, stays exact on every write path:
opening a case, editing its incident, linking a report's case to a new incident, a re-import,
a bulk update, and after the triggers were lost (SQLite rebuilds) and put back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anninh.records import occurrence
from anninh.records.models import Case, CrimeReport, Incident
from anninh.records.selectors.cases import case_list, clearance_as_of
from anninh.records.services.cases import case_create, case_occurred_at
from anninh.records.services.io import incidents_import
from anninh.records.tests.test_incidents_factories import local, record, update
from anninh.records.tests.test_io_import import GOOD, unit_a, write_csv  # noqa: F401
from anninh.records.tests.test_reports_helpers import fast_passwords, receive  # noqa: F401

pytestmark = pytest.mark.django_db


def stored(case) -> dt.datetime | None:
    return Case.objects.unrestricted().values_list("occurred_at", flat=True).get(pk=case.pk)


def expected(case) -> dt.datetime | None:
    """Computed in Python from the records as they are now (not from the copy)."""
    return case_occurred_at(
        Case.objects.unrestricted().select_related("incident", "crime_report").get(pk=case.pk)
    )


@pytest.fixture
def officer(personas):
    return personas["commune_officer"]


def test_a_new_case_takes_its_incidents_start(officer):
    incident = record(officer, occurred_from=local(2025, 3, 4, 22, 15), reported_at=local(2025, 3, 5, 8))
    case = case_create(actor=officer, incident=incident, initiated_on=dt.date(2025, 3, 10))
    assert stored(case) == local(2025, 3, 4, 22, 15) == expected(case)
    assert occurrence.verify() == []


def test_a_case_from_a_report_alone_takes_the_receipt_then_the_incident_once_linked(officer):
    report = receive(officer, received_at=local(2025, 6, 1, 10))
    case = case_create(actor=officer, crime_report=report, initiated_on=dt.date(2025, 6, 5))
    assert stored(case) == local(2025, 6, 1, 10)
    # The incident recorded later for that report takes the case over (incident services link it).
    record(
        officer,
        occurred_from=local(2025, 5, 30, 23),
        reported_at=local(2025, 6, 1, 9),
        crime_report_ids=(report.pk,),
    )
    assert stored(case) == local(2025, 5, 30, 23) == expected(case)
    assert occurrence.verify() == []


def test_editing_the_incident_moves_its_cases(officer):
    incident = record(officer, occurred_from=local(2025, 1, 31, 23), reported_at=local(2025, 2, 1, 8))
    case = case_create(actor=officer, incident=incident, initiated_on=dt.date(2025, 2, 3))
    incident = Incident.objects.get(pk=incident.pk)
    update(officer, incident, occurred_from=local(2025, 2, 1, 1), reported_at=local(2025, 2, 1, 8))
    assert stored(case) == local(2025, 2, 1, 1) == expected(case)
    # So the case moves from January's cohort to February's.
    jan = clearance_as_of(
        viewer=officer,
        occurred_from=dt.date(2025, 1, 1),
        occurred_to=dt.date(2025, 1, 31),
        as_of=dt.date(2025, 3, 1),
    )
    feb = clearance_as_of(
        viewer=officer,
        occurred_from=dt.date(2025, 2, 1),
        occurred_to=dt.date(2025, 2, 28),
        as_of=dt.date(2025, 3, 1),
    )
    assert sum(c.occurred for c in jan.values()) == 0 and sum(c.occurred for c in feb.values()) == 1


def test_changing_a_cases_links_or_saving_a_stale_copy_recomputes_it(officer):
    first = record(officer, occurred_from=local(2025, 4, 1, 9), reported_at=local(2025, 4, 1, 10))
    second = record(officer, occurred_from=local(2025, 4, 20, 9), reported_at=local(2025, 4, 20, 10))
    case = case_create(actor=officer, incident=first, initiated_on=dt.date(2025, 4, 25))
    Case.objects.unrestricted().filter(pk=case.pk).update(incident=second)
    assert stored(case) == local(2025, 4, 20, 9)
    # A Python object holding an old (or no) value saves it back: the database corrects it.
    loaded = Case.objects.get(pk=case.pk)
    loaded.occurred_at = None
    loaded.save()
    assert stored(case) == local(2025, 4, 20, 9) == expected(case)


def test_a_bulk_change_of_incidents_and_reports_is_followed(officer):
    incidents = [
        record(officer, occurred_from=local(2025, 7, d, 9), reported_at=local(2025, 7, d, 10)) for d in (1, 2)
    ]
    cases = [case_create(actor=officer, incident=i, initiated_on=dt.date(2025, 7, 10)) for i in incidents]
    report = receive(officer, received_at=local(2025, 7, 3, 10))
    alone = case_create(actor=officer, crime_report=report, initiated_on=dt.date(2025, 7, 10))
    Incident.objects.unrestricted().filter(pk__in=[i.pk for i in incidents]).update(
        occurred_from=local(2025, 6, 15, 9)
    )
    CrimeReport.objects.unrestricted().filter(pk=report.pk).update(received_at=local(2025, 6, 16, 9))
    assert [stored(c) for c in cases] == [local(2025, 6, 15, 9)] * 2
    assert stored(alone) == local(2025, 6, 16, 9) == expected(alone)
    assert occurrence.verify() == []


def test_a_reimport_that_moves_an_incident_moves_its_case(tmp_path, officer, unit_a):  # noqa: F811
    incidents_import(actor=officer, unit=unit_a, path=write_csv(tmp_path / "v1.csv", GOOD))
    theft = Incident.objects.get(external_id="T-1")
    case = case_create(actor=officer, incident=theft, initiated_on=dt.date(2025, 11, 10))
    assert stored(case) == theft.occurred_from
    changed = [list(r) for r in GOOD]
    changed[0][2] = "04/11/2025 20:00"
    result = incidents_import(actor=officer, unit=unit_a, path=write_csv(tmp_path / "v2.csv", changed))
    assert result.updated == 1
    assert stored(case) == local(2025, 11, 4, 20) == expected(case)
    assert occurrence.verify() == []


def test_lost_triggers_are_put_back_and_the_values_recomputed(officer):
    incident = record(officer, occurred_from=local(2025, 8, 1, 9), reported_at=local(2025, 8, 1, 10))
    case = case_create(actor=officer, incident=incident, initiated_on=dt.date(2025, 8, 5))
    occurrence.uninstall()
    assert not occurrence.installed()
    Incident.objects.unrestricted().filter(pk=incident.pk).update(occurred_from=local(2025, 8, 2, 9))
    assert occurrence.verify() == [case.pk]
    occurrence.ensure_installed(using="default")
    assert occurrence.installed() and occurrence.verify() == []
    assert stored(case) == local(2025, 8, 2, 9)


def test_the_clearance_query_reads_the_copy_without_joining_incidents(officer):
    incident = record(officer, occurred_from=local(2025, 9, 1, 9), reported_at=local(2025, 9, 1, 10))
    case_create(actor=officer, incident=incident, initiated_on=dt.date(2025, 9, 5))
    with CaptureQueriesContext(connection) as queries:
        clearance_as_of(
            viewer=officer,
            occurred_from=dt.date(2025, 9, 1),
            occurred_to=dt.date(2025, 9, 30),
            as_of=dt.date(2025, 10, 1),
        )
    assert len(queries) == 1
    assert "occurred_at" in queries[0]["sql"] and "occurred_from" not in queries[0]["sql"]
    filtered = case_list(viewer=officer).filter(occurred__gte=local(2025, 9, 1, 0))
    assert filtered.count() == 1
