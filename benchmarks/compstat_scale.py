"""CompStat, lists and the case pages at scale, on data shaped like a real force's (issues #4, #15).

    # build a new database (refused if it exists) and measure; results only where --out says
    .venv/bin/python benchmarks/compstat_scale.py --database-url postgres://postgres@127.0.0.1:5432/NAME \\
        --create --size 1000000 --out benchmarks/results/compstat-scale.md
    # measure an existing database again (never dropped: this run did not create it)
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/compstat_scale.py --samples 50 --out R.md
    # the garbage collector's pauses: Python's defaults against anninh/lib/gc_tuning.py
    .venv/bin/python benchmarks/compstat_scale.py --gc both --only list --out R.md

Build (with --create):

1. A new database from --database-url / DATABASE_URL, migrated.
2. `manage.py records_generate --incidents N`: complete synthetic records with the demo's shape
   (people, crime reports, cases with their status history, fire and rescue).
3. The real shape (issue #15): every crime incident has a case. The generator leaves 3-15 % of
   crimes without one (not initiated, or not yet); a set-based step gives each of those a case
   with a status history (open, then investigating after 30 days, cleared at a time spread
   over the following months for half of them, unfounded for a few old ones). The shares are
   counted from the database afterwards and written in the results. The step writes with the
   triggers off; the cases' trigger-kept copies are then rebuilt, and verified with the
   monthly counts against a recount (`occurrence.verify()`, `aggregates.verify()`).
4. VACUUM ANALYZE, as autovacuum would.

A national-scale run (`--import N`, issue #15's 10,000,000 incidents): after step 2, N more
incidents come in through the import a force would use (`manage.py import_incidents`, the
PostgreSQL fast path), as files of at most 1,000,000 rows generated with their own seeds
(`records_generate --csv`, the same shape and years as step 2: the density of a bigger force),
each import timed with the number of incidents already in the table. The import carries
incidents, offences and losses, not crime reports; a set-based step then gives the imported
incidents crime reports in the share the generated ones have per kind, each a copy of a
generated report of the same day (its status, deadline, decision and clock events, dates
moved by the same days) placed in the incident's commune and unit. Steps 3 and 4 follow.

Measure: in one child process with DEBUG off, a commander (whole city) and the officer of Phường
Lê Chân (the densest ward) request each page or API through Django's test client (middleware,
session, templates: everything but the network): two warm-ups, the number of SQL queries of one
request, then --samples timed requests (at least 50: p99 needs them). p50/p95/p99 come from
benchmarks/_stats.py. The load average is written at the start and the end: the machine is
shared (2 cores), times are noisy. Nothing here runs in the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from _db import Database, from_args, load_average  # noqa: E402
from _stats import MIN_SAMPLES, summary  # noqa: E402

PYTHON = sys.executable
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "compstat-scale.md"

PERIODS = ("week", "28d", "month", "quarter", "ytd")  # every period the page and the API offer
REQUESTS = [
    *[(f"CompStat dashboard, {p}", f"/compstat/?period={p}") for p in PERIODS],
    ("CompStat dashboard, one commune, month", "/compstat/?period=month&commune=11383"),
    *[(f"CompStat API summary, {p}", f"/api/compstat/summary?period={p}&series=false") for p in PERIODS],
    ("CompStat API series, month", "/api/compstat/series?period=month"),
    ("incident list", "/records/incidents/"),
    (
        "incident list, property, this year",
        "/records/incidents/?offence_group=property&date_from=01/01/{year}",
    ),
    ("incident list API", "/api/records/incidents?limit=50"),
    ("incident list API, one commune", "/api/records/incidents?limit=50&commune=11383"),
    ("incident map API (city)", "/api/records/incidents/map"),
    ("case list", "/records/cases/"),
    ("case list, occurred this year", "/records/cases/?occurred_from=01/01/{year}"),
    ("case list API", "/api/records/cases?limit=50"),
    ("clearance page", "/records/cases/clearance/"),
    (
        "clearance API, this year",
        "/api/records/cases/clearance?occurred_from=01/01/{year}&occurred_to=31/12/{year}",
    ),
    ("deadline board", "/records/deadlines/"),
    ("home page (attention card)", "/"),
]

# The shape step: a case with its history for every crime incident without one (PostgreSQL).
SHAPE_SQL = """
SELECT setseed(0.15);
CREATE TEMP TABLE plan AS
SELECT i.id AS incident_id, i.responsible_unit_id AS unit_id, i.occurred_from,
       LEAST((i.occurred_from AT TIME ZONE 'Asia/Ho_Chi_Minh')::date + (1 + floor(random() * 12))::int,
             current_date) AS initiated, random() AS u1, random() AS u2
FROM records_incident i
WHERE i.kind = 'crime' AND NOT EXISTS (SELECT 1 FROM records_case c WHERE c.incident_id = i.id);
ALTER TABLE plan ADD COLUMN opened timestamptz, ADD COLUMN identified timestamptz, ADD COLUMN status text;
UPDATE plan SET opened = (initiated::timestamp + interval '9 hours') AT TIME ZONE 'Asia/Ho_Chi_Minh';
UPDATE plan SET identified = opened + exp(u2 * 6) * interval '1 day' WHERE u1 < 0.5;
UPDATE plan SET identified = NULL WHERE identified > now();
UPDATE plan SET status = CASE
    WHEN identified IS NOT NULL THEN 'cleared'
    WHEN initiated < current_date - 180 AND u1 > 0.97 THEN 'unfounded'
    WHEN initiated < current_date - 30 THEN 'investigating'
    ELSE 'open' END;
INSERT INTO records_case (number, initiated_on, status, offender_identified_at, arrests, created_at,
    updated_at, version, is_synthetic, clearing_unit_id, created_by_id, handling_unit_id, incident_id,
    summary, closed_on, counted_group)
SELECT 'BENCH-' || p.incident_id, p.initiated, p.status, p.identified, 0, p.opened, p.opened, 1, true,
       CASE WHEN p.status = 'cleared' THEN p.unit_id END, (SELECT min(id) FROM accounts_user), p.unit_id,
       p.incident_id, '', CASE WHEN p.status = 'unfounded' THEN p.initiated + 60 END, ''
FROM plan p;
INSERT INTO records_casestatuschange (case_id, from_status, to_status, effective_at, note, created_at, created_by_id,
    counted_group)
SELECT c.id, s.from_status, s.to_status, s.at, '', s.at, c.created_by_id, ''
FROM plan p JOIN records_case c ON c.incident_id = p.incident_id AND c.number = 'BENCH-' || p.incident_id
CROSS JOIN LATERAL (VALUES
    ('', 'open', p.opened, true),
    ('open', 'investigating', p.opened + interval '30 days',
        p.status = 'investigating' OR p.status = 'unfounded'
        OR (p.status = 'cleared' AND p.identified > p.opened + interval '30 days')),
    (CASE WHEN p.identified > p.opened + interval '30 days' THEN 'investigating' ELSE 'open' END,
        'cleared', p.identified, p.status = 'cleared'),
    ('investigating', 'unfounded', p.opened + interval '60 days', p.status = 'unfounded')
) AS s(from_status, to_status, at, keep)
WHERE s.keep;
"""

# Crime reports for imported incidents, in the share the generated ones have (--import).
# {generated} is the generated incidents' external-id pattern, {imported} the imported ones'.
REPORTS_SQL = """
ANALYZE records_incident;
SELECT setseed(0.35);
CREATE TEMP TABLE share AS
SELECT i.kind, avg((EXISTS (SELECT 1 FROM records_incident_crime_reports l WHERE l.incident_id = i.id))::int) AS p
FROM records_incident i WHERE i.external_id LIKE '{generated}' GROUP BY i.kind;
CREATE TEMP TABLE tpl AS
SELECT r.id AS report_id, r.received_at - i.occurred_from AS lag, t.day,
       row_number() OVER (PARTITION BY t.day ORDER BY r.id) AS k
FROM records_crimereport r
JOIN (SELECT DISTINCT ON (crimereport_id) crimereport_id, incident_id FROM records_incident_crime_reports
      ORDER BY crimereport_id, incident_id) li ON li.crimereport_id = r.id
JOIN records_incident i ON i.id = li.incident_id
CROSS JOIN LATERAL (SELECT (i.occurred_from AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day) t
WHERE i.external_id LIKE '{generated}';
CREATE TEMP TABLE tplday AS SELECT day, count(*) AS n FROM tpl GROUP BY day;
ANALYZE share; ANALYZE tpl; ANALYZE tplday;
CREATE TEMP TABLE newr AS
SELECT c.incident_id, c.occurred_from + t.lag AS received_at, c.commune_id, c.unit_id, c.address, c.narrative,
       c.lat, c.lon, t.report_id AS tpl_id,
       ((c.occurred_from + t.lag) AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
         - (r.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS shift,
       nextval(pg_get_serial_sequence('records_crimereport', 'id')) AS report_id
FROM (SELECT i.id AS incident_id, i.occurred_from, i.commune_id, i.responsible_unit_id AS unit_id, i.address,
             i.narrative, i.lat, i.lon, (i.occurred_from AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day,
             random() AS u
      FROM records_incident i JOIN share s ON s.kind = i.kind
      WHERE i.external_id LIKE '{imported}' AND random() < s.p
        AND NOT EXISTS (SELECT 1 FROM records_incident_crime_reports l WHERE l.incident_id = i.id)) c
JOIN tplday d ON d.day = c.day
JOIN tpl t ON t.day = c.day AND t.k = 1 + floor(c.u * d.n)::int
JOIN records_crimereport r ON r.id = t.report_id;
ANALYZE newr;
INSERT INTO records_crimereport (id, register_number, register_year, register_seq, kind, channel, received_at,
    reporter_confidential, reporter_agency, summary, address, lat, lon, status, due_on, extended,
    procuracy_extended, decided_on, decided_within_deadline, decision_note, reporter_notified_on,
    procuracy_notified_on, review_status, created_at, updated_at, version, is_synthetic, commune_id,
    created_by_id, handling_unit_id, receiving_unit_id, transfer_to_id, suspected_offence_id, reporter_id,
    losses_vnd, collector_account, collector_account_named_at)
SELECT n.report_id, 'BENCH-R-' || n.incident_id,
       extract(year FROM n.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::int, n.incident_id, r.kind, r.channel,
       n.received_at, r.reporter_confidential, r.reporter_agency, n.narrative, n.address, n.lat, n.lon,
       r.status, r.due_on + n.shift, r.extended, r.procuracy_extended, r.decided_on + n.shift,
       r.decided_within_deadline, r.decision_note, r.reporter_notified_on + n.shift,
       r.procuracy_notified_on + n.shift, r.review_status, n.received_at, n.received_at, 1, true, n.commune_id,
       r.created_by_id,
       CASE WHEN r.handling_unit_id = r.receiving_unit_id THEN n.unit_id ELSE r.handling_unit_id END,
       n.unit_id, r.transfer_to_id,
       COALESCE((SELECT o.offence_id FROM records_incidentoffence o WHERE o.incident_id = n.incident_id
                 ORDER BY o.is_main DESC, o.id LIMIT 1), r.suspected_offence_id),
       NULL, 0, '', NULL
FROM newr n JOIN records_crimereport r ON r.id = n.tpl_id;
INSERT INTO records_reportclockevent (kind, "on", months, note, created_at, created_by_id, report_id)
SELECT e.kind, e."on" + n.shift, e.months, e.note, e.created_at + n.shift * interval '1 day', e.created_by_id,
       n.report_id
FROM newr n JOIN records_reportclockevent e ON e.report_id = n.tpl_id;
INSERT INTO records_incident_crime_reports (incident_id, crimereport_id) SELECT incident_id, report_id FROM newr;
"""

SHARES_SQL = """
SELECT json_build_object(
  'incidents', (SELECT count(*) FROM records_incident),
  'crime incidents', (SELECT count(*) FROM records_incident WHERE kind = 'crime'),
  'crime incidents with a case', (SELECT count(*) FROM records_incident i WHERE kind = 'crime'
      AND EXISTS (SELECT 1 FROM records_case c WHERE c.incident_id = i.id)),
  'cases', (SELECT count(*) FROM records_case),
  'cases from the shape step', (SELECT count(*) FROM records_case WHERE number LIKE 'BENCH-%'),
  'status changes', (SELECT count(*) FROM records_casestatuschange),
  'crime reports', (SELECT count(*) FROM records_crimereport),
  'crime reports from the report step', (SELECT count(*) FROM records_crimereport
      WHERE register_number LIKE 'BENCH-R-%'),
  'report clock events', (SELECT count(*) FROM records_reportclockevent),
  'incidents linked to a crime report', (SELECT count(DISTINCT incident_id) FROM records_incident_crime_reports),
  'database size (GB)', (SELECT round(pg_database_size(current_database()) / 1e9, 1)),
  'cases cleared', (SELECT count(*) FROM records_case WHERE status = 'cleared'),
  'cases unfounded or closed', (SELECT count(*) FROM records_case WHERE status IN ('unfounded', 'closed_admin')),
  'cleared per year', (SELECT json_object_agg(y, n ORDER BY y) FROM (
      SELECT extract(year FROM offender_identified_at)::int AS y, count(*) AS n FROM records_case
      WHERE status = 'cleared' GROUP BY 1) t),
  'cases whose occurred_at is wrong', (SELECT count(*) FROM records_case c WHERE c.occurred_at IS DISTINCT FROM
      COALESCE((SELECT occurred_from FROM records_incident i WHERE i.id = c.incident_id),
               (SELECT received_at FROM records_crimereport r WHERE r.id = c.crime_report_id)))
)
"""


def run(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return time.perf_counter() - started


def build(db: Database, size: int, extra: int, workdir: Path) -> tuple[dict[str, float], list[dict]]:
    env = db.env()
    times = {"migrate": run([PYTHON, "manage.py", "migrate", "--no-input", "-v", "0"], env)}
    say(f"migrated in {times['migrate']:.0f} s")
    times["generate complete records"] = run(
        [PYTHON, "manage.py", "records_generate", "--incidents", str(size), "--seed", str(GENERATED_SEED),
         "--no-progress"], env,
    )  # fmt: skip
    say(f"generated {size:,} complete records in {times['generate complete records']:.0f} s")
    imports = import_more(db, extra, workdir) if extra else []
    if imports:
        times["write the CSV files"] = sum(i["generate"] for i in imports)
        times["import"] = sum(i["seconds"] for i in imports)
        times.update(after_import(db))
    else:
        times.update(shape(db))
    return times, imports


def after_import(db: Database) -> dict[str, float]:
    """Crime reports for the imported incidents, then the shape step."""
    started = time.perf_counter()
    db.psql(
        QUIET
        + REPORTS_SQL.format(generated=f"SYN-{GENERATED_SEED}-%", imported=f"SYN-{IMPORT_SEED // 1000}%")
    )
    times = {"crime reports for the imported incidents": time.perf_counter() - started}
    say(f"crime reports in {times['crime reports for the imported incidents']:.0f} s")
    return times | shape(db)


CHUNK = 1_000_000
GENERATED_SEED = 20230701  # the generated records' seed (records_generate's default: earlier builds match)
IMPORT_SEED = 77_000_000  # the imported files' seeds: 77000001, 77000002, ... (external ids SYN-77...)


def import_more(db: Database, extra: int, workdir: Path) -> list[dict]:
    """Import `extra` incidents as CSV files of at most CHUNK rows, each timed."""
    env = db.env()
    done = []
    for k, start in enumerate(range(0, extra, CHUNK), start=1):
        rows = min(CHUNK, extra - start)
        path = workdir / f"import-{k}.csv"
        generate = run(
            [PYTHON, "manage.py", "records_generate", "--incidents", str(rows), "--seed", str(IMPORT_SEED + k),
             "--csv", str(path), "--no-progress"], env,
        )  # fmt: skip
        before = int(db.psql("SELECT count(*) FROM records_incident").strip())
        load = load_average()
        seconds = run(
            [PYTHON, "manage.py", "import_incidents", str(path), "--unit", "PV01", "--no-progress"], env
        )
        path.unlink()
        done.append(
            {
                "file": k,
                "rows": rows,
                "before": before,
                "generate": generate,
                "seconds": seconds,
                "load": load,
            }
        )
        say(f"import {k}: {rows:,} rows onto {before:,} in {seconds:.0f} s (load {load})")
    return done


def say(message: str) -> None:
    print(f"{dt.datetime.now(dt.UTC):%H:%M:%S} {message}", file=sys.stderr, flush=True)


def shape(db: Database) -> dict[str, float]:
    if db.kind != "postgres":
        raise SystemExit("the shape step is written for PostgreSQL")
    started = time.perf_counter()
    db.psql(QUIET + SHAPE_SQL)
    times = {"a case for every crime": time.perf_counter() - started}
    say(f"a case for every crime in {times['a case for every crime']:.0f} s")
    times.update(recompute(db))
    started = time.perf_counter()
    db.psql("VACUUM ANALYZE")
    times["vacuum analyze"] = time.perf_counter() - started
    say(f"vacuum analyze in {times['vacuum analyze']:.0f} s")
    return times


# The set-based steps write with the row and statement triggers off (each row's trigger
# costs ~0.1 ms, hours at ten million); recompute() then rebuilds what the triggers keep
# (the cases' copies) and verifies them and the monthly counts.
QUIET = "SET session_replication_role = replica;\n"

RECOMPUTE = """
from django.db import connection
from anninh.compstat import aggregates
from anninh.records import occurrence
with connection.cursor() as cursor:  # the rebuild's updates set what the triggers would
    cursor.execute("SET session_replication_role = replica")
changed = occurrence.rebuild()
wrong = occurrence.verify(), aggregates.verify()
assert not any(wrong), [w[:5] for w in wrong]
print(changed)
"""
# The steps add cases, their history and crime reports, no people: the cleared suspects
# (campaigns.offenders) are not touched, and the monthly counts of incidents only verified.


def recompute(db: Database) -> dict[str, float]:
    started = time.perf_counter()
    run([PYTHON, "manage.py", "shell", "-c", RECOMPUTE], db.env())
    seconds = time.perf_counter() - started
    say(f"trigger-kept tables rebuilt and verified in {seconds:.0f} s")
    return {"rebuild and verify the trigger-kept tables": seconds}


def measure(samples: int, only: str, gc_mode: str) -> dict:
    import gc

    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anninh.settings")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from anninh.testing.personas import make_user

    def user(name: str, role: str, unit: str):
        existing = get_user_model().objects.filter(username=name).first()
        return existing or make_user(name, role, unit_code=unit)

    commander = user("bench_commander", "commander", "CAHP")
    officer = user("bench_officer", "commune_officer", "CA11383")
    pauses: list[float] = []
    if gc_mode == "tuned":
        from anninh.lib.gc_tuning import settle

        settle()  # what anninh/wsgi.py and the gunicorn hooks do once start-up is done
    started_at: list[float] = []

    def on_gc(phase, info):
        if info["generation"] == 2:
            if phase == "start":
                started_at.append(time.perf_counter())
            elif started_at:
                pauses.append((time.perf_counter() - started_at.pop()) * 1000)

    gc.callbacks.append(on_gc)
    year = dt.date.today().year
    out = {"rows": [], "gc": gc_mode}
    for label, who in (("commander", commander), ("commune officer (Lê Chân)", officer)):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(who)
        for name, url in REQUESTS:
            if only and not any(part in name for part in only.split("|")):
                continue
            if "commune=" in url and who is officer:
                continue
            url = url.format(year=year)
            for _ in range(2):
                status = client.get(url).status_code
                assert status == 200, (url, status)
            counted: list[str] = []

            def count(execute, sql, params, many, context, counted=counted):
                counted.append(sql)
                return execute(sql, params, many, context)

            with connection.execute_wrapper(count):
                client.get(url)
            before = len(pauses)
            times = []
            for _ in range(samples):
                t0 = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - t0) * 1000)
            stats = summary(times)
            out["rows"].append(
                {
                    "viewer": label,
                    "request": name,
                    **stats,
                    "queries": len(counted),
                    "full_gcs": len(pauses) - before,
                }
            )
            print(
                f"{label:28} {name:45} p50 {stats['p50']:6.0f} p95 {stats['p95']:6.0f} p99 {stats['p99']:6.0f}",
                file=sys.stderr,
                flush=True,
            )
    out["full_gc_pauses_ms"] = sorted(pauses)
    return out


def child(db: Database, samples: int, only: str, gc_mode: str) -> dict:
    done = subprocess.run(
        [PYTHON, __file__, "--measure-only", "--samples", str(samples), "--only", only, "--gc", gc_mode],
        cwd=ROOT,
        env=db.env(),
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit("measurement failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def report(
    args,
    db: Database,
    shares: dict,
    times: dict,
    imports: list[dict],
    results: list[dict],
    loads: tuple[str, str],
    wall: float,
) -> str:
    lines = [
        "# CompStat, lists and case pages at scale (real shape)",
        "",
        f"Run {dt.datetime.now(dt.UTC):%d/%m/%Y %H:%M} UTC by `benchmarks/compstat_scale.py` "
        f"({' '.join(a for a in sys.argv[1:] if '://' not in a)}), {wall / 60:.0f} min.",
        "",
        f"- Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Linux {platform.release()}, "
        f"Python {platform.python_version()}; load average {loads[0]} at the start, {loads[1]} at the end "
        "(a shared machine: other jobs ran beside this one, so times are noisy and on the high side).",
        f"- Database: {db.kind}.",
        "- Build: "
        + (", ".join(f"{k} {v:.0f} s" for k, v in times.items()) if times else "an existing database."),
        "- Targets (issue #15): CompStat dashboard and API p95 < 500 ms for every period and viewer; lists and API p95 < 300 ms.",
        "",
        "## The data's shape",
        "",
        "| | count |",
        "|---|---:|",
    ]
    for key, value in shares.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}: {v:,}" for k, v in value.items())
            lines.append(f"| {key} | {value} |")
        else:
            lines.append(f"| {key} | {value:,} |")
    if shares.get("crime incidents"):
        lines += [
            "",
            f"Crime incidents with a case: {shares['crime incidents with a case'] / shares['crime incidents']:.1%}; "
            f"incidents linked to a crime report: {shares['incidents linked to a crime report'] / shares['incidents']:.1%} "
            "(the demo generator's share); cases cleared: "
            f"{shares['cases cleared'] / max(shares['cases'], 1):.1%}, spread over the years above.",
        ]
    if imports:
        lines += [
            "",
            "## The imports (`manage.py import_incidents`, wall time with Python start-up)",
            "",
            "| file | rows | incidents already in the table | seconds | rows/s | load average before |",
            "|---:|---:|---:|---:|---:|---|",
        ]
        for i in imports:
            lines.append(
                f"| {i['file']} | {i['rows']:,} | {i['before']:,} | {i['seconds']:.1f} "
                f"| {i['rows'] / i['seconds']:,.0f} | {i['load']} |"
            )
        total = sum(i["seconds"] for i in imports)
        rows = sum(i["rows"] for i in imports)
        lines.append(f"| all | {rows:,} | | {total:.1f} | {rows / total:,.0f} | |")
    for result in results:
        lines += [
            "",
            f"## Timings (ms), garbage collector: {result['gc']}",
            "",
            "| viewer | request | p50 | p95 | p99 | max | samples | queries | full GCs |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for r in result["rows"]:
            lines.append(
                f"| {r['viewer']} | {r['request']} | {r['p50']:.0f} | {r['p95']:.0f} | {r['p99']:.0f} | {r['max']:.0f} "
                f"| {r['n']} | {r['queries']} | {r['full_gcs']} |"
            )
        p = result["full_gc_pauses_ms"]
        if p:
            lines.append(
                f"\nFull (generation 2) collections: {len(p)}, pause median {p[len(p) // 2]:.0f} ms, longest {p[-1]:.0f} ms."
            )
        else:
            lines.append("\nFull (generation 2) collections: none.")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: DATABASE_URL")
    parser.add_argument(
        "--create", action="store_true", help="create the database (refused if it exists) and build"
    )
    parser.add_argument(
        "--shape-only", action="store_true", help="only the shape step on an existing database"
    )
    parser.add_argument(
        "--after-import",
        action="store_true",
        help="only the steps after --import's imports (crime reports, shape) on an existing database",
    )
    parser.add_argument(
        "--drop", action="store_true", help="drop the database at the end (only one this run created)"
    )
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument(
        "--import", dest="extra", type=int, default=0,
        help="with --create: import this many more incidents (files of 1,000,000) after --size generated",
    )  # fmt: skip
    parser.add_argument("--samples", type=int, default=MIN_SAMPLES)
    parser.add_argument(
        "--only", default="", help='only the requests whose name contains this (several: "a|b")'
    )
    parser.add_argument("--gc", choices=["tuned", "python-defaults", "both"], default="tuned")
    parser.add_argument("--out", type=Path, help="results file; without it the table is only printed")
    parser.add_argument("--save", action="store_true", help=f"write to {DEFAULT_OUT.relative_to(ROOT)}")
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_only:
        print(json.dumps(measure(args.samples, args.only, args.gc)))
        return
    if args.samples < MIN_SAMPLES:
        print(f"warning: {args.samples} samples: p95/p99 need at least {MIN_SAMPLES}", file=sys.stderr)
    out = args.out or (DEFAULT_OUT if args.save else None)
    db = from_args(args.database_url)
    workdir = Path(tempfile.mkdtemp(prefix="anninh-compstat-"))  # private (0700)
    started = time.perf_counter()
    loads = [load_average()]
    times: dict[str, float] = {}
    imports: list[dict] = []
    if args.extra and not args.create:
        raise SystemExit("--import builds a new database: add --create")
    try:
        if args.create:
            db.create()
            times, imports = build(db, args.size, args.extra, workdir)
        elif args.shape_only:
            times = shape(db)
        elif args.after_import:
            times = after_import(db)
        shares = json.loads(db.psql(SHARES_SQL)) if db.kind == "postgres" else {}
        modes = ["python-defaults", "tuned"] if args.gc == "both" else [args.gc]
        results = [child(db, args.samples, args.only, mode) for mode in modes]
        loads.append(load_average())
        text = report(
            args, db, shares, times, imports, results, (loads[0], loads[1]), time.perf_counter() - started
        )
        (workdir / "result.md").write_text(text, encoding="utf-8")
        if out:
            out.write_text(text, encoding="utf-8")
        print(text)
    finally:
        if args.drop:
            db.drop()


if __name__ == "__main__":
    main()
