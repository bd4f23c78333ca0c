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
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anninh.accounts.permissions import audit_denied
from anninh.accounts.roles import Role
from anninh.audit.models import AuditAction
from anninh.audit.services import audit_record, snapshot
from anninh.geo.models import Commune
from anninh.lib.dates import HCM_TZ, format_date_vn, local_date
from anninh.org.models import Unit
from anninh.records.deadlines import ClockEvent, ClockEventKind, ClockState, clock_state
from anninh.records.models import (
    Case,
    CaseStatus,
    CrimeReport,
    Offence,
    RegisterCounter,
    ReportChannel,
    ReportClockEvent,
    ReportKind,
    ReportStatus,
)
from anninh.records.permissions import acting_unit_ids, can_act_for
from anninh.records.services.clock import (
    CLOCK_FIELDS,
    CLOCK_MESSAGES,
    clock_replay,
)
from anninh.records.services.clock import days_off as _days_off
from anninh.records.services.clock import store_clock as _store_clock
from anninh.records.services.persons import clean_text, person_fields_clean, person_ids_clean, person_resolve
from anninh.records.versioning import ConflictError, RecordError, save_versioned, timeline_add

S = ReportStatus

# Roles that write crime reports (for the units they act for: anninh.records.permissions).
REPORT_WRITER_ROLES = frozenset({Role.COMMUNE_OFFICER, Role.INVESTIGATOR})

RUNNING = frozenset({S.RECEIVED, S.CLASSIFIED, S.TRANSFERRED, S.VERIFYING})
DECIDED = frozenset({S.INITIATED, S.NOT_INITIATED, S.SUSPENDED})

SUMMARY_MAX = 5000
NOTE_MAX = 2000
EARLIEST_RECEIPT = dt.datetime(2000, 1, 1, tzinfo=HCM_TZ)
FUTURE_TOLERANCE = dt.timedelta(minutes=1)  # clock skew between a client and the server


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
}


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


class PermissionRefused(RecordError):
    """The actor may not do this (their role or unit); the refusal has been audited."""


# Permission ---------------------------------------------------------------------------------


def _refuse(actor, report: CrimeReport | None, code: str, message: str) -> PermissionRefused:
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


def allowed_actions(actor, report: CrimeReport) -> list[Action]:
    """The steps `actor` may take on `report` now (role, unit and status)."""
    return [a for a in Action if report.status in ALLOWED_FROM[a] and may_act(actor, a, report)]


def _require(actor, action: Action, report: CrimeReport) -> None:
    if not is_report_writer(actor):
        raise _refuse(
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
        raise _refuse(actor, report, "permission.unit", message)


# The register ---------------------------------------------------------------------------------


def register_allocate(*, unit: Unit, register: str, year: int) -> int:
    """The next number of `unit`'s `register` ("report" or "case") for `year`.

    Must run inside the transaction that uses the number: the counter row stays locked
    (SELECT … FOR UPDATE) until it commits, so concurrent intakes queue here and get
    consecutive numbers; a rolled-back intake rolls its number back with it, and a number
    that was committed is never handed out again.
    """
    if transaction.get_autocommit():
        raise RuntimeError("register_allocate() must run inside a transaction")
    RegisterCounter.objects.bulk_create(
        [RegisterCounter(unit=unit, register=register, year=year, last=0)], ignore_conflicts=True
    )
    counter = RegisterCounter.objects.select_for_update().get(unit=unit, register=register, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def register_number(unit: Unit, year: int, seq: int) -> str:
    """`CA11311-2026-000123`: unit code, year of receipt, sequence in that year."""
    return f"{unit.code[:26]}-{year:04d}-{seq:06d}"


def case_number(unit: Unit, year: int, seq: int) -> str:
    """`VA-PC02-2026-000012` (vụ án): handling unit, year of initiation, sequence."""
    return f"VA-{unit.code[:23]}-{year:04d}-{seq:06d}"


# The clock ------------------------------------------------------------------------------------


# Input checks ---------------------------------------------------------------------------------


def _text(
    value: str | None,
    *,
    field: str,
    max_length: int,
    required: bool = False,
    multiline: bool = False,
    label: str = "",
) -> str:
    text = clean_text(value, multiline=multiline)
    if required and not text:
        raise RecordError(f"{field}.required", label or _("This field is required."), field=field)
    if len(text) > max_length:
        raise RecordError(f"{field}.length", _("At most %(n)s characters.") % {"n": max_length}, field=field)
    return text


def _check_received_at(received_at: dt.datetime, now: dt.datetime) -> dt.datetime:
    if not isinstance(received_at, dt.datetime):
        raise RecordError("received_at.required", _("Enter the time of receipt."), field="received_at")
    if received_at.tzinfo is None or received_at.utcoffset() is None:
        received_at = received_at.replace(tzinfo=HCM_TZ)  # a time typed in Hai Phong
    if received_at.year < 2000 or received_at < EARLIEST_RECEIPT:
        raise RecordError(
            "received_at.too_old", _("The time of receipt is before 2000."), field="received_at"
        )
    if received_at > now + FUTURE_TOLERANCE:
        raise RecordError(
            "received_at.future", _("The time of receipt cannot be in the future."), field="received_at"
        )
    return received_at


def _check_point(lat, lon) -> tuple[float | None, float | None, str | None]:
    """(lat, lon, commune code at the point) or (None, None, None); RecordError outside the city."""
    if lat in (None, "") and lon in (None, ""):
        return None, None, None
    if lat in (None, "") or lon in (None, ""):
        raise RecordError(
            "point.incomplete", _("Give both the latitude and the longitude, or neither."), field="lat"
        )
    try:
        lat, lon = float(lat), float(lon)
    except (TypeError, ValueError):
        raise RecordError(
            "point.invalid", _("The latitude and longitude must be numbers."), field="lat"
        ) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):  # also refuses NaN
        raise RecordError(
            "point.invalid", _("The latitude and longitude are not a place on Earth."), field="lat"
        )
    from anninh.geo.lookup import commune_at

    code = commune_at(lat, lon)
    if code is None:
        raise RecordError("point.outside", _("The point is outside Hai Phong."), field="lat")
    return lat, lon, code


def _check_commune(commune_code: str | None, point_code: str | None) -> Commune:
    code = clean_text(commune_code)
    if not code:
        code = point_code or ""
    if not code:
        raise RecordError(
            "commune.required", _("Enter the commune, or pick the place on the map."), field="commune"
        )
    commune = Commune.objects.filter(pk=code).only("code", "name").first() if len(code) <= 5 else None
    if commune is None:
        raise RecordError("commune.unknown", _("There is no commune with this code."), field="commune")
    if point_code and point_code != commune.code:
        raise RecordError(
            "commune.point_mismatch",
            _(
                "The point on the map is in another commune (%(other)s). Move the point or correct the commune."
            )
            % {
                "other": Commune.objects.filter(pk=point_code).values_list("name", flat=True).first()
                or point_code
            },
            field="commune",
        )
    return commune


_ARTICLE = re.compile(r"([0-9]{1,3}[a-z]?)(?![0-9a-z])")


def normalise_article(text: str | None) -> str:
    """'Điều 173', 'art. 256A', ' 173 ', '173 · Trộm cắp tài sản' → '173' / '256a'; text that
    does not start with an article number comes back folded, without spaces."""
    from anninh.lib.text import fold

    value = fold(clean_text(text))
    for prefix in ("dieu", "article", "art.", "art", "d."):
        if value.startswith(prefix):
            value = value[len(prefix) :].strip()
            break
    match = _ARTICLE.match(value)
    return match[1] if match else value.replace(" ", "")


def offence_in_force(article: str | None, on: dt.date) -> Offence | None:
    """The version of Penal Code `article` in force on `on`; None for an empty article;
    RecordError for an unknown article or one not in force then."""
    value = normalise_article(article)
    if not value:
        return None
    versions = Offence.objects.filter(article=value[:8]).order_by("-valid_from")
    if not versions.exists():
        raise RecordError(
            "offence.unknown",
            _("There is no article %(article)s in the offence table.")
            % {"article": clean_text(article)[:20]},
            field="offence",
        )
    for offence in versions:
        if offence.valid_from <= on and (offence.valid_to is None or offence.valid_to >= on):
            return offence
    raise RecordError(
        "offence.not_in_force",
        _("Article %(article)s was not in force on %(date)s.")
        % {"article": value, "date": format_date_vn(on)},
        field="offence",
    )


def _check_on(report: CrimeReport, on: dt.date | None, *, field: str = "on") -> dt.date:
    """The date of a step: today by default; not in the future, not before receipt, not
    before the last step of the clock."""
    today = timezone.localdate()
    if on is None:
        on = today
    if not isinstance(on, dt.date) or isinstance(on, dt.datetime):
        raise RecordError("date.invalid", _("Enter a date as dd/mm/yyyy."), field=field)
    if on > today:
        raise RecordError("date.future", _("The date cannot be in the future."), field=field)
    if on < report.received_on:
        raise RecordError(
            "date.before_receipt",
            _("The date cannot be before the report was received (%(date)s).")
            % {"date": format_date_vn(report.received_on)},
            field=field,
        )
    last = (
        ReportClockEvent.objects.filter(report=report)
        .order_by("-on", "-id")
        .values_list("on", flat=True)
        .first()
    )
    if last is not None and on < last:
        raise RecordError(
            "date.before_last_step",
            _("The date cannot be before the last recorded step (%(date)s).")
            % {"date": format_date_vn(last)},
            field=field,
        )
    return on


def _check_version(version) -> int:
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise RecordError(
            "version.required",
            _("The form is missing the record's version; reload the page."),
            field="version",
        )
    return version


# Receiving a report ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReporterInput:
    """Who made the report, as typed. Resolved to one Person by CCCD or phone."""

    full_name: str
    cccd: str = ""
    phones: tuple[str, ...] = ()
    birth_date: dt.date | None = None
    address: str = ""


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
) -> CrimeReport:
    """Enter a crime report in the receiving unit's register (Art. 145-146).

    Allocates the register number (per unit and year of receipt, under a row lock), resolves
    the reporter in the person index, starts the clock (20 days from the local day of
    receipt, rolled over days off). Nothing is saved when anything is refused.
    """
    if not is_report_writer(actor):
        raise _refuse(
            actor,
            None,
            "permission.role",
            _("Only investigators and commune officers receive crime reports."),
        )
    if receiving_unit_id is None:
        receiving_unit_id = actor.unit_id
    if not can_act_for(actor, receiving_unit_id):
        raise _refuse(actor, None, "permission.unit", _("You cannot receive reports for this unit."))
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
    received_at = _check_received_at(received_at, now)
    received_on = local_date(received_at)
    summary = _text(
        summary,
        field="summary",
        max_length=SUMMARY_MAX,
        required=True,
        multiline=True,
        label=_("Write a summary of the report."),
    )
    address = _text(address, field="address", max_length=300)
    reporter_agency = _text(reporter_agency, field="reporter_agency", max_length=200)
    lat, lon, point_code = _check_point(lat, lon)
    commune = _check_commune(commune_code, point_code)
    offence = offence_in_force(offence_article, received_on)
    if reporter is not None:
        # Checked before anything is written, so a bad CCCD or phone saves nothing.
        person_fields_clean(full_name=reporter.full_name, birth_date=reporter.birth_date)
        person_ids_clean(reporter.cccd, reporter.phones)
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


def _step(
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
    version = _check_version(version)
    _require(actor, action, report)
    with transaction.atomic():
        locked = CrimeReport.objects.select_for_update().get(pk=report.pk)
        _require(actor, action, locked)  # the handling unit may have changed meanwhile
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
    note = _text(note, field="note", max_length=NOTE_MAX, multiline=True)

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
    _require(actor, Action.TRANSFER, report)
    note = _text(note, field="note", max_length=NOTE_MAX, multiline=True)
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
    note = _text(note, field="note", max_length=NOTE_MAX, multiline=True)

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
    note = _text(note, field="note", max_length=NOTE_MAX, multiline=True)

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
    note = _text(note, field="note", max_length=NOTE_MAX, multiline=True)

    def apply(r: CrimeReport) -> list[str]:
        day = _check_on(r, on)
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
    _require(actor, Action.PROCURACY_EXTEND, report)
    note = _text(note, field="note", max_length=NOTE_MAX, multiline=True)
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 2:
        raise RecordError(
            "clock.procuracy_months", str(CLOCK_MESSAGES["clock.procuracy_months"]), field="months"
        )

    def apply(r: CrimeReport) -> list[str]:
        day = _check_on(r, on)
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
    _require(actor, Action.DECIDE, report)
    try:
        decision = Decision(decision)
    except ValueError:
        raise RecordError("decision.invalid", _("Choose the decision."), field="decision") from None
    grounds = _text(
        grounds,
        field="grounds",
        max_length=NOTE_MAX,
        required=True,
        multiline=True,
        label=_("Write the grounds of the decision."),
    )
    created: dict = {}

    def apply(r: CrimeReport) -> list[str]:
        day = _check_on(r, on)
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
    note = _text(note, field="note", max_length=NOTE_MAX, multiline=True)

    def apply(r: CrimeReport) -> list[str]:
        day = _check_on(r, on)
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
    _require(actor, Action.NOTIFY, report)
    try:
        target = NotifyTarget(target)
    except ValueError:
        raise RecordError("notify.target", _("Choose who was notified."), field="target") from None
    note = _text(note, field="note", max_length=NOTE_MAX, multiline=True)

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
    from anninh.records import scoping
    from anninh.records.services.cases import case_create

    # Only an incident the actor can see (the cases service refuses others); an unlinked case
    # is linked when its incident is recorded (anninh.records.services.incidents).
    linked = report.incidents.all()
    incidents = (
        list(scoping.apply(linked, scoping.incident_visibility_q(actor))[:2]) if linked.count() == 1 else []
    )
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
