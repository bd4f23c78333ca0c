"""Connected components on one machine (the Spark path is in test_spark.py)."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anninh.network.components import connected_components


def test_components_named_by_their_smallest_node() -> None:
    edges = pd.DataFrame({"source": ["b", "c", "x", "loop"], "target": ["a", "b", "y", "loop"]})
    result = connected_components(edges, ["alone", "a"])
    assert list(result["node"]) == sorted(result["node"])
    assert dict(zip(result["node"], result["component"], strict=True)) == {
        "a": "a", "b": "a", "c": "a", "x": "x", "y": "x", "loop": "loop", "alone": "alone",
    }  # fmt: skip


def test_pairs_and_other_column_names() -> None:
    pairs = connected_components([("R2", "R1")], source="l", target="r")
    assert list(pairs["component"]) == ["R1", "R1"]
    frame = pd.DataFrame({"l": ["R2"], "r": ["R3"]})
    assert list(connected_components(frame, source="l", target="r")["component"]) == ["R2", "R2"]
    assert connected_components([]).empty
    with pytest.raises(ValueError, match="backend"):
        connected_components([("a", "b")], backend="gpu")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), max_size=40))
def test_same_components_as_networkx(pairs: list[tuple[int, int]]) -> None:
    edges = [(f"n{a:02d}", f"n{b:02d}") for a, b in pairs]
    result = connected_components(edges, ["n99"])
    graph = nx.Graph(edges)
    graph.add_node("n99")
    expected = {node: min(comp) for comp in nx.connected_components(graph) for node in comp}
    assert dict(zip(result["node"], result["component"], strict=True)) == expected
