"""Geography API (mounted at /api/geo/): the communes, their map layer and point lookup.
Authentication (session or token) is configured once for the whole API in anninh.api."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Path, Query, Router, Status

from anninh.accounts.api_schemas import ErrorOut, ValidationErrorOut
from anninh.geo import lookup, selectors
from anninh.geo.schemas import (
    CommuneDetailOut,
    CommuneFeatureCollection,
    CommuneOut,
    LookupOut,
)

router = Router()

CODE_PATTERN = r"^[0-9]{5}$"


@router.get(
    "/communes",
    response={200: list[CommuneOut], 401: ErrorOut, 422: ValidationErrorOut},
    url_name="geo_commune_list",
    summary="List the communes",
)
def list_communes(
    request: HttpRequest,
    q: str = Query(
        "", max_length=100, description="Folded search: name without diacritics, or the start of an NSO code"
    ),
):
    """The 114 commune-level units in Vietnamese order of their names."""
    return selectors.commune_list(viewer=request.user, q=q)


@router.get(
    "/communes.geojson",
    response={200: CommuneFeatureCollection, 401: ErrorOut},
    url_name="geo_communes_geojson",
    summary="All communes as a GeoJSON FeatureCollection",
)
def communes_geojson(request: HttpRequest):
    """Simplified boundaries (MultiPolygon, lon/lat) with code, name, kind, population, area
    (km²) and density (people per km²). Served from a per-process cache."""
    response = HttpResponse(lookup.communes_geojson_bytes(), content_type="application/json")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@router.get(
    "/communes/{code}",
    response={200: CommuneDetailOut, 401: ErrorOut, 404: ErrorOut, 422: ValidationErrorOut},
    url_name="geo_commune_detail",
    summary="One commune, with its boundary and police unit",
)
def get_commune(
    request: HttpRequest, code: str = Path(..., pattern=CODE_PATTERN, description="5-digit NSO code")
):
    commune = selectors.commune_get(viewer=request.user, code=code)
    if commune is None:
        return Status(404, {"detail": "No commune with this code."})
    commune.police_unit = selectors.commune_police_unit(viewer=request.user, commune=commune)
    return commune


@router.get(
    "/lookup",
    response={200: LookupOut, 401: ErrorOut, 422: ValidationErrorOut},
    url_name="geo_lookup",
    summary="Which commune is at this point?",
)
def lookup_point(
    request: HttpRequest,
    lat: float = Query(
        ..., ge=-90, le=90, allow_inf_nan=False, description="Latitude, WGS84 degrees (-90 to 90)"
    ),
    lon: float = Query(
        ..., ge=-180, le=180, allow_inf_nan=False, description="Longitude, WGS84 degrees (-180 to 180)"
    ),
):
    """The commune containing the point, or null outside Hai Phong. Points in the thin gaps
    the simplified boundaries leave (within 200 m of a unit) map to the nearest unit."""
    code = lookup.commune_at(lat, lon)
    return {"code": code, "name": lookup.commune_name(code), "lat": lat, "lon": lon}
