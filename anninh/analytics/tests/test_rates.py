"""Empirical-Bayes smoothed rates, checked against values worked by hand."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from anninh.analytics.rates import eb_rates


def test_worked_example():
    # Two areas: 0 of 1,000 and 20 of 1,000. Overall rate b = 0.01; raw rates 0 and 0.02.
    # Variance between areas: (1000·0.0001 + 1000·0.0001)/2000 − 0.01/1000 = 0.0001 − 0.00001
    # = 0.00009; weight w = 0.00009 / (0.00009 + 0.01/1000) = 0.9, so the rates shrink by a
    # tenth towards b: 0.001 and 0.019 (per 10,000: 10 and 190).
    assert eb_rates([0, 20], [1000, 1000]) == pytest.approx([10.0, 190.0])


def test_a_tiny_ward_is_pulled_to_the_city_rate_a_large_one_keeps_its_own():
    counts = np.array([3, 100, 1000, 2000])
    population = np.array([686, 20_000, 161_051, 200_000])
    raw = counts / population * 10_000
    smoothed = eb_rates(counts, population)
    city = counts.sum() / population.sum() * 10_000
    # The 686-person ward's 43.7 per 10,000 from 3 crimes is mostly noise.
    assert abs(smoothed[0] - city) < abs(raw[0] - city) / 2
    assert smoothed[2] == pytest.approx(raw[2], rel=0.02)
    assert np.all(np.minimum(raw, city) - 1e-9 <= smoothed) and np.all(
        smoothed <= np.maximum(raw, city) + 1e-9
    )


def test_no_variation_beyond_chance_gives_the_city_rate_everywhere():
    # Counts exactly proportional to population: every area at the city rate.
    assert eb_rates([5, 10, 20], [1000, 2000, 4000]) == pytest.approx([50.0, 50.0, 50.0])


def test_edge_cases():
    assert eb_rates([0, 0], [100, 200]).tolist() == [0.0, 0.0]
    # A unit with no population gets the city rate (it has no rate of its own).
    assert eb_rates([4, 0], [1000, 0]) == pytest.approx([40.0, 40.0])
    assert eb_rates([1, 2], [10, 20], per=1) == pytest.approx([0.1, 0.1])
    with pytest.raises(ValueError):
        eb_rates([1, 2], [10])
    with pytest.raises(ValueError):
        eb_rates([-1, 2], [10, 10])
    with pytest.raises(ValueError):
        eb_rates([1, 2], [0, 0])


@given(st.lists(st.tuples(st.integers(0, 500), st.integers(1, 200_000)), min_size=1, max_size=40))
def test_smoothed_rates_lie_between_the_raw_rate_and_the_overall_rate(rows):
    counts = np.array([c for c, _p in rows], float)
    population = np.array([p for _c, p in rows], float)
    smoothed = eb_rates(counts, population)
    raw = counts / population * 10_000
    city = counts.sum() / population.sum() * 10_000
    assert np.all(smoothed >= np.minimum(raw, city) - 1e-6)
    assert np.all(smoothed <= np.maximum(raw, city) + 1e-6)
