"""CompStat at scale (issue #4): the dashboard and its API with 1,000,000 incidents.

    .venv/bin/python benchmarks/compstat_scale.py --size 1000000 --database postgres
    .venv/bin/python benchmarks/compstat_scale.py --size 100000 --database sqlite --repeat 10
    .venv/bin/python benchmarks/compstat_scale.py --reuse ...     # keep an existing bench database

Method:

1. A fresh database (PostgreSQL: DROP/CREATE anninh_cs_bench; SQLite: a new file), migrated.
2. `manage.py records_generate --csv` writes N synthetic incidents (three years, 114 communes, the
   demo's mix of offences), imported with `manage.py import_incidents`; then
   `manage.py records_generate --incidents N/100` adds complete synthetic records (people, cases
   with their status history, crime reports, fire and rescue) so every panel has data.
   PostgreSQL then runs VACUUM ANALYZE, as autovacuum would.
3. The dashboard page returns the figures; its two charts (weekly series, calendar) load
   afterwards from /api/compstat/series, timed on its own row.
4. In one process with DEBUG off, a commander (whole city) and the officer of Phường Lê Chân
   (the densest ward) request the dashboard page and the summary API for several periods through
   Django's test client (middleware, session, templates: everything but the network). After two
   warm-up requests, each is repeated; p50 and p95 of the wall time are reported with the number
   of SQL queries of one request.

Incident counts over whole months come from `compstat_incidentmonth`, kept by database triggers
in the same transaction as every write (the import's COPY included, so its time is in the build
figures); the edge days of a period and everything else are grouped queries over the records. Times are wall-clock on a shared 2-core machine (load average in the
report); nothing here runs in the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
RESULTS = ROOT / "benchmarks" / "results" / "compstat-scale.md"
PG_URL = "postgres://postgres@127.0.0.1:5432/anninh_cs_bench"
COMPLETE_SEED = 1

REQUESTS = [
    ("dashboard, last week", "/compstat/?period=week"),
    ("dashboard, 28 days", "/compstat/?period=28d"),
    ("dashboard, month", "/compstat/?period=month"),
    ("dashboard, quarter", "/compstat/?period=quarter"),
    ("dashboard, year to date", "/compstat/?period=ytd"),
    ("dashboard, one commune, month", "/compstat/?period=month&commune=11383"),
    ("API summary, month", "/api/compstat/summary?period=month&series=false"),
    ("API summary, year to date", "/api/compstat/summary?period=ytd&series=false"),
    ("API series (charts, loaded after the page), month", "/api/compstat/series?period=month"),
]


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def run(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return time.perf_counter() - started


def environment(kind: str, workdir: Path) -> dict[str, str]:
    env = {**os.environ, "ANNINH_DEBUG": "0", "PYTHONWARNINGS": "ignore"}
    if kind == "sqlite":
        env["ANNINH_SQLITE_PATH"] = str(workdir / "compstat-bench.sqlite3")
        env.pop("DATABASE_URL", None)
    else:
        env["DATABASE_URL"] = PG_URL
    return env


def build(kind: str, size: int, env: dict[str, str], workdir: Path) -> dict[str, float]:
    if kind == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(env["ANNINH_SQLITE_PATH"] + suffix).unlink(missing_ok=True)
    else:
        for sql in ("DROP DATABASE IF EXISTS anninh_cs_bench", "CREATE DATABASE anninh_cs_bench"):
            subprocess.run(
                ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True, capture_output=True
            )
    times = {"migrate": run([PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"], env)}
    csv = workdir / f"incidents-{size}.csv"
    if not csv.exists():
        times["generate CSV"] = run(
            [
                PYTHON,
                "manage.py",
                "records_generate",
                "--incidents",
                str(size),
                "--csv",
                str(csv),
                "--no-progress",
            ],
            env,
        )
    times["import"] = run([PYTHON, "manage.py", "import_incidents", str(csv), "--unit", "PV01"], env)
    times["complete records"] = run(
        [
            PYTHON,
            "manage.py",
            "records_generate",
            "--incidents",
            str(max(size // 100, 1000)),
            # Another seed than the CSV's: the generator skips a seed already written.
            "--seed",
            str(COMPLETE_SEED),
            "--no-progress",
        ],
        env,
    )
    if kind == "postgres":
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "anninh_cs_bench", "-qc", "ANALYZE"],
            check=True,
        )
    return times


def measure(repeat: int) -> dict:
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anninh.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from anninh.records.models import Incident
    from anninh.testing.personas import make_user

    def user(name: str, role: str, unit: str):
        existing = get_user_model().objects.filter(username=name).first()
        return existing or make_user(name, role, unit_code=unit)

    commander = user("bench_commander", "commander", "CAHP")
    officer = user("bench_officer", "commune_officer", "CA11383")
    out = {"incidents": Incident.objects.count(), "rows": []}
    for label, user in (("commander", commander), ("commune officer (Lê Chân)", officer)):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        for name, url in REQUESTS:
            if "commune=" in url and user is officer:
                continue
            for _ in range(2):
                assert client.get(url).status_code == 200, url
            counted = []

            def count(execute, sql, params, many, context, counted=counted):
                counted.append(sql)
                return execute(sql, params, many, context)

            with connection.execute_wrapper(count):
                client.get(url)
            samples = []
            for _ in range(repeat):
                started = time.perf_counter()
                client.get(url)
                samples.append((time.perf_counter() - started) * 1000)
            samples.sort()
            p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
            out["rows"].append([label, name, statistics.median(samples), p95, len(counted), len(samples)])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="measure the existing bench database")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "anninh-compstat-bench")
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_only:
        print(json.dumps(measure(args.repeat)))
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    env = environment(args.database, args.workdir)
    load_start = load_average()
    times = {} if args.reuse else build(args.database, args.size, env, args.workdir)
    done = subprocess.run(
        [PYTHON, __file__, "--measure-only", "--repeat", str(args.repeat)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    result = json.loads(done.stdout.strip().splitlines()[-1])
    lines = [
        "# CompStat at scale",
        "",
        f"Run {dt.datetime.now(dt.UTC):%d/%m/%Y %H:%M} UTC by `benchmarks/compstat_scale.py` ({' '.join(sys.argv[1:])}).",
        "",
        f"- Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Linux {platform.release()}; "
        f"load average {load_start} at the start, {load_average()} at the end (shared machine: times are noisy).",
        f"- Database: {args.database}, {result['incidents']:,} incidents.",
        "- Build: " + ", ".join(f"{k} {v:.0f} s" for k, v in times.items())
        if times
        else "- Build: reused an existing database.",
        "- Target: dashboard p95 under 500 ms on PostgreSQL with 1,000,000 incidents.",
        "",
        "| viewer | request | p50 (ms) | p95 (ms) | queries | samples |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for viewer, name, p50, p95, queries, n in result["rows"]:
        lines.append(f"| {viewer} | {name} | {p50:.0f} | {p95:.0f} | {queries} | {n} |")
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
