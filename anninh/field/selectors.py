"""Reads of the field page: today's approved plans of a commune with their checkpoints and
patrols, and what was sent from the field, scoped to the viewer."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from anninh.accounts.roles import Role
from anninh.field.models import CheckIn, FieldReport
from anninh.patrols.models import PatrolPlan, PlanStatus


def today_plans(*, viewer, commune: str, today: dt.date) -> list[PatrolPlan]:
    """Approved plans of `commune` for `today` (and last night's, still running) with their
    checkpoints and patrols. Police read plans through the plans' own rule; the civil-defence
    force, which the plans' rule does not name, reads its own unit's commune only (the
    service's `field_commune` decides which; this selector is called with nothing else)."""
    if viewer.has_role(Role.COMMANDER, Role.COMMUNE_OFFICER):
        base = PatrolPlan.objects.restrict(viewer)
    else:
        from anninh.field.services import field_commune

        if field_commune(viewer) != commune:
            return []
        base = PatrolPlan.objects.unrestricted()  # the civil-defence member's own commune (checked above)
    plans = list(
        base.filter(
            commune_id=commune, status=PlanStatus.APPROVED, date__in=[today, today - dt.timedelta(days=1)]
        )
        .select_related("commune")
        .defer("commune__boundary")
        .prefetch_related("checkpoints__site", "assignments")
        .order_by("date", "shift")
    )
    return [p for p in plans if p.date == today or p.shift == "night"]


def plan_payload(plan: PatrolPlan) -> dict:
    return {
        "id": plan.pk,
        "date": plan.date.strftime("%d/%m/%Y"),
        "shift": plan.get_shift_display(),
        "checkpoints": [
            {"id": c.pk, "rank": c.rank, "name": c.site.name, "lat": c.site.lat, "lon": c.site.lon}
            for c in plan.checkpoints.all()
        ],
        "patrols": [
            {
                "id": a.pk,
                "team": a.team,
                "order": a.order,
                "lat": a.lat,
                "lon": a.lon,
                "done": a.done_at is not None,
            }
            for a in sorted(plan.assignments.all(), key=lambda a: (a.team, a.order))
        ],
    }


def report_base(*, viewer) -> QuerySet:
    return FieldReport.objects.restrict(viewer)


def report_list(*, viewer) -> QuerySet:
    return (
        report_base(viewer=viewer)
        .select_related("commune", "created_by", "incident")
        .defer("commune__boundary", "photo")
    )


def checkin_list(*, viewer) -> QuerySet:
    return CheckIn.objects.restrict(viewer).select_related("checkpoint__site", "created_by")
