"""Police-business dialogues: businesses and industrial parks, the dialogue meetings the
police hold with them, the recommendations businesses raise there, and each
recommendation's way to resolution (assigned to a unit with a due date, answered, resolved).

Staff read through the scoping door: organisers (commanders, public-relations officers)
read everything; a commune's police read the businesses of their commune; a unit reads the
recommendations assigned to it (and below it). A business account reads its own business,
its meetings and its recommendations, nothing else (anninh.business.scoping).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from anninh.accounts.roles import Role
from anninh.accounts.scoping import RestrictedManager, ScopeRule

#: Staff who organise dialogues: record businesses and meetings, assign and resolve.
ORGANISER_ROLES = frozenset({Role.COMMANDER, Role.PUBLIC_RELATIONS})
#: Staff who may read dialogue records at all (each within their scope).
STAFF_READER_ROLES = ORGANISER_ROLES | {Role.COMMUNE_OFFICER, Role.INVESTIGATOR, Role.FIRE_RESCUE}
#: Every reader: staff and business accounts.
READER_ROLES = STAFF_READER_ROLES | {Role.BUSINESS}


class IndustrialPark(models.Model):
    """An industrial park, export-processing or economic zone (public reference data)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    commune = models.ForeignKey(
        "geo.Commune", verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+"
    )
    operator = models.CharField(_("operator"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("industrial park")
        verbose_name_plural = _("industrial parks")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Ownership(models.TextChoices):
    DOMESTIC = "domestic", _("Domestic")
    FDI = "fdi", _("Foreign-invested (FDI)")


class Business(models.Model):
    """A business the police hold dialogues with. The tax code is checked
    (anninh.lib.identifiers.normalize_tax_code) and unique."""

    name = models.CharField(_("name"), max_length=300)
    tax_code = models.CharField(_("tax code"), max_length=14, unique=True)
    ownership = models.CharField(_("ownership"), max_length=10, choices=Ownership.choices)
    investor_country = models.CharField(_("investor's country"), max_length=100, blank=True)
    sector = models.CharField(_("sector"), max_length=200, blank=True)
    commune = models.ForeignKey(
        "geo.Commune", verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+"
    )
    park = models.ForeignKey(
        IndustrialPark,
        verbose_name=_("industrial park"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="businesses",
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    # The business's security contact: the person the police call (personal data).
    contact_name = models.CharField(_("security contact"), max_length=150)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = RestrictedManager()
    need_to_know = ScopeRule(
        readers=READER_ROLES,
        city_wide=ORGANISER_ROLES,
        communes=("commune",),
        also="anninh.business.scoping.business_also",
    )

    class Meta:
        verbose_name = _("business")
        verbose_name_plural = _("businesses")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("business:business_detail", args=[self.pk])


class BusinessAccount(models.Model):
    """Links a sign-in account (role `business`) to the one business it speaks for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="business_account"
    )
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="accounts")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("business account")
        verbose_name_plural = _("business accounts")

    def __str__(self) -> str:
        return f"{self.user} · {self.business}"


class DialogueMeeting(models.Model):
    """One police-business dialogue (hội nghị đối thoại): where, when, who came."""

    title = models.CharField(_("title"), max_length=300)
    held_on = models.DateField(_("held on"))
    commune = models.ForeignKey(
        "geo.Commune", verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+"
    )
    park = models.ForeignKey(
        IndustrialPark,
        verbose_name=_("industrial park"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    organising_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("organising unit"), on_delete=models.PROTECT, related_name="+"
    )
    businesses = models.ManyToManyField(Business, verbose_name=_("businesses attending"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = RestrictedManager()
    need_to_know = ScopeRule(
        readers=READER_ROLES,
        city_wide=ORGANISER_ROLES,
        communes=("commune",),
        also="anninh.business.scoping.meeting_also",
    )

    class Meta:
        verbose_name = _("dialogue meeting")
        verbose_name_plural = _("dialogue meetings")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("business:meeting_detail", args=[self.pk])


class Topic(models.TextChoices):
    SECURITY = "security", _("Security and order around the premises")
    FIRE = "fire", _("Fire prevention and rescue")
    TRAFFIC = "traffic", _("Traffic")
    PROCEDURES = "procedures", _("Administrative procedures (residence, ID, seals)")
    FOREIGN_WORKERS = "foreign_workers", _("Foreign workers and visitors")
    CYBER = "cyber", _("Cyber security and fraud")
    OTHER = "other", _("Other")


class RecommendationStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    ASSIGNED = "assigned", _("Being handled")
    ANSWERED = "answered", _("Answered")
    RESOLVED = "resolved", _("Resolved")


class Recommendation(models.Model):
    """A business's recommendation (kiến nghị) raised at a dialogue meeting, followed to
    resolution. The clock runs from assignment to the due date (anninh.business.clock)."""

    meeting = models.ForeignKey(
        DialogueMeeting, verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="recommendations"
    )
    business = models.ForeignKey(
        Business, verbose_name=_("business"), on_delete=models.PROTECT, related_name="recommendations"
    )
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    text = models.TextField(_("recommendation"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RecommendationStatus.choices,
        default=RecommendationStatus.RECEIVED,
        db_index=True,
    )
    assigned_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("responsible unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    due_on = models.DateField(_("due"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reopened = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = RestrictedManager()
    need_to_know = ScopeRule(
        readers=READER_ROLES,
        city_wide=ORGANISER_ROLES,
        communes=("business__commune",),
        also="anninh.business.scoping.recommendation_also",
    )

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["assigned_unit", "due_on"], name="business_rec_unit_due")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.text[:60]}"

    def get_absolute_url(self) -> str:
        return reverse("business:recommendation_detail", args=[self.pk])
