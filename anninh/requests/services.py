"""Writing requests: the public submission and the reporter's follow-ups (add information,
reopen, rate), the staff's handling (assign, forward, notes, answer, merge, make a crime
report), escalation of overdue requests and the purge of expired personal data.

Each service checks who may act, runs in one transaction and writes its audit row in it.
Audit rows never hold the sender's name, contact or words (the audit chain cannot be purged,
so what the purge must be able to remove never goes there). For a fully anonymous request
the audit rows of the sender's own steps carry no client address either.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anninh import pagecache
from anninh.audit import context as audit_context
from anninh.audit.models import AuditAction
from anninh.audit.services import audit_record
from anninh.geo.models import Commune
from anninh.lib.identifiers import normalize_phone_vn
from anninh.lib.text import normalize
from anninh.org.models import Unit
from anninh.records.models import DayOff
from anninh.requests import protection, routing
from anninh.requests.clock import add_working_days
from anninh.requests.images import AttachmentError, clean_image
from anninh.requests.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    REQUEST_STAFF_ROLES,
    Anonymity,
    Attachment,
    NoteKind,
    Open311Client,
    RequestNote,
    RequestSource,
    RequestStatus,
    Service,
    ServiceRequest,
)

DESCRIPTION_MAX = 5000
NOTE_MAX = 5000
#: How long after an answer the reporter may say it did not solve the problem.
REOPEN_DAYS = 30
#: Crockford's base32 without I, L, O, U: easy to read aloud and to type on a phone.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class RequestError(ValueError):
    """A request that cannot be done as asked: a stable code, a message for people, and the
    field it concerns."""

    def __init__(self, code: str, message: str, field: str = ""):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


def _code(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def tracking_code_new() -> str:
    raw = _code(12)
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def tracking_normalise(code: str) -> str:
    """The code as typed, to its canonical form: upper case, O→0, I/L→1, no separators."""
    table = str.maketrans({"O": "0", "I": "1", "L": "1"})
    raw = "".join(ch for ch in (code or "").upper().translate(table) if ch in ALPHABET)[:12]
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}" if len(raw) == 12 else raw


def tracking_hash(code: str) -> str:
    return hashlib.sha256(tracking_normalise(code).encode()).hexdigest()


def days_off() -> list[dt.date]:
    return list(DayOff.objects.values_list("date", flat=True))


def due_date(service: Service, received: dt.date) -> dt.date:
    return add_working_days(received, service.answer_days, days_off())


@contextlib.contextmanager
def _without_address():
    """Audit rows written inside carry no client address (fully anonymous senders)."""
    ctx = audit_context.current()
    token = audit_context.activate(dataclasses.replace(ctx, client_ip=None, user_agent=""))
    try:
        yield
    finally:
        audit_context.reset(token)


def _sender_context(request: ServiceRequest):
    return _without_address() if request.anonymity == Anonymity.ANONYMOUS else contextlib.nullcontext()


def _audit_view(request: ServiceRequest) -> dict:
    """What an audit row says about a request: never the sender or their words."""
    return {
        "public_id": request.public_id,
        "service": request.service.code,
        "status": request.status,
        "unit_id": request.unit_id,
        "commune_id": request.commune_id,
        "anonymity": request.anonymity,
        "identity_given": request.identity_given,
        "due_on": request.due_on.isoformat(),
        "assigned_to_id": request.assigned_to_id,
    }


# --- The public submission ----------------------------------------------------------------


@dataclass
class Submission:
    service_code: str
    description: str
    anonymity: str = Anonymity.ANONYMOUS
    commune_code: str = ""
    lat: float | None = None
    lon: float | None = None
    address: str = ""
    name: str = ""
    phone: str = ""
    email: str = ""
    organisation: str = ""
    attributes: dict = field(default_factory=dict)
    images: list[bytes] = field(default_factory=list)


def _clean_text(value: str, *, field: str, max_length: int, required: bool = False, label: str = "") -> str:
    value = normalize((value or "").replace("\x00", "")).strip()
    if required and not value:
        raise RequestError(f"{field}.required", label or _("This field is required."), field)
    if len(value) > max_length:
        raise RequestError(
            f"{field}.too_long",
            _("At most %(count)s characters.") % {"count": max_length},
            field,
        )
    return value


def _clean_images(images: list[bytes]):
    if len(images) > settings.ANNINH_REQUESTS_MAX_ATTACHMENTS:
        raise RequestError(
            "attachment.count",
            _("Send at most %(count)s pictures.") % {"count": settings.ANNINH_REQUESTS_MAX_ATTACHMENTS},
            "images",
        )
    cleaned = []
    for data in images:
        try:
            cleaned.append(clean_image(data))
        except AttachmentError as exc:
            message = (
                _("A picture is larger than %(size)s MB.")
                % {"size": settings.ANNINH_REQUESTS_MAX_ATTACHMENT_BYTES // (1024 * 1024)}
                if exc.code == "attachment.too_large"
                else _("Pictures must be JPEG, PNG or WebP images.")
            )
            raise RequestError(exc.code, message, "images") from exc
    return cleaned


def _clean_submission(data: Submission) -> tuple[Service, Submission, str]:
    service = Service.objects.filter(code=data.service_code, active=True).first()
    if service is None:
        raise RequestError("service.unknown", _("Choose what your request is about."), "service_code")
    if data.anonymity not in Anonymity.values:
        raise RequestError("anonymity.invalid", _("Choose how your name may be used."), "anonymity")
    description = _clean_text(
        data.description,
        field="description",
        max_length=DESCRIPTION_MAX,
        required=True,
        label=_("Describe what happened or what you ask."),
    )
    lat, lon = data.lat, data.lon
    if (lat is None) != (lon is None):
        raise RequestError("location.partial", _("Give both latitude and longitude."), "lat")
    if lat is not None and not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise RequestError("location.invalid", _("This is not a position on Earth."), "lat")
    commune_code = data.commune_code or ""
    if commune_code and not Commune.objects.filter(code=commune_code).exists():
        raise RequestError("commune.unknown", _("There is no commune with this code."), "commune_code")
    commune_code = routing.commune_for(lat=lat, lon=lon, commune_code=commune_code)
    address = _clean_text(data.address, field="address", max_length=300)
    name = phone = email = organisation = ""
    if data.anonymity != Anonymity.ANONYMOUS:
        # Nothing that identifies a fully anonymous sender is kept, even if they typed it.
        name = _clean_text(
            data.name,
            field="name",
            max_length=150,
            required=True,
            label=_("Give your name, or choose to stay anonymous."),
        )
        organisation = _clean_text(data.organisation, field="organisation", max_length=200)
        if data.phone.strip():
            try:
                phone = normalize_phone_vn(data.phone)
            except ValueError as exc:
                raise RequestError(
                    "phone.invalid", _("A Vietnamese mobile number has 10 digits (0 or +84)."), "phone"
                ) from exc
        email = (data.email or "").strip()
        if email:
            try:
                validate_email(email)
            except Exception as exc:  # django's ValidationError
                raise RequestError("email.invalid", _("This email address is not valid."), "email") from exc
    attributes = {
        str(k)[:40]: _clean_text(str(v), field="attribute", max_length=500)
        for k, v in (data.attributes or {}).items()
    }
    clean = dataclasses.replace(
        data,
        description=description,
        lat=lat,
        lon=lon,
        address=address,
        name=name,
        phone=phone,
        email=email,
        organisation=organisation,
        attributes=attributes,
    )
    return service, clean, commune_code


def request_submit(
    *,
    data: Submission,
    client_ip: str | None,
    source: str = RequestSource.WEB,
    api_client: Open311Client | None = None,
    challenge_digest: str = "",
) -> tuple[ServiceRequest, str]:
    """File a request from the public (or an Open311 client): returns the request and the
    reporter's tracking code (shown once, kept only as a hash)."""
    service, clean, commune_code = _clean_submission(data)
    images = _clean_images(clean.images)
    protection.rate_check(client_ip)
    now = timezone.now()
    received = timezone.localtime(now).date()
    unit = routing.route(service, commune_code)
    due = due_date(service, received)
    code = tracking_code_new()
    anonymous = clean.anonymity == Anonymity.ANONYMOUS
    with _without_address() if anonymous else contextlib.nullcontext(), transaction.atomic():
        if challenge_digest:
            protection.challenge_spend(challenge_digest, now=now)
        protection.rate_mark(client_ip, now=now)
        request = ServiceRequest(
            public_id=f"HP-{_code(8)}",
            tracking_hash=tracking_hash(code),
            token=secrets.token_hex(16),
            service=service,
            source=source,
            api_client=api_client,
            description=clean.description,
            attributes=clean.attributes,
            commune_id=commune_code or None,
            lat=clean.lat,
            lon=clean.lon,
            address=clean.address,
            unit=unit,
            anonymity=clean.anonymity,
            reporter_name=clean.name,
            reporter_phone=clean.phone,
            reporter_email=clean.email,
            organisation=clean.organisation,
            submitted_at=now,
            due_on=due,
            first_due_on=due,
        )
        request.save(force_insert=True)
        if service.listed:
            # A new row of the public listing. An unlisted one (a tip, a complaint) is in no
            # cached answer yet: its id was unknown until now.
            pagecache.bump(pagecache.REQUESTS)
        for image in images:
            Attachment.objects.create(
                request=request,
                content=image.content,
                content_type=image.content_type,
                size=len(image.content),
                width=image.width,
                height=image.height,
            )
        audit_record(
            actor=None,
            action=AuditAction.CREATE,
            target=request,
            after={**_audit_view(request), "attachments": len(images), "source": source},
        )
    return request, code


def request_by_code(code: str) -> ServiceRequest | None:
    """The request a tracking code opens (the reporter's own), or None."""
    if not code:
        return None
    # The code is the capability: whoever holds it is the reporter.
    return (
        ServiceRequest.objects.unrestricted()
        .select_related("service", "unit", "commune", "merged_into")
        .filter(tracking_hash=tracking_hash(code))
        .first()
    )


def request_add_info(*, request: ServiceRequest, text: str, images: list[bytes] = ()) -> RequestNote:
    """The reporter adds information (while the request is open or answered)."""
    if (
        request.status in (RequestStatus.MERGED, RequestStatus.CRIME_REPORT)
        or request.personal_data_purged_at
    ):
        raise RequestError("closed", _("This request can no longer be changed."), "text")
    text = _clean_text(text, field="text", max_length=NOTE_MAX, required=True, label=_("Write what you add."))
    cleaned = _clean_images(list(images))
    if len(cleaned) + request.attachments.count() > settings.ANNINH_REQUESTS_MAX_ATTACHMENTS:
        raise RequestError(
            "attachment.count",
            _("Send at most %(count)s pictures.") % {"count": settings.ANNINH_REQUESTS_MAX_ATTACHMENTS},
            "images",
        )
    with _sender_context(request), transaction.atomic():
        note = RequestNote.objects.create(request=request, kind=NoteKind.REPORTER, text=text)
        for image in cleaned:
            Attachment.objects.create(
                request=request,
                content=image.content,
                content_type=image.content_type,
                size=len(image.content),
                width=image.width,
                height=image.height,
            )
        ServiceRequest.objects.unrestricted().filter(pk=request.pk).update(updated_at=timezone.now())
        pagecache.bump(pagecache.REQUESTS)
        audit_record(
            actor=None,
            action=AuditAction.UPDATE,
            target=request,
            extra={"step": "reporter_added", "attachments": len(cleaned)},
        )
    return note


def request_reopen(*, request: ServiceRequest, reason: str) -> ServiceRequest:
    """The reporter says the answer did not solve it: the request opens again, with a new
    answer time."""
    if request.status != RequestStatus.ANSWERED:
        raise RequestError("reopen.not_answered", _("Only an answered request can be reopened."), "reason")
    if request.answered_at and timezone.now() - request.answered_at > dt.timedelta(days=REOPEN_DAYS):
        raise RequestError(
            "reopen.late",
            _("A request can be reopened within %(days)s days of its answer; please send a new one.")
            % {"days": REOPEN_DAYS},
            "reason",
        )
    reason = _clean_text(
        reason,
        field="reason",
        max_length=NOTE_MAX,
        required=True,
        label=_("Say why the answer did not solve it."),
    )
    with _sender_context(request), transaction.atomic():
        locked = ServiceRequest.objects.unrestricted().select_for_update().get(pk=request.pk)
        locked.status = RequestStatus.REOPENED
        pagecache.bump(pagecache.REQUESTS)
        locked.reopen_count += 1
        locked.due_on = due_date(locked.service, timezone.localdate())
        locked.escalated_at = None
        locked.rating = None
        locked.rated_at = None
        locked.save()
        RequestNote.objects.create(request=locked, kind=NoteKind.REPORTER, text=reason)
        audit_record(
            actor=None,
            action=AuditAction.UPDATE,
            target=locked,
            extra={"step": "reopened"},
            after=_audit_view(locked),
        )
    return locked


def request_rate(*, request: ServiceRequest, rating: int) -> ServiceRequest:
    """The one question after an answer: how satisfied are you (1 to 5)? Once per answer."""
    request = ServiceRequest.objects.unrestricted().get(pk=request.pk)
    if request.status not in (RequestStatus.ANSWERED, RequestStatus.CRIME_REPORT):
        raise RequestError("rate.not_answered", _("You can rate the answer once you have it."), "rating")
    if request.rating is not None:
        raise RequestError("rate.twice", _("You have already rated this answer."), "rating")
    if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= 5:
        raise RequestError("rate.invalid", _("Choose from 1 to 5."), "rating")
    with _sender_context(request), transaction.atomic():
        request = _locked(request)
        if request.rating is not None:
            raise RequestError("rate.twice", _("You have already rated this answer."), "rating")
        request.rating = rating
        request.rated_at = timezone.now()
        request.save(update_fields=["rating", "rated_at", "updated_at"])
        pagecache.bump(pagecache.REQUESTS)
        audit_record(
            actor=None, action=AuditAction.UPDATE, target=request, extra={"step": "rated", "rating": rating}
        )
    return request


# --- Staff -------------------------------------------------------------------------------------


def _require_staff(actor, request: ServiceRequest) -> None:
    if (
        actor is None
        or not getattr(actor, "is_authenticated", False)
        or not actor.has_role(*REQUEST_STAFF_ROLES)
    ):
        raise PermissionDenied
    if not ServiceRequest.objects.restrict(actor).filter(pk=request.pk).exists():
        raise PermissionDenied


def identity_visible(viewer, request: ServiceRequest) -> bool:
    """Whether `viewer` (who may read the request) sees who sent it: everyone for a public
    name, only the handling unit's own officers for a confidential one."""
    if request.anonymity == Anonymity.PUBLIC:
        return True
    if request.anonymity == Anonymity.CONFIDENTIAL:
        return bool(viewer.unit_id) and viewer.unit_id == request.unit_id
    return False


def _locked(request: ServiceRequest) -> ServiceRequest:
    return (
        ServiceRequest.objects.unrestricted().select_for_update().select_related("service").get(pk=request.pk)
    )


def _update(actor, request: ServiceRequest, step: str, **extra) -> None:
    # Every staff step changes what Open311 GET shows (status, notes, unit, updated time).
    pagecache.bump(pagecache.REQUESTS)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=request,
        after=_audit_view(request),
        extra={"step": step, **extra},
    )


def request_assign(
    *, actor, request: ServiceRequest, assignee_id: int | None = None, unit_id: int | None = None
) -> ServiceRequest:
    """Assign the request to an officer of its unit, or forward it to another unit (its
    due date stays: the reporter has waited since they sent it)."""
    _require_staff(actor, request)
    with transaction.atomic():
        locked = _locked(request)
        if not locked.is_open:
            raise RequestError("closed", _("This request is closed."), "assignee")
        if unit_id is not None and unit_id != locked.unit_id:
            unit = Unit.objects.active().filter(pk=unit_id).first()
            if unit is None:
                raise RequestError("unit.unknown", _("Choose an active unit."), "unit")
            locked.unit = unit
            locked.assigned_to = None
            RequestNote.objects.create(
                request=locked,
                kind=NoteKind.SYSTEM,
                text=_("Forwarded to %(unit)s.") % {"unit": unit},
                author=actor,
            )
        elif assignee_id is not None:
            from django.contrib.auth import get_user_model

            user = (
                get_user_model()
                .objects.filter(pk=assignee_id, is_active=True, unit_id=locked.unit_id)
                .first()
            )
            if user is None or not user.has_role(*REQUEST_STAFF_ROLES):
                raise RequestError(
                    "assignee.invalid", _("Choose an officer of the handling unit."), "assignee"
                )
            locked.assigned_to = user
        else:
            raise RequestError("assignee.required", _("Choose an officer or a unit."), "assignee")
        if locked.status in (RequestStatus.RECEIVED,):
            locked.status = RequestStatus.IN_PROGRESS
        locked.save()
        _update(actor, locked, "assigned" if unit_id is None else "forwarded")
    return locked


def request_note_add(*, actor, request: ServiceRequest, text: str, public: bool = False) -> RequestNote:
    """An internal note (staff only) or a status note the reporter and the public read."""
    _require_staff(actor, request)
    text = _clean_text(text, field="text", max_length=NOTE_MAX, required=True, label=_("Write the note."))
    with transaction.atomic():
        locked = _locked(request)
        note = RequestNote.objects.create(
            request=locked, kind=NoteKind.PUBLIC if public else NoteKind.INTERNAL, text=text, author=actor
        )
        if public and locked.status == RequestStatus.RECEIVED:
            locked.status = RequestStatus.IN_PROGRESS
        locked.save()
        _update(actor, locked, "public_note" if public else "internal_note", note_id=note.pk)
    return note


def request_answer(*, actor, request: ServiceRequest, text: str) -> ServiceRequest:
    """Answer the request (a public status note) and close it."""
    _require_staff(actor, request)
    text = _clean_text(text, field="text", max_length=NOTE_MAX, required=True, label=_("Write the answer."))
    with transaction.atomic():
        locked = _locked(request)
        if not locked.is_open:
            raise RequestError("closed", _("This request is already closed."), "text")
        now = timezone.now()
        RequestNote.objects.create(
            request=locked, kind=NoteKind.PUBLIC, text=text, author=actor, created_at=now
        )
        locked.status = RequestStatus.ANSWERED
        locked.answered_at = now
        if locked.first_answered_at is None:
            locked.first_answered_at = now
        locked.save()
        _update(actor, locked, "answered")
    return locked


def request_merge(*, actor, request: ServiceRequest, into: ServiceRequest) -> ServiceRequest:
    """Close a duplicate: its reporter is sent to the main request's answer."""
    _require_staff(actor, request)
    _require_staff(actor, into)
    if into.pk == request.pk:
        raise RequestError("merge.self", _("A request cannot be merged with itself."), "into")
    if into.status == RequestStatus.MERGED:
        raise RequestError(
            "merge.merged", _("Merge into the main request, not into another duplicate."), "into"
        )
    with transaction.atomic():
        locked = _locked(request)
        if not locked.is_open:
            raise RequestError("closed", _("This request is already closed."), "into")
        locked.status = RequestStatus.MERGED
        locked.merged_into = into
        locked.answered_at = timezone.now()
        locked.save()
        RequestNote.objects.create(
            request=locked,
            kind=NoteKind.PUBLIC,
            text=_("The same matter was already reported: it is handled as request %(id)s.")
            % {"id": into.public_id},
            author=actor,
        )
        _update(actor, locked, "merged", into=into.public_id)
    return locked


def request_to_crime_report(
    *, actor, request: ServiceRequest, offence_article: str = "", commune_code: str = ""
):
    """A tip that reports a crime becomes a crime report in the records' register, in one
    step: received now (the legal clock of CPC Art. 147 starts today), by the acting
    officer's unit, with the tip's words, place and (unless anonymous) its sender. The
    request keeps the link and is closed as received into the register."""
    from anninh.records.models import ReportChannel, ReportKind
    from anninh.records.services.reports import ReporterInput, crime_report_receive

    _require_staff(actor, request)
    if not request.service.may_become_crime_report:
        raise RequestError("crime.service", _("Only a tip can become a crime report."), "service")
    with transaction.atomic():
        locked = _locked(request)
        if locked.crime_report_id or not locked.is_open:
            raise RequestError("closed", _("This request is already closed."), "service")
        reporter = None
        if locked.anonymity != Anonymity.ANONYMOUS and locked.reporter_name:
            reporter = ReporterInput(
                full_name=locked.reporter_name,
                phones=(locked.reporter_phone,) if locked.reporter_phone else (),
            )
        summary = locked.description
        if locked.address:
            summary = f"{summary}\n{_('Place')}: {locked.address}"
        report = crime_report_receive(
            actor=actor,
            # A denunciation is made by a person who can be named; anonymous information is
            # crime information (CPC Art. 144).
            kind=ReportKind.DENUNCIATION if reporter else ReportKind.NOTIFICATION,
            channel=ReportChannel.ONLINE,
            received_at=timezone.now(),
            summary=summary[:4000],
            commune_code=commune_code or locked.commune_id or "",
            lat=locked.lat,
            lon=locked.lon,
            offence_article=offence_article,
            reporter=reporter,
            reporter_confidential=locked.anonymity == Anonymity.CONFIDENTIAL and reporter is not None,
        )
        now = timezone.now()
        locked.crime_report = report
        locked.status = RequestStatus.CRIME_REPORT
        locked.answered_at = now
        if locked.first_answered_at is None:
            locked.first_answered_at = now
        locked.save()
        RequestNote.objects.create(
            request=locked,
            kind=NoteKind.PUBLIC,
            text=_(
                "Your information was received as a crime report on %(date)s. The police will check it "
                "and decide within the time the Criminal Procedure Code sets."
            )
            % {"date": timezone.localdate().strftime("%d/%m/%Y")},
            author=actor,
        )
        _update(actor, locked, "crime_report", crime_report_id=report.pk)
    return report


def requests_escalate(*, now: dt.datetime | None = None) -> list[ServiceRequest]:
    """Mark every open request past its due date, once per due date, for the commanders'
    attention (queue filter "Escalated"), with a note in its timeline."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    done = []
    overdue = ServiceRequest.objects.unrestricted().filter(
        status__in=OPEN_STATUSES, due_on__lt=today, escalated_at__isnull=True
    )
    for request in overdue.select_related("service", "unit"):
        with transaction.atomic():
            locked = _locked(request)
            if locked.escalated_at is not None:
                continue
            locked.escalated_at = now
            locked.save()
            pagecache.bump(pagecache.REQUESTS)  # its updated time is public
            RequestNote.objects.create(
                request=locked,
                kind=NoteKind.SYSTEM,
                text=_("Overdue since %(date)s: escalated to the commanders.")
                % {"date": locked.due_on.strftime("%d/%m/%Y")},
                created_at=now,
            )
            audit_record(
                actor=None,
                action=AuditAction.UPDATE,
                target=locked,
                after=_audit_view(locked),
                extra={"step": "escalated"},
            )
        done.append(locked)
    return done


# --- Retention ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PurgeResult:
    contacts: int
    contents: int
    marks: int


def requests_purge(*, now: dt.datetime | None = None) -> PurgeResult:
    """Remove personal data of closed requests past the retention periods (settings):
    the sender's name and contact after CONTACT days, their words, additions and pictures
    after CONTENT days. The service, unit, commune, dates, status, rating and reopen count
    stay, so the indicators do not change. Staff notes are kept (the police's own record)."""
    now = now or timezone.now()
    closed = ServiceRequest.objects.unrestricted().filter(
        status__in=CLOSED_STATUSES, answered_at__isnull=False
    )
    contact_cut = now - dt.timedelta(days=settings.ANNINH_REQUESTS_CONTACT_RETENTION_DAYS)
    content_cut = now - dt.timedelta(days=settings.ANNINH_REQUESTS_CONTENT_RETENTION_DAYS)
    contacts = contents = 0
    with transaction.atomic():
        with_contact = closed.filter(answered_at__lt=contact_cut).exclude(
            reporter_name="", reporter_phone="", reporter_email="", organisation=""
        )
        ids = list(with_contact.values_list("id", flat=True))
        if ids:
            contacts = (
                ServiceRequest.objects.unrestricted()
                .filter(id__in=ids)
                .update(
                    reporter_name="",
                    reporter_phone="",
                    reporter_email="",
                    organisation="",
                    personal_data_purged_at=now,
                )
            )
        old = closed.filter(answered_at__lt=content_cut).exclude(description="")
        content_ids = list(old.values_list("id", flat=True))
        if content_ids:
            contents = (
                ServiceRequest.objects.unrestricted()
                .filter(id__in=content_ids)
                .update(
                    description="", address="", attributes={}, lat=None, lon=None, personal_data_purged_at=now
                )
            )
            RequestNote.objects.unrestricted().filter(
                request_id__in=content_ids, kind=NoteKind.REPORTER
            ).delete()
            Attachment.objects.unrestricted().filter(request_id__in=content_ids).delete()
        if ids or content_ids:
            audit_record(
                actor=None,
                action=AuditAction.DELETE,
                object_type="requests.servicerequest",
                object_repr="requests_purge",
                extra={"contacts": ids, "contents": content_ids},
            )
    marks = protection.marks_purge(now=now)
    return PurgeResult(contacts=contacts, contents=contents, marks=marks)
