"""A deployment's own base map (ANNINH_TILE_URL, issue #13 item 7): none by default."""

from __future__ import annotations

import pytest
from django.core.checks import run_checks
from django.urls import reverse

from anninh.testing.matrix import client_for
from anninh.web.checks import tile_url_problem
from anninh.web.middleware import CSP, policy, tile_origin

pytestmark = pytest.mark.django_db

TILES = "https://tiles.congan.example.vn/{z}/{x}/{y}.png"


def test_no_tile_server_by_default(personas, settings):
    assert settings.ANNINH_TILE_URL == ""
    response = client_for(personas["commander"]).get(reverse("geo:commune_list"))
    assert response.status_code == 200
    assert b"anninh-tile-url" not in response.content
    assert response["Content-Security-Policy"] == CSP
    assert "tiles" not in response["Content-Security-Policy"]


def test_a_named_tile_server_reaches_every_map_and_the_policy(personas, settings):
    settings.ANNINH_TILE_URL = TILES
    settings.ANNINH_TILE_ATTRIBUTION = "© Công an TP Hải Phòng"
    response = client_for(personas["commander"]).get(reverse("geo:commune_list"))
    html = response.content.decode()
    assert (
        f'<meta name="anninh-tile-url" content="{TILES}" data-attribution="© Công an TP Hải Phòng">' in html
    )
    assert "web/tiles.js" in html
    assert policy().count("https://tiles.congan.example.vn") == 1
    assert "img-src 'self' data: blob: https://tiles.congan.example.vn;" in policy()


def test_every_map_script_asks_for_the_tiles():
    from pathlib import Path

    import anninh

    root = Path(anninh.__file__).parent
    scripts = [p for p in root.glob("*/static/**/*.js") if "vendor" not in p.parts]
    maps = [p for p in scripts if "L.map(" in p.read_text()]
    assert len(maps) >= 8
    for path in maps:
        text = path.read_text()
        assert text.count("window.anninhTiles(map)") == text.count("L.map("), path


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("", None),
        (TILES, None),
        ("/tiles/{z}/{x}/{y}.png", None),
        ("https://tiles.example.vn/{z}/{x}.png", "it must contain {z}, {x} and {y}"),
        ("ftp://tiles.example.vn/{z}/{x}/{y}.png", "it must be an http(s) address or a path on this site"),
        ("//tiles.example.vn/{z}/{x}/{y}.png", "it must be an http(s) address or a path on this site"),
    ],
)
def test_tile_url_check(url, problem):
    assert tile_url_problem(url) == problem


def test_manage_check_reports_a_bad_tile_url(settings):
    settings.ANNINH_TILE_URL = "https://tiles.example.vn/tile.png"
    assert [m.id for m in run_checks() if m.id == "web.E001"] == ["web.E001"]
    settings.ANNINH_TILE_URL = TILES
    assert not [m for m in run_checks() if m.id == "web.E001"]


def test_tile_origin():
    assert tile_origin(TILES) == "https://tiles.congan.example.vn"
    assert tile_origin("/tiles/{z}/{x}/{y}.png") == ""
