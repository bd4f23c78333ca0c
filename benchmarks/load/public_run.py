"""The public side's bounded load run (issue 10) on loopback: gunicorn (deploy/gunicorn.conf.py)
on the database of --database-url, locust headless with anonymous readers of the public pages
and feeds and people sending requests, then the check of every acknowledged submission.

    createdb -h 127.0.0.1 -U postgres pub10_load
    python benchmarks/load/public_run.py --database-url postgres://postgres@127.0.0.1:5432/pub10_load \\
        --seed --duration 300 --out benchmarks/results/public-load-postgres.md

`--seed` migrates an empty database first; `public_prepare.py` then adds warnings, the counts of
the transparency page, listed requests and a fresh Open311 client. Writes only to --out and a
private working folder (mkdtemp, kept for the logs and named in the output). Needs locust
(requirements/bench.txt) in its own environment: --locust PATH or $LOCUST.

The per-address limit of the web form (ANNINH_REQUESTS_PER_HOUR, ANNINH_REQUESTS_PER_DAY) would
refuse a load generator that sends every request from 127.0.0.1: the run sets both in the
server's environment (--form-per-hour, default 100000) and says so in the results. Nothing in
the code is turned off: the honeypot, the form challenge (proof of work, minimum fill time, one
use) and the Open311 api_key are all checked as in production.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from run import PY, ROOT, db_env, free_port, manage, ms, read_failures, read_stats, versions, worker_pids  # noqa: E402

sys.path.insert(0, str(ROOT / "benchmarks"))
from _stats import percentile  # noqa: E402

# gunicorn's default format plus the time the worker spent on the request (ms, %(M)s): the
# server's share of a request's latency, apart from the load generator's queueing.
ACCESS_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)s'

BASELINE = {
    "read: home": "/",
    "read: warnings list": "/warnings/",
    "read: a warning": "/warnings/{warning}/",
    "feed: CAP message": "/warnings/{warning}.cap",
    "feed: Atom": "/warnings/feed.atom",
    "read: transparency": "/transparency/",
    "open311: GET services": "/open311/v2/services.json",
    "open311: GET requests": "/open311/v2/requests.json",
}


def wait_up(base: str, timeout: float = 120) -> None:
    end = time.time() + timeout
    while time.time() < end:
        try:
            with urllib.request.urlopen(base + "/", timeout=5) as r:  # noqa: S310 - loopback
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("the server did not start; see the error log in the working folder")


def baseline(base: str, warning: int, repeat: int = 5) -> dict[str, float]:
    """Each read alone, one after the other, before the load: the median in ms."""
    out = {}
    for name, path in BASELINE.items():
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            with urllib.request.urlopen(base + path.format(warning=warning), timeout=120) as r:  # noqa: S310
                r.read()
            times.append((time.perf_counter() - t) * 1000)
        out[name] = percentile(times, 50)
    return out


def cpu_seconds(master: int) -> float:
    """CPU time (user + system, Linux /proc) so far of gunicorn: the master, its live workers,
    and the workers it has reaped (restarted after max_requests), which count in the master's
    cutime and cstime."""
    total = 0

    def stat(pid: int) -> list[str]:
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return []

    fields = stat(master)
    if fields:
        total += sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime, stime, cutime, cstime
    for pid in worker_pids(master):
        fields = stat(pid)
        if fields:
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def machine_note(before: str) -> str:
    """What the load average before the run says about the figures: the load generator always
    shares the two cores with the server and the database; other work may share them too."""
    try:
        one_minute = float(before.rsplit("load average:", 1)[1].split(",")[0])
    except (IndexError, ValueError):
        one_minute = float("nan")
    if one_minute < 1.0:
        return (
            "**The machine was quiet before the run** (1-minute load average under 1: no other work on"
            " its two cores); the load generator ran on the same two cores as the server and the database."
        )
    return (
        "**These figures are from a shared machine**: two cores shared with other sessions working at the"
        " same time (tests, builds, other benchmarks), and the load generator ran on the same two cores as"
        " the server and the database. They are a lower bound of what the code does on dedicated cores."
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    ap.add_argument("--out", required=True, help="the Markdown results file")
    ap.add_argument("--seed", action="store_true", help="migrate the (empty) database first")
    ap.add_argument("--readers", type=int, default=200)
    ap.add_argument("--submitters", type=int, default=20)
    ap.add_argument("--duration", type=int, default=300, help="seconds (at most 1800)")
    ap.add_argument("--spawn-rate", type=float, default=20)
    ap.add_argument("--reader-wait", default="2,10", help="think time between a reader's requests, min,max s")
    ap.add_argument("--submitter-wait", default="5,15")
    ap.add_argument("--form-per-hour", type=int, default=100000, help="ANNINH_REQUESTS_PER_HOUR for the run")
    ap.add_argument("--workers", type=int, default=0, help="gunicorn workers (0: the config's default)")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--locust", default=os.environ.get("LOCUST", "/tmp/anninh-bench/bin/locust"))  # noqa: S108
    args = ap.parse_args()
    if not args.database_url:
        raise SystemExit("--database-url (or DATABASE_URL) is required: postgres://... or sqlite:////path")
    if not 10 <= args.duration <= 1800:
        raise SystemExit("--duration must be 10 to 1800 seconds")

    work = Path(tempfile.mkdtemp(prefix="anninh-public-load-"))
    env = db_env(args.database_url)
    # All the load comes from 127.0.0.1: the web form's per-address limit is raised for the run
    # (a setting, read from the environment); every other guard stays as in production.
    env["ANNINH_REQUESTS_PER_HOUR"] = str(args.form_per_hour)
    env["ANNINH_REQUESTS_PER_DAY"] = str(args.form_per_hour * 24)
    # The public page cache (anninh.pagecache) of this run only: never pages of another database.
    env.setdefault("ANNINH_CACHE_DIR", str(work / "cache"))
    if args.seed:
        manage(env, "migrate", "--no-input", "-v0")
    subprocess.run(
        [PY, str(HERE / "public_prepare.py"), "--out", str(work / "public.json")],
        env=env,
        check=True,
        cwd=ROOT,
    )
    data = json.loads((work / "public.json").read_text(encoding="utf-8"))

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    gargs = [str(Path(PY).parent / "gunicorn"), "-c", str(ROOT / "deploy/gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}",
             "--access-logfile", str(work / "access.log"), "--error-logfile", str(work / "error.log"),
             "--access-logformat", ACCESS_FORMAT]  # fmt: skip
    if args.workers:
        gargs += ["--workers", str(args.workers)]
    if args.threads:
        gargs += ["--threads", str(args.threads)]
    server = subprocess.Popen(gargs, env=env, cwd=ROOT)
    up_before = uptime()
    try:
        wait_up(base)
        workers = len(worker_pids(server.pid))
        baseline(base, data["warnings"][0], repeat=workers)  # warm every worker once
        alone = baseline(base, data["warnings"][0])
        cpu0 = cpu_seconds(server.pid)
        t0 = time.time()
        lenv = {
            **os.environ,
            "LOAD_PUBLIC": str(work / "public.json"),
            "LOAD_ACKS": str(work / "acks.jsonl"),
            "LOAD_READERS": str(args.readers),
            "LOAD_SUBMITTERS": str(args.submitters),
            "LOAD_READER_WAIT": args.reader_wait,
            "LOAD_SUBMITTER_WAIT": args.submitter_wait,
        }
        subprocess.run(
            [args.locust, "-f", str(HERE / "public_locustfile.py"), "--headless", "--host", base,
             "-u", str(args.readers + args.submitters), "-r", str(args.spawn_rate), "-t", f"{args.duration}s",
             "--stop-timeout", "20", "--csv", str(work / "locust"), "--only-summary", "--loglevel", "WARNING"],
            env=lenv, cwd=work, timeout=args.duration + 300,
        )  # fmt: skip
        elapsed = time.time() - t0
        server_cpu = cpu_seconds(server.pid) - cpu0
    finally:
        up_after = uptime()
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
    Path(work / "acks.jsonl").touch()
    verify = subprocess.run(
        [PY, str(HERE / "public_verify.py"), "--acks", str(work / "acks.jsonl"), "--out", str(work / "verify.json")],
        env=env, cwd=ROOT,
    )  # fmt: skip
    check = json.loads((work / "verify.json").read_text(encoding="utf-8"))
    stats = read_stats(work / "locust")
    failures = read_failures(work / "locust")
    statuses: dict[str, int] = {}
    server_ms: dict[str, list[float]] = {"GET": [], "POST": []}
    for line in (work / "access.log").read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split('"')
        if len(parts) >= 3 and parts[2].split():
            code = parts[2].split()[0]
            statuses[code] = statuses.get(code, 0) + 1
            method = parts[1].split(" ", 1)[0]
            if method in server_ms and parts[-1].strip().isdigit():
                server_ms[method].append(float(parts[-1].strip()))
    errlog = (work / "error.log").read_text(encoding="utf-8", errors="replace")
    report = render(args, work, stats, failures, check, statuses, errlog, versions(env), elapsed, workers,
                    up_before, up_after, verify.returncode, alone, server_cpu, env, server_ms)  # fmt: skip
    Path(args.out).write_text(report, encoding="utf-8")
    print(report)
    return verify.returncode


def _total(stats) -> int:
    return next((int(r["Request Count"]) for r in stats if r["Name"] == "Aggregated"), 0)


def render(
    args,
    work,
    stats,
    failures,
    check,
    statuses,
    errlog,
    vers,
    elapsed,
    workers,
    ub,
    ua,
    rc,
    alone,
    cpu,
    env,
    server_ms,
) -> str:
    db = "PostgreSQL" if not args.database_url.startswith("sqlite:") else "SQLite"
    server_errors = sum(v for k, v in statuses.items() if k.startswith("5"))
    # Reads: every GET (the pages, the feeds, Open311 GET and the request form itself).
    reads = [r for r in stats if r["Name"] != "Aggregated" and "POST" not in r["Name"]]
    worst_read = max((float(r["95%"]) for r in reads), default=0.0)
    lines = [
        f"# Public side under load on {db} (issue 10)",
        "",
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} ({platform.machine()}, "
        f"{os.cpu_count()} cores, Linux {platform.release()}); Python {vers['python']}, Django {vers['django']}, "
        f"gunicorn {vers['gunicorn']}, {vers['database']}. Script: `benchmarks/load/public_run.py`.",
        "",
        machine_note(ub),
        "",
        f"- `uptime` before the run: `{ub}`",
        f"- `uptime` at its end: `{ua}`",
        f"- Server: gunicorn `deploy/gunicorn.conf.py`, {workers} workers x {args.threads or 'config'} threads"
        " (gthread), DEBUG off, on 127.0.0.1; database "
        + (
            f"`{urlparse(args.database_url).path.lstrip('/')}` on 127.0.0.1:5432"
            if db == "PostgreSQL"
            else "SQLite"
        )
        + ".",
        f"- Load: locust headless, {args.readers} anonymous readers (think time {args.reader_wait} s) of the home"
        " page, the warnings list and search, warning pages, CAP messages, the Atom feed, the transparency page"
        f" and Open311 GET; {args.submitters} submitters (think time {args.submitter_wait} s) alternating the web"
        " form (GET, proof of work solved as the page's script does, at least the minimum fill time, honeypot"
        f" empty) and Open311 POST with an api_key; {args.duration} s after a ramp of {args.spawn_rate:g} users/s;"
        f" {elapsed:.0f} s in all. No request is retried.",
        f"- The web form's per-address limit was raised for the run: ANNINH_REQUESTS_PER_HOUR={args.form_per_hour},"
        f" ANNINH_REQUESTS_PER_DAY={args.form_per_hour * 24} in the server's environment (every simulated person"
        " comes from 127.0.0.1). Honeypot, form challenge and api_key checks ran as in production.",
        f"- Public page cache: ANNINH_CACHE={env.get('ANNINH_CACHE', 'file')},"
        f" ANNINH_PUBLIC_CACHE_SECONDS={env.get('ANNINH_PUBLIC_CACHE_SECONDS', '60')}, in `{env['ANNINH_CACHE_DIR']}`"
        " (empty at the start; the *alone* requests below fill it).",
        f"- CPU time of the gunicorn processes during the load: {cpu:.1f} s"
        + (f", {cpu * 1000 / total:.1f} ms a request" if (total := _total(stats)) else "")
        + ".",
        f"- Working folder (logs, locust CSV, acknowledged submissions): `{work}`.",
        "",
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
        "*alone*: the median of five requests made one after the other just before the load, on the same"
        " busy machine: the latency without this run's load.",
        "",
        f"**Targets** (issue 10): zero server errors: **{server_errors}** 5xx at the server; p95 under 300 ms for"
        f" reads: the slowest read's p95 is **{worst_read:,.0f} ms**"
        f" ({'met' if worst_read < 300 else 'NOT met'}); every acknowledged request in the database and its"
        f" queue exactly once: **{'yes' if rc == 0 else 'NO'}** (below).",
        "",
        "HTTP statuses at the server (gunicorn access log): "
        + ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items())),
        "",
    ]
    for method, samples in sorted(server_ms.items()):
        if samples:
            lines.append(
                f"- Time in the server (gunicorn `%(M)s`, request read to response written), {method}:"
                f" {len(samples)} requests, p50 {percentile(samples, 50):,.0f} ms, p95"
                f" {percentile(samples, 95):,.0f} ms, p99 {percentile(samples, 99):,.0f} ms,"
                f" max {max(samples):,.0f} ms."
            )
    lines.append("")
    if failures:
        lines += ["| failures | request | error |", "|---:|---|---|"]
        for f in failures[:15]:
            lines.append(f"| {f['Occurrences']} | {f['Name']} | {f['Error'][:160].replace('|', '/')} |")
        lines.append("")
    lines += [
        "**Every acknowledged submission, checked in the database afterwards** (`benchmarks/load/public_verify.py`):",
        "",
        f"- acknowledged: {check['acknowledged']} ({check['acknowledged_total']} in all)",
        f"- missing, not opened by its tracking code, not in its unit's open queue once, or not audited exactly"
        f" once: **{check['missing_or_wrong']}**"
        + (f" ({'; '.join(check['problems'][:5])})" if check["problems"] else ""),
        f"- duplicated (two requests with one client key): **{check['duplicated_keys']}**",
        f"- committed but not acknowledged to the client: {check['committed_unacknowledged']}",
        f"- units whose queues received them: {check['units_receiving']}",
        f"- `audit_verify`: {'ok' if check['audit_chain_ok'] else 'BROKEN: ' + check['audit_chain_reason']}"
        f" ({check['audit_rows_checked']} rows)",
        f"- public_verify.py exit status: {rc}",
        "",
    ]
    tracebacks = [ln for ln in errlog.splitlines() if "Error" in ln and "Traceback" not in ln][:8]
    if tracebacks:
        lines += ["Server error log (first lines naming an error):", "", "```", *tracebacks, "```", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
