"""Investigations over the API, mounted at /api/investigations/: investigations, entities
(search and one with its identifiers, sources and links), graph neighbourhoods and totals.
Scoped and audited like the pages: the team and named grants only; anyone else, and any id
that does not exist, gets 404 with an audited refusal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from anninh.accounts.api_schemas import ErrorOut, ValidationErrorOut
from anninh.accounts.permissions import audit_denied
from anninh.investigations import selectors, services
from anninh.investigations.access import APP_ROLES, child_or_404, investigation_for
from anninh.investigations.models import Entity, EntityKind

router = Router()
MAX_ID = 2**31


class InvestigationOut(Schema):
    id: int
    code: str
    title: str
    kind: str
    unit: str
    opened_on: dt.date
    is_synthetic: bool
    entities: int


class InvestigationListOut(Schema):
    count: int
    results: list[InvestigationOut]


class InvestigationDetailOut(InvestigationOut):
    counts: dict[str, int]
    crime_reports: list[int]
    cases: list[int]


class EntityOut(Schema):
    id: int
    kind: str
    key: str
    label: str
    role: str
    ring: int | None
    score: float | None
    merged_into: int | None


class EntityQuery(Schema):
    q: str = Field("", max_length=200)
    kind: str = Field("", max_length=20)


class SourceOut(Schema):
    file: str
    sheet: str
    row: int
    imported_by: str
    imported_at: dt.datetime


class LinkOut(Schema):
    id: int
    kind: str
    source: int
    target: int
    amount: Decimal | None
    currency: str
    occurred_at: dt.datetime | None
    reference: str
    file: str
    row: int | None


class EntityDetailOut(EntityOut):
    data: dict
    evidence: dict
    merged: list[EntityOut]
    sources: list[SourceOut]
    links: list[LinkOut]


class GraphQuery(Schema):
    entity: int = Field(..., ge=1, le=MAX_ID)
    depth: int = Field(1, ge=1, le=3)
    limit: int = Field(300, ge=1, le=500)


class NodeOut(Schema):
    id: int
    label: str
    kind: str
    key: str
    role: str
    ring: int | None
    depth: int


class EdgeOut(Schema):
    source: int
    target: int
    kind: str
    count: int
    amount: float


class GraphOut(Schema):
    nodes: list[NodeOut]
    links: list[EdgeOut]
    truncated: bool


class TotalOut(Schema):
    value: float
    ids: list[int]


class TotalsOut(Schema):
    analysed_at: dt.datetime | None
    method: str
    currency: str
    totals: dict[str, TotalOut]
    by_province: list[dict]
    by_month: list[dict]
    by_cash_out: list[dict]


def _caller(request):
    auth = getattr(request, "auth", None)
    return auth if getattr(auth, "is_authenticated", False) else request.user


def _refuse(request, user):
    audit_denied(user, reason="role", path=request.get_full_path()[:500])
    return Status(403, {"detail": _("You may not do this.")})


def _open(request, investigation_id: int):
    """(user, investigation) or an error answer."""
    user = _caller(request)
    if not user.has_role(*APP_ROLES):
        return user, _refuse(request, user)
    try:
        return user, investigation_for(user, investigation_id, path=request.get_full_path()[:500])
    except Http404:
        return user, Status(404, {"detail": _("No such investigation.")})


def _inv_out(inv, entities: int | None = None) -> dict:
    return {
        "id": inv.pk,
        "code": inv.code,
        "title": inv.title,
        "kind": inv.kind,
        "unit": inv.unit.code,
        "opened_on": inv.opened_on,
        "is_synthetic": inv.is_synthetic,
        "entities": entities if entities is not None else getattr(inv, "n_entities", 0),
    }


def _entity_out(e: Entity) -> dict:
    return {
        "id": e.pk,
        "kind": e.kind,
        "key": e.key,
        "label": e.label,
        "role": e.role,
        "ring": e.ring,
        "score": e.score,
        "merged_into": e.merged_into_id,
    }


ERRORS = {403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut}


@router.get(
    "/",
    response={200: InvestigationListOut, 403: ErrorOut},
    url_name="investigations_list",
    summary="Investigations the caller is on the team of or was given access to",
)
def list_investigations(request: HttpRequest):
    user = _caller(request)
    if not user.has_role(*APP_ROLES):
        return _refuse(request, user)
    rows = list(selectors.investigation_list(viewer=user))
    return {"count": len(rows), "results": [_inv_out(i) for i in rows]}


@router.get(
    "/{investigation_id}",
    response={200: InvestigationDetailOut, **ERRORS},
    url_name="investigation",
    summary="One investigation with what it holds",
)
def get_investigation(request: HttpRequest, investigation_id: int = Path(..., ge=1, le=MAX_ID)):
    user, inv = _open(request, investigation_id)
    if isinstance(inv, Status):
        return inv
    services.investigation_read_record(viewer=user, investigation=inv, what="overview", via="api")
    counts = selectors.counts(viewer=user, investigation=inv)
    return {
        **_inv_out(inv, sum(v for k, v in counts.items() if k in EntityKind.values)),
        "counts": counts,
        "crime_reports": list(inv.crime_reports.restrict(user).values_list("pk", flat=True)),
        "cases": list(inv.cases.restrict(user).values_list("pk", flat=True)),
    }


@router.get(
    "/{investigation_id}/entities",
    response={200: list[EntityOut], **ERRORS},
    url_name="investigation_entities",
    summary="Search the investigation's entities (name with or without diacritics, identifier)",
)
def search_entities(
    request: HttpRequest, query: Query[EntityQuery], investigation_id: int = Path(..., ge=1, le=MAX_ID)
):
    user, inv = _open(request, investigation_id)
    if isinstance(inv, Status):
        return inv
    kind = query.kind if query.kind in EntityKind.values else ""
    rows = selectors.entity_search(viewer=user, investigation=inv, query=query.q, kind=kind)
    services.investigation_read_record(
        viewer=user, investigation=inv, what="search", query=query.q, kind=kind, hits=len(rows), via="api"
    )
    return [_entity_out(e) for e in rows]


@router.get(
    "/{investigation_id}/entities/{entity_id}",
    response={200: EntityDetailOut, **ERRORS},
    url_name="investigation_entity",
    summary="One entity: identifiers, sources and links",
)
def get_entity(
    request: HttpRequest,
    investigation_id: int = Path(..., ge=1, le=MAX_ID),
    entity_id: int = Path(..., ge=1, le=MAX_ID),
):
    user, inv = _open(request, investigation_id)
    if isinstance(inv, Status):
        return inv
    try:
        entity = child_or_404(Entity.objects, user, inv, entity_id, path=request.get_full_path()[:500])
    except Http404:
        return Status(404, {"detail": _("No such entity.")})
    services.investigation_read_record(
        viewer=user, investigation=inv, what="entity", entity=entity.pk, via="api"
    )
    d = selectors.entity_detail(viewer=user, entity=entity)
    return {
        **_entity_out(entity),
        "data": entity.data,
        "evidence": entity.evidence,
        "merged": [_entity_out(m) for m in d["merged"]],
        "sources": [
            {
                "file": s.batch.file_name,
                "sheet": s.sheet,
                "row": s.row,
                "imported_by": s.batch.created_by.get_username() if s.batch.created_by else "",
                "imported_at": s.batch.created_at,
            }
            for s in d["sources"]
        ],
        "links": [
            {
                "id": lk.pk,
                "kind": lk.kind,
                "source": lk.source_id,
                "target": lk.target_id,
                "amount": lk.amount,
                "currency": lk.currency,
                "occurred_at": lk.occurred_at,
                "reference": lk.reference,
                "file": lk.batch.file_name if lk.batch else "",
                "row": lk.row,
            }
            for lk in d["links"]
        ],
    }


@router.get(
    "/{investigation_id}/graph",
    response={200: GraphOut, **ERRORS},
    url_name="investigation_graph",
    summary="The neighbourhood of an entity (at most `limit` nodes)",
)
def get_graph(
    request: HttpRequest, query: Query[GraphQuery], investigation_id: int = Path(..., ge=1, le=MAX_ID)
):
    user, inv = _open(request, investigation_id)
    if isinstance(inv, Status):
        return inv
    try:
        centre = child_or_404(Entity.objects, user, inv, query.entity, path=request.get_full_path()[:500])
    except Http404:
        return Status(404, {"detail": _("No such entity.")})
    centre_id = centre.merged_into_id or centre.pk
    graph = selectors.neighbourhood(
        viewer=user, investigation=inv, centre_ids=[centre_id], depth=query.depth, limit=query.limit
    )
    services.investigation_read_record(
        viewer=user, investigation=inv, what="chart", entity=centre_id, nodes=len(graph["nodes"]), via="api"
    )
    return graph


@router.get(
    "/{investigation_id}/totals",
    response={200: TotalsOut, **ERRORS},
    url_name="investigation_totals",
    summary="The totals of the latest analysis, each with the ids behind it",
)
def get_totals(request: HttpRequest, investigation_id: int = Path(..., ge=1, le=MAX_ID)):
    user, inv = _open(request, investigation_id)
    if isinstance(inv, Status):
        return inv
    services.investigation_read_record(viewer=user, investigation=inv, what="totals", via="api")
    run = selectors.latest_analysis(viewer=user, investigation=inv)
    results = run.results if run else {}
    return {
        "analysed_at": run.created_at if run else None,
        "method": results.get("method", ""),
        "currency": results.get("currency", ""),
        "totals": results.get("totals", {}),
        "by_province": results.get("by_province", []),
        "by_month": results.get("by_month", []),
        "by_cash_out": results.get("by_cash_out", []),
    }
