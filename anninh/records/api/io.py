"""API: exports of the incident list (mounted at /api/records/io/).

    GET /api/records/io/incidents.csv?commune=11311&date_from=01/07/2025
    GET /api/records/io/incidents.xlsx?...
    GET /api/records/io/incidents.geojson?...

The same filters as the incident list; rows through the scoped selector; every export
audited (anninh.records.services.io_export). Roles that read records only; others get 403
and an audited refusal.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from anninh.accounts.api_schemas import ErrorOut, ValidationErrorOut
from anninh.accounts.permissions import audit_denied
from anninh.records.services import io as services
from anninh.records.views.io import CONTENT_TYPES, EXPORT_ROLES, FilterError, export_filters, export_response

router = Router()


class ExportQuery(Schema):
    q: str | None = Field(None, max_length=200, description="Number, address or words of the narrative.")
    kind: str | None = Field(
        None,
        max_length=30,
        description='A kind of incident (e.g. "crime"), or "fire_rescue" for every fire, explosion and rescue.',
    )
    offence_group: str | None = Field(None, max_length=30)
    article: str | None = Field(None, max_length=12, description='Penal Code article, e.g. "173" or "256a".')
    commune: str | None = Field(None, pattern=r"^[0-9]{5}$", description="5-digit NSO commune code.")
    unit: int | None = Field(None, ge=1, le=2**62, description="Responsible unit id.")
    date_from: str | None = Field(
        None, max_length=10, description="First day it occurred (dd/mm/yyyy), included."
    )
    date_to: str | None = Field(
        None, max_length=10, description="Last day it occurred (dd/mm/yyyy), included."
    )
    review_status: str | None = Field(None, max_length=20)


FEATURE_COLLECTION = {
    "type": "object",
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "features": {"type": "array", "items": {"type": "object"}},
    },
    "required": ["type", "features"],
}


def _file_response(media_type: str, description: str, schema: dict | None = None) -> dict:
    body = schema or {"type": "string", "format": "binary"}
    return {"responses": {200: {"description": description, "content": {media_type: {"schema": body}}}}}


def _export(request: HttpRequest, query: ExportQuery, fmt: str):
    auth = getattr(request, "auth", None)
    user = auth if getattr(auth, "is_authenticated", False) else request.user
    if not user.has_role(*EXPORT_ROLES):
        audit_denied(user, reason="role", path=request.get_full_path()[:500])
        return Status(403, {"detail": _("You cannot export incidents.")})
    params = {k: str(v) for k, v in query.dict().items() if v not in (None, "")}
    try:
        filters = export_filters(params)
    except FilterError as exc:
        # The documented 422 shape, one item per refused filter (as the incident list's API).
        items = [{"type": "query.invalid", "loc": ["query", f], "msg": str(m)} for f, m in exc.errors.items()]
        return Status(422, {"detail": items})
    try:
        return export_response(user, filters, fmt, via="api")
    except services.ExportTooLarge as exc:
        return Status(400, {"detail": exc.message})


RESPONSES = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ValidationErrorOut}


@router.get(
    "/incidents.csv",
    response=RESPONSES,
    url_name="records_io_export_csv",
    summary="Export incidents as CSV",
    openapi_extra=_file_response(
        CONTENT_TYPES["csv"].split(";")[0], "CSV in the import format (UTF-8), streamed."
    ),
)
def export_csv(request: HttpRequest, query: Query[ExportQuery]):
    """The filtered incident list as CSV, one column per field of the import format; names
    of people only for viewers with personal data."""
    return _export(request, query, "csv")


@router.get(
    "/incidents.xlsx",
    response=RESPONSES,
    url_name="records_io_export_xlsx",
    summary="Export incidents as XLSX",
    openapi_extra=_file_response(CONTENT_TYPES["xlsx"], "A workbook in the import format."),
)
def export_xlsx(request: HttpRequest, query: Query[ExportQuery]):
    """The filtered incident list as an XLSX workbook (at most 1,048,575 rows; 400 above)."""
    return _export(request, query, "xlsx")


@router.get(
    "/incidents.geojson",
    response=RESPONSES,
    url_name="records_io_export_geojson",
    summary="Export incidents as GeoJSON",
    openapi_extra=_file_response(
        CONTENT_TYPES["geojson"],
        "A FeatureCollection of points (null geometry without a point), streamed.",
        FEATURE_COLLECTION,
    ),
)
def export_geojson(request: HttpRequest, query: Query[ExportQuery]):
    """The filtered incident list as a GeoJSON FeatureCollection (lon/lat points)."""
    return _export(request, query, "geojson")
