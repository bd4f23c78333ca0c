"""Gi* against a case worked by hand, and its properties.

A 3 × 3 grid, every cell 1 except the centre 9; queen contiguity with the cell itself.
n = 9, Σx = 17, X̄ = 17/9, Σx² = 89, S² = 89/9 − (17/9)² = 512/81, S = √512 / 9.
Corner (0, 0): neighbours itself, (0, 1), (1, 0) and the centre: Σw = Σw² = 4, Σwx = 12.
Numerator 12 − 4·17/9 = 40/9; denominator S·√((9·4 − 16)/8) = (√512/9)·√(5/2).
Gi* = 40 / √(512 · 5/2) = 40 / √1280 = √5 / 2 ≈ 1.118.
Centre: its neighbourhood is the whole grid, Σwx = 17 = X̄·9, Gi* = 0.
Edge middle (0, 1): neighbours 6 cells with the centre: Σw = 6, Σwx = 14;
numerator 14 − 6·17/9 = 8/3; denominator (√512/9)·√((54 − 36)/8) = (√512/9)·1.5;
Gi* = (8/3) · 9 / (1.5 √512) = 16/√512 = 0.7071 = 1/√2.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from anninh.analytics.gistar import (
    GiStarError,
    benjamini_hochberg,
    distance_band,
    gi_star,
    grid_queen,
    polygon_contiguity,
    with_self,
)

GRID = np.array([1, 1, 1, 1, 9, 1, 1, 1, 1], float)


def test_hand_computed_grid():
    r = gi_star(GRID, grid_queen(3, 3))
    assert r.z[0] == pytest.approx(math.sqrt(5) / 2)
    assert r.z[4] == pytest.approx(0.0)
    assert r.z[1] == pytest.approx(1 / math.sqrt(2))
    assert not r.significant.any()  # nine cells cannot make a significant cluster here


def test_a_cluster_of_high_values_is_a_hot_spot():
    values = np.ones((10, 10))
    values[:3, :3] = 20
    r = gi_star(values.ravel(), grid_queen(10, 10))
    assert r.hot[11] and not r.cold.any()  # cell (1, 1), inside the cluster
    assert r.z[11] == r.z.max()


def test_polygon_contiguity_matches_the_grid():
    squares = [box(c, r, c + 1, r + 1) for r in range(3) for c in range(3)]
    w = polygon_contiguity(squares)  # touching at corners counts: queen
    assert (w.toarray() == grid_queen(3, 3).toarray()).all()


def test_benjamini_hochberg_by_hand():
    # p sorted: 0.01 ≤ 0.05·1/4; 0.02 ≤ 0.05·2/4 = 0.025; 0.03 > 0.0375? no: 0.03 ≤ 0.0375; 0.2 > 0.05.
    assert benjamini_hochberg(np.array([0.2, 0.01, 0.03, 0.02]), 0.05).tolist() == [False, True, True, True]


def test_bad_input():
    with pytest.raises(GiStarError):
        gi_star([1, 2], grid_queen(1, 2))
    with pytest.raises(GiStarError):
        gi_star([1, 2, 3], grid_queen(2, 2))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0, 1000, allow_nan=False), min_size=9, max_size=9), st.floats(0.1, 100))
def test_z_scores_do_not_change_when_values_are_scaled(values, factor):
    w = grid_queen(3, 3)
    a, b = gi_star(values, w), gi_star(np.array(values) * factor, w)
    assert np.allclose(a.z, b.z, atol=1e-6)


def test_a_uniform_field_has_no_hot_spot():
    r = gi_star(np.full(25, 7.0), grid_queen(5, 5))
    assert not r.significant.any() and (r.z == 0).all()


# --- Gaps found by mutation testing (./dev mutate anninh/analytics/gistar.py) -----------------


def test_grid_queen_on_a_two_by_three_grid():
    # Cells 0 1 2 / 3 4 5: cell 0 touches 1, 3, 4; cell 1 touches everything; cell 2 touches 1, 4, 5.
    w = grid_queen(2, 3).toarray()
    assert w.tolist() == [
        [1, 1, 0, 1, 1, 0],
        [1, 1, 1, 1, 1, 1],
        [0, 1, 1, 0, 1, 1],
        [1, 1, 0, 1, 1, 0],
        [1, 1, 1, 1, 1, 1],
        [0, 1, 1, 0, 1, 1],
    ]
    assert grid_queen(1, 1).toarray().tolist() == [[1]]
    for rows, cols in ((0, 3), (3, 0)):
        with pytest.raises(GiStarError, match="at least one row"):
            grid_queen(rows, cols)


def test_distance_band_links_centres_within_the_threshold_and_each_unit_to_itself():
    w = distance_band([0, 1, 3, 10], [0, 0, 0, 0], 2.5).toarray()
    assert w.tolist() == [[1, 1, 0, 0], [1, 1, 1, 0], [0, 1, 1, 0], [0, 0, 0, 1]]
    assert distance_band([0, 5, 10], [0, 0, 0], 1).toarray().tolist() == np.eye(3).tolist()


def test_polygon_contiguity_tolerance_bridges_small_gaps_and_weights_stay_binary():
    a, b = box(0, 0, 1, 1), box(1.1, 0, 2.1, 1)  # a 0.1 gap between them
    assert polygon_contiguity([a, b]).toarray().tolist() == [[1, 0], [0, 1]]
    assert polygon_contiguity([a, b], tolerance=0.2).toarray().tolist() == [[1, 1], [1, 1]]
    overlapping = [box(0, 0, 2, 2), box(1, 1, 3, 3), box(1.5, 1.5, 4, 4)]
    assert polygon_contiguity(overlapping).toarray().tolist() == [[1, 1, 1], [1, 1, 1], [1, 1, 1]]


def test_with_self_sets_the_diagonal_and_keeps_the_rest():
    w = with_self(np.array([[0, 2.0], [3.0, 5.0]])).toarray()
    assert w.tolist() == [[1.0, 2.0], [3.0, 1.0]]


def test_benjamini_hochberg_passes_p_values_equal_to_their_threshold_and_steps_up():
    alpha = 0.05
    at_threshold = alpha * np.arange(1, 5) / 4
    assert benjamini_hochberg(at_threshold, alpha).all()
    # Only the third smallest passes its own threshold, but it pulls the two below it in.
    assert benjamini_hochberg(np.array([0.03, 0.02, 0.035, 0.9]), alpha).tolist() == [True, True, True, False]
    assert benjamini_hochberg(np.array([0.03, 0.9]), alpha).tolist() == [False, False]
    assert benjamini_hochberg(np.array([]), alpha).tolist() == []


def test_p_values_are_two_sided_and_alpha_and_fdr_decide_significance():
    w = grid_queen(3, 3)
    r = gi_star(GRID, w, alpha=0.3)
    assert r.p_value[0] == pytest.approx(0.263552, abs=1e-6)  # 2 · (1 − Φ(√5/2))
    assert r.p_value[1] == pytest.approx(0.479500, abs=1e-6)  # 2 · (1 − Φ(1/√2))
    assert r.p_value[4] == pytest.approx(1.0)
    assert r.significant.tolist() == [True, False, True, False, False, False, True, False, True]
    assert r.hot.tolist() == r.significant.tolist() and not r.cold.any()
    # With the false-discovery-rate correction over nine tests, none of the corners survives:
    # the smallest p (0.2636) exceeds every threshold it is compared with (0.3 · k / 9, k ≤ 4).
    assert not gi_star(GRID, w, alpha=0.3, fdr=True).significant.any()
    assert not gi_star(GRID, w).significant.any()  # the default alpha is 0.05


def test_a_cluster_of_low_values_is_a_cold_spot():
    values = np.full((10, 10), 20.0)
    values[:3, :3] = 1
    r = gi_star(values.ravel(), grid_queen(10, 10))
    assert r.cold[11] and not r.hot.any()
    assert r.z[11] == r.z.min() and r.z[11] < 0


def test_three_units_are_enough_and_values_must_be_finite():
    assert gi_star([1, 2, 3], grid_queen(1, 3)).z.shape == (3,)
    for bad in ([1, np.nan, 3], [1, np.inf, 3]):
        with pytest.raises(GiStarError, match="finite"):
            gi_star(bad, grid_queen(1, 3))
