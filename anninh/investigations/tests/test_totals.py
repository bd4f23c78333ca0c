"""From the generator's files to the totals: import, analyse, and hold every total against the
ground truth the generator knows."""

from __future__ import annotations

import pytest

from anninh.investigations.models import Entity

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
