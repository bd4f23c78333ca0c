"""Campaigns (đợt cao điểm): a name, a period, a scope (communes, offence groups, units) and
targets per unit. The targets' progress is never typed in: `anninh.campaigns.indicators`
computes every indicator from the records, for what the viewer may see."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from anninh.accounts.roles import Role
from anninh.accounts.scoping import RestrictedManager, ScopeRule

READER_ROLES = frozenset({Role.COMMANDER, Role.ANALYST, Role.INVESTIGATOR, Role.COMMUNE_OFFICER})
#: Commanders launch campaigns and set their targets (the owner is the one who launched it).
OWNER_ROLES = frozenset({Role.COMMANDER})


class Indicator(models.TextChoices):
    CRIMES = "crimes", _("Crimes recorded")
    CLEARED = "cleared", _("Cases cleared")
    OFFENDERS = "offenders", _("Offenders identified")
    DRUG_CASES = "drug_cases", _("Drug cases initiated")
    REPORTS_ON_TIME = "reports_on_time", _("Crime reports decided on time")
    WANTED_CAUGHT = "wanted_caught", _("Wanted persons caught")
    ARRESTS = "arrests", pgettext_lazy("indicator", "Arrests")
    FRAUD_RECOVERED = "fraud_recovered", _("Fraud losses recovered (đ)")


#: Indicators where less is better: the target is a ceiling, met when the count stays at or
#: below it. Every other target is a floor to reach.
LOWER_IS_BETTER = frozenset({Indicator.CRIMES})
MONEY_INDICATORS = frozenset({Indicator.FRAUD_RECOVERED})


class Campaign(models.Model):
    """Need-to-know: commanders and analysts see every campaign; an investigator those its
    department takes part in; a commune officer those covering their commune or with their
    unit taking part. The figures inside are scoped again, record by record."""

    name = models.CharField(_("name"), max_length=300)
    first = models.DateField(_("from"))
    last = models.DateField(_("until"))
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+"
    )
    # Empty: the whole city.
    communes = models.ManyToManyField("geo.Commune", verbose_name=_("communes"), blank=True, related_name="+")
    # Empty: every offence group. Values of records.OffenceGroup.
    offence_groups = models.JSONField(_("offence groups"), default=list, blank=True)
    # The units taking part (their targets and rows in the table). Empty: every unit.
    units = models.ManyToManyField("org.Unit", verbose_name=_("units"), blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    is_synthetic = models.BooleanField(default=False, editable=False)

    objects = RestrictedManager()
    need_to_know = ScopeRule(readers=READER_ROLES, custom="anninh.campaigns.scoping.campaign_rows")

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-first", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(last__gte=models.F("first")), name="campaign_period")
        ]

    def __str__(self) -> str:
        return self.name


class CampaignTarget(models.Model):
    """A number to reach (or not to exceed) for one indicator, for one unit or (unit empty)
    for the whole campaign. Only the number is typed; the progress is computed."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    indicator = models.CharField(_("indicator"), max_length=20, choices=Indicator.choices)
    value = models.BigIntegerField(_("target"))

    objects = RestrictedManager()
    need_to_know = ScopeRule(readers=READER_ROLES, custom="anninh.campaigns.scoping.target_rows")

    class Meta:
        verbose_name = _("campaign target")
        verbose_name_plural = _("campaign targets")
        ordering = ["campaign", "unit", "indicator"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit", "indicator"], name="campaign_target_once"),
            models.UniqueConstraint(
                fields=["campaign", "indicator"],
                condition=Q(unit__isnull=True),
                name="campaign_target_whole_once",
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="campaign_target_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.unit_id}/{self.indicator}={self.value}"


class ClearedSuspect(models.Model):
    """A person recorded as a suspect in the incident of a cleared case: one row per (case,
    suspect), with the case's handling unit and the time its offender was identified. Written
    only by database triggers (anninh/campaigns/offenders.py), which keep it exactly the
    records' on every write of a case or a person link; the indicator "offenders identified"
    counts distinct persons from it without probing every cleared case's links
    (benchmarks/results/campaign-dashboard.md). Never write it in Python."""

    # No foreign-key constraints: the triggers write these rows, and the cases' and links' own
    # constraints already guarantee that the case, person and unit exist.
    case = models.ForeignKey(
        "records.Case", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    person = models.ForeignKey(
        "records.Person", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    handling_unit = models.ForeignKey(
        "org.Unit", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    identified_at = models.DateTimeField()  # the case's offender_identified_at
    # The identification time of the row before this one of the same person, in the order of
    # (identified_at, case), in the same unit and in any unit (None for the first). Also kept
    # by the triggers. A person counts once in a period [start, end) through exactly one of
    # their rows in it, the first, and that is the row whose previous one is before `start`:
    # so a distinct count of persons is a plain count of rows, read from one index.
    unit_prev_at = models.DateTimeField(null=True)
    person_prev_at = models.DateTimeField(null=True)

    objects = RestrictedManager()
    # Seen with its case, and its person only through the case's incident (as the suspects
    # are read through the incident): both rules, from those models' own declarations.
    need_to_know = ScopeRule(custom="anninh.campaigns.scoping.cleared_suspect_rows")

    class Meta:
        verbose_name = _("suspect of a cleared case")
        verbose_name_plural = _("suspects of cleared cases")
        constraints = [models.UniqueConstraint(fields=["case", "person"], name="campaigns_clsus_key")]
        indexes = [
            # Covering (PostgreSQL): a period's pairs with their unit, from the index alone.
            models.Index(
                fields=["identified_at"],
                include=["handling_unit", "unit_prev_at", "person_prev_at", "person"],
                name="campaigns_clsus_when",
            ),
            # The triggers recompute the previous times of the persons whose rows changed.
            models.Index(fields=["person"], name="campaigns_clsus_person"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.person_id}"
