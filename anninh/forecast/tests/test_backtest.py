"""Rolling origins, tuning on earlier weeks only, and the results document."""

from __future__ import annotations

import numpy as np
import pytest

from anninh.forecast import backtest
from anninh.forecast.backtest import (
    BEST_CANDIDATES,
    compare,
    hindsight_ceiling,
    param_combinations,
    results_json,
    run_backtest,
    select_best,
    tune,
    weekly_origins,
)
from anninh.forecast.grid import Grid, StudyArea
from anninh.forecast.history import History
from anninh.forecast.models import PoissonRegression

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


def _moving_hotspot() -> History:
    """A hot spot that jumps to another cell every 4 weeks: recent counts beat a year's."""
    h = synthetic_history(seed=1, weeks=60, hot={})
    rng = np.random.default_rng(1)
    days = np.arange(60 * 7)
    spot = (days // 28) % 8 * 9  # cells 0, 9, 18... on the diagonal
    reps = rng.poisson(3.0, days.size)
    cell = np.repeat(spot, reps)
    x = (cell % 8 + 0.5) * 100.0
    y = (cell // 8 + 0.5) * 100.0
    return h.with_events(MONDAY + np.repeat(days, reps), x, y)


def test_best_is_chosen_from_the_data_not_a_fixed_name() -> None:
    tune_origins = weekly_origins(START - 7 * 16, 16)
    selection = select_best(_moving_hotspot(), tune_origins, n_boot=300)
    # Counts over a year smear a spot that moves every 4 weeks: a recent window wins clearly.
    assert selection.chosen != selection.fallback == "counts-365d"
    assert set(selection.scores) == set(BEST_CANDIDATES)
    won = selection.scores[selection.chosen]
    assert won["p_not_better"] < 0.05 and won["gain_over_fallback"] > 0
    assert won["objective"] == max(
        s["objective"] for s in selection.scores.values() if s.get("p_not_better", 1) < 0.05
    )
    doc = selection.as_dict()
    assert doc["chosen"] == selection.chosen and doc["held_out_weeks"] == 8
    assert set(doc["candidates"]["decay"]) >= {"objective", "pai", "params", "p_not_better", "gain_ci"}


def test_best_falls_back_to_the_simplest_model_when_no_other_is_clearly_better(history) -> None:
    # Constant rates: every candidate ranks the same hot cells; differences are noise.
    selection = select_best(history, weekly_origins(START - 7 * 16, 16), n_boot=300)
    assert selection.chosen == "counts-365d"
    assert all(s["p_not_better"] >= 0.05 for name, s in selection.scores.items() if name != "counts-365d")


def test_best_never_looks_at_the_test_weeks(history) -> None:
    tune_origins = weekly_origins(START - 7 * 8, 8)
    rng = np.random.default_rng(3)
    n = 2000
    flooded = history.with_events(
        START + rng.integers(0, 70, n), rng.uniform(0, 100, n), rng.uniform(0, 100, n)
    )
    a = select_best(history, tune_origins, n_boot=100).as_dict()
    b = select_best(flooded, tune_origins, n_boot=100).as_dict()
    assert a == b


def test_ours_half_life_is_judged_on_weeks_it_was_not_trained_on(history, monkeypatch) -> None:
    trained: list[tuple[float, list[int]]] = []
    scored: list[tuple[float, list[int]]] = []
    real_train = PoissonRegression.train
    real_score = backtest.score_origins

    def spy_train(self, past, origins, horizon=7):
        trained.append((self.half_life_weeks, list(origins)))
        return real_train(self, past, origins, horizon)

    def spy_score(model, history, origins, *args, **kwargs):
        scored.append((getattr(model, "half_life_weeks", None), list(origins)))
        return real_score(model, history, origins, *args, **kwargs)

    monkeypatch.setattr(PoissonRegression, "train", spy_train)
    monkeypatch.setattr(backtest, "score_origins", spy_score)
    tune_origins = weekly_origins(START - 7 * 8, 8)
    tuned = tune("ours", history, tune_origins)
    grid = PoissonRegression.param_grid["half_life_weeks"]
    assert [h for h, _ in scored] == list(grid)
    for (h_train, on), (h_score, judged) in zip(trained, scored, strict=False):
        assert h_train == h_score and judged and not set(on) & set(judged)
        assert max(on) + 7 <= min(judged)
    # The chosen half-life is then trained on every tuning week, the latest included.
    assert trained[-1] == (tuned.params["half_life_weeks"], tune_origins)


def test_the_ceiling_ranks_by_the_weeks_around_with_hindsight_the_week_left_out() -> None:
    grid = Grid(x0=0.0, y0=0.0, cell=100.0, nx=2, ny=1)
    area = StudyArea.from_ids(grid, [0, 1])
    # Cell 0: 2 incidents in each of weeks 1, 2, 3; cell 1: a burst of 7 in week 2 only.
    day = np.array([0, 7, 7, 14, 14, 21, 21] + [14] * 7)
    x = np.array([50.0] * 7 + [150.0] * 7)
    h = History(area, MONDAY + day, x, np.full(day.size, 50.0))
    origins = [MONDAY + 7, MONDAY + 14, MONDAY + 21]
    ev = hindsight_ceiling(h, origins, coverages=(0.5,))
    # Each week is ranked by the weeks around it: weeks 1 and 3 see cell 1's burst (7 > 5) and miss
    # cell 0's 2; week 2 does not see its own burst (cell 0: 5 > 0) and catches cell 0's 2.
    assert ev.captured_at(0.5).tolist() == [0.0, 2.0, 0.0]
    assert ev.pai(0.5) == 2 / 13 * 2
