"""The pure parts of the early-warning rules: plain values in, plain values out; no Django.

- `significant_rises`: which of many counts rose beyond chance, by the exact conditional
  Poisson test of CompStat (`anninh.analytics.significance`) and, unless told otherwise, the
  Benjamini–Hochberg false-discovery-rate correction across them (`anninh.analytics.gistar`),
  as CompStat's rising communes and the hot-spot tool do: 114 communes tested at 5 % give
  about six "rises" a week by chance alone without it.
- `space_time_clusters`: groups of events chained by near-repeat links (within a distance and
  a number of days of one another), the pattern the Knox test measures.

(The fraud rule no longer reads account numbers out of free text: it groups the reports on
their normalised collector account, anninh.records.services.collector.)
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from anninh.analytics.gistar import benjamini_hochberg
from anninh.analytics.significance import ALPHA, compare_counts


@dataclass(frozen=True)
class Rise:
    key: Hashable
    current: int
    baseline: int
    expected: float  # the baseline scaled to the current window
    p_value: float


def significant_rises(
    counts: Mapping[Hashable, tuple[int, int]],
    current_days: float,
    baseline_days: float,
    *,
    alpha: float = ALPHA,
    fdr: bool = True,
    min_current: int = 3,
) -> list[Rise]:
    """The keys whose current count rose significantly on the baseline's rate, strongest
    first. Keys with no event in either window are not tests (they cannot reach
    significance: Tarone); a rise to fewer than `min_current` events is never called one."""
    tested = sorted((k for k, (c, b) in counts.items() if c or b), key=repr)
    if not tested:
        return []
    changes = {k: compare_counts(counts[k][0], counts[k][1], current_days, baseline_days) for k in tested}
    p = np.array([changes[k].p_value for k in tested])
    passed = benjamini_hochberg(p, alpha) if fdr else p < alpha
    out = []
    for k, ok in zip(tested, passed, strict=True):
        current, baseline = counts[k]
        expected = baseline * current_days / baseline_days
        if ok and current > expected and current >= min_current:
            out.append(Rise(k, current, baseline, expected, changes[k].p_value))
    out.sort(key=lambda r: (r.p_value, -(r.current - r.expected), repr(r.key)))
    return out


def space_time_clusters(x, y, t, *, distance_m: float, days: float, min_size: int = 3) -> list[list[int]]:
    """Indexes of the events in each cluster of at least `min_size` events, where two events
    are linked when they are within `distance_m` metres and `days` days of each other and a
    cluster is a chain of links (connected components). Largest first."""
    x, y, t = (np.asarray(a, dtype=float) for a in (x, y, t))
    n = x.size
    if n < min_size:
        return []
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    pairs = cKDTree(np.column_stack([x, y])).query_pairs(r=distance_m, output_type="ndarray")
    for i, j in pairs:
        if abs(t[i] - t[j]) <= days:
            a, b = find(int(i)), find(int(j))
            if a != b:
                parent[a] = b
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    clusters = [sorted(g) for g in groups.values() if len(g) >= min_size]
    clusters.sort(key=lambda g: (-len(g), g[0]))
    return clusters
