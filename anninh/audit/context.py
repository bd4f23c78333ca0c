"""Who and where the current request comes from, for audit rows written deep in services.

A context variable (not a thread-local) so that it is correct under ASGI too. Outside a
request (management commands, tasks) it holds a fresh request id and no client address.
"""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RequestContext:
    request_id: uuid.UUID = field(default_factory=uuid.uuid4)
    client_ip: str | None = None
    user_agent: str = ""
    path: str = ""  # the request's path and query (500 characters), for refusals audited deep down


_current: ContextVar[RequestContext | None] = ContextVar("anninh_request_context", default=None)


def current() -> RequestContext:
    ctx = _current.get()
    if ctx is None:
        ctx = RequestContext()
        _current.set(ctx)
    return ctx


def activate(ctx: RequestContext):
    return _current.set(ctx)


def reset(token) -> None:
    _current.reset(token)
