"""System checks for the web settings (`manage.py check`)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register

from anninh.web.middleware import tile_origin


def tile_url_problem(url: str) -> str | None:
    """Why ANNINH_TILE_URL cannot serve as a Leaflet tile template, or None when it can."""
    if not url:
        return None
    if not all(part in url for part in ("{z}", "{x}", "{y}")):
        return "it must contain {z}, {x} and {y}"
    if not (url.startswith("/") and not url.startswith("//")) and not tile_origin(url):
        return "it must be an http(s) address or a path on this site"
    return None


@register()
def tile_url_check(app_configs=None, **kwargs):
    problem = tile_url_problem(getattr(settings, "ANNINH_TILE_URL", ""))
    if problem is None:
        return []
    return [
        Error(
            f"ANNINH_TILE_URL cannot be used as a tile address: {problem}.",
            hint='For example ANNINH_TILE_URL="https://tiles.example.gov.vn/{z}/{x}/{y}.png", or leave it empty.',
            id="web.E001",
        )
    ]
