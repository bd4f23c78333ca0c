"""The phone page of a patrol in the field, its service worker, and the endpoints its queue
sends to. Every submission carries an `Idempotency-Key` (the queue item's id, made on the
phone when the officer pressed the button): the records' idempotent-create helper makes it
once, and a replay (the answer was lost, the queue was flushed twice) gets the first answer.
The same key with other content is a conflict (409), shown on the phone, never dropped."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from anninh.accounts.permissions import audit_denied, get_scoped_or_404, require_roles
from anninh.field import selectors, services
from anninh.field.models import FieldReport
from anninh.geo import lookup
from anninh.geo.models import Commune
from anninh.records.services import idempotency


def _error(status: int, kind: str, loc: list, msg: str, **extra) -> JsonResponse:
    return JsonResponse({"type": kind, "loc": loc, "msg": msg, **extra}, status=status)


@require_roles(*services.FIELD_ROLES)
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    commune_code = services.field_commune(user)
    if commune_code is None and user.has_role("commander"):
        commune_code = request.GET.get("commune", "")[:5] or None
    commune = Commune.objects.filter(code=commune_code).first() if commune_code else None
    today = timezone.localdate()
    plans = selectors.today_plans(viewer=user, commune=commune_code, today=today) if commune else []
    data = {
        "commune": lookup.feature(commune) if commune else None,
        "plans": [selectors.plan_payload(p) for p in plans],
        "urls": {
            "checkin": reverse("field:checkin"),
            "done": reverse("field:done"),
            "report": reverse("field:report"),
            "sw": reverse("field:sw"),
            "scope": reverse("field:home"),
        },
        "police": user.has_role(*services.POLICE_ROLES),
    }
    return render(
        request,
        "field/home.html",
        {
            "commune": commune,
            "plans": plans,
            "today": today,
            "field_data": data,
            "communes": Commune.objects.order_by("sort_key").values_list("code", "name")
            if user.has_role("commander")
            else [],
            "active_nav": "field",
        },
    )


#: What the service worker keeps for offline use (besides the page itself).
ASSETS = (
    "vendor/leaflet-1.9.4/leaflet.css",
    "vendor/leaflet-1.9.4/leaflet.js",
    "web/app.css",
    "web/app.js",
    "vendor/htmx-2.0.11/htmx.min.js",
    "field/field.css",
    "field/field.js",
    "field/queue.js",
)


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served under /field/ so that it may control the field page (a
    worker controls only the paths below its own). Its cache name changes with the assets'
    content, so a new release replaces the old cache."""
    source_path = finders.find("field/sw.js")
    with open(source_path, encoding="utf-8") as f:
        source = f.read()
    assets = [static(a) for a in ASSETS]
    digest = hashlib.sha256(source.encode())
    for a in ASSETS:
        found = finders.find(a)
        if found:
            with open(found, "rb") as f:
                digest.update(f.read())
    header = (
        f"const CACHE = {json.dumps('field-' + digest.hexdigest()[:12])};\n"
        f"const PAGE = {json.dumps(reverse('field:home'))};\n"
        f"const ASSETS = {json.dumps(assets)};\n"
    )
    response = HttpResponse(header + source, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("field:home")
    response["Cache-Control"] = "no-cache"
    return response


def _parse_time(value) -> dt.datetime | None:
    if value in (None, ""):
        return None
    try:
        parsed = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise services.FieldError("at.invalid", _("The time is not valid."), "at") from None
    return parsed


def _keyed(request: HttpRequest, digest_parts: bytes, create) -> HttpResponse:
    """Run `create()` (returns (status, body dict)) once per (user, Idempotency-Key)."""
    key = request.headers.get("Idempotency-Key", "")
    if not idempotency.key_valid(key):
        return _error(
            422, "idempotency.key", ["header", "Idempotency-Key"], _("Send an Idempotency-Key header.")
        )
    digest = idempotency.request_hash("POST", request.path, digest_parts)

    def run():
        try:
            status, body = create()
        except services.FieldError as exc:
            return None, _error(422, exc.code, ["body", exc.field], str(exc))
        except services.FieldConflict as exc:
            return None, _error(409, "conflict", ["body"], str(exc), details=exc.details)
        text = json.dumps(body)
        return idempotency.Answer(status, text), JsonResponse(body, status=status)

    try:
        answer, response, replayed = idempotency.idempotent_create(
            user=request.user, key=key, request_digest=digest, run=run
        )
    except idempotency.KeyMismatch:
        return _error(
            409,
            "idempotency.mismatch",
            ["header", "Idempotency-Key"],
            _("This key was used for something else: the two submissions differ."),
        )
    except PermissionDenied:
        # Out of the sender's reach (another commune's checkpoint): 404, audited, as for
        # any record outside one's scope.
        audit_denied(request, reason="scope")
        raise Http404 from None
    if replayed:
        reply = HttpResponse(answer.body, status=answer.status, content_type="application/json")
        reply["Idempotent-Replayed"] = "true"
        return reply
    return response


def _json(request: HttpRequest) -> dict:
    if request.content_type != "application/json":
        raise services.FieldError("body.type", _("Send the body as JSON."), "body")
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        raise services.FieldError("body.invalid", _("The body must be a JSON object."), "body")
    return body


@require_roles(*services.FIELD_ROLES)
@require_POST
def checkin(request: HttpRequest) -> HttpResponse:
    try:
        body = _json(request)
        at = _parse_time(body.get("at"))
    except services.FieldError as exc:
        return _error(422, exc.code, ["body", exc.field], str(exc))

    def create():
        row = services.checkin_create(
            actor=request.user,
            checkpoint_id=body.get("checkpoint"),
            at=at,
            lat=body.get("lat"),
            lon=body.get("lon"),
            accuracy_m=body.get("accuracy"),
        )
        return 201, {
            "id": row.pk,
            "checkpoint": row.checkpoint_id,
            "at": row.at.isoformat(),
            "distance_m": row.distance_m,
        }

    return _keyed(request, request.body, create)


@require_roles(*services.POLICE_ROLES)
@require_POST
def done(request: HttpRequest) -> HttpResponse:
    try:
        body = _json(request)
        at = _parse_time(body.get("at"))
    except services.FieldError as exc:
        return _error(422, exc.code, ["body", exc.field], str(exc))

    def create():
        a = services.patrol_done(
            actor=request.user, assignment_id=body.get("assignment"), at=at, note=str(body.get("note", ""))
        )
        return 200, {"assignment": a.pk, "done_at": a.done_at.isoformat()}

    return _keyed(request, request.body, create)


@require_roles(*services.FIELD_ROLES)
@require_POST
def report(request: HttpRequest) -> HttpResponse:
    photo = request.FILES.get("photo")
    photo_bytes = photo.read() if photo else None
    fields = {k: request.POST.get(k, "") for k in ("text", "at", "lat", "lon")}
    # The digest is taken over the content, not the raw body: a browser draws a new multipart
    # boundary each time it sends the same form.
    parts = json.dumps(fields, sort_keys=True).encode() + hashlib.sha256(photo_bytes or b"").digest()
    try:
        at = _parse_time(fields["at"])
    except services.FieldError as exc:
        return _error(422, exc.code, ["body", exc.field], str(exc))

    def create():
        row = services.field_report_create(
            actor=request.user,
            text=fields["text"],
            at=at,
            lat=fields["lat"] or None,
            lon=fields["lon"] or None,
            photo=photo_bytes,
        )
        return 201, {"id": row.pk, "incident": row.incident_id, "photo": bool(row.photo_type)}

    return _keyed(request, parts, create)


@require_roles(*services.FIELD_ROLES)
def report_photo(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_scoped_or_404(
        selectors.report_base(viewer=request.user),
        request.user,
        unscoped=FieldReport.objects.unrestricted(),
        pk=pk,
    )
    if not row.photo:
        raise Http404
    response = HttpResponse(bytes(row.photo), content_type=row.photo_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_roles(*services.FIELD_ROLES)
def reports(request: HttpRequest) -> HttpResponse:
    """What was sent from the field in the viewer's reach (the supervisor's list)."""
    rows = list(selectors.report_list(viewer=request.user)[:100])
    return render(
        request, "field/reports.html", {"reports": rows, "active_nav": "field", "debug": settings.DEBUG}
    )


urlpatterns = [
    path("", home, name="home"),
    path("sw.js", service_worker, name="sw"),
    path("checkin/", checkin, name="checkin"),
    path("done/", done, name="done"),
    path("report/", report, name="report"),
    path("reports/", reports, name="reports"),
    path("reports/<int:pk>/photo/", report_photo, name="report_photo"),
]
