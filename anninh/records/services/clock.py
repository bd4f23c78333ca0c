"""The legal clock of crime reports as the services keep it: replaying a report's clock
events over the days-off table (anninh.records.deadlines does the arithmetic), the
translated messages of the clock's refusals, the holiday-data check, and recomputing the
stored due dates of open reports when the days-off table changes.

Below the workflow (anninh.records.services.reports): it imports no other service.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anninh.audit.models import AuditAction
from anninh.audit.services import audit_record, snapshot
from anninh.lib.dates import format_date_vn
from anninh.records.deadlines import (
    ClockEvent,
    ClockEventKind,
    ClockState,
    DeadlineError,
    add_months,
    clock_state,
)
from anninh.records.models import CrimeReport, DayOff, ReportClockEvent
from anninh.records.versioning import RecordError, save_versioned

# Translated messages of the clock's stable error codes (anninh.records.deadlines).
CLOCK_MESSAGES = {
    "clock.decided": gettext_lazy("The report has already been decided: its clock has ended."),
    "clock.suspended": gettext_lazy("A suspended report cannot be extended."),
    "clock.extended_twice": gettext_lazy("The deadline has already been extended once."),
    "clock.extend_late": gettext_lazy("The deadline has already passed: it can no longer be extended."),
    "clock.procuracy_before_extension": gettext_lazy(
        "The procuracy extends only a deadline that was first extended to 2 months."
    ),
    "clock.procuracy_twice": gettext_lazy("The procuracy may extend the deadline only once."),
    "clock.procuracy_months": gettext_lazy("The procuracy extension is 1 or 2 months."),
    "clock.procuracy_late": gettext_lazy(
        "The procuracy extension must be requested at least 5 days before the deadline."
    ),
    "clock.suspended_twice": gettext_lazy("The report is already suspended."),
    "clock.not_suspended": gettext_lazy("Only a suspended report can be resumed."),
    "clock.suspend_early": gettext_lazy(
        "The handling of a report can be suspended only once its time limit has run out "
        "(Criminal Procedure Code Art. 148): from %(date)s."
    ),
    "clock.resumed": gettext_lazy(
        "After a resumption at most one month remains (Criminal Procedure Code Art. 149): "
        "the deadline can no longer be extended."
    ),
    "clock.due_earlier": gettext_lazy("This step would move the deadline earlier than it was."),
}

CLOCK_FIELDS = ["due_on", "extended", "procuracy_extended", "decided_on", "decided_within_deadline"]

# Labour Code 2019 Art. 112(1): 11 public holidays a year (New Year 1, Tết 5, Hùng Kings 1,
# 30/4 1, 1/5 1, National Day 2). A year with fewer rows has not been entered.
MIN_DAYS_OFF_PER_YEAR = 11
DAYS_OFF_HORIZON_MONTHS = 12


def days_off() -> list[dt.date]:
    return list(DayOff.objects.values_list("date", flat=True))


def clock_events(report: CrimeReport) -> list[ClockEvent]:
    return [
        ClockEvent(ClockEventKind(e.kind), e.on, e.months)
        for e in ReportClockEvent.objects.filter(report=report).order_by("on", "id")
    ]


def clock_replay(report: CrimeReport, extra: ClockEvent | None = None, *, off=None) -> ClockState:
    """Where the report's clock stands (with `extra` appended); RecordError when the law does
    not allow it."""
    events = clock_events(report)
    recorded = len(events)  # replayed as they were accepted; only `extra` meets the newer rules
    if extra is not None:
        events.append(extra)
    try:
        return clock_state(
            report.received_on, events, days_off=days_off() if off is None else off, recorded=recorded
        )
    except DeadlineError as exc:
        message = str(CLOCK_MESSAGES.get(exc.code, gettext_lazy("The legal clock does not allow this step.")))
        if exc.params:
            message %= {k: format_date_vn(v) if isinstance(v, dt.date) else v for k, v in exc.params.items()}
        raise RecordError(exc.code, message, field="on") from exc


def store_clock(report: CrimeReport, state: ClockState) -> None:
    report.due_on = state.due
    report.extended = state.extended
    report.procuracy_extended = state.procuracy_extended


def days_off_gaps(today: dt.date | None = None) -> list[int]:
    """The years of the next 12 months (from `today`) whose public holidays are missing from
    the days-off table (fewer than the 11 statutory days): a deadline in them would not roll
    over a holiday."""
    today = today or timezone.localdate()
    end = add_months(today, DAYS_OFF_HORIZON_MONTHS)
    years = range(today.year, end.year + 1)
    counts = dict.fromkeys(years, 0)
    for day in DayOff.objects.filter(date__year__gte=today.year, date__year__lte=end.year).values_list(
        "date", flat=True
    ):
        counts[day.year] += 1
    return [y for y in years if counts[y] < MIN_DAYS_OFF_PER_YEAR]


def reports_reclock(*, actor, reason: str) -> int:
    """Recompute the stored due date of every report whose clock is running (after the
    days-off table changed), in one transaction; each report that changes gets an audit
    row and a new version. `actor` may be None (a command run by the system). Returns the
    number of reports changed."""
    off = days_off()
    changed = 0
    with transaction.atomic():
        for report in (
            CrimeReport.objects.unrestricted().select_for_update().filter(due_on__isnull=False).order_by("pk")
        ):
            state = clock_replay(report, off=off)
            if (state.due, state.extended, state.procuracy_extended) == (
                report.due_on,
                report.extended,
                report.procuracy_extended,
            ):
                continue
            before = snapshot(report)
            store_clock(report, state)
            save_versioned(report, expected_version=None, fields=["due_on", "extended", "procuracy_extended"])
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                target=report,
                before=before,
                after=snapshot(report),
                extra={"step": "reclock", "reason": reason},
            )
            changed += 1
    return changed


def check_step_date(report: CrimeReport, on: dt.date | None, *, field: str = "on") -> dt.date:
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
