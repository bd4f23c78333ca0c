"""Organisation API (mounted at /api/org/): police units. Authentication (session or token)
is configured once for the whole API in anninh.api."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Path, Query, Router, Status

from anninh.accounts.api_schemas import ErrorOut, ValidationErrorOut
from anninh.org import selectors
from anninh.org.schemas import UnitDetailOut, UnitKindLiteral, UnitOut

router = Router()


@router.get(
    "/units",
    response={200: list[UnitOut], 401: ErrorOut, 422: ValidationErrorOut},
    url_name="org_unit_list",
    summary="List police units",
)
def list_units(
    request: HttpRequest,
    kind: UnitKindLiteral | None = Query(None, description="Only units of this kind"),  # noqa: B008
    q: str = Query("", max_length=100, description="Folded search over code and names"),
    commune: str | None = Query(
        None, pattern=r"^[0-9]{5}$", description="Only units whose territory is this commune"
    ),
    active: bool = Query(
        True, description="Only units active today (false: every unit, closed ones included)"
    ),
):
    return selectors.unit_list(viewer=request.user, kind=kind, q=q, commune=commune, active=active)


@router.get(
    "/units/{unit_id}",
    response={200: UnitDetailOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    url_name="org_unit_detail",
    summary="One police unit, with its parent and children",
)
def get_unit(request: HttpRequest, unit_id: int = Path(..., ge=1, le=2**53)):
    unit = selectors.unit_get(viewer=request.user, pk=unit_id)
    if unit is None:
        return Status(404, {"detail": "No police unit with this id."})
    unit.active = unit.is_active_on()
    unit.children_list = selectors.unit_children(viewer=request.user, unit=unit)
    unit.member_count = selectors.unit_member_count(viewer=request.user, unit=unit)
    return unit
