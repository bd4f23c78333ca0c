"""In a real browser on a phone-sized screen: a resident sends a tip anonymously (the page's
script solves the proof of work), keeps the tracking code, and follows the request to its
answer, then rates it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from anninh.testing.personas import COMMUNE_A, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def catalogue(reference_data):
    from anninh.org.models import Unit
    from anninh.requests.catalogue import catalogue_load
    from anninh.requests.models import AnswerTemplate, RouteRule, Service

    catalogue_load(Service, RouteRule, AnswerTemplate, Unit)


@pytest.fixture
def phone(browser, live_server, catalogue, settings):
    settings.ANNINH_REQUESTS_POW_BITS = 10
    settings.ANNINH_REQUESTS_MIN_FILL_SECONDS = 0
    context = browser.new_context(
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    context.set_default_timeout(15000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.base_url = live_server.url
    page.js_errors = errors
    yield page
    context.close()


def _fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_resident_sends_a_tip_on_a_phone_and_follows_it_to_its_answer(phone):
    from anninh.requests import services
    from anninh.requests.models import ServiceRequest

    page = phone
    page.goto(page.base_url + "/requests/")
    expect(page.locator("h1")).to_be_visible()
    assert _fits_the_screen(page)
    # With script the sum for browsers without it is hidden: the proof of work replaces it.
    expect(page.locator("#check-question")).to_be_hidden()
    page.locator("input[name=service][value=order-problem]").check()
    page.fill("#id_description", "Nhóm thanh niên tụ tập đua xe mỗi tối ở đường Lạch Tray.")
    page.select_option("#id_commune", COMMUNE_A)
    expect(page.locator("input[name=anonymity][value=anonymous]")).to_be_checked()
    expect(page.locator(".privacy")).to_contain_text("13/2023")
    page.click("#send")
    code_box = page.locator("#tracking-code")
    expect(code_box).to_be_visible()
    code = code_box.inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code)
    assert _fits_the_screen(page)

    request = ServiceRequest.objects.unrestricted().get()
    assert request.anonymity == "anonymous" and request.unit.code == f"CA{COMMUNE_A}"
    officer = make_user("canbo.phone", "commune_officer", unit_code=f"CA{COMMUNE_A}", full_name="Lê Văn Trực")
    services.request_answer(actor=officer, request=request, text="Công an phường đã giải tán nhóm đua xe.")

    page.get_by_role("button", name=re.compile("Theo dõi|Follow")).click()
    expect(page.locator("main")).to_contain_text("Công an phường đã giải tán nhóm đua xe.")
    expect(page.locator("#request-status")).not_to_have_text("")
    assert _fits_the_screen(page)
    page.locator(".stars button[value='5']").click()
    expect(page.locator(".done")).to_be_visible()
    request.refresh_from_db()
    assert request.rating == 5
    assert page.js_errors == []
