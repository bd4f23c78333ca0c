"""``resolve`` and ``generate`` subcommands (anninh.network.cli_resolve)."""

from __future__ import annotations

import argparse
import json

import pandas as pd
import pytest

from anninh.network import cli_resolve


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    cli_resolve.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


def test_generate_writes_the_case_and_its_truth(tmp_path) -> None:
    out = tmp_path / "case"
    assert run(["generate", "--victims", "40", "--transactions", "3000", "--seed", "3", "--noise", "high",
                "--out", str(out)]) == 0  # fmt: skip
    transactions = pd.read_csv(out / "transactions.csv", dtype={"source": str, "target": str})
    assert len(transactions) == 3000
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    victims = pd.read_csv(out / "truth_victims.csv")
    assert truth["distinct_victims"] == len(victims) == 40
    assert (
        truth["money_lost"] == victims["money_lost"].sum() == (victims["payments"] - victims["refunds"]).sum()
    )
    people = pd.read_csv(out / "people.csv", dtype=str)
    assert set(pd.read_csv(out / "truth_people.csv")["record_id"]) == set(people["record_id"])


def test_resolve_writes_clusters_and_pairs_from_files_with_other_headers(tmp_path) -> None:
    complaints = pd.DataFrame({
        "Họ và tên": ["Nguyễn Văn Hùng", "Lê Thị Mai", "Nguyễn Thị Lan"],
        "Ngày sinh": ["1980-02-03", "1990-01-01", "1982-07-07"],
        "Số điện thoại": ["0912 345 678", "0987654321", "0912345678"],
        "Số CCCD": ["031080123456", None, None],
    })  # fmt: skip
    kyc = pd.DataFrame({"record_id": ["B1"], "name": ["NGUYEN VAN HUNG"], "cccd": ["031080123456"]})
    complaints.to_csv(tmp_path / "complaints.csv", index=False)
    kyc.to_excel(tmp_path / "kyc.xlsx", index=False)
    out, pairs = tmp_path / "clusters.csv", tmp_path / "pairs.csv"
    code = run([
        "resolve", "--people", str(tmp_path / "complaints.csv"), str(tmp_path / "kyc.xlsx"),
        "--column", "name=Họ và tên", "--column", "birth_date=Ngày sinh", "--column", "phone=Số điện thoại",
        "--column", "cccd=Số CCCD", "--out", str(out), "--pairs", str(pairs),
    ])  # fmt: skip
    assert code == 0
    clusters = pd.read_csv(out, dtype=str).set_index("record_id")
    assert list(clusters.columns) == ["cluster", "file", "row"]
    assert clusters.loc["complaints.csv:2", "cluster"] == clusters.loc["B1", "cluster"]
    # husband and wife share a phone: not one person
    assert clusters.loc["complaints.csv:4", "cluster"] != clusters.loc["complaints.csv:2", "cluster"]
    scored = pd.read_csv(pairs)
    assert {"decision", "evidence", "match_probability"} <= set(scored.columns)


def test_resolve_reports_unusable_input(tmp_path, capsys) -> None:
    (tmp_path / "bad.csv").write_text("who,phone\nAn,0912345678\n", encoding="utf-8")
    assert run(["resolve", "--people", str(tmp_path / "bad.csv"), "--out", str(tmp_path / "o.csv")]) == 2
    assert "no column for the name" in capsys.readouterr().err
    assert run(["resolve", "--people", str(tmp_path / "bad.csv"), "--column", "oops",
                "--out", str(tmp_path / "o.csv")]) == 2  # fmt: skip
    with pytest.raises(SystemExit):
        run(["generate", "--noise", "loud", "--out", str(tmp_path)])


def test_resolve_can_train_the_model_on_the_records(tmp_path) -> None:
    assert (
        run(["generate", "--victims", "150", "--seed", "2", "--noise", "medium", "--out", str(tmp_path)]) == 0
    )
    out = tmp_path / "trained.csv"
    assert (
        run(
            ["resolve", "--people", str(tmp_path / "people.csv"), "--train", "--seed", "1", "--out", str(out)]
        )
        == 0
    )
    truth = pd.read_csv(tmp_path / "truth_people.csv").set_index("record_id")["person_id"]
    found = pd.read_csv(out).set_index("record_id")["cluster"]
    # no two true people in one cluster, and most duplicates found
    mixed = pd.DataFrame({"truth": truth, "found": found}).groupby("found")["truth"].nunique()
    assert (mixed == 1).all()
    assert found.nunique() < len(found)
