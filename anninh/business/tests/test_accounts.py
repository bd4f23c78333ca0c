"""Business accounts managed by the organisers: registered for a business with a one-time
set-password link (nobody at the police sees the password), listed, re-linked and disabled;
each step audited; a business account never gets a staff role and reads only its own
business's recommendations."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from anninh.accounts import services as account_services
from anninh.accounts.models import RoleAssignment, User
from anninh.accounts.roles import Role
from anninh.audit.models import AuditAction, AuditEvent
from anninh.business import selectors, services
from anninh.business.models import BusinessAccount
from anninh.business.tests.factories import make_business, make_recommendation

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Cang-Xanh-2026!kho"


@pytest.fixture
def business(personas):
    return make_business(personas["public_relations"], name="Công ty CP Logistics Cảng Xanh")


def _register(personas, business, username="cangxanh"):
    return services.business_account_register(
        actor=personas["public_relations"], business=business, username=username, full_name="Trần Văn Bảo"
    )


def _parts(path: str) -> tuple[str, str]:
    uid, token = re.fullmatch(r"/business/set-password/([^/]+)/([^/]+)/", path).groups()
    return uid, token


# --- services ---------------------------------------------------------------------------------


def test_an_organiser_registers_an_account_with_the_business_role_only_and_no_usable_password(
    personas, business
):
    account, link = _register(personas, business)
    user = account.user
    assert account.business == business and user.roles == {Role.BUSINESS} and user.unit_id is None
    assert user.is_active and not user.has_usable_password()
    assert link.path.startswith("/business/set-password/")
    assert selectors.business_of(user) == business
    created = AuditEvent.objects.unrestricted().filter(
        action=AuditAction.CREATE, actor_id=personas["public_relations"].pk
    )
    assert created.filter(object_type="accounts.user", object_id=str(user.pk)).exists()
    assert created.filter(object_type="business.businessaccount", object_id=str(account.pk)).exists()
    # The token is never written down, not even in the audit rows.
    _uid, token = _parts(link.path)
    assert not AuditEvent.objects.unrestricted().filter(after__icontains=token).exists()


@pytest.mark.parametrize("who", ["commune_officer", "investigator", "administrator", "business", "auditor"])
def test_only_organisers_register_accounts_and_a_refusal_is_audited(personas, business, who):
    with pytest.raises(PermissionDenied):
        services.business_account_register(
            actor=personas[who], business=business, username="x-1", full_name="X"
        )
    assert not User.objects.filter(username="x-1").exists()
    assert (
        AuditEvent.objects.unrestricted()
        .filter(action=AuditAction.DENIED, actor_id=personas[who].pk)
        .exists()
    )


def test_a_taken_or_malformed_user_name_is_refused_and_nothing_is_written(personas, business):
    with pytest.raises(services.DialogueError):
        _register(personas, business, username="p_commander")
    with pytest.raises(services.DialogueError):
        _register(personas, business, username="có dấu cách")
    assert not BusinessAccount.objects.filter(business=business).exists()


def test_the_link_sets_the_password_once_and_the_business_signs_in(personas, business):
    account, link = _register(personas, business)
    uid, token = _parts(link.path)
    services.business_password_set(uidb64=uid, token=token, password=NEW_PASSWORD)
    account.user.refresh_from_db()
    assert account.user.check_password(NEW_PASSWORD)
    with pytest.raises(services.DialogueError):  # used once
        services.business_password_set(uidb64=uid, token=token, password="Another-Passw0rd!x")
    client = Client()
    response = client.post("/business/login/", {"username": "cangxanh", "password": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/business/"
    assert (
        AuditEvent.objects.unrestricted()
        .filter(action=AuditAction.UPDATE, actor_id=account.user.pk, object_id=str(account.user.pk))
        .exists()
    )


def test_a_weak_password_is_refused_and_the_link_still_works(personas, business):
    _account, link = _register(personas, business)
    uid, token = _parts(link.path)
    with pytest.raises(services.DialogueError):
        services.business_password_set(uidb64=uid, token=token, password="123")
    assert services.account_for_link(uid, token) is not None


def test_a_new_link_kills_the_old_one_and_the_old_password(personas, business):
    account, first = _register(personas, business)
    uid, token = _parts(first.path)
    services.business_password_set(uidb64=uid, token=token, password=NEW_PASSWORD)
    _account, another = _register(personas, business, username="cangxanh2")
    second = services.business_account_issue_link(actor=personas["commander"], account=account)
    account.user.refresh_from_db()
    assert not account.user.has_usable_password()
    assert services.account_for_link(*_parts(first.path)) is None
    assert services.account_for_link(*_parts(second.path)) == account.user
    assert services.account_for_link(*_parts(another.path)).username == "cangxanh2"


def test_a_link_expires(personas, business, settings, time_machine):
    settings.ANNINH_BUSINESS_LINK_HOURS = 2
    time_machine.move_to(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC))
    _account, link = _register(personas, business)
    time_machine.move_to(dt.datetime(2026, 3, 2, 10, 59, tzinfo=dt.UTC))
    assert services.account_for_link(*_parts(link.path)) is not None
    time_machine.move_to(dt.datetime(2026, 3, 2, 11, 1, tzinfo=dt.UTC))
    assert services.account_for_link(*_parts(link.path)) is None


def test_disabling_ends_sign_in_and_links_and_is_audited(personas, business):
    account, link = _register(personas, business)
    uid, token = _parts(link.path)
    services.business_password_set(uidb64=uid, token=token, password=NEW_PASSWORD)
    client = Client()
    client.post("/business/login/", {"username": "cangxanh", "password": NEW_PASSWORD})
    assert client.get("/business/").status_code == 200
    fresh = services.business_account_issue_link(actor=personas["commander"], account=account)
    with pytest.raises(services.DialogueError):
        services.business_account_disable(actor=personas["commander"], account=account, reason=" ")
    services.business_account_disable(actor=personas["commander"], account=account, reason="Nghỉ việc")
    account.user.refresh_from_db()
    assert not account.user.is_active
    assert client.get("/business/").status_code == 302  # the open session ends
    assert (
        Client().post("/business/login/", {"username": "cangxanh", "password": NEW_PASSWORD}).status_code
        == 200
    )
    assert services.account_for_link(*_parts(fresh.path)) is None
    with pytest.raises(services.DialogueError):
        services.business_account_issue_link(actor=personas["commander"], account=account)
    assert (
        AuditEvent.objects.unrestricted()
        .filter(action=AuditAction.UPDATE, object_id=str(account.user.pk), extra__step="disable")
        .exists()
    )
    with pytest.raises(PermissionDenied):
        services.business_account_disable(actor=personas["commune_officer"], account=account, reason="x")


def test_a_business_account_can_never_get_a_staff_role(personas, business):
    account, _link = _register(personas, business)
    user = account.user
    admin = personas["administrator"]
    for roles in ([Role.COMMANDER], [Role.BUSINESS, Role.ANALYST], [Role.ADMINISTRATOR]):
        with pytest.raises(ValidationError):
            account_services.user_set_roles(actor=admin, user=user, roles=roles)
    # Under the services too (the admin's role inline, the shell): the grant itself refuses.
    with pytest.raises(ValidationError):
        RoleAssignment.objects.create(user=user, role=Role.INVESTIGATOR)
    # Even with its business role gone, a user that speaks for a business gets no staff role.
    RoleAssignment.objects.filter(user=user).delete()
    with pytest.raises(ValidationError):
        RoleAssignment.objects.create(user=user, role=Role.COMMANDER)
    # And a staff account never becomes a business account.
    with pytest.raises(ValidationError):
        account_services.user_set_roles(actor=admin, user=personas["analyst"], roles=[Role.BUSINESS])
    with pytest.raises(ValidationError):
        account_services.user_create(
            actor=admin,
            username="mix",
            full_name="Mix",
            unit=None,
            roles=[Role.BUSINESS, Role.ANALYST],
            password="Dialogue-Passw0rd!",
        )
    assert set(RoleAssignment.objects.filter(user=personas["analyst"]).values_list("role", flat=True)) == {
        Role.ANALYST
    }


def test_a_registered_account_sees_only_its_own_businesss_recommendations(personas, business):
    organiser = personas["public_relations"]
    other = make_business(organiser, name="Công ty Người Khác", commune_code="11329")
    own_rec = make_recommendation(organiser, business=business, text="Kiến nghị của Cảng Xanh.")
    other_rec = make_recommendation(
        organiser, business=other, unit_code="CA11329", text="Kiến nghị bí mật khác."
    )
    account, link = _register(personas, business)
    uid, token = _parts(link.path)
    services.business_password_set(uidb64=uid, token=token, password=NEW_PASSWORD)
    assert set(selectors.own_recommendations(viewer=account.user)) == {own_rec}
    client = Client()
    client.post("/business/login/", {"username": "cangxanh", "password": NEW_PASSWORD})
    page = client.get("/business/").content.decode()
    assert own_rec.text in page and other_rec.text not in page
    assert client.get(f"/business/recommendations/{other_rec.pk}/").status_code == 404
    assert client.get(f"/business/manage/businesses/{business.pk}/accounts/").status_code == 403


# --- views ------------------------------------------------------------------------------------


def _staff(personas, who="public_relations") -> Client:
    client = Client()
    client.force_login(personas[who])
    return client


def test_the_accounts_page_registers_an_account_and_shows_the_link_once(personas, business):
    client = _staff(personas)
    url = f"/business/manage/businesses/{business.pk}/accounts/"
    response = client.post(url, {"username": "cangxanh", "full_name": "Trần Văn Bảo"})
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer" and "no-store" in response["Cache-Control"]
    body = response.content.decode()
    path = re.search(r'value="http://testserver(/business/set-password/[^"]+)"', body).group(1)
    assert services.account_for_link(*_parts(path)) is not None
    again = client.get(url).content.decode()
    assert "cangxanh" in again and "/business/set-password/" not in again
    # Bad input: the form again, nothing created.
    assert client.post(url, {"username": "", "full_name": "X"}).status_code == 400


def test_the_set_password_page_sets_the_password_and_refuses_a_used_link(personas, business):
    _account, link = _register(personas, business)
    client = Client()
    assert client.get(link.path).status_code == 200
    bad = client.post(link.path, {"password1": NEW_PASSWORD, "password2": "different"})
    assert bad.status_code == 400
    done = client.post(link.path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/business/login/"
    used = client.get(link.path)
    assert used.status_code == 200 and b'name="password1"' not in used.content


def test_the_staff_pages_re_link_and_disable(personas, business):
    account, _link = _register(personas, business)
    client = _staff(personas, "commander")
    response = client.post(f"/business/manage/accounts/{account.pk}/link/")
    assert response.status_code == 200 and b"/business/set-password/" in response.content
    assert client.post(f"/business/manage/accounts/{account.pk}/disable/", {"reason": ""}).status_code == 400
    response = client.post(f"/business/manage/accounts/{account.pk}/disable/", {"reason": "Nghỉ việc"})
    assert response.status_code == 302
    account.user.refresh_from_db()
    assert not account.user.is_active


def test_a_business_account_and_a_commune_officer_cannot_use_the_account_pages(personas, business):
    account, _link = _register(personas, business)
    for who in ("business", "commune_officer"):
        client = _staff(personas, who)
        assert client.get(f"/business/manage/businesses/{business.pk}/accounts/").status_code == 403
        assert (
            client.post(f"/business/manage/accounts/{account.pk}/disable/", {"reason": "x"}).status_code
            == 403
        )
    account.user.refresh_from_db()
    assert account.user.is_active


def test_an_anonymous_visitor_is_sent_to_the_staff_sign_in(business):
    response = Client().get(f"/business/manage/businesses/{business.pk}/accounts/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
