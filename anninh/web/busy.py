"""A busy or unreachable database is a 503 with Retry-After, never a 500.

What counts as "busy" (`busy_reason`):

- SQLite: "database is locked" / "database table is locked" once the busy timeout
  (`PRAGMA busy_timeout`, anninh.env) has run out: SQLite itself retries the lock for that
  long, so the request has already waited; "database or disk is full" (the server cannot
  store anything now).
- PostgreSQL: a serialization failure or deadlock (SQLSTATE 40001, 40P01), a lock not
  available (55P03), too many connections or the server starting or shutting down (53300,
  57P01-57P03), and lost connections (SQLSTATE class 08, or no SQLSTATE at all: the server
  went away).

The request is not replayed by the server: it may already have committed an earlier
transaction (a token's last use, the audit row of a read), and replaying a write could record
it twice. Every write runs in one transaction, so a busy error means nothing of it was kept;
the client retries after `Retry-After` seconds.

Under /api/ the answer is JSON of the API's error shape (`{"detail": message}`); elsewhere a
small page that needs no database (the normal layout reads the database for its navigation).
"""

from __future__ import annotations

import logging

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

logger = logging.getLogger("anninh.busy")

LOCKED = "locked"
FULL = "full"
UNAVAILABLE = "unavailable"

RETRY_AFTER = {LOCKED: 2, FULL: 60, UNAVAILABLE: 5}

KEPT_HEADERS = (
    "X-Request-ID",
    "Content-Security-Policy",
    "Permissions-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
)

_PG_LOCKED = {"40001", "40P01", "55P03"}
_PG_UNAVAILABLE = {"53300", "57P01", "57P02", "57P03"}


def busy_reason(exc: BaseException | None) -> str | None:
    """LOCKED, FULL or UNAVAILABLE when `exc` says the database is busy or out of reach;
    None for any other error (a real bug stays a 500)."""
    if not isinstance(exc, (OperationalError, InterfaceError)):
        return None
    cause = exc.__cause__
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate:
        if sqlstate in _PG_LOCKED:
            return LOCKED
        if sqlstate in _PG_UNAVAILABLE or sqlstate.startswith("08"):
            return UNAVAILABLE
        return None
    message = str(exc).lower()
    if "database is locked" in message or "database table is locked" in message:
        return LOCKED
    if "database or disk is full" in message or "disk i/o error" in message:
        return FULL
    if cause is not None and type(cause).__module__.startswith("psycopg"):
        # psycopg raises OperationalError without a SQLSTATE when the connection is lost
        # or cannot be made ("connection refused", "server closed the connection").
        return UNAVAILABLE
    if isinstance(exc, InterfaceError):  # "connection already closed"
        return UNAVAILABLE
    return None


def busy_response(request, reason: str) -> HttpResponse:
    if reason == FULL:
        message = _("The server cannot store data at the moment. Nothing was saved; try again later.")
    else:
        message = _("The server is busy. Nothing was saved; try again in a few seconds.")
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": message}, status=503)
    else:
        html = render_to_string("web/busy.html", {"message": message, "retry_after": RETRY_AFTER[reason]})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER[reason])
    response["Cache-Control"] = "no-store"
    return response


def _log(request, reason: str, exc: BaseException) -> None:
    logger.warning("database %s on %s %s: %s", reason, request.method, request.path, exc)


def api_exception_handler(request, exc):
    """django-ninja handler for OperationalError and InterfaceError (ninja answers an
    unhandled error itself in DEBUG mode, before any middleware sees it)."""
    reason = busy_reason(exc)
    if reason is None:
        raise exc
    _log(request, reason, exc)
    return busy_response(request, reason)


def _remember(sender, request=None, **kwargs):
    """Django is turning an exception into a 500: keep it on the request, so the middleware
    can answer 503 instead when the database was busy (errors raised by other middleware,
    such as saving the session, never reach process_exception)."""
    import sys

    exc = sys.exc_info()[1]
    if request is not None and busy_reason(exc) is not None:
        request._anninh_busy_exc = exc


got_request_exception.connect(_remember, dispatch_uid="anninh.web.busy")


class DatabaseBusyMiddleware:
    """Turn a busy-database error anywhere in the request into a 503 (see the module)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        exc = getattr(request, "_anninh_busy_exc", None)
        if exc is not None and response.status_code >= 500:
            reason = busy_reason(exc)
            _log(request, reason, exc)
            busy = busy_response(request, reason)
            # Keep what the inner middleware added (request id, security headers).
            for name in KEPT_HEADERS:
                if name in response:
                    busy[name] = response[name]
            return busy
        return response

    def process_exception(self, request, exc):
        reason = busy_reason(exc)
        if reason is None:
            return None
        _log(request, reason, exc)
        return busy_response(request, reason)
