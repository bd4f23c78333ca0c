"""Tests for anninh.lib.numbers: one way to write a number in Vietnamese and English."""

from __future__ import annotations

import math
import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from anninh.lib.numbers import (
    MINUS,
    NBSP,
    format_coordinates,
    format_money,
    format_number,
    format_p_value,
    format_percent,
    format_share,
)


@pytest.mark.parametrize(
    ("value", "places", "lang", "text"),
    [
        (12885, 0, "vi", "12.885"),
        (12885, 0, "en", "12,885"),
        (20000, 0, "vi", "20.000"),
        (999, 0, "vi", "999"),
        (1234567, 0, "vi-vn", "1.234.567"),
        (5.8, 1, "vi", "5,8"),
        (5.8, 1, "en", "5.8"),
        (0.01, 3, "vi", "0,010"),
        (1234.5, 2, "vi", "1.234,50"),
        (1234.5, 2, "en", "1,234.50"),
        (2.25, 1, "vi", "2,3"),  # half up, not to even
        (-3, 0, "vi", MINUS + "3"),
        (-0.04, 1, "vi", "0,0"),  # no "−0,0"
        (Decimal("7.125"), 2, "en", "7.13"),
    ],
)
def test_it_groups_thousands_and_uses_the_languages_decimal_mark(value, places, lang, text):
    assert format_number(value, places, lang) == text


@pytest.mark.parametrize("value", [None, float("nan"), float("inf"), "abc", True])
def test_a_missing_or_impossible_number_is_a_dash_not_zero(value):
    assert format_number(value) == "—"
    assert format_percent(value) == "—"


def test_signed_numbers_show_plus_for_rises_and_nothing_for_zero():
    assert format_number(4, signed=True) == "+4"
    assert format_number(0, signed=True) == "0"
    assert format_percent(400, 1, "vi", signed=True) == "+400,0%"
    assert format_percent(-12.5, 1, "en", signed=True) == MINUS + "12.5%"


def test_percentages_have_no_space_so_they_never_wrap_before_the_sign():
    assert format_percent(12.5) == "12,5%"
    assert format_share(0.125, 1, "en") == "12.5%"
    assert format_share(1, 1, "vi") == "100,0%"
    assert format_share(None) == "—"


@pytest.mark.parametrize(
    ("p", "lang", "text"),
    [
        (0.01, "vi", "p = 0,010"),
        (0.01, "en", "p = 0.010"),
        (0.0004, "vi", "p < 0,001"),
        (None, "vi", "p = —"),
    ],
)
def test_p_values_are_written_as_people_print_them(p, lang, text):
    assert format_p_value(p, lang) == text


def test_coordinates_read_as_one_pair_in_both_languages():
    assert format_coordinates(20.8449, 106.68812) == "20.84490, 106.68812"
    assert format_coordinates(-1.5, 2) == MINUS + "1.50000, 2.00000"
    assert format_coordinates(None, 106) == "—"
    assert format_coordinates(float("nan"), 106) == "—"


def test_money_is_whole_dong_grouped_with_the_sign_kept_on_the_same_line():
    assert format_money(1_250_000) == "1.250.000" + NBSP + "₫"
    assert format_money(1_250_000, "en") == "1,250,000" + NBSP + "₫"
    assert format_money(None) == "—"
    with pytest.raises(TypeError):
        format_money(True)


@given(st.integers(min_value=-(10**15), max_value=10**15), st.sampled_from(["vi", "en"]))
def test_grouped_counts_read_back_to_the_same_integer(n, lang):
    text = format_number(n, 0, lang)
    thousands = "." if lang == "vi" else ","
    assert re.fullmatch(rf"{MINUS}?\d{{1,3}}(\{thousands}\d{{3}})*", text)
    assert int(text.replace(thousands, "").replace(MINUS, "-")) == n


@given(
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
    st.integers(min_value=1, max_value=4),
)
def test_vietnamese_and_english_differ_only_by_swapped_separators(x, places):
    vi, en = format_number(x, places, "vi"), format_number(x, places, "en")
    assert vi == en.translate(str.maketrans(".,", ",."))
    # Exactly one decimal mark, followed by exactly `places` digits.
    assert re.search(rf",\d{{{places}}}$", vi)
    parsed = float(en.replace(",", "").replace(MINUS, "-"))
    assert math.isclose(parsed, x, abs_tol=10**-places)


@given(st.floats(min_value=-90, max_value=90), st.floats(min_value=-180, max_value=180))
def test_a_coordinate_pair_always_splits_into_exactly_two_numbers(lat, lon):
    text = format_coordinates(lat, lon)
    parts = text.replace(MINUS, "-").split(", ")
    assert len(parts) == 2
    assert math.isclose(float(parts[0]), lat, abs_tol=1e-5)
    assert math.isclose(float(parts[1]), lon, abs_tol=1e-5)
