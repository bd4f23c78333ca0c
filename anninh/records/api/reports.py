"""API: crime reports (mounted at /api/records/reports).

The register (list with filters, limit/offset), one report, receiving a report, and each step
of the legal workflow (POST /{id}/classify, /transfer, /accept, /verify, /extend,
/procuracy-extend, /decide, /suspend, /resume, /notify) and the collector account (/collector). Same permissions and scoping as the
pages: readers are commanders, analysts, investigators and commune officers; investigators and
commune officers write for their units. Every step carries the version the client loaded:
409 when the report changed meanwhile. Business-rule refusals are 422 with translated
messages, in the same shape as request validation errors.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema

from anninh.accounts.api_schemas import ErrorOut, ValidationErrorOut
from anninh.accounts.permissions import audit_denied
from anninh.accounts.roles import Role
from anninh.datefields import ApiDate, ApiDateTime
from anninh.lib.money import MAX_VND
from anninh.records.api.idempotency import OPENAPI_HEADER, idempotent
from anninh.records.masking import mask_address
from anninh.records.models import ReportChannel, ReportKind, ReportStatus, Sex
from anninh.records.scoping import sees_personal_data
from anninh.records.selectors import reports as selectors
from anninh.records.services import reads
from anninh.records.services import reports as services
from anninh.records.services.collector import collector_view
from anninh.records.services.reports import Action, PermissionRefused
from anninh.records.versioning import ConflictError, RecordError

router = Router()

READER_ROLES = (Role.COMMANDER, Role.ANALYST, Role.INVESTIGATOR, Role.COMMUNE_OFFICER)
MAX_ID = 2**53
MAX_VERSION = 2**31 - 1


# Schemas ---------------------------------------------------------------------------------------


class ReportConflictOut(Schema):
    detail: str
    current_version: int = Field(description="The version the report has now: reload, check, retry with it.")


class ReportUnitRef(Schema):
    id: int
    code: str
    name: str


class ReportCommuneRef(Schema):
    code: str
    name: str


class PenalArticleOut(Schema):
    id: int
    article: str
    name: str
    name_en: str
    chapter: str
    law_version: str
    valid_from: dt.date
    valid_to: dt.date | None


class ReportReporterOut(Schema):
    id: int
    full_name: str
    cccd: str | None
    phones: list[str]
    birth_date: dt.date | None
    sex: str = Field(description="male, female or unknown")
    address: str


class ReportCaseRef(Schema):
    id: int
    number: str
    initiated_on: dt.date
    status: str


class ReportItemOut(Schema):
    id: int
    register_number: str
    register_year: int
    register_seq: int
    kind: str
    channel: str
    status: str
    received_at: dt.datetime
    received_on: dt.date = Field(
        description="Local (Asia/Ho_Chi_Minh) day of receipt: the clock starts here."
    )
    receiving_unit: ReportUnitRef
    handling_unit: ReportUnitRef
    transfer_to: ReportUnitRef | None
    commune: ReportCommuneRef
    address: str
    lat: float | None
    lon: float | None
    suspected_offence: PenalArticleOut | None
    reporter_label: str = Field(description='The reporter as you may see them, e.g. "Confidential reporter".')
    reporter_confidential: bool
    due_on: dt.date | None = Field(description="Last day to decide; null while suspended or once decided.")
    days_left: int | None = Field(description="0 = due today, negative = overdue.")
    overdue: bool
    due_soon: bool
    extended: bool
    procuracy_extended: bool
    decided_on: dt.date | None
    decided_within_deadline: bool | None
    reporter_notified_on: dt.date | None
    procuracy_notified_on: dt.date | None
    version: int


class ReportCollectorOut(Schema):
    """The account the victim paid into. Personal data: without it, `number` is the last
    digits only ("…789") and `key` is empty."""

    key: str = Field(description='Canonical key, e.g. "VCB:0123456789" (empty when masked).')
    bank: str = Field(description='Bank or e-wallet code, e.g. "VCB", "MOMO".')
    bank_name: str
    number: str
    masked: bool
    wallet: bool = Field(description="An e-wallet (MoMo, ZaloPay, Viettel Money) rather than a bank.")


class ReportDetailOut(ReportItemOut):
    summary: str
    reporter: ReportReporterOut | None = Field(description="Only for viewers who may see the reporter.")
    reporter_agency: str
    losses_vnd: int = Field(description="What the reporter says was lost, in đồng (0: none given).")
    collector_account: ReportCollectorOut | None = Field(
        None, description="The account the victim paid into, when given at intake."
    )
    decision_note: str
    cases: list[ReportCaseRef]
    created_at: dt.datetime
    updated_at: dt.datetime


class ReportPageOut(Schema):
    items: list[ReportItemOut]
    count: int
    limit: int
    offset: int
    next_offset: int | None = Field(description="Offset of the next page; null on the last page.")


class ReportListQuery(Schema):
    q: str = Field("", max_length=100, description="Register number, address or summary.")
    status: ReportStatus | None = None
    kind: ReportKind | None = None
    channel: ReportChannel | None = None
    commune: str | None = Field(None, pattern=r"^[0-9]{5}$", description="NSO code")
    unit: int | None = Field(None, ge=1, le=MAX_ID, description="Handling unit id")
    received_from: ApiDate | None = Field(None, description="First day of receipt (local), included.")
    received_to: ApiDate | None = Field(None, description="Last day of receipt (local), included.")
    due: Literal["overdue", "soon", "running"] | None = None
    incoming: bool = Field(
        False,
        description="Only reports waiting for your unit: transferred to it, or received by another "
        "unit for your commune and not yet handled by you.",
    )
    limit: int = Field(selectors.PAGE_SIZE, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10**9)


class ReportReporterIn(Schema):
    full_name: str = Field(..., max_length=150)
    cccd: str = Field("", max_length=20)
    phones: list[str] = Field(default_factory=list, max_length=5)
    birth_date: ApiDate | None = None
    sex: Sex = Field(
        Sex.UNKNOWN, description="male, female or unknown; checked against the CCCD's century-and-sex digit"
    )
    address: str = Field("", max_length=300)


class CollectorIn(Schema):
    """The account the victim paid into (intake and later)."""

    collector_bank: str = Field(
        "",
        max_length=100,
        description='Bank or e-wallet the victim paid into, by code, BIN or name ("VCB", "Vietcombank", '
        '"MoMo"); with collector_number, or both empty.',
    )
    collector_number: str = Field(
        "",
        max_length=40,
        description="The account number paid into (6-19 digits; spaces, dots and dashes ignored; for an "
        "e-wallet its phone number in any form).",
    )


class ReportReceiveIn(CollectorIn):
    kind: ReportKind
    channel: ReportChannel
    received_at: ApiDateTime = Field(description="A time without offset is read as Hai Phong time (UTC+7).")
    summary: str = Field(..., max_length=services.SUMMARY_MAX)
    commune: str = Field("", max_length=5, description="NSO code; may be left empty when lat/lon are given.")
    address: str = Field("", max_length=300)
    lat: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    lon: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    offence_article: str = Field("", max_length=20, description='Penal Code article, e.g. "173" or "256a".')
    receiving_unit_id: int | None = Field(None, ge=1, le=MAX_ID, description="Default: your unit.")
    reporter: ReportReporterIn | None = None
    reporter_confidential: bool = False
    reporter_agency: str = Field("", max_length=200)
    losses_vnd: int = Field(
        0, ge=0, le=MAX_VND, description="Amount lost, in đồng, as the reporter tells it."
    )


class ReportStepIn(Schema):
    version: int = Field(..., ge=1, le=MAX_VERSION, description="The version you loaded.")
    note: str = Field("", max_length=services.NOTE_MAX)


class ReportDatedStepIn(ReportStepIn):
    on: ApiDate | None = Field(None, description="Date of the step (default: today).")


class ReportClassifyIn(ReportStepIn):
    offence_article: str = Field("", max_length=20)


class ReportTransferIn(ReportStepIn):
    to_unit_id: int = Field(..., ge=1, le=MAX_ID)


class ReportProcuracyExtendIn(ReportDatedStepIn):
    months: int = Field(..., ge=1, le=2)


class ReportDecideIn(Schema):
    version: int = Field(..., ge=1, le=MAX_VERSION)
    decision: Literal["initiate", "not_initiate", "suspend"]
    on: ApiDate | None = None
    grounds: str = Field(..., max_length=services.NOTE_MAX)
    offence_article: str = Field("", max_length=20)


class ReportSuspendIn(Schema):
    version: int = Field(..., ge=1, le=MAX_VERSION)
    on: ApiDate | None = None
    grounds: str = Field(..., max_length=services.NOTE_MAX)


class ReportNotifyIn(ReportDatedStepIn):
    target: Literal["reporter", "procuracy"]


class ReportCollectorIn(ReportStepIn, CollectorIn):
    """Both empty removes the account."""


# Helpers -----------------------------------------------------------------------------------------


def _user(request):
    auth = getattr(request, "auth", None)
    return auth if getattr(auth, "is_authenticated", False) else request.user


def _refused(request, user, message: str):
    audit_denied(user, reason="role", path=request.get_full_path()[:500])
    return 403, {"detail": message}


def _reader(request):
    user = _user(request)
    if not user.has_role(*READER_ROLES):
        return user, _refused(request, user, _("You may not read crime reports."))
    return user, None


def _unit(unit) -> dict | None:
    return None if unit is None else {"id": unit.pk, "code": unit.code, "name": unit.short_name or unit.name}


def _collector(viewer, report) -> dict | None:
    view = collector_view(report.collector_account, personal=sees_personal_data(viewer))
    return None if view is None else asdict(view)


def report_out(viewer, report, *, detail: bool = False, new: bool = False) -> dict:
    """The report as `viewer` may see it (the reporter only to whom it may be shown). `new`:
    just received, so no case can have been initiated from it yet (not read)."""
    reporter = selectors.reporter_view(viewer, report)
    out = {
        "id": report.pk,
        "register_number": report.register_number,
        "register_year": report.register_year,
        "register_seq": report.register_seq,
        "kind": report.kind,
        "channel": report.channel,
        "status": report.status,
        "received_at": report.received_at,
        "received_on": report.received_on,
        "receiving_unit": _unit(report.receiving_unit),
        "handling_unit": _unit(report.handling_unit),
        "transfer_to": _unit(report.transfer_to) if report.transfer_to_id else None,
        "commune": {"code": report.commune.code, "name": report.commune.name},
        "address": report.address if sees_personal_data(viewer) else mask_address(report.address),
        "lat": report.lat,
        "lon": report.lon,
        "suspected_offence": report.suspected_offence if report.suspected_offence_id else None,
        "reporter_label": reporter.label,
        "reporter_confidential": report.reporter_confidential,
        "due_on": report.due_on,
        "days_left": report.days_left,
        "overdue": report.overdue,
        "due_soon": report.due_soon,
        "extended": report.extended,
        "procuracy_extended": report.procuracy_extended,
        "decided_on": report.decided_on,
        "decided_within_deadline": report.decided_within_deadline,
        "reporter_notified_on": report.reporter_notified_on,
        "procuracy_notified_on": report.procuracy_notified_on,
        "version": report.version,
    }
    if detail:
        person = reporter.person
        out.update(
            {
                "summary": report.summary if sees_personal_data(viewer) else "",
                "reporter": None
                if person is None
                else {
                    "id": person.pk,
                    "full_name": person.full_name,
                    "cccd": person.cccd,
                    "phones": [p.number for p in person.phones.order_by("id")],
                    "birth_date": person.birth_date,
                    "sex": person.sex,
                    "address": person.address,
                },
                "reporter_agency": reporter.agency if reporter.visible else "",
                "losses_vnd": report.losses_vnd,
                "collector_account": _collector(viewer, report),
                "decision_note": report.decision_note,
                "cases": []
                if new
                else [
                    {"id": c.pk, "number": c.number, "initiated_on": c.initiated_on, "status": c.status}
                    for c in report.cases.order_by("id")
                ],
                "created_at": report.created_at,
                "updated_at": report.updated_at,
            }
        )
    return out


# Where a service's field lands in the request body.
_LOC = {
    "full_name": ["reporter", "full_name"],
    "cccd": ["reporter", "cccd"],
    "phones": ["reporter", "phones"],
    "birth_date": ["reporter", "birth_date"],
    "sex": ["reporter", "sex"],
    "offence": ["offence_article"],
    "to_unit": ["to_unit_id"],
    "receiving_unit": ["receiving_unit_id"],
}


def problems(exc: RecordError) -> dict:
    """422 body, shaped like request validation errors: one item per problem."""
    errors = getattr(exc, "errors", None) or [exc]
    return {
        "detail": [
            {
                "type": e.code,
                "loc": ["body", *_LOC.get(e.field or "", [e.field or "__all__"])],
                "msg": e.message,
            }
            for e in errors
        ]
    }


def _run(request, viewer, fn, **kwargs):
    try:
        report = fn(actor=viewer, **kwargs)
    except PermissionRefused as exc:
        return 403, {"detail": exc.message}
    except ConflictError as exc:
        return 409, {"detail": str(exc), "current_version": exc.obj.version}
    except RecordError as exc:
        return 422, problems(exc)
    fresh = selectors.report_get(viewer=viewer, pk=report.pk)
    received = fn is services.crime_report_receive
    return 201 if received else 200, report_out(viewer, fresh, detail=True, new=received)


# Endpoints ----------------------------------------------------------------------------------------

STEP_RESPONSES = {
    200: ReportDetailOut,
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ReportConflictOut,
    422: ValidationErrorOut,
}


@router.get(
    "",
    response={200: ReportPageOut, 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut},
    url_name="records_report_list",
    summary="The register of crime reports",
)
def list_reports(request: HttpRequest, query: Query[ReportListQuery]):
    """Reports you may see, overdue first, then due within 3 days, then the newest;
    `limit` at a time from `offset`."""
    viewer, refused = _reader(request)
    if refused:
        return refused
    if query.received_from and query.received_to and query.received_from > query.received_to:
        return 422, {
            "detail": [
                {
                    "type": "date.range",
                    "loc": ["query", "received_to"],
                    "msg": _("The end date is before the start date."),
                }
            ]
        }
    filters = selectors.ReportFilters(
        q=services.clean_text(query.q),
        status=query.status or "",
        kind=query.kind or "",
        channel=query.channel or "",
        commune=query.commune or "",
        unit_id=query.unit,
        received_from=query.received_from,
        received_to=query.received_to,
        due=query.due or "",
        incoming=query.incoming,
    )
    qs = selectors.report_list(viewer=viewer, filters=filters)
    count = qs.count()
    rows = selectors.report_rows(qs, query.offset, query.offset + query.limit)
    reads.crime_report_list_viewed(actor=viewer, reports=rows, via="api")
    end = query.offset + len(rows)
    return 200, {
        "items": [report_out(viewer, r) for r in rows],
        "count": count,
        "limit": query.limit,
        "offset": query.offset,
        "next_offset": end if end < count else None,
    }


@router.get(
    "/offences",
    response={200: list[PenalArticleOut], 401: ErrorOut, 422: ValidationErrorOut},
    url_name="records_report_offences",
    summary="Search the offence table (Penal Code articles)",
)
def list_offences(
    request: HttpRequest,
    q: str = Query(
        "", max_length=100, description="Start of an article number, or words of the name (folded)."
    ),
    on: ApiDate | None = Query(None, description="In force on this day (default: today)."),  # noqa: B008
):
    """Reference data for every signed-in user: the article versions in force on `on`."""
    return 200, selectors.offence_search(viewer=_user(request), q=services.clean_text(q), on=on)


@router.post(
    "",
    response={
        201: ReportDetailOut,
        400: ErrorOut,
        401: ErrorOut,
        403: ErrorOut,
        422: ValidationErrorOut,
    },
    url_name="records_report_receive",
    summary="Receive a crime report (enter it in the register)",
    openapi_extra=OPENAPI_HEADER,
)
@idempotent(ReportDetailOut)
def receive_report(request: HttpRequest, payload: ReportReceiveIn):
    """Allocates the register number of the receiving unit for the year of receipt and starts
    the clock. The same CCCD or phone finds the same person."""
    viewer = _user(request)
    reporter = None
    if payload.reporter is not None:
        reporter = services.ReporterInput(
            full_name=payload.reporter.full_name,
            cccd=payload.reporter.cccd,
            phones=tuple(payload.reporter.phones),
            birth_date=payload.reporter.birth_date,
            sex=str(payload.reporter.sex),
            address=payload.reporter.address,
        )
    return _run(
        request,
        viewer,
        services.crime_report_receive,
        kind=payload.kind,
        channel=payload.channel,
        received_at=payload.received_at,
        summary=payload.summary,
        commune_code=payload.commune,
        address=payload.address,
        lat=payload.lat,
        lon=payload.lon,
        offence_article=payload.offence_article,
        receiving_unit_id=payload.receiving_unit_id,
        reporter=reporter,
        reporter_confidential=payload.reporter_confidential,
        reporter_agency=payload.reporter_agency,
        losses_vnd=payload.losses_vnd,
        collector_bank=payload.collector_bank,
        collector_number=payload.collector_number,
    )


@router.get(
    "/{report_id}",
    response={
        200: ReportDetailOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ValidationErrorOut,
    },
    url_name="records_report_detail",
    summary="One crime report",
)
def get_report(request: HttpRequest, report_id: int = Path(..., ge=1, le=MAX_ID)):
    viewer, refused = _reader(request)
    if refused:
        return refused
    report = selectors.report_get(viewer=viewer, pk=report_id)
    out = report_out(viewer, report, detail=True)
    services.crime_report_viewed(
        actor=viewer, report=report, via="api", reporter_shown=out["reporter"] is not None
    )
    return 200, out


def _step(request, report_id: int, fn, payload: Schema):
    """One workflow step: the payload's fields are the service's keyword arguments."""
    viewer = _user(request)
    if not services.is_report_writer(viewer):
        return _refused(request, viewer, _("Only investigators and commune officers handle crime reports."))
    report = selectors.report_get(viewer=viewer, pk=report_id)
    return _run(request, viewer, fn, report=report, **payload.model_dump())


def _step_route(action: Action, summary: str):
    return router.post(
        f"/{{report_id}}/{action.value}",
        response=STEP_RESPONSES,
        url_name=f"records_report_{action.value.replace('-', '_')}",
        summary=summary,
    )


def _report_id():
    return Path(..., ge=1, le=MAX_ID)


@_step_route(Action.CLASSIFY, "Classify: received → classified")
def classify_report(request: HttpRequest, payload: ReportClassifyIn, report_id: int = _report_id()):
    return _step(request, report_id, services.crime_report_classify, payload)


@_step_route(Action.TRANSFER, "Transfer to another unit: → transferred")
def transfer_report(request: HttpRequest, payload: ReportTransferIn, report_id: int = _report_id()):
    return _step(request, report_id, services.crime_report_transfer, payload)


@_step_route(Action.ACCEPT, "Accept a transferred report (the target unit): transferred → classified")
def accept_report(request: HttpRequest, payload: ReportStepIn, report_id: int = _report_id()):
    return _step(request, report_id, services.crime_report_accept, payload)


@_step_route(Action.VERIFY, "Start checking and verification: classified → verifying")
def verify_report(request: HttpRequest, payload: ReportStepIn, report_id: int = _report_id()):
    return _step(request, report_id, services.crime_report_verify, payload)


@_step_route(Action.EXTEND, "Extend the deadline to 2 months from receipt")
def extend_report(request: HttpRequest, payload: ReportDatedStepIn, report_id: int = _report_id()):
    return _step(request, report_id, services.crime_report_extend, payload)


@_step_route(Action.PROCURACY_EXTEND, "Record the procuracy's extension (once, 1 or 2 months)")
def procuracy_extend_report(
    request: HttpRequest, payload: ReportProcuracyExtendIn, report_id: int = _report_id()
):
    return _step(request, report_id, services.crime_report_procuracy_extend, payload)


@_step_route(Action.DECIDE, "Decide: initiate a case, not initiate, or suspend")
def decide_report(request: HttpRequest, payload: ReportDecideIn, report_id: int = _report_id()):
    return _step(request, report_id, services.crime_report_decide, payload)


@_step_route(Action.SUSPEND, "Suspend: verifying → suspended (the clock stops)")
def suspend_report(request: HttpRequest, payload: ReportSuspendIn, report_id: int = _report_id()):
    return _step(request, report_id, services.crime_report_suspend, payload)


@_step_route(Action.RESUME, "Resume: suspended → verifying (at most 1 month remains)")
def resume_report(request: HttpRequest, payload: ReportDatedStepIn, report_id: int = _report_id()):
    return _step(request, report_id, services.crime_report_resume, payload)


@_step_route(Action.NOTIFY, "Record a notification to the reporter or the procuracy")
def notify_report(request: HttpRequest, payload: ReportNotifyIn, report_id: int = _report_id()):
    return _step(request, report_id, services.crime_report_notify, payload)


@_step_route(Action.COLLECTOR, "Add, correct or remove the account the victim paid into (any status)")
def set_report_collector(request: HttpRequest, payload: ReportCollectorIn, report_id: int = _report_id()):
    return _step(request, report_id, services.crime_report_collector_set, payload)
