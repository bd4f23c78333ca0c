"""Is a change in a count more than noise?

CompStat compares this period's count of crimes with an earlier period's. Counts of rare
events fluctuate: 3 → 6 is "+100 %" and means little. We use the exact conditional test for
two Poisson counts (Przyborowski & Wileński 1940): if crimes occur at the same daily rate in
both periods, then given the total n = a + b, the current count a is Binomial(n, p) with
p = t_a / (t_a + t_b), the current period's share of the exposure (its length in days). The
two-sided p-value doubles the smaller tail (capped at 1), which is conservative: a change is
flagged only when chance is an unlikely explanation.

Pure functions: numbers in, numbers out; no Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from scipy.stats import binom

#: The level below which a change is called significant.
ALPHA = 0.05


@dataclass(frozen=True)
class Change:
    current: int
    baseline: int
    #: (current − expected) / expected in percent, where expected is the baseline scaled to the
    #: current period's length; None when the baseline is zero.
    percent: float | None
    p_value: float
    significant: bool

    @property
    def direction(self) -> int:
        """+1 for a significant rise, −1 for a significant fall, 0 otherwise."""
        if not self.significant:
            return 0
        return 1 if self.percent is None or self.percent > 0 else -1


@lru_cache(maxsize=65_536)
def poisson_p_value(
    current: int, baseline: int, current_days: float = 1.0, baseline_days: float = 1.0
) -> float:
    """Two-sided p-value of the hypothesis that both counts come from the same daily rate.

    Remembered: a CompStat summary asks for some 200 of them, mostly the same small counts
    over the same period lengths, and each scipy call costs ~0.1 ms (a pure function of four
    numbers, so the cache cannot change an answer)."""
    if current < 0 or baseline < 0:
        raise ValueError("counts must be non-negative")
    if current_days <= 0 or baseline_days <= 0:
        raise ValueError("period lengths must be positive")
    n = current + baseline
    if n == 0:
        return 1.0
    p = current_days / (current_days + baseline_days)
    lower = float(binom.cdf(current, n, p))  # P(X <= current)
    upper = float(binom.sf(current - 1, n, p))  # P(X >= current)
    return min(1.0, 2.0 * min(lower, upper))


def compare_counts(
    current: int, baseline: int, current_days: float = 1.0, baseline_days: float = 1.0, alpha: float = ALPHA
) -> Change:
    """The change from `baseline` (over `baseline_days`) to `current` (over `current_days`)."""
    p_value = poisson_p_value(current, baseline, current_days, baseline_days)
    expected = baseline * current_days / baseline_days
    percent = None if expected == 0 else (current - expected) / expected * 100.0
    return Change(current, baseline, percent, p_value, p_value < alpha)
