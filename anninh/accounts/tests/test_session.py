"""Session expiry: the absolute lifetime (settings) and the idle timeout (middleware)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from anninh.accounts import signin
from anninh.accounts.tests.helpers import events, login_post
from anninh.audit.models import AuditAction
from anninh.testing.personas import make_user

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
IDLE = dt.timedelta(seconds=settings.SESSION_IDLE_SECONDS)


@pytest.fixture
def client_at_t0(db):
    user = make_user("duty", "commune_officer")
    with time_machine.travel(T0, tick=False) as clock:
        client = Client()
        assert login_post(client, "duty").status_code == 302
        yield client, clock, user


def test_the_session_lasts_one_shift_at_most_and_idles_out_after_thirty_minutes():
    assert settings.SESSION_COOKIE_AGE == 10 * 3600
    assert settings.SESSION_IDLE_SECONDS == 30 * 60


def test_the_session_cookie_carries_the_absolute_lifetime(client_at_t0):
    client, _clock, _user = client_at_t0
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


def test_activity_within_the_idle_window_keeps_the_session(client_at_t0):
    client, clock, _user = client_at_t0
    for _ in range(3):
        clock.shift(IDLE - dt.timedelta(seconds=5))
        assert client.get("/accounts/profile/").status_code == 200
    assert not events(AuditAction.LOGOUT)


def test_an_idle_session_is_signed_out_and_the_login_page_says_why(client_at_t0):
    client, clock, user = client_at_t0
    clock.shift(IDLE + dt.timedelta(seconds=1))
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/accounts/profile/"
    assert "_auth_user_id" not in client.session
    [logout] = events(AuditAction.LOGOUT)
    assert logout.actor_id == user.pk and logout.extra == {"reason": "idle"}
    page = client.get(response["Location"]).content.decode()
    assert "logged out after a period of inactivity" in page
    # the notice is shown once
    assert "period of inactivity" not in client.get("/accounts/login/").content.decode()


def test_an_idle_api_call_gets_401(client_at_t0):
    client, clock, _user = client_at_t0
    clock.shift(IDLE + dt.timedelta(seconds=1))
    response = client.get("/api/accounts/me")
    assert response.status_code == 401
    assert "session has ended" in response.json()["detail"]


def test_an_idle_htmx_call_gets_401_and_a_redirect_for_htmx(client_at_t0):
    client, clock, _user = client_at_t0
    clock.shift(IDLE + dt.timedelta(seconds=1))
    response = client.get("/accounts/profile/", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response["HX-Redirect"] == "/accounts/login/"


def test_the_activity_stamp_is_written_at_most_once_a_minute(client_at_t0):
    client, clock, _user = client_at_t0
    stamp = client.session[signin.LAST_SEEN]
    clock.shift(dt.timedelta(seconds=30))
    client.get("/accounts/profile/")
    assert client.session[signin.LAST_SEEN] == stamp
    clock.shift(dt.timedelta(seconds=31))
    client.get("/accounts/profile/")
    assert client.session[signin.LAST_SEEN] == stamp + 61


def test_a_session_without_a_stamp_gets_one_on_its_first_request(db):
    user = make_user("forced", "analyst")
    with time_machine.travel(T0, tick=False):
        client = Client()
        client.force_login(user)
        assert signin.LAST_SEEN not in client.session
        assert client.get("/accounts/profile/").status_code == 200
        assert client.session[signin.LAST_SEEN] == T0.timestamp()


def test_an_idle_form_post_goes_to_the_login_page_without_coming_back_to_the_form(client_at_t0):
    client, clock, _user = client_at_t0
    clock.shift(IDLE + dt.timedelta(seconds=1))
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert [e.extra for e in events(AuditAction.LOGOUT)] == [{"reason": "idle"}]
