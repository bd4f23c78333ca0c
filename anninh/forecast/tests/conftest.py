"""Shared helpers for the forecasting tests: small synthetic cities, no Django, no big files."""

from __future__ import annotations

import numpy as np
import pytest

from anninh.forecast.grid import Grid, StudyArea
from anninh.forecast.history import History, day_number

#: A Monday, so weekly origins fall on Mondays as in the protocol.
MONDAY = day_number("2021-01-04")


def synthetic_history(
    seed: int = 0,
    weeks: int = 60,
    side: int = 8,
    cell: float = 100.0,
    base: float = 0.05,
    hot: dict[int, float] | None = None,
) -> History:
    """A ``side`` × ``side`` grid of ``cell`` m squares with Poisson daily incidents.

    ``hot`` maps a cell position to its daily rate (others get ``base``); every cell receives one
    incident on the first day so that the whole square is the study area.
    """
    rng = np.random.default_rng(seed)
    hot = {5: 0.8, 20: 0.5, 42: 0.3} if hot is None else hot
    n_cells = side * side
    rate = np.full(n_cells, base)
    for pos, value in hot.items():
        rate[pos] = value
    days = weeks * 7
    counts = rng.poisson(rate[:, None], size=(n_cells, days))
    cell_of, day_of = np.nonzero(counts)
    reps = counts[cell_of, day_of]
    cell_of = np.repeat(cell_of, reps)
    day_of = np.repeat(day_of, reps)
    cell_of = np.concatenate([np.arange(n_cells), cell_of])
    day_of = np.concatenate([np.zeros(n_cells, dtype=np.int64), day_of])
    row, col = cell_of // side, cell_of % side
    x = (col + rng.uniform(0.05, 0.95, cell_of.size)) * cell
    y = (row + rng.uniform(0.05, 0.95, cell_of.size)) * cell
    grid = Grid(x0=0.0, y0=0.0, cell=cell, nx=side, ny=side)
    area = StudyArea.from_points(grid, x, y)
    return History(area, MONDAY + day_of, x, y)


@pytest.fixture(autouse=True)
def _fast_password_hasher() -> None:
    """Overrides the repository-wide autouse fixture of the same name, which needs
    pytest-django's ``settings``: these tests import no Django and must also run with
    ``-p no:django``."""


@pytest.fixture
def history() -> History:
    """60 weeks of a small synthetic city with three hot cells."""
    return synthetic_history()
