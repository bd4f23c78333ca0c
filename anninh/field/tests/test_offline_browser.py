"""The field page without a connection: three check-ins and a field report recorded offline
are kept on the phone (IndexedDB) and, once the connection is back, each reaches the server
exactly once."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from anninh.field.models import CheckIn, FieldReport
from anninh.field.tests.factories import approved_plan
from anninh.testing.browser import login
from anninh.testing.personas import PASSWORD, make_personas

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def field_page(browser, live_server, reference_data):
    people = make_personas()
    plan = approved_plan(people["commune_officer"], people["commander"], sites=3)
    site = plan.checkpoints.first().site
    context = browser.new_context(
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        viewport={"width": 390, "height": 844},  # a phone
        geolocation={"latitude": site.lat, "longitude": site.lon, "accuracy": 15},
        permissions=["geolocation"],
        service_workers="allow",
    )
    context.set_default_timeout(15000)
    page = context.new_page()
    page.base_url = live_server.url
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    yield page, context, plan
    context.close()


def test_three_check_ins_and_a_report_made_offline_arrive_exactly_once(field_page):
    page, context, plan = field_page
    login(page, "p_commune_officer", PASSWORD)
    page.wait_for_url(lambda url: "/accounts/login" not in url)  # the sign-in's redirect has landed
    page.goto(page.base_url + "/field/")
    # The service worker takes the page and its assets in its cache.
    assert page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    expect(page.locator(".leaflet-overlay-pane path").first).to_be_attached()

    context.set_offline(True)
    page.reload()  # served by the service worker from its cache
    buttons = page.locator("[data-checkin]")
    expect(buttons).to_have_count(3)
    for k in range(3):
        buttons.nth(k).click()
        expect(page.locator("[data-queue-count]")).to_have_attribute("data-waiting", str(k + 1))
    page.fill("#r-text", "Xe máy dựng chắn lối vào chợ, đã nhắc chủ xe.")
    page.get_by_role("button", name="Gửi báo cáo").or_(
        page.get_by_role("button", name="Send the report")
    ).click()
    expect(page.locator("[data-queue-count]")).to_have_attribute("data-waiting", "4")
    expect(page.locator(".field-net")).to_have_class("field-net offline")
    assert CheckIn.objects.unrestricted().count() == 0 and FieldReport.objects.unrestricted().count() == 0

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")  # as the phone does when the network returns
    expect(page.locator("[data-queue-count]")).to_have_attribute("data-waiting", "0", timeout=20000)
    expect(page.locator("[data-log] li[data-state=sent]")).to_have_count(4)
    # Flushing again sends nothing twice.
    page.evaluate("window.FieldQueue.flush()")
    page.wait_for_load_state("networkidle")

    checkins = list(CheckIn.objects.unrestricted().values_list("checkpoint_id", flat=True))
    assert sorted(checkins) == sorted(plan.checkpoints.values_list("pk", flat=True))
    assert FieldReport.objects.unrestricted().count() == 1
    report = FieldReport.objects.unrestricted().get()
    assert report.text.startswith("Xe máy") and report.incident_id is not None
    assert page.js_errors == [], page.js_errors
