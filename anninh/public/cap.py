"""CAP 1.2 messages (OASIS Common Alerting Protocol) and the Atom feed of them.

A warning's message carries one `<info>` block per language (vi-VN first, en-US) and one
`<area>` per commune affected, with the commune's boundary rings as CAP polygons ("lat,lon"
pairs, the first repeated at the end) and its NSO code as geocode; a city-wide warning has
one area, the city's outline. Built with the standard library's ElementTree: the schema test
(anninh/public/tests/test_cap.py) checks every message against the OASIS XSD.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from xml.etree import ElementTree as ET

import shapely
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from anninh.geo.geometry import from_geojson
from anninh.geo.models import Commune
from anninh.lib.dates import HCM_TZ
from anninh.public.models import CapMessage, CapMsgType, ScamWarning

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
CAP_CONTENT_TYPE = "application/cap+xml"
LANGUAGES = (("vi", "vi-VN"), ("en", "en-US"))
HAIPHONG_NSO = "31"
# The city outline is simplified to this tolerance (degrees, about 200 m): a CAP area is a
# hint for receivers, and a 114-commune union at full detail would be most of the message.
CITY_TOLERANCE = 0.002


def cap_time(value: dt.datetime) -> str:
    """CAP's dateTime: seconds, an explicit offset, no "Z" (the XSD's pattern); Hai Phong time."""
    return value.astimezone(HCM_TZ).replace(microsecond=0).isoformat()


def _rings(geometry) -> list[str]:
    """CAP polygons of a (multi)polygon's outer rings: "lat,lon lat,lon ...", closed."""
    polygons = getattr(geometry, "geoms", [geometry])
    out = []
    for polygon in polygons:
        if polygon.is_empty or polygon.geom_type != "Polygon":
            continue
        coords = list(polygon.exterior.coords)
        if coords[0] != coords[-1]:
            coords.append(coords[0])
        if len(coords) < 4:
            continue
        out.append(" ".join(f"{lat:.5f},{lon:.5f}" for lon, lat in coords))
    return out


def commune_polygons(commune: Commune) -> list[str]:
    return _rings(from_geojson(commune.boundary))


@lru_cache(maxsize=1)
def city_polygons() -> tuple[str, ...]:
    shapes = [from_geojson(b) for b in Commune.objects.values_list("boundary", flat=True)]
    outline = shapely.union_all(shapes).simplify(CITY_TOLERANCE, preserve_topology=True)
    return tuple(_rings(outline))


def _el(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    node = ET.SubElement(parent, f"{{{CAP_NS}}}{tag}")
    if text is not None:
        node.text = text
    return node


def _reference(message: CapMessage) -> str:
    return f"{settings.ANNINH_CAP_SENDER},{message.identifier},{cap_time(message.sent_at)}"


def _info(alert: ET.Element, warning: ScamWarning, message: CapMessage, language: str, web: str) -> None:
    code, tag = language
    with translation.override(code):
        info = _el(alert, "info")
        _el(info, "language", tag)
        _el(info, "category", "Security")
        _el(info, "event", str(warning.get_trick_display()))
        _el(info, "responseType", "AllClear" if message.msg_type == CapMsgType.CANCEL else "Avoid")
        _el(info, "urgency", "Future")
        _el(info, "severity", warning.severity)
        _el(info, "certainty", "Likely")
        _el(info, "effective", cap_time(warning.valid_from))
        _el(info, "expires", cap_time(warning.valid_until))
        _el(info, "senderName", _("Hai Phong City Police"))
        _el(info, "headline", warning.title(code))
        _el(info, "description", warning.recognise(code))
        _el(info, "instruction", warning.action(code))
        _el(info, "web", web)
        _el(info, "contact", warning.hotline)
        if warning.whole_city:
            area = _el(info, "area")
            _el(area, "areaDesc", _("Hai Phong City"))
            for ring in city_polygons():
                _el(area, "polygon", ring)
            geocode = _el(area, "geocode")
            _el(geocode, "valueName", "NSO")
            _el(geocode, "value", HAIPHONG_NSO)
        else:
            for commune in sorted(warning.communes.all(), key=lambda c: (c.sort_key, c.code)):
                area = _el(info, "area")
                _el(area, "areaDesc", commune.name)
                for ring in commune_polygons(commune):
                    _el(area, "polygon", ring)
                geocode = _el(area, "geocode")
                _el(geocode, "valueName", "NSO")
                _el(geocode, "value", commune.code)


def cap_message(warning: ScamWarning, message: CapMessage, earlier: list[CapMessage], *, web: str) -> bytes:
    """The CAP 1.2 XML of one message of `warning`; `earlier` are the messages sent before it
    (an Update or Cancel references them all); `web` is the warning's public page."""
    ET.register_namespace("", CAP_NS)
    alert = ET.Element(f"{{{CAP_NS}}}alert")
    _el(alert, "identifier", message.identifier)
    _el(alert, "sender", settings.ANNINH_CAP_SENDER)
    _el(alert, "sent", cap_time(message.sent_at))
    _el(alert, "status", "Actual")
    _el(alert, "msgType", message.msg_type)
    _el(alert, "scope", "Public")
    if message.note:
        _el(alert, "note", message.note)
    if message.msg_type != CapMsgType.ALERT and earlier:
        _el(alert, "references", " ".join(_reference(m) for m in earlier))
    for language in LANGUAGES:
        _info(alert, warning, message, language, web)
    return ET.tostring(alert, encoding="utf-8", xml_declaration=True)
