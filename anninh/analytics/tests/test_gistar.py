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

from anninh.analytics.gistar import GiStarError, benjamini_hochberg, gi_star, grid_queen, polygon_contiguity

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
