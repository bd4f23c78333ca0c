"""Writing dialogue records. Each service checks who may act, runs in one transaction and
writes its audit row in it.

Who does what:
- organisers (commanders, public-relations officers) record parks, businesses, meetings and
  their recommendations, assign each recommendation to a unit with a due date, resolve it
  once answered, or reopen it when the answer did not solve it;
- the assigned unit (any staff member of it or of a unit above it) writes the answer;
- administrators create business accounts and link each to its business.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anninh.accounts import services as account_services
from anninh.accounts.permissions import audit_denied
from anninh.accounts.roles import Role
from anninh.accounts.scoping import unit_subtree_ids
from anninh.audit.models import AuditAction
from anninh.audit.services import audit_record, snapshot
from anninh.business import clock
from anninh.business.models import (
    ORGANISER_ROLES,
    Business,
    BusinessAccount,
    DialogueMeeting,
    IndustrialPark,
    Ownership,
    Recommendation,
    RecommendationStatus,
    Topic,
)
from anninh.lib.identifiers import InvalidIdentifier, normalize_phone_vn, normalize_tax_code
from anninh.lib.text import normalize


class DialogueError(ValueError):
    """A request that cannot be done as asked; the message is for the user."""


def _refuse(actor, what: str) -> None:
    if actor is not None and getattr(actor, "is_authenticated", False):
        audit_denied(actor, reason="role", object_type="business", path=f"service:{what}")
    raise PermissionDenied(what)


def _require_organiser(actor, what: str) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.has_role(*ORGANISER_ROLES):
        _refuse(actor, what)


def _text(value: str, limit: int | None = None) -> str:
    text = normalize(value or "").strip()
    return text[:limit] if limit else text


def is_organiser(user) -> bool:
    return bool(user and user.is_authenticated and user.has_role(*ORGANISER_ROLES))


def may_answer(user, recommendation: Recommendation) -> bool:
    """Organisers, and staff of the assigned unit or a unit above it."""
    if is_organiser(user):
        return True
    if not (user and user.is_authenticated and user.unit_id and recommendation.assigned_unit_id):
        return False
    if user.has_role(Role.BUSINESS):
        return False
    return recommendation.assigned_unit_id in unit_subtree_ids(user.unit_id)


def today() -> dt.date:
    return timezone.localdate()


def answer_days() -> int:
    return max(1, int(getattr(settings, "ANNINH_DIALOGUE_ANSWER_DAYS", 30)))


def _days_off() -> list[dt.date]:
    from anninh.records.services.clock import days_off

    return days_off()


# --- parks and businesses ------------------------------------------------------------------


def park_create(*, actor, name: str, commune, operator: str = "") -> IndustrialPark:
    _require_organiser(actor, "park_create")
    name = _text(name, 200)
    if not name:
        raise DialogueError(_("Give the park's name."))
    with transaction.atomic():
        if IndustrialPark.objects.filter(name__iexact=name).exists():
            raise DialogueError(_("A park with that name is already recorded."))
        park = IndustrialPark.objects.create(name=name, commune=commune, operator=_text(operator, 200))
        audit_record(actor=actor, action=AuditAction.CREATE, target=park, after=snapshot(park))
    return park


@dataclass
class BusinessInput:
    name: str
    tax_code: str
    ownership: str
    commune: object
    contact_name: str
    contact_phone: str
    park: IndustrialPark | None = None
    investor_country: str = ""
    sector: str = ""
    address: str = ""
    contact_email: str = ""


def _tax_messages() -> dict[str, str]:
    return {
        "tax.empty": _("Enter the tax code."),
        "tax.format": _("A tax code has 10 digits, or 13 for a branch (10 + 3)."),
        "tax.check_digit": _("This tax code is mistyped: its check digit does not match."),
    }


def clean_tax_code(value: str) -> str:
    """The tax code normalised (anninh.lib.identifiers), or a translated DialogueError."""
    try:
        return normalize_tax_code(value)
    except InvalidIdentifier as exc:
        raise DialogueError(_tax_messages().get(exc.code, _("This tax code cannot exist."))) from exc


def _business_fields(data: BusinessInput) -> dict:
    name = _text(data.name, 300)
    if not name:
        raise DialogueError(_("Give the business's name."))
    if data.ownership not in Ownership.values:
        raise DialogueError(_("Say whether the business is domestic or foreign-invested."))
    contact = _text(data.contact_name, 150)
    if not contact:
        raise DialogueError(_("Give the name of the business's security contact."))
    try:
        phone = normalize_phone_vn(data.contact_phone or "")
    except InvalidIdentifier as exc:
        raise DialogueError(_("The contact phone is not valid.")) from exc
    if data.park is not None and data.park.commune_id != data.commune.pk:
        raise DialogueError(_("The park is in another commune than the one chosen."))
    return {
        "name": name,
        "tax_code": clean_tax_code(data.tax_code),
        "ownership": data.ownership,
        "investor_country": _text(data.investor_country, 100) if data.ownership == Ownership.FDI else "",
        "sector": _text(data.sector, 200),
        "commune": data.commune,
        "park": data.park,
        "address": _text(data.address, 300),
        "contact_name": contact,
        "contact_phone": phone,
        "contact_email": _text(data.contact_email, 254),
    }


def business_create(*, actor, data: BusinessInput) -> Business:
    _require_organiser(actor, "business_create")
    fields = _business_fields(data)
    with transaction.atomic():
        # System read: a tax code is unique across every business, seen or not.
        if Business.objects.unrestricted().filter(tax_code=fields["tax_code"]).exists():
            raise DialogueError(_("A business with this tax code is already recorded."))
        business = Business.objects.create(created_by=actor, **fields)
        audit_record(actor=actor, action=AuditAction.CREATE, target=business, after=snapshot(business))
    return business


def business_account_create(
    *, actor, business: Business, username: str, full_name: str, password: str
) -> BusinessAccount:
    """A sign-in account for `business` (role `business`, no police unit). Administrators
    only (accounts.services.user_create checks it), in one transaction with the link."""
    if not (getattr(actor, "is_authenticated", False) and actor.has_role(Role.ADMINISTRATOR)):
        _refuse(actor, "business_account_create")  # before the transaction: the refusal stays
    with transaction.atomic():
        user = account_services.user_create(
            actor=actor,
            username=username,
            full_name=full_name,
            unit=None,
            roles=[Role.BUSINESS],
            password=password,
        )
        link = BusinessAccount.objects.create(user=user, business=business)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=link,
            after={"user": user.pk, "business": business.pk},
        )
    return link


# --- meetings and recommendations ----------------------------------------------------------


def meeting_create(
    *,
    actor,
    title: str,
    held_on: dt.date,
    commune,
    organising_unit,
    businesses=(),
    park: IndustrialPark | None = None,
    summary: str = "",
) -> DialogueMeeting:
    _require_organiser(actor, "meeting_create")
    title = _text(title, 300)
    if not title:
        raise DialogueError(_("Give the meeting a title."))
    if held_on > today():
        raise DialogueError(_("Record a meeting once it has been held."))
    with transaction.atomic():
        meeting = DialogueMeeting.objects.create(
            title=title,
            held_on=held_on,
            commune=commune,
            park=park,
            organising_unit=organising_unit,
            summary=_text(summary),
            created_by=actor,
        )
        meeting.businesses.set(businesses)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=meeting,
            after={**snapshot(meeting), "businesses": sorted(b.pk for b in businesses)},
        )
    return meeting


def recommendation_create(
    *, actor, meeting: DialogueMeeting, business: Business, topic: str, text: str
) -> Recommendation:
    _require_organiser(actor, "recommendation_create")
    if topic not in Topic.values:
        raise DialogueError(_("Choose the topic of the recommendation."))
    text = _text(text)
    if not text:
        raise DialogueError(_("Write the recommendation as the business put it."))
    with transaction.atomic():
        rec = Recommendation.objects.create(
            meeting=meeting, business=business, topic=topic, text=text, created_by=actor
        )
        meeting.businesses.add(business)
        audit_record(actor=actor, action=AuditAction.CREATE, target=rec, after=snapshot(rec))
    return rec


def _locked(rec: Recommendation) -> Recommendation:
    # Re-read under a row lock so two officers acting at once do not overwrite each other.
    return Recommendation.objects.unrestricted().select_for_update().get(pk=rec.pk)


def _save(actor, rec: Recommendation, before: dict, fields: list[str], *, step: str) -> Recommendation:
    rec.save(update_fields=[*fields, "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=rec,
        before=before,
        after={f: snapshot(rec)[f] for f in before},
        extra={"step": step},
    )
    return rec


def recommendation_assign(
    *, actor, recommendation: Recommendation, unit, due_on: dt.date | None = None
) -> Recommendation:
    """Give the recommendation to `unit`, due on `due_on` (default: the answer period after
    today). Reassigning keeps the clock unless a new due date is given."""
    _require_organiser(actor, "recommendation_assign")
    with transaction.atomic():
        rec = _locked(recommendation)
        if rec.status == RecommendationStatus.RESOLVED:
            raise DialogueError(_("This recommendation is already resolved."))
        now = timezone.now()
        if due_on is None:
            due_on = rec.due_on or clock.default_due(timezone.localdate(now), answer_days(), _days_off())
        elif due_on < timezone.localdate(now):
            raise DialogueError(_("The due date cannot be in the past."))
        before = {f: snapshot(rec)[f] for f in ("status", "assigned_unit_id", "due_on")}
        rec.assigned_unit = unit
        rec.assigned_at = rec.assigned_at or now
        rec.due_on = due_on
        if rec.status == RecommendationStatus.RECEIVED:
            rec.status = RecommendationStatus.ASSIGNED
        return _save(actor, rec, before, ["status", "assigned_unit", "assigned_at", "due_on"], step="assign")


def recommendation_answer(*, actor, recommendation: Recommendation, answer: str) -> Recommendation:
    # Refused outside the transaction, so that the audited refusal is not rolled back with it.
    if not may_answer(actor, recommendation):
        _refuse(actor, "recommendation_answer")
    with transaction.atomic():
        rec = _locked(recommendation)
        if not may_answer(actor, rec):
            raise DialogueError(_("This recommendation was given to another unit meanwhile."))
        if rec.status not in (RecommendationStatus.ASSIGNED, RecommendationStatus.ANSWERED):
            raise DialogueError(_("Only a recommendation being handled can be answered."))
        answer = _text(answer)
        if not answer:
            raise DialogueError(_("Write the answer to the business."))
        before = {f: snapshot(rec)[f] for f in ("status", "answer")}
        rec.answer = answer
        rec.answered_at = timezone.now()
        rec.answered_by = actor
        rec.status = RecommendationStatus.ANSWERED
        return _save(actor, rec, before, ["status", "answer", "answered_at", "answered_by"], step="answer")


def recommendation_resolve(
    *, actor, recommendation: Recommendation, resolution: str, resolved_on: dt.date | None = None
) -> Recommendation:
    """The organiser records that the matter is settled (the business agreed, or the
    problem is gone), on `resolved_on` (default today; never in the future, never before
    the answer)."""
    _require_organiser(actor, "recommendation_resolve")
    with transaction.atomic():
        rec = _locked(recommendation)
        if rec.status != RecommendationStatus.ANSWERED:
            raise DialogueError(_("A recommendation is resolved after the unit has answered it."))
        resolved_on = resolved_on or today()
        if resolved_on > today():
            raise DialogueError(_("The resolution date cannot be in the future."))
        if rec.answered_at and resolved_on < timezone.localdate(rec.answered_at):
            raise DialogueError(_("The resolution date cannot be before the answer."))
        before = {f: snapshot(rec)[f] for f in ("status", "resolved_on", "resolution")}
        rec.status = RecommendationStatus.RESOLVED
        rec.resolved_on = resolved_on
        rec.resolution = _text(resolution)
        rec.resolved_by = actor
        return _save(
            actor, rec, before, ["status", "resolved_on", "resolution", "resolved_by"], step="resolve"
        )


def recommendation_reopen(*, actor, recommendation: Recommendation, reason: str) -> Recommendation:
    """The answer did not settle it: back to the unit, the clock still running."""
    _require_organiser(actor, "recommendation_reopen")
    reason = _text(reason)
    if not reason:
        raise DialogueError(_("Say why the answer did not settle the matter."))
    with transaction.atomic():
        rec = _locked(recommendation)
        if rec.status != RecommendationStatus.ANSWERED:
            raise DialogueError(_("Only an answered recommendation can be sent back."))
        before = {f: snapshot(rec)[f] for f in ("status", "reopened")}
        rec.status = RecommendationStatus.ASSIGNED
        rec.reopened += 1
        rec = _save(actor, rec, before, ["status", "reopened"], step="reopen")
    return rec
