"""The one percentile function every benchmark script uses (issue #15: two scripts computed p95
differently). Linear interpolation between the closest ranks (numpy's default, "type 7"), so
p50 is the median and p100 the maximum; with fewer than 50 samples a p95 or p99 is close to the
maximum and says little: the scripts take at least 50 per request kind."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

MIN_SAMPLES = 50


def percentile(samples: Iterable[float], q: float) -> float:
    """The q-th percentile (0-100) of the samples."""
    values = sorted(samples)
    if not values:
        raise ValueError("no samples")
    if not 0 <= q <= 100:
        raise ValueError("q must be between 0 and 100")
    rank = (len(values) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return values[low] + (values[high] - values[low]) * (rank - low)


def summary(samples: Sequence[float]) -> dict[str, float]:
    """p50, p95, p99, max and the number of samples."""
    return {
        "p50": percentile(samples, 50),
        "p95": percentile(samples, 95),
        "p99": percentile(samples, 99),
        "max": max(samples),
        "n": len(samples),
    }
