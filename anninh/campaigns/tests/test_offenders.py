"""The suspects of cleared cases (`ClearedSuspect`), from which "offenders identified" is
counted for a viewer who sees every case and incident, stay exactly the records' whatever
writes the cases and the person links: the services, bulk updates and deletes, and random
sequences of all of them (hypothesis), each checked against a recount (`offenders.verify`).
A tampered row is found and rebuilt; lost triggers are put back after migrate."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anninh.campaigns import offenders
from anninh.campaigns.models import ClearedSuspect
from anninh.lib.dates import HCM_TZ
from anninh.records.models import Case, Incident, IncidentPerson, Person
from anninh.records.services.cases import case_create
from anninh.records.services.incidents import PersonData
from anninh.records.tests.test_cases_clearance import move
from anninh.records.tests.test_incidents_factories import fast_passwords, local, record, unit_id  # noqa: F401
from anninh.testing.personas import COMMUNE_A, COMMUNE_B

pytestmark = pytest.mark.django_db


def rows() -> set[tuple]:
    return set(
        ClearedSuspect.objects.values_list("case_id", "person_id", "handling_unit_id", "identified_at")
    )


def suspects(*names: str) -> tuple[PersonData, ...]:
    return tuple(
        PersonData(role="suspect", full_name=name, cccd=f"03109000{i:04d}") for i, name in enumerate(names)
    )


@pytest.fixture
def officer(personas):
    return personas["commune_officer"]


def test_migrations_install_the_triggers():
    assert offenders.installed()
    assert offenders.verify() == []


def test_a_case_cleared_through_the_services_copies_its_incidents_suspects_only(officer):
    incident = record(
        officer,
        occurred_from=local(2025, 3, 4),
        reported_at=local(2025, 3, 5),
        persons=(*suspects("Trần Văn Lừa", "Lê Văn Đảo"), PersonData(role="victim", full_name="Ngô Thị Hại")),
    )
    case = case_create(actor=officer, incident=incident, initiated_on=dt.date(2025, 3, 10))
    assert rows() == set()  # open: not cleared
    move(officer, case, "cleared", identified=local(2025, 3, 20))
    unit = Case.objects.unrestricted().get(pk=case.pk).handling_unit_id
    people = set(
        IncidentPerson.objects.filter(incident=incident, role="suspect").values_list("person_id", flat=True)
    )
    assert len(people) == 2
    assert rows() == {(case.pk, p, unit, local(2025, 3, 20)) for p in people}
    # Reopened: no longer cleared, its suspects go.
    move(officer, case, "investigating", at=local(2025, 3, 25))
    assert rows() == set()
    assert offenders.verify() == []


def test_the_rows_follow_every_column_of_the_case_they_depend_on(officer):
    first = record(
        officer, occurred_from=local(2025, 4, 1), reported_at=local(2025, 4, 1, 10), persons=suspects("A")
    )
    second = record(
        officer,
        occurred_from=local(2025, 4, 2),
        reported_at=local(2025, 4, 2, 10),
        persons=suspects("B", "C"),
    )
    case = case_create(actor=officer, incident=first, initiated_on=dt.date(2025, 4, 3))
    cases = Case.objects.unrestricted().filter(pk=case.pk)
    cases.update(status="cleared", offender_identified_at=local(2025, 4, 5))
    assert {r[1] for r in rows()} == set(
        IncidentPerson.objects.filter(incident=first).values_list("person_id", flat=True)
    )
    other_unit = unit_id(f"CA{COMMUNE_B}")
    cases.update(handling_unit_id=other_unit)
    assert {r[2] for r in rows()} == {other_unit}
    cases.update(offender_identified_at=local(2025, 5, 1))
    assert {r[3] for r in rows()} == {local(2025, 5, 1)}
    cases.update(incident=second)  # the suspects are the new incident's
    assert len(rows()) == 2 and offenders.verify() == []
    cases.update(incident=None)
    assert rows() == set()
    cases.update(incident=first, status="investigating")  # reopened: not counted
    assert rows() == set()
    cases.update(status="cleared", offender_identified_at=local(2025, 5, 2))
    assert len(rows()) == 1
    cases.delete()
    assert rows() == set() and offenders.verify() == []


def test_the_rows_follow_the_links_of_the_incident_of_every_cleared_case(officer):
    incident = record(officer, occurred_from=local(2025, 6, 1), reported_at=local(2025, 6, 1, 10))
    # Two cases of one incident (not through the services, which open one per incident; an
    # import or a transfer can make them).
    one = case_create(actor=officer, incident=incident, initiated_on=dt.date(2025, 6, 2))
    Case.objects.unrestricted().filter(pk=one.pk).update(
        status="cleared", offender_identified_at=local(2025, 6, 5)
    )
    two = Case.objects.create(
        number="VA-2/2025",
        initiated_on=dt.date(2025, 6, 3),
        incident=incident,
        handling_unit_id=unit_id(f"CA{COMMUNE_B}"),
        status="cleared",
        offender_identified_at=local(2025, 6, 6),
        created_by=officer,
    )
    a, b = (
        Person.objects.create(full_name=n, name_key=n.lower(), sort_key=n.lower()) for n in ("An", "Bình")
    )
    link = IncidentPerson.objects.create(incident=incident, person=a, role="suspect")
    IncidentPerson.objects.create(incident=incident, person=b, role="witness")
    assert {(r[0], r[1]) for r in rows()} == {(one.pk, a.pk), (two.pk, a.pk)}  # both cases of the incident
    IncidentPerson.objects.filter(pk=link.pk).update(person=b)  # a merge moves the link
    assert {r[1] for r in rows()} == {b.pk}
    IncidentPerson.objects.filter(person=b, role="witness").update(role="victim")  # not a suspect
    assert {r[1] for r in rows()} == {b.pk}
    IncidentPerson.objects.filter(pk=link.pk).update(role="witness")
    assert rows() == set()
    IncidentPerson.objects.filter(pk=link.pk).update(person=a, role="suspect")
    assert {(r[0], r[1]) for r in rows()} == {(one.pk, a.pk), (two.pk, a.pk)}
    IncidentPerson.objects.filter(incident=incident).delete()
    assert rows() == set() and offenders.verify() == []


def test_a_tampered_row_is_found_and_rebuilt_and_lost_triggers_are_put_back(officer):
    incident = record(
        officer, occurred_from=local(2025, 7, 1), reported_at=local(2025, 7, 1, 10), persons=suspects("D")
    )
    case = case_create(actor=officer, incident=incident, initiated_on=dt.date(2025, 7, 2))
    Case.objects.unrestricted().filter(pk=case.pk).update(
        status="cleared", offender_identified_at=local(2025, 7, 3)
    )
    ClearedSuspect.objects.update(identified_at=local(2025, 1, 1))
    assert [kind for kind, _row in offenders.verify()] == ["extra", "missing"]
    with pytest.raises(CommandError, match="differ"):
        call_command("campaign_offenders", stderr=io.StringIO())
    call_command("campaign_offenders", "--rebuild", stdout=io.StringIO())
    assert offenders.verify() == []
    offenders.uninstall()
    assert not offenders.installed()
    Case.objects.unrestricted().filter(pk=case.pk).update(status="investigating")
    assert offenders.verify() != []  # written while the triggers were missing
    with pytest.raises(CommandError, match="triggers are missing"):
        call_command("campaign_offenders")
    offenders.ensure_installed(using="default")
    assert offenders.installed() and offenders.verify() == [] and rows() == set()
    out = io.StringIO()
    call_command("campaign_offenders", stdout=out)
    assert "match" in out.getvalue()


def test_verify_finds_a_wrong_previous_time_in_one_pass_not_a_query_per_row(officer):
    """The previous times are checked by window functions over the table: a subquery per row
    (what the check did) ran more than five minutes over 40,000 rows on PostgreSQL, as a
    person's rows are many (campaign_offenders would never end at a real force's size)."""
    for day in (3, 5):
        incident = record(
            officer, occurred_from=local(2025, 7, 1), reported_at=local(2025, 7, 1, 10), persons=suspects("D")
        )
        case = case_create(actor=officer, incident=incident, initiated_on=dt.date(2025, 7, 2))
        Case.objects.unrestricted().filter(pk=case.pk).update(
            status="cleared", offender_identified_at=local(2025, 7, day)
        )
    assert offenders.verify() == []
    later = ClearedSuspect.objects.get(identified_at=local(2025, 7, 5))
    assert later.person_prev_at == local(2025, 7, 3)
    ClearedSuspect.objects.filter(pk=later.pk).update(person_prev_at=local(2025, 7, 4))
    with CaptureQueriesContext(connection) as queries:
        found = offenders.verify()
    assert [(kind, row[:3]) for kind, row in found] == [
        ("previous", (later.case_id, later.person_id, later.handling_unit_id))
    ]
    explain = "EXPLAIN" if connection.vendor == "postgresql" else "EXPLAIN QUERY PLAN"
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            cursor.execute(f"{explain} {query['sql']}")
            plan = " ".join(str(cell) for row in cursor.fetchall() for cell in row)
            assert "SubPlan" not in plan and "CORRELATED" not in plan, (query["sql"], plan)


# --- Random sequences of writes ---------------------------------------------------------------

TIMES = [(2026, 1, 31, 23, 30), (2026, 2, 1, 0, 0), None]
STATUSES = ["cleared", "cleared", "open", "investigating"]
ROLES = ["suspect", "suspect", "victim", "witness"]
COMMUNES = [COMMUNE_A, COMMUNE_B]

index = st.integers(0, 20)
write_ops = st.lists(
    st.one_of(
        st.tuples(
            st.just("case"), index, st.sampled_from(STATUSES), st.sampled_from(TIMES), st.integers(0, 1)
        ),
        st.tuples(
            st.just("case_set"),
            index,
            st.sampled_from(
                ["status", "offender_identified_at", "handling_unit_id", "incident_id", "summary"]
            ),
            st.integers(0, 20),
        ),
        st.tuples(st.just("cases_bulk"), st.sampled_from(STATUSES), st.sampled_from(TIMES)),
        st.tuples(st.just("case_delete"), index),
        st.tuples(st.just("link"), index, st.integers(0, 3), st.sampled_from(ROLES)),
        st.tuples(
            st.just("link_set"),
            index,
            st.sampled_from(["role", "person_id", "incident_id"]),
            st.integers(0, 20),
        ),
        st.tuples(st.just("links_bulk_role"), st.sampled_from(ROLES)),
        st.tuples(st.just("unlink"), index),
        st.tuples(st.just("incident_delete"), index),
    ),
    min_size=1,
    max_size=30,
)


def _when(value) -> dt.datetime | None:
    return None if value is None else dt.datetime(*value, tzinfo=HCM_TZ)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=write_ops)
def test_random_write_sequences_keep_the_suspects_of_cleared_cases_exact(personas, ops):
    officer = personas["commune_officer"]
    units = [unit_id(f"CA{c}") for c in COMMUNES]
    with transaction.atomic():
        people = [
            Person.objects.create(full_name=f"P{i}", name_key=f"p{i}", sort_key=f"p{i}") for i in range(4)
        ]
        for i in range(3):
            Incident.objects.create(
                number=f"R-{i}",
                kind="crime",
                occurred_from=dt.datetime(2026, 1, 10 + i, tzinfo=HCM_TZ),
                reported_at=dt.datetime(2026, 1, 20, tzinfo=HCM_TZ),
                commune_id=COMMUNES[i % 2],
                responsible_unit_id=units[i % 2],
                offence_group="property",
                created_by=officer,
            )
        seq = 0

        def pick(model, i):
            ids = list(model.objects.order_by("pk").values_list("pk", flat=True))
            return ids[i % len(ids)] if ids else None

        for op in ops:
            kind = op[0]
            if kind == "case":
                _, i, status, when, unit = op
                if status == "cleared" and when is None:
                    when = TIMES[0]  # a cleared case has its time (a check constraint)
                seq += 1
                alive = pick(Incident, i)
                Case.objects.create(
                    number=f"VA-{seq}",
                    initiated_on=dt.date(2026, 1, 25),
                    incident_id=alive if i % 5 else None,
                    handling_unit_id=units[unit],
                    status=status,
                    offender_identified_at=_when(when),
                    created_by=officer,
                )
            elif kind == "case_set" and (pk := pick(Case, op[1])) is not None:
                _, _, field, value = op
                new = {
                    "status": STATUSES[value % len(STATUSES)],
                    "offender_identified_at": _when(TIMES[value % len(TIMES)]),
                    "handling_unit_id": units[value % 2],
                    "incident_id": pick(Incident, value) if value % 4 else None,
                    "summary": f"sửa {value}",
                }[field]
                cases = Case.objects.filter(pk=pk)
                if field == "status" and new == "cleared":
                    cases = cases.exclude(offender_identified_at=None)  # a check constraint
                elif field == "offender_identified_at" and new is None:
                    cases = cases.exclude(status="cleared")
                cases.update(**{field: new})
            elif kind == "cases_bulk" and op[2] is not None:
                Case.objects.filter(status=op[1]).update(
                    status="cleared", offender_identified_at=_when(op[2])
                )
            elif kind == "case_delete" and (pk := pick(Case, op[1])) is not None:
                Case.objects.filter(pk=pk).delete()
            elif kind == "link" and (incident := pick(Incident, op[1])) is not None:
                IncidentPerson.objects.get_or_create(incident_id=incident, person=people[op[2]], role=op[3])
            elif kind == "link_set" and (pk := pick(IncidentPerson, op[1])) is not None:
                _, _, field, value = op
                link = IncidentPerson.objects.get(pk=pk)
                new = {
                    "role": ROLES[value % len(ROLES)],
                    "person_id": people[value % len(people)].pk,
                    "incident_id": pick(Incident, value),
                }[field]
                key = {
                    "incident_id": link.incident_id,
                    "person_id": link.person_id,
                    "role": link.role,
                    field: new,
                }
                if not IncidentPerson.objects.filter(**key).exclude(pk=pk).exists():
                    IncidentPerson.objects.filter(pk=pk).update(**{field: new})
            elif kind == "links_bulk_role":
                # Only where it keeps (incident, person, role) unique: persons linked once.
                once = [
                    pk
                    for pk, incident, person in IncidentPerson.objects.values_list(
                        "pk", "incident_id", "person_id"
                    )
                    if IncidentPerson.objects.filter(incident_id=incident, person_id=person).count() == 1
                ]
                IncidentPerson.objects.filter(pk__in=once).update(role=op[1])
            elif kind == "unlink" and (pk := pick(IncidentPerson, op[1])) is not None:
                IncidentPerson.objects.filter(pk=pk).delete()
            elif kind == "incident_delete" and (pk := pick(Incident, op[1])) is not None:
                # Takes its links with it; one with a case cannot go (PROTECT).
                Incident.objects.filter(pk=pk, cases__isnull=True).delete()
        assert offenders.verify() == []
        _check_counts(personas["commander"], units)
        transaction.set_rollback(True)


def _check_counts(commander, units) -> None:
    """The counts of first rows equal plain distinct counts of the records' pairs, for windows
    that start on, before and after the times used, for every unit and for some."""
    from anninh.campaigns.indicators import Scope, _offenders_copied

    pairs = [
        (c.handling_unit_id, p, c.offender_identified_at)
        for c in Case.objects.filter(status="cleared").exclude(incident=None)
        for p in IncidentPerson.objects.filter(incident_id=c.incident_id, role="suspect").values_list(
            "person_id", flat=True
        )
    ]
    for first, last in (
        (dt.date(2026, 1, 31), dt.date(2026, 2, 1)),
        (dt.date(2026, 2, 1), dt.date(2026, 2, 3)),
    ):
        for unit_scope in ((), (units[0],)):
            got = _offenders_copied(commander, Scope(first=first, last=last, units=unit_scope))
            start = dt.datetime.combine(first, dt.time(), HCM_TZ)
            end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), HCM_TZ)
            inside = [(u, p) for u, p, t in pairs if start <= t < end and (not unit_scope or u in unit_scope)]
            by_unit = {u: len({p for v, p in inside if v == u}) for u, _p in inside}
            assert got.by_unit == by_unit
            assert got.total == len({p for _u, p in inside})
