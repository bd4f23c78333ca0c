"""Incident history on a study area, with leak-proof views before and after a forecast origin.

Times are whole days since 1970-01-01 (``numpy.datetime64`` day numbers) plus an optional hour: an
origin is midnight at the start of its day, "before the origin" means ``day < origin`` and the
scored horizon is ``origin <= day < origin + horizon``. Models never see a :class:`History`
directly: ``Forecaster.fit`` hands them a :class:`PastView`, which refuses any query that reaches
the origin, so a leak is an exception rather than a silently inflated score.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from anninh.forecast.grid import StudyArea


def day_number(value: str | dt.date | np.datetime64 | int) -> int:
    """Days since 1970-01-01 of a date given as ISO string, ``date``, datetime64 or int."""
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    return int(np.datetime64(value, "D").astype(np.int64))


def day_to_date(day: int) -> dt.date:
    """Inverse of :func:`day_number`."""
    return dt.date(1970, 1, 1) + dt.timedelta(days=int(day))


#: Police shifts of the day (local time): name -> (first hour, end hour exclusive); the night
#: wraps past midnight. The same shifts as the web application's per-shift forecasts.
SHIFTS: dict[str, tuple[int, int]] = {"morning": (6, 14), "afternoon": (14, 22), "night": (22, 6)}


def in_shift(hour: np.ndarray, shift: str) -> np.ndarray:
    """Whether each hour of day (0-23) falls in ``shift`` (a key of :data:`SHIFTS`)."""
    if shift not in SHIFTS:
        raise KeyError(f"unknown shift {shift!r}; choose from {', '.join(SHIFTS)}")
    start, end = SHIFTS[shift]
    hour = np.asarray(hour, dtype=float)
    return (hour >= start) & (hour < end) if start < end else (hour >= start) | (hour < end)


@dataclass
class History:
    """Incidents that fall inside a study area.

    ``day`` are day numbers, ``hour`` hours of day (0 where unknown), ``x``/``y`` projected metres
    and ``cell`` the position in ``area.cells``. Points outside the area are dropped on
    construction. ``context`` optionally holds a wider history on the same area (e.g. every
    offence type when this one holds robberies only) that models may use as extra features; it
    is guarded by the same origin. Counts over day windows use a sorted (cell, day) key and
    ``searchsorted``, so a query costs O(|A| log n) and no dense day-by-cell cube is needed.
    """

    area: StudyArea
    day: np.ndarray
    x: np.ndarray
    y: np.ndarray
    hour: np.ndarray | None = None
    context: History | None = None
    cell: np.ndarray = field(init=False)
    source: np.ndarray = field(init=False)
    _keys: np.ndarray = field(init=False, repr=False)
    _span: int = field(init=False, repr=False)
    _n_input: int = field(init=False, repr=False)
    _day_min: int = field(init=False, repr=False)
    _weekly_cache: dict[int, tuple[int, np.ndarray]] = field(init=False, repr=False, default_factory=dict)
    _cache: dict[object, object] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        day = np.asarray(self.day, dtype=np.int64)
        x = np.asarray(self.x, dtype=float)
        y = np.asarray(self.y, dtype=float)
        hour = np.zeros(day.size, dtype=float) if self.hour is None else np.asarray(self.hour, dtype=float)
        if not (day.shape == x.shape == y.shape == hour.shape):
            raise ValueError("day, x, y and hour must have the same length")
        cell = self.area.locate(x, y)
        keep = cell >= 0
        order = np.lexsort((hour[keep], day[keep], cell[keep]))
        self.day = day[keep][order]
        self.x = x[keep][order]
        self.y = y[keep][order]
        self.hour = hour[keep][order]
        self.cell = cell[keep][order]
        # Position of each stored incident in the arrays given to the constructor.
        self.source = np.flatnonzero(keep)[order]
        self._n_input = int(day.size)
        self._day_min = int(self.day.min()) if self.day.size else 0
        # Room for windows that start before the first incident or end after the last one.
        self._span = int(self.day.max() - self._day_min + 1) + 4 * 366 if self.day.size else 1
        self._keys = self.cell * self._span + (self.day - self._day_min)

    @property
    def n_cells(self) -> int:
        """|A|."""
        return self.area.size

    def __len__(self) -> int:
        return int(self.day.size)

    def _key_bounds(self, day: int) -> np.ndarray:
        """Sorted-key position of (every cell, ``day``)."""
        rel = int(np.clip(day - self._day_min, 0, self._span - 1))
        return np.searchsorted(self._keys, np.arange(self.n_cells) * self._span + rel)

    def counts(self, start: int, end: int) -> np.ndarray:
        """Incidents per cell with ``start <= day < end`` (float array of length |A|)."""
        if end <= start:
            return np.zeros(self.n_cells)
        if self.day.size == 0:
            return np.zeros(self.n_cells)
        # Relative days are clipped into [0, span): every stored day is well inside, so a
        # window reaching past either end of the data still counts exactly what it covers.
        lo = self._key_bounds(start)
        hi = self._key_bounds(end)
        return (hi - lo).astype(float)

    def weekly(self, anchor: int) -> tuple[int, np.ndarray]:
        """Weekly counts aligned so that week boundaries fall on ``anchor``'s weekday.

        Returns ``(first, matrix)``: row ``w`` of ``matrix`` (shape weeks × |A|) counts incidents
        with ``first + 7w <= day < first + 7w + 7``. Cached per weekday.
        """
        phase = anchor % 7
        if phase not in self._weekly_cache:
            if self.day.size == 0:
                first = anchor
                mat = np.zeros((1, self.n_cells))
            else:
                first = self._day_min - ((self._day_min - phase) % 7)
                week = (self.day - first) // 7
                n_weeks = int(week.max()) + 1
                flat = np.bincount(week * self.n_cells + self.cell, minlength=n_weeks * self.n_cells)
                mat = flat.reshape(n_weeks, self.n_cells).astype(float)
            self._weekly_cache[phase] = (first, mat)
        return self._weekly_cache[phase]

    def decayed(self, anchor: int, half_life_weeks: float) -> np.ndarray:
        """Running exponentially decayed sums of the weekly counts of :meth:`weekly`:
        row ``w`` is ``Σ_{v <= w} 0.5^((w - v) / half_life) × week v``. One pass over the weeks,
        cached, so a decayed total at any origin then costs one row lookup."""
        from scipy.signal import lfilter

        def build() -> np.ndarray:
            _, mat = self.weekly(anchor)
            a = 0.5 ** (1.0 / half_life_weeks)
            return lfilter([1.0], [1.0, -a], mat, axis=0)

        key = ("decayed", anchor % 7, float(half_life_weeks))
        return self.cached(key, build)  # type: ignore[return-value]

    def cached(self, key: object, factory: Callable[[], object]) -> object:
        """Memoise something derived from the incidents' places only (never from their
        counts over time), e.g. a kernel's footprint per location, across origins."""
        if key not in self._cache:
            self._cache[key] = factory()
        return self._cache[key]

    def locations(self) -> tuple[np.ndarray, np.ndarray]:
        """(location id of each incident, unique (x, y) locations): the police snap incidents
        to intersections, so there are far fewer places than incidents."""

        def build() -> tuple[np.ndarray, np.ndarray]:
            xy, inverse = np.unique(np.column_stack([self.x, self.y]), axis=0, return_inverse=True)
            return inverse.reshape(-1), xy

        return self.cached("locations", build)  # type: ignore[return-value]

    def select(self, mask: np.ndarray, keep_context: bool = True) -> History:
        """A history with only the incidents where ``mask`` is true, e.g. one offence type, on
        the same study area. ``mask`` runs over the rows given to the constructor (incidents
        outside the area included). With ``keep_context`` this history becomes the new one's
        context."""
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != (self._n_input,):
            raise ValueError(f"mask must have {self._n_input} entries, got {mask.shape}")
        mask = mask[self.source]
        return History(
            area=self.area,
            day=self.day[mask],
            x=self.x[mask],
            y=self.y[mask],
            hour=None if self.hour is None else self.hour[mask],
            context=(self.context or self) if keep_context else None,
        )

    def with_events(self, day: np.ndarray, x: np.ndarray, y: np.ndarray) -> History:
        """A copy with extra incidents appended (used to test that the future cannot leak)."""
        return History(
            area=self.area,
            day=np.concatenate([self.day, np.asarray(day, dtype=np.int64)]),
            x=np.concatenate([self.x, np.asarray(x, dtype=float)]),
            y=np.concatenate([self.y, np.asarray(y, dtype=float)]),
            hour=np.concatenate([self.hour, np.zeros(len(day))]),
            context=None if self.context is None else self.context.with_events(day, x, y),
        )

    def before(self, origin: int) -> PastView:
        """Everything a forecaster may look at for a forecast made at ``origin``."""
        return PastView(self, int(origin))

    def outcome(self, origin: int, horizon: int = 7) -> np.ndarray:
        """Incidents per cell in the scored horizon ``[origin, origin + horizon)``."""
        return self.counts(int(origin), int(origin) + horizon)


class LeakError(RuntimeError):
    """A model asked for data at or after its forecast origin."""


@dataclass(frozen=True)
class PastView:
    """Read-only access to the incidents strictly before ``origin``.

    Every accessor checks its window against the origin, so no model can use the future even by
    mistake; the oracle is the only forecaster allowed around this (it is a ceiling, not a model).
    """

    history: History
    origin: int

    @property
    def area(self) -> StudyArea:
        """The study area being ranked."""
        return self.history.area

    @property
    def n_cells(self) -> int:
        """|A|."""
        return self.history.n_cells

    @property
    def context(self) -> PastView | None:
        """The wider history (if any) seen from the same origin."""
        ctx = self.history.context
        return None if ctx is None else PastView(ctx, self.origin)

    def at(self, origin: int) -> PastView:
        """The view from an earlier origin (used to build training examples from the past)."""
        self._check(origin)
        return PastView(self.history, int(origin))

    def _check(self, end: int) -> None:
        if end > self.origin:
            raise LeakError(f"window ends on day {end}, after the origin {self.origin}")

    def counts(self, days: int, lag: int = 0) -> np.ndarray:
        """Incidents per cell in the ``days`` days ending ``lag`` days before the origin."""
        end = self.origin - lag
        self._check(end)
        return self.history.counts(end - days, end)

    def counts_between(self, start: int, end: int) -> np.ndarray:
        """Incidents per cell with ``start <= day < end`` (``end`` at most the origin)."""
        self._check(end)
        return self.history.counts(start, end)

    def weekly(self) -> np.ndarray:
        """Weekly counts, oldest first, the last row being the week just before the origin.

        Shape (weeks, |A|); weeks before the first incident are absent.
        """
        first, mat = self.history.weekly(self.origin)
        n_past = (self.origin - first) // 7
        if n_past <= 0:
            return np.zeros((0, self.n_cells))
        if n_past > mat.shape[0]:
            pad = np.zeros((n_past - mat.shape[0], self.n_cells))
            return np.concatenate([mat, pad], axis=0)
        return mat[:n_past]

    def decayed_rate(self, half_life_weeks: float) -> np.ndarray:
        """Exponentially weighted mean weekly count per cell, weights halving every
        ``half_life_weeks`` back from the origin; normalised by the weights of the weeks that
        exist, so it is a rate whatever the length of the history (a model trained with four
        years of history is applied with five)."""
        first, _ = self.history.weekly(self.origin)
        n_past = (self.origin - first) // 7
        if n_past <= 0:
            return np.zeros(self.n_cells)
        mat = self.history.decayed(self.origin, half_life_weeks)
        a = 0.5 ** (1.0 / half_life_weeks)
        norm = (1.0 - a**n_past) / (1.0 - a)
        if n_past > mat.shape[0]:
            # Origin after the last incident's week: the sums keep decaying, nothing is added.
            return mat[-1] * a ** (n_past - mat.shape[0]) / norm
        return mat[n_past - 1] / norm

    def events(self, days: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(day, x, y, cell) of the incidents in the last ``days`` days (all history if None)."""
        h = self.history
        start = -(2**62) if days is None else self.origin - days
        keep = (h.day < self.origin) & (h.day >= start)
        return h.day[keep], h.x[keep], h.y[keep], h.cell[keep]

    def event_index(self, days: int | None = None) -> np.ndarray:
        """Positions (in the history's stored order) of the incidents in the last ``days``."""
        h = self.history
        start = -(2**62) if days is None else self.origin - days
        return np.flatnonzero((h.day < self.origin) & (h.day >= start))

    def daily(self, days: int) -> np.ndarray:
        """Daily counts of the last ``days`` days, shape (|A|, days), oldest column first."""
        d, _, _, c = self.events(days)
        col = d - (self.origin - days)
        flat = np.bincount(c * days + col, minlength=self.n_cells * days)
        return flat.reshape(self.n_cells, days).astype(float)
