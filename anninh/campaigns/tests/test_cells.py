"""The per-unit cells written in Python escape what they show and link like the template."""

from __future__ import annotations

from types import SimpleNamespace

from django.utils import translation

from anninh.campaigns.selectors import Cell
from anninh.campaigns.templatetags.campaign_tags import unit_cells


def test_a_unit_cell_escapes_names_and_links_and_shows_the_normalised_figures():
    cell = Cell(
        indicator="arrests",
        label="Arrests <b>",
        value=3,
        last_year=2,
        url="/enforcement/arrests/?date_from=01/08/2025&unit=7",
        last_year_url="/enforcement/arrests/?date_from=01/08/2024&unit=7",
        target=4,
        per_10k=1.5,
        per_officer=0.25,
    )
    row = SimpleNamespace(unit="<script>x</script>", cells=[cell])
    with translation.override("en"):
        html = unit_cells(row, "")
    assert "<script>" not in html and "&lt;script&gt;" in html and "Arrests &lt;b&gt;" in html
    assert 'href="/enforcement/arrests/?date_from=01/08/2025&amp;unit=7">3</a>' in html
    assert 'aria-valuenow="75"' in html and "/ 4" in html
    assert "1.50 per 10,000" in html and "0.25 per officer" in html and "×1.50" in html
