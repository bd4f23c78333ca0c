"""The compact account graph and rings over vetted link rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from anninh.network.graph import TransactionGraph, as_days, components, rings


def test_accounts_become_consecutive_numbers_in_order_of_appearance():
    graph = TransactionGraph.from_arrays(["b", "a"], ["c", "b"], [1.0, 2.0], [0, 1], accounts=["z"])
    assert graph.ids.tolist() == ["z", "b", "a", "c"]
    assert graph.source.tolist() == [1, 2]
    assert graph.target.tolist() == [3, 1]
    assert graph.nodes_of(["c", "z"]).tolist() == [3, 0]


def test_parallel_transfers_are_one_edge_with_count_and_amount():
    graph = TransactionGraph.from_arrays(["a", "a", "b"], ["b", "b", "a"], [1.0, 2.0, 5.0], [3, 1, 2])
    edges = graph.edges()
    assert edges.values.tolist() == [[0, 1, 2, 3.0, 1.0, 3.0], [1, 0, 1, 5.0, 2.0, 2.0]]
    assert graph.distinct_senders().tolist() == [1, 1]
    assert graph.to_networkit("count").weight(0, 1) == 2.0


def test_times_become_days():
    assert as_days([1, 2.5]).tolist() == [1.0, 2.5]
    assert as_days(["1970-01-02", "1970-01-03T12:00"]).tolist() == [1.0, 2.5]


def test_components_are_numbered_by_their_first_member():
    labels = components(6, np.array([4, 0]), np.array([5, 2]))
    assert labels.tolist() == [0, 1, 0, 2, 3, 3]


def test_rings_join_only_over_vetted_rules_and_keep_their_links():
    links = pd.DataFrame(
        [
            ("acc:1", "acc:2", "payment"),
            ("acc:2", "acc:3", "payment"),
            ("acc:3", "person:A", "holds_account"),
            ("person:A", "person:B", "shared_phone"),
            ("person:B", "acc:9", "holds_account"),
            ("acc:9", "acc:8", "payment"),
        ],
        columns=["a", "b", "rule"],
    )
    found = rings(links, vetted=["payment", "holds_account"])
    assert found.members == {1: ["acc:1", "acc:2", "acc:3", "person:A"], 2: ["acc:8", "acc:9", "person:B"]}
    assert found.ring_of["person:B"] == 2
    assert found.ignored_rules == {"shared_phone": 1}
    assert found.links[2]["rule"].tolist() == ["holds_account", "payment"]
    # A shared phone joins the two only when someone vets that rule.
    assert len(rings(links, vetted=["payment", "holds_account", "shared_phone"]).members) == 1


def test_rings_below_the_minimum_size_are_left_out():
    links = pd.DataFrame([("a", "b", "payment")], columns=["a", "b", "rule"])
    assert rings(links, vetted=["payment"], min_size=3).members == {}
    with pytest.raises(KeyError):
        _ = rings(links, vetted=["payment"], min_size=3).ring_of["a"]
