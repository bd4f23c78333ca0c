"""Each model on tiny synthetic sets; leakage, determinism and non-negativity."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anninh.forecast.backtest import tune, weekly_origins
from anninh.forecast.grid import Grid, StudyArea
from anninh.forecast.history import History
from anninh.forecast.models import (
    MODEL_NAMES,
    GridSEPP,
    NotFittedError,
    PoissonRegression,
    ProspectiveHotspot,
    RetrospectiveKDE,
    TrailingCounts,
    make_model,
)

from .conftest import MONDAY, synthetic_history

ORIGIN = MONDAY + 7 * 50
TUNE = weekly_origins(ORIGIN - 7 * 8, 8)


def _ready(name: str, history: History):
    """A model as the backtest would use it at ORIGIN: tuned and trained on earlier weeks."""
    return tune(name, history, TUNE).model


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_every_model_gives_one_non_negative_finite_score_per_cell(name: str, history) -> None:
    risk = _ready(name, history).fit(history, ORIGIN).predict()
    assert risk.shape == (history.n_cells,)
    assert np.all(np.isfinite(risk)) and np.all(risk >= 0)


@pytest.mark.parametrize("name", [n for n in MODEL_NAMES if n not in ("random", "last-week")])
def test_every_informed_model_puts_the_hottest_cell_near_the_top(name: str) -> None:
    # Cells of 400 m, wider than the KDE's 200 m kernel, so smoothing cannot move the peak.
    history = synthetic_history(cell=400.0)
    risk = _ready(name, history).fit(history, ORIGIN).predict()
    if name == "oracle":
        assert risk.argmax() == np.argmax(history.outcome(ORIGIN))
    else:
        # Cell 5 has 16 times the base rate: it must be among the top 3 of 64.
        assert 5 in np.argsort(-risk)[:3]


@pytest.mark.parametrize("name", [n for n in MODEL_NAMES if n != "oracle"])
def test_incidents_after_the_origin_change_no_score_at_that_origin(name: str, history) -> None:
    model = _ready(name, history)
    before = model.clone(**model.get_params())
    if model.needs_training:
        before = model  # keep the learned weights; they came from weeks before the origin
    risk = before.fit(history, ORIGIN).predict().copy()
    rng = np.random.default_rng(9)
    n = 500
    future = history.with_events(
        ORIGIN + rng.integers(0, 60, n), rng.uniform(0, 800, n), rng.uniform(0, 800, n)
    )
    again = _ready(name, future) if model.needs_training else model.clone()
    assert np.array_equal(again.fit(future, ORIGIN).predict(), risk)


def test_the_oracle_is_the_only_model_that_sees_the_scored_week(history) -> None:
    oracle = make_model("oracle").fit(history, ORIGIN).predict()
    assert np.array_equal(oracle, history.outcome(ORIGIN))


def test_trailing_counts_count_exactly_the_window(history) -> None:
    risk = TrailingCounts(days=28).fit(history, ORIGIN).predict()
    assert np.array_equal(risk, history.counts(ORIGIN - 28, ORIGIN))


def test_kde_spreads_each_incident_over_nearby_cells_with_total_mass_one() -> None:
    grid = Grid(x0=0.0, y0=0.0, cell=100.0, nx=21, ny=21)
    area = StudyArea.from_ids(grid, np.arange(grid.size))
    h = History(area, np.array([MONDAY]), np.array([1050.0]), np.array([1050.0]))
    risk = RetrospectiveKDE(sigma_m=100.0, days=30).fit(h, MONDAY + 7).predict()
    # The kernel is cut 4 to 5 sigma out, which loses about 1e-5 of the mass.
    assert risk.sum() == pytest.approx(1.0, abs=1e-4)
    centre = area.position(np.array([10 * 21 + 10]))[0]
    assert risk.argmax() == centre
    # The point sits mid-cell: the cell spans ±0.5 sigma, 38.29% of a normal, on each axis.
    assert risk[centre] == pytest.approx(0.3829**2, rel=1e-3)


def test_prospective_hotspot_weights_recent_and_near_incidents_more() -> None:
    grid = Grid(x0=0.0, y0=0.0, cell=100.0, nx=5, ny=1)
    area = StudyArea.from_ids(grid, np.arange(5))
    # One incident last week in cell 0, one five weeks ago in cell 4.
    day = np.array([MONDAY + 7 * 9 + 2, MONDAY + 7 * 5 + 2])
    h = History(area, day, np.array([50.0, 450.0]), np.array([50.0, 50.0]))
    risk = ProspectiveHotspot(bandwidth_m=200.0, weeks=8).fit(h, MONDAY + 70).predict()
    assert risk[0] == pytest.approx(1.0)  # age 0, distance 0
    assert risk[1] == pytest.approx(0.5)  # age 0, one cell away
    assert risk[4] == pytest.approx(1 / 5)  # age 4 weeks
    assert risk[2] == pytest.approx(1 / 3 + 1 / 5 / 3)  # two cells from both


def _simulate_hawkes(theta: float, r: float, mu: float, cells: int, days: int, seed: int):
    """Daily counts of a discrete self-exciting process (geometric kernel) in each cell."""
    rng = np.random.default_rng(seed)
    counts = np.zeros((cells, days))
    h = np.zeros(cells)
    for t in range(days):
        counts[:, t] = rng.poisson(mu + theta * h)
        h = r * h + (1 - r) * counts[:, t]
    return counts


def _history_from_counts(counts: np.ndarray) -> History:
    cells = counts.shape[0]
    cell, day = np.nonzero(counts)
    reps = counts[cell, day].astype(int)
    cell, day = np.repeat(cell, reps), np.repeat(day, reps)
    grid = Grid(x0=0.0, y0=0.0, cell=100.0, nx=cells, ny=1)
    area = StudyArea.from_ids(grid, np.arange(cells))
    return History(area, MONDAY + day, cell * 100.0 + 50.0, np.full(cell.size, 50.0))


def test_sepp_recovers_the_branching_ratio_and_lag_of_a_simulated_process() -> None:
    h = _history_from_counts(_simulate_hawkes(0.5, 0.8, 0.05, 60, 730, seed=1))
    model = GridSEPP(window_days=728, tol=1e-6, max_iter=2000).fit(h, MONDAY + 728)
    assert 0.35 < model.theta_ < 0.65
    assert 3 < 1 / (1 - model.decay_) < 8  # true mean lag: 5 days


def test_sepp_finds_almost_no_excitation_in_a_poisson_process() -> None:
    h = _history_from_counts(_simulate_hawkes(0.0, 0.8, 0.2, 60, 365, seed=2))
    model = GridSEPP(window_days=364, tol=1e-6, max_iter=2000).fit(h, MONDAY + 364)
    assert model.theta_ < 0.1


def test_sepp_forecast_rises_after_a_burst(history) -> None:
    model = GridSEPP(window_days=364)
    quiet = model.fit(history, ORIGIN).predict().copy()
    burst = history.with_events(np.full(30, ORIGIN - 1), np.full(30, 350.0), np.full(30, 350.0))
    cell = history.area.locate(np.array([350.0]), np.array([350.0]))[0]
    assert GridSEPP(window_days=364).fit(burst, ORIGIN).predict()[cell] > quiet[cell]


def test_poisson_regression_must_be_trained_before_it_forecasts(history) -> None:
    with pytest.raises(NotFittedError):
        PoissonRegression().fit(history, ORIGIN)
    with pytest.raises(NotFittedError):
        PoissonRegression().predict()


def test_poisson_regression_learns_that_long_run_rates_predict_next_week(history) -> None:
    model = PoissonRegression(half_life_weeks=52).train(history.before(ORIGIN), TUNE)
    # Feature 0 is the long decayed rate: its weight must be clearly positive.
    assert model.coef_[1] > 0.3
    risk = model.fit(history, ORIGIN).predict()
    assert set(np.argsort(-risk)[:3]) == {5, 20, 42}


def test_poisson_regression_refuses_training_weeks_that_end_after_its_view(history) -> None:
    with pytest.raises(ValueError):
        PoissonRegression().train(history.before(ORIGIN), [ORIGIN - 3])


def test_parameters_round_trip_like_scikit_learn() -> None:
    model = TrailingCounts(days=56)
    assert model.get_params() == {"days": 56}
    assert model.clone(days=7).days == 7 and model.days == 56
    with pytest.raises(ValueError):
        model.set_params(window=3)
    with pytest.raises(KeyError):
        make_model("no-such-model")
    assert make_model("best").name == "ours"


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=st.integers(0, 10_000),
    base=st.floats(0.0, 0.3),
    name=st.sampled_from(["counts", "kde", "prospective", "sepp", "decay", "ours"]),
)
def test_intensities_are_never_negative(seed: int, base: float, name: str) -> None:
    h = synthetic_history(seed=seed, weeks=20, side=5, base=base, hot={3: 1.0})
    origin = MONDAY + 7 * 15
    model = tune(name, h, weekly_origins(origin - 21, 3)).model
    risk = model.fit(h, origin).predict()
    assert np.all(risk >= 0) and np.all(np.isfinite(risk))
