"""A tiny URLconf of test views for checking the permission-matrix helper itself."""

from __future__ import annotations

from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.urls import path

from anninh.accounts.permissions import require_roles
from anninh.urls import urlpatterns as project_urlpatterns


def open_page(request):
    return HttpResponse("open")


@require_roles("commander")
def commanders_only(request):
    return HttpResponse("for commanders")


@require_roles()
def forbidden_without_audit(request):
    if request.user.has_role("commander"):
        return HttpResponse("ok")
    return HttpResponseForbidden("no")  # a refusal nobody recorded


@require_roles()
def missing(request):
    raise Http404


# The project's own routes come after the test views: the styled error pages (403, 404) are
# drawn inside the application's layout, whose menu names them.
urlpatterns = [
    path("open/", open_page),
    path("commanders/", commanders_only),
    path("unaudited/", forbidden_without_audit),
    path("missing/", missing),
    *project_urlpatterns,
]
