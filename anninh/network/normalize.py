"""Normalise the identifiers of an economic-crime case to one comparable form each.

Victims' statements, bank exports, call records and registry extracts write the same phone,
account or wallet in many ways. Each function here returns the one canonical string that
records are linked on, ``None`` when nothing was given, or raises :class:`NormaliseError` with
a stable code (and parameters) that an import's bad-row report can translate.

==========================  =============================================================
``phone.not_digits``        characters other than digits, + and separators
``phone.invalid``           not a number any carrier issues (params: ``digits``)
``phone.old_prefix``        an 11-digit mobile whose old prefix has no new one
``bank.unknown``            the bank is not in :data:`BANKS` (params: ``bank``)
``bank_account.empty``      no account number
``bank_account.not_digits`` letters or symbols in the account number
``bank_account.length``     fewer than 6 or more than 19 digits (params: ``length``)
``wallet.chain``            a chain we do not know and cannot infer (params: ``chain``)
``wallet.format``           the address does not have the chain's shape
``wallet.checksum``         the address's built-in checksum fails (a typo)
``tax.format``              not 10 digits, or 10 + branch 3 digits
``tax.sequence``            a sequence that is never issued
``tax.branch``              branch number 000
``tax.check_digit``         the 10th digit does not match the first nine
``cccd.not_digits``         characters other than digits and spaces
``cccd.length``             not 12 digits (params: ``length``)
``cccd.province``           the first three digits are not a province code
``cccd.century``            the century digit gives a birth year before 1900 or in the future
``cccd.birth_year``         the card's year of birth differs from the record's (params: ``year``)
``cccd.sex``                the card's sex digit differs from the record's
==========================  =============================================================

The reference tables (:data:`BANKS`, :data:`CHAIN_ALIASES`, the old mobile prefixes in
:mod:`anninh.lib.identifiers`) are data: *verify* them against the State Bank / NAPAS list
and the regulator's numbering plan when they change.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass

import phonenumbers

from anninh.lib.errors import InvalidIdentifier, ValidationProblem
from anninh.lib.identifiers import OLD_MOBILE_PREFIXES, normalize_cccd, normalize_tax_code
from anninh.lib.text import fold

__all__ = [
    "BANKS",
    "CHAIN_ALIASES",
    "Bank",
    "NormaliseError",
    "bank_account",
    "bank_code",
    "cccd",
    "name_key",
    "name_parts",
    "phone",
    "phone_kind",
    "tax_code",
    "wallet",
]


class NormaliseError(ValidationProblem):
    """An identifier could not be normalised; ``code`` says why, ``params`` carry the details.

    A :class:`~anninh.lib.errors.ValidationProblem` (hence a ``ValueError``), so callers that
    already report the library's :class:`~anninh.lib.errors.InvalidIdentifier` can report
    these the same way.
    """


def _blank(text: str | None) -> bool:
    return text is None or not str(text).strip()


# --- phones -----------------------------------------------------------------------------------

_PHONE_TEXT = re.compile(r"[0-9+() .\-/]+")


def phone(text: str | None) -> str | None:
    """A phone number in E.164 form (``"+84912345678"``), or None when nothing was given.

    Accepts the forms people write: ``0912345678``, ``+84 912 345 678``, ``0084912345678``,
    ``84912345678``, ``(+84) 91-234-5678``, the slip ``+84 0912...``, the 11-digit mobiles
    retired in 2018 (``0168 123 4567`` is ``+84381234567`` today), landlines
    (``0225 3842 000``) and foreign numbers with their ``+`` country code (scam call centres
    abroad). A phone is a *lead*: families share one, carriers re-issue them.

    >>> phone("(+84) 91-234-5678")
    '+84912345678'
    >>> phone("01681234567")
    '+84381234567'
    """
    if _blank(text):
        return None
    return _phone(str(text).strip())


@functools.lru_cache(maxsize=200_000)
def _phone(raw: str) -> str:
    if not _PHONE_TEXT.fullmatch(raw) or not any(ch.isdigit() for ch in raw):
        raise NormaliseError("phone.not_digits", "A phone number has digits only.", value=raw)
    digits = re.sub(r"[^0-9]", "", raw)
    if raw.lstrip("(").startswith("+"):
        candidate = "+" + digits
    elif digits.startswith("00"):
        candidate = "+" + digits[2:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        candidate = "+" + digits
    else:
        candidate = digits
    try:
        number = phonenumbers.parse(candidate, "VN")
    except phonenumbers.NumberParseException as exc:
        raise NormaliseError(
            "phone.invalid", "This is not a phone number.", value=raw, digits=digits
        ) from exc
    national = str(number.national_number)
    if number.country_code == 84 and len(national) == 10 and national.startswith("1"):
        new = OLD_MOBILE_PREFIXES.get(national[:3])
        if new is None:
            raise NormaliseError(
                "phone.old_prefix", "This old 11-digit mobile prefix has no new one.", value=raw
            )
        number = phonenumbers.parse("+84" + new + national[3:], None)
    if not phonenumbers.is_valid_number(number):
        raise NormaliseError("phone.invalid", "This is not a phone number.", value=raw, digits=digits)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_kind(e164: str) -> str:
    """``"mobile"``, ``"landline"``, ``"service"`` or ``"other"`` for a normalised number."""
    kind = phonenumbers.number_type(phonenumbers.parse(e164, None))
    types = phonenumbers.PhoneNumberType
    if kind in (types.MOBILE, types.FIXED_LINE_OR_MOBILE):
        return "mobile"
    if kind == types.FIXED_LINE:
        return "landline"
    if kind in (types.TOLL_FREE, types.PREMIUM_RATE, types.SHARED_COST, types.UAN):
        return "service"
    return "other"


# --- banks ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bank:
    code: str  #: the short code used in keys (the VietQR / NAPAS short code)
    bin: str | None  #: the NAPAS BIN (6 digits), None for e-wallets
    short_name: str
    name: str  #: the legal name in Vietnamese
    aliases: tuple[str, ...] = ()


#: Vietnamese banks and the e-wallets scams use as accounts. Codes and BINs follow the NAPAS /
#: VietQR bank list (*verify* as data when a bank is renamed or merged).
BANKS: tuple[Bank, ...] = (
    Bank("VCB", "970436", "Vietcombank", "Ngân hàng TMCP Ngoại thương Việt Nam", ("Ngoại thương",)),
    Bank("ICB", "970415", "VietinBank", "Ngân hàng TMCP Công thương Việt Nam", ("CTG", "Công thương", "Vietin")),
    Bank("BIDV", "970418", "BIDV", "Ngân hàng TMCP Đầu tư và Phát triển Việt Nam", ("Đầu tư và Phát triển",)),
    Bank("VBA", "970405", "Agribank", "Ngân hàng Nông nghiệp và Phát triển Nông thôn Việt Nam", ("Nông nghiệp", "AGR")),
    Bank("TCB", "970407", "Techcombank", "Ngân hàng TMCP Kỹ thương Việt Nam", ("Kỹ thương",)),
    Bank("MB", "970422", "MBBank", "Ngân hàng TMCP Quân đội", ("MB Bank", "Quân đội", "Military Bank")),
    Bank("ACB", "970416", "ACB", "Ngân hàng TMCP Á Châu", ("Á Châu", "Asia Commercial Bank")),
    Bank("VPB", "970432", "VPBank", "Ngân hàng TMCP Việt Nam Thịnh Vượng", ("Thịnh Vượng",)),
    Bank("STB", "970403", "Sacombank", "Ngân hàng TMCP Sài Gòn Thương Tín", ("Sài Gòn Thương Tín",)),
    Bank("TPB", "970423", "TPBank", "Ngân hàng TMCP Tiên Phong", ("Tiên Phong",)),
    Bank("HDB", "970437", "HDBank", "Ngân hàng TMCP Phát triển Thành phố Hồ Chí Minh", ("Phát triển TP.HCM",)),
    Bank("VIB", "970441", "VIB", "Ngân hàng TMCP Quốc tế Việt Nam", ("Quốc tế",)),
    Bank("SHB", "970443", "SHB", "Ngân hàng TMCP Sài Gòn - Hà Nội", ("Sài Gòn Hà Nội",)),
    Bank("SEAB", "970440", "SeABank", "Ngân hàng TMCP Đông Nam Á", ("Đông Nam Á",)),
    Bank("MSB", "970426", "MSB", "Ngân hàng TMCP Hàng Hải Việt Nam", ("Maritime Bank", "Hàng Hải")),
    Bank("OCB", "970448", "OCB", "Ngân hàng TMCP Phương Đông", ("Phương Đông", "Orient")),
    Bank("EIB", "970431", "Eximbank", "Ngân hàng TMCP Xuất Nhập khẩu Việt Nam", ("Xuất Nhập khẩu",)),
    Bank("LPB", "970449", "LPBank", "Ngân hàng TMCP Lộc Phát Việt Nam", ("LienVietPostBank", "Bưu điện Liên Việt", "Lộc Phát")),
    Bank("NAB", "970428", "Nam A Bank", "Ngân hàng TMCP Nam Á", ("Nam Á",)),
    Bank("ABB", "970425", "ABBANK", "Ngân hàng TMCP An Bình", ("An Bình",)),
    Bank("BAB", "970409", "Bac A Bank", "Ngân hàng TMCP Bắc Á", ("Bắc Á",)),
    Bank("SCB", "970429", "SCB", "Ngân hàng TMCP Sài Gòn", ()),
    Bank("VAB", "970427", "VietABank", "Ngân hàng TMCP Việt Á", ("Việt Á",)),
    Bank("PVCB", "970412", "PVcomBank", "Ngân hàng TMCP Đại Chúng Việt Nam", ("Đại Chúng",)),
    Bank("KLB", "970452", "KienlongBank", "Ngân hàng TMCP Kiên Long", ("Kiên Long",)),
    Bank("SGICB", "970400", "Saigonbank", "Ngân hàng TMCP Sài Gòn Công Thương", ("Sài Gòn Công Thương",)),
    Bank("BVB", "970438", "BaoViet Bank", "Ngân hàng TMCP Bảo Việt", ("Bảo Việt",)),
    Bank("NCB", "970419", "NCB", "Ngân hàng TMCP Quốc Dân", ("Quốc Dân",)),
    Bank("VIETBANK", "970433", "VietBank", "Ngân hàng TMCP Việt Nam Thương Tín", ("Việt Nam Thương Tín",)),
    Bank("PGB", "970430", "PGBank", "Ngân hàng TMCP Thịnh vượng và Phát triển", ("Xăng dầu Petrolimex",)),
    Bank("VCCB", "970454", "BVBank", "Ngân hàng TMCP Bản Việt", ("Viet Capital Bank", "Bản Việt")),
    Bank("DOB", "970406", "DongA Bank", "Ngân hàng TMCP Đông Á", ("Đông Á",)),
    Bank("GPB", "970408", "GPBank", "Ngân hàng Thương mại TNHH MTV Dầu Khí Toàn Cầu", ("Dầu Khí Toàn Cầu",)),
    Bank("OCEANBANK", "970414", "OceanBank", "Ngân hàng Thương mại TNHH MTV Đại Dương", ("Đại Dương",)),
    Bank("CBB", "970444", "CBBank", "Ngân hàng Thương mại TNHH MTV Xây dựng Việt Nam", ("Xây dựng",)),
    Bank("COOPBANK", "970446", "Co-opBank", "Ngân hàng Hợp tác xã Việt Nam", ("Hợp tác xã",)),
    Bank("VRB", "970421", "VRB", "Ngân hàng Liên doanh Việt - Nga", ("Việt Nga",)),
    Bank("IVB", "970434", "Indovina Bank", "Ngân hàng TNHH Indovina", ()),
    Bank("SHBVN", "970424", "Shinhan Bank", "Ngân hàng TNHH MTV Shinhan Việt Nam", ("Shinhan",)),
    Bank("WVN", "970457", "Woori Bank", "Ngân hàng TNHH MTV Woori Việt Nam", ("Woori",)),
    Bank("UOB", "970458", "UOB", "Ngân hàng TNHH MTV United Overseas Bank (Việt Nam)", ()),
    Bank("PBVN", "970439", "Public Bank", "Ngân hàng TNHH MTV Public Việt Nam", ()),
    Bank("HLBVN", "970442", "Hong Leong Bank", "Ngân hàng TNHH MTV Hong Leong Việt Nam", ()),
    Bank("SCVN", "970410", "Standard Chartered", "Ngân hàng TNHH MTV Standard Chartered (Việt Nam)", ()),
    Bank("MOMO", None, "MoMo", "Ví điện tử MoMo (M_Service)", ("Ví MoMo",)),
    Bank("ZALOPAY", None, "ZaloPay", "Ví điện tử ZaloPay", ()),
    Bank("VTMONEY", None, "Viettel Money", "Ví điện tử Viettel Money", ("ViettelPay",)),
)  # fmt: skip


def _bank_token(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(text))


# Words around a bank's distinctive name that people add or leave out.
_BANK_NOISE = re.compile(
    r"^(?:ngan hang|nh|nhtm|tmcp|thuong mai co phan|bank|vi dien tu|vi)\b\s*|\s*\b(?:bank|viet nam|vn)$"
)
_BANK_BRANCH = re.compile(r"\s*(?:[-,(]|\bchi nhanh\b|\bcn\b|\bpgd\b|\bphong giao dich\b|\bbranch\b).*$")


def _bank_index() -> dict[str, Bank]:
    index: dict[str, Bank] = {}
    for bank in BANKS:
        for label in (bank.code, bank.short_name, bank.name, *bank.aliases, bank.bin or ""):
            if label:
                index.setdefault(_bank_token(label), bank)
                index.setdefault(_bank_token(_strip_bank_noise(fold(label))), bank)
    index.pop("", None)
    return index


def _strip_bank_noise(folded: str) -> str:
    previous = None
    while previous != folded:
        previous, folded = folded, _BANK_NOISE.sub("", folded).strip()
    return folded


_BANK_INDEX: dict[str, Bank] = {}


def bank_code(bank: str) -> str:
    """The bank's code in :data:`BANKS` from its code, BIN, short or full name, any accents.

    >>> bank_code("Ngân hàng TMCP Ngoại thương Việt Nam - CN Hải Phòng")
    'VCB'
    """
    if not _BANK_INDEX:
        _BANK_INDEX.update(_bank_index())
    text = str(bank or "").strip()
    folded = fold(text)
    for candidate in (folded, _BANK_BRANCH.sub("", folded)):
        for form in (candidate, _strip_bank_noise(candidate)):
            found = _BANK_INDEX.get(_bank_token(form))
            if found is not None:
                return found.code
    raise NormaliseError("bank.unknown", "This bank is not in the list of banks.", bank=text)


def bank_account(bank: str, number: str) -> str:
    """``"VCB:0123456789"``: the bank's code and the account number's digits (leading zeros
    kept). The same number at two banks is two accounts.

    >>> bank_account("Vietcombank", "0011 0023 45678")
    'VCB:0011002345678'
    """
    code = bank_code(bank)
    raw = str(number or "").strip()
    if not raw:
        raise NormaliseError("bank_account.empty", "Enter the account number.")
    if not re.fullmatch(r"[0-9 .\-]+", raw):
        raise NormaliseError("bank_account.not_digits", "An account number has digits only.", value=raw)
    digits = re.sub(r"[^0-9]", "", raw)
    if not 6 <= len(digits) <= 19:
        raise NormaliseError(
            "bank_account.length", "An account number has 6 to 19 digits.", value=raw, length=len(digits)
        )
    return f"{code}:{digits}"


# --- wallets ----------------------------------------------------------------------------------

#: Names people give a chain (or a token standard on it) → our chain code. EVM chains share the
#: address format: the same address on ETH and BSC belongs to the same key holder.
CHAIN_ALIASES = {
    "tron": "TRON", "trx": "TRON", "trc20": "TRON", "usdttrc20": "TRON",
    "eth": "ETH", "ethereum": "ETH", "erc20": "ETH", "usdterc20": "ETH",
    "bsc": "BSC", "bep20": "BSC", "bnb": "BSC", "bnbsmartchain": "BSC", "binancesmartchain": "BSC",
    "polygon": "POLYGON", "matic": "POLYGON", "arbitrum": "ARBITRUM", "optimism": "OPTIMISM",
    "base": "BASE", "avalanche": "AVAX", "avaxc": "AVAX",
    "btc": "BTC", "bitcoin": "BTC",
}  # fmt: skip
_EVM_CHAINS = frozenset({"ETH", "BSC", "POLYGON", "ARBITRUM", "OPTIMISM", "BASE", "AVAX"})
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _b58check(address: str) -> bytes | None:
    """The payload of a Base58Check string, or None when its 4-byte checksum fails."""
    value = 0
    for ch in address:
        value = value * 58 + _B58.index(ch)
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    raw = b"\x00" * (len(address) - len(address.lstrip("1"))) + raw
    payload, check = raw[:-4], raw[-4:]
    digest = hashlib.sha256(hashlib.sha256(payload).digest()).digest()
    return payload if digest[:4] == check else None


def _bech32_ok(address: str) -> bool:
    hrp, _, data = address.rpartition("1")
    if not hrp or len(data) < 6 or any(ch not in _BECH32 for ch in data):
        return False
    values = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    values += [_BECH32.index(c) for c in data]
    generator = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    checksum = 1
    for value in values:
        top = checksum >> 25
        checksum = (checksum & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            checksum ^= generator[i] if (top >> i) & 1 else 0
    return checksum in (1, 0x2BC830A3)  # bech32 (segwit v0) or bech32m (taproot)


def _infer_chain(address: str) -> str | None:
    if address.startswith("T") and len(address) == 34:
        return "TRON"
    if address.lower().startswith("0x"):
        return "ETH"
    if address.lower().startswith("bc1") or address[:1] in ("1", "3"):
        return "BTC"
    return None


def wallet(chain: str | None, address: str) -> str:
    """``"TRON:T..."``, ``"ETH:0x..."`` (EVM addresses lower-cased), ``"BTC:..."``.

    The chain may be given as a token standard (``"TRC20"``, ``"ERC-20"``, ``"BEP20"``) or left
    empty when the address shows it. TRON and Bitcoin addresses carry a checksum, which is
    checked (a mistyped character is caught); EVM checksums (EIP-55 mixed case) need Keccak,
    which the standard library lacks, so only their shape is checked.

    >>> wallet("USDT TRC20", " TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t ")
    'TRON:TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t'
    """
    addr = re.sub(r"\s", "", str(address or ""))
    if not addr:
        raise NormaliseError("wallet.format", "Enter the wallet address.")
    if _blank(chain):
        code = _infer_chain(addr)
    else:
        code = CHAIN_ALIASES.get(re.sub(r"[^a-z0-9]", "", fold(str(chain))))
        if code is None and str(chain).strip().upper() in set(CHAIN_ALIASES.values()):
            code = str(chain).strip().upper()
    if code is None:
        raise NormaliseError("wallet.chain", "Unknown blockchain.", chain=str(chain or ""))
    if code == "TRON":
        if not re.fullmatch(rf"T[{_B58}]{{33}}", addr):
            raise NormaliseError("wallet.format", "A TRON address is T and 33 letters or digits.", value=addr)
        payload = _b58check(addr)
        if payload is None or len(payload) != 21 or payload[0] != 0x41:
            raise NormaliseError("wallet.checksum", "This TRON address is mistyped.", value=addr)
        return f"TRON:{addr}"
    if code in _EVM_CHAINS:
        if not re.fullmatch(r"0[xX][0-9a-fA-F]{40}", addr):
            raise NormaliseError("wallet.format", "An EVM address is 0x and 40 hex digits.", value=addr)
        return f"{code}:{addr.lower()}"
    # Bitcoin
    if addr.lower().startswith("bc1"):
        lowered = addr.lower()
        if addr not in (lowered, addr.upper()) or not _bech32_ok(lowered):
            raise NormaliseError("wallet.checksum", "This Bitcoin address is mistyped.", value=addr)
        return f"BTC:{lowered}"
    if not re.fullmatch(rf"[13][{_B58}]{{25,34}}", addr):
        raise NormaliseError("wallet.format", "This is not a Bitcoin address.", value=addr)
    payload = _b58check(addr)
    if payload is None or len(payload) != 21:
        raise NormaliseError("wallet.checksum", "This Bitcoin address is mistyped.", value=addr)
    return f"BTC:{addr}"


# --- tax codes and CCCD ------------------------------------------------------------------------


def _reraise(exc: InvalidIdentifier) -> NormaliseError:
    return NormaliseError(exc.code, exc.message, **exc.params)


def tax_code(text: str | None) -> str | None:
    """A tax code (MST) as ``"0100109106"`` or a branch's ``"0100109106-001"``; the branch may
    be written with ``-``, ``/``, a space or nothing; the check digit is verified.

    >>> tax_code("0100109106/001")
    '0100109106-001'
    """
    if _blank(text):
        return None
    cleaned = re.sub(r"\s*[/_]\s*", "-", str(text).strip())
    try:
        return normalize_tax_code(cleaned)
    except InvalidIdentifier as exc:
        raise _reraise(exc) from exc


def cccd(
    text: str | None,
    *,
    birth_year: int | None = None,
    sex: str | None = None,
    today: dt.date | None = None,
) -> str | None:
    """A 12-digit CCCD, with its province code and century/sex digit checked, and, when the
    record gives them, its year of birth and sex checked against the record.

    >>> cccd("031 095 012345", birth_year=1995, sex="male")
    '031095012345'
    """
    if _blank(text):
        return None
    try:
        number = normalize_cccd(str(text))
    except InvalidIdentifier as exc:
        raise _reraise(exc) from exc
    century_digit = int(number[3])
    year = 1900 + 100 * (century_digit // 2) + int(number[4:6])
    this_year = (today or dt.date.today()).year
    if century_digit > 3 or year > this_year:
        raise NormaliseError(
            "cccd.century", "The 4th digit of a CCCD gives a year of birth that cannot be.", value=number
        )
    if birth_year is not None and int(birth_year) != year:
        raise NormaliseError(
            "cccd.birth_year", "The CCCD's year of birth differs from the record's.", value=number, year=year
        )
    if sex is not None:
        card_sex = "female" if century_digit % 2 else "male"
        if fold(sex) in ("nam", "male", "m") and card_sex != "male":
            raise NormaliseError("cccd.sex", "The CCCD's sex digit differs from the record's.", value=number)
        if fold(sex) in ("nu", "female", "f") and card_sex != "female":
            raise NormaliseError("cccd.sex", "The CCCD's sex digit differs from the record's.", value=number)
    return number


# --- names --------------------------------------------------------------------------------------


def name_key(text: str | None) -> str:
    """The comparison key of a name: no diacritics, lower case, punctuation dropped, single
    spaces (``"NGUYỄN  Văn-An"`` → ``"nguyen van an"``). Empty for nothing.

    >>> name_key("Nguyễn Thị Hồng Nhung")
    'nguyen thi hong nhung'
    """
    if _blank(text):
        return ""
    return _name_key(str(text))


@functools.lru_cache(maxsize=200_000)
def _name_key(text: str) -> str:
    # fold() of anninh.lib.text, without its tone-mark placement (the marks go anyway); names
    # repeat a lot in a case, hence the cache
    decomposed = unicodedata.normalize("NFD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("đ", "d")
    return " ".join(_NOT_WORD.sub(" ", plain).split())


_NOT_WORD = re.compile(r"[^a-z0-9 ]")


def name_parts(text: str | None) -> tuple[str, str, str]:
    """``(surname, middle, given)`` of a Vietnamese name's key: surname first, given name last.

    >>> name_parts("Trần Thị Thu Hà")
    ('tran', 'thi thu', 'ha')
    """
    words = name_key(text).split()
    if not words:
        return ("", "", "")
    if len(words) == 1:
        return ("", "", words[0])
    return (words[0], " ".join(words[1:-1]), words[-1])
