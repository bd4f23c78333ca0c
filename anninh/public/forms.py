"""Forms of the warning pages: they parse; the services decide."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from anninh.datefields import validate_date_range
from anninh.geo.models import Commune
from anninh.lib.dates import local_date, local_day_bounds
from anninh.public.models import Severity, Trick
from anninh.public.services import WarningInput


def commune_choices() -> list[tuple[str, str]]:
    return list(Commune.objects.order_by("sort_key", "code").values_list("code", "name"))


class WarningForm(forms.Form):
    trick = forms.ChoiceField(label=_("trick"), choices=Trick.choices)
    severity = forms.ChoiceField(label=_("severity"), choices=Severity.choices, initial=Severity.MODERATE)
    title_vi = forms.CharField(label=_("title (Vietnamese)"), max_length=200)
    recognise_vi = forms.CharField(
        label=_("how to recognise it (Vietnamese)"), widget=forms.Textarea(attrs={"rows": 4})
    )
    action_vi = forms.CharField(label=_("what to do (Vietnamese)"), widget=forms.Textarea(attrs={"rows": 4}))
    title_en = forms.CharField(label=_("title (English)"), max_length=200, required=False)
    recognise_en = forms.CharField(
        label=_("how to recognise it (English)"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    action_en = forms.CharField(
        label=_("what to do (English)"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    hotline = forms.CharField(label=_("hotline"), max_length=40, initial="113")
    whole_city = forms.BooleanField(label=_("whole city"), required=False)
    communes = forms.MultipleChoiceField(
        label=_("communes affected"), required=False, widget=forms.SelectMultiple(attrs={"size": 8})
    )
    valid_from = forms.DateField(label=_("valid from"), validators=[validate_date_range])
    valid_until = forms.DateField(
        label=_("valid until"),
        validators=[validate_date_range],
        help_text=_("The warning ends at the end of this day."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["communes"].choices = commune_choices()

    def to_input(self) -> WarningInput:
        data = self.cleaned_data
        return WarningInput(
            trick=data["trick"],
            severity=data["severity"],
            title_vi=data["title_vi"],
            title_en=data["title_en"],
            recognise_vi=data["recognise_vi"],
            recognise_en=data["recognise_en"],
            action_vi=data["action_vi"],
            action_en=data["action_en"],
            hotline=data["hotline"],
            whole_city=data["whole_city"],
            commune_codes=list(data["communes"]),
            valid_from=local_day_bounds(data["valid_from"])[0],
            valid_until=local_day_bounds(data["valid_until"])[1],
        )


def initial_from(warning) -> dict:
    return {
        "trick": warning.trick,
        "severity": warning.severity,
        "title_vi": warning.title_vi,
        "title_en": warning.title_en,
        "recognise_vi": warning.recognise_vi,
        "recognise_en": warning.recognise_en,
        "action_vi": warning.action_vi,
        "action_en": warning.action_en,
        "hotline": warning.hotline,
        "whole_city": warning.whole_city,
        "communes": list(warning.communes.values_list("code", flat=True)),
        "valid_from": local_date(warning.valid_from),
        # valid_until is the midnight that ends the last day.
        "valid_until": local_date(warning.valid_until) - dt.timedelta(days=1),
    }
