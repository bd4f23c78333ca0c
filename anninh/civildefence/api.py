"""The civil-defence force over the API, mounted at /api/civil-defence/: the force per commune
(teams, active and trained members, members per 1,000 residents), scoped like the page."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from anninh.accounts.api_schemas import ErrorOut
from anninh.accounts.permissions import audit_denied
from anninh.civildefence import selectors

router = Router()


class CivilDefenceCommuneOut(Schema):
    commune: str
    name: str
    population: int
    teams: int
    members: int
    trained: int
    per_1000: float | None


@router.get(
    "/force",
    response={200: list[CivilDefenceCommuneOut], 403: ErrorOut},
    url_name="civildefence_force",
    summary="The civil-defence force per commune the caller may read",
)
def force(request: HttpRequest):
    auth = getattr(request, "auth", None)
    user = auth if getattr(auth, "is_authenticated", False) else request.user
    if not user.has_role(*selectors.READER_ROLES):
        audit_denied(user, reason="role", path=request.get_full_path()[:500])
        return Status(403, {"detail": _("You may not do this.")})
    return [
        {
            "commune": c.code,
            "name": c.name,
            "population": c.population,
            "teams": c.teams,
            "members": c.members,
            "trained": c.trained,
            "per_1000": c.per_1000,
        }
        for c in selectors.force_by_commune(viewer=user)
    ]
