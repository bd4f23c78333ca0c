"""The audit log over the API (mounted at /api/audit/): auditors only, every read audited.

Authentication is global (anninh.api); here each endpoint checks the role, answers 403 to
anyone else and records the refusal.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import IPvAnyAddress

from anninh.accounts.api_schemas import ErrorOut, ValidationErrorOut
from anninh.accounts.permissions import audit_denied
from anninh.audit import selectors, services
from anninh.audit.models import AuditAction
from anninh.datefields import ApiDate

router = Router()

MAX_ID = 2**63 - 1


class EventQuery(Schema):
    username: str | None = Field(None, max_length=150, description="Exact user name.")
    action: AuditAction | None = None
    object_type: str | None = Field(None, max_length=100, description='For example "accounts.user".')
    object_id: str | None = Field(None, max_length=64)
    request_id: uuid.UUID | None = None
    client_ip: IPvAnyAddress | None = None
    date_from: ApiDate | None = Field(None, description="First day (local time), included.")
    date_to: ApiDate | None = Field(None, description="Last day (local time), included.")
    q: str | None = Field(
        None, max_length=200, description="Free text in user name, object type, id or name."
    )
    limit: int = Field(selectors.PAGE_SIZE, ge=1, le=500)
    offset: int = Field(0, ge=0, le=2**62)


class EventOut(Schema):
    id: int
    at: dt.datetime
    actor_id: int | None
    actor_username: str
    actor_unit_code: str
    request_id: uuid.UUID | None
    action: str
    object_type: str
    object_id: str
    object_repr: str
    client_ip: str | None


class ChangeOut(Schema):
    field: str
    kind: str
    before: Any = None
    after: Any = None


class EventDetailOut(EventOut):
    before: Any = None
    after: Any = None
    extra: Any = None
    changes: list[ChangeOut]
    prev_hash: str
    hash: str


class EventPageOut(Schema):
    items: list[EventOut]
    limit: int
    offset: int
    next_offset: int | None = Field(description="Offset of the next page; null on the last page.")


class ChainStatusOut(Schema):
    ok: bool
    checked: int = Field(description="Rows verified.")
    first_bad_id: int | None = Field(description="The first row found wrong, if any.")
    reason: str
    code: str = Field(description="ok, link_broken, hash_mismatch, tail_missing, head_mismatch, …")
    last_id: int | None
    last_hash: str
    count: int = Field(description="Rows the chain head has counted.")


def _user(request):
    auth = getattr(request, "auth", None)
    return auth if getattr(auth, "is_authenticated", False) else request.user


def _refused(request, user):
    audit_denied(user, reason="role", path=request.get_full_path()[:500])
    return Status(403, {"detail": _("Only auditors may read the audit log.")})


@router.get(
    "/events",
    response={200: EventPageOut, 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut},
    summary="Search the audit log",
)
def event_list(request, query: Query[EventQuery]):
    """Audit events matching the filters, newest first, `limit` at a time from `offset`."""
    user = _user(request)
    if not selectors.may_read_log(user):
        return _refused(request, user)
    data = query.dict()
    limit, offset = data.pop("limit"), data.pop("offset")
    filters = selectors.EventFilters.from_mapping(data)
    qs = selectors.event_queryset(viewer=user, filters=filters).values(*selectors.LIST_FIELDS)
    rows = selectors.masked_rows(qs[offset : offset + limit + 1], viewer=user)
    services.audit_log_viewed(actor=user, filters={**filters.as_params(), "offset": offset}, via="api")
    page = {
        "items": rows[:limit],
        "limit": limit,
        "offset": offset,
        "next_offset": offset + limit if len(rows) > limit else None,
    }
    return Status(200, page)


@router.get(
    "/events/{event_id}",
    response={200: EventDetailOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    summary="One audit event",
)
def event_detail(request, event_id: int = Path(..., ge=1, le=MAX_ID)):
    """One event with its before/after snapshots and the field-level changes."""
    user = _user(request)
    if not selectors.may_read_log(user):
        return _refused(request, user)
    event = selectors.event_get(viewer=user, pk=event_id)
    if event is None:
        return Status(404, {"detail": _("No audit event with this id.")})
    services.audit_log_viewed(actor=user, event=event, via="api")
    event.changes = [vars(c) for c in selectors.describe_changes(event.before, event.after)]
    return Status(200, event)


@router.get(
    "/verify",
    response={200: ChainStatusOut, 401: ErrorOut, 403: ErrorOut},
    summary="Verify the hash chain",
)
def verify(request):
    """Walk the whole chain now and report whether it is intact (recorded as a view)."""
    user = _user(request)
    if not selectors.may_read_log(user):
        return _refused(request, user)
    result = services.audit_chain_check(actor=user, via="api")
    head = services.chain_head() or {}
    return Status(200, {**result.as_dict(), "count": head.get("count", 0)})
