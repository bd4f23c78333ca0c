"""A shared cache of the public pages that are the same for every anonymous visitor (the home
page, the warnings and their feeds, the transparency page, Open311 GET), as a public website
serves them: rendered once, then served from the cache (CACHES["default"], one for every
gunicorn worker) until a change makes them stale.

    @public_page(WARNINGS)
    def warning_list(request): ...

    services: bump(WARNINGS)   # in the transaction that publishes, edits or withdraws

- The key is the absolute URL (scheme, host, path and query: the pages print absolute links)
  and the language the page is rendered in. The value holds the version of its scope read
  *before* rendering; a hit needs that version to be the current one, so a page rendered from
  data older than a change is never served after the change's bump (the bump runs when the
  transaction commits). ANNINH_PUBLIC_CACHE_SECONDS bounds what no bump covers: a warning
  whose validity ends, a listing's last 90 days, late records on the transparency page.
- Never from or into the cache: a signed-in user (their pages are `private`), a request with a
  session or message cookie (it may carry per-visitor content), a method other than GET/HEAD,
  an answer other than 200, and any answer that set a cookie or used the CSRF token (a form:
  the request form with its proof-of-work challenge is never a cached page).
- Answers carry an ETag (a hash of the body), Last-Modified (when it was rendered),
  `Cache-Control: public, max-age=ANNINH_PUBLIC_PROXY_SECONDS` and `Vary: Accept-Language,
  Cookie`, so a proxy in front may keep them too; If-None-Match or If-Modified-Since gets a
  304 from the cache.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

#: Scopes: each names the data its pages show, so a change invalidates only those pages.
WARNINGS = "warnings"  # warnings, their CAP messages and feed, and the pages that list them
REQUESTS = "requests"  # Open311 GET of requests (a new one, a status, a public note)
SERVICES = "services"  # the Open311 service catalogue (changed in the admin)

PREFIX = "pagecache"


def _version_key(scope: str) -> str:
    return f"{PREFIX}:version:{scope}"


def _new_version() -> str:
    return str(time.time_ns())


def bump(*scopes: str) -> None:
    """Make every cached page of `scopes` stale once the current transaction commits (at
    once outside one). A failure to write the cache is logged, never raised: the pages then
    stay until they expire (ANNINH_PUBLIC_CACHE_SECONDS)."""

    def write() -> None:
        try:
            cache.set_many({_version_key(scope): _new_version() for scope in scopes}, timeout=None)
        except Exception:  # a full disk or an unreachable cache must not undo a committed change
            logger.exception("public page cache: the bump of %s failed", ", ".join(scopes))

    transaction.on_commit(write)


def _current_version(scope: str, found: dict) -> str:
    version = found.get(_version_key(scope))
    if version is None:  # first use, or the key was culled: a new version, never an old one
        version = _new_version()
        cache.add(_version_key(scope), version, timeout=None)
        version = cache.get(_version_key(scope), version)
    return version


def _page_key(scope: str, request: HttpRequest) -> str:
    what = f"{request.build_absolute_uri()}\n{get_language() or ''}"
    return f"{PREFIX}:page:{scope}:{hashlib.sha256(what.encode()).hexdigest()}"


def _anonymous(request: HttpRequest) -> bool:
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
        return False
    return not request.user.is_authenticated


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    return (
        request.method == "GET"
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")  # the page used the CSRF token
        and not response.has_header("Cache-Control")  # the view decided for itself
    )


def _answer(request: HttpRequest, response: HttpResponse, entry: dict) -> HttpResponse:
    response["ETag"] = entry["etag"]
    response["Last-Modified"] = http_date(entry["rendered_at"])
    patch_cache_control(response, public=True, max_age=settings.ANNINH_PUBLIC_PROXY_SECONDS)
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    # If-None-Match / If-Modified-Since from a browser or a proxy that has this body: 304.
    return get_conditional_response(
        request, etag=entry["etag"], last_modified=int(entry["rendered_at"]), response=response
    )


def _from_entry(request: HttpRequest, entry: dict) -> HttpResponse:
    response = HttpResponse(entry["content"])
    for name, value in entry["headers"]:
        response[name] = value
    return _answer(request, response, entry)


def public_page(scope: str):
    """Serve the view's answer from the shared cache for anonymous visitors (see the
    module's docstring for what is never cached)."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method not in ("GET", "HEAD") or not _anonymous(request):
                response = view(request, *args, **kwargs)
                if request.method in ("GET", "HEAD"):
                    patch_cache_control(response, private=True)
                return response
            key = _page_key(scope, request)
            found = cache.get_many([_version_key(scope), key])
            version = _current_version(scope, found)
            entry = found.get(key)
            if entry is not None and entry["version"] == version:
                return _from_entry(request, entry)
            response = view(request, *args, **kwargs)
            if not _storable(request, response):
                return response
            content = response.content
            entry = {
                "version": version,
                "content": content,
                "headers": list(response.items()),  # the view's own: Content-Type, Content-Language...
                "etag": f'"{hashlib.sha256(content).hexdigest()[:32]}"',
                "rendered_at": time.time(),
            }
            cache.set(key, entry, timeout=settings.ANNINH_PUBLIC_CACHE_SECONDS)
            return _answer(request, response, entry)

        return wrapper

    return decorate
