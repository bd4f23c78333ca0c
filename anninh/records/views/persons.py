"""Pages of the person index: search and one person. Personal data: only roles that handle it
(analysts only with a grant), only persons linked to records the viewer can see, and every
look audited."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from anninh.accounts.permissions import audit_denied, require_roles
from anninh.records.selectors import persons as selectors
from anninh.records.selectors.reports import reporter_view
from anninh.records.services import persons as services
from anninh.records.versioning import RecordError


def _require_personal_data(request) -> None:
    if not selectors.persons_allowed(request.user):
        audit_denied(request, reason="personal_data")
        raise PermissionDenied


@require_roles(*selectors.PERSON_ROLES)
@require_GET
def person_list(request):
    _require_personal_data(request)
    q = request.GET.get("q", "")[:100]
    page = None
    if q.strip():
        page = Paginator(selectors.person_search(viewer=request.user, q=q), selectors.PAGE_SIZE).get_page(
            request.GET.get("page", 1)
        )
        services.persons_searched(actor=request.user, q=q, results=len(page.object_list))
    context = {"q": q, "page": page, "active_nav": "reports"}
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.target == "person-results" and not htmx.history_restore_request:
        return render(request, "records/persons/_results.html", context)
    return render(request, "records/persons/list.html", context)


@require_roles(*selectors.PERSON_ROLES)
@require_GET
def person_detail(request, pk: int):
    _require_personal_data(request)
    person = selectors.person_get(viewer=request.user, pk=pk)
    services.person_viewed(actor=request.user, person=person)
    links = selectors.person_links(viewer=request.user, person=person)
    for report in links.reports:
        report.reporter_shown = reporter_view(request.user, report)
    context = {
        "person": person,
        "phones": list(person.phones.order_by("id")),
        "links": links,
        "active_nav": "reports",
    }
    return render(request, "records/persons/detail.html", context)


@require_roles(*selectors.PERSON_ROLES)
@require_GET
def person_matches(request):
    """Possible identities the person index would not decide alone, for those who may see
    both persons. Opening the queue is a read of personal data: audited."""
    _require_personal_data(request)
    page = Paginator(selectors.person_match_list(viewer=request.user), selectors.PAGE_SIZE).get_page(
        request.GET.get("page", 1)
    )
    services.persons_searched(actor=request.user, q="", results=len(page.object_list), via="matches")
    return render(
        request,
        "records/persons/matches.html",
        {"page": page, "active_nav": "reports"},
    )


@require_roles(*selectors.PERSON_ROLES)
@require_POST
def person_match_decide(request, pk: int):
    _require_personal_data(request)
    try:
        services.person_match_decide(
            actor=request.user,
            match_id=pk,
            decision=request.POST.get("decision", ""),
            note=request.POST.get("note", ""),
        )
    except RecordError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("records:person_matches")


urlpatterns = [
    path("persons/", person_list, name="person_list"),
    path("persons/matches/", person_matches, name="person_matches"),
    path("persons/matches/<int:pk>/decide/", person_match_decide, name="person_match_decide"),
    path("persons/<int:pk>/", person_detail, name="person_detail"),
]
