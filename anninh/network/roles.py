"""Roles of accounts in a fraud network, each with the evidence that gave it.

- **collector**: at least ``collector_min_victims`` distinct victims paid into it;
- **mule**: money in and out fast, little left: it passed on at least ``mule_min_passed`` of what
  it received, and half its transfers out left within ``mule_max_dwell_days`` of the latest money
  in (median dwell); and victims' money reaches it: a victim paid it, or it receives from a
  collector or another mule (up to ``mule_max_layers`` layers), since ordinary accounts pass
  money on quickly too;
- **cash_out**: where the money ends: an account named as a cash-out point (a crypto exchange's
  deposit address, a cash withdrawal: ``cash_out_kinds``), or a sink of the network: it received
  from at least ``cash_out_min_sources`` collectors or mules and passed on at most
  ``cash_out_max_passed`` of it;
- **organiser**: not a victim, collector or cash-out point, and linked to at least
  ``organiser_min_links`` distinct collectors and mules: it takes a cut from them (the pair's median
  transfer at most ``organiser_max_cut_share`` of the sender's median transfer; on the
  generator, cuts sit at 0.23-0.42 and layering at 0.52 and above) or pays them (renting the
  accounts; a mule paying mules is layering, not that). A heuristic lead, stated as such in
  its evidence.

An account may hold several roles; ``primary`` is the first of cash_out, organiser, collector,
mule that it holds. Victims hold no role.

Public API (stable): :class:`RoleRules` (the thresholds above) and
``roles(graph, *, victims, cash_out_kinds=None, rules=RoleRules(), payments=None) -> pd.DataFrame`` with one row
per account holding a role (``payments=`` positions of the victims' payments, when known):
``account, primary, roles`` (tuple), ``evidence`` (dict role → dict
of numbers and the ids behind them), plus the columns ``distinct_victims, received, sent,
passed_share, median_dwell_days``.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from anninh.network.graph import TransactionGraph

ROLE_ORDER = ("cash_out", "organiser", "collector", "mule")


@dataclass(frozen=True)
class RoleRules:
    collector_min_victims: int = 3
    mule_min_passed: float = 0.8
    mule_max_dwell_days: float = 2.0
    mule_max_layers: int = 10
    cash_out_min_sources: int = 2
    cash_out_max_passed: float = 0.1
    organiser_min_links: int = 2
    organiser_max_cut_share: float = 0.5


def dwell_times(graph: TransactionGraph) -> np.ndarray:
    """For each transaction, the days since its sender last received money (NaN if never)."""
    span = float(np.ptp(graph.time)) + 2.0 if graph.n_transactions else 2.0
    base = float(graph.time.min()) if graph.n_transactions else 0.0
    incoming = np.sort(graph.target * span + (graph.time - base))
    outgoing = graph.source * span + (graph.time - base)
    position = np.searchsorted(incoming, outgoing, side="right") - 1
    dwell = np.full(graph.n_transactions, np.nan)
    ok = position >= 0
    last_in = incoming[np.clip(position, 0, None)]
    same = ok & (np.floor(last_in / span) == graph.source)
    dwell[same] = outgoing[same] - last_in[same]
    return dwell


def roles(
    graph: TransactionGraph,
    *,
    victims: Iterable[Hashable],
    cash_out_kinds: Mapping[Hashable, str] | None = None,
    rules: RoleRules = RoleRules(),  # frozen, so one shared default is safe
    payments: Iterable[int] | None = None,
) -> pd.DataFrame:
    """The roles of every account that holds one (see the module docstring). ``payments``:
    positions of the victims' payments into the network (e.g. those their complaints name);
    default every transfer from a victim's account to a non-victim's, which also counts a
    victim's ordinary shopping, so pass them when known."""
    n = graph.n_nodes
    index = {key: i for i, key in enumerate(graph.ids.tolist())}
    is_victim = np.zeros(n, dtype=bool)
    victim_nodes = [index[v] for v in victims if v in index]
    is_victim[victim_nodes] = True
    ids = graph.ids
    src, dst, amount = graph.source, graph.target, graph.amount

    received = np.bincount(dst, weights=amount, minlength=n)
    sent = np.bincount(src, weights=amount, minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        passed = np.where(received > 0, sent / received, np.nan)

    # Collectors: distinct victims paying in.
    if payments is None:
        from_victim = is_victim[src] & ~is_victim[dst]
    else:
        from_victim = np.zeros(graph.n_transactions, dtype=bool)
        from_victim[np.asarray(list(payments), dtype=np.int64)] = True
        from_victim &= is_victim[src] & ~is_victim[dst]
    pay = pd.DataFrame(
        {"target": dst[from_victim], "victim": src[from_victim], "amount": amount[from_victim]}
    )
    by_target = pay.groupby("target")
    distinct_victims = np.zeros(n, dtype=np.int64)
    victim_lists: dict[int, list] = {}
    paid_in = np.zeros(n)
    if not pay.empty:
        counts = by_target["victim"].nunique()
        distinct_victims[counts.index.to_numpy()] = counts.to_numpy()
        sums = by_target["amount"].sum()
        paid_in[sums.index.to_numpy()] = sums.to_numpy()
        for target, group in by_target["victim"]:
            if distinct_victims[target] >= rules.collector_min_victims:
                victim_lists[int(target)] = sorted({ids[v] for v in group.tolist()}, key=str)
    collector = (distinct_victims >= rules.collector_min_victims) & ~is_victim

    # Mules: pass on most of what they get, fast.
    dwell = dwell_times(graph)
    frame = pd.DataFrame({"source": src, "dwell": dwell})
    median = frame.groupby("source")["dwell"].median()
    median_dwell = np.full(n, np.nan)
    median_dwell[median.index.to_numpy()] = median.to_numpy()
    kinds = dict(cash_out_kinds or {})
    named_cash = np.zeros(n, dtype=bool)
    named_cash[[index[a] for a in kinds if a in index]] = True
    fast = (
        ~is_victim
        & ~named_cash
        & (received > 0)
        & (sent > 0)
        & (np.nan_to_num(passed) >= rules.mule_min_passed)
        & (np.nan_to_num(median_dwell, nan=np.inf) <= rules.mule_max_dwell_days)
    )
    # Only fast accounts that victims' money reaches: downstream of a collector, layer by layer
    # (ordinary accounts also pass money on quickly).
    reached = collector.copy()
    reached[dst[from_victim]] = True
    for _ in range(rules.mule_max_layers):
        new = np.zeros(n, dtype=bool)
        new[dst[reached[src] & (src != dst)]] = True
        new &= fast & ~reached
        if not new.any():
            break
        reached |= new
    mule = fast & reached

    # Cash-out points: named, or sinks fed by several collectors/mules.
    layer = collector | mule
    from_layer = layer[src] & (src != dst)
    layer_sources = (
        pd.DataFrame({"target": dst[from_layer], "source": src[from_layer]})
        .groupby("target")["source"]
        .nunique()
    )
    n_layer_sources = np.zeros(n, dtype=np.int64)
    n_layer_sources[layer_sources.index.to_numpy()] = layer_sources.to_numpy()
    sink = (
        ~is_victim
        & ~layer
        & (n_layer_sources >= rules.cash_out_min_sources)
        & (np.nan_to_num(passed) <= rules.cash_out_max_passed)
    )
    cash_out = named_cash | sink

    # Organisers: take a cut from several collectors and mules (small transfers compared with
    # what each of them usually sends), or pay several of them (renting the accounts).
    out_median = pd.Series(amount).groupby(src).median()
    typical = np.zeros(n)
    typical[out_median.index.to_numpy()] = out_median.to_numpy()
    # A cut: the pair's median transfer is small beside the sender's median transfer (a share
    # per transfer would catch the odd small batch to a mule).
    pair_median = pd.Series(amount).groupby([src, dst]).transform("median").to_numpy()
    is_cut = layer[src] & (src != dst) & (pair_median <= rules.organiser_max_cut_share * typical[src])
    pays_layer = layer[dst] & (src != dst) & ~is_victim[src] & ~layer[src]
    touching = pd.DataFrame(
        {
            "account": np.concatenate([dst[is_cut], src[pays_layer]]),
            "other": np.concatenate([src[is_cut], dst[pays_layer]]),
            "amount": np.concatenate([amount[is_cut], amount[pays_layer]]),
            "direction": np.concatenate(
                [np.full(int(is_cut.sum()), "from"), np.full(int(pays_layer.sum()), "to")]
            ),
        }
    )
    linked = touching.groupby("account")["other"].nunique()
    n_linked = np.zeros(n, dtype=np.int64)
    n_linked[linked.index.to_numpy()] = linked.to_numpy()
    organiser = ~is_victim & ~collector & ~cash_out & (n_linked >= rules.organiser_min_links)

    flags = {"cash_out": cash_out, "organiser": organiser, "collector": collector, "mule": mule}
    holders = np.flatnonzero(cash_out | organiser | collector | mule)
    # The organisers' evidence in one pass (not one selection per organiser).
    theirs = touching[organiser[touching["account"].to_numpy()]]
    linked_to = {int(k): v for k, v in theirs.groupby("account")["other"].unique().items()}
    sums = theirs.groupby(["account", "direction"])["amount"].sum()
    by_direction = {(int(k), d): float(v) for (k, d), v in sums.items()}
    rows = []
    for node in holders.tolist():
        held = tuple(role for role in ROLE_ORDER if flags[role][node])
        evidence: dict[str, dict] = {}
        if collector[node]:
            evidence["collector"] = {
                "distinct_victims": int(distinct_victims[node]),
                "paid_in": float(paid_in[node]),
                "victims": victim_lists.get(node, []),
            }
        if mule[node]:
            evidence["mule"] = {
                "received": float(received[node]),
                "sent": float(sent[node]),
                "passed_share": float(passed[node]),
                "median_dwell_days": float(median_dwell[node]),
            }
        if cash_out[node]:
            evidence["cash_out"] = {
                "named_kind": kinds.get(ids[node]),
                "layer_sources": int(n_layer_sources[node]),
                "received": float(received[node]),
                "passed_share": None if np.isnan(passed[node]) else float(passed[node]),
            }
        if organiser[node]:
            evidence["organiser"] = {
                "linked_accounts": sorted({ids[o] for o in linked_to[node].tolist()}, key=str),
                "paid_to_them": by_direction.get((node, "to"), 0.0),
                "cut_received": by_direction.get((node, "from"), 0.0),
                "note": "heuristic lead: takes a cut from, or pays, several collectors and mules",
            }
        rows.append(
            {
                "account": ids[node],
                "primary": held[0],
                "roles": held,
                "evidence": evidence,
                "distinct_victims": int(distinct_victims[node]),
                "received": float(received[node]),
                "sent": float(sent[node]),
                "passed_share": float(passed[node]) if not np.isnan(passed[node]) else np.nan,
                "median_dwell_days": float(median_dwell[node]),
            }
        )
    columns = [
        "account",
        "primary",
        "roles",
        "evidence",
        "distinct_victims",
        "received",
        "sent",
        "passed_share",
        "median_dwell_days",
    ]
    return pd.DataFrame(rows, columns=columns)
