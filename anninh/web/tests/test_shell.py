"""The web shell: home pages by role, language switch, formats, security headers."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation

from anninh.audit.models import AuditAction, AuditEvent
from anninh.testing.matrix import check_matrix, client_for


def test_home_page_answers_every_persona(personas):
    check_matrix(
        "/",
        {
            "anonymous": 200,
            "commander": 200,
            "analyst": 200,
            "investigator": 200,
            "commune_officer": 200,
            "other_commune_officer": 200,
            "fire_rescue": 200,
            "public_relations": 200,
            "auditor": 200,
            "administrator": 200,
            "no_role": 200,
            "business": 302,  # a business account goes to its own portal
        },
        personas=personas,
    )


def test_user_without_a_role_is_told_to_ask_an_administrator(personas):
    response = client_for(personas["no_role"]).get("/", headers={"Accept-Language": "en"})
    assert b"Ask an administrator" in response.content


def test_navigation_shows_the_audit_log_only_to_auditors(personas):
    auditor_page = client_for(personas["auditor"]).get("/").content.decode()
    commander_page = client_for(personas["commander"]).get("/").content.decode()
    assert 'href="/audit/"' in auditor_page
    assert 'href="/audit/"' not in commander_page


def test_language_switch_is_remembered_on_the_account_and_audited(personas):
    user = personas["commander"]
    client = client_for(user)
    response = client.post("/language/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "en"
    assert response.cookies["django_language"].value == "en"
    event = AuditEvent.objects.filter(actor_id=user.pk, action=AuditAction.UPDATE).latest("id")
    assert event.after == {"language": "en"}
    page = client.get("/")
    assert page.content.decode().startswith("<!doctype html>")
    assert '<html lang="en">' in page.content.decode()


def test_language_switch_by_anonymous_visitor_only_sets_the_cookie(client, db):
    response = client.post("/language/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"
    assert not AuditEvent.objects.exists()


def test_default_language_is_vietnamese(personas, settings):
    settings.LANGUAGE_CODE = "vi"
    page = client_for(personas["commander"]).get("/").content.decode()
    assert '<html lang="vi">' in page


class _DateForm(forms.Form):
    day = forms.DateField()
    at = forms.DateTimeField()


@pytest.mark.parametrize("language", ["vi", "en"])
def test_typed_dates_are_read_day_first_in_every_language(language):
    with translation.override(language):
        form = _DateForm(data={"day": "05/11/2026", "at": "05/11/2026 14:30"})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == dt.date(2026, 11, 5)
    assert form.cleaned_data["at"].date() == dt.date(2026, 11, 5)
    assert form.cleaned_data["at"].hour == 14


@pytest.mark.parametrize("language", ["vi", "en"])
def test_dates_are_shown_as_dd_mm_yyyy_with_24_hour_time(language):
    with translation.override(language):
        text = Template("{{ d|date:'SHORT_DATE_FORMAT' }} {{ t|date:'SHORT_DATETIME_FORMAT' }}").render(
            Context({"d": dt.date(2026, 3, 7), "t": dt.datetime(2026, 3, 7, 18, 5)})
        )
    assert text == "07/03/2026 07/03/2026 18:05"


def test_money_is_shown_in_dong_with_dot_separators_in_vietnamese_and_commas_in_english():
    from django.utils import translation

    template = Template("{% load anninh_tags %}{{ amount|vnd }}")
    with translation.override("vi"):
        assert template.render(Context({"amount": 12345678})) == "12.345.678\u00a0₫"
    with translation.override("en"):
        assert template.render(Context({"amount": 12345678})) == "12,345,678\u00a0₫"


def test_pages_carry_a_content_security_policy_without_inline_scripts(personas):
    response = client_for(personas["commander"]).get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in response.content.decode()
    assert response["X-Request-ID"]


def test_production_mode_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANNINH_")}
    env.update({"ANNINH_PRODUCTION": "1", "ANNINH_ALLOWED_HOSTS": "example.org"})
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='anninh.settings'; django.setup()",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "ANNINH_SECRET_KEY" in result.stderr


def test_production_mode_starts_with_its_secrets_set():
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANNINH_")}
    env.update(
        {
            "ANNINH_PRODUCTION": "1",
            "ANNINH_ALLOWED_HOSTS": "example.org",
            "ANNINH_SECRET_KEY": "pW3-vN8q_Zr2Lk7xT0b" * 3,
        }
    )
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='anninh.settings'; django.setup(); from django.conf import settings; print(settings.DEBUG, settings.SESSION_COOKIE_SECURE)",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False True"


def test_each_role_sees_only_the_menu_entries_it_can_use(personas):
    """Issue #13 item 10: the press role gets no API entry; business accounts and the
    civil-defence force see no staff reference pages."""
    from anninh.web.navigation import items_for

    def keys(persona):
        return {item["key"] for item in items_for(personas[persona])}

    staff_only = {"geo", "org", "api", "reports", "incidents", "cases", "compstat"}
    assert "api" not in keys("public_relations") and {"home", "warnings"} <= keys("public_relations")
    assert "api" in keys("analyst") and "api" in keys("auditor") and "api" in keys("administrator")
    assert not keys("business") & staff_only
    assert not keys("civil_defence_leader") & (staff_only - {"geo", "org"})
    assert keys("no_role") == {"home"}
    assert items_for(personas["anonymous"]) == []
