"""Import and export of incidents: the entry points pages, the API and commands call.

- `incidents_import` (anninh.records.services.io_import): CSV/XLSX with a column mapping,
  dry run listing every bad row, all-or-nothing commit, idempotent by external id.
- `incidents_export_*` (anninh.records.services.io_export): CSV (streamed), XLSX and GeoJSON
  of any filtered incident list, through the scoped selector, audited.
- `system_user`: the inactive account that owns what no person typed (command-line imports
  without --as, synthetic demo data).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from anninh.audit.models import AuditAction
from anninh.audit.services import audit_record, snapshot
from anninh.records.services.io_export import (
    EXPORT_FORMATS,
    ExportTooLarge,
    export_columns,
    incidents_export_csv,
    incidents_export_geojson,
    incidents_export_xlsx,
)
from anninh.records.services.io_formats import IMPORT_FIELDS, FileProblem, Problem, parse_mapping
from anninh.records.services.io_import import ImportResult, incidents_import

__all__ = [
    "EXPORT_FORMATS",
    "IMPORT_FIELDS",
    "SYSTEM_USERNAME",
    "ExportTooLarge",
    "FileProblem",
    "ImportResult",
    "Problem",
    "export_columns",
    "incidents_export_csv",
    "incidents_export_geojson",
    "incidents_export_xlsx",
    "incidents_import",
    "parse_mapping",
    "system_user",
]

SYSTEM_USERNAME = "system"


@transaction.atomic
def system_user():
    """The inactive `system` account (no password, no role, cannot sign in), created on
    first use with its audit row."""
    User = get_user_model()
    user = User.objects.filter(username=SYSTEM_USERNAME).first()
    if user is not None:
        return user
    user = User(username=SYSTEM_USERNAME, full_name="Hệ thống", is_active=False)
    user.set_unusable_password()
    user.save()
    audit_record(
        actor=None,
        username="system:records",
        action=AuditAction.CREATE,
        target=user,
        after=snapshot(user, exclude=("password",)),
        extra={"purpose": "owner of imported and synthetic records"},
    )
    return user
