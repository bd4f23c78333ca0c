"""Tests for anninh.lib.money: VND formatting and strict parsing."""

from __future__ import annotations

import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from anninh.lib.errors import InvalidAmount, ValidationProblem
from anninh.lib.money import MAX_VND, format_vnd, parse_vnd

NBSP = "\u00a0"
amounts = st.integers(min_value=-MAX_VND, max_value=MAX_VND)


# --- format_vnd ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (0, "0"),
        (5, "5"),
        (999, "999"),
        (1000, "1.000"),
        (2_000_000, "2.000.000"),
        (12_345_678, "12.345.678"),
        (-12_345, "-12.345"),
        (-1, "-1"),
    ],
)
def test_format_vnd_groups_thousands_with_dots(amount: int, text: str) -> None:
    assert format_vnd(amount) == text + NBSP + "₫"


def test_format_vnd_joins_the_dong_sign_with_a_non_breaking_space() -> None:
    out = format_vnd(12_345_678)
    assert out == "12.345.678\u00a0₫"
    assert " " not in out


@pytest.mark.parametrize("bad", [1.5, 12.0, "12", None, True])
def test_format_vnd_refuses_anything_but_int(bad: object) -> None:
    with pytest.raises(TypeError):
        format_vnd(bad)  # type: ignore[arg-type]


# --- parse_vnd: accepted ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("12345678", 12_345_678),
        ("12.345.678", 12_345_678),
        ("12,345,678", 12_345_678),
        ("12 345 678", 12_345_678),
        ("1.000", 1000),
        ("2.000.000 ₫", 2_000_000),
        ("2.000.000₫", 2_000_000),
        ("2.000.000 đ", 2_000_000),
        ("2.000.000đ", 2_000_000),
        ("2.000.000 VND", 2_000_000),
        ("2.000.000 vnđ", 2_000_000),
        ("2.000.000 VNĐ", 2_000_000),
        ("2.000.000 đồng", 2_000_000),
        ("50000d", 50_000),
        ("VND 12.345", 12_345),
        ("₫12.345", 12_345),
        ("  7\u00a0 ", 7),
        ("12.345.678\u00a0₫", 12_345_678),
        ("0", 0),
        ("007", 7),
        ("+5", 5),
        ("-0", 0),
    ],
)
def test_parse_vnd_accepts_whole_dong_in_common_spellings(text: str, amount: int) -> None:
    assert parse_vnd(text) == amount


def test_parse_vnd_accepts_a_decomposed_dong_word() -> None:
    import unicodedata

    assert parse_vnd(unicodedata.normalize("NFD", "5.000 đồng")) == 5000


def test_parse_vnd_accepts_plain_ints() -> None:
    assert parse_vnd(12_345) == 12_345
    assert parse_vnd(0) == 0


@pytest.mark.parametrize(("text", "amount"), [("-12.345 ₫", -12_345), ("−500", -500), ("-₫1.000", -1000)])
def test_parse_vnd_accepts_negatives_only_when_allowed(text: str, amount: int) -> None:
    assert parse_vnd(text, allow_negative=True) == amount
    with pytest.raises(InvalidAmount) as excinfo:
        parse_vnd(text)
    assert excinfo.value.code == "vnd.negative"


def test_parse_vnd_refuses_negative_ints_unless_allowed() -> None:
    with pytest.raises(InvalidAmount) as excinfo:
        parse_vnd(-1)
    assert excinfo.value.code == "vnd.negative"
    assert parse_vnd(-1, allow_negative=True) == -1


# --- parse_vnd: rejected ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "12,5",  # Vietnamese decimal comma
        "12,345",  # one comma: twelve point three four five in Vietnamese, never 12345
        "0,5",
        "12.5",  # English decimal point
        "12.50",
        "12.345,00",  # Vietnamese grouping + decimals, even zero decimals
        "12,345.00",  # English grouping + decimals
        "12 345,5",
        "1.000,5 ₫",
    ],
)
def test_parse_vnd_rejects_fractional_parts(text: str) -> None:
    with pytest.raises(InvalidAmount) as excinfo:
        parse_vnd(text)
    assert excinfo.value.code == "vnd.fractional"


@pytest.mark.parametrize(
    "text",
    [
        "1.23.456",
        "1234.567",
        "0.500",
        "1,234,5",
        "12.3456.789",
        "1 2",
        "1.000 000",
        "1.000,000,000",
    ],
)
def test_parse_vnd_rejects_misplaced_or_mixed_grouping(text: str) -> None:
    with pytest.raises(InvalidAmount) as excinfo:
        parse_vnd(text)
    assert excinfo.value.code == "vnd.grouping"


@pytest.mark.parametrize("text", ["", "   ", "₫", " đ ", "VND"])
def test_parse_vnd_rejects_empty_input(text: str) -> None:
    with pytest.raises(InvalidAmount) as excinfo:
        parse_vnd(text)
    assert excinfo.value.code == "vnd.empty"


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "12a",
        "1e5",
        "12..345",
        "12.",
        ".5",
        "--5",
        "12.345 ₫ ₫",
        "50k",
        "١٢",
        "USD 5",
        "$5",
        "5-",
    ],
)
def test_parse_vnd_rejects_garbage(text: str) -> None:
    with pytest.raises(InvalidAmount) as excinfo:
        parse_vnd(text)
    assert excinfo.value.code == "vnd.invalid"


def test_parse_vnd_rejects_amounts_too_large_for_a_bigint() -> None:
    assert parse_vnd(str(MAX_VND)) == MAX_VND
    with pytest.raises(InvalidAmount) as excinfo:
        parse_vnd(str(MAX_VND + 1))
    assert excinfo.value.code == "vnd.too_large"


@pytest.mark.parametrize("bad", [1.0, None, True, b"12"])
def test_parse_vnd_refuses_non_text_non_int_with_type_error(bad: object) -> None:
    with pytest.raises(TypeError):
        parse_vnd(bad)  # type: ignore[arg-type]


def test_invalid_amount_is_a_value_error_with_a_code_and_message() -> None:
    with pytest.raises(ValueError, match="decimal part") as excinfo:
        parse_vnd("12,5")
    problem = excinfo.value
    assert isinstance(problem, ValidationProblem)
    assert problem.code == "vnd.fractional"
    assert problem.params == {"value": "12,5"}


def test_invalid_amount_survives_pickling() -> None:
    with pytest.raises(InvalidAmount) as excinfo:
        parse_vnd("12,5")
    copy = pickle.loads(pickle.dumps(excinfo.value))  # noqa: S301 - our own object
    assert type(copy) is InvalidAmount
    assert (copy.code, copy.message, copy.params) == (
        "vnd.fractional",
        excinfo.value.message,
        {"value": "12,5"},
    )


# --- properties ------------------------------------------------------------------------------


@given(amounts)
def test_parse_vnd_reads_back_what_format_vnd_wrote(amount: int) -> None:
    assert parse_vnd(format_vnd(amount), allow_negative=True) == amount


@given(st.integers(min_value=0, max_value=MAX_VND))
def test_parse_vnd_reads_plain_digits_and_every_grouping_style(amount: int) -> None:
    dotted = f"{amount:,}".replace(",", ".")
    spaced = f"{amount:,}".replace(",", " ")
    assert parse_vnd(str(amount)) == amount
    assert parse_vnd(dotted) == amount
    assert parse_vnd(spaced + " VND") == amount


@given(st.integers(min_value=0, max_value=10**15), st.integers(min_value=1, max_value=99))
def test_parse_vnd_never_accepts_a_decimal_comma(whole: int, fraction: int) -> None:
    with pytest.raises(InvalidAmount):
        parse_vnd(f"{whole:,}".replace(",", ".") + f",{fraction}")


@given(amounts)
def test_format_vnd_output_has_only_digits_dots_sign_and_dong(amount: int) -> None:
    out = format_vnd(amount)
    number, sign = out.split(NBSP)
    assert sign == "₫"
    assert number.lstrip("-").replace(".", "").isdigit()
    assert all(len(group) == 3 for group in number.lstrip("-").split(".")[1:])


@given(st.text(max_size=20))
def test_parse_vnd_either_returns_an_int_or_raises_invalid_amount(text: str) -> None:
    try:
        result = parse_vnd(text, allow_negative=True)
    except InvalidAmount as problem:
        assert problem.code.startswith("vnd.")
    else:
        assert type(result) is int


# --- review #12: literals, separators, signs, "dong", error parameters --------------------------


def test_max_vnd_is_a_thousand_trillion_dong() -> None:
    # A literal, not an expression of MAX_VND: a wrong constant must fail here. 10^15 đ for one
    # loss keeps sums of millions of losses inside SQLite's 64-bit integers (review #12, item 12).
    assert MAX_VND == 1_000_000_000_000_000
    assert parse_vnd("1.000.000.000.000.000") == 1_000_000_000_000_000
    with pytest.raises(InvalidAmount) as excinfo:
        parse_vnd("1.000.000.000.000.001")
    assert excinfo.value.code == "vnd.too_large"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("1.234.567,89", "vnd.fractional"),  # Vietnamese grouping, decimal comma
        ("1,234,567.89", "vnd.fractional"),  # English grouping, decimal point
        ("1.234.567,000", "vnd.fractional"),  # a single trailing comma is a decimal comma
        ("1.234,567.890", "vnd.grouping"),  # mixed, neither reading
        ("1 234.567", "vnd.fractional"),  # the last separator occurs once: a decimal point
        ("1.234 567 890", "vnd.grouping"),
    ],
)
def test_mixed_separators_are_refused_with_the_right_code_and_the_typed_value(text: str, code: str) -> None:
    with pytest.raises(InvalidAmount) as excinfo:
        parse_vnd(text)
    assert (excinfo.value.code, excinfo.value.params) == (code, {"value": text})


@pytest.mark.parametrize(
    ("text", "amount"),
    [("- 12.345", -12_345), ("−  500 ₫", -500), ("+ 12.345", 12_345), ("- ₫12.345", -12_345)],
)
def test_a_sign_followed_by_spaces_is_read(text: str, amount: int) -> None:
    assert parse_vnd(text, allow_negative=True) == amount


def test_a_negative_with_a_space_after_the_sign_is_still_negative() -> None:
    with pytest.raises(InvalidAmount) as excinfo:
        parse_vnd("- 12.345")
    assert (excinfo.value.code, excinfo.value.params) == ("vnd.negative", {"value": "- 12.345"})


@pytest.mark.parametrize(
    ("text", "amount"),
    [("12.345 dong", 12_345), ("12.345dong", 12_345), ("DONG 5.000", 5_000), ("5.000 Dong", 5_000)],
)
def test_the_word_dong_typed_without_diacritics_is_a_currency_marker(text: str, amount: int) -> None:
    assert parse_vnd(text) == amount


@pytest.mark.parametrize("text", ["12.345 dong dong", "dong", "12.345 dongs", "₫ -12.345"])
def test_the_word_dong_alone_or_twice_is_not_an_amount(text: str) -> None:
    with pytest.raises(InvalidAmount) as excinfo:
        parse_vnd(text)
    assert excinfo.value.code in {"vnd.empty", "vnd.invalid"}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("12,5", "vnd.fractional"),
        ("1.23.456", "vnd.grouping"),
        ("abc", "vnd.invalid"),
        ("-5", "vnd.negative"),
    ],
)
def test_every_refusal_of_typed_text_carries_the_typed_value(text: str, code: str) -> None:
    # The import report prints `value`: it must be what was typed, untouched.
    with pytest.raises(InvalidAmount) as excinfo:
        parse_vnd(f" {text} ")
    assert (excinfo.value.code, excinfo.value.params) == (code, {"value": f" {text} "})


def test_too_large_carries_the_maximum_and_the_typed_value() -> None:
    with pytest.raises(InvalidAmount) as excinfo:
        parse_vnd("99.999.999.999.999.999.999 ₫")
    assert excinfo.value.params == {
        "value": "99.999.999.999.999.999.999 ₫",
        "maximum": 1_000_000_000_000_000,
    }
    with pytest.raises(InvalidAmount) as excinfo:
        parse_vnd(-(2**63), allow_negative=True)
    assert excinfo.value.params == {"value": -(2**63), "maximum": 1_000_000_000_000_000}


def test_empty_input_has_no_value_parameter() -> None:
    with pytest.raises(InvalidAmount) as excinfo:
        parse_vnd("  ₫ ")
    assert excinfo.value.params == {}
