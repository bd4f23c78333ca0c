"""Formatting CompStat changes: a signed percentage and a significance class."""

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from anninh.lib.numbers import format_number, format_percent, format_share

register = template.Library()


@register.filter
def pct(value) -> str:
    """+12,5% / −3,0% / — for no baseline (anninh.lib.numbers: no space before %)."""
    return format_percent(value, 1, get_language(), signed=True)


@register.filter
def rate(value) -> str:
    """A share 0..1 as a percentage with one decimal, or — when there is nothing to divide."""
    return format_share(value, 1, get_language())


@register.filter
def change_class(change) -> str:
    return {1: "up", -1: "down"}.get(change.direction, "flat")


@register.filter
def change_title(change) -> str:
    if change.significant:
        return _("Significant change (p = %(p)s)") % {"p": format_number(change.p_value, 3, get_language())}
    return _("Within normal variation (p = %(p)s)") % {"p": format_number(change.p_value, 2, get_language())}
