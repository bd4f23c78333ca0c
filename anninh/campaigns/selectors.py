"""Campaign reads: the list a viewer may see, and the dashboard of one campaign (indicators,
targets and their progress, the per-unit table with its normalisations, and the link of
every number to the records it counts)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import QuerySet, Sum
from django.urls import reverse

from anninh.campaigns import indicators as ind
from anninh.campaigns.models import READER_ROLES, Campaign, CampaignTarget, Indicator
from anninh.compstat.periods import Period, today
from anninh.compstat.selectors import cases_url, incidents_url, reports_url
from anninh.geo.models import Commune
from anninh.org.models import Unit
from anninh.records.models import CaseStatus, IncidentKind, OffenceGroup

__all__ = ["READER_ROLES", "Dashboard", "campaign_dashboard", "campaign_list"]


def campaign_list(*, viewer) -> QuerySet:
    return Campaign.objects.restrict(viewer).select_related("owner").order_by("-first", "-id")


def _fmt(d: dt.date) -> str:
    return d.strftime("%d/%m/%Y")


def records_url(
    indicator: str, scope: ind.Scope, window: tuple[dt.date, dt.date] | None, unit: int | None
) -> str:
    """The records list an indicator's number opens, filtered to the unit, the days and (when
    the list can say it: one commune, one offence group) the campaign's scope."""
    if window is None:
        return ""
    first, last = window
    commune = scope.communes[0] if len(scope.communes) == 1 else ""
    group = scope.groups[0] if len(scope.groups) == 1 else ""
    unit_param = str(unit) if unit else ""
    if indicator == Indicator.CRIMES:
        return incidents_url(
            Period("custom", first, last),
            kind=IncidentKind.CRIME.value,
            unit=unit_param,
            commune=commune,
            offence_group=group,
        )
    if indicator == Indicator.FRAUD_RECOVERED:
        return incidents_url(
            Period("custom", first, last),
            kind=IncidentKind.CRIME.value,
            unit=unit_param,
            commune=commune,
            offence_group=group or OffenceGroup.FRAUD.value,
        )
    if indicator in (Indicator.CLEARED, Indicator.OFFENDERS):
        return cases_url(
            status=CaseStatus.CLEARED.value,
            cleared_from=_fmt(first),
            cleared_to=_fmt(last),
            unit=unit_param,
            commune=commune,
            offence_group=group,
        )
    if indicator == Indicator.DRUG_CASES:
        return cases_url(
            offence_group=OffenceGroup.DRUGS.value,
            initiated_from=_fmt(first),
            initiated_to=_fmt(last),
            unit=unit_param,
            commune=commune,
        )
    if indicator == Indicator.REPORTS_ON_TIME:
        return reports_url(
            decided="within",
            decided_from=_fmt(first),
            decided_to=_fmt(last),
            unit=unit_param,
            commune=commune,
        )
    name = "enforcement:wanted_list" if indicator == Indicator.WANTED_CAUGHT else "enforcement:arrest_list"
    params: list[tuple[str, str]] = [("date_from", _fmt(first)), ("date_to", _fmt(last))]
    if indicator == Indicator.WANTED_CAUGHT:
        params.append(("status", "caught"))
    if unit_param:
        params.append(("unit", unit_param))
    params += [("commune", c) for c in scope.communes]
    return f"{reverse(name)}?{urlencode(params)}"


@dataclass(frozen=True)
class Cell:
    """One indicator for one unit (or the whole campaign)."""

    indicator: str
    label: str
    value: int
    last_year: int
    url: str
    last_year_url: str
    target: int | None = None
    lower_is_better: bool = False
    money: bool = False
    per_10k: float | None = None
    per_officer: float | None = None

    @property
    def progress(self) -> float | None:
        """value / target (for a ceiling, how much of it is used)."""
        if self.target is None:
            return None
        if self.target == 0:
            return 0.0 if self.value == 0 else None
        return self.value / self.target

    @property
    def bar(self) -> int:
        """Width of the progress bar in percent (0–100)."""
        p = self.progress
        return 100 if p is None and self.target == 0 else int(min(max(p or 0.0, 0.0), 1.0) * 100)

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        return self.value <= self.target if self.lower_is_better else self.value >= self.target

    @property
    def vs_baseline(self) -> float | None:
        """The unit against its own baseline (the same dates last year): value / last year."""
        return self.value / self.last_year if self.last_year else None

    @property
    def change(self) -> float | None:
        return (self.value - self.last_year) / self.last_year if self.last_year else None

    @property
    def change_pct(self) -> float | None:
        return None if self.change is None else self.change * 100


@dataclass
class UnitRow:
    unit: Unit
    population: int | None
    officers: int | None
    cells: list[Cell] = field(default_factory=list)


@dataclass
class Dashboard:
    campaign: Campaign
    scope: ind.Scope
    last_year: tuple[dt.date, dt.date] | None
    totals: list[Cell]
    units: list[UnitRow]
    days_elapsed: int
    days_total: int
    reports_decided: int | None
    exact_links: bool
    scope_population: int
    communes: list[Commune]
    groups: list[str]

    @property
    def elapsed(self) -> float:
        return self.days_elapsed / self.days_total if self.days_total else 0.0

    def total(self, indicator: str) -> Cell:
        return next(c for c in self.totals if c.indicator == indicator)


def _population(scope: ind.Scope) -> int:
    qs = Commune.objects.all()
    if scope.communes:
        qs = qs.filter(code__in=scope.communes)
    return qs.aggregate(n=Sum("population"))["n"] or 0


def campaign_dashboard(
    *, viewer, campaign: Campaign, first: dt.date | None = None, last: dt.date | None = None
) -> Dashboard:
    """The campaign's figures for `viewer` over [first, last] (default: from the campaign's
    start to its end or to today, whichever comes first), in a fixed number of queries."""
    on = today()
    first = max(first or campaign.first, campaign.first)
    last = min(last or campaign.last, campaign.last)
    if last > on and (first <= on):
        last = on
    last = max(last, first)
    scope = ind.Scope.of(campaign, first=first, last=last)
    values = ind.compute_all(viewer, scope)
    targets = {
        (unit, indicator): value
        for unit, indicator, value in CampaignTarget.objects.restrict(viewer)
        .filter(campaign=campaign)
        .values_list("unit_id", "indicator", "value")
    }
    labels = {key: str(label) for key, label in Indicator.choices}
    window, ly_window = (scope.first, scope.last), scope.last_year
    scope_population = _population(scope)
    # Each link is built once per indicator and period, and the unit appended: reversing and
    # encoding a URL per cell cost more than every query of the dashboard together.
    bases = {(key, w): records_url(key, scope, w, None) for key in values for w in (window, ly_window)}

    def url(indicator: str, w, uid: int | None) -> str:
        base = bases[(indicator, w)]
        return f"{base}&unit={uid}" if base and uid else base

    def cell(
        indicator: str, v: int, ly: int, unit: Unit | None, population: int | None, officers: int | None
    ):
        uid = unit.pk if unit else None
        return Cell(
            indicator=indicator,
            label=labels[indicator],
            value=v,
            last_year=ly,
            url=url(indicator, window, uid),
            last_year_url=url(indicator, ly_window, uid),
            target=targets.get((uid, indicator)),
            lower_is_better=values[indicator].lower_is_better,
            money=values[indicator].money,
            per_10k=v / population * 10_000 if population else None,
            per_officer=v / officers if officers else None,
        )

    totals = [
        cell(key, iv.total, iv.total_last_year, None, scope_population, None) for key, iv in values.items()
    ]
    unit_ids = set(scope.units)
    if not unit_ids:
        for iv in values.values():
            unit_ids |= set(iv.by_unit) | set(iv.by_unit_last_year)
        unit_ids |= {uid for uid, _i in targets if uid}
    units = list(
        Unit.objects.filter(pk__in=sorted(u for u in unit_ids if u))
        .select_related("commune")
        # The commune's boundary (a polygon in JSON) is not shown: not read and decoded.
        .defer("commune__boundary")
        .order_by("sort_key")
    )
    rows = []
    for unit in units:
        population = unit.commune.population if unit.commune_id else scope_population
        rows.append(
            UnitRow(
                unit=unit,
                population=population,
                officers=unit.officers,
                cells=[
                    cell(
                        key,
                        iv.by_unit.get(unit.pk, 0),
                        iv.by_unit_last_year.get(unit.pk, 0),
                        unit,
                        population,
                        unit.officers,
                    )
                    for key, iv in values.items()
                ],
            )
        )
    return Dashboard(
        campaign=campaign,
        scope=scope,
        last_year=ly_window,
        totals=totals,
        units=rows,
        days_elapsed=(min(on, campaign.last) - campaign.first).days + 1 if on >= campaign.first else 0,
        days_total=(campaign.last - campaign.first).days + 1,
        reports_decided=values[Indicator.REPORTS_ON_TIME].extra_total,
        exact_links=len(scope.communes) <= 1 and len(scope.groups) <= 1,
        scope_population=scope_population,
        communes=list(campaign.communes.all()),
        groups=[str(dict(OffenceGroup.choices).get(g, g)) for g in scope.groups],
    )
