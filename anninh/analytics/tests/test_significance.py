"""The Poisson comparison, checked against values worked by hand."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from anninh.analytics.significance import ALPHA, compare_counts, poisson_p_value


def test_equal_counts_are_not_significant():
    assert poisson_p_value(10, 10) == 1.0
    assert compare_counts(10, 10).significant is False


def test_small_case_by_hand():
    # a=4, b=0, equal periods: n=4, p=1/2. P(X>=4) = 1/16; two-sided p = 2/16 = 0.125.
    assert poisson_p_value(4, 0) == pytest.approx(0.125)
    # a=6, b=0: P(X>=6) = 1/64, p = 1/32 = 0.03125 -> significant at 5 %.
    change = compare_counts(6, 0)
    assert change.p_value == pytest.approx(1 / 32)
    assert change.significant and change.percent is None and change.direction == 1


def test_unequal_exposure_by_hand():
    # a=1 in 1 day, b=0 in 3 days: n=1, p=1/4. P(X>=1)=1/4, P(X<=1)=1 -> p = 0.5.
    assert poisson_p_value(1, 0, 1, 3) == pytest.approx(0.5)
    # 7 days now vs 28 days before with 2 and 8: exactly the same daily rate.
    change = compare_counts(2, 8, 7, 28)
    assert change.percent == pytest.approx(0.0)
    assert not change.significant


def test_three_to_six_is_noise_but_thirty_to_sixty_is_not():
    assert not compare_counts(6, 3).significant
    big = compare_counts(60, 30)
    assert big.significant and big.percent == pytest.approx(100.0) and big.direction == 1
    fall = compare_counts(30, 60)
    assert fall.significant and fall.direction == -1


def test_binomial_tail_matches_direct_sum():
    a, b = 9, 3
    n = a + b
    upper = sum(math.comb(n, k) for k in range(a, n + 1)) / 2**n
    assert poisson_p_value(a, b) == pytest.approx(min(1.0, 2 * upper))


def test_bad_input():
    with pytest.raises(ValueError, match=r"^counts must be non-negative$"):
        poisson_p_value(-1, 2)
    with pytest.raises(ValueError, match=r"^counts must be non-negative$"):
        poisson_p_value(1, -2)
    with pytest.raises(ValueError, match=r"^period lengths must be positive$"):
        poisson_p_value(1, 2, 0, 1)
    with pytest.raises(ValueError, match=r"^period lengths must be positive$"):
        poisson_p_value(1, 2, 1, 0)


@given(st.integers(0, 500), st.integers(0, 500))
def test_p_value_is_a_probability_and_symmetric(a, b):
    p = poisson_p_value(a, b)
    assert 0.0 <= p <= 1.0
    assert p == pytest.approx(poisson_p_value(b, a))


def test_a_change_that_is_not_significant_has_no_direction():
    rise, fall = compare_counts(6, 3), compare_counts(3, 6)
    assert rise.percent == pytest.approx(100.0) and not rise.significant and rise.direction == 0
    assert fall.percent == pytest.approx(-50.0) and not fall.significant and fall.direction == 0


def test_the_level_is_five_percent_and_strict():
    # a=5, b=0: P(X>=5) = 1/32, two-sided p = 1/16 = 0.0625: between 0.05 and 0.1, so noise
    # at 5 % (a level of 10 % would call it a rise).
    change = compare_counts(5, 0)
    assert change.p_value == pytest.approx(0.0625)
    assert not change.significant and change.direction == 0
    assert ALPHA == 0.05
    # p exactly at the level is not below it.
    assert poisson_p_value(6, 0) == 1 / 32
    assert not compare_counts(6, 0, alpha=1 / 32).significant
    assert compare_counts(6, 0, alpha=0.0313).significant


def test_a_zero_baseline():
    nothing = compare_counts(0, 0)
    assert (nothing.percent, nothing.p_value, nothing.significant, nothing.direction) == (None, 1.0, False, 0)
    small = compare_counts(2, 0)  # 0 → 2: no percentage, and noise (p = 0.5)
    assert small.percent is None and small.p_value == pytest.approx(0.5) and small.direction == 0
    new = compare_counts(8, 0, 7, 7)  # 0 → 8: p = 2/256, a rise with no percentage
    assert new.percent is None and new.p_value == pytest.approx(2 / 256) and new.direction == 1
    gone = compare_counts(0, 8)  # 8 → 0: a fall of 100 %
    assert gone.percent == pytest.approx(-100.0) and gone.direction == -1
    # A zero baseline over a longer period is still zero: the expectation is 0, not a division.
    assert compare_counts(3, 0, 7, 28).percent is None


def test_a_small_but_certain_rise_is_a_rise():
    # 1,000,000 → 1,005,000: +0.5 %, far beyond chance with counts this large.
    change = compare_counts(1_005_000, 1_000_000)
    assert 0 < change.percent < 1 and change.significant and change.direction == 1


def test_a_change_is_immutable():
    import dataclasses

    change = compare_counts(60, 30)
    with pytest.raises(dataclasses.FrozenInstanceError):
        change.p_value = 1.0  # type: ignore[misc]
