"""Who gets what on every account page and endpoint (anninh.testing.matrix), for every
persona of anninh.testing.personas (standing on the units the org data migration loads)."""

from __future__ import annotations

import pytest

from anninh.accounts import services
from anninh.testing.matrix import LOGIN, UNAUTHORIZED, check_matrix
from anninh.testing.personas import NAMES, PASSWORD

SIGNED_IN = [n for n in NAMES if n != "anonymous"]


def everyone(value, **overrides):
    return {"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, value), **overrides}


@pytest.mark.parametrize("url", ["/accounts/profile/", "/accounts/password/", "/accounts/two-factor/setup/"])
def test_own_account_pages_are_open_to_every_signed_in_user(personas, url):
    check_matrix(url, everyone(200), personas=personas)


def test_the_login_page_is_for_visitors_and_sends_signed_in_users_home(personas):
    check_matrix("/accounts/login/", everyone(302, anonymous=200), personas=personas)


def test_the_code_step_without_a_pending_login_goes_back_to_login_or_home(personas):
    check_matrix("/accounts/two-factor/", everyone(302, anonymous=LOGIN), personas=personas)


def test_logout_ends_any_session_and_lands_on_the_login_page(personas):
    check_matrix("/accounts/logout/", everyone(LOGIN), personas=personas, method="post")


def test_creating_a_token_is_open_to_every_signed_in_user(personas):
    check_matrix(
        "/accounts/tokens/",
        everyone(200),
        personas=personas,
        method="post",
        data={"name": "matrix", "days": "30"},
    )


def test_turning_off_two_factor_with_a_wrong_password_is_refused_for_everyone(personas):
    check_matrix(
        "/accounts/two-factor/disable/",
        everyone(400),
        personas=personas,
        method="post",
        data={"password": PASSWORD + "x"},
    )


def test_only_the_owner_revokes_a_token_and_others_get_an_audited_404(personas):
    token, _raw = services.api_token_create(
        actor=personas["analyst"], user=personas["analyst"], name="mine", days=30
    )
    check_matrix(
        f"/accounts/tokens/{token.pk}/revoke/", everyone(404, analyst=302), personas=personas, method="post"
    )


def test_me_answers_every_authenticated_caller_and_401_to_anonymous(personas):
    check_matrix(
        "/api/accounts/me", {**dict.fromkeys(SIGNED_IN, 200), "anonymous": UNAUTHORIZED}, personas=personas
    )


@pytest.mark.parametrize(
    "url", ["/admin/", "/admin/accounts/user/", "/admin/accounts/apitoken/", "/admin/accounts/user/add/"]
)
def test_the_admin_is_for_administrators_only(personas, url):
    check_matrix(url, everyone(403, administrator=200), personas=personas)


def test_the_admin_login_sends_visitors_to_our_login_and_refuses_non_administrators(personas):
    check_matrix("/admin/login/", everyone(403, administrator=302), personas=personas)


def test_a_users_admin_page_is_for_administrators_only(personas):
    url = f"/admin/accounts/user/{personas['analyst'].pk}/change/"
    check_matrix(url, everyone(403, administrator=200), personas=personas)


def test_creating_a_token_through_the_api_is_open_to_every_signed_in_user_and_401_to_anonymous(personas):
    check_matrix(
        "/api/accounts/tokens",
        {**dict.fromkeys(SIGNED_IN, 201), "anonymous": UNAUTHORIZED},
        personas=personas,
        method="post",
        data={"name": "matrix", "days": 30, "scope": "read"},
        content_type="application/json",
    )


def test_a_read_only_token_of_any_role_is_refused_on_writes(personas):
    from django.test import Client

    for name in SIGNED_IN:
        user = personas[name]
        _row, raw = services.api_token_create(actor=user, user=user, name="ro", days=30, scope="read")
        response = Client().post(
            "/api/records/incidents",
            data={},
            content_type="application/json",
            headers={"Authorization": f"Bearer {raw}"},
        )
        assert response.status_code == 403, name
