"""Hai Phong's grid and incident history for the forecasting library.

Everything about places: a 250 m grid over the city's land (cells whose centre lies in a
commune), the crimes with coordinates as (day, hour, x, y) arrays in UTM 48N metres, and the
deployed model ("ours" from anninh.forecast, its weights learned on the weeks before the
forecast). No person appears anywhere in these arrays.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import inspect
import threading
from dataclasses import dataclass

import numpy as np

from anninh import forecast
from anninh.forecast.backtest import HORIZON, weekly_origins
from anninh.forecast.grid import Grid, StudyArea, TransverseMercator, land_mask
from anninh.forecast.history import History, day_number
from anninh.lib.dates import HCM_TZ

CELL_METRES = 250
MODEL_NAME = forecast.BEST_MODEL  # "ours"
BASELINE_NAME = forecast.BAR_MODEL  # "counts-365d"
TRAINING_WEEKS = 12
#: Share of the land cells stored as the forecast's top cells (and never more than MAX_TOP).
TOP_COVERAGE = 0.01
MAX_TOP = 400
#: Best cells kept for every commune besides the city's top cells (for patrol planning).
PER_COMMUNE = 6
#: Shifts of the day (local time): code → (first hour, last hour exclusive); night wraps.
SHIFTS = {"morning": (6, 14), "afternoon": (14, 22), "night": (22, 6)}
PROJECTION = TransverseMercator.utm(48)


def _model_version() -> str:
    """The model's name and a digest of the library code that computes it: a change of code is
    a change of version."""
    from anninh.forecast import history, models

    source = inspect.getsource(models) + inspect.getsource(history)
    return f"{MODEL_NAME}-{hashlib.sha256(source.encode()).hexdigest()[:12]}"


MODEL_VERSION = _model_version()


@dataclass(frozen=True)
class CityGrid:
    grid: Grid
    area: StudyArea
    #: NSO code of the commune holding each land cell's centre ("" if none), by area position.
    communes: np.ndarray

    @property
    def n_cells(self) -> int:
        return self.area.size

    def centres_lonlat(self, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        cx, cy = self.grid.centres(self.area.cells[positions])
        return PROJECTION.inverse(cx, cy)

    def as_dict(self) -> dict:
        g = self.grid
        return {
            "projection": "UTM 48N (EPSG:32648)",
            "x0": g.x0,
            "y0": g.y0,
            "cell": g.cell,
            "nx": g.nx,
            "ny": g.ny,
        }


_lock = threading.Lock()
_grids: dict[int, CityGrid] = {}


def city_grid(cell_metres: int = CELL_METRES) -> CityGrid:
    """The land cells of the city (cached per process; the communes do not move)."""
    with _lock:
        if cell_metres not in _grids:
            from anninh.geo.models import Commune

            rings = []
            for boundary in Commune.objects.values_list("boundary", flat=True):
                polys = (
                    boundary["coordinates"]
                    if boundary["type"] == "MultiPolygon"
                    else [boundary["coordinates"]]
                )
                rings += [poly[0] for poly in polys]
            pts = np.array([p for ring in rings for p in ring], dtype=float)
            x, y = PROJECTION.forward(pts[:, 0], pts[:, 1])
            grid = Grid.covering(x, y, cell_metres)
            mask = land_mask(grid, rings, PROJECTION)
            area = StudyArea.from_mask(grid, mask)
            _grids[cell_metres] = CityGrid(grid, area, _cell_communes(grid, area))
        return _grids[cell_metres]


def _cell_communes(grid: Grid, area: StudyArea) -> np.ndarray:
    import shapely

    from anninh.geo import lookup
    from anninh.geo.geometry import to_metres_xy

    cx, cy = grid.centres(area.cells)
    lon, lat = PROJECTION.inverse(cx, cy)
    mx, my = to_metres_xy(lon, lat)
    out = np.full(area.size, "", dtype=object)
    codes, geoms = lookup.commune_geometries()
    for code, geom in zip(codes, geoms, strict=True):
        inside = shapely.contains_xy(geom, mx, my)
        out[inside & (out == "")] = code
    return out


def selected_cells(
    expected: np.ndarray, cg: CityGrid, order: np.ndarray, top: int, per_commune: int
) -> np.ndarray:
    """Positions to store: the city's `top` cells, plus each commune's `per_commune` best cells
    (so every commune police can plan within its own territory), in rank order."""
    rank_of = np.empty(order.size, dtype=np.int64)
    rank_of[order] = np.arange(order.size)
    chosen = set(order[:top].tolist())
    communes = cg.communes[order]
    seen: dict[str, int] = {}
    for pos, code in zip(order, communes, strict=True):
        if not code or seen.get(code, 0) >= per_commune:
            continue
        seen[code] = seen.get(code, 0) + 1
        chosen.add(int(pos))
    picked = np.array(sorted(chosen, key=lambda p: rank_of[p]), dtype=np.int64)
    return picked


@dataclass(frozen=True)
class Events:
    day: np.ndarray
    hour: np.ndarray
    x: np.ndarray
    y: np.ndarray

    @property
    def digest(self) -> str:
        """SHA-256 of the inputs (day, hour, x and y to the metre), so a stored forecast can be
        checked against the records it was made from."""
        rows = np.column_stack([self.day, self.hour, np.round(self.x), np.round(self.y)]).astype(np.int64)
        rows = rows[np.lexsort(rows.T[::-1])]
        return hashlib.sha256(rows.tobytes()).hexdigest()


def load_events(*, offence_group: str, before: dt.datetime, since: dt.datetime | None = None) -> Events:
    """Crimes with coordinates that occurred before `before` (optionally since `since`)."""
    from anninh.records.models import Incident, IncidentKind

    qs = Incident.objects.unrestricted().filter(
        kind=IncidentKind.CRIME, occurred_from__lt=before, lat__isnull=False, lon__isnull=False
    )
    if since is not None:
        qs = qs.filter(occurred_from__gte=since)
    if offence_group:
        qs = qs.filter(offence_group=offence_group)
    rows = list(qs.order_by().values_list("occurred_from", "lat", "lon"))
    if not rows:
        empty = np.empty(0)
        return Events(empty.astype(np.int64), empty, empty, empty)
    local = [r[0].astimezone(HCM_TZ) for r in rows]
    day = np.array([day_number(t.date()) for t in local], dtype=np.int64)
    hour = np.array([t.hour for t in local], dtype=float)
    lat = np.array([r[1] for r in rows], dtype=float)
    lon = np.array([r[2] for r in rows], dtype=float)
    x, y = PROJECTION.forward(lon, lat)
    return Events(day, hour, x, y)


def history_of(events: Events, cg: CityGrid) -> History:
    return History(cg.area, events.day, events.x, events.y, events.hour)


def weekly_risk(
    history: History, origin_day: int, *, training_weeks: int = TRAINING_WEEKS
) -> tuple[np.ndarray, dict]:
    """Expected crimes per land cell for the 7 days from `origin_day` by the deployed model,
    its weights learned on the `training_weeks` weeks before (outcomes ending by the origin)."""
    model = forecast.make_model(MODEL_NAME)
    origins = weekly_origins(origin_day - HORIZON * training_weeks, training_weeks)
    model.train(history.before(origin_day), origins, HORIZON)
    risk = model.fit(history, origin_day).predict()
    return risk, {
        **model.get_params(),
        "training_weeks": training_weeks,
        "coefficients": [round(float(c), 6) for c in model.coef_],
    }


def shift_share(
    history: History, origin_day: int, shift: str, *, prior: float = 10.0, days: int = 365
) -> np.ndarray:
    """Share of each cell's crimes that fall in `shift`: the cell's own share over the last
    `days`, shrunk towards the city's share with the weight of `prior` incidents."""
    start, end = SHIFTS[shift]
    past = history.before(origin_day)
    cells, _days, hours = _events_in(past, days)
    in_shift = (hours >= start) & (hours < end) if start < end else (hours >= start) | (hours < end)
    city = (in_shift.sum() + 1.0) / (in_shift.size + 3.0)
    n = np.bincount(cells, minlength=history.n_cells).astype(float)
    k = np.bincount(cells[in_shift], minlength=history.n_cells).astype(float)
    return (k + prior * city) / (n + prior)


def _events_in(past, days: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    h = past.history
    keep = (h.day < past.origin) & (h.day >= past.origin - days)
    return h.cell[keep], h.day[keep], h.hour[keep]
