"""Totals, tracing and roles against the generator's ground truth (helper er's generator).

The victims and their payments are found the way an investigator finds them: each payment a
complaint lists is matched to the bank statements by destination account, amount and time; the
payer's account is then the victim's, and the complaint's person (after resolution) the victim.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from anninh.network.generator import generate_case
from anninh.network.graph import TransactionGraph
from anninh.network.roles import roles
from anninh.network.totals import totals
from anninh.network.trace import trace


@pytest.fixture(scope="module")
def case():
    case = generate_case(victims=120, seed=3)
    tx = case.transactions.reset_index(drop=True)
    graph = TransactionGraph.from_arrays(
        tx["source"].to_numpy(),
        tx["target"].to_numpy(),
        tx["amount"].to_numpy(),
        tx["time"],
        tx_ids=tx["id"].to_numpy(),
    )
    matched = case.payments.merge(
        tx.reset_index().rename(columns={"index": "position"}),
        left_on=["account", "amount", "time"],
        right_on=["target", "amount", "time"],
    )
    victims = dict(zip(matched["source"], matched["record_id"].map(case.truth.person_of_record), strict=True))
    payments = np.unique(matched["position"].to_numpy())
    return case, graph, victims, payments


def test_totals_equal_the_ground_truth(case):
    case, graph, victims, _ = case
    truth = case.truth
    result = totals(graph, victims=victims, network=set(truth.account_ring.index))
    assert result.distinct_victims.value == truth.distinct_victims
    assert result.paid.value == truth.payments_total.sum()
    assert result.returned.value == truth.refunds_total.sum()
    assert result.lost.value == truth.money_lost.sum()
    per = result.per_victim.set_index("victim")["lost"]
    pd.testing.assert_series_equal(
        per.sort_index(), truth.money_lost.sort_index().astype(float), check_names=False
    )


@pytest.mark.parametrize("method", ["proportional", "fifo"])
def test_money_traced_to_each_cash_out_point_equals_the_ground_truth(case, method):
    case, graph, victims, payments = case
    truth = case.truth
    cash = truth.account_role[truth.account_role == "cash_out"].index.tolist()
    traced = trace(graph, victims=victims, cash_out=cash, method=method, payments=payments)
    ours = totals(graph, victims=victims, trace=traced).by_cash_out.set_index("cash_out")["amount"]
    expected = truth.cash_out_received.astype(float)
    assert ours.sort_index().to_numpy() == pytest.approx(expected.sort_index().to_numpy(), rel=1e-9)
    assert ours.index.sort_values().tolist() == expected.index.sort_values().tolist()


def test_collectors_and_mules_are_found(case):
    case, graph, victims, payments = case
    truth = case.truth
    table = roles(graph, victims=list(victims), payments=payments).set_index("account")
    true_collectors = set(truth.account_role[truth.account_role == "collector"].index)
    found = set(table.index[table["roles"].apply(lambda r: "collector" in r)])
    assert found == true_collectors
    true_mules = set(truth.account_role[truth.account_role == "mule"].index)
    assert set(table.index[table["primary"] == "mule"]) >= true_mules
    # Ordinary accounts pass money on quickly too; none of them is given a role.
    assert not set(table.index) & set(truth.account_role[truth.account_role == "background"].index)
