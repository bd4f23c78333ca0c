"""CompStat figures, computed from the records for what the viewer may see.

Every number is counted from the records through the records app's scoped querysets
(`incident_base`, `case_base`, `report_base`), so a commune officer's dashboard shows their
commune and a commander's the city, with the same code. Nothing is typed in and nothing is
cached by the application: the figures are exactly the records'. Each figure carries the
filters of the list it counts (`drill`), so every number on the page opens that list.

Queries are grouped so that the whole summary costs a fixed number of queries whatever the
period (no per-commune or per-group query).

Incident counts over whole months come from `IncidentMonth` (kept exact by database triggers:
`anninh.compstat.aggregates`), the days before the first and after the last whole month from
the incidents themselves; a year to date over a million incidents then reads a few thousand
monthly rows and a few days of incidents instead of every incident since January.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections import defaultdict
from dataclasses import dataclass, field
from functools import reduce
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum, Value
from django.db.models.functions import TruncDate
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone

from anninh.analytics.gistar import benjamini_hochberg
from anninh.analytics.significance import ALPHA, Change, compare_counts
from anninh.compstat.models import IncidentMonth
from anninh.compstat.periods import Period
from anninh.geo.models import Commune
from anninh.lib.dates import HCM_TZ, local_date, local_day_bounds
from anninh.org.models import Unit
from anninh.records.models import (
    FIRE_RESCUE_KINDS,
    CaseStatus,
    IncidentKind,
    IncidentPerson,
    OffenceGroup,
    PersonRole,
)
from anninh.records.models.incidents import FireRescueDetail
from anninh.records.selectors.cases import ClearanceCounts, case_base, clearance_cohort, clearance_in_period
from anninh.records.selectors.incidents import incident_base
from anninh.records.selectors.reports import report_base

FRAUD_GROUPS = (OffenceGroup.FRAUD, OffenceGroup.CYBER)
#: Offence groups the police detect themselves (drug, economic and corruption crime), which
#: Vietnamese police statistics count apart from crimes against social order ("tội phạm về
#: trật tự xã hội"), whose clearance rate is the "tỷ lệ điều tra, khám phá" reported
#: nationally (verify the list with PV01). A case without an offence is in neither total.
SELF_DETECTED_GROUPS = (OffenceGroup.DRUGS, OffenceGroup.ECONOMIC, OffenceGroup.CORRUPTION)
SOCIAL_ORDER_GROUPS = tuple(g.value for g in OffenceGroup if g not in SELF_DETECTED_GROUPS)
RESCUE_KINDS = tuple(
    sorted(k for k in FIRE_RESCUE_KINDS if k not in (IncidentKind.FIRE, IncidentKind.EXPLOSION))
)
#: Weeks shown in the time series.
SERIES_WEEKS = 26


def _fmt(d: dt.date) -> str:
    return d.strftime("%d/%m/%Y")


_PATHS: dict[tuple[str, str, str], str] = {}


def _path(name: str) -> str:
    """reverse(name), remembered per URL configuration and script prefix: a summary links a
    hundred rows to the same three pages, and reverse() cost a tenth of its CPU."""
    key = (name, str(get_urlconf() or settings.ROOT_URLCONF), get_script_prefix())
    path = _PATHS.get(key)
    if path is None:
        path = _PATHS[key] = reverse(name)
    return path


def incidents_url(period: Period, **filters) -> str:
    params = {"date_from": _fmt(period.first), "date_to": _fmt(period.last)}
    params.update({k: v for k, v in filters.items() if v})
    return f"{_path('records:incident_list')}?{urlencode(params)}"


def cases_url(**filters) -> str:
    return f"{_path('records:case_list')}?{urlencode({k: v for k, v in filters.items() if v})}"


def reports_url(**filters) -> str:
    return f"{_path('records:report_list')}?{urlencode({k: v for k, v in filters.items() if v})}"


@dataclass(frozen=True)
class CountRow:
    """A count this period with its comparisons."""

    key: str  # offence group value or commune code
    label: str
    current: int
    previous: int
    last_year: int
    vs_previous: Change
    vs_last_year: Change
    url: str
    population: int | None = None

    @property
    def rate_per_10k(self) -> float | None:
        if not self.population:
            return None
        return self.current / self.population * 10_000


@dataclass(frozen=True)
class ClearanceRow:
    key: str
    label: str
    occurred: int
    cleared: int
    url: str
    cleared_url: str

    @property
    def rate(self) -> float | None:
        return self.cleared / self.occurred if self.occurred else None


@dataclass(frozen=True)
class Figure:
    """One number of a panel, with the list it counts (url may be empty for sums)."""

    key: str
    label: str
    value: int
    url: str = ""


@dataclass(frozen=True)
class CompstatSummary:
    period: Period
    previous: Period
    last_year: Period
    commune: Commune | None
    total: CountRow
    by_group: list[CountRow]
    by_commune: list[CountRow]
    rising: list[CountRow]  # communes with a significant rise on the previous period (FDR), strongest first
    clearance_total: ClearanceRow  # cohort rate: crimes of the period cleared by now
    clearance_by_group: list[ClearanceRow]
    clearance_by_unit: list[ClearanceRow]
    clearance_social_order: ClearanceRow  # cohort rate, crimes against social order only
    #: Period rate (as police statistics report it): cases cleared in the period, of any age,
    #: over the crimes of the period; all crimes, then crimes against social order.
    clearance_period_total: ClearanceRow
    clearance_period_social_order: ClearanceRow
    cleared_from_earlier: int
    cleared_from_earlier_url: str
    reports: list[Figure]
    reports_within_rate: float | None
    fire_rescue: list[Figure]
    fire_rescue_damage_vnd: int
    fraud: list[Figure]
    fraud_losses_vnd: int
    #: Rises significant at 5 % on their own but not after the false-discovery-rate correction.
    rising_candidates: list[CountRow] = field(default_factory=list)
    weeks: list[dict] = field(default_factory=list)  # {"week": "2026-W47", "monday", "count", "last_year"}
    days: list[tuple[str, int]] = field(default_factory=list)  # calendar heat map: (ISO date, count)


#: Months before this are always counted from the incidents (the aggregate takes Vietnam as
#: UTC+7, true since 1975).
AGGREGATE_FROM = dt.date(1976, 1, 1)


def _month_split(
    period: Period,
) -> tuple[tuple[dt.date, dt.date] | None, list[tuple[dt.datetime, dt.datetime]]]:
    """The whole calendar months inside `period` (first days of the first and last month) and
    the instants before and after them, as [start, end) ranges of local days."""
    first = (
        period.first
        if period.first.day == 1
        else (period.first.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    )
    after = period.last + dt.timedelta(days=1)
    end = after if after.day == 1 else period.last.replace(day=1)  # first day after the last whole month
    if first >= end or first < AGGREGATE_FROM:
        return None, [(period.start, period.end)]
    last_month = (end - dt.timedelta(days=1)).replace(day=1)
    edges = []
    if period.first < first:
        edges.append((period.start, local_day_bounds(first)[0]))
    if end <= period.last:
        edges.append((local_day_bounds(end)[0], period.end))
    return (first, last_month), edges


def _month_base(*, viewer, commune: str = "") -> QuerySet:
    """The monthly counts of the incidents the viewer may see: the same visibility rule as the
    incidents (it reads commune, responsible unit and kind, which the aggregate keeps)."""
    qs = IncidentMonth.objects.restrict(viewer)
    return qs.filter(commune_id=commune) if commune else qs


def _edge_q(period: Period) -> Q | None:
    """The incidents of the days of `period` outside its whole months (None: there are none)."""
    _months, edges = _month_split(period)
    if not edges:
        return None
    return reduce(operator.or_, (Q(occurred_from__gte=start, occurred_from__lt=end) for start, end in edges))


def _grouped(
    raw: QuerySet,
    months: QuerySet,
    periods: list[Period],
    fields: tuple[str, ...],
    *,
    extra: tuple[str, ...] = (),
    **filters,
) -> list[dict[tuple, tuple[int, ...]]]:
    """For each period, (incidents, losses) by `fields`, in at most two queries whatever the
    number of periods: one over the monthly counts, one over the incidents of the edge days.
    `extra`: more columns of the monthly counts (victims, fire figures), appended to each
    tuple, summed over the whole months only: the caller adds their edge days (`_edge_q`)."""
    width = 2 + len(extra)
    out: list[dict[tuple, list[int]]] = [defaultdict(lambda: [0] * width) for _ in periods]
    splits = [_month_split(p) for p in periods]
    month_q = {i: Q(month__gte=m[0], month__lte=m[1]) for i, (m, _edges) in enumerate(splits) if m}
    edge_q = {
        i: reduce(operator.or_, (Q(occurred_from__gte=start, occurred_from__lt=end) for start, end in edges))
        for i, (_m, edges) in enumerate(splits)
        if edges
    }

    def collect(qs: QuerySet, conditions: dict[int, Q], count, columns: tuple[str, ...]) -> None:
        if not conditions:
            return
        annotations = {}
        for i, condition in conditions.items():
            annotations[f"n{i}"] = count(filter=condition)
            annotations[f"l{i}"] = Sum("losses_vnd", filter=condition)
            for j, column in enumerate(columns):
                annotations[f"e{j}_{i}"] = Sum(column, filter=condition)
        union = reduce(operator.or_, conditions.values())
        for row in qs.filter(union, **filters).values(*fields).annotate(**annotations).order_by():
            key = tuple(row[f] for f in fields)
            for i in conditions:
                if row[f"n{i}"]:
                    sums = out[i][key]
                    sums[0] += row[f"n{i}"]
                    sums[1] += row[f"l{i}"] or 0
                    for j in range(len(columns)):
                        sums[2 + j] += row[f"e{j}_{i}"] or 0

    collect(months, month_q, lambda **kw: Sum("n", **kw), extra)
    collect(raw, edge_q, lambda **kw: Count("id", **kw), ())
    return [{k: tuple(v) for k, v in d.items()} for d in out]


def _crime_counts(raw: QuerySet, months: QuerySet, periods: list[Period]) -> list[dict[tuple[str, str], int]]:
    """Crimes by (commune, offence group) for each period."""
    grouped = _grouped(raw, months, periods, ("commune_id", "offence_group"), kind=IncidentKind.CRIME)
    return [{key: figures[0] for key, figures in counts.items()} for counts in grouped]


def _by(counts: dict[tuple[str, str], int], index: int) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for key, n in counts.items():
        out[key[index]] += n
    return out


def _row(key, label, current, previous, last_year, period: Period, url, population=None) -> CountRow:
    prev_period, ly_period = period.previous(), period.last_year()
    return CountRow(
        key=key,
        label=label,
        current=current,
        previous=previous,
        last_year=last_year,
        vs_previous=compare_counts(current, previous, period.days, prev_period.days),
        vs_last_year=compare_counts(current, last_year, period.days, ly_period.days),
        url=url,
        population=population,
    )


def rising_communes(rows: list[CountRow], alpha: float = ALPHA) -> tuple[list[CountRow], list[CountRow]]:
    """The communes whose count rose on the previous period, after a Benjamini–Hochberg
    false-discovery-rate correction at `alpha` over every commune tested (as the hot-spot tool
    does): 114 tests at 5 % flag about one commune a week by chance alone. A commune with no
    crime in either period cannot reach significance and is not counted as a test (Tarone).
    Returns (rises that pass the correction, rises significant only uncorrected), each
    strongest first."""
    tested = [r for r in rows if r.current or r.previous]
    passed = benjamini_hochberg([r.vs_previous.p_value for r in tested], alpha) if tested else []

    def order(r: CountRow):
        return (r.vs_previous.p_value, -(r.current - r.previous), r.key)

    rises = [(r, bool(ok)) for r, ok in zip(tested, passed, strict=True) if r.current > r.previous]
    rising = sorted((r for r, ok in rises if ok), key=order)
    candidates = sorted((r for r, ok in rises if not ok and r.vs_previous.direction > 0), key=order)
    return rising, candidates


def incident_total(*, viewer, period: Period, fire_rescue: bool = False) -> CountRow:
    """Crimes (or, with `fire_rescue`, fires, explosions and rescues) the viewer may see in
    `period`, against the previous period and the same period last year, counted as the
    dashboard counts them (at most two queries)."""
    periods = [period, period.previous(), period.last_year()]
    kinds = {"kind__in": sorted(FIRE_RESCUE_KINDS)} if fire_rescue else {"kind": IncidentKind.CRIME}
    grouped = _grouped(incident_base(viewer=viewer), _month_base(viewer=viewer), periods, ("kind",), **kinds)
    current, previous, last_year = (sum(figures[0] for figures in counts.values()) for counts in grouped)
    url = incidents_url(period, kind="fire_rescue" if fire_rescue else IncidentKind.CRIME.value)
    return _row("", "", current, previous, last_year, period, url)


def compstat_summary(
    *, viewer, period: Period, commune: str = "", now: dt.datetime | None = None, with_series: bool = True
) -> CompstatSummary:
    """Every figure of the dashboard for `period` (optionally one commune), as `viewer` sees it.
    Without `with_series`, the weekly series and the calendar (the costliest query: a year and a
    half of days) are left empty; the dashboard loads them afterwards from `compstat_series`."""
    now = now or timezone.now()
    today = local_date(now)
    commune_obj = (
        Commune.objects.filter(code=commune).only("code", "name", "population").first() if commune else None
    )
    base = incident_base(viewer=viewer)
    if commune:
        base = base.filter(commune_id=commune)
    months = _month_base(viewer=viewer, commune=commune)
    previous, last_year = period.previous(), period.last_year()

    # Crimes by commune and group, three periods: at most two grouped queries.
    cur, prev, ly = _crime_counts(base, months, [period, previous, last_year])
    crime = IncidentKind.CRIME.value
    total = _row(
        "",
        "",
        sum(cur.values()),
        sum(prev.values()),
        sum(ly.values()),
        period,
        incidents_url(period, kind=crime, commune=commune),
    )
    cur_g, prev_g, ly_g = _by(cur, 1), _by(prev, 1), _by(ly, 1)
    group_labels = dict(OffenceGroup.choices)
    by_group = [
        _row(
            value,
            str(label),
            cur_g.get(value, 0),
            prev_g.get(value, 0),
            ly_g.get(value, 0),
            period,
            incidents_url(period, kind=crime, offence_group=value, commune=commune),
        )
        for value, label in group_labels.items()
        if cur_g.get(value) or prev_g.get(value) or ly_g.get(value)
    ]
    cur_c, prev_c, ly_c = _by(cur, 0), _by(prev, 0), _by(ly, 0)
    codes = set(cur_c) | set(prev_c) | set(ly_c)
    communes = {
        c.code: c
        for c in Commune.objects.filter(code__in=codes).only("code", "name", "population", "sort_key")
    }
    by_commune = sorted(
        (
            _row(
                code,
                communes[code].name if code in communes else code,
                cur_c.get(code, 0),
                prev_c.get(code, 0),
                ly_c.get(code, 0),
                period,
                incidents_url(period, kind=crime, commune=code),
                population=communes[code].population if code in communes else None,
            )
            for code in codes
        ),
        key=lambda r: (-r.current, communes[r.key].sort_key if r.key in communes else r.key),
    )
    rising, rising_candidates = rising_communes(by_commune)

    # Clearance: crimes that occurred in the period, as things stand now (status history).
    clearance = _clearance(viewer, period, commune, now)
    cleared_from_earlier, cleared_earlier_url = _cleared_from_earlier(viewer, period, commune)
    reports, within_rate = _reports(viewer, period, commune, today)
    fire_rescue, damage = _fire_rescue(base, months, period, commune)
    fraud, losses = _fraud(viewer, base, months, period, commune)
    weeks, days = _series(base, period) if with_series else ([], [])
    return CompstatSummary(
        period=period,
        previous=previous,
        last_year=last_year,
        commune=commune_obj,
        total=total,
        by_group=by_group,
        by_commune=by_commune,
        rising=rising,
        rising_candidates=rising_candidates,
        clearance_total=clearance[0],
        clearance_by_group=clearance[1],
        clearance_by_unit=clearance[2],
        clearance_social_order=clearance[3],
        clearance_period_total=clearance[4],
        clearance_period_social_order=clearance[5],
        cleared_from_earlier=cleared_from_earlier,
        cleared_from_earlier_url=cleared_earlier_url,
        reports=reports,
        reports_within_rate=within_rate,
        fire_rescue=fire_rescue,
        fire_rescue_damage_vnd=damage,
        fraud=fraud,
        fraud_losses_vnd=losses,
        weeks=weeks,
        days=days,
    )


def _clearance(viewer, period: Period, commune: str, now: dt.datetime):
    from django.utils.translation import gettext as _

    as_of = now  # crimes of the period, cleared by now (a later clearance counts for its crime)
    dates = {"occurred_from": _fmt(period.first), "occurred_to": _fmt(period.last), "commune": commune}
    window = {"occurred_from": period.first, "occurred_to": period.last, "as_of": as_of, "commune": commune}
    # The cohort as of now and, for the period rate, as of the period's end, in one query; a
    # period that has not ended yet stands "at its end" as it stands now.
    period_end = min(local_day_bounds(period.last)[1] - dt.timedelta(microseconds=1), now)
    cohort = clearance_cohort(viewer=viewer, period_end=period_end, **window)
    by_group, by_unit = cohort.by_group, cohort.by_unit
    labels = dict(OffenceGroup.choices)
    group_rows = [
        ClearanceRow(
            key,
            str(labels.get(key, _("No offence recorded"))),
            counts.occurred,
            counts.cleared,
            cases_url(offence_group=key, **dates),
            cases_url(offence_group=key, status=CaseStatus.CLEARED, **dates),
        )
        for key, counts in sorted(
            by_group.items(), key=lambda kv: list(labels).index(kv[0]) if kv[0] in labels else 99
        )
    ]
    units = {
        u.pk: u for u in Unit.objects.filter(pk__in=list(by_unit)).only("pk", "code", "name", "short_name")
    }
    unit_rows = sorted(
        (
            ClearanceRow(
                str(pk),
                str(units[pk]) if pk in units else str(pk),
                counts.occurred,
                counts.cleared,
                cases_url(unit=pk, **dates),
                cases_url(unit=pk, status=CaseStatus.CLEARED, **dates),
            )
            for pk, counts in by_unit.items()
        ),
        key=lambda r: (-r.occurred, r.label),
    )
    occurred = sum(c.occurred for c in by_group.values())
    cleared = sum(c.cleared for c in by_group.values())
    total = ClearanceRow(
        "", "", occurred, cleared, cases_url(**dates), cases_url(status=CaseStatus.CLEARED, **dates)
    )

    def social_order(counts: dict) -> ClearanceCounts:
        return sum((c for key, c in counts.items() if key in SOCIAL_ORDER_GROUPS), ClearanceCounts())

    cohort_social = social_order(by_group)
    social_row = ClearanceRow(
        "social_order",
        _("Crimes against social order"),
        cohort_social.occurred,
        cohort_social.cleared,
        "",
        "",
    )
    in_period = clearance_in_period(
        viewer=viewer,
        first=period.first,
        last=period.last,
        commune=commune,
        occurred=cohort.at_end_by_group,
    )
    period_all = sum(in_period.values(), ClearanceCounts())
    period_social = social_order(in_period)
    cleared_in_period = {
        "cleared_from": _fmt(period.first),
        "cleared_to": _fmt(period.last),
        "commune": commune,
    }
    period_row = ClearanceRow(
        "period",
        _("Period rate"),
        period_all.occurred,
        period_all.cleared,
        cases_url(**dates),
        cases_url(status=CaseStatus.CLEARED, **cleared_in_period),
    )
    period_social_row = ClearanceRow(
        "period_social_order",
        _("Period rate, crimes against social order"),
        period_social.occurred,
        period_social.cleared,
        "",
        "",
    )
    return total, group_rows, unit_rows, social_row, period_row, period_social_row


def _cleared_from_earlier(viewer, period: Period, commune: str) -> tuple[int, str]:
    """Cases whose offender was identified in the period for crimes that occurred before it."""
    qs = case_base(viewer=viewer).filter(
        offender_identified_at__gte=period.start,
        offender_identified_at__lt=period.end,
        status=CaseStatus.CLEARED,
    )
    qs = qs.filter(occurred_at__lt=period.start)  # the incident's start, else the report's receipt
    if commune:
        qs = qs.filter(place_commune_id=commune)
    before = period.first - dt.timedelta(days=1)
    url = cases_url(
        status=CaseStatus.CLEARED,
        cleared_from=_fmt(period.first),
        cleared_to=_fmt(period.last),
        occurred_to=_fmt(before),
        commune=commune,
    )
    return qs.count(), url


def _reports(viewer, period: Period, commune: str, today: dt.date) -> tuple[list[Figure], float | None]:
    from django.utils.translation import gettext as _
    from django.utils.translation import pgettext

    qs = report_base(viewer=viewer)
    if commune:
        qs = qs.filter(commune_id=commune)
    first, last = period.first, period.last
    received = Q(received_at__gte=period.start, received_at__lt=period.end)
    decided = Q(decided_on__gte=first, decided_on__lte=last)
    overdue = Q(due_on__lt=today)
    # Each count over its own index, in one statement (UNION ALL): for a viewer who sees every
    # report they are index-only scans. One query taking the rows of the three conditions at
    # once (a bitmap OR) read every report of the period from the table: 155 ms for a year
    # to date at a million incidents.
    parts = {
        "received": received,
        "decided": decided,
        "within": decided & Q(decided_within_deadline=True),
        "overdue": overdue,
    }
    queries = [
        qs.filter(condition).order_by().annotate(figure=Value(name)).values("figure").annotate(n=Count("*"))
        for name, condition in parts.items()
    ]
    agg = dict.fromkeys(parts, 0)
    agg.update(dict(queries[0].union(*queries[1:], all=True).values_list("figure", "n")))
    dates = {"decided_from": _fmt(first), "decided_to": _fmt(last), "commune": commune}
    figures = [
        Figure(
            "received",
            pgettext("number of reports", "Received"),
            agg["received"],
            reports_url(received_from=_fmt(first), received_to=_fmt(last), commune=commune),
        ),
        Figure("decided", _("Decided"), agg["decided"], reports_url(decided="decided", **dates)),
        Figure(
            "within", _("Decided within the deadline"), agg["within"], reports_url(decided="within", **dates)
        ),
        Figure("overdue", _("Overdue now"), agg["overdue"], reports_url(due="overdue", commune=commune)),
    ]
    rate = agg["within"] / agg["decided"] if agg["decided"] else None
    return figures, rate


#: The fire-and-rescue report's figures: (key on the page, detail field, monthly column).
FIRE_FIGURES = (
    ("rescued", "rescued", "fire_rescued"),
    ("victims_found", "victims_found", "fire_victims_found"),
    ("dead", "dead", "fire_dead"),
    ("injured", "injured", "fire_injured"),
    ("damage", "damage_vnd", "fire_damage_vnd"),
)


def _fire_rescue(base, months, period: Period, commune: str) -> tuple[list[Figure], int]:
    from django.utils.translation import gettext as _

    # Whole months from the monthly counts (their fire figures included), the edge days'
    # reports from the records.
    (grouped,) = _grouped(
        base,
        months,
        [period],
        ("kind",),
        extra=tuple(c for *_, c in FIRE_FIGURES),
        kind__in=FIRE_RESCUE_KINDS,
    )
    counts = {key[0]: figures[0] for key, figures in grouped.items()}
    details = {
        name: sum(figures[2 + j] for figures in grouped.values()) for j, (name, *_) in enumerate(FIRE_FIGURES)
    }
    edges = _edge_q(period)
    if edges is not None:
        edge_incidents = base.filter(edges, kind__in=FIRE_RESCUE_KINDS)
        edge_details = FireRescueDetail.objects.filter(incident__in=edge_incidents.values("pk")).aggregate(
            **{name: Sum(field) for name, field, _column in FIRE_FIGURES}
        )
        for name in details:
            details[name] += edge_details[name] or 0

    def url(kind: str) -> str:
        return incidents_url(period, kind=kind, commune=commune)

    figures = [
        Figure("fire", _("Fires"), counts.get(IncidentKind.FIRE, 0), url(IncidentKind.FIRE.value)),
        Figure(
            "explosion",
            _("Explosions"),
            counts.get(IncidentKind.EXPLOSION, 0),
            url(IncidentKind.EXPLOSION.value),
        ),
        Figure("rescue", _("Rescues"), sum(counts.get(k, 0) for k in RESCUE_KINDS), url("rescue")),
        Figure("rescued", _("People rescued"), details["rescued"]),
        Figure("victims_found", _("Victims found"), details["victims_found"]),
        Figure("dead", _("Dead"), details["dead"]),
        Figure("injured", _("Injured"), details["injured"]),
    ]
    return figures, details["damage"]


def _fraud(viewer, base, months, period: Period, commune: str) -> tuple[list[Figure], int]:
    from django.utils.translation import gettext as _

    (grouped,) = _grouped(
        base, months, [period], ("offence_group",), extra=("victims",), offence_group__in=FRAUD_GROUPS
    )
    by_group = {key[0]: figures[0] for key, figures in grouped.items()}
    losses = sum(figures[1] for figures in grouped.values())
    # Victims of the whole months from the monthly counts, of the edge days from the records.
    victims = sum(figures[2] for figures in grouped.values())
    edges = _edge_q(period)
    if edges is not None:
        qs = base.filter(edges, offence_group__in=FRAUD_GROUPS)
        victims += (
            IncidentPerson.objects.restrict(viewer)
            .filter(incident__in=qs.values("pk"), role=PersonRole.VICTIM)
            .count()
        )
    cases = case_base(viewer=viewer).filter(
        initiated_on__gte=period.first,
        initiated_on__lte=period.last,
    )
    cases = cases.filter(counted_group__in=FRAUD_GROUPS)  # the group the clearance table counts it under
    if commune:
        cases = cases.filter(place_commune_id=commune)
    labels = dict(OffenceGroup.choices)
    figures = [
        Figure(
            group.value,
            str(labels[group]),
            by_group.get(group.value, 0),
            incidents_url(period, offence_group=group.value, commune=commune),
        )
        for group in FRAUD_GROUPS
    ]
    figures += [
        Figure("fraud_cases", _("Cases initiated"), cases.count()),
        Figure("fraud_victims", _("Victims"), victims),
    ]
    return figures, losses


def compstat_series(*, viewer, period: Period, commune: str = "") -> tuple[list[dict], list[tuple[str, int]]]:
    """The weekly series (with last year's weeks) and the daily counts of the calendar."""
    base = incident_base(viewer=viewer)
    if commune:
        base = base.filter(commune_id=commune)
    return _series(base, period)


def _series(base, period: Period) -> tuple[list[dict], list[tuple[str, int]]]:
    """Crimes per ISO week for the SERIES_WEEKS weeks ending with the period's last week, with
    the same weeks a year earlier; and crimes per day over the year ending the period."""
    last_monday = period.last - dt.timedelta(days=period.last.weekday())
    first_monday = last_monday - dt.timedelta(weeks=SERIES_WEEKS - 1)
    year_first = period.last - dt.timedelta(days=364)
    ly_first = Period("custom", first_monday, first_monday).last_year().first - dt.timedelta(days=7)
    first_day = min(year_first, ly_first)
    start = Period("custom", first_day, first_day).start
    end = Period("custom", last_monday + dt.timedelta(days=6), last_monday + dt.timedelta(days=6)).end
    rows = (
        base.filter(kind=IncidentKind.CRIME, occurred_from__gte=start, occurred_from__lt=end)
        .annotate(day=TruncDate("occurred_from", tzinfo=HCM_TZ))
        .values_list("day")
        .annotate(n=Count("id"))
        .order_by()
    )
    daily: dict[dt.date, int] = {}
    for day, n in rows:
        if isinstance(day, str):  # some backends return text
            day = dt.date.fromisoformat(day)
        daily[day] = daily.get(day, 0) + n

    def week_count(monday: dt.date) -> int:
        return sum(daily.get(monday + dt.timedelta(days=i), 0) for i in range(7))

    weeks = []
    for i in range(SERIES_WEEKS):
        monday = first_monday + dt.timedelta(weeks=i)
        iso = monday.isocalendar()
        ly_monday = Period.week(
            iso.year - 1, min(iso.week, dt.date(iso.year - 1, 12, 28).isocalendar().week)
        ).first
        weeks.append(
            {
                "week": f"{iso.year}-W{iso.week:02d}",
                "monday": monday.strftime("%d/%m/%Y"),
                "count": week_count(monday),
                "last_year": week_count(ly_monday),
            }
        )
    days = [
        ((year_first + dt.timedelta(days=i)).isoformat(), daily.get(year_first + dt.timedelta(days=i), 0))
        for i in range(365)
    ]
    return weeks, days
