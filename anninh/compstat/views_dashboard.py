"""The CompStat dashboard: parse the period, call the selector, render."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from anninh.accounts.permissions import audit_denied, require_roles
from anninh.accounts.roles import Role
from anninh.accounts.scoping import scope_for
from anninh.compstat import selectors
from anninh.compstat.periods import KINDS, Period, PeriodError, period_from_params, week_label
from anninh.geo.models import Commune

READER_ROLES = (Role.COMMANDER, Role.ANALYST, Role.INVESTIGATOR, Role.COMMUNE_OFFICER)


def commune_choices(viewer) -> list[tuple[str, str]]:
    """The communes the viewer may pick: every one for city-wide roles, else their own."""
    scope = scope_for(viewer)
    qs = Commune.objects.order_by("sort_key", "code")
    if not scope.city_wide:
        qs = qs.filter(code__in=sorted(scope.commune_codes))
    return list(qs.values_list("code", "name"))


def parse_commune(params, choices: list[tuple[str, str]]) -> str:
    code = (params.get("commune") or "").strip()
    return code if code in {c for c, _ in choices} else ""


def audit_commune_refused(request_or_user, code: str, choices: list[tuple[str, str]], **kwargs) -> bool:
    """True (and an audited refusal) when `code` names a real commune outside `choices`: a
    guessed commune leaves the same trace as a guessed record id. Unknown codes are plain
    input errors and are not audited."""
    code = (code or "").strip()
    if not code or code in {c for c, _ in choices} or not Commune.objects.filter(code=code).exists():
        return False
    audit_denied(request_or_user, reason="scope", object_type="geo.commune", object_id=code, **kwargs)
    return True


def chart_data(summary: selectors.CompstatSummary) -> dict:
    return {
        "communes": {
            r.key: {
                "name": r.label,
                "count": r.current,
                "rate": round(r.rate_per_10k, 2) if r.rate_per_10k is not None else None,
                "change": round(r.vs_previous.percent, 1) if r.vs_previous.percent is not None else None,
                "direction": r.vs_previous.direction,
                "url": r.url,
            }
            for r in summary.by_commune
        },
    }


def largest_rises(summary: selectors.CompstatSummary, limit: int = 5) -> list:
    """The communes that rose most in number, significant or not: the way onward when no rise
    passes the test (a commander still asks "where did it go up?")."""
    rows = [r for r in summary.by_commune if r.current > r.previous]
    return sorted(rows, key=lambda r: (r.previous - r.current, r.label))[:limit]


def longer_period(period: Period) -> Period | None:
    """The month (for a week or a custom span) or the quarter (for a month) that ends with, or
    holds the end of, `period`: more crimes per commune, so a real rise can pass the test."""
    last = period.last
    if period.kind in ("week", "custom"):
        return Period.month(last.year, last.month)
    if period.kind == "month":
        return Period.quarter(last.year, (last.month - 1) // 3 + 1)
    return None


def recent_weeks(period: Period, count: int = 26) -> list[tuple[str, str]]:
    """(ISO code, "Tuần 48 (23/11–29/11)") for the weeks up to the period's end: the choices
    offered under the period input, which still takes the ISO code."""
    monday = period.last - dt.timedelta(days=period.last.weekday())
    weeks = [monday - dt.timedelta(weeks=k) for k in range(count)]
    return [(f"{m.isocalendar().year}-W{m.isocalendar().week:02d}", week_label(m)) for m in weeks]


@require_roles(*READER_ROLES)
def dashboard(request: HttpRequest) -> HttpResponse:
    error = ""
    try:
        period = period_from_params(request.GET)
    except PeriodError as exc:
        error = str(exc)
        period = Period.default()
    communes = commune_choices(request.user)
    commune = parse_commune(request.GET, communes)
    audit_commune_refused(request, request.GET.get("commune", ""), communes)
    summary = selectors.compstat_summary(
        viewer=request.user, period=period, commune=commune, with_series=False
    )
    longer = None if summary.rising else longer_period(period)
    context = {
        "summary": summary,
        "period": period,
        "period_error": error,
        "kinds": list(KINDS.items()),
        "params": request.GET,
        "communes": communes,
        "commune": commune,
        "city_wide": scope_for(request.user).city_wide,
        "scope_name": ", ".join(name for _code, name in communes) if len(communes) <= 3 else "",
        "charts": chart_data(summary),
        "largest_rises": [] if summary.rising else largest_rises(summary),
        "longer": longer,
        "longer_query": urlencode({**longer.as_params(), "commune": commune}) if longer else "",
        "week_choices": recent_weeks(period),
        "period_query": urlencode(period.as_params()),
        "series_url": reverse("api:compstat_series")
        + "?"
        + urlencode({**period.as_params(), "commune": commune}),
        "map_config": {
            "geojsonUrl": reverse("api:geo_communes_geojson"),
            "labels": {
                "count": str(_label("count")),
                "rate": str(_label("rate")),
                "legend_count": str(_label("legend_count")),
                "legend_rate": str(_label("legend_rate")),
            },
        },
        "active_nav": "compstat",
    }
    return render(request, "compstat/dashboard.html", context)


def _label(name: str) -> str:
    from django.utils.translation import gettext as _

    return {
        "count": _("crimes"),
        "rate": _("per 10,000 residents"),
        "legend_count": _("Crimes in the period"),
        "legend_rate": _("Crimes per 10,000 residents"),
    }[name]
