"""The person index: one row per real person, matched on normalised identifiers."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Person(models.Model):
    full_name = models.CharField(_("full name"), max_length=150)
    name_key = models.CharField(max_length=160, db_index=True, editable=False)  # folded
    sort_key = models.CharField(max_length=400, db_index=True, editable=False)  # given name first
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
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

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["sort_key"]

    def __str__(self) -> str:
        return self.full_name


class PersonPhone(models.Model):
    """A mobile number, normalised to 0xxxxxxxxx; unique so one phone is one person."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(_("phone"), max_length=10, unique=True)

    class Meta:
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")

    def __str__(self) -> str:
        return self.number
