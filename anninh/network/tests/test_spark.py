"""The Spark path (local mode) gives the results of the single-machine path.

One SparkSession for the module (local[2], two shuffle partitions, no UI). Select or skip
with ``-m spark`` / ``-m "not spark"``.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

pytest.importorskip("pyspark")
pytestmark = [
    pytest.mark.spark,
    pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs a Java runtime"),
]

from anninh.network.components import connected_components, spark_session  # noqa: E402
from anninh.network.generator import generate_case  # noqa: E402
from anninh.network.resolve import resolve_people  # noqa: E402


@pytest.fixture(scope="module")
def spark():
    session = spark_session("anninh-network-tests")
    yield session
    session.stop()


def test_connected_components_equal_on_both_backends(spark) -> None:
    # a long chain (several propagation rounds), a star, a cycle, a self-loop, isolated nodes
    edges = [(f"c{i:02d}", f"c{i + 1:02d}") for i in range(12)]
    edges += [("hub", f"s{i}") for i in range(5)] + [("x", "y"), ("y", "z"), ("z", "x"), ("loop", "loop")]
    nodes = ["alone", "c05", "zz"]
    local = connected_components(edges, nodes, backend="local")
    remote = connected_components(edges, nodes, backend="spark", spark=spark)
    pd.testing.assert_frame_equal(local, remote)
    assert local.set_index("node")["component"]["c12"] == "c00"
    assert local.set_index("node")["component"]["alone"] == "alone"
    assert local["component"].nunique() == 6  # chain, star, triangle, loop, alone, zz


def test_resolution_equal_on_both_backends(spark) -> None:
    case = generate_case(victims=60, seed=5, noise="high")
    local = resolve_people(case.people, backend="duckdb")
    remote = resolve_people(case.people, backend="spark", spark=spark)
    pd.testing.assert_frame_equal(local.clusters, remote.clusters)
    columns = ["record_id_l", "record_id_r", "decision", "rule", "evidence"]
    pd.testing.assert_frame_equal(local.pairs[columns], remote.pairs[columns])
    assert (local.pairs["match_probability"] - remote.pairs["match_probability"]).abs().max() < 1e-6
    assert (local.pairs["decision"] == "linked").any()
    assert set(local.pairs["rule"]) >= {"cccd", "probabilistic"}
