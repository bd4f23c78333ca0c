"""Numbers for people: counts, decimals, percentages, coordinates and money in vi and en.

One module, so every page, chart and PDF writes a number the same way:

* **Counts** group thousands: ``12.885`` in Vietnamese, ``12,885`` in English.
* **Decimals** use the language's decimal mark: ``5,8`` / ``5.8``; ``p = 0,010``.
* **Percentages** are written with *no space* before ``%`` in both languages: ``12,5%``,
  ``+400,0%``. Vietnamese administrative writing (government and police reports: "tăng
  12,5%") does this, and a number glued to its sign can never be split across two lines, which
  a space (even in a narrow PDF column) allowed: "+400,0 / %". The minus is the typographic
  ``−`` (U+2212), as wide as ``+`` so signed columns line up.
* **Coordinates** are written the same in both languages, as decimal degrees with a *dot* and
  five decimals (about 1 m), latitude first, joined by ", ": ``20.84490, 106.68810``. With
  Vietnamese decimal commas a pair read "20,8449, 106,6881": four numbers or two? The dot form
  is also the only one that GPS units, Google Maps and the radio log accept when pasted, which
  is what an officer does with a coordinate.
* **Money** is whole đồng, grouped like counts, with a non-breaking space before ``₫``:
  ``1.250.000 ₫`` (en: ``1,250,000 ₫``).

Pure functions (no Django): the language is an argument, ``"vi"`` (the default) or ``"en"``;
any code starting with ``vi`` is Vietnamese, anything else English. The template filters in
``anninh.web.templatetags.anninh_tags`` pass the active language.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

__all__ = [
    "MINUS",
    "NBSP",
    "format_coordinates",
    "format_money",
    "format_number",
    "format_p_value",
    "format_percent",
    "format_share",
    "separators",
]

MINUS = "\u2212"
NBSP = "\u00a0"
_DONG = "\u20ab"
#: Coordinates: five decimals of a degree is about 1.1 m, finer than any GPS fix on the street.
COORDINATE_PLACES = 5


def separators(lang: str | None) -> tuple[str, str]:
    """(thousands separator, decimal mark) for a language code: ``(".", ",")`` for Vietnamese."""
    return (".", ",") if _is_vi(lang) else (",", ".")


def _is_vi(lang: str | None) -> bool:
    return lang is None or str(lang).lower().startswith("vi")


def _to_decimal(value) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def format_number(value, places: int = 0, lang: str | None = "vi", *, signed: bool = False) -> str:
    """A number with thousands grouping and ``places`` decimals (rounded half up).

    ``None``, NaN and infinities give ``"—"``: a dash reads as "no figure", never as zero.
    A value that rounds to zero is written without a sign (no "−0,0").

    >>> format_number(12885)
    '12.885'
    >>> format_number(5.8321, 1, "en")
    '5.8'
    """
    number = _to_decimal(value)
    if number is None:
        return "—"
    if places < 0:
        raise ValueError("places must be >= 0")
    quantum = Decimal(1).scaleb(-places)
    rounded = number.quantize(quantum, rounding=ROUND_HALF_UP)
    thousands, decimal_mark = separators(lang)
    text = f"{abs(rounded):,.{places}f}"
    text = text.replace(",", "\x00").replace(".", decimal_mark).replace("\x00", thousands)
    if rounded < 0:
        return MINUS + text
    if signed and rounded > 0:
        return "+" + text
    return text


def format_percent(value, places: int = 1, lang: str | None = "vi", *, signed: bool = False) -> str:
    """A value already in percent (12.5 → ``"12,5%"``); ``signed`` adds ``+`` to rises."""
    text = format_number(value, places, lang, signed=signed)
    return text if text == "—" else text + "%"


def format_share(value, places: int = 1, lang: str | None = "vi", *, signed: bool = False) -> str:
    """A share 0..1 as a percentage: 0.125 → ``"12,5%"``."""
    number = _to_decimal(value)
    return format_percent(None if number is None else number * 100, places, lang, signed=signed)


def format_p_value(p, lang: str | None = "vi") -> str:
    """A p-value as people print it: ``p = 0,010``, ``p < 0,001`` below a thousandth."""
    number = _to_decimal(p)
    if number is None:
        return "p = —"
    if number < Decimal("0.001"):
        return "p < " + format_number(Decimal("0.001"), 3, lang)
    return "p = " + format_number(number, 3, lang)


def format_coordinates(lat, lon, places: int = COORDINATE_PLACES) -> str:
    """``"20.84490, 106.68810"`` in every language (see the module docstring for why)."""
    if lat is None or lon is None:
        return "—"
    try:
        lat_f, lon_f = float(lat), float(lon)
    except (TypeError, ValueError):
        return "—"
    if not (math.isfinite(lat_f) and math.isfinite(lon_f)):
        return "—"
    return f"{lat_f:.{places}f}, {lon_f:.{places}f}".replace("-", MINUS)


def format_money(amount, lang: str | None = "vi") -> str:
    """Whole đồng: ``"1.250.000 ₫"`` (en ``"1,250,000 ₫"``); ``"—"`` when unknown."""
    if amount is None or amount == "":
        return "—"
    if isinstance(amount, bool):
        raise TypeError("format_money() expects a number of đồng, got bool")
    text = format_number(int(amount), 0, lang)
    return text + NBSP + _DONG
