"""Lighthouse (mobile) and axe-core on the public pages, against Debian's chromium.

    (cd benchmarks/lighthouse && npm ci)      # lighthouse@12.2.3, pinned in package-lock.json
    python benchmarks/lighthouse_public.py    # writes benchmarks/results/public-lighthouse.md
    python benchmarks/lighthouse_public.py --runs 1 --out /tmp/smoke.md

Builds a fresh SQLite database in a temporary folder (migrations load the 114 communes),
adds published warnings and a year of monthly counts, serves it with gunicorn on 127.0.0.1
(DEBUG off, as in production), then runs Lighthouse's default mobile profile (Moto G power
emulation, simulated slow 4G, 4x CPU slowdown) on each page, `--runs` times, and reports the
median performance and accessibility scores, plus axe-core's serious and critical findings.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIGHTHOUSE = ROOT / "benchmarks" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
PORT = 8765
PAGES = {
    "home": "/",
    "warnings list": "/warnings/",
    "a warning": "/warnings/{warning}/",
    "transparency": "/transparency/",
    "business sign-in": "/business/login/",
    "request form": "/requests/",
    "request tracking": "/requests/track/",
}

SEED = r"""
import datetime as dt, random
from anninh.testing.personas import make_user
from anninh.public.tests.factories import publish_warning
from anninh.compstat.models import IncidentMonth
from anninh.geo.models import Commune
from anninh.org.models import Unit
press = make_user("lh_press", "public_relations", unit_code="PV01")
chief = make_user("lh_chief", "commander", unit_code="CAHP")
ws = [publish_warning(drafter=press, approver=chief, commune_codes=["11311", "11329"]) for _ in range(3)]
publish_warning(drafter=press, approver=chief, whole_city=True, commune_codes=[], trick="loan_app",
                title_vi="Cảnh giác ứng dụng cho vay trực tuyến", title_en="Beware of loan apps")
random.seed(1)
month = dt.date.today().replace(day=1)
months = []
for _ in range(13):
    month = (month - dt.timedelta(days=1)).replace(day=1)
    months.append(month)
units = {u.commune_id: u.pk for u in Unit.objects.filter(commune__isnull=False)}
rows = []
for c in Commune.objects.all():
    for m in months:
        for kind, mean in (("crime", 6), ("fire", 1)):
            n = max(0, int(random.gauss(mean, mean)))
            if n and c.code in units:
                rows.append(IncidentMonth(month=m, commune_id=c.code, responsible_unit_id=units[c.code], kind=kind, n=n))
IncidentMonth.objects.bulk_create(rows)
print(ws[0].pk)
"""


def _env(folder: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        ANNINH_SQLITE_PATH=str(folder / "lighthouse.sqlite3"),
        ANNINH_DEBUG="0",
        DJANGO_SETTINGS_MODULE="anninh.settings",
        ANNINH_ALLOWED_HOSTS="127.0.0.1,localhost",
    )
    env.pop("DATABASE_URL", None)
    return env


def _manage(env, *args, stdin: str | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, input=stdin, text=True, capture_output=True
    )
    if result.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def _wait(url: str, seconds: float = 60) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - loopback only
            return
        except OSError:
            time.sleep(0.5)
    sys.exit(f"the server did not answer at {url}")


def _exists(url: str) -> bool:
    try:
        return urllib.request.urlopen(url, timeout=5).status == 200  # noqa: S310 - loopback only
    except OSError:
        return False


def _lighthouse(url: str, out: Path, tries: int = 2) -> dict[str, float]:
    done = subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--only-categories=performance,accessibility",
            "--output=json",
            f"--output-path={out}",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage",
        ],
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        capture_output=True,
        text=True,
    )
    if done.returncode and tries > 1:
        # Chromium now and then fails to start on a busy shared machine: one more try.
        print(f"lighthouse failed on {url}, trying again:\n{done.stderr[-1500:]}", file=sys.stderr)
        return _lighthouse(url, out, tries - 1)
    if done.returncode:
        sys.exit(f"lighthouse failed on {url} (exit {done.returncode}):\n{done.stderr[-3000:]}")
    report = json.loads(out.read_text())
    audits = report["audits"]
    return {
        "performance": report["categories"]["performance"]["score"] * 100,
        "accessibility": report["categories"]["accessibility"]["score"] * 100,
        "fcp": audits["first-contentful-paint"]["numericValue"],
        "lcp": audits["largest-contentful-paint"]["numericValue"],
        "tbt": audits["total-blocking-time"]["numericValue"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "bytes": audits["total-byte-weight"]["numericValue"],
        "failed": [
            a["id"]
            for a in (audits[ref["id"]] for ref in report["categories"]["accessibility"]["auditRefs"])
            if a.get("score") is not None and a["score"] < 1
        ],
    }


def _axe(urls: dict[str, str]) -> dict[str, list[str]]:
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    found: dict[str, list[str]] = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--headless=new", "--no-sandbox"])
        page = browser.new_page(viewport={"width": 412, "height": 823})
        for name, url in urls.items():
            page.goto(url)
            violations = Axe().run(page).response["violations"]
            found[name] = [
                f"{v['id']} ({v['impact']})" for v in violations if v["impact"] in ("serious", "critical")
            ]
        browser.close()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages", nargs="*", choices=sorted(PAGES), help="measure only these pages")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "public-lighthouse.md")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit("run `npm ci` in benchmarks/lighthouse first")
    started = time.monotonic()
    folder = Path(tempfile.mkdtemp(prefix="anninh-lighthouse-"))
    env = _env(folder)
    _manage(env, "migrate", "--no-input")
    # DEBUG off: whitenoise serves only collected files (the page's CSS and scripts).
    _manage(env, "collectstatic", "--no-input", "-v0")
    warning = _manage(env, "shell", stdin=SEED).strip().splitlines()[-1]
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "anninh.wsgi", "-b", f"127.0.0.1:{PORT}", "-w", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{PORT}"
    try:
        _wait(base + "/")
        chosen = {name: path for name, path in PAGES.items() if not args.pages or name in args.pages}
        urls = {name: base + path.format(warning=warning) for name, path in chosen.items()}
        urls = {name: url for name, url in urls.items() if _exists(url)}
        results: dict[str, list[dict]] = {name: [] for name in urls}
        for name, url in urls.items():
            _exists(url)  # warm the page's cache before measuring
            for run in range(args.runs):
                results[name].append(_lighthouse(url, folder / f"{name}-{run}.json".replace(" ", "_")))
        axe = _axe(urls)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    version = subprocess.run([str(LIGHTHOUSE), "--version"], capture_output=True, text=True).stdout.strip()
    chromium = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout.strip()
    lines = [
        "# Public pages: Lighthouse (mobile) and axe-core",
        "",
        f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC by `benchmarks/lighthouse_public.py --runs {args.runs}`, "
        f"{time.monotonic() - started:.0f} s. Lighthouse {version}, {chromium}, "
        f"{platform.machine()} with {os.cpu_count()} cores (shared with other work), gunicorn 2 workers, "
        "SQLite, DEBUG off. Mobile profile: Lighthouse's default (emulated Moto G power, simulated slow 4G, "
        "4x CPU slowdown). Median of the runs; the target is 95 or more in both.",
        "",
        "| page | path | performance | accessibility | FCP ms | LCP ms | TBT ms | CLS | bytes | axe serious/critical |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, runs in results.items():
        med = {
            key: statistics.median(r[key] for r in runs)
            for key in ("performance", "accessibility", "fcp", "lcp", "tbt", "cls", "bytes")
        }
        path = urls[name].removeprefix(base)
        lines.append(
            f"| {name} | `{path}` | {med['performance']:.0f} | {med['accessibility']:.0f} | {med['fcp']:.0f} | "
            f"{med['lcp']:.0f} | {med['tbt']:.0f} | {med['cls']:.3f} | {med['bytes']:.0f} | {', '.join(axe[name]) or 'none'} |"
        )
    failed = sorted({a for runs in results.values() for r in runs for a in r["failed"]})
    missing = [name for name in chosen if name not in urls]
    lines += [
        "",
        f"Accessibility audits not passed on some page: {', '.join(failed) or 'none'}.",
    ]
    if missing:
        lines.append(f"Not measured (no such page in this build): {', '.join(missing)}.")
    args.out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
