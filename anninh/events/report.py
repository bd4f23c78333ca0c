"""What an event page and its after-action report show, read for one viewer; the report as
HTML and as A4 PDF (WeasyPrint, as the CompStat reports)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from anninh.events import selectors
from anninh.events.models import Event


def event_context(*, viewer, event: Event) -> dict:
    venues = list(event.venues.select_related("commune").defer("commune__boundary"))
    risks = list(selectors.risks_of(viewer=viewer, event=event))
    incidents = selectors.event_incidents(viewer=viewer, event=event)
    log = list(selectors.log_of(viewer=viewer, event=event))
    stops = list(event.patrol_stops.all())
    teams: dict[int, list] = {}
    for s in stops:
        teams.setdefault(s.team, []).append(s)
    return {
        "event": event,
        "venues": venues,
        "schedule": list(event.schedule.select_related("venue")),
        "units": list(event.units.select_related("unit", "venue")),
        "risks": risks,
        "risk_counts": selectors.risk_counts(risks),
        "checkpoints": list(event.checkpoints.select_related("site")),
        "stops": stops,
        "teams": sorted(teams.items()),
        "incidents": incidents,
        "incident_limit": selectors.INCIDENT_LIMIT,
        "log": log,
    }


def after_action_html(*, viewer, event: Event, for_pdf: bool = False) -> str:
    context = event_context(viewer=viewer, event=event)
    context.update({"generated": timezone.localtime(), "for_pdf": for_pdf})
    by_kind: dict[str, int] = {}
    for li in context["incidents"]:
        label = li.incident.get_kind_display()
        by_kind[label] = by_kind.get(label, 0) + 1
    context["incidents_by_kind"] = sorted(by_kind.items(), key=lambda kv: (-kv[1], kv[0]))
    context["changed_risks"] = [r for r in context["risks"] if r.version > 1]
    return render_to_string("events/after_action.html", context)


def after_action_pdf(*, viewer, event: Event) -> bytes:
    from anninh.reports.services import render_pdf

    return render_pdf(after_action_html(viewer=viewer, event=event, for_pdf=True))
