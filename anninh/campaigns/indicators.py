"""Every campaign indicator, computed from the records for what the viewer may see.

Nothing here is typed in or stored: each figure is a count (or a sum in đồng) of records,
through the records' own scoped querysets, so a commune officer's view of a city campaign is
their commune's share and a commander's is the city's. Each indicator is counted per unit
(the unit it is credited to, below) for the campaign period and the same calendar dates a
year earlier (`anninh.campaigns.periods`) in one grouped query, whatever the number of
units: the dashboard costs a fixed number of queries (tests count them).

What each indicator counts, and which unit it is credited to:
- crimes recorded: incidents of kind "crime" that occurred in the period (responsible
  unit); whole months read from CompStat's monthly counts (`compstat_incidentmonth`, kept
  exact by triggers), the days at the edges from the incidents;
- cases cleared: cases whose offender was identified in the period and that are cleared now
  (the period rate's numerator; handling unit);
- offenders identified: distinct persons recorded as suspects in the incidents of those
  cases (handling unit);
- drug cases initiated: cases initiated in the period whose offence group is drugs
  (handling unit);
- crime reports decided on time: reports decided in the period within their legal deadline
  (handling unit), beside all reports decided;
- wanted persons caught: wanted notices closed as caught or surrendered in the period
  (capturing unit);
- arrests: arrests made in the period (arresting unit);
- fraud losses recovered: the value of loss items marked recovered, of fraud and cyber
  incidents that occurred in the period (responsible unit). The records keep a "recovered"
  mark per loss item but no date of recovery, so a recovery during the campaign of a fraud
  that happened before it is not counted (see the README).

Scope: communes restrict by the record's commune (a case's incident, else its report; a
wanted notice's commune); offence groups by the record's group (a case's own offence, else
its incident's, else its report's; a report's suspected offence; a wanted notice's
offence); arrests carry no offence and are not restricted by group. Units restrict to the
units taking part.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, IntegerField, Q, QuerySet, Sum, Value

from anninh.accounts.scoping import visible_q
from anninh.campaigns.models import LOWER_IS_BETTER, MONEY_INDICATORS, Campaign, ClearedSuspect, Indicator
from anninh.campaigns.periods import percent_change, same_dates_last_year
from anninh.compstat.periods import Period
from anninh.compstat.selectors import FRAUD_GROUPS, _grouped, _month_base
from anninh.enforcement.models import CAUGHT_STATUSES, Arrest, WantedPerson
from anninh.lib.dates import local_day_bounds
from anninh.records.models import CaseStatus, IncidentKind, IncidentPerson, OffenceGroup, PersonRole
from anninh.records.scoping import incident_visibility_q
from anninh.records.selectors.cases import case_base
from anninh.records.selectors.incidents import incident_base
from anninh.records.selectors.reports import report_base

CURRENT, LAST_YEAR = 0, 1


@dataclass(frozen=True)
class Scope:
    """What the campaign covers: empty tuples mean everything."""

    first: dt.date
    last: dt.date
    communes: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    units: tuple[int, ...] = ()

    @classmethod
    def of(cls, campaign: Campaign, *, first: dt.date | None = None, last: dt.date | None = None) -> Scope:
        return cls(
            first=first or campaign.first,
            last=last or campaign.last,
            communes=tuple(sorted(c.code for c in campaign.communes.all())),
            groups=tuple(sorted(campaign.offence_groups or ())),
            units=tuple(sorted(u.pk for u in campaign.units.all())),
        )

    @property
    def last_year(self) -> tuple[dt.date, dt.date] | None:
        return same_dates_last_year(self.first, self.last)

    def windows(self) -> list[tuple[dt.date, dt.date] | None]:
        return [(self.first, self.last), self.last_year]


@dataclass
class IndicatorValues:
    """One indicator: per unit (id → value) for the period and last year, with totals."""

    indicator: str
    by_unit: dict[int, int] = field(default_factory=dict)
    by_unit_last_year: dict[int, int] = field(default_factory=dict)
    total: int = 0
    total_last_year: int = 0
    extra_total: int | None = None  # reports: all decided (the on-time rate's denominator)
    extra_by_unit: dict[int, int] = field(default_factory=dict)

    @property
    def change(self) -> float | None:
        return percent_change(self.total, self.total_last_year)

    @property
    def lower_is_better(self) -> bool:
        return self.indicator in LOWER_IS_BETTER

    @property
    def money(self) -> bool:
        return self.indicator in MONEY_INDICATORS


def _bounds(window: tuple[dt.date, dt.date]) -> tuple[dt.datetime, dt.datetime]:
    return local_day_bounds(window[0])[0], local_day_bounds(window[1])[1]


def _time_q(field_name: str, window, *, dates: bool = False) -> Q:
    if window is None:
        return Q(pk__in=[])
    if dates:
        return Q(**{f"{field_name}__gte": window[0], f"{field_name}__lte": window[1]})
    start, end = _bounds(window)
    return Q(**{f"{field_name}__gte": start, f"{field_name}__lt": end})


def _in_windows(field_name: str, windows, *, dates: bool = False) -> Q:
    """The rows of either window. Each window's figure is still its own FILTER clause; this
    only keeps the rows outside both (which add nothing to any figure) out of the query, so
    an index on the date is used rather than a scan of every record (1,000,000 incidents:
    benchmarks/results/campaign-dashboard.md)."""
    q = Q(pk__in=[])
    for window in windows:
        if window is not None:
            q |= _time_q(field_name, window, dates=dates)
    return q


def _window_parts(
    qs: QuerySet, date_field: str, windows, *, dates: bool = False
) -> list[tuple[int, QuerySet]]:
    """`qs` narrowed to each window, with the window's index: one part per window, for a
    UNION ALL. Each part's date range is a plain range, which PostgreSQL reads from a covering
    index alone; the two windows OR'ed in one condition can only use a bitmap of the table's
    pages (or a scan of the whole index)."""
    return [
        (i, qs.filter(_time_q(date_field, w, dates=dates))) for i, w in enumerate(windows) if w is not None
    ]


def _per_unit(
    qs: QuerySet, unit_field: str, date_field: str, windows, value, *, dates: bool = False
) -> tuple[dict[int, int], dict[int, int]]:
    """{unit: value} for each window, in one query (a UNION ALL of one grouped part per
    window, `_window_parts`); `value` is the aggregate (e.g. Count("id")). A unit whose
    figure is zero is left out."""
    parts = [
        part.values(unit_field).annotate(part=Value(i, output_field=IntegerField()), v=value).order_by()
        for i, part in _window_parts(qs, date_field, windows, dates=dates)
    ]
    out: list[dict[int, int]] = [defaultdict(int), defaultdict(int)]
    combined = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    for row in combined:
        if row["v"]:
            out[row["part"]][row[unit_field]] += row["v"]
    return dict(out[CURRENT]), dict(out[LAST_YEAR])


def _values(indicator: str, pair) -> IndicatorValues:
    cur, ly = pair
    return IndicatorValues(indicator, cur, ly, sum(cur.values()), sum(ly.values()))


# Each indicator ------------------------------------------------------------------------------


def crimes(viewer, scope: Scope) -> IndicatorValues:
    """Crimes recorded: months from CompStat's aggregate, edge days from the incidents."""
    filters: dict = {"kind": IncidentKind.CRIME}
    if scope.communes:
        filters["commune_id__in"] = scope.communes
    if scope.groups:
        filters["offence_group__in"] = scope.groups
    if scope.units:
        filters["responsible_unit_id__in"] = scope.units
    periods = [Period("custom", w[0], w[1]) for w in scope.windows() if w is not None]
    grouped = _grouped(
        incident_base(viewer=viewer), _month_base(viewer=viewer), periods, ("responsible_unit_id",), **filters
    )
    counts = [{key[0]: n for key, (n, _losses) in g.items()} for g in grouped]
    if scope.last_year is None:
        counts.append({})
    return _values(Indicator.CRIMES, (counts[0], counts[1]))


def _case_scope(viewer, scope: Scope) -> QuerySet:
    qs = case_base(viewer=viewer)
    if scope.communes:
        qs = qs.filter(place_commune_id__in=scope.communes)
    if scope.groups:
        qs = qs.filter(counted_group__in=scope.groups)  # the copy kept exact by triggers
    if scope.units:
        qs = qs.filter(handling_unit_id__in=scope.units)
    return qs


def cleared(viewer, scope: Scope) -> IndicatorValues:
    qs = _case_scope(viewer, scope).filter(status=CaseStatus.CLEARED)
    pair = _per_unit(qs, "handling_unit_id", "offender_identified_at", scope.windows(), Count("id"))
    return _values(Indicator.CLEARED, pair)


def offenders(viewer, scope: Scope) -> IndicatorValues:
    """Distinct suspects of the incidents of cases cleared in the period (per unit and in all:
    one person in two units' cases counts once in the total, and one person in two cases of a
    unit once in the unit's). The suspects are read through the incident, so a viewer counts
    them only in incidents they may see.

    Counted in the database, so Python never sees the ~100,000 (unit, suspect) pairs of a
    city. When the viewer sees every case and incident and the campaign takes every commune
    and group, from `ClearedSuspect` (the cleared cases' suspects, kept by triggers) as counts
    of rows (`_offenders_copied`). Otherwise in one query from the viewer's scoped cleared
    cases, joined by their incident to its suspect links (`_offender_pairs_through_cases`):
    distinct suspects per (window, unit), and per window in all."""
    if visible_q(ClearedSuspect, viewer) is None and not scope.communes and not scope.groups:
        return _offenders_copied(viewer, scope)
    return _count_offenders(*_offender_pairs_through_cases(viewer, scope))


def _count_offenders(pairs: str, params: tuple) -> IndicatorValues:
    """Count the distinct (part, unit, person) rows of `pairs` (SQL): per (part, unit), and
    the distinct persons per part."""
    # Built from the ORM's own compiled queries and models' table names, never from input.
    sql = (
        f"WITH pairs AS ({pairs}) "  # noqa: S608
        "SELECT part, unit, COUNT(*) FROM pairs GROUP BY part, unit "
        "UNION ALL SELECT part, NULL, COUNT(DISTINCT person) FROM pairs GROUP BY part"
    )
    values = IndicatorValues(Indicator.OFFENDERS)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for part, unit, n in cursor.fetchall():
            if unit is None:
                if part == CURRENT:
                    values.total = n
                else:
                    values.total_last_year = n
            elif part == CURRENT:
                values.by_unit[unit] = n
            else:
                values.by_unit_last_year[unit] = n
    return values


def _offenders_copied(viewer, scope: Scope) -> IndicatorValues:
    """Offenders from the suspects of cleared cases copied by triggers (`ClearedSuspect`), for
    a viewer who sees every case and incident and a campaign of every commune and group: one
    range of the covering index per window, and no distinct count. A person counts once in a
    window through their first row in it, the one row whose previous row (same unit for the
    unit's figure, any unit for the total) is before the window's start (or has none), so
    each figure is a count of rows. The per-unit counts come for every unit; the total is
    their sum when no unit outside the campaign has rows in the window, else (a campaign of
    some units) a distinct count of the campaign's units' persons, one more query."""
    rows = ClearedSuspect.objects.restrict(viewer)
    windows = scope.windows()
    parts = []
    for i, window in enumerate(windows):
        if window is None:
            continue
        start, _end = _bounds(window)
        parts.append(
            rows.filter(_time_q("identified_at", window))
            .values("handling_unit_id")
            .annotate(
                part=Value(i, output_field=IntegerField()),
                n=Count("id", filter=Q(unit_prev_at__isnull=True) | Q(unit_prev_at__lt=start)),
                firsts=Count("id", filter=Q(person_prev_at__isnull=True) | Q(person_prev_at__lt=start)),
            )
            .order_by()
        )
    combined = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    values = IndicatorValues(Indicator.OFFENDERS)
    units = set(scope.units)
    totals, outside = [0, 0], set()
    for row in combined:
        part, unit = row["part"], row["handling_unit_id"]
        totals[part] += row["firsts"]
        if units and unit not in units:
            outside.add(part)
        elif row["n"]:
            (values.by_unit if part == CURRENT else values.by_unit_last_year)[unit] = row["n"]
    if outside:
        # Persons whose first row of the window is in a unit outside the campaign may still
        # be in one of its units: count the campaign's units' persons themselves.
        distinct = [
            rows.filter(_time_q("identified_at", windows[i]), handling_unit_id__in=scope.units)
            .annotate(part=Value(i, output_field=IntegerField()))
            .values("part")
            .annotate(n=Count("person_id", distinct=True))
            .order_by()
            for i in sorted(outside)
        ]
        combined = distinct[0].union(*distinct[1:], all=True) if len(distinct) > 1 else distinct[0]
        for i in outside:
            totals[i] = 0
        for row in combined:
            totals[row["part"]] = row["n"]
    values.total, values.total_last_year = totals
    return values


def _offender_pairs_through_cases(viewer, scope: Scope) -> tuple[str, tuple]:
    """SQL of the distinct (part, unit, person) of each window, from the viewer's scoped
    cleared cases (each window's from the covering index `records_case_cleared_idx`) joined
    by their incident to its suspect links (`records_inc_person_unique`, index only)."""
    cases = _case_scope(viewer, scope).filter(status=CaseStatus.CLEARED)
    seen = incident_visibility_q(viewer, prefix="incident__")
    if seen is not None:
        cases = cases.filter(seen)
    parts = [
        part.annotate(part=Value(i, output_field=IntegerField()))
        .values("part", "handling_unit_id", "incident_id")
        .order_by()
        for i, part in _window_parts(cases, "offender_identified_at", scope.windows())
    ]
    combined = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    inner, params = combined.query.get_compiler(using=combined.db).as_sql()
    link = IncidentPerson._meta.db_table
    sql = (
        f"SELECT DISTINCT c.part AS part, c.handling_unit_id AS unit, l.person_id AS person "  # noqa: S608
        f"FROM ({inner}) c JOIN {link} l ON l.incident_id = c.incident_id WHERE l.role = %s"
    )
    return sql, (*params, PersonRole.SUSPECT.value)


def drug_cases(viewer, scope: Scope) -> IndicatorValues:
    """Cases initiated in the period whose counted offence group is drugs: the group is the
    copy on the case (`Case.counted_group`, kept exact by triggers), so no incident or
    report is joined to find it."""
    qs = _case_scope(viewer, scope).filter(counted_group=OffenceGroup.DRUGS)
    pair = _per_unit(qs, "handling_unit_id", "initiated_on", scope.windows(), Count("id"), dates=True)
    return _values(Indicator.DRUG_CASES, pair)


def reports_on_time(viewer, scope: Scope) -> IndicatorValues:
    windows = scope.windows()
    qs = report_base(viewer=viewer).filter(_in_windows("decided_on", windows, dates=True))
    if scope.communes:
        qs = qs.filter(commune_id__in=scope.communes)
    if scope.groups:
        qs = qs.filter(suspected_offence__group__in=scope.groups)
    if scope.units:
        qs = qs.filter(handling_unit_id__in=scope.units)
    annotations = {}
    for i, w in enumerate(windows):
        annotations[f"within{i}"] = Count(
            "id", filter=_time_q("decided_on", w, dates=True) & Q(decided_within_deadline=True)
        )
    annotations["decided0"] = Count("id", filter=_time_q("decided_on", windows[0], dates=True))
    values = IndicatorValues(Indicator.REPORTS_ON_TIME)
    for row in qs.values("handling_unit_id").annotate(**annotations).order_by():
        unit = row["handling_unit_id"]
        if row["within0"]:
            values.by_unit[unit] = row["within0"]
        if row["within1"]:
            values.by_unit_last_year[unit] = row["within1"]
        if row["decided0"]:
            values.extra_by_unit[unit] = row["decided0"]
    values.total = sum(values.by_unit.values())
    values.total_last_year = sum(values.by_unit_last_year.values())
    values.extra_total = sum(values.extra_by_unit.values())
    return values


def wanted_caught(viewer, scope: Scope) -> IndicatorValues:
    qs = WantedPerson.objects.restrict(viewer).filter(status__in=CAUGHT_STATUSES)
    if scope.communes:
        qs = qs.filter(commune_id__in=scope.communes)
    if scope.groups:
        qs = qs.filter(offence__group__in=scope.groups)
    if scope.units:
        qs = qs.filter(caught_by_id__in=scope.units)
    pair = _per_unit(qs, "caught_by_id", "caught_on", scope.windows(), Count("id"), dates=True)
    return _values(Indicator.WANTED_CAUGHT, pair)


def arrests(viewer, scope: Scope) -> IndicatorValues:
    qs = Arrest.objects.restrict(viewer)
    if scope.communes:
        qs = qs.filter(commune_id__in=scope.communes)
    if scope.units:
        qs = qs.filter(unit_id__in=scope.units)
    pair = _per_unit(qs, "unit_id", "arrested_at", scope.windows(), Count("id"))
    return _values(Indicator.ARRESTS, pair)


def fraud_recovered(viewer, scope: Scope) -> IndicatorValues:
    groups = [g for g in FRAUD_GROUPS if not scope.groups or g in scope.groups]
    qs = incident_base(viewer=viewer).filter(kind=IncidentKind.CRIME, offence_group__in=groups)
    if scope.communes:
        qs = qs.filter(commune_id__in=scope.communes)
    if scope.units:
        qs = qs.filter(responsible_unit_id__in=scope.units)
    # Only the recovered items joined (a unit without one has no figure either way): the
    # planner can start from them (`records_loss_recovered_idx`, partial) or from the period's
    # fraud incidents (`records_inc_fraud_idx`, partial and covering), instead of joining
    # every loss item of the period's incidents.
    qs = qs.filter(losses__recovered=True)
    pair = _per_unit(qs, "responsible_unit_id", "occurred_from", scope.windows(), Sum("losses__value_vnd"))
    return _values(Indicator.FRAUD_RECOVERED, pair)


COMPUTE = {
    Indicator.CRIMES: crimes,
    Indicator.CLEARED: cleared,
    Indicator.OFFENDERS: offenders,
    Indicator.DRUG_CASES: drug_cases,
    Indicator.REPORTS_ON_TIME: reports_on_time,
    Indicator.WANTED_CAUGHT: wanted_caught,
    Indicator.ARRESTS: arrests,
    Indicator.FRAUD_RECOVERED: fraud_recovered,
}


def compute_all(viewer, scope: Scope) -> dict[str, IndicatorValues]:
    """Every indicator for the scope: a fixed number of queries (about a dozen)."""
    return {indicator: fn(viewer, scope) for indicator, fn in COMPUTE.items()}
