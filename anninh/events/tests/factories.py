"""An event in commune A (Phường Hồng Bàng) for tests and the permission matrix."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from anninh.events import services
from anninh.geo.models import Commune
from anninh.testing.personas import COMMUNE_A


def make_event(
    *,
    commander,
    commune: str = COMMUNE_A,
    starts_at=None,
    hours: int = 48,
    name: str = "Đại hội Đảng bộ (thử)",
):
    """An event from `starts_at` (default: a day ago) for `hours`, with one venue at the
    commune's inside point."""
    starts_at = starts_at or timezone.now() - dt.timedelta(days=1)
    event = services.event_create(
        actor=commander,
        name=name,
        kind="party_congress",
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=hours),
        area_radius_m=1000,
    )
    c = Commune.objects.get(pk=commune)
    services.venue_add(actor=commander, event=event, name="Hội trường", lat=c.point_lat, lon=c.point_lon)
    return event
