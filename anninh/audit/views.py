"""The auditor's pages: search the log, open one event, export, verify the chain.
Auditors only; every look at the log is itself written to the log."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

from django.http import Http404, HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from anninh.accounts.permissions import require_roles
from anninh.accounts.roles import Role
from anninh.audit import masking, selectors, services
from anninh.audit.forms import EventSearchForm
from anninh.audit.models import AuditAction


def _cursor(request, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and len(value) <= 18 else None


def _chain_context(viewer) -> dict:
    return {"head": services.chain_head(), "last_check": selectors.last_chain_check(viewer=viewer)}


@require_roles(Role.AUDITOR)
@require_GET
def event_list(request):
    form = EventSearchForm(request.GET or None)
    valid = not form.is_bound or form.is_valid()
    filters = form.filters() if valid else None
    if filters is not None:
        page = selectors.event_page(
            viewer=request.user,
            filters=filters,
            before=_cursor(request, "before"),
            after=_cursor(request, "after"),
        )
    else:
        page = selectors.EventPage(events=[], older=None, newer=None)
    services.audit_log_viewed(
        actor=request.user,
        filters=filters.as_params() if filters is not None else {"invalid": True},
    )
    context = {
        "form": form,
        "page": page,
        "query": urlencode(filters.as_params()) if filters is not None else "",
        "active_nav": "audit",
    }
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.boosted and not htmx.history_restore_request:
        return render(request, "audit/_results.html", context)
    context.update(_chain_context(request.user))
    return render(request, "audit/event_list.html", context)


@require_roles(Role.AUDITOR)
@require_GET
def event_detail(request, pk: int):
    event = selectors.event_get(viewer=request.user, pk=pk)
    if event is None:
        raise Http404
    services.audit_log_viewed(actor=request.user, event=event)
    return render(
        request,
        "audit/event_detail.html",
        {
            "event": event,
            "changes": selectors.describe_changes(event.before, event.after),
            "masked": not masking.sees_personal_data(request.user),
            "active_nav": "audit",
        },
    )


@require_roles(Role.AUDITOR)
@require_POST
def verify(request):
    services.audit_chain_check(actor=request.user)
    return render(request, "audit/_chain_status.html", _chain_context(request.user))


# CSV export ----------------------------------------------------------------------------

# A cell starting with one of these is a formula to a spreadsheet; user names from failed
# logins are typed by anyone, so every text cell is defused.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(rows) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # so that spreadsheet programs read the file as UTF-8 (Vietnamese)
    yield writer.writerow(
        [
            _("Id"),
            _("Time"),
            _("User name"),
            _("User id"),
            _("Unit"),
            _("Action"),
            _("Object type"),
            _("Object id"),
            _("Object"),
            _("Request id"),
            _("Client address"),
            _("Before"),
            _("After"),
            _("Details"),
            _("Hash"),
        ]
    )
    for event in rows:
        yield writer.writerow(
            _cell(v)
            for v in (
                event.pk,
                timezone.localtime(event.at).strftime("%d/%m/%Y %H:%M:%S"),
                event.actor_username,
                event.actor_id,
                event.actor_unit_code,
                AuditAction(event.action).label,
                event.object_type,
                event.object_id,
                event.object_repr,
                event.request_id,
                event.client_ip,
                None
                if event.before is None
                else json.dumps(event.before, ensure_ascii=False, sort_keys=True),
                None if event.after is None else json.dumps(event.after, ensure_ascii=False, sort_keys=True),
                json.dumps(event.extra, ensure_ascii=False, sort_keys=True),
                event.hash,
            )
        )


@require_roles(Role.AUDITOR)
@require_GET
def export(request):
    form = EventSearchForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return HttpResponseBadRequest(_("The search is not valid; correct it on the audit log page."))
    filters = form.filters()
    services.audit_log_exported(actor=request.user, filters=filters.as_params())
    rows = selectors.event_rows(viewer=request.user, filters=filters)
    response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="audit-log-{stamp}.csv"'
    return response
