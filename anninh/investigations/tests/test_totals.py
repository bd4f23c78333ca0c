"""From the generator's files to the totals: import, analyse, and hold every total against the
ground truth the generator knows."""

from __future__ import annotations

import pytest

from anninh.investigations.models import Entity, Link

pytestmark = pytest.mark.django_db


def test_money_lost_and_paid_equal_the_ground_truth(analysed):
    case, run = analysed
    totals = run.results["totals"]
    truth = case.truth
    assert totals["paid"]["value"] == pytest.approx(float(truth.payments_total.sum()))
    assert totals["lost"]["value"] == pytest.approx(float(truth.money_lost.sum()))


def test_distinct_victims_equal_the_ground_truth(analysed):
    case, run = analysed
    assert run.results["totals"]["distinct_victims"]["value"] == case.truth.distinct_victims


def test_money_per_cash_out_point_equals_the_ground_truth(analysed):
    case, run = analysed
    keys = dict(Entity.objects.unrestricted().values_list("id", "key"))
    found = {keys[row["entity"]]: row["amount"] for row in run.results["by_cash_out"]}
    truth = case.truth.cash_out_received
    assert set(found) == set(truth.index)
    for key, amount in truth.items():
        assert found[key] == pytest.approx(float(amount), rel=1e-6), key


@pytest.fixture
def analysed_collision(personas, investigation):
    """A case of 3,000 transactions (seed 4) where two victims pay the same collector the same
    amount within a day: a complaint matched to the first statement row in the window took the
    other victim's account, two victims became one and one victim's payment was lost. The case
    at 20,000 transactions of the end-to-end benchmark failed the same way, and worse: the
    unrecognised victim account joined the background traffic to the ring."""
    from anninh.investigations.analysis import analysis_run
    from anninh.investigations.synthetic import synthetic_import

    case, results = synthetic_import(
        actor=personas["investigator"], investigation=investigation, victims=100, seed=4, transactions=3000
    )
    assert all(r.ok for r in results)
    return case, analysis_run(actor=personas["investigator"], investigation=investigation)


def _held_against_truth(case, run):
    totals = run.results["totals"]
    truth = case.truth
    refs = dict(Link.objects.unrestricted().values_list("id", "reference"))
    kind = dict(zip(case.transactions["id"], truth.transaction_kind, strict=True))
    # Every id behind "paid" is one of the victims' payments, each of them once, and so on.
    paid_refs = [refs[i] for i in totals["paid"]["ids"]]
    assert sorted(paid_refs) == sorted(
        case.transactions["id"][truth.transaction_kind.to_numpy() == "payment"]
    )
    returned_refs = [refs[i] for i in totals["returned"]["ids"]]
    assert {kind[r] for r in returned_refs} <= {"refund"}
    assert len(returned_refs) == int((truth.transaction_kind == "refund").sum())
    assert totals["distinct_victims"]["value"] == truth.distinct_victims
    assert totals["paid"]["value"] == float(truth.payments_total.sum())
    assert totals["returned"]["value"] == float(truth.refunds_total.sum())
    assert totals["lost"]["value"] == float(truth.money_lost.sum())
    # Per victim: the same multiset of (paid, lost) as the truth.
    found = sorted((row["paid"], row["lost"]) for row in run.results["per_victim"])
    expected = sorted(zip(truth.payments_total.astype(float), truth.money_lost.astype(float), strict=True))
    assert found == expected
    keys = dict(Entity.objects.unrestricted().values_list("id", "key"))
    by_point = {keys[row["entity"]]: row["amount"] for row in run.results["by_cash_out"]}
    assert set(by_point) == set(truth.cash_out_received.index)
    for key, amount in truth.cash_out_received.items():
        assert by_point[key] == pytest.approx(float(amount), rel=1e-9), key


def test_totals_equal_the_truth_when_two_victims_pay_the_same_amount_the_same_day(analysed_collision):
    _held_against_truth(*analysed_collision)


def test_every_total_of_the_small_case_is_traceable_to_the_truth(analysed):
    _held_against_truth(*analysed)


def test_totals_equal_the_truth_at_20000_transactions(personas, investigation):
    """The case of the end-to-end benchmark at 20,000 transactions (seed 0), which gave 198
    victims for 200 and money lost 2.9 % too high (about 10 s here)."""
    from anninh.investigations.analysis import analysis_run
    from anninh.investigations.synthetic import synthetic_import

    case, results = synthetic_import(
        actor=personas["investigator"], investigation=investigation, victims=200, seed=0, transactions=20_000
    )
    assert all(r.ok for r in results)
    _held_against_truth(case, analysis_run(actor=personas["investigator"], investigation=investigation))


def test_a_smallest_piece_to_trace_keeps_money_conserved_and_reports_the_remainder(personas, analysed):
    """``min_amount``: pieces under it stop where they stand; the money traced to each cash-out
    point can only be lower than the exact figures, the remainder is reported, every đồng paid
    is in one of the kinds, and money lost does not change."""
    from anninh.investigations.analysis import analysis_run

    _case, exact = analysed
    cut = analysis_run(actor=personas["investigator"], investigation=exact.investigation, min_amount=100_000)
    assert cut.params["min_amount"] == 100_000
    paid = exact.results["totals"]["paid"]["value"]
    for run in (exact, cut):
        trace = run.results["trace"]
        assert trace["paid"] == pytest.approx(paid, rel=1e-12)
        assert sum(trace["by_kind"].values()) == pytest.approx(paid, rel=1e-12)
        assert sum(row["amount"] for row in run.results["by_cash_out"]) == pytest.approx(
            trace["by_kind"]["cash_out"], rel=1e-12
        )
    assert exact.results["trace"]["by_kind"]["limit_amount"] == 0
    assert cut.results["trace"]["by_kind"]["limit_amount"] > 0
    assert cut.results["trace"]["remainder"] >= cut.results["trace"]["by_kind"]["limit_amount"]
    before = {row["entity"]: row["amount"] for row in exact.results["by_cash_out"]}
    after = {row["entity"]: row["amount"] for row in cut.results["by_cash_out"]}
    assert set(after) <= set(before)
    assert all(after[e] <= before[e] + 1e-6 for e in after)
    assert sum(after.values()) < sum(before.values())
    assert cut.results["totals"]["lost"] == exact.results["totals"]["lost"]
    assert cut.results["totals"]["distinct_victims"] == exact.results["totals"]["distinct_victims"]


def test_the_command_takes_the_smallest_piece_to_trace(personas, analysed):
    from django.core.management import call_command

    from anninh.investigations.models import AnalysisRun

    _case, exact = analysed
    inv = exact.investigation
    call_command(
        "investigation_analyse", inv.code, "--min-amount", "100000", "--as", personas["investigator"].username
    )
    run = AnalysisRun.objects.filter(investigation=inv).latest("pk")
    assert run.params["min_amount"] == 100_000
    assert run.results["trace"]["by_kind"]["limit_amount"] > 0


def test_a_new_analysis_clears_the_last_results_only_where_there_were_any(personas, investigation, analysed):
    from anninh.investigations.analysis import analysis_run
    from anninh.investigations.models import Entity

    entities = Entity.objects.unrestricted().filter(investigation=investigation)
    before = sorted(entities.values_list("id", "ring", "role", "score", "evidence"))
    stale = entities.filter(role="", ring=None, score=None).first()
    Entity.objects.unrestricted().filter(pk=stale.pk).update(role="mule", ring=99, evidence={"old": 1})
    analysis_run(actor=personas["investigator"], investigation=investigation)
    assert sorted(entities.values_list("id", "ring", "role", "score", "evidence")) == before
