"""The Knox test for near repeats, as in Ratcliffe's Near Repeat Calculator.

Pairs of events are tabulated by how far apart they are in space (distance bands) and in time
(time bands). If events close in space are no more likely than others to be close in time,
the table is what shuffling the dates among the events gives. The Monte Carlo test shuffles
the dates `n_permutations` times (the places stay where they are, so the spatial pairs are
fixed and only their time gaps change), and for each cell reports:

- observed: the number of pairs in that distance band and time band;
- expected: the mean count over the shuffles;
- ratio: observed / expected (the "Knox ratio": 1.5 means 50 % more pairs than chance);
- p_value: (1 + shuffles with a count ≥ observed) / (1 + shuffles), the one-sided
  probability of so many pairs by chance (with exact=True, every permutation is enumerated
  and the p-value is the exact share).

Bands are half-open [lo, hi) in metres and days; pairs farther apart than the last edge are
not counted. Pure numpy/scipy; no Django.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

#: The most events a test accepts (pairs grow with the square of the count in dense areas).
MAX_EVENTS = 20_000
MAX_PAIRS = 3_000_000
MAX_PERMUTATIONS = 999


class KnoxError(ValueError):
    """Input the test cannot run on; the message says why."""


@dataclass(frozen=True)
class KnoxResult:
    distance_edges: np.ndarray
    time_edges: np.ndarray
    observed: np.ndarray  # (distance bands, time bands)
    expected: np.ndarray
    p_value: np.ndarray
    n_events: int
    n_pairs: int
    n_permutations: int

    @property
    def ratio(self) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(
                self.expected > 0, self.observed / np.where(self.expected > 0, self.expected, 1), np.nan
            )

    def significant(self, alpha: float = 0.05) -> np.ndarray:
        return (self.p_value < alpha) & (self.observed > self.expected)


def _check_edges(edges, name: str) -> np.ndarray:
    e = np.asarray(edges, dtype=float)
    if e.ndim != 1 or e.size < 2 or not np.all(np.isfinite(e)) or e[0] < 0 or np.any(np.diff(e) <= 0):
        raise KnoxError(f"{name} must be at least two increasing, non-negative numbers")
    return e


def spatial_pairs(
    x: np.ndarray, y: np.ndarray, distance_edges: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs (i < j) closer than the last distance edge, with their distance band."""
    points = np.column_stack([x, y])
    tree = cKDTree(points)
    pairs = tree.query_pairs(r=float(distance_edges[-1]), output_type="ndarray")
    if len(pairs) > MAX_PAIRS:
        raise KnoxError(f"too many pairs ({len(pairs)}); narrow the area, the period or the distance bands")
    if len(pairs) == 0:
        return np.empty(0, int), np.empty(0, int), np.empty(0, int)
    i, j = pairs[:, 0], pairs[:, 1]
    d = np.hypot(x[i] - x[j], y[i] - y[j])
    band = np.searchsorted(distance_edges, d, side="right") - 1
    keep = (band >= 0) & (d < distance_edges[-1])
    return i[keep], j[keep], band[keep]


def count_table(i, j, dband, t, time_edges: np.ndarray, n_dist: int) -> np.ndarray:
    """Pairs by (distance band, time band) for event times `t`."""
    n_time = len(time_edges) - 1
    gap = np.abs(t[i] - t[j])
    tband = np.searchsorted(time_edges, gap, side="right") - 1
    keep = (tband >= 0) & (gap < time_edges[-1])
    flat = dband[keep] * n_time + tband[keep]
    return np.bincount(flat, minlength=n_dist * n_time).reshape(n_dist, n_time)


def knox_test(
    x,
    y,
    t,
    distance_edges,
    time_edges,
    *,
    n_permutations: int = 99,
    seed: int = 0,
    exact: bool = False,
) -> KnoxResult:
    """Run the test. x, y in metres (a projected system), t in days (floats)."""
    x, y, t = (np.asarray(a, dtype=float) for a in (x, y, t))
    if not (x.shape == y.shape == t.shape) or x.ndim != 1:
        raise KnoxError("x, y and t must be one-dimensional and of the same length")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y)) and np.all(np.isfinite(t))):
        raise KnoxError("coordinates and times must be finite numbers")
    if x.size > MAX_EVENTS:
        raise KnoxError(f"at most {MAX_EVENTS} events; narrow the filters")
    de = _check_edges(distance_edges, "distance bands")
    te = _check_edges(time_edges, "time bands")
    i, j, dband = spatial_pairs(x, y, de)
    n_dist = len(de) - 1
    observed = count_table(i, j, dband, t, te, n_dist)
    if exact:
        if x.size > 8:
            raise KnoxError("exact enumeration is for at most 8 events")
        tables = [count_table(i, j, dband, np.asarray(p), te, n_dist) for p in itertools.permutations(t)]
        stack = np.stack(tables)
        expected = stack.mean(axis=0)
        p_value = (stack >= observed).mean(axis=0)
        n_perm = math.factorial(x.size)
    else:
        if not 1 <= n_permutations <= MAX_PERMUTATIONS:
            raise KnoxError(f"permutations must be between 1 and {MAX_PERMUTATIONS}")
        rng = np.random.default_rng(seed)
        total = np.zeros_like(observed, dtype=float)
        at_least = np.zeros_like(observed)
        for _ in range(n_permutations):
            table = count_table(i, j, dband, rng.permutation(t), te, n_dist)
            total += table
            at_least += table >= observed
        expected = total / n_permutations
        p_value = (1 + at_least) / (1 + n_permutations)
        n_perm = n_permutations
    return KnoxResult(de, te, observed, expected, p_value, int(x.size), len(i), n_perm)
