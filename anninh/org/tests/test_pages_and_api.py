"""Police unit pages, API and admin: who may see them, what they show, queries, audit."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib import admin
from django.test import RequestFactory

from anninh.audit.models import AuditAction, AuditEvent
from anninh.geo.models import Commune
from anninh.org.models import Unit, UnitKind
from anninh.testing.matrix import LOGIN, UNAUTHORIZED, check_matrix, client_for

SIGNED_IN = [
    "commander",
    "analyst",
    "investigator",
    "commune_officer",
    "other_commune_officer",
    "fire_rescue",
    "public_relations",
    "auditor",
    "administrator",
    "no_role",
]


def page_matrix(status: int) -> dict:
    return {"anonymous": LOGIN, **dict.fromkeys(SIGNED_IN, status)}


def api_matrix(status: int) -> dict:
    return {"anonymous": UNAUTHORIZED, **dict.fromkeys(SIGNED_IN, status)}


def test_the_unit_list_answers_every_signed_in_persona(personas):
    check_matrix("/org/units/", page_matrix(200), personas=personas)


@pytest.mark.parametrize("code", ["PC07", "CA11329"])
def test_a_unit_page_answers_every_signed_in_persona(personas, code):
    unit = Unit.objects.get(code=code)
    check_matrix(f"/org/units/{unit.pk}/", page_matrix(200), personas=personas)


def test_an_unknown_unit_page_is_not_found(personas):
    check_matrix("/org/units/999999/", page_matrix(404), personas=personas, audit_denials=False)


def test_the_live_search_answers_anonymous_htmx_calls_with_401(personas):
    headers = {"HX-Request": "true", "HX-Target": "unit-results"}
    check_matrix(
        "/org/units/?q=hong",
        {"anonymous": 401, **dict.fromkeys(SIGNED_IN, 200)},
        personas=personas,
        headers=headers,
    )


def test_the_unit_list_shows_the_tree_and_every_commune_police_with_its_territory(personas):
    response = client_for(personas["public_relations"]).get("/org/units/")
    html = response.content.decode()
    tree = response.context["tree"]
    assert [u.code for u in tree.city] == ["CAHP"]
    assert len(tree.departments) == 11
    assert sum(len(g.units) for g in tree.commune_groups) == 114
    assert [len(g.units) for g in tree.commune_groups] == [45, 67, 2]
    assert 'href="/geo/communes/11311/"' in html
    assert "Công an phường Hồng Bàng" in html
    assert response.context["active_nav"] == "org"


def test_the_unit_search_is_folded_and_returns_only_the_results(personas):
    response = client_for(personas["analyst"]).get(
        "/org/units/", {"q": "cong an hong bang"}, headers={"HX-Request": "true", "HX-Target": "unit-results"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="unit-results">')
    assert response.context["tree"].count == 1
    assert "CA11311" in html


def test_the_unit_list_costs_the_same_few_queries_with_or_without_a_search(
    personas, django_assert_max_num_queries
):
    client = client_for(personas["auditor"])
    client.get("/org/units/")
    for params in ({}, {"q": "phong"}, {"q": "zzz"}):
        with django_assert_max_num_queries(8):
            assert client.get("/org/units/", params).status_code == 200


def test_a_commune_police_page_shows_parent_territory_map_and_member_count(personas):
    unit = Unit.objects.get(code="CA11311")
    response = client_for(personas["commune_officer"]).get(f"/org/units/{unit.pk}/")
    html = response.content.decode()
    city = Unit.objects.get(code="CAHP")
    assert f'href="/org/units/{city.pk}/"' in html
    assert 'href="/geo/communes/11311/"' in html
    assert 'id="unit-territory"' in html
    assert "geo/commune-map.js" in html
    # The commune officer persona and the civil-defence team leader the commune police manage.
    assert response.context["member_count"] == 2
    assert "01/07/2025" in html
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag


def test_the_city_page_lists_its_active_children_and_no_map(personas):
    city = Unit.objects.get(code="CAHP")
    response = client_for(personas["commander"]).get(f"/org/units/{city.pk}/")
    assert len(response.context["children"]) == 11 + 114
    assert "unit-territory" not in response.content.decode()


@pytest.mark.parametrize(
    "url",
    ["/api/org/units?kind=department", "/api/org/units?q=hong%20bang&commune=11311"],
)
def test_the_unit_list_endpoint_answers_signed_in_personas_and_refuses_anonymous(personas, url):
    check_matrix(url, api_matrix(200), personas=personas)


def test_the_unit_detail_endpoint_answers_signed_in_personas_and_refuses_anonymous(personas):
    unit = Unit.objects.get(code="PC02")
    check_matrix(f"/api/org/units/{unit.pk}", api_matrix(200), personas=personas)


def test_an_unknown_unit_is_404_in_the_api(personas):
    check_matrix("/api/org/units/999999", api_matrix(404), personas=personas, audit_denials=False)


def test_the_unit_list_endpoint_filters_by_kind_search_commune_and_activity(personas):
    client = client_for(personas["analyst"])
    assert len(client.get("/api/org/units").json()) == 126
    departments = client.get("/api/org/units", {"kind": "department"}).json()
    assert {u["code"] for u in departments} == {
        "PV01",
        "PA04",
        "PA05",
        "PC01",
        "PC02",
        "PC03",
        "PC04",
        "PC06",
        "PC07",
        "PC08",
        "PK02",
    }
    assert all(u["parent_code"] == "CAHP" for u in departments)
    found = client.get("/api/org/units", {"q": "hong bang"}).json()
    assert [u["code"] for u in found] == ["CA11311"]
    assert found[0]["commune_code"] == "11311"
    assert [u["code"] for u in client.get("/api/org/units", {"commune": "11329"}).json()] == ["CA11329"]
    Unit.objects.filter(code="PK02").update(valid_to=dt.date(2025, 12, 31))
    assert "PK02" not in {u["code"] for u in client.get("/api/org/units").json()}
    assert "PK02" in {u["code"] for u in client.get("/api/org/units", {"active": "false"}).json()}
    assert client.get("/api/org/units", {"kind": "team"}).status_code == 422


def test_the_unit_detail_endpoint_gives_parent_children_and_member_count(personas):
    city = Unit.objects.get(code="CAHP")
    data = client_for(personas["analyst"]).get(f"/api/org/units/{city.pk}").json()
    assert data["code"] == "CAHP"
    assert data["active"] is True
    assert data["parent"] is None
    assert len(data["children"]) == 125
    assert data["member_count"] == 1  # the commander persona
    pc07 = client_for(personas["analyst"]).get(f"/api/org/units/{Unit.objects.get(code='PC07').pk}").json()
    assert pc07["parent"]["code"] == "CAHP"


def test_the_openapi_schema_documents_every_status_the_unit_endpoints_return(personas):
    paths = client_for(personas["analyst"]).get("/api/openapi.json").json()["paths"]
    assert set(paths["/api/org/units"]["get"]["responses"]) == {"200", "401", "422"}
    assert set(paths["/api/org/units/{unit_id}"]["get"]["responses"]) == {"200", "401", "404", "422"}


def test_units_and_read_only_communes_are_registered_in_the_admin(personas):
    unit_admin = admin.site._registry[Unit]
    commune_admin = admin.site._registry[Commune]
    request = RequestFactory().get("/admin/")
    request.user = personas["administrator"]
    assert "code" in unit_admin.search_fields
    assert "kind" in unit_admin.list_filter
    assert not commune_admin.has_add_permission(request)
    assert not commune_admin.has_change_permission(request)
    assert not commune_admin.has_delete_permission(request)


def test_an_admin_edit_of_a_unit_writes_an_audit_row_with_before_and_after(personas):
    unit_admin = admin.site._registry[Unit]
    request = RequestFactory().post("/admin/org/unit/")
    request.user = personas["administrator"]
    unit = Unit.objects.get(code="PC08")
    unit.short_name = "CSGT Hải Phòng"
    unit_admin.save_model(request, unit, form=None, change=True)
    event = AuditEvent.objects.filter(object_type="org.unit", object_id=str(unit.pk)).latest("id")
    assert event.action == AuditAction.UPDATE
    assert event.actor_id == personas["administrator"].pk
    assert event.before["short_name"] == "Phòng CSGT"
    assert event.after["short_name"] == "CSGT Hải Phòng"
    assert event.extra == {"via": "admin"}


def test_the_admin_finds_units_by_folded_search(personas):
    unit_admin = admin.site._registry[Unit]
    request = RequestFactory().get("/admin/org/unit/")
    request.user = personas["administrator"]
    found, _ = unit_admin.get_search_results(request, Unit.objects.all(), "cong an hong bang")
    assert list(found.values_list("code", flat=True)) == ["CA11311"]


def test_closing_a_commune_police_unit_removes_it_from_the_commune_page(personas):
    Unit.objects.filter(code="CA11311").update(valid_to=dt.date(2025, 12, 31))
    response = client_for(personas["analyst"]).get("/geo/communes/11311/")
    assert response.context["police_unit"] is None
    assert Unit.objects.get(code="CA11311").kind == UnitKind.COMMUNE


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_units_english_name_is_marked_as_english_on_its_page(personas, language):
    """#13 item 5: the English name is data, not an untranslated string: lang="en" tells a
    screen reader (and the sweep) which language it is in; the names around it stay Vietnamese."""
    unit = Unit.objects.get(code="PC02")
    client = client_for(personas["analyst"])
    client.cookies["django_language"] = language
    html = client.get(f"/org/units/{unit.pk}/").content.decode()
    assert '<dd lang="en">Criminal Police Division</dd>' in html
    assert html.count("Criminal Police Division") == 1
    assert "<h1>Phòng Cảnh sát hình sự" in html
