"""Checks of the fields typed into a crime report (text lengths, the time of receipt, the
point and the commune, the record's version): each returns the clean value or raises a
RecordError naming the field.

Below the services: imports no service module except persons' text cleaning.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from anninh.geo.models import Commune
from anninh.lib.dates import HCM_TZ
from anninh.records.services.persons import clean_text
from anninh.records.versioning import RecordError

SUMMARY_MAX = 5000
NOTE_MAX = 2000
EARLIEST_RECEIPT = dt.datetime(2000, 1, 1, tzinfo=HCM_TZ)
FUTURE_TOLERANCE = dt.timedelta(minutes=1)  # clock skew between a client and the server


def text_field(
    value: str | None,
    *,
    field: str,
    max_length: int,
    required: bool = False,
    multiline: bool = False,
    label: str = "",
) -> str:
    text = clean_text(value, multiline=multiline)
    if required and not text:
        raise RecordError(f"{field}.required", label or _("This field is required."), field=field)
    if len(text) > max_length:
        raise RecordError(f"{field}.length", _("At most %(n)s characters.") % {"n": max_length}, field=field)
    return text


def check_received_at(received_at: dt.datetime, now: dt.datetime) -> dt.datetime:
    if not isinstance(received_at, dt.datetime):
        raise RecordError("received_at.required", _("Enter the time of receipt."), field="received_at")
    if received_at.tzinfo is None or received_at.utcoffset() is None:
        received_at = received_at.replace(tzinfo=HCM_TZ)  # a time typed in Hai Phong
    if received_at.year < 2000 or received_at < EARLIEST_RECEIPT:
        raise RecordError(
            "received_at.too_old", _("The time of receipt is before 2000."), field="received_at"
        )
    if received_at > now + FUTURE_TOLERANCE:
        raise RecordError(
            "received_at.future", _("The time of receipt cannot be in the future."), field="received_at"
        )
    return received_at


def check_point(lat, lon) -> tuple[float | None, float | None, str | None]:
    """(lat, lon, commune code at the point) or (None, None, None); RecordError outside the city."""
    if lat in (None, "") and lon in (None, ""):
        return None, None, None
    if lat in (None, "") or lon in (None, ""):
        raise RecordError(
            "point.incomplete", _("Give both the latitude and the longitude, or neither."), field="lat"
        )
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        raise RecordError(
            "point.invalid", _("The latitude and longitude must be numbers."), field="lat"
        ) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):  # also refuses NaN
        raise RecordError(
            "point.invalid", _("The latitude and longitude are not a place on Earth."), field="lat"
        )
    from anninh.geo.lookup import commune_at

    code = commune_at(lat, lon)
    if code is None:
        raise RecordError("point.outside", _("The point is outside Hai Phong."), field="lat")
    return lat, lon, code


def check_commune(commune_code: str | None, point_code: str | None) -> Commune:
    code = clean_text(commune_code)
    if not code:
        code = point_code or ""
    if not code:
        raise RecordError(
            "commune.required", _("Enter the commune, or pick the place on the map."), field="commune"
        )
    commune = Commune.objects.filter(pk=code).only("code", "name").first() if len(code) <= 5 else None
    if commune is None:
        raise RecordError("commune.unknown", _("There is no commune with this code."), field="commune")
    if point_code and point_code != commune.code:
        raise RecordError(
            "commune.point_mismatch",
            _(
                "The point on the map is in another commune (%(other)s). Move the point or correct the commune."
            )
            % {
                "other": Commune.objects.filter(pk=point_code).values_list("name", flat=True).first()
                or point_code
            },
            field="commune",
        )
    return commune


def check_version(version) -> int:
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise RecordError(
            "version.required",
            _("The form is missing the record's version; reload the page."),
            field="version",
        )
    return version
