"""API authentication: a personal bearer token, or the browser session (with CSRF).

    Authorization: Bearer anh_1a2b3c4d_...

A token authenticates while it is not revoked, not expired and its user is active (and,
for roles that require a second factor, has one set up). The authenticated user is put on
`request.user` so that selectors scope API reads exactly like pages. A read-only token gets
403 (JSON, audited) on any unsafe method, before the endpoint reads the request.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer, django_auth

from anninh.accounts import services, twofactor
from anninh.accounts.permissions import audit_denied

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request, token: str):
        api_token = services.api_token_use(token.strip())
        if api_token is None:
            return None
        user = api_token.user
        if twofactor.required_for(user) and twofactor.confirmed_device(user) is None:
            return None
        request.user = user
        request.api_token = api_token
        if request.method not in SAFE_METHODS and not api_token.can_write:
            audit_denied(
                request, reason="token_scope", object_type="accounts.apitoken", object_id=str(api_token.pk)
            )
            raise HttpError(403, _("This API token is read-only."))
        return user


SessionAuth = django_auth  # ninja.security.SessionAuth() with its CSRF check on unsafe methods

api_auth = [BearerTokenAuth(), SessionAuth]
