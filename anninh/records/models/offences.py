"""The offence table: Penal Code articles, versioned by the law that defines them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from anninh.records.models.choices import OffenceGroup


class Offence(models.Model):
    """One article of the Penal Code as in force over a period. An article changed by a new
    law gets a new row (new `valid_from`), so old records keep the version they were
    classified under."""

    article = models.CharField(_("article"), max_length=8, db_index=True)  # "173", "256a"
    name = models.CharField(_("name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    chapter = models.CharField(_("chapter"), max_length=8)
    group = models.CharField(_("offence group"), max_length=20, choices=OffenceGroup.choices, db_index=True)
    handling_unit_code = models.CharField(_("usual handling unit"), max_length=32, blank=True)
    # Below the threshold an act is an administrative violation, not a crime.
    threshold_vnd = models.BigIntegerField(_("threshold (đ)"), null=True, blank=True)
    # Art. 155: clause 1 prosecuted only at the victim's request.
    victim_request_clause1 = models.BooleanField(_("clause 1 only at the victim's request"), default=False)
    law_version = models.CharField(_("law version"), max_length=40)
    valid_from = models.DateField(_("in force from"))
    valid_to = models.DateField(_("in force until"), null=True, blank=True)
    search_key = models.CharField(max_length=400, db_index=True, editable=False)

    class Meta:
        verbose_name = _("offence")
        verbose_name_plural = _("offences")
        ordering = ["article", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["article", "valid_from"], name="records_offence_version_unique")
        ]

    def __str__(self) -> str:
        return f"Điều {self.article} · {self.name}"
