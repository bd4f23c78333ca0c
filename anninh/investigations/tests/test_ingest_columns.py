"""Bank statements read by columns (`ingest_columns`, issue #9 item 9): the same entities, links,
sources and problems as the row-by-row reader, whatever the file holds; the row reader still
decides every row outside the common form; all or nothing, dry run and re-import unchanged."""

from __future__ import annotations

import datetime as dt
import gc

import pytest
from django.utils import timezone

from anninh.investigations import ingest, ingest_columns, services
from anninh.investigations.ingest import material_import
from anninh.investigations.models import Entity, EntitySource, Link, SourceFile

pytestmark = pytest.mark.django_db

HEADER = (
    "Ngân hàng,Số tài khoản,Thời gian giao dịch,Ghi nợ,Ghi có,Loại tiền,Số TK đối ứng,"
    "Ngân hàng đối ứng,Tên đối ứng,Số tham chiếu,Kênh,Nội dung\n"
)

#: Rows in every form a statement brings: plain and grouped amounts, debit and credit, times in
#: the common form and others, cash withdrawals, wallets, counterparty names (the first time
#: without, then with one), a transfer told twice, a time before 1976 and one in another form.
MIXED = [
    "Vietcombank,0011001,01/03/2026 08:00:00,1500000,,VND,0022002,Techcombank,,FT1,IB,chuyen tien",
    "Vietcombank,0011001,01/03/2026 08:05:00,,2.500.000,,0022002,TCB,Nguyễn Văn An,FT2,IB,",
    'Vietcombank,0011001,01/03/2026 08:10:00,"3,000,000",,usd,0022003,Techcombank,Trần Thị Bình,FT3,IB,',
    "Vietcombank,0011001,01/03/2026 08:15:00,700000,,VND,,,,FT4,ATM,rut tien mat",
    "Vietcombank,0011001,01/03/2026 08:20:00,900000,,USDT,TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t,TRON,,FT5,,",
    "Vietcombank,0011001,01/03/2026 08:00:00,1500000,,VND,0022002,Techcombank,,FT1,IB,chuyen tien",
    "Vietcombank,0011001,2026-03-01 08:30:00,1200000,,VND,0022004,Techcombank,,FT6,IB,",
    "Vietcombank,0011001,01/03/2026 08:35,1300000,,VND,0022004,Techcombank,,FT7,IB,",
    "Vietcombank,0011001,01/03/1975 08:40:00,1400000,,VND,0022004,Techcombank,,FT8,IB,",
    "Vietcombank,0011001,01/03/2026 08:45:00,1.500.000 đ,,VND,0022004,Techcombank,,FT9,IB,",
    "Vietcombank,0011001,01/03/2026 08:50:00,0,250000,VND,0022005,Techcombank,,FT10,IB,",
    "Vietcombank,0011001,01/03/2026 08:55:00,-800000,,VND,0022005,Techcombank,,FT11,IB,",
    "Vietcombank,0011001, 01/03/2026 09:00:00 ,150000.50,,VND, 0022 005 ,Techcombank,Lê Văn Cường,FT12,IB,",
    ",,,,,,,,,,,",
    "VCB,0011009,01/03/2026 09:05:00,100000,,VND,0022002,Techcombank,Phạm Thu Dung,FT13,IB,",
    "VCB,0011009,01/03/2026 09:10:00,,100000,VND,0011001,Vietcombank,,FT14,IB,",
]


@pytest.fixture
def other_investigation(personas):
    investigator = personas["investigator"]
    return services.investigation_create(
        actor=investigator,
        code="PC03-2026-02",
        title="Đối chứng",
        kind="chuyen_an",
        unit=investigator.unit,
        opened_on=timezone.localdate(),
    )


def _file(write_csv, name: str, rows: list[str]):
    return write_csv(name, HEADER + "".join(r + "\n" for r in rows))


def _import(actor, inv, path, **kw):
    kw.setdefault("dry_run", False)
    return material_import(actor=actor, investigation=inv, kind="bank_statement", path=path, **kw)


def _by_rows(monkeypatch):
    """Make the import read statements row by row (the reference)."""
    monkeypatch.setattr(ingest, "statement_rows", lambda *args, **kwargs: None)


LINK_FIELDS = (
    "kind", "source__key", "target__key", "amount", "currency", "occurred_at", "reference", "data",
    "fingerprint", "row", "batch__file_name",
)  # fmt: skip


def _snapshot(inv) -> dict:
    entities = Entity.objects.unrestricted().filter(investigation=inv)
    links = Link.objects.unrestricted().filter(investigation=inv)
    sources = EntitySource.objects.unrestricted().filter(investigation=inv)
    return {
        "entities": sorted(
            entities.values_list("kind", "key", "label", "name_key", "data", "province", "sheet", "row"),
            key=repr,
        ),
        "entity order": list(entities.order_by("id").values_list("key", flat=True)),
        "links": sorted(links.values_list(*LINK_FIELDS), key=repr),
        "link order": list(links.order_by("id").values_list("fingerprint", flat=True)),
        "sources": sorted(sources.values_list("entity__key", "batch__file_name", "row")),
    }


def _both(monkeypatch, actor, columns_inv, rows_inv, files, **kw):
    """Import the files into one investigation by columns and into the other by rows."""
    by_columns = [_import(actor, columns_inv, f, **kw) for f in files]
    with monkeypatch.context() as m:
        _by_rows(m)
        by_rows = [_import(actor, rows_inv, f, **kw) for f in files]
    return by_columns, by_rows


def _summary(result) -> tuple:
    return (
        result.ok,
        result.rows,
        result.entities_new,
        result.links_new,
        result.problem_count,
        [p.as_dict() for p in result.problems],
    )


@pytest.mark.parametrize("chunk", [3, 5000])
def test_the_column_reader_gives_the_row_readers_entities_links_and_sources(
    personas, investigation, other_investigation, write_csv, monkeypatch, chunk
):
    monkeypatch.setattr(ingest, "CHUNK", chunk)
    first = _file(write_csv, "a.csv", MIXED)
    # A second statement: some facts already known (their rows keep a source of their own).
    second = _file(write_csv, "b.csv", [MIXED[0], MIXED[1], MIXED[13], MIXED[14].replace("FT13", "FT15")])
    actor = personas["investigator"]
    by_columns, by_rows = _both(monkeypatch, actor, investigation, other_investigation, [first, second])
    assert [_summary(r) for r in by_columns] == [_summary(r) for r in by_rows]
    assert all(r.ok for r in by_columns), [r.problems for r in by_columns]
    assert _snapshot(investigation) == _snapshot(other_investigation)
    assert EntitySource.objects.unrestricted().filter(investigation=investigation).exists()


def test_bad_rows_get_the_row_readers_problems(
    personas, investigation, other_investigation, write_csv, monkeypatch
):
    bad = [
        *MIXED[:3],
        "Vietcombank,0011001,31/02/2026 08:00:00,1500000,,VND,0022002,Techcombank,,FT20,IB,",
        "Vietcombank,0011001,01/03/2026 08:00:60,1500000,,VND,0022002,Techcombank,,FT21,IB,",
        "Vietcombank,0011001,01/03/2026 24:00:00,1500000,,VND,0022002,Techcombank,,FT22,IB,",
        "Vietcombank,0011001,01/03/2026 08:00:00,1500000,200,VND,0022002,Techcombank,,FT23,IB,",
        "Vietcombank,0011001,01/03/2026 08:00:00,abc,,VND,0022002,Techcombank,,FT24,IB,",
        "Ngân hàng Ma,0011001,01/03/2026 08:00:00,1000,,VND,0022002,Techcombank,,FT25,IB,",
        "Vietcombank,0011001,01/03/2026 08:00:00,1000,,VND,12AB34,Techcombank,,FT26,IB,",
        "Vietcombank,0011001,01/03/2026 08:00:00,1000,,VND,,,,FT27,IB,",
        "Vietcombank,0011001,,1000,,VND,0022002,Techcombank,,FT28,IB,",
        "Vietcombank,0011001,01/03/2026 08:00:00,,,VND,0022002,Techcombank,,FT29,IB,",
        "Vietcombank,0011001,01/03/2026 08:00:00,0,,VND,0022002,Techcombank,,FT30,IB,",
        "Vietcombank,0011001,01/03/2026 08:00:00,1000,,VND,0x12,ETH,,FT31,IB,",
        *MIXED[3:],
    ]
    path = _file(write_csv, "bad.csv", bad)
    actor = personas["investigator"]
    for dry_run in (True, False):
        by_columns, by_rows = _both(
            monkeypatch, actor, investigation, other_investigation, [path], dry_run=dry_run
        )
        assert [_summary(r) for r in by_columns] == [_summary(r) for r in by_rows]
        assert by_columns[0].problem_count == 12
    for model in (Entity, EntitySource, Link, SourceFile):
        assert not model.objects.unrestricted().exists(), model


def test_only_the_rows_outside_the_common_form_go_through_the_row_reader(
    personas, investigation, write_csv, monkeypatch
):
    read = []
    original = ingest._statement

    def counting(r, ctx):
        read.append(r.row)
        return original(r, ctx)

    monkeypatch.setattr(ingest, "_statement", counting)
    result = _import(personas["investigator"], investigation, _file(write_csv, "a.csv", MIXED))
    assert result.ok and result.rows == len(MIXED) - 1  # the blank row is not one
    # 2026-03-01 08:30 (another form), 08:35 (no seconds), 1975, "1.500.000 đ", debit 0 and
    # credit, "-800000" debit, "150000.50": the row reader's; the others by columns.
    assert read == [8, 9, 10, 11, 12, 13, 14]


@pytest.mark.parametrize(
    "change",
    [
        lambda text: text.replace("\n", "\n\n", 3),  # blank lines: the numbers would move
        lambda text: text.replace("chuyen tien", '"chuyen\ntien"'),  # a line break in a cell
        lambda text: text.replace(",FT3,IB,", ",FT3,IB"),  # a short row
        lambda text: text.replace(",FT4,ATM,", ",FT4,ATM,x,"),  # a long row
    ],
)
def test_a_file_the_column_reader_cannot_take_whole_is_read_row_by_row(
    personas, investigation, other_investigation, write_csv, monkeypatch, change
):
    text = change(HEADER + "".join(r + "\n" for r in MIXED))
    path = write_csv("odd.csv", text)
    sheet_rows = []
    original = ingest_columns._rows
    monkeypatch.setattr(ingest_columns, "_rows", lambda *a: sheet_rows.append(1) or original(*a))
    by_columns, by_rows = _both(
        monkeypatch, personas["investigator"], investigation, other_investigation, [path]
    )
    assert not sheet_rows  # the column reader gave it up
    assert [_summary(r) for r in by_columns] == [_summary(r) for r in by_rows]
    assert _snapshot(investigation) == _snapshot(other_investigation)


def test_a_statement_with_its_account_given_apart_reads_the_same(
    personas, investigation, other_investigation, write_csv, monkeypatch
):
    header = "Ngày giao dịch,Số tiền,Loại giao dịch,Tài khoản đối ứng,Ngân hàng đối ứng,Mã giao dịch\n"
    rows = [
        "01/03/2026 10:00:00,5000000,Ghi có,0033001,BIDV,R1",
        "01/03/2026 10:05:00,-4900000,,0033002,BIDV,R2",
        "01/03/2026 10:06:00,100000,Nợ,0033003,BIDV,R3",
        "01/03/2026 10:07:00,100000,DR,0033003,BIDV,R4",
    ]
    path = write_csv("own.csv", header + "".join(r + "\n" for r in rows))
    by_columns, by_rows = _both(
        monkeypatch,
        personas["investigator"],
        investigation,
        other_investigation,
        [path],
        bank="VCB",
        account="0011 001",
        holder="Công ty TNHH Ánh Dương",
    )
    assert [_summary(r) for r in by_columns] == [_summary(r) for r in by_rows]
    assert by_columns[0].ok and by_columns[0].links_new == 4
    assert _snapshot(investigation) == _snapshot(other_investigation)
    outgoing = Link.objects.unrestricted().filter(investigation=investigation, source__key="VCB:0011001")
    assert sorted(outgoing.values_list("reference", flat=True)) == ["R2", "R3", "R4"]


def test_a_failure_while_reading_the_columns_leaves_nothing(personas, investigation, write_csv, monkeypatch):
    monkeypatch.setattr(ingest, "CHUNK", 3)
    original = ingest_columns._rows

    def failing(*args):
        for i, row in enumerate(original(*args)):
            if i == 10:
                raise MemoryError("out of memory")
            yield row

    monkeypatch.setattr(ingest_columns, "_rows", failing)
    with pytest.raises(MemoryError):
        _import(personas["investigator"], investigation, _file(write_csv, "a.csv", MIXED))
    for model in (Entity, EntitySource, Link, SourceFile):
        assert not model.objects.unrestricted().exists(), model
    assert gc.isenabled()  # the reader pauses the garbage collector only while it reads


def test_the_garbage_collector_runs_again_after_an_import(personas, investigation, write_csv, monkeypatch):
    monkeypatch.setattr(ingest, "CHUNK", 3)
    paused = []
    original = ingest._Writer.write

    def write(self, chunk):
        paused.append(not gc.isenabled())
        return original(self, chunk)

    with pytest.MonkeyPatch.context() as m:
        m.setattr(ingest._Writer, "write", write)
        result = _import(personas["investigator"], investigation, _file(write_csv, "a.csv", MIXED))
    # Paused while the rows are read (the last chunk is written after them).
    assert result.ok and paused == [True, True, True, True, True]
    assert gc.isenabled()


def test_times_read_by_columns_are_the_row_readers(personas, investigation, write_csv):
    rows = [
        f"Vietcombank,0011001,{when},1000,,VND,0022002,Techcombank,,T{i},IB,"
        for i, when in enumerate(["01/01/1976 00:00:00", "31/12/2100 23:59:59", "29/02/2028 07:00:00"])
    ]
    result = _import(personas["investigator"], investigation, _file(write_csv, "t.csv", rows))
    assert result.ok
    times = dict(Link.objects.unrestricted().values_list("reference", "occurred_at"))
    assert times == {
        "T0": dt.datetime(1976, 1, 1, tzinfo=ingest.LOCAL),
        "T1": dt.datetime(2100, 12, 31, 23, 59, 59, tzinfo=ingest.LOCAL),
        "T2": dt.datetime(2028, 2, 29, 7, tzinfo=ingest.LOCAL),
    }
