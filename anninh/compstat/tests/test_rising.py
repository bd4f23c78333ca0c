"""The "communes with a significant rise" panel: 114 tests a week need a false-discovery-rate
correction, or noise flags one or two communes every week."""

from __future__ import annotations

import numpy as np

from anninh.analytics.significance import compare_counts
from anninh.compstat.selectors import CountRow, rising_communes


def row(code: str, current: int, previous: int) -> CountRow:
    return CountRow(
        key=code,
        label=code,
        current=current,
        previous=previous,
        last_year=0,
        vs_previous=compare_counts(current, previous, 7, 7),
        vs_last_year=compare_counts(current, 0, 7, 7),
        url="",
    )


def test_under_the_null_the_correction_flags_almost_nothing_and_the_raw_test_flags_communes_weekly():
    rng = np.random.default_rng(20261206)
    rates = rng.uniform(0.5, 12.0, size=114)  # each commune its own weekly rate, unchanged
    raw = corrected = 0
    weeks = 25
    for _ in range(weeks):
        previous, current = rng.poisson(rates), rng.poisson(rates)
        rows = [
            row(f"{i:05d}", int(c), int(p)) for i, (c, p) in enumerate(zip(current, previous, strict=True))
        ]
        rising, candidates = rising_communes(rows)
        corrected += len(rising)
        raw += len(rising) + len(candidates)
    assert raw / weeks > 0.8  # what the panel used to show: about one false rise a week
    assert corrected <= 2  # Benjamini–Hochberg at 5 %: a false rise in at most a few weeks of 25


def test_a_real_rise_survives_the_correction_and_weak_ones_stay_candidates():
    rows = [row(f"1{i:04d}", 5, 5) for i in range(110)]
    rows += [
        row("20001", 60, 20),  # p ~ 1e-8: a real rise
        row("20002", 13, 3),  # p = 0.021 alone, nothing after 113 tests
        row("20003", 2, 30),  # a significant fall: never in the rising panel
        row("20004", 0, 0),  # cannot be significant: not a test
    ]
    rising, candidates = rising_communes(rows)
    assert [r.key for r in rising] == ["20001"]
    assert [r.key for r in candidates] == ["20002"]
    assert rows[-2].vs_previous.significant and rows[-2].vs_previous.direction == -1


def test_candidates_are_the_uncorrected_rises_not_retained():
    rows = [row("30001", 30, 10), row("30002", 9, 2), row("30003", 4, 4)]
    rising, candidates = rising_communes(rows)
    # Three tests: 30001 (p = 0.002) passes; 30002 (p ~ 0.065) is not even a raw rise.
    assert [r.key for r in rising] == ["30001"] and candidates == []
    assert rising_communes([]) == ([], [])
