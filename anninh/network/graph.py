"""A compact graph of accounts built from transaction arrays, on networkit.

Account ids of any kind (strings, numbers) become consecutive integers once, and every later step
(tracing, roles, typologies, scores, paths) works on integer numpy arrays. networkit (MIT licence)
runs the graph algorithms; igraph was the other fast engine measured here but is GPL-2.0+, which
would bind every deployment of anninh to the GPL's terms for a library we only call.

Public API (stable; other modules and the investigations app call these):

- :func:`as_days` – times (numbers, datetimes, ISO strings) as float days.
- :class:`TransactionGraph` – ``TransactionGraph.from_arrays(source, target, amount, time,
  *, tx_ids=None, accounts=None)``; attributes ``ids`` (account id of each node), ``source``,
  ``target`` (node ints), ``amount``, ``time`` (float days), ``tx_ids``; methods
  ``nodes_of(ids)``, ``edges()`` (one row per ordered pair: count, amount, first, last),
  ``to_networkit(weight=None|"count"|"amount"|"inverse_count", directed=True)``,
  ``in_degree()``, ``out_degree()``, ``pagerank()``, ``weak_components()``.
- :func:`components` – connected components of ``n`` nodes over pairs (networkit).
- :func:`rings` – rings as components over *vetted* link rules, with the links behind each ring.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

import networkit as nk
import numpy as np
import pandas as pd

SECONDS_PER_DAY = 86_400.0


def as_days(values: Sequence | np.ndarray | pd.Series) -> np.ndarray:
    """Times as float days: numbers are taken as days already (AMLSim's steps are days),
    datetimes and date strings become days since 1970-01-01 (UTC, naive taken as is)."""
    series = pd.Series(values) if not isinstance(values, pd.Series) else values
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return series.to_numpy(dtype=np.float64)
    if not pd.api.types.is_datetime64_any_dtype(series):
        series = pd.to_datetime(series, errors="raise", format="mixed")
    if getattr(series.dt, "tz", None) is not None:
        series = series.dt.tz_convert("UTC").dt.tz_localize(None)
    nanos = series.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    return nanos / (SECONDS_PER_DAY * 1e9)


@dataclass(frozen=True)
class TransactionGraph:
    """Transactions between accounts, accounts numbered ``0 .. n_nodes-1``.

    ``ids[i]`` is the account id of node ``i``; the transaction arrays keep the input's order
    (``tx_ids`` defaults to the row numbers 0, 1, ...).
    """

    ids: np.ndarray
    source: np.ndarray
    target: np.ndarray
    amount: np.ndarray
    time: np.ndarray
    tx_ids: np.ndarray
    _index: dict = field(default_factory=dict, repr=False, compare=False)
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_arrays(
        cls,
        source: Sequence | np.ndarray,
        target: Sequence | np.ndarray,
        amount: Sequence | np.ndarray,
        time: Sequence | np.ndarray,
        *,
        tx_ids: Sequence | np.ndarray | None = None,
        accounts: Iterable[Hashable] | None = None,
    ) -> TransactionGraph:
        """Number the accounts (those of ``accounts`` first, in their order, so that accounts
        without transactions get a node too) and keep the transactions as integer arrays."""
        src = np.asarray(source)
        dst = np.asarray(target)
        if not (len(src) == len(dst) == len(amount) == len(time)):
            raise ValueError("source, target, amount and time must have the same length")
        extra = np.asarray(list(accounts)) if accounts is not None else np.asarray([], dtype=src.dtype)
        codes, uniques = pd.factorize(
            np.concatenate([extra, src, dst]) if len(extra) else np.concatenate([src, dst])
        )
        codes = codes.astype(np.int64)
        k = len(extra)
        n = len(src)
        ids = np.asarray(uniques, dtype=object)
        tx = np.arange(n) if tx_ids is None else np.asarray(tx_ids)
        graph = cls(
            ids=ids,
            source=codes[k : k + n],
            target=codes[k + n :],
            amount=np.asarray(amount, dtype=np.float64),
            time=as_days(time),
            tx_ids=tx,
        )
        return graph

    @property
    def n_nodes(self) -> int:
        return len(self.ids)

    @property
    def n_transactions(self) -> int:
        return len(self.source)

    def nodes_of(self, ids: Iterable[Hashable]) -> np.ndarray:
        """Node numbers of account ids (KeyError for an unknown id)."""
        if not self._index:
            self._index.update({key: i for i, key in enumerate(self.ids.tolist())})
        return np.asarray([self._index[key] for key in ids], dtype=np.int64)

    def edges(self) -> pd.DataFrame:
        """One row per ordered pair of accounts: ``source, target, count, amount, first, last``
        (computed once and kept: do not modify the frame returned)."""
        if "edges" in self._cache:
            return self._cache["edges"]
        frame = pd.DataFrame(
            {"source": self.source, "target": self.target, "amount": self.amount, "time": self.time}
        )
        grouped = frame.groupby(["source", "target"], sort=True)
        out = grouped.agg(
            count=("amount", "size"),
            amount=("amount", "sum"),
            first=("time", "min"),
            last=("time", "max"),
        ).reset_index()
        self._cache["edges"] = out
        return out

    def to_networkit(self, weight: str | None = None, *, directed: bool = True) -> nk.Graph:
        """The account graph with one edge per pair (parallel transfers aggregated).

        ``weight``: None (unweighted), ``"count"`` (transfers on the pair), ``"amount"`` (money on
        the pair) or ``"inverse_count"`` (1 / transfers: a pair used once is a long way)."""
        edges = self.edges()
        if not directed:
            a = np.minimum(edges["source"], edges["target"])
            b = np.maximum(edges["source"], edges["target"])
            edges = (
                pd.DataFrame({"source": a, "target": b, "count": edges["count"], "amount": edges["amount"]})
                .groupby(["source", "target"], sort=True)
                .sum()
                .reset_index()
            )
        edges = edges[edges["source"] != edges["target"]]
        rows = edges["source"].to_numpy(np.uint64)
        cols = edges["target"].to_numpy(np.uint64)
        if weight is None:
            values = np.ones(len(edges))
        elif weight == "count":
            values = edges["count"].to_numpy(np.float64)
        elif weight == "amount":
            values = edges["amount"].to_numpy(np.float64)
        elif weight == "inverse_count":
            values = 1.0 / edges["count"].to_numpy(np.float64)
        else:
            raise ValueError(f"unknown weight {weight!r}")
        return nk.GraphFromCoo(
            (values, (rows, cols)), n=self.n_nodes, directed=directed, weighted=weight is not None
        )

    def in_degree(self) -> np.ndarray:
        """Transfers received by each node."""
        return np.bincount(self.target, minlength=self.n_nodes)

    def out_degree(self) -> np.ndarray:
        """Transfers sent by each node."""
        return np.bincount(self.source, minlength=self.n_nodes)

    def distinct_senders(self) -> np.ndarray:
        """Distinct accounts that sent money to each node."""
        edges = self.edges()
        return np.bincount(edges["target"].to_numpy(), minlength=self.n_nodes)

    def distinct_receivers(self) -> np.ndarray:
        """Distinct accounts each node sent money to."""
        edges = self.edges()
        return np.bincount(edges["source"].to_numpy(), minlength=self.n_nodes)

    def pagerank(self, weight: str | None = None, damping: float = 0.85) -> np.ndarray:
        """PageRank of each node on the directed account graph (networkit)."""
        pr = nk.centrality.PageRank(self.to_networkit(weight), damp=damping, tol=1e-9)
        pr.run()
        return np.asarray(pr.scores())

    def weak_components(self) -> np.ndarray:
        """Component label of each node, the direction of money ignored."""
        return components(self.n_nodes, self.source, self.target)


def components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Connected-component label (0, 1, ...; numbered by smallest member) of each of ``n``
    nodes over the undirected pairs ``(a[i], b[i])``."""
    a = np.asarray(a, dtype=np.uint64)
    b = np.asarray(b, dtype=np.uint64)
    graph = nk.GraphFromCoo((np.ones(len(a)), (a, b)), n=n, directed=False, weighted=False)
    cc = nk.components.ConnectedComponents(graph)
    cc.run()
    raw = np.asarray(cc.getPartition().getVector(), dtype=np.int64)
    # Renumber by first member so that labels do not depend on networkit's internal order.
    _, first, inverse = np.unique(raw, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first)] = np.arange(len(first))
    return rank[inverse]


@dataclass(frozen=True)
class Rings:
    """Rings found by :func:`rings`.

    ``ring_of`` maps each member to its ring number (1, 2, ... by decreasing size, then by the
    smallest member); ``members[r]`` lists the ids of ring ``r``; ``links[r]`` the vetted links
    (``a, b, rule`` rows) that hold it together: the evidence; ``ignored_rules`` counts links left
    out because their rule is not vetted (e.g. a shared phone: a lead, never an identity).
    """

    ring_of: dict
    members: dict
    links: dict
    ignored_rules: dict


def rings(
    links: pd.DataFrame,
    *,
    vetted: Iterable[str],
    min_size: int = 2,
    backend: str = "local",
    spark=None,
) -> Rings:
    """Rings as connected components over the links whose ``rule`` is vetted.

    ``links`` has columns ``a``, ``b`` (entity ids of any hashable kind) and ``rule`` (e.g.
    ``"payment"``, ``"same_as"``, ``"holds_account"``, ``"shared_phone"``). Only rows whose rule is
    in ``vetted`` join entities; components smaller than ``min_size`` are not rings.
    ``backend="spark"`` finds the components on Apache Spark
    (:func:`anninh.network.components.spark_connected_components`, with ``spark`` or a local
    session); the rings, their numbers and their links are the same as on one machine.
    """
    vetted = set(vetted)
    keep = links["rule"].isin(vetted).to_numpy()
    ignored = links.loc[~keep, "rule"].value_counts().to_dict()
    kept = links.loc[keep, ["a", "b", "rule"]].reset_index(drop=True)
    if kept.empty:
        return Rings({}, {}, {}, ignored)
    codes, uniques = pd.factorize(pd.concat([kept["a"], kept["b"]], ignore_index=True))
    m = len(kept)
    if backend == "spark":
        labels = _spark_labels(uniques, codes[:m], codes[m:], spark)
    elif backend == "local":
        labels = components(len(uniques), codes[:m], codes[m:])
    else:
        raise ValueError(f"unknown backend {backend!r}: use 'local' or 'spark'")
    sizes = np.bincount(labels)
    ids = np.asarray(uniques, dtype=object)
    frame = pd.DataFrame({"label": labels, "size": sizes[labels], "key": [str(x) for x in ids]})
    frame = frame[frame["size"] >= min_size]
    firsts = frame.groupby("label")["key"].min()
    order = sorted(firsts.index, key=lambda lab: (-sizes[lab], firsts[lab]))
    number = {lab: i + 1 for i, lab in enumerate(order)}
    ring_of = {ids[i]: number[labels[i]] for i in frame.index}
    members: dict[int, list] = {}
    for node, ring in ring_of.items():
        members.setdefault(ring, []).append(node)
    for ring in members:
        members[ring].sort(key=str)
    link_ring = np.array([number.get(labels[c], 0) for c in codes[:m]])
    by_ring = {ring: kept[link_ring == ring].reset_index(drop=True) for ring in members}
    return Rings(ring_of, members, by_ring, ignored)


def _spark_labels(uniques, a: np.ndarray, b: np.ndarray, spark) -> np.ndarray:
    """The labels of :func:`components` (numbered by first member), computed on Spark."""
    from anninh.network.components import spark_connected_components

    names = np.array([str(i) for i in range(len(uniques))], dtype=object)
    found = spark_connected_components(
        pd.DataFrame({"source": names[a], "target": names[b]}), pd.Series(names), spark=spark
    )
    component = found.set_index("node")["component"].reindex(names).to_numpy()
    raw, _ = pd.factorize(component)
    _, first, inverse = np.unique(raw, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first)] = np.arange(len(first))
    return rank[inverse]
