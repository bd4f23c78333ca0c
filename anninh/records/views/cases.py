"""Pages: cases. The list (filters via htmx), one case with its status history, the status
change and clearance form, opening a case from an incident, and the clearance rate of a
period as it stood on a given day.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from anninh.accounts.permissions import audit_denied, get_scoped_or_404, require_roles
from anninh.accounts.roles import Role
from anninh.datefields import date_message
from anninh.lib.dates import InvalidDate, parse_date_vn
from anninh.org.models import Unit
from anninh.records.models import CaseStatus, OffenceGroup
from anninh.records.permissions import acting_unit_ids
from anninh.records.selectors import cases as selectors
from anninh.records.selectors.cases import CaseFilters
from anninh.records.selectors.incidents import incident_detail_queryset
from anninh.records.services import cases as services
from anninh.records.services import reads
from anninh.records.versioning import ConflictError, RecordError
from anninh.records.views.incidents import FastSelect, VNDateTimeField, forbidden

READER_ROLES = (Role.COMMANDER, Role.ANALYST, Role.INVESTIGATOR, Role.COMMUNE_OFFICER)
WRITER_ROLES = services.CASE_WRITER_ROLES


class VNDateField(forms.DateField):
    widget = forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "autocomplete": "off"})
    default_error_messages = {"invalid": gettext_lazy("Enter the date as dd/mm/yyyy, e.g. 05/11/2026.")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if hasattr(value, "year"):
            return value
        try:
            return parse_date_vn(str(value))
        except InvalidDate as exc:
            if exc.code == "date.out_of_range":
                raise forms.ValidationError(date_message(exc), code=exc.code) from None
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


# The list ---------------------------------------------------------------------------------


def parse_filters(params) -> tuple[CaseFilters, dict[str, str]]:
    errors: dict[str, str] = {}
    dates = {}
    for name in (
        "initiated_from",
        "initiated_to",
        "occurred_from",
        "occurred_to",
        "cleared_from",
        "cleared_to",
    ):
        raw = params.get(name, "").strip()
        dates[name] = None
        if raw:
            try:
                dates[name] = parse_date_vn(raw)
            except InvalidDate as exc:
                errors[name] = date_message(exc)
    status = params.get("status", "")
    unit = params.get("unit", "")
    group = params.get("offence_group", "")
    commune = params.get("commune", "")
    return (
        CaseFilters(
            q=params.get("q", "")[:100],
            statuses=(status,) if status in CaseStatus.values else (),
            unit_id=int(unit) if unit.isdigit() and len(unit) < 12 else None,
            offence_group=group if group in OffenceGroup.values else "",
            initiated_from=dates["initiated_from"],
            initiated_to=dates["initiated_to"],
            occurred_from=dates["occurred_from"],
            occurred_to=dates["occurred_to"],
            cleared_from=dates["cleared_from"],
            cleared_to=dates["cleared_to"],
            commune=commune if commune.isdigit() and len(commune) == 5 else "",
        ),
        errors,
    )


@require_roles(*READER_ROLES)
def case_list(request: HttpRequest) -> HttpResponse:
    filters, errors = parse_filters(request.GET)
    page = selectors.case_page(viewer=request.user, filters=filters, page=request.GET.get("page", 1))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": page,
        "filters": filters,
        "filter_errors": errors,
        "params": request.GET,
        "querystring": params.urlencode(),
        "active_nav": "cases",
    }
    if request.htmx and request.htmx.target == "case-results":
        return render(request, "records/cases/_results.html", context)
    context.update(
        {
            "statuses": CaseStatus.choices,
            "groups": OffenceGroup.choices,
            "units": list(
                Unit.objects.active()
                .exclude(kind="commune")
                .order_by("sort_key", "code")
                .values_list("pk", "code", "name")
            ),
        }
    )
    return render(request, "records/cases/list.html", context)


# One case ---------------------------------------------------------------------------------


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(label=gettext_lazy("New status"))
    effective_at = VNDateTimeField(
        label=gettext_lazy("Takes effect at"),
        required=False,
        help_text=gettext_lazy(
            "Leave empty for now. Clearance takes effect when the offender was identified."
        ),
    )
    offender_identified_at = VNDateTimeField(label=gettext_lazy("Offender identified at"), required=False)
    arrests = forms.IntegerField(
        label=gettext_lazy("Arrests"), min_value=0, max_value=services.MAX_ARRESTS, required=False
    )
    clearing_unit = forms.TypedChoiceField(
        label=gettext_lazy("Clearing unit"), coerce=int, required=False, empty_value=None, widget=FastSelect
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = services.CASE_TRANSITIONS[case.status]
        self.fields["to_status"].choices = [(v, label) for v, label in CaseStatus.choices if v in allowed]
        self.fields["clearing_unit"].choices = [
            ("", "—"),
            *((u.pk, str(u)) for u in Unit.objects.active().order_by("kind", "sort_key", "code")),
        ]
        self.fields["version"].initial = case.version
        self.fields["clearing_unit"].initial = case.handling_unit_id


def _case_or_404(request: HttpRequest, pk: int):
    return get_scoped_or_404(selectors.case_detail_queryset(viewer=request.user), request.user, pk=pk)


def _may_write(user, case) -> bool:
    return user.has_role(*WRITER_ROLES) and case.handling_unit_id in acting_unit_ids(user)


def _detail(request, case, form=None, status: int = 200) -> HttpResponse:
    from anninh.records.versioning import timeline_for

    may_write = _may_write(request.user, case)
    if form is None and may_write and services.CASE_TRANSITIONS[case.status]:
        form = TransitionForm(case=case)
    history = selectors.case_history(case=case)
    labels = dict(CaseStatus.choices)
    for change in history:
        change.from_label = labels.get(change.from_status, "")
        change.to_label = labels.get(change.to_status, change.to_status)
    kinds = {"created": _("Created"), "transition": _("Status changed")}
    timeline = list(timeline_for(case))
    for event in timeline:
        event.label = kinds.get(event.kind, event.kind)
        event.from_label = labels.get(event.from_status, "")
        event.to_label = labels.get(event.to_status, "")
    context = {
        "case": case,
        "history": history,
        "timeline": timeline,
        "form": form if may_write else None,
        "status_cleared": CaseStatus.CLEARED,
        "active_nav": "cases",
    }
    return render(request, "records/cases/detail.html", context, status=status)


@require_roles(*READER_ROLES)
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_or_404(request, pk)
    reads.case_viewed(actor=request.user, case=case)
    return _detail(request, case)


@require_POST
@require_roles(*WRITER_ROLES)
def case_transition(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_or_404(request, pk)
    if not _may_write(request.user, case):
        audit_denied(request, reason="permission.unit", object_type="records.case", object_id=str(case.pk))
        raise PermissionDenied
    if not services.CASE_TRANSITIONS[case.status]:
        messages.error(request, _("This case can no longer change status."))
        return redirect("records:case_detail", pk=case.pk)
    form = TransitionForm(request.POST, case=case)
    if form.is_valid():
        c = form.cleaned_data
        try:
            services.case_transition(
                actor=request.user,
                case=case,
                to_status=c["to_status"],
                version=c["version"],
                effective_at=c.get("effective_at"),
                note=c.get("note") or "",
                offender_identified_at=c.get("offender_identified_at"),
                arrests=c.get("arrests"),
                clearing_unit_id=c.get("clearing_unit"),
            )
        except ConflictError as exc:
            messages.error(request, str(exc))
            return redirect("records:case_detail", pk=case.pk)
        except RecordError as exc:
            if exc.code.startswith("permission."):
                forbidden(request, exc)
            for error in getattr(exc, "errors", [exc]):
                field = error.field if error.field in form.fields else None
                form.add_error(field, error.message)
        else:
            messages.success(
                request,
                _("Case %(number)s: %(status)s.")
                % {"number": case.number, "status": CaseStatus(case.status).label},
            )
            return redirect("records:case_detail", pk=case.pk)
    return _detail(request, case, form=form, status=422)


# Opening a case from an incident -------------------------------------------------------------


class CaseCreateForm(forms.Form):
    initiated_on = VNDateField(label=gettext_lazy("Initiated on"))
    handling_unit = forms.TypedChoiceField(label=gettext_lazy("Handling unit"), coerce=int)
    offence_article = forms.CharField(
        label=gettext_lazy("Offence (article)"),
        required=False,
        max_length=20,
        help_text=gettext_lazy("Leave empty to use the incident's main offence."),
    )
    summary = forms.CharField(
        label=gettext_lazy("Summary"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, actor, incident, **kwargs):
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(pk__in=acting_unit_ids(actor)).order_by("kind", "sort_key", "code")
        self.fields["handling_unit"].choices = [(u.pk, str(u)) for u in units]
        self.fields["handling_unit"].initial = incident.responsible_unit_id
        self.fields["initiated_on"].initial = timezone.localdate()


@require_http_methods(["GET", "POST"])
@require_roles(*WRITER_ROLES)
def case_create(request: HttpRequest, pk: int) -> HttpResponse:
    incident = get_scoped_or_404(incident_detail_queryset(viewer=request.user), request.user, pk=pk)
    if incident.responsible_unit_id not in acting_unit_ids(request.user):
        audit_denied(
            request, reason="permission.unit", object_type="records.incident", object_id=str(incident.pk)
        )
        raise PermissionDenied
    form = CaseCreateForm(request.POST or None, actor=request.user, incident=incident)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            c = form.cleaned_data
            try:
                case = services.case_create(
                    actor=request.user,
                    incident=incident,
                    handling_unit_id=c["handling_unit"],
                    initiated_on=c["initiated_on"],
                    offence_article=c.get("offence_article") or "",
                    summary=c.get("summary") or "",
                )
            except RecordError as exc:
                if exc.code.startswith("permission."):
                    forbidden(request, exc)
                for error in getattr(exc, "errors", [exc]):
                    field = {"offence": "offence_article"}.get(error.field or "", error.field)
                    form.add_error(field if field in form.fields else None, error.message)
            else:
                messages.success(request, _("Case %(number)s opened.") % {"number": case.number})
                return redirect("records:case_detail", pk=case.pk)
    return render(
        request,
        "records/cases/create.html",
        {"form": form, "incident": incident, "active_nav": "cases"},
        status=status,
    )


# Clearance ----------------------------------------------------------------------------------


@require_roles(*READER_ROLES)
def case_clearance(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    defaults = {"occurred_from": today.replace(month=1, day=1), "occurred_to": today, "as_of": today}
    for name, default in defaults.items():
        raw = request.GET.get(name, "").strip()
        values[name] = default
        if raw:
            try:
                values[name] = parse_date_vn(raw)
            except InvalidDate as exc:
                errors[name] = date_message(exc)
    if values["occurred_to"] < values["occurred_from"]:
        errors["occurred_to"] = _("The end date is before the start date.")
    # "now": as we know now; "reported": as it was reported on the day (changes entered by then).
    values["mode"] = "reported" if request.GET.get("mode") == "reported" else "now"
    rows, total = [], None
    if not errors:
        counts = selectors.clearance_as_of(
            viewer=request.user,
            occurred_from=values["occurred_from"],
            occurred_to=values["occurred_to"],
            as_of=values["as_of"],
            known_at=values["as_of"] if values["mode"] == "reported" else None,
        )
        rows, total = selectors.clearance_table(counts)
    context = {
        "values": values,
        "errors": errors,
        "rows": rows,
        "total": total,
        "active_nav": "cases",
    }
    return render(request, "records/cases/clearance.html", context)


urlpatterns = [
    path("cases/", case_list, name="case_list"),
    path("cases/clearance/", case_clearance, name="case_clearance"),
    path("cases/<int:pk>/", case_detail, name="case_detail"),
    path("cases/<int:pk>/transition/", case_transition, name="case_transition"),
    path("incidents/<int:pk>/cases/new/", case_create, name="case_create"),
]
