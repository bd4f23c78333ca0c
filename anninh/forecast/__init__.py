"""Hotspot forecasting: grids, models, metrics and a rolling-origin backtest.

A pure library (numpy, scipy, shapely only; no Django) so that it can be tested in isolation, run
from the command line on any city's data (``python -m anninh.forecast``) and called from the web
application. The estimators are scikit-learn shaped: parameters go to the constructor,
``fit(history, origin)`` sees only incidents strictly before ``origin`` and ``predict()`` returns
one non-negative risk score per cell of the study area.

Typical use::

    proj = TransverseMercator.local(lon, lat)
    x, y = proj.forward(lon, lat)
    grid = Grid.covering(x, y, 200)
    history = History(StudyArea.from_points(grid, x, y), day, x, y)
    results = run_backtest(history, ["counts-365d", "ours"], start, 52, 52)
"""

from anninh.forecast.backtest import ModelResult, compare, results_json, run_backtest
from anninh.forecast.grid import Grid, StudyArea, TransverseMercator, land_mask
from anninh.forecast.history import History, LeakError, PastView, day_number
from anninh.forecast.metrics import (
    Evaluation,
    bootstrap_interval,
    capture_counts,
    jaccard_stability,
    paired_bootstrap_difference,
    rank_cells,
)
from anninh.forecast.models import BAR_MODEL, BEST_MODEL, MODEL_NAMES, Forecaster, make_model

__all__ = [
    "BAR_MODEL",
    "BEST_MODEL",
    "MODEL_NAMES",
    "Evaluation",
    "Forecaster",
    "Grid",
    "History",
    "LeakError",
    "ModelResult",
    "PastView",
    "StudyArea",
    "TransverseMercator",
    "bootstrap_interval",
    "capture_counts",
    "compare",
    "day_number",
    "jaccard_stability",
    "land_mask",
    "make_model",
    "paired_bootstrap_difference",
    "rank_cells",
    "results_json",
    "run_backtest",
]
