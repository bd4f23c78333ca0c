"""The per-unit table's cells, rendered in one pass in Python: about 130 units × 8 indicators
of template tags and filters cost more than the dashboard's queries (as records' FastSelect
does for long selects). The markup is the same the template would write."""

from __future__ import annotations

from html import escape

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from anninh.lib import numbers

register = template.Library()


def _value(cell, value, lang: str) -> str:
    return numbers.format_money(int(value), lang) if cell.money else numbers.format_number(value, 0, lang)


@register.simple_tag
def unit_cells(row, absolute: str = "") -> str:
    """The <td> cells of one unit's row (every text escaped with html.escape)."""
    lang = get_language() or "vi"
    per_10k_word, per_officer_word, last_year_word = (
        escape(_("per 10,000")),
        escape(_("per officer")),
        escape(_("last year")),
    )
    unit = escape(str(row.unit))
    prefix = escape(absolute)
    out = []
    for c in row.cells:
        html = f'<td class="num"><a href="{prefix}{escape(c.url)}">{_value(c, c.value, lang)}</a>'
        if c.target is not None:
            classes = "progress"
            if c.lower_is_better:
                classes += " ceiling" + ("" if c.met else " over")
            elif c.met:
                classes += " met"
            html += (
                f'<div class="{classes}" role="progressbar" aria-valuemin="0" aria-valuemax="100" '
                f'aria-valuenow="{c.bar}" aria-label="{unit}: {escape(c.label)}"><span style="width: {c.bar}%">'
                f'</span></div><span class="sub">/ {_value(c, c.target, lang)}</span>'
            )
        if not c.money:
            per_10k = (
                f"{numbers.format_number(c.per_10k, 2, lang)} {per_10k_word}" if c.per_10k is not None else ""
            )
            per_officer = (
                f"{numbers.format_number(c.per_officer, 2, lang)} {per_officer_word}"
                if c.per_officer is not None
                else ""
            )
            html += f'<span class="sub">{per_10k}</span><span class="sub">{per_officer}</span>'
        baseline = f" · ×{numbers.format_number(c.vs_baseline, 2, lang)}" if c.vs_baseline is not None else ""
        html += (
            f'<span class="sub">{last_year_word} <a href="{prefix}{escape(c.last_year_url)}">'
            f"{_value(c, c.last_year, lang)}</a>{baseline}</span></td>"
        )
        out.append(html)
    return mark_safe("".join(out))  # noqa: S308 - every text escaped above
