"""Campaign pages: the list, launching a campaign, its dashboard, its targets and its
reports (daily, weekly, final; HTML and PDF). Parse, call, render."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anninh.accounts.permissions import audit_denied, get_scoped_or_404, require_roles
from anninh.campaigns import reports, selectors, services
from anninh.campaigns.models import OWNER_ROLES, READER_ROLES, Campaign, Indicator
from anninh.compstat.periods import today
from anninh.geo.models import Commune
from anninh.lib.dates import InvalidDate, parse_date_vn
from anninh.org.models import Unit
from anninh.records.models import OffenceGroup
from anninh.records.views.cases import VNDateField


def _campaign_or_404(request, pk: int) -> Campaign:
    return get_scoped_or_404(
        selectors.campaign_list(viewer=request.user).prefetch_related("communes", "units"),
        request.user,
        unscoped=Campaign.objects.unrestricted(),
        pk=pk,
    )


@require_roles(*READER_ROLES)
def campaign_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "campaigns/list.html",
        {
            "campaigns": selectors.campaign_list(viewer=request.user)[:200],
            "may_launch": request.user.has_role(*OWNER_ROLES),
            "today": today(),
            "active_nav": "campaigns",
        },
    )


class CampaignForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=300)
    first = VNDateField(label=gettext_lazy("From"))
    last = VNDateField(label=gettext_lazy("Until"))
    description = forms.CharField(
        label=gettext_lazy("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    communes = forms.MultipleChoiceField(
        label=gettext_lazy("Communes (none: the whole city)"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    offence_groups = forms.MultipleChoiceField(
        label=gettext_lazy("Offence groups (none: all)"),
        required=False,
        choices=OffenceGroup.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    units = forms.MultipleChoiceField(
        label=gettext_lazy("Units taking part (none: every unit)"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["communes"].choices = list(
            Commune.objects.order_by("sort_key").values_list("code", "name")
        )
        self.fields["units"].choices = [
            (str(u.pk), str(u)) for u in Unit.objects.active().order_by("sort_key")
        ]


@require_roles(*OWNER_ROLES)
def campaign_new(request: HttpRequest) -> HttpResponse:
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            campaign = services.campaign_create(
                actor=request.user,
                name=c["name"],
                first=c["first"],
                last=c["last"],
                description=c["description"],
                communes=c["communes"],
                offence_groups=c["offence_groups"],
                unit_ids=[int(u) for u in c["units"]],
            )
        except services.CampaignError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The campaign was launched. Set its targets per unit."))
            return redirect("campaigns:targets", pk=campaign.pk)
    return render(request, "campaigns/new.html", {"form": form, "active_nav": "campaigns"})


@require_roles(*READER_ROLES)
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign_or_404(request, pk)
    dashboard = selectors.campaign_dashboard(viewer=request.user, campaign=campaign)
    return render(
        request,
        "campaigns/detail.html",
        {
            "d": dashboard,
            "campaign": campaign,
            "may_set_targets": services.may_set_targets(request.user, campaign),
            "today": today(),
            "active_nav": "campaigns",
        },
    )


@require_roles(*READER_ROLES)
def campaign_targets(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign_or_404(request, pk)
    if not services.may_set_targets(request.user, campaign):
        audit_denied(request, reason="permission.owner", object_type="campaigns.campaign", object_id=str(pk))
        raise PermissionDenied
    units = list(campaign.units.all()) or []
    rows = [(None, _("Whole campaign"))] + [(u.pk, str(u)) for u in units]
    existing = {(t.unit_id, t.indicator): t.value for t in campaign.targets.all()}
    errors: list[str] = []
    if request.method == "POST":
        wanted: dict = {}
        for unit_id, _label in rows:
            for indicator in Indicator.values:
                raw = request.POST.get(f"t_{unit_id or 'all'}_{indicator}", "").strip().replace(".", "")
                if raw == "":
                    wanted[(unit_id, indicator)] = None
                elif raw.isdigit() and len(raw) <= 15:
                    wanted[(unit_id, indicator)] = int(raw)
                else:
                    errors.append(_("A target is a whole number, 0 or more."))
        if not errors:
            try:
                n = services.campaign_targets_set(actor=request.user, campaign=campaign, targets=wanted)
            except services.CampaignError as exc:
                errors.append(exc.message)
            else:
                messages.success(request, _("%(n)d targets saved.") % {"n": n})
                return redirect("campaigns:detail", pk=campaign.pk)
    grid = [
        (
            unit_id,
            label,
            [
                (
                    indicator,
                    str(ilabel),
                    request.POST.get(f"t_{unit_id or 'all'}_{indicator}")
                    if request.method == "POST"
                    else existing.get((unit_id, indicator), ""),
                )
                for indicator, ilabel in Indicator.choices
            ],
        )
        for unit_id, label in rows
    ]
    return render(
        request,
        "campaigns/targets.html",
        {
            "campaign": campaign,
            "grid": grid,
            "indicators": Indicator.choices,
            "errors": sorted(set(errors)),
            "active_nav": "campaigns",
        },
    )


def _report_params(request, campaign):
    kind = request.GET.get("kind", "final")
    kind = kind if kind in reports.KINDS else "final"
    language = request.GET.get("lang", "vi")
    language = language if language in ("vi", "en") else "vi"
    try:
        day = parse_date_vn(request.GET.get("day", "")) if request.GET.get("day") else None
    except InvalidDate:
        day = None
    day = day or min(max(today(), campaign.first), campaign.last)
    return kind, day, language


@require_roles(*READER_ROLES)
def campaign_report(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign_or_404(request, pk)
    kind, day, language = _report_params(request, campaign)
    _title, html = reports.render_html(
        viewer=request.user, campaign=campaign, kind=kind, day=day, language=language
    )
    return HttpResponse(html)


@require_roles(*READER_ROLES)
def campaign_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign_or_404(request, pk)
    kind, day, language = _report_params(request, campaign)
    _title, html = reports.render_html(
        viewer=request.user,
        campaign=campaign,
        kind=kind,
        day=day,
        language=language,
        absolute=request.build_absolute_uri("/").rstrip("/"),
    )
    response = HttpResponse(reports.render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="campaign-{campaign.pk}-{kind}-{day:%Y%m%d}-{language}.pdf"'
    )
    return response


urlpatterns = [
    path("", campaign_list, name="list"),
    path("new/", campaign_new, name="new"),
    path("<int:pk>/", campaign_detail, name="detail"),
    path("<int:pk>/targets/", campaign_targets, name="targets"),
    path("<int:pk>/report/", campaign_report, name="report"),
    path("<int:pk>/report.pdf", campaign_report_pdf, name="report_pdf"),
]
