"""How an alert reads, in the reader's language: built from its kind and evidence at display
time (the stored title is an English fallback for the admin and the audit log)."""

from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from anninh.alerts.models import Alert, AlertKind
from anninh.lib.numbers import format_number as _format_number
from anninh.records.models import OffenceGroup


def _group(value: str) -> str:
    return str(OffenceGroup(value).label) if value in OffenceGroup.values else _("all crimes")


def headline(alert: Alert) -> str:
    e = alert.evidence or {}
    place = alert.commune.name if alert.commune_id and alert.commune else _("the city")
    if alert.kind == AlertKind.RISE:
        rises = e.get("rises", [])
        top = rises[0] if rises else {"group": alert.offence_group, "current": 0, "expected": 0}
        return _("%(what)s rose in %(place)s: %(current)s in %(days)s days against %(expected)s expected") % {
            "what": _group(top.get("group", "")),
            "place": place,
            "current": format_number(top.get("current", 0)),
            "days": e.get("days", 7),
            "expected": format_number(top.get("expected", 0), 1),
        }
    if alert.kind == AlertKind.NEAR_REPEAT:
        return _("%(n)s burglaries and robberies close in space and time in %(place)s") % {
            "n": format_number(len(e.get("incidents", []))),
            "place": place,
        }
    if alert.kind == AlertKind.FRAUD:
        if e.get("identifier_kind") == "account":
            return _("The same collector account in %(n)s victims' reports") % {
                "n": format_number(len(e.get("reports", []))),
            }
        kind = _("bank account") if e.get("identifier_kind") == "acct" else _("phone number")
        return _("The same %(kind)s in %(n)s fraud reports") % {
            "kind": kind,
            "n": format_number(len(e.get("reports", []))),
        }
    if alert.kind == AlertKind.DEADLINE:
        return _("%(n)s crime reports must be decided within %(days)s days") % {
            "n": format_number(len(e.get("reports", []))),
            "days": e.get("days", 3),
        }
    if alert.kind == AlertKind.EVENT_RISK:
        return _("Risk changed at %(event)s: %(threat)s") % {
            "event": e.get("event_name", ""),
            "threat": e.get("threat", ""),
        }
    return alert.title


def format_number(value, places: int = 0) -> str:
    return _format_number(value, places, get_language())
