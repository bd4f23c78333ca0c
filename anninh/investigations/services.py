"""Writes of the investigations app: each checks permission, runs in one transaction and writes
its audit row in it. Reads that must leave a trace (a view, a search, an export) are recorded
with `investigation_read_record`.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anninh.accounts.permissions import audit_denied
from anninh.audit.models import AuditAction
from anninh.audit.services import audit_record, snapshot
from anninh.investigations.access import CREATOR_ROLES, GRANTABLE_ROLES, require_team
from anninh.investigations.models import (
    AccessGrant,
    CandidateStatus,
    Entity,
    EntityMerge,
    Investigation,
    MatchCandidate,
    TeamMember,
)


def investigation_read_record(*, viewer, investigation: Investigation, what: str, **extra) -> None:
    """Audit a read of the investigation: `what` is "view", "search", "entity", "export"...
    Exports are recorded as exports, every other read as a view."""
    action = AuditAction.EXPORT if what == "export" else AuditAction.VIEW
    audit_record(actor=viewer, action=action, target=investigation, extra={"what": what, **extra})


@transaction.atomic
def investigation_create(
    *,
    actor,
    code: str,
    title: str,
    kind: str,
    unit,
    opened_on: dt.date,
    description: str = "",
    is_synthetic: bool = False,
    team: tuple = (),
) -> Investigation:
    """Open an investigation; its creator (when a person) leads its team."""
    if actor is not None and not actor.has_role(*CREATOR_ROLES):
        audit_denied(actor, reason="role")
        raise PermissionDenied
    inv = Investigation(
        code=code.strip(),
        title=title.strip(),
        kind=kind,
        unit=unit,
        opened_on=opened_on,
        description=description,
        is_synthetic=is_synthetic,
        created_by=actor,
    )
    inv.full_clean(exclude=["crime_reports", "cases"])
    inv.save()
    members = ([actor] if actor is not None else []) + [u for u in team if actor is None or u.pk != actor.pk]
    for i, user in enumerate(members):
        TeamMember.objects.create(investigation=inv, user=user, is_lead=i == 0)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=inv,
        after=snapshot(inv),
        extra={"team": [u.pk for u in members]},
    )
    return inv


@transaction.atomic
def team_member_add(*, actor, investigation: Investigation, user, lead: bool = False) -> TeamMember:
    if actor is not None:
        require_team(actor, investigation)
    member, created = TeamMember.objects.get_or_create(
        investigation=investigation, user=user, defaults={"is_lead": lead}
    )
    if created:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=investigation,
            extra={"team_added": user.pk},
        )
    return member


@transaction.atomic
def access_grant(*, actor, investigation: Investigation, user, reason: str) -> AccessGrant:
    """Give a commander or an auditor read access by name (team only; reason required)."""
    if actor is not None:
        require_team(actor, investigation)
    if not user.roles & GRANTABLE_ROLES:
        raise ValidationError(_("Access is given by name to commanders and auditors only."))
    if not reason.strip():
        raise ValidationError(_("Say why access is given."))
    grant = AccessGrant.objects.create(
        investigation=investigation, user=user, reason=reason, granted_by=actor
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=investigation,
        extra={"grant_to": user.pk, "reason": reason},
    )
    return grant


@transaction.atomic
def access_revoke(*, actor, grant: AccessGrant) -> None:
    if actor is not None:
        require_team(actor, grant.investigation)
    grant.revoked_at = timezone.now()
    grant.save(update_fields=["revoked_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=grant.investigation,
        extra={"grant_revoked": grant.user_id},
    )


def _root(entity: Entity) -> Entity:
    seen = set()
    while entity.merged_into_id is not None and entity.pk not in seen:
        seen.add(entity.pk)
        entity = Entity.objects.unrestricted().get(pk=entity.merged_into_id)
    return entity


@transaction.atomic
def entities_merge(
    *, actor, investigation: Investigation, entities: list[Entity], reason: str = "", candidate=None
) -> EntityMerge:
    """Merge entities of one kind into the first one's survivor; undone by `merge_undo`."""
    if actor is not None:
        require_team(actor, investigation)
    roots = []
    for e in entities:
        if e.investigation_id != investigation.pk:
            raise ValidationError(_("These entities belong to another investigation."))
        r = _root(e)
        if r.pk not in {x.pk for x in roots}:
            roots.append(r)
    if len({r.kind for r in roots}) > 1:
        raise ValidationError(_("Only entities of one kind can be merged."))
    if len(roots) < 2:
        raise ValidationError(_("These entities are already one."))
    survivor, others = roots[0], roots[1:]
    Entity.objects.unrestricted().filter(pk__in=[o.pk for o in others]).update(merged_into=survivor)
    merge = EntityMerge.objects.create(
        investigation=investigation,
        survivor=survivor,
        merged=[o.pk for o in others],
        candidate=candidate,
        reason=reason,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=survivor,
        extra={"merge": merge.pk, "merged": merge.merged, "reason": reason},
    )
    return merge


@transaction.atomic
def merge_undo(*, actor, merge: EntityMerge) -> EntityMerge:
    """Undo a merge: the merged entities stand alone again (a candidate it came from goes back
    to the queue)."""
    if actor is not None:
        require_team(actor, merge.investigation)
    if merge.undone_at is not None:
        raise ValidationError(_("This merge was already undone."))
    Entity.objects.unrestricted().filter(pk__in=merge.merged, merged_into_id=merge.survivor_id).update(
        merged_into=None
    )
    merge.undone_at = timezone.now()
    merge.undone_by = actor
    merge.save(update_fields=["undone_at", "undone_by"])
    if merge.candidate_id:
        MatchCandidate.objects.unrestricted().filter(pk=merge.candidate_id).update(
            status=CandidateStatus.PENDING, decided_by=None, decided_at=None
        )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=merge.survivor,
        extra={"merge_undone": merge.pk, "merged": merge.merged},
    )
    return merge


@transaction.atomic
def candidate_decide(*, actor, candidate: MatchCandidate, confirm: bool) -> MatchCandidate:
    """An investigator confirms (the two are merged) or rejects a possible identity."""
    if actor is not None:
        require_team(actor, candidate.investigation)
    if candidate.status != CandidateStatus.PENDING:
        raise ValidationError(_("This pair was already decided."))
    candidate.status = CandidateStatus.CONFIRMED if confirm else CandidateStatus.REJECTED
    candidate.decided_by = actor
    candidate.decided_at = timezone.now()
    candidate.save(update_fields=["status", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=candidate.investigation,
        extra={"candidate": candidate.pk, "decision": candidate.status},
    )
    if confirm:
        entities_merge(
            actor=actor,
            investigation=candidate.investigation,
            entities=[candidate.left, candidate.right],
            reason=_("Confirmed in the review queue"),
            candidate=candidate,
        )
    return candidate
