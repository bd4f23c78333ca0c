"""Rates per resident that small areas cannot inflate by chance.

Hai Phong's communes range from 686 to 161,051 residents: 3 crimes in the smallest is 43.7 per
10,000, more than most wards, and means nothing. Counts, on the other hand, mostly find the
most populous wards. Global empirical-Bayes smoothing (Marshall 1991, "Mapping disease and
mortality rates using empirical Bayes estimators", Applied Statistics 40) shrinks each area's
raw rate r_i = y_i / n_i towards the overall rate b = Σy / Σn, with weight

    w_i = s² / (s² + b / n_i),   s² = Σ n_i (r_i − b)² / Σn − b / n̄   (0 if negative),

so a large area keeps its own rate and a small one is pulled towards the city's. (The method
of moments, as GeoDa's "Empirical Bayes rate" and PySAL's `Empirical_Bayes`.)

Pure functions: numbers in, numbers out; no Django.
"""

from __future__ import annotations

import numpy as np


def eb_rates(counts, populations, *, per: float = 10_000.0) -> np.ndarray:
    """Empirical-Bayes smoothed rates per `per` residents of `counts` over `populations`.
    An area without residents gets the overall rate."""
    y = np.asarray(counts, dtype=float)
    n = np.asarray(populations, dtype=float)
    if y.shape != n.shape or y.ndim != 1:
        raise ValueError("counts and populations must be two sequences of the same length")
    if np.any(y < 0) or np.any(n < 0):
        raise ValueError("counts and populations must be non-negative")
    total = n.sum()
    if total <= 0:
        raise ValueError("the populations sum to zero")
    b = y.sum() / total
    has = n > 0
    raw = np.where(has, y / np.where(has, n, 1.0), b)
    mean_n = total / has.sum()
    s2 = max(0.0, float(np.sum(n * (raw - b) ** 2) / total - b / mean_n))
    with np.errstate(divide="ignore", invalid="ignore"):
        denominator = s2 + np.where(has, b / np.where(has, n, 1.0), np.inf)
        w = np.where(denominator > 0, s2 / denominator, 0.0)
    w = np.where(has, w, 0.0)
    return (w * raw + (1.0 - w) * b) * per
