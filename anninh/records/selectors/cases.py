"""Reading cases and computing the clearance rate from their history.

Who sees a case: commanders and analysts all of them; commune officers the cases of incidents
or crime reports in their commune and those their unit handles; investigators those their
department (and its sub-units) handles or whose incident it is responsible for. Fire-and-rescue
officers, public relations, auditors and administrators see no cases (they are crimes).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Case as Case_
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, When

from anninh.accounts.scoping import visible_q
from anninh.lib.dates import local_day_bounds
from anninh.records.models import Case, CaseStatus, CaseStatusChange, OffenceGroup
from anninh.records.services.persons import clean_text

PAGE_SIZE = 50
#: Up to this many clearances in a period, the period rate looks their cases up one by one.
LOOKUP_CLEARANCES = 60_000
#: The period rate by group for a viewer who sees every case reads the group copied on the
#: history (no join); tests turn it off to check the other two ways give the same figures.
COPIED_GROUPS = True
#: Outcomes that take a case out of the clearance statistics: never cleared, not counted. A
#: transferred case is left out too: its crime is counted by the case that takes it over (a
#: new case for the same incident, or the receiving agency's), never twice.
EXCLUDED = frozenset({CaseStatus.UNFOUNDED, CaseStatus.CLOSED_ADMIN, CaseStatus.TRANSFERRED})


def case_visibility_q(viewer) -> Q | None:
    """Q for the cases `viewer` may see (Case.need_to_know); None means every case."""
    return visible_q(Case, viewer)


def case_base(*, viewer) -> QuerySet:
    return Case.objects.restrict(viewer)


@dataclass(frozen=True)
class CaseFilters:
    q: str = ""  # case number
    statuses: tuple[str, ...] = ()
    unit_id: int | None = None
    offence_group: str = ""
    initiated_from: dt.date | None = None
    initiated_to: dt.date | None = None
    # When the crime happened (local dates, inclusive) and when the offender was identified.
    occurred_from: dt.date | None = None
    occurred_to: dt.date | None = None
    cleared_from: dt.date | None = None
    cleared_to: dt.date | None = None
    commune: str = ""  # NSO code of the incident's (else the report's) commune
    extra: dict = field(default_factory=dict)


def _group_expression():
    """The offence group a case counts under: its own offence, else its incident's main
    offence, else the suspected offence of its crime report. Read from the copy on the case
    (kept exact by triggers, anninh/records/occurrence.py): computed through the joins, grouping
    a period's cases read every incident and crime report."""
    return F("counted_group")


def _occurred_expression():
    """When the crime happened: the incident's start, else the report's receipt. Read from the
    copy on the case (kept exact by triggers, anninh/records/occurrence.py), which has an index:
    computed through the joins, no index serves a filter on it."""
    return F("occurred_at")


def case_list(*, viewer, filters: CaseFilters | None = None) -> QuerySet:
    filters = filters or CaseFilters()
    qs = case_base(viewer=viewer).annotate(group=_group_expression(), occurred=_occurred_expression())
    term = clean_text(filters.q)[:100]
    if term:
        qs = qs.filter(number__icontains=term)
    if filters.statuses:
        qs = qs.filter(status__in=filters.statuses)
    if filters.unit_id:
        qs = qs.filter(handling_unit_id=filters.unit_id)
    if filters.offence_group:
        qs = qs.filter(group=filters.offence_group)
    if filters.initiated_from:
        qs = qs.filter(initiated_on__gte=filters.initiated_from)
    if filters.initiated_to:
        qs = qs.filter(initiated_on__lte=filters.initiated_to)
    if filters.commune:
        qs = qs.filter(place_commune_id=filters.commune)
    if filters.occurred_from:
        qs = qs.filter(occurred__gte=local_day_bounds(filters.occurred_from)[0])
    if filters.occurred_to:
        qs = qs.filter(occurred__lt=local_day_bounds(filters.occurred_to)[1])
    if filters.cleared_from:
        qs = qs.filter(offender_identified_at__gte=local_day_bounds(filters.cleared_from)[0])
    if filters.cleared_to:
        qs = qs.filter(offender_identified_at__lt=local_day_bounds(filters.cleared_to)[1])
    return qs.select_related("handling_unit", "incident", "offence", "clearing_unit").order_by(
        "-initiated_on", "-id"
    )


def case_page(*, viewer, filters: CaseFilters, page: int | str = 1, per_page: int = PAGE_SIZE):
    result = Paginator(case_list(viewer=viewer, filters=filters), per_page).get_page(page)
    labels = dict(OffenceGroup.choices)
    for case in result.object_list:
        case.group_label = str(labels.get(case.group, "")) if case.group else ""
    return result


def case_slice(*, viewer, filters: CaseFilters, limit: int, offset: int) -> tuple[int, list[Case]]:
    qs = case_list(viewer=viewer, filters=filters)
    return qs.count(), list(qs[offset : offset + limit])


def case_detail_queryset(*, viewer) -> QuerySet:
    return (
        case_base(viewer=viewer)
        .annotate(group=_group_expression(), occurred=_occurred_expression())
        .select_related(
            "handling_unit",
            "clearing_unit",
            "incident",
            "incident__commune",
            "crime_report",
            "offence",
            "created_by",
        )
    )


def case_history(*, case: Case) -> list[CaseStatusChange]:
    return list(case.status_changes.select_related("created_by").order_by("effective_at", "id"))


# Clearance ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClearanceCounts:
    occurred: int = 0
    cleared: int = 0

    @property
    def rate(self) -> float | None:
        """Cleared / occurred, or None when nothing occurred."""
        return self.cleared / self.occurred if self.occurred else None

    def __add__(self, other: ClearanceCounts) -> ClearanceCounts:
        return ClearanceCounts(self.occurred + other.occurred, self.cleared + other.cleared)


def _as_datetime(value: dt.date | dt.datetime) -> dt.datetime:
    """A date means the end of that day (local time): "as of 31/12" includes the 31st."""
    if isinstance(value, dt.datetime):
        return value
    return local_day_bounds(value)[1] - dt.timedelta(microseconds=1)


def _changes(*, as_of: dt.datetime | None = None, known_at: dt.datetime | None = None) -> QuerySet:
    """The status changes of the outer case effective at or before `as_of`, and, with
    `known_at` (the "as reported on" mode), recorded at or before it: a change entered later
    and back-dated does not alter what was known then."""
    qs = CaseStatusChange.objects.unrestricted().filter(case=OuterRef("pk"))
    if as_of is not None:
        qs = qs.filter(effective_at__lte=as_of)
    if known_at is not None:
        qs = qs.filter(created_at__lte=known_at)
    return qs


def _cases_of(viewer, *, offence_group: str = "", commune: str = "") -> QuerySet:
    rows = case_base(viewer=viewer).annotate(group=_group_expression(), occurred=_occurred_expression())
    if offence_group:
        rows = rows.filter(group=offence_group)
    if commune:
        rows = rows.filter(place_commune_id=commune)
    return rows


def _status_as_of(as_of: dt.datetime, known_at: dt.datetime | None):
    """A case's status as of `as_of`: the last change of its history effective by then."""
    # The history of cases the outer query already scoped (case_base).
    looked_up = Subquery(
        _changes(as_of=as_of, known_at=known_at).order_by("-effective_at", "-id").values("to_status")[:1]
    )
    if known_at is not None:
        return looked_up
    # A case whose last change took effect by `as_of` had that status then: its copy on the case
    # answers, and only cases changed later look their history up (SQL CASE evaluates the
    # look-up for those rows only). "As of now" looks nothing up.
    return Case_(When(last_change_at__lte=as_of, then=F("last_change_status")), default=looked_up)


Cohort = list[tuple[str, int | None, tuple[str | None, ...], int]]


def _cohort(
    viewer,
    *,
    occurred_from: dt.date,
    occurred_to: dt.date,
    as_of: tuple[dt.datetime, ...],
    offence_group: str,
    commune: str,
    known_at: dt.datetime | None,
) -> Cohort:
    """(offence group, handling unit id, the statuses as of each instant of `as_of`, number of
    cases) for the cases of crimes that happened between the two local dates, counted in the
    database: one grouped query whatever the number of cases (a quarter of a city is a hundred
    thousand of them) and of instants (CompStat asks for now and the period's end at once)."""
    start = local_day_bounds(occurred_from)[0]
    end = local_day_bounds(occurred_to)[1]
    statuses = {f"status_{i}": _status_as_of(instant, known_at) for i, instant in enumerate(as_of)}
    rows = (
        _cases_of(viewer, offence_group=offence_group, commune=commune)
        .filter(occurred__gte=start, occurred__lt=end)
        .annotate(**statuses)
        .values("group", "handling_unit_id", *statuses)
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [
        (row["group"] or "", row["handling_unit_id"], tuple(row[name] for name in statuses), row["n"])
        for row in rows
    ]


def _tally(cohort: Cohort, by: str, instant: int = 0) -> dict:
    """Occurred and cleared counts as of one of the cohort's instants. No status then (a case
    that did not exist yet) drops the case here rather than by a filter in the query, which
    would look the history up a second time; so do the excluded outcomes."""
    result: dict = {}
    for group, unit, statuses, n in cohort:
        status = statuses[instant]
        if status is None or status in EXCLUDED:
            continue
        key = unit if by == "unit" else group
        cleared = n if status == CaseStatus.CLEARED else 0
        result[key] = result.get(key, ClearanceCounts()) + ClearanceCounts(n, cleared)
    return result


@dataclass(frozen=True)
class CohortCounts:
    by_group: dict
    by_unit: dict
    # By offence group as of the end of the period, when asked: the period rate's denominator.
    at_end_by_group: dict | None = None


def clearance_cohort(
    *,
    viewer,
    occurred_from: dt.date,
    occurred_to: dt.date,
    as_of: dt.date | dt.datetime,
    period_end: dt.datetime | None = None,
    offence_group: str = "",
    commune: str = "",
    known_at: dt.date | dt.datetime | None = None,
) -> CohortCounts:
    """`clearance_as_of` by offence group and by handling unit, and with `period_end` by group
    as of that instant too (for `clearance_in_period(occurred=...)`), all from one query."""
    as_of = _as_datetime(as_of)
    # A period still running ends "now": one instant, and the query groups by one status less
    # (the year to date at a million incidents).
    at_end = period_end is not None and period_end != as_of
    instants = (as_of,) + ((period_end,) if at_end else ())
    cohort = _cohort(
        viewer,
        occurred_from=occurred_from,
        occurred_to=occurred_to,
        as_of=instants,
        offence_group=offence_group,
        commune=commune,
        known_at=_as_datetime(known_at) if known_at is not None else None,
    )
    return CohortCounts(
        _tally(cohort, "group"),
        _tally(cohort, "unit"),
        _tally(cohort, "group", 1 if at_end else 0) if period_end is not None else None,
    )


def clearance_as_of(
    *,
    viewer,
    occurred_from: dt.date,
    occurred_to: dt.date,
    as_of: dt.date | dt.datetime,
    by: str = "group",
    offence_group: str = "",
    commune: str = "",
    known_at: dt.date | dt.datetime | None = None,
) -> dict:
    """The cohort rate: occurred and cleared cases by offence group, for crimes that happened
    between `occurred_from` and `occurred_to` (local dates, inclusive), as things stood at
    `as_of`.

    Computed from the status history, never from the current status: a case's status as of
    `as_of` is the last CaseStatusChange effective at or before it. A case that did not exist
    yet is not counted; one cleared later is occurred but not cleared; one unfounded, closed
    administratively or transferred as of then is left out of both counts. Keys are
    OffenceGroup values ("" for a case without an offence), only groups with at least one
    case; with ``by="unit"`` they are handling unit ids instead (restricted to
    ``offence_group`` if set).

    Without `known_at`, "as we know now": every change counts at its effective time, however
    late it was entered. With `known_at`, "as reported on" that day: only changes recorded
    (entered) by then count, so a report's figure never changes afterwards.
    """
    cohort = _cohort(
        viewer,
        occurred_from=occurred_from,
        occurred_to=occurred_to,
        as_of=(_as_datetime(as_of),),
        offence_group=offence_group,
        commune=commune,
        known_at=_as_datetime(known_at) if known_at is not None else None,
    )
    return _tally(cohort, by)


def clearance_in_period(
    *,
    viewer,
    first: dt.date,
    last: dt.date,
    by: str = "group",
    offence_group: str = "",
    commune: str = "",
    known_at: dt.date | dt.datetime | None = None,
    occurred: dict | None = None,
) -> dict:
    """The period rate, as police statistics (and the US UCR) report it: cases cleared in the
    period (a change to "cleared" effective between `first` and `last`, local dates inclusive),
    whatever the age of their crime, over the crimes of the period as they stood at its end
    (`clearance_as_of` at the last instant of `last`). It can exceed 100 % when old cases are
    cleared. Same keys and `known_at` as `clearance_as_of`. `occurred`: those cohort counts
    (same key, filters and `known_at`) when the caller has them already, e.g. CompStat for a
    period still running, whose end is now."""
    start, end = local_day_bounds(first)[0], local_day_bounds(last)[1]
    if occurred is None:
        occurred = clearance_as_of(
            viewer=viewer,
            occurred_from=first,
            occurred_to=last,
            as_of=end - dt.timedelta(microseconds=1),
            by=by,
            offence_group=offence_group,
            commune=commune,
            known_at=known_at,
        )
    result = {key: ClearanceCounts(counts.occurred, 0) for key, counts in occurred.items()}
    known_at = _as_datetime(known_at) if known_at is not None else None
    # The period's clearances, found through their index (to_status, effective_at); a case
    # cleared twice in the period (cleared, reopened, cleared) counts once. Then their cases,
    # two ways: a few thousand clearances look their case up one by one (a scalar subquery,
    # an index lookup each: joined, PostgreSQL planned a scan of every case); beyond that a
    # join, which scans the cases' covering index once (a year's clearances, 130,000 at a
    # million incidents, took 0.85 s one by one and 0.4 s joined).
    clearances = CaseStatusChange.objects.unrestricted().filter(
        to_status=CaseStatus.CLEARED, effective_at__gte=start, effective_at__lt=end
    )
    if known_at is not None:
        clearances = clearances.filter(created_at__lte=known_at)
    key = "handling_unit_id" if by == "unit" else "group"
    cases = _cases_of(viewer, offence_group=offence_group, commune=commune)
    if COPIED_GROUPS and by == "group":
        # Counted by group: the group copied on the history (kept by triggers, anninh/records/
        # occurrence.py) counts the clearances from their index alone (a year's 130,000 joined
        # to their cases took 0.3 s at a million incidents). A scoped viewer's rule applies
        # to the history as it is: it carries its case's placement under the same names
        # (place_commune, other_commune, handling_unit, other_unit), and the index covers them
        # (a commune officer's year: 0.2 s through their 70,000 cases).
        visible = case_visibility_q(viewer)
        if visible is not None:
            clearances = clearances.filter(visible)
        if commune:
            clearances = clearances.filter(place_commune_id=commune)
        if offence_group:
            clearances = clearances.filter(counted_group=offence_group)
        rows = clearances.values(key=F("counted_group")).annotate(n=Count("case_id", distinct=True))
    elif clearances.count() <= LOOKUP_CLEARANCES:
        case_key = Subquery(cases.filter(pk=OuterRef("case_id")).order_by().values(key)[:1])
        rows = clearances.annotate(key=case_key).values("key").annotate(n=Count("case_id", distinct=True))
    else:
        rows = cases.filter(pk__in=clearances.values("case_id")).annotate(key=F(key)).values("key")
        rows = rows.annotate(n=Count("pk"))
    rows = rows.order_by()
    for row in rows:
        if row["key"] is None:  # not visible to the viewer, or outside the filters
            continue
        result[row["key"]] = result.get(row["key"], ClearanceCounts()) + ClearanceCounts(0, row["n"])
    return result


@dataclass(frozen=True)
class ClearanceRow:
    group: str
    label: str
    counts: ClearanceCounts


def clearance_table(counts: dict[str, ClearanceCounts]) -> tuple[list[ClearanceRow], ClearanceCounts]:
    """Rows in the order of OffenceGroup, and the total."""
    from django.utils.translation import gettext as _

    rows = []
    for value, label in [*OffenceGroup.choices, ("", _("No offence recorded"))]:
        if value in counts:
            rows.append(ClearanceRow(value, str(label), counts[value]))
    total = sum(counts.values(), ClearanceCounts())
    return rows, total


__all__ = [
    "EXCLUDED",
    "CaseFilters",
    "ClearanceCounts",
    "ClearanceRow",
    "CohortCounts",
    "case_base",
    "case_detail_queryset",
    "case_history",
    "case_list",
    "case_page",
    "case_slice",
    "case_visibility_q",
    "clearance_as_of",
    "clearance_cohort",
    "clearance_in_period",
    "clearance_table",
]
