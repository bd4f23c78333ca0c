"""The public side: scam and safety warnings for residents and businesses.

A warning is drafted by a press officer, approved by a commander, and then published in
Vietnamese and English on the public pages and as CAP 1.2 messages (Atom feed). Every
message a warning has sent (alert, update, cancel) is kept, so a CAP update or cancel can
reference the messages before it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from anninh.accounts.roles import Role
from anninh.accounts.scoping import RestrictedManager, ScopeRule

#: Staff who read every warning, drafts included.
WARNING_STAFF = frozenset({Role.PUBLIC_RELATIONS, Role.COMMANDER})


class Trick(models.TextChoices):
    """The tricks residents are warned of (issue #10; shared/fraud.md)."""

    POLICE_IMPERSONATION = "police_impersonation", _("Calls pretending to be police")
    FAKE_TRADING = "fake_trading", _("Fake forex and crypto apps")
    LOAN_APP = "loan_app", _("Loan apps")
    FAKE_JOB = "fake_job", _("Fake job offers")
    FAKE_BANK_SMS = "fake_bank_sms", _("Fake bank SMS")
    FAKE_INVESTMENT = "fake_investment", _("Fake investment projects")
    OTHER = "other", _("Other trick")


class Severity(models.TextChoices):
    """The CAP 1.2 severity scale (its values are the CAP ones)."""

    EXTREME = "Extreme", _("Extreme")
    SEVERE = "Severe", _("Severe")
    MODERATE = "Moderate", _("Moderate")
    MINOR = "Minor", _("Minor")


class WarningStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting approval")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


#: States the public may see.
PUBLIC_STATUSES = (WarningStatus.PUBLISHED, WarningStatus.CANCELLED)


class ScamWarning(models.Model):
    """One warning, in Vietnamese (required) and English (required to publish)."""

    trick = models.CharField(_("trick"), max_length=32, choices=Trick.choices)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.MODERATE
    )
    status = models.CharField(
        _("status"), max_length=12, choices=WarningStatus.choices, default=WarningStatus.DRAFT, db_index=True
    )
    title_vi = models.CharField(_("title (Vietnamese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    recognise_vi = models.TextField(_("how to recognise it (Vietnamese)"))
    recognise_en = models.TextField(_("how to recognise it (English)"), blank=True)
    action_vi = models.TextField(_("what to do (Vietnamese)"))
    action_en = models.TextField(_("what to do (English)"), blank=True)
    hotline = models.CharField(_("hotline"), max_length=40, default="113")
    whole_city = models.BooleanField(_("whole city"), default=False)
    communes = models.ManyToManyField("geo.Commune", verbose_name=_("communes affected"), blank=True)
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    # Folded text of both languages (anninh.lib.text.fold), for search without diacritics.
    search_key = models.TextField(editable=False, default="")
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("drafted by")
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("approved by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("first published"), null=True, blank=True)
    # Drafts are staff-only: press officers and commanders read them all; the public reads
    # published and cancelled warnings through anninh.public.selectors.public_warnings.
    objects = RestrictedManager()
    need_to_know = ScopeRule(readers=WARNING_STAFF, city_wide=WARNING_STAFF)

    class Meta:
        verbose_name = _("scam warning")
        verbose_name_plural = _("scam warnings")
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title_vi

    def get_absolute_url(self) -> str:
        return reverse("public:warning_detail", args=[self.pk])

    def title(self, language: str) -> str:
        return self.title_en if language == "en" and self.title_en else self.title_vi

    def recognise(self, language: str) -> str:
        return self.recognise_en if language == "en" and self.recognise_en else self.recognise_vi

    def action(self, language: str) -> str:
        return self.action_en if language == "en" and self.action_en else self.action_vi


class CapMsgType(models.TextChoices):
    ALERT = "Alert", _("Alert")
    UPDATE = "Update", _("Update")
    CANCEL = "Cancel", _("Cancel")


class CapMessage(models.Model):
    """One CAP message a warning sent: its first publication (Alert), each approved change
    (Update) and its withdrawal (Cancel). The CAP identifier is made from the warning and
    the sequence number, so it never changes once sent."""

    warning = models.ForeignKey(ScamWarning, on_delete=models.CASCADE, related_name="messages")
    sequence = models.PositiveIntegerField()
    msg_type = models.CharField(max_length=8, choices=CapMsgType.choices)
    sent_at = models.DateTimeField()
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Why a warning was withdrawn (a Cancel), shown to the public and sent as the CAP note.
    note = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["warning_id", "sequence"]
        constraints = [models.UniqueConstraint(fields=["warning", "sequence"], name="public_capmessage_seq")]

    def __str__(self) -> str:
        return self.identifier

    @property
    def identifier(self) -> str:
        return cap_identifier(self.warning_id, self.sequence)


def cap_identifier(warning_id: int, sequence: int) -> str:
    """The CAP identifier of a warning's message number `sequence` (no spaces or commas)."""
    return f"{settings.ANNINH_CAP_IDENTIFIER_PREFIX}.{warning_id}.{sequence}"
