"""Near-repeat (Knox) and hot-spot (Gi*) analyses on any filtered set of incidents.

Reads through the records app's scoped incident list (so a commune officer analyses their own
commune's incidents only), projects the points to metres and calls the pure library
(anninh.analytics). Inputs are bounded so a request stays quick.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from django.db.models import Count
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from anninh.accounts.scoping import scope_for
from anninh.analytics.gistar import GiStarResult, gi_star, grid_queen, polygon_contiguity
from anninh.analytics.knox import KnoxError, KnoxResult, knox_test
from anninh.analytics.rates import eb_rates
from anninh.geo import lookup
from anninh.geo.geometry import to_degrees_xy, to_metres_xy
from anninh.geo.models import Commune
from anninh.lib.numbers import format_coordinates, format_number, format_p_value
from anninh.records.selectors.incidents import IncidentFilters, incident_list

#: Limits of one request.
MAX_KNOX_EVENTS = 5_000
MAX_KNOX_PERMUTATIONS = 199
MIN_CELL_M, MAX_CELL_M = 250, 5_000
MAX_GRID_CELLS = 400_000


class AnalysisError(ValueError):
    """A request the analysis cannot serve; the message is for the user."""


@dataclass(frozen=True)
class NearRepeat:
    result: KnoxResult
    used: int
    without_point: int
    distance_labels: list[str]
    time_labels: list[str]
    summary: str


def _num(value, places: int = 0) -> str:
    """A number in the page's language (12.885 in Vietnamese, 12,885 in English)."""
    return format_number(value, places, get_language())


def _band_labels(edges, unit: str) -> list[str]:
    return [f"{_num(edges[k])}–{_num(edges[k + 1])} {unit}" for k in range(len(edges) - 1)]


def near_repeat(
    *,
    viewer,
    filters: IncidentFilters,
    distance_band_m: int = 100,
    distance_bands: int = 4,
    time_band_days: int = 7,
    time_bands: int = 4,
    permutations: int = 99,
    seed: int = 0,
) -> NearRepeat:
    if not (10 <= distance_band_m <= 2000 and 1 <= distance_bands <= 10):
        raise AnalysisError(_("Choose distance bands of 10 to 2,000 m, at most 10 of them."))
    if not (1 <= time_band_days <= 90 and 1 <= time_bands <= 10):
        raise AnalysisError(_("Choose time bands of 1 to 90 days, at most 10 of them."))
    if not 9 <= permutations <= MAX_KNOX_PERMUTATIONS:
        raise AnalysisError(
            _("Choose between 9 and %(max)s permutations.") % {"max": _num(MAX_KNOX_PERMUTATIONS)}
        )
    qs = incident_list(viewer=viewer, filters=filters).order_by()
    total = qs.count()
    if total > MAX_KNOX_EVENTS * 4:
        raise AnalysisError(
            _("%(n)s incidents match: narrow the filters (at most %(max)s with a location).")
            % {"n": _num(total), "max": _num(MAX_KNOX_EVENTS)}
        )
    # In id order, so a seed gives the same answer every time.
    rows = list(
        qs.filter(lat__isnull=False, lon__isnull=False)
        .order_by("id")
        .values_list("lat", "lon", "occurred_from")
    )
    if len(rows) > MAX_KNOX_EVENTS:
        raise AnalysisError(
            _("%(n)s incidents with a location match: narrow the filters (at most %(max)s).")
            % {"n": _num(len(rows)), "max": _num(MAX_KNOX_EVENTS)}
        )
    if len(rows) < 2:
        raise AnalysisError(_("At least two incidents with a location are needed: widen the filters."))
    lat = np.array([r[0] for r in rows])
    lon = np.array([r[1] for r in rows])
    t = np.array([r[2].timestamp() / 86400.0 for r in rows])
    x, y = to_metres_xy(lon, lat)
    d_edges = np.arange(distance_bands + 1) * float(distance_band_m)
    t_edges = np.arange(time_bands + 1) * float(time_band_days)
    try:
        result = knox_test(x, y, t, d_edges, t_edges, n_permutations=permutations, seed=seed)
    except KnoxError as exc:
        raise AnalysisError(str(exc)) from exc
    return NearRepeat(
        result=result,
        used=len(rows),
        without_point=total - len(rows),
        distance_labels=_band_labels(d_edges, "m"),
        time_labels=_band_labels(t_edges, _("days")),
        summary=_summary(result, d_edges, t_edges),
    )


def _summary(r: KnoxResult, d_edges, t_edges) -> str:
    sig = r.significant()
    if not sig.any():
        return _(
            "No near-repeat pattern: incidents close in space are not closer in time than chance would make them."
        )
    k, m = np.argwhere(sig)[0]  # the closest band in space, then in time
    return _(
        "Incidents within %(d)s m and %(t)s days of another incident are %(ratio)s times as frequent as "
        "chance would make them (%(p)s): after an incident, patrol its surroundings in the following days."
    ) % {
        "d": _num(d_edges[k + 1]),
        "t": _num(t_edges[m + 1]),
        "ratio": _num(r.ratio[k, m], 1),
        "p": format_p_value(r.p_value[k, m], get_language()),
    }


# Hot spots ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HotSpots:
    unit: str  # "commune" | "grid"
    result: GiStarResult
    keys: list[str]  # commune codes, or cell ids as text
    counts: np.ndarray
    names: dict[str, str]
    features: list[dict]  # GeoJSON features of significant cells (grid mode)
    used: int
    without_point: int
    cell_m: int | None
    #: What Gi* ran on: "rate" (empirical-Bayes smoothed crimes per 10,000 residents, the
    #: default for communes) or "count"; `values` holds it, one per key.
    measure: str = "count"
    values: np.ndarray | None = None

    def rows(self, limit: int = 30) -> list[dict]:
        idx = np.nonzero(self.result.significant)[0]
        idx = idx[np.argsort(-self.result.z[idx])]
        out = []
        for i in idx[:limit]:
            out.append(
                {
                    "key": self.keys[i],
                    "name": self.names.get(self.keys[i], self.keys[i]),
                    "count": int(self.counts[i]),
                    "rate": float(self.values[i]) if self.measure == "rate" else None,
                    "z": float(self.result.z[i]),
                    "p": float(self.result.p_value[i]),
                    "hot": bool(self.result.hot[i]),
                }
            )
        return out


_CONTIGUITY: dict[str, object] = {}


def _commune_weights():
    codes, geoms = lookup.commune_geometries()
    key = ",".join(codes)
    if key not in _CONTIGUITY:
        # Simplified boundaries leave thin gaps: communes within 50 m of each other touch.
        _CONTIGUITY.clear()
        _CONTIGUITY[key] = polygon_contiguity(list(geoms), tolerance=50.0)
    return codes, _CONTIGUITY[key]


MEASURES = ("rate", "count")


def hot_spots(
    *,
    viewer,
    filters: IncidentFilters,
    unit: str = "commune",
    cell_m: int = 500,
    fdr: bool = True,
    measure: str = "",
) -> HotSpots:
    """Getis-Ord Gi* hot spots by commune or grid cell. By commune the default measure is the
    rate per 10,000 residents, smoothed by empirical Bayes (`anninh.analytics.rates`): on raw
    counts Gi* mostly finds the most populous wards (686 to 161,051 residents). Grid cells
    have no population: counts only."""
    scope = scope_for(viewer)
    measure = measure or ("rate" if unit == "commune" else "count")
    if measure not in MEASURES:
        raise AnalysisError(_("Choose crimes per 10,000 residents or the number of crimes."))
    if measure == "rate" and unit != "commune":
        raise AnalysisError(_("Grid cells have no population: choose the number of crimes."))
    qs = incident_list(viewer=viewer, filters=filters).order_by()
    if unit == "commune":
        if not scope.city_wide:
            raise AnalysisError(
                _(
                    "Hot spots by commune compare every commune of the city: choose grid cells within your area."
                )
            )
        codes, weights = _commune_weights()
        counts_by = dict(qs.values_list("commune_id").annotate(n=Count("id")).order_by())
        counts = np.array([counts_by.get(c, 0) for c in codes], float)
        if counts.sum() == 0:
            raise AnalysisError(_("No incident matches the filters."))
        info = {
            code: (name, population)
            for code, name, population in Commune.objects.values_list("code", "name", "population")
        }
        names = {code: name for code, (name, _population) in info.items()}
        values = counts
        if measure == "rate":
            values = eb_rates(counts, [info.get(c, ("", 0))[1] or 0 for c in codes])
        return HotSpots(
            "commune",
            gi_star(values, weights, fdr=fdr),
            list(codes),
            counts,
            names,
            [],
            int(counts.sum()),
            0,
            None,
            measure,
            values,
        )
    if unit != "grid":
        raise AnalysisError(_("Choose communes or grid cells."))
    if not MIN_CELL_M <= cell_m <= MAX_CELL_M:
        raise AnalysisError(
            _("Choose a cell size between %(min)s and %(max)s m.")
            % {"min": _num(MIN_CELL_M), "max": _num(MAX_CELL_M)}
        )
    codes, geoms = lookup.commune_geometries()
    if not scope.city_wide:
        allowed = set(scope.commune_codes)
        geoms = [g for c, g in zip(codes, geoms, strict=True) if c in allowed]
        if not geoms:
            raise AnalysisError(_("Your account covers no commune."))
    area = shapely.union_all(list(geoms))
    minx, miny, maxx, maxy = area.bounds
    nx, ny = int((maxx - minx) // cell_m) + 1, int((maxy - miny) // cell_m) + 1
    if nx * ny > MAX_GRID_CELLS:
        raise AnalysisError(_("Too many cells: choose larger cells."))
    ids = np.arange(nx * ny)
    cx = minx + (ids % nx + 0.5) * cell_m
    cy = miny + (ids // nx + 0.5) * cell_m
    shapely.prepare(area)
    land = shapely.contains_xy(area, cx, cy)
    total = qs.count()
    rows = list(qs.filter(lat__isnull=False, lon__isnull=False).values_list("lat", "lon"))
    if not rows:
        raise AnalysisError(_("No incident with a location matches the filters."))
    px, py = to_metres_xy([r[1] for r in rows], [r[0] for r in rows])
    col = np.floor((px - minx) / cell_m).astype(int)
    row = np.floor((py - miny) / cell_m).astype(int)
    inside = (col >= 0) & (col < nx) & (row >= 0) & (row < ny)
    cell = row[inside] * nx + col[inside]
    full = np.bincount(cell, minlength=nx * ny).astype(float)
    land |= full > 0  # a cell holding incidents is studied even if its centre is off the coast
    keep = np.nonzero(land)[0]
    weights = grid_queen(ny, nx)[keep][:, keep]
    counts = full[keep]
    result = gi_star(counts, weights, fdr=fdr)
    features = []
    names: dict[str, str] = {}
    for pos in np.nonzero(result.significant)[0]:
        cid = keep[pos]
        x0, y0 = minx + (cid % nx) * cell_m, miny + (cid // nx) * cell_m
        lons, lats = to_degrees_xy(
            [x0, x0 + cell_m, x0 + cell_m, x0, x0], [y0, y0, y0 + cell_m, y0 + cell_m, y0]
        )
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[round(a, 6), round(b, 6)] for a, b in zip(lons, lats, strict=True)]],
                },
                "properties": {
                    "z": round(float(result.z[pos]), 2),
                    "count": int(counts[pos]),
                    "hot": bool(result.hot[pos]),
                },
            }
        )
        centre_lon, centre_lat = to_degrees_xy(x0 + cell_m / 2, y0 + cell_m / 2)
        code = lookup.commune_at(float(centre_lat), float(centre_lon))
        names[str(cid)] = _("%(commune)s, cell at %(coordinates)s") % {
            "commune": lookup.commune_name(code) or _("outside the communes"),
            "coordinates": format_coordinates(float(centre_lat), float(centre_lon), 4),
        }
    return HotSpots(
        "grid",
        result,
        [str(k) for k in keep],
        counts,
        names,
        features,
        int(inside.sum()),
        total - len(rows),
        cell_m,
        "count",
        counts,
    )
