"""Time-respecting tracing of victims' payments forward through the accounts.

Each victim payment (a transfer from a victim's account into a non-victim account) becomes a
*lot* of money at the account that received it. Transactions are then replayed in time order
(ties in input order); when an account holding lots sends money, the money sent is attributed to
what the account held at that moment:

- ``method="proportional"``: every lot and the account's untraced money (everything else it
  received, or held before the data starts) give the same share ``amount / balance``;
- ``method="fifo"``: first in, first out: the oldest money leaves first, untraced money
  included in its place in the queue.

Money sent beyond the known balance is untraced (the account held funds we never saw). A lot
stops being followed, and is recorded where it stands, when its next transfer would exceed
``max_hops`` transfers after the payment (``limit_hops``) or leave more than ``max_days`` after
the payment (``limit_days``), or, with ``min_amount``, when a piece is too small to be worth splitting
(``limit_amount``). Money reaching a cash-out point stops there (``cash_out``); money
sent back to the victim who paid it is a ``refund``; money reaching another victim (early
"profits" of a Ponzi scheme) is ``to_victim``; what is still in an account at the end is
``held``. Cycles need nothing special: each transaction is replayed once, in time order. For
each payment, the amounts of all its flows add up to the payment (money is conserved).

Public API (stable):

- :func:`trace` – ``trace(graph, *, victims, cash_out=(), method="proportional", max_hops=10,
  max_days=None, payments=None, min_amount=0.0) -> TraceResult``.
- :class:`TraceResult` – ``flows`` (payment, victim, account, kind, amount, hops, time; one row
  per piece of money where it stopped; ``payment`` is the transaction's ``tx_id``, ``victim`` the
  victim label, ``account`` the account id), ``payments`` (payment, victim, account, collector,
  amount, time); ``per_payment()`` (amount by kind for each payment), ``by_cash_out()`` (money per
  cash-out point per victim, with the payments behind it).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from anninh.network.graph import TransactionGraph

KINDS = ("cash_out", "refund", "to_victim", "held", "limit_hops", "limit_days", "limit_amount")
METHODS = ("proportional", "fifo")


@dataclass(frozen=True)
class TraceResult:
    """Where each victim payment's money went (see the module docstring)."""

    flows: pd.DataFrame
    payments: pd.DataFrame
    method: str
    max_hops: int | None
    max_days: float | None

    def per_payment(self) -> pd.DataFrame:
        """One row per payment: ``paid`` and the amount of each kind (they add up to ``paid``)."""
        table = self.flows.pivot_table(
            index="payment", columns="kind", values="amount", aggfunc="sum", fill_value=0.0
        )
        table = table.reindex(columns=list(KINDS), fill_value=0.0)
        out = self.payments.set_index("payment")[["victim", "amount"]].rename(columns={"amount": "paid"})
        out = out.join(table, how="left").fillna(dict.fromkeys(KINDS, 0.0))
        return out.reset_index()

    def by_cash_out(self) -> pd.DataFrame:
        """Money traced to each cash-out point from each victim: ``cash_out, victim, amount,
        payments`` (the tx ids behind the amount), largest first."""
        rows = self.flows[self.flows["kind"] == "cash_out"]
        if rows.empty:
            return pd.DataFrame(columns=["cash_out", "victim", "amount", "payments"])
        grouped = rows.groupby(["account", "victim"], sort=False)
        out = grouped.agg(amount=("amount", "sum"), payments=("payment", lambda s: tuple(sorted(set(s)))))
        out = out.reset_index().rename(columns={"account": "cash_out"})
        return out.sort_values(["amount", "cash_out"], ascending=[False, True], kind="stable").reset_index(
            drop=True
        )


def trace(
    graph: TransactionGraph,
    *,
    victims: Iterable[Hashable] | Mapping[Hashable, Hashable],
    cash_out: Iterable[Hashable] = (),
    method: str = "proportional",
    max_hops: int | None = 10,
    max_days: float | None = None,
    payments: Iterable[int] | None = None,
    min_amount: float = 0.0,
) -> TraceResult:
    """Trace every victim payment forward (see the module docstring).

    ``victims``: the victims' account ids, or a mapping account id → victim label (a person who
    paid from several accounts: a refund to any of them is a refund). ``cash_out``: account ids of
    cash-out points (exchanges' deposit wallets, cash withdrawals). ``payments``: positions of the
    transactions to trace (default: every transfer from a victim's account to a non-victim's).
    ``min_amount`` (proportional only): a piece of a payment smaller than this is not split any
    further and is recorded where it stands (``limit_amount``): proportional attribution spreads
    every victim's money over every later transfer of the account, so on big files crumbs of
    đồng would otherwise be followed through the whole banking system.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}")
    n = graph.n_nodes
    victim_map = dict(victims) if isinstance(victims, Mapping) else {v: v for v in victims}
    known = {key for key in victim_map if key in _index(graph)}
    victim_label: list = [None] * n
    for key in known:
        victim_label[_index(graph)[key]] = victim_map[key]
    is_victim = np.array([label is not None for label in victim_label], dtype=bool)
    is_cash_out = np.zeros(n, dtype=bool)
    cash_nodes = [c for c in cash_out if c in _index(graph)]
    if cash_nodes:
        is_cash_out[graph.nodes_of(cash_nodes)] = True

    if payments is None:
        seed = is_victim[graph.source] & ~is_victim[graph.target]
    else:
        seed = np.zeros(graph.n_transactions, dtype=bool)
        seed[np.asarray(list(payments), dtype=np.int64)] = True
    order = np.argsort(graph.time, kind="stable")

    src_l = graph.source.tolist()
    dst_l = graph.target.tolist()
    amt_l = graph.amount.tolist()
    time_l = graph.time.tolist()
    seed_l = seed.tolist()
    victim_l = is_victim.tolist()
    cash_l = is_cash_out.tolist()
    ids = graph.ids
    tx_ids = graph.tx_ids

    pay_time: dict[int, float] = {}
    pay_victim: dict[int, Hashable] = {}
    records: list[tuple] = []  # (payment position, node, kind, amount, hops, time)
    untraced = [0.0] * n
    hops_cap = np.inf if max_hops is None else max_hops
    days_cap = np.inf if max_days is None else float(max_days)

    def route(pay: int, hops: int, amount: float, s: int, d: int, t: float):
        """Move ``amount`` of payment ``pay`` (at ``hops``) from ``s`` to ``d``. Returns the key
        of the lot it becomes at ``d``, None when it goes on as untraced money (a bound was
        reached: recorded at ``s``), or False when it stopped at ``d`` (recorded)."""
        if hops + 1 > hops_cap:
            records.append((pay, s, "limit_hops", amount, hops, t))
            return None
        if t - pay_time[pay] > days_cap:
            records.append((pay, s, "limit_days", amount, hops, t))
            return None
        if victim_l[d]:
            kind = "refund" if victim_label[d] == pay_victim[pay] else "to_victim"
            records.append((pay, d, kind, amount, hops + 1, t))
            return False
        if cash_l[d]:
            records.append((pay, d, "cash_out", amount, hops + 1, t))
            return False
        return (pay, hops + 1)

    chunks: list[tuple] = []  # proportional: (kind, node, payment positions, amounts, hops, time)
    if method == "proportional":
        _proportional(
            order, src_l, dst_l, amt_l, time_l, seed_l, victim_l, cash_l, victim_label, untraced,
            pay_time, pay_victim, hops_cap, days_cap, chunks, graph.n_transactions, min_amount,
        )  # fmt: skip
        leftovers = []
    else:
        queues: dict[int, deque] = {}
        for i in order.tolist():
            s, d, a, t = src_l[i], dst_l[i], amt_l[i], time_l[i]
            if seed_l[i]:
                pay_time[i] = t
                pay_victim[i] = victim_label[s]
                if victim_l[d]:
                    records.append(
                        (i, d, "refund" if victim_label[d] == victim_label[s] else "to_victim", a, 0, t)
                    )
                elif cash_l[d]:
                    records.append((i, d, "cash_out", a, 0, t))
                else:
                    _queue(queues, untraced, d).append([(i, 0), a])
                continue
            if victim_l[s] or s == d:
                continue
            queue = queues.get(s)
            if queue is None:
                untraced[s] -= min(a, untraced[s])
                _receive_untraced(queues, untraced, d, a)
                continue
            need = a
            moved: list = []  # (key or None for untraced money, amount) in the order they left
            while need > 0 and queue:
                lot = queue[0]
                take = lot[1] if lot[1] <= need else need
                lot[1] -= take
                need -= take
                if lot[1] <= 0:
                    queue.popleft()
                if lot[0] is None:
                    moved.append((None, take))
                else:
                    key = route(lot[0][0], lot[0][1], take, s, d, t)
                    # Money no longer followed still arrives: as untraced money, in its place.
                    if key is not False:
                        moved.append((key, take))
            if need > 0:
                moved.append((None, need))
            if all(key is None for key, _ in moved) and d not in queues:
                untraced[d] += sum(amount for _, amount in moved)
                continue
            target = _queue(queues, untraced, d)
            for key, amount in moved:
                if target and target[-1][0] == key:
                    target[-1][1] += amount
                else:
                    target.append([key, amount])
        leftovers = [
            (node, lot[0], lot[1]) for node, queue in queues.items() for lot in queue if lot[0] is not None
        ]
    last_time = float(graph.time.max()) if graph.n_transactions else 0.0
    for node, (pay, hops), amount in leftovers:
        if amount > 0:
            records.append((pay, node, "held", amount, hops, last_time))
    chunks = [chunk if chunk[5] is not None else (*chunk[:5], last_time) for chunk in chunks]

    pay_pos = np.flatnonzero(seed)
    payments_frame = pd.DataFrame(
        {
            "payment": tx_ids[pay_pos],
            "victim": [victim_label[s] for s in graph.source[pay_pos].tolist()],
            "account": ids[graph.source[pay_pos]],
            "collector": ids[graph.target[pay_pos]],
            "amount": graph.amount[pay_pos],
            "time": graph.time[pay_pos],
        }
    )
    for pos, node, kind, amount, hops, when in records:
        chunks.append((kind, node, np.asarray([pos]), np.asarray([amount]), np.asarray([hops]), when))
    chunks = [chunk for chunk in chunks if len(chunk[2])]
    if chunks:
        sizes = [len(chunk[2]) for chunk in chunks]
        pos_a = np.concatenate([chunk[2] for chunk in chunks]).astype(np.int64)
        flows = pd.DataFrame(
            {
                "payment": tx_ids[pos_a],
                "victim": _labels_of(pay_victim, pos_a),
                "account": ids[np.repeat([chunk[1] for chunk in chunks], sizes).astype(np.int64)],
                "kind": np.repeat([chunk[0] for chunk in chunks], sizes),
                "amount": np.concatenate([chunk[3] for chunk in chunks]).astype(np.float64),
                "hops": np.concatenate([chunk[4] for chunk in chunks]).astype(np.int64),
                "time": np.repeat([chunk[5] for chunk in chunks], sizes).astype(np.float64),
            }
        )
    else:
        flows = pd.DataFrame(columns=["payment", "victim", "account", "kind", "amount", "hops", "time"])
    return TraceResult(flows, payments_frame, method, max_hops, max_days)


def _proportional(
    order, src_l, dst_l, amt_l, time_l, seed_l, victim_l, cash_l, victim_label, untraced,
    pay_time, pay_victim, hops_cap, days_cap, chunks, n_transactions, min_amount=0.0,
) -> None:  # fmt: skip
    """Proportional attribution with each account's lots as numpy arrays (payment position,
    hops, amount), so that an account holding thousands of payments' money splits them at C
    speed."""
    codes: dict = {}
    victim_code = [codes.setdefault(label, len(codes)) if label is not None else -1 for label in victim_label]
    pay_code = np.full(n_transactions, -2, dtype=np.int64)
    pay_t = np.full(n_transactions, np.nan)
    stride = np.int64(1 << 20) if not np.isfinite(hops_cap) else np.int64(hops_cap + 2)
    lots: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    traced: dict[int, float] = {}
    for i in order.tolist():
        s, d, a, t = src_l[i], dst_l[i], amt_l[i], time_l[i]
        if seed_l[i]:
            pay_time[i] = t
            pay_victim[i] = victim_label[s]
            pay_code[i] = victim_code[s]
            pay_t[i] = t
            one = (np.asarray([i]), np.asarray([0]), np.asarray([a]))
            if victim_l[d]:
                kind = "refund" if victim_label[d] == victim_label[s] else "to_victim"
                chunks.append((kind, d, one[0], one[2], one[1], t))
            elif cash_l[d]:
                chunks.append(("cash_out", d, one[0], one[2], one[1], t))
            else:
                lots[d] = _merge(lots.get(d), one, stride)
                traced[d] = traced.get(d, 0.0) + a
            continue
        if victim_l[s] or s == d:
            continue
        held = lots.get(s)
        if held is None:
            untraced[s] -= min(a, untraced[s])
            untraced[d] += a
            continue
        pays, hops, amounts = held
        if min_amount > 0:
            crumbs = amounts < min_amount
            if crumbs.any():
                # Too small to follow: recorded here, and it stays here as untraced money.
                chunks.append(("limit_amount", s, pays[crumbs], amounts[crumbs], hops[crumbs], t))
                dropped = float(amounts[crumbs].sum())
                untraced[s] += dropped
                traced[s] -= dropped
                pays, hops, amounts = pays[~crumbs], hops[~crumbs], amounts[~crumbs]
                if pays.size == 0:
                    del lots[s]
                    del traced[s]
                    untraced[s] -= min(a, untraced[s])
                    untraced[d] += a
                    continue
                lots[s] = (pays, hops, amounts)
        balance = traced[s] + untraced[s]
        share = 1.0 if a >= balance else a / balance
        from_untraced = untraced[s] * share
        untraced[s] -= from_untraced
        untraced[d] += from_untraced + max(0.0, a - balance)
        if share >= 1.0:
            take = amounts
            del lots[s]
            del traced[s]
        else:
            take = amounts * share
            lots[s] = (pays, hops, amounts - take)
            traced[s] *= 1.0 - share
        stop_hops = hops + 1 > hops_cap
        stop_days = ~stop_hops & (t - pay_t[pays] > days_cap)
        if stop_hops.any():
            chunks.append(("limit_hops", s, pays[stop_hops], take[stop_hops], hops[stop_hops], t))
        if stop_days.any():
            chunks.append(("limit_days", s, pays[stop_days], take[stop_days], hops[stop_days], t))
        go = ~(stop_hops | stop_days)
        stopped = float(take[~go].sum()) if not go.all() else 0.0
        untraced[d] += stopped
        if not go.any():
            continue
        g_pays, g_hops, g_take = pays[go], hops[go] + 1, take[go]
        if victim_l[d]:
            own = pay_code[g_pays] == victim_code[d]
            if own.any():
                chunks.append(("refund", d, g_pays[own], g_take[own], g_hops[own], t))
            if not own.all():
                chunks.append(("to_victim", d, g_pays[~own], g_take[~own], g_hops[~own], t))
        elif cash_l[d]:
            chunks.append(("cash_out", d, g_pays, g_take, g_hops, t))
        else:
            lots[d] = _merge(lots.get(d), (g_pays, g_hops, g_take), stride)
            traced[d] = traced.get(d, 0.0) + float(g_take.sum())
    for node, (pays, hops, amounts) in lots.items():
        keep = amounts > 0
        if keep.any():
            chunks.append(("held", node, pays[keep], amounts[keep], hops[keep], None))


def _merge(held, new, stride):
    """Lots ``held`` plus ``new``, one lot per (payment, hops)."""
    if held is None:
        return new
    pays = np.concatenate([held[0], new[0]])
    hops = np.concatenate([held[1], new[1]])
    amounts = np.concatenate([held[2], new[2]])
    keys = pays * stride + hops
    unique, inverse = np.unique(keys, return_inverse=True)
    if len(unique) == len(keys):
        return pays, hops, amounts
    return unique // stride, unique % stride, np.bincount(inverse, weights=amounts)


def _labels_of(pay_victim: dict, positions: np.ndarray) -> np.ndarray:
    """The victim label of each payment position, looked up once per distinct payment."""
    unique, inverse = np.unique(positions, return_inverse=True)
    labels = np.empty(len(unique), dtype=object)
    labels[:] = [pay_victim.get(p) for p in unique.tolist()]
    return labels[inverse]


def _index(graph: TransactionGraph) -> dict:
    if not graph._index:
        graph._index.update({key: i for i, key in enumerate(graph.ids.tolist())})
    return graph._index


def _queue(queues: dict, untraced: list, node: int) -> deque:
    """The FIFO queue of ``node``, starting with the untraced money it held so far."""
    queue = queues.get(node)
    if queue is None:
        queue = deque()
        if untraced[node] > 0:
            queue.append([None, untraced[node]])
        untraced[node] = 0.0
        queues[node] = queue
    return queue


def _receive_untraced(queues: dict, untraced: list, node: int, amount: float) -> None:
    if amount <= 0:
        return
    queue = queues.get(node)
    if queue is None:
        untraced[node] += amount
    elif queue and queue[-1][0] is None:
        queue[-1][1] += amount
    else:
        queue.append([None, amount])
