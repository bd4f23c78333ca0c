"""In a real browser: a commander opens CompStat, changes the period, clicks a number and lands
on the list of exactly the records it counts; the map and charts are drawn."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from anninh.compstat.tests.test_golden import world  # noqa: F401
from anninh.records.tests.test_incidents_factories import fast_passwords  # noqa: F401
from anninh.testing.browser import login
from anninh.testing.personas import PASSWORD

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def seeded(reference_data, request):
    return request.getfixturevalue("world")


def test_change_period_and_drill_down(page, seeded):
    login(page, seeded["commander"].username, PASSWORD)
    page.goto(page.base_url + "/compstat/")
    expect(page.locator("h1")).to_contain_text("CompStat")
    # December 2025, by month.
    page.select_option("#cs-period", "month")
    page.fill("#cs-at", "2025-12")
    page.click("form.compstat-period button[type=submit]")
    expect(page.locator("[data-testid=period-label]")).to_contain_text("12/2025")
    expect(page.locator("[data-testid=total-crimes] .tile-value")).to_have_text("4")
    # The map draws the 114 communes from their polygons, no tiles; the charts are drawn.
    expect(page.locator("#compstat-map .leaflet-overlay-pane path")).to_have_count(114, timeout=20000)
    assert not page.locator("img.leaflet-tile").count()
    expect(page.locator("#compstat-weeks svg")).to_have_count(1)
    expect(page.locator("#compstat-calendar svg")).to_have_count(1)
    # Click the number of property crimes: the incident list with the same filters, 2 rows.
    page.click("[data-testid=by-group] tr[data-group=property] a")
    page.wait_for_load_state("networkidle")
    assert "/records/incidents/" in page.url
    expect(page.locator("#incident-results tbody tr")).to_have_count(2)
    assert page.locator("#f-group").input_value() == "property"
    assert dt.date(2025, 12, 1).strftime("%d/%m/%Y") in page.url.replace("%2F", "/")
    assert not page.js_errors, page.js_errors
