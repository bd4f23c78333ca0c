"""Pre-aggregated incident counts for CompStat.

`IncidentMonth` holds, for each calendar month (Vietnam time) and each combination of commune,
responsible unit, kind and offence group, how many incidents occurred, their losses, the victims
named in them and their fire-and-rescue figures. It is written only by database triggers on
`records_incident`, `records_incidentperson` and `records_firerescuedetail` (see
`anninh.compstat.aggregates`), so it changes in the same transaction as the records it counts, whatever writes them: services,
imports, bulk updates, the admin or raw SQL. `manage.py compstat_aggregates` compares it with
the records and rebuilds it; tests prove it stays exact.

The dashboard reads whole months from here and the days at the edges of a period from the
records, so every figure is still exactly the records'.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from anninh.accounts.scoping import RestrictedManager, ScopeRule


class IncidentMonth(models.Model):
    month = models.DateField(_("month"))  # the first day of the month, Vietnam time (UTC+7)
    # No foreign-key constraints: the triggers write these rows, and the incidents' own
    # constraints already guarantee the commune and unit exist.
    commune = models.ForeignKey(
        "geo.Commune", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    responsible_unit = models.ForeignKey(
        "org.Unit", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    kind = models.CharField(max_length=24)
    offence_group = models.CharField(max_length=20, blank=True)
    n = models.IntegerField(default=0)
    losses_vnd = models.BigIntegerField(default=0)
    # Victims named in these incidents (IncidentPerson, role "victim"), and the figures of their
    # fire-and-rescue reports (FireRescueDetail): the dashboard's fraud victims and fire panel.
    victims = models.IntegerField(default=0)
    fire_rescued = models.IntegerField(default=0)
    fire_victims_found = models.IntegerField(default=0)
    fire_dead = models.IntegerField(default=0)
    fire_injured = models.IntegerField(default=0)
    fire_damage_vnd = models.BigIntegerField(default=0)

    objects = RestrictedManager()
    # The incidents' own rule: the counts keep each incident's commune, unit and kind.
    need_to_know = ScopeRule(
        communes=("commune",), units=("responsible_unit",), also="anninh.records.scoping.fire_rescue_rows"
    )

    class Meta:
        verbose_name = _("incidents per month")
        verbose_name_plural = _("incidents per month")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "commune", "responsible_unit", "kind", "offence_group"],
                name="compstat_incmonth_key",
            )
        ]
        indexes = [models.Index(fields=["commune", "month"], name="compstat_incmonth_commune")]

    def __str__(self) -> str:
        return f"{self.month:%m/%Y} {self.commune_id} {self.kind}/{self.offence_group}: {self.n}"
