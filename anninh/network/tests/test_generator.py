"""The synthetic scam generator: deterministic, and its ground truth agrees with its data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from anninh.network import normalize
from anninh.network.generator import NOISE_LEVELS, generate_case


@pytest.fixture(scope="module")
def case():
    return generate_case(victims=400, seed=7, noise="medium")


def test_same_seed_same_case_and_another_seed_another() -> None:
    a = generate_case(victims=60, seed=3, noise="high")
    b = generate_case(victims=60, seed=3, noise="high")
    c = generate_case(victims=60, seed=4, noise="high")
    pd.testing.assert_frame_equal(a.transactions, b.transactions)
    pd.testing.assert_frame_equal(a.people, b.people)
    pd.testing.assert_frame_equal(a.victims, b.victims)
    pd.testing.assert_series_equal(a.truth.money_lost, b.truth.money_lost)
    assert not a.transactions["amount"].equals(c.transactions["amount"])


def test_money_lost_is_payments_minus_refunds_as_the_transactions_show(case) -> None:
    truth, tx = case.truth, case.transactions
    holder = case.accounts.set_index("account")
    victim_accounts = truth.account_role[truth.account_role == "victim"].index
    kind = truth.transaction_kind
    paid = tx[kind.eq("payment").to_numpy()].groupby("source")["amount"].sum()
    refunded = tx[kind.eq("refund").to_numpy()].groupby("target")["amount"].sum()
    assert set(paid.index) <= set(victim_accounts)
    assert set(tx[kind.eq("refund").to_numpy()]["source"]) <= set(
        truth.account_role[truth.account_role == "collector"].index
    )
    # every victim paid; totals agree to the đồng
    assert paid.sum() == truth.payments_total.sum()
    assert refunded.sum() == truth.refunds_total.sum()
    assert (truth.money_lost == truth.payments_total - truth.refunds_total).all()
    assert (truth.money_lost > 0).all()
    assert truth.money_lost.sum() == paid.sum() - refunded.sum()
    assert len(holder) == len(case.accounts)


def test_each_victims_complaints_list_exactly_their_payments(case) -> None:
    truth = case.truth
    person = truth.person_of_record
    listed = case.payments.assign(person_id=case.payments["record_id"].map(person))
    # a victim who filed twice lists the same payments twice: count each once
    first = listed.drop_duplicates(["person_id", "account", "time", "amount"])
    per_person = first.groupby("person_id")["amount"].sum()
    pd.testing.assert_series_equal(
        per_person.sort_index(), truth.payments_total.sort_index(), check_names=False
    )
    assert len(listed) > len(first)  # duplicates exist at medium noise


def test_distinct_victims_fewer_than_complaints(case) -> None:
    persons = case.victims["record_id"].map(case.truth.person_of_record)
    assert persons.nunique() == case.truth.distinct_victims == 400
    assert len(case.victims) > case.truth.distinct_victims


def test_money_reaching_cash_out_points_is_conserved(case) -> None:
    truth, tx = case.truth, case.transactions
    cash_outs = truth.account_role[truth.account_role == "cash_out"].index
    arriving = tx[tx["target"].isin(cash_outs)].groupby("target")["amount"].sum()
    pd.testing.assert_series_equal(
        arriving.reindex(truth.cash_out_received.index, fill_value=0).sort_index(),
        truth.cash_out_received.sort_index(),
        check_names=False,
        check_dtype=False,
    )
    # earmarked per victim sums to what reached the cash-out points
    assert truth.victim_cash_out["amount"].sum() == pytest.approx(truth.cash_out_received.sum(), rel=1e-9)
    # no account in the network sends out more than it received, nor before it received it
    ring_accounts = truth.account_ring.index
    for account in ring_accounts:
        if account.startswith(("CASH:", "TRON:")):
            continue
        inflow = tx[tx["target"] == account].sort_values("time")
        outflow = tx[tx["source"] == account].sort_values("time")
        events = pd.concat([inflow.assign(delta=inflow["amount"]), outflow.assign(delta=-outflow["amount"])])
        balance = events.sort_values(["time", "delta"], ascending=[True, False])["delta"].cumsum()
        assert balance.min() >= 0, account
    # money reaching cash-out is what victims lost less the fees and the money left behind
    assert truth.cash_out_received.sum() < truth.money_lost.sum()
    assert truth.cash_out_received.sum() > 0.7 * truth.money_lost.sum()


def test_each_ring_has_every_role_and_ordinary_traffic_never_touches_a_ring(case) -> None:
    truth, tx = case.truth, case.transactions
    roles = truth.account_role.reindex(truth.account_ring.index)
    for _ring, members in roles.groupby(truth.account_ring):
        assert {"collector", "mule", "organiser", "cash_out"} <= set(members)
    background = tx[truth.transaction_kind.eq("background").to_numpy()]
    ring_nodes = set(truth.account_ring.index)
    assert not ring_nodes & (set(background["source"]) | set(background["target"]))
    # victims pay only collectors of their own ring
    payments = tx[truth.transaction_kind.eq("payment").to_numpy()]
    assert set(truth.account_role.reindex(payments["target"])) == {"collector"}


def test_family_members_share_phone_and_address_but_are_two_people(case) -> None:
    persons = case.people.assign(person_id=case.people["record_id"].map(case.truth.person_of_record))
    assert case.truth.shared_phone_pairs
    for a, b in case.truth.shared_phone_pairs:
        ra = persons[(persons["person_id"] == a) & (persons["source"] == "complaint")].iloc[0]
        rb = persons[(persons["person_id"] == b) & (persons["source"] == "complaint")].iloc[0]
        assert normalize.phone(ra["phone"]) == normalize.phone(rb["phone"])
        assert ra["address"] == rb["address"]
        assert normalize.name_key(ra["name"]) != normalize.name_key(rb["name"])


def test_every_written_identifier_normalises(case) -> None:
    for text in case.people["phone"]:
        assert normalize.phone(text).startswith("+84")
    for text in case.people["cccd"].dropna():
        assert normalize.cccd(text) is not None
    keys = [
        normalize.bank_account(b, n)
        for b, n in zip(case.payments["bank"], case.payments["number"], strict=True)
    ]
    assert keys == list(case.payments["account"])
    keys = [
        normalize.bank_account(b, n)
        for b, n in zip(case.accounts["bank"], case.accounts["number"], strict=True)
    ]
    assert keys == list(case.accounts["account"])
    for chain, address, key in case.wallets[["chain", "address", "wallet"]].itertuples(index=False):
        assert normalize.wallet(chain, address) == key
    for tax in case.companies["tax_code"].dropna():
        assert normalize.tax_code(tax) == tax


def test_noise_levels_make_records_harder() -> None:
    def share_plain(noise: str) -> float:
        people = generate_case(victims=300, seed=1, noise=noise).people
        complaints = people[people["source"] == "complaint"]
        return float(np.mean([n.isascii() for n in complaints["name"]]))

    low, high = share_plain("low"), share_plain("high")
    assert low < high
    assert set(NOISE_LEVELS) == {"low", "medium", "high"}


def test_the_transactions_asked_for_are_generated() -> None:
    case = generate_case(victims=50, seed=2, transactions=20_000)
    assert len(case.transactions) == 20_000
    assert case.transactions["time"].is_monotonic_increasing
    assert case.transactions["id"].is_unique
    with pytest.raises(ValueError, match="noise"):
        generate_case(victims=5, noise="loud")


def test_no_victim_has_more_money_traced_than_they_lost(case) -> None:
    traced = case.truth.victim_cash_out.groupby("person_id")["amount"].sum()
    lost = case.truth.money_lost.reindex(traced.index)
    assert (traced <= lost * 1.0000001).all()
    assert set(traced.index) <= set(case.truth.money_lost.index)
    assert set(case.truth.victim_cash_out["cash_out"]) <= set(case.truth.cash_out_received.index)
