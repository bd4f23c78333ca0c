"""The client's address behind a TLS proxy: one helper for the audit trail and the login
throttle, trusting exactly ANNINH_TRUSTED_PROXY_COUNT hops of X-Forwarded-For."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client, RequestFactory

from anninh.accounts.tests.helpers import PASSWORD, events, login_post
from anninh.audit.middleware import client_ip_from
from anninh.audit.models import AuditAction
from anninh.testing.personas import make_user

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
PROXY = "10.0.0.1"


def _request(forwarded: str | None, remote: str = PROXY):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_the_default_ignores_the_forwarded_header(settings):
    assert settings.TRUSTED_PROXY_COUNT == 0
    assert client_ip_from(_request("203.0.113.5")) == PROXY


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # the client's own entry is not believed
        (2, "6.6.6.6, 203.0.113.5, 10.0.0.9", "203.0.113.5"),
        (2, "203.0.113.5", "203.0.113.5"),  # fewer hops than proxies: the farthest one recorded
        (1, "2001:DB8::1", "2001:db8::1"),
        (1, "::ffff:203.0.113.5", "203.0.113.5"),
        (1, None, PROXY),  # straight to the application (a health check)
        (1, "", PROXY),
        (1, "not-an-address", PROXY),  # a broken header: the proxy is all we know
    ],
)
def test_behind_n_proxies_the_nth_address_from_the_right_is_the_client(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    assert client_ip_from(_request(forwarded)) == expected


def _behind_proxy(client_address: str) -> Client:
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=client_address)


@pytest.fixture
def proxied(settings, db):
    settings.TRUSTED_PROXY_COUNT = 1
    return make_user("officer", "commune_officer")


def test_behind_a_proxy_one_bad_actor_does_not_lock_out_the_force(proxied, settings):
    make_user("colleague", "analyst")
    with time_machine.travel(T0, tick=False):
        for i in range(settings.LOGIN_MAX_FAILURES_PER_ADDRESS):
            login_post(_behind_proxy("198.51.100.7"), f"guess{i}", "Wrong-Passw0rd!")
        assert login_post(_behind_proxy("198.51.100.7"), "colleague").status_code == 429
        assert login_post(_behind_proxy("203.0.113.20"), "colleague").status_code == 302
        assert login_post(_behind_proxy("203.0.113.21"), "officer").status_code == 302
    failed = events(AuditAction.LOGIN_FAILED)
    assert {e.client_ip for e in failed} == {"198.51.100.7"}
    assert {e.client_ip for e in events(AuditAction.LOGIN)} == {"203.0.113.20", "203.0.113.21"}


def test_one_account_is_locked_after_its_own_limit_whatever_the_addresses(proxied, settings):
    with time_machine.travel(T0, tick=False):
        for i in range(settings.LOGIN_MAX_FAILURES):
            login_post(_behind_proxy(f"198.51.100.{i + 1}"), "officer", "Wrong-Passw0rd!")
        response = login_post(_behind_proxy("203.0.113.20"), "officer", PASSWORD)
        assert response.status_code == 429


def test_the_address_limit_is_separate_from_the_account_limit(proxied, settings):
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 6
    make_user("colleague", "analyst")
    with time_machine.travel(T0, tick=False):
        for name in ["a", "b", "c", "d", "e"]:
            login_post(_behind_proxy("198.51.100.7"), name, "Wrong-Passw0rd!")
        # five failures from one address, under its limit of six: still open to a right password
        assert login_post(_behind_proxy("198.51.100.7"), "colleague").status_code == 302
        login_post(_behind_proxy("198.51.100.7"), "f", "Wrong-Passw0rd!")
        assert login_post(_behind_proxy("198.51.100.7"), "officer").status_code == 429
        # three failures for one account (its limit), from another address
        for _ in range(3):
            login_post(_behind_proxy("198.51.100.8"), "officer", "Wrong-Passw0rd!")
        assert login_post(_behind_proxy("203.0.113.9"), "officer").status_code == 429
