"""Stored CompStat reports (weekly and monthly). The HTML and the PDF are kept in the
database: a report is small (a few hundred kilobytes), sensitive (it is read under the same
access rules and audit as the records) and must survive with the database's backups, so no
separate media store is needed on either SQLite or PostgreSQL."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from anninh.accounts.roles import Role
from anninh.accounts.scoping import RestrictedManager, ScopeRule


class ReportKind(models.TextChoices):
    WEEK = "week", _("Weekly")
    MONTH = "month", _("Monthly")


class ReportSource(models.TextChoices):
    ON_DEMAND = "on_demand", _("On demand")
    COMMAND = "command", _("Command")
    SCHEDULE = "schedule", _("Schedule")


class Report(models.Model):
    """Need-to-know: city reports ("" commune) for city-wide roles, a commune's reports for
    that commune's officers."""

    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind.choices)
    period_first = models.DateField(_("from"))
    period_last = models.DateField(_("until"))
    slug = models.CharField(_("period"), max_length=20)  # 2026-W47 / 2026-10
    language = models.CharField(_("language"), max_length=5, default="vi")
    # "" for the whole city, else the NSO code of one commune.
    commune_code = models.CharField(_("commune"), max_length=5, blank=True, default="")
    title = models.CharField(_("title"), max_length=200)
    html = models.TextField(editable=False)
    pdf = models.BinaryField(editable=False)
    digest = models.CharField(_("SHA-256 of the PDF"), max_length=64, editable=False)
    source = models.CharField(_("made by"), max_length=12, choices=ReportSource.choices)
    generated_at = models.DateTimeField(_("generated at"), auto_now_add=True)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = RestrictedManager()
    need_to_know = ScopeRule(
        readers=frozenset({Role.COMMANDER, Role.ANALYST, Role.COMMUNE_OFFICER}), communes=("commune_code",)
    )

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-period_first", "kind", "commune_code", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period_first", "commune_code", "language"], name="reports_one_per_period"
            )
        ]

    def __str__(self) -> str:
        return self.title
