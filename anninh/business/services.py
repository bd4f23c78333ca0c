"""Writing dialogue records. Each service checks who may act, runs in one transaction and
writes its audit row in it.

Who does what:
- organisers (commanders, public-relations officers) record parks, businesses, meetings and
  their recommendations, assign each recommendation to a unit with a due date, resolve it
  once answered, or reopen it when the answer did not solve it;
- the assigned unit (any staff member of it or of a unit above it) writes the answer;
- organisers register business accounts for the businesses they hold dialogues with, issue
  each a one-time set-password link, and disable them (administrators may still create one
  with a password through `business_account_create`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from anninh.accounts import services as account_services
from anninh.accounts.models import RoleAssignment, User
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


# --- business accounts ---------------------------------------------------------------------
#
# The organisers who run the dialogues register the accounts of the businesses they talk to.
# Nobody ever chooses or sees a business's password: the account is created without a usable
# password, and the organiser hands the business a one-time link on which the business sets
# its own. Why a link rather than an initial password shown once:
# - the staff member never knows the password, so nothing the police hold (a note, a screen
#   seen over a shoulder, a message in a mailbox) can later be used to act as the business;
# - the link is good for one use only: once the password is set it is dead, so a link left in
#   a mailbox or a chat history is worthless, and if someone else used it first the business
#   finds its link refused and asks for another (an initial password taken by someone else
#   would keep working silently, and people rarely change one that was given to them);
# - it expires by itself (ANNINH_BUSINESS_LINK_HOURS, 72 at most) and a new link, or disabling
#   the account, kills every earlier one;
# - the token is not stored anywhere: it is an HMAC (Django's password-reset token machinery,
#   with its own salt) over the account's password hash, active flag and the time of issue.


class _SetPasswordTokens(PasswordResetTokenGenerator):
    """One-time set-password tokens of business accounts. The hash covers the password hash
    (setting a password, or issuing a new link, which resets it to a new unusable value, kills
    the token) and the active flag (disabling the account kills it)."""

    key_salt = "anninh.business.services.set_password"

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}:{user.password}:{int(user.is_active)}:{timestamp}"

    def check_token(self, user, token):
        if not (user and token and super().check_token(user, token)):
            return False
        try:
            issued = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        return self._num_seconds(self._now()) - issued <= link_hours() * 3600


set_password_tokens = _SetPasswordTokens()


def link_hours() -> int:
    """How long a set-password link lives: ANNINH_BUSINESS_LINK_HOURS, 1 to 72 hours (Django's
    PASSWORD_RESET_TIMEOUT bounds the token too)."""
    hours = int(getattr(settings, "ANNINH_BUSINESS_LINK_HOURS", 72))
    return max(1, min(hours, 72, settings.PASSWORD_RESET_TIMEOUT // 3600))


def may_manage_accounts(user) -> bool:
    """Who registers, disables and re-links business accounts: the organisers."""
    return is_organiser(user)


@dataclass(frozen=True)
class SetPasswordLink:
    """A set-password link, to be shown once to the organiser and never stored."""

    path: str
    expires_at: dt.datetime


def _issue_link(user) -> SetPasswordLink:
    """Inside the caller's transaction: a new unusable password (the old password and every
    earlier link stop working) and a fresh link."""
    user.set_unusable_password()
    user.save(update_fields=["password"])
    token = set_password_tokens.make_token(user)
    path = reverse("business:set_password", args=[urlsafe_base64_encode(force_bytes(user.pk)), token])
    return SetPasswordLink(path=path, expires_at=timezone.now() + dt.timedelta(hours=link_hours()))


def _clean_username(username: str) -> str:
    username = (username or "").strip()
    if not username:
        raise DialogueError(_("Give the account a user name."))
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError as exc:
        raise DialogueError(_("A user name has letters, digits and @ . + - _ only.")) from exc
    if len(username) > 150:
        raise DialogueError(_("A user name has at most 150 characters."))
    return username


def business_account_register(
    *, actor, business: Business, username: str, full_name: str
) -> tuple[BusinessAccount, SetPasswordLink]:
    """Register a sign-in account for `business`: role `business` only (never a staff role,
    see accounts.models.RoleAssignment), no police unit, no usable password; returns the link
    and the one-time set-password link for the organiser to hand to the business."""
    if not may_manage_accounts(actor):
        _refuse(actor, "business_account_register")
    username = _clean_username(username)
    full_name = _text(full_name, 150)
    if not full_name:
        raise DialogueError(_("Give the name of the person who will use the account."))
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise DialogueError(_("A user with that username already exists."))
        user = User(username=username, full_name=full_name, unit=None, is_active=True)
        user.set_unusable_password()
        user.save()
        RoleAssignment.objects.create(user=user, role=Role.BUSINESS)
        user.forget_cached_roles()
        link = BusinessAccount.objects.create(user=user, business=business)
        url = _issue_link(user)
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=user,
            after={**snapshot(user, exclude=("password",)), "roles": [Role.BUSINESS]},
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            target=link,
            after={"user": user.pk, "business": business.pk},
            extra={"step": "register", "set_password_link_until": url.expires_at.isoformat()},
        )
    return link, url


def _account_locked(account: BusinessAccount) -> BusinessAccount:
    return BusinessAccount.objects.select_related("user", "business").select_for_update().get(pk=account.pk)


def business_account_issue_link(*, actor, account: BusinessAccount) -> SetPasswordLink:
    """A new one-time set-password link (the business lost its password, or the first link
    expired). The account's current password and every earlier link stop working."""
    if not may_manage_accounts(actor):
        _refuse(actor, "business_account_issue_link")
    with transaction.atomic():
        account = _account_locked(account)
        if not account.user.is_active:
            raise DialogueError(_("This account is disabled."))
        url = _issue_link(account.user)
        account_services._revoke_all_tokens(actor, account.user, reason="set_password_link")
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=account.user,
            extra={"field": "password", "step": "set_password_link", "until": url.expires_at.isoformat()},
        )
    return url


def business_account_disable(*, actor, account: BusinessAccount, reason: str) -> BusinessAccount:
    """Disable the account: it can no longer sign in, its sessions end at their next request
    (the authentication backend refuses inactive users), its API tokens and any set-password
    link stop working. The link to the business is kept for the record."""
    if not may_manage_accounts(actor):
        _refuse(actor, "business_account_disable")
    reason = _text(reason, 300)
    if not reason:
        raise DialogueError(_("Say why the account is disabled."))
    with transaction.atomic():
        account = _account_locked(account)
        user = account.user
        if not user.is_active:
            raise DialogueError(_("This account is disabled."))
        user.is_active = False
        user.set_unusable_password()
        user.save(update_fields=["is_active", "password"])
        account_services._revoke_all_tokens(actor, user, reason="account_disabled")
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=user,
            before={"is_active": True},
            after={"is_active": False},
            extra={"step": "disable", "reason": reason},
        )
    return account


def account_for_link(uidb64: str, token: str) -> User | None:
    """The active business account a set-password link is valid for, or None."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    user = User.objects.filter(pk=pk, is_active=True).first()
    if (
        user is None
        or not user.has_role(Role.BUSINESS)
        or not BusinessAccount.objects.filter(user=user).exists()
    ):
        return None
    return user if set_password_tokens.check_token(user, token) else None


def business_password_set(*, uidb64: str, token: str, password: str) -> User:
    """The business sets its own password through its link (the link is the credential: the
    actor is the account itself). Checked again under a row lock, so a link is used once."""
    with transaction.atomic():
        user = account_for_link(uidb64, token)
        if user is not None:
            user = User.objects.select_for_update().get(pk=user.pk)
            user = user if set_password_tokens.check_token(user, token) else None
        if user is None:
            raise DialogueError(_("This link is not valid any more. Ask the police for a new one."))
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise DialogueError(" ".join(exc.messages)) from exc
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(
            actor=user,
            action=AuditAction.UPDATE,
            target=user,
            extra={"field": "password", "step": "set_password"},
        )
    return user
