"""Connected components over vetted links, on one machine (networkit) or on Apache Spark.

Both backends label every node with the smallest node id of its component (string order), so
their results can be compared row for row. Nodes without links are their own component.

The Spark path does not need GraphFrames: it runs min-label propagation with DataFrames (each
node takes the smallest label among itself and its neighbours, then the label of that label,
until no label moves; pointer jumping makes the number of rounds
grow with the logarithm of the longest chain, not its length). Each round's labels are
checkpointed locally so the query plan stays short.
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
        # small data: interpreted plans and a quick JIT start faster than generated code
        .config("spark.sql.codegen.wholeStage", "false")
        .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def spark_connected_components(edges, extra=None, *, spark=None, max_rounds: int = 64):
    """Min-label propagation with pointer jumping, in PySpark DataFrames.

    Every node starts with its own id as label. Each round, a node takes the smallest label
    among itself and its neighbours, then the label of that label (pointer jumping), which
    shortens long chains exponentially; the smallest node of a component never changes its
    label, so at the fixed point every node carries its component's smallest id.

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
    pairs = edges_sdf.select(F.col("source").alias("a"), F.col("target").alias("b"))
    both = pairs.unionByName(pairs.select(F.col("b").alias("a"), F.col("a").alias("b")))
    nodes = both.select(F.col("a").alias("node"))
    if extra is not None and len(extra):
        nodes = nodes.unionByName(spark.createDataFrame(pd.DataFrame({"node": list(extra)}), "node string"))
    nodes = nodes.distinct()
    links = both.where(F.col("a") != F.col("b")).distinct().localCheckpoint(eager=True)
    labels = nodes.withColumn("label", F.col("node")).localCheckpoint(eager=True)
    for _ in range(max_rounds):
        proposals = (
            links.join(labels.withColumnRenamed("node", "b"), on="b")
            .groupBy("a")
            .agg(F.min("label").alias("proposal"))
        )
        hop = labels.join(proposals.withColumnRenamed("a", "node"), on="node", how="left").select(
            "node",
            F.col("label").alias("old"),
            F.least("label", F.coalesce("proposal", "label")).alias("label"),
        )
        # pointer jumping: take the label of your label
        jumped = hop.alias("h").join(hop.alias("j"), F.col("h.label") == F.col("j.node"), "left")
        updated = jumped.select(
            F.col("h.node").alias("node"),
            F.least(F.col("h.label"), F.coalesce(F.col("j.label"), F.col("h.label"))).alias("label"),
            F.col("h.old").alias("old"),
        ).localCheckpoint(eager=True)
        # no label moved: every node's label is at most its neighbours', so equal across links
        settled = updated.where(F.col("label") != F.col("old")).limit(1).count() == 0
        labels = updated.select("node", "label")
        if settled:
            break
    else:  # pragma: no cover - a graph needing more than max_rounds rounds
        raise RuntimeError("connected components did not converge")
    result = labels.toPandas().rename(columns={"label": "component"})
    return result.sort_values("node", kind="stable").reset_index(drop=True)
