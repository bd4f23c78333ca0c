"""How long a CompStat report (issue #4: "the PDF report renders in under 10 s with 1M
incidents") takes to make, split into its steps.

    .venv/bin/python benchmarks/report_render.py                  # 1,000,000 incidents, SQLite
    .venv/bin/python benchmarks/report_render.py --size 100000 --repeat 3
    .venv/bin/python benchmarks/report_render.py --reuse          # keep the database of a previous run

Method:

1. A fresh SQLite database (a new file under --workdir), migrated; the demo generator
   (`manage.py records_generate --incidents N --csv`) writes N synthetic incidents over three
   years in all 114 communes, and `manage.py import_incidents` loads them (as
   benchmarks/records_scale.py does).
2. In one Python process with DEBUG off, for the last complete ISO week and the last complete
   month of the data, city-wide and for Phường Lê Chân: the CompStat selector
   (`compstat_summary`), the HTML (template and SVG charts and map), and the PDF (WeasyPrint)
   are timed separately, each repeated; the median and the worst are reported with the size of
   the PDF and its page count. The report service stores nothing here (no database writes).

Times are wall-clock on a shared machine (load average in the report). Nothing here runs in the
test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from _stats import percentile  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "report-render.md"
SEED = 42


def manage(*args: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return time.perf_counter() - started


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def build(size: int, workdir: Path, reuse: bool) -> tuple[dict[str, str], list[str]]:
    workdir.mkdir(parents=True, exist_ok=True)
    db = workdir / f"reports-{size}.sqlite3"
    env = {**os.environ, "ANNINH_DEBUG": "0", "PYTHONWARNINGS": "ignore", "ANNINH_SQLITE_PATH": str(db)}
    env.pop("DATABASE_URL", None)
    notes: list[str] = []
    if reuse and db.exists():
        notes.append(f"Database reused from a previous run ({db}).")
        return env, notes
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    manage("migrate", "--no-input", "-v", "0", env=env)
    csv = workdir / f"reports-incidents-{size}.csv"
    seconds = manage(
        "records_generate",
        "--incidents",
        str(size),
        "--seed",
        str(SEED),
        "--csv",
        str(csv),
        "--no-progress",
        env=env,
    )
    notes.append(f"Generated {size:,} synthetic incidents as CSV in {seconds:.0f} s.")
    seconds = manage("import_incidents", str(csv), "--unit", "PV01", "--no-progress", env=env)
    notes.append(f"Imported them in {seconds:.0f} s.")
    csv.unlink(missing_ok=True)
    return env, notes


def measure(repeat: int) -> None:
    """Runs inside Django (see main): prints one markdown table row per case."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anninh.settings")
    django.setup()
    from django.db.models import Max
    from pypdf import PdfReader

    from anninh.compstat.periods import Period
    from anninh.compstat.selectors import compstat_summary
    from anninh.geo.models import Commune
    from anninh.records.models import Incident
    from anninh.reports.services import SYSTEM, render_html, render_pdf

    count = Incident.objects.count()
    latest = Incident.objects.aggregate(m=Max("occurred_from"))["m"].date()
    week = Period.default(latest)
    month_end = latest.replace(day=1) - dt.timedelta(days=1)
    month = Period.month(month_end.year, month_end.month)
    le_chan = Commune.objects.filter(name__endswith="Lê Chân").values_list("code", flat=True).first()
    print(f"incidents={count} latest={latest.isoformat()}")
    cases = [(week, ""), (month, ""), (week, le_chan), (month, le_chan)]
    for period, commune in cases:
        steps: dict[str, list[float]] = {"summary": [], "html": [], "pdf": [], "total": []}
        pdf = b""
        for i in range(repeat + 1):  # the first run warms caches (communes, fonts) and is dropped
            t0 = time.perf_counter()
            compstat_summary(viewer=SYSTEM, period=period, commune=commune or "")
            t1 = time.perf_counter()
            _title, html = render_html(viewer=SYSTEM, period=period, language="vi", commune=commune or "")
            t2 = time.perf_counter()
            pdf = render_pdf(html)
            t3 = time.perf_counter()
            if i:
                # render_html calls the selector itself: its own time is html minus summary.
                steps["summary"].append(t1 - t0)
                steps["html"].append(max(0.0, (t2 - t1) - (t1 - t0)))
                steps["pdf"].append(t3 - t2)
                steps["total"].append(t3 - t1)
        pages = len(PdfReader(io.BytesIO(pdf)).pages)
        scope = "city" if not commune else "Phường Lê Chân"
        cells = " | ".join(f"{percentile(v, 50):.2f} / {max(v):.2f}" for v in steps.values())
        print(f"| {period.kind} {period.slug} | {scope} | {cells} | {len(pdf) / 1024:.0f} KiB | {pages} |")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--workdir", type=Path, help="default: a new private folder (mkdtemp)")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse the database in --workdir of a previous run"
    )
    parser.add_argument("--out", type=Path, help="results file; without it (or --save) only printed")
    parser.add_argument("--save", action="store_true", help="write to benchmarks/results/report-render.md")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.repeat)
        return
    if args.reuse and args.workdir is None:
        raise SystemExit("--reuse needs the --workdir of the earlier run")
    args.workdir = args.workdir or Path(tempfile.mkdtemp(prefix="anninh-report-bench-"))
    load_start = load_average()
    env, notes = build(args.size, args.workdir, args.reuse)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, "--measure", "--repeat", str(args.repeat)],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "anninh.settings", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(done.stdout[-3000:] + done.stderr[-3000:])
    out = done.stdout.strip().splitlines()
    header, rows = out[0], [line for line in out[1:] if line.startswith("|")]
    import weasyprint

    lines = [
        "# CompStat report rendering",
        "",
        f"Run {dt.datetime.now().astimezone().strftime('%d/%m/%Y %H:%M %Z')} by `benchmarks/report_render.py` "
        f"({' '.join(sys.argv[1:]) or 'defaults'}), {header}.",
        "",
        f"- Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"{platform.system()} {platform.release()}; shared with other work: load average {load_start} at the "
        f"start, {load_average()} at the end.",
        f"- Versions: Python {platform.python_version()}, WeasyPrint {weasyprint.__version__}, SQLite.",
        f"- Measuring took {time.perf_counter() - started:.0f} s. " + " ".join(notes),
        "- Seconds, median / worst of the repeats after one warm-up; *total* = selector + HTML + PDF "
        "(what `compstat_report` spends apart from storing the row).",
        "",
        "| report | scope | selector (s) | HTML + SVG (s) | PDF (s) | total (s) | PDF size | pages |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        "Target: under 10 s with 1,000,000 incidents.",
        "",
    ]
    text = "\n".join(lines)
    out = args.out or (RESULTS if args.save else None)
    if out:
        out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
