"""/api/docs works offline: Swagger UI comes from our own static files, under the strict content
security policy, inside the application's layout, and lists the API's operations."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from anninh.accounts.roles import Role
from anninh.testing.browser import login
from anninh.testing.personas import PASSWORD, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_the_api_docs_render_their_operations_from_vendored_files(page):
    make_user("phantich.api", Role.ANALYST, unit_code="PV01")
    outside: list[str] = []
    page.on(
        "request",
        lambda req: (
            req.url.startswith(page.base_url) or req.url.startswith("data:") or outside.append(req.url)
        ),
    )
    csp_errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and csp_errors.append(msg.text))
    login(page, "phantich.api", PASSWORD)

    response = page.goto(page.base_url + "/api/docs")
    assert (
        "unsafe-inline"
        not in response.headers["content-security-policy"].split("script-src")[1].split(";")[0]
    )
    expect(page.locator(".mainnav")).to_be_visible()  # inside the application's layout
    operations = page.locator(".swagger-ui .opblock")
    expect(operations.first).to_be_visible(timeout=20000)
    assert operations.count() > 20
    expect(page.locator(".swagger-ui")).to_contain_text("/api/records/")
    assert outside == [], outside
    assert csp_errors == [], csp_errors
    assert page.js_errors == [], page.js_errors
