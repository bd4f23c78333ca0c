"""Idempotent creates: the same key from the same user does the create once.

A client whose connection (or whose worker) died after a create committed cannot know
whether it did; retrying would make a second incident or report. With a key, the retry gets
the first answer back:

- API: `Idempotency-Key: <any string up to 255 characters>` on a create (POST). The same key
  with the same method, path and body replays the original status and body; the same key
  with another body is refused (`KeyMismatch`, answered 422). Only successful answers are
  kept: a refused request may be retried with its key.
- HTML create forms carry a one-time token (a hidden field): a second submit of the same
  form (back button, double click, resend) leads to the record the first one made.

The key is written in the transaction of the create, and unique per user: of two concurrent
requests with one key, one creates, the other's transaction is rolled back (unique
constraint) and it replays the winner's answer. Keys expire after `KEY_TTL` (24 hours by
default, setting `IDEMPOTENCY_KEY_TTL_HOURS`); each keyed write prunes the expired ones, and
the `idempotency_prune` command does it on a schedule.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from anninh.records.models import IdempotencyKey

KEY_MAX = 255


def key_ttl() -> dt.timedelta:
    return dt.timedelta(hours=getattr(settings, "IDEMPOTENCY_KEY_TTL_HOURS", 24))


class KeyMismatch(Exception):
    """The key was used before for a different request."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: str = ""
    location: str = ""


def request_hash(method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), b"\n", path.encode(), b"\n", body):
        digest.update(part)
    return digest.hexdigest()


def key_valid(key: str) -> bool:
    """1 to 255 visible ASCII characters (what HTTP header values carry without trouble)."""
    return 0 < len(key) <= KEY_MAX and all(33 <= ord(ch) <= 126 for ch in key)


def idempotency_prune(*, now: dt.datetime | None = None) -> int:
    """Delete the expired keys; returns how many."""
    cutoff = (now or timezone.now()) - key_ttl()
    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def idempotent_create(
    *, user, key: str, request_digest: str, run: Callable[[], tuple[Answer | None, Any]]
) -> tuple[Answer | None, Any, bool]:
    """Run `run` once per (user, key). `run()` does the create and returns (the answer to keep,
    or None when it did not succeed; any value for the caller). Returns (answer, value,
    replayed): on a replay, the stored answer, None and True. Raises KeyMismatch when the
    key was used for another request."""
    for attempt in range(2):
        try:
            with transaction.atomic():
                idempotency_prune()
                row = IdempotencyKey.objects.select_for_update().filter(user=user, key=key).first()
                if row is not None:
                    if row.request_hash != request_digest:
                        raise KeyMismatch(key)
                    return Answer(row.response_status, row.response_body, row.location), None, True
                answer, value = run()
                if answer is not None:
                    IdempotencyKey.objects.create(
                        user=user,
                        key=key,
                        request_hash=request_digest,
                        response_status=answer.status,
                        response_body=answer.body,
                        location=answer.location[:300],
                    )
                return answer, value, False
        except IntegrityError:
            # A concurrent request with this key committed first: this create was rolled
            # back with the failed insert; the next round replays the first answer.
            if attempt:
                raise
    raise AssertionError("unreachable")  # pragma: no cover
