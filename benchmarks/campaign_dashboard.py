"""The campaign dashboard for the whole city at scale (issue 11: p95 < 500 ms over 1,000,000
incidents on PostgreSQL).

    # build a new database (refused if it exists) with compstat_scale's builder, and measure
    .venv/bin/python benchmarks/campaign_dashboard.py --database-url postgres://postgres@127.0.0.1:5432/NAME \\
        --create --size 1000000 --out benchmarks/results/campaign-dashboard.md
    # reuse a database built already (e.g. a copy of compstat_scale's): migrate it to this code,
    # add the arrests, wanted notices and headcounts only if missing; nothing is deleted
    .venv/bin/python benchmarks/campaign_dashboard.py --database-url postgres://root@127.0.0.1:5432/COPY \
        --reuse --samples 50 --out benchmarks/results/campaign-dashboard.md
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
requests; p50/p95/p99 from benchmarks/_stats.py. A shared machine: the load average is written,
and the CPU time of each request, the client's and server's Python (time.process_time: they
share the process) and the PostgreSQL backend's (/proc/PID/stat of pg_backend_pid(), when
readable), so time spent waiting for a core shows as wall time above CPU time.
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
    return {**times, **enrich(db)}


def enrich(db: Database) -> dict[str, float]:
    """The demo's arrests and wanted notices (from the synthetic suspects) and the units'
    headcounts, each only if missing (both seeders skip what is there), then ANALYZE."""
    started = time.perf_counter()
    code = (
        "from anninh.enforcement.demo import enforcement_demo_seed; "
        "from anninh.campaigns.demo import _headcounts; print(enforcement_demo_seed(), _headcounts())"
    )
    run([PYTHON, "manage.py", "shell", "-c", code], db.env())
    times = {"arrests, wanted notices, headcounts (if missing)": time.perf_counter() - started}
    if db.kind == "postgres":
        db.psql("ANALYZE")
    return times


def reuse(db: Database) -> dict[str, float]:
    """An existing database, brought to this code: `migrate` (adds what this branch's
    migrations add; drops nothing) and `enrich`."""
    times = {"migrate": run([PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"], db.env())}
    return {**times, **enrich(db)}


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
    from anninh.records.models import Incident

    out = {
        "rows": [],
        "units": campaign.units.count(),
        "targets": campaign.targets.count(),
        "incidents": Incident.objects.unrestricted().count(),
    }
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
            backend = _backend_stat(connection)
            db_cpu0 = _cpu_ticks(backend)
            times, cpu = [], []
            for _ in range(samples):
                t0, c0 = time.perf_counter(), time.process_time()
                client.get(url)
                times.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.process_time() - c0) * 1000)
            db_cpu1 = _cpu_ticks(backend)
            stats = summary(times)
            db_ms = (
                (db_cpu1 - db_cpu0) * 1000 / os.sysconf("SC_CLK_TCK") / samples
                if db_cpu0 is not None and db_cpu1 is not None
                else None
            )
            out["rows"].append(
                {
                    "viewer": label,
                    "request": name,
                    **stats,
                    "queries": len(counted),
                    "cpu_p50": summary(cpu)["p50"],
                    "cpu_p95": summary(cpu)["p95"],
                    "db_cpu_mean": db_ms,
                }
            )
            print(
                f"{label:28} {name:16} p50 {stats['p50']:6.0f} p95 {stats['p95']:6.0f}",
                file=sys.stderr,
                flush=True,
            )
    return out


def _backend_stat(connection) -> Path | None:
    """/proc/PID/stat of this connection's PostgreSQL backend (same machine), if readable."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        path = Path(f"/proc/{cursor.fetchone()[0]}/stat")
    return path if _cpu_ticks(path) is not None else None


def _cpu_ticks(path: Path | None) -> int | None:
    """utime + stime of a process, in clock ticks."""
    if path is None:
        return None
    try:
        fields = path.read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])


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
        f"- Database: {db.kind} `{db.name}`, {result['incidents']:,} incidents"
        + (" (built by this run)." if size else " (an existing database)."),
        "- Build: " + (", ".join(f"{k} {v:.0f} s" for k, v in times.items()) if times else "none."),
        f"- Campaign: whole city, last 92 days, {result['units']} units, {result['targets']} targets.",
        "- Target (issue 11): p95 < 500 ms on PostgreSQL over 1,000,000 incidents.",
        "",
        "Milliseconds per request (wall); CPU: this process's (client and Django) p50/p95, and the",
        "PostgreSQL backend's mean per request.",
        "",
        "| viewer | request | p50 | p95 | p99 | max | CPU p50 | CPU p95 | DB CPU | samples | queries |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in result["rows"]:
        db_cpu = "?" if r.get("db_cpu_mean") is None else f"{r['db_cpu_mean']:.0f}"
        lines.append(
            f"| {r['viewer']} | {r['request']} | {r['p50']:.0f} | {r['p95']:.0f} | {r['p99']:.0f} | {r['max']:.0f} "
            f"| {r['cpu_p50']:.0f} | {r['cpu_p95']:.0f} | {db_cpu} | {r['n']} | {r['queries']} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: DATABASE_URL")
    parser.add_argument(
        "--create", action="store_true", help="create the database (refused if it exists) and build"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="an existing database: migrate it, add the arrests, wanted notices and headcounts if missing",
    )
    parser.add_argument(
        "--drop", action="store_true", help="drop the database at the end (only one this run created)"
    )
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=MIN_SAMPLES)
    parser.add_argument("--out", type=Path, help="results file; without it the table is only printed")
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.create and args.reuse:
        parser.error("--create builds a new database; --reuse takes an existing one: choose one")
    if args.reuse and args.drop:
        parser.error("--drop only drops a database this run created (--create)")
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
        elif args.reuse:
            times = reuse(db)
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
