"""Crime reports (nguồn tin về tội phạm): the receipt register, the legal workflow and the
clock (Criminal Procedure Code 2015, Art. 145-149).

Workflow (ReportStatus):

    received → classified → [transferred → accepted: classified] → verifying
    verifying → initiated | not_initiated | suspended;  suspended → resumed: verifying

Every service checks permission, validates, runs in one transaction, writes its audit row and
a timeline entry, and bumps the version (optimistic locking: the caller passes the version it
loaded; a stale one raises ConflictError). The clock is replayed from the report's
ReportClockEvents and the DayOff table through anninh.records.deadlines, and its result is
stored on the report (due_on, extended, procuracy_extended, decided_on,
decided_within_deadline) by each service.

Refusals: PermissionRefused (audited, a RecordError with a "permission." code), RecordError
(a business rule or bad input; translated message, stable code, the offending field),
ConflictError (stale version).

Imports downwards only: this workflow → cases (a case initiated from a report) → incidents,
and the shared modules below all three: `register` (register numbers), `articles` (one
article normalisation, the offence in force), `fields` (field checks), `report_access`
(the workflow table and permissions), `clock` (replay, messages, days off). The names other
code imports from here are re-exported (`__all__`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anninh.audit.models import AuditAction
from anninh.audit.services import audit_record, snapshot
from anninh.lib.dates import format_date_vn, local_date
from anninh.lib.money import MAX_VND, format_vnd
from anninh.org.models import Unit
from anninh.records.deadlines import ClockEvent, ClockEventKind, ClockState, clock_state
from anninh.records.models import (
    Case,
    CaseStatus,
    CrimeReport,
    ReportChannel,
    ReportClockEvent,
    ReportKind,
)
from anninh.records.permissions import can_act_for
from anninh.records.services.articles import normalise_article, offence_in_force
from anninh.records.services.cases import case_create
from anninh.records.services.clock import (
    CLOCK_FIELDS,
    CLOCK_MESSAGES,
    check_step_date,
    clock_replay,
)
from anninh.records.services.clock import days_off as _days_off
from anninh.records.services.clock import store_clock as _store_clock
from anninh.records.services.collector import collector_key
from anninh.records.services.fields import (
    EARLIEST_RECEIPT,
    FUTURE_TOLERANCE,
    NOTE_MAX,
    SUMMARY_MAX,
    check_commune,
    check_point,
    check_received_at,
    text_field,
)
from anninh.records.services.persons import (
    clean_text,
    person_fields_clean,
    person_identity_check,
    person_ids_clean,
    person_resolve,
    sex_clean,
)
from anninh.records.services.register import case_number, register_allocate, register_number
from anninh.records.services.report_access import (
    ALLOWED_FROM,
    DECIDED,
    REPORT_WRITER_ROLES,
    RUNNING,
    Action,
    PermissionRefused,
    S,
    acting_unit_for,
    allowed_actions,
    is_report_writer,
    may_act,
    receiving_units,
    refuse,
    require,
)
from anninh.records.services.report_collector import collector_account_changed, crime_report_collector_set
from anninh.records.services.report_step import step as _step
from anninh.records.versioning import ConflictError, RecordError, timeline_add

# Names other modules and tests import from here (they live below, in the modules above).
__all__ = [
    "ALLOWED_FROM",
    "CLOCK_FIELDS",
    "CLOCK_MESSAGES",
    "DECIDED",
    "DECISION_LABELS",
    "DECISION_STATUS",
    "EARLIEST_RECEIPT",
    "FUTURE_TOLERANCE",
    "NOTE_MAX",
    "REPORT_WRITER_ROLES",
    "RUNNING",
    "SUMMARY_MAX",
    "Action",
    "ConflictError",
    "Decision",
    "NotifyTarget",
    "PermissionRefused",
    "ReporterInput",
    "acting_unit_for",
    "allowed_actions",
    "case_number",
    "clean_text",
    "clock_replay",
    "collector_account_changed",
    "crime_report_accept",
    "crime_report_classify",
    "crime_report_collector_set",
    "crime_report_decide",
    "crime_report_extend",
    "crime_report_notify",
    "crime_report_procuracy_extend",
    "crime_report_receive",
    "crime_report_resume",
    "crime_report_suspend",
    "crime_report_transfer",
    "crime_report_verify",
    "crime_report_viewed",
    "is_report_writer",
    "may_act",
    "normalise_article",
    "offence_in_force",
    "receiving_units",
    "register_allocate",
    "register_number",
]


class Decision(StrEnum):
    INITIATE = "initiate"  # khởi tố vụ án
    NOT_INITIATE = "not_initiate"  # không khởi tố vụ án
    SUSPEND = "suspend"  # tạm đình chỉ


DECISION_STATUS = {
    Decision.INITIATE: S.INITIATED,
    Decision.NOT_INITIATE: S.NOT_INITIATED,
    Decision.SUSPEND: S.SUSPENDED,
}
DECISION_LABELS = {
    Decision.INITIATE: gettext_lazy("Initiate a criminal case"),
    Decision.NOT_INITIATE: gettext_lazy("Do not initiate a criminal case"),
    Decision.SUSPEND: gettext_lazy("Suspend the handling of the report"),
}


class NotifyTarget(StrEnum):
    REPORTER = "reporter"
    PROCURACY = "procuracy"


# Receiving a report ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReporterInput:
    """Who made the report, as typed. Resolved to one Person by CCCD or phone."""

    full_name: str
    cccd: str = ""
    phones: tuple[str, ...] = ()
    birth_date: dt.date | None = None
    address: str = ""
    sex: str = ""  # anninh.records.models.Sex; "" = not known


def crime_report_receive(
    *,
    actor,
    kind: str,
    channel: str,
    received_at: dt.datetime,
    summary: str,
    commune_code: str = "",
    address: str = "",
    lat: float | None = None,
    lon: float | None = None,
    offence_article: str = "",
    receiving_unit_id: int | None = None,
    reporter: ReporterInput | None = None,
    reporter_confidential: bool = False,
    reporter_agency: str = "",
    losses_vnd: int = 0,
    collector_bank: str = "",
    collector_number: str = "",
) -> CrimeReport:
    """Enter a crime report in the receiving unit's register (Art. 145-146).

    `collector_bank` and `collector_number` (optional, both or neither): the account the
    victim paid into, kept as one normalised key (anninh.records.services.collector).

    Allocates the register number (per unit and year of receipt, under a row lock), resolves
    the reporter in the person index, starts the clock (20 days from the local day of
    receipt, rolled over days off). Nothing is saved when anything is refused.
    """
    if not is_report_writer(actor):
        raise refuse(
            actor,
            None,
            "permission.role",
            _("Only investigators and commune officers receive crime reports."),
        )
    if receiving_unit_id is None:
        receiving_unit_id = actor.unit_id
    if not can_act_for(actor, receiving_unit_id):
        raise refuse(actor, None, "permission.unit", _("You cannot receive reports for this unit."))
    unit = Unit.objects.filter(pk=receiving_unit_id).first()
    if unit is None or not unit.is_active_on():
        raise RecordError(
            "unit.inactive", _("This unit is closed; choose an active unit."), field="receiving_unit"
        )

    if kind not in ReportKind.values:
        raise RecordError("kind.invalid", _("Choose the kind of report."), field="kind")
    if channel not in ReportChannel.values:
        raise RecordError("channel.invalid", _("Choose how the report came in."), field="channel")
    now = timezone.now()
    received_at = check_received_at(received_at, now)
    received_on = local_date(received_at)
    summary = text_field(
        summary,
        field="summary",
        max_length=SUMMARY_MAX,
        required=True,
        multiline=True,
        label=_("Write a summary of the report."),
    )
    address = text_field(address, field="address", max_length=300)
    reporter_agency = text_field(reporter_agency, field="reporter_agency", max_length=200)
    lat, lon, point_code = check_point(lat, lon)
    commune = check_commune(commune_code, point_code)
    offence = offence_in_force(offence_article, received_on)
    if isinstance(losses_vnd, bool) or not isinstance(losses_vnd, int) or not 0 <= losses_vnd <= MAX_VND:
        raise RecordError(
            "losses.invalid",
            _("The amount lost is a whole number of đồng from 0 to %(maximum)s.")
            % {"maximum": format_vnd(MAX_VND)},
            field="losses_vnd",
        )
    collector_account = collector_key(collector_bank, collector_number)
    if reporter is not None:
        # Checked before anything is written, so a bad CCCD or phone saves nothing.
        person_fields_clean(full_name=reporter.full_name, birth_date=reporter.birth_date)
        ids = person_ids_clean(reporter.cccd, reporter.phones)
        person_identity_check(cccd=ids.cccd, sex=sex_clean(reporter.sex), birth_date=reporter.birth_date)
    if reporter_confidential and reporter is None and not reporter_agency:
        raise RecordError(
            "reporter.confidential_without_reporter",
            _("A confidential reporter must still be identified to the handling unit: enter the reporter."),
            field="reporter_confidential",
        )

    with transaction.atomic():
        # The number first: the counter lock is the first lock this transaction takes, so
        # concurrent intakes queue here and never deadlock with the audit chain's lock.
        year = received_on.year
        seq = register_allocate(unit=unit, register="report", year=year)
        person = None
        if reporter is not None:
            person = person_resolve(
                actor=actor,
                full_name=reporter.full_name,
                cccd=reporter.cccd or None,
                phones=reporter.phones,
                birth_date=reporter.birth_date,
                sex=reporter.sex,
                address=reporter.address,
            )
        report = CrimeReport(
            register_number=register_number(unit, year, seq),
            register_year=year,
            register_seq=seq,
            receiving_unit=unit,
            handling_unit=unit,
            kind=kind,
            channel=channel,
            received_at=received_at,
            reporter=person,
            reporter_confidential=bool(reporter_confidential),
            reporter_agency=reporter_agency,
            summary=summary,
            address=address,
            commune=commune,
            lat=lat,
            lon=lon,
            suspected_offence=offence,
            losses_vnd=losses_vnd,
            collector_account=collector_account,
            status=S.RECEIVED,
            created_by=actor,
        )
        state = clock_state(received_on, (), days_off=_days_off())
        _store_clock(report, state)
        report.save(force_insert=True)
        audit_record(actor=actor, action=AuditAction.CREATE, target=report, after=snapshot(report))
        timeline_add(report, actor=actor, kind="received", to_status=S.RECEIVED)
    return report


# Steps of the workflow ------------------------------------------------------------------------


def _add_clock_event(
    report: CrimeReport, actor, kind: ClockEventKind, on: dt.date, months: int = 0, note: str = ""
) -> ClockState:
    state = clock_replay(report, ClockEvent(kind, on, months))
    ReportClockEvent.objects.create(
        report=report, kind=kind.value, on=on, months=months, note=note, created_by=actor
    )
    _store_clock(report, state)
    return state


def crime_report_classify(
    *, actor, report: CrimeReport, version: int, offence_article: str = "", note: str = ""
) -> CrimeReport:
    """received → classified: it is a crime report; optionally name the suspected offence."""
    note = text_field(note, field="note", max_length=NOTE_MAX, multiline=True)

    def apply(r: CrimeReport) -> list[str]:
        offence = (
            offence_in_force(offence_article, r.received_on)
            if normalise_article(offence_article)
            else r.suspected_offence
        )
        r.suspected_offence = offence
        r.status = S.CLASSIFIED
        return ["suspected_offence", "status"]

    return _step(
        actor=actor,
        report=report,
        version=version,
        action=Action.CLASSIFY,
        apply=apply,
        kind="classified",
        comment=note,
    )


def crime_report_transfer(
    *, actor, report: CrimeReport, version: int, to_unit_id: int | None, note: str = ""
) -> CrimeReport:
    """→ transferred: pass the report to the competent unit, which must accept it."""
    require(actor, Action.TRANSFER, report)
    note = text_field(note, field="note", max_length=NOTE_MAX, multiline=True)
    target = Unit.objects.filter(pk=to_unit_id).first() if isinstance(to_unit_id, int) else None
    if target is None or not target.is_active_on():
        raise RecordError(
            "transfer.unit", _("Choose the active unit to transfer the report to."), field="to_unit"
        )

    def apply(r: CrimeReport) -> list[str]:
        if target.pk == r.handling_unit_id:
            raise RecordError(
                "transfer.same_unit", _("The report is already handled by this unit."), field="to_unit"
            )
        r.transfer_to = target
        r.status = S.TRANSFERRED
        return ["transfer_to", "status"]

    return _step(
        actor=actor,
        report=report,
        version=version,
        action=Action.TRANSFER,
        apply=apply,
        kind="transferred",
        comment=note,
        extra={"to_unit": target.code},
    )


def crime_report_accept(*, actor, report: CrimeReport, version: int, note: str = "") -> CrimeReport:
    """transferred → classified: the target unit accepts and becomes the handling unit."""
    note = text_field(note, field="note", max_length=NOTE_MAX, multiline=True)

    def apply(r: CrimeReport) -> list[str]:
        r.handling_unit_id, r.transfer_to = r.transfer_to_id, None
        r.status = S.CLASSIFIED
        return ["handling_unit", "transfer_to", "status"]

    return _step(
        actor=actor,
        report=report,
        version=version,
        action=Action.ACCEPT,
        apply=apply,
        kind="accepted",
        comment=note,
    )


def crime_report_verify(*, actor, report: CrimeReport, version: int, note: str = "") -> CrimeReport:
    """classified → verifying: checking and verification begin."""
    note = text_field(note, field="note", max_length=NOTE_MAX, multiline=True)

    def apply(r: CrimeReport) -> list[str]:
        r.status = S.VERIFYING
        return ["status"]

    return _step(
        actor=actor,
        report=report,
        version=version,
        action=Action.VERIFY,
        apply=apply,
        kind="verifying",
        comment=note,
    )


def crime_report_extend(
    *, actor, report: CrimeReport, version: int, on: dt.date | None = None, note: str = ""
) -> CrimeReport:
    """A complex report: the deadline becomes 2 months from receipt (once, before it expires)."""
    note = text_field(note, field="note", max_length=NOTE_MAX, multiline=True)

    def apply(r: CrimeReport) -> list[str]:
        day = check_step_date(r, on)
        _add_clock_event(r, actor, ClockEventKind.EXTEND, day, note=note)
        return CLOCK_FIELDS

    return _step(
        actor=actor,
        report=report,
        version=version,
        action=Action.EXTEND,
        apply=apply,
        kind="extended",
        comment=note,
    )


def crime_report_procuracy_extend(
    *, actor, report: CrimeReport, version: int, months: int, on: dt.date | None = None, note: str = ""
) -> CrimeReport:
    """The procuracy extends once, by 1 or 2 months; `on` is the day of the request, at least 5
    days before the deadline."""
    require(actor, Action.PROCURACY_EXTEND, report)
    note = text_field(note, field="note", max_length=NOTE_MAX, multiline=True)
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 2:
        raise RecordError(
            "clock.procuracy_months", str(CLOCK_MESSAGES["clock.procuracy_months"]), field="months"
        )

    def apply(r: CrimeReport) -> list[str]:
        day = check_step_date(r, on)
        _add_clock_event(r, actor, ClockEventKind.PROCURACY_EXTEND, day, months=months, note=note)
        return CLOCK_FIELDS

    return _step(
        actor=actor,
        report=report,
        version=version,
        action=Action.PROCURACY_EXTEND,
        apply=apply,
        kind="procuracy_extended",
        comment=note,
        extra={"months": months},
    )


def crime_report_decide(
    *,
    actor,
    report: CrimeReport,
    version: int,
    decision: str,
    on: dt.date | None = None,
    grounds: str = "",
    offence_article: str = "",
) -> CrimeReport:
    """verifying → initiated | not_initiated | suspended (Art. 147-148). Initiating needs the
    suspected offence (given here or at classification) and creates the case (numbered in the
    handling unit's case register)."""
    require(actor, Action.DECIDE, report)
    try:
        decision = Decision(decision)
    except ValueError:
        raise RecordError("decision.invalid", _("Choose the decision."), field="decision") from None
    grounds = text_field(
        grounds,
        field="grounds",
        max_length=NOTE_MAX,
        required=True,
        multiline=True,
        label=_("Write the grounds of the decision."),
    )
    created: dict = {}

    def apply(r: CrimeReport) -> list[str]:
        day = check_step_date(r, on)
        if normalise_article(offence_article):
            r.suspected_offence = offence_in_force(offence_article, r.received_on)
        if decision is Decision.INITIATE and r.suspected_offence_id is None:
            raise RecordError(
                "decision.offence",
                _("Name the suspected offence: a case is initiated for an offence."),
                field="offence",
            )
        before = clock_replay(r)
        kind = ClockEventKind.SUSPEND if decision is Decision.SUSPEND else ClockEventKind.DECIDE
        _add_clock_event(r, actor, kind, day, note=grounds)
        r.decided_on = day
        r.decided_within_deadline = before.due is not None and day <= before.due
        r.decision_note = grounds
        r.status = DECISION_STATUS[decision]
        if decision is Decision.INITIATE:
            created["case"] = _case_create(actor=actor, report=r, on=day, grounds=grounds)
        return [*CLOCK_FIELDS, "decision_note", "status", "suspected_offence"]

    action = Action.SUSPEND if decision is Decision.SUSPEND else Action.DECIDE
    result = _step(
        actor=actor,
        report=report,
        version=version,
        action=action,
        apply=apply,
        kind="decided",
        comment=grounds,
        extra={"decision": decision.value},
    )
    if "case" in created:
        result.created_case = created["case"]
    return result


def crime_report_suspend(
    *, actor, report: CrimeReport, version: int, on: dt.date | None = None, grounds: str = ""
) -> CrimeReport:
    """verifying → suspended (Art. 148): the clock stops."""
    return crime_report_decide(
        actor=actor, report=report, version=version, decision=Decision.SUSPEND, on=on, grounds=grounds
    )


def crime_report_resume(
    *, actor, report: CrimeReport, version: int, on: dt.date | None = None, note: str = ""
) -> CrimeReport:
    """suspended → verifying (Art. 149): at most 1 month from the resumption remains."""
    note = text_field(note, field="note", max_length=NOTE_MAX, multiline=True)

    def apply(r: CrimeReport) -> list[str]:
        day = check_step_date(r, on)
        _add_clock_event(r, actor, ClockEventKind.RESUME, day, note=note)
        r.decided_on = None
        r.decided_within_deadline = None
        r.decision_note = ""
        r.status = S.VERIFYING
        return [*CLOCK_FIELDS, "decision_note", "status"]

    return _step(
        actor=actor,
        report=report,
        version=version,
        action=Action.RESUME,
        apply=apply,
        kind="resumed",
        comment=note,
    )


def crime_report_notify(
    *, actor, report: CrimeReport, version: int, target: str, on: dt.date | None = None, note: str = ""
) -> CrimeReport:
    """Record the day the reporter was told the result (after a decision) or the procuracy was
    notified in writing."""
    require(actor, Action.NOTIFY, report)
    try:
        target = NotifyTarget(target)
    except ValueError:
        raise RecordError("notify.target", _("Choose who was notified."), field="target") from None
    note = text_field(note, field="note", max_length=NOTE_MAX, multiline=True)

    def apply(r: CrimeReport) -> list[str]:
        today = timezone.localdate()
        day = today if on is None else on
        if day > today:
            raise RecordError("date.future", _("The date cannot be in the future."), field="on")
        if day < r.received_on:
            raise RecordError(
                "date.before_receipt",
                _("The date cannot be before the report was received (%(date)s).")
                % {"date": format_date_vn(r.received_on)},
                field="on",
            )
        if target is NotifyTarget.REPORTER:
            if r.status not in DECIDED or r.decided_on is None:
                raise RecordError(
                    "notify.undecided",
                    _("The reporter is told the result once a decision is made."),
                    field="target",
                )
            if r.reporter_id is None and not r.reporter_agency:
                raise RecordError(
                    "notify.no_reporter",
                    _("The reporter is anonymous: there is nobody to notify."),
                    field="target",
                )
            if day < r.decided_on:
                raise RecordError(
                    "date.before_decision",
                    _("The reporter cannot be told the result before the decision."),
                    field="on",
                )
            r.reporter_notified_on = day
            return ["reporter_notified_on"]
        r.procuracy_notified_on = day
        return ["procuracy_notified_on"]

    return _step(
        actor=actor,
        report=report,
        version=version,
        action=Action.NOTIFY,
        apply=apply,
        kind=f"notified_{target.value}",
        comment=note,
        extra={"target": target.value},
    )


def _case_create(*, actor, report: CrimeReport, on: dt.date, grounds: str) -> Case:
    """The case initiated from `report`, through the cases service (numbered in the handling
    unit's case register for the year of initiation, with its first status change). Linked
    to the report's incident when there is exactly one (and it has no open case yet)."""
    # Only an incident the actor can see (the cases service refuses others); an unlinked case
    # is linked when its incident is recorded (anninh.records.services.incidents).
    linked = report.incidents.all()
    incidents = list(linked.restrict(actor)[:2]) if linked.count() == 1 else []
    incident = incidents[0] if len(incidents) == 1 else None
    if incident is not None and incident.cases.exclude(status=CaseStatus.TRANSFERRED).exists():
        incident = None
    return case_create(
        actor=actor,
        crime_report=report,
        incident=incident,
        handling_unit_id=report.handling_unit_id,
        initiated_on=on,
        offence_article=report.suspected_offence.article if report.suspected_offence_id else "",
        summary=grounds,
    )


# Reads that matter ---------------------------------------------------------------------------


def crime_report_viewed(
    *, actor, report: CrimeReport, via: str = "page", reporter_shown: bool = False
) -> None:
    """Audit one look at a report (its page or its API detail)."""
    audit_record(
        actor=actor,
        action=AuditAction.VIEW,
        target=report,
        extra={"via": via, "reporter_shown": reporter_shown},
    )
