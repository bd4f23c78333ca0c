"""/api/accounts/: who am I; a new API token (from a signed-in session only)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import ValidationError
from ninja import Field, Router, Schema

from anninh.accounts import services
from anninh.accounts.api_auth import SessionAuth
from anninh.accounts.api_schemas import ErrorOut, ValidationErrorOut
from anninh.accounts.scoping import scope_for

router = Router()


class MeUnitOut(Schema):
    code: str
    name: str


class MeOut(Schema):
    username: str
    full_name: str
    unit: MeUnitOut | None
    roles: list[str]
    personal_data: bool


@router.get("/me", response={200: MeOut, 401: ErrorOut}, summary="The signed-in user")
def me(request):
    """The user the request authenticates as: name, police unit, roles, and whether they may
    see personal data in the records they can read."""
    user = request.auth
    unit = user.unit if user.unit_id else None
    return {
        "username": user.get_username(),
        "full_name": user.full_name,
        "unit": {"code": unit.code, "name": unit.name} if unit else None,
        "roles": sorted(user.roles),
        "personal_data": scope_for(user).personal_data,
    }


class TokenIn(Schema):
    name: str = Field(max_length=100)
    days: int = Field(description="validity in days, 1 to ANNINH_API_TOKEN_MAX_DAYS (90 unless configured)")
    scope: Literal["read", "write"] = Field(
        "read", description="read: GET, HEAD and OPTIONS only; write: every method"
    )


class TokenOut(Schema):
    name: str
    prefix: str
    scope: str
    expires_at: dt.datetime
    token: str = Field(description="the token itself, shown only in this answer")


@router.post(
    "/tokens",
    auth=SessionAuth,
    response={201: TokenOut, 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut},  # 403: CSRF
    summary="Create an API token for the signed-in user",
)
def token_create(request, payload: TokenIn):
    """A new personal token for the user of this browser session, shown once. Only a session
    (with its CSRF token) may create one: a token cannot make another token, so a stolen
    token dies when it expires or is revoked."""
    try:
        token, raw = services.api_token_create(
            actor=request.auth, user=request.auth, name=payload.name, days=payload.days, scope=payload.scope
        )
    except ValidationError as exc:
        field = {"token_name": "name", "token_days": "days", "token_scope": "scope"}.get(exc.code, "__all__")
        return 422, {
            "detail": [
                {"type": exc.code or "invalid", "loc": ["body", "payload", field], "msg": m}
                for m in exc.messages
            ]
        }
    return 201, {
        "name": token.name,
        "prefix": token.prefix,
        "scope": token.scope,
        "expires_at": token.expires_at,
        "token": raw,
    }
