"""Connected components over vetted links, on one machine (networkit) or on Apache Spark.

Both backends label every node with the smallest node id of its component (string order), so
their results can be compared row for row. Nodes without links are their own component.

The Spark path does not need GraphFrames: it runs min-label propagation with DataFrames (each
node takes the smallest label among itself and its neighbours until no label changes; the
number of rounds is about the diameter of the largest component). Checkpointing every few
rounds keeps the query plan short.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

__all__ = ["connected_components", "spark_connected_components", "spark_session"]


def connected_components(
    edges: pd.DataFrame | Iterable[tuple[str, str]],
    nodes: Iterable[str] | None = None,
    *,
    backend: str = "local",
    spark=None,
    source: str = "source",
    target: str = "target",
) -> pd.DataFrame:
    """One row per node: ``node, component`` (the component's smallest node id), sorted by node.

    ``edges`` is a DataFrame with ``source``/``target`` columns (or pairs); ``nodes`` adds
    isolated nodes. ``backend`` is ``"local"`` (networkit) or ``"spark"``.
    """
    if not isinstance(edges, pd.DataFrame):
        edges = pd.DataFrame(list(edges), columns=[source, target])
    frame = pd.DataFrame(
        {"source": edges[source].astype(str).to_numpy(), "target": edges[target].astype(str).to_numpy()}
    )
    extra = pd.Series([] if nodes is None else list(nodes), dtype=object).astype(str)
    if backend in ("local", "duckdb", "networkit"):
        return _local(frame, extra)
    if backend == "spark":
        return spark_connected_components(frame, extra, spark=spark)
    raise ValueError(f"unknown backend {backend!r}: use 'local' or 'spark'")


def _local(edges: pd.DataFrame, extra: pd.Series) -> pd.DataFrame:
    import networkit as nk

    names = pd.Index(pd.unique(pd.concat([edges["source"], edges["target"], extra], ignore_index=True)))
    names = names.sort_values()
    n = len(names)
    if n == 0:
        return pd.DataFrame({"node": pd.Series(dtype=object), "component": pd.Series(dtype=object)})
    graph = nk.Graph(n, weighted=False, directed=False)
    src = names.get_indexer(edges["source"]).astype(np.uint64)
    dst = names.get_indexer(edges["target"]).astype(np.uint64)
    if len(src):
        graph.addEdges((src, dst), checkMultiEdge=False)
    cc = nk.components.ConnectedComponents(graph)
    cc.run()
    comp = np.asarray(cc.getPartition().getVector(), dtype=np.int64)
    # label each component by its smallest member: names are sorted, so the first index seen
    first = pd.Series(np.arange(n)).groupby(comp).transform("min").to_numpy()
    return pd.DataFrame(
        {"node": names.to_numpy(dtype=object), "component": names.to_numpy(dtype=object)[first]}
    )


def spark_session(app_name: str = "anninh-network"):
    """A local Spark session for tests and single-machine runs: two cores, few shuffle
    partitions, no UI, no progress bar. On a cluster, pass your own session instead."""
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName(app_name)
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.driver.memory", "1g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def spark_connected_components(edges, extra=None, *, spark=None, max_rounds: int = 100):
    """Min-label propagation in PySpark DataFrames.

    ``edges`` is a pandas or Spark DataFrame with ``source``/``target`` string columns.
    Returns a pandas DataFrame ``node, component`` sorted by node.
    """
    from pyspark.sql import functions as F

    spark = spark or spark_session()
    if isinstance(edges, pd.DataFrame):
        edges_sdf = spark.createDataFrame(
            edges[["source", "target"]].astype(str), "source string, target string"
        )
    else:
        edges_sdf = edges.select(F.col("source").cast("string"), F.col("target").cast("string"))
    both = edges_sdf.select(F.col("source").alias("a"), F.col("target").alias("b")).unionByName(
        edges_sdf.select(F.col("target").alias("a"), F.col("source").alias("b"))
    )
    both = both.where(F.col("a") != F.col("b")).distinct().cache()
    nodes = both.select(F.col("a").alias("node"))
    if extra is not None and len(extra):
        nodes = nodes.unionByName(spark.createDataFrame(pd.DataFrame({"node": list(extra)}), "node string"))
    labels = nodes.distinct().withColumn("label", F.col("node")).cache()
    for round_no in range(max_rounds):
        proposals = (
            both.join(labels.withColumnRenamed("node", "b"), on="b")
            .groupBy("a")
            .agg(F.min("label").alias("proposal"))
        )
        updated = (
            labels.join(proposals.withColumnRenamed("a", "node"), on="node", how="left")
            .select(
                "node", F.least(F.col("label"), F.coalesce(F.col("proposal"), F.col("label"))).alias("label")
            )
            .cache()
        )
        changed = updated.join(labels.withColumnRenamed("label", "old"), on="node").where(
            F.col("label") != F.col("old")
        )
        any_change = changed.limit(1).count() > 0
        labels.unpersist()
        labels = updated
        if round_no % 5 == 4:
            labels = labels.localCheckpoint(eager=True)
        if not any_change:
            break
    else:  # pragma: no cover - a component with a diameter over max_rounds
        raise RuntimeError("connected components did not converge")
    result = labels.toPandas().rename(columns={"label": "component"})
    both.unpersist()
    return result.sort_values("node", kind="stable").reset_index(drop=True)
