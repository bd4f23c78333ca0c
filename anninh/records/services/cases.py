"""Cases (vụ án) and their clearance.

A case is opened when a crime report is decided "initiate" (the crime-reports service calls
`case_create(crime_report=...)`) or from an incident (`case_create(incident=...)`). It is
numbered per handling unit and year. Its status moves along CASE_TRANSITIONS only, and every
move is a CaseStatusChange with the time it takes effect: the history from which the
clearance rate of any past period is recomputed (anninh.records.selectors.cases).

Clearance (khám phá) is recorded as the time the offender was identified, the arrests made
and the clearing unit. The "cleared" status takes effect when both the offender is identified
and the case exists, i.e. at the later of the two.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anninh.accounts.roles import Role
from anninh.audit.models import AuditAction
from anninh.audit.services import audit_record, snapshot
from anninh.lib.dates import HCM_TZ, local_day_bounds
from anninh.records.models import Case, CaseStatus, CaseStatusChange, CrimeReport, Incident, Offence
from anninh.records.permissions import acting_unit_ids
from anninh.records.services.articles import normalise_article
from anninh.records.services.incidents import (
    CLOCK_SKEW,
    EARLIEST,
    InvalidRecord,
    _aware,
)
from anninh.records.services.persons import clean_text
from anninh.records.services.register import case_number, register_allocate
from anninh.records.versioning import RecordError, save_versioned, timeline_add

C = CaseStatus

#: The allowed moves of a case's status. A cleared, unfounded or administratively closed case
#: can be reopened (new evidence, or the identified offender was the wrong person); a case
#: transferred to another agency leaves our books.
CASE_TRANSITIONS: dict[str, frozenset[str]] = {
    C.OPEN: frozenset({C.INVESTIGATING, C.CLEARED, C.UNFOUNDED, C.CLOSED_ADMIN, C.TRANSFERRED}),
    C.INVESTIGATING: frozenset({C.CLEARED, C.UNFOUNDED, C.CLOSED_ADMIN, C.TRANSFERRED}),
    C.CLEARED: frozenset({C.INVESTIGATING}),
    C.UNFOUNDED: frozenset({C.INVESTIGATING}),
    C.CLOSED_ADMIN: frozenset({C.INVESTIGATING}),
    C.TRANSFERRED: frozenset(),
}
CLOSING = frozenset({C.UNFOUNDED, C.CLOSED_ADMIN, C.TRANSFERRED})
CASE_WRITER_ROLES = (Role.INVESTIGATOR, Role.COMMUNE_OFFICER)
MAX_ARRESTS = 10_000


def case_number_next(*, unit, year: int) -> str:
    """Allocate the next case number of `unit` for `year` (inside the caller's transaction);
    the same register and format as cases initiated from crime reports."""
    return case_number(unit, year, register_allocate(unit=unit, register="case", year=year))


def case_occurred_at(case: Case) -> dt.datetime | None:
    """When the crime happened: the incident's time, else the report's receipt."""
    if case.incident_id:
        return case.incident.occurred_from
    if case.crime_report_id:
        return case.crime_report.received_at
    return None


def _check_writer(actor, unit_id: int | None) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.has_role(*CASE_WRITER_ROLES):
        raise RecordError("permission.role", _("You cannot open or change cases."))
    if unit_id not in acting_unit_ids(actor):
        raise RecordError("permission.unit", _("You cannot act for this unit."), field="handling_unit")


def _main_offence(incident: Incident) -> Offence | None:
    link = incident.offence_links.filter(is_main=True).select_related("offence").first()
    return link.offence if link else None


@transaction.atomic
def case_create(
    *,
    actor,
    incident: Incident | None = None,
    crime_report: CrimeReport | None = None,
    handling_unit_id: int | None = None,
    initiated_on: dt.date | None = None,
    offence_article: str = "",
    summary: str = "",
    number: str | None = None,
    is_synthetic: bool = False,
) -> Case:
    """Open a case for an incident and/or the crime report it was initiated from.

    The handling unit defaults to the incident's responsible unit (or the report's handling
    unit); the offence to the incident's main offence (or the report's suspected offence).
    The actor must act for the handling unit and see the incident and report.
    """
    from anninh.org.models import Unit

    if incident is None and crime_report is None:
        raise RecordError("case.source", _("A case is opened from an incident or a crime report."))
    if incident is not None and not Incident.objects.restrict(actor).filter(pk=incident.pk).exists():
        raise RecordError("case.incident", _("The incident was not found."), field="incident")
    if (
        crime_report is not None
        and not CrimeReport.objects.restrict(actor).filter(pk=crime_report.pk).exists()
    ):
        raise RecordError("case.report", _("The crime report was not found."), field="crime_report")
    if handling_unit_id is None:
        handling_unit_id = (
            incident.responsible_unit_id if incident is not None else crime_report.handling_unit_id
        )
    _check_writer(actor, handling_unit_id)
    unit = Unit.objects.get(pk=handling_unit_id)

    errors: list[RecordError] = []
    today = timezone.localdate()
    initiated_on = initiated_on or today
    if initiated_on > today:
        errors.append(
            RecordError("case.future", _("A case cannot be initiated in the future."), field="initiated_on")
        )
    if initiated_on < EARLIEST.date():
        errors.append(
            RecordError(
                "case.too_early", _("Check the year: this date is too far in the past."), field="initiated_on"
            )
        )
    occurred_at = incident.occurred_from if incident is not None else crime_report.received_at
    if occurred_at is not None and initiated_on < occurred_at.astimezone(HCM_TZ).date():
        errors.append(
            RecordError(
                "case.before_occurrence",
                _("A case cannot be initiated before the crime happened."),
                field="initiated_on",
            )
        )
    offence = None
    if offence_article:
        article = normalise_article(offence_article)
        offence = Offence.objects.filter(article=article).order_by("-valid_from").first()
        if offence is None:
            errors.append(
                RecordError(
                    "offence.unknown",
                    _("There is no article %(article)s in the offence table.") % {"article": article[:10]},
                    field="offence",
                )
            )
    elif incident is not None:
        offence = _main_offence(incident)
    elif crime_report is not None:
        offence = crime_report.suspected_offence
    if incident is not None and offence is None:
        errors.append(
            RecordError(
                "case.offence",
                _("A case needs an offence: add the offence to the incident first."),
                field="offence",
            )
        )
    if incident is not None and incident.cases.exclude(status=C.TRANSFERRED).exists():
        errors.append(
            RecordError("case.exists", _("This incident already has an open case."), field="incident")
        )
    if number and Case.objects.unrestricted().filter(number=number).exists():
        errors.append(RecordError("case.number_taken", _("This number is already used."), field="number"))
    if errors:
        raise InvalidRecord(errors)

    case = Case.objects.create(
        number=number or case_number_next(unit=unit, year=initiated_on.year),
        initiated_on=initiated_on,
        incident=incident,
        crime_report=crime_report,
        handling_unit=unit,
        offence=offence,
        summary=clean_text(summary, multiline=True)[:5000],
        status=C.OPEN,
        created_by=actor,
        is_synthetic=is_synthetic,
    )
    # The case exists from the start of the day it was initiated, but not before the crime.
    start = local_day_bounds(initiated_on)[0]
    if occurred_at is not None and occurred_at > start:
        start = occurred_at
    CaseStatusChange.objects.create(
        case=case, from_status="", to_status=C.OPEN, effective_at=min(start, timezone.now()), created_by=actor
    )
    audit_record(actor=actor, action=AuditAction.CREATE, target=case, after=snapshot(case))
    timeline_add(case, actor=actor, kind="created", to_status=C.OPEN)
    if incident is not None:
        from anninh.records.services.incidents import incident_snapshot, incident_timeline_add

        state = incident_snapshot(incident)
        incident_timeline_add(
            incident, actor=actor, kind="case_opened", before=state, after=state, comment=case.number
        )
    return case


@transaction.atomic
def case_transition(
    *,
    actor,
    case: Case,
    to_status: str,
    version: int | None,
    effective_at: dt.datetime | None = None,
    note: str = "",
    offender_identified_at: dt.datetime | None = None,
    arrests: int | None = None,
    clearing_unit_id: int | None = None,
) -> Case:
    """Move the case to `to_status` (CASE_TRANSITIONS), effective at `effective_at` (default:
    now). Clearing needs `offender_identified_at`; arrests and the clearing unit (default:
    the handling unit) are recorded with it."""
    from anninh.org.models import Unit

    _check_writer(actor, case.handling_unit_id)
    if to_status not in C.values:
        raise InvalidRecord([RecordError("case.status", _("Choose a status."), field="to_status")])
    if to_status not in CASE_TRANSITIONS[case.status]:
        raise InvalidRecord(
            [
                RecordError(
                    "case.transition",
                    _("A case that is “%(from)s” cannot become “%(to)s”.")
                    % {"from": C(case.status).label, "to": C(to_status).label},
                    field="to_status",
                )
            ]
        )
    now = timezone.now()
    last = case.status_changes.order_by("-effective_at", "-id").first()
    floor = last.effective_at if last else None
    errors: list[RecordError] = []
    note = clean_text(note, multiline=True)[:5000]
    effective_at = _aware(effective_at)
    offender_identified_at = _aware(offender_identified_at)
    clearing_unit = None

    if to_status == C.CLEARED:
        if offender_identified_at is None:
            errors.append(
                RecordError(
                    "case.identified_required",
                    _("Enter when the offender was identified."),
                    field="offender_identified_at",
                )
            )
        elif offender_identified_at > now + CLOCK_SKEW:
            errors.append(
                RecordError("case.future", _("This time is in the future."), field="offender_identified_at")
            )
        elif offender_identified_at < EARLIEST:
            errors.append(
                RecordError(
                    "case.too_early",
                    _("Check the year: this date is too far in the past."),
                    field="offender_identified_at",
                )
            )
        elif (occurred := case_occurred_at(case)) and offender_identified_at < occurred:
            errors.append(
                RecordError(
                    "case.identified_before_occurrence",
                    _("The offender cannot be identified before the crime happened."),
                    field="offender_identified_at",
                )
            )
        if arrests is not None and (isinstance(arrests, bool) or not 0 <= arrests <= MAX_ARRESTS):
            errors.append(
                RecordError("case.arrests", _("Enter the number of arrests, 0 or more."), field="arrests")
            )
        clearing_unit_id = clearing_unit_id or case.handling_unit_id
        clearing_unit = Unit.objects.filter(pk=clearing_unit_id).first()
        if clearing_unit is None:
            errors.append(
                RecordError("case.clearing_unit", _("Choose the clearing unit."), field="clearing_unit")
            )
        if not errors:
            # Cleared once the offender is identified AND the case exists.
            effective_at = max(offender_identified_at, floor) if floor else offender_identified_at
    else:
        effective_at = effective_at or now
        if effective_at > now + CLOCK_SKEW:
            errors.append(RecordError("case.future", _("This time is in the future."), field="effective_at"))
        elif effective_at < EARLIEST:
            errors.append(
                RecordError(
                    "case.too_early",
                    _("Check the year: this date is too far in the past."),
                    field="effective_at",
                )
            )
        elif floor and effective_at < floor:
            errors.append(
                RecordError(
                    "case.effective_order",
                    _("This change cannot take effect before the previous one (%(at)s).")
                    % {"at": timezone.localtime(floor).strftime("%d/%m/%Y %H:%M")},
                    field="effective_at",
                )
            )
    if errors:
        raise InvalidRecord(errors)

    before = snapshot(case)
    from_status = case.status
    case.status = to_status
    fields = ["status", "updated_at"]
    if to_status == C.CLEARED:
        case.offender_identified_at = offender_identified_at
        case.clearing_unit = clearing_unit
        if arrests is not None:
            case.arrests = arrests
        case.closed_on = None
        fields += ["offender_identified_at", "clearing_unit", "arrests", "closed_on"]
    elif to_status in CLOSING:
        case.closed_on = effective_at.astimezone(HCM_TZ).date()
        fields += ["closed_on"]
    elif from_status in (C.CLEARED, *CLOSING):
        # Reopened: the identification (if any) no longer stands; the history keeps it.
        case.offender_identified_at = None
        case.clearing_unit = None
        case.closed_on = None
        fields += ["offender_identified_at", "clearing_unit", "closed_on"]
    save_versioned(case, expected_version=version, fields=fields)
    CaseStatusChange.objects.create(
        case=case,
        from_status=from_status,
        to_status=to_status,
        effective_at=effective_at,
        note=note,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=case,
        before=before,
        after=snapshot(case),
        extra={"transition": [from_status, to_status], "effective_at": effective_at.isoformat()},
    )
    timeline_add(
        case,
        actor=actor,
        kind="transition",
        before=before,
        from_status=from_status,
        to_status=to_status,
        comment=note,
    )
    return case
