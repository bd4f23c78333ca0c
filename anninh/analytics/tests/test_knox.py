"""The Knox test against a case counted by hand.

Four events (metres, days):  A (0, 0) day 0;  B (50, 0) day 3;  C (0, 150) day 20;
D (1000, 1000) day 1. Distance bands [0, 100) and [100, 200) m; time bands [0, 7), [7, 14),
[14, 30) days.

Pairs closer than 200 m: A–B 50 m, 3 days → (0, 0); A–C 150 m, 20 days → (1, 2);
B–C √(50² + 150²) = 158 m, 17 days → (1, 2). D is alone. Observed = [[1, 0, 0], [0, 0, 2]].

Shuffling the four dates: a given pair of events gets two of the dates {0, 3, 20, 1}, each of
the 6 pairs of dates equally likely; their gaps are 3, 20, 1, 17, 2, 19: three under 7 days,
none in [7, 14), three in [14, 30). So each spatial pair falls in time band 0 with
probability 1/2 and in band 2 with probability 1/2: expected = [[0.5, 0, 0.5], [1, 0, 1]].
Knox ratio of (0, 0) = 1 / 0.5 = 2, and P(count ≥ 1) = 1/2 exactly.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anninh.analytics.knox import KnoxError, knox_test

X = [0, 50, 0, 1000]
Y = [0, 0, 150, 1000]
T = [0, 3, 20, 1]
DIST = [0, 100, 200]
TIME = [0, 7, 14, 30]


def test_hand_computed_case_exact():
    r = knox_test(X, Y, T, DIST, TIME, exact=True)
    assert r.observed.tolist() == [[1, 0, 0], [0, 0, 2]]
    assert r.expected == pytest.approx(np.array([[0.5, 0, 0.5], [1, 0, 1]]))
    assert r.ratio[0, 0] == pytest.approx(2.0)
    assert r.p_value[0, 0] == pytest.approx(0.5)
    # Both B–C and A–C land in band 2 only when C's date is far from both others' dates.
    assert r.n_pairs == 3 and r.n_permutations == 24


def test_monte_carlo_approaches_the_exact_expectation():
    r = knox_test(X, Y, T, DIST, TIME, n_permutations=999, seed=1)
    assert r.expected == pytest.approx(np.array([[0.5, 0, 0.5], [1, 0, 1]]), abs=0.06)
    assert 0.45 < r.p_value[0, 0] < 0.56


def test_deterministic_with_a_seed():
    a = knox_test(X, Y, T, DIST, TIME, n_permutations=50, seed=7)
    b = knox_test(X, Y, T, DIST, TIME, n_permutations=50, seed=7)
    assert np.array_equal(a.p_value, b.p_value) and np.array_equal(a.expected, b.expected)


def test_a_planted_near_repeat_pattern_is_found():
    rng = np.random.default_rng(3)
    # 150 background events over 5 km and a year, plus 40 repeats within 50 m and 3 days.
    bx, by, bt = rng.uniform(0, 5000, 150), rng.uniform(0, 5000, 150), rng.uniform(0, 365, 150)
    k = rng.integers(0, 150, 40)
    x = np.concatenate([bx, bx[k] + rng.uniform(-30, 30, 40)])
    y = np.concatenate([by, by[k] + rng.uniform(-30, 30, 40)])
    t = np.concatenate([bt, bt[k] + rng.uniform(0, 3, 40)])
    r = knox_test(x, y, t, [0, 100, 200, 400], [0, 7, 14, 28], n_permutations=199, seed=0)
    assert r.significant()[0, 0] and r.ratio[0, 0] > 5
    assert not r.significant()[2, 2]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"distance_edges": [100]},
        {"distance_edges": [0, 200, 100]},
        {"time_edges": [-1, 7]},
        {"n_permutations": 0},
    ],
)
def test_bad_input(kwargs):
    args = {"distance_edges": DIST, "time_edges": TIME, "n_permutations": 9}
    args.update(kwargs)
    with pytest.raises(KnoxError):
        knox_test(X, Y, T, **args)


@settings(max_examples=25, deadline=None)
@given(st.integers(2, 30), st.integers(0, 10_000))
def test_observed_counts_are_invariant_to_shifting_all_times(n, seed):
    rng = np.random.default_rng(seed)
    x, y, t = rng.uniform(0, 500, n), rng.uniform(0, 500, n), rng.uniform(0, 60, n)
    a = knox_test(x, y, t, [0, 100, 300], [0, 7, 30], n_permutations=5, seed=0)
    b = knox_test(x, y, t + 1000, [0, 100, 300], [0, 7, 30], n_permutations=5, seed=0)
    assert np.array_equal(a.observed, b.observed)
    assert (a.p_value > 0).all() and (a.p_value <= 1).all()
