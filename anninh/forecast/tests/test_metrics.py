"""Metrics on toy grids computed by hand."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anninh.forecast.metrics import (
    Evaluation,
    best_capture,
    bootstrap_interval,
    capture_counts,
    cells_for_coverage,
    jaccard,
    jaccard_stability,
    paired_bootstrap_difference,
    rank_cells,
)


def test_cells_for_coverage_rounds_half_up_and_flags_at_least_one_cell() -> None:
    assert cells_for_coverage(0.01, 9468) == 95
    assert cells_for_coverage(0.05, 9468) == 473
    assert cells_for_coverage(0.25, 10) == 3  # 2.5 rounds up
    assert cells_for_coverage(0.001, 10) == 1
    with pytest.raises(ValueError):
        cells_for_coverage(0.0, 10)


def test_rank_cells_orders_by_score_then_by_the_tie_break_keys() -> None:
    scores = np.array([1.0, 3.0, 3.0, 0.0])
    assert rank_cells(scores, np.array([0.0, 0.2, 0.9, 0.5])).tolist() == [2, 1, 0, 3]
    assert rank_cells(scores, np.array([0.0, 0.9, 0.2, 0.5])).tolist() == [1, 2, 0, 3]


def test_ties_at_the_cut_are_broken_by_the_keys_not_by_position() -> None:
    outcome = np.array([0.0, 5.0, 0.0, 0.0])
    scores = np.zeros(4)  # every cell tied
    order = rank_cells(scores, np.array([0.1, 0.8, 0.3, 0.2]))
    assert capture_counts(order, outcome, [1]).tolist() == [5.0]
    order = rank_cells(scores, np.array([0.9, 0.8, 0.3, 0.2]))
    assert capture_counts(order, outcome, [1]).tolist() == [0.0]


def test_pai_is_hit_rate_over_coverage() -> None:
    # 10 cells, flag 2 (20%): they hold 6 of 10 incidents -> hit 0.6, PAI 3.
    ev = Evaluation(10, coverages=(0.2,))
    outcome = np.array([4, 2, 1, 1, 1, 1, 0, 0, 0, 0], dtype=float)
    ev.add(0, np.arange(10), outcome)
    assert ev.hit_rate(0.2) == pytest.approx(0.6)
    assert ev.pai(0.2) == pytest.approx(0.6 / 0.2)


def test_pei_divides_by_the_best_capture_with_the_same_number_of_cells() -> None:
    ev = Evaluation(5, coverages=(0.4,))  # k = 2
    outcome = np.array([0, 3, 1, 2, 0], dtype=float)
    ev.add(0, np.array([0, 3, 1, 2, 4]), outcome)  # flags cells 0 and 3: captures 2
    assert best_capture(outcome, [2]).tolist() == [5.0]  # cells 1 and 3
    assert ev.pei(0.4) == pytest.approx(2 / 5)


def test_pooling_sums_weeks_instead_of_averaging_weekly_ratios() -> None:
    ev = Evaluation(4, coverages=(0.25,))  # k = 1
    # Week 1: 1 of 1 captured (ratio 1). Week 2: 1 of 9 captured (ratio 1/9).
    ev.add(0, np.array([0, 1, 2, 3]), np.array([1.0, 0, 0, 0]))
    ev.add(7, np.array([0, 1, 2, 3]), np.array([1.0, 8, 0, 0]))
    assert ev.hit_rate(0.25) == pytest.approx(2 / 10)  # not (1 + 1/9) / 2
    assert ev.pai(0.25) == pytest.approx(0.2 * 4)
    assert ev.pei(0.25) == pytest.approx(2 / (1 + 8))


def test_a_week_without_incidents_counts_for_nothing_rather_than_breaking_the_pool() -> None:
    ev = Evaluation(4, coverages=(0.25,))
    ev.add(0, np.arange(4), np.zeros(4))
    assert np.isnan(ev.hit_rate(0.25))
    ev.add(7, np.arange(4), np.array([2.0, 2, 0, 0]))
    assert ev.hit_rate(0.25) == pytest.approx(0.5)


def test_jaccard_overlap_of_consecutive_top_sets() -> None:
    assert jaccard(np.array([1, 2, 3]), np.array([2, 3, 4])) == pytest.approx(2 / 4)
    stability = jaccard_stability([np.array([1, 2]), np.array([1, 2]), np.array([3, 4])])
    assert stability == pytest.approx((1.0 + 0.0) / 2)


def test_summary_reports_every_coverage_with_intervals_around_the_point() -> None:
    rng = np.random.default_rng(1)
    ev = Evaluation(50)
    for week in range(20):
        outcome = rng.poisson(np.linspace(2, 0.01, 50)).astype(float)
        ev.add(7 * week, np.arange(50), outcome)
    summary = ev.summary(n_boot=300)
    assert list(summary) == ["0.005", "0.01", "0.02", "0.05", "0.1", "0.2"]
    for metrics in summary.values():
        lo, hi = metrics["pai_ci"]
        assert lo <= metrics["pai"] <= hi
        assert 0 <= metrics["pei"] <= 1


def test_bootstrap_interval_is_reproducible_with_a_seed_and_narrows_with_more_weeks() -> None:
    rng = np.random.default_rng(2)
    cap, tot = rng.poisson(10, 10).astype(float), rng.poisson(40, 10).astype(float) + 10
    assert bootstrap_interval(cap, tot, seed=3) == bootstrap_interval(cap, tot, seed=3)
    wide = bootstrap_interval(cap, tot, seed=3)
    narrow = bootstrap_interval(np.tile(cap, 10), np.tile(tot, 10), seed=3)
    assert narrow[1] - narrow[0] < wide[1] - wide[0]


def test_paired_bootstrap_of_identical_models_is_exactly_zero() -> None:
    cap = np.array([3.0, 4, 5, 2])
    tot = np.array([10.0, 12, 9, 8])
    d = paired_bootstrap_difference(cap, cap, tot, scale=10)
    assert d["difference"] == 0 and d["ci"] == [0.0, 0.0]


def test_paired_bootstrap_sees_a_consistent_small_gain_that_separate_intervals_would_miss() -> None:
    rng = np.random.default_rng(4)
    tot = rng.poisson(100, 52).astype(float)
    base = rng.binomial(tot.astype(int), 0.15).astype(float)  # noisy weeks
    better = base + 1  # one more incident captured every single week
    d = paired_bootstrap_difference(better, base, tot, scale=100)
    assert d["ci"][0] > 0
    a = bootstrap_interval(better, tot, 100)
    b = bootstrap_interval(base, tot, 100)
    assert a[0] < b[1]  # the unpaired intervals overlap


@settings(max_examples=60, deadline=None)
@given(
    outcome=st.lists(st.integers(0, 20), min_size=1, max_size=40),
    scores=st.data(),
)
def test_capture_is_monotone_in_coverage_and_pei_stays_in_0_1(outcome: list[int], scores) -> None:
    n = len(outcome)
    s = np.array(scores.draw(st.lists(st.floats(0, 10), min_size=n, max_size=n)))
    order = rank_cells(s, np.random.default_rng(0).random(n))
    ks = list(range(n + 1))
    cap = capture_counts(order, np.array(outcome, dtype=float), ks)
    best = best_capture(np.array(outcome, dtype=float), ks)
    assert np.all(np.diff(cap) >= 0)
    assert np.all(cap <= best + 1e-9)
    ev = Evaluation(n, coverages=(0.1, 0.5, 1.0))
    ev.add(0, order, np.array(outcome, dtype=float))
    for c in (0.1, 0.5, 1.0):
        pei = ev.pei(c)
        assert np.isnan(pei) or 0 <= pei <= 1 + 1e-12
