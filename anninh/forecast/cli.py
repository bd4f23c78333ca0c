"""Command line: backtest models on any city's incident CSV, or rank cells for one week.

    python -m anninh.forecast backtest --csv FILE --date-column C --lat-column C --lon-column C \\
        --start 2019-01-07 --weeks 52 --tune-weeks 52 --cell-metres 200 --model all --out r.json
    python -m anninh.forecast rank --csv FILE ... --origin 2019-06-03 --cell-metres 200 \\
        --model best --coverage 0.01 --out cells.geojson

The grid is laid over a transverse Mercator centred on the data; the study area is every cell
with at least one incident in the file (all offences, even with ``--offence``); with ``--offence``
only that offence is forecast and scored, the other incidents serving as context features.

Rows without a usable date, hour or location, or far from the others, are skipped and reported
(how many per reason and the first row numbers, on stderr and in the results file); with
``--strict`` the first such row stops the run instead. Exit status 2 with a message on stderr
for unusable input.

``--model best`` chooses among the simple and the learned models on the tuning weeks only
(see :func:`anninh.forecast.backtest.select_best`) and records the choice in the results.
``--shifts`` (backtest) and ``--shift`` (rank) use the hour of each incident (``--hour-column``
or times in the date column) to forecast each police shift apart; every backtest also reports
the "rate with hindsight" ceiling of the scored weeks (and of each shift).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from anninh.forecast.backtest import (
    BEST_CANDIDATES,
    CEILING_WEEKS,
    HORIZON,
    Selection,
    hindsight_ceiling,
    run_backtest,
    select_best,
    tune,
    weekly_origins,
)
from anninh.forecast.backtest import results_json as build_results
from anninh.forecast.data import DEFAULT_MAX_RADIUS_KM, SKIP_REASONS, DataError, Incidents, read_incidents
from anninh.forecast.grid import Grid, StudyArea, TransverseMercator
from anninh.forecast.history import SHIFTS, History, day_number, day_to_date, in_shift
from anninh.forecast.metrics import (
    DEFAULT_COVERAGES,
    cells_for_coverage,
    coverage_key,
    rank_cells,
    tie_keys,
)
from anninh.forecast.models import MODEL_NAMES, make_model


@dataclass
class Prepared:
    """The input turned into what the library needs."""

    history: History
    projection: TransverseMercator
    grid: Grid
    area: StudyArea
    last_day: int
    incidents: Incidents
    #: Rows of ``incidents`` forecast and scored (the offence, or every row).
    scored: np.ndarray
    #: Every incident of the file on the study area (the context of offence or shift subsets).
    everything: History

    def shift_history(self, shift: str) -> History:
        """The scored incidents of one shift, every incident of the file as context."""
        if not self.incidents.hours_known:
            raise DataError(
                "per-shift forecasts need the hour of each incident: give --hour-column "
                "(or a date column with times)"
            )
        return self.everything.select(self.scored & in_shift(self.incidents.hour, shift))


def _add_data_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--csv", required=True, type=Path, help="incident CSV (may be gzipped)")
    parser.add_argument("--date-column", required=True, help="ISO date or date-time column")
    parser.add_argument(
        "--hour-column",
        help="hour of day column (0-23), for --shifts / --shift (times in the date column also work)",
    )
    parser.add_argument("--lat-column", required=True, help="latitude column (degrees)")
    parser.add_argument("--lon-column", required=True, help="longitude column (degrees)")
    parser.add_argument("--offence-column", help="offence type column, with --offence")
    parser.add_argument("--offence", help="forecast only rows whose offence equals this")
    parser.add_argument("--cell-metres", type=float, default=200.0, help="cell side (200)")
    parser.add_argument(
        "--model",
        default="best",
        help=f"one of {', '.join(MODEL_NAMES)}, 'all', or 'best': chosen on the tuning weeks "
        f"among {', '.join(BEST_CANDIDATES)} (the first unless another is clearly better)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for ties and bootstrap")
    parser.add_argument(
        "--max-radius-km",
        type=float,
        default=DEFAULT_MAX_RADIUS_KM,
        help="reject points farther than this from the data's median location",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="stop at the first bad row instead of skipping and reporting bad rows",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m anninh.forecast``."""
    parser = argparse.ArgumentParser(
        prog="python -m anninh.forecast",
        description="Hotspot forecasting on a grid: rolling-origin backtest and weekly ranking.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    bt = sub.add_parser("backtest", help="tune, then score models on weekly origins")
    _add_data_arguments(bt)
    bt.add_argument("--start", required=True, help="first test origin, YYYY-MM-DD")
    bt.add_argument("--weeks", type=int, required=True, help="number of weekly test origins")
    bt.add_argument("--tune-weeks", type=int, default=52, help="tuning weeks just before --start (52)")
    bt.add_argument("--bootstrap", type=int, default=2000, help="bootstrap resamples (2000)")
    bt.add_argument(
        "--coverages",
        default=",".join(f"{c:g}" for c in DEFAULT_COVERAGES),
        help="comma-separated shares of the area",
    )
    bt.add_argument(
        "--shifts",
        action="store_true",
        help=f"also forecast and score each shift apart ({_shift_names()}); needs the hours",
    )
    bt.add_argument("--out", required=True, type=Path, help="results JSON file")

    rk = sub.add_parser("rank", help="rank cells for the week starting at --origin")
    _add_data_arguments(rk)
    rk.add_argument("--origin", required=True, help="forecast origin, YYYY-MM-DD")
    rk.add_argument("--tune-weeks", type=int, default=52, help="weeks before the origin used to tune (52)")
    size = rk.add_mutually_exclusive_group()
    size.add_argument("--top", type=int, help="number of cells to output")
    size.add_argument("--coverage", type=float, help="share of the area to output (0.01)")
    rk.add_argument("--shift", choices=list(SHIFTS), help="rank for one shift only; needs the hours")
    rk.add_argument("--out", required=True, type=Path, help="GeoJSON file")
    return parser


def _shift_names() -> str:
    return ", ".join(f"{name} {a:02d}-{b:02d} h" for name, (a, b) in SHIFTS.items())


def _model_names(choice: str) -> list[str]:
    if choice == "all":
        return list(MODEL_NAMES)
    if choice == "best":
        return ["best"]
    if choice not in MODEL_NAMES:
        raise DataError(f"unknown model {choice!r}; choose from {', '.join(MODEL_NAMES)}, best or all")
    return [choice]


def _parse_day(text: str, option: str) -> int:
    try:
        return day_number(np.datetime64(text.strip(), "D"))
    except ValueError:
        raise DataError(f"{option} {text!r} is not a date (YYYY-MM-DD)") from None


def prepare(args: argparse.Namespace) -> Prepared:
    """Read the CSV, project it, lay the grid and build the (possibly filtered) history."""
    if (args.offence is None) != (args.offence_column is None):
        raise DataError("--offence and --offence-column go together")
    if not args.cell_metres > 0:
        raise DataError("--cell-metres must be positive")
    incidents = read_incidents(
        args.csv,
        date_column=args.date_column,
        lat_column=args.lat_column,
        lon_column=args.lon_column,
        hour_column=args.hour_column,
        offence_column=args.offence_column,
        max_radius_km=args.max_radius_km,
        strict=args.strict,
    )
    report_skipped(incidents)
    projection = TransverseMercator.local(incidents.lon, incidents.lat)
    x, y = projection.forward(incidents.lon, incidents.lat)
    grid = Grid.covering(x, y, args.cell_metres)
    area = StudyArea.from_points(grid, x, y)
    everything = History(area, incidents.day, x, y, incidents.hour)
    history = everything
    scored = np.ones(len(incidents), dtype=bool)
    if args.offence is not None:
        assert incidents.offence is not None
        scored = incidents.offence == args.offence
        if not scored.any():
            found = ", ".join(sorted(set(incidents.offence.tolist()))[:20])
            raise DataError(f"no row has offence {args.offence!r}; values include: {found}")
        history = everything.select(scored)
    return Prepared(history, projection, grid, area, int(incidents.day.max()), incidents, scored, everything)


def report_skipped(incidents: Incidents) -> None:
    """Say on stderr how many rows were left out, why, and where the first ones are."""
    if not incidents.skipped:
        return
    total = incidents.n_skipped
    kept = len(incidents)
    print(
        f"warning: skipped {total} of {total + kept} rows ({100 * total / (total + kept):.2f}%); "
        "--strict stops at the first instead:",
        file=sys.stderr,
    )
    for s in incidents.skipped:
        rows = ", ".join(str(r) for r in s.first_rows)
        more = ", ..." if s.count > len(s.first_rows) else ""
        print(
            f"  {s.count} with {SKIP_REASONS[s.reason]} (rows {rows}{more}; first value {s.example!r})",
            file=sys.stderr,
        )


def choose_best(history: History, tune_origins: list[int], args: argparse.Namespace) -> Selection:
    """Run the ``--model best`` selection and say what it chose."""
    selection = select_best(history, tune_origins, args.seed, n_boot=min(args.bootstrap, 1000))
    print(f"best: {selection.chosen} ({selection.rule})", file=sys.stderr)
    for name, entry in selection.scores.items():
        extra = ""
        if "p_not_better" in entry:
            extra = f"; not better than {selection.fallback} in {entry['p_not_better']:.0%} of resamples"
        print(
            f"  {name}: objective {_fmt(entry['objective'], 3)} on held-out tuning weeks{extra}",
            file=sys.stderr,
        )
    return selection


def cmd_backtest(args: argparse.Namespace) -> int:
    """Run the backtest and write the results JSON."""
    names = _model_names(args.model)
    start = _parse_day(args.start, "--start")
    if args.weeks < 1 or args.tune_weeks < 0:
        raise DataError("--weeks must be at least 1 and --tune-weeks at least 0")
    try:
        coverages = tuple(float(c) for c in args.coverages.split(","))
        for c in coverages:
            cells_for_coverage(c, 1)
    except ValueError:
        raise DataError(f"--coverages {args.coverages!r}: shares in (0, 1], comma-separated") from None
    began = time.perf_counter()
    prep = prepare(args)
    if args.shifts:
        prep.shift_history("morning")  # fails early, before any work, without hours
    last_origin = weekly_origins(start, args.weeks)[-1]
    if last_origin + HORIZON > prep.last_day + 1:
        print(
            f"warning: the last test week ends {day_to_date(last_origin + HORIZON - 1)}, after "
            f"the last incident ({day_to_date(prep.last_day)}); it may be incomplete",
            file=sys.stderr,
        )
    selection = None
    if names == ["best"]:
        tune_origins = weekly_origins(start - HORIZON * args.tune_weeks, args.tune_weeks)
        selection = choose_best(prep.history, tune_origins, args)
        names = [selection.chosen]
    test_origins = weekly_origins(start, args.weeks)

    def one_run(history: History, desc: str) -> dict[str, Any]:
        results = run_backtest(
            history, names, start, args.weeks, args.tune_weeks, coverages, args.seed, not args.quiet, desc
        )
        doc = build_results(results, prep.area.size, args.bootstrap, args.seed)
        ceiling = hindsight_ceiling(history, test_origins, coverages, args.seed)
        doc["ceiling"] = _ceiling_doc(ceiling, args)
        for name, res in results.items():
            if res.params:
                print(f"  {desc} {name}: frozen parameters {res.params}", file=sys.stderr)
        return doc

    doc = one_run(prep.history, "backtest")
    doc["skipped_rows"] = prep.incidents.skipped_summary()
    if selection is not None:
        doc["selection"] = selection.as_dict()
    head = [c for c in (0.01, 0.05) if c in coverages] or list(coverages[:2])
    _print_table(doc, head, "all day")
    if args.shifts:
        doc["shifts"] = {}
        for shift, (a, b) in SHIFTS.items():
            shift_doc = one_run(prep.shift_history(shift), f"shift {shift}")
            shift_doc["hours"] = [a, b]
            doc["shifts"][shift] = shift_doc
            _print_table(shift_doc, head, f"shift {shift} ({a:02d}-{b:02d} h)")
    args.out.write_text(json.dumps(doc, indent=2) + "\n")
    print(
        f"{prep.area.size} cells, {args.weeks} origins, {len(prep.history)} incidents; "
        f"{time.perf_counter() - began:.1f} s; wrote {args.out}",
        file=sys.stderr,
    )
    return 0


def _ceiling_doc(ceiling: Any, args: argparse.Namespace) -> dict[str, Any]:
    summary = ceiling.summary(args.bootstrap, args.seed)
    return {
        "definition": (
            f"each scored week ranked by the cells' counts over the {CEILING_WEEKS} weeks before and "
            f"the {CEILING_WEEKS} weeks after it, with hindsight, the scored week left out: about the "
            "most any ranking by a cell's rate can reach"
        ),
        **{
            key: {"pai": m["pai"], "pai_ci": m["pai_ci"], "hit_rate": m["hit_rate"]}
            for key, m in summary.items()
        },
    }


def _print_table(doc: dict[str, Any], head: list[float], title: str) -> None:
    cols = "".join(f"  PAI@{c:g} [95% CI]      " for c in head)
    print(f"{title}:")
    print(f"{'model':<12}{cols}  PEI@{head[0]:g}  Jaccard")
    for name, summary in doc["models"].items():
        line = f"{name:<12}"
        for c in head:
            m = summary[coverage_key(c)]
            line += f"  {_fmt(m['pai'])} [{_fmt(m['pai_ci'][0])}, {_fmt(m['pai_ci'][1])}]"
        m = summary[coverage_key(head[0])]
        line += f"  {_fmt(m['pei'], 3)}   {_fmt(m['jaccard'], 2)}"
        print(line)
    ceiling = doc["ceiling"]
    line = f"{'ceiling':<12}"
    for c in head:
        m = ceiling[coverage_key(c)]
        line += f"  {_fmt(m['pai'])} [{_fmt(m['pai_ci'][0])}, {_fmt(m['pai_ci'][1])}]"
    print(line + "  (rate with hindsight)")


def _fmt(value: Any, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def cmd_rank(args: argparse.Namespace) -> int:
    """Rank cells for one week and write them as GeoJSON."""
    names = _model_names(args.model)
    if len(names) != 1:
        raise DataError("rank needs one model (not 'all')")
    name = names[0]
    if name != "best" and make_model(name).uses_future:
        raise DataError(f"{name} uses the future and cannot rank an upcoming week")
    origin = _parse_day(args.origin, "--origin")
    if args.tune_weeks < 0:
        raise DataError("--tune-weeks must be at least 0")
    prep = prepare(args)
    history = prep.history if args.shift is None else prep.shift_history(args.shift)
    tune_origins = weekly_origins(origin - HORIZON * args.tune_weeks, args.tune_weeks)
    selection = None
    if name == "best":
        args.bootstrap = 1000
        selection = choose_best(history, tune_origins, args)
        name = selection.chosen
    tuned = tune(name, history, tune_origins, args.seed)
    risk = tuned.model.fit(history, origin).predict()
    n = prep.area.size
    if args.top is not None:
        if args.top < 1:
            raise DataError("--top must be at least 1")
        k = min(args.top, n)
    else:
        coverage = 0.01 if args.coverage is None else args.coverage
        try:
            k = cells_for_coverage(coverage, n)
        except ValueError as exc:
            raise DataError(f"--coverage: {exc}") from None
    order = rank_cells(risk, tie_keys(n, args.seed, origin))[:k]
    doc = geojson(prep, order, risk, name, origin, tuned.params)
    if args.shift is not None:
        doc["shift"] = args.shift
        doc["hours"] = list(SHIFTS[args.shift])
    if selection is not None:
        doc["selection"] = selection.as_dict()
    doc["skipped_rows"] = prep.incidents.skipped_summary()
    args.out.write_text(json.dumps(doc) + "\n")
    print(
        f"{k} of {n} cells ranked by {name} for the week from {day_to_date(origin)}; wrote {args.out}",
        file=sys.stderr,
    )
    return 0


def geojson(
    prep: Prepared,
    order: np.ndarray,
    risk: np.ndarray,
    model: str,
    origin: int,
    params: dict[str, Any],
) -> dict[str, Any]:
    """A FeatureCollection of the ranked cells as lon/lat squares, best first."""
    flat = prep.area.cells[order]
    rings = prep.grid.corners(flat)
    lon, lat = prep.projection.inverse(rings[..., 0], rings[..., 1])
    rows, cols = prep.grid.rows_cols(flat)
    features = []
    for i in range(len(order)):
        coords = [[round(float(a), 7), round(float(b), 7)] for a, b in zip(lon[i], lat[i], strict=True)]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [coords]},
                "properties": {
                    "rank": i + 1,
                    "risk": float(risk[order[i]]),
                    "cell": f"r{int(rows[i])}c{int(cols[i])}",
                    "cell_id": int(flat[i]),
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "features": features,
        "model": model,
        "params": {k: v for k, v in params.items() if isinstance(v, (int, float, str, bool))},
        "origin": str(day_to_date(origin)),
        "horizon_days": HORIZON,
        "cell_metres": prep.grid.cell,
        "cells_in_area": prep.area.size,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "backtest":
            return cmd_backtest(args)
        return cmd_rank(args)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        # e.g. a model that needs tuning weeks when --tune-weeks is 0.
        print(f"error: {exc}", file=sys.stderr)
        return 2
