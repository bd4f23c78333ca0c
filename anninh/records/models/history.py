"""The timeline of a record: every version, transition, review step and notification,
shown on the record's page (the audit log is the auditor's; this is the officer's)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordEvent(models.Model):
    object_type = models.CharField(max_length=40)  # "records.crimereport", "records.incident", ...
    object_id = models.BigIntegerField()
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    kind = models.CharField(_("event"), max_length=30)  # created, transition, amended, submitted, ...
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    version = models.PositiveIntegerField(default=1)
    snapshot = models.JSONField(default=dict)  # the record as it stood after this event
    changes = models.JSONField(default=dict)  # {field: [old, new]}

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["object_type", "object_id", "at"], name="records_event_object_idx")]

    def __str__(self) -> str:
        return f"{self.object_type}#{self.object_id} v{self.version} {self.kind}"
