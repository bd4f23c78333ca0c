"""Optimistic locking and the record timeline, shared by every records service.

Two officers editing the same record: each form carries the version it was loaded at;
`save_versioned` writes only if the row still has that version, so the second save gets
a clear conflict instead of silently overwriting the first.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from anninh.audit.services import diff, snapshot
from anninh.records.models import RecordEvent


class ConflictError(Exception):
    """The record changed since the user loaded it."""

    def __init__(self, obj: models.Model):
        super().__init__(
            _(
                "This record was changed by someone else while you were editing it. Reload it, check their changes and apply yours again."
            )
        )
        self.obj = obj


class RecordError(Exception):
    """A business rule refused the change; `message` is already translated, `code` stable."""

    def __init__(self, code: str, message: str, *, field: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


def object_type_of(obj: models.Model) -> str:
    return f"{obj._meta.app_label}.{obj._meta.model_name}"


def save_versioned(obj: models.Model, *, expected_version: int | None, fields: list[str]) -> None:
    """UPDATE the given fields of `obj` only if its stored version is `expected_version`
    (None skips the check, for system writes), and bump the version."""
    model = type(obj)
    new_version = obj.version + 1 if expected_version is None else expected_version + 1
    values = {f: getattr(obj, model._meta.get_field(f).attname) for f in fields}
    for f in fields:
        field = model._meta.get_field(f)
        if getattr(field, "auto_now", False):
            values[f] = field.pre_save(obj, add=False)
    query = model._default_manager.filter(pk=obj.pk)
    if expected_version is not None:
        query = query.filter(version=expected_version)
    attnames = {model._meta.get_field(f).attname: v for f, v in values.items()}
    if query.update(version=new_version, **attnames) != 1:
        raise ConflictError(obj)
    obj.version = new_version


def timeline_add(
    obj: models.Model,
    *,
    actor,
    kind: str,
    before: dict[str, Any] | None = None,
    from_status: str = "",
    to_status: str = "",
    comment: str = "",
) -> RecordEvent:
    """Append an entry to the record's timeline, with its snapshot and field changes."""
    after = snapshot(obj)
    return RecordEvent.objects.create(
        object_type=object_type_of(obj),
        object_id=obj.pk,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_name=(getattr(actor, "full_name", "") or getattr(actor, "username", "")) if actor else "",
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        comment=comment,
        version=getattr(obj, "version", 1),
        snapshot=after,
        changes=diff(before, after) if before is not None else {},
    )


def timeline_for(obj: models.Model):
    return RecordEvent.objects.filter(object_type=object_type_of(obj), object_id=obj.pk).select_related(
        "actor"
    )
