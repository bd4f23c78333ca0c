"""Security headers Django 5.2 does not set by itself: a content security policy and a
permissions policy. Scripts come only from our own static files (vendored libraries), so
no inline script is allowed; data reaches scripts through json_script blocks."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # Leaflet and ECharts set element styles; htmx adds its indicator style.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(self), payment=(), usb=()"


def tile_origin(url: str) -> str:
    """The scheme and host of a tile URL template ("" for none or a path on this site)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


def policy() -> str:
    """The content security policy, with the deployment's tile server allowed as an image
    source when ANNINH_TILE_URL names one."""
    origin = tile_origin(getattr(settings, "ANNINH_TILE_URL", ""))
    return (
        CSP.replace("img-src 'self' data: blob:", f"img-src 'self' data: blob: {origin}") if origin else CSP
    )


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.csp = policy()

    def __call__(self, request):
        response = self.get_response(request)
        # One policy for every page, the API docs included (Swagger UI is vendored and started
        # from a static file).
        response.setdefault("Content-Security-Policy", self.csp)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


def _without_nul(value: str) -> str:
    return value.replace("\x00", "")


class StripNulMiddleware:
    """Remove NUL characters from query strings and form fields. They are never meaningful
    in text a person typed, and PostgreSQL refuses them in text columns and comparisons
    (which would turn a harmless search into a server error)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.META.get("QUERY_STRING", "") or "%00" in request.META.get("QUERY_STRING", ""):
            cleaned = request.GET.copy()
            for key in list(cleaned.keys()):
                cleaned.setlist(_without_nul(key), [_without_nul(v) for v in cleaned.getlist(key)])
                if "\x00" in key:
                    del cleaned[key]
            request.GET = cleaned
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            post = request.POST
            if any("\x00" in v for values in post.lists() for v in values[1]):
                cleaned = post.copy()
                for key in list(cleaned.keys()):
                    cleaned.setlist(key, [_without_nul(v) for v in cleaned.getlist(key)])
                request.POST = cleaned
        return self.get_response(request)
