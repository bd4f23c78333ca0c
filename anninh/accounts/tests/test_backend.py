"""The authentication backend loads what each request needs in one go."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.test import Client

from anninh.accounts import twofactor
from anninh.accounts.backends import BACKEND_PATH, AccountBackend
from anninh.accounts.checks import account_backend_check
from anninh.accounts.roles import Role
from anninh.testing.personas import make_user


def test_get_user_loads_unit_roles_and_authenticator_in_two_queries(units, django_assert_num_queries):
    user = make_user("inv", Role.INVESTIGATOR, Role.ANALYST, unit_code="PC02")
    with django_assert_num_queries(2):
        loaded = AccountBackend().get_user(user.pk)
        assert loaded.unit.code == "PC02"
        assert loaded.roles == {"investigator", "analyst"}
        assert loaded.has_role(Role.ANALYST)
        assert twofactor.confirmed_device(loaded) is None


def test_the_plain_backend_would_need_a_query_for_each_of_them(units, django_assert_num_queries):
    user = make_user("inv", Role.INVESTIGATOR, unit_code="PC02")
    with django_assert_num_queries(4):
        loaded = ModelBackend().get_user(user.pk)
        assert loaded.unit.code == "PC02"
        assert loaded.roles == {"investigator"}
        assert twofactor.confirmed_device(loaded) is None


def test_an_inactive_user_is_not_loaded(db):
    user = make_user("gone", is_active=False)
    assert AccountBackend().get_user(user.pk) is None
    assert AccountBackend().get_user(10**9) is None


def test_a_page_request_costs_no_query_per_role_or_unit(units, django_assert_max_num_queries):
    user = make_user("inv", Role.INVESTIGATOR, Role.ANALYST, Role.COMMANDER, unit_code="PC02")
    client = Client()
    client.force_login(user, backend=BACKEND_PATH)
    client.get("/accounts/profile/")
    # session, user+unit+device, roles, device, tokens (the page itself): and no more
    with django_assert_max_num_queries(5):
        assert client.get("/accounts/profile/").status_code == 200


def test_the_system_check_warns_until_settings_use_the_backend(settings):
    settings.AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
    [warning] = account_backend_check()
    assert warning.id == "accounts.W001" and BACKEND_PATH in warning.hint
    settings.AUTHENTICATION_BACKENDS = [BACKEND_PATH]
    assert account_backend_check() == []
