"""Geography pages: who may see them, what they show, and how many queries they cost."""

from __future__ import annotations

import json
import re

from anninh.testing.matrix import LOGIN, check_matrix, client_for

EVERY_SIGNED_IN = {
    "commander": 200,
    "analyst": 200,
    "investigator": 200,
    "commune_officer": 200,
    "other_commune_officer": 200,
    "fire_rescue": 200,
    "public_relations": 200,
    "auditor": 200,
    "administrator": 200,
    "no_role": 200,
}


def test_the_commune_list_answers_every_signed_in_persona(personas):
    check_matrix("/geo/communes/", {"anonymous": LOGIN, **EVERY_SIGNED_IN}, personas=personas)


def test_a_commune_page_answers_every_signed_in_persona(personas):
    check_matrix("/geo/communes/11311/", {"anonymous": LOGIN, **EVERY_SIGNED_IN}, personas=personas)


def test_an_unknown_commune_is_not_found_for_everyone_signed_in(personas):
    not_found = dict.fromkeys(EVERY_SIGNED_IN, 404)
    check_matrix(
        "/geo/communes/99999/", {"anonymous": LOGIN, **not_found}, personas=personas, audit_denials=False
    )


def test_the_live_search_answers_anonymous_htmx_calls_with_401(personas):
    headers = {"HX-Request": "true", "HX-Target": "commune-results"}
    check_matrix(
        "/geo/communes/?q=hong", {"anonymous": 401, **EVERY_SIGNED_IN}, personas=personas, headers=headers
    )


def test_the_live_search_returns_only_the_matching_rows(personas):
    client = client_for(personas["analyst"])
    response = client.get(
        "/geo/communes/", {"q": "hong bang"}, headers={"HX-Request": "true", "HX-Target": "commune-results"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="commune-results">')
    assert "<html" not in html
    assert re.findall(r'data-code="(\d+)"', html) == ["11311"]


def test_the_list_shows_all_units_with_their_facts_and_the_map_configuration(personas):
    response = client_for(personas["analyst"]).get("/geo/communes/")
    html = response.content.decode()
    assert len(re.findall(r'data-code="\d{5}"', html)) == 114
    assert "Phường Hồng Bàng" in html
    assert "Q. Hồng Bàng, Q. Ngô Quyền" in html
    assert "vendor/leaflet-1.9.4/leaflet.js" in html
    assert "geo/commune-map.js" in html
    config = json.loads(
        re.search(r'<script id="commune-map-config" type="application/json">(.*?)</script>', html).group(1)
    )
    assert config["geojsonUrl"] == "/api/geo/communes.geojson"
    assert config["detailUrl"].replace(config["placeholder"], "11311") == "/geo/communes/11311/"
    assert len(config["legend"]) == len(config["breaks"]) + 1
    assert response.context["active_nav"] == "geo"


def test_pages_have_no_inline_script(personas):
    client = client_for(personas["analyst"])
    for url in ("/geo/communes/", "/geo/communes/11311/"):
        html = client.get(url).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (url, tag)


def test_the_list_sorts_by_a_column_and_links_to_the_reverse_order(personas):
    response = client_for(personas["analyst"]).get("/geo/communes/", {"sort": "-population"})
    html = response.content.decode()
    codes = re.findall(r'data-code="(\d+)"', html)
    populations = [c.population for c in response.context["communes"]]
    assert populations == sorted(populations, reverse=True)
    assert codes[0] == response.context["communes"][0].code
    assert 'href="?sort=population"' in html


def test_the_list_costs_the_same_few_queries_with_or_without_a_search(
    personas, django_assert_max_num_queries
):
    client = client_for(personas["commune_officer"])
    client.get("/geo/communes/")  # warm the session
    for params in ({}, {"q": "xa"}, {"sort": "-density"}):
        with django_assert_max_num_queries(8):
            assert client.get("/geo/communes/", params).status_code == 200


def test_a_commune_page_shows_its_facts_and_its_commune_police(personas):
    from anninh.org.models import Unit

    response = client_for(personas["fire_rescue"]).get("/geo/communes/11311/")
    html = response.content.decode()
    unit = Unit.objects.get(code="CA11311")
    assert "Phường Hồng Bàng" in html
    assert f'href="/org/units/{unit.pk}/"' in html
    assert "Công an phường Hồng Bàng" in html
    feature = json.loads(
        re.search(r'<script id="commune-feature" type="application/json">(.*?)</script>', html).group(1)
    )
    assert feature["properties"]["code"] == "11311"
    assert feature["geometry"]["type"] == "MultiPolygon"


def test_the_commune_police_units_english_name_is_marked_as_english(personas):
    """#13 item 5: the unit's English name is shown as data, marked lang="en"; the unit's
    Vietnamese name is its link."""
    client = client_for(personas["commune_officer"])
    client.cookies["django_language"] = "vi"
    html = client.get("/geo/communes/11311/").content.decode()
    assert '<dd lang="en">Hong Bang Ward Police</dd>' in html
    assert html.count("Hong Bang Ward Police") == 1
    assert re.search(r'<a href="/org/units/\d+/">Công an phường Hồng Bàng</a>', html)
