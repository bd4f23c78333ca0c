"""Gives every request an id and records its client address for the audit trail."""

from __future__ import annotations

import uuid

from django.conf import settings

from anninh.audit import context


def client_ip_from(request) -> str | None:
    # Behind a trusted reverse proxy the real address is the last hop it appended;
    # only honour the header when the deployment says a proxy is there.
    if getattr(settings, "ANNINH_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


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
