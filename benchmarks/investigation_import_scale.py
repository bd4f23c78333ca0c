"""The bank-statement import of an investigation at scale (issue #9, item 9): the client's and
PostgreSQL's CPU time per 100,000 rows, to project the 2,000,000-transaction case.

    DATABASE_URL=postgres://USER@127.0.0.1:5432/NAME .venv/bin/python \
        benchmarks/investigation_import_scale.py --create --drop --transactions 500000 --out R.md

Method: the generator's case of N transactions written as its files (not timed); a new
investigation; the complaint list, then the bank statement imported in this process through
`material_import` (dry_run=False: one transaction, COPY on PostgreSQL). Timed: wall, this
process's CPU (time.process_time) and, on a PostgreSQL on this machine, the CPU of the server
process serving this connection (utime + stime of /proc/<pg_backend_pid()>/stat), which the
client's CPU does not include. The machine is shared: the load average is reported.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))
from _db import from_args, load_average  # noqa: E402


def _server_cpu() -> float | None:
    """CPU seconds of the PostgreSQL process serving this connection (None if not readable)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--create", action="store_true")
    parser.add_argument("--drop", action="store_true")
    parser.add_argument("--transactions", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out")
    args = parser.parse_args()
    db = from_args(args.database_url)
    load_start = load_average()
    work = Path(tempfile.mkdtemp(prefix="investigation-import-"))
    if args.create:
        db.create()
    env = db.env()
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], env=env, cwd=ROOT, check=True)
        for key in ("ANNINH_SQLITE_PATH", "DATABASE_URL", "ANNINH_DEBUG"):
            if key in env:
                os.environ[key] = env[key]
            else:
                os.environ.pop(key, None)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anninh.settings")
        import django

        django.setup()
        report = run(args, work, db)
    finally:
        if args.drop and db.created:
            from django.db import connections

            connections.close_all()
            db.drop()
        for f in sorted(work.glob("*"), reverse=True):
            f.unlink()
        work.rmdir()
    report = report.replace("{LOAD_START}", load_start).replace("{LOAD_END}", load_average())
    print(report)
    if args.out:
        Path(args.out).write_text(report, encoding="utf-8")
    return 0


def run(args, work: Path, db) -> str:
    import django
    from django.utils import timezone

    from anninh.investigations.ingest import material_import
    from anninh.investigations.services import investigation_create
    from anninh.investigations.synthetic import case_files
    from anninh.network.generator import generate_case
    from anninh.org.models import Unit

    case = generate_case(
        victims=max(100, args.transactions // 100), seed=args.seed, transactions=args.transactions
    )
    files = case_files(case, work)
    inv = investigation_create(
        actor=None,
        code=f"SCALE-{dt.datetime.now():%Y%m%d%H%M%S}",
        title="Benchmark (synthetic)",
        kind="chuyen_an",
        unit=Unit.objects.order_by("id").first(),
        opened_on=timezone.localdate(),
        is_synthetic=True,
    )
    rows = []
    for kind in ("complaints", "bank_statement"):
        server, wall, cpu = _server_cpu(), time.perf_counter(), time.process_time()
        result = material_import(actor=None, investigation=inv, kind=kind, path=files[kind], dry_run=False)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        after = _server_cpu()
        server_cpu = None if server is None or after is None else after - server
        if not result.ok:
            raise SystemExit(f"{kind}: {[p.as_dict() for p in result.problems[:5]]}")
        rows.append((kind, result.rows, result.links_new, wall, cpu, server_cpu))
    lines = [
        "# Investigation import at scale (issue #9, item 9)",
        "",
        f"Run {dt.datetime.now(dt.UTC):%d/%m/%Y %H:%M} UTC, {os.cpu_count()} cores (shared), Django "
        f"{django.get_version()}, database {db.kind}. {args.transactions:,} transactions (seed {args.seed}).",
        "",
        "Load average (1, 5, 15 min) at the start {LOAD_START}, at the end {LOAD_END}.",
        "",
        "| file | rows | new links | wall s | client CPU s | server CPU s | CPU s per 100,000 rows |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, n, links, wall, cpu, server_cpu in rows:
        total = cpu + (server_cpu or 0.0)
        server_text = "n/a" if server_cpu is None else f"{server_cpu:,.2f}"
        lines.append(
            f"| {kind} | {n:,} | {links:,} | {wall:,.2f} | {cpu:,.2f} | {server_text} | {total / n * 1e5:,.2f} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
