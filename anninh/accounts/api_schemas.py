"""The API's error bodies, one pair for every app (accounts owns API authentication, so the
error shapes live beside it, below every app that answers).

- `ErrorOut`: 400, 401, 403, 404, 409: `{"detail": "a message in the caller's language"}`.
- `ValidationErrorOut`: 422: `{"detail": [{"type": stable code, "loc": [..., field], "msg":
  message}]}`, one item per problem, from django-ninja's validation or from a service's
  `RecordError`.
"""

from __future__ import annotations

from ninja import Schema


class ErrorOut(Schema):
    """One message."""

    detail: str


class ValidationErrorItem(Schema):
    type: str
    loc: list[str | int]
    msg: str


class ValidationErrorOut(Schema):
    """The request did not validate; one item per problem."""

    detail: list[ValidationErrorItem]
