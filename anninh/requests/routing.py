"""Which unit handles a request: by the commune of its place and its service.

1. A rule for this service and this commune (RouteRule with the commune).
2. A rule for this service in every commune (RouteRule without commune), e.g. online
   scams to the cyber-security division PA05, complaints about police service to the City
   Police (a unit does not answer complaints about itself).
3. The commune's own police (the active commune unit whose territory is the commune).
4. Without a commune (no place given, or outside the city): the staff office's duty desk
   (ANNINH_REQUESTS_FALLBACK_UNIT, PV01), which forwards it.

The place is the commune the reporter chose, or the one their point falls in
(anninh.geo.lookup.commune_at); a point wins over a chosen commune when both are given and
the point is inside the city.
"""

from __future__ import annotations

from django.conf import settings

from anninh.geo.lookup import commune_at
from anninh.org.models import Unit, UnitKind
from anninh.requests.models import RouteRule, Service


def commune_for(*, lat: float | None, lon: float | None, commune_code: str = "") -> str:
    """The commune code of the request's place, or "" when unknown or outside the city."""
    if lat is not None and lon is not None:
        found = commune_at(lat, lon)
        if found:
            return found
    return commune_code or ""


def route(service: Service, commune_code: str) -> Unit:
    rules = {r.commune_id: r.unit for r in RouteRule.objects.filter(service=service).select_related("unit")}
    if commune_code and commune_code in rules and rules[commune_code].is_active_on():
        return rules[commune_code]
    if None in rules and rules[None].is_active_on():
        return rules[None]
    if commune_code:
        unit = Unit.objects.active().filter(kind=UnitKind.COMMUNE, commune_id=commune_code).first()
        if unit is not None:
            return unit
    return Unit.objects.active().get(code=settings.ANNINH_REQUESTS_FALLBACK_UNIT)
