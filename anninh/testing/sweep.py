"""The sweep: every page a demo role can reach, in Vietnamese and English, checked in a real
browser for what a user notices in the first minute (issue #13, "The sweep that keeps it so").

`sweep(browser, base_url, accounts)` logs in once per account, walks the menu and the main links
of each page, and returns every finding as a list (never stops at the first), so one run shows
all that is wrong. The CI test is tests/browser/test_sweep.py (its allow-list names a reason for
every accepted finding). Pages are discovered from each role's menu, so a new app's pages are
swept as soon as its menu entry is merged.

Checks, per page: a console error or a failed request, a server error, a page wider than the
window (1366 px; 390 px for the pages officers use in the field), an English word in Vietnamese
mode (outside ENGLISH_ALLOWED: names, codes; text marked lang="en" is data), an unformatted number of four digits or more in
running text, an image without alternative text, and serious or critical axe-core violations.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}

# Pages an officer opens in the field, on a phone: they must fit 390 px as well.
FIELD_PAGES = (
    re.compile(r"^/$"),
    re.compile(r"^/records/reports/(new/)?$"),
    re.compile(r"^/records/reports/\d+/$"),
    re.compile(r"^/records/incidents/(new/)?$"),
    re.compile(r"^/records/incidents/\d+/$"),
    re.compile(r"^/records/deadlines/$"),
    re.compile(r"^/patrols/\d+/$"),
)

# Links the walk never follows: they change state, leave the application, download a file, or
# repeat a page already visited with another filter.
NOT_FOLLOWED = re.compile(
    r"^/(accounts/logout|i18n|language|admin/.+/(add|delete|history|password)|static/|media/)"
    r"|\.(pdf|csv|xlsx|geojson|json|png|zip|atom|rss|xml)(\?|$)|/(download|export|print|pdf|csv|xlsx|feed)/?(\?|$)"
)

# Words that are the same in both languages or are names and codes (checked in Vietnamese mode
# only; a word counts as English when it is in ENGLISH_WORDS below and not here).
ENGLISH_ALLOWED = frozenset(
    {
        # names and codes
        "anninh",
        "api",
        "compstat",
        "pdf",
        "csv",
        "xlsx",
        "json",
        "geojson",
        "openapi",
        "swagger",
        "leaflet",
        "echarts",
        "openstreetmap",
        "totp",
        "gps",
        "sms",
        "email",
        "id",
        "url",
        "html",
        "vnd",
        "km",
        "utc",
        "ok",
        "pai",
        "pei",
        "gi",
        "knox",
        "demo",
        # a language's name written in that language (the language switchers)
        "english",
        # Vietnamese syllables written without diacritics that are also English words
        "an",
        "ban",
        "con",
        "tin",
        "hai",
        "long",
        "son",
        "bang",
        "minh",
        "nam",
        "top",
        "men",
        "to",  # "phóng to" (zoom in), "to lớn"
        "may",  # "may mặc" (garments), "máy" without its accent in names
    }
)

# Common English words of an interface (the source language of every msgid). Vietnamese text
# never contains them as words; an English phrase left untranslated always contains some.
ENGLISH_WORDS = frozenset(
    [
        "the",
        "and",
        "of",
        "to",
        "for",
        "with",
        "from",
        "by",
        "not",
        "all",
        "new",
        "report",
        "reports",
        "incident",
        "incidents",
        "case",
        "cases",
        "crime",
        "crimes",
        "date",
        "week",
        "weeks",
        "month",
        "year",
        "number",
        "total",
        "status",
        "received",
        "open",
        "closed",
        "search",
        "filter",
        "show",
        "page",
        "next",
        "previous",
        "name",
        "type",
        "commune",
        "communes",
        "unit",
        "units",
        "police",
        "map",
        "forecast",
        "forecasts",
        "patrol",
        "patrols",
        "analysis",
        "home",
        "log",
        "out",
        "save",
        "cancel",
        "download",
        "export",
        "import",
        "list",
        "view",
        "edit",
        "delete",
        "add",
        "create",
        "yes",
        "none",
        "loss",
        "losses",
        "review",
        "reviewed",
        "deadline",
        "deadlines",
        "overdue",
        "due",
        "officer",
        "officers",
        "commander",
        "analyst",
        "investigator",
        "press",
        "auditor",
        "administrator",
        "account",
        "profile",
        "password",
        "token",
        "tokens",
        "access",
        "denied",
        "error",
        "found",
        "people",
        "person",
        "persons",
        "victim",
        "suspect",
        "suspects",
        "witness",
        "arrest",
        "arrests",
        "decision",
        "decided",
        "pending",
        "approve",
        "approved",
        "approval",
        "draft",
        "plan",
        "plans",
        "shift",
        "shifts",
        "cell",
        "cells",
        "risk",
        "hot",
        "spot",
        "spots",
        "near",
        "repeat",
        "window",
        "kind",
        "kinds",
        "offence",
        "offences",
        "group",
        "groups",
        "rate",
        "rates",
        "change",
        "trend",
        "trends",
        "rising",
        "falling",
        "count",
        "counts",
        "expected",
        "observed",
        "interval",
        "significant",
        "paired",
        "bootstrap",
        "over",
        "weeks",
        "time",
        "from",
        "until",
        "since",
        "last",
        "this",
        "that",
        "these",
        "those",
        "who",
        "what",
        "when",
        "where",
        "which",
        "why",
        "how",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "has",
        "have",
        "had",
        "will",
        "would",
        "can",
        "could",
        "may",
        "might",
        "must",
        "should",
        "our",
        "your",
        "their",
        "its",
        "select",
        "choose",
        "apply",
        "reset",
        "clear",
        "more",
        "less",
        "details",
        "detail",
        "summary",
        "overview",
        "dashboard",
        "settings",
        "help",
        "about",
        "contact",
        "language",
        "english",
        "vietnamese",
        "sign",
        "signed",
        "user",
        "users",
        "role",
        "roles",
        "address",
        "street",
        "ward",
        "district",
        "city",
        "province",
        "phone",
        "channel",
        "online",
        "received",
        "by",
        "source",
        "sources",
        "fire",
        "rescue",
        "rescues",
        "drowning",
        "water",
        "boat",
        "vehicle",
        "vehicles",
        "people",
        "missing",
        "injured",
        "dead",
    ]
)

# An unformatted number: four digits or more in a row, not inside a code or a date (no letter,
# digit, slash, hyphen, dot, colon or underscore next to it), not an identifier written "#1234",
# and not a year.
BARE_NUMBER = re.compile(r"(?<![\w/\-.:,#])(\d{4,})(?![\w/\-.:,]|,\d)")
YEAR = re.compile(r"^(19|20)\d\d$")

# Text written in another language on purpose, marked so (`lang="en"` on an English unit name,
# which a screen reader then pronounces as English): data, not an untranslated string.
OTHER_LANGUAGE = '[lang]:not([lang=""]):not([lang|="vi"])'

# What the check for English in Vietnamese mode does not read: scripts, codes, text marked as not
# to be translated, third-party markup, and text marked as written in another language.
NOT_READ_FOR_ENGLISH = (
    "script, style, code, kbd, pre, [translate=no], .leaflet-control-attribution, .swagger-ui, "
    + OTHER_LANGUAGE
)

# Elements whose text is running text (numbers there are read, not looked up as codes).
RUNNING_TEXT = "main p, main li, main dd, main h1, main h2, main h3, main .kpi .value, main td.num, main figcaption, main .legend"


@dataclass(frozen=True)
class Account:
    username: str
    password: str


@dataclass
class Finding:
    kind: str
    path: str
    detail: str
    who: str = ""
    language: str = ""
    linked_from: str = ""

    def __str__(self) -> str:
        via = f" (linked from {self.linked_from})" if self.linked_from else ""
        return f"[{self.kind}] {self.who}/{self.language} {self.path}{via}: {self.detail}"


@dataclass
class Visit:
    """What one page load recorded (events fire while the page loads)."""

    console: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    in_flight: set = field(default_factory=set)

    def settle(self, page, quiet_ms: int = 150, limit_ms: int = 10000) -> None:
        """Wait until no request has been in flight for `quiet_ms` (the maps and charts fetch
        their data after the load event). Playwright's "networkidle" waits a fixed 500 ms."""
        quiet = 0
        waited = 0
        while quiet < quiet_ms and waited < limit_ms:
            page.wait_for_timeout(50)
            waited += 50
            quiet = 0 if self.in_flight else quiet + 50


def pattern_of(path: str) -> str:
    """One representative per kind of page: ids and numbers become N, the query string goes."""
    return re.sub(r"/\d+(?=/|$)", "/N", urlsplit(path).path)


def english_words(text: str) -> list[str]:
    words = re.findall(r"(?<![\w@/.-])[A-Za-z][A-Za-z']+(?![\w@/-])", text)
    return sorted({w for w in words if w.lower() in ENGLISH_WORDS and w.lower() not in ENGLISH_ALLOWED})


def _contexts(text: str, words: list[str]) -> str:
    """Where the first words were seen, so that the string can be found in the templates."""
    seen = []
    for word in words:
        m = re.search(rf"(?<![\w@/.-]){re.escape(word)}(?![\w@/-])", text)
        if m:
            snippet = " ".join(text[max(0, m.start() - 30) : m.end() + 30].split())
            seen.append(f"«{snippet}»")
    return f" (as in {' · '.join(seen)})" if seen else ""


def bare_numbers(text: str) -> list[str]:
    """Numbers a reader would misread without separators. A leading zero marks an identifier
    (a phone number, a CCCD number), never a count."""
    return sorted({m for m in BARE_NUMBER.findall(text) if not YEAR.match(m) and not m.startswith("0")})


def _login(context, base_url: str, account: Account) -> None:
    page = context.new_page()
    page.goto(base_url + "/accounts/login/")
    page.fill("input[name=username]", account.username)
    page.fill("input[name=password]", account.password)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.close()


def _set_language(context, base_url: str, language: str) -> None:
    host = urlsplit(base_url).hostname
    context.add_cookies([{"name": "django_language", "value": language, "domain": host, "path": "/"}])


def _links(page, base_url: str) -> list[str]:
    """The menu and the main links of a page: same origin, GET, not excluded (relative links
    are resolved against the page, as the browser does)."""
    hrefs = page.eval_on_selector_all(
        ".mainnav a[href], main a[href]:not([download]):not([target=_blank])",
        "els => els.map(e => e.getAttribute('href'))",
    )
    out = []
    for href in hrefs:
        if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        url = urljoin(page.url, href)
        if not url.startswith(base_url):
            continue
        path = url[len(base_url) :]
        if NOT_FOLLOWED.search(path):
            continue
        out.append(path)
    return out


def _check_page(page, path: str, language: str, *, field_page: bool, run_axe, findings: list[Finding]):
    def add(kind: str, detail: str) -> None:
        findings.append(Finding(kind, path, detail, language=language))

    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    if width[0] > width[1] + 1:
        add("too-wide-1366", f"{width[0]} px wide in a {width[1]} px window")
    for src in page.eval_on_selector_all("img:not([alt])", "els => els.map(e => e.getAttribute('src'))"):
        add("image-without-alt", src or "(no src)")
    if language == "vi":
        text = page.evaluate(
            """(skipped) => {
              const main = document.body.cloneNode(true);
              main.querySelectorAll(skipped).forEach(e => e.remove());
              return main.innerText;
            }""",
            NOT_READ_FOR_ENGLISH,
        )
        words = english_words(text)
        if words:
            add("english-in-vietnamese", ", ".join(words[:20]) + _contexts(text, words[:3]))
        running = page.eval_on_selector_all(
            "main p, main li, main dd, main h1, main h2, main h3, main .kpi .value, main td.num, main figcaption, main .legend",
            "els => els.filter(e => !e.closest('code, kbd, pre, [translate=no], .swagger-ui')).map(e => e.innerText)",
        )
        numbers = bare_numbers("\n".join(running))
        if numbers:
            add("unformatted-number", ", ".join(numbers[:20]))
        if run_axe is not None:
            for violation in run_axe(page):
                targets = "; ".join(" ".join(map(str, n.get("target", []))) for n in violation["nodes"][:3])
                add(
                    "axe-" + violation["impact"],
                    f"{violation['id']}: {violation['help']} ({len(violation['nodes'])}×: {targets})",
                )
    if field_page:
        # Loaded again at phone width, as a phone shows it (charts and maps size themselves at
        # load; a desktop page merely narrowed would report their desktop width).
        page.set_viewport_size(PHONE)
        page.reload(wait_until="load")
        page.wait_for_timeout(300)
        width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        if width[0] > width[1] + 1:
            add("too-wide-390", f"{width[0]} px wide in a {width[1]} px window")
        page.set_viewport_size(DESKTOP)


def axe_runner():
    """axe-core through axe-playwright-python: serious and critical violations only."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def run(page) -> list[dict]:
        results = axe.run(page, options={"resultTypes": ["violations"]})
        return [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]

    return run


def sweep(
    browser,
    base_url: str,
    accounts: Iterable[Account],
    *,
    languages: tuple[str, ...] = ("vi", "en"),
    max_pages_per_role: int = 40,
    links_per_page: int = 6,
    axe: bool = True,
) -> tuple[list[Finding], dict[str, list[str]]]:
    """Walk every account's pages; return (findings, visited paths by account)."""
    base_url = base_url.rstrip("/")
    findings: list[Finding] = []
    visited: dict[str, list[str]] = {}
    run_axe = axe_runner() if axe else None
    axed: set[str] = set()  # axe once per kind of page (it is slow, and the same in every language)
    # Outside Vietnamese, a kind of page another account already showed in that language is not
    # walked again: the checks left there (width, errors) depend on the page, not on the role.
    seen_in: dict[str, set[str]] = {language: set() for language in languages}
    for account in accounts:
        context = browser.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", viewport=DESKTOP)
        context.set_default_timeout(20000)
        _login(context, base_url, account)
        for language in languages:
            _set_language(context, base_url, language)
            page = context.new_page()
            visit = Visit()
            page.on("console", lambda msg, v=visit: msg.type == "error" and v.console.append(msg.text))
            page.on("pageerror", lambda exc, v=visit: v.console.append(str(exc)))
            page.on("request", lambda req, v=visit: v.in_flight.add(req))
            page.on("requestfinished", lambda req, v=visit: v.in_flight.discard(req))

            def on_failed(req, v=visit):
                v.in_flight.discard(req)
                v.failed.append(f"{req.url} ({req.failure})")

            page.on("requestfailed", on_failed)

            def on_response(resp, v=visit):
                if (
                    resp.status >= 400
                    and resp.url.startswith(base_url)
                    and resp.request.resource_type != "document"
                ):
                    v.failed.append(f"{resp.url[len(base_url) :]} → {resp.status}")

            page.on("response", on_response)
            queue: list[tuple[str, str]] = [("/", "")]
            seen_patterns: set[str] = set() if language == "vi" else set(seen_in[language]) - {"/"}
            walked: list[str] = []
            while queue and len(walked) < max_pages_per_role:
                path, linked_from = queue.pop(0)
                pattern = pattern_of(path)
                if pattern in seen_patterns:
                    continue
                seen_patterns.add(pattern)
                seen_in[language].add(pattern)
                visit.console.clear()
                visit.failed.clear()
                page_findings: list[Finding] = []
                try:
                    response = page.goto(base_url + path, wait_until="load")
                    visit.settle(page)
                except Exception as exc:
                    page_findings.append(Finding("load-failed", path, str(exc).splitlines()[0]))
                    response = None
                walked.append(path)
                if response is not None:
                    if response.status >= 500:
                        page_findings.append(Finding("server-error", path, str(response.status)))
                    elif response.status >= 400:
                        page_findings.append(
                            Finding("refused-link", path, f"{response.status} from a visible link")
                        )
                    else:
                        key = pattern
                        _check_page(
                            page,
                            path,
                            language,
                            field_page=any(p.match(urlsplit(path).path) for p in FIELD_PAGES),
                            run_axe=run_axe if key not in axed and language == "vi" else None,
                            findings=page_findings,
                        )
                        axed.add(key)
                        links = _links(page, base_url)
                        # New kinds of page only: one already walked or already waiting in the
                        # queue would use up a slot that another page could have.
                        queued = {pattern_of(waiting) for waiting, _ in queue}
                        menu_and_main = []
                        for link in links:
                            link_pattern = pattern_of(link)
                            if link_pattern not in seen_patterns and link_pattern not in queued:
                                queued.add(link_pattern)
                                menu_and_main.append(link)
                        queue.extend(
                            (link, path)
                            for link in (
                                menu_and_main[: links_per_page + 20]
                                if path == "/"
                                else menu_and_main[:links_per_page]
                            )
                        )
                page_findings += [Finding("console-error", path, text[:200]) for text in visit.console]
                page_findings += [Finding("failed-request", path, text[:200]) for text in visit.failed]
                for f in page_findings:
                    f.who, f.language, f.linked_from = account.username, language, linked_from
                findings.extend(page_findings)
            visited[f"{account.username}/{language}"] = walked
            page.close()
        context.close()
    return findings, visited


def allowed(finding: Finding, allow_list: dict[tuple[str, str], str]) -> str | None:
    """The allow-list entry (its reason) that covers this finding: (kind, regex on
    'who/lang path: detail')."""
    subject = f"{finding.who}/{finding.language} {finding.path}: {finding.detail}"
    for (kind, pattern), reason in allow_list.items():
        if finding.kind == kind and re.search(pattern, subject):
            return reason
    return None


# What to do about each kind of finding: printed once above the findings of that kind.
HOW_TO_FIX = {
    "server-error": "the page answered 5xx: see the traceback in the captured log",
    "load-failed": "the page did not load in time",
    "refused-link": "a page links to what this role may not open: hide the link for this role",
    "console-error": "a JavaScript error or a resource that failed (CSP: no inline handlers or scripts)",
    "failed-request": "a request of the page failed (a missing static file, an API answering 4xx/5xx)",
    "too-wide-1366": "the page scrolls sideways on a laptop: let long text wrap, give wide tables a scroll box",
    "too-wide-390": "a field page scrolls sideways on a phone: stack the columns below 600 px",
    "english-in-vietnamese": (
        "an untranslated string (gettext + i18n/NAME.po); a name or code: add it to ENGLISH_ALLOWED;"
        ' data written in English on purpose (an English name): mark its element lang="en"'
    ),
    "unformatted-number": "format counts with |num; put codes and identifiers in <code> or translate=no",
    "image-without-alt": 'give the image an alt text (alt="" if decorative)',
}


def report(findings: list[Finding]) -> str:
    """The findings grouped by kind of page (one block per URL pattern), so a new page's problems
    read together: which roles and languages, and what to do about each kind."""
    by_page: dict[str, list[Finding]] = {}
    for f in findings:
        by_page.setdefault(pattern_of(f.path), []).append(f)
    lines = []
    for pattern in sorted(by_page):
        lines.append(f"{pattern}")
        for f in sorted(by_page[pattern], key=lambda f: (f.kind, f.who, f.language)):
            via = f" ← {f.linked_from}" if f.linked_from else ""
            lines.append(f"  [{f.kind}] {f.who}/{f.language} {f.path}{via}: {f.detail}")
    kinds = sorted({f.kind for f in findings})
    hints = [f"  {k}: {HOW_TO_FIX[k]}" for k in kinds if k in HOW_TO_FIX]
    if any(k.startswith("axe-") for k in kinds):
        hints.append("  axe-*: see https://dequeuniversity.com/rules/axe/ + the rule id")
    return "\n".join(lines + (["How to fix:", *hints] if hints else []))


def elapsed(since: float) -> str:
    return f"{time.monotonic() - since:.0f} s"
