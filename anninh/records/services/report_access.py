"""Who may take which step of a crime report's workflow, and from which statuses (the
workflow table and the permission checks of anninh.records.services.reports).

Below the services: imports no service module.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext as _

from anninh.accounts.permissions import audit_denied
from anninh.accounts.roles import Role
from anninh.org.models import Unit
from anninh.records.deadlines import ClockEventKind
from anninh.records.models import CrimeReport, ReportStatus
from anninh.records.permissions import acting_unit_ids, can_act_for
from anninh.records.versioning import RecordError

S = ReportStatus

# Roles that write crime reports (for the units they act for: anninh.records.permissions).
REPORT_WRITER_ROLES = frozenset({Role.COMMUNE_OFFICER, Role.INVESTIGATOR})

RUNNING = frozenset({S.RECEIVED, S.CLASSIFIED, S.TRANSFERRED, S.VERIFYING})
DECIDED = frozenset({S.INITIATED, S.NOT_INITIATED, S.SUSPENDED})


class Action(StrEnum):
    """The steps of the workflow (also the API paths and the names of the page forms)."""

    CLASSIFY = "classify"
    TRANSFER = "transfer"
    ACCEPT = "accept"
    VERIFY = "verify"
    EXTEND = "extend"
    PROCURACY_EXTEND = "procuracy-extend"
    DECIDE = "decide"
    SUSPEND = "suspend"
    RESUME = "resume"
    NOTIFY = "notify"
    COLLECTOR = "collector"  # add, correct or remove the account the victim paid into


# From which statuses each step is allowed. Extending and notifying do not change the status.
ALLOWED_FROM: dict[Action, frozenset[str]] = {
    Action.CLASSIFY: frozenset({S.RECEIVED}),
    Action.TRANSFER: frozenset({S.CLASSIFIED, S.VERIFYING}),
    Action.ACCEPT: frozenset({S.TRANSFERRED}),
    Action.VERIFY: frozenset({S.CLASSIFIED}),
    Action.EXTEND: RUNNING,
    Action.PROCURACY_EXTEND: RUNNING,
    Action.DECIDE: frozenset({S.VERIFYING}),
    Action.SUSPEND: frozenset({S.VERIFYING}),
    Action.RESUME: frozenset({S.SUSPENDED}),
    Action.NOTIFY: frozenset(S.values),
    # A victim often finds the transfer slip after the complaint; the account matters to the
    # early warning whatever the report's stage, so it stays editable after the decision too.
    Action.COLLECTOR: frozenset(S.values),
}


class PermissionRefused(RecordError):
    """The actor may not do this (their role or unit); the refusal has been audited."""


# Permission ---------------------------------------------------------------------------------


def refuse(actor, report: CrimeReport | None, code: str, message: str) -> PermissionRefused:
    audit_denied(
        actor,
        reason=code,
        object_type="records.crimereport" if report is not None else "",
        object_id=str(report.pk) if report is not None else "",
    )
    return PermissionRefused(code, message)


def is_report_writer(actor) -> bool:
    return bool(getattr(actor, "is_authenticated", False)) and actor.has_role(*REPORT_WRITER_ROLES)


def receiving_units(actor) -> list[Unit]:
    """The units `actor` may receive crime reports for (their own unit first)."""
    if not is_report_writer(actor):
        return []
    ids = acting_unit_ids(actor)
    units = list(Unit.objects.active().filter(pk__in=ids))
    return sorted(units, key=lambda u: (u.pk != actor.unit_id, u.sort_key, u.code))


def acting_unit_for(action: Action, report: CrimeReport) -> int | None:
    """The unit whose members take this step: the target unit accepts a transfer; the handling
    unit does everything else."""
    return report.transfer_to_id if action is Action.ACCEPT else report.handling_unit_id


def may_act(actor, action: Action, report: CrimeReport) -> bool:
    """Role and unit allow `actor` to take `action` on `report` (whatever its status)."""
    return is_report_writer(actor) and can_act_for(actor, acting_unit_for(action, report))


EXTENSIONS = frozenset({Action.EXTEND, Action.PROCURACY_EXTEND})


def allowed_actions(actor, report: CrimeReport) -> list[Action]:
    """The steps `actor` may take on `report` now (role, unit and status). A resumed report
    is not offered an extension (Art. 149: at most one month, not extended)."""
    actions = [a for a in Action if report.status in ALLOWED_FROM[a] and may_act(actor, a, report)]
    if EXTENSIONS & set(actions) and report.clock_events.filter(kind=ClockEventKind.RESUME.value).exists():
        actions = [a for a in actions if a not in EXTENSIONS]
    return actions


def require(actor, action: Action, report: CrimeReport) -> None:
    if not is_report_writer(actor):
        raise refuse(
            actor,
            report,
            "permission.role",
            _("Only investigators and commune officers handle crime reports."),
        )
    if not can_act_for(actor, acting_unit_for(action, report)):
        if action is Action.ACCEPT:
            message = _("Only the unit the report was transferred to can accept it.")
        else:
            message = _("Only the handling unit can do this.")
        raise refuse(actor, report, "permission.unit", message)
