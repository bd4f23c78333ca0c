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


# --- Gaps found by mutation testing (./dev mutate anninh/analytics/knox.py) -------------------


def test_bands_are_half_open_and_the_last_edge_is_excluded():
    # Three events on a line: 0–1 exactly 100 m and 7 days apart (band edges), 0–2 exactly
    # 200 m and 30 days apart (both last edges: not counted), 1–2 100 m and 23 days apart.
    r = knox_test([0, 100, 200], [0, 0, 0], [0, 7, 30], [0, 100, 200], [0, 7, 14, 30], exact=True)
    assert r.observed.tolist() == [[0, 0, 0], [0, 1, 1]]
    assert r.n_pairs == 2 and r.n_events == 3


def test_pairs_closer_than_the_first_edge_or_sooner_than_the_first_time_edge_are_left_out():
    r = knox_test(X, Y, T, [60, 200], TIME, exact=True)  # A–B (50 m) falls below the first band
    assert r.observed.tolist() == [[0, 0, 2]]
    same_day = knox_test([0, 10], [0, 0], [5, 5], [0, 100], [1, 7], exact=True)
    assert same_day.observed.tolist() == [[0]]


def test_limits_on_events_pairs_and_permutations(monkeypatch):
    from anninh.analytics import knox

    many = np.zeros(knox.MAX_EVENTS + 1)
    with pytest.raises(KnoxError, match="at most 20000 events"):
        knox_test(many, many, many, DIST, TIME)
    assert knox.MAX_PERMUTATIONS == 999 and knox.MAX_PAIRS == 3_000_000
    knox_test(X, Y, T, DIST, TIME, n_permutations=999)
    with pytest.raises(KnoxError, match="between 1 and 999"):
        knox_test(X, Y, T, DIST, TIME, n_permutations=1000)
    monkeypatch.setattr(knox, "MAX_PAIRS", 3)
    assert knox_test(X, Y, T, DIST, TIME, n_permutations=1).n_pairs == 3
    monkeypatch.setattr(knox, "MAX_PAIRS", 2)
    with pytest.raises(KnoxError, match=r"too many pairs \(3\)"):
        knox_test(X, Y, T, DIST, TIME, n_permutations=1)


def test_exact_enumeration_takes_at_most_eight_events():
    x = np.arange(8) * 1000.0  # no pair within the bands: fast
    r = knox_test(x, x * 0, np.arange(8), DIST, TIME, exact=True)
    assert r.n_permutations == 40320
    with pytest.raises(KnoxError, match="at most 8 events"):
        knox_test(np.arange(9) * 1000.0, np.zeros(9), np.arange(9), DIST, TIME, exact=True)


@pytest.mark.parametrize(
    "x, y, t",
    [
        ([0, 1], [0, 1], [0]),  # lengths differ
        ([[0, 1]], [[0, 1]], [[0, 1]]),  # two-dimensional
        ([0, np.nan], [0, 1], [0, 1]),
        ([0, 1], [0, np.inf], [0, 1]),
        ([0, 1], [0, 1], [0, np.nan]),
    ],
)
def test_bad_coordinates_and_times(x, y, t):
    with pytest.raises(KnoxError):
        knox_test(x, y, t, DIST, TIME, n_permutations=1)


@pytest.mark.parametrize("edges", [[0, 0, 100], [0, np.inf], [[0, 100]], [0, np.nan]])
def test_bad_edges(edges):
    with pytest.raises(KnoxError, match="increasing, non-negative"):
        knox_test(X, Y, T, edges, TIME, n_permutations=1)


def test_significance_needs_a_small_p_value_and_more_pairs_than_expected():
    r = knox_test(X, Y, T, DIST, TIME, exact=True)
    assert not r.significant()[0, 0]  # p = 0.5
    assert not r.significant(alpha=0.5)[0, 0]  # strictly below alpha
    assert r.significant(alpha=0.51)[0, 0]
    # Cell (0, 1): nothing observed, nothing expected: never a near repeat, whatever alpha.
    assert r.p_value[0, 1] == 1.0
    assert not r.significant(alpha=1.01)[0, 1]
    assert np.isnan(r.ratio[0, 1])
    assert r.ratio[1, 2] == pytest.approx(2.0)


def test_monte_carlo_expectation_and_p_value_follow_their_definitions():
    from anninh.analytics.knox import count_table, spatial_pairs

    n = 20
    r = knox_test(X, Y, T, DIST, TIME, n_permutations=n, seed=5)
    i, j, band = spatial_pairs(np.array(X, float), np.array(Y, float), np.array(DIST, float))
    rng = np.random.default_rng(5)
    tables = np.stack(
        [
            count_table(i, j, band, rng.permutation(np.array(T, float)), np.array(TIME, float), 2)
            for _ in range(n)
        ]
    )
    assert r.expected == pytest.approx(tables.mean(axis=0))
    assert r.p_value == pytest.approx((1 + (tables >= r.observed).sum(axis=0)) / (1 + n))
    assert r.n_permutations == n
