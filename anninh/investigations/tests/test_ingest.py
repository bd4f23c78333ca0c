"""Importing an investigation's material: dry run, bad rows by number, all or nothing,
idempotent re-imports, provenance, bank mappings, debit/credit or signed amounts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from anninh.audit.models import AuditAction, AuditEvent
from anninh.investigations.ingest import material_import, parse_amount
from anninh.investigations.models import BankMapping, Entity, Link, SourceFile
from anninh.investigations.selectors import entity_detail

pytestmark = pytest.mark.django_db

COMPLAINTS = """Họ và tên,Số CCCD,Số điện thoại,Tỉnh,Ngày trình báo,Số tiền bị lừa,Ngân hàng nhận,Tài khoản nhận,Số tiền chuyển,Thời gian chuyển
Nguyễn Văn An,031095012345,0912345678,Hải Phòng,01/03/2026,"50.000.000",Vietcombank,0011002345678,"30.000.000",01/03/2026 09:15
Nguyễn Văn An,031095012345,0912345678,Hải Phòng,01/03/2026,"50.000.000",Vietcombank,0011002345678,"20.000.000",02/03/2026 10:00
Trần Thị Bình,,01681234567,Hà Nội,05/03/2026,15000000,Techcombank,19033334444,15000000,04/03/2026 20:00
"""

STATEMENT = """Ngày giao dịch,Số tham chiếu,Ghi nợ,Ghi có,Số TK đối ứng,Ngân hàng đối ứng,Tên đối ứng,Nội dung
01/03/2026 09:15,FT001,,30.000.000,1234567890,Vietcombank,NGUYEN VAN AN,chuyen tien
01/03/2026 10:40,FT002,29.500.000,,99887766,MB,TRAN VAN C,rut
"""


def _import(actor, inv, path, kind="complaints", **kw):
    return material_import(actor=actor, investigation=inv, kind=kind, path=path, **kw)


def test_a_dry_run_reports_what_would_be_new_and_writes_nothing(personas, investigation, write_csv):
    result = _import(personas["investigator"], investigation, write_csv("c.csv", COMPLAINTS))
    assert result.ok and result.rows == 3
    assert result.entities_new > 0 and result.links_new > 0
    assert not Entity.objects.unrestricted().exists()
    assert not SourceFile.objects.unrestricted().exists()


def test_a_commit_keeps_every_fact_with_its_provenance(personas, investigation, write_csv):
    investigator = personas["investigator"]
    result = _import(investigator, investigation, write_csv("c.csv", COMPLAINTS), dry_run=False)
    assert result.ok, result.problems
    victim = Entity.objects.unrestricted().get(kind="person", key="cccd:031095012345")
    rows = [s.row for s in entity_detail(viewer=investigator, entity=victim)["sources"]]
    assert rows == [2, 3]  # both rows that named them (their links keep the rows)
    batch = SourceFile.objects.unrestricted().get()
    assert batch.created_by == investigator and batch.file_name == "c.csv"
    payments = Link.objects.unrestricted().filter(kind="payment").order_by("row")
    assert [p.amount for p in payments] == [Decimal("30000000"), Decimal("20000000"), Decimal("15000000")]
    assert payments[0].target.key == "VCB:0011002345678" and payments[0].row == 2
    # The old 11-digit mobile number is today's 10-digit one; no CCCD: keyed by name and phone.
    assert Entity.objects.unrestricted().filter(kind="phone", key="+84381234567").exists()
    assert (
        AuditEvent.objects.unrestricted()
        .filter(action=AuditAction.CREATE, object_type="investigations.sourcefile")
        .exists()
    )


def test_the_same_file_twice_adds_nothing(personas, investigation, write_csv):
    path = write_csv("c.csv", COMPLAINTS)
    _import(personas["investigator"], investigation, path, dry_run=False)
    counts = (Entity.objects.unrestricted().count(), Link.objects.unrestricted().count())
    again = _import(personas["investigator"], investigation, path, dry_run=False)
    assert again.already_imported
    # The same rows in another file (another name, one more column) add nothing either.
    other = write_csv("c2.csv", COMPLAINTS.replace("Thời gian chuyển\n", "Thời gian chuyển,Ghi chú\n"))
    third = _import(personas["investigator"], investigation, other, dry_run=False)
    assert third.ok and third.entities_new == 0 and third.links_new == 0
    assert (Entity.objects.unrestricted().count(), Link.objects.unrestricted().count()) == counts


def test_every_bad_row_is_reported_by_number_and_nothing_is_imported(personas, investigation, write_csv):
    bad = (
        COMPLAINTS
        + "Lê Văn Cường,031095012346,abc,Hải Phòng,01/03/2026,1000,Ngân hàng Ma,123,1000,01/03/2026\n"
    )
    bad += "Phạm Thị Dung,12345,0912000111,Hải Phòng,99/99/2026,x,Vietcombank,0011002345679,10,01/03/2026\n"
    result = _import(personas["investigator"], investigation, write_csv("bad.csv", bad), dry_run=False)
    assert not result.ok
    by_row = {}
    for p in result.problems:
        by_row.setdefault(p.row, set()).add(p.code)
    assert by_row[5] == {"phone.not_digits", "bank.unknown"}
    assert {"cccd.length", "time", "amount"} <= by_row[6]
    assert not Entity.objects.unrestricted().exists() and not SourceFile.objects.unrestricted().exists()


def test_a_bank_statement_with_debit_and_credit_columns_gives_directed_payments(
    personas, investigation, write_csv
):
    result = _import(
        personas["investigator"],
        investigation,
        write_csv("vcb.csv", STATEMENT),
        kind="bank_statement",
        bank="VCB",
        account="0011002345678",
        dry_run=False,
    )
    assert result.ok, result.problems
    inflow, outflow = Link.objects.unrestricted().order_by("row")
    assert (inflow.source.key, inflow.target.key, inflow.amount) == (
        "VCB:1234567890",
        "VCB:0011002345678",
        30000000,
    )
    assert (outflow.source.key, outflow.target.key, outflow.amount) == (
        "VCB:0011002345678",
        "MB:99887766",
        Decimal("29500000"),
    )


def test_a_signed_amount_in_another_currency_is_kept_as_given_and_the_mapping_is_saved(
    personas, investigation, write_csv
):
    text = "Booking date,Ref,Amount,Currency,Beneficiary acct,Beneficiary bank\n"
    text += "2026-03-01 09:00,X1,-1250.50,USD,1234567890,Techcombank\n"
    mapping = {
        "time": "Booking date",
        "reference": "Ref",
        "counterparty_account": "Beneficiary acct",
        "counterparty_bank": "Beneficiary bank",
    }
    result = _import(
        personas["investigator"],
        investigation,
        write_csv("tcb.csv", text),
        kind="bank_statement",
        bank="TCB",
        account="19033334444",
        mapping=mapping,
        dry_run=False,
    )
    assert result.ok, result.problems
    link = Link.objects.unrestricted().get()
    assert (link.amount, link.currency, link.source.key) == (Decimal("1250.50"), "USD", "TCB:19033334444")
    assert BankMapping.objects.get(bank="TCB").mapping["counterparty_account"] == "Beneficiary acct"
    # Next time the saved mapping is the default for that bank.
    again = _import(
        personas["investigator"],
        investigation,
        write_csv("tcb2.csv", text.replace("X1", "X2")),
        kind="bank_statement",
        bank="TCB",
        account="19033334444",
    )
    assert again.ok and again.mapping["reference"] == "Ref"


def test_calls_crypto_and_registry_extracts_import(personas, investigation, write_csv):
    inv, who = investigation, personas["investigator"]
    calls = "Số gọi,Số bị gọi,Thời gian bắt đầu,Thời lượng\n0912345678,+84 38 123 4567,01/03/2026 08:00,125\n"
    assert _import(who, inv, write_csv("cdr.csv", calls), kind="calls", dry_run=False).ok
    companies = "Tên doanh nghiệp,Mã số thuế,Người đại diện,Địa chỉ\nCông ty TNHH Đầu tư Số,0100109106,Lê Văn Chủ,Số 1 Lạch Tray\n"
    result = _import(who, inv, write_csv("dkkd.csv", companies), kind="companies", dry_run=False)
    assert result.ok, result.problems
    assert Link.objects.unrestricted().filter(kind="directorship").count() == 1
    holders = "Ngân hàng,Số tài khoản,Họ tên,CCCD\nMB,99887766,Trần Văn C,031095012347\n"
    assert _import(who, inv, write_csv("holders.csv", holders), kind="account_holders", dry_run=False).ok
    assert Link.objects.unrestricted().filter(kind="holds_account", target__key="MB:99887766").exists()


def test_only_the_team_imports(personas, investigation, write_csv):
    with pytest.raises(PermissionDenied):
        _import(personas["commander"], investigation, write_csv("c.csv", COMPLAINTS))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.500.000", "1500000"),
        ("1,500,000.50", "1500000.50"),
        ("1.500.000,5", "1500000.5"),
        ("-2000000", "-2000000"),
        ("1 500 000 đ", "1500000"),
        ("0.5", "0.5"),
        ("12,5", "12.5"),
    ],
)
def test_amounts_are_read_as_people_write_them(text, value):
    assert parse_amount(text) == Decimal(value)


def test_the_command_imports_with_a_progress_bar_and_reports_bad_rows(investigation, write_csv, capsys):
    from django.core.management import CommandError, call_command

    path = write_csv("c.csv", COMPLAINTS)
    call_command("investigation_import", investigation.code, "complaints", str(path), "--dry-run")
    assert not Entity.objects.unrestricted().exists()
    call_command("investigation_import", investigation.code, "complaints", str(path))
    assert Link.objects.unrestricted().filter(kind="payment").count() == 3
    bad = write_csv("bad.csv", COMPLAINTS + "X,,,,,,Vietcombank,abc,1,01/03/2026\n")
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("investigation_import", investigation.code, "complaints", str(bad), "--no-progress")
    assert "\t" in capsys.readouterr().err
