"""An economic-crime investigation end to end (issue #9, item 9): from the files to the rings,
roles and totals, with every step timed.

    .venv/bin/python benchmarks/investigation_e2e.py --database-url sqlite:////tmp/NAME.sqlite3 \
        --create --drop --transactions 2000000 --out benchmarks/results/investigation-e2e.md
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/NAME .venv/bin/python \
        benchmarks/investigation_e2e.py --create --drop --transactions 100000 --out R.md

Target (issue #9): 2,000,000 transactions from import to rings, roles and totals in under
5 minutes on the 2-core machine, the graph steps alone under 60 seconds.

Method:

1. The database comes from --database-url or DATABASE_URL; `--create` makes a new one (refused
   if it exists) and `--drop` drops it at the end (only one this run created); it is migrated
   (not timed).
2. The library's generator (`anninh.network.generator.generate_case`) writes a case of N
   transactions (victims: N/100 unless --victims) as the files an investigation receives
   (`anninh.investigations.synthetic.case_files`: complaints, bank statement, account holders,
   company registry, call records) in a private folder (tempfile.mkdtemp).
3. A new investigation; each file goes through the app's import, `manage.py
   investigation_import CODE KIND FILE --no-progress` (one process per file: Python start-up
   included; wall time and the child's CPU time).
4. In this process: resolution (`resolution_run`: Splink on DuckDB, merges and review queue),
   then the analysis (`analysis_run`: loading the facts, the graph, roles, rings, tracing,
   totals, account score, storing the results). The library calls inside the analysis are
   timed one by one (wall and process CPU): they are "the graph steps".
5. The investigation's overview page (the totals, the maps' data) through Django's test client.
6. The totals against the generator's ground truth (distinct victims, money lost).

CPU time is user + system of this process (time.process_time) or of the child
(getrusage(RUSAGE_CHILDREN)); PostgreSQL's is that of every postgres process of the machine
during the step (`postgres_cpu`: the live ones and the ended ones the postmaster reaped), so
run it under the exclusive lock. The machine is shared: the load average at the start and the end
is in the report, and wall times then overstate what the code needs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))
from _db import from_args, load_average  # noqa: E402

PYTHON = sys.executable
KINDS = ("complaints", "bank_statement", "account_holders", "companies", "calls")


def postgres_cpu() -> float | None:
    """CPU seconds of every PostgreSQL process on this machine so far: the live ones (user +
    system) and those that ended (the postmaster's reaped children: a finished import's
    server process). None without a local PostgreSQL. Machine-wide: read it under the
    exclusive lock, when no other benchmark runs."""
    tick = os.sysconf("SC_CLK_TCK")
    total, found = 0, False
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
        except OSError:
            continue
        name, fields = stat[stat.index("(") + 1 : stat.rindex(")")], stat.rsplit(")", 1)[1].split()
        if name != "postgres":
            continue
        found = True
        total += int(fields[11]) + int(fields[12])  # utime, stime
        if _is_postmaster(proc):
            total += int(fields[13]) + int(fields[14])  # cutime, cstime: ended children
    return total / tick if found else None


def _is_postmaster(proc: Path) -> bool:
    try:
        return not (proc / "cmdline").read_bytes().startswith(b"postgres:")
    except OSError:
        return False


class Steps:
    def __init__(self):
        # name, wall, cpu, PostgreSQL cpu, note, graph
        self.rows: list[tuple[str, float, float, float | None, str, bool]] = []

    @contextmanager
    def timed(self, name: str, note: str = "", graph: bool = False):
        wall, cpu, server = time.perf_counter(), time.process_time(), postgres_cpu()
        box = {"note": note}
        yield box
        after = postgres_cpu()
        self.rows.append(
            (
                name,
                time.perf_counter() - wall,
                time.process_time() - cpu,
                None if server is None or after is None else after - server,
                box["note"],
                graph,
            )
        )

    def child(self, name: str, command: list[str], env: dict[str, str]) -> str:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall, server = time.perf_counter(), postgres_cpu()
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False, cwd=ROOT)
        elapsed = time.perf_counter() - wall
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        server_after = postgres_cpu()
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
        note = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
        server_cpu = None if server is None or server_after is None else server_after - server
        self.rows.append((name, elapsed, cpu, server_cpu, note, False))
        return done.stdout


def _instrument(steps: Steps) -> None:
    """Time the library calls the analysis makes (the graph steps), in place."""
    from anninh.investigations import analysis

    names = {
        "TransactionGraph": None,
        "network_roles": "roles with evidence",
        "rings": "rings (components over vetted links)",
        "network_trace": "tracing (proportional)",
        "network_totals": "totals",
        "score_accounts": "account score with reasons",
        "_by_commune": "victims by commune",
    }
    for attr, label in names.items():
        if attr == "TransactionGraph":
            cls = analysis.TransactionGraph
            original = cls.from_arrays

            def from_arrays(*args, _original=original, **kwargs):
                with steps.timed("account graph (ids → ints)", graph=True):
                    return _original(*args, **kwargs)

            analysis.TransactionGraph = type("TimedGraph", (), {"from_arrays": staticmethod(from_arrays)})
            continue
        original = getattr(analysis, attr)

        def wrapper(*args, _original=original, _label=label, **kwargs):
            with steps.timed(_label, graph=True):
                return _original(*args, **kwargs)

        setattr(analysis, attr, wrapper)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--create", action="store_true", help="create the database (refused if it exists)")
    parser.add_argument("--drop", action="store_true", help="drop it at the end (only if created here)")
    parser.add_argument("--transactions", type=int, default=2_000_000)
    parser.add_argument("--victims", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", help="write the results table here (else only printed)")
    args = parser.parse_args()
    db = from_args(args.database_url)
    victims = args.victims or max(100, args.transactions // 100)
    load_start, uptime_start = load_average(), _uptime()
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="investigation-e2e-"))
    if args.create:
        db.create()
    env = db.env()
    try:
        subprocess.run([PYTHON, "manage.py", "migrate", "-v", "0"], env=env, cwd=ROOT, check=True)
        for key in ("ANNINH_SQLITE_PATH", "DATABASE_URL", "ANNINH_DEBUG"):
            if key in env:
                os.environ[key] = env[key]
            else:
                os.environ.pop(key, None)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anninh.settings")
        import django

        django.setup()
        report = run(args, env, work, victims)
    finally:
        if args.drop and db.created:
            if "django" in sys.modules:  # this process's connection would keep PostgreSQL from dropping it
                from django.db import connections

                connections.close_all()
            db.drop()
        for f in sorted(work.glob("*"), reverse=True):
            f.unlink()
        work.rmdir()
    report = report.replace("{LOAD_END}", load_average()).replace("{UPTIME_END}", _uptime())
    report = report.replace("{LOAD_START}", load_start).replace("{UPTIME_START}", uptime_start)
    report = report.replace("{TOTAL}", f"{time.perf_counter() - started:,.0f}")
    report = report.replace(
        "{DB}", f"{db.kind} ({'created and dropped by the run' if args.drop else 'kept'})"
    )
    print(report)
    if args.out:
        Path(args.out).write_text(report, encoding="utf-8")
    return 0


def _uptime() -> str:
    # (Django sets TZ to the project's zone once set up: ask for UTC both times)
    done = subprocess.run(
        ["uptime"], capture_output=True, text=True, check=False, env={**os.environ, "TZ": "UTC"}
    )
    return done.stdout.strip()


def run(args, env, work: Path, victims: int) -> str:
    import pandas as pd
    from django.test import Client
    from django.utils import timezone

    from anninh.investigations.analysis import analysis_run
    from anninh.investigations.models import Investigation, Link
    from anninh.investigations.resolution import resolution_run
    from anninh.investigations.services import investigation_create
    from anninh.investigations.synthetic import case_files
    from anninh.network.generator import generate_case
    from anninh.org.models import Unit

    steps = Steps()
    with steps.timed("generate the case (not part of the target)") as box:
        case = generate_case(victims=victims, seed=args.seed, transactions=args.transactions)
        box["note"] = f"{len(case.transactions):,} transactions, {len(case.victims):,} complaints"
    with steps.timed("write the files (not part of the target)") as box:
        files = case_files(case, work)
        box["note"] = ", ".join(f"{k} {p.stat().st_size / 1e6:,.0f} MB" for k, p in files.items())
    code = f"E2E-{dt.datetime.now():%Y%m%d%H%M%S}"
    inv = investigation_create(
        actor=None,
        code=code,
        title="Benchmark (synthetic)",
        kind="chuyen_an",
        unit=Unit.objects.order_by("id").first(),
        opened_on=timezone.localdate(),
        is_synthetic=True,
    )
    for kind in KINDS:
        steps.child(
            f"import {kind}",
            [
                PYTHON,
                "manage.py",
                "investigation_import",
                code,
                kind,
                str(files[kind]),
                "--no-progress",
                "--show",
                "5",
            ],
            env,
        )
    with steps.timed("resolution (Splink on DuckDB, merges, review queue)") as box:
        counts = resolution_run(actor=None, investigation=inv)
        box["note"] = f"merged {counts['merged']}, to review {counts['queued']}, leads {counts['leads']}"
    _instrument(steps)
    with steps.timed("analysis, all of it (load facts, graph steps, store)") as box:
        run = analysis_run(actor=None, investigation=Investigation.objects.unrestricted().get(pk=inv.pk))
        results = run.results
        box["note"] = f"{len(results.get('rings', []))} rings"
    with steps.timed("overview page with the totals (test client)") as box:
        from anninh.accounts.roles import Role
        from anninh.investigations.models import TeamMember
        from anninh.testing.personas import make_user

        user = make_user(f"e2e_{code.lower()}", Role.INVESTIGATOR, unit_code="PC03")
        if user is not None:
            TeamMember.objects.get_or_create(investigation=inv, user=user)
            from django.test.utils import override_settings

            client = Client()
            client.force_login(user)
            with override_settings(ALLOWED_HOSTS=["testserver"]):
                response = client.get(f"/investigations/{inv.pk}/")
            box["note"] = f"HTTP {response.status_code}, {len(response.content) / 1e3:,.0f} kB"
        else:
            box["note"] = "no user with a unit: skipped"
    totals = results.get("totals", {})
    truth = case.truth
    found_victims = totals.get("distinct_victims", {}).get("value")
    found_lost = totals.get("lost", {}).get("value")
    true_lost = float(truth.money_lost.sum())
    links = Link.objects.unrestricted().filter(investigation=inv).count()
    return _report(
        args, steps, victims, found_victims, truth.distinct_victims, found_lost, true_lost, links, pd
    )


def _report(args, steps, victims, found_victims, true_victims, found_lost, true_lost, links, pd) -> str:
    import django
    import networkit
    import splink

    rows = steps.rows
    target = [r for r in rows if "not part of the target" not in r[0] and not r[5]]
    graph = [r for r in rows if r[5]]
    lines = [
        "# Investigation end to end (issue #9, item 9)",
        "",
        f"Run {dt.datetime.now(dt.UTC):%d/%m/%Y %H:%M} UTC on {platform.node()} ({os.cpu_count()} cores, shared), "
        f"Python {platform.python_version()}, Django {django.get_version()}, networkit {networkit.__version__}, "
        f"Splink {splink.__version__}, database {{DB}}. Whole run {{TOTAL}} s.",
        "",
        f"Case: {args.transactions:,} transactions, {victims:,} victims asked of the generator (seed {args.seed}); "
        f"{links:,} links stored.",
        "",
        "Load average (1, 5, 15 min) at the start {LOAD_START}, at the end {LOAD_END}.",
        "",
        "`uptime` before: `{UPTIME_START}`; after: `{UPTIME_END}`.",
        "",
        "| step | wall s | CPU s (ours) | CPU s (PostgreSQL) | result |",
        "|---|---:|---:|---:|---|",
    ]
    for name, wall, cpu, server, note, is_graph in rows:
        server_text = "n/a" if server is None else f"{server:,.2f}"
        lines.append(
            f"| {'  ↳ ' if is_graph else ''}{name} | {wall:,.2f} | {cpu:,.2f} | {server_text} | {note} |"
        )
    t_wall = sum(r[1] for r in target)
    t_cpu = sum(r[2] for r in target)
    t_server = sum(r[3] or 0.0 for r in target)
    g_wall = sum(r[1] for r in graph)
    g_cpu = sum(r[2] for r in graph)
    lines += [
        "",
        f"**Import to rings, roles and totals (imports, resolution, analysis, overview page): "
        f"{t_wall:,.1f} s wall, {t_cpu:,.1f} s CPU in our processes and {t_server:,.1f} s in "
        f"PostgreSQL** (target: under 300 s of wall time).",
        "",
        f"**Graph steps (↳ rows, inside the analysis): {g_wall:,.1f} s wall, {g_cpu:,.1f} s CPU** (target: under 60 s).",
        "",
        f"Totals against the generator's ground truth: distinct victims {found_victims:,} (truth {true_victims:,}); "
        f"money lost {found_lost:,.0f} đồng (truth {true_lost:,.0f}): "
        f"**{'equal' if found_victims == true_victims and abs((found_lost or 0) - true_lost) < 1 else 'NOT equal'}**.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
