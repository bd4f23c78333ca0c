"""Forms of the account pages. Labels and messages are English msgids (translated)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import PasswordChangeForm as DjangoPasswordChangeForm
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from anninh.accounts.models import APIToken
from anninh.accounts.services import token_default_days, token_max_days


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
                "size": 8,
            }
        ),
    )


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class PasswordChangeForm(DjangoPasswordChangeForm):
    """Checks the old password and the new one against the validators; the page then saves
    through the password_change service (never form.save())."""

    def save(self, commit=True):
        raise RuntimeError("save through anninh.accounts.services.password_change")


TOKEN_DAYS = [7, 30, 90, 180, 365]


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("What the token is for, e.g. the name of the integration."),
    )
    scope = forms.ChoiceField(
        label=_("Access"),
        choices=APIToken.Scope.choices,
        initial=APIToken.Scope.READ,
        required=False,  # not chosen: read only
        help_text=_("A read-only token cannot change anything."),
    )
    days = forms.TypedChoiceField(label=_("Valid for"), coerce=int)

    def clean_scope(self) -> str:
        return self.cleaned_data["scope"] or APIToken.Scope.READ

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per form, so the labels are in the language of the request and the choices
        # follow the configured maximum (ANNINH_API_TOKEN_MAX_DAYS).
        maximum = token_max_days()
        offered = sorted({d for d in TOKEN_DAYS if d <= maximum} | {maximum})
        self.fields["days"].choices = [
            (d, ngettext("%(days)d day", "%(days)d days", d) % {"days": d}) for d in offered
        ]
        self.fields["days"].initial = token_default_days()
