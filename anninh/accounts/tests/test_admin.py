"""User administration in the Django admin: administrators only, through our login,
everything audited, search by folded name."""

from __future__ import annotations

import pytest
from django.test import Client

from anninh.accounts.models import RoleAssignment, User
from anninh.accounts.roles import Role
from anninh.accounts.tests.helpers import events
from anninh.audit.models import AuditAction, AuditEvent
from anninh.testing.personas import make_user

STRONG = "Hoa-Phượng-Đỏ-2026"


@pytest.fixture
def admin_client(units):
    admin = make_user("root", Role.ADMINISTRATOR, unit_code="PV01")
    client = Client()
    client.force_login(admin)
    return client, admin


def test_the_admin_sends_visitors_to_our_login_page(db):
    response = Client().get("/admin/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/?next=/admin/"
    response = Client().get("/admin/login/?next=/admin/accounts/user/")
    assert response["Location"] == "/accounts/login/?next=/admin/accounts/user/"


def test_a_staff_flag_without_the_administrator_role_opens_nothing(db):
    staff = make_user("staff", Role.COMMANDER, is_staff=True)
    client = Client()
    client.force_login(staff)
    assert client.get("/admin/").status_code == 403
    assert events(AuditAction.DENIED, actor_id=staff.pk)


def test_an_administrator_without_the_staff_flag_gets_in(admin_client):
    client, admin = admin_client
    assert not admin.is_staff and not admin.is_superuser
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 200
    assert client.get("/admin/login/")["Location"] == "/admin/"


def test_users_are_found_by_name_with_or_without_diacritics(admin_client):
    client, _admin = admin_client
    make_user("hoa1", full_name="Nguyễn Thị Hoà")
    make_user("binh", full_name="Đặng Văn Bình")
    html = client.get("/admin/accounts/user/", {"q": "nguyen thi hoa"}).content.decode()
    assert "hoa1" in html and "binh" not in html
    html = client.get("/admin/accounts/user/", {"q": "ĐẶNG"}).content.decode()
    assert "binh" in html and "hoa1" not in html


def test_users_can_be_filtered_by_role_and_unit(admin_client, units):
    client, _admin = admin_client
    make_user("inv", Role.INVESTIGATOR, unit_code="PC02")
    make_user("fire", Role.FIRE_RESCUE, unit_code="PC07")
    html = client.get("/admin/accounts/user/", {"role_assignments__role": "investigator"}).content.decode()
    assert ">inv<" in html and ">fire<" not in html
    html = client.get("/admin/accounts/user/", {"unit__id__exact": units["PC07"].pk}).content.decode()
    assert ">fire<" in html and ">inv<" not in html


def _add_form(**extra):
    data = {
        "username": "moi",
        "full_name": "Người Mới",
        "password1": STRONG,
        "password2": STRONG,
        "role_assignments-TOTAL_FORMS": "1",
        "role_assignments-INITIAL_FORMS": "0",
        "role_assignments-MIN_NUM_FORMS": "0",
        "role_assignments-MAX_NUM_FORMS": "1000",
        "role_assignments-0-role": "analyst",
    }
    data.update(extra)
    return data


def test_adding_a_user_in_the_admin_is_audited_with_roles_and_without_the_password(admin_client):
    client, admin = admin_client
    response = client.post("/admin/accounts/user/add/", _add_form())
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="moi")
    assert user.roles == {"analyst"} and user.check_password(STRONG)
    [created] = events(AuditAction.CREATE, object_type="accounts.user")
    assert created.actor_id == admin.pk and created.extra == {"via": "admin"}
    assert "password" not in created.after
    [roles] = events(AuditAction.UPDATE, object_type="accounts.user")
    assert roles.before == {"roles": []} and roles.after == {"roles": ["analyst"]}
    for row in AuditEvent.objects.all():
        assert user.password not in f"{row.before}{row.after}"


def test_a_weak_password_is_refused_in_the_admin_too(admin_client):
    client, _admin = admin_client
    response = client.post(
        "/admin/accounts/user/add/", _add_form(password1="haiphong2026", password2="haiphong2026")
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="moi").exists()


def test_changing_roles_in_the_inline_is_audited(admin_client):
    client, _admin = admin_client
    user = make_user("lan", Role.ANALYST, full_name="Lan")
    assignment = RoleAssignment.objects.get(user=user)
    data = {
        "username": "lan",
        "full_name": "Lan",
        "rank": "",
        "unit": "",
        "language": "",
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "01/03/2026",
        "date_joined_1": "08:00:00",
        "role_assignments-TOTAL_FORMS": "2",
        "role_assignments-INITIAL_FORMS": "1",
        "role_assignments-MIN_NUM_FORMS": "0",
        "role_assignments-MAX_NUM_FORMS": "1000",
        "role_assignments-0-id": str(assignment.pk),
        "role_assignments-0-user": str(user.pk),
        "role_assignments-0-role": "analyst",
        "role_assignments-0-DELETE": "on",
        "role_assignments-1-user": str(user.pk),
        "role_assignments-1-role": "commander",
    }
    response = client.post(f"/admin/accounts/user/{user.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert User.objects.get(pk=user.pk).roles == {"commander"}
    role_rows = [
        e for e in events(AuditAction.UPDATE, object_type="accounts.user") if "roles" in (e.after or {})
    ]
    assert [(e.before, e.after) for e in role_rows] == [({"roles": ["analyst"]}, {"roles": ["commander"]})]


def test_setting_a_password_in_the_admin_is_audited_without_it(admin_client):
    client, admin = admin_client
    user = make_user("lan", Role.ANALYST)
    response = client.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": STRONG, "password2": STRONG, "usable_password": "true"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(STRONG)
    [event] = events(AuditAction.UPDATE, object_type="accounts.user")
    assert (
        event.extra == {"field": "password", "via": "admin"} and event.before is None and event.after is None
    )
    assert event.actor_id == admin.pk


def test_the_admin_action_resets_two_factor_through_the_audited_service(admin_client):
    from anninh.accounts import twofactor
    from anninh.accounts.models import TOTPDevice

    client, _admin = admin_client
    user = make_user("lan", Role.ANALYST)
    TOTPDevice.objects.create(user=user, sealed_secret=twofactor.seal_secret(twofactor.new_secret()))
    response = client.post(
        "/admin/accounts/user/", {"action": "reset_two_factor", "_selected_action": [user.pk]}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert events(AuditAction.DELETE, object_type="accounts.totpdevice")


def test_tokens_cannot_be_added_in_the_admin_but_can_be_revoked(admin_client):
    from anninh.accounts import services
    from anninh.accounts.models import APIToken

    client, _admin = admin_client
    user = make_user("lan", Role.ANALYST)
    token, _raw = services.api_token_create(actor=user, user=user, name="x", days=5)
    assert client.get("/admin/accounts/apitoken/add/").status_code == 403
    response = client.post("/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [token.pk]})
    assert response.status_code == 302
    assert APIToken.objects.get(pk=token.pk).revoked_at is not None
