"""The person index: one row per real person, matched on normalised identifiers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from anninh.accounts.scoping import RestrictedManager, ScopeRule
from anninh.records.models.choices import Sex


class Person(models.Model):
    """Need-to-know: a person is seen only through a record the viewer may read that names
    them (anninh.records.scoping.person_rows), and only by the roles that read personal data."""

    full_name = models.CharField(_("full name"), max_length=150)
    name_key = models.CharField(max_length=160, db_index=True, editable=False)  # folded
    sort_key = models.CharField(max_length=400, db_index=True, editable=False)  # given name first
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    # Optional; checked against the CCCD's century-and-sex digit when both are known.
    sex = models.CharField(_("sex"), max_length=7, choices=Sex.choices, default=Sex.UNKNOWN, blank=True)
    # CCCD: 12 digits, normalised; unique so the same card never makes two people.
    cccd = models.CharField(_("citizen ID (CCCD)"), max_length=12, null=True, blank=True, unique=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    commune = models.ForeignKey(
        "geo.Commune", verbose_name=_("commune of residence"), null=True, blank=True, on_delete=models.PROTECT
    )
    province_code = models.CharField(_("province of residence"), max_length=2, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    objects = RestrictedManager()
    need_to_know = ScopeRule(custom="anninh.records.scoping.person_rows")

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["sort_key"]

    def __str__(self) -> str:
        return self.full_name


class PersonPhone(models.Model):
    """A mobile number, normalised to 0xxxxxxxxx. Not unique: a family or a workplace shares
    one phone, so a phone is a lead to a person, never an identity."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(_("phone"), max_length=10, db_index=True)

    objects = RestrictedManager()
    need_to_know = ScopeRule(custom="anninh.records.scoping.person_phone_rows")

    class Meta:
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")
        constraints = [models.UniqueConstraint(fields=["person", "number"], name="records_person_phone_once")]

    def __str__(self) -> str:
        return self.number


class PersonMatchReason(models.TextChoices):
    CCCD = "cccd", _("Same citizen ID")
    PHONE = "phone", _("Same phone number")


class PersonMatchStatus(models.TextChoices):
    OPEN = "open", _("To review")
    MERGED = "merged", _("Merged: one person")
    REJECTED = "rejected", _("Rejected: different people")


class PersonMatch(models.Model):
    """A possible identity the person index would not decide alone: the person recorded at
    intake (`person`) may be a person already on file (`candidate`), because they share a
    phone, or because the CCCD given belongs to a person the recording officer may not see
    (the CCCD is then kept here, not on the new record, so nothing of the other person leaks
    and the index never holds one CCCD twice). Someone who may see both persons decides."""

    # Emptied when a merge removes the intake record (the audit row keeps its id).
    person = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    candidate = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=10, choices=PersonMatchReason.choices)
    claimed_cccd = models.CharField(_("citizen ID given"), max_length=12, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PersonMatchStatus.choices, default=PersonMatchStatus.OPEN
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = RestrictedManager()
    need_to_know = ScopeRule(custom="anninh.records.scoping.person_match_rows")

    class Meta:
        verbose_name = _("possible same person")
        verbose_name_plural = _("possible same persons")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "candidate"], name="records_person_match_once")
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="records_pmatch_status_idx")]

    def __str__(self) -> str:
        return f"{self.person_id} ~ {self.candidate_id} ({self.reason})"
