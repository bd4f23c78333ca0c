"""The account score: unusual amounts, the neighbourhood, and the reasons given."""

from __future__ import annotations

import numpy as np
import pytest

from anninh.network.graph import TransactionGraph
from anninh.network.score import score_accounts, unusual_transfers


def test_unusual_amounts_are_far_from_the_files_typical_amount_on_a_log_scale():
    amounts = np.array([200.0, 250.0, 300.0, 220.0, 280.0, 260.0, 4.0, 90_000.0])
    assert unusual_transfers(amounts).tolist() == [False] * 6 + [True, True]


def test_no_transfer_is_unusual_when_amounts_do_not_vary():
    assert not unusual_transfers(np.full(5, 100.0)).any()
    assert unusual_transfers(np.array([])).size == 0


@pytest.fixture
def graph() -> TransactionGraph:
    """Ordinary accounts O1..O6 in a ring of 200s; S sends 3 tiny sums to H; N traded once with S."""
    rows = [(f"O{i}", f"O{i % 6 + 1}", 200.0 + 10 * i, i) for i in range(1, 7)]
    rows += [("O1", "O4", 240.0, 7), ("O2", "O5", 260.0, 8)]
    rows += [("S", "H", 3.0, 9), ("S", "H", 4.0, 10), ("S", "H", 3.5, 11), ("N", "S", 230.0, 12)]
    source, target, amount, time = zip(*rows, strict=True)
    return TransactionGraph.from_arrays(source, target, amount, time)


def test_reasons_give_the_numbers_and_the_ids(graph):
    table = score_accounts(graph).set_index("account")
    assert table.loc["S", "reasons"] == [
        "3 of 4 transfers have an unusual amount for this file",
        "1 of 2 counterparties made unusual transfers (H)",
    ]
    assert table.loc["N", "reasons"] == ["1 of 1 counterparties made unusual transfers (S)"]
    assert table.loc["O1", "reasons"] == []
    assert table.loc["S", "reason_codes"] == [
        ("unusual_amounts", {"unusual": 3, "transfers": 4}),
        ("suspicious_counterparties", {"suspicious": 1, "counterparties": 2, "ids": ["H"]}),
    ]
    assert table.loc["H", "ring"] == table.loc["S", "ring"] == 1
    assert table.loc["N", "ring"] is None


def test_the_score_orders_own_evidence_then_neighbourhood(graph):
    table = score_accounts(graph)
    assert table["account"].tolist()[:3] == ["H", "S", "N"]
    assert table.loc[table["account"] == "H", "score"].item() == pytest.approx(1.0 + 0.1 * 0.5)
    assert (table["score"].iloc[3:] == 0).all()


def test_parts_can_be_switched_off_for_ablations(graph):
    amount_only = score_accounts(graph, parts=("amount",)).set_index("account")
    assert amount_only.loc["N", "score"] == 0
    network_only = score_accounts(graph, parts=("network",)).set_index("account")
    assert network_only.loc["N", "score"] > 0
    assert network_only.loc["S", "score"] < 1
    with pytest.raises(ValueError, match="unknown"):
        score_accounts(graph, parts=("labels",))
