"""Totals the prosecution can defend, each with the ids behind it.

- distinct victims (victim labels after resolution: a person who paid from two accounts is one);
- money paid: every victim payment into the network (a transfer from a victim's account to a
  network account);
- money returned: transfers from network accounts back to any victim's account (refunds and
  "profits" paid out);
- money lost: per victim, paid minus returned, never below zero (a victim paid out more than
  they put in lost nothing, and their surplus does not reduce another victim's loss); the total
  is the sum over victims;
- money traced to each cash-out point (from a :class:`~anninh.network.trace.TraceResult`);
- the same by the victims' province and by month (of the payment; returns by their own month).

Public API (stable): :class:`Total` (``value``, ``ids``: the transaction ids or victim labels
behind the value) and ``totals(graph, *, victims, network=None, trace=None, province_of=None)
-> Totals`` with ``distinct_victims, paid, returned, lost`` (Totals), ``per_victim``,
``by_province``, ``by_month``, ``by_cash_out`` (DataFrames, an ``ids`` column on each row).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from anninh.network.graph import TransactionGraph
from anninh.network.trace import TraceResult


@dataclass(frozen=True)
class Total:
    """A number and the ids it was computed from."""

    value: float
    ids: tuple


@dataclass(frozen=True)
class Totals:
    distinct_victims: Total
    paid: Total
    returned: Total
    lost: Total
    #: victim, paid, returned, lost, payments (tx ids), returns (tx ids).
    per_victim: pd.DataFrame
    #: province, victims (count), paid, returned, lost, ids (victim labels).
    by_province: pd.DataFrame
    #: month (YYYY-MM), victims, paid, returned, ids (tx ids).
    by_month: pd.DataFrame
    #: cash_out, amount, victims (count), ids (payments traced there).
    by_cash_out: pd.DataFrame


def _month(days: np.ndarray) -> np.ndarray:
    return (
        pd.to_datetime(np.asarray(days, dtype=np.float64) * 86_400.0, unit="s").strftime("%Y-%m").to_numpy()
    )


def totals(
    graph: TransactionGraph,
    *,
    victims: Iterable[Hashable] | Mapping[Hashable, Hashable],
    network: Iterable[Hashable] | None = None,
    trace: TraceResult | None = None,
    province_of: Mapping[Hashable, str] | None = None,
) -> Totals:
    """Totals of a case (see the module docstring). ``victims``: victims' account ids, or a
    mapping account id → victim label; ``network``: the accounts of the network (default: every
    account that is not a victim's); ``province_of``: victim label → province."""
    victim_map = dict(victims) if isinstance(victims, Mapping) else {v: v for v in victims}
    labels = pd.Series(graph.ids).map(victim_map)
    is_victim = labels.notna().to_numpy()
    if network is None:
        in_network = ~is_victim
    else:
        in_network = pd.Series(graph.ids).isin(set(network)).to_numpy() & ~is_victim
    src, dst = graph.source, graph.target
    paid_mask = is_victim[src] & in_network[dst]
    ret_mask = in_network[src] & is_victim[dst]
    label_arr = labels.to_numpy(dtype=object)
    payments = pd.DataFrame(
        {
            "victim": label_arr[src[paid_mask]],
            "amount": graph.amount[paid_mask],
            "tx": graph.tx_ids[paid_mask],
            "month": _month(graph.time[paid_mask]),
        }
    )
    returns = pd.DataFrame(
        {
            "victim": label_arr[dst[ret_mask]],
            "amount": graph.amount[ret_mask],
            "tx": graph.tx_ids[ret_mask],
            "month": _month(graph.time[ret_mask]),
        }
    )
    paid_by = payments.groupby("victim").agg(paid=("amount", "sum"), payments=("tx", tuple))
    ret_by = returns.groupby("victim").agg(returned=("amount", "sum"), returns=("tx", tuple))
    per_victim = paid_by.join(ret_by, how="outer")
    per_victim["paid"] = per_victim["paid"].fillna(0.0)
    per_victim["returned"] = per_victim["returned"].fillna(0.0)
    for column in ("payments", "returns"):
        per_victim[column] = per_victim[column].apply(lambda v: v if isinstance(v, tuple) else ())
    per_victim["lost"] = np.maximum(per_victim["paid"] - per_victim["returned"], 0.0)
    per_victim = per_victim[per_victim["paid"] > 0].reset_index()
    per_victim = per_victim[["victim", "paid", "returned", "lost", "payments", "returns"]]

    victim_ids = tuple(sorted(per_victim["victim"].tolist(), key=str))
    pay_ids = tuple(payments["tx"].tolist())
    ret_ids = tuple(returns[returns["victim"].isin(set(victim_ids))]["tx"].tolist())
    distinct = Total(len(victim_ids), victim_ids)
    paid = Total(float(per_victim["paid"].sum()), pay_ids)
    returned = Total(float(per_victim["returned"].sum()), ret_ids)
    lost = Total(float(per_victim["lost"].sum()), pay_ids + ret_ids)

    provinces = per_victim.assign(
        province=per_victim["victim"].map(dict(province_of or {})).fillna("")
    ).groupby("province", sort=True)
    by_province = provinces.agg(
        victims=("victim", "size"),
        paid=("paid", "sum"),
        returned=("returned", "sum"),
        lost=("lost", "sum"),
        ids=("victim", lambda s: tuple(sorted(s, key=str))),
    ).reset_index()

    months_paid = payments.groupby("month").agg(
        victims=("victim", "nunique"), paid=("amount", "sum"), paid_ids=("tx", tuple)
    )
    months_ret = returns.groupby("month").agg(returned=("amount", "sum"), ret_ids=("tx", tuple))
    by_month = months_paid.join(months_ret, how="outer").sort_index()
    by_month["victims"] = by_month["victims"].fillna(0).astype(int)
    by_month["paid"] = by_month["paid"].fillna(0.0)
    by_month["returned"] = by_month["returned"].fillna(0.0)
    by_month["ids"] = [
        (p if isinstance(p, tuple) else ()) + (r if isinstance(r, tuple) else ())
        for p, r in zip(by_month["paid_ids"], by_month["ret_ids"], strict=True)
    ]
    by_month = by_month.reset_index()[["month", "victims", "paid", "returned", "ids"]]

    if trace is not None:
        per = trace.by_cash_out()
        if per.empty:
            by_cash_out = pd.DataFrame(columns=["cash_out", "amount", "victims", "ids"])
        else:
            by_cash_out = (
                per.groupby("cash_out")
                .agg(
                    amount=("amount", "sum"),
                    victims=("victim", "nunique"),
                    ids=("payments", lambda s: tuple(sorted({p for group in s for p in group}, key=str))),
                )
                .reset_index()
                .sort_values(["amount", "cash_out"], ascending=[False, True], kind="stable")
                .reset_index(drop=True)
            )
    else:
        by_cash_out = pd.DataFrame(columns=["cash_out", "amount", "victims", "ids"])
    return Totals(distinct, paid, returned, lost, per_victim, by_province, by_month, by_cash_out)
