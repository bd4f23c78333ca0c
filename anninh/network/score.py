"""An account score that ranks accounts for review, with the reasons behind each score.

No label of the scored data is used. The score adds two parts:

- **amount** (own evidence): the share of the account's transfers whose amount is unusual for
  the whole file: ``|log(amount) − median| / MAD`` above ``z_threshold`` (a robust z-score on the
  log scale, so "unusual" adapts to each file's currency and habits: layering in small sums,
  or one very large transfer);
- **network** (evidence from the neighbourhood): the sum over the account's counterparties that
  made unusual transfers of 1 / (their number of counterparties): a counterparty with few
  partners that launders says more about each of them than a busy one does. It is squashed to
  ``[0, 1)`` as ``x / (x + m)`` with ``m`` the median of the positive values, and weighted by
  ``network_weight``.

``score = amount_share + network_weight × network``. Rings are components over the vetted link
rule "unusual transfer" (both ends made it), ring 1 the largest.

Public API (stable):

- ``account_features(graph, *, z_threshold=3.5) -> pd.DataFrame`` (one row per node, in node
  order): transfers, unusual, unusual_share, in_degree, out_degree, distinct_senders,
  distinct_receivers, amount_in, amount_out, small_share (transfers below a tenth of the median:
  a plain feature for comparison), counterparties, suspicious_neighbours, network_raw.
- ``unusual_transfers(amount, *, z_threshold=3.5) -> np.ndarray`` (bool per transaction).
- ``score_accounts(graph, *, network_weight=0.1, z_threshold=3.5, parts=("amount", "network"))
  -> pd.DataFrame``: account, score, ring (int or None), reasons (list of English sentences with
  the numbers and the ids), reason_codes (the same as ``(code, params)`` pairs for a translated
  page: ``("unusual_amounts", {unusual, transfers})``, ``("suspicious_counterparties",
  {suspicious, counterparties, ids})``), and the features; highest score first, ties by account
  id.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from anninh.network.graph import TransactionGraph, rings

PARTS = ("amount", "network")
MAX_IDS_IN_REASON = 5


def unusual_transfers(amount: np.ndarray, *, z_threshold: float = 3.5) -> np.ndarray:
    """Transfers whose amount is unusual for the file: robust z-score of log(amount) beyond
    ``z_threshold`` (MAD scaled to a standard deviation; no transfer is unusual when the
    amounts barely vary)."""
    amount = np.asarray(amount, dtype=np.float64)
    if amount.size == 0:
        return np.zeros(0, dtype=bool)
    logs = np.log(np.clip(amount, 1e-9, None))
    median = np.median(logs)
    spread = np.median(np.abs(logs - median)) * 1.4826
    if spread <= 1e-12:
        spread = np.mean(np.abs(logs - median)) * 1.2533
    if spread <= 1e-12:
        return np.zeros(amount.size, dtype=bool)
    return np.abs(logs - median) / spread > z_threshold


def account_features(graph: TransactionGraph, *, z_threshold: float = 3.5) -> pd.DataFrame:
    """Plain and network features of every account (see the module docstring)."""
    n = graph.n_nodes
    src, dst, amount = graph.source, graph.target, graph.amount
    unusual = unusual_transfers(amount, z_threshold=z_threshold)
    transfers = np.bincount(src, minlength=n) + np.bincount(dst, minlength=n)
    n_unusual = np.bincount(src, weights=unusual, minlength=n) + np.bincount(
        dst, weights=unusual, minlength=n
    )
    small = amount < 0.1 * np.median(amount) if amount.size else np.zeros(0, dtype=bool)
    n_small = np.bincount(src, weights=small, minlength=n) + np.bincount(dst, weights=small, minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        unusual_share = np.where(transfers > 0, n_unusual / np.maximum(transfers, 1), 0.0)
        small_share = np.where(transfers > 0, n_small / np.maximum(transfers, 1), 0.0)

    # Undirected pairs: each counterparty counted once however many transfers.
    keep = src != dst
    a = np.minimum(src[keep], dst[keep])
    b = np.maximum(src[keep], dst[keep])
    pair_key = np.unique(a * np.int64(n) + b)
    pa, pb = pair_key // n, pair_key % n
    ends = np.concatenate([pa, pb])
    others = np.concatenate([pb, pa])
    counterparties = np.bincount(ends, minlength=n)
    suspicious = n_unusual > 0
    suspicious_neighbours = np.bincount(ends, weights=suspicious[others], minlength=n)
    inverse = 1.0 / np.maximum(counterparties, 1)
    network_raw = np.bincount(ends, weights=suspicious[others] * inverse[others], minlength=n)

    edges = graph.edges()
    return pd.DataFrame(
        {
            "transfers": transfers,
            "unusual": n_unusual.astype(np.int64),
            "unusual_share": unusual_share,
            "in_degree": np.bincount(dst, minlength=n),
            "out_degree": np.bincount(src, minlength=n),
            "distinct_senders": np.bincount(edges["target"].to_numpy(), minlength=n),
            "distinct_receivers": np.bincount(edges["source"].to_numpy(), minlength=n),
            "amount_in": np.bincount(dst, weights=amount, minlength=n),
            "amount_out": np.bincount(src, weights=amount, minlength=n),
            "small_share": small_share,
            "counterparties": counterparties,
            "suspicious_neighbours": suspicious_neighbours.astype(np.int64),
            "network_raw": network_raw,
        }
    )


def _squash(raw: np.ndarray) -> np.ndarray:
    positive = raw[raw > 0]
    if positive.size == 0:
        return np.zeros_like(raw)
    scale = float(np.median(positive))
    return raw / (raw + scale)


def score_accounts(
    graph: TransactionGraph,
    *,
    network_weight: float = 0.1,
    z_threshold: float = 3.5,
    parts: Sequence[str] = PARTS,
    reasons: bool = True,
) -> pd.DataFrame:
    """Score every account (see the module docstring); ``parts`` switches parts off for
    ablations; ``reasons=False`` skips writing the sentences (faster on big files)."""
    unknown = set(parts) - set(PARTS)
    if unknown:
        raise ValueError(f"unknown score parts: {sorted(unknown)}")
    features = account_features(graph, z_threshold=z_threshold)
    amount_part = features["unusual_share"].to_numpy() if "amount" in parts else np.zeros(graph.n_nodes)
    network_part = (
        network_weight * _squash(features["network_raw"].to_numpy())
        if "network" in parts
        else np.zeros(graph.n_nodes)
    )
    score = amount_part + network_part

    unusual = unusual_transfers(graph.amount, z_threshold=z_threshold)
    both = unusual & (graph.source != graph.target)
    links = pd.DataFrame(
        {
            "a": graph.source[both],
            "b": graph.target[both],
            "rule": np.full(int(both.sum()), "unusual_transfer"),
        }
    )
    found = rings(links, vetted=["unusual_transfer"])
    ring = np.full(graph.n_nodes, None, dtype=object)
    for node, number in found.ring_of.items():
        ring[node] = number

    out = features.copy()
    out.insert(0, "account", graph.ids)
    out.insert(1, "score", score)
    out.insert(2, "ring", ring)
    out["amount_part"] = amount_part
    out["network_part"] = network_part
    if reasons:
        sentences, codes = _reasons(graph, features, amount_part, network_part, unusual)
        out["reasons"] = pd.Series(sentences, dtype=object)
        out["reason_codes"] = pd.Series(codes, dtype=object)
    out["_key"] = [str(x) for x in graph.ids]
    out = out.sort_values(["score", "_key"], ascending=[False, True], kind="stable").drop(columns="_key")
    return out.reset_index(drop=True)


def _reasons(
    graph: TransactionGraph,
    features: pd.DataFrame,
    amount_part: np.ndarray,
    network_part: np.ndarray,
    unusual: np.ndarray,
) -> tuple[list[list[str]], list[list[tuple[str, dict]]]]:
    n = graph.n_nodes
    suspicious = features["unusual"].to_numpy() > 0
    # Suspicious counterparties of each account, for the sentence (a few ids each).
    ends = np.concatenate([graph.source, graph.target])
    others = np.concatenate([graph.target, graph.source])
    mask = suspicious[others] & (ends != others) & (network_part[ends] > 0)
    named: dict[int, list] = {}
    if mask.any():
        pairs = pd.DataFrame({"end": ends[mask], "other": others[mask]}).drop_duplicates()
        for end, group in pairs.groupby("end")["other"]:
            named[int(end)] = [graph.ids[o] for o in group.tolist()[:MAX_IDS_IN_REASON]]
    transfers = features["transfers"].to_numpy()
    n_unusual = features["unusual"].to_numpy()
    neighbours = features["suspicious_neighbours"].to_numpy()
    counterparties = features["counterparties"].to_numpy()
    out: list[list[str]] = []
    codes: list[list[tuple[str, dict]]] = []
    for node in range(n):
        lines = []
        coded = []
        if amount_part[node] > 0:
            params = {"unusual": int(n_unusual[node]), "transfers": int(transfers[node])}
            coded.append(("unusual_amounts", params))
            lines.append(
                f"{params['unusual']} of {params['transfers']} transfers have an unusual amount for this file"
            )
        if network_part[node] > 0:
            params = {
                "suspicious": int(neighbours[node]),
                "counterparties": int(counterparties[node]),
                "ids": list(named.get(node, [])),
            }
            coded.append(("suspicious_counterparties", params))
            ids = ", ".join(str(x) for x in params["ids"])
            lines.append(
                f"{params['suspicious']} of {params['counterparties']} counterparties made unusual transfers ({ids})"
            )
        out.append(lines)
        codes.append(coded)
    return out, codes
