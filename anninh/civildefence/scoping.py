"""Who reads which civil-defence rows (the custom rules of anninh.civildefence.models).

A team leader's reach is the team whose `leader` is their account, nothing else: not their
police unit's commune (the persona sits in a commune police unit, but is not a police
officer). A member's reach is their own member row and their own duties."""

from __future__ import annotations

from django.db.models import Q

from anninh.accounts.roles import Role
from anninh.accounts.scoping import NOTHING, scope_for


def _team_condition(viewer, field: str) -> Q | None:
    """Rows whose team (reached through `field`, "" for the team itself) the viewer may read."""
    scope = scope_for(viewer)
    if scope.city_wide:
        return None
    path = f"{field}__" if field else ""
    condition = NOTHING
    roles = viewer.roles
    if Role.COMMUNE_OFFICER in roles and scope.commune_codes:
        condition |= Q(**{f"{path}commune_id__in": sorted(scope.commune_codes)})
    if Role.CIVIL_DEFENCE_LEADER in roles:
        condition |= Q(**{f"{path}leader": viewer})
    return condition


def team_rows(viewer, prefix: str = "") -> Q | None:
    from anninh.civildefence.models import Member

    condition = _team_condition(viewer, "")
    if condition is None:
        return None
    if Role.CIVIL_DEFENCE_MEMBER in viewer.roles:
        condition |= Q(pk__in=Member.objects.unrestricted().filter(user=viewer).values("team_id"))
    return _prefixed(condition, prefix)


def member_rows(viewer, prefix: str = "") -> Q | None:
    condition = _team_condition(viewer, "team")
    if condition is None:
        return None
    if Role.CIVIL_DEFENCE_MEMBER in viewer.roles:
        condition |= Q(user=viewer)
    return _prefixed(condition, prefix)


def duty_rows(viewer, prefix: str = "") -> Q | None:
    from anninh.civildefence.models import Duty

    condition = _team_condition(viewer, "team")
    if condition is None:
        return None
    if Role.CIVIL_DEFENCE_MEMBER in viewer.roles:
        condition |= Q(pk__in=Duty.members.through.objects.filter(member__user=viewer).values("duty_id"))
    return _prefixed(condition, prefix)


def _prefixed(condition: Q, prefix: str) -> Q:
    return _rewrite(condition, prefix) if prefix else condition


def _rewrite(q: Q, prefix: str) -> Q:
    out = Q()
    out.connector, out.negated = q.connector, q.negated
    for child in q.children:
        if isinstance(child, Q):
            out.children.append(_rewrite(child, prefix))
        else:
            key, value = child
            out.children.append((f"{prefix}{key}", value))
    return out
