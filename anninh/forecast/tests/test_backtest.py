"""Rolling origins, tuning on earlier weeks only, and the results document."""

from __future__ import annotations

import numpy as np
import pytest

from anninh.forecast.backtest import (
    compare,
    param_combinations,
    results_json,
    run_backtest,
    tune,
    weekly_origins,
)

from .conftest import MONDAY, synthetic_history

START = MONDAY + 7 * 50


def test_weekly_origins_are_seven_days_apart() -> None:
    assert weekly_origins(100, 3) == [100, 107, 114]
    assert weekly_origins(100, 0) == []


def test_parameter_grids_expand_to_every_combination() -> None:
    combos = param_combinations({"a": (1, 2), "b": ("x", "y", "z")})
    assert len(combos) == 6 and {"a": 2, "b": "z"} in combos
    assert param_combinations({}) == [{}]


def test_tuning_never_sees_the_test_weeks(history) -> None:
    tune_origins = weekly_origins(START - 7 * 6, 6)
    rng = np.random.default_rng(3)
    n = 2000
    # Flood the test period with incidents in one corner: tuning must not notice.
    flooded = history.with_events(
        START + rng.integers(0, 70, n), rng.uniform(0, 100, n), rng.uniform(0, 100, n)
    )
    for name in ("counts", "decay", "ours"):
        a = tune(name, history, tune_origins)
        b = tune(name, flooded, tune_origins)
        assert a.params == b.params and a.scores == b.scores


def test_tuning_picks_the_window_that_works_on_the_tuning_weeks() -> None:
    # A hot spot that moves every 4 weeks favours short windows over long ones.
    h = synthetic_history(seed=1, weeks=60, hot={})
    rng = np.random.default_rng(1)
    days = np.arange(60 * 7)
    spot = (days // 28) % 8 * 9  # cells 0, 9, 18... on the diagonal
    reps = rng.poisson(3.0, days.size)
    cell = np.repeat(spot, reps)
    x = (cell % 8 + 0.5) * 100.0
    y = (cell // 8 + 0.5) * 100.0
    moving = h.with_events(MONDAY + np.repeat(days, reps), x, y)
    tuned = tune("counts", moving, weekly_origins(START - 7 * 12, 12))
    assert tuned.params["days"] == 28


def test_backtest_scores_every_origin_and_the_document_has_the_documented_shape(history) -> None:
    results = run_backtest(history, ["random", "counts-365d", "ours"], START, 6, 4, progress=False)
    assert list(results) == ["random", "counts-365d", "ours"]
    assert results["ours"].evaluation.origins == weekly_origins(START, 6)
    doc = results_json(results, history.n_cells, n_boot=100)
    assert set(doc) == {"models", "cells", "origins"}
    assert doc["origins"] == 6 and doc["cells"] == history.n_cells
    assert set(doc["models"]["ours"]["0.01"]) >= {"hit_rate", "pai", "pei", "pai_ci"}


def test_a_model_that_learns_weights_needs_tuning_weeks(history) -> None:
    with pytest.raises(ValueError, match="tune"):
        run_backtest(history, ["ours"], START, 2, 0, progress=False)


def test_paired_comparison_of_a_model_with_itself_is_zero(history) -> None:
    res = run_backtest(history, ["counts-365d", "counts-8w"], START, 5, 0, progress=False)
    same = compare(res["counts-365d"], res["counts-365d"], 0.05, n_boot=200)
    assert same["difference"] == 0 and same["ci"] == [0.0, 0.0]
    diff = compare(res["counts-365d"], res["counts-8w"], 0.05, n_boot=200)
    assert diff["ci"][0] <= diff["difference"] <= diff["ci"][1]


def test_the_same_seed_gives_the_same_backtest(history) -> None:
    names = ["random", "sepp", "ours"]
    a = results_json(run_backtest(history, names, START, 4, 3, seed=7, progress=False), 64)
    b = results_json(run_backtest(history, names, START, 4, 3, seed=7, progress=False), 64)
    assert a == b
