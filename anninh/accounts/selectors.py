"""Reads on accounts, scoped to the viewer."""

from __future__ import annotations

from django.db.models import F, QuerySet

from anninh.accounts.models import APIToken
from anninh.accounts.roles import Role
from anninh.accounts.twofactor import confirmed_device


def api_tokens_visible_to(viewer) -> QuerySet[APIToken]:
    """A user sees (and may revoke) their own tokens; nobody else's."""
    if viewer is None or not viewer.is_authenticated:
        return APIToken.objects.none()
    return APIToken.objects.filter(user_id=viewer.pk)


def profile_of(*, viewer) -> dict:
    """What the profile page shows about the viewer."""
    return {
        "role_labels": [str(Role(r).label) for r in sorted(viewer.roles)],
        "two_factor_on": confirmed_device(viewer) is not None,
        "tokens": list(
            api_tokens_visible_to(viewer).order_by(F("revoked_at").asc(nulls_first=True), "-created_at")[:50]
        ),
    }
