"""Template filters for Vietnamese conventions: money in đồng, folded text."""

from __future__ import annotations

from django import template

from anninh.lib.money import format_vnd

register = template.Library()


@register.filter
def vnd(value) -> str:
    """12345678 → "12.345.678 ₫" (VND has no minor unit)."""
    if value is None or value == "":
        return ""
    return format_vnd(int(value))


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template ({{ labels|get_item:code }}); empty when missing."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""
