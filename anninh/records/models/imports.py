"""Import batches: one row per committed import of incidents (CSV or XLSX), with the file's
checksum, the column mapping used and what it did. A dry run writes nothing, so it leaves
no batch; a failed import rolls back with everything else, so it leaves none either."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportBatch(models.Model):
    unit = models.ForeignKey("org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    file_name = models.CharField(_("file"), max_length=255)
    file_sha256 = models.CharField(_("file checksum (SHA-256)"), max_length=64, db_index=True)
    file_format = models.CharField(_("format"), max_length=8)  # "csv" or "xlsx"
    mapping = models.JSONField(_("column mapping"), default=dict)  # {source column: field}
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)

    class Meta:
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_name}"


class ImportJobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    """A large import (or its dry run) run as a background task
    (anninh.records.services.io_jobs): who asked, which staged file, and, once it ran, what
    it found. Its progress while it runs is in a small file beside the staged one (the
    import's own transaction hides any row it would update until it ends)."""

    unit = models.ForeignKey("org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    token = models.CharField(max_length=80)  # the staged file (anninh.records.views.io.stage_upload)
    file_name = models.CharField(_("file"), max_length=255)
    mapping = models.JSONField(_("column mapping"), null=True, blank=True)  # None: our export format
    dry_run = models.BooleanField(_("dry run"), default=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportJobStatus.choices, default=ImportJobStatus.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("rows in the file"), null=True, blank=True)
    # {"rows", "created", "updated", "unchanged", "format", "sha256", "mapping",
    #  "problems": [{code, row, column, value, params}], "file_problems": [...]}
    result = models.JSONField(_("result"), default=dict, blank=True)
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.file_name} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (ImportJobStatus.DONE, ImportJobStatus.FAILED)
