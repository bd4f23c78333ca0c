"""Forecast cells in words on the forecast pages (see anninh.hotspots.labels)."""

from __future__ import annotations

from django import template

from anninh.hotspots import labels

register = template.Library()


@register.filter
def cell_place(cell) -> str:
    """A forecast cell in words: the name `labels.name_cells` gave it (nearest landmark), else
    from its commune's centre."""
    return getattr(cell, "place", None) or labels.place_name(cell.lat, cell.lon, cell.commune)


@register.filter
def risk_words(cell) -> str:
    return labels.risk_words(cell.risk)


@register.filter
def expected_words(cell) -> str:
    return labels.expected_words(cell.expected, cell.expected_low, cell.expected_high)
