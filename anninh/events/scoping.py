"""Which events a viewer may read (the custom rules of anninh.events.models)."""

from __future__ import annotations

from django.db.models import Q

from anninh.accounts.roles import Role
from anninh.accounts.scoping import NOTHING, scope_for


def event_rows(viewer, prefix: str = "") -> Q | None:
    """Commanders and analysts: every event. A commune officer: the events with a venue in
    their commune, or assigned to their unit. An investigator: those assigned to (or led by)
    their department or a unit below it."""
    from anninh.events.models import EventUnit, Venue

    scope = scope_for(viewer)
    if scope.city_wide:
        return None
    condition = NOTHING
    if scope.commune_codes:
        venues = Venue.objects.filter(commune_id__in=sorted(scope.commune_codes)).values("event_id")
        condition |= Q(**{f"{prefix}pk__in": venues})
    units = set(scope.unit_ids)
    if Role.COMMUNE_OFFICER in viewer.roles and viewer.unit_id:
        units.add(viewer.unit_id)
    if units:
        ids = sorted(units)
        assigned = EventUnit.objects.filter(unit_id__in=ids).values("event_id")
        condition |= Q(**{f"{prefix}pk__in": assigned}) | Q(**{f"{prefix}lead_unit_id__in": ids})
    return condition


def via_event(viewer, prefix: str = "") -> Q | None:
    """Rows of an event (its risks, its command log): readable with the event."""
    return event_rows(viewer, prefix + "event__")
