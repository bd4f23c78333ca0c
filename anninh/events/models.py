"""Event security: an event (a Party congress, a festival, a state visit), its venues on the
map, its schedule, a risk register with the history of every change, the units assigned and
their shifts, checkpoints and patrol stops around the venues (from the patrol planner), and the
command log kept during the event (append-only, ICS-214-like).

Who reads an event: commanders and analysts every event; a commune officer the events with a
venue in their commune or assigned to their unit; an investigator those assigned to their
department (anninh.events.scoping.event_rows).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from anninh.accounts.roles import Role
from anninh.accounts.scoping import RestrictedManager, RestrictedQuerySet, ScopeRule

#: Who reads events at all (each within their reach).
EVENT_READERS = frozenset({Role.COMMANDER, Role.ANALYST, Role.COMMUNE_OFFICER, Role.INVESTIGATOR})


class EventKind(models.TextChoices):
    PARTY_CONGRESS = "party_congress", _("Party congress")
    FESTIVAL = "festival", _("Festival")
    STATE_VISIT = "state_visit", _("State visit")
    OTHER = "other", _("Other event")


class EventStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ACTIVE = "active", _("Under way")
    CLOSED = "closed", _("Closed")


class Event(models.Model):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=EventStatus.choices, default=EventStatus.PLANNED, db_index=True
    )
    lead_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("lead unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Incidents within this distance of a venue, during the event, are linked to it.
    area_radius_m = models.PositiveIntegerField(_("area around the venues (m)"), default=1000)
    is_synthetic = models.BooleanField(default=False, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager()
    need_to_know = ScopeRule(readers=EVENT_READERS, custom="anninh.events.scoping.event_rows")

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="events_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Venue(models.Model):
    """A place of the event: a point, or a polygon drawn on the map (GeoJSON geometry, lon/lat)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="venues")
    name = models.CharField(_("name"), max_length=200)
    commune = models.ForeignKey(
        "geo.Commune", verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+"
    )
    lat = models.FloatField(_("latitude"))
    lon = models.FloatField(_("longitude"))
    shape = models.JSONField(_("shape"), default=dict, blank=True)

    class Meta:
        ordering = ["event", "name"]
        constraints = [models.UniqueConstraint(fields=["event", "name"], name="events_venue_unique_name")]

    def __str__(self) -> str:
        return self.name


class ScheduleItem(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="schedule")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    title = models.CharField(_("title"), max_length=200)
    venue = models.ForeignKey(
        Venue, verbose_name=_("venue"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["event", "starts_at"]

    def __str__(self) -> str:
        return self.title


class RiskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MONITORING = "monitoring", _("Monitoring")
    MITIGATED = "mitigated", _("Mitigated")
    CLOSED = "closed", _("Closed")


LEVELS = [(i, str(i)) for i in range(1, 6)]


class Risk(models.Model):
    """One line of the risk register. Every change goes through `services.risk_update`, which
    keeps the row's earlier state in RiskChange."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="risks")
    threat = models.CharField(_("threat"), max_length=300)
    likelihood = models.PositiveSmallIntegerField(_("likelihood (1–5)"), choices=LEVELS)
    impact = models.PositiveSmallIntegerField(_("impact (1–5)"), choices=LEVELS)
    owner = models.CharField(_("owner"), max_length=200)
    mitigation = models.TextField(_("mitigation"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedManager()
    need_to_know = ScopeRule(readers=EVENT_READERS, custom="anninh.events.scoping.via_event")

    class Meta:
        ordering = ["event", "-likelihood", "-impact", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(likelihood__gte=1, likelihood__lte=5), name="events_risk_likelihood"
            ),
            models.CheckConstraint(
                condition=models.Q(impact__gte=1, impact__lte=5), name="events_risk_impact"
            ),
        ]

    def __str__(self) -> str:
        return self.threat

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def level(self) -> str:
        """low (1–4), medium (5–9), high (10–16), extreme (17–25): the usual 5×5 matrix bands."""
        s = self.score
        return "extreme" if s >= 17 else "high" if s >= 10 else "medium" if s >= 5 else "low"


class RiskChange(models.Model):
    """The state of a risk after each change (version 1 is its creation), who made it and why."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="changes")
    version = models.PositiveIntegerField()
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    threat = models.CharField(max_length=300)
    likelihood = models.PositiveSmallIntegerField()
    impact = models.PositiveSmallIntegerField()
    owner = models.CharField(max_length=200)
    mitigation = models.TextField(blank=True)
    status = models.CharField(max_length=12, choices=RiskStatus.choices)
    note = models.CharField(_("reason for the change"), max_length=300, blank=True)

    class Meta:
        ordering = ["risk", "version"]
        constraints = [models.UniqueConstraint(fields=["risk", "version"], name="events_riskchange_version")]

    def __str__(self) -> str:
        return f"{self.risk_id} v{self.version}"


class EventUnit(models.Model):
    """A unit assigned to the event for one shift, at a venue or on the area."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="units")
    unit = models.ForeignKey("org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    task = models.CharField(_("task"), max_length=200)
    venue = models.ForeignKey(
        Venue, verbose_name=_("venue"), null=True, blank=True, on_delete=models.SET_NULL
    )
    shift_start = models.DateTimeField(_("shift starts"))
    shift_end = models.DateTimeField(_("shift ends"))
    officers = models.PositiveIntegerField(_("officers"), default=0)

    class Meta:
        ordering = ["event", "shift_start", "unit"]

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.task}"


class EventCheckpoint(models.Model):
    """A checkpoint chosen around the venues by the patrol planner (a site of the venues'
    communes, ranked by the forecast risk around it)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="checkpoints")
    site = models.ForeignKey("patrols.CheckpointSite", on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveSmallIntegerField(_("rank"))
    score = models.FloatField(_("forecast risk nearby"))
    distance_m = models.FloatField(_("distance to the nearest venue (m)"))

    class Meta:
        ordering = ["event", "rank"]

    def __str__(self) -> str:
        return f"{self.event_id} checkpoint {self.rank}"


class EventPatrolStop(models.Model):
    """One stop of a team's patrol route around the venues (a forecast cell), in order."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="patrol_stops")
    team = models.PositiveSmallIntegerField(_("team"))
    order = models.PositiveSmallIntegerField(_("order"))
    lat = models.FloatField()
    lon = models.FloatField()
    expected = models.FloatField(_("expected crimes"))

    class Meta:
        ordering = ["event", "team", "order"]

    def __str__(self) -> str:
        return f"{self.event_id} team {self.team} #{self.order}"


class LogKind(models.TextChoices):
    INFORMATION = "information", _("Information")
    DECISION = "decision", _("Decision")
    ACTION = "action", _("Action taken")
    INCIDENT = "incident", _("Incident")
    RESOURCE = "resource", _("Resources")


class AppendOnlyError(Exception):
    """A command log entry cannot be changed or removed once written."""


class CommandLogQuerySet(RestrictedQuerySet):
    """No update or delete through the ORM either (the database refuses them too)."""

    def update(self, **kwargs):
        raise AppendOnlyError("the command log is append-only: entries cannot be changed")

    def delete(self):
        raise AppendOnlyError("the command log is append-only: entries cannot be removed")

    _raw_delete = delete

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError("the command log is append-only: entries cannot be changed")


class CommandLogManager(models.Manager.from_queryset(CommandLogQuerySet)):
    pass


class CommandLogEntry(models.Model):
    """One entry of the event's command log (ICS 214 "activity log"): when, who, in which role,
    what. Append-only: the model, the ORM and the database refuse changes and deletions
    (anninh.events.append_only installs the triggers)."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="log")
    at = models.DateTimeField(_("time"), db_index=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    author_name = models.CharField(_("written by"), max_length=200)
    author_role = models.CharField(_("role"), max_length=40)
    author_unit = models.CharField(_("unit"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=LogKind.choices, default=LogKind.INFORMATION)
    text = models.TextField(_("entry"))

    objects = CommandLogManager()
    need_to_know = ScopeRule(readers=EVENT_READERS, custom="anninh.events.scoping.via_event")

    class Meta:
        verbose_name = _("command log entry")
        verbose_name_plural = _("command log entries")
        ordering = ["event", "at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.author_name}"

    def save(self, *args, **kwargs):
        if self.pk is not None or kwargs.get("update_fields"):
            raise AppendOnlyError("the command log is append-only: entries cannot be changed")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("the command log is append-only: entries cannot be removed")
