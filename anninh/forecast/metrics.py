"""Scoring a ranking of cells: hit rate, PAI, PEI, bootstrap intervals and week-to-week stability.

Definitions (pooled over origins as sums, never as a mean of weekly ratios, because a sparse crime
type has weeks with one or zero incidents whose ratios would dominate a mean):

- k cells are flagged at coverage c: ``k = max(1, round(c × |A|))`` (half rounds up);
- hit rate = Σ captured / Σ incidents, over origins;
- PAI = hit rate / (k / |A|), the exact area share of the k cells;
- PEI = Σ captured / Σ best possible capture with k cells (what the oracle would get);
- intervals: percentile bootstrap over origins (whole weeks are resampled, keeping each week's
  captured and total together), and a paired bootstrap for the difference between two models
  scored on the same origins (the same resampled weeks for both, which cancels the shared weekly
  noise and gives a much tighter interval than comparing two separate intervals);
- stability: mean Jaccard overlap of the top-k sets of consecutive origins.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

DEFAULT_COVERAGES: tuple[float, ...] = (0.005, 0.01, 0.02, 0.05, 0.10, 0.20)


def cells_for_coverage(coverage: float, n_cells: int) -> int:
    """Number of cells flagged at a coverage: ``round(coverage × n)``, at least 1, at most n."""
    if not 0 < coverage <= 1:
        raise ValueError(f"coverage must be in (0, 1], got {coverage}")
    return int(min(n_cells, max(1, math.floor(coverage * n_cells + 0.5))))


def tie_keys(n_cells: int, seed: int, origin: int) -> np.ndarray:
    """Random keys that break ties between equal scores.

    Seeded by (seed, origin) so a tie is broken the same way for every model at one origin, and
    the result does not depend on the order in which models are run.
    """
    return np.random.default_rng([int(seed), int(origin) & 0x7FFFFFFF]).random(n_cells)


def rank_cells(scores: np.ndarray, tie_break: np.ndarray | None = None) -> np.ndarray:
    """Cell positions ordered from highest to lowest score; ties ordered by ``tie_break``
    (highest first), or by position when no keys are given."""
    scores = np.asarray(scores, dtype=float)
    if np.isnan(scores).any():
        raise ValueError("scores contain NaN")
    if tie_break is None:
        tie_break = -np.arange(scores.size, dtype=float)
    # lexsort sorts by the last key first; negate for descending order.
    return np.lexsort((-np.asarray(tie_break), -scores))


def capture_counts(order: np.ndarray, outcome: np.ndarray, ks: Sequence[int]) -> np.ndarray:
    """Incidents captured by the first k cells of ``order``, for each k in ``ks``."""
    cum = np.concatenate([[0.0], np.cumsum(np.asarray(outcome, dtype=float)[order])])
    return cum[np.asarray(ks, dtype=np.int64)]


def best_capture(outcome: np.ndarray, ks: Sequence[int]) -> np.ndarray:
    """The most incidents any k cells could capture (the k busiest cells): PEI's denominator."""
    cum = np.concatenate([[0.0], np.cumsum(np.sort(np.asarray(outcome, dtype=float))[::-1])])
    return cum[np.asarray(ks, dtype=np.int64)]


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """|a ∩ b| / |a ∪ b| of two sets of cell positions (1 for two empty sets)."""
    a, b = np.unique(a), np.unique(b)
    union = np.union1d(a, b).size
    return 1.0 if union == 0 else np.intersect1d(a, b).size / union


def jaccard_stability(top_sets: Sequence[np.ndarray]) -> float:
    """Mean Jaccard overlap of consecutive top-k sets (NaN with fewer than two origins)."""
    if len(top_sets) < 2:
        return float("nan")
    return float(np.mean([jaccard(a, b) for a, b in itertools.pairwise(top_sets)]))


def _ratio(num: np.ndarray | float, den: np.ndarray | float) -> np.ndarray | float:
    """num / den with NaN where den is zero (no incident at all: the rate is undefined)."""
    num = np.asarray(num, dtype=float)
    den = np.asarray(den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
    return out if out.ndim else float(out)


def bootstrap_indices(n_origins: int, n_boot: int, seed: int) -> np.ndarray:
    """Resampled origin positions, shape (n_boot, n_origins)."""
    return np.random.default_rng(seed).integers(0, n_origins, size=(n_boot, n_origins))


def bootstrap_interval(
    captured: np.ndarray,
    denominator: np.ndarray,
    scale: float = 1.0,
    n_boot: int = 2000,
    seed: int = 0,
    level: float = 0.95,
) -> tuple[float, float]:
    """Percentile interval of ``scale × Σ captured / Σ denominator`` over resampled origins.

    With ``denominator`` the weekly totals and ``scale = |A| / k`` this is the PAI interval; with
    the weekly best captures and scale 1 it is the PEI interval.
    """
    captured = np.asarray(captured, dtype=float)
    denominator = np.asarray(denominator, dtype=float)
    if captured.size == 0:
        return (float("nan"), float("nan"))
    idx = bootstrap_indices(captured.size, n_boot, seed)
    stats = scale * _ratio(captured[idx].sum(axis=1), denominator[idx].sum(axis=1))
    stats = stats[~np.isnan(stats)]
    if stats.size == 0:
        return (float("nan"), float("nan"))
    alpha = (1 - level) / 2
    lo, hi = np.quantile(stats, [alpha, 1 - alpha])
    return (float(lo), float(hi))


def paired_bootstrap_difference(
    captured_a: np.ndarray,
    captured_b: np.ndarray,
    totals: np.ndarray,
    scale: float = 1.0,
    n_boot: int = 2000,
    seed: int = 0,
    level: float = 0.95,
) -> dict[str, float]:
    """Paired bootstrap of ``PAI(a) - PAI(b)`` for two models scored on the same origins.

    The same resampled weeks are used for both models. Returns the point difference, its
    interval, the relative difference (a / b - 1, in the same resamples) with its interval, and
    the share of resamples in which a is not better than b (a one-sided bootstrap p-value).
    """
    a = np.asarray(captured_a, dtype=float)
    b = np.asarray(captured_b, dtype=float)
    t = np.asarray(totals, dtype=float)
    if not (a.shape == b.shape == t.shape):
        raise ValueError("both models must be scored on the same origins")
    point_a = scale * _ratio(a.sum(), t.sum())
    point_b = scale * _ratio(b.sum(), t.sum())
    idx = bootstrap_indices(a.size, n_boot, seed)
    tot = t[idx].sum(axis=1)
    pa = scale * _ratio(a[idx].sum(axis=1), tot)
    pb = scale * _ratio(b[idx].sum(axis=1), tot)
    ok = ~(np.isnan(pa) | np.isnan(pb))
    diff = (pa - pb)[ok]
    rel = _ratio(pa[ok], pb[ok]) - 1
    alpha = (1 - level) / 2
    lo, hi = np.quantile(diff, [alpha, 1 - alpha]) if diff.size else (np.nan, np.nan)
    rel = rel[~np.isnan(rel)]
    rlo, rhi = np.quantile(rel, [alpha, 1 - alpha]) if rel.size else (np.nan, np.nan)
    return {
        "difference": float(point_a - point_b),
        "ci": [float(lo), float(hi)],
        "relative": float(_ratio(point_a, point_b) - 1),
        "relative_ci": [float(rlo), float(rhi)],
        "p_not_better": float(np.mean(diff <= 0)) if diff.size else float("nan"),
    }


@dataclass
class Evaluation:
    """Weekly scores of one model over a run of origins, at several coverages.

    Add one origin at a time with :meth:`add`; read pooled metrics with :meth:`summary`.
    """

    n_cells: int
    coverages: tuple[float, ...] = DEFAULT_COVERAGES
    ks: np.ndarray = field(init=False)
    captured: list[np.ndarray] = field(default_factory=list)
    best: list[np.ndarray] = field(default_factory=list)
    totals: list[float] = field(default_factory=list)
    origins: list[int] = field(default_factory=list)
    top_sets: list[list[np.ndarray]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.ks = np.array([cells_for_coverage(c, self.n_cells) for c in self.coverages])

    def add(self, origin: int, order: np.ndarray, outcome: np.ndarray) -> None:
        """Score one origin: ``order`` is the ranking, ``outcome`` the incidents per cell."""
        outcome = np.asarray(outcome, dtype=float)
        self.origins.append(int(origin))
        self.captured.append(capture_counts(order, outcome, self.ks))
        self.best.append(best_capture(outcome, self.ks))
        self.totals.append(float(outcome.sum()))
        self.top_sets.append([np.asarray(order[:k]) for k in self.ks])

    def _column(self, coverage: float) -> int:
        for i, c in enumerate(self.coverages):
            if math.isclose(c, coverage):
                return i
        raise KeyError(f"coverage {coverage} was not scored")

    def captured_at(self, coverage: float) -> np.ndarray:
        """Weekly captured incidents at one coverage."""
        return np.array([c[self._column(coverage)] for c in self.captured])

    def best_at(self, coverage: float) -> np.ndarray:
        """Weekly best possible capture at one coverage."""
        return np.array([b[self._column(coverage)] for b in self.best])

    def scale(self, coverage: float) -> float:
        """|A| / k: turns a hit rate into a PAI."""
        return self.n_cells / float(self.ks[self._column(coverage)])

    def hit_rate(self, coverage: float) -> float:
        """Pooled share of incidents in the flagged cells."""
        return float(_ratio(self.captured_at(coverage).sum(), np.sum(self.totals)))

    def pai(self, coverage: float) -> float:
        """Pooled predictive accuracy index."""
        return self.hit_rate(coverage) * self.scale(coverage)

    def pei(self, coverage: float) -> float:
        """Pooled predictive efficiency index, in [0, 1]."""
        return float(_ratio(self.captured_at(coverage).sum(), self.best_at(coverage).sum()))

    def jaccard(self, coverage: float) -> float:
        """Week-to-week overlap of the flagged cells."""
        i = self._column(coverage)
        return jaccard_stability([s[i] for s in self.top_sets])

    def summary(self, n_boot: int = 2000, seed: int = 0) -> dict[str, dict[str, object]]:
        """Every metric at every coverage, keyed by the coverage written as in ``"0.01"``."""
        out: dict[str, dict[str, object]] = {}
        totals = np.asarray(self.totals)
        for cov, k in zip(self.coverages, self.ks, strict=True):
            cap = self.captured_at(cov)
            scale = self.scale(cov)
            out[coverage_key(cov)] = {
                "hit_rate": self.hit_rate(cov),
                "pai": self.pai(cov),
                "pei": self.pei(cov),
                "pai_ci": list(bootstrap_interval(cap, totals, scale, n_boot, seed)),
                "pei_ci": list(bootstrap_interval(cap, self.best_at(cov), 1.0, n_boot, seed)),
                "jaccard": self.jaccard(cov),
                "k": int(k),
                "captured": float(cap.sum()),
                "incidents": float(totals.sum()),
            }
        return out


def coverage_key(coverage: float) -> str:
    """JSON key of a coverage: ``0.01 -> "0.01"``, ``0.1 -> "0.1"``, ``0.005 -> "0.005"``."""
    return f"{coverage:g}"
