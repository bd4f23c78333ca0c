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
    assert [(d.expected, d.stored) for d in differences] == [((1, 18_000_000), (7, 18_000_000))]
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 monthly counts differ"):
        call_command("compstat_aggregates", stderr=err)
    assert "records 1 incidents" in err.getvalue()
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
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'records_incident'"
                " AND name LIKE 'compstat_%'"  # records has its own (Case.occurred_at, occurrence.py)
            )
            assert {row[0] for row in cursor.fetchall()} == set(aggregates.SQLITE_TRIGGERS)
