"""What each role's home page shows: read-only, and only what that role may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone

from anninh.accounts.roles import Role
from anninh.audit import masking
from anninh.audit.models import AuditAction, AuditEvent
from anninh.compstat import views_dashboard as compstat_views
from anninh.compstat.periods import Period
from anninh.compstat.selectors import CountRow, incident_total
from anninh.geo.models import Commune, CommuneKind
from anninh.org.models import Unit, UnitKind
from anninh.records.models import ReviewStatus
from anninh.records.selectors import incidents as incident_selectors
from anninh.records.selectors import reports as report_selectors
from anninh.records.selectors.reports import DeadlineTotals
from anninh.records.views import incidents as incident_views
from anninh.records.views import reports as report_views

SECTION_ORDER = [
    Role.COMMANDER,
    Role.ANALYST,
    Role.INVESTIGATOR,
    Role.COMMUNE_OFFICER,
    Role.FIRE_RESCUE,
    Role.PUBLIC_RELATIONS,
    Role.AUDITOR,
    Role.ADMINISTRATOR,
]


def home_sections(*, viewer) -> list[str]:
    """Names of the home sections (templates web/home/<name>.html) for the viewer's roles."""
    return [r.value for r in SECTION_ORDER if r in viewer.roles]


@dataclass(frozen=True)
class CityOverview:
    communes: int
    wards: int
    rural_communes: int
    special_zones: int
    population: int
    area_km2: float
    departments: int
    commune_units: int


def city_overview() -> CityOverview:
    by_kind = dict(Commune.objects.values_list("kind").annotate(n=Count("code")).values_list("kind", "n"))
    totals = Commune.objects.aggregate(pop=Sum("population"), area=Sum("area_km2"))
    units = dict(Unit.objects.active().values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    return CityOverview(
        communes=sum(by_kind.values()),
        wards=by_kind.get(CommuneKind.WARD, 0),
        rural_communes=by_kind.get(CommuneKind.COMMUNE, 0),
        special_zones=by_kind.get(CommuneKind.SPECIAL_ZONE, 0),
        population=totals["pop"] or 0,
        area_km2=totals["area"] or 0.0,
        departments=units.get(UnitKind.DEPARTMENT, 0),
        commune_units=units.get(UnitKind.COMMUNE, 0),
    )


def densest_communes(limit: int = 10) -> list[dict]:
    """Communes by residents per km²: where patrol presence reaches the most people."""
    rows = Commune.objects.only("code", "name", "population", "area_km2")
    ranked = sorted(rows, key=lambda c: c.population / c.area_km2 if c.area_km2 else 0, reverse=True)
    return [
        {
            "code": c.code,
            "name": c.name,
            "population": c.population,
            "density": round(c.population / c.area_km2),
        }
        for c in ranked[:limit]
    ]


def population_by_kind() -> list[dict]:
    rows = (
        Commune.objects.values("kind")
        .annotate(population=Sum("population"), n=Count("code"))
        .order_by("kind")
    )
    labels = dict(CommuneKind.choices)
    return [{"label": str(labels[r["kind"]]), "population": r["population"], "count": r["n"]} for r in rows]


def staff_by_unit(*, unit_ids: list[int] | None = None) -> list[dict]:
    """Active accounts per unit (names of people are not needed for this picture)."""
    User = get_user_model()
    qs = User.objects.filter(is_active=True, unit__isnull=False)
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    return list(
        qs.values("unit__code", "unit__name").annotate(n=Count("id")).order_by("-n", "unit__code")[:15]
    )


def own_unit(*, viewer) -> dict | None:
    """The viewer's unit with its parent, sub-units and colleagues' count."""
    if not viewer.unit_id:
        return None
    unit = Unit.objects.select_related("parent", "commune").get(pk=viewer.unit_id)
    children = list(Unit.objects.active().filter(parent=unit).order_by("sort_key", "code"))
    members = get_user_model().objects.filter(unit=unit, is_active=True).count()
    return {"unit": unit, "children": children, "members": members}


def audit_overview(*, viewer, hours: int = 24) -> dict:
    """The auditor's morning check: refusals and failed logins in the last day, newest rows."""
    if not viewer.has_role(Role.AUDITOR):
        return {}
    since = timezone.now() - dt.timedelta(hours=hours)
    counts = (
        AuditEvent.objects.restrict(viewer)
        .filter(at__gte=since)
        .aggregate(
            total=Count("id"),
            denied=Count("id", filter=Q(action=AuditAction.DENIED)),
            failed=Count("id", filter=Q(action=AuditAction.LOGIN_FAILED)),
            exports=Count("id", filter=Q(action=AuditAction.EXPORT)),
        )
    )
    sees = masking.sees_personal_data(viewer)
    recent = [
        masking.mask_event(e, viewer=viewer, sees=sees)
        for e in AuditEvent.objects.restrict(viewer).order_by("-id")[:10]
    ]
    return {"counts": counts, "recent": recent, "hours": hours}


def accounts_overview(*, viewer) -> dict:
    """The administrator's view of accounts: who lacks a role or a unit."""
    if not viewer.has_role(Role.ADMINISTRATOR):
        return {}
    User = get_user_model()
    active = User.objects.filter(is_active=True)
    by_role = dict(
        active.values_list("role_assignments__role")
        .annotate(n=Count("id"))
        .values_list("role_assignments__role", "n")
    )
    roles = [{"label": str(r.label), "n": by_role.get(r.value, 0)} for r in Role]
    return {
        "active": active.count(),
        "inactive": User.objects.filter(is_active=False).count(),
        "without_role": active.filter(role_assignments__isnull=True).count(),
        "without_unit": active.filter(unit__isnull=True).count(),
        "roles": roles,
        "newest": list(active.select_related("unit").order_by("-date_joined")[:5]),
    }


# What needs attention today (the first card of a record user's home) ---------------------------

# Each tile is shown to the roles that may open the page it links to.
DEADLINE_ROLES = report_views.READER_ROLES
INCIDENT_ROLES = incident_views.READER_ROLES
INCIDENT_WRITER_ROLES = incident_views.WRITER_ROLES
COMPSTAT_ROLES = compstat_views.READER_ROLES


@dataclass(frozen=True)
class Attention:
    """Counts that ask for action, each with the list it opens; None = not for this viewer."""

    deadlines: DeadlineTotals | None
    awaiting_approval: tuple[int, bool] | None  # (count, capped)
    returned: tuple[int, bool] | None
    approval_url: str
    returned_url: str
    week: CountRow | None  # the last complete week's crimes
    fires: CountRow | None  # its fires, explosions and rescues (fire and rescue officers)
    week_period: Period


def attention(*, viewer) -> Attention | None:
    """The viewer's deadlines, incidents waiting on review, and last week's crimes, each counted
    through the selectors of its own app (so each is scoped as its page is): at most eight
    queries."""
    if not viewer.has_role(*INCIDENT_ROLES):
        return None
    deadlines = report_selectors.deadline_totals(viewer=viewer) if viewer.has_role(*DEADLINE_ROLES) else None

    def count(status: str) -> tuple[int, bool]:
        qs = incident_selectors.incident_list(
            viewer=viewer, filters=incident_selectors.IncidentFilters(review_status=status)
        )
        return incident_selectors.capped_count(qs, incident_selectors.COUNT_CAP)

    awaiting = count(ReviewStatus.SUBMITTED) if getattr(viewer, "is_supervisor", False) else None
    returned = count(ReviewStatus.RETURNED) if viewer.has_role(*INCIDENT_WRITER_ROLES) else None
    period = Period.default()
    week = incident_total(viewer=viewer, period=period) if viewer.has_role(*COMPSTAT_ROLES) else None
    fires = (
        incident_total(viewer=viewer, period=period, fire_rescue=True)
        if viewer.has_role(Role.FIRE_RESCUE)
        else None
    )
    base = reverse("records:incident_list")
    return Attention(
        deadlines=deadlines,
        awaiting_approval=awaiting,
        returned=returned,
        approval_url=f"{base}?review_status={ReviewStatus.SUBMITTED.value}",
        returned_url=f"{base}?review_status={ReviewStatus.RETURNED.value}",
        week=week,
        fires=fires,
        week_period=period,
    )
