"""API: incidents, mounted at /api/records/incidents.

The same rules as the pages: reads through anninh.records.selectors.incidents (scoped to the
caller, so a commune officer never gets another commune's incident by list, id or map),
writes through anninh.records.services. Wrong role: 403 (audited); an incident outside the
caller's scope: 404 (audited); a stale `version`: 409; bad input: 422 with translated
messages, one per problem, `loc` naming the field.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from anninh.accounts.api_schemas import ErrorOut, ValidationErrorOut
from anninh.accounts.permissions import audit_denied, get_scoped_or_404
from anninh.datefields import ApiDateTime, date_message
from anninh.lib.dates import InvalidDate, parse_date_vn
from anninh.records.api.idempotency import OPENAPI_HEADER, idempotent
from anninh.records.masking import mask_address
from anninh.records.models import (
    FIRE_RESCUE_KINDS,
    IncidentKind,
    OffenceGroup,
    PersonRole,
    PremisesType,
    ReviewStatus,
    River,
    Sex,
)
from anninh.records.scoping import sees_personal_data
from anninh.records.selectors import incidents as selectors
from anninh.records.selectors.incidents import IncidentFilters
from anninh.records.services import incidents as services
from anninh.records.services.review import incident_review
from anninh.records.versioning import ConflictError, RecordError

router = Router()

READER_ROLES = ("commander", "analyst", "investigator", "commune_officer", "fire_rescue")
WRITER_ROLES = tuple(str(r) for r in services.WRITER_ROLES)
MAX_ID = 2**53
MAX_LIMIT = 200
DATE_PATTERN = r"^[0-9]{1,4}[-/.][0-9]{1,2}[-/.][0-9]{1,4}$"


# Shared shapes -----------------------------------------------------------------------------


def caller(request: HttpRequest):
    auth = getattr(request, "auth", None)
    return auth if getattr(auth, "is_authenticated", False) else request.user


def refuse(request: HttpRequest, user, message: str | None = None, *, reason: str = "role"):
    audit_denied(user, reason=reason, path=request.get_full_path()[:500])
    return Status(403, {"detail": message or _("You may not do this.")})


def problems(exc: RecordError, *, root: str = "body") -> Status:
    """A RecordError (or InvalidRecord with several) as a 422 body."""
    items = []
    for error in getattr(exc, "errors", [exc]):
        loc: list[str | int] = [root]
        for part in (error.field or "").split("."):
            if part:
                loc.append(int(part) if part.isdigit() else part)
        items.append({"type": error.code, "loc": loc, "msg": error.message})
    return Status(422, {"detail": items})


def bad_query(field: str, message: str, code: str = "query.invalid") -> Status:
    return Status(422, {"detail": [{"type": code, "loc": ["query", field], "msg": message}]})


# Schemas -----------------------------------------------------------------------------------

KindFilter = Literal[(*IncidentKind.values, "fire_rescue")]  # type: ignore[valid-type]


class IncidentQuery(Schema):
    q: str = Field(
        "", max_length=200, description="Number, or words of the address or narrative (no diacritics needed)"
    )
    kind: KindFilter | None = Field(
        None, description='An incident kind, or "fire_rescue" for every fire, explosion and rescue'
    )
    offence_group: OffenceGroup | None = None
    article: str = Field("", max_length=12, description='Penal Code article, e.g. "173" or "256a"')
    commune: str | None = Field(None, pattern=r"^[0-9]{5}$", description="NSO commune code")
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="Responsible unit id")
    date_from: str | None = Field(
        None, pattern=DATE_PATTERN, description="First day (dd/mm/yyyy or yyyy-mm-dd), local time"
    )
    date_to: str | None = Field(None, pattern=DATE_PATTERN, description="Last day, included")
    review_status: ReviewStatus | None = None


class PageQuery(Schema):
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=2**31)


class CommuneRef(Schema):
    code: str
    name: str


class UnitRef(Schema):
    id: int
    code: str
    name: str


class OffenceOut(Schema):
    article: str
    name: str
    clause: int | None
    group: str
    law_version: str
    is_main: bool


class IncidentOut(Schema):
    id: int
    number: str
    kind: str
    occurred_from: dt.datetime
    occurred_to: dt.datetime | None
    reported_at: dt.datetime
    commune: CommuneRef
    responsible_unit: UnitRef
    lat: float | None
    lon: float | None
    premises: str
    offence_group: str
    main_offence: OffenceOut | None
    losses_vnd: int
    review_status: str
    version: int
    url: str


def summary(obj) -> dict[str, Any]:
    """The fields of IncidentOut, from an incident (with `main_offence_links` prefetched by
    the list selector, or read here)."""
    links = getattr(obj, "main_offence_links", None)
    if links is None:
        links = [link for link in obj.offence_links.select_related("offence") if link.is_main]
    u = obj.responsible_unit
    return {
        "id": obj.pk,
        "number": obj.number,
        "kind": obj.kind,
        "occurred_from": obj.occurred_from,
        "occurred_to": obj.occurred_to,
        "reported_at": obj.reported_at,
        "commune": {"code": obj.commune_id, "name": obj.commune.name},
        "responsible_unit": {"id": u.pk, "code": u.code, "name": u.name},
        "lat": obj.lat,
        "lon": obj.lon,
        "premises": obj.premises,
        "offence_group": obj.offence_group,
        "main_offence": _offence(links[0]) if links else None,
        "losses_vnd": obj.losses_vnd,
        "review_status": obj.review_status,
        "version": obj.version,
        "url": reverse("records:incident_detail", args=[obj.pk]),
    }


def _offence(link) -> dict:
    o = link.offence
    return {
        "article": o.article,
        "name": o.name,
        "clause": link.clause,
        "group": o.group,
        "law_version": o.law_version,
        "is_main": link.is_main,
    }


class IncidentPageOut(Schema):
    count: int = Field(description="Matching incidents, counted up to 10,000 (see count_capped).")
    count_capped: bool = Field(description="True when more than `count` incidents match: narrow the filters.")
    limit: int
    offset: int
    items: list[IncidentOut]


class MapOut(Schema):
    points: list[list[int | float | str]] = Field(
        description="[id, lat, lon, kind] of each located incident, newest first"
    )
    truncated: bool = Field(description="True when only the newest were sent: narrow the filters")
    without_point: int = Field(description="Incidents of the same filters with no point")


class PersonOut(Schema):
    link_id: int
    person_id: int | None = Field(description="Null when the caller may not see personal data")
    label: str = Field(description='The name, or "Person 1", "Person 2"... in this record when masked')
    role: str
    note: str
    masked: bool = Field(description="True when the caller may not see personal data: names and ids are null")
    full_name: str | None
    cccd: str | None
    birth_year: int | None
    sex: Sex | None = Field(None, description="male, female or unknown; null when masked")
    phones: list[str]


class LossOut(Schema):
    description: str
    value_vnd: int
    recovered: bool


class ReportRef(Schema):
    id: int
    register_number: str


class CaseRef(Schema):
    id: int
    number: str
    status: str


class ResponseTimeOut(Schema):
    unit: UnitRef
    alerted_at: dt.datetime | None
    dispatched_at: dt.datetime | None
    arrived_at: dt.datetime | None
    controlled_at: dt.datetime | None
    ended_at: dt.datetime | None


class FireRescueOut(Schema):
    cause: str
    dead: int
    injured: int
    rescued: int
    victims_found: int
    damage_vnd: int
    forces: int
    vehicles: int
    river: str
    vessel: str
    response_times: list[ResponseTimeOut]


class IncidentDetailOut(IncidentOut):
    address: str
    narrative: str
    review_comment: str
    offences: list[OffenceOut]
    persons: list[PersonOut]
    losses: list[LossOut]
    crime_reports: list[ReportRef]
    cases: list[CaseRef]
    fire_rescue: FireRescueOut | None
    created_at: dt.datetime
    updated_at: dt.datetime


class OffenceIn(Schema):
    article: str = Field(..., min_length=1, max_length=20)
    clause: int | None = Field(None, ge=1, le=10)
    is_main: bool = False


class PersonIn(Schema):
    role: PersonRole
    person_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="A person already linked to this incident"
    )
    full_name: str = Field("", max_length=150)
    cccd: str = Field("", max_length=20)
    phone: str = Field("", max_length=20)
    birth_year: int | None = Field(None, ge=1900, le=2100)
    sex: Sex = Field(
        Sex.UNKNOWN, description="male, female or unknown; checked against the CCCD's century-and-sex digit"
    )
    address: str = Field("", max_length=300)
    note: str = Field("", max_length=300)


class LossIn(Schema):
    description: str = Field(..., min_length=1, max_length=300)
    value_vnd: int | str = Field(
        ..., description='Whole đồng: 12500000 or "12.500.000"; no decimals, not negative'
    )
    recovered: bool = False


class ResponseTimeIn(Schema):
    unit_id: int = Field(..., ge=1, le=MAX_ID)
    alerted_at: ApiDateTime | None = None
    dispatched_at: ApiDateTime | None = None
    arrived_at: ApiDateTime | None = None
    controlled_at: ApiDateTime | None = None
    ended_at: ApiDateTime | None = None


class FireRescueIn(Schema):
    cause: str = Field("", max_length=300)
    dead: int = Field(0, ge=0, le=services.MAX_COUNT)
    injured: int = Field(0, ge=0, le=services.MAX_COUNT)
    rescued: int = Field(0, ge=0, le=services.MAX_COUNT)
    victims_found: int = Field(0, ge=0, le=services.MAX_COUNT)
    damage_vnd: int | str = 0
    forces: int = Field(0, ge=0, le=services.MAX_COUNT)
    vehicles: int = Field(0, ge=0, le=services.MAX_COUNT)
    river: River | Literal[""] = ""
    vessel: str = Field("", max_length=200)
    response_times: list[ResponseTimeIn] = Field(
        default_factory=list, max_length=services.MAX_ROWS["response_times"]
    )


class IncidentIn(Schema):
    kind: IncidentKind
    occurred_from: ApiDateTime = Field(
        ..., description="When it happened (or the start of the window); local time if no offset"
    )
    occurred_to: ApiDateTime | None = Field(
        None, description="End of the window when the exact time is unknown"
    )
    reported_at: ApiDateTime
    responsible_unit_id: int = Field(..., ge=1, le=MAX_ID)
    lat: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    lon: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    commune: str | None = Field(
        None, pattern=r"^[0-9]{5}$", description="NSO code; ignored when a point is given"
    )
    address: str = Field("", max_length=300)
    premises: PremisesType = PremisesType.OTHER
    narrative: str = Field("", max_length=20000)
    offences: list[OffenceIn] = Field(default_factory=list, max_length=services.MAX_ROWS["offences"])
    persons: list[PersonIn] = Field(default_factory=list, max_length=services.MAX_ROWS["persons"])
    losses: list[LossIn] = Field(default_factory=list, max_length=services.MAX_ROWS["losses"])
    crime_report_ids: list[int] = Field(default_factory=list, max_length=services.MAX_ROWS["crime_reports"])
    fire_rescue: FireRescueIn | None = Field(None, description="Fires, explosions and rescues only")

    def to_data(self) -> services.IncidentData:
        fr = self.fire_rescue
        return services.IncidentData(
            kind=str(self.kind),
            occurred_from=self.occurred_from,
            occurred_to=self.occurred_to,
            reported_at=self.reported_at,
            responsible_unit_id=self.responsible_unit_id,
            lat=self.lat,
            lon=self.lon,
            commune_code=self.commune or "",
            address=self.address,
            premises=str(self.premises),
            narrative=self.narrative,
            offences=tuple(services.OffenceData(o.article, o.clause, o.is_main) for o in self.offences),
            persons=tuple(
                services.PersonData(
                    role=str(p.role),
                    full_name=p.full_name,
                    cccd=p.cccd,
                    phone=p.phone,
                    birth_year=p.birth_year,
                    sex=str(p.sex),
                    address=p.address,
                    note=p.note,
                    person_id=p.person_id,
                )
                for p in self.persons
            ),
            losses=tuple(
                services.LossData(loss.description, loss.value_vnd, loss.recovered) for loss in self.losses
            ),
            crime_report_ids=tuple(self.crime_report_ids),
            fire_rescue=None
            if fr is None
            else services.FireRescueData(
                cause=fr.cause,
                dead=fr.dead,
                injured=fr.injured,
                rescued=fr.rescued,
                victims_found=fr.victims_found,
                damage_vnd=fr.damage_vnd,
                forces=fr.forces,
                vehicles=fr.vehicles,
                river=str(fr.river or ""),
                vessel=fr.vessel,
                response_times=tuple(
                    services.ResponseTimeData(
                        unit_id=rt.unit_id,
                        alerted_at=rt.alerted_at,
                        dispatched_at=rt.dispatched_at,
                        arrived_at=rt.arrived_at,
                        controlled_at=rt.controlled_at,
                        ended_at=rt.ended_at,
                    )
                    for rt in fr.response_times
                ),
            ),
        )


class IncidentUpdateIn(IncidentIn):
    version: int = Field(
        ..., ge=1, le=2**31, description="The version you loaded; 409 if someone saved since"
    )
    reason: str = Field("", max_length=2000, description="Required when the incident is approved")


class ReviewIn(Schema):
    action: Literal["submit", "return", "approve"]
    comment: str = Field("", max_length=2000, description="Required to return an incident")
    version: int = Field(..., ge=1, le=2**31)


# Helpers -------------------------------------------------------------------------------------


def _filters(query: IncidentQuery) -> IncidentFilters | Status:
    dates: dict[str, dt.date | None] = {}
    for name in ("date_from", "date_to"):
        raw = getattr(query, name)
        dates[name] = None
        if raw:
            try:
                dates[name] = parse_date_vn(raw)
            except InvalidDate as exc:
                return bad_query(name, date_message(exc), exc.code)
    kinds: tuple[str, ...] = ()
    if query.kind == "fire_rescue":
        kinds = tuple(sorted(FIRE_RESCUE_KINDS))
    elif query.kind:
        kinds = (str(query.kind),)
    return IncidentFilters(
        q=query.q,
        kinds=kinds,
        offence_group=str(query.offence_group or ""),
        article=query.article,
        commune=query.commune or "",
        unit_id=query.unit,
        date_from=dates["date_from"],
        date_to=dates["date_to"],
        review_status=str(query.review_status or ""),
    )


def _get(request, user, incident_id: int):
    try:
        return get_scoped_or_404(selectors.incident_answer_queryset(viewer=user), user, pk=incident_id)
    except Http404:
        return None


def _detail(user, incident, written: services.Children | None = None) -> dict[str, Any]:
    """The detail answer. `written`: the rows a create or update has just written below the
    incident (incident.written), used as they are instead of being read back; the incident
    itself, the people (masked by the selector) and anything scoped that may have been linked
    by others (cases, linked reports) are still read."""
    fr = selectors.incident_fire_rescue(incident=incident)
    if written is not None and written.response_times == []:
        times = []
    else:
        times = selectors.incident_response_times(incident=incident)
    offences = (
        written.offence_links
        if written is not None
        else selectors.incident_offences(viewer=user, incident=incident)
    )
    incident.main_offence_links = [link for link in offences if link.is_main]  # summary() reads it
    out = summary(incident)
    personal = sees_personal_data(user)
    out.update(
        address=incident.address if personal else mask_address(incident.address),
        narrative=incident.narrative if personal else "",
        review_comment=incident.review_comment,
        offences=[_offence(link) for link in offences],
        persons=[
            {**vars(p), "phones": list(p.phones), "note": p.note}
            for p in selectors.incident_persons(viewer=user, incident=incident)
        ],
        losses=[
            {"description": loss.description, "value_vnd": loss.value_vnd, "recovered": loss.recovered}
            for loss in (written.losses if written is not None else incident.losses.all())
        ],
        crime_reports=[]
        if written is not None and not written.report_ids
        else [
            {"id": r.pk, "register_number": r.register_number}
            for r in selectors.incident_reports(viewer=user, incident=incident)
        ],
        # A new incident's cases come only from the reports it links.
        cases=[]
        if written is not None and written.created and not written.report_ids
        else [
            {"id": c.pk, "number": c.number, "status": c.status}
            for c in selectors.incident_cases(viewer=user, incident=incident)
        ],
        fire_rescue=None
        if fr is None
        else {
            **{
                n: getattr(fr, n)
                for n in (
                    "cause",
                    "dead",
                    "injured",
                    "rescued",
                    "victims_found",
                    "damage_vnd",
                    "forces",
                    "vehicles",
                    "river",
                    "vessel",
                )
            },
            "response_times": [
                {
                    "unit": {"id": rt.unit.pk, "code": rt.unit.code, "name": rt.unit.name},
                    **{s: getattr(rt, s) for s in services.RESPONSE_STEPS},
                }
                for rt in times
            ],
        },
        created_at=incident.created_at,
        updated_at=incident.updated_at,
    )
    return out


def _write_error(request, user, exc: RecordError):
    if exc.code.startswith("permission.") or exc.code == "review.locked":
        return refuse(request, user, exc.message, reason=exc.code)
    return problems(exc)


# Endpoints -----------------------------------------------------------------------------------


@router.get(
    "",
    response={200: IncidentPageOut, 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut},
    url_name="records_incident_list",
    summary="List incidents",
)
def list_incidents(request: HttpRequest, query: Query[IncidentQuery], page: Query[PageQuery]):
    """Incidents the caller may see, newest first, filtered; `limit` at a time from `offset`."""
    user = caller(request)
    if not user.has_role(*READER_ROLES):
        return refuse(request, user)
    filters = _filters(query)
    if isinstance(filters, Status):
        return filters
    total, capped, rows = selectors.incident_slice(
        viewer=user, filters=filters, limit=page.limit, offset=page.offset
    )
    return Status(
        200,
        {
            "count": total,
            "count_capped": capped,
            "limit": page.limit,
            "offset": page.offset,
            "items": [summary(i) for i in rows],
        },
    )


@router.get(
    "/map",
    response={200: MapOut, 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut},
    url_name="records_incident_map",
    summary="Points of the filtered incidents, for the map",
)
def incident_map(request: HttpRequest, query: Query[IncidentQuery]):
    """The same filters and scope as the list; only incidents with a point are drawn."""
    user = caller(request)
    if not user.has_role(*READER_ROLES):
        return refuse(request, user)
    filters = _filters(query)
    if isinstance(filters, Status):
        return filters
    # Up to MAP_LIMIT points of plain numbers and strings, as MapOut documents them: rendered
    # here rather than validated point by point by the schema and dumped again, which cost
    # four times the query itself for a city-wide map (benchmarks/results/load-cpu-profile.md).
    return HttpResponse(
        json.dumps(selectors.incident_map_points(viewer=user, filters=filters)),
        content_type="application/json; charset=utf-8",
    )


@router.get(
    "/{incident_id}",
    response={200: IncidentDetailOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    url_name="records_incident_detail",
    summary="One incident",
)
def get_incident(request: HttpRequest, incident_id: int = Path(..., ge=1, le=MAX_ID)):
    """With offences, people (names and ids null for callers without personal data), losses,
    linked reports and cases, and the fire-and-rescue report."""
    user = caller(request)
    if not user.has_role(*READER_ROLES):
        return refuse(request, user)
    incident = _get(request, user, incident_id)
    if incident is None:
        return Status(404, {"detail": _("No incident with this id.")})
    services.incident_viewed(actor=user, incident=incident, via="api")
    return Status(200, _detail(user, incident))


@router.post(
    "",
    response={201: IncidentDetailOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut},
    url_name="records_incident_create",
    summary="Record an incident",
    openapi_extra=OPENAPI_HEADER,
)
@idempotent(IncidentDetailOut)
def create_incident(request: HttpRequest, payload: IncidentIn):
    """A new draft, numbered in the responsible unit's register. The commune comes from the
    point when one is given; a point outside Hai Phong is refused."""
    user = caller(request)
    if not user.has_role(*WRITER_ROLES):
        return refuse(request, user)
    try:
        incident = services.incident_create(actor=user, data=payload.to_data())
    except RecordError as exc:
        return _write_error(request, user, exc)
    written = incident.written
    incident = selectors.incident_answer_queryset(viewer=user).get(pk=incident.pk)
    return Status(201, _detail(user, incident, written))


@router.put(
    "/{incident_id}",
    response={
        200: IncidentDetailOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ValidationErrorOut,
    },
    url_name="records_incident_update",
    summary="Replace an incident",
)
def update_incident(
    request: HttpRequest, payload: IncidentUpdateIn, incident_id: int = Path(..., ge=1, le=MAX_ID)
):
    """Replace the incident (and its offences, people, losses, reports and fire-rescue report)
    if `version` is still current; 409 otherwise. An approved incident needs a `reason`."""
    user = caller(request)
    if not user.has_role(*WRITER_ROLES):
        return refuse(request, user)
    incident = _get(request, user, incident_id)
    if incident is None:
        return Status(404, {"detail": _("No incident with this id.")})
    try:
        services.incident_update(
            actor=user,
            incident=incident,
            data=payload.to_data(),
            version=payload.version,
            reason=payload.reason,
        )
    except ConflictError as exc:
        return Status(409, {"detail": str(exc)})
    except RecordError as exc:
        return _write_error(request, user, exc)
    written = incident.written
    incident = selectors.incident_answer_queryset(viewer=user).get(pk=incident.pk)
    return Status(200, _detail(user, incident, written))


@router.post(
    "/{incident_id}/review",
    response={
        200: IncidentDetailOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ValidationErrorOut,
    },
    url_name="records_incident_review",
    summary="Submit, return or approve an incident",
)
def review_incident(request: HttpRequest, payload: ReviewIn, incident_id: int = Path(..., ge=1, le=MAX_ID)):
    """Officers of the responsible unit submit; its supervisor returns (with a comment) or
    approves."""
    user = caller(request)
    if not user.has_role(*WRITER_ROLES):
        return refuse(request, user)
    incident = _get(request, user, incident_id)
    if incident is None:
        return Status(404, {"detail": _("No incident with this id.")})
    try:
        incident_review(
            actor=user,
            incident=incident,
            action=payload.action,
            comment=payload.comment,
            version=payload.version,
        )
    except ConflictError as exc:
        return Status(409, {"detail": str(exc)})
    except RecordError as exc:
        return _write_error(request, user, exc)
    incident = selectors.incident_answer_queryset(viewer=user).get(pk=incident.pk)
    return Status(200, _detail(user, incident))
