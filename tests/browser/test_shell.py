"""A commander logs in, switches the language, and opens the map of the 114 units."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from anninh.accounts.roles import Role
from anninh.testing.browser import login
from anninh.testing.personas import PASSWORD, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_commander_logs_in_switches_language_and_opens_the_map_of_units(page, settings):
    settings.LANGUAGE_CODE = "vi"  # the product's default, which the root conftest turns off
    make_user("chihuy", Role.COMMANDER, unit_code="CAHP", full_name="Nguyễn Văn Hùng")

    login(page, "chihuy", PASSWORD)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("h1")).to_contain_text("Nguyễn Văn Hùng")

    # Switch to English with the keyboard-reachable language buttons; the choice is remembered.
    page.get_by_role("button", name="EN").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto(page.base_url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # The map of units: 114 commune polygons drawn without any tile server.
    # The reference pages are a group of the menu: open it, then the link.
    page.locator(".mainnav details[data-navgroup=reference] > summary").click()
    page.get_by_role("link", name="Communes").first.click()
    expect(page).to_have_url(re.compile(r"/geo/communes/"))
    polygons = page.locator(".leaflet-overlay-pane path")
    expect(polygons).to_have_count(114, timeout=20000)
    assert not page.locator("img.leaflet-tile").count(), "no tile images may be requested"
    assert page.js_errors == [], page.js_errors


def test_wrong_password_shows_an_error_and_stays_on_login(page):
    make_user("chihuy2", Role.COMMANDER, unit_code="CAHP")
    login(page, "chihuy2", "not-the-password")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator(".errorlist, .messages, [role=alert]").first).to_be_visible()
