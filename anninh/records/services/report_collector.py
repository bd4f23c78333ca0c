"""The account a victim paid into, added, corrected or removed after intake (issue #11): a
step of the report's workflow open at every stage to the handling unit, and the signal the
early warning listens to (the records never import anninh.alerts).

Below anninh.records.services.reports (which re-exports the service).
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from anninh.records.models import CrimeReport
from anninh.records.services.collector import collector_key
from anninh.records.services.fields import NOTE_MAX, text_field
from anninh.records.services.report_access import Action, require
from anninh.records.services.report_step import step
from anninh.records.versioning import RecordError

logger = logging.getLogger(__name__)

#: Sent after a change of a report's collector account is committed (sender=CrimeReport,
#: report_id=, before=, after=: the keys, "" for none, named_at=). The early warning listens
#: (anninh.alerts) and re-evaluates the fraud rule for both accounts: records never import it.
collector_account_changed = Signal()


def crime_report_collector_set(
    *,
    actor,
    report: CrimeReport,
    version: int,
    collector_bank: str = "",
    collector_number: str = "",
    note: str = "",
) -> CrimeReport:
    """Add, correct or remove (both empty) the account the victim paid into, after intake, at
    any stage of the report (the handling unit). Normalised and validated as at intake
    (anninh.records.services.collector); the time of the change is kept
    (`collector_account_named_at`) so the early warning counts the report as a new victim's
    from then, and after commit `collector_account_changed` is sent."""
    require(actor, Action.COLLECTOR, report)
    note = text_field(note, field="note", max_length=NOTE_MAX, multiline=True)
    key = collector_key(collector_bank, collector_number)
    changed: dict = {}

    def apply(r: CrimeReport) -> list[str]:
        if key == r.collector_account:
            raise RecordError(
                "collector.unchanged", _("This is already the report's account."), field="collector_number"
            )
        changed.update(before=r.collector_account, after=key)
        r.collector_account = key
        r.collector_account_named_at = timezone.now()
        return ["collector_account", "collector_account_named_at"]

    result = step(
        actor=actor,
        report=report,
        version=version,
        action=Action.COLLECTOR,
        apply=apply,
        kind="collector",
        comment=note,
    )
    transaction.on_commit(lambda: _announce_collector(result, **changed))
    return result


def _announce_collector(report: CrimeReport, *, before: str, after: str) -> None:
    """Tell the listeners; one that fails is logged and never undoes the committed change."""
    answers = collector_account_changed.send_robust(
        sender=CrimeReport,
        report_id=report.pk,
        before=before,
        after=after,
        named_at=report.collector_account_named_at,
    )
    for receiver, answer in answers:
        if isinstance(answer, Exception):
            logger.error("collector_account_changed: %r failed", receiver, exc_info=answer)
