"""The steps of signing in and out that views and the middleware share.

Session keys:
- LAST_SEEN: Unix time of the last request (idle timeout);
- VERIFIED_DEVICE: id of the authenticator this session passed (a session of a user with a
  confirmed authenticator must carry it, or it is signed out);
- PENDING: the user who gave a right password and still owes a code (not signed in yet);
- NOTICE: why the last session ended, shown once on the login page.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from anninh.accounts import services

LAST_SEEN = "accounts.last_seen"
VERIFIED_DEVICE = "accounts.verified_device"
PENDING = "accounts.pending"
NOTICE = "accounts.notice"

PENDING_SECONDS = 5 * 60  # time allowed between the password and the code


def is_api_request(request: HttpRequest) -> bool:
    """Requests answered with a status code rather than a redirect: the API and htmx."""
    return request.path.startswith("/api/") or request.headers.get("HX-Request") == "true"


def safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def begin_pending(request: HttpRequest, user, *, next_url: str) -> None:
    request.session.cycle_key()
    request.session[PENDING] = {
        "user_id": user.pk,
        "backend": user.backend,
        "since": time.time(),
        "next": next_url,
    }


def pending_of(request: HttpRequest) -> dict | None:
    pending = request.session.get(PENDING)
    if not pending:
        return None
    if time.time() - pending.get("since", 0) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        return None
    return pending


def complete_login(request: HttpRequest, user, *, backend: str | None, device=None) -> None:
    """Sign the user in (new session key), remember the authenticator passed, audit it."""
    request.session.pop(PENDING, None)
    login(request, user, backend=backend)
    request.session[LAST_SEEN] = time.time()
    if device is not None:
        request.session[VERIFIED_DEVICE] = device.pk
    services.record_login(user=user, two_factor=device is not None)


def end_session(request: HttpRequest, *, reason: str, notice: str | None = None) -> None:
    """Audit and sign out; keep a one-time notice for the login page."""
    user = request.user
    if user.is_authenticated:
        services.record_logout(user=user, reason=reason)
    logout(request)
    if notice:
        request.session[NOTICE] = notice


def set_language_cookie(response: HttpResponse, language: str) -> None:
    """Make the user's saved language the active one from the next page on."""
    if language not in {code for code, _name in settings.LANGUAGES}:
        return
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def client_ip() -> str | None:
    from anninh.audit import context

    return context.current().client_ip


def password_attempt(request: HttpRequest, *, username: str, password: str):
    """Check a user name and password under the lockout rule.

    Returns ("locked", None), ("failed", None) or ("ok", user). Failures are audited as
    login_failed with the attempted name; nothing in the answer tells whether it exists.
    """
    from django.contrib.auth import authenticate

    from anninh.accounts import throttle

    if throttle.is_locked(username=username, client_ip=client_ip()):
        services.record_login_failed(username=username, reason="locked")
        return "locked", None
    user = authenticate(request, username=username, password=password)
    if user is None:
        services.record_login_failed(username=username, reason="credentials")
        return "failed", None
    return "ok", user


def code_attempt(request: HttpRequest, *, user, code: str) -> str:
    """Check a second-factor code under the same lockout rule: "locked", "failed" or "ok"."""
    from anninh.accounts import throttle

    if throttle.is_locked(username=user.get_username(), client_ip=client_ip()):
        services.record_login_failed(username=user.get_username(), reason="locked")
        return "locked"
    if not services.two_factor_check(user=user, code=code):
        services.record_login_failed(username=user.get_username(), reason="two_factor")
        return "failed"
    return "ok"
