"""Formatting CompStat changes: a signed percentage and a significance class."""

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def pct(value) -> str:
    """+12,5 % / −3 % / — for no baseline."""
    if value is None:
        return "—"
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    return f"{sign}{number_format(abs(value), 1)} %"


@register.filter
def rate(value) -> str:
    """A share 0..1 as a percentage with one decimal, or — when there is nothing to divide."""
    if value is None:
        return "—"
    return f"{number_format(value * 100, 1)} %"


@register.filter
def change_class(change) -> str:
    return {1: "up", -1: "down"}.get(change.direction, "flat")


@register.filter
def change_title(change) -> str:
    if change.significant:
        return _("Significant change (p = %(p)s)") % {"p": number_format(change.p_value, 3)}
    return _("Within normal variation (p = %(p)s)") % {"p": number_format(change.p_value, 2)}
