"""Roles and their evidence in words, in the reader's language (the network library keeps
plain English keys so its results can be stored and compared)."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from anninh.lib.numbers import format_number

register = template.Library()

ROLE_LABELS = {
    "collector": pgettext_lazy("fraud role", "Collector"),
    "mule": pgettext_lazy("fraud role", "Mule"),
    "organiser": pgettext_lazy("fraud role", "Organiser"),
    "cash_out": pgettext_lazy("fraud role", "Cash-out point"),
}

EVIDENCE_LABELS = {
    "distinct_victims": _("distinct victims"),
    "victims": _("victims"),
    "paid_in": _("paid in"),
    "received": _("received"),
    "sent": _("sent"),
    "passed_share": _("share passed on"),
    "median_dwell_days": _("median days held"),
    "dwell": _("days held"),
    "layer_sources": _("accounts paying in"),
    "linked_accounts": _("linked accounts"),
    "cut_received": _("cut received"),
    "paid_to_them": _("paid to them"),
    "named_kind": _("kind"),
    "amount": _("amount"),
    "note": _("note"),
}

KIND_LABELS = {
    "crypto": _("crypto off-ramp"),
    "cash": _("cash withdrawal"),
    "sink": _("money stops here"),
}


@register.filter
def role_label(role) -> str:
    return str(ROLE_LABELS.get(role, role or ""))


def _value(key: str, value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, (int, float)):
        places = (
            2 if key.endswith("share") else (1 if isinstance(value, float) and not value.is_integer() else 0)
        )
        return format_number(value, places, get_language())
    if isinstance(value, (list, tuple)):
        return ", ".join(_value(key, v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_value(k, v)}" for k, v in value.items())
    return str(KIND_LABELS.get(value, value)) if isinstance(value, str) else str(value)


@register.filter
def evidence_items(evidence) -> list[tuple[str, str]]:
    """(label, value) pairs of a role's evidence, without the ids (shown as links elsewhere)."""
    if not isinstance(evidence, dict):
        return []
    return [
        (str(EVIDENCE_LABELS.get(k, k.replace("_", " "))), _value(k, v))
        for k, v in evidence.items()
        if k != "ids"
    ]
