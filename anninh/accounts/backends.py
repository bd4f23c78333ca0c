"""The authentication backend: Django's ModelBackend, loading a signed-in user with their
unit, roles and authenticator in one go, so that `user.unit`, `user.roles` and the
two-factor check cost no further query on each request.

settings.AUTHENTICATION_BACKENDS = ["anninh.accounts.backends.AccountBackend"]
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

BACKEND_PATH = "anninh.accounts.backends.AccountBackend"


def user_queryset():
    return (
        get_user_model()
        ._default_manager.select_related("unit", "totp_device")
        .prefetch_related("role_assignments")
    )


class AccountBackend(ModelBackend):
    def get_user(self, user_id):
        user = user_queryset().filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
