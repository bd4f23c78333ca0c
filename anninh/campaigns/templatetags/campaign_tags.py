"""The per-unit table's cells, rendered in one pass in Python: about 130 units × 8 indicators
of template tags and filters cost more than the dashboard's queries (as records' FastSelect
does for long selects). The markup is the same the template would write."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from anninh.lib import numbers

register = template.Library()


def _value(cell, value, lang: str) -> str:
    return numbers.format_money(int(value), lang) if cell.money else numbers.format_number(value, 0, lang)


@register.simple_tag
def unit_cells(row, absolute: str = "") -> str:
    """The <td> cells of one unit's row."""
    lang = get_language() or "vi"
    words = {
        "per_10k": _("per 10,000"),
        "per_officer": _("per officer"),
        "last_year": _("last year"),
    }
    out = []
    for c in row.cells:
        parts = [format_html('<a href="{}{}">{}</a>', absolute, c.url, _value(c, c.value, lang))]
        if c.target is not None:
            classes = "progress"
            if c.lower_is_better:
                classes += " ceiling" + ("" if c.met else " over")
            elif c.met:
                classes += " met"
            parts.append(
                format_html(
                    '<div class="{}" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow="{}" '
                    'aria-label="{}: {}"><span style="width: {}%"></span></div><span class="sub">/ {}</span>',
                    classes,
                    c.bar,
                    row.unit,
                    c.label,
                    c.bar,
                    _value(c, c.target, lang),
                )
            )
        if not c.money:
            per_10k = (
                f"{numbers.format_number(c.per_10k, 2, lang)} {words['per_10k']}"
                if c.per_10k is not None
                else ""
            )
            per_officer = (
                f"{numbers.format_number(c.per_officer, 2, lang)} {words['per_officer']}"
                if c.per_officer is not None
                else ""
            )
            parts.append(
                format_html('<span class="sub">{}</span><span class="sub">{}</span>', per_10k, per_officer)
            )
        baseline = f" · ×{numbers.format_number(c.vs_baseline, 2, lang)}" if c.vs_baseline is not None else ""
        parts.append(
            format_html(
                '<span class="sub">{} <a href="{}{}">{}</a>{}</span>',
                words["last_year"],
                absolute,
                c.last_year_url,
                _value(c, c.last_year, lang),
                baseline,
            )
        )
        out.append(format_html('<td class="num">{}</td>', mark_safe("".join(parts))))  # noqa: S308 - built by format_html
    return mark_safe("".join(out))  # noqa: S308 - every part escaped by format_html
