"""API: the person index (mounted at /api/records/persons). Personal data: commanders,
investigators and commune officers (analysts only with a grant), only persons linked to records
the caller can see, every search and every person read audited."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema

from anninh.accounts.api_schemas import ErrorOut, ValidationErrorOut
from anninh.accounts.permissions import audit_denied
from anninh.records.selectors import persons as selectors
from anninh.records.services import persons as services

router = Router()

MAX_ID = 2**53


class PersonIndexOut(Schema):
    id: int
    full_name: str
    birth_date: dt.date | None
    birth_year: int | None
    sex: str = Field(description="male, female or unknown")
    cccd: str | None
    phones: list[str]
    address: str
    commune: str | None = Field(description="NSO code of the commune of residence")


class PersonReportLinkOut(Schema):
    id: int
    register_number: str
    role: str
    received_at: dt.datetime
    status: str


class PersonIncidentLinkOut(Schema):
    id: int
    number: str
    role: str
    occurred_from: dt.datetime


class PersonIndexDetailOut(PersonIndexOut):
    reports: list[PersonReportLinkOut]
    incidents: list[PersonIncidentLinkOut]


class PersonIndexPageOut(Schema):
    items: list[PersonIndexOut]
    count: int
    limit: int
    offset: int
    next_offset: int | None


class PersonIndexQuery(Schema):
    q: str = Field(..., max_length=100, description="Folded name words, CCCD digits or a phone number.")
    limit: int = Field(selectors.PAGE_SIZE, ge=1, le=200)
    offset: int = Field(0, ge=0, le=10**9)


def _user(request):
    auth = getattr(request, "auth", None)
    return auth if getattr(auth, "is_authenticated", False) else request.user


def _refused(request, user):
    audit_denied(user, reason="personal_data", path=request.get_full_path()[:500])
    return 403, {"detail": _("You may not read personal data.")}


def _person_out(person) -> dict:
    return {
        "id": person.pk,
        "full_name": person.full_name,
        "birth_date": person.birth_date,
        "birth_year": person.birth_year,
        "sex": person.sex,
        "cccd": person.cccd,
        "phones": [p.number for p in person.phones.all()],
        "address": person.address,
        "commune": person.commune_id,
    }


@router.get(
    "",
    response={200: PersonIndexPageOut, 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut},
    url_name="records_person_list",
    summary="Search the person index",
)
def list_persons(request: HttpRequest, query: Query[PersonIndexQuery]):
    """Persons linked to records you can see, given name first (Vietnamese order)."""
    viewer = _user(request)
    if not selectors.persons_allowed(viewer):
        return _refused(request, viewer)
    q = services.clean_text(query.q)
    if not q:
        rows, count = [], 0
    else:
        qs = selectors.person_search(viewer=viewer, q=q)
        count = qs.count()
        rows = list(qs[query.offset : query.offset + query.limit])
    services.persons_searched(actor=viewer, q=q, results=len(rows), via="api")
    end = query.offset + len(rows)
    return 200, {
        "items": [_person_out(p) for p in rows],
        "count": count,
        "limit": query.limit,
        "offset": query.offset,
        "next_offset": end if end < count else None,
    }


@router.get(
    "/{person_id}",
    response={
        200: PersonIndexDetailOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ValidationErrorOut,
    },
    url_name="records_person_detail",
    summary="One person, with the records you can see them in",
)
def get_person(request: HttpRequest, person_id: int = Path(..., ge=1, le=MAX_ID)):
    viewer = _user(request)
    if not selectors.persons_allowed(viewer):
        return _refused(request, viewer)
    person = selectors.person_get(viewer=viewer, pk=person_id)
    services.person_viewed(actor=viewer, person=person, via="api")
    links = selectors.person_links(viewer=viewer, person=person)
    return 200, {
        **_person_out(person),
        "reports": [
            {
                "id": r.pk,
                "register_number": r.register_number,
                "role": "reporter",
                "received_at": r.received_at,
                "status": r.status,
            }
            for r in links.reports
        ],
        "incidents": [
            {
                "id": link.incident_id,
                "number": link.incident.number,
                "role": link.role,
                "occurred_from": link.incident.occurred_from,
            }
            for link in links.incidents
        ],
    }
