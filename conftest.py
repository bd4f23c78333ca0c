"""Fixtures shared by the whole test suite."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings as hypothesis_settings

pytest_plugins = ["anninh.testing.browser"]

# Property-based tests (hypothesis, schemathesis) explore new random examples on every local run,
# which is how they find bugs. CI sets HYPOTHESIS_PROFILE=ci: the examples are derived from each
# test's name, so a CI run fails only on a change in the code, never on the luck of the draw. A
# failure found locally prints its reproduction blob. No deadline in CI: an example that takes
# more than 200 ms on two busy cores is not a defect (a date test failed so under load).
hypothesis_settings.register_profile("ci", derandomize=True, database=None, print_blob=True, deadline=None)
hypothesis_settings.register_profile("dev", print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def _flushes_the_database(item) -> bool:
    """A transactional test (live server, threads) empties the tables when it ends."""
    marker = item.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        return True
    names = getattr(item, "fixturenames", ())
    return "transactional_db" in names or "live_server" in names


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test's flush, put the reference data back (communes, units,
    offences, days off), so the tests after it find what the migrations loaded, in whatever
    order they run: with pytest-xdist a worker may run an ordinary test after a transactional
    one."""
    yield
    if nextitem is None or not _flushes_the_database(item):
        return
    from pytest_django.plugin import blocking_manager_key

    from anninh.testing.browser import load_reference_data

    with item.config.stash[blocking_manager_key].unblock():
        load_reference_data()


@pytest.fixture
def personas(db):
    """One user per role (see anninh.testing.personas); "anonymous" is None."""
    from anninh.testing.personas import make_personas

    return make_personas()


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """PBKDF2 costs about a second per user on this machine; tests need no real hashing
    (the password policy and login tests still exercise the validators and the backend)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english_by_default(settings):
    """Tests read messages in English, the language of the source strings, whatever the
    catalog holds. The product's default stays Vietnamese: tests of the Vietnamese UI set
    LANGUAGE_CODE="vi" or send Accept-Language themselves, and CI checks that the Vietnamese
    catalog is complete."""
    settings.LANGUAGE_CODE = "en"


def clock_from(value: str):
    """The instant ANNINH_TEST_CLOCK names: an ISO datetime, or "new-year" for 00:30 on the next
    1 January in Hai Phong (after every date a test may have written down as past)."""
    import datetime as dt

    from anninh.lib.dates import HCM_TZ

    if value == "new-year":
        return dt.datetime(dt.datetime.now(HCM_TZ).year + 1, 1, 1, 0, 30, tzinfo=HCM_TZ)
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


@pytest.fixture(autouse=True)
def _test_clock(request):
    """ANNINH_TEST_CLOCK=new-year runs the tests as if it were 00:30 on New Year's Day in Hai
    Phong (the clock still ticks), where "an hour ago" is yesterday and last year: CI runs the
    suite once so, and a test that confuses the local day with the current one fails there
    instead of at whatever hour CI happens to run. Browser tests keep the real clock (the
    browser's own clock cannot travel)."""
    value = os.environ.get("ANNINH_TEST_CLOCK")
    if not value or request.node.get_closest_marker("browser"):
        yield
        return
    import time_machine

    with time_machine.travel(clock_from(value), tick=True):
        yield


@pytest.fixture(autouse=True)
def _no_shared_cache(settings):
    """Nothing is cached unless a test asks for `shared_cache`. The default (files under
    var/cache) would be shared by the processes of an xdist run, each on its own database; and
    a test's transaction never commits, so the page cache's invalidation (on commit) would
    not run after a change the test makes and then reads."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


@pytest.fixture
def shared_cache(settings):
    """A real cache, this test's own (tests of anninh.pagecache: wrap a change in
    django_capture_on_commit_callbacks(execute=True) to run its invalidation)."""
    import uuid

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": uuid.uuid4().hex}
    }
