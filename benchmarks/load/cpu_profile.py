"""CPU cost of each request kind of the load run, one process, no network, no load generator.

    python benchmarks/load/cpu_profile.py --database-url postgres://root@127.0.0.1:5432/x_load \\
        --n 200 --json /tmp/x/after.json [--before /tmp/x/before.json] \\
        [--profile "officer: create incident"] --out benchmarks/results/load-cpu-profile.md

The load run (run.py) saturated two cores at 12.8 requests a second: every request costs CPU
somewhere, and wall time on a shared machine says little about where. This script sends each
request kind of locustfile.py (the same bodies and parameters: workload.py) N times straight
into Django's WSGI handler (DEBUG off, the production middleware, personal API tokens) and
measures, per request:

- the Python side: time.process_time() of this process (the server's share);
- the database side: the PostgreSQL backend's own CPU (utime + stime of its process, read from
  /proc before and after the N requests; clock ticks of 10 ms, so only the mean is meaningful;
  the connection is kept for the whole run so that the backend stays the same);
- the number of SQL queries and their wall time seen from the client (connection.execute_wrapper).

The database must hold the demo data and the load accounts (prepare.py is run first, as in
run.py). It is written to (N incidents and N crime reports are created, updated and
classified): use a copy made for this. With --profile KIND, cProfile runs over that kind's N
requests again and its top functions (by own time and cumulative) are printed and kept in
the JSON. --before renders a before/after table against an earlier JSON.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))
import workload as w  # noqa: E402

KINDS = [
    "officer: create incident",
    "officer: update incident",
    "officer: receive crime report",
    "officer: classify crime report",
    "commander: incident list",
    "commander: crime report list",
    "commander: CompStat summary",
    "commander: CompStat series",
    "commander: incident map",
]
# The mix of locustfile.py: task weights times users over think time, for a weighted mean.
OFFICER_SHARE = {"create": 4, "update": 3, "receive": 2, "classify": 1}
COMMANDER_SHARE = {
    "incident list": 3,
    "crime report list": 2,
    "CompStat summary": 2,
    "CompStat series": 1,
    "map": 2,
}


class Client:
    """Requests straight into Django's WSGI handler, as gunicorn would call it."""

    def __init__(self):
        from django.core.handlers.wsgi import WSGIHandler

        self.app = WSGIHandler()

    def call(self, method: str, path: str, token: str, *, params=None, body=None) -> tuple[int, bytes]:
        data = json.dumps(body).encode() if body is not None else b""
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": urlencode(params or {}),
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1:8000",
            "HTTP_AUTHORIZATION": f"Bearer {token}",
            "HTTP_USER_AGENT": "cpu_profile",
            "HTTP_ACCEPT": "application/json",
            "CONTENT_TYPE": "application/json" if body is not None else "",
            "CONTENT_LENGTH": str(len(data)),
            "wsgi.input": io.BytesIO(data),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
            "wsgi.version": (1, 0),
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        status: list[str] = []
        chunks = self.app(environ, lambda s, h, exc_info=None: status.append(s))
        try:
            content = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        return int(status[0].split()[0]), content


class Workload:
    """The requests of one kind, in the order the load run would make them possible."""

    def __init__(self, users: dict):
        self.officers = users["officers"]
        self.commanders = users["commanders"]
        self.communes = users["communes"]
        self.incidents: list[tuple[dict, dict]] = []  # (officer, {id, version, key})
        self.reports: list[tuple[dict, dict]] = []
        self.i = 0

    def _officer(self) -> dict:
        self.i += 1
        return self.officers[self.i % len(self.officers)]

    def _commander(self) -> str:
        self.i += 1
        return self.commanders[self.i % len(self.commanders)]["token"]

    def request(self, kind: str):
        """(method, path, token, params, body, on_success)."""
        if kind == "officer: create incident":
            me, key = self._officer(), uuid.uuid4().hex

            def keep(data):
                self.incidents.append((me, {"id": data["id"], "version": data["version"], "key": key}))

            return "POST", w.INCIDENTS, me["token"], None, w.incident_body(me, key), keep
        if kind == "officer: update incident":
            me, mine = self.incidents[self.i % len(self.incidents)]
            self.i += 1
            return (
                "PUT",
                f"{w.INCIDENTS}/{mine['id']}",
                me["token"],
                None,
                w.incident_update_body(me, mine),
                lambda data: mine.update(version=data["version"]),
            )
        if kind == "officer: receive crime report":
            me, key = self._officer(), uuid.uuid4().hex

            def keep_report(data):
                self.reports.append((me, {"id": data["id"], "version": data["version"]}))

            return "POST", w.REPORTS, me["token"], None, w.report_body(me, key), keep_report
        if kind == "officer: classify crime report":
            me, mine = self.reports.pop()
            return (
                "POST",
                f"{w.REPORTS}/{mine['id']}/classify",
                me["token"],
                None,
                w.classify_body(mine),
                None,
            )
        token = self._commander()
        reads = {
            "commander: incident list": (w.INCIDENTS, w.incident_list_params(self.communes)),
            "commander: crime report list": (w.REPORTS, w.report_list_params()),
            "commander: CompStat summary": (w.COMPSTAT_SUMMARY, w.compstat_summary_params()),
            "commander: CompStat series": (w.COMPSTAT_SERIES, w.compstat_series_params()),
            "commander: incident map": (w.MAP, w.map_params(self.communes)),
        }
        path, params = reads[kind]
        return "GET", path, token, params, None, None


def backend_cpu_seconds() -> float:
    """CPU time (user + system) of this connection's PostgreSQL backend process so far."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


REFERENCE_DATA = [{"id": i, "name": f"Nguyễn Văn {i}", "values": list(range(i % 17))} for i in range(2000)]


def reference_ms() -> float:
    """CPU time of a fixed pure-Python task (a JSON round trip and a sort): how fast this
    shared machine was at that moment (steal time and cache sharing also inflate
    process_time on a busy VM), to put two runs' figures side by side."""
    c0 = time.process_time()
    for _ in range(5):
        sorted(json.loads(json.dumps(REFERENCE_DATA)), key=lambda r: r["name"])
    return (time.process_time() - c0) * 1000


def run_kind(client: Client, work: Workload, kind: str, n: int, *, profiler=None) -> dict:
    from django.db import connection

    sql = {"count": 0, "seconds": 0.0}

    def timed(execute, query, params, many, context):
        t = time.perf_counter()
        try:
            return execute(query, params, many, context)
        finally:
            sql["count"] += 1
            sql["seconds"] += time.perf_counter() - t

    statuses: dict[int, int] = {}
    cpu = wall = 0.0
    reference = reference_ms()
    db_before = backend_cpu_seconds()
    with connection.execute_wrapper(timed):
        for _ in range(n):
            method, path, token, params, body, on_success = work.request(kind)
            if profiler is not None:
                profiler.enable()
            c0, t0 = time.process_time(), time.perf_counter()
            status, content = client.call(method, path, token, params=params, body=body)
            cpu += time.process_time() - c0
            wall += time.perf_counter() - t0
            if profiler is not None:
                profiler.disable()
            statuses[status] = statuses.get(status, 0) + 1
            if status >= 300:
                raise SystemExit(f"{kind}: {status} {content[:300]!r}")
            if on_success is not None:
                on_success(json.loads(content))
    db_cpu = backend_cpu_seconds() - db_before
    return {
        "n": n,
        "python_cpu_ms": cpu / n * 1000,
        "db_cpu_ms": db_cpu / n * 1000,
        "queries": sql["count"] / n,
        "sql_ms": sql["seconds"] / n * 1000,
        "wall_ms": wall / n * 1000,
        "bytes": len(content),
        "reference_ms": (reference + reference_ms()) / 2,
        "statuses": statuses,
    }


def query_sources(client: Client, work: Workload, kind: str) -> str:
    """Each SQL statement of one request of `kind`, with the line of anninh code that sent it
    (the innermost frame under anninh/), grouped by that line: where the queries come from."""
    import traceback

    from django.db import connection

    seen: list[tuple[str, str]] = []

    def where(execute, query, params, many, context):
        frames = [
            f
            for f in traceback.extract_stack()
            if "/anninh/" in f.filename and "/site-packages/" not in f.filename
        ]
        # The innermost two: the line that sent it and the line that called that.
        line = " < ".join(
            f"{Path(f.filename).relative_to(ROOT)}:{f.lineno} {f.name}" for f in reversed(frames[-2:])
        )
        seen.append((line, " ".join(query.split())[:90]))
        return execute(query, params, many, context)

    method, path, token, params, body, on_success = work.request(kind)
    with connection.execute_wrapper(where):
        status, content = client.call(method, path, token, params=params, body=body)
    if status < 300 and on_success is not None:
        on_success(json.loads(content))
    counts: dict[str, list[str]] = {}
    for line, sql in seen:
        counts.setdefault(line, []).append(sql)
    out = [f"{kind}: {len(seen)} queries (status {status})"]
    for line, sqls in counts.items():
        out.append(f"{len(sqls):4d}  {line}")
        for sql in dict.fromkeys(sqls):
            out.append(f"        {sql}")
    return "\n".join(out)


def profile_text(profiler: cProfile.Profile, top: int = 35) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def prepare(args, env) -> dict:
    users = Path(tempfile.mkdtemp(prefix="anninh-cpu-")) / "users.json"
    subprocess.run(
        [
            sys.executable,
            str(HERE / "prepare.py"),
            "--officers",
            "50",
            "--commanders",
            "20",
            "--out",
            str(users),
        ],
        env=env,
        check=True,
        cwd=ROOT,
    )
    return json.loads(users.read_text(encoding="utf-8"))


def mix_means(rows: dict) -> dict[str, float]:
    """The request-weighted mean CPU of the load run's mix (50 officers at a mean think time of
    3 s, 20 commanders at 4 s, each picking tasks by the locustfile's weights)."""
    officer_rate, commander_rate = 50 / 3, 20 / 4
    weights = {}
    for kind in KINDS:
        who, what = kind.split(": ", 1)
        if who == "officer":
            share = next(v for k, v in OFFICER_SHARE.items() if what.startswith(k))
            weights[kind] = officer_rate * share / sum(OFFICER_SHARE.values())
        else:
            share = next(v for k, v in COMMANDER_SHARE.items() if what.endswith(k))
            weights[kind] = commander_rate * share / sum(COMMANDER_SHARE.values())
    total = sum(weights.values())
    return {
        field: sum(rows[k][field] * weights[k] for k in KINDS) / total
        for field in ("python_cpu_ms", "db_cpu_ms", "queries", "sql_ms")
    } | {"offered_rate": total}


def table(rows: dict) -> list[str]:
    lines = [
        "| request | n | Python CPU ms | PostgreSQL CPU ms | queries | SQL ms (client wall) | wall ms "
        "| reference task ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for kind in KINDS:
        r = rows[kind]
        lines.append(
            f"| {kind} | {r['n']} | {r['python_cpu_ms']:.1f} | {r['db_cpu_ms']:.1f} | {r['queries']:.1f} "
            f"| {r['sql_ms']:.1f} | {r['wall_ms']:.1f} | {r['reference_ms']:.1f} |"
        )
    m = mix_means(rows)
    lines.append(
        f"| **the load run's mix** (weighted) | | **{m['python_cpu_ms']:.1f}** | **{m['db_cpu_ms']:.1f}** "
        f"| {m['queries']:.1f} | {m['sql_ms']:.1f} | | |"
    )
    return lines


def comparison(before: dict, after: dict) -> list[str]:
    lines = [
        "| request | Python CPU ms before → after | PostgreSQL CPU ms before → after | queries before → after |",
        "|---|---:|---:|---:|",
    ]
    rows = [(k, before["rows"][k], after["rows"][k]) for k in KINDS]
    rows.append(("**the load run's mix**", mix_means(before["rows"]), mix_means(after["rows"])))
    for kind, b, a in rows:
        lines.append(
            f"| {kind} | {b['python_cpu_ms']:.1f} → {a['python_cpu_ms']:.1f} "
            f"| {b['db_cpu_ms']:.1f} → {a['db_cpu_ms']:.1f} | {b['queries']:.1f} → {a['queries']:.1f} |"
        )
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--database-url", required=True, help="postgres://...@127.0.0.1/... (a copy: it is written)"
    )
    ap.add_argument("--n", type=int, default=200, help="requests per kind")
    ap.add_argument("--warmup", type=int, default=10, help="unmeasured requests per kind first")
    ap.add_argument(
        "--profile", action="append", default=[], help="a request kind to run again under cProfile"
    )
    ap.add_argument(
        "--queries",
        action="append",
        default=[],
        help="a request kind: print the queries of one request, grouped by the line that sent them",
    )
    ap.add_argument("--json", required=True, help="where to keep the measurements")
    ap.add_argument("--before", help="an earlier --json to compare with")
    ap.add_argument("--label", default="", help="what this code is (a commit)")
    ap.add_argument("--out", help="the results file (Markdown)")
    args = ap.parse_args()

    if urlparse(args.database_url).hostname not in {"127.0.0.1", "localhost"}:
        raise SystemExit("loopback databases only")
    env = {**os.environ, "DATABASE_URL": args.database_url, "ANNINH_DEBUG": "0"}
    env.pop("ANNINH_DEMO", None)
    env.pop("ANNINH_SQLITE_PATH", None)
    users = prepare(args, env)
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "ANNINH_DEBUG")})
    os.environ.pop("ANNINH_DEMO", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anninh.settings")

    import django

    django.setup()
    from django.conf import settings

    assert not settings.DEBUG, "DEBUG must be off (it keeps every query in memory)"
    # One backend for the whole run, so its CPU counter is this run's (production reconnects
    # every CONN_MAX_AGE = 60 s: a few ms a minute, nothing per request).
    settings.DATABASES["default"]["CONN_MAX_AGE"] = None
    client, work = Client(), Workload(users)
    load_before = os.getloadavg()
    rows, profiles = {}, {}
    for kind in KINDS:
        run_kind(client, work, kind, args.warmup)
        if kind == "officer: classify crime report":
            # Classification consumes received reports: make enough (unmeasured) first.
            run_kind(client, work, "officer: receive crime report", args.n + len(args.profile) * args.n)
        rows[kind] = run_kind(client, work, kind, args.n)
        r = rows[kind]
        print(
            f"{kind:34s} python {r['python_cpu_ms']:7.1f} ms  db {r['db_cpu_ms']:6.1f} ms  "
            f"queries {r['queries']:5.1f}  sql {r['sql_ms']:6.1f} ms  wall {r['wall_ms']:7.1f} ms",
            flush=True,
        )
        if kind in args.queries:
            print(query_sources(client, work, kind), flush=True)
        if kind in args.profile:
            profiler = cProfile.Profile(time.process_time)  # CPU, not wall: the machine is shared
            run_kind(client, work, kind, args.n, profiler=profiler)
            profiles[kind] = profile_text(profiler)
            print(profiles[kind])
    load_after = os.getloadavg()
    result = {
        "label": args.label,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.node()} ({platform.machine()}, {os.cpu_count()} cores, Linux {platform.release()})",
        "python": platform.python_version(),
        "django": django.get_version(),
        "load_before": load_before,
        "load_after": load_after,
        "rows": rows,
        "profiles": profiles,
    }
    Path(args.json).write_text(json.dumps(result, indent=1), encoding="utf-8")
    lines = [f"### {args.label or 'this code'}: {result['date']}", ""]
    lines += [
        f"Load average (1/5/15 min) before {'/'.join(f'{x:.1f}' for x in load_before)}, "
        f"after {'/'.join(f'{x:.1f}' for x in load_after)}.",
        "",
        *table(rows),
    ]
    if args.before:
        before = json.loads(Path(args.before).read_text(encoding="utf-8"))
        lines += ["", f"Against {before['label'] or 'the earlier run'} ({before['date']}):", ""]
        lines += comparison(before, result)
    print("\n".join(lines))
    if args.out:
        with open(args.out, "a", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n\n")


if __name__ == "__main__":
    main()
