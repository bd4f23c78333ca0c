"""Incidents: what happened, where and when; with offences, people, losses, and the
fire-and-rescue report for fires, explosions and rescues (Law 55/2024/QH15)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from anninh.accounts.scoping import RestrictedManager, ScopeRule
from anninh.records.models.choices import IncidentKind, PersonRole, PremisesType, ReviewStatus, River

# An incident the map cannot draw.
NO_POINT = Q(lat__isnull=True) | Q(lon__isnull=True)


class Incident(models.Model):
    """Need-to-know: the commune's officers, the responsible unit, city-wide roles; fire and
    rescue officers see fires, explosions and rescues everywhere."""

    number = models.CharField(_("number"), max_length=40)  # unique: see Meta.constraints
    # For imports: re-running an import updates the row with the same external id.
    external_id = models.CharField(_("external id"), max_length=80, null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=IncidentKind.choices)
    # When the exact time is unknown (a burglary found in the morning) the window is
    # [occurred_from, occurred_to]; otherwise occurred_to is empty.
    occurred_from = models.DateTimeField(_("occurred from"), db_index=True)
    occurred_to = models.DateTimeField(_("occurred until"), null=True, blank=True)
    reported_at = models.DateTimeField(_("reported at"))
    commune = models.ForeignKey(
        "geo.Commune", verbose_name=_("commune"), on_delete=models.PROTECT, db_index=False
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    premises = models.CharField(
        _("premises"), max_length=20, choices=PremisesType.choices, default=PremisesType.OTHER
    )
    narrative = models.TextField(_("narrative"), blank=True)
    responsible_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("responsible unit"), on_delete=models.PROTECT, db_index=False
    )
    # Denormalised from the offences for fast CompStat grouping: the group of the main offence.
    offence_group = models.CharField(_("offence group"), max_length=20, blank=True)
    losses_vnd = models.BigIntegerField(_("losses (đ)"), default=0)
    # Folded (lower case, no diacritics) number, address and narrative, for text search.
    search_key = models.TextField(blank=True, default="", editable=False)
    crime_reports = models.ManyToManyField(
        "records.CrimeReport", verbose_name=_("crime reports"), blank=True, related_name="incidents"
    )
    review_status = models.CharField(
        _("review"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    review_comment = models.TextField(_("review comment"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)
    is_synthetic = models.BooleanField(default=False, editable=False)

    objects = RestrictedManager()
    need_to_know = ScopeRule(
        communes=("commune",), units=("responsible_unit",), also="anninh.records.scoping.fire_rescue_rows"
    )

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-occurred_from", "-id"]
        # Lean on purpose: each index slows every import. The foreign keys to commune and unit
        # are covered by the composite indexes below; created_by and reviewed_by have none
        # (users are deactivated, never deleted, so nothing looks incidents up by them).
        indexes = [
            models.Index(fields=["commune", "occurred_from"], name="records_inc_commune_idx"),
            models.Index(fields=["responsible_unit", "occurred_from"], name="records_inc_unit_idx"),
            models.Index(fields=["kind", "occurred_from"], name="records_inc_kind_idx"),
            models.Index(fields=["offence_group", "occurred_from"], name="records_inc_group_idx"),
            # Covering (PostgreSQL): where an incident is placed for need-to-know (commune and
            # unit), read from the index alone when a commune officer's cases of a period are
            # checked one by one against their incidents (campaign indicators: 70,000 cleared
            # cases of two quarters, 0.4 s with a look-up in the table for each, 0.2 s without;
            # benchmarks/results/campaign-dashboard.md). Worth its cost on imports.
            models.Index(
                fields=["id"], include=["commune", "responsible_unit"], name="records_inc_place_idx"
            ),
            # Covering and partial (PostgreSQL): a period's fraud and cyber-crime incidents with
            # their unit and commune from the index alone, for the campaign indicator "fraud
            # losses recovered" (without it, every incident of the period was read from the
            # table to find the ~13 % that are fraud; benchmarks/results/campaign-dashboard.md).
            # Only those rows are indexed, so other incidents' writes do not pay for it.
            models.Index(
                fields=["occurred_from"],
                include=["id", "responsible_unit", "commune"],
                condition=Q(kind=IncidentKind.CRIME, offence_group__in=("fraud", "cyber")),
                name="records_inc_fraud_idx",
            ),
            models.Index(
                fields=["review_status"],
                name="records_inc_review_idx",
                condition=~Q(review_status="approved"),
            ),
            # The map's "without a point" count, by either half of the need-to-know rule: the
            # few incidents without coordinates, not every incident of the commune (a commune
            # officer's map read 50,000 pages to count none, issue #15).
            *(
                models.Index(fields=[field], name=f"records_inc_nopoint_{suffix}_idx", condition=NO_POINT)
                for field, suffix in (("commune", "c"), ("responsible_unit", "u"))
            ),
        ]
        constraints = [
            # Constraints rather than unique=True: on PostgreSQL a unique CharField also gets a
            # LIKE index nobody uses, one more index for a million-row import to maintain.
            models.UniqueConstraint(fields=["number"], name="records_inc_number_unique"),
            models.UniqueConstraint(fields=["external_id"], name="records_inc_external_id_unique"),
            models.CheckConstraint(condition=Q(losses_vnd__gte=0), name="records_inc_losses_nonneg"),
            models.CheckConstraint(
                condition=Q(occurred_to__isnull=True) | Q(occurred_to__gte=models.F("occurred_from")),
                name="records_inc_window",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def offence_group_label(self) -> str:
        """The translated name of `offence_group` (which has no choices: it is derived)."""
        from anninh.records.models.choices import OffenceGroup

        return (
            str(OffenceGroup(self.offence_group).label) if self.offence_group in OffenceGroup.values else ""
        )


class IncidentOffence(models.Model):
    # Indexed by the (incident, offence) constraint.
    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="offence_links", db_index=False
    )
    offence = models.ForeignKey("records.Offence", verbose_name=_("offence"), on_delete=models.PROTECT)
    clause = models.PositiveSmallIntegerField(_("clause"), null=True, blank=True)
    is_main = models.BooleanField(_("main offence"), default=False)

    class Meta:
        ordering = ["-is_main", "id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "offence"], name="records_inc_offence_unique"),
            # One main offence per incident: Incident.offence_group is its group.
            models.UniqueConstraint(
                fields=["incident"], condition=Q(is_main=True), name="records_inc_offence_one_main"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}: {self.offence_id}"


class IncidentPerson(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="person_links")
    person = models.ForeignKey("records.Person", on_delete=models.PROTECT, related_name="incident_links")
    role = models.CharField(_("role"), max_length=20, choices=PersonRole.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = RestrictedManager()
    need_to_know = ScopeRule(custom="anninh.records.scoping.incident_link_rows")

    class Meta:
        ordering = ["role", "id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "person", "role"], name="records_inc_person_unique")
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}: {self.person_id} ({self.role})"


class IncidentLoss(models.Model):
    """One item of property lost or damaged, valued in đồng (integers: VND has no minor unit)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="losses")
    description = models.CharField(_("property"), max_length=300)
    value_vnd = models.BigIntegerField(_("value (đ)"))
    recovered = models.BooleanField(_("recovered"), default=False)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(value_vnd__gte=0), name="records_loss_nonneg")]
        indexes = [
            # Partial: the recovered items only (few), found by their incident, with their value
            # (the campaign indicator "fraud losses recovered").
            models.Index(
                fields=["incident"],
                include=["value_vnd"],
                condition=Q(recovered=True),
                name="records_loss_recovered_idx",
            )
        ]

    def __str__(self) -> str:
        return self.description


class FireRescueDetail(models.Model):
    """After-action report of a fire, explosion or rescue (the NERIS split: the incident is
    the dispatch record; this is what was found and done)."""

    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="fire_rescue")
    cause = models.CharField(_("cause"), max_length=300, blank=True)
    dead = models.PositiveIntegerField(_("dead"), default=0)
    injured = models.PositiveIntegerField(_("injured"), default=0)
    rescued = models.PositiveIntegerField(_("people rescued"), default=0)
    victims_found = models.PositiveIntegerField(_("victims found"), default=0)
    damage_vnd = models.BigIntegerField(_("property damage (đ)"), default=0)
    forces = models.PositiveIntegerField(_("officers mobilised"), default=0)
    vehicles = models.PositiveIntegerField(_("vehicles mobilised"), default=0)
    river = models.CharField(_("river"), max_length=20, choices=River.choices, blank=True)
    vessel = models.CharField(_("vessel"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("fire and rescue report")
        constraints = [
            models.CheckConstraint(condition=Q(damage_vnd__gte=0), name="records_fr_damage_nonneg")
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}"


class ResponseTime(models.Model):
    """Per-unit times of a response: alerted, dispatched, arrived, under control, ended."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="response_times")
    unit = models.ForeignKey("org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT)
    alerted_at = models.DateTimeField(_("alerted"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived"), null=True, blank=True)
    controlled_at = models.DateTimeField(_("under control"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        ordering = ["alerted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "unit"], name="records_response_unit_unique"),
            # Each step no earlier than the one before it (when both are known); the service
            # also checks steps across gaps (alerted <= arrived when dispatch is unknown).
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{a}__isnull": True})
                    | Q(**{f"{b}__isnull": True})
                    | Q(**{f"{b}__gte": models.F(a)}),
                    name=f"records_response_{b.removesuffix('_at')}_order",
                )
                for a, b in [
                    ("alerted_at", "dispatched_at"),
                    ("dispatched_at", "arrived_at"),
                    ("arrived_at", "controlled_at"),
                    ("controlled_at", "ended_at"),
                ]
            ],
        ]

    def __str__(self) -> str:
        return f"{self.incident_id}/{self.unit_id}"
