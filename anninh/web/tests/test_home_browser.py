"""In a real browser: the home page's attention card shows an officer's overdue crime report,
and its tile opens the deadline board that lists it (keyboard too: the tiles are links)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from anninh.accounts.roles import Role
from anninh.records.tests.test_reports_helpers import fast_passwords, receive  # noqa: F401
from anninh.testing.browser import login
from anninh.testing.personas import COMMUNE_A, PASSWORD, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_the_overdue_tile_opens_the_deadline_board_listing_the_report(browser_page):
    page = browser_page
    officer = make_user(
        "canbo.home", Role.COMMUNE_OFFICER, unit_code=f"CA{COMMUNE_A}", full_name="Lê Thị Hoa"
    )
    late = receive(officer, received_at=timezone.now() - dt.timedelta(days=60))
    receive(officer)
    login(page, "canbo.home", PASSWORD)
    tile = page.locator("[data-testid=overdue]")
    expect(tile.locator(".value")).to_have_text("1")
    expect(tile).to_contain_text("quá hạn")
    tile.locator("a").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(page.base_url + "/records/deadlines/")
    expect(page.locator("main")).to_contain_text(late.register_number)
    assert page.js_errors == []
