"""Where a case is placed, copied onto the case and kept exact by triggers (anninh/records/
occurrence.py): `place_commune` (the incident's commune, else the crime report's),
`other_commune` (the report's commune where it is another), `other_unit` (the incident's
responsible unit where it is not the handling unit). The need-to-know rule reads them, so that
the cases a commune officer may see are found through indexes on the case instead of a join of
every case with its incident and report (issue #15: the officer's case list took a second at a
million incidents). The rule must mean exactly what it meant through the joins."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anninh.accounts.scoping import ScopeRule
from anninh.records import occurrence
from anninh.records.models import Case, CaseStatusChange, CrimeReport, Incident
from anninh.records.selectors.cases import case_list
from anninh.records.services.cases import case_create
from anninh.records.tests.test_incidents_factories import local, record, unit_id, update
from anninh.records.tests.test_reports_helpers import fast_passwords, receive  # noqa: F401
from anninh.testing.personas import COMMUNE_A, COMMUNE_B

pytestmark = pytest.mark.django_db

# The rule as it was written through the joins (before the copies): the reference.
THROUGH_JOINS = ScopeRule(
    communes=("incident__commune", "crime_report__commune"),
    units=("handling_unit", "incident__responsible_unit"),
)


def place(case) -> tuple:
    return (
        Case.objects.unrestricted()
        .values_list("place_commune_id", "other_commune_id", "other_unit_id")
        .get(pk=case.pk)
    )


def history(case) -> set[tuple]:
    """The case's placement as its history rows carry it (CaseStatusChange's copies)."""
    return set(
        CaseStatusChange.objects.unrestricted()
        .filter(case=case)
        .values_list("place_commune_id", "other_commune_id", "handling_unit_id", "other_unit_id")
    )


def case_row(case) -> tuple:
    where, other, unit = place(case)
    handler = Case.objects.unrestricted().values_list("handling_unit_id", flat=True).get(pk=case.pk)
    return (where, other, handler, unit)


def expected(case) -> tuple:
    """Computed in Python from the records as they are now (not from the copies)."""
    case = Case.objects.unrestricted().select_related("incident", "crime_report").get(pk=case.pk)
    incident, report = case.incident, case.crime_report
    where = incident.commune_id if incident else (report.commune_id if report else None)
    other = report.commune_id if report and report.commune_id != where else None
    unit = incident.responsible_unit_id if incident else None
    return (where, other, unit if unit != case.handling_unit_id else None)


@pytest.fixture
def officer(personas):
    return personas["commune_officer"]


def test_a_case_is_placed_by_its_incident_else_its_report(officer, personas):
    incident = record(officer, occurred_from=local(2025, 3, 4), reported_at=local(2025, 3, 5))
    case = case_create(actor=officer, incident=incident, initiated_on=dt.date(2025, 3, 10))
    assert place(case) == (COMMUNE_A, None, None) == expected(case)
    # A report received in commune B about the crime placed in A: B's officer sees the case too.
    report = receive(officer, received_at=local(2025, 6, 1, 10), commune_code=COMMUNE_B)
    from_report = case_create(actor=officer, crime_report=report, initiated_on=dt.date(2025, 6, 5))
    assert place(from_report) == (COMMUNE_B, None, None) == expected(from_report)
    record(
        officer,
        occurred_from=local(2025, 5, 30, 23),
        reported_at=local(2025, 6, 1, 9),
        crime_report_ids=(report.pk,),
    )
    assert place(from_report) == (COMMUNE_A, COMMUNE_B, None) == expected(from_report)
    assert occurrence.verify() == []


def test_moving_an_incident_or_a_report_or_handing_the_case_over_moves_the_copies(officer, personas):
    incident = record(officer, occurred_from=local(2025, 7, 1), reported_at=local(2025, 7, 1, 10))
    case = case_create(actor=officer, incident=incident, initiated_on=dt.date(2025, 7, 2))
    # Through the service: the incident placed in commune B, still A's to handle.
    incident = update(
        officer,
        Incident.objects.unrestricted().get(pk=incident.pk),
        commune=COMMUNE_B,
        responsible_unit_id=unit_id(f"CA{COMMUNE_A}"),
        occurred_from=local(2025, 7, 1),
        reported_at=local(2025, 7, 1, 10),
        reason="Sai địa bàn",
    )
    assert place(case) == (COMMUNE_B, None, None) == expected(case)
    # A bulk update hands the incident to B's police: B's unit is the "other" unit of A's case.
    Incident.objects.unrestricted().filter(pk=incident.pk).update(
        responsible_unit_id=unit_id(f"CA{COMMUNE_B}")
    )
    assert place(case) == (COMMUNE_B, None, unit_id(f"CA{COMMUNE_B}")) == expected(case)
    # The case handed to B's police too: no "other" unit any more.
    Case.objects.unrestricted().filter(pk=case.pk).update(handling_unit_id=unit_id(f"CA{COMMUNE_B}"))
    assert place(case) == (COMMUNE_B, None, None) == expected(case)
    assert history(case) == {case_row(case)} == {(COMMUNE_B, None, unit_id(f"CA{COMMUNE_B}"), None)}
    # A report of a case without incident moved to another commune (bulk).
    report = receive(officer, received_at=local(2025, 8, 1, 10))
    lone = case_create(actor=officer, crime_report=report, initiated_on=dt.date(2025, 8, 2))
    CrimeReport.objects.unrestricted().filter(pk=report.pk).update(commune_id=COMMUNE_B)
    assert place(lone) == (COMMUNE_B, None, None) == expected(lone)
    assert history(lone) == {case_row(lone)}
    assert occurrence.verify() == []


def test_tampered_copies_are_put_back_or_found_and_rebuilt(officer):
    incident = record(officer, occurred_from=local(2025, 9, 1), reported_at=local(2025, 9, 1, 10))
    case = case_create(actor=officer, incident=incident, initiated_on=dt.date(2025, 9, 2))
    Case.objects.unrestricted().filter(pk=case.pk).update(place_commune_id=COMMUNE_B)
    assert place(case) == (COMMUNE_A, None, None)  # the triggers put it back
    occurrence.uninstall()
    Case.objects.unrestricted().filter(pk=case.pk).update(
        place_commune_id=COMMUNE_B, other_unit_id=unit_id("PC02")
    )
    assert occurrence.verify() == [case.pk]
    occurrence.install()
    occurrence.rebuild()
    assert occurrence.verify() == [] and place(case) == (COMMUNE_A, None, None)
    # The history's copies: put back when written, found by verify when the triggers were off.
    CaseStatusChange.objects.unrestricted().filter(case=case).update(place_commune_id=COMMUNE_B)
    assert history(case) == {case_row(case)}
    occurrence.uninstall()
    CaseStatusChange.objects.unrestricted().filter(case=case).update(handling_unit_id=unit_id("PC02"))
    assert occurrence.verify() == [case.pk]
    occurrence.install()
    occurrence.rebuild()
    assert occurrence.verify() == [] and history(case) == {case_row(case)}


def test_the_rule_on_the_copies_means_what_it_meant_through_the_joins(officer, personas):
    """Every combination of incident commune, report commune and handling unit, seen by every
    persona: the same cases through the copies as through the joins."""
    investigator = personas["investigator"]
    cases = []
    combos = itertools.product((COMMUNE_A, COMMUNE_B, None), (COMMUNE_A, COMMUNE_B, None), ("CA", "PC02"))
    for day, (incident_commune, report_commune, handler) in enumerate(combos, start=1):
        if incident_commune is None and report_commune is None:
            continue
        # Recorded by the officer of A, then moved by bulk updates (the triggers follow them).
        when = local(2025, 10, day % 28 + 1)
        report = receive(officer, received_at=when) if report_commune else None
        incident = (
            record(
                officer,
                occurred_from=when,
                reported_at=when + dt.timedelta(hours=1),
                crime_report_ids=(report.pk,) if report else (),
            )
            if incident_commune
            else None
        )
        case = case_create(
            actor=officer,
            incident=incident,
            crime_report=report if incident is None else None,
            initiated_on=dt.date(2025, 11, 1),
        )
        if incident is not None:
            Incident.objects.unrestricted().filter(pk=incident.pk).update(
                commune_id=incident_commune, responsible_unit_id=unit_id(f"CA{incident_commune}")
            )
        if report is not None:
            CrimeReport.objects.unrestricted().filter(pk=report.pk).update(commune_id=report_commune)
        unit = unit_id(f"CA{incident_commune or report_commune}") if handler == "CA" else unit_id("PC02")
        Case.objects.unrestricted().filter(pk=case.pk).update(handling_unit_id=unit)
        assert place(case) == expected(case)
        assert history(case) == {case_row(case)}
        cases.append(case)
    assert len(cases) == 16
    assert occurrence.verify() == []
    everyone = Case.objects.unrestricted()
    for name, viewer in personas.items():
        old = THROUGH_JOINS.q(viewer)
        through_joins = set((everyone if old is None else everyone.filter(old)).values_list("pk", flat=True))
        through_copies = set(Case.objects.restrict(viewer).values_list("pk", flat=True))
        assert through_copies == through_joins, name
    # And the rule does separate them: each officer sees some but not all.
    seen_a = Case.objects.restrict(officer).count()
    seen_b = Case.objects.restrict(personas["other_commune_officer"]).count()
    assert 0 < seen_a < 16 and 0 < seen_b < 16
    assert 0 < Case.objects.restrict(investigator).count() < 16


def test_an_officers_case_list_and_commune_filter_join_nothing_to_place_the_cases(officer):
    incident = record(officer, occurred_from=local(2025, 9, 1), reported_at=local(2025, 9, 1, 10))
    case_create(actor=officer, incident=incident, initiated_on=dt.date(2025, 9, 5))
    with CaptureQueriesContext(connection) as queries:
        assert case_list(viewer=officer).count() == 1
    sql = queries[-1]["sql"]
    assert "records_incident" not in sql and "records_crimereport" not in sql
    assert "place_commune_id" in sql
