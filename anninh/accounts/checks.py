"""System checks for the settings accounts relies on (`manage.py check`)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register

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


@register(Tags.security, deploy=True)
def proxy_count_check(app_configs=None, **kwargs):
    """Production runs behind a TLS proxy: trusting none makes every client the proxy, so
    the audit trail loses the real address and the per-address login limit is shared by all."""
    if not getattr(settings, "PRODUCTION", False) or getattr(settings, "TRUSTED_PROXY_COUNT", 0) > 0:
        return []
    return [
        Warning(
            "Production mode trusts no reverse proxy: behind the TLS proxy every request seems to "
            "come from the proxy's address (audit trail, login throttling).",
            hint="Set ANNINH_TRUSTED_PROXY_COUNT to the number of proxies in front of anninh (usually 1), "
            "or leave it at 0 only if clients connect to the application directly.",
            id="accounts.W002",
        )
    ]
