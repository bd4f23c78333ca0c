"""Writing civil-defence teams, members and duties. Commune officers manage the teams of
their commune (commanders every team); a team leader keeps their own team's duty roster.
Each service checks who may act, runs in one transaction and writes its audit row in it."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from anninh.accounts.roles import Role
from anninh.accounts.scoping import scope_for
from anninh.audit.services import audit_record
from anninh.civildefence.models import Duty, Member, Team, TeamRole
from anninh.geo.models import Commune
from anninh.lib.errors import InvalidIdentifier
from anninh.lib.identifiers import normalize_cccd, normalize_phone_vn

MANAGER_ROLES = (Role.COMMANDER, Role.COMMUNE_OFFICER)
SHIFTS = ("morning", "afternoon", "night")


class CivilDefenceError(ValueError):
    """A request that cannot be done as asked; the message is for the user."""


def _username(actor) -> str:
    return "demo" if actor is None else ""


def may_manage_in(actor, commune: str) -> bool:
    """Commanders everywhere; a commune officer in their own commune."""
    if actor is None:
        return True  # the demo seeder
    if not getattr(actor, "is_authenticated", False) or not actor.has_role(*MANAGER_ROLES):
        return False
    return actor.has_role(Role.COMMANDER) or commune in scope_for(actor).commune_codes


def may_keep_roster(actor, team: Team) -> bool:
    """The team's managers, and its leader."""
    if may_manage_in(actor, team.commune_id):
        return True
    return actor.has_role(Role.CIVIL_DEFENCE_LEADER) and team.leader_id == actor.pk


def team_create(
    *,
    actor,
    commune: str,
    name: str,
    founded_on: dt.date | None = None,
    note: str = "",
    is_synthetic: bool = False,
) -> Team:
    name = (name or "").strip()[:200]
    if not Commune.objects.filter(code=commune).exists():
        raise CivilDefenceError(_("There is no commune with this code."))
    if not may_manage_in(actor, commune):
        raise PermissionDenied
    if not name:
        raise CivilDefenceError(_("Enter the team's name."))
    try:
        with transaction.atomic():
            team = Team.objects.create(
                commune_id=commune,
                name=name,
                founded_on=founded_on,
                note=(note or "")[:300],
                is_synthetic=is_synthetic,
                created_by=actor,
            )
            audit_record(
                actor=actor,
                username=_username(actor),
                action="create",
                target=team,
                after={"commune": commune, "name": name, "founded_on": founded_on and founded_on.isoformat()},
            )
    except IntegrityError:
        raise CivilDefenceError(_("This commune already has a team with this name.")) from None
    return team


def team_set_leader(*, actor, team: Team, username: str | None, unlink: bool = False) -> Team:
    """Link the account that leads the team (a user with the civil-defence leader role), or
    unlink it (`unlink=True`). That account then sees this team, and only it."""
    if not may_manage_in(actor, team.commune_id):
        raise PermissionDenied
    leader = None
    if not unlink and not username:
        raise CivilDefenceError(_("Enter the leader's user name."))
    if not unlink:
        leader = get_user_model().objects.filter(username=username, is_active=True).first()
        if leader is None or not leader.has_role(Role.CIVIL_DEFENCE_LEADER):
            raise CivilDefenceError(_("Choose an account with the civil-defence team leader role."))
        other = Team.objects.unrestricted().filter(leader=leader).exclude(pk=team.pk).first()
        if other is not None:
            raise CivilDefenceError(_("This account already leads another team."))
    with transaction.atomic():
        team = Team.objects.unrestricted().select_for_update().get(pk=team.pk)
        before = team.leader_id
        team.leader = leader
        team.save(update_fields=["leader"])
        audit_record(
            actor=actor,
            username=_username(actor),
            action="update",
            target=team,
            before={"leader": before},
            after={"leader": leader.pk if leader else None},
        )
    return team


def member_add(
    *,
    actor,
    team: Team,
    full_name: str,
    id_number: str,
    phone: str = "",
    role_in_team: str = TeamRole.MEMBER,
    start_date: dt.date,
    training_done: bool = False,
    trained_on: dt.date | None = None,
    training_note: str = "",
    user=None,
    is_synthetic: bool = False,
) -> Member:
    if not may_manage_in(actor, team.commune_id):
        raise PermissionDenied
    full_name = " ".join((full_name or "").split())[:200]
    if not full_name:
        raise CivilDefenceError(_("Enter the member's full name."))
    try:
        id_number = normalize_cccd(id_number or "")
    except InvalidIdentifier:
        raise CivilDefenceError(_("Enter the member's 12-digit citizen ID (CCCD).")) from None
    try:
        phone = normalize_phone_vn(phone) if phone else ""
    except InvalidIdentifier:
        raise CivilDefenceError(_("Enter a mobile number of 10 digits, starting with 0 or +84.")) from None
    if role_in_team not in TeamRole.values:
        raise CivilDefenceError(_("Choose the member's role in the team."))
    if trained_on is not None and not training_done:
        training_done = True
    try:
        with transaction.atomic():
            member = Member.objects.create(
                team=team,
                full_name=full_name,
                id_number=id_number,
                phone=phone,
                role_in_team=role_in_team,
                start_date=start_date,
                training_done=training_done,
                trained_on=trained_on,
                training_note=(training_note or "")[:300],
                user=user,
                is_synthetic=is_synthetic,
            )
            audit_record(
                actor=actor,
                username=_username(actor),
                action="create",
                target=member,
                after={
                    "team": team.pk,
                    "full_name": full_name,
                    "id_number": id_number,
                    "phone": phone,
                    "role_in_team": role_in_team,
                    "start_date": start_date.isoformat(),
                    "training_done": training_done,
                },
            )
    except IntegrityError:
        raise CivilDefenceError(
            _("A person with this citizen ID is already an active member of a team.")
        ) from None
    return member


def member_leave(*, actor, member: Member, on: dt.date) -> Member:
    if not may_manage_in(actor, member.team.commune_id):
        raise PermissionDenied
    if on < member.start_date:
        raise CivilDefenceError(_("A member cannot leave before joining."))
    with transaction.atomic():
        member = Member.objects.unrestricted().select_for_update().get(pk=member.pk)
        member.end_date = on
        member.save(update_fields=["end_date"])
        audit_record(
            actor=actor,
            username=_username(actor),
            action="update",
            target=member,
            after={"end_date": on.isoformat()},
        )
    return member


def duty_create(
    *,
    actor,
    team: Team,
    date: dt.date,
    shift: str,
    task: str,
    member_ids: list[int],
    patrol_plan=None,
    note: str = "",
    is_synthetic: bool = False,
) -> Duty:
    """A duty of the team's roster, with its members (active members of this team) and the
    patrol plan it joins (an approved plan of the team's commune, same day and shift)."""
    from anninh.patrols.models import PlanStatus

    if not may_keep_roster(actor, team):
        raise PermissionDenied
    task = (task or "").strip()[:200]
    if not task:
        raise CivilDefenceError(_("Enter the duty's task."))
    if shift not in SHIFTS:
        raise CivilDefenceError(_("Choose a shift: morning, afternoon or night."))
    members = list(Member.objects.unrestricted().filter(team=team, pk__in=member_ids, end_date__isnull=True))
    if not members or len(members) != len(set(member_ids)):
        raise CivilDefenceError(_("Choose the team's members on this duty."))
    if patrol_plan is not None and (
        patrol_plan.commune_id != team.commune_id
        or patrol_plan.date != date
        or patrol_plan.shift != shift
        or patrol_plan.status != PlanStatus.APPROVED
    ):
        raise CivilDefenceError(
            _("A duty joins an approved patrol plan of its commune, for the same day and shift.")
        )
    with transaction.atomic():
        duty = Duty.objects.create(
            team=team,
            date=date,
            shift=shift,
            task=task,
            patrol_plan=patrol_plan,
            note=(note or "")[:300],
            is_synthetic=is_synthetic,
            created_by=actor,
        )
        duty.members.set(members)
        audit_record(
            actor=actor,
            username=_username(actor),
            action="create",
            target=duty,
            after={
                "team": team.pk,
                "date": date.isoformat(),
                "shift": shift,
                "task": task,
                "members": sorted(m.pk for m in members),
                "patrol_plan": getattr(patrol_plan, "pk", None),
            },
        )
    return duty
