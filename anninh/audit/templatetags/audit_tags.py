"""Presentation of audit rows: action labels and badges, JSON values."""

from __future__ import annotations

import json

from django import template

from anninh.audit.models import AuditAction

register = template.Library()

_BADGES = {
    AuditAction.CREATE: "ok",
    AuditAction.LOGIN: "ok",
    AuditAction.UPDATE: "",
    AuditAction.VIEW: "",
    AuditAction.LOGOUT: "",
    AuditAction.EXPORT: "warn",
    AuditAction.DELETE: "warn",
    AuditAction.DENIED: "bad",
    AuditAction.LOGIN_FAILED: "bad",
}


@register.filter
def action_label(code: str) -> str:
    try:
        return str(AuditAction(code).label)
    except ValueError:
        return code


@register.filter
def action_badge(code: str) -> str:
    return _BADGES.get(code, "")


@register.filter
def audit_json(value) -> str:
    """A stored JSON value as readable text: strings as they are, the rest as JSON."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)
