"""Reading crime reports, always scoped to what the viewer may see (anninh.records.scoping),
with the reporter shown only to whom it may be shown.

- `report_list` / `report_page`: the register with its filters, overdue first (constant queries).
- `report_get`: one report, or 404 with an audited refusal for ids outside the scope.
- `reporter_view`: the reporter as this viewer may see them ("Confidential reporter" for
  everyone but the handling unit's members when the reporter asked; nothing personal for
  viewers without personal data, e.g. analysts without a grant).
- `deadline_board`: running clocks per handling unit: overdue, due within 3 days, running.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, DateField, F, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anninh.accounts.permissions import get_scoped_or_404
from anninh.accounts.scoping import scope_for
from anninh.geo.models import Commune
from anninh.lib.dates import format_date_vn, format_datetime_vn, local_day_bounds
from anninh.lib.text import fold
from anninh.org.models import Unit
from anninh.records import scoping
from anninh.records.models import CrimeReport, Offence, ReportStatus
from anninh.records.permissions import acting_unit_ids
from anninh.records.services.clock import days_off_gaps
from anninh.records.services.reports import (
    DECISION_LABELS,
    Action,
    Decision,
    allowed_actions,
    normalise_article,
)
from anninh.records.versioning import timeline_for

DUE_SOON_DAYS = CrimeReport.DUE_SOON_DAYS
PAGE_SIZE = 50
BOARD_LIST_LIMIT = 50
# Date filters outside these bounds match everything (or nothing): no report is that old or
# that far ahead, and the day bounds of year 1 or 9999 overflow.
MIN_DAY = dt.date(1900, 1, 1)
MAX_DAY = dt.date(2200, 12, 31)

DUE_CHOICES = [
    ("overdue", gettext_lazy("Overdue")),
    ("soon", gettext_lazy("Due within 3 days")),
    ("running", gettext_lazy("Clock running")),
]
DECIDED_CHOICES = [
    ("decided", gettext_lazy("Decided")),
    ("within", gettext_lazy("Decided within the deadline")),
    ("late", gettext_lazy("Decided after the deadline")),
]

# Columns of the list: the commune's boundary (large JSON) is never read.
LIST_RELATED = ("receiving_unit", "handling_unit", "transfer_to", "commune", "suspected_offence", "reporter")
LIST_DEFER = ("commune__boundary", "summary")


@dataclass(frozen=True)
class ReportFilters:
    """The register's filters, shared by the page, the API and exports."""

    q: str = ""
    status: str = ""
    kind: str = ""
    channel: str = ""
    commune: str = ""  # NSO code
    unit_id: int | None = None  # handling unit
    received_from: dt.date | None = None  # local dates, inclusive
    received_to: dt.date | None = None
    due: str = ""  # overdue | soon | running
    decided_from: dt.date | None = None  # decision dates, local, inclusive
    decided_to: dt.date | None = None
    decided: str = ""  # decided | within | late
    incoming: bool = False  # waiting for one of the viewer's units: see incoming_q

    def as_params(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if value in ("", None, False):
                continue
            out[name] = format_date_vn(value) if isinstance(value, dt.date) else value
        return out


def report_base(*, viewer) -> QuerySet:
    """Every crime report the viewer may see, unfiltered."""
    return CrimeReport.objects.restrict(viewer)


def _urgency(qs: QuerySet, today: dt.date) -> QuerySet:
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    return qs.annotate(
        urgency=Case(
            When(due_on__lt=today, then=Value(0)), When(due_on__lte=soon, then=Value(1)), default=Value(2)
        ),
        due_sort=Case(
            When(due_on__lte=soon, then=F("due_on")), default=Value(None, output_field=DateField())
        ),
    )


def incoming_q(viewer) -> Q:
    """Reports waiting for one of the viewer's units (the incoming queue, issue 14 item 12a):
    transferred to it and not yet accepted, or received by another unit for a commune of the
    viewer's territory and still running there (any police body receives a report wherever it
    is made; the receiving unit keeps it in its own register until it transfers it, and the
    commune's police see it coming instead of learning of it at the transfer)."""
    units = sorted(acting_unit_ids(viewer))
    communes = sorted(scope_for(viewer).commune_codes)
    transferred = Q(status=ReportStatus.TRANSFERRED, transfer_to__in=units)
    elsewhere = (
        Q(
            commune__in=communes,
            status__in=[ReportStatus.RECEIVED, ReportStatus.CLASSIFIED, ReportStatus.VERIFYING],
        )
        & ~Q(handling_unit__in=units)
        & ~Q(receiving_unit__in=units)
    )
    return transferred | elsewhere if units else scoping.NOTHING


def report_list(*, viewer, filters: ReportFilters | None = None, today: dt.date | None = None) -> QuerySet:
    """The register: overdue first, then due within 3 days (soonest first), then the newest."""
    filters = filters or ReportFilters()
    today = today or timezone.localdate()
    qs = report_base(viewer=viewer)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.commune:
        qs = qs.filter(commune_id=filters.commune)
    if filters.unit_id:
        qs = qs.filter(handling_unit_id=filters.unit_id)
    if filters.received_from:
        if filters.received_from > MAX_DAY:
            qs = qs.none()
        elif filters.received_from > MIN_DAY:
            qs = qs.filter(received_at__gte=local_day_bounds(filters.received_from)[0])
    if filters.received_to:
        if filters.received_to < MIN_DAY:
            qs = qs.none()
        elif filters.received_to < MAX_DAY:
            qs = qs.filter(received_at__lt=local_day_bounds(filters.received_to)[1])
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    if filters.due == "overdue":
        qs = qs.filter(due_on__lt=today)
    elif filters.due == "soon":
        qs = qs.filter(due_on__gte=today, due_on__lte=soon)
    elif filters.due == "running":
        qs = qs.filter(due_on__isnull=False)
    if filters.decided_from:
        qs = qs.filter(decided_on__gte=filters.decided_from)
    if filters.decided_to:
        qs = qs.filter(decided_on__lte=filters.decided_to)
    if filters.decided == "decided":
        qs = qs.filter(decided_on__isnull=False)
    elif filters.decided == "within":
        qs = qs.filter(decided_on__isnull=False, decided_within_deadline=True)
    elif filters.decided == "late":
        qs = qs.filter(decided_on__isnull=False, decided_within_deadline=False)
    if filters.incoming:
        qs = qs.filter(incoming_q(viewer))
    if filters.q:
        term = filters.q.strip()[:100]
        qs = qs.filter(
            Q(register_number__icontains=term) | Q(address__icontains=term) | Q(summary__icontains=term)
        )
    qs = _urgency(qs, today)
    return (
        qs.select_related(*LIST_RELATED)
        .defer(*LIST_DEFER)
        .order_by("urgency", "due_sort", "-received_at", "-id")
    )


def report_rows(qs: QuerySet, start: int, stop: int) -> list[CrimeReport]:
    """Rows start..stop of a report_list() queryset. The register's order (urgency, then due
    date) is an expression no index serves, so PostgreSQL joined every report to its units,
    reporter, commune and offence before sorting them all to keep 50 (80-110 ms of database
    CPU for 14,000 reports): the page's ids are picked on the report table alone first, and
    only those rows are joined."""
    ids = list(qs.values_list("pk", flat=True)[start:stop])
    rows = {r.pk: r for r in qs.filter(pk__in=ids).order_by()}
    return [rows[pk] for pk in ids if pk in rows]


def report_page(
    *, viewer, filters: ReportFilters | None = None, page: int | str = 1, per_page: int = PAGE_SIZE
) -> Page:
    """One page of the register (two queries: the count and the rows), with each row's
    reporter label for this viewer."""
    paginator = Paginator(report_list(viewer=viewer, filters=filters), per_page)
    result = paginator.get_page(page)
    for report in result.object_list:
        report.reporter_shown = reporter_view(viewer, report)
    return result


def report_get(*, viewer, pk: int) -> CrimeReport:
    """One report the viewer may see; 404 otherwise (audited when it exists out of scope)."""
    qs = (
        report_base(viewer=viewer)
        .select_related(
            "receiving_unit",
            "handling_unit",
            "transfer_to",
            "commune",
            "suspected_offence",
            "reporter",
            "created_by",
        )
        .defer("commune__boundary")
    )
    return get_scoped_or_404(qs, viewer, pk=pk)


# The reporter ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReporterView:
    """The reporter as one viewer may see them: `person`/`agency` are empty unless `visible`."""

    visible: bool
    label: str
    confidential: bool
    person: Any = None
    agency: str = ""


def reporter_visible(viewer, report: CrimeReport) -> bool:
    """Personal data, and — for a confidential reporter — membership of the handling unit."""
    if not scoping.sees_personal_data(viewer):
        return False
    if report.reporter_confidential:
        return bool(getattr(viewer, "unit_id", None)) and viewer.unit_id == report.handling_unit_id
    return True


def reporter_view(viewer, report: CrimeReport) -> ReporterView:
    confidential = report.reporter_confidential
    if report.reporter_id is None and not report.reporter_agency:
        return ReporterView(visible=True, label=_("Anonymous (no name given)"), confidential=confidential)
    if confidential and not (
        getattr(viewer, "unit_id", None)
        and viewer.unit_id == report.handling_unit_id
        and scoping.sees_personal_data(viewer)
    ):
        return ReporterView(visible=False, label=_("Confidential reporter"), confidential=True)
    if report.reporter_id is not None and not scoping.sees_personal_data(viewer):
        return ReporterView(
            visible=False, label=_("Hidden: no access to personal data"), confidential=confidential
        )
    person = report.reporter if report.reporter_id is not None else None
    label = person.full_name if person is not None else report.reporter_agency
    if person is not None and report.reporter_agency:
        label = f"{person.full_name} ({report.reporter_agency})"
    return ReporterView(
        visible=True, label=label, confidential=confidential, person=person, agency=report.reporter_agency
    )


# The clock as shown ----------------------------------------------------------------------------


CLOCK_EVENT_LABELS = {
    "extend": gettext_lazy("Extended to 2 months from receipt"),
    "procuracy_extend": gettext_lazy("Extended by the procuracy"),
    "suspend": gettext_lazy("Suspended: the clock stops"),
    "resume": gettext_lazy("Resumed: at most 1 month remains"),
    "decide": gettext_lazy("Decided: the clock ends"),
}


def clock_events(*, viewer, report: CrimeReport) -> list:
    """The events the clock is replayed from, each with its label."""
    events = list(report.clock_events.select_related("created_by").order_by("on", "id"))
    for event in events:
        event.label = str(CLOCK_EVENT_LABELS.get(event.kind, event.kind))
    return events


# Actions the viewer may take, with their forms' choices -------------------------------------------


def report_actions(*, viewer, report: CrimeReport) -> list[Action]:
    return allowed_actions(viewer, report)


def transfer_targets(*, viewer, report: CrimeReport) -> list[Unit]:
    """Active units a report can be transferred to (all but its handling unit)."""
    return list(
        Unit.objects.active()
        .exclude(pk=report.handling_unit_id)
        .only("id", "code", "name", "short_name", "kind")
        .order_by("kind", "sort_key", "code")
    )


def decision_choices() -> list[tuple[str, str]]:
    return [(d.value, str(DECISION_LABELS[d])) for d in Decision]


# The timeline ----------------------------------------------------------------------------------

TIMELINE_KINDS = {
    "received": gettext_lazy("Received and entered in the register"),
    "classified": gettext_lazy("Classified"),
    "transferred": gettext_lazy("Transferred to another unit"),
    "accepted": gettext_lazy("Accepted by the receiving unit"),
    "verifying": gettext_lazy("Checking and verification started"),
    "extended": gettext_lazy("Deadline extended to 2 months"),
    "procuracy_extended": gettext_lazy("Deadline extended by the procuracy"),
    "decided": gettext_lazy("Decision"),
    "resumed": gettext_lazy("Resumed"),
    "notified_reporter": gettext_lazy("Reporter told the result"),
    "notified_procuracy": gettext_lazy("Procuracy notified"),
    "amended": gettext_lazy("Amended"),
    "collector": gettext_lazy("Account paid into added or changed"),
}

# Fields whose changes the timeline shows, with their labels. The reporter's fields are shown
# only to viewers who may see the reporter.
TIMELINE_FIELDS = {
    "status": gettext_lazy("Status"),
    "handling_unit_id": gettext_lazy("Handling unit"),
    "transfer_to_id": gettext_lazy("Transferred to"),
    "suspected_offence_id": gettext_lazy("Suspected offence"),
    "due_on": gettext_lazy("Decision due by"),
    "extended": gettext_lazy("Extended"),
    "procuracy_extended": gettext_lazy("Extended by the procuracy"),
    "decided_on": gettext_lazy("Decided on"),
    "decided_within_deadline": gettext_lazy("Decided within the deadline"),
    "decision_note": gettext_lazy("Grounds of the decision"),
    "reporter_notified_on": gettext_lazy("Reporter told the result on"),
    "procuracy_notified_on": gettext_lazy("Procuracy notified on"),
    "summary": gettext_lazy("Summary"),
    "address": gettext_lazy("Address"),
    "commune_id": gettext_lazy("Commune"),
    "kind": gettext_lazy("Kind"),
    "channel": gettext_lazy("Channel"),
}
REPORTER_FIELDS = {
    "reporter_id": gettext_lazy("Reporter"),
    "reporter_agency": gettext_lazy("Reporting agency"),
}


@dataclass
class TimelineEntry:
    at: dt.datetime
    at_text: str
    actor: str
    kind: str
    label: str
    from_status: str
    to_status: str
    comment: str
    version: int
    changes: list[tuple[str, str, str]] = field(default_factory=list)


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def report_timeline(*, viewer, report: CrimeReport) -> list[TimelineEntry]:
    """The report's versions and transitions, oldest first (three queries whatever its length)."""
    events = list(timeline_for(report))
    show_reporter = reporter_visible(viewer, report)
    fields = {**TIMELINE_FIELDS, **(REPORTER_FIELDS if show_reporter else {})}
    unit_ids, offence_ids = set(), set()
    for e in events:
        for name, pair in (e.changes or {}).items():
            if name in ("handling_unit_id", "transfer_to_id"):
                unit_ids.update(v for v in pair if v)
            elif name == "suspected_offence_id":
                offence_ids.update(v for v in pair if v)
    units = {u.pk: str(u) for u in Unit.objects.filter(pk__in=unit_ids)} if unit_ids else {}
    offences = (
        {o.pk: f"Điều {o.article}" for o in Offence.objects.filter(pk__in=offence_ids)} if offence_ids else {}
    )
    statuses = dict(ReportStatus.choices)

    def show(name: str, value) -> str:
        if value in (None, ""):
            return "—"
        if name == "status":
            return str(statuses.get(value, value))
        if name in ("handling_unit_id", "transfer_to_id"):
            return units.get(value, str(value))
        if name == "suspected_offence_id":
            return offences.get(value, str(value))
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        if isinstance(value, str) and _ISO_DATE.match(value):
            return format_date_vn(dt.date.fromisoformat(value))
        text = str(value)
        return text if len(text) <= 200 else text[:200] + "…"

    out = []
    for e in events:
        changes = [
            (str(fields[name]), show(name, old), show(name, new))
            for name, (old, new) in sorted((e.changes or {}).items())
            if name in fields and name != "status"
        ]
        out.append(
            TimelineEntry(
                at=e.at,
                at_text=format_datetime_vn(e.at),
                actor=e.actor_name,
                kind=e.kind,
                label=str(TIMELINE_KINDS.get(e.kind, e.kind)),
                from_status=str(statuses.get(e.from_status, e.from_status)) if e.from_status else "",
                to_status=str(statuses.get(e.to_status, e.to_status)) if e.to_status else "",
                comment=e.comment,
                version=e.version,
                changes=changes,
            )
        )
    return out


# The deadlines board ------------------------------------------------------------------------------


@dataclass
class BoardRow:
    unit: Unit
    overdue: int = 0
    soon: int = 0
    later: int = 0

    @property
    def running(self) -> int:
        return self.overdue + self.soon + self.later


@dataclass
class Board:
    rows: list[BoardRow]
    unit: Unit | None  # the unit whose lists are shown; None = every unit on the board
    overdue: list[CrimeReport]
    soon: list[CrimeReport]
    later: list[CrimeReport]
    today: dt.date
    city_wide: bool
    # Years of the next 12 months without public holidays in the days-off table: the
    # deadlines in them may fall on a holiday (the board warns).
    days_off_gaps: list[int] = field(default_factory=list)

    @property
    def totals(self) -> BoardRow:
        total = BoardRow(unit=None)  # type: ignore[arg-type]
        for row in self.rows:
            total.overdue += row.overdue
            total.soon += row.soon
            total.later += row.later
        return total

    @property
    def listed(self) -> BoardRow:
        """The counts behind the lists: the selected unit's, or the whole board's."""
        if self.unit is not None:
            for row in self.rows:
                if row.unit.pk == self.unit.pk:
                    return row
        return self.totals


def board_unit_ids(viewer) -> frozenset[int] | None:
    """Handling units on the viewer's board: None = every unit (commanders, analysts); a
    commune officer their unit; an investigator their department and its sub-units."""
    if scope_for(viewer).city_wide:
        return None
    ids = set(acting_unit_ids(viewer))
    if getattr(viewer, "unit_id", None) and viewer.has_role("commune_officer", "investigator"):
        ids.add(viewer.unit_id)
    return frozenset(ids)


def _board_reports(viewer, allowed: frozenset[int] | None) -> QuerySet:
    """Reports with a running clock on the viewer's board."""
    qs = report_base(viewer=viewer).filter(due_on__isnull=False)
    if allowed is not None:
        qs = qs.filter(handling_unit_id__in=sorted(allowed))
    return qs


@dataclass(frozen=True)
class DeadlineTotals:
    overdue: int
    due_soon: int  # due today or within DUE_SOON_DAYS
    soon_days: int = DUE_SOON_DAYS


def deadline_totals(*, viewer, today: dt.date | None = None) -> DeadlineTotals:
    """The deadline board's totals (overdue, due soon) in one query, for the home page."""
    today = today or timezone.localdate()
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    counts = (
        _board_reports(viewer, board_unit_ids(viewer))
        .order_by()
        .aggregate(
            overdue=Count("id", filter=Q(due_on__lt=today)),
            due_soon=Count("id", filter=Q(due_on__gte=today, due_on__lte=soon)),
        )
    )
    return DeadlineTotals(overdue=counts["overdue"] or 0, due_soon=counts["due_soon"] or 0)


def deadline_board(*, viewer, unit_id: int | None = None, today: dt.date | None = None) -> Board:
    """Running clocks per handling unit, and the lists of one unit (or of the whole board)."""
    today = today or timezone.localdate()
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    allowed = board_unit_ids(viewer)
    qs = _board_reports(viewer, allowed)
    counts = (
        qs.order_by()
        .values("handling_unit_id")
        .annotate(
            overdue=Count("id", filter=Q(due_on__lt=today)),
            soon=Count("id", filter=Q(due_on__gte=today, due_on__lte=soon)),
            later=Count("id", filter=Q(due_on__gt=soon)),
        )
    )
    by_unit = {c["handling_unit_id"]: c for c in counts}
    unit_ids = set(by_unit) | (set(allowed) if allowed is not None else set())
    units = {u.pk: u for u in Unit.objects.filter(pk__in=unit_ids)}
    rows = [
        BoardRow(
            unit=units[uid],
            overdue=by_unit.get(uid, {}).get("overdue", 0),
            soon=by_unit.get(uid, {}).get("soon", 0),
            later=by_unit.get(uid, {}).get("later", 0),
        )
        for uid in unit_ids
        if uid in units
    ]
    rows.sort(key=lambda r: (-r.overdue, -r.soon, -r.later, r.unit.kind, r.unit.sort_key, r.unit.code))
    selected = None
    if unit_id is not None and unit_id in units:
        selected = units[unit_id]
    elif allowed is not None and len(rows) == 1:
        selected = rows[0].unit
    listed = qs.filter(handling_unit_id=selected.pk) if selected is not None else qs
    listed = _urgency(listed, today).select_related(*LIST_RELATED).defer(*LIST_DEFER)
    return Board(
        rows=rows,
        unit=selected,
        overdue=list(
            listed.filter(due_on__lt=today).order_by("due_on", "received_at", "id")[:BOARD_LIST_LIMIT]
        ),
        soon=list(
            listed.filter(due_on__gte=today, due_on__lte=soon).order_by("due_on", "received_at", "id")[
                :BOARD_LIST_LIMIT
            ]
        ),
        later=list(listed.filter(due_on__gt=soon).order_by("due_on", "received_at", "id")[:BOARD_LIST_LIMIT]),
        today=today,
        city_wide=allowed is None,
        days_off_gaps=days_off_gaps(today),
    )


# Looking up communes and offences for the intake form ------------------------------------------------

_LEADING_CODE = re.compile(r"^\s*([0-9]{5})\b")


def commune_match(text: str, *, limit: int = 10) -> list[Commune]:
    """Communes matching what was typed: a leading 5-digit NSO code ("11311 · Phường Hồng Bàng"
    as the autocomplete fills it), else every folded word in the name ("hong bang")."""
    text = (text or "").strip()[:100]
    if not text:
        return []
    qs = Commune.objects.only("code", "name", "kind", "sort_key")
    match = _LEADING_CODE.match(text)
    if match:
        return list(qs.filter(pk=match[1]))
    words = fold(text).split()
    cond = Q()
    for word in words:
        cond &= Q(search_key__contains=word)
    found = list(qs.filter(cond).order_by("sort_key", "code")[: limit + 1])
    exact = [c for c in found if fold(c.name) == fold(text) or fold(c.name).endswith(" " + fold(text))]
    return exact if len(exact) == 1 else found[:limit]


def _article_order(article: str) -> tuple[int, str]:
    digits = "".join(ch for ch in article if ch.isdigit())
    return int(digits or 0), article


_LEADING_ARTICLE = re.compile(r"^\s*(?:điều|dieu|art\.?|article)?\s*([0-9]{1,3}[a-zA-Z]?)\b", re.IGNORECASE)


def offence_search(*, viewer, q: str = "", on: dt.date | None = None, limit: int = 20) -> list[Offence]:
    """Offences in force on `on` (today by default) matching `q`: an article number (start
    of it: "17" → 170-175) or folded words of the name ("trom cap")."""
    on = on or timezone.localdate()
    qs = Offence.objects.filter(Q(valid_from__lte=on), Q(valid_to__isnull=True) | Q(valid_to__gte=on))
    q = (q or "").strip()[:100]
    match = _LEADING_ARTICLE.match(q)
    if match and (match.end() == len(q) or q[match.end() :].strip().startswith(("·", "-"))):
        qs = qs.filter(article__startswith=normalise_article(match[1]))
    elif q:
        cond = Q()
        for word in fold(q).split():
            cond &= Q(search_key__contains=word)
        qs = qs.filter(cond)
    rows = sorted(qs, key=lambda o: _article_order(o.article))
    return rows[:limit]


def offence_match(text: str, *, on: dt.date) -> tuple[str, list[Offence]]:
    """For the intake form: (article to hand to the service, candidates). A leading article
    number wins ("173 · Trộm cắp tài sản"); otherwise a folded name search that must find
    exactly one offence."""
    text = (text or "").strip()[:200]
    if not text:
        return "", []
    match = _LEADING_ARTICLE.match(text)
    if match:
        return normalise_article(match[1]), []
    found = offence_search(viewer=None, q=text, on=on, limit=10)
    if len(found) == 1:
        return found[0].article, found
    return "", found
