"""User and role services: administrators only, audited, no password in any snapshot."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from anninh.accounts import services
from anninh.accounts.models import RoleAssignment, User
from anninh.accounts.roles import Role
from anninh.accounts.tests.helpers import events
from anninh.audit.models import AuditAction
from anninh.testing.personas import make_user

STRONG = "Hoa-Phượng-Đỏ-2026"


@pytest.fixture
def admin(units):
    return make_user("root", Role.ADMINISTRATOR, unit_code="PV01")


def test_an_administrator_creates_a_user_with_roles_and_the_row_is_audited_without_the_password(admin, units):
    user = services.user_create(
        actor=admin,
        username="tuan",
        full_name="Phạm Anh Tuấn",
        unit=units["PC02"],
        roles=[Role.INVESTIGATOR],
        password=STRONG,
    )
    user = User.objects.get(pk=user.pk)
    assert user.check_password(STRONG) and user.unit == units["PC02"] and user.roles == {"investigator"}
    assert user.search_key == "pham anh tuan tuan"
    [created] = events(AuditAction.CREATE, object_type="accounts.user")
    assert created.actor_id == admin.pk and created.actor_unit_code == "PV01"
    assert created.after["roles"] == ["investigator"] and created.after["username"] == "tuan"
    assert "password" not in created.after and user.password not in str(created.after)


@pytest.mark.parametrize("who", ["commander", "auditor", "no_role", "anonymous", "none"])
def test_only_administrators_may_create_users(units, who):
    actor = {"anonymous": AnonymousUser(), "none": None}.get(who) or make_user(
        "x", *([] if who == "no_role" else [who])
    )
    with pytest.raises(PermissionDenied):
        services.user_create(
            actor=actor, username="tuan", full_name="T", unit=None, roles=[], password=STRONG
        )
    assert not User.objects.filter(username="tuan").exists()
    if who not in {"anonymous", "none"}:
        [denied] = events(AuditAction.DENIED, actor_id=actor.pk)
        assert denied.extra["path"] == "service:user_create"


def test_a_weak_password_a_taken_name_or_an_unknown_role_is_refused(admin):
    with pytest.raises(ValidationError):
        services.user_create(
            actor=admin, username="a", full_name="A", unit=None, roles=[], password="password123"
        )
    with pytest.raises(ValidationError):
        services.user_create(
            actor=admin, username="root", full_name="A", unit=None, roles=[], password=STRONG
        )
    with pytest.raises(ValidationError):
        services.user_create(
            actor=admin, username="b", full_name="B", unit=None, roles=["king"], password=STRONG
        )
    assert not events(AuditAction.CREATE)


def test_setting_roles_replaces_them_and_audits_before_and_after(admin):
    user = make_user("lan", Role.ANALYST, Role.PUBLIC_RELATIONS)
    assert user.roles == {"analyst", "public_relations"}
    services.user_set_roles(actor=admin, user=user, roles=[Role.ANALYST, Role.COMMANDER])
    assert user.roles == {"analyst", "commander"}
    assert set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True)) == {
        "analyst",
        "commander",
    }
    [event] = events(AuditAction.UPDATE, object_type="accounts.user")
    assert event.before == {"roles": ["analyst", "public_relations"]}
    assert event.after == {"roles": ["analyst", "commander"]}


def test_setting_the_same_roles_writes_nothing(admin):
    user = make_user("lan", Role.ANALYST)
    services.user_set_roles(actor=admin, user=user, roles=[Role.ANALYST])
    assert not events(AuditAction.UPDATE)


def test_only_administrators_may_set_roles(admin):
    commander = make_user("chief", Role.COMMANDER)
    with pytest.raises(PermissionDenied):
        services.user_set_roles(actor=commander, user=commander, roles=[Role.ADMINISTRATOR])
    assert make_user("y").roles == frozenset()
    assert User.objects.get(pk=commander.pk).roles == {"commander"}
    assert events(AuditAction.DENIED, actor_id=commander.pk)


def test_the_last_administrator_keeps_the_role(admin):
    with pytest.raises(ValidationError, match="last administrator"):
        services.user_set_roles(actor=admin, user=admin, roles=[Role.AUDITOR])
    second = make_user("root2", Role.ADMINISTRATOR)
    services.user_set_roles(actor=second, user=admin, roles=[Role.AUDITOR])
    assert User.objects.get(pk=admin.pk).roles == {"auditor"}


def test_the_command_line_may_bootstrap_roles(db):
    user = make_user("first")
    services.user_set_roles(actor=services.SystemActor("bootstrap"), user=user, roles=[Role.ADMINISTRATOR])
    [event] = events(AuditAction.UPDATE)
    assert event.actor_id is None and event.actor_username == "system:bootstrap"
