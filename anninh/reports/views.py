"""Report pages: the list of past reports with a form to make one, the HTML and the PDF
(reading a report is audited: it is as sensitive as the records it sums up)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anninh.accounts.permissions import audit_denied, get_scoped_or_404, require_roles
from anninh.accounts.scoping import scope_for
from anninh.audit.services import audit_record
from anninh.compstat.periods import today as local_today
from anninh.compstat.views_dashboard import commune_choices
from anninh.reports import selectors, services
from anninh.reports.models import Report, ReportKind


@require_roles(*services.REPORT_ROLES)
def report_list(request: HttpRequest) -> HttpResponse:
    city_wide = scope_for(request.user).city_wide
    return render(
        request,
        "reports/list.html",
        {
            "reports": selectors.report_list(viewer=request.user)[:200],
            "communes": commune_choices(request.user),
            "city_wide": city_wide,
            "kinds": ReportKind.choices,
            # The report a commander most often wants: last complete week's.
            "default_week": services.last_complete_week(local_today()).slug,
            "active_nav": "compstat_reports",
        },
    )


@require_roles(*services.REPORT_ROLES)
@require_POST
def report_create(request: HttpRequest) -> HttpResponse:
    kind = request.POST.get("kind", "")
    value = (request.POST.get("period") or "").strip()[:20]
    language = request.POST.get("language", "vi")
    commune = (request.POST.get("commune") or "").strip()[:5]
    if not scope_for(request.user).city_wide and not commune:
        codes = [c for c, _n in commune_choices(request.user)]
        commune = codes[0] if len(codes) == 1 else ""
    try:
        period = services.report_period(kind, value)
        report, created = services.report_generate(
            actor=request.user,
            kind=kind,
            period=period,
            language=language,
            commune=commune,
            replace=bool(request.POST.get("replace")),
        )
    except services.ReportError as exc:
        messages.error(request, str(exc))
        return redirect("reports:list")
    except PermissionDenied:
        audit_denied(request, reason="scope")
        raise
    messages.success(
        request, _("The report is ready.") if created else _("This report already existed: here it is.")
    )
    return redirect("reports:detail", pk=report.pk)


def _get(request, pk: int) -> Report:
    report = get_scoped_or_404(
        selectors.report_base(viewer=request.user),
        request.user,
        unscoped=Report.objects.unrestricted(),
        pk=pk,
    )
    return report


@require_roles(*services.REPORT_ROLES)
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _get(request, pk)
    audit_record(actor=request.user, action="view", target=report)
    # The stored HTML is the print document, kept as made; the way back and the PDF link are
    # added for the screen only.
    toolbar = render_to_string("reports/_toolbar.html", {"report": report}, request=request)
    return HttpResponse(report.html.replace("<body>", "<body>" + toolbar, 1))


@require_roles(*services.REPORT_ROLES)
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    report = _get(request, pk)
    audit_record(actor=request.user, action="export", target=report, extra={"format": "pdf"})
    response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="compstat-{report.slug}-{report.commune_code or "city"}-{report.language}.pdf"'
    )
    return response


urlpatterns = [
    path("", report_list, name="list"),
    path("new/", report_create, name="create"),
    path("<int:pk>/", report_detail, name="detail"),
    path("<int:pk>/pdf/", report_pdf, name="pdf"),
]
