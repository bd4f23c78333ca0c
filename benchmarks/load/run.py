"""A bounded load run on loopback: gunicorn (deploy/gunicorn.conf.py) on the database of
--database-url, locust headless for a fixed time with fixed users, then the write check.

    python benchmarks/load/run.py --database-url postgres://postgres@127.0.0.1:5432/anninh_load \\
        --duration 600 --out benchmarks/results/load-postgres.md
    python benchmarks/load/run.py --database-url sqlite:////tmp/x/anninh.sqlite3 --duration 600 \\
        --out benchmarks/results/load-sqlite.md
    python benchmarks/load/run.py ... --fault pg-restart --fault-at 60 --duration 150   # §15

The database must hold the demo data (`--seed` runs migrate and `ANNINH_DEMO=1 demo_seed` on an
empty one). Writes only to --out (and a private working folder made with mkdtemp, kept for the
logs and named in the output). Needs locust (requirements/bench.txt) in its own environment:
--locust PATH or $LOCUST (default /tmp/anninh-bench/bin/locust).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from _stats import percentile  # noqa: E402

PY = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def db_env(url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env.pop("ANNINH_SQLITE_PATH", None)
    if url.startswith("sqlite:"):
        env["ANNINH_SQLITE_PATH"] = urlparse(url).path
    else:
        host = urlparse(url).hostname
        if host not in {"127.0.0.1", "localhost", "::1"}:
            raise SystemExit(f"loopback databases only, not {host!r}")
        env["DATABASE_URL"] = url
    # A production-shaped server: DEBUG off (no query log kept in memory), no demo banner.
    env["ANNINH_DEBUG"] = "0"
    env.pop("ANNINH_DEMO", None)
    return env


def manage(env, *args, **kwargs):
    return subprocess.run([PY, str(ROOT / "manage.py"), *args], env=env, check=True, cwd=ROOT, **kwargs)


def wait_up(base: str, timeout: float = 120) -> None:
    end = time.time() + timeout
    while time.time() < end:
        try:
            with urllib.request.urlopen(base + "/accounts/login/", timeout=5) as r:  # noqa: S310 - loopback
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the server did not start; see the error log in the working folder")


BASELINE = {
    "commander: incident list": "/api/records/incidents?limit=50",
    "commander: crime report list": "/api/records/reports?limit=50",
    "commander: CompStat summary": "/api/compstat/summary?period=28d&series=false",
    "commander: CompStat series": "/api/compstat/series?period=week",
    "commander: incident map": "/api/records/incidents/map",
}


def baseline(base: str, token: str, repeat: int = 5) -> dict[str, float]:
    """Each read alone, one after the other, before the load: the median in ms. On a shared
    machine this says how much of a latency under load is the load's doing."""
    out = {}
    for name, path in BASELINE.items():
        times = []
        for _ in range(repeat):
            req = urllib.request.Request(base + path, headers={"Authorization": f"Bearer {token}"})  # noqa: S310
            t = time.perf_counter()
            with urllib.request.urlopen(req, timeout=120) as r:  # noqa: S310 - loopback
                r.read()
            times.append((time.perf_counter() - t) * 1000)
        out[name] = percentile(times, 50)
    return out


def worker_pids(master: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout
    return [int(x) for x in out.split()]


def inject(kind: str, at: float, master: int, log: list[str], t0: float, repeat: int) -> None:
    time.sleep(at)
    for i in range(repeat):
        stamp = f"t={time.time() - t0:.1f}s"
        if kind == "pg-restart":
            # Once, and back at once: other sessions on this machine use the same server.
            started = time.time()
            r = subprocess.run(["pg_ctlcluster", "15", "main", "restart"], capture_output=True, text=True)
            log.append(
                f"{stamp}: pg_ctlcluster 15 main restart -> rc {r.returncode} in {time.time() - started:.1f}s"
            )
        elif kind == "worker-kill":
            pids = worker_pids(master)
            if pids:
                os.kill(pids[0], signal.SIGKILL)
                log.append(f"{stamp}: SIGKILL gunicorn worker {pids[0]}")
        if i + 1 < repeat:
            time.sleep(10)


def read_stats(prefix: Path) -> list[dict]:
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def read_failures(prefix: Path) -> list[dict]:
    p = Path(f"{prefix}_failures.csv")
    if not p.exists():
        return []
    with open(p, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def versions(env) -> dict[str, str]:
    code = (
        "import django, sqlite3, gunicorn; from django.db import connection; import anninh.settings;"
        "django.setup(); c = connection.cursor();"
        "v = (c.execute('select version()') or c).fetchone()[0] if connection.vendor == 'postgresql' "
        "else 'SQLite ' + sqlite3.sqlite_version;"
        "print(django.get_version(), gunicorn.__version__, v.split(' on ')[0], sep='|')"
    )
    out = subprocess.run(
        [PY, "-c", code],
        env={**env, "DJANGO_SETTINGS_MODULE": "anninh.settings"},
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    django_v, gunicorn_v, db_v = [*out.stdout.strip().split("|"), "?", "?", "?"][:3]
    return {"python": platform.python_version(), "django": django_v, "gunicorn": gunicorn_v, "database": db_v}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    ap.add_argument("--out", required=True, help="the Markdown results file")
    ap.add_argument("--title", default="")
    ap.add_argument("--seed", action="store_true", help="migrate and load the demo data first")
    ap.add_argument("--officers", type=int, default=50)
    ap.add_argument("--commanders", type=int, default=20)
    ap.add_argument("--duration", type=int, default=600, help="seconds (at most 1800)")
    ap.add_argument("--spawn-rate", type=float, default=10)
    ap.add_argument(
        "--officer-wait", default="1,5", help="think time between an officer's requests, min,max s"
    )
    ap.add_argument("--commander-wait", default="2,6")
    ap.add_argument("--workers", type=int, default=0, help="gunicorn workers (0: the config's default)")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--fault", choices=["none", "pg-restart", "worker-kill"], default="none")
    ap.add_argument("--fault-at", type=float, default=60)
    ap.add_argument("--fault-repeat", type=int, default=1)
    ap.add_argument("--locust", default=os.environ.get("LOCUST", "/tmp/anninh-bench/bin/locust"))  # noqa: S108
    args = ap.parse_args()
    if not args.database_url:
        raise SystemExit("--database-url (or DATABASE_URL) is required: postgres://... or sqlite:////path")
    if not 10 <= args.duration <= 1800:
        raise SystemExit("--duration must be 10 to 1800 seconds")

    work = Path(tempfile.mkdtemp(prefix="anninh-load-"))
    env = db_env(args.database_url)
    if args.seed:
        manage(env, "migrate", "--no-input", "-v0")
        manage({**env, "ANNINH_DEMO": "1"}, "demo_seed")
    subprocess.run(
        [PY, str(HERE / "prepare.py"), "--officers", str(args.officers), "--commanders", str(args.commanders),
         "--out", str(work / "users.json")],
        env=env, check=True, cwd=ROOT,
    )  # fmt: skip

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    gargs = [str(Path(PY).parent / "gunicorn"), "-c", str(ROOT / "deploy/gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}",
             "--access-logfile", str(work / "access.log"), "--error-logfile", str(work / "error.log")]  # fmt: skip
    if args.workers:
        gargs += ["--workers", str(args.workers)]
    if args.threads:
        gargs += ["--threads", str(args.threads)]
    server = subprocess.Popen(gargs, env=env, cwd=ROOT)
    faults: list[str] = []
    load_before = os.getloadavg()
    try:
        wait_up(base)
        workers = len(worker_pids(server.pid))
        users = json.loads((work / "users.json").read_text(encoding="utf-8"))
        # Warm every worker up once (each loads the geometry lazily), then measure alone.
        baseline(base, users["commanders"][0]["token"], repeat=workers)
        alone = baseline(base, users["commanders"][0]["token"])
        t0 = time.time()
        if args.fault != "none":
            threading.Thread(
                target=inject,
                args=(args.fault, args.fault_at, server.pid, faults, t0, args.fault_repeat),
                daemon=True,
            ).start()
        lenv = {
            **os.environ,
            "LOAD_USERS": str(work / "users.json"),
            "LOAD_ACKS": str(work / "acks.jsonl"),
            "LOAD_OFFICER_WAIT": args.officer_wait,
            "LOAD_COMMANDER_WAIT": args.commander_wait,
            "LOAD_OFFICERS": str(args.officers),
            "LOAD_COMMANDERS": str(args.commanders),
        }
        subprocess.run(
            [args.locust, "-f", str(HERE / "locustfile.py"), "--headless", "--host", base,
             "-u", str(args.officers + args.commanders), "-r", str(args.spawn_rate), "-t", f"{args.duration}s",
             "--stop-timeout", "15", "--csv", str(work / "locust"), "--only-summary", "--loglevel", "WARNING"],
            env=lenv, cwd=work, timeout=args.duration + 300,
        )  # fmt: skip
        elapsed = time.time() - t0
    finally:
        load_after = os.getloadavg()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
    Path(work / "acks.jsonl").touch()
    verify = subprocess.run(
        [PY, str(HERE / "verify.py"), "--acks", str(work / "acks.jsonl"), "--out", str(work / "verify.json")],
        env=env, cwd=ROOT,
    )  # fmt: skip
    check = json.loads((work / "verify.json").read_text(encoding="utf-8"))
    stats = read_stats(work / "locust")
    failures = read_failures(work / "locust")
    statuses: dict[str, int] = {}
    for line in (work / "access.log").read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split('"')
        if len(parts) >= 3 and parts[2].split():
            code = parts[2].split()[0]
            statuses[code] = statuses.get(code, 0) + 1
    errlog = (work / "error.log").read_text(encoding="utf-8", errors="replace")
    report = render(args, work, stats, failures, check, statuses, errlog, versions(env), elapsed, workers,
                    load_before, load_after, faults, verify.returncode, alone)  # fmt: skip
    Path(args.out).write_text(report, encoding="utf-8")
    print(report)
    return verify.returncode


def ms(value: str) -> str:
    try:
        return f"{float(value):,.0f}"
    except ValueError:
        return value


def render(
    args, work, stats, failures, check, statuses, errlog, vers, elapsed, workers, lb, la, faults, rc, alone
) -> str:
    db = "PostgreSQL" if not args.database_url.startswith("sqlite:") else "SQLite"
    title = args.title or f"Load run on {db}"
    lines = [
        f"# {title}",
        "",
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} ({platform.machine()}, "
        f"{os.cpu_count()} cores, Linux {platform.release()}); Python {vers['python']}, Django {vers['django']}, "
        f"gunicorn {vers['gunicorn']}, {vers['database']}.",
        "",
        "**The machine was shared**: other sessions were working on it at the same time (tests,"
        " builds), so these figures are a lower bound of what the code does on two dedicated cores."
        f" Load average (1 min) {lb[0]:.1f} before the run, {la[0]:.1f} at its end; the load generator ran"
        " on the same two cores as the server and the database.",
        "",
        f"- Server: gunicorn `deploy/gunicorn.conf.py`, {workers} workers x {args.threads or 'config'} threads"
        " (gthread), DEBUG off, on 127.0.0.1; database "
        + (
            f"`{urlparse(args.database_url).path.lstrip('/')}` on 127.0.0.1:5432"
            if db == "PostgreSQL"
            else "a SQLite file (WAL)"
        )
        + ".",
        f"- Load: locust headless, {args.officers} officers (think time {args.officer_wait} s) creating and updating"
        f" incidents and crime reports, {args.commanders} commanders (think time {args.commander_wait} s) reading"
        f" incident and report lists, CompStat and the incident map; API with personal tokens;"
        f" {args.duration} s at full strength after a ramp of {args.spawn_rate:g} users/s; {elapsed:.0f} s in all."
        " No request is retried by the client.",
        f"- Working folder (logs, locust CSV, acknowledged writes): `{work}`.",
        "",
    ]
    if faults:
        lines += ["**Fault injected:** " + "; ".join(faults), ""]
    lines += [
        "| request | count | failures | req/s | p50 ms | p95 ms | p99 ms | max ms | alone ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in stats:
        name = row["Name"] if row["Name"] != "Aggregated" else "**all**"
        lines.append(
            f"| {name} | {row['Request Count']} | {row['Failure Count']} | {float(row['Requests/s']):.2f} | "
            f"{ms(row['50%'])} | {ms(row['95%'])} | {ms(row['99%'])} | {ms(row['Max Response Time'])} | "
            f"{ms(str(alone[row['Name']])) if row['Name'] in alone else ''} |"
        )
    lines += [
        "",
        "*alone*: the median of five requests made one after the other just before the load, by one"
        " commander, on the same busy machine: the latency without this run's load.",
    ]
    writes = sum(int(r["Request Count"]) for r in stats if r["Name"].startswith("officer"))
    lines += [
        "",
        f"Writes: {writes} requests, {check['acknowledged_total']} acknowledged"
        f" ({check['acknowledged_total'] / max(elapsed, 1):.1f} a second over the run).",
        "",
        "HTTP statuses at the server (gunicorn access log): "
        + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())),
        "",
    ]
    if failures:
        lines += ["| failures | request | error |", "|---:|---|---|"]
        for f in failures[:15]:
            lines.append(f"| {f['Occurrences']} | {f['Name']} | {f['Error'][:160].replace('|', '/')} |")
        lines.append("")
    lines += [
        "**Every acknowledged write, checked in the database afterwards** (`benchmarks/load/verify.py`):",
        "",
        f"- acknowledged: {check['acknowledged']}",
        f"- missing, wrong or not audited exactly once: **{check['missing_or_wrong']}**"
        + (f" ({'; '.join(check['problems'][:5])})" if check["problems"] else ""),
        f"- duplicated (two rows with one client key): **{check['duplicated_keys']}**",
        f"- committed and audited but not acknowledged to the client: {check['committed_unacknowledged']}",
        f"- `audit_verify`: {'ok' if check['audit_chain_ok'] else 'BROKEN: ' + check['audit_chain_reason']}"
        f" ({check['audit_rows_checked']} rows)",
        f"- CompStat monthly counts equal a recount (`compstat_aggregates`): {'yes' if check['compstat_aggregates_ok'] else 'NO'}",
        f"- verify.py exit status: {rc}",
        "",
    ]
    tracebacks = [ln for ln in errlog.splitlines() if "Error" in ln and "Traceback" not in ln][:8]
    if tracebacks:
        lines += ["Server error log (first lines naming an error):", "", "```", *tracebacks, "```", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
