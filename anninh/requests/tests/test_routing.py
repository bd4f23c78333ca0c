"""Routing: the commune of the place (a point is looked up in the commune boundaries) and the
service decide the handling unit; the most specific rule wins."""

from __future__ import annotations

import pytest

from anninh.org.models import Unit
from anninh.records.tests.test_incidents_factories import point_in
from anninh.requests.models import RouteRule, Service
from anninh.requests.routing import commune_for, route
from anninh.requests.tests.factories import submit

pytestmark = pytest.mark.django_db

A, B = "11311", "11329"


def unit(code: str) -> Unit:
    return Unit.objects.active().get(code=code)


def test_a_point_in_a_commune_goes_to_that_communes_police():
    lat, lon = point_in(B)
    request, _code = submit("order-problem", lat=lat, lon=lon)
    assert request.commune_id == B
    assert request.unit == unit(f"CA{B}")


def test_the_point_wins_over_the_commune_chosen_in_the_list():
    lat, lon = point_in(B)
    assert commune_for(lat=lat, lon=lon, commune_code=A) == B


def test_a_point_outside_the_city_falls_back_to_the_chosen_commune():
    assert commune_for(lat=10.77, lon=106.70, commune_code=A) == A  # Ho Chi Minh City
    assert commune_for(lat=10.77, lon=106.70) == ""


def test_a_service_with_a_city_rule_goes_to_its_department_wherever_it_happens():
    lat, lon = point_in(A)
    request, _code = submit("tip-online-fraud", lat=lat, lon=lon)
    assert request.commune_id == A
    assert request.unit == unit("PA05")


def test_a_complaint_about_police_service_goes_to_the_city_police_not_the_commune_unit():
    request, _code = submit("complaint", commune_code=A)
    assert request.unit == unit("CAHP")


def test_a_rule_for_one_commune_beats_the_rule_for_every_commune():
    service = Service.objects.get(code="tip-online-fraud")
    RouteRule.objects.create(service=service, commune_id=B, unit=unit(f"CA{B}"))
    assert route(service, B) == unit(f"CA{B}")
    assert route(service, A) == unit("PA05")


def test_a_request_without_a_place_goes_to_the_duty_desk():
    request, _code = submit("order-problem", commune_code="")
    assert request.commune_id is None
    assert request.unit == unit("PV01")


def test_a_closed_unit_in_a_rule_is_skipped(settings):
    import datetime as dt

    service = Service.objects.get(code="fire-hazard")
    rule = RouteRule.objects.get(service=service, commune=None)
    Unit.objects.filter(pk=rule.unit_id).update(valid_to=dt.date(2025, 12, 31))
    assert route(service, A) == unit(f"CA{A}")
