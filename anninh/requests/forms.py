"""The public form (works without script: the place is a commune list, the challenge a sum)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from anninh.geo.models import Commune
from anninh.requests.models import Anonymity
from anninh.requests.selectors import services_active


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        # Checked before anything is read into memory (the service checks what the files are).
        if len(files) > settings.ANNINH_REQUESTS_MAX_ATTACHMENTS:
            raise forms.ValidationError(
                _("Send at most %(count)s pictures.") % {"count": settings.ANNINH_REQUESTS_MAX_ATTACHMENTS}
            )
        limit = settings.ANNINH_REQUESTS_MAX_ATTACHMENT_BYTES
        if any(getattr(f, "size", 0) > limit for f in files):
            raise forms.ValidationError(
                _("A picture is larger than %(size)s MB.") % {"size": limit // (1024 * 1024)}
            )
        return [super(MultipleImageField, self).clean(f, initial) for f in files]


def commune_choices() -> list[tuple[str, str]]:
    return [("", _("I do not know / not in Hai Phong"))] + [
        (c.code, c.name)
        for c in Commune.objects.only("code", "name", "sort_key").order_by("sort_key", "code")
    ]


class SubmitForm(forms.Form):
    service = forms.ChoiceField(label=_("What is it about?"), widget=forms.RadioSelect)
    description = forms.CharField(
        label=_("Describe what happened or what you ask"),
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": 5000}),
        max_length=5000,
    )
    commune = forms.ChoiceField(label=_("Commune, ward or special zone"), required=False)
    address = forms.CharField(label=_("Where (street, landmark)"), required=False, max_length=300)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    anonymity = forms.ChoiceField(
        label=_("Your name"), choices=Anonymity.choices, initial=Anonymity.ANONYMOUS, widget=forms.RadioSelect
    )
    name = forms.CharField(label=_("Full name"), required=False, max_length=150)
    phone = forms.CharField(label=_("Mobile phone"), required=False, max_length=20)
    email = forms.EmailField(label=_("Email"), required=False)
    organisation = forms.CharField(
        label=_("Business or organisation (if any)"), required=False, max_length=200
    )
    images = MultipleImageField(label=_("Pictures (JPEG, PNG or WebP, up to 3)"), required=False)
    # The honeypot: hidden from people by the page's style; bots fill every field.
    website = forms.CharField(required=False, label=_("Leave this empty"))
    challenge = forms.CharField(widget=forms.HiddenInput)
    nonce = forms.CharField(widget=forms.HiddenInput, required=False)
    answer = forms.CharField(label=_("Anti-spam check"), required=False, max_length=4)

    def __init__(self, *args, lang: str = "vi", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [(s.code, s.name(lang)) for s in services_active()]
        self.fields["commune"].choices = commune_choices()
        for name in ("name", "phone", "email", "organisation", "address", "answer"):
            self.fields[name].widget.attrs.setdefault("autocomplete", "off" if name == "answer" else "on")
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})
        self.fields["email"].widget.attrs.update({"autocomplete": "email"})
        self.fields["name"].widget.attrs.update({"autocomplete": "name"})
        self.fields["answer"].widget.attrs.update({"inputmode": "numeric"})
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
