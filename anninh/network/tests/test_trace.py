"""Tracing on hand-drawn graphs; the expected numbers are worked out by hand in each docstring."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anninh.network.graph import TransactionGraph
from anninh.network.trace import KINDS, trace


def graph_of(rows: list[tuple]) -> TransactionGraph:
    """``rows``: (source, target, amount, day)."""
    source, target, amount, time = zip(*rows, strict=True)
    return TransactionGraph.from_arrays(
        source, target, amount, time, tx_ids=[f"t{i}" for i in range(len(rows))]
    )


def flows(result, kind: str) -> dict:
    """{(victim, account): amount} of one kind of flow."""
    rows = result.flows[result.flows["kind"] == kind]
    out: dict = {}
    for row in rows.itertuples():
        out[(row.victim, row.account)] = out.get((row.victim, row.account), 0.0) + row.amount
    return out


TWO_VICTIMS = [
    ("V1", "C", 100.0, 1),
    ("V2", "C", 300.0, 2),
    ("C", "M", 200.0, 3),
    ("M", "X", 150.0, 4),
]


def test_proportional_splits_every_outflow_by_the_shares_held():
    """C holds V1 100 + V2 300; sending 200 moves half of each: M gets V1 50, V2 150. M sends 150
    of its 200 (three quarters): X gets V1 37.5, V2 112.5; M keeps V1 12.5, V2 37.5; C keeps
    V1 50, V2 150."""
    result = trace(graph_of(TWO_VICTIMS), victims=["V1", "V2"], cash_out=["X"], method="proportional")
    assert flows(result, "cash_out") == pytest.approx({("V1", "X"): 37.5, ("V2", "X"): 112.5})
    assert flows(result, "held") == pytest.approx(
        {("V1", "M"): 12.5, ("V2", "M"): 37.5, ("V1", "C"): 50.0, ("V2", "C"): 150.0}
    )


def test_fifo_sends_the_oldest_money_first():
    """C → M 200 takes V1's 100 (oldest) then 100 of V2's; M → X 150 takes V1's 100 then 50 of
    V2's. X gets V1 100, V2 50; M keeps V2 50; C keeps V2 200."""
    result = trace(graph_of(TWO_VICTIMS), victims=["V1", "V2"], cash_out=["X"], method="fifo")
    assert flows(result, "cash_out") == pytest.approx({("V1", "X"): 100.0, ("V2", "X"): 50.0})
    assert flows(result, "held") == pytest.approx({("V2", "M"): 50.0, ("V2", "C"): 200.0})


def test_money_per_cash_out_point_names_the_payments_behind_it():
    result = trace(graph_of(TWO_VICTIMS), victims=["V1", "V2"], cash_out=["X"], method="fifo")
    table = result.by_cash_out()
    assert table[["cash_out", "victim"]].values.tolist() == [["X", "V1"], ["X", "V2"]]
    assert table["amount"].tolist() == pytest.approx([100.0, 50.0])
    assert table["payments"].tolist() == [("t0",), ("t1",)]


CYCLE = [
    ("V", "A", 100.0, 1),
    ("A", "B", 100.0, 2),
    ("B", "A", 100.0, 3),
    ("A", "X", 60.0, 4),
]


@pytest.mark.parametrize("method", ["proportional", "fifo"])
def test_money_going_round_a_cycle_is_followed_once_per_transfer(method):
    """V → A → B → A → X: X gets 60 after 3 hops, A keeps 40 (after 2 hops)."""
    result = trace(graph_of(CYCLE), victims=["V"], cash_out=["X"], method=method)
    rows = result.flows.set_index("kind")
    assert rows.loc["cash_out", "amount"] == pytest.approx(60.0)
    assert rows.loc["cash_out", "hops"] == 3
    assert rows.loc["held", "amount"] == pytest.approx(40.0)
    assert rows.loc["held", "hops"] == 2


@pytest.mark.parametrize("method", ["proportional", "fifo"])
def test_tracing_stops_at_the_hop_bound_where_the_money_stands(method):
    """With at most 2 transfers after the payment, A → X (the third) is not followed: 60 stop
    at A as limit_hops; A still holds the other 40."""
    result = trace(graph_of(CYCLE), victims=["V"], cash_out=["X"], method=method, max_hops=2)
    assert flows(result, "limit_hops") == pytest.approx({("V", "A"): 60.0})
    assert flows(result, "cash_out") == {}
    assert flows(result, "held") == pytest.approx({("V", "A"): 40.0})


@pytest.mark.parametrize("method", ["proportional", "fifo"])
def test_tracing_stops_after_the_day_bound(method):
    """Paid on day 1; A → B on day 2 is within 2 days, B → A on day 3 too (2 days after), A → X
    on day 4 is 3 days after: stopped at A."""
    result = trace(graph_of(CYCLE), victims=["V"], cash_out=["X"], method=method, max_days=2)
    assert flows(result, "limit_days") == pytest.approx({("V", "A"): 60.0})


REFUND = [
    ("V1", "C", 100.0, 1),
    ("V2", "C", 100.0, 2),
    ("C", "V1", 50.0, 3),
]


def test_proportional_refund_returns_each_victims_share():
    """C holds V1 100 + V2 100 and sends 50 to V1: a quarter of each. V1's 25 is a refund, V2's
    25 reached another victim (a Ponzi payout); C keeps 75 of each."""
    result = trace(graph_of(REFUND), victims=["V1", "V2"], method="proportional")
    assert flows(result, "refund") == pytest.approx({("V1", "V1"): 25.0})
    assert flows(result, "to_victim") == pytest.approx({("V2", "V1"): 25.0})
    assert flows(result, "held") == pytest.approx({("V1", "C"): 75.0, ("V2", "C"): 75.0})


def test_fifo_refund_returns_the_oldest_money():
    """The oldest money in C is V1's own: the 50 sent back are all V1's refund."""
    result = trace(graph_of(REFUND), victims=["V1", "V2"], method="fifo")
    assert flows(result, "refund") == pytest.approx({("V1", "V1"): 50.0})
    assert flows(result, "to_victim") == {}
    assert flows(result, "held") == pytest.approx({("V1", "C"): 50.0, ("V2", "C"): 100.0})


def test_a_victim_paying_from_two_accounts_gets_a_refund_on_either():
    result = trace(graph_of(REFUND), victims={"V1": "Lan", "V2": "Lan"}, method="fifo")
    assert flows(result, "refund") == pytest.approx({("Lan", "V1"): 50.0})


UNTRACED_FIRST = [
    ("Z", "C", 100.0, 0),
    ("V", "C", 100.0, 1),
    ("C", "X", 100.0, 2),
    ("C", "X", 150.0, 3),
]


def test_other_money_in_the_account_takes_its_share():
    """C holds 100 of Z's (not a victim) and 100 of V's; sending 100 moves half of each: 50 of V's
    reach X. The next 150 exceed what C is known to hold (100): all of it leaves, V's other 50
    included, the rest is money C had that the data does not show."""
    result = trace(graph_of(UNTRACED_FIRST), victims=["V"], cash_out=["X"], method="proportional")
    assert flows(result, "cash_out") == pytest.approx({("V", "X"): 100.0})
    assert flows(result, "held") == {}


def test_fifo_other_money_received_earlier_leaves_first():
    """Z's 100 arrived first, so the first 100 sent are Z's; the 150 then take V's 100."""
    result = trace(graph_of(UNTRACED_FIRST[:3]), victims=["V"], cash_out=["X"], method="fifo")
    assert flows(result, "cash_out") == {}
    assert flows(result, "held") == pytest.approx({("V", "C"): 100.0})


def test_a_payment_straight_to_a_cash_out_point_is_cashed_out_at_hop_zero():
    result = trace(graph_of([("V", "X", 70.0, 1)]), victims=["V"], cash_out=["X"])
    assert result.flows[["kind", "amount", "hops"]].values.tolist() == [["cash_out", 70.0, 0]]


def test_pieces_below_the_minimum_amount_stop_where_they_stand():
    """Proportional: C → M 200 of 400 moves V1 50, V2 150. With a minimum of 60, V1's 50 at M is
    a crumb when M sends: recorded at M (limit_amount); M's 150 of V2 plus the 50 now untraced
    make 200, of which M sends 150: V2 gets 150 × 150/200 = 112.5 to X."""
    result = trace(graph_of(TWO_VICTIMS), victims=["V1", "V2"], cash_out=["X"], min_amount=60)
    assert flows(result, "limit_amount") == pytest.approx({("V1", "M"): 50.0})
    assert flows(result, "cash_out") == pytest.approx({("V2", "X"): 112.5})


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match="method"):
        trace(graph_of(CYCLE), victims=["V"], method="lifo")


ACCOUNTS = ["V0", "V1", "V2", "A", "B", "C", "X"]


@st.composite
def transactions(draw):
    count = draw(st.integers(min_value=1, max_value=25))
    rows = []
    for _ in range(count):
        source = draw(st.sampled_from(ACCOUNTS))
        target = draw(st.sampled_from([a for a in ACCOUNTS if a != source]))
        amount = draw(st.floats(min_value=0.01, max_value=1000.0, allow_nan=False))
        day = draw(st.integers(min_value=0, max_value=10))
        rows.append((source, target, amount, day))
    return rows


@settings(max_examples=60, deadline=None)
@given(
    rows=transactions(),
    method=st.sampled_from(["proportional", "fifo"]),
    max_hops=st.one_of(st.none(), st.integers(min_value=0, max_value=4)),
    max_days=st.one_of(st.none(), st.floats(min_value=0, max_value=10)),
    min_amount=st.sampled_from([0.0, 5.0, 100.0]),
)
def test_money_is_conserved_traced_plus_residual_equals_paid(rows, method, max_hops, max_days, min_amount):
    result = trace(
        graph_of(rows),
        victims=["V0", "V1", "V2"],
        cash_out=["X"],
        method=method,
        max_hops=max_hops,
        max_days=max_days,
        min_amount=min_amount,
    )
    table = result.per_payment()
    assert len(table) == sum(1 for s, t, _, _ in rows if s.startswith("V") and not t.startswith("V"))
    for row in table.itertuples():
        pieces = [getattr(row, kind) for kind in KINDS]
        assert all(piece >= -1e-9 for piece in pieces)
        assert sum(pieces) == pytest.approx(row.paid, rel=1e-9, abs=1e-9)
