"""Forecast cells in words on the forecast pages (see anninh.hotspots.labels)."""

from __future__ import annotations

from django import template

from anninh.hotspots import labels

register = template.Library()


@register.filter
def cell_place(cell) -> str:
    """A forecast cell named from its commune's centre (no landmark data on forecast pages)."""
    return labels.place_name(cell.lat, cell.lon, cell.commune)


@register.filter
def risk_words(cell) -> str:
    return labels.risk_words(cell.risk)


@register.filter
def expected_words(cell) -> str:
    return labels.expected_words(cell.expected, cell.expected_low, cell.expected_high)
