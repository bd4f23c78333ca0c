"""In a real browser (Debian's chromium via Playwright; skipped without it, see
anninh/testing/browser.py): the incident map draws the 114 communes and groups the filtered
incidents, follows the filters, and the form picks its point on the map and adds rows."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from anninh.accounts.roles import Role
from anninh.records.models import Incident
from anninh.records.tests.test_incidents_factories import fast_passwords, point_in, record, unit_id  # noqa: F401
from anninh.testing.browser import login
from anninh.testing.personas import COMMUNE_A, PASSWORD, make_user

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def tab(request):
    """A browser page on the live server. Live-server tests flush the database between
    tests, which removes the offence table the migrations loaded: load it again."""
    from anninh.records.models import Offence
    from anninh.records.offences import offences_load

    browser_tab = request.getfixturevalue("browser_page")
    if not Offence.objects.exists():
        offences_load(Offence)
    return browser_tab


def drawn(page) -> int:
    """Incidents on the map: the numbers of the groups plus the single points."""
    groups = sum(int(t.replace(".", "")) for t in page.locator(".incident-cluster").all_inner_texts())
    return groups + page.locator(".incident-dot").count()


def test_the_map_groups_the_filtered_incidents_and_follows_the_filters(tab):
    page = tab
    officer = make_user("canbo.hb", Role.COMMUNE_OFFICER, unit_code=f"CA{COMMUNE_A}", full_name="Lê Văn Tâm")
    lat, lon = point_in(COMMUNE_A)
    for i in range(6):  # six thefts along ~300 m of street, and a brawl nearby
        record(officer, point=(lat + i * 0.0006, lon))
    record(officer, kind="public_order", offences=(), point=(lat, lon + 0.0006))
    login(page, "canbo.hb", PASSWORD)
    page.goto(page.base_url + "/records/incidents/")
    expect(page.locator("#incident-map .leaflet-overlay-pane path")).to_have_count(114, timeout=20000)
    # The seven incidents within a few hundred metres of each other are drawn as groups: every
    # incident is counted once, and there are fewer markers than incidents.
    expect(page.locator(".incident-cluster").first).to_be_visible()
    assert drawn(page) == 7
    assert page.locator(".incident-cluster, .incident-dot").count() < 7
    assert not page.locator("img.leaflet-tile").count(), "no tile server"
    # Filtering the list (htmx) redraws the map with the same incidents.
    page.select_option("#f-kind", "public_order")
    expect(page.locator("#incident-results tbody tr")).to_have_count(1)
    expect(page.locator(".incident-cluster")).to_have_count(0)
    expect(page.locator(".incident-dot")).to_have_count(1)
    # Clicking a group zooms in until the incidents separate.
    page.select_option("#f-kind", "")
    expect(page.locator("#incident-results tbody tr")).to_have_count(7)
    expect(page.locator(".incident-cluster").first).to_be_visible()
    page.wait_for_timeout(500)
    assert drawn(page) == 7
    before = page.locator(".incident-cluster, .incident-dot").count()
    # With the keyboard: markers are focusable, Enter opens a group.
    page.locator(".leaflet-marker-icon:has(.incident-cluster)").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_timeout(800)
    assert page.locator(".incident-cluster, .incident-dot").count() > before
    assert page.js_errors == [], page.js_errors


def test_the_form_picks_the_point_on_the_map_and_adds_rows(tab):
    page = tab
    make_user("canbo.hb2", Role.COMMUNE_OFFICER, unit_code=f"CA{COMMUNE_A}")
    login(page, "canbo.hb2", PASSWORD)
    page.goto(page.base_url + "/records/incidents/new/")
    expect(page.locator("#incident-pick-map .leaflet-overlay-pane path")).to_have_count(114, timeout=20000)
    # The fire-and-rescue section shows only for fires, explosions and rescues.
    expect(page.locator("[data-fire-rescue]")).to_be_hidden()
    page.select_option("#id_kind", "fire")
    expect(page.locator("[data-fire-rescue]")).to_be_visible()
    page.select_option("#id_kind", "crime")
    # Typing coordinates places the marker and names the commune.
    lat, lon = point_in(COMMUNE_A)
    page.fill("#id_lat", f"{lat:.6f}")
    page.fill("#id_lon", f"{lon:.6f}")
    page.locator("#id_lon").dispatch_event("change")
    expect(page.locator("#point-status")).to_contain_text("Hồng Bàng")
    expect(page.locator("#id_commune")).to_have_value(COMMUNE_A)
    # Clicking the map moves the point.
    page.locator("#incident-pick-map").click(position={"x": 150, "y": 150})
    expect(page.locator("#id_lat")).not_to_have_value(f"{lat:.6f}")
    page.fill("#id_lat", f"{lat:.6f}")
    page.fill("#id_lon", f"{lon:.6f}")
    # A second offence row, added with the keyboard-reachable button.
    page.locator("[data-formset=offences] [data-add-row]").click()
    expect(page.locator("input[name='offences-TOTAL_FORMS']")).to_have_value("2")
    expect(page.locator("input[name='offences-1-article']")).to_be_focused()
    page.fill("input[name='offences-0-article']", "173")
    page.fill("input[name='offences-1-article']", "174")
    page.fill("#id_occurred_from", "01/11/2026 08:00")
    page.fill("#id_reported_at", "01/11/2026 09:30")
    page.fill("input[name='losses-0-description']", "Xe máy")
    page.fill("input[name='losses-0-value_vnd']", "18.000.000")
    page.locator("form.incident-form button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    errors = page.locator(".errorlist li").all_inner_texts()
    assert not errors, errors
    expect(page).to_have_url(re.compile(r"/records/incidents/\d+/$"))
    incident = Incident.objects.get()
    assert incident.commune_id == COMMUNE_A and incident.losses_vnd == 18_000_000
    assert incident.offence_links.count() == 2
    expect(page.locator('#incident-point-map path[stroke="#c8102e"]')).to_be_visible()
    assert page.js_errors == [], page.js_errors


def test_the_list_fits_1366_px_and_the_map_frames_the_records_without_overlapping_groups(tab):
    """Issue #13 item 3: at 1366 px no column is cut off and the offence is not one word per
    line; the map frames the filtered records (not the far island) and its groups never
    cover one another; its heading is a whole sentence."""
    page = tab
    make_user("chihuy.map", Role.COMMANDER, unit_code="CAHP")
    officer = make_user("canbo.map", Role.COMMUNE_OFFICER, unit_code=f"CA{COMMUNE_A}")
    island_officer = make_user("canbo.dao", Role.COMMUNE_OFFICER, unit_code="CA11948")
    lat, lon = point_in(COMMUNE_A)
    for i in range(60):  # a city centre's worth of incidents, spread over ~1 km
        record(officer, point=(lat + (i % 10) * 0.0008, lon + (i // 10) * 0.0012))
    island_lat, island_lon = point_in("11948")  # one on Bạch Long Vĩ, 100 km offshore
    record(island_officer, commune="11948", point=(island_lat, island_lon))
    login(page, "chihuy.map", PASSWORD)
    page.goto(page.base_url + "/records/incidents/")
    expect(page.locator("#incident-map .leaflet-overlay-pane path")).to_have_count(114, timeout=20000)
    expect(page.locator(".incident-cluster").first).to_be_visible()
    page.wait_for_timeout(500)

    wrap = page.locator("#incident-results .table-wrap")
    assert wrap.evaluate("e => e.scrollWidth <= e.clientWidth"), "a column is cut off at 1366 px"
    assert page.locator("th.offence").bounding_box()["width"] >= 150
    heading = page.locator("#h-incident-map").inner_text()
    assert heading in ("Map of the incidents in the list", "Bản đồ các vụ việc trong danh sách"), heading

    boxes = [
        b for b in (m.bounding_box() for m in page.locator("#incident-map .leaflet-marker-icon").all()) if b
    ]
    assert len(boxes) >= 4, "the map should frame the city's incidents, not the whole sea"
    for i, a in enumerate(boxes):  # the markers are circles: centres at least the two radii apart
        for b in boxes[i + 1 :]:
            dx = (a["x"] + a["width"] / 2) - (b["x"] + b["width"] / 2)
            dy = (a["y"] + a["height"] / 2) - (b["y"] + b["height"] / 2)
            assert (dx * dx + dy * dy) ** 0.5 >= (a["width"] + b["width"]) / 2 - 1, f"groups overlap: {a} {b}"
    assert page.js_errors == [], page.js_errors
