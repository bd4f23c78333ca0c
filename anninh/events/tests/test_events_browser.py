"""In a real browser: a commander draws a venue's area on the event map with four clicks and
adds it; the civil-defence map draws the communes shaded by the force."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from anninh.civildefence.tests.factories import make_team
from anninh.events.models import CommandLogEntry, Venue
from anninh.events.tests.factories import make_event
from anninh.testing.browser import login
from anninh.testing.personas import COMMUNE_A, PASSWORD, make_personas

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


@pytest.fixture
def people(reference_data, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return make_personas()


def test_a_commander_draws_a_venue_on_the_map(page, people):
    from anninh.events import services

    event = make_event(commander=people["commander"])
    services.log_append(
        actor=people["commander"], event=event, text="Bắt đầu."
    )  # the flush must pass the trigger
    login(page, people["commander"].username, PASSWORD)
    page.goto(f"{page.base_url}/events/{event.pk}/")
    page.wait_for_load_state("networkidle")
    box = page.locator("#event-map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for dx, dy in [(-12, -12), (12, -12), (12, 12), (-12, 12)]:
        page.mouse.click(cx + dx, cy + dy)
    assert page.input_value("#v-shape").startswith('{"type":"Polygon"')
    page.fill("#v-name", "Cổng phụ")
    page.click("#venue-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    venue = Venue.objects.get(event=event, name="Cổng phụ")
    assert venue.shape["type"] == "Polygon" and len(venue.shape["coordinates"][0]) == 5
    assert venue.commune_id == COMMUNE_A
    expect(page.locator("[data-testid=venues] li")).to_have_count(2)
    assert page.js_errors == []
    assert CommandLogEntry.objects.unrestricted().count() == 1


def test_the_force_map_shades_the_communes(page, people):
    make_team(actor=people["commune_officer"], commune=COMMUNE_A, members=3)
    login(page, people["commander"].username, PASSWORD)
    page.goto(f"{page.base_url}/civil-defence/")
    page.wait_for_load_state("networkidle")
    # The commune with a team is shaded (not the grey of communes without one) and in view.
    shaded = page.locator('#force-map path.leaflet-interactive:not([fill="#f4f6f8"])')
    expect(shaded).to_have_count(1)
    expect(shaded).to_be_visible()
    assert page.locator("#force-map path.leaflet-interactive").count() >= 114
    assert page.js_errors == []
