"""The auditor's search form. Dates are typed dd/mm/yyyy (anninh.formats)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from anninh.audit.models import AuditAction
from anninh.audit.selectors import EventFilters
from anninh.datefields import validate_date_range

DATE_WIDGET = {"placeholder": _("dd/mm/yyyy"), "inputmode": "numeric", "autocomplete": "off"}


class EventSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name, object, id…")}),
    )
    username = forms.CharField(label=_("User name"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("Any action")), *AuditAction.choices]
    )
    object_type = forms.CharField(
        label=_("Object type"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "accounts.user"}),
    )
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    request_id = forms.UUIDField(label=_("Request id"), required=False)
    client_ip = forms.GenericIPAddressField(label=_("Client address"), required=False, unpack_ipv4=True)
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        validators=[validate_date_range],
        widget=forms.DateInput(format="%d/%m/%Y", attrs=DATE_WIDGET),
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        validators=[validate_date_range],
        widget=forms.DateInput(format="%d/%m/%Y", attrs=DATE_WIDGET),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filters(self) -> EventFilters:
        """The search as filters; an unbound form searches everything."""
        if not self.is_bound:
            return EventFilters()
        return EventFilters.from_mapping(self.cleaned_data)
