"""Reading requests: the staff queue (scoped to the viewer), one request for staff, possible
duplicates, and what the public may see (Open311 GET and the tracking page)."""

from __future__ import annotations

import datetime as dt
import math

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from anninh.requests.models import (
    OPEN_STATUSES,
    AnswerTemplate,
    NoteKind,
    RequestNote,
    RequestStatus,
    Service,
    ServiceRequest,
)

QUEUE_FILTERS = ("open", "overdue", "due_soon", "escalated", "mine", "closed", "all")
DUE_SOON_DAYS = 2
DUPLICATE_DAYS = 30
DUPLICATE_METRES = 300
#: What open311.request_public renders of a request and its relations (nothing else is loaded).
OPEN311_FIELDS = (
    "public_id", "token", "status", "submitted_at", "updated_at", "due_on",
    "service__code", "service__name_vi", "service__name_en",
    "unit__name", "unit__name_en",
    "commune__name", "commune__point_lat", "commune__point_lon",
)  # fmt: skip


def services_active() -> QuerySet:
    return Service.objects.filter(active=True)


def staff_scope(*, viewer) -> QuerySet:
    return ServiceRequest.objects.restrict(viewer).select_related("service", "unit", "commune", "assigned_to")


def staff_queue(*, viewer, show: str = "open", service: str = "", q: str = "") -> QuerySet:
    qs = staff_scope(viewer=viewer)
    today = timezone.localdate()
    if show == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif show == "overdue":
        qs = qs.filter(status__in=OPEN_STATUSES, due_on__lt=today)
    elif show == "due_soon":
        qs = qs.filter(
            status__in=OPEN_STATUSES, due_on__gte=today, due_on__lte=today + dt.timedelta(days=DUE_SOON_DAYS)
        )
    elif show == "escalated":
        qs = qs.filter(status__in=OPEN_STATUSES, escalated_at__isnull=False)
    elif show == "mine":
        qs = qs.filter(status__in=OPEN_STATUSES, assigned_to=viewer)
    elif show == "closed":
        qs = qs.exclude(status__in=OPEN_STATUSES).order_by("-answered_at")
    if service:
        qs = qs.filter(service__code=service)
    if q:
        qs = qs.filter(public_id__icontains=q.strip())
    return qs


def queue_counts(*, viewer) -> dict[str, int]:
    today = timezone.localdate()
    qs = staff_scope(viewer=viewer).filter(status__in=OPEN_STATUSES)
    return {
        "open": qs.count(),
        "overdue": qs.filter(due_on__lt=today).count(),
        "escalated": qs.filter(escalated_at__isnull=False).count(),
    }


def notes_for_staff(*, viewer, request: ServiceRequest) -> QuerySet:
    return RequestNote.objects.restrict(viewer).filter(request=request).select_related("author")


def attachments_for_staff(*, viewer, request: ServiceRequest) -> QuerySet:
    from anninh.requests.models import Attachment

    return Attachment.objects.restrict(viewer).filter(request=request).defer("content")


def attachment_for_staff(*, viewer, pk: int):
    from anninh.requests.models import Attachment

    return Attachment.objects.restrict(viewer).filter(pk=pk).first()


def templates_for(*, service: Service) -> QuerySet:
    return AnswerTemplate.objects.filter(Q(service=service) | Q(service__isnull=True))


def _metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dy = (lat2 - lat1) * 111_320
    dx = (lon2 - lon1) * 111_320 * math.cos(math.radians((lat1 + lat2) / 2))
    return math.hypot(dx, dy)


def possible_duplicates(*, viewer, request: ServiceRequest) -> list[ServiceRequest]:
    """Open or recent requests of the same service and commune the viewer may see; with
    points on both, only those within DUPLICATE_METRES."""
    if request.commune_id is None:
        return []
    since = request.submitted_at - dt.timedelta(days=DUPLICATE_DAYS)
    candidates = (
        staff_scope(viewer=viewer)
        .filter(service=request.service, commune_id=request.commune_id, submitted_at__gte=since)
        .exclude(pk=request.pk)
        .exclude(status=RequestStatus.MERGED)
        .order_by("submitted_at")[:50]
    )
    out = []
    for other in candidates:
        both_points = None not in (request.lat, request.lon, other.lat, other.lon)
        if both_points and _metres(request.lat, request.lon, other.lat, other.lon) > DUPLICATE_METRES:
            continue
        out.append(other)
    return out[:10]


# --- What the reporter and the public see -----------------------------------------------------


def public_notes(request: ServiceRequest) -> list[RequestNote]:
    """Status notes for the reporter: the police's public notes and the reporter's own
    additions, and for a merged request, the main request's public notes."""
    # The reporter's own request, opened by their code (or a public request): no viewer.
    notes = list(
        RequestNote.objects.unrestricted()
        .filter(request=request, kind__in=(NoteKind.PUBLIC, NoteKind.REPORTER))
        .order_by("created_at", "id")
    )
    if request.merged_into_id:
        notes += list(
            RequestNote.objects.unrestricted()
            .filter(request_id=request.merged_into_id, kind=NoteKind.PUBLIC)
            .order_by("created_at", "id")
        )
    return notes


def open311_requests(
    *,
    ids: list[str] | None = None,
    service_codes: list[str] | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    statuses: list[str] | None = None,
    limit: int = 1000,
) -> list[ServiceRequest]:
    """GeoReport v2 GET requests: by ids, any request (the id is what its reporter or a
    listing gave); otherwise only the requests of services listed publicly, by default
    those of the last 90 days."""
    # Public data only is rendered from these rows (open311.request_public); see there.
    # Only what is rendered is loaded: a listing builds up to a thousand rows, and a field
    # never loaded (the description, the sender, the commune's boundary) cannot leak.
    qs = (
        ServiceRequest.objects.unrestricted()
        .select_related("service", "unit", "commune")
        .only(*OPEN311_FIELDS)
    )
    if ids:
        qs = qs.filter(public_id__in=ids)
    else:
        qs = qs.filter(service__listed=True)
        if start is None and end is None:
            start = timezone.now() - dt.timedelta(days=90)
    if service_codes:
        qs = qs.filter(service__code__in=service_codes)
    if start is not None:
        qs = qs.filter(submitted_at__gte=start)
    if end is not None:
        qs = qs.filter(submitted_at__lte=end)
    if statuses:
        wanted = set(statuses)
        if wanted == {"open"}:
            qs = qs.filter(status__in=OPEN_STATUSES)
        elif wanted == {"closed"}:
            qs = qs.exclude(status__in=OPEN_STATUSES)
    last_note = (
        RequestNote.objects.unrestricted()
        .filter(request=OuterRef("pk"), kind=NoteKind.PUBLIC)
        .order_by("-created_at", "-id")
        .values("text")[:1]
    )
    return list(qs.annotate(last_public_note=Subquery(last_note)).order_by("-submitted_at")[:limit])


def open311_by_token(token: str) -> ServiceRequest | None:
    return ServiceRequest.objects.unrestricted().filter(token=token).first() if token else None


def public_similar(
    *, service_code: str, commune_code: str, lat: float | None = None, lon: float | None = None
):
    """Open requests of the same listed service and commune from the last DUPLICATE_DAYS (and
    within DUPLICATE_METRES when both have points), for the form's "already reported?" check.
    Tips and complaints are never shown to the public."""
    if not service_code or not commune_code:
        return []
    since = timezone.now() - dt.timedelta(days=DUPLICATE_DAYS)
    # Public data only is shown from these rows (number, status, the police's public notes).
    rows = (
        ServiceRequest.objects.unrestricted()
        .filter(
            service__code=service_code,
            service__listed=True,
            commune_id=commune_code,
            status__in=OPEN_STATUSES,
            submitted_at__gte=since,
        )
        .select_related("service")
        .order_by("-submitted_at")[:50]
    )
    out = []
    for row in rows:
        both_points = None not in (lat, lon, row.lat, row.lon)
        if both_points and _metres(lat, lon, row.lat, row.lon) > DUPLICATE_METRES:
            continue
        out.append(row)
    return out[:5]
