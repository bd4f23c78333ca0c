"""Shortest and k-shortest paths between two entities.

Works on a :class:`~anninh.network.graph.TransactionGraph` (accounts joined by their
transfers, parallel transfers aggregated) or on a links table (``a, b`` and optionally
``weight``: entities joined by any vetted link, e.g. holds-account, same-as, payment).

``weight``: None counts hops; ``"inverse_count"`` (transaction graphs) makes a pair used many
times a short way (1 / transfers); ``"weight"`` (links tables) uses that column. Paths ignore
the direction of money unless ``directed=True``.

Public API (stable):

- ``shortest_path(data, a, b, *, weight=None, directed=False) -> Path | None`` (networkit's
  bidirectional Dijkstra);
- ``k_shortest_paths(data, a, b, k=3, *, weight=None, directed=False) -> list[Path]``
  (Yen's algorithm: loopless paths in order of cost, ties by the ids along them);
- :class:`Path`: ``accounts`` (ids from ``a`` to ``b``), ``cost``.
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable
from dataclasses import dataclass

import networkit as nk
import numpy as np
import pandas as pd

from anninh.network.graph import TransactionGraph


@dataclass(frozen=True)
class Path:
    accounts: list
    cost: float


def _edges(data: TransactionGraph | pd.DataFrame, weight: str | None) -> tuple[np.ndarray, pd.DataFrame]:
    """(ids, edges with integer columns a, b and float w)."""
    if isinstance(data, TransactionGraph):
        edges = data.edges()
        if weight is None:
            w = np.ones(len(edges))
        elif weight == "inverse_count":
            w = 1.0 / edges["count"].to_numpy(np.float64)
        elif weight == "amount":
            w = edges["amount"].to_numpy(np.float64)
        else:
            raise ValueError(f"unknown weight {weight!r}")
        frame = pd.DataFrame({"a": edges["source"], "b": edges["target"], "w": w})
        return data.ids, frame[frame["a"] != frame["b"]]
    codes, uniques = pd.factorize(pd.concat([data["a"], data["b"]], ignore_index=True))
    m = len(data)
    if weight is None:
        w = np.ones(m)
    elif weight in data.columns:
        w = data[weight].to_numpy(np.float64)
    else:
        raise ValueError(f"unknown weight {weight!r}")
    frame = pd.DataFrame({"a": codes[:m], "b": codes[m:], "w": w})
    frame = frame.groupby(["a", "b"], as_index=False)["w"].min()
    return np.asarray(uniques, dtype=object), frame[frame["a"] != frame["b"]]


def _node(ids: np.ndarray, key: Hashable) -> int | None:
    for i, x in enumerate(ids.tolist()):
        if x == key:
            return i
    return None


def shortest_path(
    data: TransactionGraph | pd.DataFrame,
    a: Hashable,
    b: Hashable,
    *,
    weight: str | None = None,
    directed: bool = False,
) -> Path | None:
    """The cheapest path from ``a`` to ``b`` (None when there is none or an end is unknown)."""
    ids, edges = _edges(data, weight)
    s, t = _node(ids, a), _node(ids, b)
    if s is None or t is None:
        return None
    if s == t:
        return Path([ids[s]], 0.0)
    if not directed:
        edges = (
            pd.concat([edges, edges.rename(columns={"a": "b", "b": "a"})])
            .groupby(["a", "b"], as_index=False)["w"]
            .min()
        )
        edges = edges[edges["a"] < edges["b"]]
    graph = nk.GraphFromCoo(
        (edges["w"].to_numpy(np.float64), (edges["a"].to_numpy(np.uint64), edges["b"].to_numpy(np.uint64))),
        n=len(ids),
        directed=directed,
        weighted=True,
    )
    search = nk.distance.BidirectionalDijkstra(graph, s, t, True)
    search.run()
    distance = search.getDistance()
    if distance > 1e300:
        return None
    return Path([ids[s], *(ids[v] for v in search.getPath()), ids[t]], float(distance))


def k_shortest_paths(
    data: TransactionGraph | pd.DataFrame,
    a: Hashable,
    b: Hashable,
    k: int = 3,
    *,
    weight: str | None = None,
    directed: bool = False,
) -> list[Path]:
    """Up to ``k`` loopless paths from ``a`` to ``b`` in order of cost (Yen's algorithm)."""
    ids, edges = _edges(data, weight)
    s, t = _node(ids, a), _node(ids, b)
    if s is None or t is None or k < 1:
        return []
    adjacency: dict[int, dict[int, float]] = {}
    for u, v, w in zip(edges["a"].tolist(), edges["b"].tolist(), edges["w"].tolist(), strict=True):
        adjacency.setdefault(u, {})
        adjacency[u][v] = min(w, adjacency[u].get(v, np.inf))
        if not directed:
            adjacency.setdefault(v, {})
            adjacency[v][u] = min(w, adjacency[v].get(u, np.inf))
    keys = [str(x) for x in ids]

    def dijkstra(source: int, banned_nodes: set, banned_edges: set) -> tuple[float, list] | None:
        heap = [(0.0, [keys[source]], [source])]
        done: set = set()
        while heap:
            cost, _, path = heapq.heappop(heap)
            node = path[-1]
            if node == t:
                return cost, path
            if node in done:
                continue
            done.add(node)
            for nxt, w in adjacency.get(node, {}).items():
                if nxt in done or nxt in banned_nodes or (node, nxt) in banned_edges:
                    continue
                heapq.heappush(heap, (cost + w, [*(keys[p] for p in path), keys[nxt]], [*path, nxt]))
        return None

    first = dijkstra(s, set(), set())
    if first is None:
        return []
    found = [first]
    candidates: list = []
    seen = {tuple(first[1])}
    while len(found) < k:
        _, last = found[-1]
        for i in range(len(last) - 1):
            root = last[: i + 1]
            banned_edges = set()
            for _, path in found:
                if path[: i + 1] == root:
                    banned_edges.add((path[i], path[i + 1]))
            spur = dijkstra(root[-1], set(root[:-1]), banned_edges)
            if spur is None:
                continue
            root_cost = sum(adjacency[root[j]][root[j + 1]] for j in range(len(root) - 1))
            total = root[:-1] + spur[1]
            if tuple(total) in seen:
                continue
            seen.add(tuple(total))
            heapq.heappush(candidates, (root_cost + spur[0], [keys[p] for p in total], total))
        if not candidates:
            break
        cost, _, path = heapq.heappop(candidates)
        found.append((cost, path))
    return [Path([ids[p] for p in path], float(cost)) for cost, path in found]
