"""Staff pages: the queue of each unit (clock: due, overdue, escalated), one request with its
timeline, and its steps (assign, forward, notes, answer, merge, crime report); the service
indicators page. Views parse, call one service or selector, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from anninh.accounts.permissions import audit_denied, get_scoped_or_404, require_roles
from anninh.audit.models import AuditAction
from anninh.audit.services import audit_record
from anninh.org.models import Unit
from anninh.records.versioning import RecordError
from anninh.requests import indicators, selectors, services
from anninh.requests.models import REQUEST_STAFF_ROLES, ServiceRequest

STAFF = tuple(sorted(REQUEST_STAFF_ROLES))


@require_safe
@require_roles(*STAFF)
def queue(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "open")
    show = show if show in selectors.QUEUE_FILTERS else "open"
    service = request.GET.get("service", "")[:40]
    q = request.GET.get("q", "")[:20]
    qs = selectors.staff_queue(viewer=request.user, show=show, service=service, q=q)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "requests/queue.html",
        {
            "page": page,
            "requests": page.object_list,
            "show": show,
            "service": service,
            "q": q,
            "filters": selectors.QUEUE_FILTERS,
            "services": selectors.services_active(),
            "counts": selectors.queue_counts(viewer=request.user),
            "today": timezone.localdate(),
            "active_nav": "requests",
        },
    )


def _staff_request(request: HttpRequest, pk: int) -> ServiceRequest:
    return get_scoped_or_404(selectors.staff_scope(viewer=request.user), request.user, pk=pk)


@require_safe
@require_roles(*STAFF)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _staff_request(request, pk)
    shows_identity = services.identity_visible(request.user, item)
    # Reading a request is audited; so is seeing who sent it.
    audit_record(
        actor=request.user,
        action=AuditAction.VIEW,
        target=item,
        extra={"identity_shown": shows_identity and item.identity_given},
    )
    template_text = ""
    template_id = request.GET.get("template", "")
    templates = list(selectors.templates_for(service=item.service))
    for t in templates:
        if str(t.pk) == template_id:
            template_text = t.text
    staff = (
        get_user_model()
        .objects.filter(unit_id=item.unit_id, is_active=True)
        .prefetch_related("role_assignments")
        .order_by("full_name", "username")
    )
    return render(
        request,
        "requests/detail.html",
        {
            "r": item,
            "shows_identity": shows_identity,
            "notes": selectors.notes_for_staff(viewer=request.user, request=item),
            "attachments": selectors.attachments_for_staff(viewer=request.user, request=item),
            "duplicates": selectors.possible_duplicates(viewer=request.user, request=item)
            if item.is_open
            else [],
            "templates": templates,
            "template_text": template_text,
            "staff": [u for u in staff if u.has_role(*REQUEST_STAFF_ROLES)],
            "units": Unit.objects.active().order_by("kind", "sort_key"),
            "may_report": item.service.may_become_crime_report and item.is_open,
            "active_nav": "requests",
        },
    )


@require_safe
@require_roles(*STAFF)
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    from anninh.requests.models import Attachment

    found = get_scoped_or_404(
        Attachment.objects.restrict(request.user),
        request.user,
        unscoped=Attachment.objects.unrestricted(),
        pk=pk,
    )
    audit_record(
        actor=request.user, action=AuditAction.VIEW, target=found, extra={"request_id": found.request_id}
    )
    response = HttpResponse(bytes(found.content), content_type=found.content_type)
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, no-store"
    return response


def _int(value: str) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _step(user, item: ServiceRequest, action: str, post) -> str:
    if action == "assign":
        services.request_assign(actor=user, request=item, assignee_id=_int(post.get("assignee")))
        return _("Assigned.")
    if action == "forward":
        services.request_assign(actor=user, request=item, unit_id=_int(post.get("unit")))
        return _("Forwarded.")
    if action == "note":
        services.request_note_add(
            actor=user, request=item, text=post.get("text", ""), public=post.get("public") == "1"
        )
        return _("Note added.")
    if action == "answer":
        services.request_answer(actor=user, request=item, text=post.get("text", ""))
        return _("Answered: the reporter can read it with their code.")
    if action == "merge":
        code = post.get("into", "").strip().upper()
        into = selectors.staff_scope(viewer=user).filter(public_id=code).first()
        if into is None:
            raise services.RequestError("merge.unknown", _("No request you can see has this number."), "into")
        services.request_merge(actor=user, request=item, into=into)
        return _("Merged.")
    if action == "crime_report":
        report = services.request_to_crime_report(
            actor=user, request=item, offence_article=post.get("offence_article", "").strip()
        )
        return _("Received as crime report %(number)s.") % {"number": report.register_number}
    raise Http404


@require_POST
@require_roles(*STAFF)
def step(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in ("assign", "forward", "note", "answer", "merge", "crime_report"):
        raise Http404
    item = _staff_request(request, pk)
    try:
        messages.success(request, _step(request.user, item, action, request.POST))
    except services.RequestError as exc:
        messages.error(request, exc.message)
    except RecordError as exc:
        messages.error(request, str(exc))
    except PermissionDenied:
        audit_denied(request, reason="role")
        raise
    return redirect("requests:staff_detail", pk=item.pk)


INDICATOR_ROLES = (*STAFF, "analyst", "public_relations")


@require_safe
@require_roles(*INDICATOR_ROLES)
def indicators_page(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    try:
        months = max(1, min(24, int(request.GET.get("months", "6"))))
    except ValueError:
        months = 6
    first = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    for _i in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    table = indicators.indicators_for(viewer=request.user, first=first, last=today)
    return render(
        request,
        "requests/indicators.html",
        {
            "table": table,
            "months": months,
            "first": first,
            "last": today,
            "active_nav": "requests_indicators",
        },
    )
