"""Cases and clearance. A case counts as cleared (khám phá) when the offender is identified
and the case established: `offender_identified_at` is kept apart from the occurrence date so
the rate of any past period can be recomputed without rewriting history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from anninh.accounts.scoping import RestrictedManager, ScopeRule
from anninh.records.models.choices import CaseStatus


def _copy(to: str, **kwargs) -> models.ForeignKey:
    """A copy kept by the triggers of anninh/records/occurrence.py: no constraint, no own
    index (the model's indexes name it), never edited."""
    return models.ForeignKey(
        to,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
        **kwargs,
    )


# The copies of where a case is placed that its history carries too (CaseStatusChange).
CASE_PLACE = ["place_commune", "other_commune", "handling_unit", "other_unit"]


class Case(models.Model):
    """Need-to-know: placed by its incident (else its crime report) and its handling unit."""

    number = models.CharField(_("case number"), max_length=40, unique=True)
    initiated_on = models.DateField(_("initiated on"), db_index=True)
    # A case initiated from a crime report may precede the incident record; link it later.
    incident = models.ForeignKey(
        "records.Incident",
        verbose_name=_("incident"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    crime_report = models.ForeignKey(
        "records.CrimeReport",
        verbose_name=_("crime report"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    # Indexed with occurred_at first (records_case_unit_occ_idx), which also serves the lookups
    # by unit alone.
    handling_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("handling unit"),
        on_delete=models.PROTECT,
        related_name="cases",
        db_index=False,
    )
    # The offence the case was initiated for; when empty, the incident's main offence (or the
    # report's suspected offence) stands for it in the statistics.
    offence = models.ForeignKey(
        "records.Offence",
        verbose_name=_("offence"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    summary = models.TextField(_("summary"), blank=True)
    # When the crime happened: the incident's start, else the crime report's receipt. A copy
    # kept exact by database triggers (anninh/records/occurrence.py) on every write of a case,
    # an incident or a report, whatever writes it (services, imports, bulk updates); it lets the
    # "cases as of" statistics find a period's cases through an index instead of joining every
    # incident. Never set it in Python: the database overwrites it.
    occurred_at = models.DateTimeField(_("occurred at"), null=True, blank=True, editable=False)
    # The offence group the case counts under: its own offence's group, else its incident's main
    # offence group, else its crime report's suspected offence's group ("" when none). A copy
    # kept exact by the same triggers, so the statistics group a period's cases without joining
    # incidents and reports. Never set it in Python either.
    counted_group = models.CharField(
        _("offence group counted"), max_length=20, blank=True, default="", editable=False
    )
    # The last status change of the history (by effective time, then id): its time and status.
    # A copy kept by the same triggers, so "status as of" a time after it needs no look-up in
    # the history (the status field above is what the services set; the statistics never
    # trust it, only the history).
    last_change_at = models.DateTimeField(_("last status change"), null=True, blank=True, editable=False)
    last_change_status = models.CharField(
        _("status after the last change"), max_length=20, blank=True, null=True, editable=False
    )
    # Where the case is placed, for the need-to-know rule and the commune filters: the
    # incident's commune (else the crime report's), the report's commune where it is another,
    # and the incident's responsible unit where it is not the handling unit. Copies kept exact
    # by the same triggers, so that the cases one commune officer may see are found through
    # indexes on the case rather than a join of every case (issue #15). Never set in Python.
    place_commune = _copy("geo.Commune", verbose_name=_("commune of the case"))
    other_commune = _copy("geo.Commune", verbose_name=_("commune of the crime report, where another"))
    other_unit = _copy("org.Unit", verbose_name=_("incident's responsible unit, where another"))
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.OPEN, db_index=True
    )
    offender_identified_at = models.DateTimeField(
        _("offender identified at"), null=True, blank=True, db_index=True
    )
    clearing_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("clearing unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    arrests = models.PositiveIntegerField(_("arrests"), default=0)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)
    is_synthetic = models.BooleanField(default=False, editable=False)

    objects = RestrictedManager()
    # The same rule as "its incident's or its crime report's commune, its handling unit or its
    # incident's responsible unit", read from the copies on the case (see place_commune).
    need_to_know = ScopeRule(
        communes=("place_commune", "other_commune"),
        units=("handling_unit", "other_unit"),
    )

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-initiated_on", "-id"]
        indexes = [
            # Covering (PostgreSQL): a period's cases for the statistics, read from the index alone.
            models.Index(
                fields=["occurred_at"],
                include=["id", "counted_group", "handling_unit", "last_change_at", "last_change_status"],
                name="records_case_occurred_idx",
            ),
            # CompStat's "cleared from earlier periods": the period's clearances, with the status
            # and when the crime happened read from the index alone (PostgreSQL).
            models.Index(
                fields=["offender_identified_at"],
                include=["status", "occurred_at"],
                name="records_case_identified_idx",
            ),
            # Covering (PostgreSQL), for the campaign indicators (anninh/campaigns/indicators.py):
            # a period's cleared cases (cleared, offenders) and a period's cases of one counted
            # group (drug cases; CompStat's fraud and cyber-crime cases initiated), with what the
            # scope and the grouping read, from the index
            # alone rather than from every case of the period's pages
            # (benchmarks/results/campaign-dashboard.md).
            models.Index(
                fields=["offender_identified_at"],
                include=["id", "handling_unit", "incident", "crime_report"],
                condition=Q(status="cleared"),
                name="records_case_cleared_idx",
            ),
            # Where the case is placed (the need-to-know rule and the commune filters), by when
            # the crime happened: a commune officer's cases of a period from the index. The two
            # "other" copies are set only where they differ: partial indexes.
            models.Index(fields=["place_commune", "occurred_at"], name="records_case_place_idx"),
            models.Index(fields=["handling_unit", "occurred_at"], name="records_case_unit_occ_idx"),
            models.Index(
                fields=["other_commune"],
                condition=Q(other_commune__isnull=False),
                name="records_case_other_c_idx",
            ),
            # Cases handed to another unit are common (the city's criminal police): by date too.
            models.Index(
                fields=["other_unit", "occurred_at"],
                condition=Q(other_unit__isnull=False),
                name="records_case_other_u_idx",
            ),
            models.Index(
                fields=["counted_group", "initiated_on"],
                include=["id", "handling_unit", "incident", "crime_report"],
                name="records_case_group_init_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="cleared") | Q(offender_identified_at__isnull=False),
                name="records_case_cleared_identified",
            ),
        ]

    def __str__(self) -> str:
        return self.number


class CaseStatusChange(models.Model):
    """Every status change of a case, with the date it takes effect: the history from which
    a clearance rate for any past period is recomputed."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    effective_at = models.DateTimeField()
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # The offence group its case counts under (Case.counted_group), copied by triggers
    # (anninh/records/occurrence.py) so that a period's clearances are counted by group from
    # one index, without joining their cases. Never set it in Python: the database does.
    counted_group = models.CharField(
        _("offence group counted"), max_length=20, blank=True, default="", editable=False
    )
    # Where its case is placed and who handles it (Case.place_commune, other_commune,
    # handling_unit, other_unit), copied by the same triggers under the same names, so that
    # the case's need-to-know rule applies to the history rows as they are: a commune
    # officer's clearances of a year are counted from the history's index alone, without
    # reading the 70,000 cases they may see (issue #15). Never set in Python.
    place_commune = _copy("geo.Commune")
    other_commune = _copy("geo.Commune")
    handling_unit = _copy("org.Unit")
    other_unit = _copy("org.Unit")

    objects = RestrictedManager()
    need_to_know = ScopeRule(custom="anninh.records.scoping.case_history_rows")

    class Meta:
        ordering = ["effective_at", "id"]
        indexes = [
            # A case's status as of a time: its last change then, from the index alone
            # (PostgreSQL covers to_status; the id orders changes of the same instant).
            models.Index(
                fields=["case", "effective_at", "id"], include=["to_status"], name="records_case_change_idx"
            ),
            # The period rate's clearances of a period (clearance_in_period).
            # (And a scoped viewer's: the copies of the case's placement are covered too.)
            models.Index(
                fields=["to_status", "effective_at"],
                include=["case", "counted_group", *CASE_PLACE],
                name="records_case_change_to_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_status}→{self.to_status}"
