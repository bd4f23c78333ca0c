"""Patrol plans: teams of a commune police assigned to forecast cells for one shift, ranked
checkpoint sites, and the patrols officers mark done. Places and times only."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from anninh.accounts.roles import Role
from anninh.accounts.scoping import RestrictedManager, ScopeRule

#: Who reads patrol plans and checkpoint sites: city-wide roles every commune's, a commune
#: officer their commune's.
PATROL_READERS = frozenset({Role.COMMANDER, Role.ANALYST, Role.COMMUNE_OFFICER})

SHIFT_CHOICES = [
    ("morning", _("Morning (06–14)")),
    ("afternoon", _("Afternoon (14–22)")),
    ("night", _("Night (22–06)")),
]


class CheckpointSite(models.Model):
    """A place where a checkpoint can be set up (a crossroads, a bridge, a ferry landing)."""

    name = models.CharField(_("name"), max_length=200)
    commune = models.ForeignKey(
        "geo.Commune", verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+"
    )
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    active = models.BooleanField(_("in use"), default=True)
    is_synthetic = models.BooleanField(default=False, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager()
    need_to_know = ScopeRule(readers=PATROL_READERS, communes=("commune",))

    class Meta:
        verbose_name = _("checkpoint site")
        verbose_name_plural = _("checkpoint sites")
        ordering = ["commune", "name"]
        constraints = [models.UniqueConstraint(fields=["commune", "name"], name="patrols_site_unique_name")]

    def __str__(self) -> str:
        return self.name


class PlanStatus(models.TextChoices):
    """A plan is drafted (by an analyst, a commune officer or a commander), submitted, then
    approved or sent back by a commander; only an approved plan is carried out."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Sent back")


class PatrolPlan(models.Model):
    date = models.DateField(_("date"))
    shift = models.CharField(_("shift"), max_length=12, choices=SHIFT_CHOICES)
    commune = models.ForeignKey(
        "geo.Commune", verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+"
    )
    forecast = models.ForeignKey(
        "hotspots.Forecast", verbose_name=_("forecast"), on_delete=models.PROTECT, related_name="+"
    )
    teams = models.PositiveSmallIntegerField(_("teams available"))
    cells_per_team = models.PositiveSmallIntegerField(_("cells per team"), default=3)
    expected_covered = models.FloatField(_("expected crimes covered"), default=0)
    status = models.CharField(
        _("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.DRAFT, db_index=True
    )
    # Set when the drafter accepted a plan whose cells expect almost no crime (see services).
    low_risk_confirmed = models.BooleanField(_("low risk confirmed"), default=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("commander's note"), max_length=500, blank=True)
    is_synthetic = models.BooleanField(default=False, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager()
    need_to_know = ScopeRule(readers=PATROL_READERS, communes=("commune",))

    class Meta:
        verbose_name = _("patrol plan")
        verbose_name_plural = _("patrol plans")
        ordering = ["-date", "shift", "commune"]
        constraints = [
            models.UniqueConstraint(fields=["date", "shift", "commune"], name="patrols_one_plan_per_shift")
        ]
        indexes = [models.Index(fields=["commune", "date"], name="patrols_plan_commune_idx")]

    def __str__(self) -> str:
        return f"{self.commune_id} {self.date:%d/%m/%Y} {self.shift}"


class PatrolAssignment(models.Model):
    plan = models.ForeignKey(PatrolPlan, on_delete=models.CASCADE, related_name="assignments")
    team = models.PositiveSmallIntegerField(_("team"))
    order = models.PositiveSmallIntegerField(_("order"))
    cell_index = models.PositiveIntegerField(_("cell"))
    lat = models.FloatField()
    lon = models.FloatField()
    expected = models.FloatField(_("expected crimes"))
    done_at = models.DateTimeField(_("patrolled at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = RestrictedManager()
    need_to_know = ScopeRule(readers=PATROL_READERS, communes=("plan__commune",))

    class Meta:
        ordering = ["plan", "team", "order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "cell_index"], name="patrols_cell_once_per_plan"),
            models.UniqueConstraint(fields=["plan", "team", "order"], name="patrols_team_order_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} team {self.team} #{self.order}"


class PlanCheckpoint(models.Model):
    plan = models.ForeignKey(PatrolPlan, on_delete=models.CASCADE, related_name="checkpoints")
    site = models.ForeignKey(CheckpointSite, on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField(_("rank"))
    score = models.FloatField(_("forecast risk nearby"))

    class Meta:
        ordering = ["plan", "rank"]

    def __str__(self) -> str:
        return f"{self.plan} checkpoint {self.rank}"
