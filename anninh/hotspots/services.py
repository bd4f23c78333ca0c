"""Making forecasts and accuracy report cards. Writes are audited; a forecast for the same
window, group, shift, model version and inputs is made once (asking again returns it)."""

from __future__ import annotations

import datetime as dt

import numpy as np
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from scipy.stats import poisson

from anninh.accounts.roles import Role
from anninh.audit.services import audit_record
from anninh.compstat.periods import Period
from anninh.forecast import compare, run_backtest
from anninh.forecast.backtest import hindsight_ceiling, weekly_origins
from anninh.forecast.history import day_number
from anninh.forecast.metrics import cells_for_coverage, rank_cells, tie_keys
from anninh.geo import lookup
from anninh.hotspots import engine
from anninh.hotspots.models import Forecast, ForecastCell, Horizon, ReportCard
from anninh.records.models import OffenceGroup

FORECAST_WRITER_ROLES = (Role.COMMANDER, Role.ANALYST)
#: Predictive interval of the count in a cell (5th to 95th percentile of a Poisson count).
INTERVAL = (0.05, 0.95)
#: History read for a forecast (the model uses up to a few years of decayed counts).
HISTORY_YEARS = 4


class ForecastError(ValueError):
    """A forecast that cannot be made as asked; the message is for the user."""


def _check(actor) -> None:
    if actor is None:  # the scheduler, the demo seeder and the command
        return
    if not getattr(actor, "is_authenticated", False) or not actor.has_role(*FORECAST_WRITER_ROLES):
        raise PermissionDenied


def _validate(offence_group: str, horizon: str, shift: str) -> None:
    if offence_group and offence_group not in OffenceGroup.values:
        raise ForecastError(_("Unknown offence group."))
    if horizon not in Horizon.values:
        raise ForecastError(_("Choose a weekly or a per-shift forecast."))
    if horizon == Horizon.SHIFT and shift not in engine.SHIFTS:
        raise ForecastError(_("Choose a shift: morning, afternoon or night."))
    if horizon == Horizon.WEEK and shift:
        raise ForecastError(_("A weekly forecast has no shift."))


def forecast_create(
    *, actor, week: Period, offence_group: str = "", horizon: str = Horizon.WEEK, shift: str = ""
) -> tuple[Forecast, bool]:
    """The forecast of crimes for `week` (a Monday-to-Sunday Period), all day or for one shift
    of each of its days. Returns (forecast, created)."""
    _check(actor)
    _validate(offence_group, horizon, shift)
    if week.kind != "week":
        raise ForecastError(_("Forecasts are made for a week, Monday to Sunday."))
    cg = engine.city_grid()
    since = Period("custom", week.first - dt.timedelta(days=366 * HISTORY_YEARS), week.first).start
    events = engine.load_events(offence_group=offence_group, before=week.start, since=since)
    digest = events.digest
    existing = (
        Forecast.objects.unrestricted()
        .filter(
            offence_group=offence_group,
            horizon=horizon,
            shift=shift,
            window_start=week.start,
            model_version=engine.MODEL_VERSION,
            inputs_digest=digest,
        )
        .first()
    )
    if existing:
        return existing, False
    if events.day.size < 20:
        raise ForecastError(
            _("Too few crimes with a location before this week to forecast (at least 20 are needed).")
        )
    origin = day_number(week.first)
    history = engine.history_of(events, cg)
    expected, params = engine.weekly_risk(history, origin)
    if horizon == Horizon.SHIFT:
        expected = expected * engine.shift_share(history, origin, shift)
        params["shift_share"] = (
            "cell share shrunk to the city's share with 10 pseudo-incidents, last 365 days"
        )
    n = cg.n_cells
    k = min(cells_for_coverage(engine.TOP_COVERAGE, n), engine.MAX_TOP)
    full = rank_cells(expected, tie_keys(n, 0, origin))
    rank_of = np.empty(n, dtype=np.int64)
    rank_of[full] = np.arange(1, n + 1)
    order = engine.selected_cells(expected, cg, full, k, engine.PER_COMMUNE)
    lon, lat = cg.centres_lonlat(order)
    mean = float(expected.mean()) or 1.0
    low = poisson.ppf(INTERVAL[0], expected[order])
    high = poisson.ppf(INTERVAL[1], expected[order])
    with transaction.atomic():
        fc = Forecast.objects.create(
            offence_group=offence_group,
            horizon=horizon,
            shift=shift,
            window_start=week.start,
            window_end=week.end,
            model_name=engine.MODEL_NAME,
            model_version=engine.MODEL_VERSION,
            params=params,
            cell_metres=engine.CELL_METRES,
            grid=cg.as_dict(),
            history_start=since,
            history_end=week.start,
            inputs_count=int(events.day.size),
            inputs_digest=digest,
            created_by=actor,
        )
        ForecastCell.objects.bulk_create(
            ForecastCell(
                forecast=fc,
                rank=int(rank_of[pos]),
                cell_index=int(cg.area.cells[pos]),
                commune_id=cg.communes[pos] or lookup.commune_at(float(lat[i]), float(lon[i])),
                lat=round(float(lat[i]), 6),
                lon=round(float(lon[i]), 6),
                expected=float(expected[pos]),
                expected_low=float(low[i]),
                expected_high=float(high[i]),
                risk=float(expected[pos]) / mean,
            )
            for i, pos in enumerate(order)
        )
        audit_record(
            actor=actor,
            username="scheduler" if actor is None else "",
            action="create",
            target=fc,
            after={
                "window": week.slug,
                "group": offence_group,
                "horizon": horizon,
                "shift": shift,
                "model_version": fc.model_version,
                "inputs": fc.inputs_count,
                "digest": digest,
                "cells": len(order),
                "city_top": int(k),
            },
        )
    return fc, True


def report_card_create(*, actor, offence_group: str = "", as_of: dt.date, weeks: int = 12) -> ReportCard:
    """Backtest the deployed model on the `weeks` weeks before the Monday `as_of` against the
    trailing-365-day counts (the bar) and last week's counts, as benchmarks.md §1 does on
    Toronto (weights learned on the weeks before each scored run, no leakage)."""
    _check(actor)
    _validate(offence_group, Horizon.WEEK, "")
    if as_of.weekday() != 0:
        raise ForecastError(_("The report card is computed up to a Monday."))
    if not 4 <= weeks <= 52:
        raise ForecastError(_("Score between 4 and 52 weeks."))
    cg = engine.city_grid()
    origin = day_number(as_of)
    start = origin - 7 * weeks
    week_of = Period("custom", as_of, as_of)
    since = Period("custom", as_of - dt.timedelta(days=366 * HISTORY_YEARS + 7 * 2 * weeks), as_of).start
    events = engine.load_events(offence_group=offence_group, before=week_of.start, since=since)
    names = [engine.MODEL_NAME, engine.BASELINE_NAME, "last-week"]
    results = {"models": {}, "difference": {}}
    verdict = "too_few"
    scored_incidents = 0
    if events.day.size >= 20:
        history = engine.history_of(events, cg)
        # Ours is trained on the weeks before the scored run, like the library's tuning step.
        run = run_backtest(
            history, names, start, weeks, engine.TRAINING_WEEKS, coverages=(0.01, 0.05), progress=False
        )
        for name, r in run.items():
            results["models"][name] = r.evaluation.summary(n_boot=1000)
        scored_incidents = int(np.sum(run[engine.MODEL_NAME].evaluation.totals))
        # What any ranking by a place's rate could reach on these weeks, knowing the rates
        # with hindsight: the honest upper limit for the forecast and the baseline alike.
        ceiling = hindsight_ceiling(history, weekly_origins(start, weeks), (0.01, 0.05))
        results["ceiling"] = ceiling.summary(n_boot=1000)
        for cov in (0.01, 0.05):
            results["difference"][f"{cov:g}"] = compare(
                run[engine.MODEL_NAME], run[engine.BASELINE_NAME], cov, n_boot=1000
            )
        diff = results["difference"]["0.01"]
        if scored_incidents >= 30:
            lo, hi = diff["ci"]
            verdict = "better" if lo > 0 else ("worse" if hi < 0 else "same")
    results["scored_incidents"] = scored_incidents
    with transaction.atomic():
        card = ReportCard.objects.create(
            offence_group=offence_group,
            as_of=as_of,
            weeks=weeks,
            model_name=engine.MODEL_NAME,
            model_version=engine.MODEL_VERSION,
            baseline_name=engine.BASELINE_NAME,
            cell_metres=engine.CELL_METRES,
            inputs_count=int(events.day.size),
            inputs_digest=events.digest,
            results=_jsonable(results),
            verdict=verdict,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            username="scheduler" if actor is None else "",
            action="create",
            target=card,
            after={"as_of": as_of.isoformat(), "group": offence_group, "weeks": weeks, "verdict": verdict},
        )
    return card


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.floating, float)):
        v = float(value)
        return None if not np.isfinite(v) else v
    if isinstance(value, np.integer):
        return int(value)
    return value
