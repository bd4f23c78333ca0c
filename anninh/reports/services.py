"""Making CompStat reports: compute the figures with the CompStat selector, render them to
HTML (the print template) and PDF (WeasyPrint), store both, audit. Idempotent: one report per
kind, period, scope and language; asking again returns the stored one unless `replace`."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from anninh.accounts.roles import Role
from anninh.accounts.scoping import Scope, scope_for
from anninh.audit.services import audit_record
from anninh.compstat.periods import Period, week_label_of
from anninh.compstat.selectors import compstat_summary
from anninh.geo import lookup
from anninh.geo.models import Commune
from anninh.lib.dates import format_date_vn
from anninh.reports import svg
from anninh.reports.models import Report, ReportKind, ReportSource

REPORT_ROLES = (Role.COMMANDER, Role.ANALYST, Role.COMMUNE_OFFICER)
LANGUAGES = ("vi", "en")


class ReportError(ValueError):
    """A report that cannot be made as asked; the message is for the user."""


class SystemViewer:
    """The scheduler and the command read the whole city, like an analyst without personal data."""

    is_authenticated = True
    is_active = True
    pk = id = None
    unit = None
    unit_id = None
    is_supervisor = False
    personal_data_granted = False
    username = "scheduler"
    roles = frozenset({Role.ANALYST})
    _scope_cache = Scope(authenticated=True, city_wide=True)

    def has_role(self, *roles) -> bool:
        return bool(self.roles & set(roles))

    def get_username(self) -> str:
        return self.username


SYSTEM = SystemViewer()


def report_period(kind: str, value: str) -> Period:
    """Period.week from 2026-W47, Period.month from 2026-10; ReportError otherwise."""
    from anninh.compstat.periods import PeriodError, parse_month, parse_week

    try:
        return parse_week(value) if kind == ReportKind.WEEK else parse_month(value)
    except PeriodError as exc:
        raise ReportError(str(exc)) from exc


def _check(actor, commune: str) -> None:
    if actor is SYSTEM:
        return
    if not getattr(actor, "is_authenticated", False) or not actor.has_role(*REPORT_ROLES):
        raise PermissionDenied
    scope = scope_for(actor)
    if scope.city_wide:
        return
    if not commune or commune not in scope.commune_codes:
        raise PermissionDenied


# Map outlines simplified once per commune layer (lookup caches it until geo data change): at
# ~0.0025° of longitude per printed pixel, a 0.0008° (~80 m) tolerance is invisible and keeps
# the PDF small and fast to lay out.
MAP_TOLERANCE = 0.0008
_shapes_cache: tuple[int, dict[str, list[list[tuple[float, float]]]]] | None = None


def _map_shapes() -> dict[str, list[list[tuple[float, float]]]]:
    global _shapes_cache
    geojson = lookup.communes_geojson()
    if _shapes_cache is not None and _shapes_cache[0] == id(geojson):
        return _shapes_cache[1]
    from shapely.geometry import shape

    shapes: dict[str, list[list[tuple[float, float]]]] = {}
    for feature in geojson["features"]:
        geom = shape(feature["geometry"]).simplify(MAP_TOLERANCE, preserve_topology=True)
        polys = list(geom.geoms) if geom.geom_type == "MultiPolygon" else [geom]
        shapes[feature["properties"]["code"]] = [
            [(x, y) for x, y in poly.exterior.coords] for poly in polys if not poly.is_empty
        ]
    _shapes_cache = (id(geojson), shapes)
    return shapes


def _map_svg(summary, title: str) -> str:
    shapes = _map_shapes()
    values = {r.key: r.current for r in summary.by_commune}
    if summary.commune:
        shapes = {summary.commune.code: shapes.get(summary.commune.code, [])}
    return svg.choropleth(shapes, values, legend_title=title, lang=translation.get_language() or "vi")


def render_html(*, viewer, period: Period, language: str, commune: str = "") -> tuple[str, str]:
    """The report's title and HTML, in `language`."""
    with translation.override(language):
        summary = compstat_summary(viewer=viewer, period=period, commune=commune)
        scope_name = summary.commune.name if summary.commune else _("Hai Phong City")
        if period.kind == "week":
            title = _("Weekly CompStat report, %(period)s, %(scope)s") % {
                "period": period.label,
                "scope": scope_name,
            }
        else:
            title = _("Monthly CompStat report, %(period)s, %(scope)s") % {
                "period": period.label,
                "scope": scope_name,
            }
        weeks_svg = svg.line_chart(
            [week_label_of(w["week"]) for w in summary.weeks],
            [
                (_("This year"), [w["count"] for w in summary.weeks], "#c8102e", False),
                (_("Last year"), [w["last_year"] for w in summary.weeks], "#8a96a3", True),
            ],
            lang=language,
        )
        groups_svg = svg.bar_chart(
            [r.label for r in summary.by_group],
            [
                (_("This period"), [r.current for r in summary.by_group], "#c8102e"),
                (_("Previous period"), [r.previous for r in summary.by_group], "#f0a0a8"),
                (_("Last year"), [r.last_year for r in summary.by_group], "#8a96a3"),
            ],
            lang=language,
        )
        # Requests from the public answered for this period (issue #10 item 5).
        from anninh.requests.indicators import indicators_for_period

        service = indicators_for_period(first=period.first, last=period.last, commune_code=commune)
        html = render_to_string(
            "reports/report.html",
            {
                "service": service,
                "title": title,
                "footer_title": svg.css_string(title),
                "summary": summary,
                "scope_name": scope_name,
                "weeks_svg": weeks_svg,
                "groups_svg": groups_svg,
                "map_svg": _map_svg(summary, _("Crimes")),
                "generated": timezone.localtime(),
                "language": language,
            },
        )
    return title, html


def render_pdf(html: str) -> bytes:
    # Imported here: WeasyPrint needs pango, which only report making requires.
    from weasyprint import HTML

    return HTML(string=html, base_url=None).write_pdf()


def report_generate(
    *,
    actor,
    kind: str,
    period: Period,
    language: str = "vi",
    commune: str = "",
    source: str = ReportSource.ON_DEMAND,
    replace: bool = False,
) -> tuple[Report, bool]:
    """The stored report for this kind, period, scope and language, made now if missing (or if
    `replace`). Returns (report, created)."""
    if kind not in ReportKind.values:
        raise ReportError(_("Choose a weekly or a monthly report."))
    if language not in LANGUAGES:
        raise ReportError(_("Choose Vietnamese or English."))
    from anninh.compstat.periods import today as local_today

    if period.last >= local_today():
        # A report of a period still running would be stored incomplete and then found, and
        # kept, by the Monday scheduler (which makes a report only if it is missing).
        raise ReportError(
            _("This period is not over yet: its report can be made from %(date)s.")
            % {"date": format_date_vn(period.last + dt.timedelta(days=1))}
        )
    if commune and not Commune.objects.filter(code=commune).exists():
        raise ReportError(_("There is no commune with this code."))
    _check(actor, commune)
    existing = (
        Report.objects.unrestricted()
        .filter(kind=kind, period_first=period.first, commune_code=commune, language=language)
        .first()
    )
    if existing and not replace:
        return existing, False
    title, html = render_html(viewer=actor, period=period, language=language, commune=commune)
    pdf = render_pdf(html)
    user = None if actor is SYSTEM else actor
    try:
        with transaction.atomic():
            if existing:
                existing.delete()
            report = Report.objects.create(
                kind=kind,
                period_first=period.first,
                period_last=period.last,
                slug=period.slug,
                language=language,
                commune_code=commune,
                title=title[:200],
                html=html,
                pdf=pdf,
                digest=hashlib.sha256(pdf).hexdigest(),
                source=source,
                generated_by=user,
            )
            audit_record(
                actor=user,
                username="scheduler" if user is None else "",
                action="create",
                target=report,
                after={
                    "kind": kind,
                    "period": period.slug,
                    "commune": commune,
                    "language": language,
                    "digest": report.digest,
                },
                extra={"source": source, "replaced": bool(existing)},
            )
    except IntegrityError:  # made by a concurrent run in the meantime
        return Report.objects.unrestricted().get(
            kind=kind, period_first=period.first, commune_code=commune, language=language
        ), False
    return report, True


def last_complete_week(today: dt.date) -> Period:
    return Period.default(today)


def last_complete_month(today: dt.date) -> Period:
    before = today.replace(day=1) - dt.timedelta(days=1)
    return Period.month(before.year, before.month)


def reports_run_due(
    *, today: dt.date | None = None, languages: tuple[str, ...] = ("vi",)
) -> list[tuple[Report, bool]]:
    """Make the city reports that are due and missing: last complete week's (due every Monday)
    and last complete month's (due on the 1st). Safe to run any day, any number of times."""
    from anninh.compstat.periods import today as local_today

    today = today or local_today()
    out = []
    for language in languages:
        out.append(
            report_generate(
                actor=SYSTEM,
                kind=ReportKind.WEEK,
                period=last_complete_week(today),
                language=language,
                source=ReportSource.SCHEDULE,
            )
        )
        out.append(
            report_generate(
                actor=SYSTEM,
                kind=ReportKind.MONTH,
                period=last_complete_month(today),
                language=language,
                source=ReportSource.SCHEDULE,
            )
        )
    return out
