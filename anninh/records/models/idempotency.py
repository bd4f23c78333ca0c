"""Idempotency keys: a create retried after its answer was lost is not made twice."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class IdempotencyKey(models.Model):
    """One create done under a client's key (the API's `Idempotency-Key` header, or the
    one-time token of an HTML create form): the hash of the request it answered and the
    answer, so a retry gets the same answer instead of a second record. Written in the
    transaction of the create; kept for `anninh.records.services.idempotency.KEY_TTL`.
    Not a record: only the service reads it, always for one user and one key."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)  # sha256 of method, path and body
    response_status = models.PositiveSmallIntegerField()
    response_body = models.TextField(blank=True)  # the JSON answered (API)
    location = models.CharField(max_length=300, blank=True)  # where a form was sent on (HTML)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="records_idempotency_key_once")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"
