"""The field page over the API, mounted at /api/field/: today's approved plans of the caller's
commune with their checkpoints and patrols, checking in at a checkpoint, marking a patrol
done, and sending a short field report (with a photo).

The same services as the phone page (anninh.field.services: scoped to the caller's commune,
audited) and the same rule for writes: every POST carries an `Idempotency-Key` header (the
phone's queue item id), made once per caller and key; a replay gets the first answer
(`Idempotent-Replayed: true`), the same key with another body is 409. A patrol a colleague
already marked done is 409 `conflict` with who and when, never overwritten."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from anninh.accounts.api_schemas import ErrorOut, ValidationErrorOut
from anninh.accounts.permissions import audit_denied
from anninh.accounts.roles import Role
from anninh.datefields import ApiDateTime
from anninh.field import selectors, services
from anninh.geo.models import Commune
from anninh.records.services import idempotency

router = Router()
HEADER = "Idempotency-Key"
MAX_ID = 2**31 - 1

KEY_HEADER = {
    "parameters": [
        {
            "in": "header",
            "name": HEADER,
            "required": True,
            "schema": {"type": "string", "minLength": 1, "maxLength": 255},
            "description": "Required: the id of the phone's queue item (1-255 visible ASCII characters). "
            "A retry with the same key and body returns the first answer; the same key with another "
            "body is 409 `idempotency.mismatch`. Keys are kept 24 hours.",
        }
    ]
}


# Schemas ("Field" prefix: OpenAPI component names are shared by every app) ---------------------


class FieldTodayQuery(Schema):
    commune: str | None = Field(
        None, pattern=r"^[0-9]{5}$", description="Commanders only: the commune to work in (NSO code)."
    )


class FieldCommuneOut(Schema):
    code: str
    name: str


class FieldCheckpointOut(Schema):
    id: int
    rank: int
    name: str
    lat: float
    lon: float
    checked_in_at: dt.datetime | None = Field(description="Your last check-in here today, if any.")


class FieldPatrolOut(Schema):
    id: int
    team: int
    order: int
    lat: float
    lon: float
    done: bool
    done_at: dt.datetime | None


class FieldPlanOut(Schema):
    id: int
    date: dt.date
    shift: str
    shift_label: str
    checkpoints: list[FieldCheckpointOut]
    patrols: list[FieldPatrolOut]


class FieldTodayOut(Schema):
    date: dt.date
    commune: FieldCommuneOut | None = Field(description="Null for a commander who chose no commune.")
    police: bool = Field(description="You may mark patrols done (police, not the civil-defence force).")
    plans: list[FieldPlanOut]


class FieldCheckInIn(Schema):
    checkpoint_id: int = Field(..., ge=1, le=MAX_ID)
    at: ApiDateTime | None = Field(None, description="When, by the phone's clock (default: now).")
    lat: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    lon: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    accuracy_m: float | None = Field(None, ge=0, le=100_000, allow_inf_nan=False)


class FieldCheckInOut(Schema):
    id: int
    checkpoint: int
    at: dt.datetime
    distance_m: float | None = Field(description="From the position sent to the checkpoint's site.")


class FieldPatrolDoneIn(Schema):
    at: ApiDateTime | None = None
    note: str = Field("", max_length=300)


class FieldPatrolDoneOut(Schema):
    assignment: int
    done_at: dt.datetime


class FieldReportIn(Schema):
    text: str = Field(..., min_length=1, max_length=services.TEXT_MAX)
    at: ApiDateTime | None = None
    lat: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    lon: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    photo_base64: str = Field(
        "",
        max_length=12 * 1024 * 1024,
        description="A JPEG or PNG photo, base64 (at most 8 MB decoded); its metadata is removed.",
    )


class FieldReportOut(Schema):
    id: int
    incident: int | None = Field(description="The incident draft made for the supervisor (police only).")
    photo: bool


class FieldConflictOut(Schema):
    type: str
    detail: str
    details: dict = Field(default_factory=dict)


# Helpers ------------------------------------------------------------------------------------------


def _caller(request):
    auth = getattr(request, "auth", None)
    return auth if getattr(auth, "is_authenticated", False) else request.user


def _refuse(request, user, reason: str = "role"):
    audit_denied(user, reason=reason, path=request.get_full_path()[:500])
    return Status(403, {"detail": _("You may not do this.")})


def _problem(code: str, loc: list, message: str, status: int = 422) -> JsonResponse:
    return JsonResponse({"detail": [{"type": code, "loc": loc, "msg": message}]}, status=status)


def _keyed(request: HttpRequest, user, create) -> HttpResponse:
    """Run `create()` (returns (status, body dict)) once per (caller, Idempotency-Key), as the
    phone page's endpoints do (anninh.field.views._keyed)."""
    key = request.headers.get(HEADER, "")
    if not idempotency.key_valid(key):
        return _problem("idempotency.key", ["header", HEADER], _("Send an Idempotency-Key header."))
    digest = idempotency.request_hash(request.method, request.path, request.body)

    def run():
        try:
            status, body = create()
        except services.FieldError as exc:
            return None, _problem(exc.code, ["body", exc.field or "__all__"], str(exc))
        except services.FieldConflict as exc:
            return None, JsonResponse(
                {"type": "conflict", "detail": str(exc), "details": exc.details}, status=409
            )
        text = json.dumps(body, default=str)
        return idempotency.Answer(status, text), HttpResponse(
            text, status=status, content_type="application/json"
        )

    try:
        answer, response, replayed = idempotency.idempotent_create(
            user=user, key=key, request_digest=digest, run=run
        )
    except idempotency.KeyMismatch:
        return JsonResponse(
            {
                "type": "idempotency.mismatch",
                "detail": _("This key was used for something else: the two submissions differ."),
                "details": {},
            },
            status=409,
        )
    except PermissionDenied:
        # Out of the caller's reach (another commune's checkpoint or patrol): 404, audited, as
        # for any record outside one's scope.
        audit_denied(user, reason="scope", path=request.get_full_path()[:500])
        return JsonResponse({"detail": _("Not found.")}, status=404)
    if replayed:
        reply = HttpResponse(answer.body, status=answer.status, content_type="application/json")
        reply["Idempotent-Replayed"] = "true"
        return reply
    return response


# Today --------------------------------------------------------------------------------------------


@router.get(
    "/today",
    response={200: FieldTodayOut, 403: ErrorOut, 422: ValidationErrorOut},
    url_name="field_today",
    summary="Today's approved plans of your commune: checkpoints and patrols",
)
def today(request: HttpRequest, query: Query[FieldTodayQuery]):
    user = _caller(request)
    if not user.has_role(*services.FIELD_ROLES):
        return _refuse(request, user)
    code = services.field_commune(user)
    if user.has_role(Role.COMMANDER):
        code = query.commune or None
    elif query.commune and query.commune != code:
        return _refuse(request, user, reason="scope")
    commune = Commune.objects.filter(code=code).only("code", "name").first() if code else None
    day = timezone.localdate()
    plans = selectors.today_plans(viewer=user, commune=commune.code, today=day) if commune else []
    mine: dict[int, dt.datetime] = {}
    checkpoint_ids = [c.pk for p in plans for c in p.checkpoints.all()]
    since = timezone.make_aware(dt.datetime.combine(day, dt.time()))
    for checkpoint_id, at in (
        selectors.checkin_list(viewer=user)
        .filter(created_by=user, checkpoint_id__in=checkpoint_ids, at__gte=since)
        .order_by("at")
        .values_list("checkpoint_id", "at")
    ):
        mine[checkpoint_id] = at
    return {
        "date": day,
        "commune": {"code": commune.code, "name": commune.name} if commune else None,
        "police": user.has_role(*services.POLICE_ROLES),
        "plans": [
            {
                "id": p.pk,
                "date": p.date,
                "shift": p.shift,
                "shift_label": p.get_shift_display(),
                "checkpoints": [
                    {
                        "id": c.pk,
                        "rank": c.rank,
                        "name": c.site.name,
                        "lat": c.site.lat,
                        "lon": c.site.lon,
                        "checked_in_at": mine.get(c.pk),
                    }
                    for c in p.checkpoints.all()
                ],
                "patrols": [
                    {
                        "id": a.pk,
                        "team": a.team,
                        "order": a.order,
                        "lat": a.lat,
                        "lon": a.lon,
                        "done": a.done_at is not None,
                        "done_at": a.done_at,
                    }
                    for a in sorted(p.assignments.all(), key=lambda a: (a.team, a.order))
                ],
            }
            for p in plans
        ],
    }


# Writes -------------------------------------------------------------------------------------------

_WRITE_ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: FieldConflictOut, 422: ValidationErrorOut}


@router.post(
    "/checkins",
    response={201: FieldCheckInOut, **_WRITE_ERRORS},
    url_name="field_checkin",
    summary="Check in at a checkpoint of today's plan (time and position)",
    openapi_extra=KEY_HEADER,
)
def checkin(request: HttpRequest, payload: FieldCheckInIn):
    user = _caller(request)
    if not user.has_role(*services.FIELD_ROLES):
        return _refuse(request, user)

    def create():
        row = services.checkin_create(
            actor=user,
            checkpoint_id=payload.checkpoint_id,
            at=payload.at,
            lat=payload.lat,
            lon=payload.lon,
            accuracy_m=payload.accuracy_m,
        )
        return 201, {
            "id": row.pk,
            "checkpoint": row.checkpoint_id,
            "at": row.at.isoformat(),
            "distance_m": row.distance_m,
        }

    return _keyed(request, user, create)


@router.post(
    "/patrols/{assignment_id}/done",
    response={200: FieldPatrolDoneOut, **_WRITE_ERRORS},
    url_name="field_patrol_done",
    summary="Mark a patrol of today's plan done (police)",
    openapi_extra=KEY_HEADER,
)
def patrol_done(
    request: HttpRequest, payload: FieldPatrolDoneIn, assignment_id: int = Path(..., ge=1, le=MAX_ID)
):
    user = _caller(request)
    if not user.has_role(*services.POLICE_ROLES):
        return _refuse(request, user)

    def create():
        a = services.patrol_done(actor=user, assignment_id=assignment_id, at=payload.at, note=payload.note)
        return 200, {"assignment": a.pk, "done_at": a.done_at.isoformat()}

    return _keyed(request, user, create)


@router.post(
    "/reports",
    response={201: FieldReportOut, **_WRITE_ERRORS},
    url_name="field_report",
    summary="Send a short field report (with a photo); for police it becomes an incident draft",
    openapi_extra=KEY_HEADER,
)
def field_report(request: HttpRequest, payload: FieldReportIn):
    user = _caller(request)
    if not user.has_role(*services.FIELD_ROLES):
        return _refuse(request, user)
    photo = None
    if payload.photo_base64:
        try:
            photo = base64.b64decode(payload.photo_base64, validate=True)
        except (binascii.Error, ValueError):
            return _problem("photo.encoding", ["body", "photo_base64"], _("The photo is not valid base64."))

    def create():
        row = services.field_report_create(
            actor=user, text=payload.text, at=payload.at, lat=payload.lat, lon=payload.lon, photo=photo
        )
        return 201, {"id": row.pk, "incident": row.incident_id, "photo": bool(row.photo_type)}

    return _keyed(request, user, create)
