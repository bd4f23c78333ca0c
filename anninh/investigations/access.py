"""Who may do what in an investigation: the explicit checks every view, API and service uses.

- The app's pages are for investigators, commanders and auditors (others: 403, audited).
- An investigation is opened by its team and by those granted access by name; anyone else,
  and any id that does not exist, gets 404 and an audited refusal (a guess leaves a trace).
- Only the team works on it (imports, review, merges, documents); a grant reads.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from anninh.accounts.permissions import audit_denied
from anninh.accounts.roles import Role
from anninh.investigations.models import AccessGrant, Investigation, TeamMember

#: The roles that may use the investigations pages at all (each still needs the team or a grant).
APP_ROLES = (Role.INVESTIGATOR, Role.COMMANDER, Role.AUDITOR)
#: The roles that may be given access to an investigation by name.
GRANTABLE_ROLES = frozenset({Role.COMMANDER, Role.AUDITOR})
#: The roles that may open an investigation (and become its first team member).
CREATOR_ROLES = (Role.INVESTIGATOR, Role.COMMANDER)


def is_team_member(user, investigation: Investigation) -> bool:
    return TeamMember.objects.filter(investigation=investigation, user_id=user.pk).exists()


def has_grant(user, investigation: Investigation) -> bool:
    return AccessGrant.objects.filter(
        investigation=investigation, user_id=user.pk, revoked_at__isnull=True
    ).exists()


def investigation_for(viewer, pk, *, path: str = "") -> Investigation:
    """The investigation if `viewer` may open it; otherwise an audited 404, also for ids that
    do not exist at all."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        pk = 0
    obj = Investigation.objects.restrict(viewer).filter(pk=pk).first()
    if obj is None:
        audit_denied(
            viewer, reason="scope", object_type="investigations.investigation", object_id=str(pk), path=path
        )
        raise Http404
    return obj


def require_team(viewer, investigation: Investigation, *, path: str = "") -> None:
    """Work on an investigation is for its team: a grant reads only (403, audited)."""
    if not is_team_member(viewer, investigation):
        audit_denied(
            viewer,
            reason="not_team",
            object_type="investigations.investigation",
            object_id=str(investigation.pk),
            path=path,
        )
        raise PermissionDenied


def child_or_404(queryset, viewer, investigation: Investigation, pk, *, path: str = ""):
    """A row of the investigation (entity, candidate, merge, document), or an audited 404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        pk = 0
    obj = queryset.restrict(viewer).filter(investigation=investigation, pk=pk).first()
    if obj is None:
        model = queryset.model
        audit_denied(
            viewer,
            reason="scope",
            object_type=f"{model._meta.app_label}.{model._meta.model_name}",
            object_id=str(pk),
            path=path,
        )
        raise Http404
    return obj
