"""axe-core on the public pages (home, warnings, a warning, transparency, business sign-in)
on a phone-sized screen: no serious or critical violation, and the pages read without script."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from anninh.public.tests.factories import publish_warning

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

PAGES = ["/", "/warnings/", "/warnings/{warning}/", "/transparency/", "/business/login/"]


def test_public_pages_have_no_serious_accessibility_violation(browser, live_server, reference_data, personas):
    warning = publish_warning(drafter=personas["public_relations"], approver=personas["commander"])
    context = browser.new_context(
        viewport={"width": 412, "height": 823}, locale="vi-VN", java_script_enabled=True, is_mobile=True
    )
    page = context.new_page()
    axe = Axe()
    problems = []
    try:
        for path in PAGES:
            page.goto(live_server.url + path.format(warning=warning.pk))
            result = axe.run(page)
            for v in result.response["violations"]:
                if v["impact"] in ("serious", "critical"):
                    problems.append(f"{path}: {v['id']} ({v['impact']}): {v['help']}")
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def test_public_pages_read_without_javascript(browser, live_server, reference_data, personas):
    warning = publish_warning(drafter=personas["public_relations"], approver=personas["commander"])
    context = browser.new_context(viewport={"width": 412, "height": 823}, java_script_enabled=False)
    page = context.new_page()
    try:
        for path in PAGES:
            response = page.goto(live_server.url + path.format(warning=warning.pk))
            assert response.status == 200, path
            assert page.locator("h1").first.inner_text().strip(), path
        page.goto(live_server.url + f"/warnings/{warning.pk}/")
        assert warning.title_vi in page.content() or warning.title_en in page.content()
    finally:
        context.close()
