"""Review of records: draft → submitted → returned (with a comment) or approved by the
supervisor of the record's unit (User.is_supervisor, anninh.records.permissions.can_review).

The table of moves is data (REVIEW_MOVES) and tested as such. An approved record can still be
amended, but only with a reason (see incident_update); every step is a timeline entry.

    incident = incident_review(actor=supervisor, incident=incident, action="approve", version=3)
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anninh.audit.models import AuditAction
from anninh.audit.services import audit_record
from anninh.records.models import Incident, ReviewStatus
from anninh.records.permissions import acting_unit_ids, can_review
from anninh.records.services.incidents import InvalidRecord, incident_snapshot, incident_timeline_add
from anninh.records.services.persons import clean_text
from anninh.records.versioning import RecordError, save_versioned

S = ReviewStatus


@dataclass(frozen=True)
class ReviewMove:
    action: str
    label: object  # lazy translation
    sources: frozenset[str]
    target: str
    reviewer_only: bool  # only the unit's supervisor (otherwise: anyone acting for the unit)
    comment_required: bool = False


REVIEW_MOVES: dict[str, ReviewMove] = {
    "submit": ReviewMove(
        "submit", gettext_lazy("Submit for approval"), frozenset({S.DRAFT, S.RETURNED}), S.SUBMITTED, False
    ),
    "return": ReviewMove(
        "return", gettext_lazy("Return for correction"), frozenset({S.SUBMITTED}), S.RETURNED, True, True
    ),
    "approve": ReviewMove("approve", gettext_lazy("Approve"), frozenset({S.SUBMITTED}), S.APPROVED, True),
}
# Timeline entry kind of each move.
EVENT_KIND = {"submit": "submitted", "return": "returned", "approve": "approved"}


def may_move(user, *, status: str, unit_id: int | None, action: str) -> bool:
    """Whether `user` may apply `action` to a record in `status` of unit `unit_id`."""
    move = REVIEW_MOVES.get(action)
    if move is None or status not in move.sources:
        return False
    if move.reviewer_only:
        return can_review(user, unit_id)
    return unit_id in acting_unit_ids(user) or can_review(user, unit_id)


def available_moves(user, *, status: str, unit_id: int | None) -> list[ReviewMove]:
    """The moves to offer on the record's page."""
    return [
        m for m in REVIEW_MOVES.values() if may_move(user, status=status, unit_id=unit_id, action=m.action)
    ]


def check_move(user, *, status: str, unit_id: int | None, action: str, comment: str) -> ReviewMove:
    """The move, or RecordError (codes "permission.review" → 403, "review.*" → 422)."""
    move = REVIEW_MOVES.get(action)
    if move is None:
        raise RecordError("review.action", _("Unknown review action."), field="action")
    if move.reviewer_only and not can_review(user, unit_id):
        raise RecordError("permission.review", _("Only the supervisor of the record's unit can do this."))
    if not move.reviewer_only and not (unit_id in acting_unit_ids(user) or can_review(user, unit_id)):
        raise RecordError("permission.unit", _("You cannot act for this unit."))
    if status not in move.sources:
        raise RecordError(
            "review.transition",
            _("A record that is “%(status)s” cannot be: %(action)s.")
            % {"status": S(status).label, "action": str(move.label).lower()},
            field="action",
        )
    if move.comment_required and not comment.strip():
        raise InvalidRecord(
            [RecordError("review.comment_required", _("Say what must be corrected."), field="comment")]
        )
    return move


@transaction.atomic
def incident_review(
    *, actor, incident: Incident, action: str, comment: str = "", version: int | None
) -> Incident:
    """Submit, return or approve an incident (optimistic locking on `version`)."""
    comment = clean_text(comment, multiline=True)[:2000]
    move = check_move(
        actor,
        status=incident.review_status,
        unit_id=incident.responsible_unit_id,
        action=action,
        comment=comment,
    )
    before_status = incident.review_status
    before = incident_snapshot(incident)
    incident.review_status = move.target
    fields = ["review_status", "updated_at"]
    if move.reviewer_only:
        incident.review_comment = comment
        incident.reviewed_by = actor
        incident.reviewed_at = timezone.now()
        fields += ["review_comment", "reviewed_by", "reviewed_at"]
    save_versioned(incident, expected_version=version, fields=fields)
    after = incident_snapshot(incident)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=incident,
        before={"review_status": before_status},
        after={"review_status": move.target},
        extra={"review": action, **({"comment": comment} if comment else {})},
    )
    incident_timeline_add(
        incident,
        actor=actor,
        kind=EVENT_KIND[action],
        before=before,
        after=after,
        from_status=before_status,
        to_status=move.target,
        comment=comment,
    )
    return incident
