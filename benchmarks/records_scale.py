"""Scale of the records system (shared/benchmarks.md §2): bulk import, the incident list and
the incidents API with 100,000 and 1,000,000 synthetic incidents, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/records_scale.py --database-url postgres://postgres@127.0.0.1:5432/NAME \
        --out benchmarks/results/records-scale.md          # both sizes, both databases
    .venv/bin/python benchmarks/records_scale.py --sizes 100000 --databases sqlite --repeat 50

The PostgreSQL databases are NAME_<size> (NAME from --database-url or DATABASE_URL), created by
the run (refused if one exists: it may be someone else's) and dropped at its end unless --keep;
a database the run did not create is never dropped. SQLite files, the CSV and every other
working file go to a private folder (tempfile.mkdtemp). The table is written only to --out (or
to benchmarks/results/records-scale.md with --save). Percentiles: benchmarks/_stats.py.

Method, for each database and size:

1. A new database (SQLite: a new file; PostgreSQL: CREATE DATABASE NAME_<size>), migrated.
2. The demo generator (anninh.records.services.io_synthetic) writes N synthetic incidents as a
   CSV in the import format, once per size.
3. `manage.py import_incidents FILE --unit PV01` imports it (wall time of the command, which
   includes Python start-up); then the same file again (every row unchanged: the idempotent
   path). PostgreSQL then runs ANALYZE, as autovacuum would.
4. In one Python process with DEBUG off: a commander (whole city) and a commune officer of
   Phường Lê Chân (the densest ward, so the largest commune list) request the incident list
   page and the API list endpoint (/api/records/incidents) with several filters through
   Django's test client (middleware, session, templates: everything but the network).
   After warm-up requests, each is repeated; p50, p95 and p99 of the wall time are reported, and
   the SQL queries of one request are counted.
5. For the smaller size, `manage.py records_generate` also writes N/10 complete synthetic
   records (people, cases, crime reports, fire and rescue) to time the demo generator.

Times are wall-clock on a shared machine: the load average at the start and the end is in the
report. Nothing here runs in the test suite (no test asserts a time).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from _db import Database, from_args  # noqa: E402
from _db import load_average as load_average  # noqa: E402
from _stats import MIN_SAMPLES, summary  # noqa: E402

PYTHON = sys.executable
RESULTS = ROOT / "benchmarks" / "results" / "records-scale.md"
SEED = 42

# (label, path) of the requests timed for each viewer.
LIST_REQUESTS = [
    ("list, no filter", "/records/incidents/"),
    ("list, one commune", "/records/incidents/?commune=11383"),
    ("list, crimes in Q1 2025", "/records/incidents/?kind=crime&date_from=01/01/2025&date_to=31/03/2025"),
    ("list, article 173", "/records/incidents/?article=173"),
    ("list, page 20", "/records/incidents/?page=20"),
    ("list, text search", "/records/incidents/?q=xe+m%C3%A1y"),
    ("API, no filter", "/api/records/incidents?limit=50"),
    ("API, one commune", "/api/records/incidents?commune=11383&limit=50"),
    (
        "API, crimes in Q1 2025",
        "/api/records/incidents?kind=crime&date_from=01/01/2025&date_to=31/03/2025&limit=50",
    ),
    ("API, offset 1000", "/api/records/incidents?limit=50&offset=1000"),
    ("API, article 173", "/api/records/incidents?article=173&limit=50"),
    ("API, text search", "/api/records/incidents?q=xe+m%C3%A1y&limit=50"),
]


CPU: dict[str, float] = {}  # CPU seconds (user + system) of the last command, with its children


def run(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU["last"] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return elapsed, done.stdout + done.stderr


def manage(*args: str, env: dict[str, str]) -> tuple[float, str]:
    return run([PYTHON, "manage.py", *args], env)


def fresh_database(kind: str, size: int, workdir: Path, base: Database | None, created: list) -> Database:
    if kind == "sqlite":
        db = Database(f"sqlite:///{workdir}/bench-{size}.sqlite3")
    else:
        assert base is not None
        url = base.url.rsplit("/", 1)[0] + f"/{base.name}_{size}"
        db = Database(url)
    db.create()  # refused if it exists
    created.append(db)
    manage("migrate", "--no-input", "-v", "0", env=db.env())
    return db


# In the measuring process -------------------------------------------------------------------


def measure(repeat: int) -> None:
    """Runs inside a Django process: prints one JSON object with every request's timings."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anninh.settings")
    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from anninh.accounts.roles import Role
    from anninh.records.models import Incident
    from anninh.testing.personas import make_user

    def user(name: str, role: str, unit_code: str):
        return get_user_model().objects.filter(username=name).first() or make_user(
            name, role, unit_code=unit_code
        )

    users = {
        "commander": user("bench_commander", Role.COMMANDER, "CAHP"),
        "commune officer (Lê Chân)": user("bench_officer", Role.COMMUNE_OFFICER, "CA11383"),
    }
    out: dict = {"incidents": Incident.objects.count(), "results": []}
    for who, user in users.items():
        client = Client(SERVER_NAME="localhost")
        client.force_login(user)
        for label, path in LIST_REQUESTS:
            for _ in range(2):  # warm-up: caches, prepared plans, the page's templates
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code)
            with CaptureQueriesContext(connection) as captured:
                client.get(path)
            queries = len(captured)  # now: the log is emptied at the next request
            times: list[float] = []
            for _ in range(repeat):
                started = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
            stats = summary(times)
            out["results"].append(
                {
                    "viewer": who,
                    "request": label,
                    "path": path,
                    "samples": stats["n"],
                    "p50": stats["p50"],
                    "p95": stats["p95"],
                    "p99": stats["p99"],
                    "queries": queries,
                }
            )
    print("RESULT " + json.dumps(out))


# The report ---------------------------------------------------------------------------------


def versions(env_pg: bool) -> dict[str, str]:
    import sqlite3

    info = {
        "Python": platform.python_version(),
        "SQLite": sqlite3.sqlite_version,
    }
    from importlib.metadata import version

    for package in ("Django", "django-ninja", "psycopg", "openpyxl", "shapely", "numpy"):
        info[package] = version(package)
    if env_pg:
        done = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", "SHOW server_version"],
            capture_output=True,
            text=True,
            check=False,
        )
        info["PostgreSQL"] = done.stdout.strip() or "?"
    return info


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem_kb = int(
            next(
                line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
            ).split()[1]
        )
        mem = f"{mem_kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, StopIteration):
        mem = "? RAM"
    return f"{cpu}, {os.cpu_count()} cores, {mem}, {platform.system()} {platform.release()}"


def fmt_s(seconds: float) -> str:
    return f"{seconds:.1f} s"


def write_report(rows: list[dict], meta: dict, path: Path) -> str:
    lines = [
        "# Records at scale",
        "",
        f"Run {meta['date']} by `benchmarks/records_scale.py` ({' '.join(meta['argv'])}).",
        "",
        f"- Machine: {meta['machine']}. Shared with other work: load average {meta['load_start']} at the start, "
        f"{meta['load_end']} at the end (2 cores), so the times are pessimistic and noisy.",
        "- Versions: " + ", ".join(f"{k} {v}" for k, v in meta["versions"].items()) + ".",
        "- Method: see the script's docstring. Import times are the wall time of `manage.py import_incidents` "
        "(Python start-up included) on a fresh, migrated database; request times are wall times through "
        "Django's test client in one process with DEBUG off (p50/p95/p99 after warm-up); queries are counted on "
        "one request.",
        "",
        "## Import and generation",
        "",
        "| database | incidents | generate CSV | import (new rows) | rows/s | import CPU (client) | load avg | "
        "import again (all unchanged) | full synthetic records |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['database']} | {row['size']:,} | {fmt_s(row['generate'])} | {fmt_s(row['import'])} | "
            f"{row['size'] / row['import']:,.0f} | {fmt_s(row['import_cpu'])} | {row['import_load'].split()[0]} | "
            f"{fmt_s(row['reimport'])} | {row.get('records_generate', '—')} |"
        )
    lines += [
        "",
        "Target: 1,000,000 rows in under 3 minutes.",
        "",
        "## Incident list and API (ms)",
        "",
        "| database | incidents | viewer | request | p50 | p95 | p99 | queries | samples |",
        "|---|---:|---|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        for r in row["requests"]:
            lines.append(
                f"| {row['database']} | {row['size']:,} | {r['viewer']} | {r['request']} | {r['p50']:.0f} | "
                f"{r['p95']:.0f} | {r['p99']:.0f} | {r['queries']} | {r['samples']} |"
            )
    lines += [
        "",
        "Target: p95 under 300 ms on PostgreSQL with 1,000,000 incidents, a constant number of queries per page.",
        "",
    ]
    lines += meta.get("notes", [])
    text = "\n".join(lines) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return text


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument(
        "--databases", nargs="+", choices=["sqlite", "postgres"], default=["sqlite", "postgres"]
    )
    parser.add_argument("--repeat", type=int, default=MIN_SAMPLES)
    parser.add_argument("--database-url", help="PostgreSQL server and base name (default: DATABASE_URL)")
    parser.add_argument("--keep", action="store_true", help="keep the databases this run created")
    parser.add_argument("--out", type=Path, help="results file; without it (or --save) only printed")
    parser.add_argument("--save", action="store_true", help="write to benchmarks/results/records-scale.md")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.repeat)
        return

    out_path = args.out or (RESULTS if args.save else None)
    base = from_args(args.database_url) if "postgres" in args.databases else None
    if base is not None and base.kind != "postgres":
        raise SystemExit("--database-url must be a postgres:// URL when measuring PostgreSQL")
    args.workdir = Path(tempfile.mkdtemp(prefix="anninh-records-bench-"))  # private (0700)
    created: list[Database] = []
    try:
        run_all(args, base, created, out_path)
    finally:
        if not args.keep:
            for db in created:
                db.drop()  # only databases this run created


def run_all(args, base: Database | None, created: list, out_path: Path | None) -> None:
    meta = {
        "date": dt.datetime.now().astimezone().strftime("%d/%m/%Y %H:%M %Z"),
        "argv": ["benchmarks/records_scale.py", *sys.argv[1:]],
        "machine": machine(),
        "versions": versions("postgres" in args.databases),
        "load_start": load_average(),
    }
    rows: list[dict] = []
    csv_files: dict[int, tuple[Path, float]] = {}
    for size in args.sizes:
        for kind in args.databases:
            print(f"== {kind}, {size:,} incidents", flush=True)
            db = fresh_database(kind, size, args.workdir, base, created)
            env = db.env()
            if size not in csv_files:
                path = args.workdir / f"incidents-{size}.csv"
                seconds, _ = manage(
                    "records_generate",
                    "--incidents",
                    str(size),
                    "--seed",
                    str(SEED),
                    "--csv",
                    str(path),
                    "--no-progress",
                    env=env,
                )
                csv_files[size] = (path, seconds)
                print(f"   generated CSV in {seconds:.1f} s", flush=True)
            path, generate = csv_files[size]
            load = load_average()
            first, out = manage("import_incidents", str(path), "--unit", "PV01", "--no-progress", env=env)
            first_cpu = CPU["last"]
            print(
                f"   import {first:.1f} s (CPU {first_cpu:.0f} s, load {load}): {out.strip().splitlines()[-1]}",
                flush=True,
            )
            again, out = manage("import_incidents", str(path), "--unit", "PV01", "--no-progress", env=env)
            print(f"   import again {again:.1f} s: {out.strip().splitlines()[-1]}", flush=True)
            if kind == "postgres":
                db.psql("VACUUM ANALYZE")  # what autovacuum does after a large insert
            _, out = run(
                [PYTHON, str(Path(__file__).resolve()), "--measure", "--repeat", str(args.repeat)], env
            )
            measured = json.loads(next(line for line in out.splitlines() if line.startswith("RESULT "))[7:])
            row = {
                "database": kind,
                "size": size,
                "generate": generate,
                "import": first,
                "import_cpu": first_cpu,
                "import_load": load,
                "reimport": again,
                "requests": measured["results"],
            }
            for r in measured["results"]:
                print(
                    f"   {r['viewer']:28} {r['request']:28} p50 {r['p50']:7.0f} ms  p95 {r['p95']:7.0f} ms  "
                    f"{r['queries']} queries",
                    flush=True,
                )
            if size == min(args.sizes):
                extra = max(size // 10, 1000)
                seconds, _ = manage(
                    "records_generate", "--incidents", str(extra), "--seed", "7", "--no-progress", env=env
                )
                row["records_generate"] = f"{extra:,} in {seconds:.1f} s"
                print(f"   records_generate {extra:,}: {seconds:.1f} s", flush=True)
            rows.append(row)
    meta["load_end"] = load_average()
    print(write_report(rows, meta, out_path or args.workdir / "records-scale.md"))


if __name__ == "__main__":
    main()
