"""The statement import in bulk (issue #9, item 9): every chunk is written with a fixed number of
queries whatever its rows (COPY and one INSERT ... SELECT on PostgreSQL, bulk_create elsewhere),
identifiers are normalised once per distinct value, and the guarantees stay: all or nothing
across chunks, re-imports add nothing, bad rows reported by number, a dry run writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anninh.audit.models import AuditEvent
from anninh.investigations import ingest
from anninh.investigations.ingest import CellError, material_import, parse_time
from anninh.investigations.models import Entity, EntitySource, Link, SourceFile

pytestmark = pytest.mark.django_db

HEADER = (
    "Ngân hàng,Số tài khoản,Thời gian giao dịch,Ghi nợ,Số TK đối ứng,Ngân hàng đối ứng,Số tham chiếu,Kênh\n"
)


def _statement(rows: int, *, accounts: int = 7, start: int = 0) -> str:
    """`rows` transfers between a few accounts, each its own reference and minute."""
    lines = [HEADER]
    for i in range(start, start + rows):
        src, dst = 100000 + i % accounts, 200000 + (i * 3) % accounts
        when = dt.datetime(2026, 3, 1, 8) + dt.timedelta(minutes=i)
        lines.append(f"Vietcombank,{src},{when:%d/%m/%Y %H:%M:%S},{1000 + i},{dst},Techcombank,FT{i},IB\n")
    return "".join(lines)


def _import(actor, inv, path, **kw):
    return material_import(actor=actor, investigation=inv, kind="bank_statement", path=path, **kw)


def _queries(actor, inv, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        result = _import(actor, inv, path, dry_run=False)
    assert result.ok, result.problems
    return len(captured.captured_queries)


def test_the_queries_of_an_import_do_not_grow_with_its_rows(personas, investigation, write_csv, monkeypatch):
    monkeypatch.setattr(ingest, "CHUNK", 10_000)
    actor = personas["investigator"]
    small = _queries(actor, investigation, write_csv("a.csv", _statement(20)))
    large = _queries(actor, investigation, write_csv("b.csv", _statement(600, start=20)))
    assert Link.objects.unrestricted().count() == 620
    if connection.vendor == "postgresql":  # COPY and INSERT ... SELECT: no more queries
        assert large <= small, (small, large)
    else:  # bulk_create splits its inserts by SQLite's limit of parameters, never one per row
        assert large - small < (600 - 20) / 40, (small, large)


def test_a_bad_row_after_chunks_were_written_leaves_nothing(personas, investigation, write_csv, monkeypatch):
    monkeypatch.setattr(ingest, "CHUNK", 5)
    text = _statement(23)
    lines = text.splitlines(keepends=True)
    lines[21] = lines[21].replace("Techcombank", "Ngân hàng Ma")  # row 22 of the file
    result = _import(
        personas["investigator"], investigation, write_csv("s.csv", "".join(lines)), dry_run=False
    )
    assert not result.ok
    assert [(p.row, p.code) for p in result.problems] == [(22, "bank.unknown")]
    for model in (Entity, EntitySource, Link, SourceFile):
        assert not model.objects.unrestricted().exists(), model


def test_a_refused_identifier_is_reported_on_every_row_that_has_it(personas, investigation, write_csv):
    text = HEADER
    for i in range(4):  # the same bad account four times: answered once, reported four times
        text += f"Vietcombank,{100000 + i},01/03/2026 09:0{i}:00,1000,12AB34,Techcombank,FT{i},IB\n"
    result = _import(personas["investigator"], investigation, write_csv("s.csv", text), dry_run=False)
    assert [(p.row, p.code) for p in result.problems] == [
        (r, "bank_account.not_digits") for r in (2, 3, 4, 5)
    ]


def test_re_importing_in_chunks_adds_nothing_and_one_audit_row_per_import(
    personas, investigation, write_csv, monkeypatch
):
    monkeypatch.setattr(ingest, "CHUNK", 7)
    actor = personas["investigator"]
    audits = AuditEvent.objects.unrestricted().filter(object_type="investigations.sourcefile")
    first = _import(actor, investigation, write_csv("s.csv", _statement(30)), dry_run=False)
    assert first.ok and first.links_new == 30 and first.entities_new == 14
    assert audits.count() == 1 and audits.get().extra["rows"] == 30
    counts = (Entity.objects.unrestricted().count(), Link.objects.unrestricted().count())
    # Each row's link keeps its file and row: no entity-source row repeats them.
    assert not EntitySource.objects.unrestricted().exists()
    # The same facts in another file (one more column), and overlapping with new ones:
    again = write_csv("s2.csv", _statement(30).replace("Kênh\n", "Kênh,Ghi chú\n"))
    second = _import(actor, investigation, again, dry_run=False)
    assert second.ok and (second.entities_new, second.links_new) == (0, 0)
    assert (Entity.objects.unrestricted().count(), Link.objects.unrestricted().count()) == counts
    more = _import(actor, investigation, write_csv("s3.csv", _statement(40, start=10)), dry_run=False)
    assert more.ok and more.links_new == 20 and more.entities_new == 0
    assert Link.objects.unrestricted().count() == 50
    assert audits.count() == 3
    # Each link keeps its own row of the file that brought it.
    link = Link.objects.unrestricted().get(reference="FT45")
    assert link.row == 45 - 10 + 2 and link.batch_id == more.batch_id
    assert link.source.key == "VCB:100003" and link.target.key == "TCB:200002"
    assert link.occurred_at == dt.datetime(2026, 3, 1, 8, 45, tzinfo=ingest.LOCAL)


def test_a_dry_run_in_chunks_counts_each_new_entity_once_and_writes_nothing(
    personas, investigation, write_csv, monkeypatch
):
    monkeypatch.setattr(ingest, "CHUNK", 4)
    result = _import(personas["investigator"], investigation, write_csv("s.csv", _statement(30)))
    assert result.ok and result.entities_new == 14 and result.links_new == 30
    assert not Entity.objects.unrestricted().exists() and not Link.objects.unrestricted().exists()


def test_the_progress_callback_counts_every_row(personas, investigation, write_csv, monkeypatch):
    monkeypatch.setattr(ingest, "PROGRESS_EVERY", 4)
    ticks = []
    _import(
        personas["investigator"], investigation, write_csv("s.csv", _statement(10)), progress=ticks.append
    )
    assert ticks == [4, 4, 2]


@pytest.mark.parametrize(
    "text",
    ["07/12/2026 09:15:30", "01/01/2026 00:00:00", "29/02/2024 23:59:59", "1/3/2026 09:15:30"],
)
def test_the_common_time_form_reads_as_strptime_reads_it(text):
    expected = dt.datetime.strptime(text, "%d/%m/%Y %H:%M:%S").replace(tzinfo=ingest.LOCAL)
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["31/02/2026 10:00:00", "01/13/2026 10:00:00", "01/01/1800 10:00:00"])
def test_an_impossible_time_in_the_common_form_is_refused(text):
    with pytest.raises(CellError):
        parse_time(text)


def test_the_import_command_analyses_after_the_import_when_asked(investigation, write_csv):
    """The analysis is loaded only with --analyse (an import starts without it): it still runs."""
    from django.core.management import call_command

    from anninh.investigations.models import AnalysisRun

    path = write_csv("s.csv", _statement(12))
    call_command(
        "investigation_import", investigation.code, "bank_statement", str(path), "--no-progress", "--analyse"
    )
    assert Link.objects.unrestricted().count() == 12
    assert AnalysisRun.objects.filter(investigation=investigation).exists()


def _places(viewer, entity) -> list[tuple[str, int]]:
    from anninh.investigations.selectors import entity_detail

    return [(s.batch.file_name, s.row) for s in entity_detail(viewer=viewer, entity=entity)["sources"]]


def test_the_entity_page_lists_every_row_that_named_the_entity(
    personas, investigation, write_csv, monkeypatch
):
    """The sources of an entity are the rows of its links and the entity-source rows of the
    rows whose fact was already known (another file, or twice in one file): every row that
    named it, in every file, whichever way it was written."""
    monkeypatch.setattr(ingest, "CHUNK", 7)
    actor = personas["investigator"]
    _import(actor, investigation, write_csv("s.csv", _statement(30)), dry_run=False)
    account = Entity.objects.unrestricted().get(key="VCB:100003")  # transfers 3, 10, 17, 24
    expected = [("s.csv", 2 + i) for i in range(30) if i % 7 == 3]
    assert _places(actor, account) == expected
    # The same facts again in another file (and one row twice in it): no new link, yet each of
    # these rows is a source of both its accounts.
    text = _statement(30).replace("Kênh\n", "Kênh,Ghi chú\n")
    lines = text.splitlines(keepends=True)
    again = _import(actor, investigation, write_csv("s2.csv", "".join([*lines, lines[4]])), dry_run=False)
    assert again.ok and again.links_new == 0
    assert EntitySource.objects.unrestricted().count() == 2 * 31
    assert _places(actor, account) == [*expected, *[("s2.csv", row) for _f, row in expected], ("s2.csv", 32)]
    # A row twice in one file: its first row wrote the link, the second keeps its own source.
    dup = _import(
        actor, investigation, write_csv("s3.csv", "".join([HEADER, lines[1], lines[1]])), dry_run=False
    )
    assert dup.ok and dup.links_new == 0
    first = Entity.objects.unrestricted().get(key="VCB:100000")
    assert [p for p in _places(actor, first) if p[0] == "s3.csv"] == [("s3.csv", 2), ("s3.csv", 3)]
    # New facts, one row twice in the file: the second keeps its own source.
    text = _statement(2, start=100) + _statement(1, start=100)[len(HEADER) :]
    fresh = _import(actor, investigation, write_csv("s4.csv", text), dry_run=False)
    assert fresh.ok and fresh.links_new == 2
    sender = Entity.objects.unrestricted().get(key="VCB:100002")  # transfer 100: rows 2 and 4
    assert [p for p in _places(actor, sender) if p[0] == "s4.csv"] == [("s4.csv", 2), ("s4.csv", 4)]


def test_a_failure_while_writing_a_chunk_undoes_the_whole_import(
    personas, investigation, write_csv, monkeypatch
):
    """On PostgreSQL a chunk is written while the next is read: its failure still stops the
    import and leaves nothing of it (no later write runs on after the transaction)."""
    monkeypatch.setattr(ingest, "CHUNK", 5)
    name = "_copy" if connection.vendor == "postgresql" else "_bulk_create"
    original = getattr(ingest._Writer, name)
    calls = []

    def failing(self, *args):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("the disk is full")
        return original(self, *args)

    monkeypatch.setattr(ingest._Writer, name, failing)
    with pytest.raises(RuntimeError, match="disk is full"):
        _import(personas["investigator"], investigation, write_csv("s.csv", _statement(30)), dry_run=False)
    assert len(calls) == 3
    for model in (Entity, EntitySource, Link, SourceFile):
        assert not model.objects.unrestricted().exists(), model
