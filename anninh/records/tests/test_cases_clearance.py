"""Cases: opening, the table of status moves, clearance, and the clearance rate of a past
period recomputed from the status history (checked against a fixture counted by hand)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from anninh.records.models import Case, CaseStatus, CaseStatusChange
from anninh.records.selectors.cases import (
    ClearanceCounts,
    clearance_as_of,
    clearance_cohort,
    clearance_in_period,
    clearance_table,
)
from anninh.records.services.cases import CASE_TRANSITIONS, case_create, case_transition
from anninh.records.services.incidents import InvalidRecord, OffenceData
from anninh.records.tests.test_incidents_factories import fast_passwords, local, record, unit_id  # noqa: F401
from anninh.records.versioning import ConflictError, RecordError
from anninh.testing.personas import COMMUNE_B

pytestmark = pytest.mark.django_db
C = CaseStatus
D = dt.date

# The table, written out independently of the code.
ALLOWED = {
    (C.OPEN, C.INVESTIGATING),
    (C.OPEN, C.CLEARED),
    (C.OPEN, C.UNFOUNDED),
    (C.OPEN, C.CLOSED_ADMIN),
    (C.OPEN, C.TRANSFERRED),
    (C.INVESTIGATING, C.CLEARED),
    (C.INVESTIGATING, C.UNFOUNDED),
    (C.INVESTIGATING, C.CLOSED_ADMIN),
    (C.INVESTIGATING, C.TRANSFERRED),
    (C.CLEARED, C.INVESTIGATING),
    (C.UNFOUNDED, C.INVESTIGATING),
    (C.CLOSED_ADMIN, C.INVESTIGATING),
}


def open_case(
    officer, *, occurred: dt.datetime, initiated: dt.date, article: str = "173", commune=None, **fields
):
    extra = {"commune": commune} if commune else {}
    incident = record(
        officer,
        occurred_from=occurred,
        reported_at=occurred + dt.timedelta(hours=1),
        offences=(OffenceData(article),),
        **extra,
        **fields,
    )
    return case_create(actor=officer, incident=incident, initiated_on=initiated)


def move(officer, case, to, *, at=None, identified=None, **kwargs):
    case = Case.objects.get(pk=case.pk)
    return case_transition(
        actor=officer,
        case=case,
        to_status=to,
        version=case.version,
        effective_at=at,
        offender_identified_at=identified,
        **kwargs,
    )


@pytest.fixture
def officer(personas):
    return personas["commune_officer"]


def test_the_table_of_status_moves_is_exactly_the_expected_one():
    actual = {(a, b) for a, targets in CASE_TRANSITIONS.items() for b in targets}
    assert actual == ALLOWED
    assert set(CASE_TRANSITIONS) == set(C.values)


def test_every_pair_of_statuses_follows_the_table(officer):
    wrong = []
    for source, target in itertools.product(C.values, C.values):
        case = open_case(officer, occurred=local(2026, 3, 1), initiated=D(2026, 3, 2))
        Case.objects.filter(pk=case.pk).update(
            status=source, offender_identified_at=local(2026, 3, 3) if source == C.CLEARED else None
        )
        kwargs = {"identified": local(2026, 3, 5)} if target == C.CLEARED else {"at": local(2026, 3, 6)}
        try:
            moved = move(officer, case, target, **kwargs).status == target
        except InvalidRecord as exc:
            assert exc.code == "case.transition", (source, target, exc.code)
            assert Case.objects.get(pk=case.pk).status == source
            moved = False
        if moved != ((source, target) in ALLOWED):
            wrong.append((source, target, moved))
    assert not wrong, f"(from, to, moved) against the table: {wrong}"


def test_a_case_opened_from_an_incident_is_numbered_and_starts_its_history(officer):
    case = open_case(officer, occurred=local(2026, 3, 1), initiated=D(2026, 3, 2))
    assert case.number.startswith("VA-CA11311-2026-")
    assert case.offence.article == "173" and case.status == C.OPEN
    change = CaseStatusChange.objects.get(case=case)
    assert (change.from_status, change.to_status) == ("", C.OPEN)
    assert timezone.localtime(change.effective_at).date() == D(2026, 3, 2)


def test_an_incident_without_an_offence_cannot_open_a_case(officer):
    incident = record(officer, offences=())
    with pytest.raises(InvalidRecord) as exc:
        case_create(actor=officer, incident=incident)
    assert exc.value.code == "case.offence"


def test_an_incident_has_one_open_case_at_a_time(officer):
    case = open_case(officer, occurred=local(2026, 3, 1), initiated=D(2026, 3, 2))
    with pytest.raises(InvalidRecord) as exc:
        case_create(actor=officer, incident=case.incident)
    assert exc.value.code == "case.exists"


def test_a_case_cannot_be_initiated_before_the_crime_or_in_the_future(officer):
    incident = record(officer, occurred_from=local(2026, 3, 10), reported_at=local(2026, 3, 10, 12))
    with pytest.raises(InvalidRecord) as exc:
        case_create(actor=officer, incident=incident, initiated_on=D(2026, 3, 9))
    assert exc.value.code == "case.before_occurrence"
    with pytest.raises(InvalidRecord) as exc:
        case_create(
            actor=officer, incident=incident, initiated_on=timezone.localdate() + dt.timedelta(days=1)
        )
    assert exc.value.code == "case.future"


@pytest.mark.parametrize("name", ["commander", "analyst", "fire_rescue", "auditor"])
def test_roles_that_do_not_investigate_cannot_open_cases(personas, officer, name):
    incident = record(officer)
    with pytest.raises(RecordError) as exc:
        case_create(actor=personas[name], incident=incident)
    assert exc.value.code.startswith(("permission.", "case.incident"))
    assert not Case.objects.exists()


def test_an_officer_cannot_open_a_case_for_an_incident_of_another_commune(personas):
    incident = record(personas["other_commune_officer"], commune=COMMUNE_B)
    with pytest.raises(RecordError) as exc:
        case_create(actor=personas["commune_officer"], incident=incident)
    assert exc.value.code == "case.incident"


def test_clearing_records_identification_arrests_and_unit(officer):
    case = open_case(officer, occurred=local(2026, 3, 1), initiated=D(2026, 3, 2))
    case = move(
        officer,
        case,
        C.CLEARED,
        identified=local(2026, 3, 4, 15),
        arrests=2,
        clearing_unit_id=unit_id("PC02"),
    )
    assert case.offender_identified_at == local(2026, 3, 4, 15)
    assert case.arrests == 2 and case.clearing_unit.code == "PC02"
    change = case.status_changes.last()
    assert (change.to_status, change.effective_at) == (C.CLEARED, local(2026, 3, 4, 15))


def test_an_offender_identified_before_the_case_counts_as_cleared_once_the_case_exists(officer):
    case = open_case(officer, occurred=local(2026, 3, 1, 8), initiated=D(2026, 3, 5))
    case = move(officer, case, C.CLEARED, identified=local(2026, 3, 1, 9))
    assert case.offender_identified_at == local(2026, 3, 1, 9)  # the real time is kept
    assert case.status_changes.last().effective_at == local(2026, 3, 5, 0)  # cleared from the case's start


def test_clearing_without_the_identification_time_is_refused(officer):
    case = open_case(officer, occurred=local(2026, 3, 1), initiated=D(2026, 3, 2))
    with pytest.raises(InvalidRecord) as exc:
        move(officer, case, C.CLEARED)
    assert exc.value.code == "case.identified_required"


def test_an_offender_cannot_be_identified_before_the_crime_or_in_the_future(officer):
    case = open_case(officer, occurred=local(2026, 3, 10), initiated=D(2026, 3, 10))
    with pytest.raises(InvalidRecord) as exc:
        move(officer, case, C.CLEARED, identified=local(2026, 3, 9))
    assert exc.value.code == "case.identified_before_occurrence"
    with pytest.raises(InvalidRecord) as exc:
        move(officer, case, C.CLEARED, identified=timezone.now() + dt.timedelta(days=2))
    assert exc.value.code == "case.future"


def test_a_change_cannot_take_effect_before_the_previous_one(officer):
    case = open_case(officer, occurred=local(2026, 3, 1), initiated=D(2026, 3, 2))
    case = move(officer, case, C.INVESTIGATING, at=local(2026, 3, 10))
    with pytest.raises(InvalidRecord) as exc:
        move(officer, case, C.UNFOUNDED, at=local(2026, 3, 9))
    assert exc.value.code == "case.effective_order"


def test_reopening_a_cleared_case_withdraws_the_identification_but_history_keeps_it(officer):
    case = open_case(officer, occurred=local(2026, 3, 1), initiated=D(2026, 3, 2))
    case = move(officer, case, C.CLEARED, identified=local(2026, 3, 4))
    case = move(officer, case, C.INVESTIGATING, at=local(2026, 3, 20), note="Sai đối tượng")
    assert case.offender_identified_at is None and case.status == C.INVESTIGATING
    assert [c.to_status for c in case.status_changes.all()] == [C.OPEN, C.CLEARED, C.INVESTIGATING]


def test_a_stale_status_change_is_refused(officer):
    case = open_case(officer, occurred=local(2026, 3, 1), initiated=D(2026, 3, 2))
    stale = Case.objects.get(pk=case.pk)
    move(officer, case, C.INVESTIGATING, at=local(2026, 3, 3))
    with pytest.raises(ConflictError):
        case_transition(
            actor=officer, case=stale, to_status=C.UNFOUNDED, version=1, effective_at=local(2026, 3, 4)
        )


# Clearance as of a date, from history: a fixture counted by hand ------------------------------


@pytest.fixture
def history(personas):
    """Eight cases; the comments say how each counts. Period: crimes of March 2026."""
    a, b = personas["commune_officer"], personas["other_commune_officer"]
    c1 = open_case(a, occurred=local(2026, 3, 5), initiated=D(2026, 3, 6))
    move(a, c1, C.CLEARED, identified=local(2026, 3, 20))  # property, cleared 20/03
    c2 = open_case(a, occurred=local(2026, 3, 10), initiated=D(2026, 3, 11))
    move(a, c2, C.INVESTIGATING, at=local(2026, 3, 12))
    move(a, c2, C.CLEARED, identified=local(2026, 4, 15))  # property, cleared 15/04
    c3 = open_case(a, occurred=local(2026, 3, 12), initiated=D(2026, 3, 13))
    move(a, c3, C.UNFOUNDED, at=local(2026, 3, 25))  # property, unfounded 25/03
    c4 = open_case(a, occurred=local(2026, 3, 15), initiated=D(2026, 3, 16), article="174")
    move(a, c4, C.CLOSED_ADMIN, at=local(2026, 4, 1))  # fraud, closed administratively 01/04
    c5 = open_case(a, occurred=local(2026, 3, 20), initiated=D(2026, 3, 21), article="174")
    move(a, c5, C.CLEARED, identified=local(2026, 3, 25))  # fraud, cleared 25/03 ...
    move(a, c5, C.INVESTIGATING, at=local(2026, 4, 10))  # ... and reopened 10/04
    c6 = open_case(a, occurred=local(2026, 2, 28), initiated=D(2026, 3, 1))
    move(a, c6, C.CLEARED, identified=local(2026, 3, 5))  # February: outside the period
    open_case(a, occurred=local(2026, 3, 25), initiated=D(2026, 4, 5), article="134")  # persons, opened 05/04
    c8 = open_case(
        b, occurred=local(2026, 3, 31, 23, 30), initiated=D(2026, 3, 31), article="251", commune=COMMUNE_B
    )
    move(b, c8, C.CLEARED, identified=local(2026, 3, 31, 23, 50))  # drugs, commune B, cleared late on 31/03


def counts(viewer, as_of) -> dict[str, tuple[int, int]]:
    result = clearance_as_of(
        viewer=viewer, occurred_from=D(2026, 3, 1), occurred_to=D(2026, 3, 31), as_of=as_of
    )
    return {group: (c.occurred, c.cleared) for group, c in result.items()}


def test_clearance_at_the_end_of_the_period_counts_only_what_was_cleared_by_then(personas, history):
    assert counts(personas["commander"], D(2026, 3, 31)) == {
        "property": (2, 1),
        "fraud": (2, 1),
        "drugs": (1, 1),
    }


def test_clearance_a_month_later_counts_later_clearances_and_drops_later_exclusions(personas, history):
    assert counts(personas["commander"], D(2026, 4, 30)) == {
        "property": (2, 2),
        "fraud": (1, 0),
        "persons": (1, 0),
        "drugs": (1, 1),
    }


def test_clearance_in_the_middle_of_the_period_counts_only_cases_that_existed(personas, history):
    assert counts(personas["commander"], D(2026, 3, 15)) == {"property": (3, 0)}


def test_clearance_as_of_a_precise_time_before_the_last_clearance(personas, history):
    assert counts(personas["commander"], local(2026, 3, 31, 23, 40))["drugs"] == (1, 0)


def test_clearance_is_scoped_to_what_the_viewer_may_see(personas, history):
    assert counts(personas["commune_officer"], D(2026, 3, 31)) == {"property": (2, 1), "fraud": (2, 1)}
    assert counts(personas["other_commune_officer"], D(2026, 3, 31)) == {"drugs": (1, 1)}
    assert counts(personas["fire_rescue"], D(2026, 3, 31)) == {}
    assert counts(personas["auditor"], D(2026, 3, 31)) == {}


def test_the_clearance_table_totals_the_groups(personas, history):
    rows, total = clearance_table(
        clearance_as_of(
            viewer=personas["commander"],
            occurred_from=D(2026, 3, 1),
            occurred_to=D(2026, 3, 31),
            as_of=D(2026, 3, 31),
        )
    )
    assert [r.group for r in rows] == ["property", "fraud", "drugs"]
    assert total == ClearanceCounts(5, 3)
    assert total.rate == pytest.approx(0.6)
    assert ClearanceCounts(0, 0).rate is None


def test_clearance_does_not_depend_on_the_current_status(personas, history):
    before = counts(personas["commander"], D(2026, 3, 31))
    Case.objects.update(status=C.UNFOUNDED)  # what the cases say now is irrelevant to the past
    assert counts(personas["commander"], D(2026, 3, 31)) == before


def test_the_cohort_by_group_and_by_unit_comes_from_one_grouped_query(personas, history):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    commander = personas["commander"]
    window = {"occurred_from": D(2026, 3, 1), "occurred_to": D(2026, 3, 31), "as_of": D(2026, 4, 30)}
    end_of_march = local(2026, 3, 31, 23, 59)
    with CaptureQueriesContext(connection) as queries:
        cohort = clearance_cohort(viewer=commander, period_end=end_of_march, **window)
    on_cases = [q["sql"] for q in queries if "records_case" in q["sql"]]  # besides the viewer's roles
    assert len(on_cases) == 1
    assert "GROUP BY" in on_cases[0]
    by_group, by_unit = cohort.by_group, cohort.by_unit
    assert by_group == clearance_as_of(viewer=commander, **window)
    assert by_unit == clearance_as_of(viewer=commander, by="unit", **window)
    # As of the period's end, from the same query: what the period rate divides by.
    assert cohort.at_end_by_group == clearance_as_of(viewer=commander, **{**window, "as_of": end_of_march})
    assert cohort.at_end_by_group != by_group  # c2 was cleared, c4 closed in April
    assert clearance_cohort(viewer=commander, **window).at_end_by_group is None
    # Counted by hand: commune A's unit handles c1, c2 (cleared), c4 (closed: out), c5 (reopened),
    # c7 (opened in April); commune B's unit c8 (cleared).
    a = personas["commune_officer"].unit_id
    b = personas["other_commune_officer"].unit_id
    assert {unit: (c.occurred, c.cleared) for unit, c in by_unit.items()} == {a: (4, 2), b: (1, 1)}


def test_a_period_still_running_ends_now_and_asks_for_one_status(personas, history):
    """The period's end is the cohort's own instant (CompStat's year to date): the query
    computes the status once, and the figures are the ones asked for separately."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    commander = personas["commander"]
    now = local(2026, 4, 30, 12, 0)
    window = {"occurred_from": D(2026, 3, 1), "occurred_to": D(2026, 4, 30), "as_of": now}
    with CaptureQueriesContext(connection) as queries:
        cohort = clearance_cohort(viewer=commander, period_end=now, **window)
    grouped = [q["sql"] for q in queries if "records_case" in q["sql"] and "GROUP BY" in q["sql"]]
    assert len(grouped) == 1
    assert grouped[0].count("last_change_status") == 1  # one status: as of now, the period's end
    assert cohort.at_end_by_group == cohort.by_group == clearance_as_of(viewer=commander, **window)
    assert sum(c.occurred for c in cohort.by_group.values()) > 0
    two = clearance_cohort(viewer=commander, period_end=local(2026, 3, 31, 23, 59), **window)
    assert two.by_group == cohort.by_group and two.at_end_by_group != cohort.by_group


# A transferred case, and the time a change was recorded -----------------------------------


def test_a_transferred_case_reopened_as_a_new_case_counts_its_crime_once(personas, lookup):
    from anninh.records.services.cases import case_create

    a = personas["commune_officer"]
    first = open_case(a, occurred=local(2026, 3, 5), initiated=D(2026, 3, 6))
    move(a, first, C.TRANSFERRED, at=local(2026, 3, 8))
    second = case_create(actor=a, incident=first.incident, initiated_on=D(2026, 3, 9))
    move(a, second, C.CLEARED, identified=local(2026, 3, 12))
    other = open_case(a, occurred=local(2026, 3, 10), initiated=D(2026, 3, 10))
    move(a, other, C.CLEARED, identified=local(2026, 3, 14))
    # Two crimes, both cleared: 100 %, not 2 of 3.
    assert counts(personas["commander"], D(2026, 3, 31)) == {"property": (2, 2)}
    period = clearance_in_period(viewer=personas["commander"], first=D(2026, 3, 1), last=D(2026, 3, 31))
    assert period == {"property": ClearanceCounts(2, 2)}


def backdate_history(case, when: dt.datetime) -> None:
    """Pretend the case and its history so far were entered at `when`."""
    CaseStatusChange.objects.filter(case=case).update(created_at=when)
    Case.objects.filter(pk=case.pk).update(created_at=when)


def test_a_backdated_clearance_does_not_change_what_a_report_said(personas, lookup):
    a = personas["commune_officer"]
    now = timezone.now()
    # At 10:00 local time, so the late case three hours later falls on the same local day
    # (at 21:00 or later it fell on the next day and could not be initiated the day before).
    occurred = timezone.localtime(now - dt.timedelta(days=70)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    case = open_case(a, occurred=occurred, initiated=timezone.localdate(occurred + dt.timedelta(days=2)))
    backdate_history(case, occurred + dt.timedelta(days=2))
    late = open_case(a, occurred=occurred + dt.timedelta(hours=3), initiated=timezone.localdate(occurred))
    # Entered today, back-dated 40 days: both the late case and the clearance.
    move(a, case, C.CLEARED, identified=now - dt.timedelta(days=40))
    report_day = now - dt.timedelta(days=20)
    window = {
        "viewer": personas["commander"],
        "occurred_from": timezone.localdate(occurred),
        "occurred_to": timezone.localdate(occurred),
    }
    # As reported on that day: only what had been recorded by then.
    assert clearance_as_of(as_of=report_day, known_at=report_day, **window) == {
        "property": ClearanceCounts(1, 0)
    }
    # As we know now, for the same day: the back-dated clearance and the late case count.
    assert clearance_as_of(as_of=report_day, **window) == {"property": ClearanceCounts(2, 1)}
    assert late.status == C.OPEN


@pytest.fixture(params=["copied", "one by one", "joined"])
def lookup(request, monkeypatch):
    """The period rate by group counts from the copies on the history (the group, and the
    case's placement for a scoped viewer or a commune); by unit (or with the copies off) it
    finds the cases of a few clearances one by one and of many by a join: every period-rate
    test runs all three ways."""
    from anninh.records.selectors import cases

    if request.param != "copied":
        monkeypatch.setattr(cases, "COPIED_GROUPS", False)
    if request.param == "joined":
        monkeypatch.setattr(cases, "LOOKUP_CLEARANCES", 0)
    return request.param


def test_the_period_rate_counts_clearances_of_the_period_of_any_age(personas, history, lookup):
    """Police statistics (the UCR way): cases cleared in March, whenever their crime happened,
    over crimes of March. In the fixture: cleared in March c1 (20/03), c5 (25/03, reopened in
    April: still a clearance recorded in March), c6 (a February crime, 05/03) and c8 (31/03);
    crimes of March as at 31/03, less the unfounded c3: c1, c2, c4, c5, c8."""
    result = clearance_in_period(viewer=personas["commander"], first=D(2026, 3, 1), last=D(2026, 3, 31))
    assert result == {
        "property": ClearanceCounts(2, 2),
        "fraud": ClearanceCounts(2, 1),
        "drugs": ClearanceCounts(1, 1),
    }
    total = sum(result.values(), ClearanceCounts())
    assert (total.occurred, total.cleared) == (5, 4)
    april = clearance_in_period(viewer=personas["commander"], first=D(2026, 4, 1), last=D(2026, 4, 30))
    assert april == {"property": ClearanceCounts(0, 1)}  # c2, a March crime cleared in April
    by_commune = clearance_in_period(
        viewer=personas["commander"], first=D(2026, 3, 1), last=D(2026, 3, 31), commune=COMMUNE_B
    )
    assert by_commune == {"drugs": ClearanceCounts(1, 1)}
    # A commune officer: only the cases of their commune (c8 is commune B's).
    own = clearance_in_period(viewer=personas["commune_officer"], first=D(2026, 3, 1), last=D(2026, 3, 31))
    assert own == {"property": ClearanceCounts(2, 2), "fraud": ClearanceCounts(2, 1)}
