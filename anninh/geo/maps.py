"""Configuration of the commune maps (static/geo/commune-map.js), shared by the geography and
organisation pages. Passed to the page with json_script: no inline script under the CSP."""

from __future__ import annotations

import itertools

from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from anninh.geo import selectors

CODE_PLACEHOLDER = "00000"
# Units left out when fitting the city map to the screen: Bạch Long Vĩ lies ~110 km offshore
# and would shrink the mainland to a corner. It is still drawn (zoom out to see it).
FIT_EXCLUDE = ("11948",)


def _legend() -> list[dict]:
    """Choropleth classes with their labels (people per km²)."""
    breaks = selectors.DENSITY_BREAKS
    fmt = lambda v: number_format(v, decimal_pos=0, force_grouping=True)  # noqa: E731
    classes = [{"label": _("under %(n)s") % {"n": fmt(breaks[0])}}]
    for low, high in itertools.pairwise(breaks):
        classes.append({"label": f"{fmt(low)} – {fmt(high)}"})
    classes.append({"label": _("%(n)s and more") % {"n": fmt(breaks[-1])}})
    return classes


def map_config(*, highlight: str | None = None) -> dict:
    """What the map script needs (passed with json_script; no inline script under the CSP)."""
    return {
        "geojsonUrl": reverse("api:geo_communes_geojson"),
        "detailUrl": reverse("geo:commune_detail", args=[CODE_PLACEHOLDER]),
        "placeholder": CODE_PLACEHOLDER,
        "breaks": list(selectors.DENSITY_BREAKS),
        "legend": _legend(),
        "legendTitle": _("People per km²"),
        "highlight": highlight,
        "fitExclude": list(FIT_EXCLUDE),
        "labels": {
            "population": _("population"),
            "density": _("people/km²"),
            "loadError": _("The map could not be loaded."),
        },
        "attribution": _("Boundaries: simplified, not legal (vietnam-3d-map, MIT)"),
    }
