"""Benchmark 1 (benchmarks.md §1): hotspot forecasting on 239,935 real Toronto incidents.

Run by hand from the repository root (not part of the test run):

    python benchmarks/forecast_toronto.py [--data PATH] [--jobs 2] [--out PATH]

Protocol: local transverse Mercator, 200 m cells anchored at the data's south-west corner, study
area = cells with at least one incident (all types) in 2014-2021; 52 weekly origins (Mondays of
2019); every tuned parameter and every learned weight chosen on the 52 Mondays of 2018 only, then
frozen; score = incidents of the next 7 days; PAI, PEI and hit rate pooled over origins as sums;
95% bootstrap intervals over origins; paired bootstrap of ours minus the bar (counts over the
last 365 days). Per offence type too, plus sensitivity to the cell size and to the grid offset,
and a "rate with hindsight" ceiling that shows how much any rate-based ranking can gain.

Writes ``benchmarks/results/forecast-toronto.md`` and prints it.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import datetime as dt
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from anninh.forecast.backtest import (  # noqa: E402
    HORIZON,
    ModelResult,
    compare,
    run_backtest,
    weekly_origins,
)
from anninh.forecast.backtest import hindsight_ceiling as period_ceiling  # noqa: E402
from anninh.forecast.data import read_incidents  # noqa: E402
from anninh.forecast.grid import Grid, StudyArea, TransverseMercator  # noqa: E402
from anninh.forecast.history import SHIFTS, History, day_number, in_shift  # noqa: E402
from anninh.forecast.metrics import Evaluation, rank_cells, tie_keys  # noqa: E402
from anninh.forecast.models import (  # noqa: E402
    BAR_MODEL,
    BEST_MODEL,
    MODEL_NAMES,
    GridSEPP,
    model_label,
)

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "toronto-mci-2014-2021.csv.gz"
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "forecast-toronto.md"
CEILING_OUT = ROOT / "benchmarks" / "results" / "forecast-toronto-ceiling.md"
START = "2019-01-07"  # first Monday of 2019
WEEKS = 52
SEED = 0
N_BOOT = 2000
REFERENCE = {  # benchmarks.md §1, all types, 200 m: PAI@1%, PAI@5%
    "random": (1.0, 1.0),
    "last-week": (8.2, 4.2),
    "kde": (11.5, 6.0),
    "counts-8w": (13.4, 6.4),
    "counts-365d": (14.8, 7.2),
    "oracle": (30.1, 17.7),
}
REFERENCE_BY_TYPE = {"Assault": 18.9, "Break and Enter": 12.3, "Auto Theft": 11.0, "Robbery": 17.2}
GOAL = 0.10  # ours must beat the bar by 10% at PAI@1%, all types


def load(path: Path) -> dict[str, np.ndarray]:
    """The incidents as arrays (same reader and checks as the command line)."""
    inc = read_incidents(
        path,
        date_column="occurrence_date",
        hour_column="occurrence_hour",
        lat_column="lat",
        lon_column="lon",
        offence_column="offence",
    )
    assert inc.offence is not None
    return {"day": inc.day, "hour": inc.hour, "lat": inc.lat, "lon": inc.lon, "off": inc.offence}


def build_history(
    data: dict[str, np.ndarray],
    cell: float,
    offset: tuple[float, float] = (0.0, 0.0),
    offence: str | None = None,
    own_area: bool = False,
) -> History:
    """History on the protocol's study area (cells with any incident of any type), or with
    ``own_area`` on the cells holding the offence itself."""
    proj = TransverseMercator.local(data["lon"], data["lat"])
    x, y = proj.forward(data["lon"], data["lat"])
    grid = Grid.covering(x, y, cell, offset)
    if own_area and offence is not None:
        mask = data["off"] == offence
        area = StudyArea.from_points(grid, x[mask], y[mask])
    else:
        area = StudyArea.from_points(grid, x, y)
    history = History(area, data["day"], x, y, data["hour"])
    if offence is not None:
        history = history.select(data["off"] == offence)
    return history


def job(
    weeks: int,
    data: dict[str, np.ndarray],
    names: list[str],
    cell: float,
    offset: tuple[float, float],
    offence: str | None,
    hindsight: bool,
) -> dict[str, Any]:
    """One backtest (run in a worker process); returns picklable results."""
    began = time.perf_counter()
    cpu = time.process_time()
    history = build_history(data, cell, offset, offence)
    start = day_number(START)
    results = run_backtest(history, names, start, weeks, weeks, seed=SEED, progress=False)
    out: dict[str, Any] = {
        "results": results,
        "cells": history.n_cells,
        "incidents_test": float(sum(history.outcome(o, HORIZON).sum() for o in weekly_origins(start, weeks))),
        "seconds": time.perf_counter() - began,
        "cpu": time.process_time() - cpu,
    }
    if offence is not None:
        # The bar again with the type's own cells as the study area, to show how much the
        # choice of A moves a per-type PAI.
        own = build_history(data, cell, offset, offence, own_area=True)
        own_res = run_backtest(own, [BAR_MODEL], start, weeks, 0, seed=SEED, progress=False)
        ev = own_res[BAR_MODEL].evaluation
        out["bar_own_area"] = (own.n_cells, ev.pai(0.01), ev.pai(0.05))
    if "sepp" in results:
        out["sepp_theta"] = theta_per_origin(history, results["sepp"].params, weeks)
    if hindsight:
        out["hindsight"] = {w: hindsight_ceiling(history, w, weeks) for w in (26, 52)}
    return out


def theta_per_origin(history: History, params: dict[str, Any], weeks: int) -> list[float]:
    """The frozen SEPP's fitted branching ratio at each test origin (refitted for the report,
    since the backtest keeps only the scores)."""
    model = GridSEPP(**params)
    thetas = []
    for origin in weekly_origins(day_number(START), weeks):
        model.fit(history, origin)
        thetas.append(float(model.theta_))
    return thetas


def hindsight_ceiling(history: History, weeks: int, origins: int) -> Evaluation:
    """Rank by the counts of the ``weeks`` weeks before and after the scored week (the week
    itself excluded): a near-perfect estimate of each cell's rate, which no forecast can have.
    Its PAI bounds what any ranking by a cell's average rate can reach."""
    ev = Evaluation(history.n_cells)
    for origin in weekly_origins(day_number(START), origins):
        span = 7 * weeks
        rate = history.counts(origin - span, origin) + history.counts(
            origin + HORIZON, origin + HORIZON + span
        )
        order = rank_cells(rate, tie_keys(history.n_cells, SEED, origin))
        ev.add(origin, order, history.outcome(origin, HORIZON))
    return ev


def ceiling_job(weeks: int, data: dict[str, np.ndarray], shift: str | None) -> dict[str, Any]:
    """The bar and the "rate with hindsight" ceilings for all types, all day or one shift
    (the shift's incidents are forecast and scored; the study area stays the protocol's)."""
    history = build_history(data, 200.0)
    if shift is not None:
        history = history.select(in_shift(data["hour"], shift))
    start = day_number(START)
    origins = weekly_origins(start, weeks)
    bar = run_backtest(history, [BAR_MODEL], start, weeks, 0, seed=SEED, progress=False)[BAR_MODEL].evaluation
    ceilings = {f"±{w} weeks": period_ceiling(history, origins, seed=SEED, weeks=w) for w in (26, 52)}
    return {
        "incidents": float(np.sum(bar.totals)),
        "bar": (bar.pai(0.01), bar.pai(0.05)),
        "ceilings": {k: (ev.pai(0.01), ev.pai(0.05)) for k, ev in ceilings.items()},
    }


def ceiling_section(done: dict[str, dict[str, Any]]) -> list[str]:
    """Markdown: how close the bar is to what any ranking by a cell's rate can reach."""
    names = list(next(iter(done.values()))["ceilings"])
    head = " | ".join(f"ceiling {n} @1% / 5%" for n in names)
    lines = [
        "## Ceiling for any ranking by a cell's rate (all types, 200 m)",
        "",
        para(
            "Each scored week ranked by the cells' counts *with hindsight* over the weeks around it ",
            "(±26 or ±52 weeks, `anninh.forecast.backtest.hindsight_ceiling`), the scored week itself ",
            "left out (its own chance events are what no rate can know). No forecast has these rates, so ",
            "no ranking by how often crime happens in a cell can expect more. Per shift: the ",
            "incidents of that shift only (morning 06-14 h, afternoon 14-22 h, night 22-06 h), ",
            "forecast by the same bar on the same cells.",
        ),
        "",
        f"| scored | incidents | bar PAI@1% / 5% | {head} | bar ÷ best ceiling @1% |",
        "|---|---|---|" + "---|" * len(names) + "---|",
    ]
    for key, d in done.items():
        best = max(c[0] for c in d["ceilings"].values())
        cells = " | ".join(f"{fmt(c[0])} / {fmt(c[1])}" for c in d["ceilings"].values())
        lines.append(
            f"| {key} | {d['incidents']:.0f} | {fmt(d['bar'][0])} / {fmt(d['bar'][1])} | {cells} "
            f"| {100 * d['bar'][0] / best:.0f}% |"
        )
    lines.append("")
    return lines


def run_ceilings(data: dict[str, np.ndarray], weeks: int, jobs: int) -> dict[str, dict[str, Any]]:
    """The ceiling jobs (all day, then each shift), in worker processes."""
    keys = {"all day": None, **{f"{s} shift": s for s in SHIFTS}}
    ctx = __import__("multiprocessing").get_context("spawn")
    with cf.ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=ctx) as pool:
        futures = {key: pool.submit(ceiling_job, weeks, data, shift) for key, shift in keys.items()}
        return {key: fut.result() for key, fut in futures.items()}


def fmt(v: float | None, d: int = 2) -> str:
    """A number for the tables."""
    return "n/a" if v is None or not np.isfinite(v) else f"{v:.{d}f}"


def model_table(results: dict[str, ModelResult], reference: dict[str, tuple[float, float]]) -> str:
    """Markdown table of every model: PAI, PEI, hit rate, intervals, Jaccard, parameters."""
    head = (
        "| model | PAI@1% [95% CI] | PAI@5% [95% CI] | PEI@1% | PEI@5% | hit@1% | hit@5% "
        "| Jaccard@1% | Jaccard@5% | reference PAI@1%/5% | frozen parameters |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    rows = []
    for name, r in results.items():
        s = r.evaluation.summary(N_BOOT, SEED)
        a, b = s["0.01"], s["0.05"]
        ref = reference.get(name)
        tuned = {
            k: v
            for k, v in r.params.items()
            if k in ("days", "half_life_weeks", "bandwidth_m", "weeks", "window_days")
        }
        bold = "**" if name in (BAR_MODEL, BEST_MODEL) else ""
        rows.append(
            f"| {bold}{name}{bold}{'' if model_label(name) == name else f' ({model_label(name)})'} "
            f"| {bold}{fmt(a['pai'])}{bold} [{fmt(a['pai_ci'][0])}, {fmt(a['pai_ci'][1])}] "
            f"| {bold}{fmt(b['pai'])}{bold} [{fmt(b['pai_ci'][0])}, {fmt(b['pai_ci'][1])}] "
            f"| {fmt(a['pei'], 3)} | {fmt(b['pei'], 3)} "
            f"| {fmt(100 * a['hit_rate'], 1)}% | {fmt(100 * b['hit_rate'], 1)}% "
            f"| {fmt(a['jaccard'])} | {fmt(b['jaccard'])} "
            f"| {'' if ref is None else f'{ref[0]} / {ref[1]}'} "
            f"| {', '.join(f'{k}={v:g}' for k, v in tuned.items())} |"
        )
    return head + "\n".join(rows) + "\n"


def paired_line(results: dict[str, ModelResult], a: str, b: str) -> str:
    """Paired bootstrap of PAI(a) - PAI(b) at 1% and 5%."""
    parts = []
    for cov in (0.01, 0.05):
        d = compare(results[a], results[b], cov, N_BOOT, SEED)
        parts.append(
            f"PAI@{cov:.0%}: {d['difference']:+.2f} [{d['ci'][0]:+.2f}, {d['ci'][1]:+.2f}] "
            f"({100 * d['relative']:+.1f}% [{100 * d['relative_ci'][0]:+.1f}%, "
            f"{100 * d['relative_ci'][1]:+.1f}%])"
        )
    return "; ".join(parts)


def machine() -> str:
    """uname -a and the number of processors."""
    try:
        uname = subprocess.run(["uname", "-a"], capture_output=True, text=True, check=True)
        text = uname.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        text = platform.platform()
    return f"`{text}`, nproc = {os.cpu_count()}"


def versions() -> str:
    """Versions of Python and the numeric libraries."""
    import scipy
    import shapely

    return (
        f"Python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"shapely {shapely.__version__}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="Toronto MCI CSV (.gz)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="markdown results file")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (2)")
    parser.add_argument("--no-sensitivity", action="store_true", help="skip cell size/offsets")
    parser.add_argument(
        "--weeks", type=int, default=WEEKS, help="test and tuning weeks (52; fewer = smoke test)"
    )
    parser.add_argument(
        "--ceiling-only",
        action="store_true",
        help=f"only the bar and the hindsight ceilings, all day and per shift (writes {CEILING_OUT.name})",
    )
    args = parser.parse_args(argv)

    began = time.perf_counter()
    data = load(args.data)
    print(f"loaded {data['day'].size} incidents in {time.perf_counter() - began:.1f} s", flush=True)
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    os.environ["OMP_NUM_THREADS"] = "1"
    if args.ceiling_only:
        out = CEILING_OUT if args.out == DEFAULT_OUT else args.out
        ceil = run_ceilings(data, args.weeks, args.jobs)
        report = "\n".join(
            [
                "# Hotspot forecasting on Toronto: the ceiling of rate rankings",
                "",
                para(
                    "Generated by `benchmarks/forecast_toronto.py --ceiling-only` on ",
                    f"{dt.datetime.now():%Y-%m-%d %H:%M} in {time.perf_counter() - began:.0f} s wall clock. ",
                    f"Data: `{args.data.name}`; protocol as in `forecast-toronto.md` ({args.weeks} ",
                    f"Mondays from {START}, horizon 7 days, 200 m cells, ties broken at random with seed {SEED}).",
                ),
                "",
                f"- Machine: {machine()}",
                f"- Versions: {versions()}",
                "",
                *ceiling_section(ceil),
            ]
        )
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(report)
        print(report)
        return 0
    offences = sorted(set(data["off"].tolist()))
    names = list(MODEL_NAMES)
    sens_names = [BAR_MODEL, "decay", BEST_MODEL]
    rng = np.random.default_rng(SEED)
    offsets = [tuple(float(v) for v in rng.uniform(0, 200, 2)) for _ in range(3)]
    jobs: dict[str, tuple[Any, ...]] = {"All types": (names, 200.0, (0.0, 0.0), None, True)}
    for off in offences:
        jobs[off] = (names, 200.0, (0.0, 0.0), off, False)
    if not args.no_sensitivity:
        for cell in (100.0, 150.0):
            jobs[f"cells of {cell:g} m"] = (sens_names, cell, (0.0, 0.0), None, False)
        for ox, oy in offsets:
            jobs[f"200 m, grid shifted by ({ox:.0f} m, {oy:.0f} m)"] = (
                sens_names,
                200.0,
                (ox, oy),
                None,
                False,
            )

    # One process per job, largest first; BLAS limited to one thread per worker so the two
    # workers do not fight over the cores.
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    os.environ["OMP_NUM_THREADS"] = "1"
    done: dict[str, dict[str, Any]] = {}
    ctx = __import__("multiprocessing").get_context("spawn")
    with cf.ProcessPoolExecutor(max_workers=max(1, args.jobs), mp_context=ctx) as pool:
        futures = {pool.submit(job, args.weeks, data, *spec): key for key, spec in jobs.items()}
        for fut in cf.as_completed(futures):
            key = futures[fut]
            done[key] = fut.result()
            print(
                f"[{time.perf_counter() - began:6.0f} s] {key}: {done[key]['seconds']:.0f} s",
                file=sys.stderr,
                flush=True,
            )
    ceil = run_ceilings(data, args.weeks, args.jobs)
    wall = time.perf_counter() - began
    cpu_children = sum(d["cpu"] for d in done.values())
    report = render(done, offences, jobs, wall, cpu_children, args, ceil)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report)
    print(report)
    return 0


def para(*parts: str) -> str:
    """Join the pieces of one paragraph (keeps the source lines short)."""
    return "".join(parts)


def render(
    done: dict[str, dict[str, Any]],
    offences: list[str],
    jobs: dict[str, tuple[Any, ...]],
    wall: float,
    cpu: float,
    args: argparse.Namespace,
    ceil: dict[str, dict[str, Any]] | None = None,
) -> str:
    """The markdown report."""
    allr = done["All types"]
    res = allr["results"]
    bar, ours = res[BAR_MODEL].evaluation, res[BEST_MODEL].evaluation
    oracle = res["oracle"].evaluation
    d1 = compare(res[BEST_MODEL], res[BAR_MODEL], 0.01, N_BOOT, SEED)
    d5 = compare(res[BEST_MODEL], res[BAR_MODEL], 0.05, N_BOOT, SEED)
    met = d1["relative"] >= GOAL and d1["ci"][0] > 0 and d5["difference"] >= 0
    hs = allr["hindsight"]
    ceiling = max(hs[26].pai(0.01), hs[52].pai(0.01))
    lines = [
        "# Hotspot forecasting on Toronto (benchmarks.md §1)",
        "",
        para(
            "Generated by `benchmarks/forecast_toronto.py` on ",
            f"{dt.datetime.now():%Y-%m-%d %H:%M}. ",
            f"Total run time {wall / 60:.1f} min wall clock for every model, every offence type ",
            f"and the sensitivity runs ({cpu / 60:.1f} min CPU in {args.jobs} worker processes; ",
            "the machine is shared with other jobs, so the wall clock is noisy).",
        ),
        "",
        f"- Machine: {machine()}",
        f"- Versions: {versions()}",
        para(
            f"- Data: `{args.data.name}`, {allr['cells']} cells of 200 m in the study area, ",
            f"{allr['incidents_test']:.0f} incidents in the {args.weeks} scored weeks.",
        ),
        para(
            f"- Protocol: origins every Monday from {START} ({args.weeks}), horizon {HORIZON} ",
            f"days; parameters and learned weights chosen on the {args.weeks} Mondays before ",
            "(2018) only, objective the geometric mean of PAI@1% and PAI@5%, then frozen; ",
            f"k = round(coverage × |A|); ties broken at random (seed {SEED}); {N_BOOT} ",
            "bootstrap resamples of whole weeks.",
        ),
        "",
        "## Headline (all types, 200 m)",
        "",
        para(
            f"Ours (`{BEST_MODEL}`): PAI@1% **{ours.pai(0.01):.2f}**, ",
            f"PAI@5% **{ours.pai(0.05):.2f}**; the bar (`{BAR_MODEL}`): ",
            f"{bar.pai(0.01):.2f} / {bar.pai(0.05):.2f}.",
        ),
        "",
        f"Paired bootstrap, ours − bar: {paired_line(res, BEST_MODEL, BAR_MODEL)}.",
        "",
        para(
            f"Goal (≥ +{GOAL:.0%} at PAI@1%, interval of the difference above zero, no loss at ",
            f"5%): **{'met' if met else 'not met'}**.",
        ),
        "",
        para(
            "Ceiling for any ranking by a cell's rate: ranking by the counts of the weeks around ",
            "the scored week *with hindsight* (the scored week itself excluded, the following ",
            "weeks included, so no forecast can do it) gives PAI@1% ",
            f"{hs[26].pai(0.01):.2f} (±26 weeks) and {hs[52].pai(0.01):.2f} (±52 weeks), PAI@5% ",
            f"{hs[26].pai(0.05):.2f} and {hs[52].pai(0.05):.2f}. The bar already reaches ",
            f"{100 * bar.pai(0.01) / ceiling:.0f}% of the better of these at 1%, so a +{GOAL:.0%} ",
            "gain would need information about the scored week beyond each cell's rate (a ",
            "short-lived burst, a trend); the self-exciting model's fitted branching ratio says ",
            "how much of that there is (see its θ per origin below). The oracle's ",
            f"{oracle.pai(0.01):.1f} includes the Poisson noise of the week itself, which no ",
            "forecast can know.",
        ),
        "",
        "## Every model, all types, 200 m",
        "",
        model_table(res, REFERENCE),
    ]
    others = [n for n in res if n not in (BEST_MODEL, BAR_MODEL, "oracle", "random")]
    lines += ["Paired bootstrap against the bar (all types):", ""]
    lines += [f"- {n} − {BAR_MODEL}: {paired_line(res, n, BAR_MODEL)}" for n in [BEST_MODEL, *others]]
    lines.append("")
    theta = allr.get("sepp_theta")
    if theta:
        lines += [
            para(
                "Grid SEPP (Mohler et al. 2015) fitted on each 2019 origin: branching ratio θ ",
                "(share of incidents triggered by an earlier one in the same cell) from ",
                f"{min(theta):.4f} to {max(theta):.4f}, median {float(np.median(theta)):.4f}. ",
                (
                    "Self-excitation within a cell is almost absent on this data, so the process "
                    "reduces to its background rate, i.e. to long-window counts."
                    if float(np.median(theta)) < 0.05
                    else "A noticeable share of incidents is attributed to self-excitation."
                ),
            ),
            "",
        ]
    if ceil:
        lines += ceiling_section(ceil)
    lines += ["## By offence type (study area: all-type cells, as in the protocol)", ""]
    lines += [
        para(
            "| offence | incidents scored | bar PAI@1% (reference) | ours PAI@1% ",
            "| ours − bar @1% [95% CI] | bar PAI@5% | ours PAI@5% | ours − bar @5% [95% CI] ",
            "| best other model @1% |",
        ),
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for off in offences:
        r = done[off]["results"]
        b1, o1 = r[BAR_MODEL].evaluation.pai(0.01), r[BEST_MODEL].evaluation.pai(0.01)
        b5, o5 = r[BAR_MODEL].evaluation.pai(0.05), r[BEST_MODEL].evaluation.pai(0.05)
        p1 = compare(r[BEST_MODEL], r[BAR_MODEL], 0.01, N_BOOT, SEED)
        p5 = compare(r[BEST_MODEL], r[BAR_MODEL], 0.05, N_BOOT, SEED)
        rivals = {n: m.evaluation.pai(0.01) for n, m in r.items() if n not in ("oracle", BEST_MODEL)}
        top = max(rivals, key=lambda n: rivals[n])
        ref = REFERENCE_BY_TYPE.get(off)
        lines.append(
            para(
                f"| {off} | {done[off]['incidents_test']:.0f} ",
                f"| {b1:.2f} ({'n/a' if ref is None else ref}) | {o1:.2f} ",
                f"| {100 * p1['relative']:+.1f}% [{100 * p1['relative_ci'][0]:+.1f}, ",
                f"{100 * p1['relative_ci'][1]:+.1f}] | {b5:.2f} | {o5:.2f} ",
                f"| {100 * p5['relative']:+.1f}% [{100 * p5['relative_ci'][0]:+.1f}, ",
                f"{100 * p5['relative_ci'][1]:+.1f}] | {top} {rivals[top]:.2f} |",
            )
        )
    lines.append("")
    for off in offences:
        lines += [f"### {off}", "", model_table(done[off]["results"], {}), ""]
    sens = [k for k in jobs if k not in ("All types", *offences)]
    if sens:
        lines += [
            "## Sensitivity: cell size and grid offset (all types)",
            "",
            para(
                "| grid | cells | bar PAI@1% / 5% | decay PAI@1% / 5% | ours PAI@1% / 5% ",
                "| ours − bar @1% [95% CI] |",
            ),
            "|---|---|---|---|---|---|",
        ]
        for key in ["200 m (main run)", *sens]:
            d = done["All types"] if key == "200 m (main run)" else done[key]
            r = d["results"]
            p = compare(r[BEST_MODEL], r[BAR_MODEL], 0.01, N_BOOT, SEED)
            cells = " | ".join(
                f"{r[n].evaluation.pai(0.01):.2f} / {r[n].evaluation.pai(0.05):.2f}"
                for n in (BAR_MODEL, "decay", BEST_MODEL)
            )
            lines.append(
                para(
                    f"| {key} | {d['cells']} | {cells} | {100 * p['relative']:+.1f}% ",
                    f"[{100 * p['relative_ci'][0]:+.1f}, {100 * p['relative_ci'][1]:+.1f}] |",
                )
            )
        lines.append("")
    own = ", ".join(
        f"{off} {done[off]['bar_own_area'][1]:.2f} / {done[off]['bar_own_area'][2]:.2f} "
        f"({done[off]['bar_own_area'][0]} cells)"
        for off in offences
    )
    timing = ", ".join(f"{k}: {v['seconds']:.0f} s" for k, v in done.items())
    lines += [
        "## Notes",
        "",
        para(
            '- Reproducing the reference (column "reference" above): the grid\'s south-west ',
            "corner sits on the data's minimum easting and northing of a transverse Mercator ",
            "centred on the data. Where the grid lines fall moves every PAI by a few per cent ",
            "(see the offset runs), so small differences between models only mean something ",
            "when paired on the same grid and weeks.",
        ),
        para(
            "- Per-type PAIs use the all-type study area (the protocol's land proxy), which is ",
            "what reproduces the reference per-type numbers. With each type's own cells as A ",
            f"the bar reads (PAI@1% / PAI@5%): {own}.",
        ),
        para(
            "- `ours` learns its weights (Poisson regression, log link, ridge) on the ",
            f"{args.weeks} weeks before the test period and keeps them frozen; in the per-type ",
            "runs it also sees the all-type counts as context features (past incidents only).",
        ),
        f"- Run time per job (wall, in its worker): {timing}.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
