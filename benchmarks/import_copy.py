"""The incident import against a plain PostgreSQL COPY of the same CSV (issue 15, item 3).

    .venv/bin/python benchmarks/import_copy.py --database-url postgres://postgres@127.0.0.1:5432/wt_copy_bench \
        --size 1000000 --out benchmarks/results/import-copy.md

Method, in one run:

1. The database named in --database-url (or DATABASE_URL) is created and migrated; the script
   refuses to start when it already exists, and drops only the database it created (at the
   end, unless --keep). Maintenance commands connect to `template1`.
2. `manage.py records_generate --csv` writes N synthetic incidents in the import format, into
   a private working folder (mktemp -d), unless --csv names a file.
3. Reference: `COPY ... FROM STDIN (FORMAT csv, HEADER)` of the same file's bytes, streamed by
   psycopg from this process as the import reads it, into an ordinary (logged) table with one
   typed column per CSV column (timestamps, floats, integers, booleans), committed; timed
   before and after the import, the table dropped each time.
4. `manage.py import_incidents FILE --unit PV01 --no-progress`: the wall time of the command
   (Python start-up included), new rows; then, unless --no-again, the same file again (every
   row unchanged: the idempotent path). The import takes the PostgreSQL COPY path
   (anninh.records.services.io_copy) unless ANNINH_IMPORT_COPY=0 is in the environment (the
   Python path, for a before/after comparison); the report says which path each import took.
5. Checks: the incident count is N, `audit_verify` passes, `compstat_aggregates` finds the
   monthly counts equal to a recount.

The ratio printed is the import's wall time over the mean of the two COPY times. Wall times
on a shared machine: the load average before and after is in the report. Nothing here runs in
the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SEED = 42

COPY_TABLE = "bench_copy_reference"
COPY_COLUMNS = """
    external_id text, kind text, occurred_from timestamptz, occurred_to timestamptz,
    reported_at timestamptz, commune_code text, address text, lat double precision,
    lon double precision, premises text, articles text, losses_vnd bigint, unit_code text,
    review_status text, synthetic boolean, narrative text"""
EXPECTED_HEADER = (
    "external_id,kind,occurred_from,occurred_to,reported_at,commune_code,address,lat,lon,"
    "premises,articles,losses_vnd,unit_code,review_status,synthetic,narrative"
)


def import_path(output: str) -> str:
    """The path the import command says it took ("import path: copy", or python and why)."""
    for line in output.splitlines():
        if line.startswith("import path: "):
            return line.removeprefix("import path: ").strip()
    return "path not reported"


def import_steps(output: str) -> list[tuple[str, float]]:
    """The fast path's steps and their seconds, as `import_incidents -v 2` prints them."""
    steps = []
    for line in output.splitlines():
        if line.startswith("  ") and line.endswith(" s") and ": " in line:
            name, _, seconds = line.strip().rpartition(": ")
            steps.append((name, float(seconds.removesuffix(" s"))))
    return steps


def uptime() -> str:
    done = subprocess.run(["uptime"], capture_output=True, text=True, check=False)
    return done.stdout.strip()


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def maintenance_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/template1"))


def database_name(url: str) -> str:
    name = urlsplit(url).path.lstrip("/")
    if not name or name in {"postgres", "template0", "template1", "test", "test_test"}:
        raise SystemExit(f"refusing to use the database {name!r}: name a database of your own")
    return name


def create_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = database_name(url)
    with psycopg.connect(maintenance_url(url), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            raise SystemExit(
                f"the database {name!r} exists: this script creates its own and drops only that one; "
                "name a database that does not exist"
            )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(maintenance_url(url), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(database_name(url))))


def manage(env: dict[str, str], *args: str) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(
            f"manage.py {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
        )
    return elapsed, done.stdout + done.stderr


def copy_reference(url: str, path: Path) -> tuple[float, int]:
    """Seconds to COPY the CSV into a typed table and commit; rows copied."""
    import psycopg

    with psycopg.connect(url) as conn:
        conn.execute("SET datestyle = 'ISO, DMY'")  # the file's dates are dd/mm/yyyy
        conn.execute("SET timezone = 'Asia/Ho_Chi_Minh'")
        conn.execute(f"DROP TABLE IF EXISTS {COPY_TABLE}")
        conn.execute(f"CREATE TABLE {COPY_TABLE} ({COPY_COLUMNS})")
        conn.commit()
        started = time.perf_counter()
        with (
            conn.cursor() as cursor,
            cursor.copy(f"COPY {COPY_TABLE} FROM STDIN (FORMAT csv, HEADER true)") as copy,
            path.open("rb") as f,
        ):
            while data := f.read(1 << 20):
                copy.write(data)
        conn.commit()
        elapsed = time.perf_counter() - started
        rows = conn.execute(f"SELECT count(*) FROM {COPY_TABLE}").fetchone()[0]  # noqa: S608 - constant
        conn.execute(f"DROP TABLE {COPY_TABLE}")
        conn.commit()
    return elapsed, rows


def versions(url: str) -> str:
    import django
    import psycopg

    with psycopg.connect(url) as conn:
        server = conn.execute("SELECT version()").fetchone()[0].split(" on ")[0]
    return f"Python {platform.python_version()}, Django {django.get_version()}, psycopg {psycopg.__version__}, {server}"


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Linux {platform.release()}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument(
        "--csv", type=Path, help="Import this file (in the import format) instead of generating one."
    )
    parser.add_argument("--out", type=Path, help="Write the report here (default: print only).")
    parser.add_argument("--no-again", action="store_true", help="Skip the second (idempotent) import.")
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    args = parser.parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("--database-url (or DATABASE_URL) must name a PostgreSQL database")
    url = args.database_url
    database_name(url)
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": "0"}
    work = Path(tempfile.mkdtemp(prefix="anninh-import-copy-"))
    started_at = dt.datetime.now(dt.UTC)
    load_before = load_average()
    create_database(url)
    try:
        seconds, _ = manage(env, "migrate", "--no-input", "-v", "0")
        print(f"migrated in {seconds:.1f} s", flush=True)
        path = args.csv
        generate = None
        if path is None:
            path = work / f"incidents-{args.size}.csv"
            generate, _ = manage(
                env, "records_generate", "--incidents", str(args.size), "--seed", str(SEED), "--csv", str(path),
                "--no-progress",
            )  # fmt: skip
            print(f"generated {path} in {generate:.1f} s", flush=True)
        header = path.open(encoding="utf-8-sig").readline().strip()
        if header != EXPECTED_HEADER:
            raise SystemExit(f"{path}: unexpected header {header!r}")
        copy_1, copied = copy_reference(url, path)
        print(f"COPY: {copied:,} rows in {copy_1:.2f} s (load {load_average()})", flush=True)
        load_import = load_average()
        imported, out = manage(
            env, "import_incidents", str(path), "--unit", "PV01", "--no-progress", "-v", "2"
        )
        summary_1 = out.strip().splitlines()[-1]
        path_1 = import_path(out)
        steps_1 = import_steps(out)
        print(f"import: {imported:.1f} s: {summary_1}", flush=True)
        again = summary_2 = path_2 = None
        if not args.no_again:
            again, out = manage(env, "import_incidents", str(path), "--unit", "PV01", "--no-progress")
            summary_2 = out.strip().splitlines()[-1]
            path_2 = import_path(out)
            print(f"import again: {again:.1f} s: {summary_2}", flush=True)
        copy_2, _ = copy_reference(url, path)
        print(f"COPY again: {copy_2:.2f} s (load {load_average()})", flush=True)
        import psycopg

        with psycopg.connect(url) as conn:
            incidents = conn.execute("SELECT count(*) FROM records_incident").fetchone()[0]
            audit_rows = conn.execute("SELECT count(*) FROM audit_auditevent").fetchone()[0]
            events = conn.execute("SELECT count(*) FROM records_recordevent").fetchone()[0]
        verify_s, verify_out = manage(env, "audit_verify")
        agg_s, agg_out = manage(env, "compstat_aggregates")
        server_versions = versions(url)
    finally:
        if not args.keep:
            drop_database(url)
        shutil.rmtree(work, ignore_errors=True)
    load_after = load_average()
    copy_mean = (copy_1 + copy_2) / 2
    ratio = imported / copy_mean
    lines = [
        "# Import against COPY",
        "",
        f"Run {started_at:%d/%m/%Y %H:%M} UTC by `benchmarks/import_copy.py` ({' '.join(sys.argv[1:])}).",
        "",
        f"- Machine: {machine()}. Shared: load average {load_before} at the start, {load_import} before the "
        f"import, {load_after} at the end (`uptime` at the end: {uptime()}).",
        f"- Import path: ANNINH_IMPORT_COPY={os.environ.get('ANNINH_IMPORT_COPY', '(unset: on)')}.",
        f"- Versions: {server_versions}.",
        "- Method: see the script's docstring (COPY of the same file into a typed table, before and after the "
        "import; the import is `manage.py import_incidents`, wall time with Python start-up).",
        "",
        "| step | rows | seconds | rows/s |",
        "|---|---:|---:|---:|",
    ]
    if generate is not None:
        lines.append(f"| generate the CSV | {args.size:,} | {generate:.1f} | {args.size / generate:,.0f} |")
    lines += [
        f"| COPY into a typed table (before) | {copied:,} | {copy_1:.2f} | {copied / copy_1:,.0f} |",
        f"| import, new rows | {incidents:,} | {imported:.1f} | {incidents / imported:,.0f} |",
    ]
    if again is not None:
        lines.append(
            f"| import again (all unchanged) | {incidents:,} | {again:.1f} | {incidents / again:,.0f} |"
        )
    lines += [
        f"| COPY into a typed table (after) | {copied:,} | {copy_2:.2f} | {copied / copy_2:,.0f} |",
        "",
        f"**Ratio: import / COPY = {imported:.1f} / {copy_mean:.2f} = {ratio:.1f}×** (target: 10×).",
        "",
        f"- First import ({path_1}): {summary_1}",
    ]
    if summary_2:
        lines.append(f"- Second import ({path_2}): {summary_2}")
    lines += [
        f"- After: {incidents:,} incidents, {events:,} timeline entries, {audit_rows:,} audit rows.",
    ]
    if steps_1:
        lines += [
            "- The first import's steps (`import_incidents -v 2`, seconds): "
            + "; ".join(f"{name} {seconds:.2f}" for name, seconds in steps_1)
            + "."
        ]
    lines += [
        f"- `audit_verify` ({verify_s:.1f} s): {verify_out.strip().splitlines()[-1] if verify_out.strip() else 'ok'}",
        f"- `compstat_aggregates` ({agg_s:.1f} s): "
        f"{agg_out.strip().splitlines()[-1] if agg_out.strip() else 'ok'}",
        "",
    ]
    report = "\n".join(lines)
    print(report)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(report, encoding="utf-8")
        print(f"written to {args.out}")


if __name__ == "__main__":
    main()
