"""Logging in and out: audited, throttled, without telling whether a user name exists."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import translation

from anninh.accounts.tests.helpers import PASSWORD, events, login_post
from anninh.audit.models import AuditAction
from anninh.testing.personas import make_user

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def officer(db):
    return make_user("officer", "commune_officer", full_name="Nguyễn Văn An", language="en")


def test_the_login_page_is_a_centred_card_on_the_base_layout(db):
    response = Client().get("/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="login-wrap"' in html
    assert 'name="username"' in html and 'autocomplete="current-password"' in html
    assert "<script>" not in html.replace("<script src=", "")


def test_a_right_password_signs_in_audits_the_login_and_sets_the_saved_language(officer):
    client = Client()
    response = login_post(client, "officer")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(officer.pk)
    assert response.cookies["django_language"].value == "en"
    [event] = events(AuditAction.LOGIN)
    assert event.actor_id == officer.pk and event.extra == {"two_factor": False}


def test_a_user_without_a_saved_language_gets_no_language_cookie(db):
    make_user("nolang", "analyst")
    response = login_post(Client(), "nolang")
    assert response.status_code == 302
    assert "django_language" not in response.cookies


def test_login_follows_a_local_next_address_but_not_a_foreign_one(officer):
    response = login_post(Client(), "officer", next="/accounts/profile/")
    assert response["Location"] == "/accounts/profile/"
    response = login_post(Client(), "officer", next="https://evil.example/")
    assert response["Location"] == "/"


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer_and_are_audited(officer):
    wrong = login_post(Client(), "officer", "Not-The-Passw0rd")
    unknown = login_post(Client(), "nobody", "Not-The-Passw0rd")
    assert wrong.status_code == unknown.status_code == 200
    message = "The user name or password is not correct."
    assert message in wrong.content.decode() and message in unknown.content.decode()
    failed = events(AuditAction.LOGIN_FAILED)
    assert [(e.actor_id, e.actor_username, e.extra) for e in failed] == [
        (None, "officer", {"reason": "credentials"}),
        (None, "nobody", {"reason": "credentials"}),
    ]
    assert failed[0].client_ip == "127.0.0.1"
    assert not events(AuditAction.LOGIN)


def test_an_inactive_user_cannot_sign_in_and_is_told_nothing_more(officer):
    officer.is_active = False
    officer.save()
    client = Client()
    response = login_post(client, "officer")
    assert response.status_code == 200
    assert "The user name or password is not correct." in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert events(AuditAction.LOGIN_FAILED)[0].extra == {"reason": "credentials"}


def test_a_signed_in_user_visiting_the_login_page_goes_home(officer):
    client = Client()
    client.force_login(officer)
    response = client.get("/accounts/login/")
    assert response.status_code == 302 and response["Location"] == "/"


def test_logging_out_needs_a_post_ends_the_session_and_is_audited(officer):
    client = Client()
    login_post(client, "officer")
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session
    [event] = events(AuditAction.LOGOUT)
    assert event.actor_id == officer.pk and event.extra == {"reason": "user"}


def _fail(times: int, username: str, ip: str = "10.0.0.1") -> None:
    for _ in range(times):
        response = login_post(Client(REMOTE_ADDR=ip), username, "Wrong-Passw0rd!")
        assert response.status_code == 200


def test_five_failures_for_one_name_lock_it_from_every_address_for_the_window(officer, settings):
    assert settings.LOGIN_MAX_FAILURES == 5 and settings.LOGIN_LOCKOUT_MINUTES == 15
    with time_machine.travel(T0, tick=False) as clock:
        _fail(5, "officer", ip="10.0.0.1")
        response = login_post(Client(REMOTE_ADDR="10.0.0.2"), "officer", PASSWORD)
        assert response.status_code == 429
        assert "Too many failed attempts" in response.content.decode()
        assert events(AuditAction.LOGIN_FAILED)[-1].extra == {"reason": "locked"}
        assert not events(AuditAction.LOGIN)
        clock.shift(dt.timedelta(minutes=15, seconds=1))
        response = login_post(Client(REMOTE_ADDR="10.0.0.2"), "officer", PASSWORD)
        assert response.status_code == 302
        assert len(events(AuditAction.LOGIN)) == 1


def test_four_failures_do_not_lock(officer):
    with time_machine.travel(T0, tick=False):
        _fail(4, "officer")
        assert login_post(Client(REMOTE_ADDR="10.0.0.1"), "officer").status_code == 302


def test_failures_from_one_address_up_to_its_own_limit_lock_that_address_for_every_name(officer, settings):
    assert settings.LOGIN_MAX_FAILURES_PER_ADDRESS == 20
    make_user("other", "analyst")
    with time_machine.travel(T0, tick=False):
        for i in range(20):
            _fail(1, f"name{i}", ip="10.9.9.9")
        assert login_post(Client(REMOTE_ADDR="10.9.9.9"), "other").status_code == 429
        assert login_post(Client(REMOTE_ADDR="10.9.9.10"), "other").status_code == 302


def test_the_lockout_message_is_the_same_for_an_unknown_name(db):
    with time_machine.travel(T0, tick=False):
        _fail(5, "ghost")
        response = login_post(Client(REMOTE_ADDR="10.0.0.3"), "ghost")
        assert response.status_code == 429
        assert "Too many failed attempts" in response.content.decode()


def test_attempts_refused_during_a_lockout_do_not_extend_it(officer):
    with time_machine.travel(T0, tick=False) as clock:
        _fail(5, "officer")
        clock.shift(dt.timedelta(minutes=10))
        for _ in range(5):
            assert login_post(Client(REMOTE_ADDR="10.0.0.4"), "officer").status_code == 429
        clock.shift(dt.timedelta(minutes=5, seconds=1))
        assert login_post(Client(REMOTE_ADDR="10.0.0.4"), "officer").status_code == 302


def test_failures_older_than_the_window_are_not_counted(officer):
    with time_machine.travel(T0, tick=False) as clock:
        _fail(3, "officer")
        clock.shift(dt.timedelta(minutes=16))
        _fail(2, "officer")
        assert login_post(Client(REMOTE_ADDR="10.0.0.1"), "officer").status_code == 302


def test_the_login_error_is_in_the_language_of_the_page(officer):
    response = login_post(Client(HTTP_ACCEPT_LANGUAGE="vi"), "officer", "Not-The-Passw0rd")
    with translation.override("vi"):
        expected = translation.gettext("The user name or password is not correct.")
    assert 'lang="vi"' in response.content.decode()
    assert expected in response.content.decode()
