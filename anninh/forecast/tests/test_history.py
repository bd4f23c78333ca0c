"""Counting windows and the leak-proof view of the past."""

from __future__ import annotations

import numpy as np
import pytest

from anninh.forecast.grid import Grid, StudyArea
from anninh.forecast.history import History, LeakError, day_number, day_to_date


def _tiny() -> History:
    grid = Grid(x0=0.0, y0=0.0, cell=10.0, nx=2, ny=1)
    area = StudyArea.from_ids(grid, [0, 1])
    day = np.array([0, 1, 6, 7, 7, 13, 14, 30]) + 100
    x = np.array([1, 1, 1, 15, 15, 1, 15, 15], dtype=float)
    return History(area, day, x, np.full(day.size, 5.0))


def test_day_numbers_round_trip_through_dates() -> None:
    assert day_number("1970-01-02") == 1
    assert day_to_date(day_number("2019-01-07")).isoformat() == "2019-01-07"


def test_counts_cover_start_inclusive_end_exclusive_windows() -> None:
    h = _tiny()
    assert h.counts(100, 107).tolist() == [3.0, 0.0]
    assert h.counts(107, 114).tolist() == [1.0, 2.0]
    assert h.counts(0, 10_000).tolist() == [4.0, 4.0]
    assert h.counts(200, 300).tolist() == [0.0, 0.0]


def test_weekly_matrix_is_aligned_on_the_anchor_weekday() -> None:
    h = _tiny()
    first, mat = h.weekly(107)
    assert (107 - first) % 7 == 0 and first <= 100
    week_of_107 = (107 - first) // 7
    assert mat[week_of_107].tolist() == [1.0, 2.0]
    assert mat.sum() == len(h)


def test_the_past_view_refuses_windows_that_reach_the_origin() -> None:
    past = _tiny().before(107)
    assert past.counts(7).tolist() == [3.0, 0.0]
    with pytest.raises(LeakError):
        past.counts(7, lag=-1)
    with pytest.raises(LeakError):
        past.counts_between(100, 108)
    with pytest.raises(LeakError):
        past.at(114)
    assert past.weekly().sum() == 3
    assert past.events()[0].max() < 107


def test_decayed_rate_matches_a_direct_weighted_mean() -> None:
    h = _tiny()
    past = h.before(121)
    weekly = past.weekly()
    age = np.arange(weekly.shape[0])[::-1]
    w = 0.5 ** (age / 2.0)
    assert past.decayed_rate(2.0) == pytest.approx((w @ weekly) / w.sum())


def test_select_keeps_the_full_history_as_context() -> None:
    h = _tiny()
    mask = np.zeros(len(h), dtype=bool)
    mask[[0, 3]] = True
    sub = h.select(mask)
    assert len(sub) == 2 and sub.context is h
    assert sub.before(200).context is not None
    assert sub.before(200).context.counts(1000).sum() == len(h)


def test_points_outside_the_area_are_dropped() -> None:
    grid = Grid(x0=0.0, y0=0.0, cell=10.0, nx=2, ny=1)
    area = StudyArea.from_ids(grid, [0])
    h = History(area, np.array([1, 2, 3]), np.array([1.0, 15.0, 99.0]), np.array([1.0, 1, 1]))
    assert len(h) == 1
