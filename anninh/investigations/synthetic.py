"""A synthetic case from the network library's generator, written as the files an investigation
receives (complaint list, bank statements, account-holder and company registry extracts, call
records) and imported through the same import as real material. For the demo and the tests:
what comes out of the import and the analysis can be held against the generator's ground truth.
"""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

import pandas as pd

from anninh.investigations.ingest import ImportResult, material_import
from anninh.investigations.models import Investigation
from anninh.network.generator import SyntheticCase, generate_case


def _dmy(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return ""
    return pd.Timestamp(value).strftime("%d/%m/%Y %H:%M:%S")


def _write(path: Path, header: list[str], rows) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def case_files(case: SyntheticCase, folder: Path) -> dict[str, Path]:
    """The case as import files: {kind: path}."""
    v = case.victims.set_index("record_id")
    complaints = []
    for p in case.payments.itertuples(index=False):
        victim = v.loc[p.record_id]
        complaints.append(
            [victim["name"], victim["cccd"] or "", victim["phone"] or "", victim["birth_date"] or "",
             victim["province"], victim["commune"], _dmy(victim["complaint_date"]), victim["claimed_loss"],
             p.bank, p.number, p.amount, _dmy(p.time)]
        )  # fmt: skip
    files = {
        "complaints": _write(
            folder / "don-to-giac.csv",
            [
                "Họ và tên",
                "Số CCCD",
                "Số điện thoại",
                "Ngày sinh",
                "Tỉnh",
                "Xã/Phường",
                "Ngày trình báo",
                "Số tiền bị lừa",
                "Ngân hàng nhận",
                "Tài khoản nhận",
                "Số tiền chuyển",
                "Thời gian chuyển",
            ],
            complaints,
        )
    }
    statement = []
    for t in case.transactions.itertuples(index=False):
        bank, number = t.source.split(":", 1)
        if t.target.startswith("CASH:"):
            cp_bank, cp = "", ""
        elif t.target.startswith("TRON:") or t.target.split(":", 1)[0] in ("ETH", "BSC", "BTC"):
            cp_bank, cp = t.target.split(":", 1)
        else:
            cp_bank, cp = t.target.split(":", 1)
        statement.append([bank, number, _dmy(t.time), t.amount, t.currency, cp, cp_bank, t.id, t.channel])
    files["bank_statement"] = _write(
        folder / "sao-ke.csv",
        ["Ngân hàng", "Số tài khoản", "Thời gian giao dịch", "Ghi nợ", "Loại tiền", "Số TK đối ứng",
         "Ngân hàng đối ứng", "Số tham chiếu", "Kênh"],
        statement,
    )  # fmt: skip
    people = case.people.set_index("record_id")
    holders = []
    for a in case.accounts.itertuples(index=False):
        if isinstance(a.holder_record_id, str) and a.holder_record_id in people.index:
            h = people.loc[a.holder_record_id]
            holders.append([a.bank, a.number, h["name"], h["cccd"] or "", h["phone"] or ""])
    files["account_holders"] = _write(
        folder / "chu-tai-khoan.csv",
        ["Ngân hàng", "Số tài khoản", "Họ tên", "CCCD", "Số điện thoại"],
        holders,
    )
    companies = []
    for c in case.companies.itertuples(index=False):
        rep = people.loc[c.legal_rep_record_id] if c.legal_rep_record_id in people.index else None
        companies.append(
            [c.name, c.tax_code, c.legal_rep_name, "" if rep is None else rep["cccd"] or "", c.address]
        )
    files["companies"] = _write(
        folder / "dang-ky-kinh-doanh.csv",
        ["Tên doanh nghiệp", "Mã số thuế", "Người đại diện", "CCCD người đại diện", "Địa chỉ"],
        companies,
    )
    files["calls"] = _write(
        folder / "cdr.csv",
        ["Số gọi", "Số bị gọi", "Thời gian bắt đầu", "Thời lượng"],
        [[c.caller, c.callee, _dmy(c.time), c.duration_s] for c in case.calls.itertuples(index=False)],
    )
    return files


def synthetic_import(
    *,
    actor,
    investigation: Investigation,
    victims: int = 60,
    seed: int = 0,
    noise: str = "low",
    transactions: int | None = None,
) -> tuple[SyntheticCase, list[ImportResult]]:
    """Generate a case and import its files into the investigation (all or nothing each)."""
    case = generate_case(victims=victims, seed=seed, noise=noise, transactions=transactions)
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for kind, path in case_files(case, Path(folder)).items():
            results.append(
                material_import(actor=actor, investigation=investigation, kind=kind, path=path, dry_run=False)
            )
    return case, results
