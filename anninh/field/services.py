"""Writes from the field: check-ins, patrols marked done and field reports, each checked,
in one transaction with its audit row; the views wrap them in the records' idempotent-create
helper so a phone's queue, replayed after a lost connection, makes each exactly once."""

from __future__ import annotations

import datetime as dt
import io
import math

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anninh.accounts.roles import Role
from anninh.accounts.scoping import scope_for
from anninh.audit.services import audit_record
from anninh.field.models import CheckIn, FieldReport
from anninh.patrols import services as patrol_services
from anninh.patrols.models import PatrolAssignment, PatrolPlan, PlanCheckpoint, PlanStatus
from anninh.records.versioning import RecordError

#: Who works on the field page: police (commanders everywhere, commune officers in their
#: commune) and the civil-defence force (in their unit's commune).
FIELD_ROLES = (Role.COMMANDER, Role.COMMUNE_OFFICER, Role.CIVIL_DEFENCE_LEADER, Role.CIVIL_DEFENCE_MEMBER)
POLICE_ROLES = (Role.COMMANDER, Role.COMMUNE_OFFICER)
#: A phone's clock a few minutes fast must not make a check-in "in the future"; a queue older
#: than this is refused (the shift is long over: report it to the supervisor instead).
CLOCK_SKEW = dt.timedelta(minutes=10)
MAX_AGE = dt.timedelta(hours=48)
PHOTO_MAX_BYTES = 8 * 1024 * 1024
PHOTO_MAX_PIXELS = 40_000_000
PHOTO_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}
TEXT_MAX = 2000


class FieldError(ValueError):
    """Input refused; `code` and `field` for the phone, the message for the officer."""

    def __init__(self, code: str, message: str, field: str = ""):
        super().__init__(message)
        self.code = code
        self.field = field


class FieldConflict(Exception):
    """The server's state differs from what the phone assumed (a colleague marked the patrol
    first): shown to the officer, never silently dropped or overwritten."""

    def __init__(self, message: str, details: dict):
        super().__init__(message)
        self.details = details


def field_commune(user) -> str | None:
    """The commune the user works in on the field page (None: a commander, who chooses)."""
    if user.has_role(Role.COMMANDER):
        return None
    scope = scope_for(user)
    if scope.commune_codes:
        return sorted(scope.commune_codes)[0]
    if user.has_role(Role.CIVIL_DEFENCE_LEADER, Role.CIVIL_DEFENCE_MEMBER) and user.unit_id:
        return user.unit.commune_id
    return None


def may_work_in(user, commune: str) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.has_role(*FIELD_ROLES):
        return False
    return user.has_role(Role.COMMANDER) or field_commune(user) == commune


def _when(at: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    if at is None:
        return now
    if timezone.is_naive(at):
        raise FieldError("at.naive", _("The time must say its time zone."), "at")
    if at > now + CLOCK_SKEW:
        raise FieldError("at.future", _("This time is in the future: check the phone's clock."), "at")
    if at < now - MAX_AGE:
        raise FieldError(
            "at.too_old", _("This was recorded more than two days ago: tell your supervisor instead."), "at"
        )
    return at


def _point(lat, lon) -> tuple[float | None, float | None]:
    if lat is None or lon is None:
        return None, None
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        raise FieldError("position.invalid", _("The position is not valid."), "lat") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or not (math.isfinite(lat) and math.isfinite(lon)):
        raise FieldError("position.invalid", _("The position is not valid."), "lat")
    return lat, lon


def _distance_m(lat1, lon1, lat2, lon2) -> float:
    r = 6_371_000.0
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * r * math.asin(math.sqrt(a))


def checkin_create(
    *, actor, checkpoint_id: int, at: dt.datetime | None = None, lat=None, lon=None, accuracy_m=None, now=None
) -> CheckIn:
    """Check in at a checkpoint of an approved plan of the actor's commune, at the phone's
    time (checked against the server's) and position (kept with its distance to the site)."""
    now = now or timezone.now()
    checkpoint = (
        PlanCheckpoint.objects.select_related("plan", "site").filter(pk=checkpoint_id).first()
        if isinstance(checkpoint_id, int)
        else None
    )
    if checkpoint is None:
        raise FieldError("checkpoint.unknown", _("Unknown checkpoint."), "checkpoint")
    plan = checkpoint.plan
    if not may_work_in(actor, plan.commune_id):
        raise PermissionDenied
    if plan.status != PlanStatus.APPROVED:
        raise FieldError("plan.not_approved", _("This plan is not approved."), "checkpoint")
    at = _when(at, now)
    lat, lon = _point(lat, lon)
    distance = _distance_m(lat, lon, checkpoint.site.lat, checkpoint.site.lon) if lat is not None else None
    with transaction.atomic():
        row = CheckIn.objects.create(
            plan=plan,
            checkpoint=checkpoint,
            commune_id=plan.commune_id,
            at=at,
            received_at=now,
            lat=lat,
            lon=lon,
            accuracy_m=float(accuracy_m) if isinstance(accuracy_m, int | float) else None,
            distance_m=distance,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="create",
            target=row,
            after={"checkpoint": checkpoint.pk, "at": at.isoformat(), "distance_m": distance},
        )
    return row


def patrol_done(
    *, actor, assignment_id: int, at: dt.datetime | None = None, note: str = "", now=None
) -> PatrolAssignment:
    """Mark a patrol (one cell of a team's route) done from the phone, through the patrol
    service (police only). A patrol a colleague already marked is a conflict, shown to the
    officer with who marked it and when."""
    now = now or timezone.now()
    if not getattr(actor, "is_authenticated", False) or not actor.has_role(*POLICE_ROLES):
        raise PermissionDenied
    assignment = (
        PatrolAssignment.objects.unrestricted()
        .select_related("plan", "done_by")
        .filter(pk=assignment_id)
        .first()
        if isinstance(assignment_id, int)
        else None
    )
    if assignment is None:
        raise FieldError("assignment.unknown", _("Unknown patrol."), "assignment")
    if not may_work_in(actor, assignment.plan.commune_id):
        raise PermissionDenied
    if assignment.done_at is not None:
        who = assignment.done_by
        raise FieldConflict(
            _("This patrol was already marked done by %(who)s at %(at)s.")
            % {
                "who": (who.full_name or who.username) if who else "—",
                "at": timezone.localtime(assignment.done_at).strftime("%H:%M %d/%m/%Y"),
            },
            {
                "assignment": assignment.pk,
                "done_at": assignment.done_at.isoformat(),
                "done_by": who.pk if who else None,
            },
        )
    at = _when(at, now)
    try:
        return patrol_services.patrol_mark_done(actor=actor, assignment=assignment, note=note[:300], now=at)
    except patrol_services.PatrolError as exc:
        raise FieldError("patrol.refused", str(exc), "assignment") from exc


def clean_photo(data: bytes) -> tuple[bytes, str]:
    """A photo checked (JPEG or PNG, at most `PHOTO_MAX_BYTES` and `PHOTO_MAX_PIXELS`) and
    re-encoded without its metadata: EXIF (the GPS position of the phone, its serial number),
    XMP and comments are dropped; the orientation is applied to the pixels first."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    if len(data) > PHOTO_MAX_BYTES:
        raise FieldError("photo.too_large", _("The photo is larger than 8 MB."), "photo")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format
            if kind not in PHOTO_TYPES:
                raise FieldError("photo.type", _("Send a JPEG or PNG photo."), "photo")
            if probe.width * probe.height > PHOTO_MAX_PIXELS:
                raise FieldError("photo.too_large", _("The photo has too many pixels."), "photo")
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            image = ImageOps.exif_transpose(image)
            out = io.BytesIO()
            if kind == "JPEG":
                image.convert("RGB").save(out, "JPEG", quality=85)  # no exif= argument: none kept
            else:
                clean = Image.new(image.mode, image.size)
                clean.putdata(list(image.getdata()))
                clean.save(out, "PNG")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        if isinstance(exc, FieldError):
            raise
        raise FieldError("photo.type", _("Send a JPEG or PNG photo."), "photo") from None
    except Image.DecompressionBombError:
        raise FieldError("photo.too_large", _("The photo has too many pixels."), "photo") from None
    return out.getvalue(), PHOTO_TYPES[kind]


def field_report_create(
    *,
    actor,
    text: str,
    at: dt.datetime | None = None,
    lat=None,
    lon=None,
    photo: bytes | None = None,
    now=None,
) -> FieldReport:
    """A short report from the field. Placed in the commune of its position (else the
    actor's); for a commune officer it also becomes an incident draft (kind "public order",
    the text as narrative) in the records' review queue, for the unit's supervisor."""
    from anninh.geo import lookup

    now = now or timezone.now()
    if not getattr(actor, "is_authenticated", False) or not actor.has_role(*FIELD_ROLES):
        raise PermissionDenied
    text = (text or "").strip()
    if not text:
        raise FieldError("text.required", _("Say what you saw."), "text")
    if len(text) > TEXT_MAX:
        raise FieldError("text.too_long", _("At most 2,000 characters."), "text")
    at = _when(at, now)
    lat, lon = _point(lat, lon)
    commune = (lookup.commune_at(lat, lon) if lat is not None else None) or field_commune(actor)
    if commune is None:
        raise FieldError(
            "position.required", _("Give the position: it places the report in its commune."), "lat"
        )
    if not may_work_in(actor, commune):
        raise PermissionDenied
    photo_bytes, photo_type = clean_photo(photo) if photo else (None, "")
    plan = (
        PatrolPlan.objects.unrestricted()
        .filter(commune_id=commune, date=timezone.localdate(at), status=PlanStatus.APPROVED)
        .order_by("id")
        .first()
    )
    with transaction.atomic():
        report = FieldReport.objects.create(
            commune_id=commune,
            plan=plan,
            at=at,
            received_at=now,
            lat=lat,
            lon=lon,
            text=text,
            photo=photo_bytes,
            photo_type=photo_type,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="create",
            target=report,
            after={"commune": commune, "photo": bool(photo_bytes)},
        )
        if actor.has_role(Role.COMMUNE_OFFICER) and actor.unit_id:
            try:
                with transaction.atomic():
                    report.incident = _incident_draft(actor, report)
            except RecordError:
                # The records refused the draft (RecordError/InvalidRecord): the field report
                # is kept all the same, and the supervisor sees it without a draft.
                report.incident = None
            else:
                report.save(update_fields=["incident"])
    return report


def _incident_draft(actor, report: FieldReport):
    from anninh.records.services import incidents as incident_services

    data = incident_services.IncidentData(
        kind="public_order",
        occurred_from=report.at,
        reported_at=report.received_at,
        responsible_unit_id=actor.unit_id,
        lat=report.lat,
        lon=report.lon,
        commune_code=report.commune_id,
        narrative=_("Field report %(n)d%(photo)s: %(text)s")
        % {"n": report.pk, "photo": _(" (with a photo)") if report.photo else "", "text": report.text},
    )
    return incident_services.incident_create(actor=actor, data=data)
