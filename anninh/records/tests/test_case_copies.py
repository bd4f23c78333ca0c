"""The copies on the case that the clearance statistics read, kept exact by triggers on every
write path, like Case.occurred_at (test_case_occurred_at.py): `counted_group`, the offence group
a case counts under (its own offence's group, else its incident's main offence group, else its
crime report's suspected offence's group), and the last status change (time and status).
Computed through joins and look-ups, a quarter's cases read a million incidents and the crime
reports and looked every case's history up (issue #15)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anninh.records import occurrence
from anninh.records.models import Case, CaseStatusChange, CrimeReport, Incident, Offence
from anninh.records.selectors.cases import _group_expression, case_list, clearance_cohort
from anninh.records.services.cases import case_create
from anninh.records.services.incidents import OffenceData
from anninh.records.tests.test_incidents_factories import local, record
from anninh.records.tests.test_reports_helpers import fast_passwords, receive  # noqa: F401

pytestmark = pytest.mark.django_db


def stored(case) -> str:
    return Case.objects.unrestricted().values_list("counted_group", flat=True).get(pk=case.pk)


def history_groups(case) -> set[str]:
    """The group copied on each status change of the case's history."""
    return set(
        CaseStatusChange.objects.unrestricted().filter(case=case).values_list("counted_group", flat=True)
    )


def expected(case) -> str:
    """Computed in Python from the records as they are now (not from the copy)."""
    case = (
        Case.objects.unrestricted()
        .select_related("offence", "incident", "crime_report__suspected_offence")
        .get(pk=case.pk)
    )
    if case.offence is not None:
        return case.offence.group
    if case.incident is not None and case.incident.offence_group:
        return case.incident.offence_group
    report = case.crime_report
    if report is not None and report.suspected_offence is not None:
        return report.suspected_offence.group
    return ""


def offence(article: str) -> Offence:
    return Offence.objects.filter(article=article).order_by("-valid_from").first()


def without_own_offence(case) -> Case:
    """A case opened without an offence of its own (older records, imports): it counts under
    its incident's or its report's."""
    Case.objects.unrestricted().filter(pk=case.pk).update(offence=None)
    return case


@pytest.fixture
def officer(personas):
    return personas["commune_officer"]


def test_a_case_counts_under_its_incidents_group_then_its_own_offence(officer):
    incident = record(officer, occurred_from=local(2025, 3, 4), reported_at=local(2025, 3, 5))  # theft, 173
    case = case_create(actor=officer, incident=incident, initiated_on=dt.date(2025, 3, 10))
    assert stored(case) == "property" == expected(case)
    assert history_groups(case) == {"property"}  # its opening change took the case's group
    Case.objects.unrestricted().filter(pk=case.pk).update(offence=offence("174"))
    assert stored(case) == "fraud" == expected(case)
    assert history_groups(case) == {"fraud"}  # the history follows its case
    without_own_offence(case)
    assert stored(case) == "property" == expected(case)
    assert history_groups(case) == {"property"}
    assert occurrence.verify() == []


def test_a_case_from_a_report_follows_the_suspected_offence_then_the_incident(officer):
    report = receive(officer, received_at=local(2025, 6, 1, 10), offence_article="174")
    case = without_own_offence(
        case_create(actor=officer, crime_report=report, initiated_on=dt.date(2025, 6, 5))
    )
    assert stored(case) == "fraud"
    CrimeReport.objects.unrestricted().filter(pk=report.pk).update(suspected_offence=offence("251"))
    assert stored(case) == "drugs" == expected(case)
    # The incident recorded later for that report takes the case over (incident services link it).
    record(
        officer,
        occurred_from=local(2025, 5, 30, 23),
        reported_at=local(2025, 6, 1, 9),
        crime_report_ids=(report.pk,),
        offences=(OffenceData("134"),),
    )
    assert stored(case) == "persons" == expected(case)
    assert occurrence.verify() == []


def test_bulk_changes_of_incidents_and_of_the_offence_table_are_followed(officer):
    incidents = [
        record(officer, occurred_from=local(2025, 7, d), reported_at=local(2025, 7, d, 10)) for d in (1, 2)
    ]
    cases = [
        without_own_offence(case_create(actor=officer, incident=i, initiated_on=dt.date(2025, 7, 10)))
        for i in incidents
    ]
    Incident.objects.unrestricted().filter(pk=incidents[0].pk).update(offence_group="economic")
    assert [stored(c) for c in cases] == ["economic", "property"]
    # A case without an offence group anywhere counts under "".
    Incident.objects.unrestricted().filter(pk=incidents[1].pk).update(offence_group="")
    assert stored(cases[1]) == "" == expected(cases[1])
    # The catalogue regrouping an article moves the cases counted under it.
    Case.objects.unrestricted().filter(pk=cases[1].pk).update(offence=offence("173"))
    Offence.objects.filter(article="173").update(group="economic")
    assert stored(cases[1]) == "economic" == expected(cases[1])
    assert [history_groups(c) for c in cases] == [{"economic"}, {"economic"}]
    assert occurrence.verify() == []


def test_a_tampered_history_group_is_put_back_or_found_and_rebuilt(officer):
    incident = record(officer, occurred_from=local(2025, 9, 1), reported_at=local(2025, 9, 1, 10))
    case = without_own_offence(
        case_create(actor=officer, incident=incident, initiated_on=dt.date(2025, 9, 2))
    )
    # Written by hand, the copy is put back from the case by the triggers.
    CaseStatusChange.objects.unrestricted().filter(case=case).update(counted_group="drugs")
    assert history_groups(case) == {"property"}
    # Written with the triggers off, verify finds it and rebuild repairs it.
    occurrence.uninstall()
    CaseStatusChange.objects.unrestricted().filter(case=case).update(counted_group="drugs")
    assert occurrence.verify() == [case.pk]
    occurrence.install()
    occurrence.rebuild()
    assert occurrence.verify() == [] and history_groups(case) == {"property"}


def test_a_stale_copy_saved_back_is_corrected_and_lost_triggers_are_put_back(officer):
    incident = record(officer, occurred_from=local(2025, 8, 1), reported_at=local(2025, 8, 1, 10))
    case = without_own_offence(
        case_create(actor=officer, incident=incident, initiated_on=dt.date(2025, 8, 5))
    )
    loaded = Case.objects.get(pk=case.pk)
    loaded.counted_group = "drugs"
    loaded.save()
    assert stored(case) == "property"
    occurrence.uninstall()
    Incident.objects.unrestricted().filter(pk=incident.pk).update(offence_group="drugs")
    assert occurrence.verify() == [case.pk]
    occurrence.ensure_installed(using="default")
    assert occurrence.installed() and occurrence.verify() == []
    assert stored(case) == "drugs"


def test_the_group_expression_reads_the_copy_and_the_cohort_joins_nothing(officer, personas):
    incident = record(officer, occurred_from=local(2025, 9, 1), reported_at=local(2025, 9, 1, 10))
    case_create(actor=officer, incident=incident, initiated_on=dt.date(2025, 9, 5))
    assert case_list(viewer=officer).filter(group="property").count() == 1
    assert "counted_group" in str(_group_expression())
    with CaptureQueriesContext(connection) as queries:
        cohort = clearance_cohort(
            viewer=personas["commander"],
            occurred_from=dt.date(2025, 9, 1),
            occurred_to=dt.date(2025, 9, 30),
            as_of=dt.date(2025, 10, 1),
        )
    assert cohort.by_group["property"].occurred == 1
    sql = next(q["sql"] for q in queries if "records_case" in q["sql"])
    assert "JOIN" not in sql  # for a commander (who sees every case) nothing but the cases and history


# The last status change -------------------------------------------------------------------


def last(case) -> tuple:
    return Case.objects.unrestricted().values_list("last_change_at", "last_change_status").get(pk=case.pk)


def test_the_last_change_follows_the_history_whatever_writes_it(officer):
    from anninh.records.models import CaseStatusChange
    from anninh.records.tests.test_cases_clearance import move

    incident = record(officer, occurred_from=local(2025, 10, 1), reported_at=local(2025, 10, 1, 10))
    case = case_create(actor=officer, incident=incident, initiated_on=dt.date(2025, 10, 2))
    opened = CaseStatusChange.objects.get(case=case)
    assert last(case) == (opened.effective_at, "open")
    move(officer, case, "cleared", identified=local(2025, 10, 20))
    assert last(case) == (local(2025, 10, 20), "cleared")
    # A change entered later but effective earlier does not become the last one.
    early = CaseStatusChange.objects.create(
        case=case,
        from_status="open",
        to_status="investigating",
        effective_at=local(2025, 10, 5),
        created_by=officer,
    )
    assert last(case) == (local(2025, 10, 20), "cleared")
    # Deleting the last change, or moving a change after it, in bulk: followed.
    CaseStatusChange.objects.filter(case=case, to_status="cleared").delete()
    assert last(case) == (local(2025, 10, 5), "investigating")
    CaseStatusChange.objects.filter(pk=early.pk).update(effective_at=local(2025, 10, 1, 8))
    assert opened.effective_at > local(2025, 10, 1, 8)
    assert last(case) == (opened.effective_at, "open")
    assert occurrence.verify() == []


def test_a_stale_case_saved_after_a_status_move_keeps_the_new_last_change(officer):
    from anninh.records.tests.test_cases_clearance import move

    incident = record(officer, occurred_from=local(2025, 11, 1), reported_at=local(2025, 11, 1, 10))
    case = case_create(actor=officer, incident=incident, initiated_on=dt.date(2025, 11, 2))
    stale = Case.objects.get(pk=case.pk)
    move(officer, case, "investigating", at=local(2025, 11, 3))
    stale.summary = "Ghi chú"
    stale.save()  # writes the old copy back: the database corrects it
    assert last(case) == (local(2025, 11, 3), "investigating")
    assert occurrence.verify() == []
