"""Vietnamese đồng (VND): whole numbers only, shown as ``12.345.678 ₫``.

VND has no minor unit in practice (ISO 4217 lists 0 decimals; the hào and xu are not used),
so amounts are Python ints and the database stores integers. Vietnamese writes ``.`` between
thousands and ``,`` as the decimal separator, the reverse of English; so the parser must
never read ``12,5`` as twelve thousand five hundred, and it refuses anything that has or may
have a fractional part rather than guess.

Error codes raised as :class:`~anninh.lib.errors.InvalidAmount`:

==================  ==================================================================
``vnd.empty``       nothing but spaces / a currency sign
``vnd.invalid``     characters that are not an amount
``vnd.fractional``  a decimal part, or a single ``,`` (the Vietnamese decimal comma)
``vnd.grouping``    thousands separators in the wrong places or mixed
``vnd.negative``    a negative amount where none is allowed
``vnd.too_large``   beyond :data:`MAX_VND` (10^15 đ)
==================  ==================================================================
"""

from __future__ import annotations

import re
import unicodedata

from anninh.lib.errors import InvalidAmount

__all__ = ["MAX_VND", "InvalidAmount", "format_vnd", "parse_vnd"]

#: Largest amount accepted: 10^15 đ (a million billion đồng, more than twice Hai Phong's yearly
#: GRDP), far above any real loss or damage. Capping a single amount there, not at the 64-bit
#: limit, keeps sums safe: over 9,000 maximal amounts fit in one SUM below 2^63 - 1, so
#: monthly aggregates neither overflow SQLite's or PostgreSQL's 64-bit integers nor turn into
#: floats.
MAX_VND = 10**15

_NBSP = "\u00a0"  # keeps "₫" on the same line as the number
_DONG_SIGN = "\u20ab"  # ₫

# Currency markers accepted before or after the number, matched case-insensitively after
# NFC. "d" and "dong" cover people typing without diacritics ("50000d").
_MARKER = r"(?:vnđ|vnd|đồng|dong|đ|d|₫)"
_CURRENCY_AFTER = re.compile(r"\s*" + _MARKER + r"$", re.IGNORECASE)
_CURRENCY_BEFORE = re.compile(r"^" + _MARKER + r"\s*", re.IGNORECASE)
_MINUS = ("-", "\u2212")  # ASCII hyphen-minus and the typographic minus sign
# Digits separated by single separators; which separators are legal is checked afterwards.
_BODY = re.compile(r"[0-9]+(?:[., ][0-9]+)*")


def format_vnd(amount: int) -> str:
    """Format an integer amount as Vietnamese money: ``12.345.678 ₫``.

    Thousands are separated with ``.``; a non-breaking space (U+00A0) joins the number to
    ``₫`` so the sign never wraps onto its own line. Negative amounts get a leading ``-``.

    >>> format_vnd(-12345)
    '-12.345\\xa0₫'
    """
    # bool is an int subclass; True would print as "1 ₫", which is never what was meant.
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise TypeError(f"format_vnd() expects int, got {type(amount).__name__}")
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(amount):,}".replace(",", ".") + _NBSP + _DONG_SIGN


def _check_groups(groups: list[str]) -> bool:
    """True if the groups read as thousands grouping: 1-3 digits (not 0-led), then 3s."""
    first, rest = groups[0], groups[1:]
    return 1 <= len(first) <= 3 and not (first.startswith("0") and rest) and all(len(g) == 3 for g in rest)


def _parse_body(body: str, original: str) -> int:
    """Turn the digits-and-separators part into an int, refusing anything ambiguous.

    ``original`` is what the user typed, reported in the error's params.
    """
    separators = [ch for ch in body if not ch.isdigit()]
    if not separators:
        return int(body)
    groups = re.split(r"[., ]", body)
    kinds = set(separators)
    if len(kinds) > 1:
        # "12.345,50" (Vietnamese), "12,345.50" (English), "12 345,5" (French): when the last
        # separator is a "." or "," that occurs only once, it is a decimal point, and there
        # is no whole-đồng reading. Otherwise the grouping is just inconsistent.
        last = separators[-1]
        if last in ".," and separators.count(last) == 1:
            raise InvalidAmount(
                "vnd.fractional", "Amounts in đồng cannot have a decimal part.", value=original
            )
        raise InvalidAmount("vnd.grouping", "Thousands separators are mixed.", value=original)
    (kind,) = kinds
    if kind == "," and len(separators) == 1:
        # One comma is the Vietnamese decimal comma: "12,5" and also "12,345" (twelve point
        # three four five), which an English reader would take for 12345. Refuse, don't guess.
        raise InvalidAmount("vnd.fractional", "Amounts in đồng cannot have a decimal part.", value=original)
    if kind == "." and len(separators) == 1 and len(groups[-1]) != 3:
        # "12.5", "1.50": an English decimal point, not Vietnamese grouping.
        raise InvalidAmount("vnd.fractional", "Amounts in đồng cannot have a decimal part.", value=original)
    if not _check_groups(groups):
        raise InvalidAmount("vnd.grouping", "Thousands separators are in the wrong places.", value=original)
    return int("".join(groups))


def parse_vnd(value: str | int, *, allow_negative: bool = False) -> int:
    """Parse a user-typed amount of đồng into an int.

    Accepted: plain digits (``"12345678"``), Vietnamese grouping (``"12.345.678"``),
    unambiguous English grouping with at least two commas (``"12,345,678"``), space grouping
    (``"12 345 678"``), an optional currency marker before or after (``₫``, ``đ``, ``VND``,
    ``VNĐ``, ``đồng``, and ``d``/``dong`` typed without diacritics; any case) and
    surrounding spaces, including non-breaking ones. An int is returned as is (after the
    sign and range checks).

    Rejected with :class:`InvalidAmount`: empty input, any fractional part (``"12,5"``,
    ``"12.5"``, ``"12.345,00"``), a lone comma (``"12,345"`` is 12.345 in Vietnamese),
    misplaced or mixed separators, negatives unless ``allow_negative=True``, values beyond
    :data:`MAX_VND`, and anything else.

    >>> parse_vnd("12.345.678 ₫")
    12345678
    """
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TypeError(f"parse_vnd() expects str or int, got {type(value).__name__}")
    amount = value if isinstance(value, int) else _parse_text(value)
    if amount < 0 and not allow_negative:
        raise InvalidAmount("vnd.negative", "The amount cannot be negative.", value=value)
    if abs(amount) > MAX_VND:
        raise InvalidAmount("vnd.too_large", "The amount is too large.", value=value, maximum=MAX_VND)
    return amount


def _parse_text(value: str) -> int:
    text = " ".join(unicodedata.normalize("NFC", value).split())
    # One currency marker, after the number ("12.345 ₫") or before it ("VND 12.345",
    # "-₫12.345"); two markers are garbage.
    text, after = _CURRENCY_AFTER.subn("", text)
    negative = False
    if text.startswith(_MINUS):
        negative, text = True, text[1:].lstrip()
    elif text.startswith("+"):
        text = text[1:].lstrip()
    if not after:
        text = _CURRENCY_BEFORE.sub("", text)
    if not text:
        raise InvalidAmount("vnd.empty", "Enter an amount.")
    if not _BODY.fullmatch(text):
        raise InvalidAmount("vnd.invalid", "This is not an amount.", value=value)
    amount = _parse_body(text, value)
    return -amount if negative else amount
