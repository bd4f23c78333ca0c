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


def split_tuning(origins: Sequence[int]) -> tuple[list[int], list[int]]:
    """Split tuning origins into (fit, held-out): the later half is held out. A model that
    learns weights is trained on the earlier part and its hyperparameters are judged on the
    held-out weeks, never on the weeks it was trained on. Fewer than two origins: no split
    (the same list twice)."""
    origins = list(origins)
    held = len(origins) // 2
    if held == 0:
        return origins, origins
    return origins[:-held], origins[-held:]


def _train(model: Forecaster, history: History, origins: Sequence[int]) -> Forecaster:
    if model.needs_training:
        if not origins:
            raise ValueError(f"model {model.name!r} learns its weights on tuning weeks: give --tune-weeks")
        model.train(history.before(max(origins) + HORIZON), origins, HORIZON)
    return model


def tune(
    name: str,
    history: History,
    tune_origins: Sequence[int],
    seed: int = 0,
    progress: Progress | None = None,
) -> TuningResult:
    """Choose a model's hyperparameters on ``tune_origins`` and train it there if it learns
    weights; returns the frozen model.

    A model without learned weights is scored on every tuning origin for each combination.
    A model that learns weights is trained, for each combination, on the earlier half of the
    tuning origins and scored on the later half (:func:`split_tuning`), so that a half-life is
    not chosen for fitting its own training weeks well; the chosen combination is then trained
    again on every tuning origin, the latest weeks included.
    """
    base = make_model(name)
    combos = param_combinations(base.param_grid) if is_tuned(name) else [{}]
    if base.needs_training and not tune_origins:
        raise ValueError(f"model {name!r} learns its weights on tuning weeks: give --tune-weeks")
    fit_origins, held_out = split_tuning(tune_origins) if base.needs_training else (None, list(tune_origins))
    scores: list[tuple[dict[str, Any], float]] = []
    best: tuple[float, Forecaster, dict[str, Any]] | None = None
    for combo in combos:
        model = base.clone(**combo)
        if model.needs_training:
            assert fit_origins is not None
            _train(model, history, fit_origins)
        if len(combos) > 1 or model.needs_training:
            ev = score_origins(model, history, held_out, OBJECTIVE_COVERAGES, seed, progress)
            value = objective(ev)
        else:
            value = float("nan")
        scores.append((combo, value))
        if best is None or value > best[0]:
            best = (value, model, combo)
    assert best is not None
    # A model without learned weights: the chosen instance keeps the state of its last tuning
    # fit, so a warm-started model (the SEPP's EM) continues from the week before the test.
    frozen = _train(base.clone(**best[2]), history, list(tune_origins)) if base.needs_training else best[1]
    return TuningResult(model=frozen, params=frozen.get_params(), scores=scores)


#: Candidates of ``--model best``, simplest first: the first is the fallback, chosen unless
#: another beats it on held-out tuning weeks by more than the bootstrap noise.
BEST_CANDIDATES: tuple[str, ...] = ("counts-365d", "counts-8w", "counts", "decay", "ours")
#: One-sided level of "better than the fallback": the share of bootstrap resamples of the
#: held-out weeks in which a candidate is not better must be below this.
SELECTION_ALPHA = 0.05
#: Fewer held-out weeks than this give no measure of noise: the fallback is kept.
MIN_HELD_OUT = 4


@dataclass
class Selection:
    """What ``--model best`` chose and why."""

    chosen: str
    fallback: str
    rule: str
    held_out_origins: list[int]
    scores: dict[str, dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return _finite(
            {
                "chosen": self.chosen,
                "fallback": self.fallback,
                "rule": self.rule,
                "held_out_weeks": len(self.held_out_origins),
                "candidates": self.scores,
            }
        )


def _objective_resamples(ev: Evaluation, idx: np.ndarray) -> np.ndarray:
    """The tuning objective in each bootstrap resample of weeks (rows of ``idx``)."""
    totals = np.asarray(ev.totals)[idx].sum(axis=1)
    logs = []
    for c in OBJECTIVE_COVERAGES:
        pai = ev.captured_at(c)[idx].sum(axis=1) / np.where(totals > 0, totals, np.nan) * ev.scale(c)
        with np.errstate(divide="ignore", invalid="ignore"):
            logs.append(np.log(pai))
    return np.exp(np.mean(logs, axis=0))


def select_best(
    history: History,
    tune_origins: Sequence[int],
    seed: int = 0,
    n_boot: int = 1000,
    candidates: Sequence[str] = BEST_CANDIDATES,
    progress: Progress | None = None,
) -> Selection:
    """Choose the model of ``--model best`` on the tuning weeks only.

    Every candidate is tuned (and trained) on the earlier half of the tuning origins and scored
    on the later half. The fallback (the first, simplest candidate) is chosen unless another
    candidate's objective beats it in at least ``1 - SELECTION_ALPHA`` of paired bootstrap
    resamples of the held-out weeks; among those that do, the best objective wins.
    """
    if not tune_origins:
        raise ValueError("--model best chooses on tuning weeks: give --tune-weeks")
    fit_origins, held_out = split_tuning(tune_origins)
    evals: dict[str, Evaluation] = {}
    params: dict[str, dict[str, Any]] = {}
    for name in candidates:
        if make_model(name).needs_training and fit_origins == held_out:
            continue  # cannot be trained apart from the weeks that judge it
        tuned = tune(name, history, fit_origins, seed, progress)
        evals[name] = score_origins(tuned.model, history, held_out, OBJECTIVE_COVERAGES, seed, progress)
        params[name] = tuned.params
    fallback = candidates[0]
    idx = np.random.default_rng(seed).integers(0, len(held_out), size=(n_boot, len(held_out)))
    base = _objective_resamples(evals[fallback], idx)
    scores: dict[str, dict[str, Any]] = {}
    better: list[tuple[float, str]] = []
    for name, ev in evals.items():
        value = objective(ev)
        entry: dict[str, Any] = {
            "objective": value,
            "pai": {coverage_key(c): ev.pai(c) for c in OBJECTIVE_COVERAGES},
            "params": {k: v for k, v in params[name].items() if isinstance(v, (int, float, str, bool))},
        }
        if name != fallback:
            diff = _objective_resamples(ev, idx) - base
            diff = diff[np.isfinite(diff)]
            p_not_better = float(np.mean(diff <= 0)) if diff.size else 1.0
            entry["gain_over_fallback"] = value - objective(evals[fallback])
            entry["gain_ci"] = list(np.quantile(diff, [0.025, 0.975])) if diff.size else [math.nan, math.nan]
            entry["p_not_better"] = p_not_better
            if p_not_better < SELECTION_ALPHA and math.isfinite(value):
                better.append((value, name))
        scores[name] = entry
    enough = len(held_out) >= MIN_HELD_OUT
    chosen = max(better)[1] if better and enough else fallback
    rule = (
        f"tuned on {len(fit_origins)} tuning weeks, scored on the {len(held_out)} later ones; "
        f"objective = geometric mean of PAI@1% and PAI@5%; {fallback} unless another candidate "
        f"beats it in at least {1 - SELECTION_ALPHA:.0%} of {n_boot} paired bootstrap resamples "
        "of those weeks (then the best such)"
        + ("" if enough else f"; fewer than {MIN_HELD_OUT} held-out weeks, so {fallback}")
    )
    return Selection(chosen, fallback, rule, list(held_out), scores)


#: Weeks on each side of a scored week whose counts estimate a cell's rate for the ceiling.
CEILING_WEEKS = 52


def hindsight_ceiling(
    history: History,
    origins: Sequence[int],
    coverages: Sequence[float] = DEFAULT_COVERAGES,
    seed: int = 0,
    weeks: int = CEILING_WEEKS,
) -> Evaluation:
    """A ceiling for any ranking by a cell's rate: each scored week is ranked by the cells'
    counts over the ``weeks`` weeks before it and the ``weeks`` weeks after it, *with
    hindsight*, the scored week itself left out (its own chance events are what no rate can
    know). No forecast has these rates; a model that ranks places by how often crime happens
    there cannot expect to beat this. Weeks after the data's end count as empty."""
    ev = Evaluation(history.n_cells, tuple(coverages))
    span = HORIZON * int(weeks)
    for origin in origins:
        rate = history.counts(origin - span, origin) + history.counts(
            origin + HORIZON, origin + HORIZON + span
        )
        order = rank_cells(rate, tie_keys(history.n_cells, seed, origin))
        ev.add(origin, order, history.outcome(origin, HORIZON))
    return ev


def tuning_steps(names: Iterable[str], n_tune: int) -> int:
    """Number of model fits the tuning phase will make (for the progress bar)."""
    total = 0
    for name in names:
        base = make_model(name)
        combos = param_combinations(base.param_grid) if is_tuned(name) else [{}]
        if base.needs_training:
            total += len(combos) * (n_tune // 2 or n_tune)
        elif len(combos) > 1:
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
    "BEST_CANDIDATES",
    "HORIZON",
    "ModelResult",
    "Progress",
    "Selection",
    "compare",
    "coverage_key",
    "hindsight_ceiling",
    "objective",
    "results_json",
    "run_backtest",
    "score_origins",
    "select_best",
    "split_tuning",
    "tune",
    "weekly_origins",
]
