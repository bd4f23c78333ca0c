"""Event security pages: the events, one event (venues on the map, schedule, risk register,
units and shifts, checkpoints and patrol routes, linked incidents, command log), and its
after-action report (HTML and PDF). Views parse, call one service or selector, render."""

from __future__ import annotations

import datetime as dt
import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from anninh.accounts.permissions import audit_denied, get_scoped_or_404, require_roles
from anninh.audit.services import audit_record
from anninh.datefields import date_message
from anninh.events import report, selectors, services
from anninh.events.models import Event, EventKind, EventStatus, LogKind, Risk, RiskStatus
from anninh.lib.dates import HCM_TZ, InvalidDate, parse_date_vn
from anninh.org.models import Unit


def _when(source, prefix: str, errors: list[str], label: str) -> dt.datetime | None:
    """A date (dd/mm/yyyy) and a time (HH:MM) typed in `<prefix>_date` and `<prefix>_time`."""
    try:
        day = parse_date_vn(source.get(f"{prefix}_date", ""))
    except InvalidDate as exc:
        errors.append(f"{label}: {date_message(exc)}")
        return None
    raw = (source.get(f"{prefix}_time") or "00:00").strip()
    try:
        t = dt.time.fromisoformat(raw if len(raw) == 5 else raw.zfill(5))
    except ValueError:
        errors.append(f"{label}: " + _("Enter the time as HH:MM, e.g. 07:30."))
        return None
    return dt.datetime.combine(day, t, tzinfo=HCM_TZ)


def _int(source, name: str, default: int | None = None) -> int | None:
    raw = (source.get(name) or "").strip()
    return int(raw) if raw.isdigit() and len(raw) <= 6 else default


def _event_or_404(request: HttpRequest, pk: int):
    return get_scoped_or_404(
        selectors.event_base(viewer=request.user), request.user, unscoped=Event.objects.unrestricted(), pk=pk
    )


def _refuse(request: HttpRequest):
    audit_denied(request, reason="role")
    raise PermissionDenied


@require_roles(*selectors.READER_ROLES)
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "events/list.html",
        {
            "events": selectors.event_list(viewer=request.user)[:200],
            "may_manage": services.may_manage(request.user),
            "active_nav": "events",
        },
    )


@require_roles(*services.MANAGER_ROLES)
def event_new(request: HttpRequest) -> HttpResponse:
    errors: list[str] = []
    source = request.POST if request.method == "POST" else request.GET
    units = Unit.objects.active().exclude(kind="commune").order_by("sort_key")
    if request.method == "POST":
        starts = _when(source, "starts", errors, _("Start"))
        ends = _when(source, "ends", errors, _("End"))
        lead = _int(source, "lead_unit")
        if not errors:
            try:
                event = services.event_create(
                    actor=request.user,
                    name=source.get("name", ""),
                    kind=source.get("kind", ""),
                    starts_at=starts,
                    ends_at=ends,
                    description=source.get("description", ""),
                    lead_unit=units.filter(pk=lead).first() if lead else None,
                    area_radius_m=_int(source, "area_radius_m", 1000),
                )
            except services.EventError as exc:
                errors.append(str(exc))
            else:
                messages.success(request, _("Event created: now place its venues on the map."))
                return redirect("events:detail", pk=event.pk)
    return render(
        request,
        "events/new.html",
        {
            "errors": errors,
            "values": source,
            "kinds": EventKind.choices,
            "units": units,
            "active_nav": "events",
        },
    )


@require_roles(*selectors.READER_ROLES)
@require_GET
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event_or_404(request, pk)
    user = request.user
    context = report.event_context(viewer=user, event=event)
    venues = context["venues"]
    context.update(
        {
            "may_manage": services.may_manage(user),
            "may_contribute": services.may_contribute(user, event),
            "kinds": LogKind.choices,
            "risk_statuses": RiskStatus.choices,
            "statuses": EventStatus.choices,
            "levels": range(1, 6),
            "units_all": Unit.objects.active().order_by("sort_key") if services.may_manage(user) else [],
            "map_data": {
                "geojsonUrl": reverse("api:geo_communes_geojson"),
                "venues": [
                    {"name": v.name, "lat": v.lat, "lon": v.lon, "shape": v.shape or None} for v in venues
                ],
                "checkpoints": [
                    {"name": c.site.name, "lat": c.site.lat, "lon": c.site.lon}
                    for c in context["checkpoints"]
                ],
                "stops": [
                    {"team": s.team, "order": s.order, "lat": s.lat, "lon": s.lon} for s in context["stops"]
                ],
                "incidents": [
                    {"number": li.incident.number, "lat": li.incident.lat, "lon": li.incident.lon}
                    for li in context["incidents"]
                    if li.incident.lat is not None
                ],
                "radius": event.area_radius_m,
                "draw": services.may_manage(user),
            },
            "active_nav": "events",
        }
    )
    audit_record(
        actor=user, action="view", target=event, extra={"incidents_linked": len(context["incidents"])}
    )
    return render(request, "events/detail.html", context)


def _back(event, anchor: str):
    return redirect(reverse("events:detail", args=[event.pk]) + f"#{anchor}")


def _post_service(request: HttpRequest, event, anchor: str, call, done: str):
    try:
        call()
    except services.EventError as exc:
        messages.error(request, str(exc))
    except PermissionDenied:
        audit_denied(request, reason="role")
        raise
    else:
        messages.success(request, done)
    return _back(event, anchor)


@require_roles(*services.MANAGER_ROLES)
@require_POST
def venue_add(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event_or_404(request, pk)
    p = request.POST
    shape = None
    if p.get("shape"):
        try:
            shape = json.loads(p["shape"])
        except ValueError:
            shape = {"type": "invalid"}

    def number(name):
        try:
            return float(p.get(name, "").replace(",", "."))
        except ValueError:
            return None

    return _post_service(
        request,
        event,
        "venues",
        lambda: services.venue_add(
            actor=request.user,
            event=event,
            name=p.get("name", ""),
            lat=number("lat"),
            lon=number("lon"),
            shape=shape,
        ),
        _("Venue added."),
    )


@require_roles(*services.MANAGER_ROLES)
@require_POST
def schedule_add(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event_or_404(request, pk)
    errors: list[str] = []
    starts = _when(request.POST, "starts", errors, _("Start"))
    ends = _when(request.POST, "ends", errors, _("End"))
    if errors:
        for e in errors:
            messages.error(request, e)
        return _back(event, "schedule")
    venue = event.venues.filter(pk=_int(request.POST, "venue") or 0).first()
    return _post_service(
        request,
        event,
        "schedule",
        lambda: services.schedule_add(
            actor=request.user,
            event=event,
            title=request.POST.get("title", ""),
            starts_at=starts,
            ends_at=ends,
            venue=venue,
        ),
        _("Added to the schedule."),
    )


@require_roles(*services.MANAGER_ROLES)
@require_POST
def unit_assign(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event_or_404(request, pk)
    errors: list[str] = []
    starts = _when(request.POST, "starts", errors, _("Shift starts"))
    ends = _when(request.POST, "ends", errors, _("Shift ends"))
    unit = Unit.objects.active().filter(pk=_int(request.POST, "unit") or 0).first()
    if unit is None:
        errors.append(_("Choose a unit."))
    if errors:
        for e in errors:
            messages.error(request, e)
        return _back(event, "units")
    venue = event.venues.filter(pk=_int(request.POST, "venue") or 0).first()
    return _post_service(
        request,
        event,
        "units",
        lambda: services.unit_assign(
            actor=request.user,
            event=event,
            unit=unit,
            task=request.POST.get("task", ""),
            shift_start=starts,
            shift_end=ends,
            venue=venue,
            officers=_int(request.POST, "officers", 0),
        ),
        _("Unit assigned."),
    )


@require_roles(*services.MANAGER_ROLES)
@require_POST
def event_status(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event_or_404(request, pk)
    return _post_service(
        request,
        event,
        "status",
        lambda: services.event_set_status(
            actor=request.user, event=event, status=request.POST.get("status", "")
        ),
        _("Status changed."),
    )


@require_roles(*services.MANAGER_ROLES)
@require_POST
def plan_security(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event_or_404(request, pk)
    return _post_service(
        request,
        event,
        "security",
        lambda: services.event_plan_security(
            actor=request.user,
            event=event,
            teams=_int(request.POST, "teams", 0),
            cells_per_team=_int(request.POST, "cells_per_team", 3),
        ),
        _("Checkpoints and patrol routes planned around the venues."),
    )


@require_roles(*services.CONTRIBUTOR_ROLES)
@require_POST
def risk_add(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event_or_404(request, pk)
    p = request.POST
    return _post_service(
        request,
        event,
        "risks",
        lambda: services.risk_create(
            actor=request.user,
            event=event,
            threat=p.get("threat", ""),
            likelihood=_int(p, "likelihood"),
            impact=_int(p, "impact"),
            owner=p.get("owner", ""),
            mitigation=p.get("mitigation", ""),
            status=p.get("status", RiskStatus.OPEN),
        ),
        _("Risk added to the register."),
    )


@require_roles(*services.CONTRIBUTOR_ROLES)
@require_POST
def risk_change(request: HttpRequest, pk: int, rid: int) -> HttpResponse:
    event = _event_or_404(request, pk)
    risk = get_scoped_or_404(
        selectors.risks_of(viewer=request.user, event=event),
        request.user,
        unscoped=Risk.objects.unrestricted(),
        pk=rid,
    )
    p = request.POST
    changes = {
        "threat": p.get("threat", risk.threat),
        "likelihood": _int(p, "likelihood", risk.likelihood),
        "impact": _int(p, "impact", risk.impact),
        "owner": p.get("owner", risk.owner),
        "mitigation": p.get("mitigation", risk.mitigation),
        "status": p.get("status", risk.status),
    }
    return _post_service(
        request,
        event,
        f"risk-{risk.pk}",
        lambda: services.risk_update(
            actor=request.user, risk=risk, version=_int(p, "version"), note=p.get("note", ""), **changes
        ),
        _("Risk updated; its earlier state is kept in its history."),
    )


@require_roles(*services.CONTRIBUTOR_ROLES)
@require_POST
def log_add(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event_or_404(request, pk)
    return _post_service(
        request,
        event,
        "log",
        lambda: services.log_append(
            actor=request.user,
            event=event,
            text=request.POST.get("text", ""),
            kind=request.POST.get("kind", LogKind.INFORMATION),
        ),
        _("Entry added to the command log."),
    )


@require_roles(*selectors.READER_ROLES)
@require_GET
def after_action(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event_or_404(request, pk)
    html = report.after_action_html(viewer=request.user, event=event)
    audit_record(actor=request.user, action="view", target=event, extra={"after_action_report": "html"})
    return HttpResponse(html)


@require_roles(*selectors.READER_ROLES)
@require_GET
def after_action_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event_or_404(request, pk)
    pdf = report.after_action_pdf(viewer=request.user, event=event)
    audit_record(actor=request.user, action="export", target=event, extra={"after_action_report": "pdf"})
    response = HttpResponse(pdf, content_type="application/pdf")
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="after-action-{event.pk}-{stamp}.pdf"'
    return response


app_name = "events"
urlpatterns = [
    path("", event_list, name="list"),
    path("new/", event_new, name="new"),
    path("<int:pk>/", event_detail, name="detail"),
    path("<int:pk>/venues/", venue_add, name="venue_add"),
    path("<int:pk>/schedule/", schedule_add, name="schedule_add"),
    path("<int:pk>/units/", unit_assign, name="unit_assign"),
    path("<int:pk>/status/", event_status, name="status"),
    path("<int:pk>/security/", plan_security, name="plan_security"),
    path("<int:pk>/risks/", risk_add, name="risk_add"),
    path("<int:pk>/risks/<int:rid>/", risk_change, name="risk_change"),
    path("<int:pk>/log/", log_add, name="log_add"),
    path("<int:pk>/report/", after_action, name="report"),
    path("<int:pk>/report.pdf", after_action_pdf, name="report_pdf"),
]
