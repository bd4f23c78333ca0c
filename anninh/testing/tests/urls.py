"""A tiny URLconf of test views for checking the permission-matrix helper itself."""

from __future__ import annotations

from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.urls import include, path

from anninh.accounts.permissions import require_roles


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


urlpatterns = [
    path("accounts/", include("anninh.accounts.urls")),
    path("open/", open_page),
    path("commanders/", commanders_only),
    path("unaudited/", forbidden_without_audit),
    path("missing/", missing),
]
