"""Early warning: subscriptions, the alerts the rules raise, who was told, and what was done.

An alert is a condition found in the records (a significant rise, a near-repeat cluster, a
growing fraud pattern, a report about to miss its legal deadline, an event's risk change),
with its evidence frozen as it was found. Its `condition_key` names the condition: while an
alert for it is open (or was raised within the cool-down), the rules raise no other.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from anninh.accounts.roles import Role
from anninh.accounts.scoping import RestrictedManager, ScopeRule

#: Who reads alerts: commanders and analysts every commune's, a commune officer their
#: commune's, an investigator their units' (deadline alerts name the handling unit).
ALERT_READERS = frozenset({Role.COMMANDER, Role.ANALYST, Role.INVESTIGATOR, Role.COMMUNE_OFFICER})


class AlertKind(models.TextChoices):
    RISE = "rise", _("Significant rise")
    NEAR_REPEAT = "near_repeat", _("Near-repeat cluster")
    FRAUD = "fraud", _("Fraud pattern")
    DEADLINE = "deadline", _("Legal deadline")
    EVENT_RISK = "event_risk", _("Event risk")


class AlertStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("alert status", "Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


#: Statuses in which an alert holds its condition (no second alert for it).
LIVE_STATUSES = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)


def own_rows(viewer, prefix: str) -> Q:
    """A user's own rows (and, for subscriptions, those of their unit)."""
    return Q(**{f"{prefix}user": viewer})


class Alert(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=AlertKind.choices)
    condition_key = models.CharField(max_length=200, db_index=True)
    commune = models.ForeignKey(
        "geo.Commune", verbose_name=_("commune"), null=True, blank=True, on_delete=models.PROTECT
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    offence_group = models.CharField(_("offence group"), max_length=20, blank=True)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    #: What the rule found, frozen when it was found: counts, p-values, record ids and links.
    evidence = models.JSONField(_("evidence"), default=dict)
    score = models.FloatField(_("strength"), default=0)  # for ordering: smaller p first, etc.
    raised_at = models.DateTimeField(_("raised at"), db_index=True)
    status = models.CharField(
        _("status"), max_length=14, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_synthetic = models.BooleanField(default=False, editable=False)

    objects = RestrictedManager()
    need_to_know = ScopeRule(readers=ALERT_READERS, communes=("commune",), units=("unit",))

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-raised_at", "-id"]
        constraints = [
            # The database's own guard behind the rules' check: one live alert per condition.
            models.UniqueConstraint(
                fields=["condition_key"],
                condition=Q(status__in=["open", "acknowledged"]),
                name="alerts_one_live_per_condition",
            )
        ]
        indexes = [models.Index(fields=["commune", "raised_at"], name="alerts_commune_idx")]

    def __str__(self) -> str:
        return self.title

    def groups(self) -> set[str]:
        """The offence groups the alert is about (a rise names every group that rose)."""
        found = {r["group"] for r in self.evidence.get("rises", []) if r.get("group")}
        return found | ({self.offence_group} if self.offence_group else set())


class AlertAction(models.Model):
    """One step of an alert's trail (acknowledge, resolve, reopen, note): append-only."""

    class Kind(models.TextChoices):
        RAISED = "raised", _("Raised")
        ACKNOWLEDGE = "acknowledge", _("Acknowledged")
        RESOLVE = "resolve", _("Resolved")
        REOPEN = "reopen", _("Reopened")
        NOTE = "note", _("Note")
        EVIDENCE = "evidence", _("Evidence added")
        # A report that no longer names the alert's account (its account was corrected).
        WITHDRAWN = "withdrawn", _("Evidence withdrawn")

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    note = models.CharField(_("note"), max_length=1000, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()

    objects = RestrictedManager()
    need_to_know = ScopeRule(readers=ALERT_READERS, communes=("alert__commune",), units=("alert__unit",))

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.kind}"


class Subscription(models.Model):
    """What a user (or, with `unit`, every member of their unit) wants to be told of: empty
    lists mean every commune the reader may see, every offence group, every kind."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("for the unit"), null=True, blank=True, on_delete=models.CASCADE
    )
    communes = models.JSONField(_("communes"), default=list, blank=True)
    offence_groups = models.JSONField(_("offence groups"), default=list, blank=True)
    kinds = models.JSONField(_("kinds"), default=list, blank=True)
    digest = models.BooleanField(_("daily e-mail digest"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager()
    need_to_know = ScopeRule(custom="anninh.alerts.models.subscription_rows")

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"subscription {self.pk} of {self.user_id}"

    def matches(self, alert: Alert) -> bool:
        return (
            (not self.kinds or alert.kind in self.kinds)
            and (not self.communes or alert.commune_id in self.communes)
            and (
                not self.offence_groups
                or not alert.groups()
                or bool(alert.groups() & set(self.offence_groups))
            )
        )


def subscription_rows(viewer, prefix: str) -> Q:
    """A user sees their own subscriptions and their unit's."""
    q = Q(**{f"{prefix}user": viewer})
    if viewer.unit_id:
        q |= Q(**{f"{prefix}unit_id": viewer.unit_id})
    return q


class Delivery(models.Model):
    """An alert delivered to one user by a subscription: the bell counts the unread ones, the
    digest sends the ones not yet e-mailed."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    delivered_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedManager()
    need_to_know = ScopeRule(custom=own_rows)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["alert", "user"], name="alerts_delivery_once")]
        indexes = [models.Index(fields=["user", "read_at"], name="alerts_delivery_unread_idx")]

    def __str__(self) -> str:
        return f"{self.alert_id} to {self.user_id}"
