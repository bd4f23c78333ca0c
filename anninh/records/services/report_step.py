"""One step of a crime report's workflow, the frame every step service runs in: permission
(audited refusal), then one transaction with the row locked, the version and status checks, the
change, the versioned save, the audit row with before and after, and the timeline entry.

Shared below the step services (anninh.records.services.reports and .report_collector):
imports no service module but the workflow table and the field checks.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils.translation import gettext as _

from anninh.audit.models import AuditAction
from anninh.audit.services import audit_record, snapshot
from anninh.records.models import CrimeReport
from anninh.records.services.fields import check_version
from anninh.records.services.report_access import ALLOWED_FROM, Action, require
from anninh.records.versioning import ConflictError, RecordError, save_versioned, timeline_add


def step(
    *,
    actor,
    report: CrimeReport,
    version: int,
    action: Action,
    apply: Callable[[CrimeReport], list[str]],
    kind: str,
    comment: str = "",
    extra: dict | None = None,
) -> CrimeReport:
    """Run one step: permission (audited refusal), then, in one transaction with the row
    locked, the version check, the status check, `apply` (which changes the locked report
    and returns the fields it changed), the versioned save, the audit row and the timeline."""
    version = check_version(version)
    require(actor, action, report)
    with transaction.atomic():
        locked = CrimeReport.objects.unrestricted().select_for_update().get(pk=report.pk)
        require(actor, action, locked)  # the handling unit may have changed meanwhile
        if locked.version != version:
            raise ConflictError(locked)
        if locked.status not in ALLOWED_FROM[action]:
            raise RecordError(
                "status.not_allowed",
                _("This step is not possible while the report is “%(status)s”.")
                % {"status": locked.get_status_display()},
                field="status",
            )
        before = snapshot(locked)
        from_status = locked.status
        fields = apply(locked)
        save_versioned(locked, expected_version=version, fields=sorted({*fields, "updated_at"}))
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=locked,
            before=before,
            after=snapshot(locked),
            extra={"step": action.value, **(extra or {})},
        )
        timeline_add(
            locked,
            actor=actor,
            kind=kind,
            before=before,
            from_status=from_status,
            to_status=locked.status if locked.status != from_status else "",
            comment=comment,
        )
    return locked
