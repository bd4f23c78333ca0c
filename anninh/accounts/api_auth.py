"""API authentication: a personal bearer token, or the browser session (with CSRF).

    Authorization: Bearer anh_1a2b3c4d_...

A token authenticates while it is not revoked, not expired and its user is active (and,
for roles that require a second factor, has one set up). The authenticated user is put on
`request.user` so that selectors scope API reads exactly like pages. A read-only token gets
403 (JSON, audited) on any unsafe method, before the endpoint reads the request.
"""

from __future__ import annotations

from functools import wraps

from django.http import JsonResponse
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


def api_caller(request):
    """The user a request to the API authenticates as (session or token), or None."""
    if request.user.is_authenticated:
        return request.user
    return BearerTokenAuth()(request)


def require_api_caller(view):
    """For the schema and docs views (NinjaAPI docs_decorator): 401 JSON unless signed in or
    carrying a usable token. The schema maps every endpoint and its parameters; visitors
    have no use for it."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if api_caller(request) is None:
            return JsonResponse({"detail": _("Sign in or send an API token.")}, status=401)
        return view(request, *args, **kwargs)

    return wrapped


SessionAuth = django_auth  # ninja.security.SessionAuth() with its CSRF check on unsafe methods

api_auth = [BearerTokenAuth(), SessionAuth]
