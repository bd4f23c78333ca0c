"""Template filters for Vietnamese conventions: numbers, percentages, coordinates, money.

Every filter formats through :mod:`anninh.lib.numbers` in the active language, so a page,
a chart label and the weekly PDF write a number the same way. The library is a template
builtin (settings.TEMPLATES), so no ``{% load %}`` is needed.

=====================  ==============================  ====================
filter                 example                         vi
=====================  ==============================  ====================
``num``                ``{{ 12885|num }}``             ``12.885``
``num:2``              ``{{ 5.8|num:1 }}``             ``5,8``
``percent``            ``{{ 12.5|percent }}``          ``12,5%``
``signed_percent``     ``{{ 400|signed_percent }}``    ``+400,0%``
``share``              ``{{ 0.125|share }}``           ``12,5%``
``pvalue``             ``{{ 0.01|pvalue }}``           ``p = 0,010``
``coords``             ``{{ lat|coords:lon }}``        ``20.84490, 106.68810``
``vnd``                ``{{ 1250000|vnd }}``           ``1.250.000 ₫``
=====================  ==============================  ====================
"""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from anninh.lib import numbers

register = template.Library()


def _places(arg, default: int) -> int:
    try:
        return int(arg)
    except (TypeError, ValueError):
        return default


@register.filter
def num(value, places=0) -> str:
    """A count or decimal: 12885 → "12.885"; {{ x|num:1 }} → "5,8".

    Text that is not a number (a label, "—") passes through unchanged, so the filter is safe
    on figures that are sometimes words.
    """
    if value is None or value == "":
        return "—"
    if isinstance(value, (str, bool)):
        try:
            float(value)
        except ValueError:
            return value
    return numbers.format_number(value, _places(places, 0), get_language())


@register.filter
def percent(value, places=1) -> str:
    """A value in percent: 12.5 → "12,5%" (no space: it never wraps before the sign)."""
    return numbers.format_percent(value, _places(places, 1), get_language())


@register.filter
def signed_percent(value, places=1) -> str:
    """A change in percent: 400 → "+400,0%", −3 → "−3,0%"."""
    return numbers.format_percent(value, _places(places, 1), get_language(), signed=True)


@register.filter
def share(value, places=1) -> str:
    """A share 0..1 as a percentage: 0.125 → "12,5%"."""
    return numbers.format_share(value, _places(places, 1), get_language())


@register.filter
def pvalue(value) -> str:
    """0.01 → "p = 0,010"; below 0.001 → "p < 0,001"."""
    return numbers.format_p_value(value, get_language())


@register.filter
def coords(lat, lon) -> str:
    """{{ lat|coords:lon }} → "20.84490, 106.68810" (dot decimals in every language)."""
    return numbers.format_coordinates(lat, lon)


@register.filter
def vnd(value) -> str:
    """12345678 → "12.345.678 ₫" (VND has no minor unit); empty when unknown."""
    if value is None or value == "":
        return ""
    return numbers.format_money(int(value), get_language())


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template ({{ labels|get_item:code }}); empty when missing."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""
