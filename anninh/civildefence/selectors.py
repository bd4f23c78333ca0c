"""Reading the civil-defence force through the scoping door: teams, members and duties the
viewer may read, and the force per commune (members, and members per 1,000 residents)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from anninh.civildefence.models import MEMBER_READERS, TEAM_READERS, Duty, Member, Team

READER_ROLES = tuple(TEAM_READERS - {"civil_defence_member"})


def team_list(*, viewer) -> QuerySet:
    return (
        Team.objects.restrict(viewer)
        .select_related("commune", "leader")
        .defer("commune__boundary")
        .annotate(
            n_members=Count("members", filter=Q(members__end_date__isnull=True), distinct=True),
            n_trained=Count(
                "members",
                filter=Q(members__end_date__isnull=True, members__training_done=True),
                distinct=True,
            ),
        )
        .order_by("commune__sort_key", "name")
    )


def team_base(*, viewer) -> QuerySet:
    return Team.objects.restrict(viewer)


def members_of(*, viewer, team: Team) -> QuerySet:
    return Member.objects.restrict(viewer).filter(team=team).order_by("end_date", "role_in_team", "full_name")


def may_read_members(viewer) -> bool:
    return viewer.has_role(*MEMBER_READERS)


def duties_of(*, viewer, team: Team, limit: int = 100) -> QuerySet:
    return (
        Duty.objects.restrict(viewer)
        .filter(team=team)
        .select_related("patrol_plan")
        .prefetch_related("members")
        .order_by("-date", "shift")[:limit]
    )


def my_duties(*, viewer) -> QuerySet:
    """The duties the viewer is on as a member (their own account on a member record)."""
    return (
        Duty.objects.restrict(viewer)
        .filter(members__user=viewer)
        .select_related("team", "team__commune", "patrol_plan")
        .defer("team__commune__boundary")
        .distinct()
        .order_by("-date", "shift")
    )


def per_thousand(count: int, population: int) -> float | None:
    """Members per 1,000 residents; None when the population is unknown (0)."""
    return count * 1000 / population if population else None


@dataclass(frozen=True)
class CommuneForce:
    code: str
    name: str
    population: int
    teams: int
    members: int
    trained: int

    @property
    def per_1000(self) -> float | None:
        return per_thousand(self.members, self.population)


def force_by_commune(*, viewer) -> list[CommuneForce]:
    """Teams, active members and trained members of each commune the viewer may read teams
    of (only communes with a team), most members per 1,000 residents first."""
    rows = (
        Team.objects.restrict(viewer)
        .values("commune_id", "commune__name", "commune__population", "commune__sort_key")
        .annotate(
            n_teams=Count("id", distinct=True),
            n_members=Count("members", filter=Q(members__end_date__isnull=True), distinct=True),
            n_trained=Count(
                "members",
                filter=Q(members__end_date__isnull=True, members__training_done=True),
                distinct=True,
            ),
        )
    )
    out = [
        CommuneForce(
            r["commune_id"],
            r["commune__name"],
            r["commune__population"],
            r["n_teams"],
            r["n_members"],
            r["n_trained"],
        )
        for r in rows
    ]
    return sorted(out, key=lambda c: (-(c.per_1000 or 0), c.name))
