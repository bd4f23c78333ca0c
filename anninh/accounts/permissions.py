"""Access checks for views and API endpoints: small explicit helpers, no framework.

- `require_roles(*roles)`: anonymous users go to the login page (401 for API/htmx calls);
  authenticated users without one of the roles get 403, and the refusal is audited.
- `get_scoped_or_404(queryset, viewer, **lookup)`: the object if the viewer may read it;
  otherwise 404 (never 403, which would confirm the record exists) and an audited refusal.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from anninh.audit import context as audit_context
from anninh.audit.models import AuditAction
from anninh.audit.services import audit_record


def audit_denied(
    request_or_user, *, reason: str, object_type: str = "", object_id: str = "", path: str = ""
) -> None:
    user = getattr(request_or_user, "user", request_or_user)
    if path == "" and isinstance(request_or_user, HttpRequest):
        path = request_or_user.get_full_path()[:500]
    if path == "":
        # Called with a user only (get_scoped_or_404, services): the request being served.
        path = audit_context.current().path
    audit_record(
        actor=user,
        action=AuditAction.DENIED,
        object_type=object_type,
        object_id=object_id,
        extra={"reason": reason, "path": path},
    )


def require_roles(*roles: str) -> Callable:
    """View decorator: the user must be logged in and hold one of `roles`."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                if getattr(request, "htmx", False):
                    return HttpResponse(status=401)
                return redirect_to_login(request.get_full_path())
            if roles and not user.has_role(*roles):
                audit_denied(request, reason="role")
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_roles = frozenset(roles)  # type: ignore[attr-defined]
        return wrapped

    return decorator


def get_scoped_or_404(scoped: QuerySet, viewer, *, unscoped: QuerySet | None = None, **lookup) -> Model:
    """Fetch one object from an already scoped queryset, or 404.

    When the object exists outside the viewer's scope (checked on `unscoped`, by default the
    model's full table) the refusal is audited, so guessed ids leave a trace.
    """
    obj = scoped.filter(**lookup).first()
    if obj is not None:
        return obj
    model = scoped.model
    base = unscoped if unscoped is not None else model._default_manager.all()
    if base.filter(**lookup).exists():
        audit_denied(
            viewer,
            reason="scope",
            object_type=f"{model._meta.app_label}.{model._meta.model_name}",
            object_id=str(next(iter(lookup.values()), "")),
        )
    raise Http404
