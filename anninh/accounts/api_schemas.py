"""The API's error bodies, one pair for every app (accounts owns API authentication, so the
error shapes live beside it, below every app that answers).

- `ErrorOut`: 400, 401, 403, 404, 409: `{"detail": "a message in the caller's language"}`.
- `ValidationErrorOut`: 422: `{"detail": [{"type": stable code, "loc": [..., field], "msg":
  message}]}`, one item per problem, from django-ninja's validation or from a service's
  `RecordError`.
"""

from __future__ import annotations

from typing import Any

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


def validation_error_items(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Request validation errors reduced to the documented item: `type`, `loc` and `msg` only.
    Pydantic adds `ctx` (the limit or pattern broken), `input` and `url`; they are not part
    of the contract and `input` would echo whatever the caller sent."""
    return [
        {
            "type": str(error.get("type") or "invalid"),
            "loc": [part if isinstance(part, str | int) else str(part) for part in error.get("loc", ())],
            "msg": str(error.get("msg", "")),
        }
        for error in errors
    ]
