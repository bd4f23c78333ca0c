"""Metrics on toy grids computed by hand."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anninh.forecast.metrics import (
    Evaluation,
    best_capture,
    bootstrap_indices,
    bootstrap_interval,
    capture_counts,
    cells_for_coverage,
    coverage_key,
    jaccard,
    jaccard_stability,
    paired_bootstrap_difference,
    rank_cells,
    tie_keys,
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


# --- Gaps found by mutation testing (./dev mutate anninh/forecast/metrics.py) -----------------


def test_coverage_bounds_are_open_at_zero_and_closed_at_one() -> None:
    assert cells_for_coverage(1.0, 7) == 7  # the whole area is allowed
    assert cells_for_coverage(0.99, 7) == 7  # never more cells than there are
    for bad in (-0.1, 1.0000001, 2.0):
        with pytest.raises(ValueError, match="coverage must be in"):
            cells_for_coverage(bad, 7)
    assert cells_for_coverage(0.35, 10) == 4  # 3.5 rounds up
    assert cells_for_coverage(0.34, 10) == 3  # 3.4 rounds down


def test_tie_keys_are_fixed_by_seed_and_origin_and_differ_between_origins() -> None:
    a = tie_keys(5, seed=1, origin=100)
    assert a.shape == (5,) and np.all((a >= 0) & (a < 1))
    assert np.array_equal(a, tie_keys(5, seed=1, origin=100))
    assert not np.array_equal(a, tie_keys(5, seed=1, origin=101))
    assert not np.array_equal(a, tie_keys(5, seed=2, origin=100))
    # The same keys as the generator seeded by hand: the origin enters as a non-negative int.
    expected = np.random.default_rng([1, 100]).random(5)
    assert np.array_equal(a, expected)
    negative = tie_keys(3, seed=0, origin=-1)
    assert np.array_equal(negative, np.random.default_rng([0, 0x7FFFFFFF]).random(3))


def test_without_keys_ties_keep_the_cells_in_position_order() -> None:
    assert rank_cells(np.array([2.0, 5.0, 2.0, 2.0, 5.0])).tolist() == [1, 4, 0, 2, 3]
    with pytest.raises(ValueError, match="NaN"):
        rank_cells(np.array([1.0, np.nan]))


def test_capture_counts_and_best_capture_at_zero_and_all_cells() -> None:
    outcome = np.array([1.0, 0, 4, 2])
    order = np.array([3, 2, 1, 0])
    assert capture_counts(order, outcome, [0, 1, 2, 4]).tolist() == [0.0, 2.0, 6.0, 7.0]
    assert best_capture(outcome, [0, 1, 2, 4]).tolist() == [0.0, 4.0, 6.0, 7.0]


def test_jaccard_edge_cases() -> None:
    assert jaccard(np.array([], dtype=int), np.array([], dtype=int)) == 1.0
    assert jaccard(np.array([1, 1, 2]), np.array([2])) == pytest.approx(1 / 2)  # sets, not lists
    assert jaccard(np.array([1]), np.array([2])) == 0.0
    assert np.isnan(jaccard_stability([np.array([1])]))
    assert np.isnan(jaccard_stability([]))
    assert jaccard_stability([np.array([1, 2]), np.array([2, 3])]) == pytest.approx(1 / 3)


def test_bootstrap_indices_have_one_row_per_resample_and_stay_in_range() -> None:
    idx = bootstrap_indices(4, 50, seed=9)
    assert idx.shape == (50, 4)
    assert idx.min() >= 0 and idx.max() <= 3
    assert set(np.unique(idx)) == {0, 1, 2, 3}
    assert np.array_equal(idx, bootstrap_indices(4, 50, seed=9))


def test_bootstrap_interval_equals_the_percentiles_of_the_resampled_pooled_ratio() -> None:
    cap = np.array([1.0, 5, 2, 0, 3])
    tot = np.array([4.0, 9, 6, 2, 5])
    idx = bootstrap_indices(5, 400, seed=7)
    stats = 3.0 * cap[idx].sum(axis=1) / tot[idx].sum(axis=1)
    for level in (0.95, 0.8):
        a = (1 - level) / 2
        want = np.quantile(stats, [a, 1 - a])
        got = bootstrap_interval(cap, tot, scale=3.0, n_boot=400, seed=7, level=level)
        assert got == pytest.approx(tuple(want))
    assert (
        bootstrap_interval(cap, tot, 3.0, 400, 7, 0.8)[0] > bootstrap_interval(cap, tot, 3.0, 400, 7, 0.95)[0]
    )


def test_bootstrap_interval_of_nothing_is_undefined() -> None:
    assert all(np.isnan(bootstrap_interval(np.array([]), np.array([]))))
    lo, hi = bootstrap_interval(np.zeros(3), np.zeros(3))  # weeks without any incident
    assert np.isnan(lo) and np.isnan(hi)


def test_paired_bootstrap_reports_the_relative_gain_and_its_one_sided_p_value() -> None:
    a = np.array([6.0, 6, 6, 6])
    b = np.array([4.0, 4, 4, 4])
    tot = np.array([10.0, 10, 10, 10])
    d = paired_bootstrap_difference(a, b, tot, scale=2.0, n_boot=200)
    assert d["difference"] == pytest.approx(2.0 * (0.6 - 0.4))
    assert d["relative"] == pytest.approx(0.5)
    assert d["relative_ci"] == pytest.approx([0.5, 0.5])
    assert d["ci"] == pytest.approx([0.4, 0.4])
    assert d["p_not_better"] == 0.0
    same = paired_bootstrap_difference(b, b, tot, n_boot=200)
    assert same["p_not_better"] == 1.0  # "not better" includes "equal"
    worse = paired_bootstrap_difference(b, a, tot, n_boot=200)
    assert worse["p_not_better"] == 1.0 and worse["relative"] == pytest.approx(4 / 6 - 1)
    with pytest.raises(ValueError, match="same origins"):
        paired_bootstrap_difference(a, b[:3], tot)


def test_paired_bootstrap_intervals_follow_the_level() -> None:
    rng = np.random.default_rng(5)
    tot = rng.poisson(50, 30).astype(float) + 1
    a = rng.binomial(tot.astype(int), 0.3).astype(float)
    b = rng.binomial(tot.astype(int), 0.25).astype(float)
    wide = paired_bootstrap_difference(a, b, tot, n_boot=500, level=0.99)
    narrow = paired_bootstrap_difference(a, b, tot, n_boot=500, level=0.5)
    assert wide["ci"][0] < narrow["ci"][0] <= narrow["ci"][1] < wide["ci"][1]
    assert (
        wide["relative_ci"][0] < narrow["relative_ci"][0] <= narrow["relative_ci"][1] < wide["relative_ci"][1]
    )
    # The point difference does not depend on resampling at all.
    assert wide["difference"] == narrow["difference"] == pytest.approx((a.sum() - b.sum()) / tot.sum())


def test_evaluation_summary_numbers_for_one_hand_made_week() -> None:
    ev = Evaluation(10, coverages=(0.1, 0.3))  # k = 1 and 3
    outcome = np.array([0, 5, 1, 0, 2, 0, 0, 0, 0, 0], dtype=float)
    order = np.array([4, 1, 2, 0, 3, 5, 6, 7, 8, 9])
    ev.add(14, order, outcome)
    ev.add(21, np.array([1, 4, 2, 0, 3, 5, 6, 7, 8, 9]), outcome)
    assert ev.ks.tolist() == [1, 3]
    assert ev.origins == [14, 21]
    assert ev.captured_at(0.1).tolist() == [2.0, 5.0]
    assert ev.best_at(0.1).tolist() == [5.0, 5.0]
    assert ev.scale(0.3) == pytest.approx(10 / 3)
    s = ev.summary(n_boot=50)
    assert list(s) == ["0.1", "0.3"]
    assert s["0.1"]["k"] == 1 and s["0.3"]["k"] == 3
    assert s["0.1"]["captured"] == 7.0 and s["0.1"]["incidents"] == 16.0
    assert s["0.1"]["hit_rate"] == pytest.approx(7 / 16)
    assert s["0.1"]["pai"] == pytest.approx(7 / 16 * 10)
    assert s["0.1"]["pei"] == pytest.approx(7 / 10)
    assert s["0.3"]["pei"] == pytest.approx(1.0)
    # Top sets: week 1 flags {4}, week 2 flags {1}: no overlap at k=1, full overlap at k=3.
    assert s["0.1"]["jaccard"] == 0.0
    assert s["0.3"]["jaccard"] == 1.0
    lo, hi = s["0.1"]["pei_ci"]
    assert lo == pytest.approx(0.4) and hi == pytest.approx(1.0)
    with pytest.raises(KeyError, match="was not scored"):
        ev.pai(0.2)


def test_default_coverages_and_their_keys() -> None:
    assert Evaluation(1000).ks.tolist() == [5, 10, 20, 50, 100, 200]
    assert coverage_key(0.005) == "0.005" and coverage_key(0.1) == "0.1" and coverage_key(1.0) == "1"
