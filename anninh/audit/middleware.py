"""Gives every request an id and records its client address for the audit trail."""

from __future__ import annotations

import uuid

from django.conf import settings

from anninh.audit import context
from anninh.audit.hashing import normalise_ip


def client_ip_from(request) -> str | None:
    """The client's address: the one helper for the audit trail and the login throttle.

    With TRUSTED_PROXY_COUNT = 0 (the default) it is REMOTE_ADDR, and X-Forwarded-For is
    ignored: anyone can send that header. Behind N trusted proxies (a TLS proxy: N = 1), each
    appends the address it received the request from, so the client is the N-th address from
    the right; anything further left was written by the client and is not believed. With
    fewer addresses than proxies the farthest one recorded is taken; with no header, or one
    that does not parse, REMOTE_ADDR (the request reached us without the proxy, or the proxy
    is misconfigured and the proxy is all we know). Returned normalised, as stored.
    """
    remote = normalise_ip(request.META.get("REMOTE_ADDR"))
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if not hops:
        return remote
    return normalise_ip(hops[-min(proxies, len(hops))]) or remote


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ctx = context.RequestContext(
            request_id=uuid.uuid4(),
            client_ip=client_ip_from(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
            path=request.get_full_path()[:500],
        )
        request.request_id = ctx.request_id
        token = context.activate(ctx)
        try:
            response = self.get_response(request)
        finally:
            context.reset(token)
        response["X-Request-ID"] = str(ctx.request_id)
        return response
