"""Arrests and wanted notices over the API, mounted at /api/enforcement/. Scoped like the
pages; a detail is an audited read; names only for roles that read personal data."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from anninh.accounts.api_schemas import ErrorOut, ValidationErrorOut
from anninh.accounts.permissions import audit_denied, get_scoped_or_404
from anninh.datefields import ApiDate, ApiDateTime
from anninh.enforcement import selectors, services
from anninh.enforcement.models import READER_ROLES, Arrest, WantedPerson
from anninh.records.masking import person_label
from anninh.records.versioning import RecordError

router = Router()


class EnforcementListQuery(Schema):
    unit: int | None = Field(None, ge=1, le=2**31)
    date_from: ApiDate | None = None
    date_to: ApiDate | None = None
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=2**31)


class ArrestOut(Schema):
    id: int
    person: int | None
    person_name: str
    arrested_at: dt.datetime
    commune: str
    unit: int
    basis: str
    case: int | None
    wanted: int | None


class ArrestListOut(Schema):
    count: int
    results: list[ArrestOut]


class ArrestIn(Schema):
    person_id: int = Field(..., ge=1, le=2**31)
    arrested_at: ApiDateTime
    commune: str = Field(..., max_length=5)
    responsible_unit_id: int = Field(..., ge=1, le=2**31)
    basis: str = Field(..., max_length=12)
    place: str = Field("", max_length=300)
    case_id: int | None = Field(None, ge=1, le=2**31)
    wanted_id: int | None = Field(None, ge=1, le=2**31)
    note: str = Field("", max_length=500)


class WantedOut(Schema):
    id: int
    person: int | None
    person_name: str
    warrant_number: str
    issuing_body: str
    issued_on: dt.date
    offence_article: str
    commune: str | None
    unit: int
    status: str
    caught_on: dt.date | None
    caught_by: int | None


class WantedListOut(Schema):
    count: int
    results: list[WantedOut]


class WantedIn(Schema):
    person_id: int = Field(..., ge=1, le=2**31)
    warrant_number: str = Field(..., max_length=60)
    issuing_body: str = Field(..., max_length=200)
    issued_on: ApiDate
    responsible_unit_id: int = Field(..., ge=1, le=2**31)
    offence_article: str = Field("", max_length=20)
    commune: str = Field("", max_length=5)


def _caller(request):
    auth = getattr(request, "auth", None)
    return auth if getattr(auth, "is_authenticated", False) else request.user


def _refuse(request, user, reason: str = "role"):
    audit_denied(user, reason=reason, path=request.get_full_path()[:500])
    return Status(403, {"detail": _("You may not do this.")})


def _filters(query: EnforcementListQuery, **extra) -> selectors.EnforcementFilters:
    return selectors.EnforcementFilters(
        unit_id=query.unit, date_from=query.date_from, date_to=query.date_to, **extra
    )


def _arrest_out(a: Arrest, personal: bool) -> dict:
    return {
        "id": a.pk,
        "person": a.person_id if personal else None,
        "person_name": a.person.full_name if personal else person_label(1),
        "arrested_at": a.arrested_at,
        "commune": a.commune_id,
        "unit": a.unit_id,
        "basis": a.basis,
        "case": a.case_id,
        "wanted": a.wanted_id,
    }


def _wanted_out(w: WantedPerson, personal: bool) -> dict:
    return {
        "id": w.pk,
        "person": w.person_id if personal else None,
        "person_name": w.person.full_name if personal else person_label(1),
        "warrant_number": w.warrant_number,
        "issuing_body": w.issuing_body,
        "issued_on": w.issued_on,
        "offence_article": w.offence.article if w.offence else "",
        "commune": w.commune_id,
        "unit": w.unit_id,
        "status": w.status,
        "caught_on": w.caught_on,
        "caught_by": w.caught_by_id,
    }


def _invalid(exc: RecordError):
    return Status(
        422,
        {
            "detail": [
                {"type": e.code, "loc": ["body", e.field or ""], "msg": e.message}
                for e in getattr(exc, "errors", [exc])
            ]
        },
    )


@router.get(
    "/arrests",
    response={200: ArrestListOut, 403: ErrorOut, 422: ValidationErrorOut},
    url_name="enforcement_arrests",
    summary="Arrests the caller may see",
)
def list_arrests(request: HttpRequest, query: Query[EnforcementListQuery]):
    user = _caller(request)
    if not user.has_role(*READER_ROLES):
        return _refuse(request, user)
    qs = selectors.arrest_list(viewer=user, filters=_filters(query))
    personal = selectors.sees_personal_data(user)
    return {
        "count": qs.count(),
        "results": [_arrest_out(a, personal) for a in qs[query.offset : query.offset + query.limit]],
    }


@router.get(
    "/arrests/{arrest_id}",
    response={200: ArrestOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    url_name="enforcement_arrest",
    summary="One arrest (an audited read)",
)
def get_arrest(request: HttpRequest, arrest_id: int = Path(..., ge=1, le=2**31)):
    user = _caller(request)
    if not user.has_role(*READER_ROLES):
        return _refuse(request, user)
    try:
        arrest = get_scoped_or_404(
            selectors.arrest_list(viewer=user), user, unscoped=Arrest.objects.unrestricted(), pk=arrest_id
        )
    except Http404:
        return Status(404, {"detail": _("No such arrest.")})
    services.record_viewed(actor=user, obj=arrest)
    return _arrest_out(arrest, selectors.sees_personal_data(user))


@router.post(
    "/arrests",
    response={201: ArrestOut, 400: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut},
    url_name="enforcement_arrest_create",
    summary="Record an arrest",
)
def create_arrest(request: HttpRequest, body: ArrestIn):
    user = _caller(request)
    if not user.has_role("investigator", "commune_officer"):
        return _refuse(request, user)
    try:
        arrest = services.arrest_create(
            actor=user,
            person_id=body.person_id,
            arrested_at=body.arrested_at,
            commune_code=body.commune,
            unit_id=body.responsible_unit_id,
            basis=body.basis,
            place=body.place,
            case_id=body.case_id,
            wanted_id=body.wanted_id,
            note=body.note,
        )
    except RecordError as exc:
        if exc.code.startswith("permission."):
            return _refuse(request, user, exc.code)
        return _invalid(exc)
    return Status(201, _arrest_out(arrest, True))


@router.get(
    "/wanted",
    response={200: WantedListOut, 403: ErrorOut, 422: ValidationErrorOut},
    url_name="enforcement_wanted_list",
    summary="Wanted notices the caller may see (with dates: those caught on those days)",
)
def list_wanted(request: HttpRequest, query: Query[EnforcementListQuery]):
    user = _caller(request)
    if not user.has_role(*READER_ROLES):
        return _refuse(request, user)
    qs = selectors.wanted_list(viewer=user, filters=_filters(query))
    personal = selectors.sees_personal_data(user)
    return {
        "count": qs.count(),
        "results": [_wanted_out(w, personal) for w in qs[query.offset : query.offset + query.limit]],
    }


@router.get(
    "/wanted/{wanted_id}",
    response={200: WantedOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    url_name="enforcement_wanted",
    summary="One wanted notice (an audited read)",
)
def get_wanted(request: HttpRequest, wanted_id: int = Path(..., ge=1, le=2**31)):
    user = _caller(request)
    if not user.has_role(*READER_ROLES):
        return _refuse(request, user)
    try:
        wanted = get_scoped_or_404(
            selectors.wanted_list(viewer=user),
            user,
            unscoped=WantedPerson.objects.unrestricted(),
            pk=wanted_id,
        )
    except Http404:
        return Status(404, {"detail": _("No such wanted notice.")})
    services.record_viewed(actor=user, obj=wanted)
    return _wanted_out(wanted, selectors.sees_personal_data(user))


@router.post(
    "/wanted",
    response={201: WantedOut, 400: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut},
    url_name="enforcement_wanted_create",
    summary="Record a wanted notice",
)
def create_wanted(request: HttpRequest, body: WantedIn):
    user = _caller(request)
    if not user.has_role("investigator", "commune_officer"):
        return _refuse(request, user)
    try:
        wanted = services.wanted_create(
            actor=user,
            person_id=body.person_id,
            warrant_number=body.warrant_number,
            issuing_body=body.issuing_body,
            issued_on=body.issued_on,
            unit_id=body.responsible_unit_id,
            offence_article=body.offence_article,
            commune_code=body.commune,
        )
    except RecordError as exc:
        if exc.code.startswith("permission."):
            return _refuse(request, user, exc.code)
        return _invalid(exc)
    return Status(201, _wanted_out(wanted, True))
