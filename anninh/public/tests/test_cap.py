"""CAP 1.2 messages and the Atom feed: valid against the OASIS schema (vendored in
tests/data with its licence note), one <info> per language, commune areas as closed
polygons, Update and Cancel referencing what came before."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from lxml import etree
from shapely.geometry import Point

from anninh.geo.geometry import from_geojson
from anninh.geo.models import Commune
from anninh.public import services
from anninh.public.cap import cap_time
from anninh.public.tests.factories import publish_warning, warning_input
from anninh.testing.matrix import client_for

XSD = Path(__file__).parent / "data" / "CAP-v1.2.xsd"
NS = {"cap": "urn:oasis:names:tc:emergency:cap:1.2"}
ATOM = {"a": "http://www.w3.org/2005/Atom"}


@pytest.fixture(scope="module")
def schema():
    return etree.XMLSchema(etree.parse(str(XSD)))


def _cap(client, warning):
    response = client.get(f"/warnings/{warning.pk}.cap")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/cap+xml")
    return etree.fromstring(response.content)


def _assert_valid(schema, doc):
    assert schema.validate(doc), schema.error_log


def test_the_schema_refuses_a_broken_message(schema):
    # The check below can fail: a message without its mandatory <scope> is refused.
    broken = etree.fromstring(
        b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>x</identifier>'
        b"<sender>s</sender><sent>2026-01-01T00:00:00+07:00</sent><status>Actual</status>"
        b"<msgType>Alert</msgType></alert>"
    )
    assert not schema.validate(broken)


def test_a_published_warning_is_a_valid_cap_alert_in_two_languages(personas, schema, client):
    warning = publish_warning(drafter=personas["public_relations"], approver=personas["commander"])
    doc = _cap(client, warning)
    _assert_valid(schema, doc)
    assert doc.findtext("cap:msgType", namespaces=NS) == "Alert"
    assert doc.find("cap:references", NS) is None
    infos = doc.findall("cap:info", NS)
    assert [i.findtext("cap:language", namespaces=NS) for i in infos] == ["vi-VN", "en-US"]
    assert infos[0].findtext("cap:headline", namespaces=NS) == warning.title_vi
    assert infos[1].findtext("cap:headline", namespaces=NS) == warning.title_en
    assert infos[1].findtext("cap:instruction", namespaces=NS) == warning.action_en
    assert infos[0].findtext("cap:severity", namespaces=NS) == "Severe"
    assert infos[1].findtext("cap:web", namespaces=NS).endswith(f"/warnings/{warning.pk}/")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", doc.findtext("cap:sent", namespaces=NS))


def test_each_commune_is_an_area_of_closed_polygons_inside_it(personas, client):
    warning = publish_warning(
        drafter=personas["public_relations"], approver=personas["commander"], commune_codes=["11311", "11329"]
    )
    info = _cap(client, warning).find("cap:info", NS)
    areas = info.findall("cap:area", NS)
    assert [a.findtext("cap:geocode/cap:value", namespaces=NS) for a in areas] == ["11311", "11329"]
    for area in areas:
        code = area.findtext("cap:geocode/cap:value", namespaces=NS)
        commune = Commune.objects.get(code=code)
        assert area.findtext("cap:areaDesc", namespaces=NS) == commune.name
        boundary = from_geojson(commune.boundary).buffer(1e-4)
        polygons = [p.text for p in area.findall("cap:polygon", NS)]
        assert polygons
        for text in polygons:
            pairs = [tuple(map(float, pair.split(","))) for pair in text.split()]
            assert len(pairs) >= 4 and pairs[0] == pairs[-1]
            # CAP order is latitude,longitude: every vertex lies on the commune's boundary.
            assert all(boundary.contains(Point(lon, lat)) for lat, lon in pairs)


def test_a_city_wide_warning_has_the_city_outline_as_its_area(personas, schema, client):
    warning = publish_warning(
        drafter=personas["public_relations"], approver=personas["commander"], whole_city=True
    )
    doc = _cap(client, warning)
    _assert_valid(schema, doc)
    (area,) = doc.find("cap:info", NS).findall("cap:area", NS)
    assert area.findtext("cap:geocode/cap:value", namespaces=NS) == "31"
    assert area.findall("cap:polygon", NS)


def test_an_update_and_a_cancel_reference_the_messages_before_them(personas, schema, client):
    commander = personas["commander"]
    warning = publish_warning(drafter=personas["public_relations"], approver=commander)
    alert = _cap(client, warning)
    alert_id = alert.findtext("cap:identifier", namespaces=NS)
    services.warning_update(actor=commander, warning=warning, data=warning_input(severity="Extreme"))
    update = _cap(client, warning)
    _assert_valid(schema, update)
    assert update.findtext("cap:msgType", namespaces=NS) == "Update"
    refs = update.findtext("cap:references", namespaces=NS).split()
    assert refs == [f"canhbao@congan.haiphong.gov.vn,{alert_id},{alert.findtext('cap:sent', namespaces=NS)}"]
    assert update.findtext("cap:info/cap:severity", namespaces=NS) == "Extreme"
    services.warning_cancel(actor=commander, warning=warning, reason="Đường dây đã bị triệt phá.")
    cancel = _cap(client, warning)
    _assert_valid(schema, cancel)
    assert cancel.findtext("cap:msgType", namespaces=NS) == "Cancel"
    assert cancel.findtext("cap:note", namespaces=NS) == "Đường dây đã bị triệt phá."
    assert len(cancel.findtext("cap:references", namespaces=NS).split()) == 2
    assert (
        len(
            {
                alert_id,
                update.findtext("cap:identifier", namespaces=NS),
                cancel.findtext("cap:identifier", namespaces=NS),
            }
        )
        == 3
    )


def test_a_draft_has_no_cap_message_for_anyone(personas):
    warning = services.warning_create(actor=personas["public_relations"], data=warning_input())
    for user in (None, personas["commander"]):
        assert client_for(user).get(f"/warnings/{warning.pk}.cap").status_code == 404


def test_cap_times_have_seconds_and_the_vietnam_offset():
    value = dt.datetime(2026, 12, 31, 17, 30, 5, 123456, tzinfo=dt.UTC)
    assert cap_time(value) == "2027-01-01T00:30:05+07:00"


def test_the_atom_feed_lists_public_warnings_linking_their_cap_messages(personas, client):
    officer, commander = personas["public_relations"], personas["commander"]
    published = publish_warning(drafter=officer, approver=commander)
    draft = services.warning_create(actor=officer, data=warning_input(title_vi="Bản nháp"))
    response = client.get("/warnings/feed.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = etree.fromstring(response.content)
    entries = feed.findall("a:entry", ATOM)
    assert len(entries) == 1
    links = {link.get("rel"): link for link in entries[0].findall("a:link", ATOM)}
    assert links["alternate"].get("type") == "application/cap+xml"
    assert links["alternate"].get("href").endswith(f"/warnings/{published.pk}.cap")
    assert links["related"].get("href").endswith(f"/warnings/{published.pk}/")
    assert feed.find("a:link[@rel='self']", ATOM).get("href").endswith("/warnings/feed.atom")
    assert draft.title_vi.encode() not in response.content
    first_id = entries[0].findtext("a:id", namespaces=ATOM)
    services.warning_update(actor=commander, warning=published, data=warning_input(severity="Minor"))
    again = etree.fromstring(client.get("/warnings/feed.atom").content)
    # A new message is a new entry id, so readers fetch the update.
    assert again.find("a:entry", ATOM).findtext("a:id", namespaces=ATOM) != first_id
