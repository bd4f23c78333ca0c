"""The error pages stay inside the application: the menu, the user's language, what happened
and where to go. Demo mode serves them too (not Django's debug page)."""

from __future__ import annotations

import os
import subprocess
import sys

from django.test import RequestFactory

from anninh.audit.models import AuditAction, AuditEvent
from anninh.testing.matrix import client_for


def test_an_unknown_address_shows_the_404_page_with_the_menu_in_vietnamese(personas):
    response = client_for(personas["commander"]).get("/no-such-page/", headers={"Accept-Language": "vi"})
    assert response.status_code == 404
    html = response.content.decode()
    assert 'class="mainnav"' in html  # the application's menu, not a bare page
    assert 'lang="vi"' in html
    assert "Trang chủ" in html  # the menu in Vietnamese
    assert 'href="/"' in html  # where to go: the home page
    assert "Error 404" in client_for(personas["commander"]).get("/no-such-page/").content.decode()


def test_a_refused_page_shows_the_403_page_with_the_menu_and_keeps_its_audit_row(personas):
    before = AuditEvent.objects.unrestricted().filter(action=AuditAction.DENIED).count()
    response = client_for(personas["public_relations"]).get(
        "/records/reports/", headers={"Accept-Language": "en"}
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert 'class="mainnav"' in html
    assert "This account&#x27;s role does not allow this page" in html or "This account's role" in html
    assert "Go to the home page" in html
    assert AuditEvent.objects.unrestricted().filter(action=AuditAction.DENIED).count() == before + 1


def test_the_500_page_renders_without_a_request_in_the_layout(db):
    from django.views.defaults import server_error

    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Error 500" in html
    assert 'class="topbar"' in html


def test_the_400_page_is_the_styled_one_for_people_and_json_for_the_api(db):
    from anninh.web.views import bad_request

    page = bad_request(RequestFactory().get("/records/"), Exception("bad"))
    assert page.status_code == 400
    assert "Error 400" in page.content.decode()
    api = bad_request(RequestFactory().get("/api/records/"), Exception("bad"))
    assert api["Content-Type"] == "application/json"


def test_demo_mode_runs_without_debug_pages_unless_asked():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='anninh.settings'; django.setup();"
        " from django.conf import settings; print(settings.DEBUG)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANNINH_")}
    demo = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "ANNINH_DEMO": "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert demo.stdout.strip() == "False"
    asked = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "ANNINH_DEMO": "1", "ANNINH_DEBUG": "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert asked.stdout.strip() == "True"
