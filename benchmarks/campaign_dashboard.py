"""The campaign dashboard for the whole city at scale (issue 11: p95 < 500 ms over 1,000,000
incidents on PostgreSQL).

    # build a new database (refused if it exists) with compstat_scale's builder, and measure
    .venv/bin/python benchmarks/campaign_dashboard.py --database-url postgres://postgres@127.0.0.1:5432/NAME \\
        --create --size 1000000 --out benchmarks/results/campaign-dashboard.md
    # a tiny run that only proves the script works (not a measurement)
    .venv/bin/python benchmarks/campaign_dashboard.py --database-url postgres://... --create --size 2000 \\
        --samples 5 --drop

Build (with --create): benchmarks/compstat_scale.py's `build` (migrate, `records_generate`, a
case for every crime, VACUUM ANALYZE), then the demo's arrests and wanted notices
(anninh.enforcement.demo, from the synthetic suspects) and synthetic headcounts.

Measure, in one child process with DEBUG off, through Django's test client: a city-wide
campaign of the last 92 days with every unit that has records (about 130) and a target per
unit and indicator, for a commander (whole city) and the officer of Phường Lê Chân; the page
and the API, each with two warm-ups, the SQL queries of one request, then --samples timed
requests; p50/p95/p99 from benchmarks/_stats.py. A shared machine: the load average is written.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from _db import Database, from_args, load_average  # noqa: E402
from _stats import MIN_SAMPLES, summary  # noqa: E402
from compstat_scale import build as build_records  # noqa: E402
from compstat_scale import run  # noqa: E402

PYTHON = sys.executable
CAMPAIGN = "Benchmark: city-wide campaign, last 92 days"


def build(db: Database, size: int) -> dict[str, float]:
    if db.kind == "postgres":
        times = build_records(db, size)  # migrate, records_generate, a case per crime, ANALYZE
    else:  # the shape step is PostgreSQL only; SQLite is for trying the script
        env = db.env()
        times = {"migrate": run([PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"], env)}
        times["generate complete records"] = run(
            [PYTHON, "manage.py", "records_generate", "--incidents", str(size), "--no-progress"], env
        )
    started = time.perf_counter()
    code = (
        "from anninh.enforcement.demo import enforcement_demo_seed; "
        "from anninh.campaigns.demo import _headcounts; print(enforcement_demo_seed(), _headcounts())"
    )
    run([PYTHON, "manage.py", "shell", "-c", code], db.env())
    times["arrests, wanted notices, headcounts"] = time.perf_counter() - started
    if db.kind == "postgres":
        db.psql("ANALYZE")
    return times


def measure(samples: int) -> dict:
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anninh.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from anninh.campaigns.indicators import Scope, compute_all
    from anninh.campaigns.models import Campaign, CampaignTarget
    from anninh.campaigns.services import campaign_create
    from anninh.testing.personas import make_user

    def user(name: str, role: str, unit: str):
        existing = get_user_model().objects.filter(username=name).first()
        return existing or make_user(name, role, unit_code=unit)

    commander = user("bench_commander", "commander", "CAHP")
    officer = user("bench_officer", "commune_officer", "CA11383")
    campaign = Campaign.objects.unrestricted().filter(name=CAMPAIGN).first()
    if campaign is None:
        today = timezone.localdate()
        campaign = campaign_create(
            actor=commander, name=CAMPAIGN, first=today - dt.timedelta(days=91), last=today
        )
        values = compute_all(commander, Scope.of(campaign))
        units = set()
        for iv in values.values():
            units |= set(iv.by_unit) | set(iv.by_unit_last_year)
        campaign.units.set(sorted(units))
        CampaignTarget.objects.bulk_create(
            CampaignTarget(
                campaign=campaign, unit_id=u, indicator=key, value=max(1, iv.by_unit_last_year.get(u, 1))
            )
            for key, iv in values.items()
            for u in units
        )
    out = {"rows": [], "units": campaign.units.count(), "targets": campaign.targets.count()}
    requests = [
        ("dashboard page", f"/campaigns/{campaign.pk}/"),
        ("figures API", f"/api/campaigns/{campaign.pk}"),
    ]
    for label, who in (("commander", commander), ("commune officer (Lê Chân)", officer)):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(who)
        for name, url in requests:
            for _ in range(2):
                status = client.get(url).status_code
                assert status == 200, (url, status)
            counted: list[str] = []

            def count(execute, sql, params, many, context, counted=counted):
                counted.append(sql)
                return execute(sql, params, many, context)

            with connection.execute_wrapper(count):
                client.get(url)
            times = []
            for _ in range(samples):
                t0 = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - t0) * 1000)
            stats = summary(times)
            out["rows"].append({"viewer": label, "request": name, **stats, "queries": len(counted)})
            print(
                f"{label:28} {name:16} p50 {stats['p50']:6.0f} p95 {stats['p95']:6.0f}",
                file=sys.stderr,
                flush=True,
            )
    return out


def child(db: Database, samples: int) -> dict:
    done = subprocess.run(
        [PYTHON, __file__, "--measure-only", "--samples", str(samples)],
        cwd=ROOT,
        env=db.env(),
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit("measurement failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(
    db: Database, size: int | None, times: dict, result: dict, loads: tuple[str, str], wall: float
) -> str:
    lines = [
        "# Campaign dashboard at scale",
        "",
        f"Run {dt.datetime.now(dt.UTC):%d/%m/%Y %H:%M} UTC by `benchmarks/campaign_dashboard.py` "
        f"({' '.join(a for a in sys.argv[1:] if '://' not in a)}), {wall / 60:.1f} min.",
        "",
        f"- Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Linux {platform.release()}, "
        f"Python {platform.python_version()}; load average {loads[0]} at the start, {loads[1]} at the end.",
        f"- Database: {db.kind}" + (f", {size:,} incidents built." if size else ", an existing database."),
        "- Build: " + (", ".join(f"{k} {v:.0f} s" for k, v in times.items()) if times else "none."),
        f"- Campaign: whole city, last 92 days, {result['units']} units, {result['targets']} targets.",
        "- Target (issue 11): p95 < 500 ms on PostgreSQL over 1,000,000 incidents.",
        "",
        "| viewer | request | p50 | p95 | p99 | max | samples | queries |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in result["rows"]:
        lines.append(
            f"| {r['viewer']} | {r['request']} | {r['p50']:.0f} | {r['p95']:.0f} | {r['p99']:.0f} | {r['max']:.0f} "
            f"| {r['n']} | {r['queries']} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: DATABASE_URL")
    parser.add_argument(
        "--create", action="store_true", help="create the database (refused if it exists) and build"
    )
    parser.add_argument(
        "--drop", action="store_true", help="drop the database at the end (only one this run created)"
    )
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=MIN_SAMPLES)
    parser.add_argument("--out", type=Path, help="results file; without it the table is only printed")
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_only:
        print(json.dumps(measure(args.samples)))
        return
    if args.samples < MIN_SAMPLES:
        print(f"warning: {args.samples} samples: p95/p99 need at least {MIN_SAMPLES}", file=sys.stderr)
    db = from_args(args.database_url)
    started = time.perf_counter()
    loads = [load_average()]
    times: dict[str, float] = {}
    try:
        if args.create:
            db.create()
            times = build(db, args.size)
        result = child(db, args.samples)
        loads.append(load_average())
        text = report(
            db,
            args.size if args.create else None,
            times,
            result,
            (loads[0], loads[1]),
            time.perf_counter() - started,
        )
        if args.out:
            args.out.write_text(text, encoding="utf-8")
        print(text)
    finally:
        if args.drop:
            db.drop()


if __name__ == "__main__":
    main()
