"""Rolling-origin backtest: tune on the weeks before the test period, freeze, score every week.

For each model: every combination of its ``param_grid`` is scored on the tuning origins (the
weeks just before ``start``; models with learned weights are trained on the same weeks), the best
by the objective (geometric mean of PAI at 1% and 5%) is frozen, and the frozen model forecasts
each test origin from the incidents strictly before it. Nothing after an origin reaches a model:
``fit`` only gets a :class:`~anninh.forecast.history.PastView`, and training outcomes end before
the first test origin.
"""

from __future__ import annotations

import itertools
import math
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from anninh.forecast.history import History
from anninh.forecast.metrics import (
    DEFAULT_COVERAGES,
    Evaluation,
    coverage_key,
    paired_bootstrap_difference,
    rank_cells,
    tie_keys,
)
from anninh.forecast.models import Forecaster, is_tuned, make_model, model_label

HORIZON = 7
OBJECTIVE_COVERAGES: tuple[float, ...] = (0.01, 0.05)


def weekly_origins(start: int, weeks: int) -> list[int]:
    """``weeks`` origins one week apart from day number ``start``."""
    return [int(start) + HORIZON * i for i in range(int(weeks))]


class Progress:
    """A progress bar on stderr (tqdm when installed, a plain counter otherwise)."""

    def __init__(self, total: int, enabled: bool = True, desc: str = "") -> None:
        self.enabled = enabled
        self.total = total
        self.done = 0
        self.desc = desc
        self._bar: Any = None
        if enabled:
            try:
                from tqdm import tqdm

                self._bar = tqdm(total=total, desc=desc, file=sys.stderr, leave=False)
            except ImportError:
                self._bar = None

    def update(self, n: int = 1, desc: str | None = None) -> None:
        """Advance by ``n`` steps."""
        self.done += n
        if not self.enabled:
            return
        if self._bar is not None:
            if desc:
                self._bar.set_description(desc)
            self._bar.update(n)
        elif self.done == self.total or self.done % max(1, self.total // 20) == 0:
            print(f"{desc or self.desc} {self.done}/{self.total}", file=sys.stderr)

    def close(self) -> None:
        """Remove the bar."""
        if self._bar is not None:
            self._bar.close()


def score_origins(
    model: Forecaster,
    history: History,
    origins: Sequence[int],
    coverages: Sequence[float] = DEFAULT_COVERAGES,
    seed: int = 0,
    progress: Progress | None = None,
) -> Evaluation:
    """Fit ``model`` at each origin in turn and score its ranking against the next week."""
    ev = Evaluation(history.n_cells, tuple(coverages))
    for origin in origins:
        risk = model.fit(history, origin).predict()
        order = rank_cells(risk, tie_keys(history.n_cells, seed, origin))
        ev.add(origin, order, history.outcome(origin, HORIZON))
        if progress is not None:
            progress.update(1)
    return ev


def objective(ev: Evaluation) -> float:
    """Tuning objective: geometric mean of the PAI at the headline coverages (equal weight to a
    relative gain at 1% and at 5%, so tuning cannot buy 1% by losing 5%)."""
    pais = [ev.pai(c) for c in OBJECTIVE_COVERAGES]
    if any(not math.isfinite(p) or p <= 0 for p in pais):
        return float("-inf")
    return float(math.exp(np.mean(np.log(pais))))


def param_combinations(grid: dict[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """Every combination of a parameter grid (one empty dict for an empty grid)."""
    keys = list(grid)
    return [dict(zip(keys, values, strict=True)) for values in itertools.product(*(grid[k] for k in keys))]


@dataclass
class TuningResult:
    """The frozen model and how it was chosen."""

    model: Forecaster
    params: dict[str, Any]
    scores: list[tuple[dict[str, Any], float]] = field(default_factory=list)


def tune(
    name: str,
    history: History,
    tune_origins: Sequence[int],
    seed: int = 0,
    progress: Progress | None = None,
) -> TuningResult:
    """Choose a model's hyperparameters on ``tune_origins`` and train it there if it learns
    weights; returns the frozen model."""
    base = make_model(name)
    combos = param_combinations(base.param_grid) if is_tuned(name) else [{}]
    if base.needs_training and not tune_origins:
        raise ValueError(f"model {name!r} learns its weights on tuning weeks: give --tune-weeks")
    end = max(tune_origins) + HORIZON if tune_origins else None
    scores: list[tuple[dict[str, Any], float]] = []
    best: tuple[float, Forecaster, dict[str, Any]] | None = None
    for combo in combos:
        model = base.clone(**combo)
        if model.needs_training:
            assert end is not None
            model.train(history.before(end), tune_origins, HORIZON)
        if len(combos) > 1 or model.needs_training:
            ev = score_origins(model, history, tune_origins, OBJECTIVE_COVERAGES, seed, progress)
            value = objective(ev)
        else:
            value = float("nan")
        scores.append((combo, value))
        if best is None or value > best[0]:
            best = (value, model, combo)
    assert best is not None
    # The chosen instance keeps the state of its last tuning fit, so a warm-started model
    # (the SEPP's EM) continues from the week just before the test period.
    frozen = best[1]
    return TuningResult(model=frozen, params=frozen.get_params(), scores=scores)


def tuning_steps(names: Iterable[str], n_tune: int) -> int:
    """Number of model fits the tuning phase will make (for the progress bar)."""
    total = 0
    for name in names:
        base = make_model(name)
        combos = param_combinations(base.param_grid) if is_tuned(name) else [{}]
        if len(combos) > 1 or base.needs_training:
            total += len(combos) * n_tune
    return total


@dataclass
class ModelResult:
    """One model's backtest: its frozen parameters, weekly scores and run time."""

    name: str
    label: str
    params: dict[str, Any]
    evaluation: Evaluation
    seconds: float
    tuning: list[tuple[dict[str, Any], float]]


def run_backtest(
    history: History,
    names: Sequence[str],
    start: int,
    weeks: int,
    tune_weeks: int,
    coverages: Sequence[float] = DEFAULT_COVERAGES,
    seed: int = 0,
    progress: bool = True,
    desc: str = "backtest",
) -> dict[str, ModelResult]:
    """Tune each model on the ``tune_weeks`` weeks before ``start``, then score it on ``weeks``
    weekly origins from ``start``."""
    test_origins = weekly_origins(start, weeks)
    tune_origins = weekly_origins(start - HORIZON * tune_weeks, tune_weeks)
    bar = Progress(tuning_steps(names, tune_weeks) + len(names) * weeks, progress, desc)
    results: dict[str, ModelResult] = {}
    try:
        for name in names:
            began = time.perf_counter()
            bar.update(0, desc=f"{desc}: {name}")
            tuned = tune(name, history, tune_origins, seed, bar)
            ev = score_origins(tuned.model, history, test_origins, coverages, seed, bar)
            results[name] = ModelResult(
                name=name,
                label=model_label(name),
                params=tuned.params,
                evaluation=ev,
                seconds=time.perf_counter() - began,
                tuning=tuned.scores,
            )
    finally:
        bar.close()
    return results


def _finite(value: Any) -> Any:
    """JSON has no NaN: undefined metrics (e.g. no incident at all) become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        return [_finite(v) for v in value]
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    return value


def results_json(
    results: dict[str, ModelResult], n_cells: int, n_boot: int = 2000, seed: int = 0
) -> dict[str, Any]:
    """The CLI's results document: ``{"models": {name: {coverage: metrics}}, "cells": |A|,
    "origins": N}``."""
    models = {name: _finite(r.evaluation.summary(n_boot, seed)) for name, r in results.items()}
    n_origins = len(next(iter(results.values())).evaluation.origins) if results else 0
    return {"models": models, "cells": int(n_cells), "origins": int(n_origins)}


def compare(
    a: ModelResult, b: ModelResult, coverage: float, n_boot: int = 2000, seed: int = 0
) -> dict[str, float]:
    """Paired bootstrap of ``PAI(a) - PAI(b)`` at one coverage (same origins required)."""
    if a.evaluation.origins != b.evaluation.origins:
        raise ValueError("models were scored on different origins")
    ev = a.evaluation
    return paired_bootstrap_difference(
        a.evaluation.captured_at(coverage),
        b.evaluation.captured_at(coverage),
        np.asarray(ev.totals),
        ev.scale(coverage),
        n_boot,
        seed,
    )


__all__ = [
    "HORIZON",
    "ModelResult",
    "Progress",
    "compare",
    "coverage_key",
    "objective",
    "results_json",
    "run_backtest",
    "score_origins",
    "tune",
    "weekly_origins",
]
