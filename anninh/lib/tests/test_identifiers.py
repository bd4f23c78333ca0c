"""Tests for anninh.lib.identifiers: CCCD, mobile numbers, tax codes."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from anninh.lib.errors import InvalidIdentifier, ValidationProblem
from anninh.lib.identifiers import (
    MST_WEIGHTS,
    mst_check_digit,
    normalize_cccd,
    normalize_phone_vn,
    normalize_tax_code,
)

digits = st.text(alphabet="0123456789", min_size=1, max_size=1)


def code_of(func, value: str) -> str:
    with pytest.raises(InvalidIdentifier) as excinfo:
        func(value)
    return excinfo.value.code


# --- CCCD ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("031095012345", "031095012345"),  # 031 Hải Phòng
        ("031 095 012 345", "031095012345"),
        (" 001203000001\n", "001203000001"),  # 001 Hà Nội, born 2003
        ("096099999999", "096099999999"),  # 096 Cà Mau, the top of the range
    ],
)
def test_normalize_cccd_returns_twelve_digits_without_spaces(text: str, canonical: str) -> None:
    assert normalize_cccd(text) == canonical


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "cccd.empty"),
        ("   ", "cccd.empty"),
        ("031-095-012345", "cccd.not_digits"),
        ("03109501234O", "cccd.not_digits"),  # letter O for zero
        ("０３１０９５０１２３４５", "cccd.not_digits"),  # full-width digits
        ("031095012", "cccd.length"),  # an old 9-digit CMND
        ("0310950123456", "cccd.length"),
        ("000095012345", "cccd.province"),
        ("097095012345", "cccd.province"),
        ("999095012345", "cccd.province"),
    ],
)
def test_normalize_cccd_rejects_malformed_numbers(text: str, code: str) -> None:
    assert code_of(normalize_cccd, text) == code


def test_normalize_cccd_reports_the_length_it_saw() -> None:
    with pytest.raises(InvalidIdentifier) as excinfo:
        normalize_cccd("031095012")
    assert excinfo.value.params["length"] == 9


@given(st.integers(min_value=1, max_value=96), st.integers(min_value=0, max_value=10**9 - 1))
def test_normalize_cccd_accepts_every_province_code_in_range(province: int, rest: int) -> None:
    number = f"{province:03d}{rest:09d}"
    assert normalize_cccd(" ".join([number[:4], number[4:8], number[8:]])) == number


# --- phone numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "0912345678",
        "091 234 5678",
        "0912.345.678",
        "0912-345-678",
        "(091) 234 5678",
        "+84912345678",
        "+84 912 345 678",
        "+84 (91) 234-5678",
        "84912345678",
        "+84 0912 345 678",  # trunk 0 kept after the country code
        "840912345678",
    ],
)
def test_normalize_phone_vn_returns_the_domestic_ten_digit_form(text: str) -> None:
    assert normalize_phone_vn(text) == "0912345678"


@pytest.mark.parametrize(
    "text",
    ["0084912345678", "00 84 912 345 678", "(+84) 91-234-5678", "(+84)912345678", "(84) 912 345 678"],
)
def test_normalize_phone_vn_reads_the_international_prefix_and_bracketed_country_code(text: str) -> None:
    assert normalize_phone_vn(text) == "0912345678"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("01626123456", "0326123456"),  # Viettel 0162 -> 032
        ("01696123456", "0396123456"),  # Viettel 0169 -> 039
        ("01206123456", "0706123456"),  # MobiFone 0120 -> 070
        ("01216123456", "0796123456"),  # MobiFone 0121 -> 079
        ("01226123456", "0776123456"),  # MobiFone 0122 -> 077
        ("01266123456", "0766123456"),  # MobiFone 0126 -> 076
        ("01286123456", "0786123456"),  # MobiFone 0128 -> 078
        ("01236123456", "0836123456"),  # VinaPhone 0123 -> 083
        ("01246123456", "0846123456"),  # VinaPhone 0124 -> 084
        ("01256123456", "0856123456"),  # VinaPhone 0125 -> 085
        ("01276123456", "0816123456"),  # VinaPhone 0127 -> 081
        ("01296123456", "0826123456"),  # VinaPhone 0129 -> 082
        ("01866123456", "0566123456"),  # Vietnamobile 0186 -> 056
        ("01886123456", "0586123456"),  # Vietnamobile 0188 -> 058
        ("01996123456", "0596123456"),  # Gmobile 0199 -> 059
        ("+84 162 612 3456", "0326123456"),
        ("0084 1626 123 456", "0326123456"),
    ],
)
def test_normalize_phone_vn_maps_the_old_eleven_digit_mobile_prefixes(old: str, new: str) -> None:
    assert normalize_phone_vn(old) == new


@pytest.mark.parametrize(
    ("text", "code"), [("01306123456", "phone.prefix"), ("0044 20 7946 0958", "phone.prefix")]
)
def test_normalize_phone_vn_refuses_unknown_old_prefixes_and_foreign_numbers(text: str, code: str) -> None:
    assert code_of(normalize_phone_vn, text) == code


@pytest.mark.parametrize("prefix", ["03", "05", "07", "08", "09"])
def test_normalize_phone_vn_accepts_every_mobile_network_digit(prefix: str) -> None:
    assert normalize_phone_vn(prefix + "12345678") == prefix + "12345678"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "phone.empty"),
        ("0912 345 67a", "phone.not_digits"),
        ("09+12345678", "phone.not_digits"),
        ("0912/345/678", "phone.not_digits"),
        ("(--)", "phone.not_digits"),
        ("+", "phone.not_digits"),
        ("091234567", "phone.length"),
        ("09123456789", "phone.length"),
        ("+849123456", "phone.length"),
        ("912345678", "phone.prefix"),  # trunk 0 missing
        ("02253123456", "phone.prefix"),  # Hai Phong landline
        ("0112345678", "phone.prefix"),
        ("0412345678", "phone.prefix"),
        ("+1 415 555 0100", "phone.prefix"),
        ("+85 912 345 678", "phone.prefix"),
        ("113", "phone.prefix"),  # emergency number, not a mobile
    ],
)
def test_normalize_phone_vn_rejects_what_is_not_a_vietnamese_mobile(text: str, code: str) -> None:
    assert code_of(normalize_phone_vn, text) == code


@given(st.sampled_from("35789"), st.text(alphabet="0123456789", min_size=8, max_size=8))
def test_normalize_phone_vn_agrees_on_all_three_spellings(network: str, subscriber: str) -> None:
    national = network + subscriber
    expected = "0" + national
    assert normalize_phone_vn("0" + national) == expected
    assert normalize_phone_vn("+84" + national) == expected
    assert normalize_phone_vn("84" + national) == expected
    assert normalize_phone_vn(f"+84 {national[:2]} {national[2:5]} {national[5:]}") == expected


# --- tax codes -------------------------------------------------------------------------------

# Published tax codes of large Vietnamese companies. Nothing was tuned to them: the weights
# came from the rule, and each still has only a 1-in-10 chance to validate if the rule were
# wrong.
REAL_TAX_CODES = [
    "0100109106",  # Viettel
    "0100684378",  # VNPT
    "0101248141",  # FPT
    "0300588569",  # Vinamilk
    "0100233488",
    "0314409058",
    "0100112437",
    "0312687878",
]


@pytest.mark.parametrize("code", REAL_TAX_CODES)
def test_normalize_tax_code_accepts_published_company_codes(code: str) -> None:
    assert normalize_tax_code(code) == code


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("0314409058-002", "0314409058-002"),
        ("0314409058002", "0314409058-002"),
        ("0314409058 002", "0314409058-002"),
        (" 0314409058 - 002 ", "0314409058-002"),
        ("01.00.112.437", "0100112437"),
        ("0100 109 106", "0100109106"),
    ],
)
def test_normalize_tax_code_writes_branches_with_a_dash(text: str, canonical: str) -> None:
    assert normalize_tax_code(text) == canonical


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "tax.empty"),
        ("  ", "tax.empty"),
        ("010010910", "tax.format"),
        ("01001091061", "tax.format"),
        ("0100109106-01", "tax.format"),
        ("0100109106--001", "tax.format"),
        ("01001-09106", "tax.format"),
        ("010010910A", "tax.format"),
        ("031234567890", "tax.format"),  # a 12-digit CCCD is not accepted here
        ("0100109107", "tax.check_digit"),
        ("0100233480", "tax.check_digit"),
        ("1000109106", "tax.check_digit"),  # two digits swapped
        ("0100109106-000", "tax.branch"),
        ("0100000000", "tax.sequence"),
    ],
)
def test_normalize_tax_code_rejects_malformed_codes(text: str, code: str) -> None:
    assert code_of(normalize_tax_code, text) == code


def test_mst_check_digit_matches_a_hand_computed_example() -> None:
    # 0100109106: 0*31 + 1*29 + 0*23 + 0*19 + 1*17 + 0*13 + 9*7 + 1*5 + 0*3 = 114;
    # 114 mod 11 = 4; 10 - 4 = 6.
    assert mst_check_digit("010010910") == 6


def weighted_sum(first_nine: str) -> int:
    return sum(int(d) * w for d, w in zip(first_nine, MST_WEIGHTS, strict=True))


def test_mst_check_digit_returns_none_when_the_sum_is_a_multiple_of_eleven() -> None:
    hits = [f"{n:09d}" for n in range(3000) if weighted_sum(f"{n:09d}") % 11 == 0]
    assert len(hits) > 100
    assert all(mst_check_digit(n) is None for n in hits)
    assert mst_check_digit("000000000") is None


def test_codes_whose_check_digit_would_be_ten_are_never_valid() -> None:
    prefix = next(f"{n:09d}" for n in range(10_000_000, 11_000_000) if weighted_sum(f"{n:09d}") % 11 == 0)
    for last in "0123456789":
        assert code_of(normalize_tax_code, prefix + last) == "tax.check_digit"


@pytest.mark.parametrize("bad", ["12345678", "0123456789", "01234567a", ""])
def test_mst_check_digit_needs_exactly_nine_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        mst_check_digit(bad)


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_a_computed_check_digit_always_validates(first_nine: str) -> None:
    check = mst_check_digit(first_nine)
    assume(check is not None and first_nine[2:] != "0000000")
    code = first_nine + str(check)
    assert normalize_tax_code(code) == code
    assert normalize_tax_code(code + "-001") == code + "-001"


@given(st.text(alphabet="0123456789", min_size=9, max_size=9), digits)
def test_exactly_one_check_digit_validates(first_nine: str, last: str) -> None:
    assume(first_nine[2:] != "0000000")
    check = mst_check_digit(first_nine)
    try:
        normalize_tax_code(first_nine + last)
    except InvalidIdentifier as problem:
        assert problem.code == "tax.check_digit"
        assert check is None or str(check) != last
    else:
        assert str(check) == last


@given(
    st.text(alphabet="0123456789", min_size=9, max_size=9),
    st.integers(min_value=0, max_value=8),
    st.integers(min_value=1, max_value=9),
)
def test_a_single_mistyped_digit_is_always_caught(first_nine: str, pos: int, delta: int) -> None:
    # The weights are distinct and coprime with 11, so changing one digit changes the sum
    # mod 11: the same check digit cannot stay right.
    check = mst_check_digit(first_nine)
    assume(check is not None)
    changed = list(first_nine)
    changed[pos] = str((int(changed[pos]) + delta) % 10)
    assert mst_check_digit("".join(changed)) != check


def test_identifier_problems_are_validation_problems() -> None:
    with pytest.raises(ValidationProblem):
        normalize_phone_vn("123")


@pytest.mark.parametrize("func", [normalize_cccd, normalize_phone_vn, normalize_tax_code])
def test_identifier_functions_refuse_non_strings(func) -> None:
    with pytest.raises(TypeError):
        func(31095012345)


# --- review #12: separators of a branch, error parameters ---------------------------------------


@pytest.mark.parametrize("text", ["0314409058/002", "0314409058 / 002", "0314409058_002", "0314409058:002"])
def test_a_branch_written_with_another_separator_than_a_dash_is_refused(text: str) -> None:
    with pytest.raises(InvalidIdentifier) as excinfo:
        normalize_tax_code(text)
    assert (excinfo.value.code, excinfo.value.params) == ("tax.format", {"value": text})


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("0100109107", "tax.check_digit"),
        ("0100000000", "tax.sequence"),
        ("0100109106-000", "tax.branch"),
        ("010010910A", "tax.format"),
    ],
)
def test_tax_code_refusals_carry_the_typed_value(text: str, code: str) -> None:
    with pytest.raises(InvalidIdentifier) as excinfo:
        normalize_tax_code(f" {text} ")
    assert (excinfo.value.code, excinfo.value.params) == (code, {"value": f" {text} "})


@pytest.mark.parametrize(
    ("text", "code", "params"),
    [
        ("03109501234", "cccd.length", {"value": "03109501234", "length": 11}),
        ("03109501234a", "cccd.not_digits", {"value": "03109501234a"}),
        ("100095012345", "cccd.province", {"value": "100095012345"}),
        ("   ", "cccd.empty", {}),
    ],
)
def test_cccd_refusals_carry_their_parameters(text: str, code: str, params: dict) -> None:
    with pytest.raises(InvalidIdentifier) as excinfo:
        normalize_cccd(text)
    assert (excinfo.value.code, excinfo.value.params) == (code, params)


# --- Gaps found by mutation testing (./dev mutate anninh/lib/identifiers.py) ------------------


@pytest.mark.parametrize(
    ("cccd", "year", "sex"),
    [
        ("031095012345", 1995, "male"),
        ("031195012345", 1995, "female"),
        ("031200012345", 2000, "male"),
        ("031307012345", 2007, "female"),
        ("001499012345", 2199, "male"),
        ("096599012345", 2199, "female"),
        ("031000012345", 1900, "male"),
    ],
)
def test_the_century_and_sex_digit(cccd: str, year: int, sex: str) -> None:
    from anninh.lib.identifiers import cccd_birth_year, cccd_sex

    assert cccd_birth_year(cccd) == year
    assert cccd_sex(cccd) == sex


def test_the_province_range_is_001_to_096() -> None:
    assert normalize_cccd("001095012345") == "001095012345"
    assert normalize_cccd("096095012345") == "096095012345"
    for text in ("000095012345", "097095012345"):
        assert code_of(normalize_cccd, text) == "cccd.province"


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("+84 0912 345 678", "0912345678"),  # trunk 0 kept after the country code
        ("84 912 345 678", "0912345678"),  # 11 digits: 84 + 9
        ("840912345678", "0912345678"),  # 12 digits: 84 + 0 + 9
        ("0084 0912345678", "0912345678"),
    ],
)
def test_the_country_code_with_and_without_the_trunk_zero(text: str, canonical: str) -> None:
    assert normalize_phone_vn(text) == canonical


def test_phone_refusals_carry_the_typed_value() -> None:
    for text, code in (
        ("0912 345 67a", "phone.not_digits"),
        ("+1 415 555 0100", "phone.prefix"),
        ("091234567", "phone.length"),
    ):
        with pytest.raises(InvalidIdentifier) as excinfo:
            normalize_phone_vn(text)
        assert (excinfo.value.code, excinfo.value.params) == (code, {"value": text})
    with pytest.raises(InvalidIdentifier) as excinfo:
        normalize_phone_vn("   ")
    assert (excinfo.value.code, excinfo.value.params) == ("phone.empty", {})
