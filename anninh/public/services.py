"""Writing scam warnings: a press officer drafts, a commander approves, changes and withdraws.

Each service checks who may act, runs in one transaction and writes its audit row in it.
Every change the public can see (first publication, an approved change, a withdrawal) adds
one CAP message (Alert, Update, Cancel), so the CAP feed tells other systems what changed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from anninh import pagecache
from anninh.accounts.roles import Role
from anninh.audit.models import AuditAction
from anninh.audit.services import audit_record
from anninh.geo.models import Commune
from anninh.lib.text import fold, normalize
from anninh.public.models import CapMessage, CapMsgType, ScamWarning, Severity, Trick, WarningStatus

DRAFTER_ROLES = (Role.PUBLIC_RELATIONS, Role.COMMANDER)
APPROVER_ROLES = (Role.COMMANDER,)
#: The longest a warning may stay in force before it must be looked at again.
MAX_VALIDITY = dt.timedelta(days=366)


class WarningError(ValueError):
    """A request that cannot be done as asked; the message is for the user."""


@dataclass
class WarningInput:
    """What a press officer types: both languages, the trick, the place, the validity."""

    trick: str
    severity: str
    title_vi: str
    recognise_vi: str
    action_vi: str
    valid_from: dt.datetime
    valid_until: dt.datetime
    title_en: str = ""
    recognise_en: str = ""
    action_en: str = ""
    hotline: str = "113"
    whole_city: bool = False
    commune_codes: list[str] = field(default_factory=list)


TEXT_FIELDS = ("title_vi", "title_en", "recognise_vi", "recognise_en", "action_vi", "action_en", "hotline")


def _require(actor, roles) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.has_role(*roles):
        raise PermissionDenied


def _clean(data: WarningInput) -> tuple[dict, list[str]]:
    """The model fields and commune codes of `data`, checked; WarningError otherwise."""
    if data.trick not in Trick.values:
        raise WarningError(_("Choose the trick this warning is about."))
    if data.severity not in Severity.values:
        raise WarningError(_("Choose a severity."))
    values = {name: normalize(getattr(data, name) or "").strip() for name in TEXT_FIELDS}
    if not (values["title_vi"] and values["recognise_vi"] and values["action_vi"]):
        raise WarningError(_("Write the title, how to recognise the trick and what to do, in Vietnamese."))
    if not values["hotline"]:
        raise WarningError(_("Give the hotline residents should call."))
    if data.valid_until <= data.valid_from:
        raise WarningError(_("The warning must end after it starts."))
    if data.valid_until - data.valid_from > MAX_VALIDITY:
        raise WarningError(_("A warning may stay in force for one year at most."))
    codes = sorted(set(data.commune_codes))
    if data.whole_city:
        codes = []
    elif not codes:
        raise WarningError(_("Choose the communes affected, or the whole city."))
    elif Commune.objects.filter(code__in=codes).count() != len(codes):
        raise WarningError(_("There is no commune with this code."))
    values.update(
        trick=data.trick,
        severity=data.severity,
        whole_city=data.whole_city,
        valid_from=data.valid_from,
        valid_until=data.valid_until,
    )
    values["search_key"] = fold(
        " ".join(
            values[f]
            for f in ("title_vi", "title_en", "recognise_vi", "recognise_en", "action_vi", "action_en")
        )
    )
    return values, codes


def _snapshot(warning: ScamWarning) -> dict:
    return {
        "status": warning.status,
        "trick": warning.trick,
        "severity": warning.severity,
        "title_vi": warning.title_vi,
        "title_en": warning.title_en,
        "whole_city": warning.whole_city,
        "communes": sorted(warning.communes.values_list("code", flat=True)),
        "valid_from": warning.valid_from.isoformat(),
        "valid_until": warning.valid_until.isoformat(),
    }


def _ready_to_publish(warning: ScamWarning) -> None:
    if not (warning.title_en and warning.recognise_en and warning.action_en):
        raise WarningError(_("Write the English text too before the warning is published."))


def _send(warning: ScamWarning, msg_type: str, actor, now: dt.datetime, note: str = "") -> CapMessage:
    # Every change the public sees (publish, edit of a published warning, withdrawal) sends a
    # CAP message: the cached public pages are stale from the commit on.
    pagecache.bump(pagecache.WARNINGS)
    last = CapMessage.objects.filter(warning=warning).aggregate(m=Max("sequence"))["m"] or 0
    return CapMessage.objects.create(
        warning=warning,
        sequence=last + 1,
        msg_type=msg_type,
        sent_at=now.replace(microsecond=0),
        sent_by=actor,
        note=note,
    )


@transaction.atomic
def warning_create(*, actor, data: WarningInput) -> ScamWarning:
    """A new draft, by a press officer (or a commander)."""
    _require(actor, DRAFTER_ROLES)
    values, codes = _clean(data)
    warning = ScamWarning.objects.create(drafted_by=actor, **values)
    warning.communes.set(codes)
    audit_record(actor=actor, action=AuditAction.CREATE, target=warning, after=_snapshot(warning))
    return warning


def _locked(warning: ScamWarning) -> ScamWarning:
    # Two staff acting on one warning at once: the second sees the first's result.
    return ScamWarning.objects.unrestricted().select_for_update().get(pk=warning.pk)


@transaction.atomic
def warning_update(*, actor, warning: ScamWarning, data: WarningInput) -> ScamWarning:
    """Change a warning. A draft (or one awaiting approval) is changed by its drafters; a
    published one only by a commander, whose change is approved by making it, and it sends a
    CAP Update. A cancelled warning stays as it was withdrawn."""
    warning = _locked(warning)
    if warning.status == WarningStatus.PUBLISHED:
        _require(actor, APPROVER_ROLES)
    else:
        _require(actor, DRAFTER_ROLES)
    if warning.status == WarningStatus.CANCELLED:
        raise WarningError(_("A cancelled warning cannot be changed; draft a new one."))
    before = _snapshot(warning)
    values, codes = _clean(data)
    for name, value in values.items():
        setattr(warning, name, value)
    if warning.status == WarningStatus.PUBLISHED:
        _ready_to_publish(warning)
    warning.save()
    warning.communes.set(codes)
    extra = {}
    if warning.status == WarningStatus.PUBLISHED:
        message = _send(warning, CapMsgType.UPDATE, actor, timezone.now())
        extra["cap"] = message.identifier
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=warning,
        before=before,
        after=_snapshot(warning),
        extra=extra,
    )
    return warning


def _transition(
    actor, warning: ScamWarning, *, step: str, to: str, reason: str = "", **fields
) -> ScamWarning:
    before = _snapshot(warning)
    warning.status = to
    for name, value in fields.items():
        setattr(warning, name, value)
    warning.save()
    extra: dict = {"step": step}
    if reason:
        extra["reason"] = reason
    if step == "approve":
        extra["cap"] = _send(warning, CapMsgType.ALERT, actor, timezone.now()).identifier
    elif step == "cancel":
        extra["cap"] = _send(warning, CapMsgType.CANCEL, actor, timezone.now(), note=reason).identifier
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=warning,
        before=before,
        after=_snapshot(warning),
        extra=extra,
    )
    return warning


@transaction.atomic
def warning_submit(*, actor, warning: ScamWarning) -> ScamWarning:
    """The drafter sends the warning to a commander for approval."""
    _require(actor, DRAFTER_ROLES)
    warning = _locked(warning)
    if warning.status != WarningStatus.DRAFT:
        raise WarningError(_("Only a draft can be sent for approval."))
    _ready_to_publish(warning)
    return _transition(actor, warning, step="submit", to=WarningStatus.SUBMITTED)


@transaction.atomic
def warning_approve(*, actor, warning: ScamWarning) -> ScamWarning:
    """A commander publishes it (four eyes: not the warning's own drafter); the CAP Alert."""
    _require(actor, APPROVER_ROLES)
    warning = _locked(warning)
    if warning.status != WarningStatus.SUBMITTED:
        raise WarningError(_("Only a warning awaiting approval can be approved."))
    if warning.drafted_by_id == actor.pk:
        raise WarningError(_("Another commander must approve a warning you drafted."))
    _ready_to_publish(warning)
    now = timezone.now()
    return _transition(
        actor, warning, step="approve", to=WarningStatus.PUBLISHED, approved_by=actor, published_at=now
    )


@transaction.atomic
def warning_return(*, actor, warning: ScamWarning, reason: str) -> ScamWarning:
    """A commander sends it back to the drafter, saying why."""
    _require(actor, APPROVER_ROLES)
    warning = _locked(warning)
    if warning.status != WarningStatus.SUBMITTED:
        raise WarningError(_("Only a warning awaiting approval can be returned."))
    reason = normalize(reason or "").strip()
    if not reason:
        raise WarningError(_("Say what must change."))
    return _transition(actor, warning, step="return", to=WarningStatus.DRAFT, reason=reason[:1000])


@transaction.atomic
def warning_cancel(*, actor, warning: ScamWarning, reason: str) -> ScamWarning:
    """A commander withdraws a published warning (a mistake, or the trick is over): the CAP
    Cancel. The page stays, marked withdrawn, so links shared earlier still explain."""
    _require(actor, APPROVER_ROLES)
    warning = _locked(warning)
    if warning.status != WarningStatus.PUBLISHED:
        raise WarningError(_("Only a published warning can be cancelled."))
    reason = normalize(reason or "").strip()
    if not reason:
        raise WarningError(_("Say why the warning is withdrawn."))
    return _transition(actor, warning, step="cancel", to=WarningStatus.CANCELLED, reason=reason[:1000])
