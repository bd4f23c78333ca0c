"""Scripted fault runs (issue 14, item 15) that are not a load run with a fault injected
(those are `run.py --fault pg-restart|worker-kill`).

    python benchmarks/load/faults.py import-kill --database-url sqlite:////tmp/seeded.sqlite3 --out R.md
    python benchmarks/load/faults.py import-kill --database-url postgres://postgres@127.0.0.1:5432/anninh_load_seed --out R.md
    python benchmarks/load/faults.py disk-full --database-url sqlite:////tmp/seeded.sqlite3 --out R.md

The --database-url is never written to: the runs work on a copy (a copied SQLite file in a private
folder made with mkdtemp, or `createdb -T` of the PostgreSQL database under the name
`<name>_fault_<pid>`, dropped at the end). Only --out is written besides.

import-kill: `manage.py import_incidents` of N generated rows is timed on one copy, then started
on a second copy and killed with SIGKILL half-way through that time: the incidents, the audit
rows and the CompStat counts must be exactly as before (no partial import), the audit chain and
(SQLite) `PRAGMA integrity_check` intact; the same import run again completes, and a third run
writes nothing (idempotent).

disk-full (SQLite, needs root for `mount -t tmpfs`): the database is copied onto a tmpfs a few
megabytes larger than the file, served by gunicorn, and written to through the API (one officer,
bounded: at most --max-requests requests or --max-seconds seconds) until the disk is full. The
server must answer a clear 503 (never a 500), every acknowledged write must be there once with
its audit row, `PRAGMA integrity_check` and `audit_verify` must pass; once space is freed,
writes work again.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PY = sys.executable
sys.path.insert(0, str(HERE))

from run import db_env, free_port, wait_up  # noqa: E402


def sh(*args, env=None, check=True, **kwargs):
    return subprocess.run(
        list(args), env=env, check=check, cwd=ROOT, text=True, capture_output=True, **kwargs
    )


def manage(env, *args, check=True):
    return sh(PY, str(ROOT / "manage.py"), *args, env=env, check=check)


STATE = (
    "import json, sys; import django; django.setup();"
    "from django.db import connection;"
    "from anninh.records.models import Incident; from anninh.audit.models import AuditEvent;"
    "from anninh.compstat.models import IncidentMonth; from django.db.models import Sum;"
    "from anninh.audit.services import audit_chain_verify;"
    "r = audit_chain_verify();"
    "ic = None\n"
    "if connection.vendor == 'sqlite':\n"
    "    c = connection.cursor(); c.execute('PRAGMA integrity_check'); ic = c.fetchone()[0]\n"
    "print(json.dumps({'incidents': Incident.objects.count(), 'audit_rows': AuditEvent.objects.count(),"
    "'compstat_incidents': IncidentMonth.objects.aggregate(t=Sum('n'))['t'],"
    "'audit_ok': r.ok, 'integrity_check': ic}))"
)


def state(env) -> dict:
    out = sh(PY, "-c", STATE, env={**env, "DJANGO_SETTINGS_MODULE": "anninh.settings"})
    return json.loads(out.stdout.strip().splitlines()[-1])


class Copy:
    """A throw-away copy of the database of `url`."""

    def __init__(self, url: str, work: Path, label: str):
        self.url = url
        self.pg = not url.startswith("sqlite:")
        if self.pg:
            src = urlparse(url)
            self.name = f"{src.path.lstrip('/')}_fault_{os.getpid()}_{label}"
            sh("createdb", "-h", src.hostname, "-p", str(src.port or 5432), "-U", src.username or "postgres",
               "-T", src.path.lstrip("/"), self.name)  # fmt: skip
            self.copy_url = url.rsplit("/", 1)[0] + "/" + self.name
        else:
            path = Path(urlparse(url).path)
            folder = work / label
            folder.mkdir()
            # Through SQLite's backup API: a consistent copy even of a WAL database.
            with (
                contextlib.closing(sqlite3.connect(path)) as s,
                contextlib.closing(sqlite3.connect(folder / path.name)) as d,
            ):
                s.backup(d)
            self.copy_url = f"sqlite:///{folder / path.name}"
        self.env = db_env(self.copy_url)

    def drop(self):
        if self.pg:
            src = urlparse(self.url)
            sh("dropdb", "-h", src.hostname, "-p", str(src.port or 5432), "-U", src.username or "postgres",
               "--if-exists", self.name, check=False)  # fmt: skip


def header(title: str, url: str) -> list[str]:
    db = "PostgreSQL" if not url.startswith("sqlite:") else f"SQLite {sqlite3.sqlite_version}"
    return [
        f"# {title}",
        "",
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} ({os.cpu_count()} cores, shared"
        f" with seven other sessions; load average {os.getloadavg()[0]:.1f}); Python {platform.python_version()},"
        f" {db}. Script: `benchmarks/load/faults.py`.",
        "",
    ]


def import_kill(args, work: Path) -> tuple[list[str], bool]:
    lines = header(
        f"Fault: kill -9 of an import half-way ({'PostgreSQL' if 'postgres' in args.database_url else 'SQLite'})",
        args.database_url,
    )
    a = Copy(args.database_url, work, "timed")
    b = Copy(args.database_url, work, "killed")
    try:
        csv = work / "import.csv"
        manage(
            a.env,
            "records_generate",
            "--incidents",
            str(args.rows),
            "--seed",
            "9",
            "--csv",
            str(csv),
            "--no-progress",
        )
        cmd = [PY, str(ROOT / "manage.py"), "import_incidents", str(csv), "--unit", "PV01", "--no-progress"]
        t = time.time()
        sh(*cmd, env=a.env)
        full = time.time() - t
        after_full = state(a.env)

        before = state(b.env)
        proc = subprocess.Popen(
            cmd, env=b.env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(full / 2)
        alive = proc.poll() is None
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        killed = state(b.env)
        t = time.time()
        again = subprocess.run(cmd, env=b.env, cwd=ROOT, capture_output=True, text=True)
        rerun = time.time() - t
        after_rerun = state(b.env)
        third = subprocess.run(cmd, env=b.env, cwd=ROOT, capture_output=True, text=True)
        after_third = state(b.env)
    finally:
        a.drop()
        b.drop()

    new = after_full["incidents"] - before["incidents"]
    ok = (
        alive
        and killed["incidents"] == before["incidents"]
        and killed["audit_rows"] == before["audit_rows"]
        and killed["compstat_incidents"] == before["compstat_incidents"]
        and killed["audit_ok"]
        and killed["integrity_check"] in (None, "ok")
        and again.returncode == 0
        and after_rerun["incidents"] == after_full["incidents"]
        and after_rerun["compstat_incidents"] == after_full["compstat_incidents"]
        and after_rerun["audit_ok"]
        and third.returncode == 0
        and after_third["incidents"] == after_rerun["incidents"]
    )
    lines += [
        f"`manage.py import_incidents` of {args.rows:,} generated incidents (`records_generate --csv`): the whole"
        f" import took {full:.1f} s on a first copy of the database (+{new:,} incidents). On a second copy the same"
        f" import was killed with SIGKILL after {full / 2:.1f} s (still running then: {'yes' if alive else 'NO'}).",
        "",
        "| state of the second copy | incidents | audit rows | CompStat monthly count | audit_verify | integrity_check |",
        "|---|---:|---:|---:|---|---|",
    ]
    for label, s in (("before", before), ("after kill -9", killed), ("after re-running the import", after_rerun),
                     ("after a third run", after_third)):  # fmt: skip
        lines.append(
            f"| {label} | {s['incidents']:,} | {s['audit_rows']:,} | {s['compstat_incidents']:,} | "
            f"{'ok' if s['audit_ok'] else 'BROKEN'} | {s['integrity_check'] or 'n/a (PostgreSQL)'} |"
        )
    lines += [
        "",
        f"Re-run after the kill: exit {again.returncode} in {rerun:.1f} s; third run: exit {third.returncode}"
        f" ({(third.stdout or third.stderr).strip().splitlines()[-1][:200] if (third.stdout or third.stderr).strip() else ''}).",
        "",
        f"**Result: {'pass' if ok else 'FAIL'}**: no partial import (the killed run left nothing: the import is one"
        " transaction), the re-run completes with the same result as an uninterrupted import, and a third run"
        " writes nothing.",
        "",
    ]
    return lines, ok


def post(base: str, token: str, path: str, body: dict) -> tuple[int, dict, str]:
    req = urllib.request.Request(  # noqa: S310 - loopback
        base + path,
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=60) as r:  # noqa: S310 - loopback
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


def incident_body(me: dict, key: str) -> dict:
    now = dt.datetime.now(dt.timezone(dt.timedelta(hours=7))).replace(microsecond=0)
    return {
        "kind": "crime",
        "occurred_from": (now - dt.timedelta(hours=2)).isoformat(),
        "reported_at": now.isoformat(),
        "responsible_unit_id": me["unit_id"],
        "commune": me["commune"],
        "lat": me["lat"],
        "lon": me["lon"],
        "address": "1 đường Lạch Tray",
        "premises": "street",
        # Padding makes each write a few kB so the small disk fills within the bounded run.
        "narrative": f"Ổ đĩa đầy, thử nghiệm. load-key:{key} " + "x" * 4000,
        "offences": [{"article": "173", "clause": 1, "is_main": True}],
    }


def disk_full(args, work: Path) -> tuple[list[str], bool]:
    if args.database_url.startswith("postgres"):
        raise SystemExit("disk-full is a SQLite run")
    lines = header("Fault: the disk of the SQLite database full", args.database_url)
    src = Path(urlparse(args.database_url).path)
    mnt = work / "small-disk"
    mnt.mkdir()
    with contextlib.closing(sqlite3.connect(src)) as s:
        s.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = src.stat().st_size
    room = args.headroom_mb * 1024 * 1024
    sh("mount", "-t", "tmpfs", "-o", f"size={size + room}", "tmpfs", str(mnt))
    ok = False
    server = None
    try:
        dbfile = mnt / "anninh.sqlite3"
        with contextlib.closing(sqlite3.connect(src)) as s, contextlib.closing(sqlite3.connect(dbfile)) as d:
            s.backup(d)
        url = f"sqlite:///{dbfile}"
        env = db_env(url)
        sh(
            PY,
            str(HERE / "prepare.py"),
            "--officers",
            "1",
            "--commanders",
            "0",
            "--out",
            str(work / "users.json"),
            env=env,
        )
        me = json.loads((work / "users.json").read_text())["officers"][0]
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [str(Path(PY).parent / "gunicorn"), "-c", str(ROOT / "deploy/gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}",
             "--workers", "2", "--access-logfile", str(work / "access.log"), "--error-logfile", str(work / "error.log")],
            env=env, cwd=ROOT,
        )  # fmt: skip
        wait_up(base)
        acks = work / "acks.jsonl"
        statuses: dict[int, int] = {}
        first_full = None
        t0 = time.time()
        n = 0
        with open(acks, "w", encoding="utf-8") as f:
            while n < args.max_requests and time.time() - t0 < args.max_seconds:
                n += 1
                key = uuid.uuid4().hex
                code, headers, text = post(
                    base, me["token"], "/api/records/incidents", incident_body(me, key)
                )
                statuses[code] = statuses.get(code, 0) + 1
                if code == 201:
                    data = json.loads(text)
                    rid = headers.get("X-Request-ID") or headers.get("x-request-id", "")
                    f.write(json.dumps({"kind": "incident.create", "status": 201, "request_id": rid, "id": data["id"],
                                        "version": data["version"], "key": key}) + "\n")  # fmt: skip
                elif first_full is None:
                    first_full = (n, code, headers.get("Retry-After"), text[:300])
                    # A few more attempts on the full disk, then stop.
                if first_full is not None and n >= first_full[0] + 5:
                    break
        df = sh("df", "-k", str(mnt)).stdout.strip().splitlines()[-1]
        # Free space: grow the tmpfs, and write once more.
        sh("mount", "-o", f"remount,size={size + 4 * room}", str(mnt))
        key = uuid.uuid4().hex
        code_after, headers, text = post(base, me["token"], "/api/records/incidents", incident_body(me, key))
        if code_after == 201:
            data = json.loads(text)
            with open(acks, "a", encoding="utf-8") as f:
                f.write(json.dumps({"kind": "incident.create", "status": 201, "request_id": headers.get("X-Request-ID", ""),
                                    "id": data["id"], "version": data["version"], "key": key}) + "\n")  # fmt: skip
        server.send_signal(signal.SIGTERM)
        server.wait(60)
        server = None
        with contextlib.closing(sqlite3.connect(dbfile)) as d:
            integrity = d.execute("PRAGMA integrity_check").fetchone()[0]
        audit = manage(env, "audit_verify", "--no-progress", check=False)
        verify = subprocess.run(
            [PY, str(HERE / "verify.py"), "--acks", str(acks), "--out", str(work / "verify.json")],
            env=env, cwd=ROOT, capture_output=True, text=True,
        )  # fmt: skip
        check = json.loads((work / "verify.json").read_text())
        errlog = (work / "error.log").read_text(errors="replace")
    finally:
        if server is not None:
            server.kill()
            server.wait()
        sh("umount", str(mnt), check=False)
    five_hundreds = sum(v for k, v in statuses.items() if k >= 500 and k != 503)
    ok = (
        first_full is not None
        and first_full[1] == 503
        and five_hundreds == 0
        and integrity == "ok"
        and audit.returncode == 0
        and verify.returncode == 0
        and code_after == 201
    )
    lines += [
        f"The seeded database ({size / 2**20:.0f} MB) on a tmpfs of {(size + room) / 2**20:.0f} MB, gunicorn"
        f" (2 workers), one officer creating incidents of about 4 kB through the API until the disk was full"
        f" (bounded: {args.max_requests} requests, {args.max_seconds} s; {n} made).",
        "",
        f"- answers: {', '.join(f'{k}: {v}' for k, v in sorted(statuses.items()))}",
        f"- first refused write: request {first_full[0] if first_full else '-'}, HTTP {first_full[1] if first_full else '-'},"
        f" Retry-After {first_full[2] if first_full else '-'}: `{first_full[3] if first_full else ''}`",
        f"- the small disk then: `{df}`",
        f"- `PRAGMA integrity_check`: **{integrity}**; `audit_verify`: **{'ok' if audit.returncode == 0 else 'FAILED'}**"
        f" ({(audit.stdout or audit.stderr).strip().splitlines()[-1][:160] if (audit.stdout or audit.stderr).strip() else ''})",
        f"- acknowledged writes {check['acknowledged_total']}: missing or not audited once {check['missing_or_wrong']},"
        f" duplicated {check['duplicated_keys']}, committed without acknowledgement {check['committed_unacknowledged']};"
        f" CompStat counts equal a recount: {check['compstat_aggregates_ok']}",
        f"- after freeing space, the next write: HTTP {code_after}",
        "",
    ]
    errs = sorted(
        {ln.strip() for ln in errlog.splitlines() if "OperationalError" in ln or "database" in ln.lower()}
    )[:5]
    if errs:
        lines += ["Server log lines about the database:", "", "```", *errs, "```", ""]
    lines += [f"**Result: {'pass' if ok else 'FAIL'}**", ""]
    return lines, ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("fault", choices=["import-kill", "disk-full"])
    ap.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""), required=False)
    ap.add_argument("--out", required=True)
    ap.add_argument("--rows", type=int, default=20000, help="import-kill: incidents in the file")
    ap.add_argument("--headroom-mb", type=int, default=3, help="disk-full: free space on the small disk")
    ap.add_argument("--max-requests", type=int, default=3000)
    ap.add_argument("--max-seconds", type=int, default=300)
    args = ap.parse_args()
    if not args.database_url:
        raise SystemExit("--database-url (or DATABASE_URL) is required")
    work = Path(tempfile.mkdtemp(prefix="anninh-fault-"))
    try:
        lines, ok = (import_kill if args.fault == "import-kill" else disk_full)(args, work)
    finally:
        for p in work.glob("*/*.sqlite3*"):
            p.unlink(missing_ok=True)
    lines.append(f"Working folder: `{work}`.")
    Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    shutil.rmtree(work / "timed", ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
