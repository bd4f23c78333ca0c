"""Need-to-know: scope_for, restrict and get_scoped_or_404, tried on the users table
(every user stands in a unit, and a commune police unit in a commune)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from anninh.accounts.models import User
from anninh.accounts.permissions import get_scoped_or_404
from anninh.accounts.roles import Role
from anninh.accounts.scoping import NOTHING, Scope, ScopeRule, restrict, scope_for, unit_subtree_ids
from anninh.accounts.tests.factories import unit
from anninh.accounts.tests.helpers import events
from anninh.audit.models import AuditAction
from anninh.org.models import UnitKind
from anninh.testing.personas import make_user


@pytest.fixture
def world(units):
    """A team under PC02 (and a sub-team under it), and one member in each unit."""
    team = unit("PC02-D1", "Đội 1", UnitKind.DEPARTMENT, parent=units["PC02"])
    subteam = unit("PC02-D1-T1", "Tổ 1", UnitKind.DEPARTMENT, parent=team)
    members = {code: make_user(f"m_{code}", unit_code=code) for code in [*units, "PC02-D1", "PC02-D1-T1"]}
    make_user("m_none")
    return {"team": team, "subteam": subteam, "members": members, **units}


#: The rule a record placed in a commune and with a unit declares (as Incident does).
RULE = ScopeRule(communes=("unit__commune",), units=("unit",))


def _visible(viewer) -> set[str]:
    condition = RULE.q(viewer)
    qs = User.objects.filter(username__startswith="m_")
    qs = qs if condition is None else qs.filter(condition)
    return set(qs.values_list("username", flat=True))


ALL = {
    "m_CAHP",
    "m_PV01",
    "m_PC02",
    "m_PC07",
    "m_CA11311",
    "m_CA11329",
    "m_PC02-D1",
    "m_PC02-D1-T1",
    "m_none",
}


def test_a_commune_officer_sees_only_rows_of_their_commune(world):
    officer = make_user("co", Role.COMMUNE_OFFICER, unit_code="CA11311")
    assert _visible(officer) == {"m_CA11311"}
    assert scope_for(officer).commune_codes == {"11311"}


def test_an_investigator_sees_their_department_and_every_unit_below_it(world):
    investigator = make_user("inv", Role.INVESTIGATOR, unit_code="PC02")
    assert _visible(investigator) == {"m_PC02", "m_PC02-D1", "m_PC02-D1-T1"}
    assert unit_subtree_ids(world["team"].pk) == {world["team"].pk, world["subteam"].pk}


def test_an_investigator_in_a_team_does_not_see_the_department_above(world):
    investigator = make_user("inv", Role.INVESTIGATOR, unit_code="PC02-D1")
    assert _visible(investigator) == {"m_PC02-D1", "m_PC02-D1-T1"}


@pytest.mark.parametrize("role", [Role.COMMANDER, Role.ANALYST])
def test_city_wide_roles_see_everything(world, role):
    assert _visible(make_user("cw", role, unit_code="PV01")) == ALL


@pytest.mark.parametrize(
    "role", [Role.AUDITOR, Role.ADMINISTRATOR, Role.FIRE_RESCUE, Role.PUBLIC_RELATIONS, None]
)
def test_roles_without_record_access_see_nothing(world, role):
    viewer = make_user("nr", *([role] if role else []), unit_code="PC07")
    assert _visible(viewer) == set()
    assert scope_for(viewer).nothing


def test_an_anonymous_or_missing_or_inactive_viewer_sees_nothing(world):
    assert _visible(AnonymousUser()) == set()
    assert _visible(None) == set()
    inactive = make_user("gone", Role.COMMANDER, is_active=False)
    assert _visible(inactive) == set()
    assert scope_for(None) == Scope(authenticated=False)


def test_roles_add_up_commune_and_department(world):
    viewer = make_user("both", Role.COMMUNE_OFFICER, Role.INVESTIGATOR, unit_code="CA11329")
    assert _visible(viewer) == {"m_CA11329"}
    viewer = make_user("both2", Role.INVESTIGATOR, Role.COMMUNE_OFFICER, unit_code="PC02-D1")
    assert _visible(viewer) == {"m_PC02-D1", "m_PC02-D1-T1"}  # a team has no commune


def test_a_commune_officer_or_investigator_without_a_unit_sees_nothing(world):
    assert _visible(make_user("nu1", Role.COMMUNE_OFFICER)) == set()
    assert _visible(make_user("nu2", Role.INVESTIGATOR)) == set()


def test_a_rule_without_placement_fields_shows_rows_only_city_wide(world):
    rule = ScopeRule()
    assert rule.q(make_user("co", Role.COMMUNE_OFFICER, unit_code="CA11311")) == NOTHING
    assert rule.q(make_user("c", Role.COMMANDER)) is None


def test_a_model_without_a_declared_rule_cannot_be_restricted(world):
    """restrict() never guesses: a model that declares no need_to_know rule is an error."""
    with pytest.raises(TypeError, match="need_to_know"):
        restrict(User.objects.all(), make_user("c", Role.COMMANDER))


def test_readers_gate_a_model_before_any_placement(world):
    rule = ScopeRule(readers=frozenset({Role.AUDITOR}), city_wide=frozenset({Role.AUDITOR}))
    assert rule.q(make_user("a", Role.AUDITOR)) is None
    assert rule.q(make_user("c", Role.COMMANDER)) == NOTHING
    assert rule.q(AnonymousUser()) == NOTHING


def test_personal_data_follows_the_role_and_the_analysts_grant(world):
    assert scope_for(make_user("a1", Role.ANALYST)).personal_data is False
    assert scope_for(make_user("a2", Role.ANALYST, personal_data_granted=True)).personal_data is True
    assert scope_for(make_user("c1", Role.COMMANDER)).personal_data is True
    assert scope_for(make_user("i1", Role.INVESTIGATOR)).personal_data is True
    assert (
        scope_for(make_user("p1", Role.PUBLIC_RELATIONS, personal_data_granted=True)).personal_data is False
    )


def test_the_scope_is_computed_once_per_user_object(world, django_assert_num_queries):
    investigator = make_user("inv", Role.INVESTIGATOR, unit_code="PC02")
    investigator = (
        User.objects.select_related("unit").prefetch_related("role_assignments").get(pk=investigator.pk)
    )
    first = scope_for(investigator)
    with django_assert_num_queries(0):
        assert scope_for(investigator) is first


def test_a_guessed_id_outside_the_scope_is_a_404_with_an_audited_refusal(world):
    officer = make_user("co", Role.COMMUNE_OFFICER, unit_code="CA11311")
    scoped = User.objects.filter(RULE.q(officer))
    mine = world["members"]["CA11311"]
    assert get_scoped_or_404(scoped, officer, pk=mine.pk) == mine
    assert not events(AuditAction.DENIED)
    target = world["members"]["CA11329"]
    with pytest.raises(Http404):
        get_scoped_or_404(scoped, officer, pk=target.pk)
    [denied] = events(AuditAction.DENIED)
    assert denied.actor_id == officer.pk
    assert (denied.object_type, denied.object_id) == ("accounts.user", str(target.pk))
    assert denied.extra["reason"] == "scope"


def test_a_nonexistent_id_is_a_plain_404_without_an_audit_row(world):
    officer = make_user("co", Role.COMMUNE_OFFICER, unit_code="CA11311")
    scoped = User.objects.filter(RULE.q(officer))
    with pytest.raises(Http404):
        get_scoped_or_404(scoped, officer, pk=10**9)
    assert not events(AuditAction.DENIED)
