"""Arrests and wanted persons: what the records lacked to measure a campaign's "wanted
persons caught" and "arrests" (issue 11, item 1).

Both are record-bearing and scoped like the records: a commune officer sees those of their
commune and of their unit, an investigator those of their department, commanders and
analysts the whole city (analysts without the people's names). The person always comes from
the records' person index, so one person arrested twice is one person.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from anninh.accounts.roles import Role
from anninh.accounts.scoping import RestrictedManager, ScopeRule

#: Roles that read arrests and wanted persons (the roles that read operational records).
READER_ROLES = frozenset({Role.COMMANDER, Role.ANALYST, Role.INVESTIGATOR, Role.COMMUNE_OFFICER})


class ArrestBasis(models.TextChoices):
    """The legal ground of an arrest (Criminal Procedure Code 2015, Art. 110-113)."""

    IN_THE_ACT = "in_the_act", _("Caught in the act")
    URGENT = "urgent", _("Urgent arrest")
    WARRANT = "warrant", _("Arrest warrant")
    WANTED = "wanted", _("Wanted person caught")


class Arrest(models.Model):
    """One person arrested: when, where (commune and place), by which unit, on what legal
    ground, for which case. An arrest of a wanted person closes the wanted notice."""

    person = models.ForeignKey(
        "records.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="arrests"
    )
    arrested_at = models.DateTimeField(_("arrested at"))
    commune = models.ForeignKey("geo.Commune", verbose_name=_("commune"), on_delete=models.PROTECT)
    place = models.CharField(_("place"), max_length=300, blank=True)
    unit = models.ForeignKey("org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    basis = models.CharField(_("legal basis"), max_length=12, choices=ArrestBasis.choices)
    case = models.ForeignKey(
        "records.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    wanted = models.ForeignKey(
        "enforcement.WantedPerson",
        verbose_name=_("wanted notice"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="arrests",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    is_synthetic = models.BooleanField(default=False, editable=False)

    objects = RestrictedManager()
    need_to_know = ScopeRule(readers=READER_ROLES, communes=("commune",), units=("unit",))

    class Meta:
        verbose_name = _("arrest")
        verbose_name_plural = _("arrests")
        ordering = ["-arrested_at", "-id"]
        indexes = [
            models.Index(fields=["arrested_at"], name="enf_arrest_time_idx"),
            models.Index(fields=["unit", "arrested_at"], name="enf_arrest_unit_idx"),
            models.Index(fields=["commune", "arrested_at"], name="enf_arrest_commune_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(basis="wanted") | Q(wanted__isnull=False), name="enf_arrest_wanted_has_notice"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.arrested_at:%d/%m/%Y}"


class WantedStatus(models.TextChoices):
    WANTED = "wanted", _("Wanted")
    CAUGHT = "caught", _("Caught")
    SURRENDERED = "surrendered", _("Surrendered")
    WITHDRAWN = "withdrawn", _("Notice withdrawn")


#: Statuses that count as "wanted person caught" (a surrender ends the search too).
CAUGHT_STATUSES = (WantedStatus.CAUGHT, WantedStatus.SURRENDERED)


class WantedPerson(models.Model):
    """A wanted notice (quyết định truy nã): the person, the warrant, the body that issued it,
    the offence, the unit in charge of the search, and the capture when it comes."""

    person = models.ForeignKey(
        "records.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="wanted_notices"
    )
    warrant_number = models.CharField(_("warrant number"), max_length=60)
    issuing_body = models.CharField(_("issuing body"), max_length=200)
    issued_on = models.DateField(_("issued on"))
    offence = models.ForeignKey(
        "records.Offence", verbose_name=_("offence"), null=True, blank=True, on_delete=models.PROTECT
    )
    # The commune the person is searched in (last known residence); the search unit's.
    commune = models.ForeignKey(
        "geo.Commune", verbose_name=_("commune"), null=True, blank=True, on_delete=models.PROTECT
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit in charge"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=WantedStatus.choices, default=WantedStatus.WANTED, db_index=True
    )
    caught_on = models.DateField(_("caught on"), null=True, blank=True)
    caught_by = models.ForeignKey(
        "org.Unit",
        verbose_name=_("caught by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    is_synthetic = models.BooleanField(default=False, editable=False)

    objects = RestrictedManager()
    need_to_know = ScopeRule(readers=READER_ROLES, communes=("commune",), units=("unit", "caught_by"))

    class Meta:
        verbose_name = _("wanted person")
        verbose_name_plural = _("wanted persons")
        ordering = ["-issued_on", "-id"]
        indexes = [models.Index(fields=["caught_on"], name="enf_wanted_caught_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["warrant_number", "issuing_body"], name="enf_wanted_warrant_once"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["wanted", "withdrawn"]) | Q(caught_on__isnull=False),
                name="enf_wanted_caught_dated",
            ),
        ]

    def __str__(self) -> str:
        return self.warrant_number
