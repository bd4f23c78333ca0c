"""/api/accounts/: who am I."""

from __future__ import annotations

from ninja import Router, Schema

from anninh.accounts.api_schemas import ErrorOut
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
