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
