"""Issue #13's third task, as a new user does it in Chromium: turn this week's forecast into a
patrol plan drafted by the analyst, approved by the commander, and printed."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from anninh.accounts.roles import Role
from anninh.testing.browser import login
from anninh.testing.personas import COMMUNE_A, PASSWORD, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def this_weeks_forecast():
    """This week's forecast (the browser's clock cannot travel) with three cells in commune A,
    written directly: how forecasts are made is tested in the hotspots app."""
    from anninh.compstat.periods import today
    from anninh.geo.models import Commune
    from anninh.hotspots.models import Forecast, ForecastCell
    from anninh.lib.dates import HCM_TZ
    from anninh.records.tests.test_incidents_factories import point_in

    monday = today() - dt.timedelta(days=today().weekday())
    start = dt.datetime.combine(monday, dt.time(), tzinfo=HCM_TZ)
    forecast = Forecast.objects.create(
        window_start=start,
        window_end=start + dt.timedelta(days=7),
        model_name="ours",
        model_version="test",
        cell_metres=250,
        history_start=start - dt.timedelta(days=365),
        history_end=start,
        inputs_digest="0" * 64,
    )
    lat, lon = point_in(COMMUNE_A)
    for rank, (dlat, expected) in enumerate([(0, 2.4), (0.003, 1.5), (0.006, 0.8)], start=1):
        ForecastCell.objects.create(
            forecast=forecast,
            rank=rank,
            cell_index=rank,
            commune_id=COMMUNE_A,
            lat=lat + dlat,
            lon=lon,
            expected=expected,
            expected_low=0,
            expected_high=5,
            risk=expected,
        )
    return Commune.objects.get(code=COMMUNE_A).name


def logout(page) -> None:
    page.context.clear_cookies()


def test_analyst_drafts_this_weeks_plan_commander_approves_and_prints_it(page, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    make_user("phantich", Role.ANALYST, unit_code="PV01", full_name="Trần Thị Mai")
    make_user("chihuy", Role.COMMANDER, unit_code="CAHP", full_name="Nguyễn Văn Hùng")
    commune = this_weeks_forecast()

    # The analyst opens patrol planning from the menu: this week's forecast is there already.
    login(page, "phantich", PASSWORD)
    page.locator(".mainnav details[data-navgroup=operations] > summary").click()  # the menu's group
    page.locator(".mainnav a[href='/patrols/']").first.click()
    page.locator("main a[href='/patrols/new/']").first.click()
    expect(page).to_have_url(re.compile(r"/patrols/new/"))
    expect(page.get_by_test_id("no-forecast")).to_have_count(0)
    # htmx binds the search box when the page has loaded: typing earlier sends nothing (the
    # PostgreSQL CI run on a busy machine timed out here waiting for the filtered rows).
    page.wait_for_load_state("load")
    # Finds the commune by name, sees its forecast risk, gives it two teams and drafts.
    with page.expect_response(lambda r: "/patrols/new/?" in r.url):  # the rows come back filtered
        page.fill("#p-q", commune.split()[-1])
    page.wait_for_load_state("networkidle")
    row = page.locator(f"tr[data-commune='{COMMUNE_A}']")
    expect(row).to_be_visible()
    expect(row).to_contain_text(re.compile(r"4[.,]70"))  # 2,4 + 1,5 + 0,8 expected this week
    row.locator("input.teams").fill("2")
    page.locator("#plan-form button[type=submit].primary").click()
    expect(page).to_have_url(re.compile(r"/patrols/\d+/$"))
    plan_url = page.url
    expect(page.get_by_test_id("plan-status")).to_have_text(re.compile(r"\S"))
    draft_status = page.get_by_test_id("plan-status").inner_text()
    page.locator("form[action$='/submit/'] button").click()
    expect(page.get_by_test_id("plan-status")).not_to_have_text(draft_status)
    # The analyst cannot approve it.
    expect(page.locator("form[action$='/decide/']")).to_have_count(0)
    logout(page)

    # The commander finds it among the plans, approves it and prints it.
    login(page, "chihuy", PASSWORD)
    page.goto(page.base_url + "/patrols/")
    page.locator(f"main a[href='{plan_url[len(page.base_url) :]}']").first.click()
    page.locator("form[action$='/decide/'] button[value=approve]").click()
    expect(page.locator("form[action$='/decide/']")).to_have_count(0)
    page.locator("a[href$='/print/']").first.click()
    expect(page).to_have_url(re.compile(r"/patrols/\d+/print/$"))
    expect(page.get_by_test_id("print-status")).to_contain_text("Nguyễn Văn Hùng")
    expect(page.locator("svg").first).to_be_visible()

    from anninh.patrols.models import PatrolPlan, PlanStatus

    plan = PatrolPlan.objects.unrestricted().get()
    assert (plan.status, plan.created_by.username, plan.decided_by.username) == (
        PlanStatus.APPROVED,
        "phantich",
        "chihuy",
    )
    # Two teams, three cells a team (the default), the commune's three cells dealt in snake order.
    assert sorted(plan.assignments.values_list("team", flat=True)) == [1, 2, 2]
    assert page.js_errors == [], page.js_errors
