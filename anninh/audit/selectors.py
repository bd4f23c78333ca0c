"""Reading the audit trail. Only auditors read it: every selector takes the viewer and
returns nothing to anyone else, whatever the page or endpoint in front of it checked. Rows
come back masked for a viewer without the personal-data role (anninh.audit.masking)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import asdict, dataclass, fields
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from anninh.accounts.roles import Role
from anninh.audit import masking
from anninh.audit.hashing import clean_text, normalise_ip
from anninh.audit.models import AuditAction, AuditEvent
from anninh.audit.services import CHAIN_OBJECT_TYPE, diff

PAGE_SIZE = 50
# Columns a list needs: the JSON snapshots stay in the database until a row is opened.
LIST_FIELDS = (
    "id",
    "at",
    "actor_id",
    "actor_username",
    "actor_unit_code",
    "request_id",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "client_ip",
)


@dataclass(frozen=True)
class EventFilters:
    """What the auditor searches by; every field optional. Dates are local calendar days,
    both ends included."""

    username: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    request_id: uuid.UUID | None = None
    client_ip: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    q: str = ""

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> EventFilters:
        names = {f.name for f in fields(cls)}
        values = {}
        for name, value in data.items():
            if name not in names or value in (None, ""):
                continue
            values[name] = clean_text(value.strip()) if isinstance(value, str) else value
        if "client_ip" in values:
            # An address that cannot be stored cannot match; "-" keeps the search narrow.
            values["client_ip"] = normalise_ip(values["client_ip"]) or "-"
        return cls(**values)

    def as_params(self) -> dict[str, str]:
        """The filters as query-string values (dates dd/mm/yyyy, as the form reads them)."""
        out = {}
        for name, value in asdict(self).items():
            if value in (None, ""):
                continue
            out[name] = value.strftime("%d/%m/%Y") if isinstance(value, dt.date) else str(value)
        return out


def may_read_log(viewer) -> bool:
    return bool(
        viewer is not None
        and getattr(viewer, "is_authenticated", False)
        and viewer.is_active
        and viewer.has_role(Role.AUDITOR)
    )


def _day_start(day: dt.date) -> dt.datetime | None:
    try:
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    except (OverflowError, ValueError):
        return None


def event_queryset(*, viewer, filters: EventFilters | None = None) -> QuerySet[AuditEvent]:
    """The events `viewer` may read that match `filters`, newest first."""
    if not may_read_log(viewer):
        return AuditEvent.objects.none()
    qs = AuditEvent.objects.restrict(viewer).order_by("-id")
    f = filters or EventFilters()
    if f.username:
        qs = qs.filter(actor_username=f.username)
    if f.action:
        qs = qs.filter(action=f.action) if f.action in AuditAction.values else qs.none()
    if f.object_type:
        qs = qs.filter(object_type=f.object_type)
    if f.object_id:
        qs = qs.filter(object_id=f.object_id)
    if f.request_id:
        qs = qs.filter(request_id=f.request_id)
    if f.client_ip:
        qs = qs.filter(client_ip=f.client_ip) if f.client_ip != "-" else qs.none()
    # Days far outside any real log (year 1, year 9999) are no bound at all.
    if f.date_from and f.date_from > dt.date.min and (start := _day_start(f.date_from)) is not None:
        qs = qs.filter(at__gte=start)
    if f.date_to and f.date_to < dt.date.max and (end := _day_start(f.date_to + dt.timedelta(days=1))):
        qs = qs.filter(at__lt=end)
    if f.q:
        in_repr = Q(object_repr__icontains=f.q)
        if not masking.sees_personal_data(viewer):
            # A name typed here must not find the rows whose object is that person.
            in_repr &= ~Q(object_type__in=masking.personal_repr_types())
        qs = qs.filter(
            Q(actor_username__icontains=f.q)
            | in_repr
            | Q(object_type__icontains=f.q)
            | Q(object_id__icontains=f.q)
        )
    return qs


def masked_rows(rows, *, viewer) -> list[dict[str, Any]]:
    """`.values()` rows as `viewer` may see them (anninh.audit.masking)."""
    sees = masking.sees_personal_data(viewer)
    return [masking.mask_row(row, viewer=viewer, sees=sees) for row in rows]


@dataclass(frozen=True)
class EventPage:
    """One page of a newest-first keyset listing: `older` / `newer` are the cursors of the
    neighbouring pages (None at either end)."""

    events: list[dict[str, Any]]
    older: int | None
    newer: int | None


def event_page(
    *,
    viewer,
    filters: EventFilters,
    before: int | None = None,
    after: int | None = None,
    size: int = PAGE_SIZE,
) -> EventPage:
    """A page of events by keyset on the id: `before=<id>` gives the next older page,
    `after=<id>` the next newer one. Two queries at most, however long the log."""
    qs = event_queryset(viewer=viewer, filters=filters).values(*LIST_FIELDS)
    if after is not None:
        rows = list(qs.filter(id__gt=after).order_by("id")[: size + 1])
        more_newer = len(rows) > size
        rows = masked_rows(rows[:size][::-1], viewer=viewer)
        older = rows[-1]["id"] if rows and qs.filter(id__lt=rows[-1]["id"]).exists() else None
        return EventPage(rows, older=older, newer=rows[0]["id"] if rows and more_newer else None)
    qs_page = qs.filter(id__lt=before) if before is not None else qs
    rows = list(qs_page[: size + 1])
    more_older = len(rows) > size
    rows = masked_rows(rows[:size], viewer=viewer)
    newer = (
        rows[0]["id"] if rows and before is not None and qs.filter(id__gt=rows[0]["id"]).exists() else None
    )
    return EventPage(rows, older=rows[-1]["id"] if rows and more_older else None, newer=newer)


def event_rows(*, viewer, filters: EventFilters, batch_size: int = 1000):
    """Every matching event, newest first, fetched in keyset batches (constant memory, for
    exports of any size), masked for the viewer."""
    qs = event_queryset(viewer=viewer, filters=filters)
    sees = masking.sees_personal_data(viewer)
    last: int | None = None
    while True:
        batch = list((qs.filter(id__lt=last) if last is not None else qs)[:batch_size])
        if not batch:
            return
        for event in batch:
            yield masking.mask_event(event, viewer=viewer, sees=sees)
        last = batch[-1].pk


def event_get(*, viewer, pk: int) -> AuditEvent | None:
    if not 0 < pk < 2**63:
        return None
    event = event_queryset(viewer=viewer).filter(pk=pk).first()
    return masking.mask_event(event, viewer=viewer) if event is not None else None


def last_chain_check(*, viewer) -> AuditEvent | None:
    """The newest recorded verification of the chain (it is an audit row itself)."""
    return (
        event_queryset(viewer=viewer)
        .filter(object_type=CHAIN_OBJECT_TYPE, object_id="1", action=AuditAction.VIEW)
        .first()
    )


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any
    after: Any
    kind: str  # "added", "removed" or "changed"


def describe_changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[FieldChange]:
    """The field-level difference of two snapshots, for the event page."""
    before_d = before if isinstance(before, dict) else {}
    after_d = after if isinstance(after, dict) else {}
    out = []
    for name, (old, new) in diff(before_d, after_d).items():
        if name not in before_d:
            kind = "added"
        elif name not in after_d:
            kind = "removed"
        else:
            kind = "changed"
        out.append(FieldChange(name, old, new, kind))
    return out
