"""The PostgreSQL fast path of the import (io_copy) against the Python path, row for row.

Each file is imported by both paths from the same database state (each run in a savepoint
rolled back after its outcome is read): incidents, offence links, losses, timeline entries,
the import's audit rows, the counts and the problems report must be the same. The strict
dates the fast path parses in SQL are checked against the Python parser."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anninh.audit.models import AuditEvent
from anninh.compstat import aggregates
from anninh.compstat.aggregates import MEASURES
from anninh.compstat.models import IncidentMonth
from anninh.lib.dates import HCM_TZ
from anninh.lib.errors import ValidationProblem
from anninh.org.models import Unit
from anninh.records.demo import write_plan_csv
from anninh.records.models import ImportBatch, Incident, IncidentLoss, IncidentOffence, RecordEvent
from anninh.records.services.io import SYSTEM_USERNAME, incidents_import, system_user
from anninh.records.services.io_copy import FIRST_SQL_YEAR, QuietWrites, date_sql, strict_date_sql
from anninh.records.services.io_formats import parse_datetime_cell
from anninh.records.tests.test_io_import import GOOD, write_csv

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY path is PostgreSQL's"),
]


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def unit_a():
    return Unit.objects.active().get(code="CA11311")


def _key(incident_id: int, keys: dict[int, str]) -> str:
    return keys.get(incident_id, f"other:{incident_id}")


def outcome(result) -> dict:
    """Everything an import leaves behind, without the ids and times that differ between
    two runs (sequences are not rolled back)."""
    incidents = list(Incident.objects.order_by("external_id", "number").values())
    keys = {i["id"]: i["external_id"] or i["number"] for i in incidents}
    skip = {"id", "created_at", "updated_at"}
    batch_pk = result.batch.pk if result.batch else None

    def scrub(text):
        return text.replace(f"#{batch_pk} ", "#batch ") if batch_pk and isinstance(text, str) else text

    events = []
    for e in RecordEvent.objects.filter(object_type="records.incident").values():
        snapshot = dict(e["snapshot"] or {})
        if "id" in snapshot:
            snapshot["id"] = _key(snapshot["id"], keys)
        events.append(
            (
                _key(e["object_id"], keys),
                e["version"],
                e["kind"],
                e["from_status"],
                e["to_status"],
                e["actor_id"],
                e["actor_name"],
                scrub(e["comment"]),
                repr(sorted(snapshot.items())),
                repr(e["changes"]),
            )
        )
    audits = [
        (
            a.action,
            a.object_type,
            scrub(a.object_repr.replace(f"#{batch_pk} ", "#batch ")),
            a.after,
            a.extra,
            a.actor_id,
        )
        for a in AuditEvent.objects.filter(object_type="records.importbatch").order_by("pk")
    ]
    return {
        "path_independent_counts": (result.rows, result.created, result.updated, result.unchanged),
        "problems": [(p.code, p.row, p.column, p.value, str(p.message)) for p in result.problems],
        "file_problems": [(p.code, str(p.message)) for p in result.file_problems],
        "incidents": [{k: v for k, v in i.items() if k not in skip} for i in incidents],
        "links": sorted(
            (_key(i, keys), o, c, m)
            for i, o, c, m in IncidentOffence.objects.values_list(
                "incident_id", "offence_id", "clause", "is_main"
            )
        ),
        "losses": sorted(
            (_key(i, keys), d, v, r)
            for i, d, v, r in IncidentLoss.objects.values_list(
                "incident_id", "description", "value_vnd", "recovered"
            )
        ),
        "events": sorted(events),
        "audits": audits,
        "monthly_counts": sorted(
            tuple(row.values())
            for row in IncidentMonth.objects.values(
                "month", "commune_id", "responsible_unit_id", "kind", "offence_group", *MEASURES
            )
        ),
        "batches": list(
            ImportBatch.objects.order_by("pk").values_list(
                "unit_id", "file_name", "file_sha256", "rows", "created", "updated", "unchanged"
            )
        ),
    }


def both_paths(path, unit, *, actor=None, dry_run=False):
    """(outcome of the fast path, of the Python path, the fast path's result), each from the
    same state."""
    out = {}
    actor = actor or system_user()  # created once, outside the savepoints
    system = actor.username == SYSTEM_USERNAME
    for copy in (True, False):
        with transaction.atomic():
            result = incidents_import(
                actor=actor, unit=unit, path=path, system=system, dry_run=dry_run, copy=copy
            )
            out[copy] = (outcome(result), result)
            transaction.set_rollback(True)
    return out[True][0], out[False][0], out[True][1]


def test_good_rows_give_the_same_records(tmp_path, personas, unit_a):
    path = write_csv(tmp_path / "good.csv", GOOD)
    fast, slow, result = both_paths(path, unit_a)
    assert result.path == "copy", result.fallback
    assert result.created == 3
    for name in fast:
        assert fast[name] == slow[name], name


def test_dates_in_other_forms_and_before_1976_give_the_same_records(tmp_path, personas, unit_a):
    rows = [
        ["D-1", "fire", " 05/11/2025 14:30 ", "2025-11-05 15:00", "11311", "", "", "", "", "", ""],
        ["D-2", "fire", "01/06/1960", "01/06/1960 10:00", "11311", "", "", "", "", "", ""],
        ["D-3", "fire", "05/11/2025 7h05", "05/11/2025 08:00:30", "11311", "", "", "", "", "", ""],
        ["D-4", "fire", "31/12/1975 23:30", "01/01/1976 00:10", "11311", "", "", "", "", "", ""],
    ]
    path = write_csv(tmp_path / "dates.csv", rows)
    fast, slow, result = both_paths(path, unit_a)
    assert not slow["problems"], slow["problems"]
    assert result.path == "copy", result.fallback
    assert result.created == 4
    assert fast == slow


def test_a_dry_run_writes_nothing_and_counts_the_same(tmp_path, personas, unit_a):
    path = write_csv(tmp_path / "good.csv", GOOD)
    before = Incident.objects.count()
    fast, slow, result = both_paths(path, unit_a, dry_run=True)
    assert result.path == "copy", result.fallback
    assert result.batch is None and result.created == 3
    assert Incident.objects.count() == before
    assert fast == slow


def test_bad_rows_are_reported_as_the_python_path_reports_them(tmp_path, personas, unit_a):
    bad = [
        *GOOD,
        ["B-1", "crime", "05/11/2025 10:00", "05/11/2025 11:00", "99999", "", "", "", "173", "", ""],
        ["B-2", "crime", "11/25/2025", "26/11/2025 08:00", "11311", "", "", "", "173", "", ""],
        ["B-3", "theft?", "01/01/2025 10:00", "01/01/2025 11:00", "11311", "", "", "", "173", "", ""],
        ["T-1", "fire", "01/01/2025 10:00", "01/01/2025 11:00", "11311", "", "", "", "", "", ""],
        ["B-4", "fire", "31/02/2025 10:00", "01/03/2025 11:00", "11311", "", "", "", "", "", ""],
        ["B-5", "fire", "", "01/03/2025 11:00", "11311", "", "", "", "", "", ""],
    ]
    path = write_csv(tmp_path / "bad.csv", bad)
    fast, slow, result = both_paths(path, unit_a)
    assert result.path == "python" and result.fallback
    assert fast["problems"] and fast == slow
    assert not result.ok and result.batch is None


def test_importing_again_counts_every_row_unchanged(tmp_path, personas, unit_a):
    path = write_csv(tmp_path / "good.csv", GOOD)
    first = incidents_import(actor=system_user(), unit=unit_a, path=path, system=True, copy=False)
    assert first.created == 3
    fast, slow, result = both_paths(path, unit_a)
    assert result.path == "copy", result.fallback
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert fast == slow


def test_changed_and_new_rows_update_and_create_as_the_python_path(tmp_path, personas, unit_a):
    incidents_import(
        actor=system_user(),
        unit=unit_a,
        path=write_csv(tmp_path / "first.csv", GOOD),
        system=True,
        copy=False,
    )
    changed = [list(row) for row in GOOD]
    changed[0][10] = "Mất xe máy, đã tìm thấy"  # narrative
    changed[1][8] = "249"  # articles
    changed.append(
        ["T-4", "traffic", "04/11/2025 08:00", "04/11/2025 09:00", "11311", "Cầu Rào", "", "", "", "", ""]
    )
    path = write_csv(tmp_path / "changed.csv", changed)
    fast, slow, result = both_paths(path, unit_a)
    assert result.path == "copy", result.fallback
    assert (result.created, result.updated, result.unchanged) == (1, 2, 1)
    assert fast == slow


def test_an_importer_with_a_scope_gets_the_same_records(tmp_path, personas, unit_a):
    path = write_csv(tmp_path / "good.csv", GOOD)
    fast, slow, result = both_paths(path, unit_a, actor=personas["commune_officer"])
    assert result.path == "copy", result.fallback
    assert fast == slow


def test_synthetic_records_of_every_kind_give_the_same_records(tmp_path, personas, unit_a):
    """The benchmark's generator: points and codes, units, review states, windows, losses."""
    path = tmp_path / "plan.csv"
    write_plan_csv(path, incidents=300, seed=7)
    fast, slow, result = both_paths(path, unit_a)
    assert result.path == "copy", result.fallback
    assert result.created == 300
    assert fast == slow
    again = incidents_import(actor=system_user(), unit=unit_a, path=path, system=True, copy=False)
    assert again.created == 300
    fast, slow, result = both_paths(path, unit_a)
    assert result.path == "copy" and result.unchanged == 300
    assert fast == slow


# Awkward but valid rows: Vietnamese in composed (NFC) and decomposed (NFD) forms, odd spaces
# (no-break, zero-width, tabs), a point with more than six decimals, points without decimals,
# rows placed by their commune code (no point), losses written several ways, a window.
NFD = unicodedata.normalize("NFD", "Số 45 ngõ 12 Lạch Tray, phường Ngô Quyền")
AWKWARD = [
    ["A-1", "crime", "05/11/2025 14:30", "05/11/2025 15:10", "11311", NFD, "", "", "173", "12.500.000", "Mất xe máy"],
    ["A-2", "crime", "01/11/2025 22:00", "02/11/2025 07:30", "", "Chợ\u00a0Sắt", "20.8449123456", "106.6881987654",
     "256a/1; 249", "", unicodedata.normalize("NFD", "Lừa đảo qua mạng, chiếm đoạt tiền")],
    ["A-3", "fire", "03/11/2025 02:10", "03/11/2025 02:15", "11311", "  Chợ Sắt\u200b ", "", "", "", "0", "ỦY BAN\tNHÂN DÂN"],
    ["A-4", "traffic", "04/11/2025 08:00", "04/11/2025 09:00", "", "Cầu Rào", "20.8449", "106.6881", "", "1.500.000", ""],
    ["A-5", "crime", "04/11/2025 08:00", "04/11/2025 09:00", "11311", "Ｌạch Tray ﬁ", "", "", "173/2", "500000", "Ⅻ ½"],
    ["A-6", "fire", "04/11/2025 08:00", "04/11/2025 09:00", "", "", "20.84", "106.69", "", "", "Cháy nhà"],
]  # fmt: skip


def test_awkward_rows_give_the_same_records_search_keys_and_monthly_counts(tmp_path, personas, unit_a):
    path = write_csv(tmp_path / "awkward.csv", AWKWARD)
    fast, slow, result = both_paths(path, unit_a)
    assert not slow["problems"], slow["problems"]
    assert result.path == "copy", result.fallback
    assert result.created == len(AWKWARD)
    assert [i["search_key"] for i in fast["incidents"]] == [i["search_key"] for i in slow["incidents"]]
    for name in fast:
        assert fast[name] == slow[name], name


def test_awkward_rows_with_bad_ones_and_duplicates_are_all_reported_and_nothing_is_written(
    tmp_path, personas, unit_a
):
    rows = [
        *AWKWARD,
        AWKWARD[1],  # the same external id twice
        ["A-7", "crime", "31/02/2025 10:00", "01/03/2025 11:00", "11311", "", "", "", "173", "", ""],
        ["A-8", "fire", "04/11/2025 08:00", "04/11/2025 09:00", "", "", "20.84", "", "", "", ""],
        ["A-9", "fire", "04/11/2025 08:00", "04/11/2025 09:00", "99999", "", "", "", "", "", ""],
    ]
    path = write_csv(tmp_path / "awkward-bad.csv", rows)
    before = (Incident.objects.count(), IncidentMonth.objects.count(), RecordEvent.objects.count())
    fast, slow, result = both_paths(path, unit_a)
    assert result.path == "python" and result.fallback
    assert fast == slow
    assert {p.row for p in result.problems} >= {9, 10, 11}  # the header is row 1
    assert result.batch is None
    assert (Incident.objects.count(), IncidentMonth.objects.count(), RecordEvent.objects.count()) == before


def test_a_failure_after_the_writes_leaves_nothing(tmp_path, personas, unit_a, monkeypatch):
    """The fast path's inserts and the import's audit row are one transaction: a failure at
    the last step (the audit row) leaves no incident, link, loss, timeline entry or count."""
    path = tmp_path / "plan.csv"
    write_plan_csv(path, incidents=50, seed=3)
    before = (
        Incident.objects.count(),
        IncidentOffence.objects.count(),
        IncidentLoss.objects.count(),
        RecordEvent.objects.count(),
        sorted(IncidentMonth.objects.values_list("pk", "n")),
    )

    def broken(**kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr("anninh.records.services.io_import.audit_record", broken)
    with pytest.raises(RuntimeError):
        incidents_import(actor=system_user(), unit=unit_a, path=path, system=True)
    after = (
        Incident.objects.count(),
        IncidentOffence.objects.count(),
        IncidentLoss.objects.count(),
        RecordEvent.objects.count(),
        sorted(IncidentMonth.objects.values_list("pk", "n")),
    )
    assert after == before


def test_a_dry_run_of_the_benchmark_file_writes_nothing(tmp_path, personas, unit_a):
    path = tmp_path / "plan.csv"
    write_plan_csv(path, incidents=200, seed=5)
    result = incidents_import(actor=system_user(), unit=unit_a, path=path, system=True, dry_run=True)
    assert result.path == "copy", result.fallback
    assert result.created == 200 and result.batch is None
    assert not Incident.objects.exists() and not IncidentMonth.objects.exists()


def test_importing_the_same_file_again_adds_nothing(tmp_path, personas, unit_a):
    path = tmp_path / "plan.csv"
    write_plan_csv(path, incidents=200, seed=11)
    first = incidents_import(actor=system_user(), unit=unit_a, path=path, system=True)
    assert first.path == "copy" and first.created == 200
    counts = (Incident.objects.count(), IncidentOffence.objects.count(), RecordEvent.objects.count())
    months = sorted(IncidentMonth.objects.values_list("month", "commune_id", "kind", "n", "losses_vnd"))
    again = incidents_import(actor=system_user(), unit=unit_a, path=path, system=True)
    assert again.path == "copy" and (again.created, again.updated, again.unchanged) == (0, 0, 200)
    assert (Incident.objects.count(), IncidentOffence.objects.count(), RecordEvent.objects.count()) == counts
    assert (
        sorted(IncidentMonth.objects.values_list("month", "commune_id", "kind", "n", "losses_vnd")) == months
    )
    assert aggregates.verify() == []


def test_quiet_writes_give_the_same_records_as_the_triggers(tmp_path, personas, unit_a, settings):
    """The inserts with the row triggers off (foreign keys and monthly counts settled once)
    against the same fast path with every trigger firing."""
    path = tmp_path / "plan.csv"
    write_plan_csv(path, incidents=300, seed=13)
    actor = system_user()  # created once, outside the savepoints
    out = {}
    for quiet in (True, False):
        settings.ANNINH_IMPORT_QUIET_WRITES = quiet
        with transaction.atomic():
            result = incidents_import(actor=actor, unit=unit_a, path=path, system=True)
            assert result.path == "copy", result.fallback
            assert ("quiet writes: references" in result.timings) is quiet
            assert aggregates.verify() == []
            out[quiet] = outcome(result)
            transaction.set_rollback(True)
    for name, quiet in out[True].items():
        loud = out[False][name]
        first = next(
            (
                {k: (q[k], v[k]) for k in q if q[k] != v[k]} if isinstance(q, dict) else (q, v)
                for q, v in zip(quiet, loud, strict=False)
                if q != v
            ),
            None,
        )
        assert quiet == loud, (name, first)


def test_quiet_writes_know_every_insert_trigger_of_the_tables_they_write():
    """A trigger added to a table the fast path writes must be listed in REPLACED with what
    replaces it, or the triggers stay on (quiet writes refuse)."""
    with connection.cursor() as cursor:
        assert QuietWrites.refusal(cursor.cursor) == ""
        cursor.execute(
            "SELECT tgrelid::regclass::text, tgname FROM pg_trigger WHERE NOT tgisinternal "
            "AND tgrelid = ANY(%s::regclass[]) AND (tgtype & 4) <> 0",
            [list(QuietWrites.TABLES)],
        )
        found = {(table, name) for table, name in cursor.fetchall()}
    assert found == {(t, name) for t, names in QuietWrites.REPLACED.items() for name in names}


def test_quiet_writes_refuse_a_trigger_they_do_not_know(tmp_path, personas, unit_a):
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION imp_test_noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$"
        )
        cursor.execute(
            "CREATE TRIGGER imp_test_noop AFTER INSERT ON records_incidentloss "
            "FOR EACH STATEMENT EXECUTE FUNCTION imp_test_noop()"
        )
        assert "records_incidentloss.imp_test_noop" in QuietWrites.refusal(cursor.cursor)
    path = write_csv(tmp_path / "good.csv", GOOD)
    result = incidents_import(actor=system_user(), unit=unit_a, path=path, system=True)
    assert result.path == "copy" and "quiet writes: references" not in result.timings


def test_quiet_writes_fall_back_when_a_referenced_row_is_missing(tmp_path, personas, unit_a, monkeypatch):
    """The check the foreign-key triggers would have made: a reference to a row that is not
    there sends the file to the Python path (which the constraint then stops)."""
    real = QuietWrites.note

    def wrong_unit(self, table, expressions, source, params, *, own):
        if table == Incident._meta.db_table:
            expressions = {**expressions, "responsible_unit_id": "r.responsible_unit_id * 0 - 1"}
        real(self, table, expressions, source, params, own=own)

    monkeypatch.setattr(QuietWrites, "note", wrong_unit)
    path = write_csv(tmp_path / "good.csv", GOOD)
    with transaction.atomic():
        result = incidents_import(actor=system_user(), unit=unit_a, path=path, system=True)
        transaction.set_rollback(True)
    assert result.path == "python"
    assert "org_unit" in result.fallback


def test_the_fast_path_is_off_when_the_setting_says_so(tmp_path, personas, unit_a, settings):
    settings.ANNINH_IMPORT_COPY = False
    path = write_csv(tmp_path / "good.csv", GOOD)
    result = incidents_import(actor=system_user(), unit=unit_a, path=path, system=True, dry_run=True)
    assert result.path == "python" and not result.fallback


# Dates parsed in SQL against the Python parser ---------------------------------------------


STRICT = re.compile(r"[0-9]{2}/[0-9]{2}/[0-9]{4}( [0-9]{2}:[0-9]{2}(:[0-9]{2})?)?")


def sql_date(text: str):
    """What the import computes in SQL for a date cell (day and time of day), and the same
    through the whole-value converter."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {date_sql('v')} FROM (SELECT %s::text AS v) t", [text])  # noqa: S608
        composed = cursor.fetchone()[0]
        cursor.execute(f"SELECT {strict_date_sql('v')} FROM (SELECT %s::text AS v) t", [text])  # noqa: S608
        whole = cursor.fetchone()[0]
    assert composed == whole, (text, composed, whole)
    return composed


def python_date(text: str):
    try:
        return parse_datetime_cell(text)
    except ValidationProblem as exc:
        return exc.code


@pytest.mark.parametrize(
    "text",
    [
        "05/11/2025 14:30",
        "05/11/2025 14:30:59",
        "05/11/2025",
        "29/02/2024 00:00",
        "29/02/2023 00:00",  # no such day: Python says date.invalid, SQL leaves it to Python
        "29/02/2000 23:59",
        "29/02/1900 12:00",
        "31/04/2025 10:00",
        "31/12/1976 23:59:59",
        "01/01/1976 00:00",
        "31/12/1975 23:59",  # before 1976: Python's
        "01/06/1960 10:00",
        "00/01/2025 10:00",
        "01/13/2025 10:00",
        "01/01/2025 24:00",
        "01/01/2025 23:60",
        "01/01/2025 23:59:60",
        "1/1/2025 10:00",
        " 05/11/2025 14:30",
        "05/11/2025T14:30",
        "05/11/2025 14h30",
        "2025-11-05 14:30",
        "05-11-2025 14:30",
        "05/11/2025 14:30:",
        "05/11/2025 1430",
        "",
        "٠٥/١١/٢٠٢٥ 14:30",  # other digits: Python's
    ],
)
def test_sql_dates_agree_with_the_python_parser(text):
    sql = sql_date(text)
    python = python_date(text)
    if STRICT.fullmatch(text) and isinstance(python, dt.datetime) and python.year >= FIRST_SQL_YEAR:
        assert sql == python, (text, python, sql)
    else:
        assert sql is None, (text, python, sql)  # left to the Checker


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    moment=st.datetimes(min_value=dt.datetime(1950, 1, 1), max_value=dt.datetime(2099, 12, 31)),
    form=st.sampled_from(["%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y"]),
)
def test_every_strict_date_parses_in_sql_as_in_python(moment, form):
    text = moment.strftime(form)
    python = parse_datetime_cell(text)
    sql = sql_date(text)
    if moment.year >= FIRST_SQL_YEAR:
        assert sql == python, (text, sql, python)
        assert sql.astimezone(HCM_TZ).replace(tzinfo=None) == python.replace(tzinfo=None)
    else:
        assert sql is None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.from_regex(r"\A[0-9]{2}/[0-9]{2}/[0-9]{4}( [0-9]{2}:[0-9]{2}(:[0-9]{2})?)?\Z"))
def test_sql_never_accepts_what_python_refuses(text):
    sql = sql_date(text)
    python = python_date(text)
    if sql is not None:
        assert python == sql, (text, python, sql)
    elif isinstance(python, dt.datetime):
        assert python.year < FIRST_SQL_YEAR, text
