"""Crime reports (nguồn tin về tội phạm): the receipt register and the legal clock."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anninh.accounts.scoping import RestrictedManager, ScopeRule
from anninh.records import deadlines
from anninh.records.deadlines import DEFAULT_RULES
from anninh.records.models.choices import ReportChannel, ReportKind, ReportStatus, ReviewStatus


class RegisterCounter(models.Model):
    """The last number handed out in one unit's register for one year. Numbers are
    allocated by locking this row, so they are sequential, never reused, and safe under
    concurrent intake."""

    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT)
    register = models.CharField(max_length=20)  # "report" or "case"
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit", "register", "year"], name="records_counter_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.register}/{self.year}: {self.last}"


# What the crime report's need-to-know rule reads (its ScopeRule below), carried by the
# period indexes.
REPORT_SCOPE = ["commune", "receiving_unit", "handling_unit", "transfer_to"]


class CrimeReport(models.Model):
    """Need-to-know: the commune's officers, and the units that received it, handle it or are
    asked to accept it (a transfer belongs to both units until accepted)."""

    register_number = models.CharField(_("register number"), max_length=40, unique=True)
    register_year = models.PositiveSmallIntegerField(_("register year"))
    register_seq = models.PositiveIntegerField(_("sequence"))
    receiving_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("receiving unit"),
        on_delete=models.PROTECT,
        related_name="received_reports",
    )
    handling_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("handling unit"), on_delete=models.PROTECT, related_name="handled_reports"
    )
    # While a transfer awaits acceptance the report belongs to both units.
    transfer_to = models.ForeignKey(
        "org.Unit",
        verbose_name=_("transferred to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incoming_reports",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ReportKind.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=ReportChannel.choices)
    received_at = models.DateTimeField(_("received at"))  # indexed below (records_report_received_idx)
    reporter = models.ForeignKey(
        "records.Person",
        verbose_name=_("reporter"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports_made",
    )
    reporter_confidential = models.BooleanField(
        _("keep the reporter's identity from everyone but the handling unit"), default=False
    )
    reporter_agency = models.CharField(_("reporting agency or organisation"), max_length=200, blank=True)
    summary = models.TextField(_("summary"))
    address = models.CharField(_("address"), max_length=300, blank=True)
    commune = models.ForeignKey("geo.Commune", verbose_name=_("commune"), on_delete=models.PROTECT)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    suspected_offence = models.ForeignKey(
        "records.Offence",
        verbose_name=_("suspected offence"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    # What the reporter says was lost or taken (a scam's transfers), in đồng, as told at intake;
    # the incident made from the report itemises its losses (IncidentLoss) like any incident.
    losses_vnd = models.BigIntegerField(_("amount lost (đ)"), default=0)
    # The account the victim paid into (a scam's collector), as one canonical key: the bank's
    # or e-wallet's code and the account's digits, "VCB:0123456789" (anninh.records.services.
    # collector, on the network normaliser). Personal data: masked for viewers without it.
    # The early warning groups new victims' reports on it (anninh.alerts.rules.fraud_findings).
    collector_account = models.CharField(
        _("account the money was paid into"), max_length=40, blank=True, default=""
    )
    # When the account was last added or changed after intake (crime_report_collector_set);
    # empty when it was given at intake. The early warning counts the report as a new victim's
    # from then: a victim who names the account a week after the complaint is news for the ring.
    collector_account_named_at = models.DateTimeField(
        _("account named on"), null=True, blank=True, editable=False
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.RECEIVED
    )
    # The clock, denormalised from its events for fast queues (recomputed by the service
    # that records each event, never edited by hand).
    due_on = models.DateField(_("decision due by"), null=True, blank=True, db_index=True)
    extended = models.BooleanField(_("extended"), default=False)
    procuracy_extended = models.BooleanField(_("extended by the procuracy"), default=False)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_within_deadline = models.BooleanField(_("decided within the deadline"), null=True, blank=True)
    decision_note = models.TextField(_("grounds of the decision"), blank=True)
    reporter_notified_on = models.DateField(_("reporter told the result on"), null=True, blank=True)
    procuracy_notified_on = models.DateField(_("procuracy notified on"), null=True, blank=True)
    review_status = models.CharField(
        _("review"), max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)
    is_synthetic = models.BooleanField(default=False, editable=False)

    objects = RestrictedManager()
    need_to_know = ScopeRule(communes=("commune",), units=("receiving_unit", "handling_unit", "transfer_to"))

    class Meta:
        verbose_name = _("crime report")
        verbose_name_plural = _("crime reports")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["receiving_unit", "register_year", "register_seq"],
                name="records_report_register_unique",
            ),
            models.CheckConstraint(condition=Q(losses_vnd__gte=0), name="records_report_losses_nonneg"),
        ]
        indexes = [
            models.Index(fields=["handling_unit", "status", "due_on"], name="records_report_queue_idx"),
            models.Index(fields=["commune", "received_at"], name="records_report_commune_idx"),
            # CompStat's "received" and "decided in the period" (with due_on, indexed too).
            # Covering (PostgreSQL): the deadline flag and what the need-to-know rule reads
            # (commune and units), so that a commune officer's year of reports is counted from
            # the index alone instead of visiting 170,000 reports to filter them (issue #15).
            models.Index(fields=["received_at"], include=REPORT_SCOPE, name="records_report_received_idx"),
            models.Index(
                fields=["decided_on"],
                include=["decided_within_deadline", *REPORT_SCOPE],
                name="records_report_decided_idx",
            ),
            # Covering (PostgreSQL): a report's commune from the index alone, for a commune
            # officer's cases placed through their report (see records_inc_place_idx): without
            # it PostgreSQL reads every report to join them.
            models.Index(fields=["id"], include=["commune"], name="records_report_place_idx"),
            models.Index(
                fields=["collector_account", "received_at"],
                name="records_report_collector_idx",
                condition=~Q(collector_account=""),
            ),
            models.Index(
                fields=["status", "due_on"], name="records_report_due_idx", condition=Q(due_on__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return self.register_number

    # The clock as the pages show it: derived from the stored due_on (no query), on the
    # Vietnamese calendar day (TIME_ZONE is Asia/Ho_Chi_Minh), by the one rule of
    # anninh.records.deadlines.
    DUE_SOON_DAYS = DEFAULT_RULES.due_soon_days

    @property
    def received_on(self) -> dt.date:
        """The local (Asia/Ho_Chi_Minh) date of receipt: the day the legal clock starts."""
        return timezone.localtime(self.received_at).date()

    @property
    def days_left(self) -> int | None:
        """Whole days until the decision is due: 0 = due today, negative = overdue; None when
        no clock runs (decided or suspended)."""
        return deadlines.days_left(self.due_on, timezone.localdate())

    @property
    def overdue(self) -> bool:
        return deadlines.is_overdue(self.due_on, timezone.localdate())

    @property
    def due_soon(self) -> bool:
        return deadlines.is_due_soon(self.due_on, timezone.localdate())

    @property
    def clock_tone(self) -> str:
        """CSS tone of the days-left badge: overdue red, due within 3 days amber, else neutral."""
        if self.overdue:
            return "bad"
        if self.due_soon:
            return "warn"
        return ""


class ReportClockEvent(models.Model):
    """Extension, procuracy extension, suspension, resumption or decision: the events the
    legal clock is replayed from (anninh.records.deadlines)."""

    report = models.ForeignKey(CrimeReport, on_delete=models.CASCADE, related_name="clock_events")
    kind = models.CharField(max_length=20)
    on = models.DateField()
    months = models.PositiveSmallIntegerField(default=0)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "id"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.kind} {self.on}"


class DayOff(models.Model):
    """A public holiday on which no legal period may end (CPC Art. 134: it runs to the end
    of the next working day). Data, because the Tết and Hùng Kings days move with the lunar
    calendar and the government announces compensatory days each year."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        verbose_name = _("day off")
        verbose_name_plural = _("days off")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"
