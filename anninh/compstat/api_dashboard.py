"""CompStat aggregates over the API (for other systems and for charts), mounted at
/api/compstat/. The same selector as the dashboard, so the same scoping: a commune officer
gets their commune's figures, a commander the city's."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from anninh.accounts.api_schemas import ErrorOut, ValidationErrorOut
from anninh.accounts.permissions import audit_denied
from anninh.compstat import selectors
from anninh.compstat.periods import PeriodError, period_from_params, week_label_of
from anninh.compstat.views_dashboard import READER_ROLES, audit_commune_refused, commune_choices

router = Router()

PERIOD_DESCRIPTION = (
    "week, 28d, month, quarter, ytd or custom; default: the last complete week (Monday to Sunday, "
    "Asia/Ho_Chi_Minh)"
)


class CompstatQuery(Schema):
    period: str = Field("", max_length=10, description=PERIOD_DESCRIPTION)
    at: str = Field(
        "",
        max_length=20,
        description="2026-W47 (week), 2026-10 (month), 2026-Q3 (quarter), or the last day dd/mm/yyyy (28d, ytd)",
    )
    date_from: str = Field(
        "", alias="from", max_length=10, description="custom period: first day, dd/mm/yyyy"
    )
    date_to: str = Field("", alias="to", max_length=10, description="custom period: last day, dd/mm/yyyy")
    commune: str = Field(
        "", max_length=5, description="NSO code of one commune the caller may see; empty for the whole scope"
    )


class CompstatPeriodOut(Schema):
    kind: str
    first: dt.date
    last: dt.date
    label: str


class CompstatChangeOut(Schema):
    percent: float | None = Field(
        ..., description="change in % against the baseline scaled to the period's length"
    )
    p_value: float = Field(..., description="two-sided exact Poisson test")
    significant: bool


class CompstatCountRowOut(Schema):
    key: str
    label: str
    current: int
    previous: int
    last_year: int
    vs_previous: CompstatChangeOut
    vs_last_year: CompstatChangeOut
    rate_per_10k: float | None = None
    url: str = Field(..., description="the list of the records counted")


class CompstatClearanceRowOut(Schema):
    key: str
    label: str
    occurred: int
    cleared: int
    rate: float | None
    url: str
    cleared_url: str


class CompstatFigureOut(Schema):
    key: str
    label: str
    value: int
    url: str


class CompstatWeekOut(Schema):
    week: str
    label: str = Field("", description='the week as people say it, "Tuần 48 (23/11–29/11)"')
    monday: str
    count: int
    last_year: int


class CompstatSummaryQuery(CompstatQuery):
    series: bool = Field(True, description="include the weekly series (the costliest part)")


class CompstatSeriesOut(Schema):
    weeks: list[CompstatWeekOut]
    days: list[tuple[str, int]] = Field(
        ..., description="crimes per local day over the year ending the period: [ISO date, count]"
    )


class CompstatSummaryOut(Schema):
    period: CompstatPeriodOut
    previous: CompstatPeriodOut
    last_year: CompstatPeriodOut
    commune: str
    total: CompstatCountRowOut
    by_group: list[CompstatCountRowOut]
    by_commune: list[CompstatCountRowOut]
    rising: list[str] = Field(
        ...,
        description="codes of the communes with a significant rise on the previous period, after a "
        "Benjamini–Hochberg false-discovery-rate correction over the communes tested",
    )
    rising_candidates: list[str] = Field(
        ..., description="codes of the communes whose rise is significant at 5 % only before the correction"
    )
    clearance_total: CompstatClearanceRowOut
    clearance_by_group: list[CompstatClearanceRowOut]
    clearance_by_unit: list[CompstatClearanceRowOut]
    clearance_social_order: CompstatClearanceRowOut = Field(
        ...,
        description="cohort rate of crimes against social order (drug, economic and corruption crime apart)",
    )
    clearance_period_total: CompstatClearanceRowOut = Field(
        ...,
        description="period rate, as police statistics report it: cases cleared in the period, of any age, "
        "over the crimes of the period (clearance_total is the cohort rate: crimes of the period cleared by now)",
    )
    clearance_period_social_order: CompstatClearanceRowOut = Field(
        ..., description="period rate of crimes against social order"
    )
    cleared_from_earlier: int
    reports: list[CompstatFigureOut]
    reports_within_rate: float | None
    fire_rescue: list[CompstatFigureOut]
    fire_rescue_damage_vnd: int
    fraud: list[CompstatFigureOut]
    fraud_losses_vnd: int
    weeks: list[CompstatWeekOut]


def _period(p) -> dict:
    return {"kind": p.kind, "first": p.first, "last": p.last, "label": p.label}


def _row(r: selectors.CountRow) -> dict:
    def change(c):
        return {"percent": c.percent, "p_value": c.p_value, "significant": c.significant}

    return {
        "key": r.key,
        "label": r.label,
        "current": r.current,
        "previous": r.previous,
        "last_year": r.last_year,
        "vs_previous": change(r.vs_previous),
        "vs_last_year": change(r.vs_last_year),
        "rate_per_10k": r.rate_per_10k,
        "url": r.url,
    }


def _clearance(r: selectors.ClearanceRow) -> dict:
    return {
        "key": r.key,
        "label": r.label,
        "occurred": r.occurred,
        "cleared": r.cleared,
        "rate": r.rate,
        "url": r.url,
        "cleared_url": r.cleared_url,
    }


def _figures(figures) -> list[dict]:
    return [{"key": f.key, "label": str(f.label), "value": f.value, "url": f.url} for f in figures]


def _caller(request):
    auth = getattr(request, "auth", None)
    return auth if getattr(auth, "is_authenticated", False) else request.user


def _parse(request: HttpRequest, query: CompstatQuery):
    """(user, period, commune, None) or (user, None, "", an error response)."""
    user = _caller(request)
    if not user.has_role(*READER_ROLES):
        audit_denied(user, reason="role", path=request.get_full_path()[:500])
        return user, None, "", Status(403, {"detail": _("You may not do this.")})
    params = {"period": query.period, "at": query.at, "from": query.date_from, "to": query.date_to}
    try:
        period = period_from_params(params)
    except PeriodError as exc:
        return (
            user,
            None,
            "",
            Status(
                422, {"detail": [{"type": "period.invalid", "loc": ["query", "period"], "msg": str(exc)}]}
            ),
        )
    choices = commune_choices(user)
    if query.commune and query.commune not in {code for code, _name in choices}:
        audit_commune_refused(user, query.commune, choices, path=request.get_full_path()[:500])
        detail = [
            {
                "type": "commune.invalid",
                "loc": ["query", "commune"],
                "msg": _("No such commune in your area."),
            }
        ]
        return user, None, "", Status(422, {"detail": detail})
    return user, period, query.commune, None


@router.get(
    "/series",
    response={200: CompstatSeriesOut, 403: ErrorOut, 422: ValidationErrorOut},
    url_name="compstat_series",
    summary="Crimes per week (with the same weeks last year) and per day, for the charts",
)
def series(request: HttpRequest, query: Query[CompstatQuery]):
    """The 26 ISO weeks ending with the period's last week, each with the same week a year
    before, and the crimes of each local day over the 365 days ending the period."""
    user, period, commune, error = _parse(request, query)
    if error:
        return error
    weeks, days = selectors.compstat_series(viewer=user, period=period, commune=commune)
    return {"weeks": [{**w, "label": week_label_of(w["week"])} for w in weeks], "days": days}


@router.get(
    "/summary",
    response={200: CompstatSummaryOut, 403: ErrorOut, 422: ValidationErrorOut},
    url_name="compstat_summary",
    summary="Every CompStat figure of a period",
)
def summary(request: HttpRequest, query: Query[CompstatSummaryQuery]):
    """Crimes by offence group and commune against the previous period and the same period
    last year (with a Poisson significance test), clearance, crime reports, fire and rescue,
    fraud, and the weekly series, for what the caller may see."""
    user, period, commune, error = _parse(request, query)
    if error:
        return error
    s = selectors.compstat_summary(viewer=user, period=period, commune=commune, with_series=query.series)
    return {
        "period": _period(s.period),
        "previous": _period(s.previous),
        "last_year": _period(s.last_year),
        "commune": commune,
        "total": _row(s.total),
        "by_group": [_row(r) for r in s.by_group],
        "by_commune": [_row(r) for r in s.by_commune],
        "rising": [r.key for r in s.rising],
        "rising_candidates": [r.key for r in s.rising_candidates],
        "clearance_total": _clearance(s.clearance_total),
        "clearance_by_group": [_clearance(r) for r in s.clearance_by_group],
        "clearance_by_unit": [_clearance(r) for r in s.clearance_by_unit],
        "clearance_social_order": _clearance(s.clearance_social_order),
        "clearance_period_total": _clearance(s.clearance_period_total),
        "clearance_period_social_order": _clearance(s.clearance_period_social_order),
        "cleared_from_earlier": s.cleared_from_earlier,
        "reports": _figures(s.reports),
        "reports_within_rate": s.reports_within_rate,
        "fire_rescue": _figures(s.fire_rescue),
        "fire_rescue_damage_vnd": s.fire_rescue_damage_vnd,
        "fraud": _figures(s.fraud),
        "fraud_losses_vnd": s.fraud_losses_vnd,
        "weeks": s.weeks,
    }
