"""``python -m anninh.network score`` on a tiny file shaped like IBM AMLSim's output.

Twelve ordinary accounts pay each other sums of 100-600; accounts 7, 8 and 9 also send tiny
sums (3-5) to 10 (a fan-in). 0, 2, 4 and 11 traded with them, in ordinary sums only.
nodes.csv carries isFraud like AMLSim's: the command must not read it.
"""

from __future__ import annotations

import csv
import gzip
import subprocess
import sys
from pathlib import Path

import pytest

from anninh.network.cli import main

ORDINARY = [
    (0, 1, 150.25),
    (1, 2, 320.00),
    (2, 3, 410.10),
    (3, 4, 230.00),
    (4, 5, 180.75),
    (5, 6, 560.00),
    (6, 0, 275.50),
    (1, 5, 199.99),
    (2, 6, 345.00),
    (3, 0, 120.00),
    (4, 1, 480.40),
    (5, 2, 260.00),
    (6, 3, 390.00),
    (0, 4, 215.00),
    (7, 0, 300.00),
    (8, 2, 250.00),
    (9, 4, 410.00),
    (11, 10, 200.00),
    (11, 3, 330.00),
]
LAUNDERING = [(7, 10, 3.91), (8, 10, 4.62), (9, 10, 3.33), (7, 10, 4.10)]


def write_amlsim(folder: Path, *, gz: bool = False, flip_labels: bool = False) -> tuple[Path, Path]:
    opener = gzip.open if gz else open
    suffix = ".csv.gz" if gz else ".csv"
    transactions = folder / f"transactions{suffix}"
    nodes = folder / f"nodes{suffix}"
    with opener(transactions, "wt", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["sourceNodeId", "targetNodeId", "value", "time"])
        for step, (source, target, value) in enumerate(ORDINARY + LAUNDERING, start=1):
            writer.writerow([source, target, f"{value:.2f}", step])
    with opener(nodes, "wt", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["nodeid", "isFraud", "init_balance", "fraudStep"])
        for node in range(13):  # 12 has no transaction at all
            fraud = int(node in {7, 8, 9, 10}) ^ int(flip_labels)
            writer.writerow([node, fraud, "250.00", -1])
    return transactions, nodes


ARGS = [
    "--source-column",
    "sourceNodeId",
    "--target-column",
    "targetNodeId",
    "--amount-column",
    "value",
    "--time-column",
    "time",
]


def run(transactions: Path, nodes: Path | None, out: Path) -> int:
    argv = ["score", "--transactions", str(transactions), *ARGS, "--out", str(out)]
    if nodes is not None:
        argv += ["--accounts", str(nodes), "--account-column", "nodeid"]
    return main(argv)


def read(out: Path) -> list[list[str]]:
    with out.open(newline="") as handle:
        return list(csv.reader(handle))


@pytest.mark.parametrize("gz", [False, True])
def test_scores_one_row_per_account_highest_first_with_rings(tmp_path, gz):
    transactions, nodes = write_amlsim(tmp_path, gz=gz)
    out = tmp_path / "scores.csv"
    assert run(transactions, nodes, out) == 0
    rows = read(out)
    assert rows[0] == ["account", "score", "ring"]
    body = rows[1:]
    assert sorted(row[0] for row in body) == sorted(str(n) for n in range(13))
    scores = [float(row[1]) for row in body]
    assert scores == sorted(scores, reverse=True)
    assert all(len(row[1].split(".")[1]) == 6 for row in body)
    # The four accounts of the fan-in come first, in one ring; nobody else has a ring.
    assert {row[0] for row in body[:4]} == {"7", "8", "9", "10"}
    assert {row[2] for row in body[:4]} == {"1"}
    assert all(row[2] == "" for row in body[4:])
    # 0, 2, 4 and 11 traded with the fan-in's accounts: ranked above the other ordinary ones.
    assert {row[0] for row in body[4:8]} == {"0", "2", "4", "11"}
    assert all(float(row[1]) > 0 for row in body[4:8])
    assert all(float(row[1]) == 0 for row in body[8:])
    assert ["12", "0.000000", ""] in body[8:]


def test_labels_in_the_accounts_file_are_never_read(tmp_path):
    first = tmp_path / "a"
    second = tmp_path / "b"
    first.mkdir()
    second.mkdir()
    run(*write_amlsim(first), first / "scores.csv")
    run(*write_amlsim(second, flip_labels=True), second / "scores.csv")
    assert read(first / "scores.csv") == read(second / "scores.csv")


def test_without_an_accounts_file_only_accounts_with_transactions_are_scored(tmp_path):
    transactions, _ = write_amlsim(tmp_path)
    out = tmp_path / "scores.csv"
    assert run(transactions, None, out) == 0
    assert "12" not in {row[0] for row in read(out)[1:]}


def test_a_missing_column_is_an_error_with_exit_status_2(tmp_path, capsys):
    transactions, _ = write_amlsim(tmp_path)
    argv = ["score", "--transactions", str(transactions), *ARGS, "--out", str(tmp_path / "o.csv")]
    argv[argv.index("value")] = "amount"
    assert main(argv) == 2
    assert "no column amount" in capsys.readouterr().err


def test_subcommands_of_cli_resolve_are_added_when_it_exists(monkeypatch, tmp_path):
    """Helper er's module adds its own subcommands through register(subparsers)."""
    import importlib.machinery
    import types

    fake = types.ModuleType("anninh.network.cli_resolve")
    fake.__spec__ = importlib.machinery.ModuleSpec("anninh.network.cli_resolve", None)
    calls = []

    def register(subparsers):
        parser = subparsers.add_parser("resolve")
        parser.add_argument("--marker")
        parser.set_defaults(func=lambda args: calls.append(args.marker) or 0)

    fake.register = register
    monkeypatch.setitem(sys.modules, "anninh.network.cli_resolve", fake)
    assert main(["resolve", "--marker", "x"]) == 0
    assert calls == ["x"]


def test_runs_as_a_module(tmp_path):
    transactions, nodes = write_amlsim(tmp_path)
    out = tmp_path / "scores.csv"
    argv = [sys.executable, "-m", "anninh.network", "score", "--transactions", str(transactions), *ARGS]
    argv += ["--accounts", str(nodes), "--account-column", "nodeid", "--out", str(out)]
    completed = subprocess.run(argv, capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr
    assert read(out)[0] == ["account", "score", "ring"]


def test_bank_statement_with_dates_and_leading_zeros(tmp_path):
    """Account numbers keep their leading zeros; times may be dates."""
    path = tmp_path / "statement.csv"
    rows = [("0011", "0022", 250.0 + i, f"2026-03-{i + 1:02d} 09:30") for i in range(12)]
    rows += [("0033", "0022", 2.5, "2026-03-20 10:00"), ("0044", "0022", 3.0, "2026-03-20 11:00")]
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["from", "to", "amount", "when"])
        writer.writerows(rows)
    out = tmp_path / "scores.csv"
    argv = ["score", "--transactions", str(path), "--source-column", "from", "--target-column", "to"]
    argv += ["--amount-column", "amount", "--time-column", "when", "--out", str(out)]
    assert main(argv) == 0
    body = read(out)[1:]
    assert {row[0] for row in body} == {"0011", "0022", "0033", "0044"}
    assert {row[0] for row in body[:2]} == {"0033", "0044"}
    assert [row[0] for row in body[2:]] == ["0022", "0011"]
    # One ring: the three accounts joined by unusual transfers; 0011 only traded ordinary sums.
    assert {row[0]: row[2] for row in body} == {"0022": "1", "0033": "1", "0044": "1", "0011": ""}
    assert float(body[-1][1]) > 0


def test_times_that_are_neither_numbers_nor_dates_are_an_error(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("from,to,amount,when\na,b,1,yesterday\n", encoding="utf-8")
    argv = ["score", "--transactions", str(path), "--source-column", "from", "--target-column", "to"]
    argv += ["--amount-column", "amount", "--time-column", "when", "--out", str(tmp_path / "o.csv")]
    assert main(argv) == 2
    assert "when" in capsys.readouterr().err
