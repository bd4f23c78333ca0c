"""Counts in sentences ("12.885 vụ việc") are grouped like every other number (issue #13 item
4): `{% blocktranslate count n=X %}` would print 12885, so the sentence shows `X|num`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

import anninh

COUNTED = re.compile(r"\{% blocktranslate count (\w+)=([\w.]+)(.*?)%\}(.*?)\{% endblocktranslate %\}", re.S)


@pytest.mark.parametrize(("lang", "shown"), [("vi", "12.885"), ("en", "12,885")])
def test_a_counted_sentence_shows_the_grouped_number(lang, shown):
    template = Template(
        "{% load i18n %}{% blocktranslate count n=total with shown=total|num %}"
        "{{ shown }} incident{% plural %}{{ shown }} incidents{% endblocktranslate %}"
    )
    with translation.override(lang):
        text = template.render(Context({"total": 12885}))
    assert shown in text and "12885" not in text


def test_no_template_prints_a_raw_count_that_can_reach_four_digits():
    """Counts that stay small (days left, months, changes of one record, seconds) may print
    raw; list totals, problems and left-out incidents may not."""
    small = {"days", "m", "seconds"}
    root = Path(anninh.__file__).parent
    raw = []
    for path in root.glob("*/templates/**/*.html"):
        for var, expr, _rest, body in COUNTED.findall(path.read_text()):
            if var in small or _rest.startswith("|length"):
                continue
            if "{{ " + var + " }}" in body:
                raw.append(f"{path.relative_to(root)}: {expr}")
    assert raw == []
