"""Typologies within time windows and paths, on hand-drawn graphs."""

from __future__ import annotations

import pandas as pd
import pytest

from anninh.network.graph import TransactionGraph
from anninh.network.paths import k_shortest_paths, shortest_path
from anninh.network.typologies import cycles, fan_in, fan_out, scatter_gather


def graph_of(rows: list[tuple]) -> TransactionGraph:
    source, target, amount, time = zip(*rows, strict=True)
    return TransactionGraph.from_arrays(
        source, target, amount, time, tx_ids=[f"t{i}" for i in range(len(rows))]
    )


FAN = graph_of(
    [
        ("A1", "H", 10.0, 1.0),
        ("A2", "H", 10.0, 1.5),
        ("A3", "H", 10.0, 2.0),
        ("A4", "H", 10.0, 2.5),
        ("A5", "H", 10.0, 3.0),
        ("A6", "H", 10.0, 10.0),
        ("A1", "H", 10.0, 3.1),
        ("H", "B1", 5.0, 4.0),
        ("H", "B2", 5.0, 4.5),
        ("H", "B3", 5.0, 9.0),
    ]
)


def test_fan_in_finds_the_busiest_window_with_its_transactions():
    table = fan_in(FAN, window_days=3, min_accounts=5)
    assert table["account"].tolist() == ["H"]
    row = table.iloc[0]
    assert (row["accounts"], row["transfers"], row["start"], row["end"]) == (5, 5, 1.0, 3.0)
    assert row["counterparties"] == ["A1", "A2", "A3", "A4", "A5"]
    assert row["transactions"] == ("t0", "t1", "t2", "t3", "t4")


def test_fan_in_counts_only_senders_within_the_window():
    assert fan_in(FAN, window_days=1, min_accounts=4).empty
    assert fan_in(FAN, window_days=1, min_accounts=3).iloc[0]["accounts"] == 3


def test_fan_out_mirrors_fan_in():
    assert fan_out(FAN, window_days=1, min_accounts=2)["account"].tolist() == ["H"]
    assert fan_out(FAN, window_days=1, min_accounts=3).empty
    assert fan_out(FAN, window_days=5, min_accounts=3).iloc[0]["counterparties"] == ["B1", "B2", "B3"]


CYCLE = graph_of(
    [
        ("A", "B", 100.0, 1),
        ("B", "C", 90.0, 2),
        ("C", "A", 80.0, 3),
        # Not time-respecting: E → F happened before D → E.
        ("D", "E", 50.0, 5),
        ("E", "F", 50.0, 4),
        ("F", "D", 50.0, 6),
        # Too slow: back after 19 days.
        ("P", "Q", 10.0, 1),
        ("Q", "P", 10.0, 20),
    ]
)


def test_cycles_respect_time_order_and_window():
    table = cycles(CYCLE, window_days=7)
    assert table["accounts"].tolist() == [["A", "B", "C", "A"]]
    row = table.iloc[0]
    assert (row["length"], row["amount"], row["transactions"]) == (3, 80.0, ("t0", "t1", "t2"))


def test_cycles_are_bounded_in_length_and_window():
    assert cycles(CYCLE, window_days=7, max_length=2).empty
    assert cycles(CYCLE, window_days=30)["accounts"].tolist() == [["A", "B", "C", "A"], ["P", "Q", "P"]]


SCATTER = [
    ("S", "M1", 100.0, 1),
    ("S", "M2", 100.0, 1),
    ("S", "M3", 100.0, 1),
    ("M1", "T", 95.0, 2),
    ("M2", "T", 95.0, 2),
    ("M3", "T", 95.0, 3),
]


def test_scatter_gather_finds_source_middles_and_target():
    table = scatter_gather(graph_of(SCATTER), window_days=7, min_middle=3)
    assert table[["source", "target"]].values.tolist() == [["S", "T"]]
    row = table.iloc[0]
    assert row["middle"] == ["M1", "M2", "M3"]
    assert row["amount"] == 285.0
    assert len(row["transactions"]) == 6


def test_scatter_gather_needs_each_second_leg_after_the_first():
    rows = [*SCATTER[:5], ("M3", "T", 95.0, 0)]
    assert scatter_gather(graph_of(rows), window_days=7, min_middle=3).empty
    assert scatter_gather(graph_of(SCATTER), window_days=1.5, min_middle=3).empty


PATHS = graph_of(
    [
        *[("A", "B", 1.0, d) for d in range(4)],
        *[("B", "D", 1.0, d) for d in range(4)],
        ("A", "C", 1.0, 1),
        ("C", "D", 1.0, 2),
        ("A", "E", 1.0, 1),
        ("E", "F", 1.0, 2),
        ("F", "D", 1.0, 3),
    ]
)


def test_k_shortest_paths_in_order_of_hops_ties_by_ids():
    found = k_shortest_paths(PATHS, "A", "D", k=4)
    assert [(p.accounts, p.cost) for p in found] == [
        (["A", "B", "D"], 2.0),
        (["A", "C", "D"], 2.0),
        (["A", "E", "F", "D"], 3.0),
    ]


def test_shortest_path_follows_the_most_used_pairs_with_inverse_count():
    path = shortest_path(PATHS, "A", "D", weight="inverse_count")
    assert path.accounts == ["A", "B", "D"]
    assert path.cost == pytest.approx(0.5)
    assert shortest_path(PATHS, "A", "D").cost == 2.0


def test_directed_paths_follow_the_money_only():
    assert shortest_path(PATHS, "D", "A", directed=True) is None
    assert k_shortest_paths(PATHS, "D", "A", directed=True) == []
    assert shortest_path(PATHS, "D", "A").accounts[0] == "D"
    assert shortest_path(PATHS, "A", "nobody") is None


def test_paths_over_a_links_table_of_entities():
    links = pd.DataFrame(
        [("person:A", "acc:1"), ("acc:1", "acc:2"), ("person:B", "acc:2"), ("person:A", "phone:1")],
        columns=["a", "b"],
    )
    assert shortest_path(links, "person:A", "person:B").accounts == ["person:A", "acc:1", "acc:2", "person:B"]
    assert len(k_shortest_paths(links, "person:A", "person:B", k=2)) == 1
