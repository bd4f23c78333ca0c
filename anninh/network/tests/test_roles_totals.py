"""Roles and totals on one hand-drawn scam network.

Four victims; V1, V2, V3 pay collector C1, V4 pays C2. C1 splits the money to mules M1 and M2
within a day; both pass it on to X within a day; X keeps everything (an unnamed cash-out point).
C2 passes V4's money to ATM (a named cash withdrawal). O pays small sums to C1, M1 and M2 (the
organiser). C1 returns 20 to V1. Days count from 30/01/2026, so V1 and V2 pay in January and
V3 and V4 in February.
"""

from __future__ import annotations

import pandas as pd
import pytest

from anninh.network.graph import TransactionGraph
from anninh.network.roles import RoleRules, roles
from anninh.network.totals import totals
from anninh.network.trace import trace

ROWS = [
    ("O", "C1", 5.0, 0.5),
    ("O", "M1", 5.0, 0.5),
    ("O", "M2", 5.0, 0.5),
    ("V1", "C1", 100.0, 1),
    ("V2", "C1", 100.0, 1),
    ("V3", "C1", 100.0, 2),
    ("V4", "C2", 50.0, 2),
    ("C1", "M1", 150.0, 2.5),
    ("C1", "M2", 140.0, 3),
    ("M1", "X", 148.0, 3),
    ("C2", "ATM", 50.0, 3),
    ("M2", "X", 139.0, 3.5),
    ("C1", "V1", 20.0, 4),
]
VICTIMS = ["V1", "V2", "V3", "V4"]


@pytest.fixture
def graph() -> TransactionGraph:
    source, target, amount, day = zip(*ROWS, strict=True)
    when = pd.Timestamp("2026-01-30") + pd.to_timedelta(list(day), unit="D")
    return TransactionGraph.from_arrays(
        source, target, amount, when, tx_ids=[f"t{i}" for i in range(len(ROWS))]
    )


def test_each_account_gets_its_role(graph):
    table = roles(graph, victims=VICTIMS, cash_out_kinds={"ATM": "cash_withdrawal"}).set_index("account")
    assert table["primary"].to_dict() == {
        "C1": "collector",
        "C2": "mule",
        "M1": "mule",
        "M2": "mule",
        "X": "cash_out",
        "ATM": "cash_out",
        "O": "organiser",
    }
    assert table.loc["C1", "roles"] == ("collector", "mule")


def test_roles_carry_their_evidence(graph):
    table = roles(graph, victims=VICTIMS, cash_out_kinds={"ATM": "cash_withdrawal"}).set_index("account")
    collector = table.loc["C1", "evidence"]["collector"]
    assert collector == {"distinct_victims": 3, "paid_in": 300.0, "victims": ["V1", "V2", "V3"]}
    mule = table.loc["M1", "evidence"]["mule"]
    assert mule["received"] == 155.0
    assert mule["sent"] == 148.0
    assert mule["median_dwell_days"] == pytest.approx(0.5)
    assert table.loc["X", "evidence"]["cash_out"]["layer_sources"] == 2
    assert table.loc["ATM", "evidence"]["cash_out"]["named_kind"] == "cash_withdrawal"
    assert table.loc["O", "evidence"]["organiser"]["linked_accounts"] == ["C1", "M1", "M2"]
    assert table.loc["O", "evidence"]["organiser"]["paid_to_them"] == 15.0


def test_thresholds_are_parameters(graph):
    table = roles(graph, victims=VICTIMS, rules=RoleRules(collector_min_victims=4)).set_index("account")
    assert "collector" not in table.loc["C1", "roles"]


def test_a_slow_account_is_not_a_mule(graph):
    table = roles(graph, victims=VICTIMS, rules=RoleRules(mule_max_dwell_days=0.25)).set_index("account")
    assert "M1" not in table.index


def test_totals_with_the_ids_behind_them(graph):
    result = totals(
        graph,
        victims=VICTIMS,
        province_of={"V1": "Hải Phòng", "V2": "Hải Phòng", "V3": "Hà Nội", "V4": "Hà Nội"},
    )
    assert result.distinct_victims.value == 4
    assert result.distinct_victims.ids == ("V1", "V2", "V3", "V4")
    assert result.paid.value == 350.0
    assert set(result.paid.ids) == {"t3", "t4", "t5", "t6"}
    assert result.returned.value == 20.0
    assert result.returned.ids == ("t12",)
    assert result.lost.value == 330.0
    per = result.per_victim.set_index("victim")
    assert per.loc["V1", ["paid", "returned", "lost"]].tolist() == [100.0, 20.0, 80.0]
    province = result.by_province.set_index("province")
    assert province.loc["Hải Phòng", "lost"] == 180.0
    assert province.loc["Hà Nội", "ids"] == ("V3", "V4")
    month = result.by_month.set_index("month")
    assert month.loc["2026-01", ["victims", "paid", "returned"]].tolist() == [2, 200.0, 0.0]
    assert month.loc["2026-02", ["victims", "paid", "returned"]].tolist() == [2, 150.0, 20.0]
    assert month.loc["2026-02", "ids"] == ("t5", "t6", "t12")


def test_one_person_behind_two_accounts_is_one_victim(graph):
    result = totals(graph, victims={"V1": "Lan", "V2": "Lan", "V3": "Minh", "V4": "Hoa"})
    assert result.distinct_victims.ids == ("Hoa", "Lan", "Minh")
    assert result.per_victim.set_index("victim").loc["Lan", "lost"] == 180.0


def test_money_per_cash_out_point_from_fifo_tracing(graph):
    """FIFO (worked by hand): C1 holds O's 5, then V1, V2, V3 100 each. To M1 150: O's 5, V1's
    100, 45 of V2's; M1 (O's 5 first) sends 148 to X: 10 untraced, V1 100, V2 38. To M2 140: V2's
    55, V3's 85; M2 (O's 5 first) sends 139 to X: V2 55, V3 79. X: 100 + 93 + 79 = 272. C2 sends
    V4's 50 to ATM."""
    traced = trace(graph, victims=VICTIMS, cash_out=["X", "ATM"], method="fifo")
    result = totals(graph, victims=VICTIMS, trace=traced)
    table = result.by_cash_out.set_index("cash_out")
    assert table.loc["X", "amount"] == pytest.approx(272.0)
    assert table.loc["X", "victims"] == 3
    assert table.loc["X", "ids"] == ("t3", "t4", "t5")
    assert table.loc["ATM", "amount"] == pytest.approx(50.0)
    per_victim = traced.by_cash_out().set_index("victim")
    assert per_victim.loc["V2", "amount"] == pytest.approx(93.0)
    to_victim = traced.flows[traced.flows["kind"] == "to_victim"]
    assert to_victim[["victim", "account", "amount"]].values.tolist() == [["V3", "V1", pytest.approx(15.0)]]


def test_only_the_named_payments_make_a_collector(graph):
    """Without the complaints' payments every victim transfer counts; naming them (here all but
    V3's) leaves C1 with two victims: no longer a collector."""
    named = [3, 4, 6]  # V1 → C1, V2 → C1, V4 → C2
    table = roles(graph, victims=VICTIMS, payments=named).set_index("account")
    assert "collector" not in table.loc["C1", "roles"]
    assert table.loc["C1", "distinct_victims"] == 2
