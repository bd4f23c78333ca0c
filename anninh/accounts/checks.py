"""System checks for the settings accounts relies on (`manage.py check`)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Warning, register

from anninh.accounts.backends import BACKEND_PATH


@register()
def account_backend_check(app_configs=None, **kwargs):
    backends = list(getattr(settings, "AUTHENTICATION_BACKENDS", []))
    if BACKEND_PATH in backends:
        return []
    return [
        Warning(
            "AUTHENTICATION_BACKENDS does not use the accounts backend: every request costs extra "
            "queries for the user's unit, roles and authenticator.",
            hint=f'Set AUTHENTICATION_BACKENDS = ["{BACKEND_PATH}"] in anninh/settings.py.',
            id="accounts.W001",
        )
    ]
