"""Writing the audit trail.

`audit_record` is the one way a row gets into the log. Services call it inside their own
transaction (`@transaction.atomic`), so the row commits with the change or not at all
(Zulip's pattern). Reads and refusals, which have no transaction of their own, get one here.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from django.db import models, transaction
from django.db.models import Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from anninh.audit import context
from anninh.audit.hashing import GENESIS, HASHED_FIELDS, chain_hash, clean_text, jsonable, normalise_ip
from anninh.audit.models import AuditAction, AuditChainHead, AuditEvent

# Writes must share the transaction of the change they describe.
_MUST_BE_IN_TRANSACTION = {AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE}


def object_type_of(obj: models.Model) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}"


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(obj: models.Model, *, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """A JSON-able picture of a row's concrete fields (foreign keys by id), for before/after."""
    data: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if f.name in exclude or f.attname in exclude:
            continue
        data[f.attname] = _plain(getattr(obj, f.attname))
    return data


def diff(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, Any]:
    """Only the fields that changed, as {field: [old, new]}."""
    before, after = before or {}, after or {}
    return {
        k: [before.get(k), after.get(k)]
        for k in sorted(set(before) | set(after))
        if before.get(k) != after.get(k)
    }


def _unit_code(actor) -> str:
    unit = getattr(actor, "unit", None) if actor is not None else None
    return getattr(unit, "code", "") or ""


def _in_transaction(using: str | None = None) -> bool:
    """True inside a transaction of the application's own. The atomic blocks a Django
    TestCase wraps around each test do not count, so a service that forgot its
    `transaction.atomic` fails in tests as it would in production."""
    connection = transaction.get_connection(using)
    if connection.get_autocommit():
        return False
    blocks = connection.atomic_blocks
    return not (blocks and all(getattr(block, "_from_testcase", False) for block in blocks))


def _lock_head() -> AuditChainHead:
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        # Migration 0002 creates the head; it is gone only after a test flush. INSERT ... ON
        # CONFLICT DO NOTHING never races the way get_or_create does.
        AuditChainHead.objects.bulk_create([AuditChainHead(pk=1, last_hash=GENESIS)], ignore_conflicts=True)
        head = AuditChainHead.objects.select_for_update().get(pk=1)
    return head


def audit_record(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    before: dict | None = None,
    after: dict | None = None,
    extra: dict | None = None,
    username: str = "",
) -> AuditEvent:
    """Append one row to the audit chain.

    `actor` is the user who acted (None or an anonymous user for failed logins; pass the
    attempted `username`). `target` fills object type, id and representation.
    Create, update and delete must be recorded inside the transaction of the change
    (RuntimeError otherwise); other actions get a transaction of their own.
    """
    action = AuditAction(action)
    if action in _MUST_BE_IN_TRANSACTION and not _in_transaction():
        raise RuntimeError(
            f"audit_record({action.value!r}) must run inside the transaction of the change it records"
        )
    if target is not None:
        object_type = object_type or object_type_of(target)
        object_id = object_id or target.pk
        object_repr = object_repr or str(target)
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    ctx = context.current()
    fields = {
        "actor_id": actor.pk if authenticated else None,
        "actor_username": clean_text(actor.get_username() if authenticated else (username or ""))[:150],
        "actor_unit_code": clean_text(_unit_code(actor))[:32] if authenticated else "",
        "request_id": ctx.request_id,
        "action": action.value,
        "object_type": clean_text(str(object_type))[:100],
        "object_id": clean_text(str(object_id))[:64] if object_id not in ("", None) else "",
        "object_repr": clean_text(str(object_repr))[:300],
        "before": jsonable(before),
        "after": jsonable(after),
        "extra": jsonable(extra or {}),
        "client_ip": normalise_ip(ctx.client_ip),
    }
    # No savepoint of its own inside the caller's transaction (two statements less per row):
    # nothing catches a failed audit write and carries on, so a failure takes the whole
    # change with it, which is what an audit row committed "with the change or not at all"
    # needs anyway. Outside a transaction this still opens one.
    with transaction.atomic(savepoint=False):
        head = _lock_head()
        # The time is taken under the lock, so it never goes backwards along the chain.
        fields["at"] = timezone.now()
        digest = chain_hash(head.last_hash, fields)
        event = AuditEvent(prev_hash=head.last_hash, hash=digest, **fields)
        event._chained = True
        event.save(force_insert=True)
        AuditChainHead.objects.filter(pk=1).update(
            last_event_id=event.pk, last_hash=digest, count=models.F("count") + 1
        )
    return event


# Verifying the chain ---------------------------------------------------------------------

VERIFY_BATCH = 2000
_ROW_FIELDS = ("id", "prev_hash", "hash", *HASHED_FIELDS)


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of walking the chain. `first_bad_id` names the first row found wrong
    (for rows removed at the end: the missing row the chain head still points to)."""

    ok: bool
    checked: int
    first_bad_id: int | None = None
    reason: str = ""
    code: str = "ok"
    last_id: int | None = None
    last_hash: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def chain_head() -> dict[str, Any] | None:
    """The head as stored: {"last_event_id", "last_hash", "count"}, or None."""
    return AuditChainHead.objects.filter(pk=1).values("last_event_id", "last_hash", "count").first()


def audit_chain_verify(
    *, batch_size: int = VERIFY_BATCH, progress: Callable[[int], None] | None = None
) -> VerifyResult:
    """Walk the whole chain in id order, in batches (constant memory), recomputing every
    hash from the row as stored and checking every link, then check the chain head.

    Rows appended while the walk runs are outside the walk: it covers the rows up to the
    head read at the start (writers insert under the head lock, so id order is chain order).
    """
    head = chain_head()
    rows = AuditEvent.objects.unrestricted().order_by("id").values_list(*_ROW_FIELDS)
    if head is not None:
        rows = (
            rows.filter(id__lte=head["last_event_id"]) if head["last_event_id"] is not None else rows.none()
        )

    def broken(code: str, first_bad_id: int | None, reason: str) -> VerifyResult:
        return VerifyResult(
            ok=False,
            checked=checked,
            first_bad_id=first_bad_id,
            reason=reason,
            code=code,
            last_id=last_id,
            last_hash=expected_prev,
        )

    checked = 0
    last_id: int | None = None
    expected_prev = GENESIS
    while True:
        batch = list((rows.filter(id__gt=last_id) if last_id is not None else rows)[:batch_size])
        if not batch:
            break
        for row in batch:
            values = dict(zip(_ROW_FIELDS, row, strict=True))
            row_id = values["id"]
            if values["prev_hash"] != expected_prev:
                if last_id is None:
                    reason = _(
                        "Row %(id)s should be the first link of the chain but is not: rows before it "
                        "were removed."
                    ) % {"id": row_id}
                else:
                    reason = _(
                        "Row %(id)s does not link to row %(prev)s before it: rows between them were "
                        "removed, inserted or reordered."
                    ) % {"id": row_id, "prev": last_id}
                return broken("link_broken", row_id, reason)
            if chain_hash(values["prev_hash"], values) != values["hash"]:
                return broken(
                    "hash_mismatch",
                    row_id,
                    _("Row %(id)s does not match its hash: its content was changed after it was written.")
                    % {"id": row_id},
                )
            checked += 1
            last_id = row_id
            expected_prev = values["hash"]
        if progress is not None:
            progress(len(batch))

    if head is None:
        if checked:
            return broken("head_missing", None, _("The chain head is missing: the log cannot be anchored."))
        return VerifyResult(ok=True, checked=0, reason=_("The audit log is empty."), last_hash=GENESIS)
    if head["last_event_id"] is not None and last_id != head["last_event_id"]:
        return broken(
            "tail_missing",
            head["last_event_id"],
            _("Row %(id)s, the newest link of the chain, is missing: rows at the end were removed.")
            % {"id": head["last_event_id"]},
        )
    if expected_prev != head["last_hash"]:
        return broken(
            "head_mismatch",
            last_id,
            _("The chain head does not match row %(id)s, the newest row: the end of the log was changed.")
            % {"id": last_id},
        )
    if checked != head["count"]:
        return broken(
            "count_mismatch",
            None,
            _(
                "The chain holds %(checked)s rows but the head counted %(count)s: rows were removed and "
                "the chain rebuilt."
            )
            % {"checked": checked, "count": head["count"]},
        )
    # One statement, so a writer committing meanwhile cannot make its row look unlinked.
    head_id = AuditChainHead.objects.filter(pk=1).values("last_event_id")[:1]
    stray = (
        AuditEvent.objects.unrestricted()
        .filter(id__gt=Coalesce(Subquery(head_id), Value(0)))
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )
    if stray is not None:
        return broken(
            "unlinked",
            stray,
            _("Row %(id)s is not part of the chain: it was written around the audit service.")
            % {"id": stray},
        )
    return VerifyResult(
        ok=True,
        checked=checked,
        reason=_("Every row matches its hash and links to the row before it."),
        last_id=last_id,
        last_hash=expected_prev,
    )


# Reading the log is audited too --------------------------------------------------------

LOG_OBJECT_TYPE = "audit.auditevent"
CHAIN_OBJECT_TYPE = "audit.auditchainhead"


def audit_log_viewed(
    *, actor, filters: dict[str, Any] | None = None, event: AuditEvent | None = None, via: str = "page"
) -> AuditEvent:
    """One 'view' row per look at the log: a search (with its filters) or one event."""
    extra: dict[str, Any] = {"via": via}
    if filters:
        extra["filters"] = filters
    return audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type=LOG_OBJECT_TYPE,
        object_id=event.pk if event is not None else "",
        object_repr=str(event) if event is not None else "",
        extra=extra,
    )


def audit_log_exported(*, actor, filters: dict[str, Any], fmt: str = "csv") -> AuditEvent:
    return audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        object_type=LOG_OBJECT_TYPE,
        extra={"format": fmt, "filters": filters},
    )


def audit_chain_check(*, actor, via: str = "page") -> VerifyResult:
    """Verify the chain for `actor` and record that they did, with the result: the newest
    such row is the "last verified" status the auditor page shows."""
    result = audit_chain_verify()
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        object_type=CHAIN_OBJECT_TYPE,
        object_id=1,
        object_repr="audit chain",
        extra={"via": via, "operation": "verify", "result": result.as_dict()},
    )
    return result
