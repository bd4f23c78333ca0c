"""Events over the API, mounted at /api/events/: the events the caller may read, one event
with its risk register (every version) and linked incidents, and appending to its command log.
Scoped like the pages."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from anninh.accounts.api_schemas import ErrorOut, ValidationErrorOut
from anninh.accounts.permissions import audit_denied, get_scoped_or_404
from anninh.audit.services import audit_record
from anninh.events import selectors, services
from anninh.events.models import Event, LogKind

router = Router()


class EventsListQuery(Schema):
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=2**31)


class EventsEventOut(Schema):
    id: int
    name: str
    kind: str
    status: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    area_radius_m: int


class EventsListOut(Schema):
    count: int
    results: list[EventsEventOut]


class EventsRiskVersionOut(Schema):
    version: int
    changed_at: dt.datetime
    likelihood: int
    impact: int
    status: str
    note: str


class EventsRiskOut(Schema):
    id: int
    threat: str
    likelihood: int
    impact: int
    score: int
    level: str
    owner: str
    mitigation: str
    status: str
    version: int
    history: list[EventsRiskVersionOut]


class EventsVenueOut(Schema):
    name: str
    commune: str
    lat: float
    lon: float


class EventsIncidentOut(Schema):
    id: int
    number: str
    occurred_from: dt.datetime
    distance_m: float | None


class EventsDetailOut(Schema):
    event: EventsEventOut
    venues: list[EventsVenueOut]
    risks: list[EventsRiskOut]
    incidents: list[EventsIncidentOut]


class EventsLogIn(Schema):
    text: str = Field(..., min_length=1, max_length=5000)
    kind: LogKind = LogKind.INFORMATION


class EventsLogOut(Schema):
    id: int
    at: dt.datetime
    author_name: str
    author_role: str
    kind: str
    text: str


def _caller(request):
    auth = getattr(request, "auth", None)
    return auth if getattr(auth, "is_authenticated", False) else request.user


def _refuse(request, user):
    audit_denied(user, reason="role", path=request.get_full_path()[:500])
    return Status(403, {"detail": _("You may not do this.")})


def _event_out(e) -> dict:
    return {
        "id": e.pk,
        "name": e.name,
        "kind": e.kind,
        "status": e.status,
        "starts_at": e.starts_at,
        "ends_at": e.ends_at,
        "area_radius_m": e.area_radius_m,
    }


@router.get(
    "/",
    response={200: EventsListOut, 403: ErrorOut, 422: ValidationErrorOut},
    url_name="events_list",
    summary="Events the caller may read",
)
def list_events(request: HttpRequest, query: Query[EventsListQuery]):
    user = _caller(request)
    if not user.has_role(*selectors.READER_ROLES):
        return _refuse(request, user)
    qs = selectors.event_list(viewer=user)
    return {
        "count": qs.count(),
        "results": [_event_out(e) for e in qs[query.offset : query.offset + query.limit]],
    }


def _event(user, sec_event_id: int):
    return get_scoped_or_404(
        selectors.event_base(viewer=user), user, unscoped=Event.objects.unrestricted(), pk=sec_event_id
    )


@router.get(
    "/{sec_event_id}",
    response={200: EventsDetailOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    url_name="events_detail",
    summary="One event with its venues, risk register (every version) and linked incidents",
)
def get_event(request: HttpRequest, sec_event_id: int = Path(..., ge=1, le=2**31)):
    user = _caller(request)
    if not user.has_role(*selectors.READER_ROLES):
        return _refuse(request, user)
    try:
        event = _event(user, sec_event_id)
    except Http404:
        return Status(404, {"detail": _("No such event.")})
    incidents = selectors.event_incidents(viewer=user, event=event)
    audit_record(
        actor=user, action="view", target=event, extra={"api": True, "incidents_linked": len(incidents)}
    )
    return {
        "event": _event_out(event),
        "venues": [
            {"name": v.name, "commune": v.commune_id, "lat": v.lat, "lon": v.lon} for v in event.venues.all()
        ],
        "risks": [
            {
                "id": r.pk,
                "threat": r.threat,
                "likelihood": r.likelihood,
                "impact": r.impact,
                "score": r.score,
                "level": r.level,
                "owner": r.owner,
                "mitigation": r.mitigation,
                "status": r.status,
                "version": r.version,
                "history": [
                    {
                        "version": c.version,
                        "changed_at": c.changed_at,
                        "likelihood": c.likelihood,
                        "impact": c.impact,
                        "status": c.status,
                        "note": c.note,
                    }
                    for c in r.changes.all()
                ],
            }
            for r in selectors.risks_of(viewer=user, event=event)
        ],
        "incidents": [
            {
                "id": li.incident.pk,
                "number": li.incident.number,
                "occurred_from": li.incident.occurred_from,
                "distance_m": li.distance_m,
            }
            for li in incidents
        ],
    }


@router.post(
    "/{sec_event_id}/log",
    response={201: EventsLogOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    url_name="events_log_append",
    summary="Append an entry to the event's command log (entries are never changed)",
)
def append_log(request: HttpRequest, body: EventsLogIn, sec_event_id: int = Path(..., ge=1, le=2**31)):
    user = _caller(request)
    if not user.has_role(*services.CONTRIBUTOR_ROLES):
        return _refuse(request, user)
    try:
        event = _event(user, sec_event_id)
    except Http404:
        return Status(404, {"detail": _("No such event.")})
    try:
        entry = services.log_append(actor=user, event=event, text=body.text, kind=body.kind)
    except services.EventError as exc:
        return Status(400, {"detail": str(exc)})
    except PermissionDenied:
        return _refuse(request, user)
    return Status(
        201,
        {
            "id": entry.pk,
            "at": entry.at,
            "author_name": entry.author_name,
            "author_role": entry.author_role,
            "kind": entry.kind,
            "text": entry.text,
        },
    )
