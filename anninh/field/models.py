"""What an officer (or a civil-defence member) on duty sends from the phone: check-ins at a
plan's checkpoints (time and position) and short field reports with a photo. Each is sent
once under the phone's idempotency key (records' IdempotencyKey), so a queue replayed after
a lost connection never makes two. Places and times only: who was seen is not recorded here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from anninh.accounts.roles import Role
from anninh.accounts.scoping import RestrictedManager, ScopeRule

#: Who reads what was sent from the field: city-wide roles all, a commune officer their
#: commune's; the sender always their own.
FIELD_READERS = frozenset(
    {Role.COMMANDER, Role.ANALYST, Role.COMMUNE_OFFICER, Role.CIVIL_DEFENCE_LEADER, Role.CIVIL_DEFENCE_MEMBER}
)


def own_rows(viewer, prefix: str):
    from django.db.models import Q

    return Q(**{f"{prefix}created_by": viewer})


class CheckIn(models.Model):
    plan = models.ForeignKey("patrols.PatrolPlan", on_delete=models.CASCADE, related_name="+")
    checkpoint = models.ForeignKey("patrols.PlanCheckpoint", on_delete=models.CASCADE, related_name="+")
    commune = models.ForeignKey("geo.Commune", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("checked in at"))  # the phone's clock, when it was recorded
    received_at = models.DateTimeField(_("received at"))  # the server's, when it arrived
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    accuracy_m = models.FloatField(_("accuracy (m)"), null=True, blank=True)
    distance_m = models.FloatField(_("distance to the checkpoint (m)"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = RestrictedManager()
    need_to_know = ScopeRule(readers=FIELD_READERS, communes=("commune",), also=own_rows)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"check-in {self.checkpoint_id} at {self.at:%d/%m/%Y %H:%M}"


class FieldReport(models.Model):
    """A short report from the field; for a police officer it becomes an incident draft
    (records' review workflow: the supervisor approves or returns it)."""

    commune = models.ForeignKey("geo.Commune", on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(
        "patrols.PatrolPlan", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("observed at"))
    received_at = models.DateTimeField(_("received at"))
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    text = models.TextField(_("what was seen"))
    photo = models.BinaryField(_("photo"), null=True, blank=True)  # JPEG or PNG, metadata removed
    photo_type = models.CharField(max_length=20, blank=True)
    incident = models.ForeignKey(
        "records.Incident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = RestrictedManager()
    need_to_know = ScopeRule(readers=FIELD_READERS, communes=("commune",), also=own_rows)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"field report {self.pk}"
