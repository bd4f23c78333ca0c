"""The monthly counts (IncidentMonth) stay exactly the records', whatever writes the incidents.

The triggers are checked against a recount from the records (`aggregates.verify`) after single
writes through the services, the import's fast path, queryset bulk updates and deletes, and
random sequences of all of them (hypothesis), with times on both sides of a month boundary in
Vietnam time. The dashboard's figures are checked against plain counts for periods made of
whole months, edge days, or both.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Count, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anninh.compstat import aggregates
from anninh.compstat.models import IncidentMonth
from anninh.compstat.periods import Period
from anninh.compstat.selectors import _grouped, _month_base, _month_split, compstat_summary
from anninh.lib.dates import HCM_TZ
from anninh.records.models import Incident
from anninh.records.services.incidents import OffenceData
from anninh.records.services.io_import import incidents_import
from anninh.records.tests.test_incidents_factories import fast_passwords, local, record, unit_id, update  # noqa: F401
from anninh.records.tests.test_io_import import GOOD, write_csv
from anninh.testing.personas import COMMUNE_A, COMMUNE_B

pytestmark = pytest.mark.django_db


def stored() -> dict[tuple, tuple[int, int]]:
    return {
        (m.month, m.commune_id, m.kind, m.offence_group): (m.n, m.losses_vnd)
        for m in IncidentMonth.objects.all()
    }


def test_migrations_install_the_triggers():
    assert aggregates.installed()
    assert aggregates.verify() == []


def test_service_writes_are_counted_in_their_local_month(personas):
    officer = personas["commune_officer"]
    # 31/01/2026 23:30 in Hai Phong is 16:30 UTC: January, not February.
    a = record(officer, occurred_from=local(2026, 1, 31, 23, 30), reported_at=local(2026, 2, 1, 8))
    b = record(officer, occurred_from=local(2026, 2, 1, 0, 0), reported_at=local(2026, 2, 1, 8))
    assert stored() == {
        (dt.date(2026, 1, 1), COMMUNE_A, "crime", "property"): (1, 18_000_000),
        (dt.date(2026, 2, 1), COMMUNE_A, "crime", "property"): (1, 18_000_000),
    }
    # Moving one to another month and offence group moves its count; the emptied row goes.
    b = update(
        officer,
        b,
        occurred_from=local(2026, 1, 15),
        reported_at=local(2026, 2, 1, 8),
        offences=(OffenceData("134"),),
        reason="Sai ngày",
    )
    assert stored() == {
        (dt.date(2026, 1, 1), COMMUNE_A, "crime", "property"): (1, 18_000_000),
        (dt.date(2026, 1, 1), COMMUNE_A, "crime", "persons"): (1, 18_000_000),
    }
    Incident.objects.filter(pk=a.pk).delete()
    assert stored() == {(dt.date(2026, 1, 1), COMMUNE_A, "crime", "persons"): (1, 18_000_000)}
    assert aggregates.verify() == []


def test_the_import_fast_path_is_counted(tmp_path, personas):
    from anninh.org.models import Unit

    unit = Unit.objects.active().get(code="CA11311")
    result = incidents_import(
        actor=personas["commune_officer"], unit=unit, path=write_csv(tmp_path / "a.csv", GOOD)
    )
    assert result.ok and result.created == 3
    assert sum(n for n, _ in stored().values()) == 3
    assert stored()[(dt.date(2025, 11, 1), COMMUNE_A, "crime", "property")] == (1, 12_500_000)
    assert aggregates.verify() == []


def test_bulk_updates_and_deletes_are_counted(personas):
    officer = personas["commune_officer"]
    for day in (3, 4, 5):
        record(officer, occurred_from=local(2025, 10, day), reported_at=local(2025, 10, day, 12))
    Incident.objects.filter(occurred_from__lt=local(2025, 10, 5)).update(offence_group="drugs", losses_vnd=0)
    assert stored() == {
        (dt.date(2025, 10, 1), COMMUNE_A, "crime", "drugs"): (2, 0),
        (dt.date(2025, 10, 1), COMMUNE_A, "crime", "property"): (1, 18_000_000),
    }
    Incident.objects.filter(offence_group="drugs").delete()
    assert stored() == {(dt.date(2025, 10, 1), COMMUNE_A, "crime", "property"): (1, 18_000_000)}
    assert aggregates.verify() == []


def test_verify_and_the_command_find_a_tampered_count_and_rebuild_repairs_it(personas):
    record(personas["commune_officer"], occurred_from=local(2025, 9, 9), reported_at=local(2025, 9, 9, 12))
    IncidentMonth.objects.update(n=7)
    differences = aggregates.verify()
    zeros = (0,) * 6  # no victims, no fire figures
    assert [(d.expected, d.stored) for d in differences] == [
        ((1, 18_000_000, *zeros), (7, 18_000_000, *zeros))
    ]
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 monthly counts differ"):
        call_command("compstat_aggregates", stderr=err)
    assert "records n 1, losses_vnd 18000000" in err.getvalue() and "stored n 7," in err.getvalue()
    out = io.StringIO()
    call_command("compstat_aggregates", "--rebuild", stdout=out)
    assert "Rebuilt: 1 monthly rows" in out.getvalue()
    call_command("compstat_aggregates", stdout=out)
    assert "match the records" in out.getvalue()


def test_missing_triggers_are_put_back_after_migrate(personas):
    """SQLite drops a table's triggers when a migration rebuilds it: post_migrate heals."""
    aggregates.uninstall()
    assert not aggregates.installed()
    record(personas["commune_officer"], occurred_from=local(2025, 8, 8), reported_at=local(2025, 8, 8, 12))
    assert aggregates.verify() != []  # written while the triggers were missing
    with pytest.raises(CommandError, match="triggers are missing"):
        call_command("compstat_aggregates")
    aggregates.ensure_installed(using="default")
    assert aggregates.installed() and aggregates.verify() == []


# --- Random sequences of writes ---------------------------------------------------------------

MONTH_EDGES = [
    (2025, 12, 31, 23, 59),
    (2026, 1, 1, 0, 0),
    (2026, 1, 31, 23, 30),
    (2026, 2, 1, 0, 0),
    (2026, 2, 14, 9, 0),
]
KINDS = ["crime", "fire", "traffic"]
GROUPS = ["property", "fraud", "drugs", ""]
COMMUNES = [COMMUNE_A, COMMUNE_B]

create = st.tuples(
    st.just("create"),
    st.sampled_from(MONTH_EDGES),
    st.sampled_from(COMMUNES),
    st.sampled_from(KINDS),
    st.sampled_from(GROUPS),
    st.integers(0, 10**12),
)
change = st.tuples(
    st.just("change"),
    st.integers(0, 20),
    st.sampled_from(["occurred_from", "commune_id", "kind", "offence_group", "losses_vnd", "narrative"]),
    st.integers(0, 100),
)
bulk = st.tuples(
    st.sampled_from(["bulk_update", "bulk_delete", "delete"]), st.sampled_from(KINDS), st.integers(0, 20)
)
operations = st.lists(st.one_of(create, create, change, bulk), min_size=1, max_size=25)


def _apply(op, created: list[int], ctx) -> None:
    if op[0] == "create":
        _, when, commune, kind, group, losses = op
        incident = Incident.objects.create(
            number=f"T-{len(created)}-{ctx['seq']}",
            kind=kind,
            occurred_from=dt.datetime(*when, tzinfo=HCM_TZ),
            reported_at=dt.datetime(2026, 3, 1, tzinfo=HCM_TZ),
            commune_id=commune,
            responsible_unit_id=ctx["units"][commune],
            offence_group=group,
            losses_vnd=losses,
            created_by=ctx["user"],
        )
        ctx["seq"] += 1
        created.append(incident.pk)
    elif op[0] == "change" and created:
        _, index, field, value = op
        pk = created[index % len(created)]
        new = {
            "occurred_from": dt.datetime(*MONTH_EDGES[value % len(MONTH_EDGES)], tzinfo=HCM_TZ),
            "commune_id": COMMUNES[value % 2],
            "kind": KINDS[value % len(KINDS)],
            "offence_group": GROUPS[value % len(GROUPS)],
            "losses_vnd": value * 1_000_000,
            "narrative": f"sửa {value}",
        }[field]
        Incident.objects.filter(pk=pk).update(**{field: new})
    elif op[0] == "bulk_update":
        Incident.objects.filter(kind=op[1]).update(offence_group="fraud", losses_vnd=op[2])
    elif op[0] == "bulk_delete":
        Incident.objects.filter(kind=op[1]).delete()
    elif op[0] == "delete" and created:
        Incident.objects.filter(pk=created[op[2] % len(created)]).delete()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=operations)
def test_random_write_sequences_keep_the_counts_exact(personas, ops):
    ctx = {
        "user": personas["commune_officer"],
        "units": {c: unit_id(f"CA{c}") for c in COMMUNES},
        "seq": 0,
    }
    with transaction.atomic():
        created: list[int] = []
        for op in ops:
            _apply(op, created, ctx)
        assert aggregates.verify() == []
        # The grouped reader gives the plain counts for periods of whole months, edges, or both.
        raw = Incident.objects.all()
        months = IncidentMonth.objects.all()
        periods = [
            Period.month(2026, 1),
            Period.custom(dt.date(2025, 12, 31), dt.date(2026, 2, 1)),
            Period.custom(dt.date(2026, 1, 10), dt.date(2026, 2, 20)),
            Period("week", dt.date(2026, 1, 26), dt.date(2026, 2, 1)),
        ]
        got = _grouped(raw, months, periods, ("commune_id", "kind"))
        for period, counts in zip(periods, got, strict=True):
            expected = {
                (c, k): (n, losses)
                for c, k, n, losses in raw.filter(
                    occurred_from__gte=period.start, occurred_from__lt=period.end
                )
                .values_list("commune_id", "kind")
                .annotate(n=Count("id"), losses=Sum("losses_vnd"))
                .order_by()
            }
            assert counts == expected, period
        transaction.set_rollback(True)


# --- The dashboard reads them ---------------------------------------------------------------


@pytest.mark.parametrize(
    "first,last,months,edges",
    [
        (dt.date(2026, 1, 1), dt.date(2026, 3, 31), (dt.date(2026, 1, 1), dt.date(2026, 3, 1)), 0),
        (dt.date(2026, 1, 1), dt.date(2026, 12, 4), (dt.date(2026, 1, 1), dt.date(2026, 11, 1)), 1),
        (dt.date(2026, 1, 15), dt.date(2026, 3, 31), (dt.date(2026, 2, 1), dt.date(2026, 3, 1)), 1),
        (dt.date(2026, 1, 15), dt.date(2026, 3, 3), (dt.date(2026, 2, 1), dt.date(2026, 2, 1)), 2),
        (dt.date(2026, 1, 15), dt.date(2026, 2, 27), None, 1),
        (dt.date(2024, 2, 1), dt.date(2024, 2, 29), (dt.date(2024, 2, 1), dt.date(2024, 2, 1)), 0),
    ],
)
def test_month_split(first, last, months, edges):
    got_months, got_edges = _month_split(Period("custom", first, last))
    assert got_months == months and len(got_edges) == edges
    period = Period("custom", first, last)
    if months is None:
        assert got_edges == [(period.start, period.end)]
    elif edges:
        assert got_edges[0][0] == period.start or got_edges[-1][1] == period.end


def test_dashboard_reads_whole_months_from_the_aggregate_and_edge_days_from_the_records(personas):
    officer, commander = personas["commune_officer"], personas["commander"]
    record(officer, occurred_from=local(2026, 1, 20), reported_at=local(2026, 1, 20, 12))
    record(officer, occurred_from=local(2026, 2, 3), reported_at=local(2026, 2, 3, 12))
    ytd = Period.year_to_date(dt.date(2026, 2, 10))  # January whole, 1–10 February from the records
    assert compstat_summary(viewer=commander, period=ytd, with_series=False).total.current == 2
    # Proof of the path: a count changed behind the triggers' back shows for January only.
    IncidentMonth.objects.filter(month=dt.date(2026, 1, 1)).update(n=5)
    IncidentMonth.objects.filter(month=dt.date(2026, 2, 1)).update(n=9)
    assert compstat_summary(viewer=commander, period=ytd, with_series=False).total.current == 6
    week = Period("week", dt.date(2026, 1, 19), dt.date(2026, 1, 25))
    assert compstat_summary(viewer=commander, period=week, with_series=False).total.current == 1


def test_the_aggregate_is_scoped_like_the_incidents(personas):
    record(personas["commune_officer"], occurred_from=local(2026, 1, 20), reported_at=local(2026, 1, 20, 12))
    record(
        personas["other_commune_officer"],
        occurred_from=local(2026, 1, 21),
        reported_at=local(2026, 1, 21, 12),
        commune=COMMUNE_B,
    )
    january = Period.month(2026, 1)
    seen = {
        name: compstat_summary(viewer=personas[name], period=january, with_series=False).total.current
        for name in ("commander", "commune_officer", "other_commune_officer", "auditor")
    }
    assert seen == {"commander": 2, "commune_officer": 1, "other_commune_officer": 1, "auditor": 0}
    assert _month_base(viewer=personas["commune_officer"]).get().commune_id == COMMUNE_A


def test_the_triggers_are_statement_level_on_postgresql_row_level_on_sqlite():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT trigger_name, action_orientation FROM information_schema.triggers"
                " WHERE event_object_table = %s",
                ["records_incident"],
            )
            # One grouped upsert per statement: an import batch of 10,000 rows is one, not 10,000.
            assert {row[1] for row in cursor.fetchall()} == {"STATEMENT"}
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN"
                " ('records_incident', 'records_incidentperson', 'records_firerescuedetail')"
                " AND name LIKE 'compstat_%'"  # records has its own (Case.occurred_at, occurrence.py)
            )
            assert {row[0] for row in cursor.fetchall()} == set(aggregates.SQLITE_TRIGGERS)


# --- Victims and fire-and-rescue figures (fraud panel, fire panel) ---------------------------


def _person(name: str):
    from anninh.records.models import Person

    return Person.objects.create(full_name=name, name_key=name.lower(), sort_key=name.lower())


def _incident(ctx, when, *, kind="crime", group="fraud", commune=COMMUNE_A):
    incident = Incident.objects.create(
        number=f"V-{ctx['seq']}",
        kind=kind,
        occurred_from=dt.datetime(*when, tzinfo=HCM_TZ),
        reported_at=dt.datetime(2026, 3, 1, tzinfo=HCM_TZ),
        commune_id=commune,
        responsible_unit_id=ctx["units"][commune],
        offence_group=group,
        losses_vnd=0,
        created_by=ctx["user"],
    )
    ctx["seq"] += 1
    return incident


def _ctx(personas) -> dict:
    return {"user": personas["commune_officer"], "units": {c: unit_id(f"CA{c}") for c in COMMUNES}, "seq": 0}


def test_victims_and_fire_figures_follow_their_incident(personas):
    from anninh.records.models import FireRescueDetail, IncidentPerson

    ctx = _ctx(personas)
    fraud = _incident(ctx, (2026, 1, 31, 23, 30))
    fire = _incident(ctx, (2026, 1, 10, 8, 0), kind="fire", group="")
    a, b = _person("Nguyễn Văn A"), _person("Trần Thị B")
    IncidentPerson.objects.create(incident=fraud, person=a, role="victim")
    IncidentPerson.objects.create(incident=fraud, person=b, role="victim")
    IncidentPerson.objects.create(incident=fraud, person=b, role="suspect")  # not a victim
    FireRescueDetail.objects.create(
        incident=fire, rescued=3, dead=1, injured=2, victims_found=1, damage_vnd=5
    )

    def figures(month, kind, group):
        row = IncidentMonth.objects.get(month=month, kind=kind, offence_group=group)
        return (
            row.n,
            row.victims,
            row.fire_rescued,
            row.fire_victims_found,
            row.fire_dead,
            row.fire_injured,
            row.fire_damage_vnd,
        )

    january = dt.date(2026, 1, 1)
    assert figures(january, "crime", "fraud") == (1, 2, 0, 0, 0, 0, 0)
    assert figures(january, "fire", "") == (1, 0, 3, 1, 1, 2, 5)
    # The incident moves to February (local time) and another group: its victims move with it.
    Incident.objects.filter(pk=fraud.pk).update(
        occurred_from=dt.datetime(2026, 2, 1, 0, 0, tzinfo=HCM_TZ), offence_group="cyber"
    )
    assert figures(dt.date(2026, 2, 1), "crime", "cyber") == (1, 2, 0, 0, 0, 0, 0)
    assert not IncidentMonth.objects.filter(month=january, offence_group="fraud").exists()
    # A role changed, a link removed, a report corrected and removed.
    IncidentPerson.objects.filter(person=a).update(role="witness")
    IncidentPerson.objects.filter(person=b, role="victim").delete()
    assert figures(dt.date(2026, 2, 1), "crime", "cyber") == (1, 0, 0, 0, 0, 0, 0)
    FireRescueDetail.objects.filter(incident=fire).update(rescued=7, damage_vnd=9)
    assert figures(january, "fire", "") == (1, 0, 7, 1, 1, 2, 9)
    assert aggregates.verify() == []
    FireRescueDetail.objects.filter(incident=fire).delete()
    assert figures(january, "fire", "") == (1, 0, 0, 0, 0, 0, 0)
    # Deleting an incident takes its people's links (and their victims) with it.
    IncidentPerson.objects.create(incident=fraud, person=a, role="victim")
    Incident.objects.filter(pk=fraud.pk).delete()
    assert not IncidentMonth.objects.filter(offence_group="cyber").exists()
    assert aggregates.verify() == []


def test_a_tampered_victim_count_is_found_and_rebuilt(personas):
    from anninh.records.models import IncidentPerson

    ctx = _ctx(personas)
    IncidentPerson.objects.create(
        incident=_incident(ctx, (2026, 1, 5, 9, 0)), person=_person("A"), role="victim"
    )
    IncidentMonth.objects.update(victims=4)
    (difference,) = aggregates.verify()
    assert difference.expected[2] == 1 and difference.stored[2] == 4
    call_command("compstat_aggregates", "--rebuild", stdout=io.StringIO())
    assert aggregates.verify() == []


person_ops = st.lists(
    st.one_of(
        st.tuples(
            st.just("incident"),
            st.sampled_from(MONTH_EDGES),
            st.sampled_from(["crime", "fire"]),
            st.sampled_from(["fraud", "cyber", ""]),
        ),
        st.tuples(
            st.just("link"), st.integers(0, 20), st.integers(0, 2), st.sampled_from(["victim", "witness"])
        ),
        st.tuples(st.just("role"), st.integers(0, 20), st.sampled_from(["victim", "witness"])),
        st.tuples(st.just("unlink"), st.integers(0, 20)),
        st.tuples(st.just("detail"), st.integers(0, 20), st.integers(0, 5), st.integers(0, 10**9)),
        st.tuples(st.just("undetail"), st.integers(0, 20)),
        st.tuples(
            st.just("move"), st.integers(0, 20), st.sampled_from(MONTH_EDGES), st.sampled_from(COMMUNES)
        ),
        st.tuples(st.just("delete"), st.integers(0, 20)),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=person_ops)
def test_random_writes_of_people_and_fire_reports_keep_the_figures_exact(personas, ops):
    """Random sequences of incidents, victim links and fire reports, with edge days: the
    monthly figures equal a recount, and the dashboard's fraud victims and fire figures equal
    plain counts for periods that start and end mid-month, whole months, or both."""
    from anninh.compstat.selectors import _fire_rescue, _fraud
    from anninh.records.models import FireRescueDetail, IncidentPerson

    ctx = _ctx(personas)
    with transaction.atomic():
        people = [_person(f"Người {i}") for i in range(3)]
        incidents: list[int] = []

        def pick(index: int) -> int | None:
            alive = [pk for pk in incidents if Incident.objects.filter(pk=pk).exists()]
            return alive[index % len(alive)] if alive else None

        for op in ops:
            if op[0] == "incident":
                incidents.append(_incident(ctx, op[1], kind=op[2], group=op[3]).pk)
                continue
            pk = pick(op[1])
            if pk is None:
                continue
            if op[0] == "link":
                IncidentPerson.objects.get_or_create(incident_id=pk, person=people[op[2]], role=op[3])
            elif op[0] == "role":
                link = IncidentPerson.objects.filter(incident_id=pk).first()
                if (
                    link
                    and not IncidentPerson.objects.filter(
                        incident_id=pk, person_id=link.person_id, role=op[2]
                    ).exists()
                ):
                    IncidentPerson.objects.filter(pk=link.pk).update(role=op[2])
            elif op[0] == "unlink":
                IncidentPerson.objects.filter(incident_id=pk).delete()
            elif op[0] == "detail":
                FireRescueDetail.objects.update_or_create(
                    incident_id=pk, defaults={"rescued": op[2], "dead": op[2] // 2, "damage_vnd": op[3]}
                )
            elif op[0] == "undetail":
                FireRescueDetail.objects.filter(incident_id=pk).delete()
            elif op[0] == "move":
                Incident.objects.filter(pk=pk).update(
                    occurred_from=dt.datetime(*op[2], tzinfo=HCM_TZ),
                    commune_id=op[3],
                    responsible_unit_id=ctx["units"][op[3]],
                )
            elif op[0] == "delete":
                Incident.objects.filter(pk=pk).delete()
        assert aggregates.verify() == []
        commander = personas["commander"]
        raw = Incident.objects.all()
        months = IncidentMonth.objects.all()
        for period in [
            Period.month(2026, 1),
            Period.custom(dt.date(2025, 12, 31), dt.date(2026, 2, 1)),
            Period.custom(dt.date(2026, 1, 10), dt.date(2026, 2, 20)),
            Period.custom(dt.date(2025, 12, 1), dt.date(2026, 2, 28)),
        ]:
            in_period = raw.filter(occurred_from__gte=period.start, occurred_from__lt=period.end)
            fire_rows = FireRescueDetail.objects.filter(incident__in=in_period.filter(kind="fire"))
            figures, damage = _fire_rescue(raw, months, period, "")
            got = {f.key: f.value for f in figures}
            assert got["rescued"] == sum(d.rescued for d in fire_rows), period
            assert got["dead"] == sum(d.dead for d in fire_rows), period
            assert damage == sum(d.damage_vnd for d in fire_rows), period
            figures, _losses = _fraud(commander, raw, months, period, "")
            victims = IncidentPerson.objects.filter(
                incident__in=in_period.filter(offence_group__in=("fraud", "cyber")), role="victim"
            ).count()
            assert {f.key: f.value for f in figures}["fraud_victims"] == victims, period
        transaction.set_rollback(True)
