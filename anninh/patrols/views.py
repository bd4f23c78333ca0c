"""Patrol pages: plans (make, view, print), patrols done (htmx), checkpoint sites, dose vs crime."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from anninh.accounts.permissions import audit_denied, get_scoped_or_404, require_roles
from anninh.accounts.scoping import scope_for
from anninh.compstat.periods import today
from anninh.datefields import date_message
from anninh.geo import lookup
from anninh.geo.models import Commune
from anninh.lib.dates import InvalidDate, parse_date_vn
from anninh.patrols import printmap, selectors, services
from anninh.patrols.models import SHIFT_CHOICES, PatrolAssignment, PatrolPlan
from anninh.records.models import OffenceGroup


def _date(value: str, default: dt.date, errors: list[str]) -> dt.date:
    """The typed day, or `default` when none is typed; a refused one (not a date, or outside
    01/01/1900 … 31/12/2100) adds its message to `errors` and gives `default`."""
    try:
        return parse_date_vn(value) if value else default
    except InvalidDate as exc:
        errors.append(date_message(exc))
        return default


def _communes(user) -> list[tuple[str, str]]:
    scope = scope_for(user)
    qs = Commune.objects.order_by("sort_key", "code")
    if not user.has_role("commander"):
        qs = qs.filter(code__in=sorted(scope.commune_codes))
    return list(qs.values_list("code", "name"))


@require_roles(*selectors.READER_ROLES)
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = selectors.plan_list(viewer=request.user)[:200]
    return render(
        request,
        "patrols/list.html",
        {"plans": plans, "may_plan": request.user.has_role(*services.PLANNER_ROLES), "active_nav": "patrols"},
    )


@require_roles(*services.PLANNER_ROLES)
def plan_new(request: HttpRequest) -> HttpResponse:
    communes = _communes(request.user)
    source = request.POST if request.method == "POST" else request.GET
    errors: list[str] = []
    day = _date(source.get("date", ""), today(), errors)
    shift = source.get("shift", "night")
    shift = shift if shift in dict(SHIFT_CHOICES) else "night"
    group = source.get("group", "")
    group = group if group in OffenceGroup.values else ""
    per_team = source.get("cells_per_team", "3")
    per_team = int(per_team) if per_team.isdigit() and len(per_team) < 3 else 3
    if request.method == "POST" and not errors:
        made = []
        for code, name in communes:
            raw = (request.POST.get(f"teams_{code}") or "").strip()
            if not raw or raw == "0":
                continue
            if not raw.isdigit() or len(raw) > 3:
                errors.append(_("%(commune)s: enter a whole number of teams.") % {"commune": name})
                continue
            try:
                made.append(
                    services.plan_create(
                        actor=request.user,
                        day=day,
                        shift=shift,
                        commune=code,
                        teams=int(raw),
                        cells_per_team=per_team,
                        offence_group=group,
                    )
                )
            except services.PatrolError as exc:
                errors.append(f"{name}: {exc}")
            except PermissionDenied:
                audit_denied(request, reason="scope")
                raise
        if made and not errors:
            messages.success(request, _("Plans made: %(n)d.") % {"n": len(made)})
            return redirect("patrols:detail", pk=made[0].pk) if len(made) == 1 else redirect("patrols:list")
        if not made and not errors:
            errors.append(_("Enter the number of teams of at least one commune."))
    return render(
        request,
        "patrols/new.html",
        {
            "communes": communes,
            "day": day,
            "shift": shift,
            "group": group,
            "cells_per_team": per_team,
            "shifts": SHIFT_CHOICES,
            "groups": OffenceGroup.choices,
            "errors": errors,
            "values": request.POST,
            "forecast": services.forecast_for(day, shift, group),
            "active_nav": "patrols",
        },
        status=400 if errors else 200,
    )


def _plan(request, pk: int) -> PatrolPlan:
    return get_scoped_or_404(
        selectors.plan_base(viewer=request.user).select_related("commune", "forecast"),
        request.user,
        unscoped=PatrolPlan.objects.unrestricted(),
        pk=pk,
    )


def _plan_context(request, plan: PatrolPlan) -> dict:
    assignments = list(plan.assignments.select_related("done_by").order_by("team", "order"))
    checkpoints = list(plan.checkpoints.select_related("site").order_by("rank"))
    start, end = services.shift_bounds(plan.date, plan.shift)
    return {
        "plan": plan,
        "assignments": assignments,
        "checkpoints": checkpoints,
        "shift_start": start,
        "shift_end": end,
        "may_mark": services.may_act_in(request.user, plan.commune_id),
        "active_nav": "patrols",
    }


@require_roles(*selectors.READER_ROLES)
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    return render(request, "patrols/detail.html", _plan_context(request, plan))


@require_roles(*selectors.READER_ROLES)
def plan_print(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    context = _plan_context(request, plan)
    feature = lookup.feature(plan.commune)
    geom = feature["geometry"]
    polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
    context["map_svg"] = printmap.plan_svg(
        [poly[0] for poly in polys],
        [(a.team, a.order, a.lat, a.lon) for a in context["assignments"]],
        [(c.rank, c.site.name, c.site.lat, c.site.lon) for c in context["checkpoints"]],
        plan.forecast.cell_metres,
    )
    return render(request, "patrols/print.html", context)


@require_roles(*services.PLANNER_ROLES)
@require_POST
def assignment_done(request: HttpRequest, pk: int, aid: int) -> HttpResponse:
    plan = _plan(request, pk)
    assignment = get_object_or_404(PatrolAssignment, plan=plan, pk=aid)
    try:
        assignment = services.patrol_mark_done(
            actor=request.user,
            assignment=assignment,
            done=request.POST.get("done", "1") == "1",
            note=request.POST.get("note", ""),
        )
        error = ""
    except services.PatrolError as exc:
        error = str(exc)
    except PermissionDenied:
        audit_denied(request, reason="scope")
        raise
    if request.htmx:
        return render(
            request,
            "patrols/_assignment.html",
            {"a": assignment, "plan": plan, "may_mark": True, "error": error},
            status=400 if error else 200,
        )
    if error:
        messages.error(request, error)
    return redirect("patrols:detail", pk=plan.pk)


class SiteForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    commune = forms.ChoiceField(label=gettext_lazy("Commune"))
    lat = forms.FloatField(label=gettext_lazy("Latitude"), min_value=-90, max_value=90)
    lon = forms.FloatField(label=gettext_lazy("Longitude"), min_value=-180, max_value=180)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)


@require_roles(*selectors.READER_ROLES)
def site_list(request: HttpRequest) -> HttpResponse:
    communes = _communes(request.user)
    may_edit = request.user.has_role(*services.PLANNER_ROLES)
    form = SiteForm(request.POST or None)
    form.fields["commune"].choices = communes
    status = 200
    if request.method == "POST":
        if not may_edit:
            audit_denied(request, reason="role")
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.checkpoint_site_create(
                    actor=request.user,
                    name=d["name"],
                    commune=d["commune"],
                    lat=d["lat"],
                    lon=d["lon"],
                    note=d["note"],
                )
            except services.PatrolError as exc:
                form.add_error(None, str(exc))
            except PermissionDenied:
                audit_denied(request, reason="scope")
                raise
            else:
                messages.success(request, _("Checkpoint site added."))
                return redirect("patrols:sites")
        status = 400
    sites = selectors.site_list(viewer=request.user).order_by("commune__sort_key", "name")[:500]
    return render(
        request,
        "patrols/sites.html",
        {"sites": sites, "form": form, "may_edit": may_edit, "active_nav": "patrols"},
        status=status,
    )


@require_roles(*selectors.READER_ROLES)
def dose(request: HttpRequest) -> HttpResponse:
    errors: list[str] = []
    until = _date(request.GET.get("to", ""), today() - dt.timedelta(days=1), errors)
    since = _date(request.GET.get("from", ""), until - dt.timedelta(days=27), errors)
    if since > until:
        since, until = until, since
    rows = selectors.dose_vs_crime(viewer=request.user, since=since, until=until)
    chart = {
        "labels": [str(_("Patrolled")) if r.key == "patrolled" else str(_("Not patrolled")) for r in rows],
        "series": [
            {
                "name": str(_("Crimes expected by the forecast")),
                "values": [round(r.expected, 2) for r in rows],
            },
            {"name": str(_("Crimes that occurred")), "values": [r.crimes for r in rows]},
        ],
    }
    return render(
        request,
        "patrols/dose.html",
        {
            "rows": rows,
            "since": since,
            "until": until,
            "chart": chart,
            "errors": errors,
            "active_nav": "patrols",
        },
    )


urlpatterns = [
    path("", plan_list, name="list"),
    path("new/", plan_new, name="new"),
    path("<int:pk>/", plan_detail, name="detail"),
    path("<int:pk>/print/", plan_print, name="print"),
    path("<int:pk>/assignments/<int:aid>/done/", assignment_done, name="done"),
    path("checkpoints/", site_list, name="sites"),
    path("dose/", dose, name="dose"),
]
