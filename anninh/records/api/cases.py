"""API: cases, mounted at /api/records/cases.

List, detail (with the status history), opening a case from an incident, status changes and
clearance, and the clearance rate of a period as it stood on a given day. Same rules as the
pages: wrong role 403 (audited), out of scope 404 (audited), stale version 409, bad input 422.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from anninh.accounts.api_schemas import ErrorOut, ValidationErrorOut
from anninh.accounts.permissions import get_scoped_or_404
from anninh.datefields import ApiDate, ApiDateTime, date_message
from anninh.lib.dates import InvalidDate, parse_date_vn
from anninh.records.api.idempotency import OPENAPI_HEADER, idempotent
from anninh.records.api.incidents import (
    DATE_PATTERN,
    MAX_ID,
    MAX_LIMIT,
    UnitRef,
    bad_query,
    caller,
    problems,
    refuse,
)
from anninh.records.models import CaseStatus, OffenceGroup
from anninh.records.selectors import cases as selectors
from anninh.records.selectors.cases import CaseFilters
from anninh.records.selectors.incidents import incident_detail_queryset
from anninh.records.services import cases as services
from anninh.records.services import reads
from anninh.records.versioning import ConflictError, RecordError

router = Router()

READER_ROLES = ("commander", "analyst", "investigator", "commune_officer")
WRITER_ROLES = tuple(str(r) for r in services.CASE_WRITER_ROLES)


class CaseQuery(Schema):
    q: str = Field("", max_length=100, description="Part of the case number")
    status: CaseStatus | None = None
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="Handling unit id")
    offence_group: OffenceGroup | None = None
    initiated_from: str | None = Field(None, pattern=DATE_PATTERN, description="dd/mm/yyyy or yyyy-mm-dd")
    initiated_to: str | None = Field(None, pattern=DATE_PATTERN)
    limit: int = Field(50, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=2**31)


class CaseOut(Schema):
    id: int
    number: str
    initiated_on: dt.date
    status: str
    handling_unit: UnitRef
    incident_id: int | None
    crime_report_id: int | None
    offence_article: str | None
    offence_group: str
    occurred_at: dt.datetime | None
    offender_identified_at: dt.datetime | None
    arrests: int
    clearing_unit_id: int | None
    closed_on: dt.date | None
    version: int
    url: str


def summary(case) -> dict[str, Any]:
    """The fields of CaseOut, from a case of the case selectors (annotated with its group
    and occurrence time)."""
    u = case.handling_unit
    return {
        "id": case.pk,
        "number": case.number,
        "initiated_on": case.initiated_on,
        "status": case.status,
        "handling_unit": {"id": u.pk, "code": u.code, "name": u.name},
        "incident_id": case.incident_id,
        "crime_report_id": case.crime_report_id,
        "offence_article": case.offence.article if case.offence_id else None,
        "offence_group": getattr(case, "group", "") or "",
        "occurred_at": getattr(case, "occurred", None),
        "offender_identified_at": case.offender_identified_at,
        "arrests": case.arrests,
        "clearing_unit_id": case.clearing_unit_id,
        "closed_on": case.closed_on,
        "version": case.version,
        "url": reverse("records:case_detail", args=[case.pk]),
    }


class CasePageOut(Schema):
    count: int
    limit: int
    offset: int
    items: list[CaseOut]


class StatusChangeOut(Schema):
    from_status: str
    to_status: str
    effective_at: dt.datetime
    note: str


class CaseDetailOut(CaseOut):
    summary: str
    history: list[StatusChangeOut]
    allowed_transitions: list[str]


class CaseIn(Schema):
    incident_id: int = Field(..., ge=1, le=MAX_ID)
    handling_unit_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="Default: the incident's responsible unit"
    )
    initiated_on: ApiDate | None = Field(None, description="Default: today")
    offence_article: str = Field("", max_length=20, description="Default: the incident's main offence")
    summary: str = Field("", max_length=5000)


class TransitionIn(Schema):
    to_status: CaseStatus
    version: int = Field(..., ge=1, le=2**31)
    effective_at: ApiDateTime | None = Field(None, description="Default: now. Ignored for clearance")
    note: str = Field("", max_length=5000)
    offender_identified_at: ApiDateTime | None = Field(None, description="Required to clear")
    arrests: int | None = Field(None, ge=0, le=services.MAX_ARRESTS)
    clearing_unit_id: int | None = Field(None, ge=1, le=MAX_ID, description="Default: the handling unit")


class ClearanceQuery(Schema):
    occurred_from: str = Field(..., pattern=DATE_PATTERN, description="First day of the period (dd/mm/yyyy)")
    occurred_to: str = Field(..., pattern=DATE_PATTERN, description="Last day of the period, included")
    as_of: str | None = Field(
        None, pattern=DATE_PATTERN, description="As things stood at the end of this day (default today)"
    )
    mode: Literal["now", "reported"] = Field(
        "now",
        description="now: as we know now (every change at its effective time, even if entered "
        "later); reported: as it was reported on `as_of` (only changes entered by then)",
    )


class ClearanceGroupOut(Schema):
    group: str
    label: str
    occurred: int
    cleared: int
    rate: float | None


class ClearanceOut(Schema):
    occurred_from: dt.date
    occurred_to: dt.date
    as_of: dt.date
    mode: str
    groups: list[ClearanceGroupOut]
    total: ClearanceGroupOut


def _dates(query, names: tuple[str, ...]) -> dict[str, dt.date | None] | Status:
    out: dict[str, dt.date | None] = {}
    for name in names:
        raw = getattr(query, name)
        out[name] = None
        if raw:
            try:
                out[name] = parse_date_vn(raw)
            except InvalidDate as exc:
                return bad_query(name, date_message(exc), exc.code)
    return out


def _get(user, case_id: int):
    try:
        return get_scoped_or_404(selectors.case_detail_queryset(viewer=user), user, pk=case_id)
    except Http404:
        return None


def _detail(case) -> dict[str, Any]:
    out = summary(case)
    out.update(
        summary=case.summary,
        history=[
            {
                "from_status": c.from_status,
                "to_status": c.to_status,
                "effective_at": c.effective_at,
                "note": c.note,
            }
            for c in selectors.case_history(case=case)
        ],
        allowed_transitions=sorted(services.CASE_TRANSITIONS[case.status]),
    )
    return out


def _write_error(request, user, exc: RecordError):
    if exc.code.startswith("permission."):
        return refuse(request, user, exc.message, reason=exc.code)
    return problems(exc)


@router.get(
    "",
    response={200: CasePageOut, 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut},
    url_name="records_case_list",
    summary="List cases",
)
def list_cases(request: HttpRequest, query: Query[CaseQuery]):
    user = caller(request)
    if not user.has_role(*READER_ROLES):
        return refuse(request, user)
    dates = _dates(query, ("initiated_from", "initiated_to"))
    if isinstance(dates, Status):
        return dates
    filters = CaseFilters(
        q=query.q,
        statuses=(str(query.status),) if query.status else (),
        unit_id=query.unit,
        offence_group=str(query.offence_group or ""),
        initiated_from=dates["initiated_from"],
        initiated_to=dates["initiated_to"],
    )
    total, rows = selectors.case_slice(viewer=user, filters=filters, limit=query.limit, offset=query.offset)
    return Status(
        200,
        {"count": total, "limit": query.limit, "offset": query.offset, "items": [summary(c) for c in rows]},
    )


@router.get(
    "/clearance",
    response={200: ClearanceOut, 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut},
    url_name="records_case_clearance",
    summary="Clearance rate of a period, as it stood on a day",
)
def clearance(request: HttpRequest, query: Query[ClearanceQuery]):
    """Cases of crimes that occurred in the period, by offence group: occurred and cleared as
    of `as_of`, recomputed from the status history. Unfounded and administratively closed
    cases are left out of both counts."""
    user = caller(request)
    if not user.has_role(*READER_ROLES):
        return refuse(request, user)
    dates = _dates(query, ("occurred_from", "occurred_to", "as_of"))
    if isinstance(dates, Status):
        return dates
    start, end = dates["occurred_from"], dates["occurred_to"]
    as_of = dates["as_of"] or timezone.localdate()
    if end < start:
        return bad_query("occurred_to", _("The end date is before the start date."), "date.order")
    lowest = dt.date(1950, 1, 1)
    if min(start, end, as_of) < lowest:
        return bad_query(
            "occurred_from", _("Check the year: this date is too far in the past."), "date.too_early"
        )
    if max(start, end, as_of) >= dt.date(9999, 12, 31):
        return bad_query("occurred_to", _("Check the year."), "date.too_late")
    counts = selectors.clearance_as_of(
        viewer=user,
        occurred_from=start,
        occurred_to=end,
        as_of=as_of,
        known_at=as_of if query.mode == "reported" else None,
    )
    rows, total = selectors.clearance_table(counts)
    return Status(
        200,
        {
            "occurred_from": start,
            "occurred_to": end,
            "as_of": as_of,
            "mode": query.mode,
            "groups": [
                {
                    "group": r.group,
                    "label": r.label,
                    "occurred": r.counts.occurred,
                    "cleared": r.counts.cleared,
                    "rate": r.counts.rate,
                }
                for r in rows
            ],
            "total": {
                "group": "",
                "label": _("Total"),
                "occurred": total.occurred,
                "cleared": total.cleared,
                "rate": total.rate,
            },
        },
    )


@router.get(
    "/{case_id}",
    response={200: CaseDetailOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    url_name="records_case_detail",
    summary="One case, with its status history",
)
def get_case(request: HttpRequest, case_id: int = Path(..., ge=1, le=MAX_ID)):
    user = caller(request)
    if not user.has_role(*READER_ROLES):
        return refuse(request, user)
    case = _get(user, case_id)
    if case is None:
        return Status(404, {"detail": _("No case with this id.")})
    reads.case_viewed(actor=user, case=case, via="api")
    return Status(200, _detail(case))


@router.post(
    "",
    response={
        201: CaseDetailOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ValidationErrorOut,
    },
    url_name="records_case_create",
    summary="Open a case from an incident",
    openapi_extra=OPENAPI_HEADER,
)
@idempotent(CaseDetailOut)
def create_case(request: HttpRequest, payload: CaseIn):
    user = caller(request)
    if not user.has_role(*WRITER_ROLES):
        return refuse(request, user)
    try:
        incident = get_scoped_or_404(incident_detail_queryset(viewer=user), user, pk=payload.incident_id)
    except Http404:
        return Status(404, {"detail": _("No incident with this id.")})
    try:
        case = services.case_create(
            actor=user,
            incident=incident,
            handling_unit_id=payload.handling_unit_id,
            initiated_on=payload.initiated_on,
            offence_article=payload.offence_article,
            summary=payload.summary,
        )
    except RecordError as exc:
        return _write_error(request, user, exc)
    return Status(201, _detail(selectors.case_detail_queryset(viewer=user).get(pk=case.pk)))


@router.post(
    "/{case_id}/transition",
    response={
        200: CaseDetailOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ValidationErrorOut,
    },
    url_name="records_case_transition",
    summary="Change a case's status (clear it, close it, reopen it)",
)
def transition_case(request: HttpRequest, payload: TransitionIn, case_id: int = Path(..., ge=1, le=MAX_ID)):
    user = caller(request)
    if not user.has_role(*WRITER_ROLES):
        return refuse(request, user)
    case = _get(user, case_id)
    if case is None:
        return Status(404, {"detail": _("No case with this id.")})
    try:
        services.case_transition(
            actor=user,
            case=case,
            to_status=str(payload.to_status),
            version=payload.version,
            effective_at=payload.effective_at,
            note=payload.note,
            offender_identified_at=payload.offender_identified_at,
            arrests=payload.arrests,
            clearing_unit_id=payload.clearing_unit_id,
        )
    except ConflictError as exc:
        return Status(409, {"detail": str(exc)})
    except RecordError as exc:
        return _write_error(request, user, exc)
    return Status(200, _detail(selectors.case_detail_queryset(viewer=user).get(pk=case.pk)))
