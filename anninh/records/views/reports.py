"""Pages of the crime-report register: the list, the intake form, one report (with its clock,
timeline and the forms of the next steps) and the deadlines board.

Views parse the request (the forms below), call one selector or service and render.
"""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from anninh.accounts.permissions import require_roles
from anninh.accounts.roles import Role
from anninh.datefields import date_message
from anninh.geo.models import Commune
from anninh.lib.dates import HCM_TZ, InvalidDate, format_date_vn, parse_date_vn
from anninh.network.normalize import BANKS
from anninh.org.models import Unit
from anninh.records.masking import mask_address
from anninh.records.models import ReportChannel, ReportKind, ReportStatus
from anninh.records.scoping import sees_personal_data
from anninh.records.selectors import reports as selectors
from anninh.records.selectors.persons import persons_allowed
from anninh.records.services import reads
from anninh.records.services import reports as services
from anninh.records.services.collector import collector_view
from anninh.records.services.reports import Action, PermissionRefused
from anninh.records.versioning import ConflictError, RecordError
from anninh.records.views.incidents import SEX_FORM_CHOICES, VNDField

READER_ROLES = (Role.COMMANDER, Role.ANALYST, Role.INVESTIGATOR, Role.COMMUNE_OFFICER)
WRITER_ROLES = (Role.INVESTIGATOR, Role.COMMUNE_OFFICER)

DATE_ATTRS = {"placeholder": gettext_lazy("dd/mm/yyyy"), "inputmode": "numeric", "autocomplete": "off"}


# Fields: dates typed day first (anninh.lib.dates), times on the 24-hour clock ----------------------


class VNDateField(forms.CharField):
    """dd/mm/yyyy (also d/m/yyyy, dd-mm-yyyy, yyyy-mm-dd); never month first."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={**DATE_ATTRS, "maxlength": 20}))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return format_date_vn(value) if isinstance(value, dt.date) else value

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        if len(value) > 20:
            raise forms.ValidationError(
                _("Enter the date as dd/mm/yyyy, e.g. 05/11/2026."), code="date.format"
            )
        try:
            return parse_date_vn(value)
        except InvalidDate as exc:
            raise forms.ValidationError(date_message(exc), code=exc.code) from None


_TIME = re.compile(r"([01]?[0-9]|2[0-3])[:hH.]([0-5][0-9])")


class VNDateTimeField(forms.CharField):
    """dd/mm/yyyy HH:MM, local time (Asia/Ho_Chi_Minh), 24-hour clock."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "placeholder": gettext_lazy("dd/mm/yyyy hh:mm"),
                    "autocomplete": "off",
                    "maxlength": 30,
                }
            ),
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, dt.datetime):
            return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
        return value

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        parts = value.replace("T", " ").split()
        if len(value) > 30 or len(parts) != 2 or not _TIME.fullmatch(parts[1]):
            raise forms.ValidationError(
                _("Enter the date and time as dd/mm/yyyy hh:mm, e.g. 05/11/2026 14:30."),
                code="datetime.format",
            )
        try:
            day = parse_date_vn(parts[0])
        except InvalidDate as exc:
            if exc.code == "date.out_of_range":
                raise forms.ValidationError(date_message(exc), code=exc.code) from None
            raise forms.ValidationError(
                _("Enter the date and time as dd/mm/yyyy hh:mm, e.g. 05/11/2026 14:30."),
                code="datetime.format",
            ) from None
        match = _TIME.fullmatch(parts[1])
        return dt.datetime.combine(day, dt.time(int(match[1]), int(match[2])), tzinfo=HCM_TZ)


def combobox(field: forms.Field, source: str) -> None:
    """Mark a text input for the autocomplete of static/records/reports-intake.js."""
    field.widget.attrs.update(
        {
            "data-autocomplete": source,
            "autocomplete": "off",
            "role": "combobox",
            "aria-autocomplete": "list",
            "aria-expanded": "false",
        }
    )


def _choices(blank: str, choices) -> list[tuple[str, str]]:
    return [("", blank), *choices]


# The register ------------------------------------------------------------------------------------


class ReportFilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": gettext_lazy("Number, address, summary…")}
        ),
    )
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), required=False)
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), required=False)
    commune = forms.ChoiceField(label=gettext_lazy("Commune"), required=False)
    unit = forms.TypedChoiceField(
        label=gettext_lazy("Handling unit"), required=False, coerce=int, empty_value=None
    )
    received_from = VNDateField(label=gettext_lazy("Received from"), required=False)
    received_to = VNDateField(label=gettext_lazy("Received until"), required=False)
    due = forms.ChoiceField(label=gettext_lazy("Deadline"), required=False)
    decided_from = VNDateField(label=gettext_lazy("Decided from"), required=False)
    decided_to = VNDateField(label=gettext_lazy("Decided until"), required=False)
    decided = forms.ChoiceField(label=gettext_lazy("Decision"), required=False)
    incoming = forms.BooleanField(
        label=gettext_lazy("Incoming for my unit (to accept, or received elsewhere for our commune)"),
        required=False,
    )

    def __init__(self, *args, communes=(), units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = _choices(_("Any status"), ReportStatus.choices)
        self.fields["kind"].choices = _choices(_("Any kind"), ReportKind.choices)
        self.fields["channel"].choices = _choices(_("Any channel"), ReportChannel.choices)
        self.fields["commune"].choices = _choices(_("Any commune"), [(c.code, c.name) for c in communes])
        self.fields["unit"].choices = _choices(_("Any unit"), [(u.pk, str(u)) for u in units])
        self.fields["due"].choices = _choices(_("Any"), [(k, str(v)) for k, v in selectors.DUE_CHOICES])
        self.fields["decided"].choices = _choices(
            _("Any"), [(k, str(v)) for k, v in selectors.DECIDED_CHOICES]
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", _("The end date is before the start date."))
        start, end = data.get("decided_from"), data.get("decided_to")
        if start and end and start > end:
            self.add_error("decided_to", _("The end date is before the start date."))
        return data

    def filters(self) -> selectors.ReportFilters:
        if not self.is_bound or not self.is_valid():
            return selectors.ReportFilters()
        d = self.cleaned_data
        return selectors.ReportFilters(
            q=d["q"],
            status=d["status"],
            kind=d["kind"],
            channel=d["channel"],
            commune=d["commune"],
            unit_id=d["unit"],
            received_from=d["received_from"],
            received_to=d["received_to"],
            due=d["due"],
            decided_from=d["decided_from"],
            decided_to=d["decided_to"],
            decided=d["decided"],
            incoming=d["incoming"],
        )


def _filter_options():
    communes = list(Commune.objects.only("code", "name", "sort_key").order_by("sort_key", "code"))
    units = list(Unit.objects.active().only("id", "code", "name", "short_name", "kind", "sort_key"))
    return communes, units


@require_roles(*READER_ROLES)
@require_GET
def report_list(request):
    communes, units = _filter_options()
    form = ReportFilterForm(request.GET or None, communes=communes, units=units)
    filters = form.filters()
    page = selectors.report_page(viewer=request.user, filters=filters, page=request.GET.get("page", 1))
    reads.crime_report_list_viewed(actor=request.user, reports=page.object_list)
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": params.urlencode(),
        "filtered": bool(filters.as_params()),
        "can_receive": services.is_report_writer(request.user),
        "can_search_persons": persons_allowed(request.user),
        "active_nav": "reports",
    }
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.target == "report-results" and not htmx.history_restore_request:
        return render(request, "records/reports/_results.html", context)
    return render(request, "records/reports/list.html", context)


# Intake ------------------------------------------------------------------------------------------


def collector_bank_field() -> forms.CharField:
    """The bank of the account a victim paid into (intake and later), offered from the list."""
    return forms.CharField(
        label=gettext_lazy("Bank or e-wallet paid into"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("For a scam: the bank or e-wallet of the account the victim paid into."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "list": "collector-banks"}),
    )


def collector_number_field() -> forms.CharField:
    return forms.CharField(
        label=gettext_lazy("Account number paid into"),
        max_length=40,
        required=False,
        help_text=gettext_lazy(
            "Digits only; spaces and dots are ignored. For an e-wallet: its phone number."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class IntakeForm(forms.Form):
    """Fast intake: the fields in the order an officer fills them, Enter submits."""

    kind = forms.ChoiceField(label=gettext_lazy("Kind of report"), choices=ReportKind.choices)
    channel = forms.ChoiceField(
        label=pgettext_lazy("report channel", "Received by"), choices=ReportChannel.choices
    )
    received_at = VNDateTimeField(label=gettext_lazy("Received at"))
    receiving_unit = forms.TypedChoiceField(
        label=gettext_lazy("Receiving unit"), coerce=int, required=False, empty_value=None
    )
    commune = forms.CharField(
        label=gettext_lazy("Commune"),
        max_length=120,
        help_text=gettext_lazy("Type part of the name, with or without diacritics, or the NSO code."),
    )
    address = forms.CharField(label=gettext_lazy("Address"), max_length=300, required=False)
    lat = forms.FloatField(label=gettext_lazy("Latitude"), required=False, min_value=-90, max_value=90)
    lon = forms.FloatField(label=gettext_lazy("Longitude"), required=False, min_value=-180, max_value=180)
    summary = forms.CharField(
        label=gettext_lazy("Summary"),
        max_length=services.SUMMARY_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("What happened, where and when, as the reporter tells it. Ctrl+Enter saves."),
    )
    offence = forms.CharField(
        label=gettext_lazy("Suspected offence"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Penal Code article number, or words of its name."),
    )
    losses_vnd = VNDField(
        label=gettext_lazy("Amount lost (đ)"),
        required=False,
        help_text=gettext_lazy(
            "What the reporter says was lost or taken, in đồng (for a scam: the money transferred)."
        ),
    )
    collector_bank = collector_bank_field()
    collector_number = collector_number_field()
    reporter_name = forms.CharField(
        label=gettext_lazy("Reporter's full name"), max_length=150, required=False
    )
    reporter_cccd = forms.CharField(
        label=gettext_lazy("Citizen ID (CCCD)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    reporter_phone = forms.CharField(
        label=gettext_lazy("Mobile phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    reporter_birth_date = VNDateField(label=gettext_lazy("Date of birth"), required=False)
    reporter_sex = forms.ChoiceField(label=gettext_lazy("Sex"), choices=SEX_FORM_CHOICES, required=False)
    reporter_address = forms.CharField(
        label=gettext_lazy("Reporter's address"), max_length=300, required=False
    )
    reporter_agency = forms.CharField(
        label=gettext_lazy("Reporting agency or organisation"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("For information from an agency, organisation or the press."),
    )
    reporter_confidential = forms.BooleanField(
        label=gettext_lazy("The reporter asks to stay anonymous (only the handling unit sees who they are)"),
        required=False,
    )

    # Where a service's field name lands on this form.
    SERVICE_FIELDS = {
        "full_name": "reporter_name",
        "cccd": "reporter_cccd",
        "phones": "reporter_phone",
        "birth_date": "reporter_birth_date",
        "sex": "reporter_sex",
        "reporter_agency": "reporter_agency",
        "lat": "lat",
        "commune": "commune",
        "offence": "offence",
        "received_at": "received_at",
        "kind": "kind",
        "channel": "channel",
        "summary": "summary",
        "address": "address",
        "receiving_unit": "receiving_unit",
        "reporter_confidential": "reporter_confidential",
        "losses_vnd": "losses_vnd",
        "collector_bank": "collector_bank",
        "collector_number": "collector_number",
    }

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receiving_unit"].choices = [(u.pk, str(u)) for u in units]
        self.default_unit_id = units[0].pk if units else None
        self.fields["kind"].widget.attrs["autofocus"] = True
        combobox(self.fields["commune"], "commune")
        combobox(self.fields["offence"], "offence")
        self.single_unit = len(units) == 1
        if self.single_unit:
            self.fields["receiving_unit"].widget = forms.HiddenInput()
            self.unit_label = str(units[0])
        self.commune_code = ""
        self.offence_article = ""

    def clean_commune(self):
        text = self.cleaned_data["commune"]
        found = selectors.commune_match(text)
        if not found:
            raise forms.ValidationError(_("No commune matches “%(text)s”.") % {"text": text[:60]})
        if len(found) > 1:
            names = ", ".join(c.name for c in found[:5])
            raise forms.ValidationError(
                _("Several communes match: %(names)s. Choose one from the list.") % {"names": names}
            )
        self.commune_code = found[0].code
        return f"{found[0].code} · {found[0].name}"

    def clean(self):
        data = super().clean()
        text = data.get("offence") or ""
        received = data.get("received_at")
        on = timezone.localtime(received).date() if received else timezone.localdate()
        if text:
            article, found = selectors.offence_match(text, on=on)
            if not article:
                if found:
                    names = "; ".join(f"{o.article} {o.name}" for o in found[:5])
                    self.add_error(
                        "offence",
                        _("Several offences match: %(names)s. Type the article number.") % {"names": names},
                    )
                else:
                    self.add_error(
                        "offence",
                        _("No offence matches “%(text)s”. Type the article number.") % {"text": text[:60]},
                    )
            self.offence_article = article
        reporter_given = any(
            data.get(f)
            for f in ("reporter_cccd", "reporter_phone", "reporter_birth_date", "reporter_address")
        )
        if reporter_given and not data.get("reporter_name"):
            self.add_error(
                "reporter_name",
                _("Enter the reporter's full name, or leave all the reporter's fields empty."),
            )
        return data

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        reporter = None
        if d["reporter_name"]:
            reporter = services.ReporterInput(
                full_name=d["reporter_name"],
                cccd=d["reporter_cccd"],
                phones=(d["reporter_phone"],) if d["reporter_phone"] else (),
                birth_date=d["reporter_birth_date"],
                sex=d.get("reporter_sex") or "",
                address=d["reporter_address"],
            )
        return {
            "kind": d["kind"],
            "channel": d["channel"],
            "received_at": d["received_at"],
            "summary": d["summary"],
            "commune_code": self.commune_code,
            "address": d["address"],
            "lat": d["lat"],
            "lon": d["lon"],
            "offence_article": self.offence_article,
            "receiving_unit_id": d["receiving_unit"] or self.default_unit_id,
            "reporter": reporter,
            "reporter_confidential": d["reporter_confidential"],
            "reporter_agency": d["reporter_agency"],
            "losses_vnd": d["losses_vnd"] or 0,
            "collector_bank": d["collector_bank"],
            "collector_number": d["collector_number"],
        }

    def add_record_error(self, exc: RecordError) -> None:
        self.add_error(self.SERVICE_FIELDS.get(exc.field or "", None), exc.message)


def map_pick_config() -> dict:
    """What static/records/map-pick.js needs (passed with json_script: no inline script).
    The map opens on the mainland and the near islands (Bạch Long Vĩ, 110 km out to sea, is
    reached by zooming out)."""
    from django.db.models import Max, Min

    box = Commune.objects.filter(max_lon__lt=107.5).aggregate(
        s=Min("min_lat"), w=Min("min_lon"), n=Max("max_lat"), e=Max("max_lon")
    )
    bounds = [[box["s"], box["w"]], [box["n"], box["e"]]] if box["s"] is not None else None
    return {
        "geojsonUrl": reverse("api:geo_communes_geojson"),
        "lookupUrl": reverse("api:geo_lookup"),
        "center": [20.86, 106.68],
        "bounds": bounds,
        "labels": {
            "outside": _("This point is outside Hai Phong."),
            "loadError": _("The map could not be loaded; type the commune instead."),
            "picked": _("Point picked in %(name)s."),
        },
    }


def autocomplete_config() -> dict:
    return {
        "communeUrl": reverse("api:geo_commune_list"),
        "offenceUrl": reverse("api:records_report_offences"),
        "labels": {"none": _("No match"), "article": _("Article")},
    }


@require_roles(*WRITER_ROLES)
@require_http_methods(["GET", "POST"])
def report_create(request):
    units = services.receiving_units(request.user)
    if not units:
        messages.error(
            request, _("You are not attached to a unit that receives crime reports. Ask an administrator.")
        )
        return redirect("records:report_list")
    if request.method == "POST":
        form = IntakeForm(request.POST, units=units)
        if form.is_valid():
            try:
                report = services.crime_report_receive(actor=request.user, **form.service_kwargs())
            except PermissionRefused as exc:
                raise PermissionDenied(exc.message) from exc
            except RecordError as exc:
                form.add_record_error(exc)
            else:
                messages.success(
                    request, _("Entered in the register as %(number)s.") % {"number": report.register_number}
                )
                if "another" in request.POST:
                    return redirect("records:report_create")
                return redirect("records:report_detail", pk=report.pk)
        status = 422
    else:
        initial = {
            "received_at": timezone.now(),
            "receiving_unit": units[0].pk,
            "channel": ReportChannel.IN_PERSON,
        }
        # A commune officer receives reports of their own commune: start with it filled in.
        own = getattr(request.user.unit, "commune", None) if request.user.unit_id else None
        if own is not None:
            initial["commune"] = f"{own.code} · {own.name}"
        form = IntakeForm(initial=initial, units=units)
        status = 200
    context = {
        "form": form,
        "map_config": map_pick_config(),
        "autocomplete_config": autocomplete_config(),
        "collector_banks": [b.short_name for b in BANKS],
        "active_nav": "reports",
    }
    return render(request, "records/reports/create.html", context, status=status)


# One report and its steps --------------------------------------------------------------------------


class StepForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=services.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    title = ""
    button = gettext_lazy("Save")

    def __init__(self, *args, report=None, viewer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.report = report
        self.viewer = viewer

    def kwargs(self) -> dict:
        return {"note": self.cleaned_data["note"]}


class DatedStepForm(StepForm):
    on = VNDateField(
        label=gettext_lazy("Date"), required=False, help_text=gettext_lazy("Today if left empty.")
    )

    def kwargs(self) -> dict:
        return {**super().kwargs(), "on": self.cleaned_data["on"]}


class ClassifyForm(StepForm):
    title = gettext_lazy("Classify")
    button = gettext_lazy("Classify")
    offence = forms.CharField(
        label=gettext_lazy("Suspected offence (article)"), max_length=200, required=False
    )
    field_order = ["offence", "note", "version"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        combobox(self.fields["offence"], "offence")

    def kwargs(self) -> dict:
        return {**super().kwargs(), "offence_article": self.cleaned_data["offence"]}


class TransferForm(StepForm):
    title = gettext_lazy("Transfer to another unit")
    button = gettext_lazy("Transfer")
    to_unit = forms.TypedChoiceField(label=gettext_lazy("Transfer to"), coerce=int)
    field_order = ["to_unit", "note", "version"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        targets = selectors.transfer_targets(viewer=self.viewer, report=self.report)
        self.fields["to_unit"].choices = [("", "—"), *((u.pk, str(u)) for u in targets)]

    def kwargs(self) -> dict:
        return {**super().kwargs(), "to_unit_id": self.cleaned_data["to_unit"]}


class AcceptForm(StepForm):
    title = gettext_lazy("Accept the transferred report")
    button = gettext_lazy("Accept")


class VerifyForm(StepForm):
    title = gettext_lazy("Start checking and verification")
    button = gettext_lazy("Start verification")


class ExtendForm(DatedStepForm):
    title = gettext_lazy("Extend the deadline to 2 months (complex report)")
    button = gettext_lazy("Extend")


class ProcuracyExtendForm(DatedStepForm):
    title = gettext_lazy("Extension by the procuracy")
    button = gettext_lazy("Record the extension")
    months = forms.TypedChoiceField(
        label=gettext_lazy("Extended by"),
        coerce=int,
        choices=[(1, gettext_lazy("1 month")), (2, gettext_lazy("2 months"))],
    )
    field_order = ["months", "on", "note", "version"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].label = _("Requested on")

    def kwargs(self) -> dict:
        return {**super().kwargs(), "months": self.cleaned_data["months"]}


class DecideForm(DatedStepForm):
    title = gettext_lazy("Decision")
    button = gettext_lazy("Record the decision")
    decision = forms.ChoiceField(label=gettext_lazy("Decision"), widget=forms.RadioSelect)
    offence = forms.CharField(
        label=gettext_lazy("Offence (article)"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Needed to initiate a case when the report has no suspected offence yet."),
    )
    grounds = forms.CharField(
        label=gettext_lazy("Grounds"), max_length=services.NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    field_order = ["decision", "on", "offence", "grounds", "version"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = selectors.decision_choices()
        combobox(self.fields["offence"], "offence")
        del self.fields["note"]
        self.fields["on"].label = _("Decided on")

    def kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "decision": d["decision"],
            "on": d["on"],
            "grounds": d["grounds"],
            "offence_article": d["offence"],
        }


class SuspendForm(DatedStepForm):
    title = gettext_lazy("Suspend")
    button = gettext_lazy("Suspend")
    grounds = forms.CharField(
        label=gettext_lazy("Grounds"), max_length=services.NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["note"]

    def kwargs(self) -> dict:
        return {"on": self.cleaned_data["on"], "grounds": self.cleaned_data["grounds"]}


class ResumeForm(DatedStepForm):
    title = gettext_lazy("Resume (at most 1 month remains)")
    button = gettext_lazy("Resume")


class NotifyForm(DatedStepForm):
    title = gettext_lazy("Record a notification")
    button = gettext_lazy("Record")
    target = forms.ChoiceField(
        label=gettext_lazy("Notified"),
        widget=forms.RadioSelect,
        choices=[
            ("procuracy", gettext_lazy("The procuracy, in writing")),
            ("reporter", gettext_lazy("The reporter, of the result")),
        ],
    )
    field_order = ["target", "on", "note", "version"]

    def kwargs(self) -> dict:
        return {**super().kwargs(), "target": self.cleaned_data["target"]}


class CollectorForm(StepForm):
    title = gettext_lazy("Account the money was paid into")
    button = gettext_lazy("Save the account")
    collector_bank = collector_bank_field()
    collector_number = collector_number_field()
    field_order = ["collector_bank", "collector_number", "note", "version"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collector_number"].help_text = _(
            "Digits only; spaces and dots are ignored. For an e-wallet: its phone number. "
            "Leave both empty to remove a wrong account."
        )
        # The whole number only for those who may see it (writers do; the check is cheap).
        shown = self.report is not None and collector_view(
            self.report.collector_account, personal=sees_personal_data(self.viewer)
        )
        if shown and not shown.masked:
            self.initial.setdefault("collector_bank", shown.bank_name)
            self.initial.setdefault("collector_number", shown.number)

    def kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            **super().kwargs(),
            "collector_bank": d["collector_bank"],
            "collector_number": d["collector_number"],
        }


STEP_FORMS: dict[Action, type[StepForm]] = {
    Action.CLASSIFY: ClassifyForm,
    Action.TRANSFER: TransferForm,
    Action.ACCEPT: AcceptForm,
    Action.VERIFY: VerifyForm,
    Action.EXTEND: ExtendForm,
    Action.PROCURACY_EXTEND: ProcuracyExtendForm,
    Action.DECIDE: DecideForm,
    Action.SUSPEND: SuspendForm,
    Action.RESUME: ResumeForm,
    Action.NOTIFY: NotifyForm,
    Action.COLLECTOR: CollectorForm,
}
STEP_SERVICES = {
    Action.CLASSIFY: services.crime_report_classify,
    Action.TRANSFER: services.crime_report_transfer,
    Action.ACCEPT: services.crime_report_accept,
    Action.VERIFY: services.crime_report_verify,
    Action.EXTEND: services.crime_report_extend,
    Action.PROCURACY_EXTEND: services.crime_report_procuracy_extend,
    Action.DECIDE: services.crime_report_decide,
    Action.SUSPEND: services.crime_report_suspend,
    Action.RESUME: services.crime_report_resume,
    Action.NOTIFY: services.crime_report_notify,
    Action.COLLECTOR: services.crime_report_collector_set,
}
# The page offers the three decisions in one form; /suspend stays for the API and old links.
PAGE_STEPS = [a for a in Action if a is not Action.SUSPEND]


def _step_forms(request, report, *, bound: dict | None = None) -> list[dict]:
    """The forms of the steps the viewer may take now (the bound one replaces its blank)."""
    bound = bound or {}
    allowed = set(selectors.report_actions(viewer=request.user, report=report))
    out = []
    for action in [*PAGE_STEPS, *(a for a in bound if a not in PAGE_STEPS)]:
        if action not in allowed and action not in bound:
            continue
        form = bound.get(action) or STEP_FORMS[action](
            prefix=action.value, initial={"version": report.version}, report=report, viewer=request.user
        )
        out.append(
            {
                "action": action.value,
                "form": form,
                "url": reverse("records:report_step", args=[report.pk, action.value]),
            }
        )
    return out


def _render_detail(request, report, *, bound: dict | None = None, error: str = "", status: int = 200):
    reporter = selectors.reporter_view(request.user, report)
    personal = sees_personal_data(request.user)
    context = {
        "report": report,
        "reporter": reporter,
        # Without personal data: the street without the house number, and no summary.
        "address_shown": report.address if personal else mask_address(report.address),
        "collector": collector_view(report.collector_account, personal=personal),
        "summary_withheld": not personal and bool(report.summary),
        "timeline": selectors.report_timeline(viewer=request.user, report=report),
        "clock_events": selectors.clock_events(viewer=request.user, report=report),
        "steps": _step_forms(request, report, bound=bound),
        "cases": list(report.cases.only("id", "number", "initiated_on", "status")),
        "incidents": list(report.incidents.only("id", "number", "occurred_from")),
        "step_error": error,
        "collector_banks": [b.short_name for b in BANKS],
        "autocomplete_config": autocomplete_config(),
        "active_nav": "reports",
    }
    return render(request, "records/reports/detail.html", context, status=status)


@require_roles(*READER_ROLES)
@require_GET
def report_detail(request, pk: int):
    report = selectors.report_get(viewer=request.user, pk=pk)
    reporter = selectors.reporter_view(request.user, report)
    services.crime_report_viewed(
        actor=request.user, report=report, reporter_shown=reporter.person is not None
    )
    return _render_detail(request, report)


@require_roles(*WRITER_ROLES)
@require_POST
def report_step(request, pk: int, action: str):
    report = selectors.report_get(viewer=request.user, pk=pk)
    try:
        step = Action(action)
    except ValueError:
        raise Http404 from None
    form_class = STEP_FORMS[step]
    form = form_class(request.POST, prefix=step.value, report=report, viewer=request.user)
    if not form.is_valid():
        return _render_detail(
            request, report, bound={step: form}, error=_("Correct the errors in the form below."), status=422
        )
    try:
        result = STEP_SERVICES[step](
            actor=request.user, report=report, version=form.cleaned_data["version"], **form.kwargs()
        )
    except PermissionRefused as exc:
        raise PermissionDenied(exc.message) from exc
    except ConflictError as exc:
        fresh = selectors.report_get(viewer=request.user, pk=pk)
        # Keep what the user typed, with the current version: they check the changes above
        # (the timeline shows them) and submit again.
        data = request.POST.copy()
        data[f"{step.value}-version"] = str(fresh.version)
        again = form_class(data, prefix=step.value, report=fresh, viewer=request.user)
        again.is_valid()
        return _render_detail(request, fresh, bound={step: again}, error=str(exc), status=409)
    except RecordError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return _render_detail(request, report, bound={step: form}, error=exc.message, status=422)
    case = getattr(result, "created_case", None)
    if case is not None:
        messages.success(request, _("Saved. Case %(number)s was initiated.") % {"number": case.number})
    else:
        messages.success(request, _("Saved."))
    return redirect("records:report_detail", pk=result.pk)


# The deadlines board -------------------------------------------------------------------------------


@require_roles(*READER_ROLES)
@require_GET
def deadlines(request):
    unit = request.GET.get("unit", "")
    unit_id = int(unit) if unit.isdigit() and len(unit) < 12 else None
    board = selectors.deadline_board(viewer=request.user, unit_id=unit_id)
    return render(request, "records/reports/deadlines.html", {"board": board, "active_nav": "deadlines"})


urlpatterns = [
    path("reports/", report_list, name="report_list"),
    path("reports/new/", report_create, name="report_create"),
    path("reports/<int:pk>/", report_detail, name="report_detail"),
    path("reports/<int:pk>/<slug:action>/", report_step, name="report_step"),
    path("deadlines/", deadlines, name="deadlines"),
]
