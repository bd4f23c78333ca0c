"""In a real browser, a commander follows a campaign from the dashboard to the records: the
campaign in the menu, its progress bar against the target, the crimes number of a unit
opening the incident list filtered to that unit and the campaign's days, and the incident."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from anninh.campaigns import services
from anninh.campaigns.models import Indicator
from anninh.records.tests.test_incidents_factories import fast_passwords, record, unit_id  # noqa: F401
from anninh.testing.browser import login
from anninh.testing.personas import COMMUNE_A, COMMUNE_B, PASSWORD, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_a_commander_follows_a_campaign_from_the_dashboard_to_the_records(page, reference_data):
    commander = make_user("chihuy.cd", "commander", unit_code="CAHP", full_name="Nguyễn Văn Hùng")
    officer = make_user("canbo.cd", "commune_officer", unit_code=f"CA{COMMUNE_A}")
    officer_b = make_user("canbo.cd.b", "commune_officer", unit_code=f"CA{COMMUNE_B}")
    mine = record(officer, occurred_from=timezone.now() - dt.timedelta(days=2))
    elsewhere = record(officer_b, commune=COMMUNE_B, occurred_from=timezone.now() - dt.timedelta(days=2))
    today = timezone.localdate()
    unit = unit_id(f"CA{COMMUNE_A}")
    campaign = services.campaign_create(
        actor=commander,
        name="Cao điểm tấn công, trấn áp tội phạm",
        first=today - dt.timedelta(days=7),
        last=today + dt.timedelta(days=23),
        unit_ids=[unit, unit_id(f"CA{COMMUNE_B}")],
    )
    services.campaign_targets_set(
        actor=commander,
        campaign=campaign,
        targets={(unit, Indicator.CRIMES): 4, (None, Indicator.CRIMES): 10},
    )

    login(page, "chihuy.cd", PASSWORD)
    page.locator(".mainnav details[data-navgroup=operations] > summary").click()  # the menu's group
    page.locator(".mainnav a[href='/campaigns/']").first.click()  # the menu entry, in either language
    page.get_by_role("link", name="Cao điểm tấn công, trấn áp tội phạm").click()
    expect(page).to_have_url(re.compile(rf"/campaigns/{campaign.pk}/$"))
    expect(page.get_by_test_id("total-crimes")).to_have_text("2")
    row = page.locator(f"tr[data-unit='CA{COMMUNE_A}']")
    expect(row.locator("[role=progressbar]").first).to_have_attribute("aria-valuenow", "25")

    # The unit's crimes open the incident list of that unit and the campaign's days so far.
    row.locator("td").first.locator("a").first.click()
    expect(page).to_have_url(re.compile(r"/records/incidents/\?"))
    assert f"unit={unit}" in page.url and "kind=crime" in page.url
    expect(page.locator("body")).to_contain_text(mine.number)
    expect(page.locator("body")).not_to_contain_text(elsewhere.number)
    page.get_by_role("link", name=mine.number).first.click()
    expect(page).to_have_url(re.compile(rf"/records/incidents/{mine.pk}/$"))
    assert page.js_errors == [], page.js_errors
