"""Normalisers on real-looking Vietnamese identifiers (anninh.network.normalize)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from anninh.lib.errors import ValidationProblem
from anninh.lib.identifiers import mst_check_digit
from anninh.network import normalize as n


def code_of(func, *args, **kwargs) -> str:
    with pytest.raises(n.NormaliseError) as excinfo:
        func(*args, **kwargs)
    return excinfo.value.code


# --- phones -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "e164"),
    [
        ("0912345678", "+84912345678"),
        ("0912 345 678", "+84912345678"),
        ("0912.345.678", "+84912345678"),
        ("+84 912 345 678", "+84912345678"),
        ("+84912345678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("0084912345678", "+84912345678"),
        ("0084 91 234 5678", "+84912345678"),
        ("(+84) 91-234-5678", "+84912345678"),
        ("+84 (0) 912 345 678", "+84912345678"),
        ("+84 0912 345 678", "+84912345678"),
        # 11-digit mobiles retired in 2018, as victims still write them
        ("0168 123 4567", "+84381234567"),  # Viettel 0168 -> 038
        ("01626123456", "+84326123456"),  # Viettel 0162 -> 032
        ("0084 168 123 4567", "+84381234567"),
        ("+84 168 123 4567", "+84381234567"),
        ("0121 888 9999", "+84798889999"),  # MobiFone 0121 -> 079
        ("0123 456 7890", "+84834567890"),  # VinaPhone 0123 -> 083
        ("01884567890", "+84584567890"),  # Vietnamobile 0188 -> 058
        ("0199 123 4567", "+84591234567"),  # Gmobile 0199 -> 059
        # landlines (Hai Phong 0225, Ha Noi 024)
        ("0225 3842 000", "+842253842000"),
        ("(0225) 3.842.000", "+842253842000"),
        ("024 3826 2880", "+842438262880"),
        # a call centre abroad
        ("+855 12 345 678", "+85512345678"),
    ],
)
def test_phone_gives_e164(text: str, e164: str) -> None:
    assert n.phone(text) == e164


def test_phone_kind_tells_mobile_from_landline() -> None:
    assert n.phone_kind(n.phone("0168 123 4567")) == "mobile"
    assert n.phone_kind(n.phone("0225 3842 000")) == "landline"


@pytest.mark.parametrize("text", [None, "", "   "])
def test_phone_of_nothing_is_none(text) -> None:
    assert n.phone(text) is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("09l2345678", "phone.not_digits"),  # letter l for one
        ("số 0912345678", "phone.not_digits"),
        ("0912", "phone.invalid"),
        ("091234567890", "phone.invalid"),
        ("01001234567", "phone.old_prefix"),  # 0100 was never a mobile prefix
    ],
)
def test_phone_rejects_with_a_reason(text: str, code: str) -> None:
    assert code_of(n.phone, text) == code


def test_phone_error_is_a_validation_problem_with_the_value() -> None:
    with pytest.raises(ValidationProblem) as excinfo:
        n.phone("0912")
    assert excinfo.value.params["digits"] == "0912"


@given(st.sampled_from(["3", "5", "7", "8", "9"]), st.integers(min_value=0, max_value=10**8 - 1))
def test_every_written_form_of_a_mobile_gives_the_same_key(network: str, rest: int) -> None:
    national = f"9{network}{rest:08d}"[1:]  # 9 digits starting with the network digit
    forms = [
        f"0{national}",
        f"+84{national}",
        f"0084{national}",
        f"(+84) {national[:2]}-{national[2:5]}-{national[5:]}",
    ]
    keys = set()
    for form in forms:
        try:
            keys.add(n.phone(form))
        except n.NormaliseError:
            keys.add("invalid")
    assert len(keys) == 1


# --- banks --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bank", "code"),
    [
        ("Vietcombank", "VCB"),
        ("VCB", "VCB"),
        ("vcb", "VCB"),
        ("Ngân hàng TMCP Ngoại thương", "VCB"),
        ("Ngân hàng TMCP Ngoại thương Việt Nam", "VCB"),
        ("NH TMCP Ngoai Thuong Viet Nam - CN Hai Phong", "VCB"),
        ("970436", "VCB"),
        ("VietinBank", "ICB"),
        ("CTG", "ICB"),
        ("BIDV CN Lê Chân", "BIDV"),
        ("Agribank chi nhánh Hải Phòng", "VBA"),
        ("Ngân hàng Nông nghiệp và Phát triển Nông thôn", "VBA"),
        ("Techcom bank", "TCB"),
        ("MB Bank", "MB"),
        ("Ngân hàng Quân đội", "MB"),
        ("Sacombank (STB)", "STB"),
        ("ngan hang sai gon thuong tin", "STB"),
        ("Ngân hàng TMCP Sài Gòn", "SCB"),
        ("LienVietPostBank", "LPB"),
        ("TP Bank", "TPB"),
        ("Ví MoMo", "MOMO"),
    ],
)
def test_bank_code_from_code_bin_short_or_full_name(bank: str, code: str) -> None:
    assert n.bank_code(bank) == code


def test_bank_account_keeps_leading_zeros_and_drops_separators() -> None:
    assert n.bank_account("Vietcombank", "0011 0023 45678") == "VCB:0011002345678"
    assert n.bank_account("Ngân hàng TMCP Ngoại thương", "0011-0023-45678") == "VCB:0011002345678"


def test_the_same_number_at_two_banks_is_two_accounts() -> None:
    assert n.bank_account("VCB", "19036677889") != n.bank_account("Techcombank", "19036677889")


@pytest.mark.parametrize(
    ("bank", "number", "code"),
    [
        ("Ngân hàng Mặt Trăng", "0011002345678", "bank.unknown"),
        ("", "0011002345678", "bank.unknown"),
        ("VCB", "", "bank_account.empty"),
        ("VCB", "0011OO2345678", "bank_account.not_digits"),
        ("VCB", "12345", "bank_account.length"),
        ("VCB", "1" * 20, "bank_account.length"),
    ],
)
def test_bank_account_rejects_with_a_reason(bank: str, number: str, code: str) -> None:
    assert code_of(n.bank_account, bank, number) == code


def test_every_bank_in_the_table_finds_itself_by_every_label() -> None:
    codes = [bank.code for bank in n.BANKS]
    assert len(codes) == len(set(codes))
    for bank in n.BANKS:
        for label in (bank.code, bank.short_name, bank.name, bank.bin):
            if label:
                assert n.bank_code(label) == bank.code, label


# --- wallets ------------------------------------------------------------------------------------

USDT_TRON = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"  # Tether's USDT contract on TRON


@pytest.mark.parametrize(
    ("chain", "address", "key"),
    [
        ("TRC20", USDT_TRON, f"TRON:{USDT_TRON}"),
        ("USDT-TRC20", f"  {USDT_TRON} ", f"TRON:{USDT_TRON}"),
        ("", USDT_TRON, f"TRON:{USDT_TRON}"),
        (
            "ERC20",
            "0xdAC17F958D2ee523a2206206994597C13D831ec7",
            "ETH:0xdac17f958d2ee523a2206206994597c13d831ec7",
        ),
        (
            "BEP-20",
            "0x55d398326f99059fF775485246999027B3197955",
            "BSC:0x55d398326f99059ff775485246999027b3197955",
        ),
        ("Bitcoin", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "BTC:1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"),
        (
            "BTC",
            "BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ",
            "BTC:bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
        ),
    ],
)
def test_wallet_keys(chain: str, address: str, key: str) -> None:
    assert n.wallet(chain, address) == key


def test_evm_address_case_does_not_make_two_wallets() -> None:
    mixed = "0xdAC17F958D2ee523a2206206994597C13D831ec7"
    assert (
        n.wallet("ETH", mixed)
        == n.wallet("eth", mixed.lower())
        == n.wallet("ETH", mixed.upper().replace("0X", "0x"))
    )


@pytest.mark.parametrize(
    ("chain", "address", "code"),
    [
        ("TRC20", USDT_TRON[:-1] + "u", "wallet.checksum"),  # one character mistyped
        ("TRC20", USDT_TRON[:-1], "wallet.format"),
        ("BTC", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", "wallet.checksum"),
        ("BTC", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr", "wallet.checksum"),
        ("ETH", "0xdAC17F958D2ee523a2206206994597C13D831ec", "wallet.format"),
        ("Dogecoin-ish", USDT_TRON, "wallet.chain"),
        ("", "hello", "wallet.chain"),
        ("TRON", "", "wallet.format"),
    ],
)
def test_wallet_rejects_with_a_reason(chain: str, address: str, code: str) -> None:
    assert code_of(n.wallet, chain, address) == code


# --- tax codes ------------------------------------------------------------------------------------


def _valid_mst(nine: str) -> str:
    check = mst_check_digit(nine)
    assert check is not None
    return nine + str(check)


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("0100109106", "0100109106"),  # Viettel
        ("0100109106-001", "0100109106-001"),
        ("0100109106/001", "0100109106-001"),
        ("0100109106 / 001", "0100109106-001"),
        ("0100109106 001", "0100109106-001"),
        ("0100109106001", "0100109106-001"),
        ("0100.109.106", "0100109106"),
    ],
)
def test_tax_code_main_and_branch_forms(text: str, canonical: str) -> None:
    assert n.tax_code(text) == canonical


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("0100109107", "tax.check_digit"),
        ("010010910", "tax.format"),
        ("0100109106-000", "tax.branch"),
        ("0100000000", "tax.sequence"),
    ],
)
def test_tax_code_rejects_with_a_reason(text: str, code: str) -> None:
    assert code_of(n.tax_code, text) == code


def test_tax_code_of_nothing_is_none() -> None:
    assert n.tax_code("  ") is None


def test_a_hai_phong_company_code_built_with_the_check_digit_is_accepted() -> None:
    mst = _valid_mst("020123456")  # 02: Hai Phong
    assert n.tax_code(mst + "/002") == mst + "-002"


# --- CCCD -----------------------------------------------------------------------------------------

TODAY = dt.date(2026, 12, 6)


def test_cccd_checks_the_record_it_belongs_to() -> None:
    assert n.cccd("031 095 012345", birth_year=1995, sex="Nam", today=TODAY) == "031095012345"
    assert n.cccd("031195012345", birth_year=1995, sex="Nữ", today=TODAY) == "031195012345"
    assert n.cccd("001203000001", birth_year=2003, sex="male", today=TODAY) == "001203000001"


@pytest.mark.parametrize(
    ("text", "kwargs", "code"),
    [
        ("031095012", {}, "cccd.length"),  # an old 9-digit CMND
        ("03109501234O", {}, "cccd.not_digits"),
        ("099095012345", {}, "cccd.province"),
        ("031495012345", {}, "cccd.century"),  # 4: born in the 2100s
        ("031230012345", {}, "cccd.century"),  # born 2030
        ("031095012345", {"birth_year": 1996}, "cccd.birth_year"),
        ("031095012345", {"sex": "Nữ"}, "cccd.sex"),
        ("031195012345", {"sex": "male"}, "cccd.sex"),
    ],
)
def test_cccd_rejects_with_a_reason(text: str, kwargs: dict, code: str) -> None:
    assert code_of(n.cccd, text, today=TODAY, **kwargs) == code


def test_cccd_birth_year_error_says_which_year_the_card_gives() -> None:
    with pytest.raises(n.NormaliseError) as excinfo:
        n.cccd("031095012345", birth_year=1996, today=TODAY)
    assert excinfo.value.params["year"] == 1995


# --- names ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Nguyễn Thị Hồng Nhung", "Nguyen Thi Hong Nhung"),
        ("NGUYỄN THỊ HỒNG NHUNG", "nguyen thi hong nhung"),
        ("Đặng Văn Đức", "Dang Van Duc"),
        ("  Trần  Văn-An ", "tran van an"),
        ("Lê Hoà", "Lê Hòa"),  # old and new tone-mark placement
        ("Phạm Thuỷ", "Pham Thuy"),
    ],
)
def test_name_key_equal_with_and_without_diacritics(a: str, b: str) -> None:
    assert n.name_key(a) == n.name_key(b)


def test_name_key_keeps_different_names_apart() -> None:
    assert n.name_key("Nguyễn Văn An") != n.name_key("Nguyễn Văn Anh")
    assert n.name_key(None) == ""


def test_name_parts_surname_first_given_last() -> None:
    assert n.name_parts("Trần Thị Thu Hà") == ("tran", "thi thu", "ha")
    assert n.name_parts("Hà") == ("", "", "ha")
    assert n.name_parts("") == ("", "", "")


def test_every_error_code_raised_is_documented() -> None:
    import pathlib
    import re

    source = pathlib.Path(n.__file__).read_text(encoding="utf-8")
    raised = set(re.findall(r'NormaliseError\(\s*"([a-z_]+\.[a-z_]+)"', source))
    assert raised
    for code in raised:
        assert f"``{code}``" in n.__doc__


@given(
    st.sampled_from([bank.code for bank in n.BANKS]),
    st.text(alphabet="0123456789", min_size=6, max_size=19),
    st.sampled_from(["", " ", "-", "."]),
)
def test_a_bank_account_key_normalises_to_itself(code: str, digits: str, separator: str) -> None:
    bank = next(b for b in n.BANKS if b.code == code)
    written = separator.join(digits[i : i + 4] for i in range(0, len(digits), 4))
    key = n.bank_account(bank.name, written)
    assert key == f"{code}:{digits}"
    assert n.bank_account(*key.split(":")) == key
