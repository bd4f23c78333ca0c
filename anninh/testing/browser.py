"""Browser tests: Playwright for Python driving Debian's chromium (never `playwright install`).

A pytest plugin (registered in the root conftest.py) so that the whole suite shares ONE
session-wide browser: two sync_playwright() instances in one process cannot coexist.

Without /usr/bin/chromium these tests skip on a developer machine; CI sets
ANNINH_REQUIRE_BROWSER=1, where a missing browser is a failure, not a skip.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def _serve_one_request_at_a_time() -> None:
    """The live server answers one request at a time (connections stay concurrent).

    On SQLite the tests' database is in memory, and Django's live server shares the test's one
    connection with every request thread. Two requests at once (a page and its chart's fetch,
    the bell's poll) then ran on one connection; with a query calling back into Python (SQLite
    has no time zones: Django registers Python functions for TruncDate and the like) both
    threads waited for each other for good, and the UX sweep hung in CI. Serialising the
    application is what a shared connection needs; on PostgreSQL it only costs the tests some
    concurrency they never relied on."""
    import threading

    from django.core.servers.basehttp import ThreadedWSGIServer
    from django.test import testcases

    class OneRequestAtATime(ThreadedWSGIServer):
        def set_app(self, application):
            lock = threading.Lock()

            def serial(environ, start_response):
                with lock:
                    return application(environ, start_response)

            super().set_app(serial)

    testcases.LiveServerThread.server_class = OneRequestAtATime


_serve_one_request_at_a_time()

CHROMIUM = Path("/usr/bin/chromium")
# Flags for a sandboxed, offline machine: no background network chatter, no GPU.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

# Playwright's sync API runs an event loop in this thread; the live server's database
# access from the test thread is still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("ANNINH_REQUIRE_BROWSER"):
            pytest.fail("ANNINH_REQUIRE_BROWSER is set but /usr/bin/chromium is missing")
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def load_reference_data() -> None:
    """Load again the reference data the migrations loaded (communes, units, offences, days
    off, the requests' service catalogue) if a flush removed it; the loaders are idempotent
    and skip what is there."""
    from django.core.management import call_command

    from anninh.geo.models import Commune
    from anninh.org.models import Unit

    if Commune.objects.count() < 114:
        call_command("load_geography", verbosity=0)
    if not Unit.objects.filter(code="CAHP").exists():
        call_command("load_units", verbosity=0)

    from anninh.records.models import DayOff, Offence
    from anninh.records.offences import offences_load
    from anninh.records.reference import days_off_load

    if not Offence.objects.exists():
        offences_load(Offence)
    if not DayOff.objects.exists():
        days_off_load(DayOff)

    from django.apps import apps

    if apps.is_installed("anninh.requests"):
        from anninh.requests.catalogue import catalogue_load
        from anninh.requests.models import AnswerTemplate, RouteRule, Service

        if not Service.objects.exists():
            catalogue_load(Service, RouteRule, AnswerTemplate, Unit)


@pytest.fixture
def reference_data(transactional_db):
    """Live-server tests flush the database between tests, which removes the reference
    data the migrations loaded; load it again."""
    load_reference_data()


@pytest.fixture
def page(browser, live_server, reference_data):
    context = browser.new_context(
        locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", viewport={"width": 1366, "height": 900}
    )
    context.set_default_timeout(15000)
    pg = context.new_page()
    pg.base_url = live_server.url  # type: ignore[attr-defined]
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.js_errors = errors  # type: ignore[attr-defined]
    yield pg
    context.close()


@pytest.fixture
def browser_page(page):
    """The same page under another name, for modules that have a `page` of their own."""
    return page


def login(page, username: str, password: str) -> None:
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
