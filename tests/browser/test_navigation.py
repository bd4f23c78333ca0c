"""The main menu in groups (issue #13), in Chromium: opened and closed with the keyboard (Tab,
Enter, Escape), one group open at a time, usable without JavaScript, and never wider than the
window, on a laptop (1366 px) and on a phone (390 px) with any group open."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from anninh.accounts.roles import Role
from anninh.testing.browser import CHROMIUM, login
from anninh.testing.personas import PASSWORD, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

SHOTS = os.environ.get("ANNINH_SCREENSHOTS")  # a folder: write what the menu looks like


def fits(page) -> None:
    sizes = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert sizes[0] <= sizes[1], f"{sizes[0]} px wide in a {sizes[1]} px window"


@pytest.mark.parametrize("width", [1366, 390])
def test_every_group_opens_inside_the_window_one_at_a_time(page, settings, width):
    settings.LANGUAGE_CODE = "vi"
    make_user("chihuy.menu", Role.COMMANDER, unit_code="CAHP", full_name="Nguyễn Văn Hùng")
    page.set_viewport_size({"width": width, "height": 844 if width < 600 else 900})
    login(page, "chihuy.menu", PASSWORD)
    page.goto(page.base_url + "/records/deadlines/")
    fits(page)
    groups = page.locator(".mainnav details.navgroup")
    assert groups.count() >= 5
    # The current page's group is marked, and its link says so.
    expect(page.locator(".mainnav details.navgroup.current")).to_have_attribute("data-navgroup", "records")
    expect(page.locator(".mainnav a[aria-current=page]")).to_have_attribute("href", "/records/deadlines/")
    # Closed groups show no links, but every link is in the page (the sweep reads them).
    expect(page.locator(".mainnav a[href='/patrols/']")).to_be_hidden()
    for i in range(groups.count()):
        group = groups.nth(i)
        group.locator("summary").click()
        expect(group).to_have_attribute("open", "")
        expect(page.locator(".mainnav details.navgroup[open]")).to_have_count(1)
        links = group.locator("a")
        for j in range(links.count()):
            expect(links.nth(j)).to_be_visible()
            box = links.nth(j).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, (
                group.get_attribute("data-navgroup"),
                box,
            )
        fits(page)
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/menu-{width}-{group.get_attribute('data-navgroup')}.png")
    # A click elsewhere closes the open group.
    page.locator("footer.footer").click()
    expect(page.locator(".mainnav details.navgroup[open]")).to_have_count(0)
    assert not page.js_errors, page.js_errors


def test_the_menu_is_used_with_the_keyboard(page, settings):
    settings.LANGUAGE_CODE = "vi"
    make_user("phantich.menu", Role.ANALYST, unit_code="PV01")
    login(page, "phantich.menu", PASSWORD)
    page.goto(page.base_url + "/")
    # Tab from the top of the page reaches the first group's heading after the Home link.
    page.locator("body").focus()
    summary = page.locator(".mainnav details.navgroup[data-navgroup=records] > summary")
    for _ in range(6):
        page.keyboard.press("Tab")
        if summary.evaluate("e => e === document.activeElement"):
            break
    expect(summary).to_be_focused()
    page.keyboard.press("Enter")
    group = page.locator(".mainnav details.navgroup[data-navgroup=records]")
    expect(group).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    expect(group.locator("a").first).to_be_focused()
    # Escape closes the group and gives the focus back to its heading.
    page.keyboard.press("Escape")
    expect(group).not_to_have_attribute("open", "")
    expect(summary).to_be_focused()
    # Enter again, Tab to a link, Enter opens the page.
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/records/reports/$"))
    # Tabbing out of an open group closes it (it would cover the page).
    summary = page.locator(".mainnav details.navgroup[data-navgroup=analysis] > summary")
    summary.focus()
    page.keyboard.press("Enter")
    for _ in range(page.locator(".mainnav details[data-navgroup=analysis] a").count() + 1):
        page.keyboard.press("Tab")
    expect(page.locator(".mainnav details.navgroup[open]")).to_have_count(0)
    assert not page.js_errors, page.js_errors


def test_the_menu_works_without_javascript(browser, live_server, reference_data, settings):
    assert CHROMIUM.exists()
    make_user("canbo.nojs", Role.COMMUNE_OFFICER, unit_code="CA11311")
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.base_url = live_server.url
    login(page, "canbo.nojs", PASSWORD)
    group = page.locator(".mainnav details.navgroup[data-navgroup=operations]")
    group.locator("summary").click()
    expect(group).to_have_attribute("open", "")
    link = group.locator("a[href='/patrols/']")
    expect(link).to_be_visible()
    fits(page)
    link.click()
    expect(page).to_have_url(re.compile(r"/patrols/$"))
    context.close()
