"""Small helpers shared by account tests."""

from __future__ import annotations

from anninh.audit.models import AuditEvent

PASSWORD = "Persona-Passw0rd!"


def events(action: str, **filters):
    return list(AuditEvent.objects.filter(action=action, **filters).order_by("id"))


def login_post(client, username: str, password: str = PASSWORD, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password, **extra})
