"""What holds the SQLite write lock, and for how long: one writer alone, in one process.

    python benchmarks/load/lock_profile.py --database-url sqlite:////tmp/seeded.sqlite3 --out R.md [--n 40]

Works on a copy of the database (SQLite backup API, in a mkdtemp folder). On SQLite every
`transaction.atomic()` starts with BEGIN IMMEDIATE (anninh.env), so a service holds the write
lock from its first line to its commit, validation included. For N incident creations, N
updates and N crime-report receipts made with the services by one commune officer, it times the
whole service call (= the lock's hold time when nobody waits) and every SQL statement within it,
grouped by the table it writes or reads (the CompStat triggers run inside the statements on
records_incident), and reports the Python time between statements; then the top functions by
cumulative time (cProfile).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import os
import platform
import pstats
import re
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from _stats import percentile  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anninh.settings")

TABLE = re.compile(r'(?:FROM|INTO|UPDATE|JOIN)\s+"?([a-z_0-9]+)"?', re.IGNORECASE)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--database-url", required=True, help="sqlite:////path (copied, never written)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--n", type=int, default=40)
    args = ap.parse_args()
    src = Path(urlparse(args.database_url).path)
    work = Path(tempfile.mkdtemp(prefix="anninh-lock-"))
    copy = work / "anninh.sqlite3"
    with sqlite3.connect(src) as s, sqlite3.connect(copy) as d:
        s.backup(d)
    os.environ.pop("DATABASE_URL", None)
    os.environ["ANNINH_SQLITE_PATH"] = str(copy)
    os.environ["ANNINH_DEBUG"] = "0"

    import django

    django.setup()
    from django.db import connection

    from anninh.accounts import services as accounts
    from anninh.accounts.roles import Role
    from anninh.geo.models import Commune
    from anninh.org.models import Unit
    from anninh.records.models import Incident
    from anninh.records.services import incidents as inc
    from anninh.records.services import reports as rep

    code = Incident.objects.values_list("commune_id", flat=True).first()
    commune = Commune.objects.get(pk=code)
    unit = Unit.objects.active().get(code=f"CA{code}")
    officer = accounts.user_create(
        actor=accounts.SystemActor("lock_profile"),
        username="lock.officer",
        full_name="Cán bộ đo khóa",
        unit=unit,
        roles=[Role.COMMUNE_OFFICER],
        password="Lock-Profile-2026!x",  # noqa: S106 - synthetic account on a throw-away copy
    )

    by_table: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    current: list[str] = []

    def wrapper(execute, sql, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            ms = (time.perf_counter() - t) * 1000
            verb = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else "?"
            m = TABLE.search(sql)
            key = f"{verb} {m.group(1) if m else ''}".strip()
            by_table[current[0]][key].append(ms)

    now = dt.datetime.now(dt.UTC).replace(microsecond=0)

    def data(i: int):
        return inc.IncidentData(
            kind="crime",
            occurred_from=now - dt.timedelta(hours=3),
            occurred_to=None,
            reported_at=now,
            responsible_unit_id=unit.pk,
            lat=commune.point_lat,
            lon=commune.point_lon,
            commune_code=code,
            address=f"{i} đường Lạch Tray",
            premises="street",
            narrative=f"Đo khóa {uuid.uuid4().hex}",
            offences=(inc.OffenceData("173", 1, True),),
            persons=(inc.PersonData(role="victim", full_name="Nguyễn Văn Đo", phone=f"0912{i:06d}"),),
            losses=(inc.LossData("Điện thoại", 3_000_000, False),),
        )

    hold: dict[str, list[float]] = defaultdict(list)
    prof = cProfile.Profile()
    made = []
    with connection.execute_wrapper(wrapper):
        for i in range(args.n):
            for kind in ("incident create", "incident update", "crime report receive"):
                current[:] = [kind]
                t = time.perf_counter()
                prof.enable()
                if kind == "incident create":
                    made.append(inc.incident_create(actor=officer, data=data(i)))
                elif kind == "incident update":
                    obj = Incident.objects.get(pk=made[-1].pk)
                    inc.incident_update(actor=officer, incident=obj, data=data(i + 1000), version=obj.version)
                else:
                    rep.crime_report_receive(
                        actor=officer,
                        kind="to_giac",
                        channel="phone_113",
                        received_at=now,
                        summary=f"Đo khóa {i}",
                        commune_code=code,
                        address="1 Trần Phú",
                        lat=None,
                        lon=None,
                        offence_article="",
                        receiving_unit_id=None,
                        reporter=rep.ReporterInput(full_name="Trần Văn Báo", phones=(f"0913{i:06d}",)),
                        reporter_confidential=False,
                        reporter_agency="",
                    )
                prof.disable()
                hold[kind].append((time.perf_counter() - t) * 1000)

    lines = [
        "# What holds the SQLite write lock (one writer alone)",
        "",
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} ({os.cpu_count()} cores shared with"
        f" seven other sessions; load average {os.getloadavg()[0]:.1f}); SQLite {sqlite3.sqlite_version}, a copy of"
        f" the seeded demo database. Script: `benchmarks/load/lock_profile.py`, {args.n} of each write.",
        "",
        "On SQLite a service holds the write lock from BEGIN IMMEDIATE (its first line) to its commit, so the"
        " time of the call is the lock's hold time.",
        "",
        "| write | mean ms | p95 ms | SQL statements | time in SQL ms | Python between statements ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for kind, times in hold.items():
        stmts = sum(len(v) for v in by_table[kind].values()) / len(times)
        sql_ms = sum(sum(v) for v in by_table[kind].values()) / len(times)
        mean = statistics.fmean(times)
        p95 = percentile(times, 95)
        lines.append(
            f"| {kind} | {mean:.1f} | {p95:.1f} | {stmts:.0f} | {sql_ms:.1f} | {mean - sql_ms:.1f} |"
        )
    for kind in hold:
        lines += ["", f"Statements of one *{kind}*, by kind and table (mean per call):", ""]
        lines += ["| statement | count | ms |", "|---|---:|---:|"]
        rows = sorted(by_table[kind].items(), key=lambda kv: -sum(kv[1]))[:12]
        for key, v in rows:
            lines.append(f"| `{key}` | {len(v) / args.n:.1f} | {sum(v) / args.n:.2f} |")
    s = io.StringIO()
    st = pstats.Stats(prof, stream=s).sort_stats("cumulative")
    st.print_stats(r"anninh", 25)
    lines += ["", "Top functions of anninh by cumulative time over all the writes (cProfile):", "", "```"]
    lines += [ln.rstrip() for ln in s.getvalue().splitlines() if ln.strip()][-27:]
    lines += ["```", ""]
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    copy.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
