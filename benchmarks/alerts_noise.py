"""How many alerts a commune gets a week, and how soon a planted rise is flagged (issue #11).

    .venv/bin/python benchmarks/alerts_noise.py --out benchmarks/results/alerts-noise.md

1. A new SQLite database in a private temporary folder, migrated, with the demo's synthetic
   records (`records_generate`: ~three years of incidents shaped like the demo's, with people,
   crime reports at every stage of their clock and near repeats), `--incidents` of them.
2. A rise planted in one commune of median volume: `--planted` extra crimes (property) spread
   over the 7 days from a day ~5 months before the end.
3. The rules run every day at 06:00 over the whole period after the first 60 days (the rise
   rule needs 35 days of history, the Knox test a year: it is computed once a week), as the
   daily `alerts_run` would, raising alerts through the service (one live alert per
   condition, the 7-day cool-down). A simulated commander resolves every alert 3 days after it
   was raised. The rise rule is also run without the false-discovery-rate correction, to show
   what the correction saves.
4. Alerts per (commune, ISO week), over every commune and week; and the planted commune's first
   rise alert after the plant began.

Nothing here runs in the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from _db import load_average  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=20_000)
    parser.add_argument(
        "--planted", type=int, default=0, help="extra crimes planted (0: 3× the week's rate, ≥ 6)"
    )
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    load_start = load_average()
    folder = tempfile.mkdtemp(prefix="alerts-noise-")
    os.environ["ANNINH_SQLITE_PATH"] = str(Path(folder) / "db.sqlite3")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anninh.settings")
    os.environ["ANNINH_DEBUG"] = "0"
    import django

    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    t_migrate = time.perf_counter() - started

    from anninh.alerts import rules, services
    from anninh.alerts.models import Alert, AlertKind, AlertStatus
    from anninh.lib.dates import HCM_TZ
    from anninh.org.models import Unit
    from anninh.records.demo import records_generate
    from anninh.records.models import Incident
    from anninh.records.services.io import system_user

    end = dt.datetime(2026, 11, 30, 12, tzinfo=HCM_TZ)
    t0 = time.perf_counter()
    records_generate(incidents=args.incidents, end=end)
    t_generate = time.perf_counter() - t0
    first_crime = (
        Incident.objects.unrestricted().order_by("occurred_from").values_list("occurred_from", flat=True)[0]
    )
    first_day = first_crime.astimezone(HCM_TZ).date() + dt.timedelta(days=60)
    last_day = end.date()
    crimes = Incident.objects.unrestricted().filter(kind="crime")
    n_crimes = crimes.count()

    # The planted rise: a commune of median volume, ~5 months before the end.
    volumes = Counter(crimes.values_list("commune_id", flat=True))
    ranked = sorted(volumes.items(), key=lambda kv: (kv[1], kv[0]))
    planted_commune, planted_volume = ranked[len(ranked) // 2]
    days_total = (last_day - first_crime.astimezone(HCM_TZ).date()).days
    weekly_rate = planted_volume / days_total * 7
    planted_n = args.planted or max(6, round(3 * weekly_rate))
    plant_start = last_day - dt.timedelta(days=150)
    actor = system_user()
    unit = Unit.objects.active().filter(code=f"CA{planted_commune}").first() or Unit.objects.active().get(
        code="CAHP"
    )
    Incident.objects.bulk_create(
        [
            Incident(
                number=f"PLANT-{k}",
                kind="crime",
                occurred_from=dt.datetime.combine(
                    plant_start + dt.timedelta(days=k % 7), dt.time(9 + k % 12), tzinfo=HCM_TZ
                ),
                reported_at=dt.datetime.combine(
                    plant_start + dt.timedelta(days=k % 7), dt.time(22), tzinfo=HCM_TZ
                ),
                commune_id=planted_commune,
                responsible_unit=unit,
                offence_group="property",
                premises="street",
                created_by=actor,
                is_synthetic=True,
            )
            for k in range(planted_n)
        ]
    )

    # Knox once a week (its window is a year: a day changes little).
    knox_cache: dict[dt.date, dict | None] = {}
    real_knox = rules.knox_evidence

    def weekly_knox(today, s=rules.DEFAULT):
        monday = today - dt.timedelta(days=today.weekday())
        if monday not in knox_cache:
            knox_cache[monday] = real_knox(monday, s)
        return knox_cache[monday]

    rules.knox_evidence = weekly_knox

    kinds = [AlertKind.RISE, AlertKind.NEAR_REPEAT, AlertKind.FRAUD, AlertKind.DEADLINE]
    t1 = time.perf_counter()
    day = first_day
    runs = 0
    while day <= last_day:
        now = dt.datetime.combine(day, dt.time(6), tzinfo=HCM_TZ)
        # The commander resolves what was raised 3 days ago or more.
        for alert in Alert.objects.unrestricted().filter(
            status__in=[AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED], raised_at__lte=now - dt.timedelta(days=3)
        ):
            alert.status, alert.resolved_at = AlertStatus.RESOLVED, now
            alert.save(update_fields=["status", "resolved_at"])
        services.alerts_run(now=now, kinds=kinds, deliver=False, is_synthetic=True)
        runs += 1
        day += dt.timedelta(days=1)
    t_runs = time.perf_counter() - t1

    # Without the correction: the rise rule alone, counted as the service would raise it
    # (same cool-down), in a separate tally.
    t2 = time.perf_counter()
    raw_rises = 0
    last_raw: dict[str, dt.date] = {}
    day = first_day
    no_fdr = rules.RuleSettings(fdr=False)
    while day <= last_day:
        for f in rules.rise_findings(day, no_fdr):
            if f.key not in last_raw or (day - last_raw[f.key]).days >= 7:
                last_raw[f.key] = day
                raw_rises += 1
        day += dt.timedelta(days=1)
    t_raw = time.perf_counter() - t2

    alerts = list(Alert.objects.unrestricted().values_list("kind", "commune_id", "raised_at"))
    communes = sorted(volumes)
    weeks = sorted(
        {(first_day + dt.timedelta(days=k)).isocalendar()[:2] for k in range((last_day - first_day).days + 1)}
    )
    grid: dict[tuple, int] = defaultdict(int)
    by_kind = Counter()
    for kind, commune, raised in alerts:
        by_kind[kind] += 1
        if commune:
            grid[(commune, raised.astimezone(HCM_TZ).date().isocalendar()[:2])] += 1
    values = [grid.get((c, w), 0) for c in communes for w in weeks]
    nonzero = [v for v in values if v]
    per_commune_median = sorted(
        ((statistics.median([grid.get((c, w), 0) for w in weeks]), c) for c in communes), reverse=True
    )
    values_sorted = sorted(values)
    p95 = values_sorted[int(0.95 * (len(values_sorted) - 1))]
    p99 = values_sorted[int(0.99 * (len(values_sorted) - 1))]
    planted_alerts = sorted(
        raised.astimezone(HCM_TZ).date()
        for kind, commune, raised in alerts
        if kind == AlertKind.RISE
        and commune == planted_commune
        and raised.astimezone(HCM_TZ).date() >= plant_start
    )
    flagged = planted_alerts[0] if planted_alerts else None
    lag = (flagged - plant_start).days if flagged else None
    before = sum(
        1
        for kind, commune, raised in alerts
        if kind == AlertKind.RISE
        and commune == planted_commune
        and raised.astimezone(HCM_TZ).date() < plant_start
    )

    lines = [
        "# Early warning: alerts per commune per week, and a planted rise",
        "",
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} ({platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}), SQLite. `benchmarks/alerts_noise.py "
        f"--incidents {args.incidents}`. Load average {load_start} at the start, {load_average()} at the end "
        "(2 cores shared; the times below depend on it, the counts do not).",
        "",
        f"Data: the demo generator's synthetic records, {args.incidents:,} incidents ({n_crimes:,} crimes) "
        f"from {first_crime.astimezone(HCM_TZ):%d/%m/%Y} to {end:%d/%m/%Y}, {len(communes)} communes with crimes. "
        f"Rules run daily at 06:00 from {first_day:%d/%m/%Y} to {last_day:%d/%m/%Y} ({runs} runs, "
        f"{len(weeks)} ISO weeks); every alert resolved 3 days after it was raised.",
        "",
        "## Noise",
        "",
        "| measure | value |",
        "|---|---|",
        f"| alerts raised (all kinds) | {len(alerts):,} |",
        *[f"| — {kind} | {by_kind.get(kind, 0):,} |" for kind in kinds],
        f"| commune-weeks | {len(values):,} |",
        f"| **median alerts per commune per week** | **{statistics.median(values):g}** |",
        f"| mean alerts per commune per week | {statistics.mean(values):.3f} |",
        f"| 95th / 99th percentile per commune-week | {p95} / {p99} |",
        f"| most in one commune-week | {max(values)} |",
        f"| median over commune-weeks with at least one alert | {statistics.median(nonzero) if nonzero else 0:g} |",
        f"| largest median of one commune over its weeks | {per_commune_median[0][0]:g} ({per_commune_median[0][1]}) |",
        f"| rise alerts with the FDR correction | {by_kind.get(AlertKind.RISE, 0):,} |",
        f"| rise alerts without the correction (same cool-down) | {raw_rises:,} |",
        "",
        "## The planted rise",
        "",
        f"Commune {planted_commune} (median volume: {planted_volume:,} crimes, {weekly_rate:.1f} a week): "
        f"{planted_n} extra property crimes over the 7 days from {plant_start:%d/%m/%Y}.",
        "",
        f"- first rise alert for it on or after that day: {flagged:%d/%m/%Y} ({lag} days after the first planted crime)"
        if flagged
        else "- **not flagged**",
        f"- rise alerts for this commune before the plant (three years): {before}",
        "",
        "## Time",
        "",
        f"migrate {t_migrate:.0f} s, generate {t_generate:.0f} s, {runs} daily runs {t_runs:.0f} s "
        f"({t_runs / max(runs, 1) * 1000:.0f} ms a run), rise rule without correction {t_raw:.0f} s.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
