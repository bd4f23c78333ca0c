"""Vietnamese identifiers: CCCD (citizen ID), mobile numbers and tax codes (MST).

Each ``normalize_*`` function takes what a person typed and returns the one canonical string
we store and compare, or raises :class:`~anninh.lib.errors.InvalidIdentifier` with a stable
code. Only ASCII digits count as digits.

Error codes:

=====================  ===============================================================
``cccd.empty``         nothing typed
``cccd.not_digits``    something other than digits and spaces
``cccd.length``        not 12 digits (an old 9-digit CMND lands here; params: length)
``cccd.province``      the first three digits are not a province code 001-096
``phone.empty``        nothing typed
``phone.not_digits``   characters other than digits, a leading +, spaces . - ( )
``phone.length``       wrong number of digits for a Vietnamese mobile
``phone.prefix``       not 0/+84/84 followed by a mobile network digit (3, 5, 7, 8, 9)
``tax.empty``          nothing typed
``tax.format``         not 10 digits, or 10 digits + optional "-" + 3 digits
``tax.sequence``       digits 3-9 are all zero (never issued)
``tax.branch``         branch suffix 000 (branches are numbered from 001)
``tax.check_digit``    the 10th digit does not match the first nine
=====================  ===============================================================
"""

from __future__ import annotations

import re

from anninh.lib.errors import InvalidIdentifier

__all__ = [
    "CCCD_PROVINCE_RANGE",
    "MOBILE_NETWORK_DIGITS",
    "MST_WEIGHTS",
    "InvalidIdentifier",
    "cccd_birth_year",
    "cccd_sex",
    "mst_check_digit",
    "normalize_cccd",
    "normalize_phone_vn",
    "normalize_tax_code",
]

_ASCII_DIGITS = re.compile(r"[0-9]+")

# --- CCCD ------------------------------------------------------------------------------------

#: Inclusive range of the 3-digit province code that opens a CCCD (Circular 59/2021/TT-BCA:
#: the pre-2025 provinces, 001 Hà Nội ... 096 Cà Mau). The codes actually issued are a sparse
#: subset of this range (e.g. 003 is unused); we check the range only, and the 2025 province
#: merger did not renumber existing cards.
CCCD_PROVINCE_RANGE = (1, 96)


def normalize_cccd(value: str) -> str:
    """Return the 12-digit CCCD / personal identification number, spaces removed.

    Layout: 3 digits province of birth registration, 1 digit century-and-sex, 2 digits year of
    birth, 6 random digits. There is no check digit, so only the shape and the province range
    are validated.

    >>> normalize_cccd("031 095 012345")
    '031095012345'
    """
    if not isinstance(value, str):
        raise TypeError(f"normalize_cccd() expects str, got {type(value).__name__}")
    digits = "".join(value.split())
    if not digits:
        raise InvalidIdentifier("cccd.empty", "Enter the citizen ID (CCCD) number.")
    if not _ASCII_DIGITS.fullmatch(digits):
        raise InvalidIdentifier("cccd.not_digits", "A CCCD number has digits only.", value=value)
    if len(digits) != 12:
        raise InvalidIdentifier(
            "cccd.length", "A CCCD number has 12 digits.", value=value, length=len(digits)
        )
    low, high = CCCD_PROVINCE_RANGE
    if not low <= int(digits[:3]) <= high:
        raise InvalidIdentifier(
            "cccd.province",
            "The first three digits of a CCCD number must be a province code (001-096).",
            value=value,
        )
    return digits


def cccd_birth_year(cccd: str) -> int:
    """The year of birth a normalised CCCD encodes: its 4th digit gives the century and sex
    (0/1: 1900s male/female, 2/3: 2000s, 4/5: 2100s, ...) and the 5th-6th digits the year.

    >>> cccd_birth_year("031095012345")
    1995
    """
    century = 1900 + 100 * (int(cccd[3]) // 2)
    return century + int(cccd[4:6])


def cccd_sex(cccd: str) -> str:
    """ "male" or "female", from the CCCD's 4th digit (even: male, odd: female)."""
    return "female" if int(cccd[3]) % 2 else "male"


# --- mobile phone numbers -------------------------------------------------------------------

#: First digit after the trunk 0 of Vietnamese mobile numbers since the 2018 switch to 10
#: digits (03x Viettel, 05x Vietnamobile/Reddi, 07x MobiFone, 08x VinaPhone and others,
#: 09x all). Numbering plans change: verify against the Ministry's plan when it does.
MOBILE_NETWORK_DIGITS = frozenset("35789")

#: The 11-digit mobile prefixes retired in 2018 (Ministry of Information and Communications,
#: Circular 22/2014 as amended; the switch ran from 15/09 to 15/11/2018) and the 10-digit
#: prefixes that replaced them. People still write the old ones from memory and old records.
OLD_MOBILE_PREFIXES = {
    # Viettel
    "162": "32", "163": "33", "164": "34", "165": "35", "166": "36", "167": "37", "168": "38", "169": "39",
    # MobiFone
    "120": "70", "121": "79", "122": "77", "126": "76", "128": "78",
    # VinaPhone
    "123": "83", "124": "84", "125": "85", "127": "81", "129": "82",
    # Vietnamobile, Gmobile
    "186": "56", "188": "58", "199": "59",
}  # fmt: skip

# An optional + (inside or outside brackets) then digits and separators.
_PHONE_CHARS = re.compile(r"\(?\+?[0-9 .()\-]+")


def normalize_phone_vn(value: str) -> str:
    """Return a Vietnamese mobile number in domestic form ``0xxxxxxxxx`` (10 digits).

    Accepted: ``0912345678``, ``+84912345678``, ``84912345678``, ``0084912345678``, with
    spaces, dots, dashes or parentheses anywhere (``091 234 5678``, ``+84 (91) 234-5678``,
    ``(+84) 91-234-5678``); the common slip of keeping the trunk 0 after the country code
    (``+84 0912 345 678``); and the 11-digit mobile numbers retired in 2018 (``0162 612 3456``
    is ``032 612 3456`` today). Landlines (11 digits, ``02x``), service numbers and foreign
    numbers are refused.

    >>> normalize_phone_vn("+84 912.345.678")
    '0912345678'
    >>> normalize_phone_vn("01626123456")
    '0326123456'
    """
    if not isinstance(value, str):
        raise TypeError(f"normalize_phone_vn() expects str, got {type(value).__name__}")
    text = value.strip()
    if not text:
        raise InvalidIdentifier("phone.empty", "Enter a mobile phone number.")
    if not _PHONE_CHARS.fullmatch(text) or not any(ch.isdigit() for ch in text):
        raise InvalidIdentifier("phone.not_digits", "A phone number has digits only.", value=value)
    digits = re.sub(r"[^0-9]", "", text)
    international = "+" in text
    if not international and digits.startswith("00"):
        # 00 is the international call prefix: 0084 ... is +84 ...
        international, digits = True, digits[2:]
    if international and not digits.startswith("84"):
        raise InvalidIdentifier(
            "phone.prefix", "Only Vietnamese (+84) mobile numbers are accepted.", value=value
        )
    if digits.startswith("84") and (international or len(digits) in (11, 12)):
        # 84 + 9 digits, or 84 + 0 + 9 digits. A domestic number never starts with 8.
        national = digits[2:]
        if len(national) in (10, 11) and national.startswith("0"):
            national = national[1:]
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        raise InvalidIdentifier("phone.prefix", "A mobile number starts with 0 or +84.", value=value)
    if len(national) == 10 and national.startswith("1"):
        new_prefix = OLD_MOBILE_PREFIXES.get(national[:3])
        if new_prefix is None:
            raise InvalidIdentifier("phone.prefix", "This is not a Vietnamese mobile number.", value=value)
        national = new_prefix + national[3:]
    # Network digit before length, so a landline (02x, 11 digits) is called what it is.
    if national and national[0] not in MOBILE_NETWORK_DIGITS:
        raise InvalidIdentifier("phone.prefix", "This is not a Vietnamese mobile number.", value=value)
    if len(national) != 9:
        raise InvalidIdentifier("phone.length", "A mobile number has 10 digits (0 + 9).", value=value)
    return "0" + national


# --- tax code (mã số thuế, MST) ---------------------------------------------------------------

#: Weights of the MST check digit over digits 1-9 (see :func:`mst_check_digit`).
MST_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)

_TAX = re.compile(r"([0-9]{10})(?:-?([0-9]{3}))?")


def mst_check_digit(first_nine: str) -> int | None:
    """The 10th digit of a tax code, computed from its first nine digits.

    Rule: ``check = 10 - (sum(d_i * w_i) mod 11)`` with weights
    ``31, 29, 23, 19, 17, 13, 7, 5, 3``. When the sum is divisible by 11 the formula gives
    10, which is not a digit: no valid code starts with those nine digits, and this returns
    None (the tax authority does not issue them).

    Provenance and confidence: Circular 105/2020/TT-BTC (tax registration) defines the MST
    structure and says N10 is a check digit, but we found no official text publishing the
    formula. This is the rule python-stdnum (``stdnum.vn.mst``) implements, and it accepts
    the published codes of several large companies (see the tests), which a wrong rule would
    do only by a 1-in-10 chance each. The "10 means never issued" reading follows from the
    formula and is not confirmed by an official text.
    """
    if len(first_nine) != 9 or not _ASCII_DIGITS.fullmatch(first_nine):
        raise ValueError("mst_check_digit() needs exactly nine ASCII digits")
    total = sum(int(d) * w for d, w in zip(first_nine, MST_WEIGHTS, strict=True))
    check = 10 - total % 11
    return None if check == 10 else check


def normalize_tax_code(value: str) -> str:
    """Return a tax code as ``"0100109106"`` or, for a branch, ``"0100109106-001"``.

    Layout: 2 digits province of issue, 7 digits sequence, 1 check digit, then optionally a
    3-digit branch (dependent unit) number, conventionally written after a dash. Spaces and
    dots are ignored and the dash is optional on input; the output always has the dash.

    Not accepted: the 12-digit CCCD that individuals use as their tax code since 1 July 2025
    (Circular 86/2024/TT-BTC); validate that with :func:`normalize_cccd`.

    >>> normalize_tax_code("0100109106 001")
    '0100109106-001'
    """
    if not isinstance(value, str):
        raise TypeError(f"normalize_tax_code() expects str, got {type(value).__name__}")
    text = re.sub(r"[\s.]", "", value)
    if not text:
        raise InvalidIdentifier("tax.empty", "Enter the tax code.")
    match = _TAX.fullmatch(text)
    if match is None:
        raise InvalidIdentifier(
            "tax.format",
            "A tax code has 10 digits, or 13 for a branch (10 + 3).",
            value=value,
        )
    main, branch = match[1], match[2]
    if main[2:9] == "0000000":
        raise InvalidIdentifier("tax.sequence", "This tax code cannot exist.", value=value)
    if branch == "000":
        raise InvalidIdentifier("tax.branch", "Branch numbers in a tax code start at 001.", value=value)
    if mst_check_digit(main[:9]) != int(main[9]):
        raise InvalidIdentifier(
            "tax.check_digit",
            "This tax code is mistyped: its check digit does not match.",
            value=value,
        )
    return f"{main}-{branch}" if branch else main
