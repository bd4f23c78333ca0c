"""The sweep (issue #13): every demo role, every page its menu and the pages' main links reach,
in Vietnamese and English, checked in Chromium (see anninh.testing.sweep for the checks).

It reports every finding at once, grouped by kind of page. ALLOWED below holds what is accepted,
each with its reason; an entry that no longer matches anything is reported so that it is deleted.
A new app's pages are found through the menu: when one fails here, the report names the page,
the role, the language, the page that linked to it and what to do about each kind of finding.
Set ANNINH_SWEEP_REPORT=path to also write the report to a file.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from anninh.testing.sweep import Account, allowed, report, sweep

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

# One account per demo role (the second commune officer would show the same pages).
ROLES = [
    "commander",
    "analyst",
    "investigator",
    "officer.hongbang",
    "firerescue",
    "press",
    "auditor",
    "admin",
]

# Accepted findings. Key: (kind of finding, regular expression on "account/language path: detail").
# Value: why it is accepted, or the item of issue #13 that removes it. Delete an entry as soon as
# its item lands; an entry for a page of your own app needs a reason a reviewer would accept.
ALLOWED: dict[tuple[str, str], str] = {
    # Third-party markup we serve but do not write.
    ("axe-serious", r" /api/docs: "): "Swagger UI's own markup (vendored, developers only)",
    ("axe-serious", r" /admin/"): "Django admin's own widgets (administrators only)",
    ("axe-critical", r" /admin/"): "Django admin's own widgets (administrators only)",
    (
        "english-in-vietnamese",
        r" /admin/",
    ): "Django admin's own strings and model names (administrators only)",
    (
        "unformatted-number",
        r"^admin/\w+ /admin/",
    ): "the admin's lists and titles show record ids (administrators only)",
    # Codes are codes: the official 5-digit commune codes are written without separators.
    ("unformatted-number", r": (1\d{4}(, )?)+$"): "official commune codes (5 digits, 1xxxx)",
    # Audit event numbers are identifiers ("#1440"), written without separators like any id.
    (
        "unformatted-number",
        r"^auditor/\w+ /(audit/(\d+/)?)?: [\d, ]+$",
    ): "audit event numbers are identifiers",
    # Data, not interface: what people wrote or named is shown as written.
    ("english-in-vietnamese", r" /reports/(\d+/)?: "): (
        "weekly reports are written in the language chosen for each; the demo seeds one in English"
    ),
    ("english-in-vietnamese", r" /audit/(\d+/)?: "): (
        "the log shows user names (the demo's are English role words) and recorded object names"
    ),
    ("english-in-vietnamese", r" /compstat/near-repeat/: Near, Repeat \(as in .*Near Repeat Calculator"): (
        "the name of Ratcliffe's Near Repeat Calculator, cited as a tool's name"
    ),
}


@pytest.fixture
def demo_world(settings, reference_data):
    """The demo's accounts and a small synthetic city (the full demo has 20,000 incidents)."""
    from anninh.demo.services import demo_seed

    settings.DEMO = True
    settings.ANNINH_DEMO_INCIDENTS = 300
    settings.LANGUAGE_CODE = "vi"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    started = time.monotonic()
    demo_seed()
    print(f"demo world seeded in {time.monotonic() - started:.0f} s")


def test_every_page_of_every_role_passes_the_sweep(browser, live_server, demo_world):
    from django.utils import translation

    from anninh.demo.services import DEMO_PASSWORD

    with translation.override("vi"):  # else every Vietnamese page reads as English
        assert translation.gettext("Log out") != "Log out", "compile the catalog: manage.py compile_catalogs"
    started = time.monotonic()
    base_url = os.environ.get("ANNINH_SWEEP_URL") or live_server.url
    findings, visited = sweep(browser, base_url, [Account(name, DEMO_PASSWORD) for name in ROLES])
    pages = sum(len(paths) for paths in visited.values())
    assert pages >= 100, f"the walk reached only {pages} pages: {visited}"

    accepted, new, used = [], [], set()
    for finding in findings:
        key = allowed_key(finding)
        if key:
            accepted.append(f"{finding}  ← {ALLOWED[key]}")
            used.add(key)
        else:
            new.append(finding)
    unused = [f"{key}: {reason}" for key, reason in ALLOWED.items() if key not in used]
    summary = (
        f"{pages} pages in {time.monotonic() - started:.0f} s; {len(new)} findings, {len(accepted)} accepted"
        + ("\nAccepted (allow-list reason):\n  " + "\n  ".join(accepted) if accepted else "")
        + (
            "\nAllow-list entries that matched nothing (delete them):\n  " + "\n  ".join(unused)
            if unused
            else ""
        )
    )
    text = report(new) + "\n\n" + summary
    print(text)
    if os.environ.get("ANNINH_SWEEP_REPORT"):
        visits = "\n".join(f"{k}: {v}" for k, v in visited.items())
        Path(os.environ["ANNINH_SWEEP_REPORT"]).write_text(text + "\n\nVisited:\n" + visits, encoding="utf-8")
    assert not new, text


def allowed_key(finding):
    for key in ALLOWED:
        if allowed(finding, {key: ALLOWED[key]}):
            return key
    return None
