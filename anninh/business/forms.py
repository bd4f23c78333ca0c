"""Forms of the dialogue pages: they parse; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from anninh.business.models import IndustrialPark, Ownership, Topic
from anninh.datefields import validate_date_range
from anninh.geo.models import Commune
from anninh.org.models import Unit


def commune_field(**kwargs) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("commune"), queryset=Commune.objects.order_by("sort_key", "code"), **kwargs
    )


def park_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("industrial park"), queryset=IndustrialPark.objects.order_by("name"), required=False
    )


def unit_field(**kwargs) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("unit"), queryset=Unit.objects.active().order_by("sort_key", "code"), **kwargs
    )


class ParkForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=200)
    commune = commune_field()
    operator = forms.CharField(label=_("operator"), max_length=200, required=False)


class BusinessForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=300)
    tax_code = forms.CharField(
        label=_("tax code"), max_length=20, help_text=_("10 digits, or 13 for a branch.")
    )
    ownership = forms.ChoiceField(label=_("ownership"), choices=Ownership.choices)
    investor_country = forms.CharField(label=_("investor's country"), max_length=100, required=False)
    sector = forms.CharField(label=_("sector"), max_length=200, required=False)
    commune = commune_field()
    park = park_field()
    address = forms.CharField(label=_("address"), max_length=300, required=False)
    contact_name = forms.CharField(label=_("security contact"), max_length=150)
    contact_phone = forms.CharField(label=_("contact phone"), max_length=20)
    contact_email = forms.EmailField(label=_("contact e-mail"), required=False)


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=300)
    held_on = forms.DateField(label=_("held on"), validators=[validate_date_range])
    commune = commune_field()
    park = park_field()
    organising_unit = unit_field()
    businesses = forms.ModelMultipleChoiceField(
        label=_("businesses attending"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    summary = forms.CharField(label=_("summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, businesses=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["businesses"].queryset = businesses


class RecommendationForm(forms.Form):
    business = forms.ModelChoiceField(label=_("business"), queryset=None)
    topic = forms.ChoiceField(label=_("topic"), choices=Topic.choices)
    text = forms.CharField(label=_("recommendation"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, businesses=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["business"].queryset = businesses


class AssignForm(forms.Form):
    unit = unit_field()
    due_on = forms.DateField(
        label=_("due"),
        required=False,
        validators=[validate_date_range],
        help_text=_("Leave empty for the standard answer period."),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("answer"), widget=forms.Textarea(attrs={"rows": 4}))


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("resolution"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    resolved_on = forms.DateField(label=_("resolved on"), required=False, validators=[validate_date_range])


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("why the answer did not settle it"), widget=forms.Textarea(attrs={"rows": 2})
    )


class AccountForm(forms.Form):
    username = forms.CharField(
        label=_("user name"), max_length=150, help_text=_("Letters, digits and @ . + - _ only.")
    )
    full_name = forms.CharField(
        label=_("person using the account"), max_length=150, help_text=_("Usually the security contact.")
    )


class DisableForm(forms.Form):
    reason = forms.CharField(label=_("why the account is disabled"), max_length=300)


class SetPasswordForm(forms.Form):
    password1 = forms.CharField(
        label=_("new password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("new password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            raise forms.ValidationError(_("The two passwords are not the same."))
        return data
