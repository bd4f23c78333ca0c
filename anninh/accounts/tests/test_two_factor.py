"""The second factor: setting up an authenticator, confirming sign-in with it, replay,
enforcement by role, turning it off."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.test import Client

from anninh.accounts import services, signin, twofactor
from anninh.accounts.models import TOTPDevice
from anninh.accounts.tests.helpers import PASSWORD, events, login_post
from anninh.audit.models import AuditAction, AuditEvent
from anninh.testing.personas import make_user

T0 = dt.datetime(2026, 3, 2, 8, 0, 10, tzinfo=dt.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def user(db):
    return make_user("hoa", "investigator", full_name="Trần Thị Hoà")


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _secret_on_page(html: str) -> str:
    match = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', html)
    assert match, "the setup page shows the key"
    return match.group(1).replace(" ", "")


def _enable(user, clock) -> tuple[Client, str]:
    client = _signed_in(user)
    secret = _secret_on_page(client.get("/accounts/two-factor/setup/").content.decode())
    code = twofactor.code_at(secret, T0.timestamp())
    response = client.post("/accounts/two-factor/setup/", {"code": code})
    assert response.status_code == 302 and response["Location"] == "/accounts/profile/"
    return client, secret


def _now() -> float:
    return dt.datetime.now(dt.UTC).timestamp()


def test_the_setup_page_shows_an_svg_qr_code_and_the_key_until_it_is_confirmed(user, clock):
    client = _signed_in(user)
    html = client.get("/accounts/two-factor/setup/").content.decode()
    assert "<svg" in html and "<script" not in html.split("<footer")[0]
    secret = _secret_on_page(html)
    assert len(secret) == 32
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed_at is None
    assert secret not in device.sealed_secret
    assert twofactor.unseal_secret(device.sealed_secret) == secret


def test_reloading_the_setup_page_keeps_the_same_key_for_ten_minutes_then_makes_a_new_one(user, clock):
    client = _signed_in(user)
    first = _secret_on_page(client.get("/accounts/two-factor/setup/").content.decode())
    clock.shift(dt.timedelta(minutes=9))
    assert _secret_on_page(client.get("/accounts/two-factor/setup/").content.decode()) == first
    clock.shift(dt.timedelta(minutes=2))
    assert _secret_on_page(client.get("/accounts/two-factor/setup/").content.decode()) != first


def test_a_right_code_turns_it_on_and_the_key_is_never_shown_again(user, clock):
    client, secret = _enable(user, clock)
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed_at is not None
    html = client.get("/accounts/two-factor/setup/").content.decode()
    assert secret not in html and secret[:4] + " " + secret[4:8] not in html
    assert "<svg" not in html
    assert "Turn off two-factor authentication" in html
    enabled = [e for e in events(AuditAction.UPDATE) if e.extra.get("two_factor") == "enabled"]
    assert len(enabled) == 1 and enabled[0].actor_id == user.pk
    assert "sealed_secret" not in enabled[0].after and "last_used_step" not in enabled[0].after
    # the session that set it up stays signed in
    assert client.get("/accounts/profile/").status_code == 200


def test_a_wrong_code_leaves_it_off(user, clock):
    client = _signed_in(user)
    client.get("/accounts/two-factor/setup/")
    response = client.post("/accounts/two-factor/setup/", {"code": "000000"})
    assert response.status_code == 200
    assert "That code is not correct" in response.content.decode()
    assert TOTPDevice.objects.get(user=user).confirmed_at is None


def test_with_an_authenticator_the_password_alone_does_not_sign_in(user, clock):
    _enable(user, clock)
    client = Client()
    response = login_post(client, "hoa")
    assert response.status_code == 302 and response["Location"] == "/accounts/two-factor/"
    assert "_auth_user_id" not in client.session
    assert client.get("/accounts/profile/").status_code == 302
    assert not events(AuditAction.LOGIN)


def test_a_right_code_completes_the_sign_in_and_the_login_is_audited_as_two_factor(user, clock):
    _enable(user, clock)
    clock.shift(dt.timedelta(seconds=30))
    client = Client()
    login_post(client, "hoa", next="/accounts/profile/")
    code = twofactor.code_at(_secret(user), _now())
    response = client.post("/accounts/two-factor/", {"code": code})
    assert response.status_code == 302 and response["Location"] == "/accounts/profile/"
    assert client.session["_auth_user_id"] == str(user.pk)
    [login] = events(AuditAction.LOGIN)
    assert login.extra == {"two_factor": True}
    assert client.get("/accounts/profile/").status_code == 200


def _secret(user) -> str:
    return twofactor.unseal_secret(TOTPDevice.objects.get(user=user).sealed_secret)


def test_a_code_cannot_be_used_twice(user, clock):
    _enable(user, clock)
    clock.shift(dt.timedelta(seconds=30))
    code = twofactor.code_at(_secret(user), _now())
    first = Client()
    login_post(first, "hoa")
    assert first.post("/accounts/two-factor/", {"code": code}).status_code == 302
    second = Client()
    login_post(second, "hoa")
    response = second.post("/accounts/two-factor/", {"code": code})
    assert response.status_code == 200
    assert "_auth_user_id" not in second.session
    assert events(AuditAction.LOGIN_FAILED)[-1].extra == {"reason": "two_factor"}


def test_the_code_used_to_confirm_setup_cannot_sign_in_again(user, clock):
    _enable(user, clock)
    client = Client()
    login_post(client, "hoa")
    response = client.post("/accounts/two-factor/", {"code": twofactor.code_at(_secret(user), _now())})
    assert response.status_code == 200


def test_a_code_from_one_step_away_is_accepted_but_not_two(user, clock):
    secret = twofactor.new_secret()
    now = _now()
    assert twofactor.matching_step(secret, twofactor.code_at(secret, now - 30), now=now) is not None
    assert twofactor.matching_step(secret, twofactor.code_at(secret, now - 60), now=now) is None
    assert twofactor.matching_step(secret, "12345", now=now) is None
    assert twofactor.matching_step(secret, "abcdef", now=now) is None


def test_wrong_codes_are_audited_and_five_of_them_lock_the_account(user, clock):
    _enable(user, clock)
    client = Client(REMOTE_ADDR="10.1.1.1")
    login_post(client, "hoa")
    for _ in range(5):
        assert client.post("/accounts/two-factor/", {"code": "000000"}).status_code == 200
    assert [e.extra["reason"] for e in events(AuditAction.LOGIN_FAILED)] == ["two_factor"] * 5
    response = client.post("/accounts/two-factor/", {"code": twofactor.code_at(_secret(user), _now() + 30)})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert login_post(Client(REMOTE_ADDR="10.1.1.2"), "hoa").status_code == 429


def test_the_code_step_expires_five_minutes_after_the_password(user, clock):
    _enable(user, clock)
    client = Client()
    login_post(client, "hoa")
    clock.shift(dt.timedelta(seconds=signin.PENDING_SECONDS + 1))
    response = client.post("/accounts/two-factor/", {"code": twofactor.code_at(_secret(user), _now())})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_the_code_step_without_a_password_first_goes_back_to_login(db):
    response = Client().get("/accounts/two-factor/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"


def test_a_session_that_did_not_pass_the_authenticator_is_signed_out(user, clock):
    _enable(user, clock)
    other = _signed_in(user)  # e.g. a session opened before the authenticator was set up
    response = other.get("/accounts/profile/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in other.session
    assert events(AuditAction.LOGOUT)[-1].extra == {"reason": "two_factor_not_verified"}
    page = other.get("/accounts/login/").content.decode()
    assert "confirm with your authenticator app" in page


def test_a_required_role_without_an_authenticator_is_sent_to_setup_first(db, clock, two_factor_required):
    commander = make_user("chief", "commander")
    client = _signed_in(commander)
    response = client.get("/accounts/profile/")
    assert response.status_code == 302 and response["Location"] == "/accounts/two-factor/setup/"
    assert client.get("/").status_code == 302
    api = client.get("/api/accounts/me")
    assert api.status_code == 403 and "two-factor" in api.json()["detail"]
    assert client.get("/accounts/two-factor/setup/").status_code == 200
    secret = _secret_on_page(client.get("/accounts/two-factor/setup/").content.decode())
    client.post("/accounts/two-factor/setup/", {"code": twofactor.code_at(secret, _now())})
    assert client.get("/accounts/profile/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302


def test_roles_not_in_the_required_list_may_skip_the_second_factor(user, clock, two_factor_required):
    assert _signed_in(user).get("/accounts/profile/").status_code == 200


def test_turning_it_off_needs_the_password(user, clock):
    client, _secret_value = _enable(user, clock)
    response = client.post("/accounts/two-factor/disable/", {"password": "wrong"})
    assert response.status_code == 400
    assert TOTPDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()
    denied = events(AuditAction.DENIED, actor_id=user.pk)
    assert denied and denied[-1].extra["reason"] == "password"
    response = client.post("/accounts/two-factor/disable/", {"password": PASSWORD})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    deleted = events(AuditAction.DELETE, object_type="accounts.totpdevice")
    assert len(deleted) == 1 and deleted[0].extra == {"two_factor": "disabled"}
    assert client.get("/accounts/profile/").status_code == 200
    # and the password alone signs in again
    assert login_post(Client(), "hoa")["Location"] == "/"


def test_only_an_administrator_can_reset_someone_elses_authenticator(user, clock):
    _enable(user, clock)
    stranger = make_user("stranger", "commander")
    with pytest.raises(PermissionDenied):
        services.two_factor_reset(actor=stranger, user=user)
    assert events(AuditAction.DENIED, actor_id=stranger.pk)
    admin = make_user("root", "administrator")
    assert services.two_factor_reset(actor=admin, user=user) is True
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert services.two_factor_reset(actor=admin, user=user) is False
    [reset] = events(AuditAction.DELETE, object_type="accounts.totpdevice")
    assert reset.actor_id == admin.pk and reset.extra == {"two_factor": "reset"}


def test_no_audit_row_ever_holds_the_seed(user, clock):
    client, secret = _enable(user, clock)
    client.post("/accounts/two-factor/disable/", {"password": PASSWORD})
    for event in AuditEvent.objects.all():
        assert secret not in str(event.before) + str(event.after) + str(event.extra)
