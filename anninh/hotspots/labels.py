"""Forecast cells in words: where a cell is and how risky it is, for a commander on the street.

A cell is named by its commune and, where anninh knows one nearby, a landmark (a place of the
gazetteer a deployment loads with `manage.py load_landmarks`, or a checkpoint site, within
400 m: "120 m north of Cầu Rào"); otherwise by the direction and distance from
the commune's centre ("1,2 km north-east of the centre"). There is no street gazetteer in
anninh; the coordinates stay available beside the name for a GPS.

Risk is said in words instead of "×162": a level (very high / high / raised / about average)
and how many times the average cell of the city that is; the expected count is said with its
90 % predictive interval as "usually between 0 and 1".
"""

from __future__ import annotations

from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from anninh.lib.numbers import format_number
from anninh.lib.places import bearing, nearest

#: A landmark names a cell only if it is this close to the cell's centre (a 250 m cell's
#: corner is 177 m from its centre; 400 m is a couple of minutes on foot).
LANDMARK_REACH_M = 400


def direction_name(code: str) -> str:
    return {
        "N": pgettext("direction", "north"),
        "NE": pgettext("direction", "north-east"),
        "E": pgettext("direction", "east"),
        "SE": pgettext("direction", "south-east"),
        "S": pgettext("direction", "south"),
        "SW": pgettext("direction", "south-west"),
        "W": pgettext("direction", "west"),
        "NW": pgettext("direction", "north-west"),
    }[code]


def distance_text(metres: float) -> str:
    """ "120 m" under a kilometre (to the nearest 10 m), "1,2 km" above."""
    lang = get_language()
    if metres < 1000:
        return f"{format_number(round(metres, -1), 0, lang)}\u00a0m"
    return f"{format_number(metres / 1000, 1, lang)}\u00a0km"


def place_name(lat: float, lon: float, commune=None, landmarks=()) -> str:
    """The cell at (lat, lon) in words (see the module docstring)."""
    found = nearest(lat, lon, landmarks, LANDMARK_REACH_M) if landmarks else None
    if found is not None:
        site, b = found
        if b.metres < 50:
            return _("at %(place)s") % {"place": site.name}
        return _("%(distance)s %(direction)s of %(place)s") % {
            "distance": distance_text(b.metres),
            "direction": direction_name(b.direction),
            "place": site.name,
        }
    if commune is None or getattr(commune, "centroid_lat", None) is None:
        return _("outside the communes")
    b = bearing(commune.centroid_lat, commune.centroid_lon, lat, lon)
    if b.metres < 150:
        return _("at the centre of the commune")
    return _("%(distance)s %(direction)s of the commune's centre") % {
        "distance": distance_text(b.metres),
        "direction": direction_name(b.direction),
    }


def name_cells(cells, extra_places=()) -> list:
    """Name every cell of a page (``cell.place``) with one query for the landmarks around them:
    the gazetteer's landmarks (anninh.geo.Landmark, loaded by a deployment) and any
    `extra_places` (objects with .name, .lat, .lon, such as checkpoint sites)."""
    from anninh.geo.landmarks import landmarks_near

    cells = list(cells)
    if not cells:
        return cells
    lats = [c.lat for c in cells]
    lons = [c.lon for c in cells]
    places = [*landmarks_near(min(lats), max(lats), min(lons), max(lons)), *extra_places]
    for c in cells:
        c.place = place_name(c.lat, c.lon, getattr(c, "commune", None), places)
    return cells


def risk_level(risk: float | None) -> str:
    """A level for the relative risk (times the average cell of the city)."""
    if risk is None:
        return "—"
    if risk >= 20:
        return _("very high")
    if risk >= 5:
        return _("high")
    if risk >= 2:
        return _("raised")
    return _("about average")


def risk_words(risk: float | None) -> str:
    """ "Very high: 162 times the average cell of the city"."""
    if risk is None:
        return "—"
    times = format_number(risk, 0 if risk >= 10 else 1, get_language())
    return _("%(level)s: %(times)s times the average cell of the city") % {
        "level": risk_level(risk).capitalize(),
        "times": times,
    }


def expected_words(expected: float, low: float, high: float) -> str:
    """ "About 0,9 crimes; usually between 0 and 1" (the 90 % predictive interval)."""
    lang = get_language()
    return _("About %(expected)s crimes; usually between %(low)s and %(high)s") % {
        "expected": format_number(expected, 1, lang),
        "low": format_number(low, 0, lang),
        "high": format_number(high, 0, lang),
    }
